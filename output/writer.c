/*
 * writer.c — formats results and per-host statistics as CSV (RFC 4180 with a
 * header line, LF line ends), JSON lines (one compact object per line) or
 * text (the address alone; fping-like summary lines for statistics). Each
 * record is built whole in w->line and handed on with one copy, so a failed
 * or oversized record never leaves half a line in the stream; a regular file
 * is written from a buffer of whole lines and cut back to its last whole line
 * when a write fails part-way (disk full). Once
 * the stream has failed nothing more is written: the first errno stays in
 * w->err for the caller to report.
 */
#include "output/writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Indexes into the tables of output/fields.c, in the same order. */
enum result_field {
	RF_SADDR, RF_DADDR, RF_RESPONDER, RF_RTT_US, RF_TTL, RF_TYPE, RF_CODE,
	RF_CLASSIFICATION, RF_SUCCESS, RF_REPEAT, RF_COOLDOWN, RF_PROBE, RF_IPID,
	RF_SIZE, RF_TIMESTAMP, RF_MAC, RF_PROBE_TTL
};

enum stats_field {
	SF_SADDR, SF_SENT, SF_RECEIVED, SF_LOSS, SF_RTT_MIN_US, SF_RTT_AVG_US,
	SF_RTT_MAX_US, SF_RTT_MDEV_US, SF_JITTER_US, SF_TIMESTAMP
};

/* One field's value: a string to quote, a bare number, a boolean, or unknown. */
enum vkind { VK_NULL, VK_STR, VK_BARE, VK_BOOL };

struct fval {
	enum vkind k;
	const char *s;   /* VK_STR, VK_BARE: points to tmp or to a constant */
	bool b;          /* VK_BOOL */
	char tmp[48];
};

/* A bounded append-only view of w->line; overflow sticks until the end. */
struct lbuf {
	char *p;
	size_t cap, len;
	bool overflow;
};

typedef void (*value_fn)(const void *rec, unsigned id, struct fval *v);

int writer_format_parse(const char *s, enum out_format *fmt, char *err, size_t errlen)
{
	if (s && strcmp(s, "csv") == 0) {
		*fmt = OUT_CSV;
	} else if (s && (strcmp(s, "json") == 0 || strcmp(s, "ndjson") == 0 ||
			 strcmp(s, "jsonl") == 0)) {
		*fmt = OUT_JSON;
	} else if (s && strcmp(s, "text") == 0) {
		*fmt = OUT_TEXT;
	} else {
		snprintf(err, errlen, "unknown output format \"%s\" (use csv, json or text)",
			 s ? s : "");
		return -1;
	}
	return 0;
}

/* A regular file (where a partial line could be left on a full disk) is
 * written directly, from whole lines only; anything else through stdio. */
static void use_fd_if_regular(struct writer *w)
{
	struct stat st;
	int fd = fileno(w->f);
	off_t pos;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || fflush(w->f) != 0)
		return;
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		return;
	w->fd = fd;
	w->good = (long long)pos;
}

/* fields may be NULL: the default list of the record kind is used. */
void writer_init(struct writer *w, FILE *f, enum out_format fmt,
		 enum record_kind kind, const struct field_list *fields)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->fmt = fmt;
	w->kind = kind;
	if (fields)
		w->fields = *fields;
	else
		fields_default(kind, &w->fields);
	w->fd = -1;
	use_fd_if_regular(w);
}

int fmt_csv_field(char *buf, size_t len, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	size_t o = 0;

	if (quote) {
		if (o + 1 >= len)
			return -1;
		buf[o++] = '"';
	}
	for (; *s; s++) {
		size_t need = (quote && *s == '"') ? 2 : 1;
		if (o + need >= len)
			return -1;
		if (need == 2)
			buf[o++] = '"';
		buf[o++] = *s;
	}
	if (quote) {
		if (o + 1 >= len)
			return -1;
		buf[o++] = '"';
	}
	if (o >= len)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

/* The JSON escape of byte c, or NULL when it stands for itself. */
static const char *json_escape(unsigned char c, char tmp[7])
{
	switch (c) {
	case '"':  return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:
		break;
	}
	if (c >= 0x20)
		return NULL;
	snprintf(tmp, 7, "\\u%04x", c);
	return tmp;
}

int fmt_json_string(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	char tmp[7];

	if (len < 3)
		return -1;
	buf[o++] = '"';
	for (; *s; s++) {
		const char *e = json_escape((unsigned char)*s, tmp);
		size_t n = e ? strlen(e) : 1;

		if (o + n + 1 >= len)   /* keep room for the closing quote */
			return -1;
		if (e) {
			memcpy(buf + o, e, n);
			o += n;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return (int)o;
}

int fmt_timestamp(char *buf, size_t len, uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
	struct tm tm;
	int n;

	if (gmtime_r(&sec, &tm) == NULL)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

static void val_addr(struct fval *v, uint32_t a)
{
	snprintf(v->tmp, sizeof(v->tmp), "%u.%u.%u.%u",
		 a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	v->k = VK_STR;
	v->s = v->tmp;
}

/* An address of a record: dotted decimal or RFC 5952 text. An address the
 * record does not know (family 0) reads as the zero address of the
 * record's family: "0.0.0.0", or "::" when v6 (an IPv6 reply). */
static void val_esaddr(struct fval *v, const struct es_addr *a, bool v6)
{
	struct es_addr any;

	if (a->family == 0) {
		if (!v6) {
			val_addr(v, 0);
			return;
		}
		any = *a;
		any.family = 6;
		a = &any;
	}
	es_addr_format(a, v->tmp, sizeof(v->tmp));
	v->k = VK_STR;
	v->s = v->tmp;
}

/* A result's address: the IPv6 one (RFC 5952 text) for an IPv6 reply. */
static void val_raddr(struct fval *v, const struct es_reply *r, const struct es_addr *a)
{
	val_esaddr(v, a, r->target.family == 6);
}

static void val_uint(struct fval *v, uint64_t x)
{
	snprintf(v->tmp, sizeof(v->tmp), "%" PRIu64, x);
	v->k = VK_BARE;
	v->s = v->tmp;
}

static void val_bool(struct fval *v, unsigned x)
{
	v->k = VK_BOOL;
	v->b = x != 0;
}

/* Nanoseconds as microseconds with exactly 3 decimals, done in integers so
 * no binary rounding shows; negative means unknown. */
static void val_ns_as_us(struct fval *v, int64_t ns)
{
	if (ns < 0) {
		v->k = VK_NULL;
		return;
	}
	snprintf(v->tmp, sizeof(v->tmp), "%" PRId64 ".%03d", ns / 1000, (int)(ns % 1000));
	v->k = VK_BARE;
	v->s = v->tmp;
}

/* "aa:bb:cc:dd:ee:ff", or unknown when all zero (no host has that MAC). */
static void val_mac(struct fval *v, const uint8_t mac[6])
{
	static const uint8_t none[6];

	if (!memcmp(mac, none, 6)) {
		v->k = VK_NULL;
		return;
	}
	snprintf(v->tmp, sizeof(v->tmp), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	v->k = VK_STR;
	v->s = v->tmp;
}

static void result_value(const void *rec, unsigned id, struct fval *v)
{
	const struct es_reply *r = rec;

	switch ((enum result_field)id) {
	case RF_SADDR:          val_raddr(v, r, &r->target); return;
	case RF_DADDR:          val_raddr(v, r, &r->local); return;
	case RF_RESPONDER:      val_raddr(v, r, &r->responder); return;
	case RF_RTT_US:         val_ns_as_us(v, r->rtt_ns); return;
	case RF_TTL:            val_uint(v, r->ttl); return;
	case RF_TYPE:           val_uint(v, r->type); return;
	case RF_CODE:           val_uint(v, r->code); return;
	case RF_CLASSIFICATION:
		v->k = VK_STR;
		v->s = es_class_name(r->classification);
		return;
	case RF_SUCCESS:        val_bool(v, r->success); return;
	case RF_REPEAT:         val_bool(v, r->repeat); return;
	case RF_COOLDOWN:       val_bool(v, r->cooldown); return;
	case RF_PROBE:          val_uint(v, r->probe); return;
	case RF_IPID:           val_uint(v, r->ipid); return;
	case RF_SIZE:           val_uint(v, r->size); return;
	case RF_TIMESTAMP:
		v->k = fmt_timestamp(v->tmp, sizeof(v->tmp), r->ts_ns) < 0 ? VK_NULL : VK_STR;
		v->s = v->tmp;
		return;
	case RF_MAC:            val_mac(v, r->mac); return;
	case RF_PROBE_TTL:
		if (r->probe_ttl)
			val_uint(v, r->probe_ttl);
		else
			v->k = VK_NULL;
		return;
	}
	v->k = VK_NULL;
}

static void val_loss(struct fval *v, uint64_t sent, uint64_t received)
{
	uint64_t lost = sent > received ? sent - received : 0;

	if (sent == 0) {
		v->k = VK_NULL;
		return;
	}
	snprintf(v->tmp, sizeof(v->tmp), "%.2f", 100.0 * (double)lost / (double)sent);
	v->k = VK_BARE;
	v->s = v->tmp;
}

static void stats_value(const void *rec, unsigned id, struct fval *v)
{
	const struct es_host_stats *s = rec;

	switch ((enum stats_field)id) {
	case SF_SADDR:       val_esaddr(v, &s->address, false); return;
	case SF_SENT:        val_uint(v, s->transmitted); return;
	case SF_RECEIVED:    val_uint(v, s->received); return;
	case SF_LOSS:        val_loss(v, s->transmitted, s->received); return;
	case SF_RTT_MIN_US:  val_ns_as_us(v, s->rtt_min_ns); return;
	case SF_RTT_AVG_US:  val_ns_as_us(v, s->rtt_avg_ns); return;
	case SF_RTT_MAX_US:  val_ns_as_us(v, s->rtt_max_ns); return;
	case SF_RTT_MDEV_US: val_ns_as_us(v, s->rtt_mdev_ns); return;
	case SF_JITTER_US:   val_ns_as_us(v, s->jitter_ns); return;
	case SF_TIMESTAMP:
		v->k = fmt_timestamp(v->tmp, sizeof(v->tmp), s->ts_ns) < 0 ? VK_NULL : VK_STR;
		v->s = v->tmp;
		return;
	}
	v->k = VK_NULL;
}

static void lb_init(struct lbuf *b, struct writer *w)
{
	b->p = w->line;
	b->cap = sizeof(w->line);
	b->len = 0;
	b->overflow = false;
}

static void lb_raw(struct lbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->overflow || b->len + n >= b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void lb_fmt(struct lbuf *b, int (*fmt)(char *, size_t, const char *), const char *s)
{
	int n;

	if (b->overflow)
		return;
	n = fmt(b->p + b->len, b->cap - b->len, s);
	if (n < 0 || b->len + (size_t)n + 1 >= b->cap)  /* room for the '\n' */
		b->overflow = true;
	else
		b->len += (size_t)n;
}

static void lb_printf(struct lbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lb_printf(struct lbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || b->len + (size_t)n >= b->cap)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

static void csv_value(struct lbuf *b, const struct fval *v)
{
	switch (v->k) {
	case VK_NULL: break;
	case VK_STR:  lb_fmt(b, fmt_csv_field, v->s); break;
	case VK_BARE: lb_raw(b, v->s); break;
	case VK_BOOL: lb_raw(b, v->b ? "1" : "0"); break;
	}
}

static void json_value(struct lbuf *b, const struct fval *v)
{
	switch (v->k) {
	case VK_NULL: lb_raw(b, "null"); break;
	case VK_STR:  lb_fmt(b, fmt_json_string, v->s); break;
	case VK_BARE: lb_raw(b, v->s); break;
	case VK_BOOL: lb_raw(b, v->b ? "true" : "false"); break;
	}
}

static void build_csv(struct lbuf *b, const struct writer *w, const void *rec, value_fn get)
{
	struct fval v;

	for (unsigned i = 0; i < w->fields.n; i++) {
		if (i)
			lb_raw(b, ",");
		get(rec, w->fields.id[i], &v);
		csv_value(b, &v);
	}
}

static void build_json(struct lbuf *b, const struct writer *w, const void *rec, value_fn get)
{
	unsigned n;
	const struct field_def *t = fields_table(w->kind, &n);
	struct fval v;

	lb_raw(b, "{");
	for (unsigned i = 0; i < w->fields.n; i++) {
		if (i)
			lb_raw(b, ",");
		lb_fmt(b, fmt_json_string, t[w->fields.id[i]].name);
		lb_raw(b, ":");
		get(rec, w->fields.id[i], &v);
		json_value(b, &v);
	}
	lb_raw(b, "}");
}

/* Milliseconds the way fping prints them: fewer decimals as values grow. */
static void lb_ms(struct lbuf *b, int64_t ns)
{
	double ms = (double)ns / 1e6;

	if (ms < 1.0)
		lb_printf(b, "%.3f", ms);
	else if (ms < 10.0)
		lb_printf(b, "%.2f", ms);
	else if (ms < 100.0)
		lb_printf(b, "%.1f", ms);
	else
		lb_printf(b, "%.0f", ms);
}

/* "198.18.0.3  : xmt/rcv/%loss = 5/4/20%, min/avg/max = 0.080/0.102/0.130",
 * the address padded to width as fping pads its host names */
static void build_stats_text(struct lbuf *b, const struct es_host_stats *s, unsigned width)
{
	struct fval v;
	uint64_t sent = s->transmitted, received = s->received;
	uint64_t lost = sent > received ? sent - received : 0;

	val_esaddr(&v, &s->address, false);
	lb_printf(b, "%-*s : xmt/rcv/%%loss = %" PRIu64 "/%" PRIu64 "/%" PRIu64 "%%",
		  (int)width, v.s, sent, received, sent ? lost * 100 / sent : 0);
	if (s->received == 0 || s->rtt_min_ns < 0 || s->rtt_avg_ns < 0 || s->rtt_max_ns < 0)
		return;
	lb_raw(b, ", min/avg/max = ");
	lb_ms(b, s->rtt_min_ns);
	lb_raw(b, "/");
	lb_ms(b, s->rtt_avg_ns);
	lb_raw(b, "/");
	lb_ms(b, s->rtt_max_ns);
}

static void note_err(struct writer *w, int e)
{
	if (w->err == 0)
		w->err = e ? e : EIO;
}

/* Cuts the file back to the end of the last whole line among the `done`
 * bytes of out[] that reached it. */
static void keep_whole_lines(struct writer *w, size_t done)
{
	const char *nl = done ? memrchr(w->out, '\n', done) : NULL;
	long long keep = w->good + (nl ? (long long)(nl - w->out) + 1 : 0);

	if (ftruncate(w->fd, (off_t)keep) == 0 && lseek(w->fd, (off_t)keep, SEEK_SET) >= 0)
		w->good = keep;
}

/* Writes out[] (whole lines) to the file; on failure keeps only the whole
 * lines that made it and refuses everything after. */
static int flush_out(struct writer *w)
{
	size_t done = 0;

	if (w->failed)
		return -1;
	while (done < w->used) {
		ssize_t n = write(w->fd, w->out + done, w->used - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			note_err(w, n < 0 ? errno : EIO);
			keep_whole_lines(w, done);
			w->failed = true;
			w->used = 0;
			return -1;
		}
		done += (size_t)n;
	}
	w->good += (long long)done;
	w->used = 0;
	return 0;
}

/* Ends the line in b and hands it on whole: to out[] for a regular file,
 * else to stdio with one fwrite. */
static int emit(struct writer *w, struct lbuf *b)
{
	if (b->overflow || b->len + 1 > b->cap) {
		note_err(w, EMSGSIZE);
		return -1;
	}
	b->p[b->len++] = '\n';
	if (w->fd >= 0) {
		if (w->used + b->len > sizeof(w->out) && flush_out(w) < 0)
			return -1;
		memcpy(w->out + w->used, b->p, b->len);
		w->used += b->len;
		return 0;
	}
	errno = 0;
	if (fwrite(b->p, 1, b->len, w->f) != b->len) {
		note_err(w, errno);
		return -1;
	}
	return 0;
}

static bool stream_failed(struct writer *w)
{
	if (w->fd >= 0 ? !w->failed : !ferror(w->f))
		return false;
	note_err(w, EIO);
	return true;
}

int writer_header(struct writer *w)
{
	unsigned n;
	const struct field_def *t = fields_table(w->kind, &n);
	struct lbuf b;

	if (w->fmt != OUT_CSV || w->header_done)
		return 0;
	if (stream_failed(w))
		return -1;
	lb_init(&b, w);
	for (unsigned i = 0; i < w->fields.n; i++) {
		if (i)
			lb_raw(&b, ",");
		lb_fmt(&b, fmt_csv_field, t[w->fields.id[i]].name);
	}
	if (emit(w, &b) < 0)
		return -1;
	w->header_done = true;
	return 0;
}

static int write_record(struct writer *w, const void *rec, value_fn get)
{
	struct lbuf b;

	if (writer_header(w) < 0 || stream_failed(w))
		return -1;
	lb_init(&b, w);
	if (w->fmt == OUT_JSON)
		build_json(&b, w, rec, get);
	else
		build_csv(&b, w, rec, get);
	return emit(w, &b);
}

int writer_result(struct writer *w, const struct es_reply *r)
{
	struct lbuf b;
	struct fval v;

	if (w->kind != REC_RESULT) {
		note_err(w, EINVAL);
		return -1;
	}
	if (w->fmt != OUT_TEXT)
		return write_record(w, r, result_value);
	if (stream_failed(w))
		return -1;
	lb_init(&b, w);
	val_raddr(&v, r, &r->target);
	lb_raw(&b, v.s);
	return emit(w, &b);
}

int writer_stats(struct writer *w, const struct es_host_stats *s)
{
	struct lbuf b;

	if (w->kind != REC_STATS) {
		note_err(w, EINVAL);
		return -1;
	}
	if (w->fmt != OUT_TEXT)
		return write_record(w, s, stats_value);
	if (stream_failed(w))
		return -1;
	lb_init(&b, w);
	build_stats_text(&b, s, w->addr_width);
	return emit(w, &b);
}

void writer_set_addr_width(struct writer *w, unsigned width)
{
	w->addr_width = width;
}

static unsigned octet_len(uint32_t o)
{
	return o >= 100 ? 3 : o >= 10 ? 2 : 1;
}

unsigned writer_addr_len(uint32_t a)
{
	return octet_len(a >> 24) + octet_len((a >> 16) & 0xff) +
	       octet_len((a >> 8) & 0xff) + octet_len(a & 0xff) + 3;
}

int writer_line(struct writer *w, const char *s)
{
	struct lbuf b;

	if (stream_failed(w))
		return -1;
	lb_init(&b, w);
	lb_raw(&b, s);
	return emit(w, &b);
}

int writer_flush(struct writer *w)
{
	if (stream_failed(w))
		return -1;
	if (w->fd >= 0)
		return flush_out(w);
	errno = 0;
	if (fflush(w->f) != 0) {
		note_err(w, errno);
		return -1;
	}
	return 0;
}
