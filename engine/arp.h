/*
 * arp.h — ARP for on-link targets: the request frame (crafted once with
 * libnet, then stamped per target) and a pure parser for the replies.
 *
 * Request frame (42 bytes, RFC 826; the NIC pads it to 60 on the wire):
 *   Ethernet: dst ff:ff:ff:ff:ff:ff, src = our MAC, type 0x0806
 *   ARP: htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request),
 *        sha = our MAC, spa = our address, tha = 00:00:00:00:00:00,
 *        tpa = the target (the only stamped field, bytes 38..41).
 * ARP has no checksum and no room for a keyed hash: a reply is accepted on
 * its form (arp_parse_reply) plus the caller's checks that it answers our
 * request (tpa == our address, tha == our MAC) and that spa is a target.
 *
 * Thread-safety: a template is read-only once built; stamping writes only
 * the caller's buffer (no allocation, no locks), so one template can serve
 * several threads. The parser is pure and bounds-checked on every byte.
 */
#ifndef ECHOSCAN_ARP_H
#define ECHOSCAN_ARP_H

#include <stddef.h>
#include <stdint.h>

#define ARP_ETH_LEN    14
#define ARP_BODY_LEN   28                      /* Ethernet/IPv4 ARP */
#define ARP_FRAME_LEN  (ARP_ETH_LEN + ARP_BODY_LEN)
#define ARP_OFF_TPA    (ARP_ETH_LEN + 24)      /* target protocol address */

struct arp_template {
	uint8_t frame[ARP_FRAME_LEN];
	size_t  len;                            /* ARP_FRAME_LEN */
};

/* Crafts the request template with libnet (LIBNET_NONE context: no privilege
 * needed) from our MAC and address (host order), tpa zero. Returns 0, or -1
 * with err set. */
int arp_template_build(struct arp_template *t, const uint8_t src_mac[6],
		       uint32_t saddr, char *err, size_t errlen);
/* Copies the template into out (t->len bytes) and writes tpa (host order). */
void arp_stamp(const struct arp_template *t, uint32_t tpa, uint8_t *out);
/* Writes only tpa into a buffer that already holds a copy of this template:
 * the fast path for reused ring slots. */
void arp_restamp(uint32_t tpa, uint8_t *out);
/* arp_stamp for n targets: out[i] gets the request for tpa[i]. */
void arp_stamp_batch(const struct arp_template *t, const uint32_t *tpa,
		     unsigned n, uint8_t *const *out);
/* Reference: a full libnet build of the request for tpa (the tests compare
 * stamped frames with it). out must hold ARP_FRAME_LEN bytes. Returns 0 or
 * -1 with err set. */
int arp_build_full(const uint8_t src_mac[6], uint32_t saddr, uint32_t tpa,
		   uint8_t *out, size_t *len, char *err, size_t errlen);

enum arp_status {
	ARP_OK = 0,
	ARP_NOT_REPLY,      /* not ARP, or ARP but not an Ethernet/IPv4 reply */
	ARP_TRUNCATED,      /* shorter than the headers */
	ARP_MALFORMED,      /* an IPv4-over-Ethernet reply with an unusable
	                     * sender: zero, broadcast or multicast MAC, or
	                     * sender address 0.0.0.0 */
};

struct arp_reply {
	uint32_t spa;       /* sender (the host that answered), host order */
	uint8_t  sha[6];    /* its MAC, from the ARP body */
	uint32_t tpa;       /* whom it answers: our address, host order */
	uint8_t  tha[6];    /* our MAC */
};

/* Decodes an ARP reply (op 2) from a captured frame. linktype: DLT_EN10MB
 * (1, 802.1Q/802.1ad tags skipped) or DLT_LINUX_SLL (113); anything else is
 * ARP_NOT_REPLY. Requests (op 1) are ARP_NOT_REPLY too: a host that
 * answers our request sends a reply, and a request seen on the wire tells
 * nothing about a target we probed (it may be any host's own lookup).
 * Ethernet padding after the 28-byte body is ignored. out is filled only
 * when the result is ARP_OK. */
enum arp_status arp_parse_reply(int linktype, const uint8_t *frame, size_t caplen,
				struct arp_reply *out);
const char *arp_status_str(enum arp_status s);

#endif
