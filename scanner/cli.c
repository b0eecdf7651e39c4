/*
 * cli.c — getopt_long parsing for the sweep (see cli.h). Every numeric value
 * goes through numparse; targets and exclusions go through targets.c, so
 * their messages name the offending text, file and line.
 */
#include "scanner/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/numparse.h"
#include "scanner/targets.h"

#define NS_PER_S 1000000000ull

enum {
	OPT_EXCLUDE_FILE = 256, OPT_SEED, OPT_SHARDS, OPT_SHARD, OPT_INTERVAL,
	OPT_MAX_RUNTIME, OPT_TTL, OPT_SIZE, OPT_DRY_RUN, OPT_LIST_FIELDS,
	OPT_ALL, OPT_STATUS, OPT_TX, OPT_INPUT_FILE, OPT_STATS, OPT_LOOP,
	OPT_REPORT_EVERY, OPT_NOTES, OPT_RESUME, OPT_PCAP, OPT_PCAP_ALL,
	OPT_NO_DEFAULT_EXCLUDE, OPT_SENDER_THREADS, OPT_XDP_MODE, OPT_RX,
};

static const struct option long_opts[] = {
	{ "input-file",   required_argument, NULL, OPT_INPUT_FILE },
	{ "exclude",      required_argument, NULL, 'x' },
	{ "exclude-file", required_argument, NULL, OPT_EXCLUDE_FILE },
	{ "no-default-exclude", no_argument, NULL, OPT_NO_DEFAULT_EXCLUDE },
	{ "max-targets",  required_argument, NULL, 'n' },
	{ "seed",         required_argument, NULL, OPT_SEED },
	{ "shards",       required_argument, NULL, OPT_SHARDS },
	{ "shard",        required_argument, NULL, OPT_SHARD },
	{ "rate",         required_argument, NULL, 'r' },
	{ "probes",       required_argument, NULL, 'P' },
	{ "count",        required_argument, NULL, 'P' },
	{ "stats",        no_argument,       NULL, OPT_STATS },
	{ "loop",         no_argument,       NULL, OPT_LOOP },
	{ "report-every", required_argument, NULL, OPT_REPORT_EVERY },
	{ "interval",     required_argument, NULL, OPT_INTERVAL },
	{ "cooldown",     required_argument, NULL, 'c' },
	{ "max-runtime",  required_argument, NULL, OPT_MAX_RUNTIME },
	{ "ttl",          required_argument, NULL, OPT_TTL },
	{ "size",         required_argument, NULL, OPT_SIZE },
	{ "dry-run",      no_argument,       NULL, OPT_DRY_RUN },
	{ "resume",       required_argument, NULL, OPT_RESUME },
	{ "output",       required_argument, NULL, 'o' },
	{ "format",       required_argument, NULL, 'O' },
	{ "fields",       required_argument, NULL, 'f' },
	{ "list-fields",  no_argument,       NULL, OPT_LIST_FIELDS },
	{ "all",          no_argument,       NULL, OPT_ALL },
	{ "status",       no_argument,       NULL, OPT_STATUS },
	{ "metadata",     required_argument, NULL, 'm' },
	{ "notes",        required_argument, NULL, OPT_NOTES },
	{ "pcap",         required_argument, NULL, OPT_PCAP },
	{ "pcap-all",     no_argument,       NULL, OPT_PCAP_ALL },
	{ "quiet",        no_argument,       NULL, 'q' },
	{ "interface",    required_argument, NULL, 'i' },
	{ "source",       required_argument, NULL, 'S' },
	{ "gateway-mac",  required_argument, NULL, 'G' },
	{ "tx",           required_argument, NULL, OPT_TX },
	{ "sender-threads", required_argument, NULL, OPT_SENDER_THREADS },
	{ "xdp-mode",     required_argument, NULL, OPT_XDP_MODE },
	{ "rx",           required_argument, NULL, OPT_RX },
	{ "help",         no_argument,       NULL, 'h' },
	{ "version",      no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs(
"Usage: echoscan [options] TARGET...\n"
"       echoscan ping [options] HOST\n"
"       echoscan trace [options] HOST | TARGET...   (see echoscan trace --help)\n"
"Finds live hosts with ICMP echo. TARGET: a.b.c.d, a.b.c.d/len, a.b.c.d-e.f.g.h, a host name,\n"
"or IPv6: 2001:db8::1, 2001:db8::/112, 2001:db8::1-2001:db8::ff.\n"
"\n"
"Targets:\n"
"  -iL, --input-file FILE   read targets from FILE (- = stdin), one per line, # comments\n"
"  -x, --exclude CIDR       skip these addresses (repeatable; address, CIDR or range)\n"
"      --exclude-file FILE  skip the addresses in FILE (zmap blocklist format)\n"
"  -4                       host names resolve to IPv4 (A) addresses only\n"
"  -6                       host names resolve to IPv6 (AAAA) addresses only (without\n"
"                           -4/-6 a name gives its A and AAAA addresses)\n"
"      --no-default-exclude probe 0.0.0.0/8, 224.0.0.0/4 and 240.0.0.0/4 too (skipped by\n"
"                           default unless a target lies inside them, e.g. 224.0.0.1)\n"
"  -n, --max-targets N      probe at most N targets (per shard)\n"
"      --seed N             seed of the pseudo-random order (needed with --shards;\n"
"                           the summary prints the one used)\n"
"      --shards N           split the scan into N disjoint shards (default 1)\n"
"      --shard I            run shard I, 0..N-1 (default 0)\n"
"Probing:\n"
"  -r, --rate PPS           probes per second: 10000 (default), 10k, 1.5M or max\n"
"  -P, --probes N           probes per target, 1..65535 (default 1), sent in separate passes\n"
"      --count N            same as -P (with --interval: N probes per host, spaced)\n"
"      --interval SECONDS   at least this long between passes (default 0; 1 with --loop)\n"
"  -c, --cooldown SECONDS   listen this long after the last probe (default: until no\n"
"                           reply can be in flight, 4x the slowest RTT seen, 1..8 s)\n"
"      --max-runtime SECS   stop sending after this long, then cool down\n"
"      --ttl N              IP TTL of the probes, 1..255 (default 64)\n"
"      --size BYTES         ICMP payload bytes, 18..1472 (default 18)\n"
"      --dry-run            print the probes that would be sent (daddr,probe); send nothing\n"
"      --resume FILE        save progress in FILE; if FILE exists, continue that scan\n"
"                           (same options; with -o each host is reported exactly once)\n"
"Output:\n"
"  -o, --output FILE        write results to FILE (default stdout)\n"
"  -O, --format FMT         csv (default), json (one object per line) or text\n"
"  -f, --fields LIST        comma-separated output fields, or '*' (see --list-fields)\n"
"      --list-fields        list the output fields and exit\n"
"      --all                report every validated reply, not only the first success per host\n"
"      --status             status line every second even when stderr is not a terminal\n"
"  -q, --quiet              no status line and no summary\n"
"  -m, --metadata FILE      at the end, write a JSON record of the run to FILE\n"
"      --notes TEXT         add TEXT to the metadata record (needs -m)\n"
"      --pcap FILE          write the frames of the valid replies to FILE (pcap, ns)\n"
"      --pcap-all           with --pcap: every frame captured, valid or not\n"
"Per-host statistics:\n"
"      --stats              at the end, one record per host: sent, received, loss, RTT\n"
"                           min/avg/max/mdev, jitter (text: fping's summary lines)\n"
"      --loop               probe until interrupted, reporting per-host statistics\n"
"      --report-every SECS  length of a --loop report period (default 10)\n"
"Network:\n"
"  -i, --interface IFACE    send on IFACE (default: from the route to the first target)\n"
"  -S, --source ADDR        source address (default: the route's preferred source);\n"
"                           repeatable, address, CIDR or range: probes are spread\n"
"                           over them (replies must route back to this machine)\n"
"  -G, --gateway-mac MAC    next-hop MAC (default: from the neighbour table)\n"
"      --tx BACKEND         auto (default: ring; xdp on native-XDP devices; mmsg up\n"
"                           to 65536 probes), ring, mmsg, xdp (AF_XDP), libnet (one\n"
"                           libnet_write per frame), or\n"
"                           dgram (ICMP datagram sockets, no root; the default without\n"
"                           CAP_NET_RAW where net.ipv4.ping_group_range allows it)\n"
"      --sender-threads N   N threads (1..64) split the targets and the rate, each with\n"
"                           its own socket, or auto (default: 1, more only at -r max\n"
"                           with 4+ CPUs and a device with several TX queues)\n"
"      --xdp-mode MODE      with --tx xdp: auto (zero-copy where the driver has it,\n"
"                           else copy; default), copy or zerocopy\n"
"      --rx RECEIVER        pcap (libpcap, default) or xdp (an XDP program steers\n"
"                           only possible replies to AF_XDP sockets; one interface)\n"
"Other:\n"
"  -h, --help               this help\n"
"  -V, --version            print the version\n"
"\n"
"Exit status: 0 a host answered, 1 none answered, 2 error.\n"
"Scan only networks you are allowed to scan.\n", f);
}

static void set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	sources_init(&o->sources);
	o->shards = 1;
	o->rate = 10000;
	o->probes = 1;
	o->cooldown_ns = 8 * NS_PER_S;
	o->ttl = 64;
	o->size = ES_PAYLOAD_MIN;
	o->format = OUT_CSV;
	fields_default(REC_RESULT, &o->fields);
}

static int parse_tx(const char *s, enum cli_tx *kind, char *err, size_t errlen)
{
	static const struct { const char *name; enum cli_tx kind; } map[] = {
		{ "ring", CLI_TX_RING }, { "mmsg", CLI_TX_MMSG }, { "sendmmsg", CLI_TX_MMSG },
		{ "libnet", CLI_TX_LIBNET }, { "dgram", CLI_TX_DGRAM }, { "auto", CLI_TX_AUTO },
		{ "xdp", CLI_TX_XDP },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(s, map[i].name) == 0) {
			*kind = map[i].kind;
			return 0;
		}
	}
	snprintf(err, errlen, "--tx: unknown backend \"%s\" (use auto, ring, mmsg, xdp, libnet or dgram)", s);
	return -1;
}

static int parse_xdp_mode(const char *s, enum cli_xdp_mode *m, char *err, size_t errlen)
{
	if (strcmp(s, "auto") == 0)
		*m = CLI_XDP_AUTO;
	else if (strcmp(s, "copy") == 0)
		*m = CLI_XDP_COPY;
	else if (strcmp(s, "zerocopy") == 0 || strcmp(s, "zero-copy") == 0)
		*m = CLI_XDP_ZEROCOPY;
	else {
		snprintf(err, errlen, "--xdp-mode: unknown mode \"%s\" (use auto, copy or zerocopy)", s);
		return -1;
	}
	return 0;
}

struct pending {
	struct target_sets ts;         /* the targets: o->set, reserved ones named */
	struct target_sets xs;         /* the exclusions (-x, --exclude-file) */
	const char *fields;
	bool probes_given, format_given, interval_given, xdp_mode_given;
};

/* Options whose value is a number. Returns 1 if c was not one of them. */
static int parse_number_opt(int c, const char *arg, struct options *o,
			    struct pending *pd, char *err, size_t errlen)
{
	uint64_t v = 0;
	int rc;

	switch (c) {
	case 'r':
		rc = num_rate("--rate", arg, 1, UINT64_MAX, &v, err, errlen);
		o->rate = v == UINT64_MAX ? 0 : v;
		return rc;
	case 'P':
		pd->probes_given = true;
		rc = num_u64("--probes", arg, 1, 65535, &v, err, errlen);
		o->probes = (uint16_t)v;
		return rc;
	case 'n':
		return num_u64("--max-targets", arg, 1, UINT64_MAX, &o->max_targets, err, errlen);
	case 'c':
		o->cooldown_given = true;
		return num_duration("--cooldown", arg, 0, 86400 * NS_PER_S, &o->cooldown_ns, err, errlen);
	case OPT_INTERVAL:
		pd->interval_given = true;
		return num_duration("--interval", arg, 0, 86400 * NS_PER_S, &o->interval_ns, err, errlen);
	case OPT_REPORT_EVERY:
		return num_duration("--report-every", arg, NS_PER_S / 10, 86400 * NS_PER_S,
				    &o->report_every_ns, err, errlen);
	case OPT_MAX_RUNTIME:
		return num_duration("--max-runtime", arg, 1, 366 * 86400 * NS_PER_S,
				    &o->max_runtime_ns, err, errlen);
	case OPT_SEED:
		o->seed_given = true;
		return num_u64("--seed", arg, 0, UINT64_MAX, &o->seed, err, errlen);
	case OPT_SHARDS:
		rc = num_u64("--shards", arg, 1, 65535, &v, err, errlen);
		o->shards = (uint32_t)v;
		return rc;
	case OPT_SHARD:
		rc = num_u64("--shard", arg, 0, 65534, &v, err, errlen);
		o->shard = (uint32_t)v;
		return rc;
	case OPT_TTL:
		rc = num_u64("--ttl", arg, 1, 255, &v, err, errlen);
		o->ttl = (uint8_t)v;
		return rc;
	case OPT_SIZE:
		rc = num_u64("--size", arg, ES_PAYLOAD_MIN, ES_PAYLOAD_MAX, &v, err, errlen);
		o->size = (uint16_t)v;
		return rc;
	case OPT_SENDER_THREADS:
		if (!strcmp(arg, "auto")) {
			o->sender_threads = 0;
			return 0;
		}
		rc = num_u64("--sender-threads", arg, 1, ES_SENDER_THREADS_MAX, &v, err, errlen);
		o->sender_threads = (unsigned)v;
		return rc;
	}
	return 1;
}

static int parse_opt(int c, const char *arg, struct options *o, struct pending *pd,
		     char *err, size_t errlen)
{
	int rc = parse_number_opt(c, arg, o, pd, err, errlen);

	if (rc <= 0)
		return rc;
	/* host names: IPv4 (A) addresses, or IPv6 (AAAA) ones after -6 */
	pd->ts.family = pd->xs.family = o->family;

	switch (c) {
	case OPT_INPUT_FILE:
		return targets_add_file_to(&pd->ts, arg, true, true, err, errlen);
	case 'x':
		o->record.exclude_specs[o->record.n_exclude_specs++] = arg;
		return targets_add_to(&pd->xs, arg, true, err, errlen);
	case OPT_EXCLUDE_FILE:
		o->record.exclude_files[o->record.n_exclude_files++] = arg;
		return targets_add_file_to(&pd->xs, arg, true, false, err, errlen);
	case 'm':             o->record.metadata = arg; return 0;
	case OPT_NOTES:       o->record.notes = arg; return 0;
	case OPT_PCAP:        o->pcap = arg; return 0;
	case OPT_PCAP_ALL:    o->pcap_all = true; return 0;
	case OPT_DRY_RUN:     o->dry_run = true; return 0;
	case OPT_RESUME:      o->resume = arg; return 0;
	case OPT_NO_DEFAULT_EXCLUDE: o->no_default_exclude = true; return 0;
	case '4':             o->family = TARGETS_AF4; return 0;
	case '6':             o->family = TARGETS_AF6; return 0;
	case 'o':             o->output = arg; return 0;
	case 'O':
		pd->format_given = true;
		return writer_format_parse(arg, &o->format, err, errlen);
	case 'f':             pd->fields = arg; return 0;
	case OPT_LIST_FIELDS: o->action = CLI_LIST_FIELDS; return 0;
	case OPT_ALL:         o->report_all = true; return 0;
	case OPT_STATS:       o->stats = true; return 0;
	case OPT_LOOP:        o->loop = o->stats = true; return 0;
	case OPT_STATUS:      o->status = true; return 0;
	case 'q':             o->quiet = true; return 0;
	case 'i':             o->ifname = arg; return 0;
	case 'S':             return sources_add(&o->sources, arg, err, errlen);
	case 'G':             o->gw_mac = arg; return 0;
	case OPT_TX:          return parse_tx(arg, &o->tx, err, errlen);
	case OPT_RX:
		if (strcmp(arg, "xdp") && strcmp(arg, "pcap")) {
			snprintf(err, errlen, "--rx: unknown receiver \"%s\" (use pcap or xdp)", arg);
			return -1;
		}
		o->rx_xdp = !strcmp(arg, "xdp");
		return 0;
	case OPT_XDP_MODE:
		pd->xdp_mode_given = true;
		return parse_xdp_mode(arg, &o->xdp_mode, err, errlen);
	case 'h':             o->action = CLI_HELP; return 0;
	case 'V':             o->action = CLI_VERSION; return 0;
	}
	return -1;  /* getopt already described the problem in err */
}

/* nmap's "-iL" is not a getopt short option: rewrite it to --input-file. */
static void rewrite_il(int argc, char **argv)
{
	static char long_il[] = "--input-file";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-iL") == 0)
			argv[i] = long_il;
	}
}

static int check_combination(struct options *o, struct pending *pd,
			     char *err, size_t errlen)
{
	if (o->shard >= o->shards) {
		snprintf(err, errlen, "--shard %u is out of range: with --shards %u use 0..%u",
			 o->shard, o->shards, o->shards - 1);
		return -1;
	}
	if (o->loop && pd->probes_given) {
		snprintf(err, errlen, "--loop probes until interrupted: it cannot be combined with -P/--count");
		return -1;
	}
	if (o->report_every_ns && !o->loop) {
		snprintf(err, errlen, "--report-every needs --loop");
		return -1;
	}
	if (o->stats && o->report_all) {
		snprintf(err, errlen, "--stats reports per host: it cannot be combined with --all");
		return -1;
	}
	if (o->resume && (o->stats || o->dry_run)) {
		snprintf(err, errlen, "--resume cannot be combined with %s (%s)",
			 o->loop ? "--loop" : o->stats ? "--stats" : "--dry-run",
			 o->stats ? "per-host statistics are not saved; resume a plain sweep"
			 : "a dry run sends nothing to resume");
		return -1;
	}
	if (o->loop && !pd->interval_given)
		o->interval_ns = NS_PER_S;
	if (o->loop && !o->report_every_ns)
		o->report_every_ns = 10 * NS_PER_S;
	if (o->rx_xdp && o->tx == CLI_TX_DGRAM) {
		snprintf(err, errlen, "--rx xdp receives on the raw path: it cannot be "
			 "combined with --tx dgram");
		return -1;
	}
	if (pd->xdp_mode_given && o->tx != CLI_TX_XDP) {
		snprintf(err, errlen, "--xdp-mode applies to the AF_XDP backend: add --tx xdp");
		return -1;
	}
	if (o->pcap_all && !o->pcap) {
		snprintf(err, errlen, "--pcap-all says what goes into the pcap file: add --pcap FILE");
		return -1;
	}
	if (o->record.notes && !o->record.metadata) {
		snprintf(err, errlen, "--notes goes into the metadata record: add -m FILE");
		return -1;
	}
	if (o->record.metadata && o->dry_run) {
		snprintf(err, errlen, "-m records a scan: it cannot be combined with --dry-run");
		return -1;
	}
	if (o->shards > 1 && !o->seed_given) {
		snprintf(err, errlen, "--shards needs --seed: every shard must use the same order");
		return -1;
	}
	return 0;
}

/* The first IPv6 range of the sealed set for messages: "addr/len" when it
 * is a prefix (as typed, host bits masked), else "lo-hi"; *more tells
 * whether other IPv6 ranges follow. */
static void first_range6(const es_targets *t, char *buf, size_t len, bool *more)
{
	size_t n = es_targets_nranges(t), i = 0;
	struct es_addr lo = { 0 }, hi = { 0 };
	char x[ES_ADDRSTRLEN], y[ES_ADDRSTRLEN];
	int plen;

	/* IPv4 ranges come first */
	while (i < n && es_targets_range(t, i, &lo, &hi) == ES_OK && lo.family != 6)
		i++;
	*more = i + 1 < n;
	es_addr_format(&lo, x, sizeof(x));
	plen = targets_prefix6(&lo, &hi);
	if (plen >= 0) {
		snprintf(buf, len, "%s/%d", x, plen);
		return;
	}
	es_addr_format(&hi, y, sizeof(y));
	snprintf(buf, len, "%s-%s", x, y);
}

/* The IPv6 targets (exclusions applied): at most 2^32 addresses with the
 * IPv4 ones (what the permutation orders); what the sweep does not take
 * with IPv6 yet refused by name. */
static int check_targets6(struct options *o, char *err, size_t errlen)
{
	const uint64_t most = 1ull << 32;
	char what[2 * ES_ADDRSTRLEN + 2];
	uint64_t n6 = es_targets_count6(o->set);
	bool more;

	if (n6 == 0)
		return 0;
	if (n6 > most || n6 + es_targets_count4(o->set) > most) {
		char count[96];

		first_range6(o->set, what, sizeof(what), &more);
		if (n6 == UINT64_MAX)
			snprintf(count, sizeof(count), "2^64 or more addresses");
		else
			snprintf(count, sizeof(count), "%llu addresses%s", (unsigned long long)n6,
				 n6 > most ? "" : " (with the IPv4 targets, more than 2^32)");
		snprintf(err, errlen, "IPv6 targets (%s%s) hold %s: a sweep orders at most 2^32 "
			 "addresses; list the IPv6 addresses to probe in a hitlist (-iL FILE, one "
			 "per line)", what, more ? ", ..." : "", count);
		return -1;
	}
	if (o->resume || o->sources.n || o->gw_mac) {
		snprintf(err, errlen, "%s does not take IPv6 targets yet: sweep the IPv6 "
			 "targets without it", o->resume ? "--resume" : o->sources.n ? "-S" : "-G");
		return -1;
	}
	return 0;
}

/* --tx and --xdp-mode as the public API names the backend. */
static const char *backend_name(const struct options *o)
{
	switch (o->tx) {
	case CLI_TX_RING:   return "ring";
	case CLI_TX_MMSG:   return "mmsg";
	case CLI_TX_LIBNET: return "libnet";
	case CLI_TX_XDP:
		return o->xdp_mode == CLI_XDP_COPY ? "xdp-copy" :
		       o->xdp_mode == CLI_XDP_ZEROCOPY ? "xdp-zerocopy" : "xdp";
	default:            return NULL;
	}
}

/* User exclusions first, then the reserved ranges nobody named (counted for
 * the summary). */
static int finish_targets(struct options *o, struct pending *pd, char *err, size_t errlen)
{
	es_targets *reserved = NULL;
	uint64_t before, before6;
	int rc = -1;

	if (pd->ts.added == 0) {
		snprintf(err, errlen, "no targets given (e.g. echoscan 198.18.0.0/24, or -iL FILE)");
		return -1;
	}
	/* the reserved ranges nobody named: from the targets as typed (noted
	 * while they were added), before anything normalizes them */
	if (es_targets_new(&reserved) != ES_OK)
		goto oom;
	if (!o->no_default_exclude && targets_default_exclusions(pd->ts.named, reserved) < 0)
		goto oom;
	/* sealed twice: the count before the exclusions is recorded (-m) */
	if (es_targets_seal(pd->xs.set) != ES_OK || es_targets_seal(o->set) != ES_OK)
		goto oom;
	before = es_targets_count4(o->set);
	before6 = es_targets_count6(o->set);
	if (es_targets_subtract(o->set, pd->xs.set) != ES_OK || es_targets_seal(o->set) != ES_OK)
		goto oom;
	o->record.excluded = before - es_targets_count4(o->set);
	o->record.excluded6 = before6 - es_targets_count6(o->set);
	before = es_targets_count4(o->set);
	if (es_targets_subtract(o->set, reserved) != ES_OK || es_targets_seal(o->set) != ES_OK)
		goto oom;
	o->skipped_reserved = before - es_targets_count4(o->set);
	if (check_targets6(o, err, errlen) < 0)
		goto done;
	if (es_targets_count(o->set) == 0) {
		if (o->skipped_reserved)
			snprintf(err, errlen, "every target is excluded: %llu lie in 0.0.0.0/8, "
				 "224.0.0.0/4 or 240.0.0.0/4, skipped unless named as a target "
				 "(e.g. 224.0.0.1) or --no-default-exclude is given",
				 (unsigned long long)o->skipped_reserved);
		else
			snprintf(err, errlen, "every target is excluded: nothing to scan");
		goto done;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory building the target set");
done:
	es_targets_free(&reserved);
	return rc;
}

static int parse_args(int argc, char **argv, struct options *o, struct pending *pd,
		      char *err, size_t errlen)
{
	int c;

	opterr = 0;
	optind = 0;  /* glibc: 0 also resets its internal state */
	rewrite_il(argc, argv);
	while ((c = getopt_long(argc, argv, ":r:P:c:n:x:o:O:f:i:S:G:m:qhV46", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			snprintf(err, errlen, c == '?' ? "unknown option %s (see --help)"
				 : "option %s needs a value (see --help)", bad);
			return -1;
		}
		if (parse_opt(c, optarg, o, pd, err, errlen) < 0)
			return -1;
	}
	if (o->action != CLI_RUN)
		return 0;
	if (sources_finish(&o->sources, err, errlen) < 0)
		return -1;
	o->source = o->sources.n ? o->sources.first : NULL;
	pd->ts.family = o->family;
	for (int i = optind; i < argc; i++)
		if (targets_add_to(&pd->ts, argv[i], true, err, errlen) < 0)
			return -1;
	if (check_combination(o, pd, err, errlen) < 0)
		return -1;
	o->backend = backend_name(o);
	o->tx_dgram = o->tx == CLI_TX_DGRAM;
	if (o->stats) {
		/* per-host records; text (fping's summary lines) unless -O says */
		if (!pd->format_given)
			o->format = OUT_TEXT;
		fields_default(REC_STATS, &o->fields);
		if (o->loop && !pd->fields)
			pd->fields = "saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,"
				     "rtt_mdev_us,jitter_us,timestamp";
	}
	if (pd->fields && fields_parse(o->stats ? REC_STATS : REC_RESULT, pd->fields,
				       &o->fields, err, errlen) < 0)
		return -1;
	return finish_targets(o, pd, err, errlen);
}

/* Keeps argv as given (-iL is rewritten in place later) and room for every
 * exclusion the command line can hold. */
static int record_init(struct cli_record *r, int argc, char **argv)
{
	size_t n = argc > 0 ? (size_t)argc : 1;

	r->argv = calloc(n, sizeof(*r->argv));
	r->exclude_specs = calloc(n, sizeof(*r->exclude_specs));
	r->exclude_files = calloc(n, sizeof(*r->exclude_files));
	if (!r->argv || !r->exclude_specs || !r->exclude_files)
		return -1;
	for (int i = 0; i < argc; i++)
		r->argv[i] = argv[i];
	r->argc = argc;
	return 0;
}

int cli_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	struct pending pd = { .fields = NULL };
	int rc;

	set_defaults(o);
	if (record_init(&o->record, argc, argv) < 0) {
		cli_free(o);
		snprintf(err, errlen, "out of memory reading the command line");
		return -1;
	}
	if (es_targets_new(&o->set) != ES_OK || es_targets_new(&pd.xs.set) != ES_OK ||
	    es_targets_new(&pd.ts.named) != ES_OK) {
		es_targets_free(&pd.xs.set);
		cli_free(o);
		snprintf(err, errlen, "out of memory building the target set");
		return -1;
	}
	pd.ts.set = o->set;
	pd.ts.v6 = pd.xs.v6 = true;
	rc = parse_args(argc, argv, o, &pd, err, errlen);
	es_targets_free(&pd.xs.set);
	es_targets_free(&pd.ts.named);
	if (rc < 0)
		cli_free(o);
	return rc;
}

void cli_free(struct options *o)
{
	es_targets_free(&o->set);
	sources_free(&o->sources);
	free(o->record.argv);
	free(o->record.exclude_specs);
	free(o->record.exclude_files);
	memset(&o->record, 0, sizeof(o->record));
}
