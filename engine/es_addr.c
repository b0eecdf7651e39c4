/*
 * es_addr.c — the public address type (es_addr_parse, es_addr_format),
 * target text as ranges, the public record of a result, and es_fail.
 * Pure; any thread.
 */
#include "engine/es_api.h"
#include "engine/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void es_addr_set_v4(struct es_addr *a, uint32_t host_order)
{
	uint32_t n = htonl(host_order);

	memset(a, 0, sizeof(*a));
	if (host_order == 0)
		return;
	a->family = 4;
	memcpy(a->bytes, &n, 4);
}

uint32_t es_addr_get_v4(const struct es_addr *a)
{
	uint32_t n;

	if (!a || a->family != 4)
		return 0;
	memcpy(&n, a->bytes, 4);
	return ntohl(n);
}

int es_addr_parse(struct es_addr *a, const char *text)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!a || !text)
		return ES_EINVAL;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, &a4) == 1) {
		a->family = 4;
		memcpy(a->bytes, &a4, 4);
		return ES_OK;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		a->family = 6;
		memcpy(a->bytes, &a6, 16);
		return ES_OK;
	}
	return ES_EINVAL;
}

const char *es_addr_format(const struct es_addr *a, char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	if (a && a->family == 6) {   /* RFC 5952 (engine/addr.h) */
		if (es_addr_text(a, buf, len) == 0)
			snprintf(buf, len, "?");
		return buf;
	}
	if (!a || a->family != 4 || !inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* probe_ttl went into es_reply's tail padding: the record kept the size and
 * layout of 0.1.0, so programs built against that header still work. */
#define REPLY_V1_END (offsetof(struct es_reply, mac) + sizeof(((struct es_reply *)0)->mac))
_Static_assert(offsetof(struct es_reply, probe_ttl) == REPLY_V1_END,
	       "es_reply.probe_ttl must follow mac");
_Static_assert(sizeof(struct es_reply) ==
	       (REPLY_V1_END + _Alignof(struct es_reply) - 1) / _Alignof(struct es_reply) *
	       _Alignof(struct es_reply),
	       "es_reply may not grow (a new soname): probe_ttl must fit in its tail padding");

void es_reply_from_result(const struct es_result *r, struct es_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->ts_ns = r->ts_ns;
	out->rtt_ns = r->rtt_ns;
	if (r->family == 6) {
		out->target = r->saddr6;
		out->responder = r->responder6;
		out->local = r->daddr6;
	} else {
		es_addr_set_v4(&out->target, r->saddr);
		es_addr_set_v4(&out->responder, r->responder);
		es_addr_set_v4(&out->local, r->daddr);
	}
	out->info = r->info;
	out->probe = r->probe;
	out->ipid = r->ipid;
	out->size = r->size;
	out->ttl = r->ttl;
	out->type = r->type;
	out->code = r->code;
	out->classification = r->classification;
	out->success = r->success;
	out->repeat = r->repeat;
	out->cooldown = r->cooldown;
	memcpy(out->mac, r->mac, sizeof(out->mac));
	out->probe_ttl = r->probe_ttl;
}

void es_host_stats_from_row(const struct host_stats_row *row, struct es_host_stats *out)
{
	uint64_t lost = row->sent > row->received ? row->sent - row->received : 0;

	memset(out, 0, sizeof(*out));
	if (row->family == ES_AF6)
		out->address = row->saddr6;
	else
		es_addr_set_v4(&out->address, row->saddr);
	/* a row's address is never 0.0.0.0, but keep its family all the same */
	if (row->family != ES_AF6 && row->saddr == 0)
		out->address.family = 4;
	out->transmitted = (unsigned long)row->sent;
	out->received = (unsigned long)row->received;
	out->loss = row->sent ? 100.0 * (double)lost / (double)row->sent : 0;
	out->rtt_min_ns = row->rtt_min_ns;
	out->rtt_avg_ns = row->rtt_avg_ns;
	out->rtt_max_ns = row->rtt_max_ns;
	out->rtt_mdev_ns = row->rtt_mdev_ns;
	out->jitter_ns = row->jitter_ns;
	out->ts_ns = row->ts_ns;
}

static int parse_v4(const char *text, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int es_range_parse(const char *text, uint32_t *lo, uint32_t *hi, char *err, size_t errlen)
{
	char buf[64];
	char *sep;
	struct in6_addr a6;

	if (!text)
		return es_fail(err, errlen, ES_EINVAL, "target is NULL");
	if (strlen(text) >= sizeof(buf))
		return es_fail(err, errlen, ES_EINVAL, "%.40s...: not an IPv4 address, "
			       "prefix or range", text);
	strcpy(buf, text);
	if ((sep = strchr(buf, '/')) != NULL) {
		char *end;
		long len;

		*sep = '\0';
		errno = 0;
		len = strtol(sep + 1, &end, 10);
		if (parse_v4(buf, lo) < 0 || end == sep + 1 || *end || errno || len < 0 || len > 32)
			return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv4 prefix "
				       "(a.b.c.d/0..32)", text);
		uint32_t mask = len == 0 ? 0 : ~0u << (32 - len);
		*lo &= mask;
		*hi = *lo | ~mask;
		return ES_OK;
	}
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		if (parse_v4(buf, lo) < 0 || parse_v4(sep + 1, hi) < 0)
			return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv4 range "
				       "(a.b.c.d-e.f.g.h)", text);
		if (*lo > *hi)
			return es_fail(err, errlen, ES_EINVAL, "%s: the range ends before "
				       "it starts: swap the two addresses", text);
		return ES_OK;
	}
	if (parse_v4(buf, lo) == 0) {
		*hi = *lo;
		return ES_OK;
	}
	if (inet_pton(AF_INET6, buf, &a6) == 1)
		return es_fail(err, errlen, ES_EUNSUPPORTED, "%s: IPv6 targets are not "
			       "supported yet", text);
	return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv4 address, prefix "
		       "(a.b.c.d/len) or range (a-b)", text);
}

int es_range6_parse(const char *text, es_u128 *lo, es_u128 *hi, char *err, size_t errlen)
{
	char buf[2 * INET6_ADDRSTRLEN + 2];
	struct es_addr a, b;
	char *sep;

	if (!text || strlen(text) >= sizeof(buf))
		return es_fail(err, errlen, ES_EINVAL, "%.60s: not an IPv6 address, prefix "
			       "or range", text ? text : "(null)");
	strcpy(buf, text);
	if ((sep = strchr(buf, '/')) != NULL) {
		char *end;
		long len;

		*sep = '\0';
		errno = 0;
		len = strtol(sep + 1, &end, 10);
		if (!es_addr_parse_any(buf, &a) || a.family != ES_AF6 || end == sep + 1 ||
		    end - (sep + 1) > 3 || *end || errno || len < 0 || len > 128)
			return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv6 prefix "
				       "(addr/0..128)", text);
		es_u128 mask = len == 0 ? 0 : ~(es_u128)0 << (128 - len);
		*lo = es_addr_to_u128(&a) & mask;
		*hi = *lo | ~mask;
		return ES_OK;
	}
	if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		if (!es_addr_parse_any(buf, &a) || a.family != ES_AF6 ||
		    !es_addr_parse_any(sep + 1, &b) || b.family != ES_AF6)
			return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv6 range "
				       "(addr-addr)", text);
		*lo = es_addr_to_u128(&a);
		*hi = es_addr_to_u128(&b);
		if (*lo > *hi)
			return es_fail(err, errlen, ES_EINVAL, "%s: the range ends before "
				       "it starts: swap the two addresses", text);
		return ES_OK;
	}
	if (!es_addr_parse_any(buf, &a) || a.family != ES_AF6)
		return es_fail(err, errlen, ES_EINVAL, "%s: not an IPv6 address", text);
	*lo = *hi = es_addr_to_u128(&a);
	return ES_OK;
}

int es_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
