/*
 * frame_libnet.h — engine-internal: one frame built by libnet into a
 * caller's buffer, the sequence the ARP request, the IPv4 probe and the
 * IPv6 probe builders share: a construct-only context (LIBNET_NONE, no
 * privilege needed), the caller's layers, libnet_pblock_coalesce (checksums
 * filled in), a check of the length, the copy, and the clean-up on every
 * path. Set-up only (templates and the reference frames the tests compare
 * with): it allocates. Only engine/ includes this (it pulls in libnet.h).
 */
#ifndef ECHOSCAN_FRAME_LIBNET_H
#define ECHOSCAN_FRAME_LIBNET_H

#include <libnet.h>
#include <stddef.h>
#include <stdint.h>

/* Builds every layer of the frame into l (innermost first, as libnet
 * wants). Returns 0, or -1 with err set. */
typedef int (*frame_libnet_layers)(libnet_t *l, void *ctx, char *err, size_t errlen);

/* Runs layers(l, ctx) in a fresh context and copies the coalesced frame
 * into out (room for want bytes), its length into *len. what names the frame
 * in messages ("ARP request"). Returns 0, or -1 with err set (libnet_init,
 * the layers, coalescing, or a frame of another length than want). */
int frame_libnet_build(frame_libnet_layers layers, void *ctx, const char *what,
		       uint32_t want, uint8_t *out, size_t *len, char *err, size_t errlen);

#endif
