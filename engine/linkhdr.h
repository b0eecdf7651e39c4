/*
 * linkhdr.h — engine-internal: the link-layer header of a captured frame,
 * walked the same way for IPv4 (engine/parse.c), IPv6 (engine/parse6.c)
 * and ARP (engine/arp.c): Ethernet with any number of 802.1Q / 802.1ad tags,
 * Linux cooked capture (SLL), and the raw IP link types. Pure and bounded
 * by caplen; static inline, as it runs for every received frame.
 */
#ifndef ECHOSCAN_LINKHDR_H
#define ECHOSCAN_LINKHDR_H

#include <stddef.h>
#include <stdint.h>

#include "engine/be.h"
#include "engine/parse.h"

enum {
	LINK_EN10MB = 1, LINK_RAW_BSD = 12, LINK_RAW_OBSD = 14, LINK_RAW = 101,
	LINK_LINUX_SLL = 113,                  /* pcap DLT_ values */
	LINK_ETH_HLEN = 14, LINK_SLL_HLEN = 16, LINK_VLAN_TAG_LEN = 4,
};

/* The offset of the network header in a frame of linktype whose EtherType
 * (after the tags) is ethertype: PARSE_OK and *off; 0 for the raw IP link
 * types, whose IP version the caller checks. PARSE_NOT_ICMP for another
 * EtherType or link type, PARSE_TRUNCATED for a header cut short. */
static inline enum parse_status link_skip(int linktype, const uint8_t *pkt, size_t caplen,
					  uint16_t ethertype, size_t *off)
{
	size_t o = LINK_ETH_HLEN;
	uint16_t type;

	switch (linktype) {
	case LINK_EN10MB:
		if (caplen < LINK_ETH_HLEN)
			return PARSE_TRUNCATED;
		type = be_rd16(pkt + 12);
		while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {  /* 802.1Q, 802.1ad, old QinQ */
			if (caplen < o + LINK_VLAN_TAG_LEN)
				return PARSE_TRUNCATED;
			type = be_rd16(pkt + o + 2);
			o += LINK_VLAN_TAG_LEN;
		}
		break;
	case LINK_LINUX_SLL:
		if (caplen < LINK_SLL_HLEN)
			return PARSE_TRUNCATED;
		type = be_rd16(pkt + 14);
		o = LINK_SLL_HLEN;
		break;
	case LINK_RAW_BSD:
	case LINK_RAW_OBSD:
	case LINK_RAW:
		*off = 0;
		return PARSE_OK;
	default:
		return PARSE_NOT_ICMP;
	}
	if (type != ethertype)
		return PARSE_NOT_ICMP;
	*off = o;
	return PARSE_OK;
}

#endif
