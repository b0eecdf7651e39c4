/*
 * forge6.c — a lab tool (not part of echoscan), the IPv6 counterpart of
 * forge.c: floods a scanner with forged ICMPv6 replies from the target side,
 * to check that none is ever reported as a host. Used by
 * tests/lab/test_forged6.sh; run it only inside a lab namespace
 * (tests/lab/lab.sh), on the veth that leads to the scanner.
 *
 *   forge6 -i IFACE -m SCANNER_MAC -s SCANNER_IP6 -g GATEWAY_IP6 -p PREFIX/LEN -l LIVE_FILE
 *          [-u UNREACH_FILE] [-n COUNT] [-r RATE] [-w SECONDS] [-S SEED]
 *
 * PREFIX is an IPv6 prefix of /104 or longer. An off-path attacker who does
 * not see the probes: every frame has valid checksums unless said, random
 * identifier and sequence, a payload shaped like a probe's (a send time a
 * few ms in the past, a random 64-bit MAC, probe number 0 (1 in a quarter
 * of them), random fill), a random flow label below 4, and a source spoofed from every lab
 * address (the prefix's addresses, the gateway, the scanner's link). Shapes
 * (percent of frames):
 *   35 echo reply (129) from a silent address of PREFIX
 *   20 echo reply from any address of PREFIX, live ones included
 *    5 echo reply as above with a wrong checksum
 *   20 destination unreachable (codes 0-6) from the gateway or a PREFIX
 *      address, quoting a probe-shaped echo request (128) from SCANNER_IP6 to
 *      a silent address (flow label = probe number 0, or 1), the quote whole
 *      or cut to the IPv6 and ICMPv6 headers
 *   10 time exceeded, packet too big or parameter problem, the same quotes
 *   10 one of the above cut short (the payload length says more than is sent)
 * Frames go out in sendmmsg batches of 64 on a packet socket bound to IFACE,
 * paced to RATE frames/s (0, the default: as fast as possible), COUNT in all
 * (default 200000), after waiting SECONDS. On stdout: "ready" once the socket
 * is open, then one line
 *   sent N echo E silent_echo Q badsum B unreach U other O short C seconds S rate R
 * Exit status 0, or 2 with a message on stderr. The options, the silent
 * addresses, the socket and the paced send loop are forge_core.h, shared with
 * forge.c.
 */
#define _GNU_SOURCE
#define FORGE_NAME "forge6"
#include "forge_core.h"

#define PAYLOAD   18            /* the probe's stamp: time, MAC, probe number */

struct forge {
	struct forge_core c;
	uint8_t scanner[16], gateway[16], base[16];
	uint64_t n_echo, n_silent_echo, n_badsum, n_unreach, n_other, n_short;
};

static uint64_t rnd(struct forge *f) { return rnd_core(&f->c); }

/* The ICMPv6 checksum over the pseudo-header of the IPv6 header at ip. */
static uint16_t csum6(const uint8_t *ip, size_t len)
{
	uint32_t s = 0;

	for (int i = 8; i < 40; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	s += (uint32_t)len + 58;
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(ip[40 + i] << 8 | (i + 1 < len ? ip[40 + i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void addr_at(const struct forge *f, uint32_t off, uint8_t out[16])
{
	memcpy(out, f->base, 16);
	for (int i = 15; i >= 12; i--, off >>= 8)
		out[i] = (uint8_t)(out[i] | (off & 0xff));
}

static void ip6_header(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint32_t flow,
		       size_t plen, uint8_t hlim)
{
	put32(p, 0x60000000u | (flow & 0xfffff));
	put16(p + 4, (uint16_t)plen);
	p[6] = 58;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

/* An echo message (type) with random id/seq and a probe-shaped payload. */
static size_t echo_body(struct forge *f, uint8_t *p, uint8_t type)
{
	uint64_t t = now_ns(CLOCK_REALTIME) - (rnd(f) % 5000000);

	p[0] = type;
	p[1] = 0;
	put16(p + 2, 0);
	put32(p + 4, (uint32_t)rnd(f));
	put64(p + 8, t);
	put64(p + 16, rnd(f));
	put16(p + 24, (uint16_t)(rnd(f) % 4 == 0 ? 1 : 0));   /* mostly probe 0: a valid number */
	for (int i = 26; i < 8 + PAYLOAD + 8; i++)
		p[i] = (uint8_t)rnd(f);
	return 8 + PAYLOAD + 8;
}

static uint32_t silent_off(struct forge *f) { return f->c.silent[rnd(f) % f->c.nsilent]; }

/* One forged frame into fr (zeroed); returns its length. */
static size_t make_frame(void *forge, uint8_t *fr)
{
	struct forge *f = forge;
	uint8_t *ip = fr + 14, src[16], dst[16];
	unsigned kind = (unsigned)(rnd(f) % 100);
	size_t len;

	memcpy(fr, f->c.dst_mac, 6);
	memcpy(fr + 6, f->c.src_mac, 6);
	put16(fr + 12, 0x86dd);
	if (kind < 60) {              /* echo replies */
		bool silent = kind < 35;

		addr_at(f, silent ? silent_off(f) : (uint32_t)(rnd(f) % f->c.size), src);
		len = echo_body(f, ip + 40, 129);
		ip6_header(ip, src, f->scanner, (uint32_t)(rnd(f) % 4), len, 64);
		put16(ip + 42, csum6(ip, len));
		if (kind >= 55) {
			ip[43] ^= 0x5a;
			f->n_badsum++;
		}
		f->n_echo++;
		f->n_silent_echo += silent;
	} else {                      /* errors quoting a probe-shaped request */
		static const uint8_t other[][2] = { { 3, 0 }, { 3, 1 }, { 2, 0 }, { 4, 0 }, { 4, 1 } };
		uint8_t *q = ip + 48;
		bool whole = rnd(f) & 1;
		size_t qlen;

		if (kind < 80) {
			ip[40] = 1;
			ip[41] = (uint8_t)(rnd(f) % 7);
			f->n_unreach++;
		} else {
			const uint8_t *o = other[rnd(f) % 5];

			ip[40] = o[0];
			ip[41] = o[1];
			f->n_other++;
		}
		put16(ip + 42, 0);
		put32(ip + 44, ip[40] == 2 ? 1280 : 0);
		addr_at(f, silent_off(f), dst);
		qlen = echo_body(f, q + 40, 128);
		ip6_header(q, f->scanner, dst, (uint32_t)(rnd(f) % 4 == 0 ? 1 : 0), qlen, 64);
		put16(q + 42, csum6(q, qlen));
		qlen = whole ? 40 + qlen : 48;
		if (rnd(f) & 1)
			memcpy(src, f->gateway, 16);
		else
			addr_at(f, (uint32_t)(rnd(f) % f->c.size), src);
		len = 8 + qlen;
		ip6_header(ip, src, f->scanner, 0, len, 64);
		put16(ip + 42, csum6(ip, len));
	}
	if (kind >= 90) {             /* cut short: the header says more */
		f->n_short++;
		return 14 + 40 + (len > 12 ? len - 12 : 4);
	}
	return 14 + 40 + len;
}

/* An address of a list: its offset in the prefix (outside it: an error). */
static bool offset_of(void *forge, const char *line, uint32_t *off)
{
	struct forge *f = forge;
	uint8_t a[16];

	if (inet_pton(AF_INET6, line, a) != 1 || memcmp(a, f->base, 12) != 0)
		die("%s: not an IPv6 address of the prefix", line);
	*off = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
	*off -= (uint32_t)f->base[12] << 24 | (uint32_t)f->base[13] << 16 |
		(uint32_t)f->base[14] << 8 | f->base[15];
	if (*off >= f->c.size)
		die("%s: outside the prefix", line);
	return true;
}

static void parse_prefix(const char *s, struct forge *f)
{
	char buf[64];
	char *slash;
	int len;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		die("-p %s: not PREFIX/LEN", s);
	*slash = '\0';
	len = atoi(slash + 1);
	if (inet_pton(AF_INET6, buf, f->base) != 1 || len < 104 || len > 128)
		die("-p %s: an IPv6 prefix of /104 or longer", s);
	f->c.size = 1u << (128 - len);
}

int main(int argc, char **argv)
{
	struct forge f = { .c.fd = -1 };
	struct forge_opts o;
	double secs;

	forge_parse(argc, argv, "i:m:s:g:p:l:u:n:r:w:S:",
		    "forge6 -i IFACE -m SCANNER_MAC -s SCANNER_IP6 -g GATEWAY_IP6 "
		    "-p PREFIX/LEN -l LIVE_FILE [-u UNREACH_FILE] [-n COUNT] [-r RATE] "
		    "[-w SECONDS] [-S SEED]", &f.c, &o);
	if (!o.ifname || !o.mac || !o.scanner || !o.gateway || !o.prefix || !o.live)
		die("-i, -m, -s, -g, -p and -l are required (see the header of %s)", "tests/lab/forge6.c");
	if (inet_pton(AF_INET6, o.scanner, f.scanner) != 1)
		die("-s %s: not an IPv6 address", o.scanner);
	if (inet_pton(AF_INET6, o.gateway, f.gateway) != 1)
		die("-g %s: not an IPv6 address", o.gateway);
	parse_prefix(o.prefix, &f);
	forge_silent(&f.c, &f, &o, offset_of);
	forge_open(&f.c, o.ifname, ETH_P_IPV6);
	secs = forge_send(&f.c, &f, &o, make_frame);
	printf("sent %llu echo %llu silent_echo %llu badsum %llu unreach %llu other %llu "
	       "short %llu seconds %.2f rate %.0f\n",
	       (unsigned long long)o.count, (unsigned long long)f.n_echo,
	       (unsigned long long)f.n_silent_echo, (unsigned long long)f.n_badsum,
	       (unsigned long long)f.n_unreach, (unsigned long long)f.n_other,
	       (unsigned long long)f.n_short, secs, secs > 0 ? (double)o.count / secs : 0.0);
	free(f.c.silent);
	close(f.c.fd);
	return 0;
}
