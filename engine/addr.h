/*
 * addr.h — one small address type for both families: the family (4 or 6)
 * and 16 bytes in network order (an IPv4 address uses the first 4, the rest
 * zero), so targets, probes, validation, per-host keys and output can carry
 * IPv4 and IPv6 alike. Pure functions on plain values: thread-safe, no
 * allocation.
 *
 * The struct is the public one (echoscan.h); es_addr_parse/es_addr_format
 * there are the public entry points, these the engine's own.
 *
 * Text forms: parsing is strict (inet_pton: no zone index, no leading
 * zeros in IPv4 octets); formatting is RFC 5952 for IPv6 (lower case, no
 * leading zeros, the longest run of two or more zero groups shortened to
 * "::", the first on a tie, "::ffff:a.b.c.d" for IPv4-mapped addresses) and
 * dotted decimal for IPv4.
 */
#ifndef ECHOSCAN_ADDR_H
#define ECHOSCAN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "echoscan.h"     /* struct es_addr: family (4 or 6), bytes[16] in network order */

enum { ES_AF4 = 4, ES_AF6 = 6 };

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" plus NUL fits. */
#define ES_ADDR_STRLEN ES_ADDRSTRLEN

/* 128-bit unsigned arithmetic for prefixes, ranges and counts (gcc and
 * clang on 64-bit targets). */
__extension__ typedef unsigned __int128 es_u128;

struct es_addr es_addr_v4(uint32_t host_order);
struct es_addr es_addr_v6(const uint8_t b[16]);
/* The IPv6 address as a 128-bit number (b[0] most significant), and back. */
es_u128 es_addr_to_u128(const struct es_addr *a);
struct es_addr es_addr_from_u128(es_u128 v);
/* The high and low 64 bits of an IPv6 address (host order): keys for
 * two-level tables. */
uint64_t es_addr_hi64(const struct es_addr *a);
uint64_t es_addr_lo64(const struct es_addr *a);

/* Parses "a.b.c.d" or an IPv6 address (any inet_pton form). Returns true
 * and fills *out, or false for anything else. */
bool es_addr_parse_any(const char *s, struct es_addr *out);
/* Writes the text form into buf (at least ES_ADDR_STRLEN bytes for any
 * address); returns the length written (without the NUL), or 0 when buf is
 * too small (buf then holds ""). */
size_t es_addr_text(const struct es_addr *a, char *buf, size_t len);
/* Total order: IPv4 before IPv6, then numerically. */
int es_addr_cmp(const struct es_addr *a, const struct es_addr *b);
bool es_addr_equal(const struct es_addr *a, const struct es_addr *b);
/* fe80::/10. */
bool es_addr_is_link_local6(const struct es_addr *a);

#endif
