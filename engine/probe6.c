/*
 * probe6.c — the ICMPv6 echo request frame. libnet builds every layer (the
 * template once per run, and the reference frame the tests compare with);
 * the hot path copies the template and writes only the per-target fields,
 * finishing the ICMPv6 checksum from the precomputed sum of the constant
 * words (the pseudo-header's source, length and next header included).
 *
 * libnet 1.1.6 writes the flow label's middle byte wrongly (an operator
 * precedence bug: fl & 0x0FF00 >> 8), so libnet always gets flow label 0 and
 * the label is written here; it is in no checksum.
 */
#include <libnet.h>

#include "engine/probe6.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/be.h"
#include "engine/csum.h"
#include "engine/frame_libnet.h"

#define ICMP6_TYPE_ECHO 128
#define NEXT_HDR_ICMP6   58
/* Offsets inside the IPv6 packet. */
#define IP6_OFF_FLOW     1        /* the label's 20 bits in bytes 1..3 */
#define IP6_OFF_SRC      8
#define IP6_OFF_DST      24
#define OFF_ICMP         PROBE6_IP_LEN
#define OFF_PAYLOAD      (OFF_ICMP + PROBE_ICMP_LEN)
#define ICMP_OFF_SUM     2
#define ICMP_OFF_ID      4

void probe6_payload_stamp(uint8_t *pl, const struct vkey *key, const uint8_t daddr[16],
			  uint64_t ts_ns, uint16_t probe)
{
	be_put(pl, ts_ns, 8);
	be_put(pl + 8, validate6_mac(key, daddr, ts_ns, probe), 8);
	be_put(pl + 16, probe, 2);
}

int64_t probe6_payload_rtt(const uint8_t *pl, const struct vkey *key,
			   const uint8_t daddr[16], uint16_t probe, uint64_t now_ns)
{
	uint64_t sent = be_get(pl, 8);

	if (be_get(pl + 16, 2) != probe ||
	    !validate_mac_equal(validate6_mac(key, daddr, sent, probe), be_get(pl + 8, 8)))
		return -1;
	return sent > now_ns ? 0 : (int64_t)(now_ns - sent);
}

/* The label keeps the version and traffic class bits of byte 1's top. */
static void put_flow(uint8_t *ip, uint32_t label)
{
	ip[IP6_OFF_FLOW] = (uint8_t)((ip[IP6_OFF_FLOW] & 0xf0) | ((label >> 16) & 0x0f));
	ip[IP6_OFF_FLOW + 1] = (uint8_t)(label >> 8);
	ip[IP6_OFF_FLOW + 2] = (uint8_t)label;
}

static int layer_failed(libnet_t *l, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "libnet: building the %s header: %s", what, libnet_geterror(l));
	return -1;
}

struct probe6_layers_ctx {
	const struct probe6_params *p;
	const struct vkey *key;
	const struct probe6_fields *f;
};

/* ICMPv6 echo, IPv6 and (unless at the IP layer) Ethernet; the flow label
 * is left 0 for libnet and written by build_bytes. */
static int probe6_layers(libnet_t *l, void *ctx, char *err, size_t errlen)
{
	const struct probe6_layers_ctx *c = ctx;
	const struct probe6_params *p = c->p;
	uint8_t pl[PROBE6_PAYLOAD_MAX];
	struct libnet_in6_addr src, dst;
	uint32_t tag = 0;

	probe_payload_fill(pl, p->payload_len, p->pattern, p->pattern_len);
	memset(pl, 0, PROBE_STAMP_LEN);
	memcpy(src.__u6_addr.__u6_addr8, p->saddr, 16);
	memset(&dst, 0, sizeof(dst));
	if (c->f) {
		memcpy(dst.__u6_addr.__u6_addr8, c->f->daddr, 16);
		tag = validate6_tag(c->key, c->f->daddr, c->f->probe);
		probe6_payload_stamp(pl, c->key, c->f->daddr, c->f->ts_ns, c->f->probe);
	}
	if (libnet_build_icmpv6_echo(ICMP6_TYPE_ECHO, 0, 0, (uint16_t)(tag >> 16),
				     (uint16_t)tag, pl, p->payload_len, l, 0) == -1)
		return layer_failed(l, "ICMPv6 echo", err, errlen);
	if (libnet_build_ipv6(0, 0, (uint16_t)(PROBE_ICMP_LEN + p->payload_len),
			      NEXT_HDR_ICMP6, p->hop_limit, src, dst, NULL, 0, l, 0) == -1)
		return layer_failed(l, "IPv6", err, errlen);
	if (!p->ip_layer &&
	    libnet_build_ethernet(p->dst_mac, p->src_mac, ETHERTYPE_IPV6, NULL, 0, l, 0) == -1)
		return layer_failed(l, "Ethernet", err, errlen);
	return 0;
}

/* The whole frame from libnet (engine/frame_libnet), checksums filled in,
 * then the flow label. */
static int build_bytes(const struct probe6_params *p, const struct vkey *key,
		       const struct probe6_fields *f, uint8_t *out, size_t *len,
		       char *err, size_t errlen)
{
	struct probe6_layers_ctx c = { p, key, f };
	uint32_t want = (uint32_t)(PROBE6_HDR_LEN - (p->ip_layer ? PROBE_ETH_LEN : 0) +
				   p->payload_len);

	if (probe_payload_check(p->payload_len, PROBE6_PAYLOAD_MAX, p->pattern, p->pattern_len,
				err, errlen) < 0)
		return -1;
	if (frame_libnet_build(probe6_layers, &c, "IPv6 probe", want, out, len, err, errlen) < 0)
		return -1;
	if (f)
		put_flow(out + (p->ip_layer ? 0 : PROBE_ETH_LEN), f->probe);
	return 0;
}

int probe6_build_full(const struct probe6_params *p, const struct vkey *key,
		      const struct probe6_fields *f, uint8_t *out, size_t *len,
		      char *err, size_t errlen)
{
	return build_bytes(p, key, f, out, len, err, errlen);
}

int probe6_template_build(struct probe6_template *t, const struct probe6_params *p,
			  const struct vkey *key, char *err, size_t errlen)
{
	const uint8_t *ip, *icmp;
	uint32_t ulen;

	memset(t, 0, sizeof(*t));
	if (build_bytes(p, key, NULL, t->frame, &t->len, err, errlen) < 0)
		return -1;
	t->key = *key;
	t->link_len = p->ip_layer ? 0 : PROBE_ETH_LEN;
	ip = t->frame + t->link_len;
	icmp = ip + OFF_ICMP;
	ulen = (uint32_t)(PROBE_ICMP_LEN + p->payload_len);
	/* pseudo-header: source, upper-layer length, next header; then
	 * type/code and the fill after the stamped 18 payload bytes */
	t->icmp_sum = csum_add(0, ip + IP6_OFF_SRC, 16);
	t->icmp_sum += (ulen >> 16) + (ulen & 0xffff) + NEXT_HDR_ICMP6;
	t->icmp_sum = csum_add(t->icmp_sum, icmp, ICMP_OFF_SUM);
	t->icmp_sum = csum_add(t->icmp_sum, icmp + PROBE_ICMP_LEN + PROBE_STAMP_LEN,
			       p->payload_len - PROBE_STAMP_LEN);
	return 0;
}

static inline uint32_t sum_addr(const uint8_t *a)
{
	uint32_t s = 0;

	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)a[i] << 8 | a[i + 1];
	return s;
}

static inline void restamp_with(const struct probe6_template *t,
				const struct probe6_fields *f, uint32_t tag,
				uint64_t mac, uint8_t *out)
{
	uint8_t *ip = out + t->link_len, *icmp = ip + OFF_ICMP, *pl = ip + OFF_PAYLOAD;
	uint32_t sum;

	put_flow(ip, f->probe);
	memcpy(ip + IP6_OFF_DST, f->daddr, 16);
	be_st32(icmp + ICMP_OFF_ID, tag);     /* id = high half, seq = low half */
	be_st64(pl, f->ts_ns);
	be_st64(pl + 8, mac);
	be_st16(pl + 16, f->probe);
	sum = t->icmp_sum + sum_addr(f->daddr) + (tag >> 16) + (tag & 0xffff) +
	      be_sum64(f->ts_ns) + be_sum64(mac) + f->probe;
	be_st16(icmp + ICMP_OFF_SUM, csum_fold(sum));
}

void probe6_restamp(const struct probe6_template *t, const struct probe6_fields *f,
		    uint8_t *out)
{
	uint32_t tag;
	uint64_t mac;

	validate6_stamp(&t->key, f->daddr, f->ts_ns, f->probe, &tag, &mac);
	restamp_with(t, f, tag, mac, out);
}

void probe6_stamp(const struct probe6_template *t, const struct probe6_fields *f,
		  uint8_t *out)
{
	memcpy(out, t->frame, t->len);
	probe6_restamp(t, f, out);
}

void probe6_stamp_batch(const struct probe6_template *t, const uint8_t (*daddr)[16],
			unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out)
{
	for (unsigned i = 0; i < n; i++) {
		struct probe6_fields f;

		memcpy(f.daddr, daddr[i], 16);
		f.probe = probe;
		f.ts_ns = ts_ns;
		memcpy(out[i], t->frame, t->len);
		probe6_restamp(t, &f, out[i]);
	}
}
