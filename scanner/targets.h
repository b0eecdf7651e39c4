/*
 * targets.h — turns what the user typed into address ranges.
 *
 * Accepted forms: "a.b.c.d", "a.b.c.d/len", "a.b.c.d-e.f.g.h", and host names
 * (resolved with getaddrinfo, every IPv4 address). Files hold one target per
 * line; '#' starts a comment; blank lines are skipped. Exclusion files use the
 * zmap blocklist format (same syntax, CIDR or address per line, comments).
 * Errors are written to err (size errlen) naming the bad input and, for files,
 * the file and line; nothing is printed.
 */
#ifndef ECHOSCAN_TARGETS_H
#define ECHOSCAN_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <echoscan.h>
#include "engine/ip6set.h"
#include "engine/ipset.h"

/* Where targets go: IPv4 ranges into v4, IPv6 ranges into v6. With v6 NULL
 * an IPv6 target is an error that says IPv6 is not supported there (a
 * malformed one is named as such). family chooses what host names resolve
 * to: 0 both A and AAAA (AAAA only when v6 is set), ES_AF4 or ES_AF6. */
struct target_sets {
	struct ipset *v4;
	struct ip6set *v6;
	int family;
};

/* Parses one target without DNS. Returns 0 and the range, or -1 with err set.
 * *is_name is set when the text is not an address form (a host name candidate). */
int targets_parse_spec(const char *text, uint32_t *lo, uint32_t *hi,
		       bool *is_name, char *err, size_t errlen);
/* Parses one IPv6 target: "addr", "addr/len" (host bits masked off) or
 * "addr-addr". Returns 0 and the range, or -1 with err naming the bad part. */
int targets_parse_spec6(const char *text, es_u128 *lo, es_u128 *hi,
			char *err, size_t errlen);
/* The forms below with both families (struct target_sets). */
int targets_add_to(const struct target_sets *ts, const char *text, bool allow_dns,
		   char *err, size_t errlen);
int targets_add_stream_to(const struct target_sets *ts, FILE *f, const char *name,
			  bool allow_dns, bool require_some, char *err, size_t errlen);
int targets_add_file_to(const struct target_sets *ts, const char *path, bool allow_dns,
			bool require_some, char *err, size_t errlen);
/* Parses one target, resolving host names when allow_dns; adds it to set. */
int targets_add(struct ipset *set, const char *text, bool allow_dns,
		char *err, size_t errlen);
/* Reads targets from an open stream (name is used in messages). A file with
 * no target at all is an error ("FILE: no targets"). */
int targets_add_stream(struct ipset *set, FILE *f, const char *name,
		       bool allow_dns, bool require_some, char *err, size_t errlen);
/* Opens path ("-" = stdin) and calls targets_add_stream. */
int targets_add_file(struct ipset *set, const char *path, bool allow_dns,
		     bool require_some, char *err, size_t errlen);

/* The addresses a careless wide target must not reach, skipped unless named:
 * 0.0.0.0/8, 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved) and
 * 255.255.255.255 (limited broadcast). Fills out (initialised, empty) with
 * those ranges minus every target of `given` that lies wholly inside them
 * (such a target was named on purpose: 224.0.0.1, 240.0.0.0/8), and
 * finalizes it. `given` must not be normalized yet (no finalize, remove or
 * subtract since the targets were added): each of its ranges is then one
 * target as typed, or one address a host name resolved to. Returns 0, or -1
 * when out of memory. */
int targets_default_exclusions(const struct ipset *given, struct ipset *out);

/* The IPv4 targets texts[0..n-1] (as targets_add takes them, names
 * resolved) and, when file is not NULL, those of that -iL file, as a new
 * sealed public set in *out (the caller frees it: es_targets_free). For
 * echoscan trace, whose targets are IPv4 only. Returns 0, or -1 with err
 * set and *out NULL. */
int targets_public_v4(char *const *texts, int n, const char *file, es_targets **out,
		      char *err, size_t errlen);

#endif
