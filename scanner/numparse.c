/*
 * numparse.c — strict parsers for numeric options: plain integers, rates
 * with k/M/G suffixes and durations with ms/s/m/h suffixes. Every input must
 * be consumed entirely: signs, spaces, empty strings, trailing junk and values
 * that overflow 64 bits are rejected with a message naming the option and the
 * text, so main only has to print it.
 */
#include "scanner/numparse.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S UINT64_C(1000000000)

/* A number as typed: integer digits, optional fraction digits, then the rest. */
struct decimal {
	uint64_t whole;        /* value of the integer digits */
	bool overflow;         /* the integer digits do not fit in 64 bits */
	const char *frac;      /* first fraction digit, or NULL */
	size_t frac_len;       /* fraction digits, trailing zeros removed */
	const char *rest;      /* first character after the number */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads digits [ '.' digits ]; returns false if there is no digit first or
 * the '.' is not followed by a digit. */
static bool scan_decimal(const char *s, bool allow_frac, struct decimal *d)
{
	memset(d, 0, sizeof(*d));
	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++) {
		unsigned digit = (unsigned)(*s - '0');
		if (d->whole > (UINT64_MAX - digit) / 10)
			d->overflow = true;
		else
			d->whole = d->whole * 10 + digit;
	}
	if (allow_frac && *s == '.') {
		s++;
		if (!is_digit(*s))
			return false;
		d->frac = s;
		while (is_digit(*s))
			s++;
		d->frac_len = (size_t)(s - d->frac);
		while (d->frac_len > 0 && d->frac[d->frac_len - 1] == '0')
			d->frac_len--;
	}
	d->rest = s;
	return true;
}

/* Writes "out of range" in the friendliest form for the bounds given. The
 * side comes from the value (high: above the maximum or past 64 bits), not
 * from which bounds are set: "max" UINT64_MAX still has an overflow above it. */
static void range_error(const char *opt, const char *s, const char *lo_txt,
			const char *hi_txt, bool has_lo, bool has_hi, bool high,
			char *err, size_t errlen)
{
	if (has_lo && has_hi)
		snprintf(err, errlen, "%s: %s is out of range %s..%s", opt, s, lo_txt, hi_txt);
	else if (high)
		snprintf(err, errlen, "%s: %s is too large (at most %s)", opt, s, hi_txt);
	else
		snprintf(err, errlen, "%s: %s is too small (at least %s)", opt, s, lo_txt);
}

static int check_range_u64(const char *opt, const char *s, bool overflow,
			   uint64_t v, uint64_t min, uint64_t max,
			   char *err, size_t errlen)
{
	char lo[24], hi[24];

	if (!overflow && v >= min && v <= max)
		return 0;
	snprintf(lo, sizeof(lo), "%" PRIu64, min);
	snprintf(hi, sizeof(hi), "%" PRIu64, max);
	range_error(opt, s, lo, hi, min > 0, max < UINT64_MAX, overflow || v > max,
		    err, errlen);
	return -1;
}

int num_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
	    uint64_t *out, char *err, size_t errlen)
{
	struct decimal d;

	if (!scan_decimal(s, false, &d) || *d.rest != '\0') {
		snprintf(err, errlen, "%s: \"%s\" is not a whole number", opt, s);
		return -1;
	}
	if (check_range_u64(opt, s, d.overflow, d.whole, min, max, err, errlen) < 0)
		return -1;
	*out = d.whole;
	return 0;
}

/* Fraction digits f[0..len) times mult, divided by 10^len; false unless the
 * result is a whole number (mult is a power of ten up to 1e9). */
static bool frac_times_pow10(const char *f, size_t len, uint64_t mult, uint64_t *out)
{
	uint64_t v = 0, div = 1;

	for (size_t i = 0; i < len; i++) {
		if (div >= mult)
			return false;  /* a non-zero digit below the unit */
		v = v * 10 + (uint64_t)(f[i] - '0');
		div *= 10;
	}
	*out = v * (mult / div);
	return true;
}

static bool rate_suffix(const char *rest, uint64_t *mult)
{
	static const struct { const char *sfx; uint64_t mult; } tab[] = {
		{ "", 1 }, { "k", 1000 }, { "K", 1000 },
		{ "M", 1000000 }, { "G", 1000000000 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcmp(rest, tab[i].sfx) == 0) {
			*mult = tab[i].mult;
			return true;
		}
	}
	return false;
}

/* "max" means "no limit" and is accepted whatever max is: it only has to
 * satisfy min, which UINT64_MAX always does. */
int num_rate(const char *opt, const char *s, uint64_t min, uint64_t max,
	     uint64_t *out, char *err, size_t errlen)
{
	struct decimal d;
	uint64_t mult, frac = 0, v = 0;
	bool overflow;

	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	if (!scan_decimal(s, true, &d) || !rate_suffix(d.rest, &mult) ||
	    !frac_times_pow10(d.frac, d.frac_len, mult, &frac)) {
		snprintf(err, errlen,
			 "%s: \"%s\" is not a rate (use e.g. 10000, 10k, 1.5M or max)",
			 opt, s);
		return -1;
	}
	overflow = d.overflow || d.whole > (UINT64_MAX - frac) / mult;
	if (!overflow)
		v = d.whole * mult + frac;
	if (check_range_u64(opt, s, overflow, v, min, max, err, errlen) < 0)
		return -1;
	*out = v;
	return 0;
}

static bool duration_unit(const char *rest, uint64_t *unit_ns)
{
	static const struct { const char *sfx; uint64_t ns; } tab[] = {
		{ "", NS_PER_S }, { "s", NS_PER_S }, { "ms", UINT64_C(1000000) },
		{ "m", 60 * NS_PER_S }, { "h", 3600 * NS_PER_S },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcmp(rest, tab[i].sfx) == 0) {
			*unit_ns = tab[i].ns;
			return true;
		}
	}
	return false;
}

/* Fraction of a unit in nanoseconds, rounded down. Digits past the 18th are
 * worth less than a nanosecond for every unit we have, so they are ignored. */
static uint64_t frac_ns(const char *f, size_t len, uint64_t unit_ns)
{
	unsigned __int128 v = 0, div = 1;

	if (len > 18)
		len = 18;
	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (unsigned)(f[i] - '0');
		div *= 10;
	}
	return (uint64_t)(v * unit_ns / div);
}

/* Shows a bound in the largest unit that divides it exactly. */
static void format_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns % (3600 * NS_PER_S) == 0 && ns > 0)
		snprintf(buf, len, "%" PRIu64 "h", ns / (3600 * NS_PER_S));
	else if (ns % (60 * NS_PER_S) == 0 && ns > 0)
		snprintf(buf, len, "%" PRIu64 "m", ns / (60 * NS_PER_S));
	else if (ns % NS_PER_S == 0)
		snprintf(buf, len, "%" PRIu64 "s", ns / NS_PER_S);
	else if (ns % 1000000 == 0)
		snprintf(buf, len, "%" PRIu64 "ms", ns / 1000000);
	else
		snprintf(buf, len, "%" PRIu64 ".%09" PRIu64 "s", ns / NS_PER_S, ns % NS_PER_S);
}

/* The text is checked by scan_decimal first, so strtod sees only digits
 * with an optional fraction and rounds them correctly. */
int num_decimal(const char *opt, const char *s, double min, double max,
		double *out, char *err, size_t errlen)
{
	struct decimal d;
	double v;

	if (!scan_decimal(s, true, &d) || *d.rest != '\0') {
		snprintf(err, errlen, "%s: \"%s\" is not a number (use e.g. 3 or 0.5)", opt, s);
		return -1;
	}
	v = strtod(s, NULL);
	if (d.overflow || !(v >= min && v <= max)) {
		snprintf(err, errlen, "%s: %s is out of range %g..%g", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int num_duration(const char *opt, const char *s, uint64_t min_ns, uint64_t max_ns,
		 uint64_t *out_ns, char *err, size_t errlen)
{
	struct decimal d;
	uint64_t unit, frac, v = 0;
	bool overflow;
	char lo[32], hi[32];

	if (!scan_decimal(s, true, &d) || !duration_unit(d.rest, &unit)) {
		snprintf(err, errlen,
			 "%s: \"%s\" is not a duration (use e.g. 8, 0.5, 250ms, 2m or 1h)",
			 opt, s);
		return -1;
	}
	frac = frac_ns(d.frac, d.frac_len, unit);
	overflow = d.overflow || d.whole > (UINT64_MAX - frac) / unit;
	if (!overflow)
		v = d.whole * unit + frac;
	if (!overflow && v >= min_ns && v <= max_ns) {
		*out_ns = v;
		return 0;
	}
	format_ns(lo, sizeof(lo), min_ns);
	format_ns(hi, sizeof(hi), max_ns);
	range_error(opt, s, lo, hi, min_ns > 0, max_ns < UINT64_MAX, overflow || v > max_ns,
		    err, errlen);
	return -1;
}
