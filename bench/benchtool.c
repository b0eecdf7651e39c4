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
 *       "packets first_ns last_ns max_window full_windows pcap_drops p99_window"
 *       where max_window is the largest number of requests in one 10 ms window
 *       (windows counted from the first request; the last, partial window is left out)
 *       and p99_window the 99th percentile of the windows' counts (one stall of the
 *       sender moves max_window, not p99_window).
 *   benchtool cpu PID FROM TO
 *       CPU time of a running process per second of wall time, steady state: sums the CPU time
 *       of every thread of PID (/proc/PID/task/N/schedstat, ns) FROM and TO seconds after the
 *       process started (its start time in /proc/PID/stat, so a late start of this helper does
 *       not move the window) and prints "total_ns_per_s busiest_thread_ns_per_s" (threads that
 *       ended in between are not counted; "0 0" if the process ended before TO).
 */
#define _GNU_SOURCE
#include <dirent.h>
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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
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
	if (full > MAX_WIN)
		full = MAX_WIN;
	qsort(c.win, full, sizeof(*c.win), cmp_u32);
	printf("%llu %llu %llu %llu %llu %u %u\n", (unsigned long long)c.n,
	       (unsigned long long)c.first, (unsigned long long)c.last,
	       (unsigned long long)maxw, (unsigned long long)full, st.ps_drop,
	       full ? c.win[full * 99 / 100] : 0);
	pcap_close(pc);
	return 0;
}

#define MAX_TASKS 256

struct task_cpu {
	long tid;
	uint64_t ns;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Start time of pid in ns since boot (field 22 of /proc/PID/stat, in clock ticks). */
static int proc_start_ns(long pid, uint64_t *out)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')))
		return -1;
	/* after "pid (comm)": state is field 3, starttime field 22 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return -1;
	*out = start * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

static size_t task_cpu_snap(long pid, struct task_cpu *t)
{
	char path[64];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d)) && n < MAX_TASKS) {
		char sp[96];
		unsigned long long ns;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sp, sizeof(sp), "/proc/%ld/task/%.32s/schedstat", pid, e->d_name);
		if (!(f = fopen(sp, "r")))
			continue;
		if (fscanf(f, "%llu", &ns) == 1) {
			t[n].tid = atol(e->d_name);
			t[n].ns = ns;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static void sleep_until_boot(uint64_t when)
{
	uint64_t now = boot_ns();

	if (when > now) {
		struct timespec d = { (time_t)((when - now) / 1000000000ull),
				      (long)((when - now) % 1000000000ull) };
		nanosleep(&d, NULL);
	}
}

static int do_cpu(long pid, double from, double to)
{
	struct task_cpu a[MAX_TASKS], b[MAX_TASKS];
	uint64_t start, ta, tb, total = 0, busiest = 0;
	size_t na, nb;

	if (proc_start_ns(pid, &start) < 0) {
		printf("0 0\n");
		return 0;
	}
	sleep_until_boot(start + (uint64_t)(from * 1e9));
	na = task_cpu_snap(pid, a);
	ta = boot_ns();
	sleep_until_boot(start + (uint64_t)(to * 1e9));
	nb = task_cpu_snap(pid, b);
	tb = boot_ns();
	if (!na || !nb || tb <= ta) {
		printf("0 0\n");
		return 0;
	}
	for (size_t i = 0; i < nb; i++) {
		uint64_t before = 0, used;

		for (size_t j = 0; j < na; j++)
			if (a[j].tid == b[i].tid)
				before = a[j].ns;
		used = b[i].ns - before;
		total += used;
		if (used > busiest)
			busiest = used;
	}
	printf("%.0f %.0f\n", total * 1e9 / (double)(tb - ta), busiest * 1e9 / (double)(tb - ta));
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
	if (argc == 5 && !strcmp(argv[1], "cpu"))
		return do_cpu(atol(argv[2]), atof(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: benchtool watch FILE | benchtool count IFACE | benchtool cpu PID FROM TO\n");
	return 2;
}
