/*
 * ping_fmt.h — the text of `echoscan ping`, written to match iputils ping
 * (Debian 12, iputils 20221126) byte for byte: reply and error lines, the
 * ICMP error wording, the time= rounding, the statistics and rtt lines, the
 * SIGQUIT status line, and the statistics themselves (iputils keeps RTTs in
 * whole microseconds and derives avg/mdev/ewma with its own integer and
 * double arithmetic; the same arithmetic is kept here so the digits agree).
 *
 * Pure: no I/O, no allocation; every function writes into the caller's
 * buffer (always NUL-terminated, truncated if too small).
 */
#ifndef ECHOSCAN_PING_FMT_H
#define ECHOSCAN_PING_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PING_PATTERN_MAX 16

/* What the statistics lines are made of (iputils' counters). */
struct ping_stats {
	long ntransmitted;   /* probes sent */
	long nreceived;      /* distinct probes answered by an echo reply */
	long nrepeats;       /* duplicated echo replies */
	long nerrors;        /* ICMP errors quoting our probes */
	long tmin, tmax;     /* microseconds, over replies and duplicates */
	double tsum, tsum2;  /* sum of RTTs (us) and of their squares */
	int ewma8;           /* 8 x the moving average RTT in us (iputils' rtt) */
	int pipesize;        /* most probes in flight at once; -1 = none seen */
	bool untimed;        /* payload too small for times (iputils: below 16 bytes) */
};

void ping_stats_init(struct ping_stats *st);
/* Adds one RTT (microseconds) of an echo reply, duplicate or not. */
void ping_stats_add_rtt(struct ping_stats *st, long us);

/* The time= value without unit: "0.132" (< 1 ms: 3 decimals, truncated),
 * "1.23", "12.3" (rounded), "123" (>= 99.95 ms). */
void ping_fmt_time(char *buf, size_t len, long us);
/* Describes an ICMP error as iputils does: "Destination Host Unreachable",
 * "Frag needed and DF set (mtu = 1400)", "Time to live exceeded",
 * "Redirect Host(New nexthop: 198.19.0.9)" (info: MTU, pointer, gateway in
 * host order, depending on type). */
void ping_fmt_icmp(char *buf, size_t len, uint8_t type, uint8_t code, uint32_t info);
/* ICMPv6 errors as iputils' ping -6 words them: "Destination unreachable:
 * Address unreachable", "Packet too big: mtu=1280", "Time exceeded: Hop
 * limit", "Parameter problem: Unknown header at 40" (info: MTU or pointer). */
void ping_fmt_icmp6(char *buf, size_t len, uint8_t type, uint8_t code, uint32_t info);
/* "From addr icmp_seq=3 Destination unreachable: No route" */
void ping_fmt_error6(char *buf, size_t len, const char *from, unsigned seq,
		     uint8_t type, uint8_t code, uint32_t info);
/* iputils' IPv6 header: "PING host(addr) [, flow 0x0abcd, ][from src dev: ]56
 * data bytes" (flow: the -F label, 0 = none). */
void ping_fmt_header6(char *buf, size_t len, const char *host, const char *addr,
		      uint32_t flow, const char *src, const char *dev, unsigned datalen);
/* "PING host (addr) [from src dev: ]56(84) bytes of data." — src NULL when
 * neither -I address nor interface was given; dev may be "". optlen: the IP
 * options' bytes (iputils counts 40 with -R or -T). */
void ping_fmt_header_opt(char *buf, size_t len, const char *host, const char *addr,
			 const char *src, const char *dev, unsigned datalen, unsigned optlen);
void ping_fmt_header(char *buf, size_t len, const char *host, const char *addr,
		     const char *src, const char *dev, unsigned datalen);
/* One reply as iputils prints it (without its IP options and data dump). */
struct ping_reply_line {
	unsigned bytes;      /* ICMP bytes received */
	const char *from;    /* "addr" or "name (addr)" */
	unsigned seq;
	int ident;           /* -v: shown when >= 0 */
	int ttl;             /* shown when >= 0 */
	bool timed;          /* time= shown */
	long us;
	bool dup;            /* (DUP!) shown */
	bool truncated;      /* " (truncated)" ends the line, no time */
};
void ping_fmt_reply_line(char *buf, size_t len, const struct ping_reply_line *r);
/* "64 bytes from addr: icmp_seq=1 ttl=64 time=0.132 ms[ (DUP!)]" */
void ping_fmt_reply(char *buf, size_t len, unsigned bytes, const char *from,
		    unsigned seq, unsigned ttl, long us, bool dup);
/* "From addr icmp_seq=3 Destination Host Unreachable" */
void ping_fmt_error(char *buf, size_t len, const char *from, unsigned seq,
		    uint8_t type, uint8_t code, uint32_t info);
/* "3 packets transmitted, 2 received, +1 duplicates, +1 errors,
 * 33.3333% packet loss, time 2003ms"; elapsed_ns: first to last send. */
void ping_fmt_summary(char *buf, size_t len, const struct ping_stats *st,
		      uint64_t elapsed_ns);
/* The line after the summary: "rtt min/avg/max/mdev = a/b/c/d ms" and, when
 * show_ipg (flood or interval 0) and more than one probe went out,
 * ", ipg/ewma x/y ms". Empty when nothing was received (iputils then prints
 * an empty line). */
void ping_fmt_rtt(char *buf, size_t len, const struct ping_stats *st,
		  uint64_t elapsed_ns, bool show_ipg);
/* The IP options of a reply as iputils prints them after its line (record
 * route, timestamps, source routes; "\t(same route)" when the recorded
 * route equals the previous one, remembered in *prev). addr formats one
 * address (names or numbers). Appends to buf. */
struct ping_rr_memo {
	unsigned char rr[40];
	int len;
};
void ping_fmt_ipopts(char *buf, size_t len, const uint8_t *opts, size_t optlen,
		     struct ping_rr_memo *prev, bool flood,
		     const char *(*addr)(void *ctx, uint32_t a), void *ctx);
/* Builds the IP option iputils sends for -R (record route) or -T TYPE
 * (0 tsonly, 1 tsandaddr, 3 tsprespec with no addresses); returns its length. */
size_t ping_build_ipopts(uint8_t out[40], bool rroute, int ts_type);
/* SIGQUIT: "2/3 packets, 33% loss, min/avg/ewma/max = a/b/c/d ms" (without
 * iputils' leading '\r' and trailing newline). */
void ping_fmt_status(char *buf, size_t len, const struct ping_stats *st);
/* Elapsed nanoseconds as iputils' "time NNNms": rounded to the millisecond. */
long ping_elapsed_ms(uint64_t elapsed_ns);

/* iputils' icmp_seq of a reply to probe number `probe`: iputils numbers the
 * nth probe (from 0) (n + 1) mod 65536, so it shows 65535, 0, 1, ... The
 * caller numbers probes n mod `nprobes` (ping: 65536): n is taken as the
 * latest probe sent (of `sent`) with that number. */
unsigned ping_seq_of(long sent, uint16_t probe, unsigned nprobes);

/* Parses -p: up to 16 bytes as pairs of hex digits ("ab0c", "abc" = ab 0c).
 * Returns the number of bytes (0 for ""), or -1 with err naming the text. */
int ping_parse_pattern(const char *s, uint8_t pat[PING_PATTERN_MAX],
		       char *err, size_t errlen);
/* "PATTERN: 0xab0c" */
void ping_fmt_pattern(char *buf, size_t len, const uint8_t *pat, size_t n);

#endif
