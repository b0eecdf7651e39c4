/*
 * metadata.c — writes the JSON record of a sweep (see metadata.h). Strings
 * (argv, file names, notes) are made valid UTF-8 first (an invalid byte
 * becomes U+FFFD) and then escaped by output/writer's fmt_json_string, so
 * the file always parses whatever bytes the command line held.
 */
#include "scanner/metadata.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/writer.h"
#include "scanner/version.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;      /* overlong */
	else if (c == 0xed)
		hi = 0x9f;      /* surrogates */
	else if (c == 0xf0)
		lo = 0x90;      /* overlong */
	else if (c == 0xf4)
		hi = 0x8f;      /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int put_string(FILE *f, const char *s)
{
	size_t len = strlen(s), o = 0;
	char *clean = malloc(len * 3 + 1), *esc = NULL;
	int rc = -1;

	if (!clean)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n == 0) {
			memcpy(clean + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(clean + o, p, n);
			o += n;
			p += n;
		}
	}
	clean[o] = '\0';
	esc = malloc(o * 6 + 3);
	if (esc && fmt_json_string(esc, o * 6 + 3, clean) >= 0)
		rc = fputs(esc, f) < 0 ? -1 : 0;
	else
		errno = ENOMEM;
	free(esc);
	free(clean);
	return rc;
}

static int put_string_or_null(FILE *f, const char *s)
{
	return s ? put_string(f, s) : (fputs("null", f) < 0 ? -1 : 0);
}

static int put_strings(FILE *f, const char *const *v, size_t n)
{
	if (fputc('[', f) == EOF)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((i && fputs(", ", f) < 0) || put_string(f, v[i]) < 0)
			return -1;
	return fputc(']', f) == EOF ? -1 : 0;
}

static int put_time(FILE *f, uint64_t ns)
{
	char buf[40];

	if (fmt_timestamp(buf, sizeof(buf), ns) < 0) {
		errno = EOVERFLOW;
		return -1;
	}
	return fprintf(f, "\"%s\"", buf) < 0 ? -1 : 0;
}

/* An IPv4 address; one the route does not know reads 0.0.0.0. */
static int put_addr(FILE *f, struct es_addr a)
{
	char ip[ES_ADDRSTRLEN];

	if (a.family == 0)
		a.family = 4;
	return fprintf(f, "\"%s\"", es_addr_format(&a, ip, sizeof(ip))) < 0 ? -1 : 0;
}

static int put_mac(FILE *f, const uint8_t m[6])
{
	return fprintf(f, "\"%02x:%02x:%02x:%02x:%02x:%02x\"",
		       m[0], m[1], m[2], m[3], m[4], m[5]) < 0 ? -1 : 0;
}

/* Seconds from ns, or null when 0 means "none". */
static int put_secs(FILE *f, uint64_t ns, bool zero_is_null)
{
	if (ns == 0 && zero_is_null)
		return fputs("null", f) < 0 ? -1 : 0;
	return fprintf(f, "%.9g", (double)ns / 1e9) < 0 ? -1 : 0;
}

static int put_u64_or_null(FILE *f, uint64_t v)
{
	if (v == 0)
		return fputs("null", f) < 0 ? -1 : 0;
	return fprintf(f, "%" PRIu64, v) < 0 ? -1 : 0;
}

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

static int put_request(FILE *f, const struct metadata_run *m)
{
	const struct options *o = m->o;
	const struct cli_record *r = &o->record;
	int e = 0;

	e |= fputs("{\n  \"version\": \"" ECHOSCAN_VERSION "\",\n  \"command\": ", f) < 0;
	e |= put_strings(f, r->argv, (size_t)r->argc);
	e |= fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"seed_given\": %s,\n"
		     "  \"shard\": %u,\n  \"shards\": %u,\n", m->seed, bool_str(o->seed_given),
		     o->shard, o->shards) < 0;
	e |= fprintf(f, "  \"targets\": {\"total\": %" PRIu64 ", \"shard\": %" PRIu64
		     ", \"probed\": %" PRIu64 "},\n", m->targets_total, m->targets_shard,
		     m->c->stats.targets) < 0;
	e |= fputs("  \"exclusions\": {\"cidrs\": ", f) < 0;
	e |= put_strings(f, r->exclude_specs, r->n_exclude_specs);
	e |= fputs(", \"files\": ", f) < 0;
	e |= put_strings(f, r->exclude_files, r->n_exclude_files);
	e |= fprintf(f, ", \"addresses\": %" PRIu64 "},\n", r->excluded) < 0;
	e |= fprintf(f, "  \"settings\": {\"probes_per_target\": %u, \"interval_s\": ",
		     (unsigned)o->probes) < 0;
	e |= put_secs(f, o->interval_ns, false);
	e |= fputs(", \"cooldown_s\": ", f) < 0;
	e |= put_secs(f, o->cooldown_ns, false);
	e |= fputs(", \"max_targets\": ", f) < 0;
	e |= put_u64_or_null(f, o->max_targets);
	e |= fputs(", \"max_runtime_s\": ", f) < 0;
	e |= put_secs(f, o->max_runtime_ns, true);
	e |= fprintf(f, ", \"ttl\": %u, \"size\": %u, \"all\": %s, \"stats\": %s, \"loop\": %s},\n",
		     (unsigned)o->ttl, (unsigned)o->size, bool_str(o->report_all),
		     bool_str(o->stats), bool_str(o->loop)) < 0;
	return e ? -1 : 0;
}

/* "invalid_reasons": the summary's breakdown, every reason (0 included),
 * its name with '_' for ' ' ("short payload" -> "short_payload"). */
static int put_invalid_reasons(FILE *f, const struct es_scan_summary *c)
{
	int e = fputs("  \"invalid_reasons\": {", f) < 0;

	/* reason 0 is "none" */
	for (unsigned i = 1; es_invalid_reason_name(i); i++) {
		char key[32];
		size_t k = 0;

		for (const char *n = es_invalid_reason_name(i); *n && k + 1 < sizeof(key); n++)
			key[k++] = *n == ' ' ? '_' : *n;
		key[k] = '\0';
		e |= fprintf(f, "%s\"%s\": %" PRIu64, i > 1 ? ", " : "", key,
			     c->invalid_by_reason[i]) < 0;
	}
	e |= fputs("},\n", f) < 0;
	return e;
}

static int put_outcome(FILE *f, const struct metadata_run *m)
{
	const struct es_scan_summary *c = m->c;
	int e = 0;

	e |= fputs("  \"rate\": {\"requested\": ", f) < 0;
	e |= put_u64_or_null(f, m->o->rate);
	e |= fprintf(f, ", \"achieved\": %.1f, \"behind_max_s\": ", m->send_rate) < 0;
	if (m->o->rate)
		e |= put_secs(f, c->behind_max_ns, false);
	else
		e |= fputs("null", f) < 0;
	e |= fputs("},\n", f) < 0;
	e |= fprintf(f, "  \"probes\": {\"planned\": %" PRIu64 ", \"sent\": %" PRIu64
		     ", \"refused\": %" PRIu64 "},\n", c->stats.total, c->stats.sent,
		     c->stats.send_errors) < 0;
	e |= fprintf(f, "  \"replies\": {\"valid\": %" PRIu64, c->stats.valid) < 0;
	for (unsigned i = 0; i < ES_CLASS_COUNT; i++)
		e |= fprintf(f, ", \"%s\": %" PRIu64, es_class_name(i), c->by_class[i]) < 0;
	e |= fprintf(f, "},\n  \"hosts_up\": %" PRIu64 ",\n  \"hosts_unreachable\": %" PRIu64
		     ",\n  \"other_icmp_errors\": %" PRIu64 ",\n  \"invalid\": %" PRIu64
		     ",\n  \"pcap\": {\"received\": %" PRIu64 ", \"drops\": %" PRIu64 ", \"file\": ",
		     c->stats.up, c->stats.unreach, c->errors_other, c->stats.invalid,
		     c->capture_received, c->stats.dropped) < 0;
	e |= put_string_or_null(f, m->o->pcap);
	e |= fputs(", \"written\": ", f) < 0;
	e |= m->o->pcap ? fprintf(f, "%" PRIu64, c->pcap_written) < 0 : fputs("null", f) < 0;
	e |= fputs("},\n", f) < 0;
	e |= put_invalid_reasons(f, c);
	e |= fputs("  \"start_time\": ", f) < 0;
	e |= put_time(f, m->start_ns);
	e |= fputs(",\n  \"end_time\": ", f) < 0;
	e |= put_time(f, m->end_ns);
	e |= fprintf(f, ",\n  \"duration_s\": %.3f,\n", m->duration_s) < 0;
	return e ? -1 : 0;
}

static int put_path(FILE *f, const struct metadata_run *m)
{
	const struct es_route *rt = m->route;
	int e = 0;

	e |= fputs("  \"interface\": ", f) < 0;
	e |= put_string_or_null(f, rt ? rt->ifname : NULL);
	e |= fputs(",\n  \"source\": ", f) < 0;
	e |= rt ? put_addr(f, rt->source) : fputs("null", f) < 0;
	e |= fprintf(f, ",\n  \"sources\": %zu", m->o->sources.n > 1 ? m->o->sources.n : 1) < 0;
	e |= fputs(",\n  \"gateway_mac\": ", f) < 0;
	e |= rt ? put_mac(f, rt->gateway_mac) : fputs("null", f) < 0;
	e |= fputs(",\n  \"tx_backend\": ", f) < 0;
	e |= put_string_or_null(f, m->tx_backend);
	e |= fputs(",\n  \"tx_auto\": ", f) < 0;
	e |= put_string_or_null(f, m->tx_auto);
	e |= fputs(",\n", f) < 0;
	return e ? -1 : 0;
}

int metadata_write(FILE *f, const struct metadata_run *m)
{
	int e = 0;

	errno = 0;
	e |= put_request(f, m);
	e |= put_outcome(f, m);
	e |= put_path(f, m);
	e |= fprintf(f, "  \"interrupted\": %s,\n  \"exit_status\": %d,\n  \"notes\": ",
		     bool_str(m->interrupted), m->exit_status) < 0;
	e |= put_string_or_null(f, m->o->record.notes);
	e |= fputs("\n}\n", f) < 0;
	if (e && errno == 0)
		errno = EIO;
	return e ? -1 : 0;
}
