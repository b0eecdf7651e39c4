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
 * Exit status 0, or 2 with a message on stderr. The options, the silent
 * addresses, the socket and the paced send loop are forge_core.h, shared with
 * forge6.c.
 */
#define _GNU_SOURCE
#define FORGE_NAME "forge"
#include "forge_core.h"

struct forge {
	struct forge_core c;
	uint32_t scanner;              /* host order */
	uint32_t base;                 /* the prefix's first address */
	uint64_t n_echo, n_silent_echo, n_badsum, n_unreach, n_timxceed, n_short;
};

static uint64_t rnd(struct forge *f) { return rnd_core(&f->c); }

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
	return f->base + f->c.silent[rnd(f) % f->c.nsilent];
}

static uint32_t any_addr(struct forge *f)
{
	return f->base + (uint32_t)(rnd(f) % f->c.size);
}

/* One forged frame into fr (zeroed); returns its length. */
static size_t make_frame(void *forge, uint8_t *fr)
{
	struct forge *f = forge;
	uint8_t *ip = fr + 14, *icmp = ip + 20;
	unsigned kind = (unsigned)(rnd(f) % 100);
	bool cut = kind >= 90;
	size_t icmp_len, plen = 18 + (size_t)(rnd(f) % 4) * 16;
	uint32_t src;

	memcpy(fr, f->c.dst_mac, 6);
	memcpy(fr + 6, f->c.src_mac, 6);
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

/* An address of a list: its offset, or false when outside the prefix. */
static bool offset_of(void *forge, const char *line, uint32_t *off)
{
	struct forge *f = forge;
	struct in_addr a;

	if (inet_pton(AF_INET, line, &a) != 1)
		die("not an IPv4 address in the list: %s", line);
	*off = ntohl(a.s_addr) - f->base;
	return *off < f->c.size;
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
	f->c.size = 1u << (32 - len);
	f->base = ntohl(a.s_addr) & ~(f->c.size - 1);
}

int main(int argc, char **argv)
{
	struct forge f = { .c.fd = -1 };
	struct forge_opts o;
	struct in_addr sa;
	double secs;

	forge_parse(argc, argv, "i:m:s:p:l:u:n:r:w:S:",
		    "forge -i IFACE -m SCANNER_MAC -s SCANNER_IP -p PREFIX/LEN -l LIVE_FILE "
		    "[-u UNREACH_FILE] [-n COUNT] [-r RATE] [-w SECONDS] [-S SEED]", &f.c, &o);
	if (!o.ifname || !o.mac || !o.scanner || !o.prefix || !o.live)
		die("-i, -m, -s, -p and -l are required (see the header of %s)", "tests/lab/forge.c");
	if (inet_pton(AF_INET, o.scanner, &sa) != 1)
		die("-s %s: not an IPv4 address", o.scanner);
	f.scanner = ntohl(sa.s_addr);
	parse_prefix(o.prefix, &f);
	forge_silent(&f.c, &f, &o, offset_of);
	forge_open(&f.c, o.ifname, ETH_P_IP);
	secs = forge_send(&f.c, &f, &o, make_frame);
	printf("sent %llu echo %llu silent_echo %llu badsum %llu unreach %llu timxceed %llu "
	       "short %llu seconds %.2f rate %.0f\n",
	       (unsigned long long)o.count, (unsigned long long)f.n_echo,
	       (unsigned long long)f.n_silent_echo, (unsigned long long)f.n_badsum,
	       (unsigned long long)f.n_unreach, (unsigned long long)f.n_timxceed,
	       (unsigned long long)f.n_short, secs, secs > 0 ? (double)o.count / secs : 0.0);
	free(f.c.silent);
	close(f.c.fd);
	return 0;
}
