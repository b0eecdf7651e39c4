/*
 * tx_smoke.c — manual check of the send backends (not part of make test):
 * opens one backend on an interface and sends N stamped probes to
 * consecutive addresses from DST as fast as it can, then prints frames/s and
 * CPU time per frame. Sends real frames: run it only inside a network
 * namespace you created, e.g. on an ifb sink or a veth to a target namespace.
 *
 *   tx_smoke IFACE ring|mmsg|libnet|auto N [DST [GW_MAC [SRC]]]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/probe.h"
#include "engine/rate.h"
#include "engine/route.h"
#include "engine/tx.h"

#define BATCH 256

struct smoke {
	struct probe_params params;
	struct probe_template tmpl;
	struct vkey key;
	struct tx *tx;
	enum tx_kind kind;
	uint32_t dst;
	uint64_t n;
};

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int parse_kind(const char *s, enum tx_kind *k)
{
	static const char *const names[] = { "auto", "ring", "mmsg", "libnet" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum tx_kind)i;
			return 0;
		}
	return -1;
}

struct smoke_batch {
	struct smoke *s;
	uint32_t addr[BATCH];
};

static void stamp(void *user, unsigned first, unsigned k, uint64_t ts, uint8_t *const *slots)
{
	struct smoke_batch *sb = user;

	probe_stamp_batch(&sb->s->tmpl, sb->addr + first, k, 0, ts, slots);
}

static void params(void *user, unsigned i, uint64_t ts, struct probe_params *p)
{
	struct smoke_batch *sb = user;

	(void)i;
	(void)ts;
	*p = sb->s->params;
}

/* The scan's way: batches of BATCH targets through tx_send_probes, which
 * stamps into the backend's slots or (libnet) builds each frame. */
static int send_all(struct smoke *s)
{
	struct smoke_batch sb = { .s = s };
	struct tx_batch b = { .daddr = sb.addr, .probe = 0, .stamp = stamp,
			      .params = params, .user = &sb };
	uint64_t done = 0;

	while (done < s->n) {
		unsigned k = s->n - done < BATCH ? (unsigned)(s->n - done) : BATCH, sent = 0;

		for (unsigned i = 0; i < k; i++)
			sb.addr[i] = s->dst + (uint32_t)((done + i) & 0xffff);
		b.n = k;
		while (sent < k) {
			long got = tx_send_probes(s->tx, &b, sent, 1000);

			if (got <= 0)
				return -1;
			sent += (unsigned)got;
		}
		done += k;
	}
	return tx_flush(s->tx, 5000);
}

static int setup(struct smoke *s, int argc, char **argv)
{
	struct route_overrides ov = { argv[1], argc > 6 ? argv[6] : NULL,
				      argc > 5 ? argv[5] : NULL };
	struct route_info ri;
	struct in_addr a;
	char err[256];

	if (parse_kind(argv[2], &s->kind) < 0 ||
	    inet_pton(AF_INET, argc > 4 ? argv[4] : "198.18.0.1", &a) != 1) {
		fprintf(stderr, "bad backend or destination\n");
		return -1;
	}
	s->n = strtoull(argv[3], NULL, 10);
	s->dst = ntohl(a.s_addr);
	if (route_lookup(s->dst, &ov, 3000, &ri, err, sizeof(err)) < 0 ||
	    vkey_random(&s->key) < 0) {
		fprintf(stderr, "route: %s\n", err);
		return -1;
	}
	memcpy(s->params.src_mac, ri.src_mac, 6);
	memcpy(s->params.dst_mac, ri.dst_mac, 6);
	s->params.saddr = ri.saddr;
	s->params.ttl = 64;
	s->params.payload_len = 32;
	if (probe_template_build(&s->tmpl, &s->params, &s->key, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "template: %s\n", err);
		return -1;
	}
	return 0;
}

static int open_tx(struct smoke *s, const char *ifname)
{
	struct tx_config tc = { .kind = s->kind, .ifname = ifname,
				.frame_len = s->tmpl.len, .batch_max = BATCH,
				.params = &s->params, .key = &s->key };
	char err[256];

	if (tx_open(&tc, &s->tx, err, sizeof(err)) < 0) {
		fprintf(stderr, "tx_open: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct smoke s;
	struct tx_stats st;
	uint64_t t0, t1;
	double c0, c1;
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: %s IFACE ring|mmsg|libnet|auto N "
			"[DST [GW_MAC [SRC]]]\n", argv[0]);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	if (setup(&s, argc, argv) < 0 || open_tx(&s, argv[1]) < 0)
		return 2;
	t0 = rate_now_ns();
	c0 = cpu_s();
	rc = send_all(&s);
	t1 = rate_now_ns();
	c1 = cpu_s();
	tx_get_stats(s.tx, &st);
	if (rc < 0)
		fprintf(stderr, "send: %s\n", tx_last_error(s.tx));
	printf("%-6s %s frames=%llu errors=%llu len=%zu time=%.3fs "
	       "rate=%.3f Mpps cpu=%.1f ns/frame\n", tx_name(s.tx), argv[1],
	       (unsigned long long)st.frames, (unsigned long long)st.errors,
	       s.tmpl.len, (t1 - t0) / 1e9, st.frames / ((t1 - t0) / 1e3),
	       (c1 - c0) * 1e9 / (st.frames ? st.frames : 1));
	tx_close(s.tx);
	return rc < 0 ? 1 : 0;
}
