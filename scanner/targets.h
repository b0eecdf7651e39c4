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
#include <stdint.h>
#include <echoscan.h>

/* Host name families (struct es_addr's family numbers). */
enum { TARGETS_AF4 = 4, TARGETS_AF6 = 6 };

/* Where targets go: every range into set (an unsealed es_targets). With v6
 * false an IPv6 target is an error that says IPv6 is not supported there
 * (a malformed one is named as such). family chooses what host names
 * resolve to: 0 both A and AAAA (AAAA only when v6 is set), TARGETS_AF4
 * or TARGETS_AF6. named, when not NULL, receives every IPv4 target lying wholly
 * inside a reserved range (targets_note_named), as typed: what
 * targets_default_exclusions needs. added counts the targets added. */
struct target_sets {
	es_targets *set;
	bool v6;
	int family;
	es_targets *named;
	size_t added;
};

/* Parses one target without DNS. Returns 0 and the range, or -1 with err set.
 * *is_name is set when the text is not an address form (a host name candidate). */
int targets_parse_spec(const char *text, uint32_t *lo, uint32_t *hi,
		       bool *is_name, char *err, size_t errlen);
/* Parses one IPv6 target: "addr", "addr/len" (host bits masked off) or
 * "addr-addr". Returns 0 and the range (family 6), or -1 with err naming
 * the bad part. */
int targets_parse_spec6(const char *text, struct es_addr *lo, struct es_addr *hi,
			char *err, size_t errlen);
/* The prefix length plen when lo..hi (IPv6) is exactly one prefix
 * (lo/plen), else -1. */
int targets_prefix6(const struct es_addr *lo, const struct es_addr *hi);
/* The forms below with both families (struct target_sets). */
int targets_add_to(struct target_sets *ts, const char *text, bool allow_dns,
		   char *err, size_t errlen);
int targets_add_stream_to(struct target_sets *ts, FILE *f, const char *name,
			  bool allow_dns, bool require_some, char *err, size_t errlen);
int targets_add_file_to(struct target_sets *ts, const char *path, bool allow_dns,
			bool require_some, char *err, size_t errlen);
/* Parses one IPv4 target, resolving host names when allow_dns; adds it to
 * set (unsealed). */
int targets_add(es_targets *set, const char *text, bool allow_dns,
		char *err, size_t errlen);
/* Reads targets from an open stream (name is used in messages). A file with
 * no target at all is an error ("FILE: no targets"). */
int targets_add_stream(es_targets *set, FILE *f, const char *name,
		       bool allow_dns, bool require_some, char *err, size_t errlen);
/* Opens path ("-" = stdin) and calls targets_add_stream. */
int targets_add_file(es_targets *set, const char *path, bool allow_dns,
		     bool require_some, char *err, size_t errlen);

/* The addresses a careless wide target must not reach, skipped unless named:
 * 0.0.0.0/8, 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved) and
 * 255.255.255.255 (limited broadcast). targets_note_named adds the IPv4
 * target lo..hi to named when it lies wholly inside them (such a target was
 * named on purpose: 224.0.0.1, 240.0.0.0/8); each target as typed, or each
 * address a host name resolved to, is noted on its own. Returns 0, or -1
 * when out of memory. */
int targets_note_named(es_targets *named, uint32_t lo, uint32_t hi);
/* Fills out (new, empty) with the reserved ranges minus every target noted
 * in named, and seals both. Returns 0, or -1 when out of memory. */
int targets_default_exclusions(es_targets *named, es_targets *out);

/* The IPv4 targets texts[0..n-1] (as targets_add takes them, names
 * resolved) and, when file is not NULL, those of that -iL file, as a new
 * sealed public set in *out (the caller frees it: es_targets_free). For
 * echoscan trace, whose targets are IPv4 only. Returns 0, or -1 with err
 * set and *out NULL. */
int targets_public_v4(char *const *texts, int n, const char *file, es_targets **out,
		      char *err, size_t errlen);

#endif
