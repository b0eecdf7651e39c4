/*
 * nd.h — IPv6 neighbour discovery for on-link targets and gateways, the
 * IPv6 counterpart of arp.h: the neighbour solicitation frame (crafted once
 * with libnet, then stamped per target) and a pure parser for neighbour
 * advertisements.
 *
 * Solicitation (RFC 4861 section 4.3; 86 bytes):
 *   Ethernet: dst 33:33:ff + the target's low 24 bits, src = our MAC, 0x86dd
 *   IPv6: hop limit 255, src = our address, dst = the solicited-node group
 *         ff02::1:ff00:0/104 + the target's low 24 bits
 *   ICMPv6 135, code 0: reserved, target address, option 1 (source
 *         link-layer address) = our MAC.
 * Stamped per target: both destinations, the target and the checksum.
 * ND has no room for a keyed hash: an advertisement is accepted on its form
 * (hop limit 255 as RFC 4861 requires, so it was not routed; code 0; a
 * target link-layer address option) plus the caller's checks that it is
 * addressed to us and that its target is one we asked for.
 * Thread-safety: a template is read-only once built; stamping writes only
 * the caller's buffer. The parser is pure and bounds-checked.
 */
#ifndef ECHOSCAN_ND_H
#define ECHOSCAN_ND_H

#include <stddef.h>
#include <stdint.h>

#define ND_NS_FRAME_LEN (14 + 40 + 24 + 8)

struct nd_template {
	uint8_t frame[ND_NS_FRAME_LEN];
	size_t  len;                 /* ND_NS_FRAME_LEN */
	uint32_t sum;                /* unfolded checksum of the constant words */
};

/* The solicited-node multicast group of target and its Ethernet address. */
void nd_solicited_node(const uint8_t target[16], uint8_t group[16], uint8_t mac[6]);
/* Crafts the solicitation template with libnet (LIBNET_NONE: no privilege
 * needed) from our MAC and address, target zero. Returns 0, or -1 with err. */
int nd_template_build(struct nd_template *t, const uint8_t src_mac[6],
		      const uint8_t saddr[16], char *err, size_t errlen);
/* Copies the template into out and stamps the solicitation for target. */
void nd_stamp(const struct nd_template *t, const uint8_t target[16], uint8_t *out);
/* Reference: a full libnet build of the solicitation for target (the tests
 * compare stamped frames with it). Returns 0, or -1 with err set. */
int nd_build_full(const uint8_t src_mac[6], const uint8_t saddr[16],
		  const uint8_t target[16], uint8_t *out, size_t *len,
		  char *err, size_t errlen);

enum nd_status {
	ND_OK = 0,
	ND_NOT_ADVERT,    /* not a neighbour advertisement */
	ND_INVALID,       /* an advertisement RFC 4861 says to drop (hop limit,
	                   * code, bad checksum, too short), or one without
	                   * the target's link-layer address */
};

/* Parses a captured frame (linktype as parse_frame6). With ND_OK: the
 * advertised target, its MAC (the target link-layer address option) and the
 * advertisement's IPv6 destination (to check it is us). */
enum nd_status nd_parse_advert(int linktype, const uint8_t *frame, size_t caplen,
			       uint8_t target[16], uint8_t mac[6], uint8_t dst[16]);

#endif
