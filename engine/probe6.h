/*
 * probe6.h — the ICMPv6 echo request frame: crafted once with libnet's IPv6
 * and ICMPv6 builders, then stamped per target with the checksum finished
 * from a precomputed sum (the hot path), like probe.h for IPv4.
 *
 * Frame: Ethernet (14, 0x86dd) + IPv6 (40) + ICMPv6 echo (8) + payload, or
 * the IPv6 packet alone for devices without a link-layer header (ip_layer).
 * The payload stamp is IPv4's (probe.h): send time, MAC, probe number, then
 * the fill. Stamped per target: the flow label (= probe number: IPv6 has no
 * IP ID, and an ICMPv6 error quotes the IPv6 header, so the number comes
 * back even in a quote cut short of the payload), the destination, ICMPv6
 * id:seq (the tag), the first 18 payload bytes and the ICMPv6 checksum
 * (over the pseudo-header: source, destination, length, next header 58).
 * A template is read-only once built; stamping writes only the caller's
 * buffer, so one template can serve several threads.
 */
#ifndef ECHOSCAN_PROBE6_H
#define ECHOSCAN_PROBE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/addr.h"
#include "engine/probe.h"
#include "engine/validate6.h"

#define PROBE6_IP_LEN      40
#define PROBE6_HDR_LEN     (PROBE_ETH_LEN + PROBE6_IP_LEN + PROBE_ICMP_LEN)
#define PROBE6_PAYLOAD_MAX 1452   /* 1500-byte MTU */
#define PROBE6_FRAME_MAX   (PROBE6_HDR_LEN + PROBE6_PAYLOAD_MAX)

struct probe6_params {
	uint8_t  src_mac[6];
	uint8_t  dst_mac[6];
	uint8_t  saddr[16];      /* our source address */
	uint8_t  hop_limit;      /* --ttl, default 64 */
	uint16_t payload_len;    /* PROBE_PAYLOAD_MIN..PROBE6_PAYLOAD_MAX */
	const uint8_t *pattern;  /* fill for bytes 18.. (repeated), NULL = default */
	size_t   pattern_len;
	bool     ip_layer;       /* no Ethernet header (tun, ...) */
};

struct probe6_template {
	uint8_t  frame[PROBE6_FRAME_MAX];
	size_t   len;            /* frame length */
	size_t   link_len;       /* PROBE_ETH_LEN, or 0 with ip_layer */
	uint32_t icmp_sum;       /* unfolded sum of the constant checksum words:
	                          * source, length, next header, type/code, fill */
	struct vkey key;
};

struct probe6_fields {
	uint8_t  daddr[16];
	uint16_t probe;
	uint64_t ts_ns;
};

/* Crafts the template with libnet (LIBNET_NONE: no privilege needed), zeros
 * in the stamped fields. Returns 0, or -1 with err set. */
int probe6_template_build(struct probe6_template *t, const struct probe6_params *p,
			  const struct vkey *key, char *err, size_t errlen);
/* Copies the template into out (t->len bytes) and stamps it. */
void probe6_stamp(const struct probe6_template *t, const struct probe6_fields *f,
		  uint8_t *out);
/* Stamps a buffer that already holds a stamped copy of this template. */
void probe6_restamp(const struct probe6_template *t, const struct probe6_fields *f,
		    uint8_t *out);
/* probe6_stamp for n targets sharing probe number and send time:
 * daddr holds n addresses of 16 bytes, out[i] gets the frame for the i-th. */
void probe6_stamp_batch(const struct probe6_template *t, const uint8_t (*daddr)[16],
			unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out);
/* The payload stamp for an IPv6 destination (probe_payload_stamp's layout
 * with validate6_mac), and its check: now_ns minus the send time (0 if the
 * clock went back), or -1 if the probe number or the MAC does not match. */
void probe6_payload_stamp(uint8_t *pl, const struct vkey *key, const uint8_t daddr[16],
			  uint64_t ts_ns, uint16_t probe);
int64_t probe6_payload_rtt(const uint8_t *pl, const struct vkey *key,
			   const uint8_t daddr[16], uint16_t probe, uint64_t now_ns);
/* Reference: the same frame from a full libnet build of every layer (the
 * tests compare stamped frames with it byte for byte). f NULL: the template.
 * Returns 0 or -1 with err set. */
int probe6_build_full(const struct probe6_params *p, const struct vkey *key,
		      const struct probe6_fields *f, uint8_t *out, size_t *len,
		      char *err, size_t errlen);

#endif
