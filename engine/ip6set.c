/*
 * ip6set.c — IPv6 address intervals. Additions are appended and sorted and
 * merged only when the set is normalized (finalize, subtract), so reading a
 * hitlist of millions of lines costs one O(n log n) sort, and a hitlist
 * already in order costs one linear pass. Arithmetic is on 128-bit numbers;
 * hi + 1 is never formed for the top address (it would wrap to 0).
 */
#include "engine/ip6set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define U128_MAX (~(es_u128)0)

void ip6set_init(struct ip6set *s)
{
	memset(s, 0, sizeof(*s));
}

void ip6set_free(struct ip6set *s)
{
	free(s->r);
	free(s->prefix);
	ip6set_init(s);
}

static int reserve(struct ip6set *s, size_t need)
{
	size_t cap;
	struct ip6set_range *r;

	if (need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 16;
	while (cap < need) {
		if (cap > SIZE_MAX / 2 / sizeof(*r))
			return -1;
		cap *= 2;
	}
	r = realloc(s->r, cap * sizeof(*r));
	if (!r)
		return -1;
	s->r = r;
	s->cap = cap;
	return 0;
}

int ip6set_add(struct ip6set *s, es_u128 lo, es_u128 hi)
{
	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (reserve(s, s->n + 1) < 0)
		return -1;
	s->r[s->n++] = (struct ip6set_range){ lo, hi };
	s->final = false;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ip6set_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

/* b starts inside a or right after it: they merge. */
static bool touches(const struct ip6set_range *a, const struct ip6set_range *b)
{
	return a->hi == U128_MAX || b->lo <= a->hi + 1;
}

static bool is_normal(const struct ip6set_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (r[i].lo <= r[i - 1].lo || touches(&r[i - 1], &r[i]))
			return false;
	return true;
}

static size_t normalize(struct ip6set_range *r, size_t n)
{
	size_t out = 0;

	if (n == 0 || is_normal(r, n))
		return n;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 1; i < n; i++) {
		if (touches(&r[out], &r[i])) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

/* Both sorted and disjoint: one sweep. Each range of b splits at most one
 * range of a, so na + nb output slots suffice. */
static size_t sweep_subtract(const struct ip6set_range *a, size_t na,
			     const struct ip6set_range *b, size_t nb,
			     struct ip6set_range *out)
{
	size_t j = 0, k = 0;

	for (size_t i = 0; i < na; i++) {
		es_u128 lo = a[i].lo, hi = a[i].hi;
		bool left = true;   /* [lo, hi] not yet used up */

		while (j < nb && b[j].hi < lo)
			j++;
		for (size_t t = j; t < nb && left && b[t].lo <= hi; t++) {
			if (b[t].lo > lo)
				out[k++] = (struct ip6set_range){ lo, b[t].lo - 1 };
			if (b[t].hi >= hi)
				left = false;
			else
				lo = b[t].hi + 1;
		}
		if (left)
			out[k++] = (struct ip6set_range){ lo, hi };
	}
	return k;
}

int ip6set_subtract(struct ip6set *s, const struct ip6set *ex)
{
	size_t nb, na;
	struct ip6set_range *b, *out;

	if (ex->n == 0)
		return 0;
	b = malloc(ex->n * sizeof(*b));
	if (!b)
		return -1;
	memcpy(b, ex->r, ex->n * sizeof(*b));
	nb = normalize(b, ex->n);
	na = normalize(s->r, s->n);
	out = malloc((na + nb) * sizeof(*out));
	if (!out) {
		free(b);
		return -1;
	}
	s->n = sweep_subtract(s->r, na, b, nb, out);
	free(b);
	free(s->r);
	s->r = out;
	s->cap = na + nb;
	s->final = false;
	return 0;
}

int ip6set_finalize(struct ip6set *s)
{
	es_u128 sum = 0;
	es_u128 *prefix;

	s->n = normalize(s->r, s->n);
	prefix = realloc(s->prefix, (s->n ? s->n : 1) * sizeof(*prefix));
	if (!prefix)
		return -1;
	s->prefix = prefix;
	s->full = s->n == 1 && s->r[0].lo == 0 && s->r[0].hi == U128_MAX;
	for (size_t i = 0; i < s->n; i++) {
		prefix[i] = sum;
		sum += s->r[i].hi - s->r[i].lo + 1;   /* wraps to 0 only when full */
	}
	s->total = sum;
	s->final = true;
	return 0;
}

uint64_t ip6set_count(const struct ip6set *s)
{
	if (s->full || s->total > UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)s->total;
}

struct es_addr ip6set_at(const struct ip6set *s, uint64_t i)
{
	size_t lo = 0, hi = s->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->prefix[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return es_addr_from_u128(s->r[lo].lo + (i - s->prefix[lo]));
}

bool ip6set_contains(const struct ip6set *s, const struct es_addr *a)
{
	es_u128 v = es_addr_to_u128(a);
	size_t lo = 0, hi = s->n;

	if (a->family != ES_AF6)
		return false;
	if (!s->final) {
		for (size_t i = 0; i < s->n; i++)
			if (s->r[i].lo <= v && v <= s->r[i].hi)
				return true;
		return false;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].hi < v)
			lo = mid + 1;
		else if (s->r[mid].lo > v)
			hi = mid;
		else
			return true;
	}
	return false;
}

bool ip6set_index(const struct ip6set *s, const struct es_addr *a, uint64_t *rank)
{
	es_u128 v = es_addr_to_u128(a);
	size_t lo = 0, hi = s->n;

	if (a->family != ES_AF6 || !s->final)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].hi < v) {
			lo = mid + 1;
		} else if (s->r[mid].lo > v) {
			hi = mid;
		} else {
			*rank = (uint64_t)(s->prefix[mid] + (v - s->r[mid].lo));
			return true;
		}
	}
	return false;
}
