/*
 * ping_sched.h — when `echoscan ping` sends its next probe on the kernel
 * socket path: iputils ping's pinger() arithmetic, kept apart so a unit test
 * can drive it with a fake clock. A token bucket in whole milliseconds holds
 * up to `preload` probes (-l); interval 0 (-f, -i 0) sends as soon as fewer
 * than `preload` probes are in flight, and otherwise every 10 ms; -A resets
 * the interval from the moving average of the round-trip time after each
 * reply. In-flight accounting follows iputils' (highest sequence answered).
 *
 * Pure: no I/O, no clock reads; the caller passes monotonic nanoseconds.
 */
#ifndef ECHOSCAN_PING_SCHED_H
#define ECHOSCAN_PING_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define PING_SCHED_MIN_MS 10    /* iputils' MININTERVAL: flood without replies */

struct ping_sched {
	long interval_ms;       /* current interval (-A changes it) */
	int preload;            /* -l, at least 1 */
	bool user;              /* not root: -A keeps at least 2 ms */
	long tokens;            /* ms of credit */
	uint64_t cur_ns;        /* time of the last send that took tokens */
	bool started;
	long rtt_addend;        /* us added by send-buffer overflows (-A) */
	/* in flight: iputils' counters */
	long ntransmitted;
	uint16_t acked;         /* highest sequence answered (iputils' "acked") */
	int pipesize;           /* most probes seen in flight at once; -1 before any */
};

void ping_sched_init(struct ping_sched *s, long interval_ms, int preload, bool user);
/* Milliseconds until the next probe may go: 0 means send now (then call
 * ping_sched_sent and ask again); `nreceived`/`nerrors` for in_flight. */
long ping_sched_check(struct ping_sched *s, uint64_t now_ns, long nreceived, long nerrors);
/* A probe went out (or failed hard: iputils counts it as sent). */
void ping_sched_sent(struct ping_sched *s);
/* After a hard send error: no credit left; returns the ms to wait. */
long ping_sched_failed(struct ping_sched *s);
/* A reply or error for sequence `seq` (1..65535, 0 after a wrap). */
void ping_sched_ack(struct ping_sched *s, uint16_t seq);
/* Probes sent and not yet answered, as iputils counts them. */
long ping_sched_in_flight(const struct ping_sched *s, long nreceived, long nerrors);
/* -A: the interval from the moving RTT average (8 x us; 0 = none yet). */
void ping_sched_adapt(struct ping_sched *s, long ewma8_us);

#endif
