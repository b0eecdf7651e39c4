/*
 * writer.h — formats records as CSV (RFC 4180, header line), JSON lines (one
 * object per line) or text (the address alone), into a stdio stream with a
 * large buffer. The caller decides when to flush (at least every 500 ms).
 * Only whole lines reach the stream: a record is formatted into a line buffer
 * first, and a regular file that fills up is cut back to its last whole line.
 * The caller must not write to the stream itself between writer_init and the
 * last writer_flush (use writer_line). A writer is owned by one thread. Errors (EPIPE, ENOSPC) are returned,
 * not printed.
 */
#ifndef ECHOSCAN_WRITER_H
#define ECHOSCAN_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "output/fields.h"

enum out_format { OUT_CSV = 0, OUT_JSON, OUT_TEXT };

struct writer {
	FILE *f;
	enum out_format fmt;
	enum record_kind kind;
	struct field_list fields;
	bool header_done;
	unsigned addr_width;   /* text stats: pad addresses to this many columns */
	int err;               /* first errno seen, 0 if none */
	char line[4096];
	/* A regular file is written with write(2) from out[], which only ever
	 * holds whole lines; when a write fails part-way (disk full, file size
	 * limit) the file is cut back to its last whole line. Other streams
	 * (pipes, terminals, memory) go through stdio. */
	int fd;                /* -1: use stdio */
	bool failed;           /* a write to fd failed: nothing more is written */
	long long good;        /* offset of fd after the last whole line written */
	size_t used;
	char out[1 << 15];
};

/* Returns 0, or -1 with err set for an unknown format name. */
int writer_format_parse(const char *s, enum out_format *fmt, char *err, size_t errlen);
void writer_init(struct writer *w, FILE *f, enum out_format fmt,
		 enum record_kind kind, const struct field_list *fields);
/* Writes the CSV header if not yet written (no-op for other formats). */
int writer_header(struct writer *w);
/* One result row (REC_RESULT); r->probe_ttl 0 (not a trace probe) leaves
 * the probe_ttl field empty. */
int writer_result(struct writer *w, const struct es_reply *r);
/* One per-host statistics row (REC_STATS); s->ts_ns is its timestamp. */
int writer_stats(struct writer *w, const struct es_host_stats *s);
/* Writes s (without its line end) and a '\n' as one line. */
int writer_line(struct writer *w, const char *s);
int writer_flush(struct writer *w);
/* Text --stats lines pad the address to width characters, so the colons of a
 * report line up as in fping's summary (its width is the longest host of the
 * report); 0 (the default) pads nothing. */
void writer_set_addr_width(struct writer *w, unsigned width);
/* Characters of addr (host order) as a dotted quad: 7..15. */
unsigned writer_addr_len(uint32_t addr);

/* Formatting helpers, exposed for tests: return the number of bytes written
 * (excluding NUL), or -1 if buf is too small. */
int fmt_csv_field(char *buf, size_t len, const char *s);   /* quotes if needed */
int fmt_json_string(char *buf, size_t len, const char *s); /* with quotes */
/* RFC 3339 UTC with microseconds: 2026-11-23T15:56:12.123456Z */
int fmt_timestamp(char *buf, size_t len, uint64_t ts_ns);

#endif
