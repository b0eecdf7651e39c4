/*
 * fields.c — the tables of output fields for per-reply results and per-host
 * statistics, the parser of the -f/--fields list, the default lists and the
 * --list-fields text. The order of each table is part of the contract with
 * output/writer.c, which reads a record's values by table index: a field is
 * added at the end of its table and in writer.c's matching enum at once
 * (tests/unit/test_fields.c pins the order).
 */
#include "output/fields.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static const struct field_def result_fields[] = {
	{ "saddr",          FT_STRING, "the probed host (for ICMP errors: the quoted destination)" },
	{ "daddr",          FT_STRING, "our source address the reply was sent to" },
	{ "responder",      FT_STRING, "IP source of the reply (the router for ICMP errors)" },
	{ "rtt_us",         FT_FLOAT,  "round-trip time in microseconds, 3 decimals; empty/null when unknown" },
	{ "ttl",            FT_INT,    "IP TTL of the reply" },
	{ "type",           FT_INT,    "ICMP type of the reply" },
	{ "code",           FT_INT,    "ICMP code of the reply" },
	{ "classification", FT_STRING, "echoreply, unreach, timxceed or other" },
	{ "success",        FT_BOOL,   "1 for an echo reply" },
	{ "repeat",         FT_BOOL,   "1 if the host had answered before" },
	{ "cooldown",       FT_BOOL,   "1 if received after sending ended" },
	{ "probe",          FT_INT,    "probe number (0..P-1 for --probes P)" },
	{ "ipid",           FT_INT,    "IP ID of the reply" },
	{ "size",           FT_INT,    "IP total length of the reply" },
	{ "timestamp",      FT_STRING, "capture time, RFC 3339 UTC with microseconds" },
	{ "mac",            FT_STRING, "the host's MAC (aa:bb:cc:dd:ee:ff) for an on-link host whose MAC was learned; empty/null otherwise" },
	{ "probe_ttl",      FT_INT,    "echoscan trace: the TTL the probe was sent with (the hop number of responder); empty/null otherwise" },
};

static const struct field_def stats_fields[] = {
	{ "saddr",       FT_STRING, "the probed host" },
	{ "sent",        FT_INT,    "probes sent to the host" },
	{ "received",    FT_INT,    "valid replies received from the host" },
	{ "loss",        FT_FLOAT,  "lost probes in percent, 2 decimals; empty/null when none was sent" },
	{ "rtt_min_us",  FT_FLOAT,  "minimum round-trip time, microseconds; empty/null without replies" },
	{ "rtt_avg_us",  FT_FLOAT,  "average round-trip time, microseconds; empty/null without replies" },
	{ "rtt_max_us",  FT_FLOAT,  "maximum round-trip time, microseconds; empty/null without replies" },
	{ "rtt_mdev_us", FT_FLOAT,  "standard deviation of the round-trip time (ping's mdev), microseconds" },
	{ "jitter_us",   FT_FLOAT,  "round-trip time jitter (mean absolute difference of consecutive RTTs), microseconds; empty/null with fewer than two replies" },
	{ "timestamp",   FT_STRING, "end of the period the row covers, RFC 3339 UTC with microseconds" },
};

/* Default result fields, by name so the list reads like the documentation. */
static const char result_default[] = "saddr,rtt_us,ttl,classification,success";
static const char stats_default[] =
	"saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,rtt_mdev_us,jitter_us";

const struct field_def *fields_table(enum record_kind kind, unsigned *n)
{
	if (kind == REC_STATS) {
		*n = sizeof(stats_fields) / sizeof(stats_fields[0]);
		return stats_fields;
	}
	*n = sizeof(result_fields) / sizeof(result_fields[0]);
	return result_fields;
}

static int field_lookup(const struct field_def *t, unsigned n, const char *name, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static void all_fields(enum record_kind kind, struct field_list *out)
{
	unsigned n;

	fields_table(kind, &n);
	out->n = n;
	for (unsigned i = 0; i < n; i++)
		out->id[i] = i;
}

/* Writes "saddr, daddr, ..." into buf (truncated if small). */
static void valid_names(enum record_kind kind, char *buf, size_t len)
{
	unsigned n;
	const struct field_def *t = fields_table(kind, &n);
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", t[i].name);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static bool list_has(const struct field_list *l, unsigned id)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->id[i] == id)
			return true;
	return false;
}

/* Adds one trimmed item to out; returns -1 with err filled on a bad item. */
static int add_item(enum record_kind kind, const char *list, const char *item, size_t len,
		    struct field_list *out, char *err, size_t errlen)
{
	unsigned n;
	const struct field_def *t = fields_table(kind, &n);
	char names[512];
	int id;

	if (len == 0) {
		snprintf(err, errlen, "empty field name in field list \"%s\"", list);
		return -1;
	}
	if (len == 1 && item[0] == '*') {
		snprintf(err, errlen, "'*' must stand alone in field list \"%s\"", list);
		return -1;
	}
	id = field_lookup(t, n, item, len);
	if (id < 0) {
		valid_names(kind, names, sizeof(names));
		snprintf(err, errlen, "unknown field \"%.*s\" (valid: %s)", (int)len, item, names);
		return -1;
	}
	if (list_has(out, (unsigned)id)) {
		snprintf(err, errlen, "duplicate field \"%s\" in field list \"%s\"", t[id].name, list);
		return -1;
	}
	if (out->n >= FIELDS_MAX) {
		snprintf(err, errlen, "too many fields in field list \"%s\" (at most %d)", list, FIELDS_MAX);
		return -1;
	}
	out->id[out->n++] = (unsigned)id;
	return 0;
}

int fields_parse(enum record_kind kind, const char *list, struct field_list *out,
		 char *err, size_t errlen)
{
	struct field_list tmp = { .n = 0 };
	const char *p = list;
	size_t len;

	if (list == NULL) {
		snprintf(err, errlen, "missing field list");
		return -1;
	}
	len = strlen(list);
	trim(&p, &len);
	if (len == 0) {
		snprintf(err, errlen, "empty field list \"%s\" (see --list-fields)", list);
		return -1;
	}
	if (len == 1 && p[0] == '*') {
		all_fields(kind, out);
		return 0;
	}
	for (p = list;;) {
		const char *comma = strchr(p, ',');
		const char *item = p;
		size_t ilen = comma ? (size_t)(comma - p) : strlen(p);

		trim(&item, &ilen);
		if (add_item(kind, list, item, ilen, &tmp, err, errlen) < 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = tmp;
	return 0;
}

void fields_default(enum record_kind kind, struct field_list *out)
{
	char err[16];
	const char *names = kind == REC_STATS ? stats_default : result_default;

	/* Cannot fail: the default names are in the table (a unit test checks). */
	if (fields_parse(kind, names, out, err, sizeof(err)) < 0)
		all_fields(kind, out);
}

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FT_STRING: return "string";
	case FT_INT:    return "int";
	case FT_FLOAT:  return "float";
	case FT_BOOL:   return "bool";
	}
	return "?";
}

void fields_print_help(FILE *f, enum record_kind kind)
{
	unsigned n;
	const struct field_def *t = fields_table(kind, &n);

	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%-15s %-7s %s\n", t[i].name, type_name(t[i].type), t[i].help);
}
