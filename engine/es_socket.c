/*
 * es_socket.c — level 3's kernel echo socket (es_socket_* in echoscan.h):
 * the public options checked and turned into engine/pingsock's
 * configuration, iputils' choice between the datagram and the raw socket,
 * and pingsock's results handed over as es_reply (es_reply_from_result, the
 * one converter) plus struct es_socket_extra. Thin: pingsock does the work.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "echoscan.h"
#include "engine/errcode.h"
#include "engine/es_api.h"
#include "engine/pingsock.h"

#define DEFAULT_SIZE        56
#define DEFAULT_INTERVAL_MS 1000
#define IDENT_MAX           65535
#define PRELOAD_MAX         65536
#define FLOWLABEL_MAX       0xfffffu
#define ALL_FLAGS           (ES_SOCKET_BROADCAST | ES_SOCKET_DEBUG | ES_SOCKET_DONTROUTE | \
			     ES_SOCKET_NOLOOP | ES_SOCKET_CONNECT | ES_SOCKET_FLOWLABEL)

struct es_socket {
	struct pingsock *ps;
	struct es_addr dst;
	enum es_mode mode;          /* RAW or DGRAM: the one opened */
	struct es_result res;
	struct pingsock_info info;
};

void es_socket_options_init(struct es_socket_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = ES_SOCKET_OPTIONS_V1;
	o->mode = ES_MODE_AUTO;
	o->ident = -1;
	o->pmtudisc = ES_PMTUDISC_DEFAULT;
	o->size = DEFAULT_SIZE;
	o->preload = 1;
	o->interval_ms = DEFAULT_INTERVAL_MS;
}

/* The IP_MTU_DISCOVER value of p (IPV6_PMTUDISC_* are the same numbers), or
 * -1 for the default. */
static int pmtudisc_value(enum es_pmtudisc p)
{
	switch (p) {
	case ES_PMTUDISC_DONT:
		return IP_PMTUDISC_DONT;
	case ES_PMTUDISC_WANT:
		return IP_PMTUDISC_WANT;
	case ES_PMTUDISC_DO:
		return IP_PMTUDISC_DO;
	case ES_PMTUDISC_PROBE:
		return IP_PMTUDISC_PROBE;
	default:
		return -1;
	}
}

static int check_options(const struct es_socket_options *o, char *err, size_t errlen)
{
	if (o->version < ES_SOCKET_OPTIONS_V1)
		return es_fail(err, errlen, ES_EINVAL, "es_socket_options version %u: start "
			       "from es_socket_options_init()", o->version);
	if (o->dst.family != 4 && o->dst.family != 6)
		return es_fail(err, errlen, ES_EINVAL, "dst: no address (family %u): set it "
			       "with es_addr_parse()", (unsigned)o->dst.family);
	if (o->source.family && o->source.family != o->dst.family)
		return es_fail(err, errlen, ES_EINVAL, "source: an IPv%u address for an IPv%u "
			       "host: give one of the host's family", (unsigned)o->source.family,
			       (unsigned)o->dst.family);
	if (o->mode != ES_MODE_AUTO && o->mode != ES_MODE_RAW && o->mode != ES_MODE_DGRAM)
		return es_fail(err, errlen, ES_EINVAL, "mode %d: ES_MODE_AUTO, ES_MODE_RAW or "
			       "ES_MODE_DGRAM", (int)o->mode);
	if (o->ident < -1 || o->ident > IDENT_MAX)
		return es_fail(err, errlen, ES_EINVAL, "ident %d: -1 or 0..%d", o->ident, IDENT_MAX);
	if (o->ttl < 0 || o->ttl > 255)
		return es_fail(err, errlen, ES_EINVAL, "ttl %d: 0 (the kernel's) or 1..255", o->ttl);
	if (o->tos < 0 || o->tos > 255)
		return es_fail(err, errlen, ES_EINVAL, "tos %d: 0..255", o->tos);
	if (o->pmtudisc != ES_PMTUDISC_DEFAULT && pmtudisc_value(o->pmtudisc) < 0)
		return es_fail(err, errlen, ES_EINVAL, "pmtudisc %d: an enum es_pmtudisc value",
			       (int)o->pmtudisc);
	if (o->size > ES_SOCKET_PAYLOAD_MAX)
		return es_fail(err, errlen, ES_EINVAL, "size %zu: 0..%u payload bytes", o->size,
			       ES_SOCKET_PAYLOAD_MAX);
	if (o->ip_options_len > ES_SOCKET_IPOPT_MAX || (o->ip_options_len && !o->ip_options))
		return es_fail(err, errlen, ES_EINVAL, "ip_options_len %zu: 0..%u bytes, with "
			       "ip_options set", o->ip_options_len, ES_SOCKET_IPOPT_MAX);
	if (o->ip_options_len && o->dst.family == 6)
		return es_fail(err, errlen, ES_EINVAL, "ip_options: IPv4 only (the host is IPv6)");
	if (o->sndbuf < 0)
		return es_fail(err, errlen, ES_EINVAL, "sndbuf %d: 0 or a positive size", o->sndbuf);
	if (o->preload < 1 || o->preload > PRELOAD_MAX)
		return es_fail(err, errlen, ES_EINVAL, "preload %d: 1..%d", o->preload, PRELOAD_MAX);
	if (o->flags & ~ALL_FLAGS)
		return es_fail(err, errlen, ES_EINVAL, "flags 0x%x: unknown bits 0x%x", o->flags,
			       o->flags & ~ALL_FLAGS);
	if (o->flowlabel > FLOWLABEL_MAX)
		return es_fail(err, errlen, ES_EINVAL, "flowlabel 0x%x: 20 bits (0..0xfffff)",
			       o->flowlabel);
	return ES_OK;
}

static void make_config(const struct es_socket_options *o, const uint8_t *fill,
			struct pingsock_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = o->dst.family;
	if (o->dst.family == 6) {
		memcpy(cfg->daddr6, o->dst.bytes, 16);
		if (o->source.family == 6) {
			memcpy(cfg->saddr6, o->source.bytes, 16);
			cfg->has_saddr6 = true;
		}
	} else {
		cfg->daddr = es_addr_get_v4(&o->dst);
		cfg->saddr = es_addr_get_v4(&o->source);
	}
	cfg->ifname = o->interface;
	cfg->ident = o->ident;
	cfg->ttl = o->ttl;
	cfg->tos = o->tos;
	cfg->pmtudisc = pmtudisc_value(o->pmtudisc);
	cfg->payload_len = o->size;
	cfg->fill = fill;
	cfg->ip_options = o->ip_options_len ? o->ip_options : NULL;
	cfg->ip_options_len = o->ip_options_len;
	cfg->sndbuf = o->sndbuf;
	cfg->preload = o->preload;
	cfg->broadcast = (o->flags & ES_SOCKET_BROADCAST) && o->dst.family == 4;
	cfg->debug = o->flags & ES_SOCKET_DEBUG;
	cfg->dontroute = o->flags & ES_SOCKET_DONTROUTE;
	cfg->noloop = o->flags & ES_SOCKET_NOLOOP;
	cfg->connect = o->flags & ES_SOCKET_CONNECT;
	cfg->interval_ms = o->interval_ms;
	cfg->flowinfo = (o->flags & ES_SOCKET_FLOWLABEL) && o->dst.family == 6;
	cfg->flowlabel = o->flowlabel;
}

static int open_as(es_socket *s, struct pingsock_config *cfg, enum es_mode mode, char *err,
		   size_t errlen)
{
	cfg->raw = mode == ES_MODE_RAW;
	s->mode = mode;
	return pingsock_open(cfg, &s->ps, err, errlen);
}

int es_socket_open(es_socket **out, const struct es_socket_options *o, char *err, size_t errlen)
{
	struct pingsock_config cfg;
	uint8_t *fill = NULL;
	es_socket *s;
	char spare[8];
	int rc = ES_EPERM;

	if (!err) {             /* pingsock writes its detail unconditionally */
		err = spare;
		errlen = sizeof(spare);
	}
	if (out)
		*out = NULL;
	if (!out || !o)
		return es_fail(err, errlen, ES_EINVAL, "es_socket_open: %s is NULL",
			       out ? "the options" : "out");
	rc = check_options(o, err, errlen);
	if (rc != ES_OK)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!o->fill && o->size)
		fill = malloc(o->size);
	if (!s || (!o->fill && o->size && !fill)) {
		free(s);
		free(fill);
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	}
	for (size_t i = 0; fill && i < o->size; i++)
		fill[i] = (uint8_t)i;
	make_config(o, o->fill ? o->fill : fill, &cfg);
	/* iputils' order: the datagram socket first, the raw one where that is
	 * refused or absent; identifier 0, which a datagram socket cannot carry,
	 * the other way round */
	if (o->mode == ES_MODE_AUTO && o->ident == 0) {
		rc = open_as(s, &cfg, ES_MODE_RAW, err, errlen);
		if (rc == ES_EPERM || rc == ES_EUNSUPPORTED)
			rc = open_as(s, &cfg, ES_MODE_DGRAM, err, errlen);
	} else if (o->mode == ES_MODE_AUTO) {
		rc = open_as(s, &cfg, ES_MODE_DGRAM, err, errlen);
		if (rc == ES_EPERM || rc == ES_EUNSUPPORTED)
			rc = open_as(s, &cfg, ES_MODE_RAW, err, errlen);
	} else {
		rc = open_as(s, &cfg, o->mode, err, errlen);
	}
	if (rc == ES_EPERM && o->mode == ES_MODE_AUTO)
		es_fail(err, errlen, ES_EPERM, "neither an ICMP datagram socket (the group is not "
			"in net.ipv4.ping_group_range: sysctl -w net.ipv4.ping_group_range=\"0 "
			"2147483647\") nor a raw one (needs CAP_NET_RAW) is permitted");
	free(fill);
	if (rc != ES_OK) {
		free(s);
		return rc;
	}
	s->dst = o->dst;
	*out = s;
	return ES_OK;
}

void es_socket_close(es_socket **s)
{
	if (!s || !*s)
		return;
	pingsock_close((*s)->ps);
	free(*s);
	*s = NULL;
}

int es_socket_fd(const es_socket *s)
{
	return s ? pingsock_fd(s->ps) : -1;
}

enum es_mode es_socket_mode(const es_socket *s)
{
	return s ? s->mode : ES_MODE_AUTO;
}

int es_socket_ident(const es_socket *s)
{
	return s ? pingsock_ident(s->ps) : -1;
}

uint32_t es_socket_flowlabel(const es_socket *s)
{
	return s ? pingsock_flowlabel(s->ps) : 0;
}

int es_socket_set_mark(es_socket *s, uint32_t mark, int *sys_errno)
{
	int e;

	if (sys_errno)
		*sys_errno = 0;
	if (!s)
		return ES_EINVAL;
	e = pingsock_set_mark(s->ps, mark);
	if (sys_errno)
		*sys_errno = e;
	return e ? es_errno_code(e) : ES_OK;
}

int es_socket_send(es_socket *s, unsigned probe, int *sys_errno)
{
	int e;

	if (sys_errno)
		*sys_errno = 0;
	if (!s || probe > 65535)
		return ES_EINVAL;
	e = pingsock_send(s->ps, (uint16_t)probe);
	if (sys_errno)
		*sys_errno = e;
	return e ? es_errno_code(e) : ES_OK;
}

/* The public extra record of pingsock's info. */
static void extra_of(const struct pingsock_info *in, struct es_socket_extra *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->local = in->local;
	ex->local_errno = in->local_errno;
	ex->local_mtu = in->local_mtu;
	ex->icmp_len = in->icmp_len;
	ex->truncated = in->truncated;
	ex->timed = in->timed;
	ex->ip_options = in->ip_opts_len ? in->ip_opts : NULL;
	ex->ip_options_len = in->ip_opts_len;
	ex->bad_byte = in->bad_byte;
	ex->bad_want = in->bad_want;
	ex->bad_got = in->bad_got;
	ex->data = in->data;
	ex->data_len = in->data_len;
}

int es_socket_recv(es_socket *s, struct es_reply *out, struct es_socket_extra *ex,
		   size_t ex_size, char *err, size_t errlen)
{
	bool want_local = ex && ex_size >= offsetof(struct es_socket_extra, local) +
					     sizeof(ex->local);
	char spare[8];

	if (!err) {
		err = spare;
		errlen = sizeof(spare);
	}
	if (!s || !out || (!ex && ex_size))
		return es_fail(err, errlen, ES_EINVAL, "es_socket_recv: %s",
			       !s ? "no socket" : !out ? "out is NULL" : "ex NULL with ex_size > 0");
	for (;;) {
		int rc = pingsock_recv(s->ps, &s->res, &s->info, err, errlen);

		if (rc < 0)
			return ES_ESYS;
		if (rc == 0)
			return 0;
		if (s->info.local && !want_local)
			continue;       /* reported only to a caller that can tell */
		if (s->info.local) {
			memset(out, 0, sizeof(*out));
			out->target = s->dst;
			out->rtt_ns = -1;
		} else {
			es_reply_from_result(&s->res, out);
		}
		if (ex && ex_size) {
			struct es_socket_extra full;

			extra_of(&s->info, &full);
			memcpy(ex, &full, ex_size < sizeof(full) ? ex_size : sizeof(full));
		}
		return 1;
	}
}
