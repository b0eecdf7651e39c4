/*
 * resume.c — `--resume FILE` (see resume.h for what is saved and why it is
 * enough for "every host exactly once"): the state's text form, the check
 * that a resumed command line is the same scan, the in-flight window of
 * progress samples, and the files (state, FILE.hosts, the output's cut).
 */
#include "scanner/resume.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/fields.h"
#include "output/writer.h"

#define MAGIC          "echoscan-resume 1"
#define STATE_MAX      (64 * 1024)

/* ---- identity of a scan ----------------------------------------------- */

/* The host-order number of an IPv4 es_addr. */
static uint32_t num4(const struct es_addr *a)
{
	uint32_t n;

	memcpy(&n, a->bytes, 4);
	return ntohl(n);
}

/* FNV-1a over the IPv4 ranges (lo << 32 | hi, little-endian bytes). */
uint64_t resume_hash_targets(const es_targets *t)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct es_addr lo, hi;

	for (size_t i = 0; es_targets_range(t, i, &lo, &hi) == ES_OK && lo.family == 4; i++) {
		uint64_t v = (uint64_t)num4(&lo) << 32 | num4(&hi);

		for (int b = 0; b < 8; b++) {
			h ^= (v >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

void resume_params_fill(struct resume_params *p, const struct options *o, uint64_t seed)
{
	unsigned n;
	const struct field_def *tab = fields_table(o->stats ? REC_STATS : REC_RESULT, &n);
	size_t len = 0;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->shards = o->shards;
	p->shard = o->shard;
	p->targets_count = es_targets_count4(o->set);
	p->targets_hash = resume_hash_targets(o->set);
	p->max_targets = o->max_targets;
	p->probes = o->probes;
	p->report_all = o->report_all;
	p->format = (unsigned)o->format;
	for (unsigned i = 0; i < o->fields.n && o->fields.id[i] < n; i++) {
		int w = snprintf(p->fields + len, sizeof(p->fields) - len, "%s%s",
				 i ? "," : "", tab[o->fields.id[i]].name);
		if (w < 0 || (size_t)w >= sizeof(p->fields) - len)
			break;
		len += (size_t)w;
	}
	if (o->output && strcmp(o->output, "-") != 0)
		snprintf(p->output, sizeof(p->output), "%s", o->output);
}

static const char *const format_names[] = { "csv", "json", "text" };

static const char *format_name(unsigned f)
{
	return f < 3 ? format_names[f] : "?";
}

/* ---- text form ------------------------------------------------------ */

int resume_format(const struct resume_state *st, char *buf, size_t len)
{
	const struct resume_params *p = &st->par;
	int n = snprintf(buf, len,
		MAGIC "\n"
		"status %s\n"
		"seed %" PRIu64 "\n"
		"shards %" PRIu32 "\n"
		"shard %" PRIu32 "\n"
		"targets %" PRIu64 " %016" PRIx64 "\n"
		"max_targets %" PRIu64 "\n"
		"probes %" PRIu32 "\n"
		"all %d\n"
		"format %s\n"
		"fields %s\n"
		"output %s\n"
		"total %" PRIu64 "\n"
		"position %" PRIu64 "\n"
		"out_offset %" PRId64 "\n"
		"hosts %" PRIu64 "\n",
		st->done ? "done" : "running", p->seed, p->shards, p->shard,
		p->targets_count, p->targets_hash, p->max_targets, p->probes,
		p->report_all ? 1 : 0, format_name(p->format), p->fields, p->output,
		st->total, st->position, st->out_offset, st->hosts);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

enum { K_STATUS, K_SEED, K_SHARDS, K_SHARD, K_TARGETS, K_MAXT, K_PROBES, K_ALL,
       K_FORMAT, K_FIELDS, K_OUTPUT, K_TOTAL, K_POSITION, K_OFFSET, K_HOSTS, K_COUNT };

static const char *const key_names[K_COUNT] = {
	"status", "seed", "shards", "shard", "targets", "max_targets", "probes", "all",
	"format", "fields", "output", "total", "position", "out_offset", "hosts",
};

static int copy_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int parse_value(struct resume_state *st, int k, const char *v)
{
	struct resume_params *p = &st->par;
	uint64_t x = 0, y = 0;
	char *end;

	switch (k) {
	case K_STATUS:
		if (strcmp(v, "done") && strcmp(v, "running"))
			return -1;
		st->done = strcmp(v, "done") == 0;
		return 0;
	case K_SEED:     return parse_u64(v, UINT64_MAX, &p->seed);
	case K_SHARDS:   if (parse_u64(v, 65535, &x) < 0 || x == 0) return -1; p->shards = (uint32_t)x; return 0;
	case K_SHARD:    if (parse_u64(v, 65534, &x) < 0) return -1; p->shard = (uint32_t)x; return 0;
	case K_TARGETS:
		x = strtoull(v, &end, 10);
		if (end == v || *end != ' ' || x == 0 || x > (1ULL << 32))
			return -1;
		errno = 0;
		y = strtoull(end + 1, &end, 16);
		if (errno || *end || end[-1] == ' ')
			return -1;
		p->targets_count = x;
		p->targets_hash = y;
		return 0;
	case K_MAXT:     return parse_u64(v, UINT64_MAX, &p->max_targets);
	case K_PROBES:   if (parse_u64(v, 65535, &x) < 0 || x == 0) return -1; p->probes = (uint32_t)x; return 0;
	case K_ALL:      if (parse_u64(v, 1, &x) < 0) return -1; p->report_all = x; return 0;
	case K_FORMAT:
		for (unsigned f = 0; f < 3; f++)
			if (strcmp(v, format_names[f]) == 0) {
				p->format = f;
				return 0;
			}
		return -1;
	case K_FIELDS:   return copy_str(p->fields, sizeof(p->fields), v);
	case K_OUTPUT:   return copy_str(p->output, sizeof(p->output), v);
	case K_TOTAL:    return parse_u64(v, UINT64_MAX, &st->total);
	case K_POSITION: return parse_u64(v, UINT64_MAX, &st->position);
	case K_OFFSET:
		if (strcmp(v, "-1") == 0) {
			st->out_offset = -1;
			return 0;
		}
		if (parse_u64(v, INT64_MAX, &x) < 0)
			return -1;
		st->out_offset = (int64_t)x;
		return 0;
	case K_HOSTS:    return parse_u64(v, (1ULL << 32), &st->hosts);
	}
	return -1;
}

int resume_parse(const char *text, struct resume_state *st, char *err, size_t errlen)
{
	char line[RESUME_PATH_MAX + 64];
	unsigned seen = 0, lineno = 0;
	const char *p = text;

	memset(st, 0, sizeof(*st));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *sp;
		int k;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "line %u is too long", lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (lineno == 1) {
			if (strcmp(line, MAGIC) != 0) {
				snprintf(err, errlen, "not an echoscan resume state (the first line is not \"%s\")",
					 MAGIC);
				return -1;
			}
			continue;
		}
		sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		for (k = 0; k < K_COUNT && strcmp(line, key_names[k]) != 0; k++)
			;
		if (k == K_COUNT || !sp || (seen & 1u << k) || parse_value(st, k, sp + 1) < 0) {
			snprintf(err, errlen, "line %u: %s \"%s%s%s\"", lineno,
				 k == K_COUNT ? "unknown entry" : !sp ? "no value in"
				 : (seen & 1u << k) ? "repeated entry" : "bad value in",
				 line, sp ? " " : "", sp ? sp + 1 : "");
			return -1;
		}
		seen |= 1u << k;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "empty file");
		return -1;
	}
	for (int k = 0; k < K_COUNT; k++)
		if (!(seen & 1u << k)) {
			snprintf(err, errlen, "entry \"%s\" is missing", key_names[k]);
			return -1;
		}
	if (st->par.shard >= st->par.shards || st->position > st->total ||
	    (st->done && st->position != st->total)) {
		snprintf(err, errlen, "inconsistent entries (shard %u of %u, position %llu of %llu, %s)",
			 st->par.shard, st->par.shards, (unsigned long long)st->position,
			 (unsigned long long)st->total, st->done ? "done" : "running");
		return -1;
	}
	return 0;
}

/* Appends "; what (saved X, now Y)" to err. */
static void differ(char *err, size_t errlen, size_t *len, const char *what,
		   const char *saved, const char *now)
{
	int n;

	if (*len >= errlen)
		return;
	n = snprintf(err + *len, errlen - *len, "%s%s (saved %s, now %s)",
		     *len ? "; " : "", what, saved, now);
	*len += n > 0 ? (size_t)n : 0;
}

#define U64S(buf, v) (snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(v)), buf)

int resume_compare(const struct resume_params *a, const struct resume_params *b,
		   bool seed_given, char *err, size_t errlen)
{
	char x[64], y[64];
	size_t len = 0;

	if (errlen)
		err[0] = '\0';
	if (seed_given && a->seed != b->seed)
		differ(err, errlen, &len, "--seed", U64S(x, a->seed), U64S(y, b->seed));
	if (a->shards != b->shards || a->shard != b->shard) {
		snprintf(x, sizeof(x), "shard %u of %u", a->shard, a->shards);
		snprintf(y, sizeof(y), "shard %u of %u", b->shard, b->shards);
		differ(err, errlen, &len, "--shards/--shard", x, y);
	}
	if (a->targets_count != b->targets_count || a->targets_hash != b->targets_hash) {
		snprintf(x, sizeof(x), "%llu addresses", (unsigned long long)a->targets_count);
		snprintf(y, sizeof(y), "%llu addresses%s", (unsigned long long)b->targets_count,
			 a->targets_count == b->targets_count ? ", not the same ones" : "");
		differ(err, errlen, &len, "targets after exclusions", x, y);
	}
	if (a->max_targets != b->max_targets)
		differ(err, errlen, &len, "-n/--max-targets", a->max_targets ? U64S(x, a->max_targets) : "none",
		       b->max_targets ? U64S(y, b->max_targets) : "none");
	if (a->probes != b->probes)
		differ(err, errlen, &len, "-P/--probes", U64S(x, a->probes), U64S(y, b->probes));
	if (a->report_all != b->report_all)
		differ(err, errlen, &len, "--all", a->report_all ? "on" : "off", b->report_all ? "on" : "off");
	if (a->format != b->format)
		differ(err, errlen, &len, "-O/--format", format_name(a->format), format_name(b->format));
	if (strcmp(a->fields, b->fields) != 0)
		differ(err, errlen, &len, "-f/--fields", a->fields, b->fields);
	if (strcmp(a->output, b->output) != 0)
		differ(err, errlen, &len, "-o/--output", a->output[0] ? a->output : "standard output",
		       b->output[0] ? b->output : "standard output");
	return len ? -1 : 0;
}

/* ---- in-flight window ------------------------------------------------ */

void resume_window_init(struct resume_window *w, uint64_t window_ns, uint64_t start_pos)
{
	memset(w, 0, sizeof(*w));
	w->window_ns = window_ns;
	w->spacing_ns = window_ns / 64 ? window_ns / 64 : 1;
	w->floor_pos = start_pos;
}

void resume_window_sample(struct resume_window *w, uint64_t now, uint64_t pos)
{
	unsigned last = (w->head + w->n - 1) % RESUME_SAMPLES;

	if (w->n && now - w->t[last] < w->spacing_ns)
		return;
	if (w->n == RESUME_SAMPLES) {
		/* the kept samples span >= 4 windows: the oldest is never needed */
		w->floor_pos = w->pos[w->head];
		w->head = (w->head + 1) % RESUME_SAMPLES;
		w->n--;
	}
	last = (w->head + w->n) % RESUME_SAMPLES;
	w->t[last] = now;
	w->pos[last] = pos;
	w->n++;
}

uint64_t resume_window_safe(const struct resume_window *w, uint64_t now)
{
	uint64_t safe = w->floor_pos;

	if (now < w->window_ns)
		return safe;
	for (unsigned i = 0; i < w->n; i++) {
		unsigned k = (w->head + i) % RESUME_SAMPLES;

		if (w->t[k] > now - w->window_ns)
			break;
		safe = w->pos[k];
	}
	return safe;
}

/* ---- files ----------------------------------------------------------- */

/* Reads a small file. 1 = read, 0 = absent, -1 = error (err set). */
static int read_small(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == cap - 1) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 n < 0 ? strerror(errno) : "too large for a resume state");
		return -1;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(err, errlen, "%s is not an echoscan resume state (binary data)", path);
		return -1;
	}
	return 1;
}

static int open_dir_of(const char *path)
{
	char copy[RESUME_PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	return open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* FILE.hosts: kept up to the saved count (a later crash may have left more),
 * read into rr->preload, opened for appending. */
static int open_hosts(struct resume_run *rr, char *err, size_t errlen)
{
	uint64_t want = rr->resumed ? rr->st.hosts : 0;
	int fd = open(rr->hosts_path, O_RDWR | O_CREAT | O_CLOEXEC | (rr->resumed ? 0 : O_TRUNC), 0644);
	struct stat sb;
	size_t got = 0;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", rr->hosts_path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size < want * 4) {
		snprintf(err, errlen, "%s holds %llu addresses, the state %s says %llu: it was changed "
			 "or truncated; delete %s and %s to start the scan over", rr->hosts_path,
			 (unsigned long long)(sb.st_size / 4), rr->path, (unsigned long long)want,
			 rr->path, rr->hosts_path);
		close(fd);
		return -1;
	}
	if (want) {
		rr->preload = malloc(want * sizeof(*rr->preload));
		if (!rr->preload) {
			snprintf(err, errlen, "out of memory reading %s", rr->hosts_path);
			close(fd);
			return -1;
		}
		while (got < want * 4) {
			ssize_t n = read(fd, (char *)rr->preload + got, want * 4 - got);
			if (n <= 0) {
				snprintf(err, errlen, "cannot read %s: %s", rr->hosts_path,
					 n < 0 ? strerror(errno) : "file ends early");
				close(fd);
				return -1;
			}
			got += (size_t)n;
		}
		for (size_t i = 0; i < want; i++)
			rr->preload[i] = ntohl(rr->preload[i]);
		rr->npreload = want;
	}
	if (ftruncate(fd, (off_t)(want * 4)) < 0 || lseek(fd, 0, SEEK_END) < 0 ||
	    !(rr->hosts = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot prepare %s: %s", rr->hosts_path, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

enum resume_begin_rc resume_begin(struct resume_run *rr, const char *path,
				  const struct resume_params *par, bool seed_given,
				  uint64_t window_ns, char *err, size_t errlen)
{
	char *text, why[1024];
	int rc;

	memset(rr, 0, sizeof(*rr));
	rr->dir_fd = -1;
	if (strlen(path) >= sizeof(rr->path) || strchr(par->output, '\n')) {
		snprintf(err, errlen, "--resume %s: the file name (or -o's) is too long or has a newline",
			 path);
		return RESUME_ERROR;
	}
	snprintf(rr->path, sizeof(rr->path), "%s", path);
	snprintf(rr->tmp_path, sizeof(rr->tmp_path), "%s.tmp", path);
	snprintf(rr->hosts_path, sizeof(rr->hosts_path), "%s.hosts", path);
	text = malloc(STATE_MAX);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return RESUME_ERROR;
	}
	rc = read_small(path, text, STATE_MAX, err, errlen);
	if (rc > 0 && resume_parse(text, &rr->st, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--resume %s: %s (delete it to start a new scan)", path, why);
		rc = -1;
	}
	free(text);
	if (rc < 0)
		return RESUME_ERROR;
	rr->resumed = rc > 0;
	if (rr->resumed) {
		if (resume_compare(&rr->st.par, par, seed_given, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "--resume %s: this command line is not the saved scan: %s. "
				 "Resume with the same options, or delete %s to start a new scan",
				 path, why, path);
			return RESUME_ERROR;
		}
		if (rr->st.done)
			return RESUME_DONE;
	} else {
		rr->st = (struct resume_state){ .par = *par, .out_offset = -1 };
	}
	rr->dir_fd = open_dir_of(path);
	if (rr->dir_fd < 0) {
		snprintf(err, errlen, "--resume %s: cannot open its directory: %s", path, strerror(errno));
		return RESUME_ERROR;
	}
	if (open_hosts(rr, err, errlen) < 0)
		return RESUME_ERROR;
	resume_window_init(&rr->win, window_ns, rr->st.position);
	return rr->resumed ? RESUME_CONTINUE : RESUME_FRESH;
}

int resume_set_total(struct resume_run *rr, uint64_t total, char *err, size_t errlen)
{
	if (!rr->resumed) {
		rr->st.total = total;
		return 0;
	}
	if (rr->st.total == total)
		return 0;
	snprintf(err, errlen, "--resume %s: the saved scan has %llu probes, this one %llu: "
		 "delete %s to start a new scan", rr->path, (unsigned long long)rr->st.total,
		 (unsigned long long)total, rr->path);
	return -1;
}

FILE *resume_open_output(const struct resume_run *rr, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	off_t off = (off_t)rr->st.out_offset;
	struct stat sb;
	FILE *f;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open output %s to resume the scan of %s: %s",
			 path, rr->path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < off) {
		snprintf(err, errlen, "output %s holds %lld bytes, fewer than the %lld the scan saved "
			 "in %s had written: it was changed; delete %s and %s to start over",
			 path, (long long)sb.st_size, (long long)off, rr->path, rr->path, rr->hosts_path);
		close(fd);
		return NULL;
	}
	if (ftruncate(fd, off) < 0 || lseek(fd, off, SEEK_SET) < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot cut output %s to %lld bytes: %s", path, (long long)off,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

int resume_note(struct resume_run *rr, uint32_t addr)
{
	uint32_t be = htonl(addr);

	return fwrite(&be, sizeof(be), 1, rr->hosts) == 1 ? 0 : -1;
}

int resume_save(const char *path, const char *tmp_path, int dir_fd,
		const struct resume_state *st, char *err, size_t errlen)
{
	char buf[4096];
	int len = resume_format(st, buf, sizeof(buf)), fd;
	ssize_t n = 0;

	if (len < 0) {
		snprintf(err, errlen, "resume state too large for %s", path);
		return -1;
	}
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		n = write(fd, buf, (size_t)len);
		if (n != len || fsync(fd) < 0) {
			if (n >= 0 && n != len)
				errno = ENOSPC;
			n = -1;
		}
		if (close(fd) < 0)
			n = -1;
	}
	if (fd < 0 || n < 0 || rename(tmp_path, path) < 0) {
		int e = errno;

		char hint[160] = "";

		if (e == EACCES || e == EPERM)
			snprintf(hint, sizeof(hint), " (echoscan runs as uid %u once its sockets are "
				 "open: put the state in a directory that user can write)",
				 (unsigned)geteuid());
		snprintf(err, errlen, "cannot save the resume state %s: %s%s", fd < 0 ? tmp_path : path,
			 strerror(e), hint);
		return -1;
	}
	if (dir_fd >= 0 && fsync(dir_fd) < 0) {
		snprintf(err, errlen, "cannot sync the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int sync_stream(FILE *f, int64_t *offset)
{
	struct stat sb;
	int fd = fileno(f);

	if (fflush(f) != 0)
		return -1;
	if (fstat(fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		*offset = -1;
		return 0;
	}
	if (fsync(fd) < 0)
		return -1;
	*offset = (int64_t)ftello(f);
	return *offset < 0 ? -1 : 0;
}

int resume_checkpoint(struct resume_run *rr, FILE *out, uint64_t position, bool done,
		      char *err, size_t errlen)
{
	struct resume_state st = rr->st;
	int64_t off = -1, hoff = 0;

	if (out && rr->st.par.output[0] && sync_stream(out, &off) < 0) {
		snprintf(err, errlen, "cannot sync output %s for --resume: %s", rr->st.par.output,
			 strerror(errno));
		return -1;
	}
	if (sync_stream(rr->hosts, &hoff) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", rr->hosts_path, strerror(errno));
		return -1;
	}
	st.out_offset = off;
	st.hosts = hoff < 0 ? 0 : (uint64_t)hoff / 4;
	st.done = done;
	st.position = done || position > st.total ? st.total : position;
	if (resume_save(rr->path, rr->tmp_path, rr->dir_fd, &st, err, errlen) < 0)
		return -1;
	rr->st = st;
	return 0;
}

void resume_end(struct resume_run *rr)
{
	if (rr->hosts)
		fclose(rr->hosts);
	if (rr->dir_fd >= 0)
		close(rr->dir_fd);
	free(rr->preload);
	rr->hosts = NULL;
	rr->dir_fd = -1;
	rr->preload = NULL;
}
