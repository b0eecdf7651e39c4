/*
 * ipset.c — a set of IPv4 addresses stored as intervals. Additions are
 * appended and only sorted and merged when the set is normalized (on
 * finalize, remove or subtract), so reading a long target list costs
 * O(n log n) once rather than O(n) per line. Memory depends on the number of
 * intervals only. After finalize, a prefix-sum index gives the i-th address
 * in O(log n); adding or removing afterwards is allowed and simply clears
 * `final` until the next finalize.
 */
#include "engine/ipset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ipset_init(struct ipset *s)
{
	memset(s, 0, sizeof(*s));
}

void ipset_free(struct ipset *s)
{
	free(s->r);
	free(s->prefix);
	ipset_init(s);
}

static int reserve(struct ipset *s, size_t need)
{
	size_t cap;
	struct ipset_range *r;

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

int ipset_add(struct ipset *s, uint32_t lo, uint32_t hi)
{
	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (reserve(s, s->n + 1) < 0)
		return -1;
	s->r[s->n++] = (struct ipset_range){ lo, hi };
	s->final = false;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ipset_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

/* True when r[0..n) is sorted, disjoint and non-adjacent already. */
static bool is_normal(const struct ipset_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if ((uint64_t)r[i - 1].hi + 1 >= r[i].lo)
			return false;
	return true;
}

/* Sorts and merges overlapping or adjacent ranges in place; returns the new
 * count. 64-bit arithmetic keeps hi + 1 from wrapping at 255.255.255.255. */
static size_t normalize(struct ipset_range *r, size_t n)
{
	size_t out = 0;

	if (n == 0 || is_normal(r, n))
		return n;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 1; i < n; i++) {
		if (r[i].lo <= (uint64_t)r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

/* Splits r[i] around [lo, hi], which it strictly contains; the caller has
 * reserved the extra slot. */
static void split_range(struct ipset *s, size_t i, uint32_t lo, uint32_t hi)
{
	struct ipset_range c = s->r[i];

	memmove(&s->r[i + 2], &s->r[i + 1], (s->n - i - 1) * sizeof(*s->r));
	s->r[i] = (struct ipset_range){ c.lo, lo - 1 };
	s->r[i + 1] = (struct ipset_range){ hi + 1, c.hi };
	s->n++;
}

/* Normalizes, then trims every range that meets [lo, hi]. A range that
 * strictly contains [lo, hi] is the only one it meets, and splits in two;
 * otherwise each range yields at most one, so filtering in place is safe. */
int ipset_remove(struct ipset *s, uint32_t lo, uint32_t hi)
{
	size_t out = 0;

	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (reserve(s, s->n + 1) < 0)
		return -1;
	s->n = normalize(s->r, s->n);
	s->final = false;
	for (size_t i = 0; i < s->n; i++) {
		struct ipset_range c = s->r[i];
		if (c.lo < lo && c.hi > hi) {
			split_range(s, i, lo, hi);
			return 0;
		}
		if (c.hi < lo || c.lo > hi)
			s->r[out++] = c;
		else if (c.lo < lo)
			s->r[out++] = (struct ipset_range){ c.lo, lo - 1 };
		else if (c.hi > hi)
			s->r[out++] = (struct ipset_range){ hi + 1, c.hi };
	}
	s->n = out;
	return 0;
}

/* Copies and normalizes ex's ranges so ex itself can stay const. */
static struct ipset_range *normal_copy(const struct ipset *ex, size_t *n)
{
	struct ipset_range *c = malloc((ex->n ? ex->n : 1) * sizeof(*c));

	if (!c)
		return NULL;
	if (ex->n)
		memcpy(c, ex->r, ex->n * sizeof(*c));
	*n = normalize(c, ex->n);
	return c;
}

/* Both inputs sorted and disjoint: one merge-like sweep, O(n + m). Each
 * range of ex can split at most one range of s, so n + m slots suffice. */
static size_t sweep_subtract(const struct ipset_range *a, size_t na,
			     const struct ipset_range *b, size_t nb,
			     struct ipset_range *out)
{
	size_t j = 0, k = 0;

	for (size_t i = 0; i < na; i++) {
		uint64_t lo = a[i].lo, hi = a[i].hi;
		while (j < nb && b[j].hi < lo)
			j++;
		for (size_t t = j; t < nb && b[t].lo <= hi && lo <= hi; t++) {
			if (b[t].lo > lo)
				out[k++] = (struct ipset_range){ (uint32_t)lo, b[t].lo - 1 };
			lo = (uint64_t)b[t].hi + 1;
		}
		if (lo <= hi)
			out[k++] = (struct ipset_range){ (uint32_t)lo, (uint32_t)hi };
	}
	return k;
}

int ipset_subtract(struct ipset *s, const struct ipset *ex)
{
	size_t nb, na;
	struct ipset_range *b, *out;

	if (ex->n == 0)
		return 0;
	b = normal_copy(ex, &nb);
	if (!b)
		return -1;
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

int ipset_finalize(struct ipset *s)
{
	uint64_t sum = 0;
	uint64_t *prefix;

	s->n = normalize(s->r, s->n);
	prefix = realloc(s->prefix, (s->n ? s->n : 1) * sizeof(*prefix));
	if (!prefix)
		return -1;
	s->prefix = prefix;
	for (size_t i = 0; i < s->n; i++) {
		prefix[i] = sum;
		sum += (uint64_t)s->r[i].hi - s->r[i].lo + 1;
	}
	s->total = sum;
	s->final = true;
	return 0;
}

uint64_t ipset_count(const struct ipset *s)
{
	return s->total;
}

/* Last range whose prefix is <= i; the caller guarantees i < total. */
uint32_t ipset_at(const struct ipset *s, uint64_t i)
{
	size_t lo = 0, hi = s->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->prefix[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return s->r[lo].lo + (uint32_t)(i - s->prefix[lo]);
}

/* Before finalize the ranges may be unsorted, so fall back to a scan. */
bool ipset_contains(const struct ipset *s, uint32_t addr)
{
	size_t lo = 0, hi = s->n;

	if (!s->final) {
		for (size_t i = 0; i < s->n; i++)
			if (s->r[i].lo <= addr && addr <= s->r[i].hi)
				return true;
		return false;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].hi < addr)
			lo = mid + 1;
		else if (s->r[mid].lo > addr)
			hi = mid;
		else
			return true;
	}
	return false;
}
