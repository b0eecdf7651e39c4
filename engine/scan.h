/*
 * scan.h — runs a scan: the sender thread (permutation -> rate -> stamp ->
 * TX batch) and the receiver thread (capture -> parse -> validate -> hosts ->
 * result queue). The caller (main) opens the scan while privileged, drops
 * privileges, starts it, drains results with scan_results() and decides when
 * to stop: sending ends by itself (or on scan_stop_sending), then the caller
 * waits out the cooldown and calls scan_finish().
 */
#ifndef ECHOSCAN_SCAN_H
#define ECHOSCAN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "echoscan.h"
#include "engine/classify.h"
#include "engine/hosts.h"
#include "engine/result.h"
#include "engine/path.h"
#include "engine/route.h"
#include "engine/tx.h"
#include "engine/ip6set.h"
#include "engine/ipset.h"

struct scan_config {
	const struct ipset *targets;   /* finalized */
	const struct ip6set *targets6; /* finalized IPv6 targets, NULL or empty =
	                                * none; the permutation runs over the
	                                * IPv4 targets, then these (scan6.h) */
	uint64_t max_targets;          /* 0 = all (per pass, per shard) */
	uint64_t seed;
	uint32_t shards, shard;
	uint64_t rate;                 /* probes/s; 0 = as fast as possible */
	uint16_t probes;               /* passes over the targets, >= 1 */
	uint64_t interval_ns;          /* minimum time between pass starts */
	uint64_t max_runtime_ns;       /* 0 = none */
	uint8_t ttl;
	uint8_t tos;                   /* IP type of service (ping -Q); 0 = none */
	bool df;                       /* IP don't-fragment bit (ping -M do|want) */
	uint16_t payload_len;
	enum tx_kind tx;
	enum tx_xdp_mode xdp_mode;     /* with tx TX_XDP (tx.h) */
	bool rx_xdp;                   /* receive through AF_XDP (rx_xdp.h), not libpcap */
	bool report_all;               /* every validated reply, not first success */
	bool keep_stats;               /* per-host statistics in hosts, and no
	                                * per-reply results unless report_all */
	const uint8_t *pattern;        /* payload fill after the stamp (ping -p), */
	size_t pattern_len;            /* repeated; NULL = default; caller keeps it */
	bool loop;                     /* passes until stopped (probes ignored) */
	size_t rx_buffer_bytes;        /* capture ring; 0 = sized from the number of
	                                * probes (512 bytes each, 4..64 MiB) */
	uint64_t start_position;       /* --resume: probes of this scan already
	                                * done (pass * per-pass targets + index in
	                                * the pass), skipped; 0 = from the start */
	struct route_overrides ov;     /* -i, -S, -G (NULL members: from the kernel) */
	const uint32_t *sources;       /* several -S addresses (sorted, caller keeps
	                                * them; ov.saddr is the first): each target's
	                                * probes carry sources[srcsel_index()]; */
	size_t n_sources;              /* 0 or 1 = ov.saddr alone. Raw path only */
	int route_timeout_ms;          /* resolving a gateway's MAC; 0 = 3000 */
	uint8_t trace_first;           /* trace (trace_probe.h): every target at */
	uint8_t trace_last;            /* each TTL first..last, the (target, TTL)
	                                * pairs in the pseudo-random order, no
	                                * probe beyond a target's distance once
	                                * it answered; trace_last 0 = a sweep */
	unsigned sender_threads;       /* 0 or 1: one sender thread; N: N of them
	                                * splitting the order (split.h);
	                                * SCAN_SENDERS_AUTO: chosen (split_auto).
	                                * One anyway over ICMP datagram sockets,
	                                * with on-link targets and in trace */
	const char *pcap_path;         /* --pcap FILE: frames of valid replies, */
	bool pcap_all;                 /* or every captured frame; NULL = none */
};

#define SCAN_SENDERS_AUTO (~0u)

/* Counters, readable at any time (relaxed atomics inside). */
struct scan_counters {
	uint64_t sent;          /* probes handed to the kernel */
	uint64_t send_errors;
	uint64_t total;         /* probes planned */
	uint64_t valid;         /* validated replies (any kind) */
	uint64_t invalid;       /* failed validation or checksum */
	uint64_t invalid_why[INVALID_COUNT];  /* invalid by reason (sums to invalid) */
	bool hosts_oom;         /* out of memory for the host tables: up,
	                         * unreach and per-host statistics may be short */
	uint64_t up;            /* unique hosts that answered */
	uint64_t unreach;       /* unique hosts reported unreachable */
	uint64_t errors_other;  /* validated ICMP errors other than unreachable */
	uint64_t pcap_recv, pcap_drop;
	uint64_t send_start_ns, send_end_ns;  /* monotonic; end 0 while sending */
	uint64_t passes_started;  /* passes begun (pass = every target once) */
	uint64_t pass_sent;       /* targets sent in the current pass */
	uint64_t per_pass;        /* targets per pass */
	uint64_t by_class[ES_CLASS_COUNT];  /* valid replies by classification */
	uint64_t pcap_written;    /* frames written to the --pcap file */
	uint64_t listen_end_ns;   /* monotonic: when the receiver was told to
	                           * stop (scan_stop_receiving); 0 before */
	uint64_t position;        /* probes of the whole scan handed out so far,
	                           * pass * per_pass + index (from start_position) */
	uint64_t arp_sent;        /* ARP requests to on-link targets (not in sent) */
	uint64_t arp_resolved;    /* on-link targets whose MAC an ARP reply gave */
	uint64_t rtt_max_ns;      /* largest RTT of a validated reply so far (0: none) */
	uint64_t behind_max_ns;   /* most a sender fell behind the rate's schedule
	                           * (rate_behind_max_ns; set as a sender ends) */
};

struct scan;

/* Builds the path table (path.h) and opens the sockets (needs CAP_NET_RAW;
 * with tx TX_DGRAM, ICMP datagram sockets instead, see dgram.h: no path
 * table, the kernel routes each probe, and only ov.ifname and ov.saddr
 * apply) and prepares everything into *out; does not send. Returns ES_OK,
 * or a negative enum es_error (echoscan.h) with *out NULL and err holding
 * the detail: ES_EPERM (no CAP_NET_RAW; with TX_DGRAM: not in
 * ping_group_range), ES_ENODEV (no such interface, down, unusable link
 * type, no IPv4 address), ES_ENOROUTE (no route, next hop unresolved),
 * ES_EINVAL (bad configuration: -S/-G, shards, resume position, only
 * broadcast targets, --pcap or several -S over TX_DGRAM), ES_EUNSUPPORTED,
 * ES_ENOMEM, ES_ESYS. Callers branch on the code, never on err's text. */
int scan_open(const struct scan_config *cfg, struct scan **out, char *err, size_t errlen);
const char *scan_tx_name(const struct scan *s);
/* What --tx auto chose where it considered AF_XDP, and why ("AF_XDP (ves:
 * native XDP, xdp-copy)", "packet ring (ifb0: no native XDP in its
 * driver)"; "; " between interfaces), or NULL (another --tx, a small job). */
const char *scan_tx_auto(const struct scan *s);
/* Sender threads the scan uses (scan_config.sender_threads, as resolved). */
unsigned scan_sender_threads(const struct scan *s);
/* The receiver: "pcap", "xdp-native", "xdp-generic", "xdp-zerocopy" or "dgram". */
const char *scan_rx_name(const struct scan *s);
/* Before scan_start: marks these hosts (host order) as already reported up,
 * so their replies come back as repeats and are not reported again (a
 * resumed scan). Returns 0, or -1 with err set (out of memory). */
int scan_preload_up(struct scan *s, const uint32_t *addrs, size_t n, char *err, size_t errlen);
/* The source address probes to daddr carry (0 if daddr is not probed). */
uint32_t scan_source(const struct scan *s, uint32_t daddr);
/* The path of daddr as a route_info (interface, source, next hop MAC; zero
 * MAC when it is per target or none). Returns 0, or -1 (out zeroed) when
 * daddr is not probed. */
int scan_route_of(const struct scan *s, uint32_t daddr, struct route_info *out);
/* Engine events, for callers that take results and sends as they happen
 * (the public API's callbacks). Both optional; each runs in the loop of its
 * thread, so it must be short and must not call scan_close or scan_finish. */
struct scan_events {
	/* every result, on the receiver thread, instead of the result queue */
	void (*on_result)(void *user, const struct es_result *r);
	/* the n probes of a batch (targets daddr[], host order), on the sender
	 * thread, right after the batch was handed to the kernel at ts_ns
	 * (CLOCK_REALTIME) */
	void (*on_sent)(void *user, const uint32_t *daddr, unsigned n, uint16_t probe,
			uint64_t ts_ns);
	void *user;
};
/* Before scan_start only. */
void scan_set_events(struct scan *s, const struct scan_events *ev);

/* Per-probe sent events for a caller on its own thread (ping): one per
 * probe, queued by the sender before the probe's frame is handed to the
 * kernel, so a probe's event is always queued before any reply to it shows
 * up in scan_results (a frame the kernel then refuses still has its event;
 * see send_errors). Queuing wakes scan_wait and the event descriptor. */
struct scan_sent {
	uint64_t ts_ns;     /* the send time stamped in the probe (CLOCK_REALTIME) */
	uint64_t mono_ns;   /* when it was queued (CLOCK_MONOTONIC, rate_now_ns) */
	uint32_t daddr;     /* host order */
	uint16_t probe;     /* probe number */
};
/* Before scan_start only: turns the sent events on (one sender thread
 * then). Returns ES_OK or ES_ENOMEM with err set. */
int scan_want_sent(struct scan *s, char *err, size_t errlen);
/* One consumer thread: copies up to max queued sent events (oldest first);
 * never blocks. */
size_t scan_sent_events(struct scan *s, struct scan_sent *out, size_t max);
/* Events dropped because the queue (4096) was full: the consumer fell behind. */
uint64_t scan_sent_dropped(const struct scan *s);
int scan_start(struct scan *s, char *err, size_t errlen);
bool scan_sending(const struct scan *s);
/* Stops the sender early (SIGINT, broken pipe). */
void scan_stop_sending(struct scan *s);
/* Stops sending and tells the receiver to take what is buffered and end;
 * keep draining scan_results() until scan_receiving() is false. */
void scan_stop_receiving(struct scan *s);
bool scan_receiving(const struct scan *s);
/* The output is gone (broken pipe): stop everything, drop pending results. */
void scan_abandon(struct scan *s);
/* Main thread only: waits up to timeout_ns for news from the engine threads
 * (results queued or a valid reply counted, sending ended, receiving ended);
 * returns at once if there was news since the last call. A signal ends the
 * wait early (EINTR). Spurious returns are possible: recheck the state. */
void scan_wait(struct scan *s, uint64_t timeout_ns);
/* For callers with their own event loop (poll/epoll on the descriptor),
 * instead of scan_wait, on one thread: scan_event_fd polls readable once
 * the engine threads have news after the last scan_event_rearm.
 * scan_event_rearm clears the readiness and re-arms it; it returns true
 * when there was news since the previous call (then recheck the state and
 * drain the results). scan_event_poke makes the descriptor readable (results
 * left in the queue). */
int scan_event_fd(const struct scan *s);
bool scan_event_rearm(struct scan *s);
void scan_event_poke(struct scan *s);
/* Copies up to max queued results; never blocks. */
size_t scan_results(struct scan *s, struct es_result *out, size_t max);
void scan_counters(const struct scan *s, struct scan_counters *c);
/* Joins both threads (abandoning the receiver if it has not ended after
 * scan_stop_receiving). Results still queued can be drained with
 * scan_results afterwards. Returns 0, or -1 with the first thread error. */
int scan_finish(struct scan *s, char *err, size_t errlen);
/* Takes the per-host statistics gathered since the last call (or the
 * start) into out (initialised with keep_stats) and starts a new period.
 * Waits for the receiver at most timeout_ms. Returns 0 or -1. */
int scan_rotate_stats(struct scan *s, struct hosts *out, int timeout_ms);
/* The host tables: valid only after scan_finish. */
const struct hosts *scan_hosts(const struct scan *s);
void scan_close(struct scan *s);

#endif
