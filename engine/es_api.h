/*
 * es_api.h — what the public API's modules (engine/es_*.c) share and the
 * public header does not show: results and addresses converted between the
 * engine's host-order IPv4 records and the public es_ types, target text,
 * and errors written as a code plus a detail text in the caller's buffer.
 * Pure helpers; any thread.
 */
#ifndef ECHOSCAN_ES_API_H
#define ECHOSCAN_ES_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "echoscan.h"
#include "engine/result.h"

/* The engine's mandatory defaults, shared by every level. */
#define ES_DEFAULT_SIZE   56
#define ES_DEFAULT_TTL    64
#define ES_SIZE_MIN       18     /* PROBE_PAYLOAD_MIN (ES_PAYLOAD_MIN) */
#define ES_SIZE_MAX       1472   /* PROBE_PAYLOAD_MAX */

/* a <- host-order IPv4 address (0 gives family 0: none). */
void es_addr_set_v4(struct es_addr *a, uint32_t host_order);
/* The host-order IPv4 address of a, or 0 when a is not IPv4. */
uint32_t es_addr_get_v4(const struct es_addr *a);
/* The public record of an engine result. */
void es_reply_from_result(const struct es_result *r, struct es_reply *out);
/* The public record of a per-host statistics row (duplicates 0; loss from
 * sent and received). */
void es_host_stats_from_row(const struct host_stats_row *row, struct es_host_stats *out);
/* Parses "a.b.c.d", "a.b.c.d/len" or "a.b.c.d-e.f.g.h" into an inclusive
 * host-order range. Returns ES_OK, ES_EINVAL (err says why, naming text)
 * or ES_EUNSUPPORTED (IPv6). */
int es_range_parse(const char *text, uint32_t *lo, uint32_t *hi, char *err, size_t errlen);
/* host (numeric IPv4 or IPv6, or a name: its first IPv4 address) into a.
 * Returns ES_OK, ES_EINVAL (host NULL), ES_ENOTFOUND or ES_ENOMEM with err
 * filled. es_ping.c; es_ping and es_traceroute share it. */
int es_resolve(const char *host, struct es_addr *a, char *err, size_t errlen);
/* Parses an IPv6 "addr", "addr/len" (host bits masked off) or "addr-addr"
 * into an inclusive range of 128-bit numbers (addr.h). Returns ES_OK or
 * ES_EINVAL (err names the text). */
int es_range6_parse(const char *text, unsigned __int128 *lo, unsigned __int128 *hi,
		    char *err, size_t errlen);
/* Writes the formatted detail into err (when err is not NULL) and returns
 * code, so `return es_fail(err, len, ES_EINVAL, "...")` reads as it does. */
int es_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- level 1 on level 2 (es_scan.c) --------------------------------- */
struct scan;
/* Internal settings of a configuration: per-host statistics (multiping) and
 * the capture buffer (0: the engine's choice; a trace takes a small one). */
void es_scan_config_keep_stats(es_scan_config *c, bool on);
void es_scan_config_rx_buffer(es_scan_config *c, size_t bytes);
/* Takes up to max queued engine results (no conversion). Never blocks. */
size_t es_scan_take(es_scan *s, struct es_result *out, size_t max);
/* Sleeps until the scan has news or its cooldown ends, at most max_ns;
 * the caller then calls es_scan_process. */
void es_scan_sleep(es_scan *s, uint64_t max_ns);
/* The engine under the handle (its host tables once the scan ended). */
struct scan *es_scan_engine(es_scan *s);

/* ---- target sets (es_targets.c) for es_scan.c ------------------------ */
struct ipset;
struct ip6set;
const struct ipset *es_targets_v4(const es_targets *t);
const struct ip6set *es_targets_v6(const es_targets *t);
bool es_targets_sealed(const es_targets *t);

#endif
