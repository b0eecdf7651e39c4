/*
 * probe.h — the ICMP echo request frame: crafted once with libnet, then
 * stamped per target with incremental checksums (the hot path).
 *
 * Frame: Ethernet (14) + IPv4 (20, DF off) + ICMP echo (8) + payload, or,
 * for devices without a link-layer header (ip_layer), the IP packet alone.
 * Payload layout (big-endian):
 *   [0..7]   send time, ns since the epoch (CLOCK_REALTIME)
 *   [8..15]  MAC = validate_mac(daddr, time, probe)
 *   [16..17] probe number
 *   [18..]   fill pattern (constant, -p in ping mode; default 0x00.. then i & 0xff)
 * Stamped per target: IP dst, IP ID (= probe), IP checksum, ICMP id, seq,
 * the first 18 payload bytes and the ICMP checksum. Everything else is the
 * libnet-built template. A template is read-only once built; stamping writes
 * only into the caller's buffer, so one template can serve several threads.
 */
#ifndef ECHOSCAN_PROBE_H
#define ECHOSCAN_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/validate.h"

#define PROBE_ETH_LEN     14
#define PROBE_IP_LEN      20
#define PROBE_ICMP_LEN     8
#define PROBE_HDR_LEN     (PROBE_ETH_LEN + PROBE_IP_LEN + PROBE_ICMP_LEN)
#define PROBE_STAMP_LEN   18     /* send time, MAC, probe number */
#define PROBE_PAYLOAD_MIN PROBE_STAMP_LEN
#define PROBE_PAYLOAD_MAX 1472   /* 1500-byte MTU */
#define PROBE_FRAME_MAX   (PROBE_HDR_LEN + PROBE_PAYLOAD_MAX)

struct probe_params {
	uint8_t  src_mac[6];
	uint8_t  dst_mac[6];
	uint32_t saddr;          /* host order */
	uint8_t  ttl;            /* default 64 */
	uint8_t  tos;
	uint16_t frag;           /* IP flags + fragment offset (host order): IP_DF or 0 */
	uint16_t payload_len;    /* PROBE_PAYLOAD_MIN..PROBE_PAYLOAD_MAX */
	const uint8_t *pattern;  /* fill for bytes 18.. (repeated), NULL = default */
	size_t   pattern_len;
	bool     ip_layer;       /* no Ethernet header (tun, ipip, ...) */
};

struct probe_template {
	uint8_t  frame[PROBE_FRAME_MAX];
	size_t   len;            /* frame length */
	size_t   link_len;       /* PROBE_ETH_LEN, or 0 with ip_layer */
	uint32_t ip_sum;         /* unfolded sum of the constant IP header words */
	uint32_t icmp_sum;       /* unfolded sum of the constant ICMP words */
	struct vkey key;
};

/* The per-target values. */
struct probe_fields {
	uint32_t daddr;          /* host order */
	uint16_t probe;
	uint64_t ts_ns;
};

/* Crafts the template with libnet (LIBNET_NONE context: no privilege needed)
 * with zeros in the stamped fields. Returns 0, or -1 with err set. */
int probe_template_build(struct probe_template *t, const struct probe_params *p,
			 const struct vkey *key, char *err, size_t errlen);
/* Copies the template into out (t->len bytes) and stamps it. */
void probe_stamp(const struct probe_template *t, const struct probe_fields *f,
		 uint8_t *out);
/* Stamps a buffer that already holds a stamped copy of this template
 * (writes only the variable fields): the fast path for reused ring slots. */
void probe_restamp(const struct probe_template *t, const struct probe_fields *f,
		   uint8_t *out);
/* probe_stamp for n targets that share the probe number and send time:
 * out[i] gets the frame for daddr[i]. Same bytes as n probe_stamp calls; the
 * keyed hashes are computed several at a time (validate_stamp_batch). */
void probe_stamp_batch(const struct probe_template *t, const uint32_t *daddr,
		       unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out);
/* probe_stamp_batch with a template per target (all built with the same
 * key): out[i] gets t[i]'s frame stamped for daddr[i]. */
void probe_stamp_multi(const struct probe_template *const *t, const uint32_t *daddr,
		       unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out);
/* Rewrites the IP source of a stamped frame of template t (several -S
 * addresses), fixing the IP checksum incrementally. */
void probe_set_source(const struct probe_template *t, uint8_t *frame, uint32_t saddr);
/* Rewrites the IP TTL of a stamped frame of template t (traceroute probes),
 * fixing the IP checksum incrementally. */
void probe_set_ttl(const struct probe_template *t, uint8_t *frame, uint8_t ttl);
/* The payload on its own, for senders that do not build frames (the ICMP
 * datagram socket) and for validation: */
/* len within PROBE_PAYLOAD_MIN..max (the family's largest) and a pattern,
 * if given, not empty: 0, or -1 with err naming the bad value */
int probe_payload_check(uint16_t len, uint16_t max, const uint8_t *pattern,
			size_t pattern_len, char *err, size_t errlen);
/* bytes PROBE_STAMP_LEN..len-1: the pattern repeated, or i & 0xff when
 * pattern is NULL or empty */
void probe_payload_fill(uint8_t *pl, size_t len, const uint8_t *pattern,
			size_t pattern_len);
/* the first PROBE_STAMP_LEN bytes: send time, MAC over (daddr, time, probe),
 * probe number */
void probe_payload_stamp(uint8_t *pl, const struct vkey *key, uint32_t daddr,
			 uint64_t ts_ns, uint16_t probe);
/* Checks a stamp (at least PROBE_STAMP_LEN bytes) against daddr and probe;
 * returns now_ns minus the send time (0 if the clock went back), or -1 if
 * the probe number or the MAC does not match. */
int64_t probe_payload_rtt(const uint8_t *pl, const struct vkey *key, uint32_t daddr,
			  uint16_t probe, uint64_t now_ns);
/* Reference: builds the same frame with a full libnet build of every layer.
 * Used by the tests and by the libnet send backend. Returns 0 or -1. */
int probe_build_full(const struct probe_params *p, const struct vkey *key,
		     const struct probe_fields *f, uint8_t *out, size_t *len,
		     char *err, size_t errlen);

#endif
