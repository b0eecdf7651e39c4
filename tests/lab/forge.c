/*
 * forge.c — a lab tool (not part of echoscan): floods a scanner with forged
 * ICMP replies from the target side, to check that none of them is ever
 * reported as a host. Used by tests/lab/test_forged.sh and bench/forged.sh;
 * run it only inside a lab namespace (tests/lab/lab.sh), on the veth that
 * leads to the scanner.
 *
 *   forge -i IFACE -m SCANNER_MAC -s SCANNER_IP -p PREFIX/LEN -l LIVE_FILE [-u UNREACH_FILE]
 *         [-n COUNT] [-r RATE] [-w SECONDS] [-S SEED]
 *
 * An off-path attacker who does not see the probes: every frame has random
 * ICMP id and sequence, a payload shaped like a probe's (a send time a few
 * ms in the past, a random 64-bit MAC, a small probe number, random fill),
 * and comes in one of these shapes (percent of frames):
 *   35 echo reply from a silent address of PREFIX (neither live nor unreachable)
 *   20 echo reply from any address of PREFIX, live ones included
 *    5 echo reply as above with a wrong ICMP checksum
 *   20 host/net/port/admin unreachable quoting a probe-shaped echo request from
 *      SCANNER_IP to a silent address (IP ID = a small probe number), the quote
 *      either whole (with the stamped payload) or the IP header plus 8 bytes
 *   10 time exceeded, the same kind of quote, from a router-like address
 *   10 one of the above cut short (the IP length says more than the frame holds)
 * Frames go out in sendmmsg batches of 64 on a packet socket bound to IFACE,
 * paced to RATE frames/s (0, the default: as fast as possible), COUNT in all
 * (default 200000), after waiting SECONDS (default 0). On stdout: "ready"
 * once the socket is open, then at the end one line
 *   sent N echo E silent_echo Q badsum B unreach U timxceed T short C seconds S rate R
 * Exit status 0, or 2 with a message on stderr.
 */
#define _GNU_SOURCE
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

#define BATCH    64
#define FRAME_MAX 256

struct forge {
	int fd;
	struct sockaddr_ll sll;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t scanner;              /* host order */
	uint32_t base, size;           /* the prefix */
	uint32_t *silent;              /* offsets of silent addresses */
	uint32_t nsilent;
	uint64_t rng;
	uint64_t n_echo, n_silent_echo, n_badsum, n_unreach, n_timxceed, n_short;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "forge: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t rnd(struct forge *f)   /* splitmix64 */
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t ip_header(uint8_t *p, uint32_t src, uint32_t dst, uint16_t ipid,
			uint8_t ttl, size_t total)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)total);
	put16(p + 4, ipid);
	p[8] = ttl;
	p[9] = 1;
	put32(p + 12, src);
	put32(p + 16, dst);
	put16(p + 10, csum(p, 20));
	return 20;
}

/* An echo header (type 0 or 8) with random id/seq and a probe-shaped payload
 * of plen bytes; the checksum is left to the caller. */
static size_t echo_body(struct forge *f, uint8_t *p, uint8_t type, size_t plen)
{
	uint64_t r = rnd(f);

	p[0] = type;
	p[1] = 0;
	put16(p + 2, 0);
	put32(p + 4, (uint32_t)r);                                 /* id, seq */
	put64(p + 8, now_ns(CLOCK_REALTIME) - (r >> 32) % 50000000);  /* sent 0..50 ms ago */
	put64(p + 16, rnd(f));                                     /* "MAC" */
	put16(p + 24, (uint16_t)(rnd(f) % 4));                     /* probe number */
	for (size_t i = 18; i < plen; i++)
		p[8 + i] = (uint8_t)i;                                 /* the default fill */
	return 8 + plen;
}

static uint32_t silent_addr(struct forge *f)
{
	return f->base + f->silent[rnd(f) % f->nsilent];
}

static uint32_t any_addr(struct forge *f)
{
	return f->base + (uint32_t)(rnd(f) % f->size);
}

/* One forged frame into fr; returns its length. */
static size_t make_frame(struct forge *f, uint8_t *fr)
{
	uint8_t *ip = fr + 14, *icmp = ip + 20;
	unsigned kind = (unsigned)(rnd(f) % 100);
	bool cut = kind >= 90;
	size_t icmp_len, plen = 18 + (size_t)(rnd(f) % 4) * 16;
	uint32_t src;

	memcpy(fr, f->dst_mac, 6);
	memcpy(fr + 6, f->src_mac, 6);
	put16(fr + 12, ETHERTYPE_IP);
	if (cut)
		kind = (unsigned)(rnd(f) % 90);
	if (kind < 60) {
		bool silent = kind < 35;
		src = silent ? silent_addr(f) : any_addr(f);
		icmp_len = echo_body(f, icmp, 0, plen);
		put16(icmp + 2, csum(icmp, icmp_len));
		if (kind >= 55) {
			icmp[2] ^= 0x5a;                                /* wrong checksum */
			f->n_badsum++;
		} else if (silent) {
			f->n_silent_echo++;
		} else {
			f->n_echo++;
		}
	} else {
		/* an error quoting a probe-shaped request to a silent address */
		bool unreach = kind < 80;
		static const uint8_t codes[] = { 0, 1, 3, 10, 13 };
		uint32_t dead = silent_addr(f);
		uint8_t *q = icmp + 8;
		size_t qlen = 20 + echo_body(f, q + 20, 8, plen);

		put16(q + 20 + 2, csum(q + 20, qlen - 20));
		ip_header(q, f->scanner, dead, (uint16_t)(rnd(f) % 4), (uint8_t)(64 - rnd(f) % 8), qlen);
		if (rnd(f) & 1)
			qlen = 28;                                      /* IP header + 8 bytes */
		src = unreach ? (rnd(f) & 1 ? dead : any_addr(f)) : 0xc6130002u + (uint32_t)(rnd(f) % 8);
		icmp[0] = unreach ? 3 : 11;
		icmp[1] = unreach ? codes[rnd(f) % sizeof(codes)] : 0;
		put16(icmp + 2, 0);
		put32(icmp + 4, 0);
		icmp_len = 8 + qlen;
		put16(icmp + 2, csum(icmp, icmp_len));
		if (unreach)
			f->n_unreach++;
		else
			f->n_timxceed++;
	}
	ip_header(ip, src, f->scanner, (uint16_t)rnd(f), (uint8_t)(64 - rnd(f) % 16), 20 + icmp_len);
	size_t len = 14 + 20 + icmp_len;
	if (cut) {
		len = 14 + 20 + 4 + (size_t)(rnd(f) % (icmp_len - 4));  /* ip_len says more */
		f->n_short++;
	}
	return len;
}

static void read_addrs(const char *path, struct forge *f, uint8_t *mark)
{
	FILE *fp = fopen(path, "r");
	char line[64];
	struct in_addr a;

	if (!fp)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (inet_pton(AF_INET, line, &a) != 1)
			die("not an IPv4 address in the list: %s", line);
		uint32_t v = ntohl(a.s_addr);
		if (v - f->base < f->size)
			mark[v - f->base] = 1;
	}
	fclose(fp);
}

static void parse_prefix(const char *s, struct forge *f)
{
	char buf[64];
	struct in_addr a;
	char *slash;
	long len;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		die("prefix %s: give ADDR/LEN", s);
	*slash = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 30)
		die("prefix %s: give ADDR/LEN with LEN 8..30", s);
	f->size = 1u << (32 - len);
	f->base = ntohl(a.s_addr) & ~(f->size - 1);
}

static void open_socket(struct forge *f, const char *ifname)
{
	struct ifreq ifr;

	f->fd = socket(AF_PACKET, SOCK_RAW, 0);   /* protocol 0: send only, receive nothing */
	if (f->fd < 0)
		die("packet socket: %s (needs CAP_NET_RAW)", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(f->fd, SIOCGIFHWADDR, &ifr) < 0)
		die("interface %s: no such device here", ifname);
	memcpy(f->src_mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&f->sll, 0, sizeof(f->sll));
	f->sll.sll_family = AF_PACKET;
	f->sll.sll_protocol = htons(ETH_P_IP);
	f->sll.sll_ifindex = (int)if_nametoindex(ifname);
	f->sll.sll_halen = 6;
	memcpy(f->sll.sll_addr, f->dst_mac, 6);
	if (bind(f->fd, (struct sockaddr *)&f->sll, sizeof(f->sll)) < 0)
		die("bind to %s failed", ifname);
	int sndbuf = 4 << 20;
	setsockopt(f->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

int main(int argc, char **argv)
{
	struct forge f = { .fd = -1 };
	const char *ifname = NULL, *live = NULL, *unreach = NULL, *prefix = NULL, *mac = NULL;
	const char *scanner = NULL;
	uint64_t count = 200000, rate = 0;
	double wait_s = 0;
	int c;

	f.rng = now_ns(CLOCK_REALTIME);
	while ((c = getopt(argc, argv, "i:m:s:p:l:u:n:r:w:S:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': mac = optarg; break;
		case 's': scanner = optarg; break;
		case 'p': prefix = optarg; break;
		case 'l': live = optarg; break;
		case 'u': unreach = optarg; break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'r': rate = strtoull(optarg, NULL, 10); break;
		case 'w': wait_s = strtod(optarg, NULL); break;
		case 'S': f.rng = strtoull(optarg, NULL, 10); break;
		default:
			die("usage: forge -i IFACE -m SCANNER_MAC -s SCANNER_IP -p PREFIX/LEN -l LIVE_FILE "
			    "[-u UNREACH_FILE] [-n COUNT] [-r RATE] [-w SECONDS] [-S SEED]%s", "");
		}
	}
	if (!ifname || !mac || !scanner || !prefix || !live)
		die("-i, -m, -s, -p and -l are required (see the header of %s)", "tests/lab/forge.c");
	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f.dst_mac[0], &f.dst_mac[1],
		   &f.dst_mac[2], &f.dst_mac[3], &f.dst_mac[4], &f.dst_mac[5]) != 6)
		die("-m %s: not a MAC address", mac);
	struct in_addr sa;
	if (inet_pton(AF_INET, scanner, &sa) != 1)
		die("-s %s: not an IPv4 address", scanner);
	f.scanner = ntohl(sa.s_addr);
	parse_prefix(prefix, &f);

	uint8_t *mark = calloc(f.size, 1);
	f.silent = malloc((size_t)f.size * sizeof(*f.silent));
	if (!mark || !f.silent)
		die("out of memory%s", "");
	read_addrs(live, &f, mark);
	if (unreach)
		read_addrs(unreach, &f, mark);
	for (uint32_t i = 0; i < f.size; i++)
		if (!mark[i])
			f.silent[f.nsilent++] = i;
	free(mark);
	if (f.nsilent == 0)
		die("no silent address in %s", prefix);
	open_socket(&f, ifname);
	printf("ready\n");
	fflush(stdout);
	if (wait_s > 0) {
		struct timespec ts = { (time_t)wait_s, (long)((wait_s - (double)(time_t)wait_s) * 1e9) };
		nanosleep(&ts, NULL);
	}

	static uint8_t frames[BATCH][FRAME_MAX];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t sent = 0, t0 = now_ns(CLOCK_MONOTONIC);

	memset(msg, 0, sizeof(msg));
	while (sent < count) {
		unsigned n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
		if (rate) {   /* the batch may leave when the schedule says so */
			uint64_t due = t0 + (sent + n) * 1000000000ull / rate;
			uint64_t now;
			while ((now = now_ns(CLOCK_MONOTONIC)) < due) {
				uint64_t d = due - now;
				struct timespec ts = { 0, (long)(d > 1000000 ? 1000000 : d) };
				nanosleep(&ts, NULL);
			}
		}
		for (unsigned i = 0; i < n; i++) {
			iov[i].iov_base = frames[i];
			iov[i].iov_len = make_frame(&f, frames[i]);
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &f.sll;
			msg[i].msg_hdr.msg_namelen = sizeof(f.sll);
		}
		unsigned done = 0;
		while (done < n) {
			int r = sendmmsg(f.fd, msg + done, n - done, 0);
			if (r < 0) {
				if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)
					continue;
				die("sendmmsg: %s", strerror(errno));
			}
			done += (unsigned)r;
		}
		sent += n;
	}
	double secs = (double)(now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	printf("sent %llu echo %llu silent_echo %llu badsum %llu unreach %llu timxceed %llu "
	       "short %llu seconds %.2f rate %.0f\n",
	       (unsigned long long)sent, (unsigned long long)f.n_echo,
	       (unsigned long long)f.n_silent_echo, (unsigned long long)f.n_badsum,
	       (unsigned long long)f.n_unreach, (unsigned long long)f.n_timxceed,
	       (unsigned long long)f.n_short, secs, secs > 0 ? (double)sent / secs : 0.0);
	free(f.silent);
	close(f.fd);
	return 0;
}
