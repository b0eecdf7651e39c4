/*
 * trace_opts.c — parses `echoscan trace`'s command line (see trace_opts.h).
 * Short options are traceroute's (-f is the first TTL here, not --fields);
 * the scanner's output options are long ones, plus -O, -o and -iL.
 */
#include "scanner/trace_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <echoscan.h>
#include "scanner/numparse.h"
#include "scanner/targets.h"

#define NS_PER_S    1000000000ull
#define WAIT_MAX_NS (3600 * NS_PER_S)

enum {
	OPT_FIELDS = 256, OPT_LIST_FIELDS, OPT_PATHS, OPT_RATE, OPT_SEED, OPT_INPUT_FILE,
};

static const struct option long_opts[] = {
	{ "icmp",          no_argument,       NULL, 'I' },
	{ "numeric",       no_argument,       NULL, 'n' },
	{ "queries",       required_argument, NULL, 'q' },
	{ "wait",          required_argument, NULL, 'w' },
	{ "first",         required_argument, NULL, 'f' },
	{ "first-ttl",     required_argument, NULL, 'f' },
	{ "max-hops",      required_argument, NULL, 'm' },
	{ "max-ttl",       required_argument, NULL, 'm' },
	{ "sendwait",      required_argument, NULL, 'z' },
	{ "source",        required_argument, NULL, 's' },
	{ "interface",     required_argument, NULL, 'i' },
	{ "tos",           required_argument, NULL, 't' },
	{ "dont-fragment", no_argument,       NULL, 'F' },
	{ "format",        required_argument, NULL, 'O' },
	{ "output",        required_argument, NULL, 'o' },
	{ "fields",        required_argument, NULL, OPT_FIELDS },
	{ "list-fields",   no_argument,       NULL, OPT_LIST_FIELDS },
	{ "paths",         no_argument,       NULL, OPT_PATHS },
	{ "rate",          required_argument, NULL, OPT_RATE },
	{ "seed",          required_argument, NULL, OPT_SEED },
	{ "input-file",    required_argument, NULL, OPT_INPUT_FILE },
	{ "help",          no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const char *trace_usage(void)
{
	return
"Usage: echoscan trace [options] HOST [packetlen]\n"
"       echoscan trace [options] -O FORMAT|--paths TARGET...\n"
"ICMP traceroute: Linux `traceroute -I`'s output and options for one host; for many\n"
"targets (CIDRs, ranges, -iL) every (target, TTL) pair in a pseudo-random order at a\n"
"rate, one record per reply. Replies are matched statelessly (keyed check in the probe).\n"
"\n"
"traceroute options:\n"
"  -I, --icmp               ICMP echo probes (the only kind; accepted for compatibility)\n"
"  -n, --numeric            print addresses only, no host names\n"
"  -q, --queries N          probes per hop, 1..10 (default 3; many targets: 1)\n"
"  -w, --wait MAX[,HERE[,NEAR]]  wait at most MAX seconds for a probe, at most HERE\n"
"                           times the slowest reply of its hop and NEAR times that of a\n"
"                           later hop (default 5.0,3,10; a factor not given is 0: off)\n"
"  -f, --first N            first TTL, 1..255 (default 1)\n"
"  -m, --max-hops N         last TTL, 1..255 (default 30); also --max-ttl\n"
"  -z, --sendwait SECS      at least this long between probes (default 0; > 10 is ms)\n"
"  -s, --source ADDR        source address\n"
"  -i, --interface IFACE    send on IFACE\n"
"  -t, --tos N              IP type of service, 0..255\n"
"  -F, --dont-fragment      set the IP don't-fragment bit\n"
"  packetlen                IP packet length, 48..1500 (default 60)\n"
"Many targets:\n"
"  -O, --format FMT         csv, json or text records: one per (target, TTL) reply\n"
"  -o, --output FILE        write records to FILE (default stdout)\n"
"      --fields LIST        record fields (default saddr,probe_ttl,responder,rtt_us,\n"
"                           classification,code; see --list-fields)\n"
"      --list-fields        list the record fields and exit\n"
"      --paths              one path per target at the end instead of records:\n"
"                           a text line, or a JSON object with a hop array (-O json)\n"
"      --rate PPS           probes per second: 10000 (default), 10k, 1.5M or max\n"
"      --seed N             seed of the pseudo-random order\n"
"  -iL, --input-file FILE   read targets from FILE (- = stdin)\n"
"  -h, --help               this help\n"
"\n"
"Many targets: a summary on stderr at the end.\n"
"Exit status: 0 it ran (one host) or a reply came (many targets), 1 no reply\n"
"(many targets), 2 error. Needs CAP_NET_RAW.\n";
}

/* traceroute's -w MAX[,HERE[,NEAR]] through numparse: MAX a duration up
 * to 1 h, the factors plain decimals 0..3600; the factors not given are 0
 * (off), so a bare -w MAX is the classic fixed wait. */
static int parse_wait(const char *s, struct trace_opts *o, char *err, size_t errlen)
{
	char buf[96], opt[112], *part[3] = { buf, NULL, NULL };
	double f[2] = { 0, 0 };
	int n = 1;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "-w %.32s...: too long (give MAX[,HERE[,NEAR]], e.g. -w 5,3,10)", s);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	for (char *c = buf; *c; c++)
		if (*c == ',') {
			if (n == 3) {
				snprintf(err, errlen, "-w %s: give MAX[,HERE[,NEAR]] (e.g. -w 5 or "
					 "-w 5,3,10)", s);
				return -1;
			}
			*c = '\0';
			part[n++] = c + 1;
		}
	snprintf(opt, sizeof(opt), "-w %s", s);
	if (num_duration(opt, part[0], 0, WAIT_MAX_NS, &o->wait_ns, err, errlen) < 0)
		return -1;
	for (int i = 1; i < n; i++)
		if (num_decimal(opt, part[i], 0, 3600, &f[i - 1], err, errlen) < 0)
			return -1;
	o->wait_here = f[0];
	o->wait_near = f[1];
	return 0;
}

/* traceroute -z: seconds, or milliseconds when above 10 (a duration up to
 * 10000 s through numparse; above 10 s the number is read as ms). */
static int parse_sendwait(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	if (num_duration("-z", s, 0, 10000 * NS_PER_S, ns, err, errlen) < 0)
		return -1;
	if (*ns > 10 * NS_PER_S)
		*ns /= 1000;
	return 0;
}

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

static int take_opt(int c, const char *arg, struct trace_opts *o, char *err, size_t errlen)
{
	uint64_t v;

	switch (c) {
	case 'I': return 0;
	case 'n': o->numeric = true; return 0;
	case 'F': o->dont_fragment = true; return 0;
	case 'q':
		if (num_u64("-q", arg, 1, TRACE_MAX_QUERIES, &v, err, errlen) < 0)
			return -1;
		o->nqueries = (unsigned)v;
		return 0;
	case 'w': return parse_wait(arg, o, err, errlen);
	case 'f':
		if (num_u64("-f", arg, 1, 255, &v, err, errlen) < 0)
			return -1;
		o->first_ttl = (unsigned)v;
		return 0;
	case 'm':
		if (num_u64("-m", arg, 1, 255, &v, err, errlen) < 0)
			return -1;
		o->max_ttl = (unsigned)v;
		return 0;
	case 'z': return parse_sendwait(arg, &o->sendwait_ns, err, errlen);
	case 's': o->source = arg; return 0;
	case 'i': o->ifname = arg; return 0;
	case 't':
		if (num_u64("-t", arg, 0, 255, &v, err, errlen) < 0)
			return -1;
		o->tos = (unsigned)v;
		return 0;
	case 'O':
		o->records = true;
		return writer_format_parse(arg, &o->format, err, errlen);
	case 'o': o->output = arg; o->records = true; return 0;
	case OPT_FIELDS:
		o->records = true;
		return fields_parse(REC_RESULT, arg, &o->fields, err, errlen);
	case OPT_LIST_FIELDS: o->list_fields = true; return 0;
	case OPT_PATHS: o->paths = true; o->records = true; return 0;
	case OPT_RATE:
		o->records = true;
		o->rate_given = true;
		if (num_rate("--rate", arg, 1, UINT64_MAX, &o->rate, err, errlen) < 0)
			return -1;
		if (o->rate == UINT64_MAX)
			o->rate = 0;      /* max: as fast as the sender goes */
		return 0;
	case OPT_SEED:
		o->seed_given = true;
		return num_u64("--seed", arg, 0, UINT64_MAX, &o->seed, err, errlen);
	case OPT_INPUT_FILE: o->input_file = arg; o->records = true; return 0;
	case 'h': o->help = true; return 0;
	}
	snprintf(err, errlen, "unknown option (see echoscan trace --help)");
	return -1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One host, given as an address or a name, not a CIDR or a range. */
static bool one_host(const char *s)
{
	uint32_t lo, hi;
	bool is_name;
	char e[8];

	if (targets_parse_spec(s, &lo, &hi, &is_name, e, sizeof(e)) < 0)
		return true;     /* reported when resolved */
	return is_name || lo == hi;
}

int trace_opts_parse(int argc, char **argv, struct trace_opts *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->nqueries = 0;      /* 3 for one host, 1 for many (trace.c) */
	o->wait_ns = 5 * NS_PER_S;
	o->wait_here = 3.0;
	o->wait_near = 10.0;
	o->first_ttl = 1;
	o->max_ttl = TRACE_DEFAULT_MAX_TTL;
	o->packetlen = TRACE_DEFAULT_PACKETLEN;
	o->format = OUT_CSV;
	fields_parse(REC_RESULT, "saddr,probe_ttl,responder,rtt_us,classification,code",
		     &o->fields, err, errlen);
	rewrite_il(argc, argv);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hInFq:w:f:m:z:s:i:t:O:o:", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt)
				snprintf(err, errlen, "-%c: %s (see echoscan trace --help)", optopt,
					 c == ':' ? "needs an argument" : "unknown option");
			else
				snprintf(err, errlen, "%s: unknown option or missing argument "
					 "(see echoscan trace --help)", argv[optind - 1]);
			return -1;
		}
		if (take_opt(c, optarg, o, err, errlen) < 0)
			return -1;
	}
	if (o->help || o->list_fields)
		return 0;
	o->targets = argv + optind;
	o->ntargets = argc - optind;
	if (!o->records && o->ntargets == 2 && all_digits(o->targets[1])) {
		uint64_t v;

		if (num_u64("packetlen", o->targets[1], 28 + ES_TRACE_SIZE_MIN, 1500, &v,
			    err, errlen) < 0)
			return -1;
		o->packetlen = (unsigned)v;
		o->ntargets = 1;
	}
	if (o->ntargets == 0 && !o->input_file) {
		snprintf(err, errlen, "no host given (e.g. echoscan trace 198.18.0.1, or "
			 "echoscan trace -O csv 198.18.0.0/24)");
		return -1;
	}
	if (o->ntargets != 1 || !one_host(o->targets[0]))
		o->records = true;
	if (o->first_ttl > o->max_ttl) {
		snprintf(err, errlen, "first hop out of range: -f %u is above -m %u",
			 o->first_ttl, o->max_ttl);
		return -1;
	}
	return 0;
}
