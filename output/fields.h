/*
 * fields.h — the output field model shared by every writer: a field has a
 * name, a type (which decides quoting in JSON) and a one-line meaning
 * (--list-fields). Two record kinds exist: per-reply results (struct
 * es_reply) and per-host
 * statistics (struct es_host_stats); both are public (echoscan.h), the
 * only header output/ takes from the engine.
 */
#ifndef ECHOSCAN_FIELDS_H
#define ECHOSCAN_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <echoscan.h>

enum field_type { FT_STRING, FT_INT, FT_FLOAT, FT_BOOL };

struct field_def {
	const char *name;
	enum field_type type;
	const char *help;
};

#define FIELDS_MAX 32

struct field_list {
	unsigned id[FIELDS_MAX];   /* indexes into the table of the record kind */
	unsigned n;
};

enum record_kind { REC_RESULT, REC_STATS };

/* The table for a record kind; *n gets its length. */
const struct field_def *fields_table(enum record_kind kind, unsigned *n);
/* Parses "saddr,rtt_us,ttl" (or "*" for all). Unknown names are an error
 * naming the field and listing the valid ones. */
int fields_parse(enum record_kind kind, const char *list, struct field_list *out,
		 char *err, size_t errlen);
/* The default list for a record kind. */
void fields_default(enum record_kind kind, struct field_list *out);
/* Prints "name  type  meaning" lines for --list-fields. */
void fields_print_help(FILE *f, enum record_kind kind);

#endif
