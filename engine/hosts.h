/*
 * hosts.h — what the receiver knows about the hosts that answered, in Judy
 * arrays keyed by host-order IPv4 address (locality for sweeps):
 *  - Judy1 sets of hosts seen up (echo reply) and seen unreachable, for the
 *    `repeat` flag and the summary;
 *  - JudyL per-host statistics (replies, RTT min/max/sum/sum of squares,
 *    jitter), kept only when stats are enabled;
 *  - a Judy1 set of (host, probe) pairs that answered, only with stats, so
 *    duplicated replies are counted once.
 * Owned by the receiver thread while the scan runs; read by main after it.
 */
#ifndef ECHOSCAN_HOSTS_H
#define ECHOSCAN_HOSTS_H

#include <stdbool.h>
#include <stdint.h>
#include "engine/result.h"

struct host_stat {
	uint64_t received;
	uint64_t dups;
	uint64_t rtt_n;                        /* replies that carried an RTT */
	int64_t  rtt_min, rtt_max, rtt_last;   /* ns */
	double   rtt_sum, rtt_sq;              /* ns, ns^2 */
	double   jitter_sum;                   /* sum |rtt_i - rtt_{i-1}| */
	uint64_t jitter_n;
};

struct hosts {
	void *up;         /* Judy1: hosts that sent an echo reply */
	void *unreach;    /* Judy1: hosts reported unreachable */
	void *stats;      /* JudyL: addr -> struct host_stat * */
	void *seen;       /* Judy1: (addr << 16 | probe) pairs, stats mode only */
	uint64_t n_up, n_unreach;
	bool keep_stats;
	bool oom;         /* an insertion failed: counts may be short */
};

void hosts_init(struct hosts *h, bool keep_stats);
void hosts_free(struct hosts *h);
/* Records an echo reply; returns true if the host had answered before. */
bool hosts_mark_up(struct hosts *h, uint32_t addr);
/* Records an unreachable report; returns true if already recorded. */
bool hosts_mark_unreach(struct hosts *h, uint32_t addr);
bool hosts_is_up(const struct hosts *h, uint32_t addr);
/* Stats mode: records the reply to (addr, probe) with rtt_ns (-1 unknown).
 * Returns true if this probe had already been answered (a duplicate). */
bool hosts_record(struct hosts *h, uint32_t addr, uint16_t probe, int64_t rtt_ns);
/* The IPv6 targets of a sweep are keyed by their rank in the IPv6 target
 * set (ip6set_index; below 2^32), above every IPv4 address, in the same
 * tables: one hand-over (hosts_take_stats) moves both families. */
#define HOSTS_KEY6(rank) ((uint64_t)1 << 32 | (uint64_t)(rank))
bool hosts_record_key(struct hosts *h, uint64_t key, uint16_t probe, int64_t rtt_ns);
/* hosts_stats_row for a key (saddr 0: the caller fills the address). */
void hosts_stats_row_key(const struct hosts *h, uint64_t key, uint64_t sent,
			 struct host_stats_row *row);
/* Stats mode: the statistics of addr, or NULL if it never answered. */
const struct host_stat *hosts_stat(const struct hosts *h, uint32_t addr);
/* The same for a key (HOSTS_KEY6). */
const struct host_stat *hosts_stat_key(const struct hosts *h, uint64_t key);
/* Fills a stats row for addr given how many probes were sent to it. */
void hosts_stats_row(const struct hosts *h, uint32_t addr, uint64_t sent,
		     struct host_stats_row *row);
/* Moves h's statistics into `into` (whose old statistics are freed) and
 * leaves h with none: hands a finished period to another owner. */
void hosts_take_stats(struct hosts *h, struct hosts *into);

#endif
