/*
 * frame_libnet.c — a frame built once by libnet in a construct-only context
 * (see frame_libnet.h). libnet_pblock_coalesce works in LIBNET_NONE, where
 * libnet_adv_cull_packet would need LIBNET_LINK_ADV and CAP_NET_RAW, so the
 * unit tests build the same bytes unprivileged; the coalesced copy is ours
 * to free.
 */
#include "engine/frame_libnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int frame_libnet_build(frame_libnet_layers layers, void *ctx, const char *what,
		       uint32_t want, uint8_t *out, size_t *len, char *err, size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE] = "";
	uint8_t *pkt = NULL;
	uint32_t pkt_len = 0;
	int rc = -1;
	libnet_t *l = libnet_init(LIBNET_NONE, NULL, lerr);

	if (!l) {
		snprintf(err, errlen, "libnet_init: %s", lerr);
		return -1;
	}
	if (layers(l, ctx, err, errlen) < 0)
		goto out;
	if (libnet_pblock_coalesce(l, &pkt, &pkt_len) == -1) {
		snprintf(err, errlen, "libnet: assembling the %s: %s", what, libnet_geterror(l));
		goto out;
	}
	if (pkt_len != want) {
		snprintf(err, errlen, "libnet built a %u-byte %s, expected %u",
			 (unsigned)pkt_len, what, (unsigned)want);
		goto out;
	}
	memcpy(out, pkt, pkt_len);
	*len = pkt_len;
	rc = 0;
out:
	free(pkt);
	libnet_destroy(l);
	return rc;
}
