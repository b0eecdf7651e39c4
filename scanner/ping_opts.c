/*
 * ping_opts.c — parses `echoscan ping` options (see ping_opts.h). The
 * defaults, limits and messages are iputils ping's, except that -s stops at
 * 65507 (the largest payload an IPv4 packet holds; iputils takes more and
 * fails at every send).
 */
#include "scanner/ping_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <string.h>

#include "scanner/numparse.h"

#define NS_PER_S 1000000000ull
#define MAX_SECONDS 2147483ull    /* iputils: INT_MAX milliseconds */

const char *ping_usage(void)
{
	return
"Usage: echoscan ping [options] HOST\n"
"Sends ICMP echo requests to HOST and prints the replies, like iputils ping.\n"
"\n"
"  -c COUNT      stop after COUNT replies (or errors)\n"
"  -i INTERVAL   seconds between probes (default 1; below 0.002 only for root)\n"
"  -W TIMEOUT    seconds to wait for a reply after the last probe when none came (default 10)\n"
"  -w DEADLINE   stop after DEADLINE seconds, whatever was sent or received\n"
"  -s SIZE       payload bytes (default 56; 0..65507; below 16 no times)\n"
"  -t TTL        IP time to live, IPv6 hop limit (default 64)\n"
"  -p PATTERN    fill the payload with up to 16 bytes given in hex\n"
"  -I IFACE|ADDR send from this interface or source address\n"
"  -q            quiet: only the first line and the statistics\n"
"  -D            print [seconds.microseconds] before each line\n"
"  -O            report probes still unanswered when the next goes out\n"
"  -f            flood: '.' per probe, backspace per reply; as fast as replies come, at least 100/s\n"
"  -A            adaptive: the interval follows the round-trip time\n"
"  -l PRELOAD    send PRELOAD probes at once before waiting (above 3 only for root)\n"
"  -n            numeric output: no names for the addresses of replies\n"
"  -a            audible: a bell after each reply\n"
"  -b            allow pinging a broadcast address\n"
"  -C            connect() the socket to the host\n"
"  -d            SO_DEBUG on the socket\n"
"  -e IDENT      ICMP identifier (0..65535)\n"
"  -L            no multicast loopback\n"
"  -m MARK       tag the probes with this socket mark (SO_MARK)\n"
"  -Q TOS        IP type of service (IPv6: traffic class): decimal or 0x hex, 0..255\n"
"  -r            bypass the routing table (SO_DONTROUTE): on-link hosts only\n"
"  -R            record route (IP option); prints the route of each reply\n"
"  -S SNDBUF     socket send buffer bytes\n"
"  -T TYPE       IP timestamp option: tsonly, tsandaddr or tsprespec\n"
"  -U            user-to-user latency: the reply's time is taken by ping, not the kernel\n"
"  -M PMTUDISC   do|want: set the don't-fragment bit; dont: leave it clear\n"
"  -B            sticky source: keep the source address chosen at start (and print it)\n"
"  -v            verbose: the resolver's answer, the identifier on replies\n"
"  -V            print the version and exit\n"
"  -4            IPv4 only (a name's A records)\n"
"  -6            IPv6 only (a name's AAAA records; ICMPv6)\n"
"  -F FLOWLABEL  IPv6 flow label of the probes: decimal or 0x hex, 20 bits\n"
"  -h            this help\n"
"\n"
"SIGINT, SIGTERM and SIGHUP print the statistics and end; SIGQUIT prints a\n"
"one-line summary.\n"
"Exit status: 0 a reply came, 1 none (or fewer than -c before -w), 2 error.\n"
"Without CAP_NET_RAW, the ICMP datagram socket is used (net.ipv4.ping_group_range).\n";
}

static void defaults(struct ping_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ns = NS_PER_S;
	o->linger_ns = 10 * NS_PER_S;
	o->size = PING_DEFAULT_SIZE;
	o->pattern_len = -1;
	o->pmtudisc = -1;
	o->ts_type = -1;
	o->ident = -1;
	o->preload = 1;
}

static int parse_size(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	uint64_t v;

	if (num_u64("-s", s, 0, PING_SIZE_MAX, &v, err, errlen) < 0)
		return -1;
	o->size = (unsigned)v;
	return 0;
}

/* iputils' parsetos(): "0x.." is hex, anything else decimal; its messages. */
static int parse_tos(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;
	long v;

	errno = 0;
	v = strtol(hex ? s + 2 : s, &end, hex ? 16 : 10);
	if (*end != '\0' || errno || v < 0 || (hex && s[2] == '-')) {
		snprintf(err, errlen, "bad TOS value: %s", s);
		return -1;
	}
	if (v > 255) {
		snprintf(err, errlen, "the decimal value of TOS bits must be in range 0-255: %ld", v);
		return -1;
	}
	o->tos = (int)v;
	return 0;
}

static int parse_pmtudisc(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	if (strcmp(s, "do") == 0)
		o->pmtudisc = IP_PMTUDISC_DO;
	else if (strcmp(s, "dont") == 0)
		o->pmtudisc = IP_PMTUDISC_DONT;
	else if (strcmp(s, "want") == 0)
		o->pmtudisc = IP_PMTUDISC_WANT;
	else {
		snprintf(err, errlen, "invalid -M argument: %s", s);
		return -1;
	}
	return 0;
}

static int parse_ts(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	if (o->rroute) {
		snprintf(err, errlen, "only one of -T or -R may be used");
		return -1;
	}
	if (strcmp(s, "tsonly") == 0)
		o->ts_type = IPOPT_TS_TSONLY;
	else if (strcmp(s, "tsandaddr") == 0)
		o->ts_type = IPOPT_TS_TSANDADDR;
	else if (strcmp(s, "tsprespec") == 0)
		o->ts_type = IPOPT_TS_PRESPEC;
	else {
		snprintf(err, errlen, "invalid timestamp type: %s", s);
		return -1;
	}
	return 0;
}

static int parse_iface(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	struct in6_addr a6;
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) == 1 || inet_pton(AF_INET6, s, &a6) == 1) {
		o->source = s;
		o->ifname = NULL;
	} else if (strchr(s, ':')) {
		snprintf(err, errlen, "invalid source address: %s", s);   /* iputils' words */
		return -1;
	} else if (s[0] == '\0' || strlen(s) >= 16 || strchr(s, '/') || strchr(s, ' ')) {
		snprintf(err, errlen, "-I: \"%s\" is neither an interface name nor an IP address", s);
		return -1;
	} else {
		o->ifname = s;
		o->source = NULL;
	}
	return 0;
}

/* iputils' parseflow(): "0x.." hex, else decimal; 20 bits; its messages. */
static int parse_flow(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(hex ? s + 2 : s, &end, hex ? 16 : 10);
	if (*end != '\0' || errno) {
		snprintf(err, errlen, "bad value for flowinfo: %s", s);
		return -1;
	}
	if ((unsigned)v & ~0xfffffu) {      /* iputils truncates to int first */
		snprintf(err, errlen, "flow value is greater than 20 bits: %s", s);
		return -1;
	}
	o->flowlabel = (uint32_t)v & 0xfffff;
	o->flowinfo = true;
	return 0;
}

static int parse_pattern(const char *s, struct ping_opts *o, char *err, size_t errlen)
{
	int n = ping_parse_pattern(s, o->pattern, err, errlen);

	if (n < 0)
		return -1;
	o->pattern_len = n;
	return 0;
}

/* One option with a value. Returns 0 or -1 (err set). */
static int take_value(int ch, const char *v, struct ping_opts *o, char *err, size_t errlen)
{
	uint64_t u;

	switch (ch) {
	case 'c':
		return num_u64("-c", v, 1, PING_COUNT_MAX, &o->count, err, errlen);
	case 'i':
		return num_duration("-i", v, 0, MAX_SECONDS * NS_PER_S, &o->interval_ns,
				    err, errlen);
	case 'W':
		return num_duration("-W", v, 1000000, MAX_SECONDS * NS_PER_S, &o->linger_ns,
				    err, errlen);
	case 'w':
		return num_duration("-w", v, 0, MAX_SECONDS * NS_PER_S, &o->deadline_ns,
				    err, errlen);
	case 's':
		return parse_size(v, o, err, errlen);
	case 't':
		if (num_u64("-t", v, 1, 255, &u, err, errlen) < 0)
			return -1;
		o->ttl = (int)u;
		return 0;
	case 'I':
		return parse_iface(v, o, err, errlen);
	case 'p':
		return parse_pattern(v, o, err, errlen);
	case 'Q':
		return parse_tos(v, o, err, errlen);
	case 'F':
		return parse_flow(v, o, err, errlen);
	case 'M':
		return parse_pmtudisc(v, o, err, errlen);
	case 'T':
		return parse_ts(v, o, err, errlen);
	case 'e':
		if (num_u64("-e", v, 0, 65535, &u, err, errlen) < 0)
			return -1;
		o->ident = (int)u;
		return 0;
	case 'l':
		if (num_u64("-l", v, 1, PING_PRELOAD_MAX, &u, err, errlen) < 0)
			return -1;
		o->preload = (int)u;
		return 0;
	case 'm':
		if (num_u64("-m", v, 0, UINT32_MAX, &u, err, errlen) < 0)
			return -1;
		o->mark = (uint32_t)u;
		o->mark_set = true;
		return 0;
	case 'S':
		if (num_u64("-S", v, 1, INT32_MAX, &u, err, errlen) < 0)
			return -1;
		o->sndbuf = (int)u;
		return 0;
	default:
		return 0;
	}
}

static void take_flag(int ch, struct ping_opts *o)
{
	switch (ch) {
	case 'q': o->quiet = true; break;
	case 'D': o->timestamps = true; break;
	case 'O': o->outstanding = true; break;
	case 'f': o->flood = true; o->numeric = true; break;
	case 'n': o->numeric = true; break;
	case 'a': o->audible = true; break;
	case 'U': o->latency = true; break;
	case 'B': o->strict_source = true; break;
	case 'A': o->adaptive = true; break;
	case 'b': o->broadcast = true; break;
	case 'C': o->connect = true; break;
	case 'd': o->so_debug = true; break;
	case 'L': o->noloop = true; break;
	case 'r': o->dontroute = true; break;
	case 'v': o->verbose = true; break;
	default: break;
	}
}

enum ping_parse_result ping_opts_parse(int argc, char **argv, struct ping_opts *o,
				       char *err, size_t errlen)
{
	bool interval_given = false;
	int ch;

	defaults(o);
	optind = 0;       /* glibc: full re-initialisation */
	opterr = 0;
	while ((ch = getopt(argc, argv, ":c:i:W:w:s:t:I:p:Q:M:T:e:l:m:S:F:qDOfnaUB46AbCdLrRvVh")) != -1) {
		if (ch == 'h')
			return PING_OPTS_HELP;
		if (ch == 'V') {         /* iputils: prints and exits at once */
			o->version = true;
			return PING_OPTS_OK;
		}
		if ((ch == '4' && o->family == 6) || (ch == '6' && o->family == 4)) {
			snprintf(err, errlen, "only one -4 or -6 option may be specified");
			return PING_OPTS_ERROR;
		}
		if (ch == '4' || ch == '6')
			o->family = ch - '0';
		if (ch == 'R' && o->ts_type >= 0) {
			snprintf(err, errlen, "only one of -T or -R may be used");
			return PING_OPTS_ERROR;
		}
		o->rroute |= ch == 'R';
		if (ch == '?' || ch == ':') {
			snprintf(err, errlen, ch == '?' ? "invalid option -- '%c'"
				 : "option requires an argument -- '%c'", optopt);
			return PING_OPTS_USAGE;
		}
		if (strchr("ciWwstIpQMTelmSF", ch)) {
			if (take_value(ch, optarg, o, err, errlen) < 0)
				return PING_OPTS_ERROR;
			interval_given |= ch == 'i';   /* -f -i N: flood output, N apart */
		} else {
			take_flag(ch, o);
		}
	}
	if (o->flood && !interval_given)
		o->interval_ns = 0;
	if (optind >= argc) {
		snprintf(err, errlen, "usage error: Destination address required");
		return PING_OPTS_USAGE;
	}
	if (optind + 1 < argc) {
		snprintf(err, errlen, "one HOST only (got \"%s\" and \"%s\"): "
			 "echoscan ping does not do source routes", argv[optind], argv[optind + 1]);
		return PING_OPTS_USAGE;
	}
	o->host = argv[optind];
	return PING_OPTS_OK;
}
