/*
 * ping_opts.h — the command line of `echoscan ping`: iputils ping's options
 * (-4 -6 -a -B -c -D -f -h -i -I -M -n -O -p -q -Q -s -t -U -w -W ...) parsed with getopt into one
 * struct. Every number goes through numparse, so errors name the option and
 * the value. Prints nothing; ping.c decides what to print and the exit status.
 */
#ifndef ECHOSCAN_PING_OPTS_H
#define ECHOSCAN_PING_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scanner/ping_fmt.h"

#define PING_COUNT_MAX        9223372036854775807ull   /* iputils: LONG_MAX */
#define PING_SIZE_MAX         65507u   /* 65535 - IP header - ICMP header */
#define PING_PRELOAD_MAX      65536    /* iputils' MAX_DUP_CHK */
#define PING_USER_PRELOAD_MAX 3
#define PING_DEFAULT_SIZE     56u
#define PING_DEFAULT_TTL      64
#define PING_MIN_USER_INTERVAL_MS 2    /* iputils 20221126: 2 ms without root */

struct ping_opts {
	uint64_t count;            /* -c; 0 = until interrupted or the deadline */
	uint64_t interval_ns;      /* -i (default 1 s; 0 with -f unless -i) */
	uint64_t linger_ns;        /* -W: wait for a first reply after the last probe (10 s) */
	uint64_t deadline_ns;      /* -w; 0 = none */
	unsigned size;             /* -s: payload bytes */
	int ttl;                   /* -t; 0 = default */
	int tos;                   /* -Q; 0 = not set (iputils sets IP_TOS only when non-zero) */
	bool quiet, timestamps, outstanding, flood, numeric;
	bool audible;              /* -a: a bell after each reply line */
	bool latency;              /* -U: RTT from the user-space clock at receipt */
	bool strict_source;        /* -B: the source chosen at start stays */
	bool adaptive;             /* -A: the interval follows the replies */
	bool broadcast;            /* -b */
	bool connect;              /* -C: connect() the socket */
	bool so_debug;             /* -d: SO_DEBUG */
	bool noloop;               /* -L: no multicast loopback */
	bool dontroute;            /* -r: SO_DONTROUTE */
	bool rroute;               /* -R: record route */
	int ts_type;               /* -T: IPOPT_TS_TSONLY/_TSANDADDR/_PRESPEC; -1 = none */
	bool verbose;              /* -v */
	bool version;              /* -V */
	int ident;                 /* -e; -1 = not given */
	int preload;               /* -l (default 1) */
	bool mark_set;             /* -m */
	uint32_t mark;
	int sndbuf;                /* -S; 0 = not given */
	int pmtudisc;              /* -M: IP_PMTUDISC_DO/_WANT/_DONT; -1 = not given */
	const char *ifname;        /* -I name */
	const char *source;        /* -I address */
	uint8_t pattern[PING_PATTERN_MAX];
	int pattern_len;           /* -p bytes; -1 = no -p */
	int family;                /* -4: 4, -6: 6, neither: 0 (the name decides) */
	bool flowinfo;             /* -F: an IPv6 flow label asked for (ignored for IPv4) */
	uint32_t flowlabel;        /* -F value, 20 bits (0: the kernel picks one) */
	const char *host;
};

enum ping_parse_result { PING_OPTS_OK = 0, PING_OPTS_HELP, PING_OPTS_USAGE, PING_OPTS_ERROR };

/* Parses argv (argv[0] = "ping"). PING_OPTS_USAGE: unknown option or missing
 * argument (err says which); PING_OPTS_ERROR: a bad value (err names it). */
enum ping_parse_result ping_opts_parse(int argc, char **argv, struct ping_opts *o,
				       char *err, size_t errlen);
/* The -h text. */
const char *ping_usage(void);

#endif
