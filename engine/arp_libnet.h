/*
 * arp_libnet.h — engine-internal: builds the ARP request's layers into a
 * libnet context. Shared by the template builder, the reference build and
 * the libnet send backend. Only engine/ includes this (it pulls in libnet.h).
 */
#ifndef ECHOSCAN_ARP_LIBNET_H
#define ECHOSCAN_ARP_LIBNET_H

#include <libnet.h>
#include "engine/arp.h"

struct arp_ptags { libnet_ptag_t arp, eth; };

/* Builds (tags zeroed) or updates (tags from an earlier call) the ARP request
 * for tpa (host order) and its broadcast Ethernet header. Returns 0, or -1
 * with err set (libnet_geterror); after a failure the context is cleared and
 * the tags zeroed, so the next call builds afresh. */
int arp_libnet_build(libnet_t *l, const uint8_t src_mac[6], uint32_t saddr,
		     uint32_t tpa, struct arp_ptags *tags, char *err, size_t errlen);

#endif
