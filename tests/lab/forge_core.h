/*
 * forge_core.h — what the two lab forgers share (tests/lab/forge.c for IPv4,
 * forge6.c for IPv6; not part of echoscan): the options, the random
 * stream, byte writers, the list of silent addresses of the prefix, the
 * send-only packet socket and the paced sendmmsg loop. Each forger keeps
 * only its own frames (make_frame), its address parsing and its summary
 * line. Included once by each forger's .c (it defines static functions), after
 * FORGE_NAME (the program's name in messages) is defined.
 */
#ifndef FORGE_CORE_H
#define FORGE_CORE_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef FORGE_NAME
#error "define FORGE_NAME before including forge_core.h"
#endif

#define BATCH     64
#define FRAME_MAX 256

/* The state both forgers need; each embeds it as the first member `c` of
 * its own struct forge. */
struct forge_core {
	int fd;
	struct sockaddr_ll sll;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t size;                 /* addresses in the prefix */
	uint32_t *silent, nsilent;     /* offsets of silent addresses */
	uint64_t rng;
};

/* The command line: -i -m -s -p -l -u -n -r -w -S, and -g where the
 * forger's option string has it. */
struct forge_opts {
	const char *ifname, *mac, *scanner, *gateway, *prefix, *live, *unreach;
	uint64_t count, rate;
	double wait_s;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, FORGE_NAME ": ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t rnd_core(struct forge_core *c)   /* splitmix64 */
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }

/* Parses the options into o (defaults: 200000 frames, as fast as possible,
 * no wait, a seed from the clock) and the scanner's MAC into c->dst_mac;
 * required names each forger's required options in the message. */
static void forge_parse(int argc, char **argv, const char *optstring, const char *usage,
			struct forge_core *c, struct forge_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->count = 200000;
	c->fd = -1;
	c->rng = now_ns(CLOCK_REALTIME);
	while ((ch = getopt(argc, argv, optstring)) != -1) {
		switch (ch) {
		case 'i': o->ifname = optarg; break;
		case 'm': o->mac = optarg; break;
		case 's': o->scanner = optarg; break;
		case 'g': o->gateway = optarg; break;
		case 'p': o->prefix = optarg; break;
		case 'l': o->live = optarg; break;
		case 'u': o->unreach = optarg; break;
		case 'n': o->count = strtoull(optarg, NULL, 10); break;
		case 'r': o->rate = strtoull(optarg, NULL, 10); break;
		case 'w': o->wait_s = strtod(optarg, NULL); break;
		case 'S': c->rng = strtoull(optarg, NULL, 10); break;
		default: die("usage: %s", usage);
		}
	}
	if (o->mac && sscanf(o->mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &c->dst_mac[0],
			     &c->dst_mac[1], &c->dst_mac[2], &c->dst_mac[3], &c->dst_mac[4],
			     &c->dst_mac[5]) != 6)
		die("-m %s: not a MAC address", o->mac);
}

/* Reads one address a line (blank lines skipped) from path and marks its
 * offset in the prefix; offset_of returns false for an address it ignores
 * (and dies on one that is wrong). */
static void read_marks(const char *path, void *f, uint8_t *mark,
		       bool (*offset_of)(void *f, const char *line, uint32_t *off))
{
	FILE *fp = fopen(path, "r");
	char line[128];
	uint32_t off;

	if (!fp)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, " \r\n")] = '\0';
		if (line[0] && offset_of(f, line, &off))
			mark[off] = 1;
	}
	fclose(fp);
}

/* The silent addresses: every offset of the prefix (c->size of them) in
 * neither list. */
static void forge_silent(struct forge_core *c, void *f, const struct forge_opts *o,
			 bool (*offset_of)(void *f, const char *line, uint32_t *off))
{
	uint8_t *mark = calloc(c->size, 1);

	c->silent = malloc((size_t)c->size * sizeof(*c->silent));
	if (!mark || !c->silent)
		die("out of memory%s", "");
	read_marks(o->live, f, mark, offset_of);
	if (o->unreach)
		read_marks(o->unreach, f, mark, offset_of);
	for (uint32_t i = 0; i < c->size; i++)
		if (!mark[i])
			c->silent[c->nsilent++] = i;
	free(mark);
	if (c->nsilent == 0)
		die("no silent address in %s", o->prefix);
}

/* A send-only packet socket on ifname (protocol 0: it receives nothing),
 * frames addressed to c->dst_mac with the given EtherType. */
static void forge_open(struct forge_core *c, const char *ifname, uint16_t ethertype)
{
	struct ifreq ifr;
	int sndbuf = 4 << 20;

	c->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (c->fd < 0)
		die("packet socket: %s (needs CAP_NET_RAW)", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) < 0)
		die("interface %s: no such device here", ifname);
	memcpy(c->src_mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&c->sll, 0, sizeof(c->sll));
	c->sll.sll_family = AF_PACKET;
	c->sll.sll_protocol = htons(ethertype);
	c->sll.sll_ifindex = (int)if_nametoindex(ifname);
	c->sll.sll_halen = 6;
	memcpy(c->sll.sll_addr, c->dst_mac, 6);
	if (bind(c->fd, (struct sockaddr *)&c->sll, sizeof(c->sll)) < 0)
		die("bind to %s failed", ifname);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

/* Says "ready", waits o->wait_s, then sends o->count frames from
 * make_frame(f, zeroed buffer) -> length in sendmmsg batches, paced to
 * o->rate frames/s (0: as fast as possible). Returns the seconds it took. */
static double forge_send(struct forge_core *c, void *f, const struct forge_opts *o,
			 size_t (*make_frame)(void *f, uint8_t *fr))
{
	static uint8_t frames[BATCH][FRAME_MAX];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t sent = 0, t0;

	printf("ready\n");
	fflush(stdout);
	if (o->wait_s > 0) {
		struct timespec ts = { (time_t)o->wait_s,
				       (long)((o->wait_s - (double)(time_t)o->wait_s) * 1e9) };
		nanosleep(&ts, NULL);
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	memset(msg, 0, sizeof(msg));
	while (sent < o->count) {
		unsigned n = o->count - sent < BATCH ? (unsigned)(o->count - sent) : BATCH;
		unsigned done = 0;

		if (o->rate) {   /* the batch may leave when the schedule says so */
			uint64_t due = t0 + (sent + n) * 1000000000ull / o->rate, now;

			while ((now = now_ns(CLOCK_MONOTONIC)) < due) {
				uint64_t d = due - now;
				struct timespec ts = { 0, (long)(d > 1000000 ? 1000000 : d) };

				nanosleep(&ts, NULL);
			}
		}
		for (unsigned i = 0; i < n; i++) {
			memset(frames[i], 0, FRAME_MAX);
			iov[i].iov_base = frames[i];
			iov[i].iov_len = make_frame(f, frames[i]);
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &c->sll;
			msg[i].msg_hdr.msg_namelen = sizeof(c->sll);
		}
		while (done < n) {
			int r = sendmmsg(c->fd, msg + done, n - done, 0);

			if (r < 0) {
				if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)
					continue;
				die("sendmmsg: %s", strerror(errno));
			}
			done += (unsigned)r;
		}
		sent += n;
	}
	return (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
}

#endif
