/*
 * probe.c — the ICMP echo request frame. libnet crafts every layer (the
 * template once per run, and the reference frame the tests compare against);
 * the hot path then copies the template and writes only the per-target
 * fields, finishing both checksums from sums of the constant words that the
 * template precomputed. Stamping reads the template and writes only the
 * caller's buffer: no allocation, no locks, no libnet calls.
 */
#include "engine/probe_libnet.h"
#include "engine/frame_libnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/be.h"
#include "engine/csum.h"

#define ICMP_TYPE_ECHO 8
/* Offsets inside the IP packet (the frame's link header comes first). */
#define OFF_ICMP      PROBE_IP_LEN
#define OFF_PAYLOAD   (OFF_ICMP + PROBE_ICMP_LEN)
#define IP_OFF_ID     4
#define IP_OFF_FRAG   6
#define IP_OFF_TTL    8
#define IP_OFF_SUM    10
#define IP_OFF_SRC    12
#define IP_OFF_DST    16
#define ICMP_OFF_SUM  2
#define ICMP_OFF_ID   4

int probe_payload_check(uint16_t len, uint16_t max, const uint8_t *pattern,
			size_t pattern_len, char *err, size_t errlen)
{
	if (len < PROBE_PAYLOAD_MIN || len > max) {
		snprintf(err, errlen, "probe payload length %u out of range %d..%u",
			 (unsigned)len, PROBE_PAYLOAD_MIN, (unsigned)max);
		return -1;
	}
	if (pattern && pattern_len == 0) {
		snprintf(err, errlen, "probe fill pattern is empty");
		return -1;
	}
	return 0;
}

void probe_payload_fill(uint8_t *pl, size_t len, const uint8_t *pattern,
			size_t pattern_len)
{
	for (size_t i = PROBE_STAMP_LEN; i < len; i++)
		pl[i] = pattern && pattern_len ?
			pattern[(i - PROBE_STAMP_LEN) % pattern_len] : (uint8_t)i;
}

void probe_payload_stamp(uint8_t *pl, const struct vkey *key, uint32_t daddr,
			 uint64_t ts_ns, uint16_t probe)
{
	be_put(pl, ts_ns, 8);
	be_put(pl + 8, validate_mac(key, daddr, ts_ns, probe), 8);
	be_put(pl + 16, probe, 2);
}

int64_t probe_payload_rtt(const uint8_t *pl, const struct vkey *key, uint32_t daddr,
			  uint16_t probe, uint64_t now_ns)
{
	uint64_t sent = be_get(pl, 8);

	if (be_get(pl + 16, 2) != probe ||
	    !validate_mac_equal(validate_mac(key, daddr, sent, probe), be_get(pl + 8, 8)))
		return -1;
	return sent > now_ns ? 0 : (int64_t)(now_ns - sent);
}

static void fill_payload(uint8_t *pl, const struct probe_params *p,
			 const struct vkey *key, const struct probe_fields *f)
{
	probe_payload_fill(pl, p->payload_len, p->pattern, p->pattern_len);
	if (f)
		probe_payload_stamp(pl, key, f->daddr, f->ts_ns, f->probe);
	else
		memset(pl, 0, PROBE_STAMP_LEN);
}

/* libnet deletes a pblock whose update fails, which leaves the stack out of
 * order: start over from an empty context so the next call rebuilds it. */
static int build_failed(libnet_t *l, struct probe_ptags *tags, const char *what,
			char *err, size_t errlen)
{
	snprintf(err, errlen, "libnet: building the %s header: %s", what,
		 libnet_geterror(l));
	libnet_clear_packet(l);
	memset(tags, 0, sizeof(*tags));
	return -1;
}

int probe_libnet_build(libnet_t *l, const struct probe_params *p,
		       const struct vkey *key, const struct probe_fields *f,
		       struct probe_ptags *tags, char *err, size_t errlen)
{
	uint8_t pl[PROBE_PAYLOAD_MAX];
	uint32_t tag = f ? validate_tag(key, f->daddr, f->probe) : 0;
	uint16_t probe = f ? f->probe : 0;
	uint32_t daddr = f ? f->daddr : 0;
	libnet_ptag_t t;

	if (probe_payload_check(p->payload_len, PROBE_PAYLOAD_MAX, p->pattern, p->pattern_len,
				err, errlen) < 0)
		return -1;
	fill_payload(pl, p, key, f);
	t = libnet_build_icmpv4_echo(ICMP_TYPE_ECHO, 0, 0, (uint16_t)(tag >> 16),
				     (uint16_t)tag, pl, p->payload_len, l, tags->icmp);
	if (t == -1)
		return build_failed(l, tags, "ICMP echo", err, errlen);
	tags->icmp = t;
	t = libnet_build_ipv4(PROBE_IP_LEN + PROBE_ICMP_LEN + p->payload_len, p->tos,
			      probe, p->frag, p->ttl, IPPROTO_ICMP, 0, htonl(p->saddr),
			      htonl(daddr), NULL, 0, l, tags->ip);
	if (t == -1)
		return build_failed(l, tags, "IPv4", err, errlen);
	tags->ip = t;
	if (p->ip_layer)
		return 0;
	t = libnet_build_ethernet(p->dst_mac, p->src_mac, ETHERTYPE_IP, NULL, 0, l,
				  tags->eth);
	if (t == -1)
		return build_failed(l, tags, "Ethernet", err, errlen);
	tags->eth = t;
	return 0;
}

struct probe_layers_ctx {
	const struct probe_params *p;
	const struct vkey *key;
	const struct probe_fields *f;
};

static int probe_layers(libnet_t *l, void *ctx, char *err, size_t errlen)
{
	const struct probe_layers_ctx *c = ctx;
	struct probe_ptags tags = { 0, 0, 0 };

	return probe_libnet_build(l, c->p, c->key, c->f, &tags, err, errlen);
}

/* The whole frame from libnet (engine/frame_libnet), checksums filled in. */
static int build_bytes(const struct probe_params *p, const struct vkey *key,
		       const struct probe_fields *f, uint8_t *out, size_t *len,
		       char *err, size_t errlen)
{
	struct probe_layers_ctx c = { p, key, f };
	uint32_t want = (uint32_t)PROBE_HDR_LEN - (p->ip_layer ? PROBE_ETH_LEN : 0) +
			p->payload_len;

	return frame_libnet_build(probe_layers, &c, "probe", want, out, len, err, errlen);
}

int probe_build_full(const struct probe_params *p, const struct vkey *key,
		     const struct probe_fields *f, uint8_t *out, size_t *len,
		     char *err, size_t errlen)
{
	return build_bytes(p, key, f, out, len, err, errlen);
}

int probe_template_build(struct probe_template *t, const struct probe_params *p,
			 const struct vkey *key, char *err, size_t errlen)
{
	const uint8_t *ip, *icmp;

	memset(t, 0, sizeof(*t));
	if (build_bytes(p, key, NULL, t->frame, &t->len, err, errlen) < 0)
		return -1;
	t->key = *key;
	t->link_len = p->ip_layer ? 0 : PROBE_ETH_LEN;
	ip = t->frame + t->link_len;
	icmp = ip + OFF_ICMP;
	/* Every IP word except ID, checksum and destination. */
	t->ip_sum = csum_add(0, ip, IP_OFF_ID);
	t->ip_sum = csum_add(t->ip_sum, ip + IP_OFF_FRAG, IP_OFF_SUM - IP_OFF_FRAG);
	t->ip_sum = csum_add(t->ip_sum, ip + IP_OFF_SRC, IP_OFF_DST - IP_OFF_SRC);
	/* Type/code and the fill after the stamped 18 payload bytes. */
	t->icmp_sum = csum_add(0, icmp, ICMP_OFF_SUM);
	t->icmp_sum = csum_add(t->icmp_sum, icmp + PROBE_ICMP_LEN + PROBE_PAYLOAD_MIN,
			       p->payload_len - PROBE_PAYLOAD_MIN);
	return 0;
}

/* Writes the per-target fields given the tag and MAC. */
static inline void restamp_with(const struct probe_template *t,
				const struct probe_fields *f, uint32_t tag,
				uint64_t mac, uint8_t *out)
{
	uint8_t *ip = out + t->link_len, *icmp = ip + OFF_ICMP, *pl = ip + OFF_PAYLOAD;
	uint32_t sum;

	be_st16(ip + IP_OFF_ID, f->probe);
	be_st32(ip + IP_OFF_DST, f->daddr);
	sum = t->ip_sum + f->probe + (f->daddr >> 16) + (f->daddr & 0xffff);
	be_st16(ip + IP_OFF_SUM, csum_fold(sum));

	be_st32(icmp + ICMP_OFF_ID, tag);     /* id = high half, seq = low half */
	be_st64(pl, f->ts_ns);                /* the stamp: time, MAC, probe */
	be_st64(pl + 8, mac);
	be_st16(pl + 16, f->probe);
	sum = t->icmp_sum + (tag >> 16) + (tag & 0xffff) + be_sum64(f->ts_ns) +
	      be_sum64(mac) + f->probe;
	be_st16(icmp + ICMP_OFF_SUM, csum_fold(sum));
}

void probe_restamp(const struct probe_template *t, const struct probe_fields *f,
		   uint8_t *out)
{
	uint32_t tag;
	uint64_t mac;

	validate_stamp(&t->key, f->daddr, f->ts_ns, f->probe, &tag, &mac);
	restamp_with(t, f, tag, mac, out);
}

void probe_stamp_batch(const struct probe_template *t, const uint32_t *daddr,
		       unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out)
{
	uint32_t tag[64];
	uint64_t mac[64];

	while (n > 0) {
		unsigned k = n < 64 ? n : 64;

		validate_stamp_batch(&t->key, daddr, k, ts_ns, probe, tag, mac);
		for (unsigned i = 0; i < k; i++) {
			struct probe_fields f = { daddr[i], probe, ts_ns };

			memcpy(out[i], t->frame, t->len);
			restamp_with(t, &f, tag[i], mac[i], out[i]);
		}
		daddr += k;
		out += k;
		n -= k;
	}
}

void probe_stamp_multi(const struct probe_template *const *t, const uint32_t *daddr,
		       unsigned n, uint16_t probe, uint64_t ts_ns, uint8_t *const *out)
{
	uint32_t tag[64];
	uint64_t mac[64];

	while (n > 0) {
		unsigned k = n < 64 ? n : 64;

		validate_stamp_batch(&t[0]->key, daddr, k, ts_ns, probe, tag, mac);
		for (unsigned i = 0; i < k; i++) {
			struct probe_fields f = { daddr[i], probe, ts_ns };

			memcpy(out[i], t[i]->frame, t[i]->len);
			restamp_with(t[i], &f, tag[i], mac[i], out[i]);
		}
		daddr += k;
		out += k;
		t += k;
		n -= k;
	}
}

void probe_set_source(const struct probe_template *t, uint8_t *frame, uint32_t saddr)
{
	uint8_t *ip = frame + t->link_len;
	uint32_t old = (uint32_t)ip[IP_OFF_SRC] << 24 | (uint32_t)ip[IP_OFF_SRC + 1] << 16 |
		       (uint32_t)ip[IP_OFF_SRC + 2] << 8 | ip[IP_OFF_SRC + 3];
	uint16_t sum = (uint16_t)(ip[IP_OFF_SUM] << 8 | ip[IP_OFF_SUM + 1]);

	/* RFC 1624; the ICMPv4 checksum has no pseudo-header, the MAC and tag
	 * cover the destination only (validate.h): nothing else changes */
	be_st16(ip + IP_OFF_SUM, csum_update32(sum, old, saddr));
	be_st32(ip + IP_OFF_SRC, saddr);
}

void probe_set_ttl(const struct probe_template *t, uint8_t *frame, uint8_t ttl)
{
	uint8_t *ip = frame + t->link_len;
	uint16_t sum = (uint16_t)(ip[IP_OFF_SUM] << 8 | ip[IP_OFF_SUM + 1]);
	uint16_t old = (uint16_t)(ip[IP_OFF_TTL] << 8 | ip[IP_OFF_TTL + 1]);

	/* RFC 1624 on the TTL/protocol word */
	ip[IP_OFF_TTL] = ttl;
	be_st16(ip + IP_OFF_SUM, csum_update16(sum, old, (uint16_t)(ttl << 8 | ip[IP_OFF_TTL + 1])));
}

void probe_stamp(const struct probe_template *t, const struct probe_fields *f,
		 uint8_t *out)
{
	memcpy(out, t->frame, t->len);
	probe_restamp(t, f, out);
}
