/*
 * ivset_impl.h — the interval logic shared by engine/ipset.c (32-bit keys)
 * and engine/ip6set.c (128-bit keys), written once over the key type: sorted,
 * disjoint, non-adjacent inclusive ranges, appended unsorted and normalized
 * (sorted, merged) only when needed, a prefix-count index for the i-th
 * address, removal of one range, subtraction of a set, lookup.
 *
 * A template, not a module: a .c file defines the parameters below and then
 * includes this file once; it gets static inline functions on its own types,
 * so the compiler sees the real key width everywhere (ipset_at stays a plain
 * 32-bit loop) and nothing is shared at run time. Parameters (all undefined
 * again at the end):
 *   IVSET_SET    the set type: members r (IVSET_RANGE *), n, cap (size_t),
 *                prefix (IVSET_COUNT *), total (IVSET_COUNT), final (bool)
 *   IVSET_RANGE  the range type: members lo, hi (IVSET_KEY), inclusive
 *   IVSET_KEY    an unsigned integer type holding one address
 *   IVSET_KEY_MAX its largest value (the top address)
 *   IVSET_COUNT  an unsigned integer type for counts and prefix sums; it must
 *                hold the size of any set but the whole key space, whose
 *                size may wrap to 0 (IPv6: the caller notes that case)
 *
 * The arithmetic never forms hi + 1 for the top address (it would wrap), so
 * no wider type is needed for any key width. Not thread-safe while a set is
 * being built; the read functions (ivset_at, ivset_find) only read.
 */
#if !defined(IVSET_SET) || !defined(IVSET_RANGE) || !defined(IVSET_KEY) || \
	!defined(IVSET_KEY_MAX) || !defined(IVSET_COUNT)
#error "define IVSET_SET, IVSET_RANGE, IVSET_KEY, IVSET_KEY_MAX and IVSET_COUNT before including ivset_impl.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IVSET_NONE SIZE_MAX   /* ivset_find: no range holds the key */

/* Room for `need` ranges (doubling). Returns 0, or -1 on allocation failure. */
static inline int ivset_reserve(IVSET_SET *s, size_t need)
{
	size_t cap;
	IVSET_RANGE *r;

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

/* Appends [lo, hi] unsorted. Returns 0, or -1 (lo > hi: errno EINVAL; or
 * allocation failure). */
static inline int ivset_add(IVSET_SET *s, IVSET_KEY lo, IVSET_KEY hi)
{
	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (ivset_reserve(s, s->n + 1) < 0)
		return -1;
	s->r[s->n++] = (IVSET_RANGE){ lo, hi };
	s->final = false;
	return 0;
}

static int ivset_cmp_range(const void *a, const void *b)
{
	const IVSET_RANGE *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

/* b (starting at or after a's start) starts inside a or right after it:
 * the two merge. Written so that a->hi + 1 is never formed for the top. */
static inline bool ivset_touches(const IVSET_RANGE *a, const IVSET_RANGE *b)
{
	return a->hi == IVSET_KEY_MAX || b->lo <= (IVSET_KEY)(a->hi + 1);
}

/* True when r[0..n) is sorted, disjoint and non-adjacent already (a range
 * that does not touch the one before starts after it, so this is enough). */
static inline bool ivset_is_normal(const IVSET_RANGE *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (ivset_touches(&r[i - 1], &r[i]))
			return false;
	return true;
}

/* Sorts and merges overlapping or adjacent ranges in place; returns the new
 * count. A list already in order costs one linear pass. */
static inline size_t ivset_normalize(IVSET_RANGE *r, size_t n)
{
	size_t out = 0;

	if (n == 0 || ivset_is_normal(r, n))
		return n;
	qsort(r, n, sizeof(*r), ivset_cmp_range);
	for (size_t i = 1; i < n; i++) {
		if (ivset_touches(&r[out], &r[i])) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
		} else {
			r[++out] = r[i];
		}
	}
	return out + 1;
}

/* Normalizes, then trims every range that meets [lo, hi]. A range that
 * strictly contains [lo, hi] is the only one it meets, and splits in two
 * (into the slot reserved first); otherwise each range yields at most one,
 * so filtering in place is safe. Returns 0 or -1 (as ivset_add). */
static inline int ivset_remove(IVSET_SET *s, IVSET_KEY lo, IVSET_KEY hi)
{
	size_t out = 0;

	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if (ivset_reserve(s, s->n + 1) < 0)
		return -1;
	s->n = ivset_normalize(s->r, s->n);
	s->final = false;
	for (size_t i = 0; i < s->n; i++) {
		IVSET_RANGE c = s->r[i];

		if (c.lo < lo && c.hi > hi) {
			memmove(&s->r[i + 2], &s->r[i + 1], (s->n - i - 1) * sizeof(*s->r));
			s->r[i] = (IVSET_RANGE){ c.lo, (IVSET_KEY)(lo - 1) };
			s->r[i + 1] = (IVSET_RANGE){ (IVSET_KEY)(hi + 1), c.hi };
			s->n++;
			return 0;
		}
		if (c.hi < lo || c.lo > hi)
			s->r[out++] = c;
		else if (c.lo < lo)
			s->r[out++] = (IVSET_RANGE){ c.lo, (IVSET_KEY)(lo - 1) };
		else if (c.hi > hi)
			s->r[out++] = (IVSET_RANGE){ (IVSET_KEY)(hi + 1), c.hi };
	}
	s->n = out;
	return 0;
}

/* a minus b, both sorted and disjoint: one merge-like sweep, O(na + nb).
 * Each range of b splits at most one range of a, so na + nb output slots
 * suffice. */
static inline size_t ivset_sweep_subtract(const IVSET_RANGE *a, size_t na,
					  const IVSET_RANGE *b, size_t nb,
					  IVSET_RANGE *out)
{
	size_t j = 0, k = 0;

	for (size_t i = 0; i < na; i++) {
		IVSET_KEY lo = a[i].lo, hi = a[i].hi;
		bool left = true;   /* [lo, hi] not yet used up */

		while (j < nb && b[j].hi < lo)
			j++;
		for (size_t t = j; t < nb && left && b[t].lo <= hi; t++) {
			if (b[t].lo > lo)
				out[k++] = (IVSET_RANGE){ lo, (IVSET_KEY)(b[t].lo - 1) };
			if (b[t].hi >= hi)
				left = false;
			else
				lo = (IVSET_KEY)(b[t].hi + 1);
		}
		if (left)
			out[k++] = (IVSET_RANGE){ lo, hi };
	}
	return k;
}

/* Subtracts every range of ex from s (ex is copied and normalized, so it can
 * stay const). Returns 0, or -1 on allocation failure (s unchanged but for
 * its order). */
static inline int ivset_subtract(IVSET_SET *s, const IVSET_SET *ex)
{
	size_t nb, na;
	IVSET_RANGE *b, *out;

	if (ex->n == 0)
		return 0;
	b = malloc(ex->n * sizeof(*b));
	if (!b)
		return -1;
	memcpy(b, ex->r, ex->n * sizeof(*b));
	nb = ivset_normalize(b, ex->n);
	na = ivset_normalize(s->r, s->n);
	s->n = na;
	out = malloc((na + nb) * sizeof(*out));
	if (!out) {
		free(b);
		return -1;
	}
	s->n = ivset_sweep_subtract(s->r, na, b, nb, out);
	free(b);
	free(s->r);
	s->r = out;
	s->cap = na + nb;
	s->final = false;
	return 0;
}

/* Normalizes and builds the index: prefix[i] = the number of keys before
 * r[i]. Returns 0, or -1 on allocation failure. */
static inline int ivset_finalize(IVSET_SET *s)
{
	IVSET_COUNT sum = 0;
	IVSET_COUNT *prefix;

	s->n = ivset_normalize(s->r, s->n);
	prefix = realloc(s->prefix, (s->n ? s->n : 1) * sizeof(*prefix));
	if (!prefix)
		return -1;
	s->prefix = prefix;
	for (size_t i = 0; i < s->n; i++) {
		prefix[i] = sum;
		sum += (IVSET_COUNT)(s->r[i].hi - s->r[i].lo) + 1;
	}
	s->total = sum;
	s->final = true;
	return 0;
}

/* The i-th key in ascending order (after finalize; the caller guarantees
 * i < the count): the last range whose prefix is <= i. O(log n); the
 * per-probe path of a sweep. */
static inline IVSET_KEY ivset_at(const IVSET_SET *s, uint64_t i)
{
	size_t lo = 0, hi = s->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->prefix[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return s->r[lo].lo + (IVSET_KEY)(i - s->prefix[lo]);
}

/* The index of the range holding v, or IVSET_NONE. Binary search after
 * finalize; before it the ranges may be unsorted, so a linear scan. */
static inline size_t ivset_find(const IVSET_SET *s, IVSET_KEY v)
{
	size_t lo = 0, hi = s->n;

	if (!s->final) {
		for (size_t i = 0; i < s->n; i++)
			if (s->r[i].lo <= v && v <= s->r[i].hi)
				return i;
		return IVSET_NONE;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].hi < v)
			lo = mid + 1;
		else if (s->r[mid].lo > v)
			hi = mid;
		else
			return mid;
	}
	return IVSET_NONE;
}

#undef IVSET_SET
#undef IVSET_RANGE
#undef IVSET_KEY
#undef IVSET_KEY_MAX
#undef IVSET_COUNT
