/*
 * probe_libnet.h — engine-internal: builds the probe's layers into a libnet
 * context. Shared by the template builder, the reference build and the
 * libnet send backend. Only engine/ includes this (it pulls in libnet.h).
 */
#ifndef ECHOSCAN_PROBE_LIBNET_H
#define ECHOSCAN_PROBE_LIBNET_H

#include <libnet.h>
#include "engine/probe.h"

struct probe_ptags { libnet_ptag_t icmp, ip, eth; };

/* Builds (tags zeroed) or updates (tags from an earlier call) the ICMP echo,
 * IPv4 and Ethernet layers for f (NULL: all stamped fields zero, the
 * template). Returns 0, or -1 with err set (libnet_geterror). */
int probe_libnet_build(libnet_t *l, const struct probe_params *p,
		       const struct vkey *key, const struct probe_fields *f,
		       struct probe_ptags *tags, char *err, size_t errlen);

#endif
