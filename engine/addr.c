/*
 * addr.c — the family-carrying address: construction, strict parsing,
 * RFC 5952 text and ordering. The formatter is written out rather than
 * taken from inet_ntop so that its output is the one the RFC fixes on every
 * libc (glibc also writes the deprecated "::a.b.c.d" for IPv4-compatible
 * addresses) and so that output writers can call it per line cheaply.
 */
#include "engine/addr.h"

#include <arpa/inet.h>
#include <string.h>

struct es_addr es_addr_v4(uint32_t host_order)
{
	struct es_addr a = { .family = ES_AF4 };

	a.bytes[0] = (uint8_t)(host_order >> 24);
	a.bytes[1] = (uint8_t)(host_order >> 16);
	a.bytes[2] = (uint8_t)(host_order >> 8);
	a.bytes[3] = (uint8_t)host_order;
	return a;
}

struct es_addr es_addr_v6(const uint8_t b[16])
{
	struct es_addr a = { .family = ES_AF6 };

	memcpy(a.bytes, b, 16);
	return a;
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint64_t es_addr_hi64(const struct es_addr *a)
{
	return be64_at(a->bytes);
}

uint64_t es_addr_lo64(const struct es_addr *a)
{
	return be64_at(a->bytes + 8);
}

es_u128 es_addr_to_u128(const struct es_addr *a)
{
	return (es_u128)es_addr_hi64(a) << 64 | es_addr_lo64(a);
}

struct es_addr es_addr_from_u128(es_u128 v)
{
	struct es_addr a = { .family = ES_AF6 };

	for (int i = 15; i >= 0; i--, v >>= 8)
		a.bytes[i] = (uint8_t)v;
	return a;
}

bool es_addr_parse_any(const char *s, struct es_addr *out)
{
	struct es_addr a = { 0 };

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a.bytes) != 1)
			return false;
		a.family = ES_AF6;
	} else {
		if (inet_pton(AF_INET, s, a.bytes) != 1)
			return false;
		a.family = ES_AF4;
	}
	*out = a;
	return true;
}

static size_t put_dotted(const uint8_t *b, char *p)
{
	static const char digits[] = "0123456789";
	char *start = p;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = digits[v / 100];
		if (v >= 10)
			*p++ = digits[v / 10 % 10];
		*p++ = digits[v % 10];
	}
	*p = '\0';
	return (size_t)(p - start);
}

static size_t put_hex16(unsigned w, char *p)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	bool lead = true;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (w >> shift) & 0xf;
		if (lead && d == 0 && shift != 0)
			continue;
		lead = false;
		p[n++] = hex[d];
	}
	return n;
}

/* The longest run of two or more zero groups (the first of equal ones). */
static void zero_run(const unsigned *w, int n, int *best, int *best_len)
{
	*best = -1;
	*best_len = 1;
	for (int i = 0; i < n; ) {
		int j = i;
		while (j < n && w[j] == 0)
			j++;
		if (j - i > *best_len) {
			*best = i;
			*best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
}

size_t es_addr_text(const struct es_addr *a, char *buf, size_t len)
{
	char tmp[ES_ADDR_STRLEN];
	unsigned w[8];
	int best, best_len, ngroups = 8;
	size_t n = 0;

	if (a->family == ES_AF4) {
		n = put_dotted(a->bytes, tmp);
		goto out;
	}
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a->bytes[2 * i] << 8 | a->bytes[2 * i + 1];
	/* RFC 5952 section 5: IPv4-mapped addresses end in dotted decimal */
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
	    w[5] == 0xffff)
		ngroups = 6;
	zero_run(w, ngroups, &best, &best_len);
	for (int i = 0; i < ngroups; i++) {
		if (i == best) {
			tmp[n++] = ':';
			tmp[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			tmp[n++] = ':';
		n += put_hex16(w[i], tmp + n);
	}
	if (ngroups == 6) {
		if (tmp[n - 1] != ':')
			tmp[n++] = ':';
		n += put_dotted(a->bytes + 12, tmp + n);
	}
	tmp[n] = '\0';
out:
	if (n + 1 > len) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf, tmp, n + 1);
	return n;
}

int es_addr_cmp(const struct es_addr *a, const struct es_addr *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, a->family == ES_AF4 ? 4 : 16);
	return (c > 0) - (c < 0);
}

bool es_addr_equal(const struct es_addr *a, const struct es_addr *b)
{
	return es_addr_cmp(a, b) == 0;
}

bool es_addr_is_link_local6(const struct es_addr *a)
{
	return a->family == ES_AF6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}
