/*
 * benchtool.c — measuring helpers for bench/bench.sh (not part of echoscan).
 *
 *   benchtool watch FILE [POLL_NS]
 *       Polls a counter file (e.g. /sys/class/net/ifbsink/statistics/rx_dropped) every
 *       POLL_NS (default 1 ms) until SIGINT/SIGTERM, then prints
 *       "delta first_change_ns last_change_ns max_window full_windows" (CLOCK_MONOTONIC):
 *       how many frames went through, over how long, and the largest increase within one
 *       10 ms window (windows from the first change; the first and the last, partial,
 *       window are left out; resolution = the poll period).
 *   benchtool count IFACE
 *       Captures incoming ICMP echo requests on IFACE (libpcap, 64 MiB buffer, ns stamps) until
 *       SIGINT/SIGTERM and prints
 *       "packets first_ns last_ns max_window full_windows pcap_drops"
 *       where max_window is the largest number of requests in one 10 ms window
 *       (windows counted from the first request; the last, partial window is left out).
 */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_sig(int s) { (void)s; stop = 1; }

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int read_counter(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	unsigned long long x;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

#define WIN_NS 10000000ull
#define MAX_WIN 100000   /* 1000 s */

static int do_watch(const char *path, long poll_ns)
{
	uint64_t first = 0, last = 0, start, prev, v, maxw = 0, full;
	struct timespec d = { 0, poll_ns };
	uint32_t *win = calloc(MAX_WIN, sizeof(uint32_t));

	if (read_counter(path, &start) < 0) {
		perror(path);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	prev = start;
	while (!stop) {
		nanosleep(&d, NULL);
		if (read_counter(path, &v) < 0)
			continue;
		if (v != prev) {
			uint64_t now = mono_ns(), w;
			if (!first)
				first = now;
			last = now;
			w = (now - first) / WIN_NS;
			if (win && w < MAX_WIN)
				win[w] += (uint32_t)(v - prev);
			prev = v;
		}
	}
	/* windows wholly inside the run; the first one holds what the first poll saw */
	full = first ? (last - first) / WIN_NS : 0;
	for (uint64_t i = 1; win && i < full && i < MAX_WIN; i++)
		if (win[i] > maxw)
			maxw = win[i];
	printf("%llu %llu %llu %llu %llu\n", (unsigned long long)(prev - start),
	       (unsigned long long)first, (unsigned long long)last,
	       (unsigned long long)maxw, (unsigned long long)full);
	return 0;
}

struct cnt {
	uint64_t n, first, last;
	uint32_t *win;
};

static void on_pkt(u_char *u, const struct pcap_pkthdr *h, const u_char *b)
{
	struct cnt *c = (struct cnt *)u;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	uint64_t w;

	(void)b;
	if (!c->n)
		c->first = ts;
	if (ts > c->last)
		c->last = ts;
	c->n++;
	w = ts >= c->first ? (ts - c->first) / WIN_NS : 0;
	if (w < MAX_WIN)
		c->win[w]++;
}

static pcap_t *pc;
static void on_sig_pcap(int s) { (void)s; stop = 1; if (pc) pcap_breakloop(pc); }

static int do_count(const char *ifname)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct cnt c = { 0, 0, 0, calloc(MAX_WIN, sizeof(uint32_t)) };
	struct pcap_stat st = { 0 };
	uint64_t full, maxw = 0;

	pc = pcap_create(ifname, eb);
	if (!pc || !c.win) {
		fprintf(stderr, "benchtool: %s: %s\n", ifname, eb);
		return 2;
	}
	pcap_set_snaplen(pc, 64);
	pcap_set_buffer_size(pc, 64 << 20);
	pcap_set_timeout(pc, 5);
	pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(pc) < 0 || pcap_setdirection(pc, PCAP_D_IN) < 0 ||
	    pcap_compile(pc, &prog, "icmp and icmp[icmptype] == icmp-echo", 1,
			 PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(pc, &prog) < 0) {
		fprintf(stderr, "benchtool: %s: %s\n", ifname, pcap_geterr(pc));
		return 2;
	}
	signal(SIGINT, on_sig_pcap);
	signal(SIGTERM, on_sig_pcap);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		if (pcap_dispatch(pc, -1, on_pkt, (u_char *)&c) < 0)
			break;
	pcap_setnonblock(pc, 1, eb);
	pcap_dispatch(pc, -1, on_pkt, (u_char *)&c);
	pcap_stats(pc, &st);
	full = c.n ? (c.last - c.first) / WIN_NS : 0;   /* windows wholly inside the run */
	for (uint64_t i = 0; i < full && i < MAX_WIN; i++)
		if (c.win[i] > maxw)
			maxw = c.win[i];
	printf("%llu %llu %llu %llu %llu %u\n", (unsigned long long)c.n,
	       (unsigned long long)c.first, (unsigned long long)c.last,
	       (unsigned long long)maxw, (unsigned long long)full, st.ps_drop);
	pcap_close(pc);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "watch"))
		return do_watch(argv[2], argc == 4 ? atol(argv[3]) : 1000000);
	if (argc == 3 && !strcmp(argv[1], "count"))
		return do_count(argv[2]);
	fprintf(stderr, "usage: benchtool watch FILE | benchtool count IFACE\n");
	return 2;
}
