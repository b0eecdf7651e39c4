/*
 * es_key.c — level 3 of the public API: a key (the run secret and the
 * request layout, a probe template built once with libnet) from which
 * es_probe_build stamps single echo requests and against which
 * es_reply_match validates single received packets, for programs that own
 * their sockets. The key is read-only after es_key_new, so any number of
 * threads may build and match with it at once; nothing here allocates
 * after es_key_new.
 */
#include "engine/es_api.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/clock.h"
#include "engine/dgram.h"
#include "engine/parse.h"
#include "engine/probe.h"
#include "engine/validate.h"

struct es_key {
	enum es_wire wire;
	unsigned probes;
	uint32_t saddr;                 /* host order; 0 with ES_WIRE_ICMP */
	struct vkey vkey;
	struct probe_template tmpl;     /* IPv4 + ICMP, no link header */
	struct classify_ctx cls;        /* points at vkey */
};

void es_key_options_init(struct es_key_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = ES_KEY_OPTIONS_V1;
	o->wire = ES_WIRE_IPV4;
	o->size = ES_DEFAULT_SIZE;
	o->ttl = ES_DEFAULT_TTL;
	o->probes = 65535;
}

static int check_options(const struct es_key_options *o, uint32_t *saddr,
			 char *err, size_t errlen)
{
	struct es_addr a;
	int rc;

	if (o->version != ES_KEY_OPTIONS_V1)
		return es_fail(err, errlen, ES_EINVAL, "es_key_options version %u unknown: "
			       "start from es_key_options_init()", o->version);
	if (o->wire != ES_WIRE_IPV4 && o->wire != ES_WIRE_ICMP)
		return es_fail(err, errlen, ES_EINVAL, "wire %d: use ES_WIRE_IPV4 or ES_WIRE_ICMP",
			       (int)o->wire);
	if (o->size < ES_SIZE_MIN || o->size > ES_SIZE_MAX)
		return es_fail(err, errlen, ES_EINVAL, "size %zu: the payload takes %d..%d bytes",
			       o->size, ES_SIZE_MIN, ES_SIZE_MAX);
	if (o->ttl < 1 || o->ttl > 255)
		return es_fail(err, errlen, ES_EINVAL, "ttl %d: give 1..255", o->ttl);
	if (o->probes < 1 || o->probes > 65535)
		return es_fail(err, errlen, ES_EINVAL, "probes %u: give 1..65535", o->probes);
	*saddr = 0;
	if (o->wire == ES_WIRE_ICMP)
		return ES_OK;
	if (!o->source)
		return es_fail(err, errlen, ES_EINVAL, "ES_WIRE_IPV4 writes the IP header: "
			       "set source to our IPv4 address");
	rc = es_addr_parse(&a, o->source);
	if (rc == ES_OK && a.family != 4)
		rc = ES_EUNSUPPORTED;       /* ES_WIRE_IPV4 writes an IPv4 header */
	if (rc != ES_OK)
		return es_fail(err, errlen, rc, "source %s: not an IPv4 address", o->source);
	*saddr = es_addr_get_v4(&a);
	return ES_OK;
}

int es_key_new(es_key **out, const struct es_key_options *o, char *err, size_t errlen)
{
	struct es_key_options def;
	struct probe_params pp;
	char berr[256];
	es_key *k;
	int rc;

	if (!out)
		return es_fail(err, errlen, ES_EINVAL, "out is NULL");
	*out = NULL;
	if (!o) {
		es_key_options_init(&def);
		o = &def;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	rc = check_options(o, &k->saddr, err, errlen);
	if (rc != ES_OK)
		goto fail;
	if (o->secret)
		memcpy(k->vkey.k, o->secret, sizeof(k->vkey.k));
	else if (vkey_random(&k->vkey) < 0) {
		rc = es_fail(err, errlen, ES_ESYS, "getrandom: no random bytes for the key");
		goto fail;
	}
	k->wire = o->wire;
	k->probes = o->probes;
	pp = (struct probe_params){
		.saddr = k->saddr, .ttl = (uint8_t)o->ttl,
		.payload_len = (uint16_t)o->size, .ip_layer = true,
	};
	if (probe_template_build(&k->tmpl, &pp, &k->vkey, berr, sizeof(berr)) < 0) {
		rc = es_fail(err, errlen, ES_ENOMEM, "%s", berr);
		goto fail;
	}
	k->cls = (struct classify_ctx){
		.key = &k->vkey, .saddr = k->saddr, .nprobes = (uint16_t)o->probes,
		.kernel_ident = o->wire == ES_WIRE_ICMP,
	};
	*out = k;
	return ES_OK;
fail:
	free(k);
	return rc;
}

void es_key_free(es_key **k)
{
	if (!k || !*k)
		return;
	free(*k);
	*k = NULL;
}

int es_probe_build(const es_key *k, const struct es_addr *dst, unsigned probe,
		   uint64_t ts_ns, uint8_t *buf, size_t buflen, size_t *len)
{
	uint8_t frame[PROBE_FRAME_MAX];
	uint32_t daddr = es_addr_get_v4(dst);
	size_t skip;

	if (!k || !buf || !len || daddr == 0 || probe >= k->probes)
		return ES_EINVAL;
	skip = k->wire == ES_WIRE_ICMP ? PROBE_IP_LEN : 0;
	if (buflen < k->tmpl.len - skip)
		return ES_EINVAL;
	struct probe_fields f = { daddr, (uint16_t)probe, ts_ns ? ts_ns : clock_realtime_ns() };
	if (skip == 0) {
		probe_stamp(&k->tmpl, &f, buf);
	} else {
		probe_stamp(&k->tmpl, &f, frame);
		memcpy(buf, frame + skip, k->tmpl.len - skip);
	}
	*len = k->tmpl.len - skip;
	return ES_OK;
}

int es_reply_match(const es_key *k, const uint8_t *pkt, size_t len,
		   const struct es_addr *from, uint64_t ts_ns, struct es_reply *out)
{
	struct parsed_icmp p;
	enum parse_status ps;
	struct es_result res;

	if (!k || !pkt || !out || (k->wire == ES_WIRE_ICMP && es_addr_get_v4(from) == 0))
		return ES_EINVAL;
	if (k->wire == ES_WIRE_IPV4) {
		ps = parse_ipv4(pkt, len, &p);
	} else {
		struct dgram_msg m = { .icmp = pkt, .len = len, .name = es_addr_get_v4(from) };

		ps = dgram_map(&m, &p);
	}
	if (ps == PARSE_NOT_ICMP)
		return ES_MATCH_IGNORE;
	if (ps != PARSE_OK)
		return ES_MATCH_INVALID;
	switch (classify(&k->cls, &p, ts_ns ? ts_ns : clock_realtime_ns(), &res)) {
	case VERDICT_VALID:
		res.repeat = 0;
		res.cooldown = 0;
		es_reply_from_result(&res, out);
		return ES_MATCH_VALID;
	case VERDICT_INVALID:
		return ES_MATCH_INVALID;
	default:
		return ES_MATCH_IGNORE;
	}
}
