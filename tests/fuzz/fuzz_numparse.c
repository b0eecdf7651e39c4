/*
 * fuzz_numparse.c — libFuzzer harness for the bounded number parsers. The
 * first byte picks the parser and the bounds (those the options use, plus
 * bounds from the input), the rest is the text. Each parser is compared
 * with a reference written here from the documented grammar, in 128-bit
 * arithmetic: it must accept exactly what the grammar and the bounds allow,
 * with the exact value, and a refusal must name the option and say the
 * truth about which bound was crossed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "scanner/numparse.h"
#include "tests/fuzz/fuzz_util.h"

typedef unsigned __int128 u128;
#define NS UINT64_C(1000000000)
#define BIG ((u128)1 << 100)      /* "does not fit": saturate here */

struct ref {
	bool syntax_ok;
	u128 value;                   /* saturated at BIG */
};

static bool digit(char c) { return c >= '0' && c <= '9'; }

static u128 sat_mul_add(u128 v, u128 m, u128 a)
{
	if (v >= BIG || (m && v > (BIG - a) / m))
		return BIG;
	return v * m + a;
}

/* digits ['.' digits] suffix, where suffix must be one of sfx[] (mult[]);
 * the value is floor(number * mult), and with exact set, a fraction that
 * does not give a whole number is a syntax error (rates). */
static struct ref reference(const char *s, bool frac_ok, const char *const *sfx,
			    const uint64_t *mult, size_t nsfx, bool exact)
{
	struct ref r = { false, 0 };
	u128 whole = 0;
	const char *f = NULL;
	size_t flen = 0;

	if (!digit(*s))
		return r;
	for (; digit(*s); s++)
		whole = sat_mul_add(whole, 10, (unsigned)(*s - '0'));
	if (frac_ok && *s == '.') {
		s++;
		if (!digit(*s))
			return r;
		f = s;
		while (digit(*s))
			s++;
		flen = (size_t)(s - f);
	}
	for (size_t i = 0; i < nsfx; i++) {
		if (strcmp(s, sfx[i]) != 0)
			continue;
		/* fraction * mult / 10^flen. Rates must come out whole: 27
		 * digits fit 128 bits with mult <= 10^9, and any non-zero digit
		 * past them cannot. Durations round down and ignore digits past
		 * the 18th (numparse.h: worth less than a nanosecond). */
		size_t maxdig = exact ? 27 : 18;
		u128 fv = 0, div = 1;
		bool rest_nonzero = false;
		for (size_t k = 0; k < flen; k++) {
			if (k < maxdig) {
				fv = fv * 10 + (unsigned)(f[k] - '0');
				div *= 10;
			} else if (f[k] != '0') {
				rest_nonzero = true;
			}
		}
		u128 prod = fv * mult[i];
		if (exact && (prod % div != 0 || rest_nonzero))
			return r;
		r.syntax_ok = true;
		r.value = sat_mul_add(whole, mult[i], prod / div);
		return r;
	}
	return r;
}

static void check(const char *opt, const char *s, int rc, uint64_t out, const char *err,
		  struct ref ref, uint64_t min, uint64_t max)
{
	bool in_range = ref.syntax_ok && ref.value >= min && ref.value <= max;

	FUZZ_CHECK((rc == 0) == in_range, "%s \"%s\": rc %d, reference %s (value %s %llu)",
		   opt, s, rc, ref.syntax_ok ? "parses" : "does not parse",
		   ref.value >= BIG ? ">= 2^100" : "=", (unsigned long long)ref.value);
	if (rc == 0) {
		FUZZ_CHECK(out == (uint64_t)ref.value, "%s \"%s\" = %llu, reference %llu", opt, s,
			   (unsigned long long)out, (unsigned long long)ref.value);
		return;
	}
	FUZZ_CHECK(strncmp(err, opt, strlen(opt)) == 0, "message does not name %s: %s", opt, err);
	if (ref.syntax_ok && ref.value > max)
		FUZZ_CHECK(strstr(err, "too small") == NULL,
			   "%s \"%s\" is above the maximum %llu, message: %s", opt, s,
			   (unsigned long long)max, err);
	if (ref.syntax_ok && ref.value < min)
		FUZZ_CHECK(strstr(err, "too large") == NULL,
			   "%s \"%s\" is below the minimum %llu, message: %s", opt, s,
			   (unsigned long long)min, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const u_sfx[] = { "" };
	static const uint64_t u_mult[] = { 1 };
	static const char *const r_sfx[] = { "", "k", "K", "M", "G" };
	static const uint64_t r_mult[] = { 1, 1000, 1000, 1000000, 1000000000 };
	static const char *const d_sfx[] = { "", "s", "ms", "m", "h" };
	static const uint64_t d_mult[] = { NS, NS, 1000000, 60 * NS, 3600 * NS };
	/* bounds the options use, then one pair from the input */
	static const uint64_t bounds[][2] = {
		{ 1, UINT64_MAX }, { 1, 65535 }, { 0, 65534 }, { 18, 1472 },
		{ 0, 86400 * NS }, { NS / 10, 86400 * NS }, { 1, 366 * 86400 * NS },
	};
	char s[128], err[512];
	uint64_t out = 0, min, max;
	struct fuzz_in in = { data, size };

	uint8_t sel = fuzz_u8(&in);
	unsigned b = (sel >> 2) % 8;
	if (b < 7) {
		min = bounds[b][0];
		max = bounds[b][1];
	} else {
		min = (uint64_t)fuzz_u32(&in) << 32 | fuzz_u32(&in);
		max = (uint64_t)fuzz_u32(&in) << 32 | fuzz_u32(&in);
	}
	size_t n = in.n < sizeof(s) - 1 ? in.n : sizeof(s) - 1;
	memcpy(s, in.p, n);
	s[n] = '\0';
	err[0] = '\0';
	switch (sel % 3) {
	case 0: {
		int rc = num_u64("--opt", s, min, max, &out, err, sizeof(err));
		check("--opt", s, rc, out, err, reference(s, false, u_sfx, u_mult, 1, true), min, max);
		break;
	}
	case 1: {
		int rc = num_rate("--rate", s, min, max, &out, err, sizeof(err));
		if (strcmp(s, "max") == 0) {
			FUZZ_CHECK(rc == 0 && out == UINT64_MAX, "\"max\": rc %d out %llu", rc,
				   (unsigned long long)out);
			break;
		}
		check("--rate", s, rc, out, err, reference(s, true, r_sfx, r_mult, 5, true), min, max);
		break;
	}
	default: {
		int rc = num_duration("--time", s, min, max, &out, err, sizeof(err));
		check("--time", s, rc, out, err, reference(s, true, d_sfx, d_mult, 5, false), min, max);
		break;
	}
	}
	return 0;
}
