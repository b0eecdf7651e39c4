/*
 * ping_fmt.c — iputils-compatible text and statistics for `echoscan ping`
 * (see ping_fmt.h). The arithmetic follows what iputils 20221126 does (read
 * from its source and checked against its output): RTTs in whole
 * microseconds; the average truncated from a double sum; the variance as
 * (sum2 - sum*sum/n) / n in doubles truncated to an integer, then an integer
 * square root; the loss as a float printed with %g.
 */
#include "scanner/ping_fmt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...);

void ping_stats_init(struct ping_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->tmin = LONG_MAX;
	st->pipesize = -1;
}

void ping_stats_add_rtt(struct ping_stats *st, long us)
{
	st->tsum += (double)us;
	st->tsum2 += (double)us * (double)us;
	if (us < st->tmin)
		st->tmin = us;
	if (us > st->tmax)
		st->tmax = us;
	/* iputils' moving average: 8 x avg, restarted whenever it is 0 */
	if (st->ewma8 == 0)
		st->ewma8 = (int)(us * 8);
	else
		st->ewma8 += (int)us - st->ewma8 / 8;
}

void ping_fmt_time(char *buf, size_t len, long us)
{
	if (us >= 100000 - 50)
		snprintf(buf, len, "%ld", (us + 500) / 1000);
	else if (us >= 10000 - 5)
		snprintf(buf, len, "%ld.%01ld", (us + 50) / 1000, (us + 50) % 1000 / 100);
	else if (us >= 1000)
		snprintf(buf, len, "%ld.%02ld", (us + 5) / 1000, (us + 5) % 1000 / 10);
	else
		snprintf(buf, len, "%ld.%03ld", us / 1000, us % 1000);
}

static const char *unreach_text(uint8_t code)
{
	static const char *const t[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		NULL /* 4: frag needed, with the MTU */, "Source Route Failed",
		"Destination Net Unknown", "Destination Host Unknown",
		"Source Host Isolated", "Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered", "Precedence Violation", "Precedence Cutoff",
	};

	return code < sizeof(t) / sizeof(t[0]) ? t[code] : NULL;
}

static void fmt_unreach(char *buf, size_t len, uint8_t code, uint32_t info)
{
	const char *t = unreach_text(code);

	if (code == 4)
		snprintf(buf, len, "Frag needed and DF set (mtu = %u)", (unsigned)info);
	else if (t)
		snprintf(buf, len, "%s", t);
	else
		snprintf(buf, len, "Dest Unreachable, Bad Code: %d", code);
}

static void fmt_redirect(char *buf, size_t len, uint8_t code, uint32_t gw)
{
	static const char *const t[] = {
		"Redirect Network", "Redirect Host",
		"Redirect Type of Service and Network", "Redirect Type of Service and Host",
	};
	struct in_addr a = { htonl(gw) };
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (code < 4)
		snprintf(buf, len, "%s(New nexthop: %s)", t[code], ip);
	else
		snprintf(buf, len, "Redirect, Bad Code: %d(New nexthop: %s)", code, ip);
}

static void fmt_timxceed(char *buf, size_t len, uint8_t code)
{
	if (code == 0)
		snprintf(buf, len, "Time to live exceeded");
	else if (code == 1)
		snprintf(buf, len, "Frag reassembly time exceeded");
	else
		snprintf(buf, len, "Time exceeded, Bad Code: %d", code);
}

static const char *plain_type_text(uint8_t type)
{
	switch (type) {
	case 0: return "Echo Reply";
	case 4: return "Source Quench";
	case 8: return "Echo Request";
	case 13: return "Timestamp";
	case 14: return "Timestamp Reply";
	case 15: return "Information Request";
	case 16: return "Information Reply";
	case 17: return "Address Mask Request";
	case 18: return "Address Mask Reply";
	default: return NULL;
	}
}

void ping_fmt_icmp(char *buf, size_t len, uint8_t type, uint8_t code, uint32_t info)
{
	const char *t = plain_type_text(type);

	if (type == 3)
		fmt_unreach(buf, len, code, info);
	else if (type == 5)
		fmt_redirect(buf, len, code, info);
	else if (type == 11)
		fmt_timxceed(buf, len, code);
	else if (type == 12)
		snprintf(buf, len, "Parameter problem: pointer = %u", (unsigned)info);
	else if (t)
		snprintf(buf, len, "%s", t);
	else
		snprintf(buf, len, "Bad ICMP type: %d", type);
}

void ping_fmt_header_opt(char *buf, size_t len, const char *host, const char *addr,
			 const char *src, const char *dev, unsigned datalen, unsigned optlen)
{
	if (src)
		snprintf(buf, len, "PING %s (%s) from %s %s: %u(%u) bytes of data.",
			 host, addr, src, dev ? dev : "", datalen, datalen + 28 + optlen);
	else
		snprintf(buf, len, "PING %s (%s) %u(%u) bytes of data.",
			 host, addr, datalen, datalen + 28 + optlen);
}

void ping_fmt_header(char *buf, size_t len, const char *host, const char *addr,
		     const char *src, const char *dev, unsigned datalen)
{
	ping_fmt_header_opt(buf, len, host, addr, src, dev, datalen, 0);
}

void ping_fmt_reply_line(char *buf, size_t len, const struct ping_reply_line *r)
{
	char t[32];

	snprintf(buf, len, "%u bytes from %s: icmp_seq=%u", r->bytes, r->from, r->seq);
	if (r->ident >= 0)
		append(buf, len, " ident=%d", r->ident);
	if (r->ttl >= 0)
		append(buf, len, " ttl=%d", r->ttl);
	if (r->truncated) {
		append(buf, len, " (truncated)");
		return;
	}
	if (r->timed) {
		ping_fmt_time(t, sizeof(t), r->us);
		append(buf, len, " time=%s ms", t);
	}
	if (r->dup)
		append(buf, len, " (DUP!)");
}

void ping_fmt_reply(char *buf, size_t len, unsigned bytes, const char *from,
		    unsigned seq, unsigned ttl, long us, bool dup)
{
	struct ping_reply_line r = { .bytes = bytes, .from = from, .seq = seq, .ident = -1,
				     .ttl = (int)ttl, .timed = true, .us = us, .dup = dup };

	ping_fmt_reply_line(buf, len, &r);
}

void ping_fmt_error(char *buf, size_t len, const char *from, unsigned seq,
		    uint8_t type, uint8_t code, uint32_t info)
{
	char t[128];

	ping_fmt_icmp(t, sizeof(t), type, code, info);
	snprintf(buf, len, "From %s icmp_seq=%u %s", from, seq, t);
}

void ping_fmt_icmp6(char *buf, size_t len, uint8_t type, uint8_t code, uint32_t info)
{
	static const char *const unreach[] = {
		"No route", "Administratively prohibited", "Beyond scope of source address",
		"Address unreachable", "Port unreachable",
	};
	static const char *const param[] = {
		"Wrong header field ", "Unknown header ", "Unknown option ",
	};

	switch (type) {
	case 1:
		if (code < sizeof(unreach) / sizeof(unreach[0]))
			snprintf(buf, len, "Destination unreachable: %s", unreach[code]);
		else    /* iputils 20221126 names codes 0..4 only */
			snprintf(buf, len, "Destination unreachable: Unknown code %d", code);
		break;
	case 2:
		snprintf(buf, len, "Packet too big: mtu=%u", (unsigned)info);
		if (code)
			append(buf, len, ", code=%d", code);
		break;
	case 3:
		snprintf(buf, len, "Time exceeded: %s", code == 0 ? "Hop limit" :
			 code == 1 ? "Defragmentation failure" : "");
		if (code > 1)
			append(buf, len, "code %d", code);
		break;
	case 4:
		if (code < sizeof(param) / sizeof(param[0]))
			snprintf(buf, len, "Parameter problem: %sat %u", param[code], (unsigned)info);
		else
			snprintf(buf, len, "Parameter problem: code %d at %u", code, (unsigned)info);
		break;
	case 128:
		snprintf(buf, len, "Echo request");
		break;
	case 129:
		snprintf(buf, len, "Echo reply");
		break;
	case 130:
		snprintf(buf, len, "MLD Query");
		break;
	case 131:
		snprintf(buf, len, "MLD Report");
		break;
	case 132:
		snprintf(buf, len, "MLD Reduction");
		break;
	default:
		snprintf(buf, len, "unknown icmp type: %u", type);
		break;
	}
}

void ping_fmt_error6(char *buf, size_t len, const char *from, unsigned seq,
		     uint8_t type, uint8_t code, uint32_t info)
{
	char t[128];

	ping_fmt_icmp6(t, sizeof(t), type, code, info);
	snprintf(buf, len, "From %s icmp_seq=%u %s", from, seq, t);
}

void ping_fmt_header6(char *buf, size_t len, const char *host, const char *addr,
		      uint32_t flow, const char *src, const char *dev, unsigned datalen)
{
	snprintf(buf, len, "PING %s(%s) ", host, addr);
	if (flow)
		append(buf, len, ", flow 0x%05x, ", (unsigned)flow);
	if (src)
		append(buf, len, "from %s %s: ", src, dev ? dev : "");
	append(buf, len, "%u data bytes", datalen);
}

long ping_elapsed_ms(uint64_t elapsed_ns)
{
	return (long)(elapsed_ns / 1000000000u * 1000u +
		      (elapsed_ns % 1000000000u + 500000u) / 1000000u);
}

/* Appends to buf (which holds a string) without overflowing. */
__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void ping_fmt_summary(char *buf, size_t len, const struct ping_stats *st,
		      uint64_t elapsed_ns)
{
	snprintf(buf, len, "%ld packets transmitted, %ld received",
		 st->ntransmitted, st->nreceived);
	if (st->nrepeats)
		append(buf, len, ", +%ld duplicates", st->nrepeats);
	if (st->nerrors)
		append(buf, len, ", +%ld errors", st->nerrors);
	if (st->ntransmitted) {
		/* iputils prints a float: 1/3 lost is "33.3333%" */
		float loss = (float)((double)(st->ntransmitted - st->nreceived) * 100.0 /
				     (double)st->ntransmitted);

		append(buf, len, ", %g%% packet loss", (double)loss);
		append(buf, len, ", time %ldms", ping_elapsed_ms(elapsed_ns));
	}
}

/* Integer square root by Newton's iteration, stopping at the first step that
 * does not decrease and returning that step's value, as iputils does: this
 * is the floor of the root, or one more for some values (8 gives 3). */
static long isqrt(long long a)
{
	long long x = a, prev = LLONG_MAX;

	if (a <= 0)
		return (long)a;
	while (x < prev) {
		prev = x;
		x = (x + a / x) / 2;
	}
	return (long)x;
}

static long mdev_us(const struct ping_stats *st, long avg)
{
	double total = (double)(st->nreceived + st->nrepeats);
	long long var;

	if (st->tsum < INT_MAX)
		var = (long long)((st->tsum2 - st->tsum * st->tsum / total) / total);
	else
		var = (long long)(st->tsum2 / total - (double)(avg * avg));
	return isqrt(var);
}

void ping_fmt_rtt(char *buf, size_t len, const struct ping_stats *st,
		  uint64_t elapsed_ns, bool show_ipg)
{
	long avg, mdev;

	const char *comma = "";

	buf[0] = '\0';
	if (st->nreceived && !st->untimed) {
		avg = (long)(st->tsum / (double)(st->nreceived + st->nrepeats));
		mdev = mdev_us(st, avg);
		snprintf(buf, len, "rtt min/avg/max/mdev = %ld.%03ld/%ld.%03ld/%ld.%03ld/%ld.%03ld ms",
			 st->tmin / 1000, st->tmin % 1000, avg / 1000, avg % 1000,
			 st->tmax / 1000, st->tmax % 1000, mdev / 1000, mdev % 1000);
		comma = ", ";
	}
	if (st->pipesize > 1) {
		append(buf, len, "%spipe %d", comma, st->pipesize);
		comma = ", ";
	}
	if (st->nreceived && show_ipg && st->ntransmitted > 1) {
		long ipg = (long)(elapsed_ns / 1000 / (uint64_t)(st->ntransmitted - 1));

		append(buf, len, "%sipg/ewma %ld.%03ld/%d.%03d ms", comma,
		       ipg / 1000, ipg % 1000, st->ewma8 / 8000, st->ewma8 / 8 % 1000);
	}
}

void ping_fmt_status(char *buf, size_t len, const struct ping_stats *st)
{
	long loss = st->ntransmitted ?
		    (st->ntransmitted - st->nreceived) * 100 / st->ntransmitted : 0;
	long avg;

	snprintf(buf, len, "%ld/%ld packets, %ld%% loss", st->nreceived,
		 st->ntransmitted, loss);
	if (st->nreceived == 0 || st->untimed)
		return;
	avg = (long)(st->tsum / (double)(st->nreceived + st->nrepeats));
	append(buf, len, ", min/avg/ewma/max = %ld.%03ld/%ld.%03ld/%d.%03d/%ld.%03ld ms",
	       st->tmin / 1000, st->tmin % 1000, avg / 1000, avg % 1000,
	       st->ewma8 / 8000, st->ewma8 / 8 % 1000, st->tmax / 1000, st->tmax % 1000);
}

unsigned ping_seq_of(long sent, uint16_t probe, unsigned nprobes)
{
	long last = sent - 1, n;

	if (sent <= 0 || nprobes == 0 || probe >= nprobes)
		return (probe + 1u) & 0xffffu;
	n = last - (long)(((unsigned long)last % nprobes + nprobes - probe) % nprobes);
	if (n < 0)
		n = probe;
	return (unsigned)((unsigned long)(n + 1) & 0xffffu);
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

int ping_parse_pattern(const char *s, uint8_t pat[PING_PATTERN_MAX],
		       char *err, size_t errlen)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			snprintf(err, errlen, "-p: patterns must be specified as hex digits: %s", s);
			return -1;
		}
	}
	for (i = 0; i < PING_PATTERN_MAX && 2 * i < n; i++) {
		int v = hexval((unsigned char)s[2 * i]);

		if (2 * i + 1 < n)
			v = v * 16 + hexval((unsigned char)s[2 * i + 1]);
		pat[i] = (uint8_t)v;
	}
	return (int)i;
}

void ping_fmt_pattern(char *buf, size_t len, const uint8_t *pat, size_t n)
{
	snprintf(buf, len, "PATTERN: 0x");
	for (size_t i = 0; i < n; i++)
		append(buf, len, "%02x", pat[i]);
}

/* One recorded address: "\t0.0.0.0" or "\t" + addr(). */
static void opt_addr(char *buf, size_t len, const uint8_t *p,
		     const char *(*addr)(void *ctx, uint32_t a), void *ctx)
{
	uint32_t a = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];

	if (a == 0)
		append(buf, len, "\t0.0.0.0");
	else
		append(buf, len, "\t%s", addr(ctx, a));
}

static void fmt_srr(char *buf, size_t len, const uint8_t *cp,
		    const char *(*addr)(void *ctx, uint32_t a), void *ctx)
{
	int j = cp[1];

	append(buf, len, "\n%cSRR: ", cp[0] == 137 ? 'S' : 'L');
	cp += 3;
	while (j > 4) {
		opt_addr(buf, len, cp, addr, ctx);
		cp += 4;
		j -= 4;
		append(buf, len, "\n");
	}
}

static void fmt_rr(char *buf, size_t len, const uint8_t *cp, struct ping_rr_memo *prev,
		   bool flood, const char *(*addr)(void *ctx, uint32_t a), void *ctx)
{
	int j = cp[1], i = cp[2];

	if (i > j)
		i = j;
	i -= 4;
	if (i <= 0)
		return;
	if (i == prev->len && memcmp(cp + 2, prev->rr, (size_t)i) == 0 && !flood) {
		append(buf, len, "\t(same route)");
		return;
	}
	prev->len = i;
	memcpy(prev->rr, cp + 2, (size_t)i);
	append(buf, len, "\nRR: ");
	cp += 3;
	for (;;) {
		opt_addr(buf, len, cp, addr, ctx);
		cp += 4;
		i -= 4;
		append(buf, len, "\n");
		if (i <= 0)
			break;
	}
}

static void fmt_ts(char *buf, size_t len, const uint8_t *cp,
		   const char *(*addr)(void *ctx, uint32_t a), void *ctx)
{
	long stdtime = 0, nonstdtime = 0;
	int j = cp[1], i = cp[2];
	uint8_t flags;

	if (i > j)
		i = j;
	i -= 5;
	if (i <= 0)
		return;
	flags = cp[3];
	append(buf, len, "\nTS: ");
	cp += 4;
	for (;;) {
		long l;

		if ((flags & 15) != 0) {      /* not tsonly: an address first */
			opt_addr(buf, len, cp, addr, ctx);
			cp += 4;
			i -= 4;
			if (i <= 0)
				break;
		}
		l = (long)((uint32_t)cp[0] << 24 | (uint32_t)cp[1] << 16 | (uint32_t)cp[2] << 8 | cp[3]);
		cp += 4;
		if (l & 0x80000000L) {
			if (nonstdtime == 0)
				append(buf, len, "\t%ld absolute not-standard", l & 0x7fffffff);
			else
				append(buf, len, "\t%ld not-standard", (l & 0x7fffffff) - nonstdtime);
			nonstdtime = l & 0x7fffffff;
		} else {
			if (stdtime == 0)
				append(buf, len, "\t%ld absolute", l);
			else
				append(buf, len, "\t%ld", l - stdtime);
			stdtime = l;
		}
		i -= 4;
		append(buf, len, "\n");
		if (i <= 0)
			break;
	}
	if (flags >> 4)
		append(buf, len, "Unrecorded hops: %d\n", flags >> 4);
}

void ping_fmt_ipopts(char *buf, size_t len, const uint8_t *opts, size_t optlen,
		     struct ping_rr_memo *prev, bool flood,
		     const char *(*addr)(void *ctx, uint32_t a), void *ctx)
{
	long totlen = (long)optlen;
	const uint8_t *p = opts;

	while (totlen > 0) {
		int olen;

		if (*p == 0)                 /* end of options */
			break;
		if (*p == 1) {               /* no-op */
			totlen--;
			p++;
			append(buf, len, "\nNOP");
			continue;
		}
		if (totlen < 2)
			break;
		olen = p[1];
		if (olen < 2 || olen > totlen)
			break;
		switch (*p) {
		case 137: case 131:
			fmt_srr(buf, len, p, addr, ctx);
			break;
		case 7:
			if (olen >= 3)
				fmt_rr(buf, len, p, prev, flood, addr, ctx);
			break;
		case 68:
			if (olen >= 4)
				fmt_ts(buf, len, p, addr, ctx);
			break;
		default:
			append(buf, len, "\nunknown option %x", *p);
			break;
		}
		totlen -= olen;
		p += olen;
	}
}

size_t ping_build_ipopts(uint8_t out[40], bool rroute, int ts_type)
{
	memset(out, 0, 40);
	if (rroute) {                    /* NOP, then RR filling the rest */
		out[0] = 1;
		out[1] = 7;
		out[2] = 39;
		out[3] = 4;
		return 40;
	}
	if (ts_type < 0)
		return 0;
	out[0] = 68;
	out[1] = ts_type == 0 ? 40 : 36;
	out[2] = 5;
	out[3] = (uint8_t)ts_type;
	if (ts_type == 3)
		out[1] = 4;                  /* tsprespec: no addresses given */
	return out[1];
}
