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
#include "engine/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SPEC_MAX 256   /* longer than any address form or host name (253) */

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
		es_u128 l6, h6;

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
int targets_parse_spec6(const char *text, es_u128 *lo, es_u128 *hi,
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
	if (!es_addr_parse_any(buf, &a) || a.family != ES_AF6) {
		snprintf(err, errlen, "%s: \"%s\" is not an IPv6 address", text, buf);
		return -1;
	}
	*lo = *hi = es_addr_to_u128(&a);
	if (plen >= 0) {
		es_u128 host = plen == 128 ? 0 : (~(es_u128)0) >> plen;
		*lo &= ~host;
		*hi = *lo | host;
	} else if (second) {
		if (!es_addr_parse_any(second, &b) || b.family != ES_AF6) {
			snprintf(err, errlen, "%s: \"%s\" is not an IPv6 address", text, second);
			return -1;
		}
		*hi = es_addr_to_u128(&b);
		if (*lo > *hi) {
			snprintf(err, errlen, "%s: range start is after its end", text);
			return -1;
		}
	}
	return 0;
}

static int add_range(struct ipset *set, const char *text, uint32_t lo, uint32_t hi,
		     char *err, size_t errlen)
{
	if (ipset_add(set, lo, hi) == 0)
		return 0;
	snprintf(err, errlen, "%s: out of memory", text);
	return -1;
}

static int add_range6(struct ip6set *set, const char *text, es_u128 lo, es_u128 hi,
		      char *err, size_t errlen)
{
	if (ip6set_add(set, lo, hi) == 0)
		return 0;
	snprintf(err, errlen, "%s: out of memory", text);
	return -1;
}

/* A and AAAA as ts asks; a name with no address of the wanted family is
 * getaddrinfo's own error (EAI_NONAME / EAI_NODATA / EAI_ADDRFAMILY). */
static int resolve_name(const struct target_sets *ts, const char *name,
			char *err, size_t errlen)
{
	int want = ts->v6 == NULL || ts->family == ES_AF4 ? AF_INET :
		   ts->family == ES_AF6 ? AF_INET6 : AF_UNSPEC;
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
			rc = add_range(ts->v4, name, a, a, err, errlen);
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;
			struct es_addr a = es_addr_v6(s6->sin6_addr.s6_addr);
			es_u128 v = es_addr_to_u128(&a);
			rc = add_range6(ts->v6, name, v, v, err, errlen);
		}
	}
	freeaddrinfo(res);
	return rc;
}

int targets_add_to(const struct target_sets *ts, const char *text, bool allow_dns,
		   char *err, size_t errlen)
{
	uint32_t lo, hi;
	bool is_name;

	if (ts->v6 && strchr(text, ':')) {
		es_u128 l6, h6;

		if (targets_parse_spec6(text, &l6, &h6, err, errlen) < 0)
			return -1;
		return add_range6(ts->v6, text, l6, h6, err, errlen);
	}
	if (targets_parse_spec(text, &lo, &hi, &is_name, err, errlen) < 0)
		return -1;
	if (!is_name)
		return add_range(ts->v4, text, lo, hi, err, errlen);
	if (!allow_dns) {
		snprintf(err, errlen,
			 "%s: host names need DNS, which is turned off; give an address or CIDR block",
			 text);
		return -1;
	}
	return resolve_name(ts, text, err, errlen);
}

int targets_add(struct ipset *set, const char *text, bool allow_dns,
		char *err, size_t errlen)
{
	const struct target_sets ts = { set, NULL, 0 };

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
static int add_line(const struct target_sets *ts, char *line, size_t len, const char *name,
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

int targets_add_stream_to(const struct target_sets *ts, FILE *f, const char *name,
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

int targets_add_file_to(const struct target_sets *ts, const char *path, bool allow_dns,
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

int targets_add_stream(struct ipset *set, FILE *f, const char *name,
		       bool allow_dns, bool require_some, char *err, size_t errlen)
{
	const struct target_sets ts = { set, NULL, 0 };

	return targets_add_stream_to(&ts, f, name, allow_dns, require_some, err, errlen);
}

int targets_add_file(struct ipset *set, const char *path, bool allow_dns,
		     bool require_some, char *err, size_t errlen)
{
	const struct target_sets ts = { set, NULL, 0 };

	return targets_add_file_to(&ts, path, allow_dns, require_some, err, errlen);
}

/* 224.0.0.0/4 and 240.0.0.0/4 (which holds 255.255.255.255) touch: one run,
 * so a target such as 224.0.0.0/3 made only of them counts as named too. */
static const struct ipset_range reserved_runs[] = {
	{ 0x00000000u, 0x00ffffffu },   /* 0.0.0.0/8 */
	{ 0xe0000000u, 0xffffffffu },   /* 224.0.0.0/4, 240.0.0.0/4, 255.255.255.255 */
};

int targets_default_exclusions(const struct ipset *given, struct ipset *out)
{
	const size_t nruns = sizeof(reserved_runs) / sizeof(reserved_runs[0]);
	struct ipset named;
	int rc = 0;

	ipset_init(&named);
	for (size_t i = 0; i < nruns && rc == 0; i++)
		rc = ipset_add(out, reserved_runs[i].lo, reserved_runs[i].hi);
	for (size_t k = 0; k < given->n && rc == 0; k++) {
		const struct ipset_range *t = &given->r[k];

		for (size_t i = 0; i < nruns && rc == 0; i++)
			if (t->lo >= reserved_runs[i].lo && t->hi <= reserved_runs[i].hi)
				rc = ipset_add(&named, t->lo, t->hi);
	}
	/* one subtraction: O(n log n) however many targets were named */
	if (rc == 0)
		rc = ipset_subtract(out, &named);
	ipset_free(&named);
	return rc == 0 ? ipset_finalize(out) : -1;
}

int targets_public_v4(char *const *texts, int n, const char *file, es_targets **out,
		      char *err, size_t errlen)
{
	struct ipset set;
	int rc = -1;

	*out = NULL;
	ipset_init(&set);
	for (int i = 0; i < n; i++)
		if (targets_add(&set, texts[i], true, err, errlen) < 0)
			goto done;
	if (file && targets_add_file(&set, file, true, true, err, errlen) < 0)
		goto done;
	if (ipset_finalize(&set) < 0 || es_targets_new(out) != ES_OK)
		goto oom;
	for (size_t i = 0; i < set.n; i++) {
		struct es_addr lo = es_addr_v4(set.r[i].lo), hi = es_addr_v4(set.r[i].hi);

		if (es_targets_add_range(*out, &lo, &hi) != ES_OK)
			goto oom;
	}
	if (es_targets_seal(*out) != ES_OK)
		goto oom;
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory for the targets");
	es_targets_free(out);
done:
	ipset_free(&set);
	return rc;
}
