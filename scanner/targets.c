/*
 * targets.c — parses what the user typed as targets or exclusions into
 * address ranges: single addresses, CIDR blocks (host bits are masked off, as
 * zmap and nmap do), "lo-hi" ranges and host names (resolved with
 * getaddrinfo only when DNS is allowed). The same line reader serves target
 * lists (-iL, stdin) and zmap-style blocklists: '#' starts a comment anywhere,
 * blank lines are skipped, surrounding whitespace and CR are trimmed. Errors
 * name the text and, for files, FILE:LINE.
 */
#include "scanner/targets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SPEC_MAX 256   /* longer than any address form or host name (253) */

/* An IPv4 address (host byte order) as the public struct. */
static struct es_addr addr4(uint32_t a)
{
	struct es_addr e = { .family = 4 };

	e.bytes[0] = (uint8_t)(a >> 24);
	e.bytes[1] = (uint8_t)(a >> 16);
	e.bytes[2] = (uint8_t)(a >> 8);
	e.bytes[3] = (uint8_t)a;
	return e;
}

/* A strict IPv6 address (inet_pton) as the public struct. */
static bool parse_addr6(const char *s, struct es_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!strchr(s, ':') || inet_pton(AF_INET6, s, a->bytes) != 1)
		return false;
	a->family = 6;
	return true;
}

/* lo..hi: a's first plen bits, host bits all 0 (lo) and all 1 (hi). */
static void prefix6(const struct es_addr *a, int plen, struct es_addr *lo, struct es_addr *hi)
{
	*lo = *hi = *a;
	for (int i = 0; i < 16; i++) {
		int bits = plen - 8 * i;   /* network bits in byte i */
		uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		lo->bytes[i] = a->bytes[i] & m;
		hi->bytes[i] = lo->bytes[i] | (uint8_t)~m;
	}
}

/* Strict dotted quad via inet_pton; result in host byte order. */
static bool parse_addr(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*addr = ntohl(a.s_addr);
	return true;
}

/* Letters, digits, '-' and '.', labels of 1..63 characters not starting or
 * ending with '-', one trailing dot allowed, and not only digits and dots
 * (that would be a malformed address, not a name). */
static bool is_host_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool alpha = false;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
		alpha |= !isdigit((unsigned char)c);
	}
	return alpha && s[len - 1] != '-';
}

static int parse_cidr(const char *text, char *buf, char *slash,
		      uint32_t *lo, uint32_t *hi, char *err, size_t errlen)
{
	const char *len_txt = slash + 1;
	uint32_t addr, mask;
	unsigned plen = 0;
	size_t nd = strlen(len_txt);

	*slash = '\0';
	if (!parse_addr(buf, &addr)) {
		snprintf(err, errlen, "%s: \"%s\" is not an IPv4 address", text, buf);
		return -1;
	}
	if (nd == 0 || nd > 2 || !isdigit((unsigned char)len_txt[0]) ||
	    (nd == 2 && !isdigit((unsigned char)len_txt[1])) ||
	    (plen = (unsigned)atoi(len_txt)) > 32) {
		snprintf(err, errlen, "%s: prefix length must be 0..32", text);
		return -1;
	}
	mask = plen == 0 ? 0 : UINT32_MAX << (32 - plen);
	*lo = addr & mask;
	*hi = *lo | ~mask;
	return 0;
}

static int parse_range(const char *text, char *buf, char *dash,
		       uint32_t *lo, uint32_t *hi, char *err, size_t errlen)
{
	*dash = '\0';
	if (!parse_addr(buf, lo))
		return 1;  /* not a range: maybe a host name with a '-' */
	if (!parse_addr(dash + 1, hi)) {
		snprintf(err, errlen, "%s: \"%s\" is not an IPv4 address", text, dash + 1);
		return -1;
	}
	if (*lo > *hi) {
		snprintf(err, errlen, "%s: range start is after its end", text);
		return -1;
	}
	return 0;
}

/* A host name is reported with *is_name set, a return of 0 and lo = hi = 0:
 * it is not an error, just something only targets_add can resolve. */
int targets_parse_spec(const char *text, uint32_t *lo, uint32_t *hi,
		       bool *is_name, char *err, size_t errlen)
{
	char buf[SPEC_MAX];
	char *sep;
	int rc;

	*is_name = false;
	if (text[0] == '\0') {
		snprintf(err, errlen, "empty target");
		return -1;
	}
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "%.40s...: target is too long", text);
		return -1;
	}
	strcpy(buf, text);
	if (strchr(buf, ':') != NULL) {
		struct es_addr l6, h6;

		if (targets_parse_spec6(text, &l6, &h6, err, errlen) == 0)
			snprintf(err, errlen, "%s: IPv6 targets are not supported here; give IPv4 addresses",
				 text);
		return -1;
	}
	if ((sep = strchr(buf, '/')) != NULL)
		return parse_cidr(text, buf, sep, lo, hi, err, errlen);
	if ((sep = strchr(buf, '-')) != NULL) {
		rc = parse_range(text, buf, sep, lo, hi, err, errlen);
		if (rc <= 0)
			return rc;
	}
	if (parse_addr(text, lo)) {
		*hi = *lo;
		return 0;
	}
	if (is_host_name(text)) {
		*is_name = true;
		*lo = *hi = 0;
		return 0;
	}
	snprintf(err, errlen,
		 "%s: not an IPv4 address, CIDR block (a.b.c.d/len), range (a.b.c.d-e.f.g.h) or host name",
		 text);
	return -1;
}

/* "addr", "addr/len" or "addr-addr" with IPv6 addresses. */
int targets_parse_spec6(const char *text, struct es_addr *lo, struct es_addr *hi,
			char *err, size_t errlen)
{
	char buf[SPEC_MAX];
	char *sep, *second = NULL;
	struct es_addr a, b;
	int plen = -1;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "%.40s...: target is too long", text);
		return -1;
	}
	strcpy(buf, text);
	if ((sep = strchr(buf, '/')) != NULL) {
		const char *p = sep + 1;
		size_t nd = strlen(p);

		*sep = '\0';
		plen = 0;
		/* at most 3 digits are read, so plen cannot overflow */
		for (size_t i = 0; i < nd && i < 4 && plen <= 128; i++)
			plen = isdigit((unsigned char)p[i]) ? plen * 10 + (p[i] - '0') : 1000;
		if (nd == 0 || nd > 3 || (nd > 1 && p[0] == '0') || plen > 128) {
			snprintf(err, errlen, "%s: prefix length must be 0..128", text);
			return -1;
		}
	} else if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		second = sep + 1;
	}
	if (!parse_addr6(buf, &a)) {
		snprintf(err, errlen, "%s: \"%s\" is not an IPv6 address", text, buf);
		return -1;
	}
	*lo = *hi = a;
	if (plen >= 0) {
		prefix6(&a, plen, lo, hi);
	} else if (second) {
		if (!parse_addr6(second, &b)) {
			snprintf(err, errlen, "%s: \"%s\" is not an IPv6 address", text, second);
			return -1;
		}
		*hi = b;
		if (memcmp(lo->bytes, hi->bytes, sizeof(lo->bytes)) > 0) {
			snprintf(err, errlen, "%s: range start is after its end", text);
			return -1;
		}
	}
	return 0;
}

int targets_prefix6(const struct es_addr *lo, const struct es_addr *hi)
{
	struct es_addr l, h;

	for (int plen = 0; plen <= 128; plen++) {
		prefix6(lo, plen, &l, &h);
		if (memcmp(l.bytes, lo->bytes, 16) == 0 && memcmp(h.bytes, hi->bytes, 16) == 0)
			return plen;
	}
	return -1;
}

/* 224.0.0.0/4 and 240.0.0.0/4 (which holds 255.255.255.255) touch: one run,
 * so a target such as 224.0.0.0/3 made only of them counts as named too. */
static const struct { uint32_t lo, hi; } reserved_runs[] = {
	{ 0x00000000u, 0x00ffffffu },   /* 0.0.0.0/8 */
	{ 0xe0000000u, 0xffffffffu },   /* 224.0.0.0/4, 240.0.0.0/4, 255.255.255.255 */
};
#define NRUNS (sizeof(reserved_runs) / sizeof(reserved_runs[0]))

int targets_note_named(es_targets *named, uint32_t lo, uint32_t hi)
{
	for (size_t i = 0; i < NRUNS; i++) {
		if (lo >= reserved_runs[i].lo && hi <= reserved_runs[i].hi) {
			struct es_addr a = addr4(lo), b = addr4(hi);

			return es_targets_add_range(named, &a, &b) == ES_OK ? 0 : -1;
		}
	}
	return 0;
}

static int add_range(struct target_sets *ts, const char *text, uint32_t lo, uint32_t hi,
		     char *err, size_t errlen)
{
	struct es_addr a = addr4(lo), b = addr4(hi);

	if (es_targets_add_range(ts->set, &a, &b) == ES_OK &&
	    (!ts->named || targets_note_named(ts->named, lo, hi) == 0))
		return 0;
	snprintf(err, errlen, "%s: out of memory", text);
	return -1;
}

static int add_range6(struct target_sets *ts, const char *text, const struct es_addr *lo,
		      const struct es_addr *hi, char *err, size_t errlen)
{
	if (es_targets_add_range(ts->set, lo, hi) == ES_OK)
		return 0;
	snprintf(err, errlen, "%s: out of memory", text);
	return -1;
}

/* A and AAAA as ts asks; a name with no address of the wanted family is
 * getaddrinfo's own error (EAI_NONAME / EAI_NODATA / EAI_ADDRFAMILY). */
static int resolve_name(struct target_sets *ts, const char *name,
			char *err, size_t errlen)
{
	int want = !ts->v6 || ts->family == TARGETS_AF4 ? AF_INET :
		   ts->family == TARGETS_AF6 ? AF_INET6 : AF_UNSPEC;
	struct addrinfo hints = { .ai_family = want, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res, *ai;
	int rc = getaddrinfo(name, NULL, &hints, &res);

	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s%s: %s", name,
			 want == AF_INET6 ? " to an IPv6 address" : "",
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	rc = 0;
	for (ai = res; ai && rc == 0; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
			uint32_t a = ntohl(sin->sin_addr.s_addr);
			rc = add_range(ts, name, a, a, err, errlen);
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;
			struct es_addr a = { .family = 6 };

			memcpy(a.bytes, s6->sin6_addr.s6_addr, sizeof(a.bytes));
			rc = add_range6(ts, name, &a, &a, err, errlen);
		}
	}
	freeaddrinfo(res);
	return rc;
}

static int add_one(struct target_sets *ts, const char *text, bool allow_dns,
		   char *err, size_t errlen)
{
	uint32_t lo, hi;
	bool is_name;

	if (ts->v6 && strchr(text, ':')) {
		struct es_addr l6, h6;

		if (targets_parse_spec6(text, &l6, &h6, err, errlen) < 0)
			return -1;
		return add_range6(ts, text, &l6, &h6, err, errlen);
	}
	if (targets_parse_spec(text, &lo, &hi, &is_name, err, errlen) < 0)
		return -1;
	if (!is_name)
		return add_range(ts, text, lo, hi, err, errlen);
	if (!allow_dns) {
		snprintf(err, errlen,
			 "%s: host names need DNS, which is turned off; give an address or CIDR block",
			 text);
		return -1;
	}
	return resolve_name(ts, text, err, errlen);
}

int targets_add_to(struct target_sets *ts, const char *text, bool allow_dns,
		   char *err, size_t errlen)
{
	if (add_one(ts, text, allow_dns, err, errlen) < 0)
		return -1;
	ts->added++;
	return 0;
}

int targets_add(es_targets *set, const char *text, bool allow_dns,
		char *err, size_t errlen)
{
	struct target_sets ts = { .set = set };

	return targets_add_to(&ts, text, allow_dns, err, errlen);
}

/* Cuts the comment, then trims whitespace (CR included) at both ends. */
static char *clean_line(char *line)
{
	char *hash = strchr(line, '#');
	char *end;

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return line;
}

/* Handles one raw line; *added counts targets. Errors carry FILE:LINE. */
static int add_line(struct target_sets *ts, char *line, size_t len, const char *name,
		    unsigned long lineno, bool allow_dns, size_t *added,
		    char *err, size_t errlen)
{
	char msg[512];
	char *t;

	if (strlen(line) != len) {
		snprintf(err, errlen, "%s:%lu: line contains a NUL byte", name, lineno);
		return -1;
	}
	t = clean_line(line);
	if (*t == '\0')
		return 0;
	if (targets_add_to(ts, t, allow_dns, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s:%lu: %s", name, lineno, msg);
		return -1;
	}
	(*added)++;
	return 0;
}

int targets_add_stream_to(struct target_sets *ts, FILE *f, const char *name,
			  bool allow_dns, bool require_some, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, added = 0;
	unsigned long lineno = 0;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0)
		rc = add_line(ts, line, (size_t)len, name, ++lineno, allow_dns,
			      &added, err, errlen);
	free(line);
	if (rc < 0)
		return -1;
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", name, strerror(errno));
		return -1;
	}
	if (require_some && added == 0) {
		snprintf(err, errlen, "%s: no targets", name);
		return -1;
	}
	return 0;
}

int targets_add_file_to(struct target_sets *ts, const char *path, bool allow_dns,
			bool require_some, char *err, size_t errlen)
{
	FILE *f;
	int rc;

	if (strcmp(path, "-") == 0)
		return targets_add_stream_to(ts, stdin, "stdin", allow_dns,
					     require_some, err, errlen);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = targets_add_stream_to(ts, f, path, allow_dns, require_some, err, errlen);
	fclose(f);
	return rc;
}

int targets_add_stream(es_targets *set, FILE *f, const char *name,
		       bool allow_dns, bool require_some, char *err, size_t errlen)
{
	struct target_sets ts = { .set = set };

	return targets_add_stream_to(&ts, f, name, allow_dns, require_some, err, errlen);
}

int targets_add_file(es_targets *set, const char *path, bool allow_dns,
		     bool require_some, char *err, size_t errlen)
{
	struct target_sets ts = { .set = set };

	return targets_add_file_to(&ts, path, allow_dns, require_some, err, errlen);
}

int targets_default_exclusions(es_targets *named, es_targets *out)
{
	int rc = 0;

	for (size_t i = 0; i < NRUNS && rc == 0; i++) {
		struct es_addr a = addr4(reserved_runs[i].lo), b = addr4(reserved_runs[i].hi);

		rc = es_targets_add_range(out, &a, &b) == ES_OK ? 0 : -1;
	}
	/* one subtraction: O(n log n) however many targets were named */
	if (rc == 0 && (es_targets_seal(named) != ES_OK || es_targets_subtract(out, named) != ES_OK))
		rc = -1;
	return rc == 0 && es_targets_seal(out) == ES_OK ? 0 : -1;
}

int targets_public_v4(char *const *texts, int n, const char *file, es_targets **out,
		      char *err, size_t errlen)
{
	*out = NULL;
	if (es_targets_new(out) != ES_OK) {
		snprintf(err, errlen, "out of memory for the targets");
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (targets_add(*out, texts[i], true, err, errlen) < 0)
			goto fail;
	if (file && targets_add_file(*out, file, true, true, err, errlen) < 0)
		goto fail;
	if (es_targets_seal(*out) != ES_OK) {
		snprintf(err, errlen, "out of memory for the targets");
		goto fail;
	}
	return 0;
fail:
	es_targets_free(out);
	return -1;
}
