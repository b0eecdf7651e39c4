/*
 * numparse.h — the one bounded parser every numeric option goes through.
 * Each returns 0, or -1 with a message in err naming the option and value.
 */
#ifndef ECHOSCAN_NUMPARSE_H
#define ECHOSCAN_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Decimal integer in [min, max]. */
int num_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
	    uint64_t *out, char *err, size_t errlen);
/* Integer with an optional k/K (1e3), M (1e6), G (1e9) suffix, fraction
 * allowed before a suffix ("1.5M"); "max" gives UINT64_MAX. */
int num_rate(const char *opt, const char *s, uint64_t min, uint64_t max,
	     uint64_t *out, char *err, size_t errlen);
/* Seconds, fractional allowed ("0.5", "8"), optional suffix ms/s/m/h;
 * result in nanoseconds within [min_ns, max_ns]. */
int num_duration(const char *opt, const char *s, uint64_t min_ns, uint64_t max_ns,
		 uint64_t *out_ns, char *err, size_t errlen);
/* A plain decimal number, fraction allowed ("3", "0.5"), no sign, exponent
 * or suffix, in [min, max] (a factor such as traceroute's -w HERE). */
int num_decimal(const char *opt, const char *s, double min, double max,
		double *out, char *err, size_t errlen);

#endif
