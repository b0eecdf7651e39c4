/*
 * scan_impl.h — engine-internal: the scan's state (struct scan, its
 * senders and their per-interface batches), shared by the modules that
 * make up a scan: scan.c (the threads, the counters, the lifecycle) and
 * the packet path (scan_path_packet.c, scan_path.h). Nothing outside
 * those includes it; everyone else sees the opaque struct scan of scan.h.
 * The ownership and thread rules are scan.c's banner's.
 */
#ifndef ECHOSCAN_SCAN_IMPL_H
#define ECHOSCAN_SCAN_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/arp.h"
#include "engine/classify.h"
#include "engine/hosts.h"
#include "engine/path.h"
#include "engine/permute.h"
#include "engine/probe.h"
#include "engine/ring.h"
#include "engine/scan.h"
#include "engine/scan_path.h"
#include "engine/srcsel.h"
#include "engine/trace_probe.h"
#include "engine/validate.h"

#define BATCH_MAX     SCAN_PATH_BATCH_MAX
#define RX_BUFFER_MAX (64u << 20)
#define RX_BUFFER_MIN (4u << 20)
#define RX_TIMEOUT_MS SCAN_PATH_WAIT_MS
/* Up to this many probes a job is small: it takes sendmmsg rather than a TX
 * ring, whose setup and teardown each wait for an RCU grace period in the
 * kernel (~10-30 ms here), longer than such a job takes to send. */
#define SMALL_JOB     65536u
/* --rx xdp's sockets the senders may share (rx_xdp.c's RXQ_MAX) */
#define XDP_SHARED_MAX 8u

/* One interface in use: its send backend and the batch being sorted to it. */
struct scan_dev {
	struct tx *tx;
	unsigned n;
	uint32_t addr[BATCH_MAX];
	uint32_t path[BATCH_MAX];
	uint64_t mac[BATCH_MAX];      /* per-target MAC slot value, 0 = template's */
	const struct probe_template *tmpl[BATCH_MAX];
	uint8_t ttl[BATCH_MAX];       /* trace: each probe's TTL */
};

/* One sender thread (several with --sender-threads, split.h): its own send
 * backends and batches, its own walk of the order and its share of the
 * rate. Only its thread touches it, except the atomics. */
struct scan_sender {
	struct scan *s;
	unsigned index;
	struct scan_dev *devs;              /* per path_dev */
	struct permute pm;
	pthread_t thread;
	bool started;
	_Atomic uint64_t frames, errors;    /* its backends' counts */
	_Atomic uint64_t position;          /* its own targets before this are sent */
	_Atomic uint64_t behind_ns;         /* most it fell behind the rate (rate.h) */
	char err[256];
};

struct scan {
	struct scan_config cfg;
	struct path_table pt;
	struct probe_params *params;        /* per path */
	struct probe_template *tmpl;        /* per path */
	struct arp_template *arp;           /* per path (on-link paths only) */
	struct scan_sender *senders;        /* n_senders of them */
	unsigned n_senders;                 /* running: 1 while on_sent is set */
	unsigned n_alloc_senders;           /* allocated (and their backends open) */
	uint32_t *saddrs;                   /* our sources, sorted, unique */
	size_t n_saddrs;
	bool simple;                        /* one path, no per-target MAC */
	struct vkey key;
	struct classify_ctx cls;
	struct permute pm;
	struct rx *rx;
	const struct scan_path_ops *path;   /* the packet or the datagram path, */
	void *path_state;                   /* chosen by scan_open (scan_path.h) */
	struct pcapout *pcap;               /* --pcap: written by the receiver */
	_Atomic uint64_t pcap_written;
	uint64_t published;                 /* results handed on: receiver only */
	struct ring ring;
	struct hosts hosts;
	pthread_t receiver;
	bool receiver_started;
	_Atomic unsigned senders_running;
	uint64_t per_pass;                  /* targets per pass */
	unsigned trace_n;                   /* trace: TTLs per target, else 0 */
	struct trace_reach reach;           /* trace: targets' distances */
	uint64_t n4;                        /* IPv4 targets: indexes below are
	                                     * IPv4, the rest IPv6 (targets6) */
	struct scan6 *v6;                   /* the IPv6 side, NULL without */

	_Atomic bool stop_send, stop_recv, send_done, recv_done, abandon, hosts_oom;
	/* wake_receiver against the receiver's last drain, which closes the
	 * capture's wakeup descriptor (pcap_setnonblock): see wake_receiver */
	_Atomic bool recv_draining;
	_Atomic unsigned wakers;
	_Atomic uint64_t valid, invalid, up, unreach, errors_other;
	_Atomic uint64_t pcap_recv, pcap_drop, send_start_ns, send_end_ns;
	_Atomic uint64_t passes_started, pass_sent, position, listen_end_ns;
	_Atomic uint64_t invalid_why[INVALID_COUNT];
	_Atomic uint64_t by_class[ES_CLASS_COUNT];
	_Atomic uint64_t arp_sent, arp_resolved;
	_Atomic uint64_t rtt_max;           /* written by the receiver only */
	_Atomic bool rot_req, rot_ack;      /* stats hand-over (scan_rotate_stats) */
	struct scan_events ev;              /* set before the threads start */
	struct scan_sent *sentq;            /* scan_want_sent: SENTQ_CAP events, */
	_Atomic uint64_t sentq_head;        /* written by the (one) sender, */
	_Atomic uint64_t sentq_tail;        /* read by the main thread */
	_Atomic uint64_t sentq_dropped;
	/* waking the main thread (scan_wait): the engine threads count news
	 * and write the eventfd only while the main thread sleeps on it */
	int wake_fd;
	_Atomic bool waiting;
	_Atomic uint64_t news;
	uint64_t news_seen;                 /* main thread only */
	struct hosts rot_out;

	char recv_err[256];
	char tx_auto[320];                  /* --tx auto's choice and why, or "" */
};

/* Several -S addresses: the one daddr's probes carry (srcsel.h). */
static inline uint32_t scan_pick_source(const struct scan *s, uint32_t daddr)
{
	return s->cfg.sources[srcsel_index(s->cfg.seed, daddr, s->cfg.n_sources)];
}

static inline uint64_t scan_probes_planned(const struct scan *s)
{
	return s->per_pass * (s->cfg.loop ? 64 : s->cfg.probes);
}

/* scan.c, for the packet path: scan_want_sent's queue (sent events of k
 * probes stamped with ts, before the kernel has them), and the receiver's
 * handler of a captured frame (rx_handler; user is the scan). */
void scan_sent_push(struct scan *s, const uint32_t *daddr, unsigned k, uint16_t probe,
		    uint64_t ts);
void scan_on_frame(void *user, uint64_t ts_ns, const uint8_t *frame, size_t caplen);

#endif
