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

void ping_stats_init(struct ping_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->tmin = LONG_MAX;
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

void ping_fmt_header(char *buf, size_t len, const char *host, const char *addr,
		     const char *src, const char *dev, unsigned datalen)
{
	if (src)
		snprintf(buf, len, "PING %s (%s) from %s %s: %u(%u) bytes of data.",
			 host, addr, src, dev ? dev : "", datalen, datalen + 28);
	else
		snprintf(buf, len, "PING %s (%s) %u(%u) bytes of data.",
			 host, addr, datalen, datalen + 28);
}

void ping_fmt_reply(char *buf, size_t len, unsigned bytes, const char *from,
		    unsigned seq, unsigned ttl, long us, bool dup)
{
	char t[32];

	ping_fmt_time(t, sizeof(t), us);
	snprintf(buf, len, "%u bytes from %s: icmp_seq=%u ttl=%u time=%s ms%s",
		 bytes, from, seq, ttl, t, dup ? " (DUP!)" : "");
}

void ping_fmt_error(char *buf, size_t len, const char *from, unsigned seq,
		    uint8_t type, uint8_t code, uint32_t info)
{
	char t[128];

	ping_fmt_icmp(t, sizeof(t), type, code, info);
	snprintf(buf, len, "From %s icmp_seq=%u %s", from, seq, t);
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

	buf[0] = '\0';
	if (st->nreceived == 0)
		return;
	avg = (long)(st->tsum / (double)(st->nreceived + st->nrepeats));
	mdev = mdev_us(st, avg);
	snprintf(buf, len, "rtt min/avg/max/mdev = %ld.%03ld/%ld.%03ld/%ld.%03ld/%ld.%03ld ms",
		 st->tmin / 1000, st->tmin % 1000, avg / 1000, avg % 1000,
		 st->tmax / 1000, st->tmax % 1000, mdev / 1000, mdev % 1000);
	if (show_ipg && st->ntransmitted > 1) {
		long ipg = (long)(elapsed_ns / 1000 / (uint64_t)(st->ntransmitted - 1));

		append(buf, len, ", ipg/ewma %ld.%03ld/%d.%03d ms",
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
	if (st->nreceived == 0)
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
