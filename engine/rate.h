/*
 * rate.h — pacing for the sender: a token bucket on CLOCK_MONOTONIC that is
 * exact over the whole run (the n-th probe is due at start + n/rate) and
 * hands out whole batches of about a millisecond of traffic, so the traffic
 * stays smooth and the sender sleeps between batches instead of spinning.
 * Owned by the sender thread.
 */
#ifndef ECHOSCAN_RATE_H
#define ECHOSCAN_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct rate {
	uint64_t pps;          /* 0 = unlimited */
	uint64_t start_ns;     /* monotonic time of the first probe */
	uint64_t sent;         /* probes accounted so far */
	unsigned batch_max;
	unsigned batch;        /* probes per batch at this rate (rate_batch) */
	uint64_t next_ns;      /* catching up: next batch not before this */
	bool catching;         /* a backlog is being caught up */
	unsigned stride, offset;  /* a share: probes offset, offset + stride, ...
	                           * of the schedule (1, 0: all of it) */
};

/* How the sender waits for the next batch: waits shorter than RATE_SPIN_NS
 * are spun (a sleep would overshoot them by the timer slack, ~50 us), longer
 * ones sleep to the absolute due time. */
#define RATE_SPIN_NS 50000ull
enum rate_how { RATE_SPIN, RATE_SLEEP };

uint64_t rate_now_ns(void);   /* CLOCK_MONOTONIC in ns */
/* Call once on the sender thread: sets its timer slack to 1 us, so sleeps to
 * a batch's due time end within microseconds of it, not up to 50 us after. */
void rate_thread_init(void);
void rate_init(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns);
/* Share index of n (several sender threads): the probes index, index + n,
 * index + 2n, ... of the schedule of pps from now_ns, so the shares of n
 * senders started at the same now_ns interleave and together follow the
 * schedule exactly (their totals add up to what one sender's would be, at
 * every instant and at a deadline). rate_init is share 0 of 1. */
void rate_init_share(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns,
		     unsigned index, unsigned n);
/* Probes per batch at pps: about RATE_BATCH_NS (1 ms) of traffic, at least 1
 * (so single probes below 2 kpps), at most batch_max; batch_max when pps is
 * 0 (unlimited). */
unsigned rate_batch(uint64_t pps, unsigned batch_max);
/* How many probes may be sent now (0..batch). A batch is handed out once all
 * of it is due (never ahead of the schedule, at most one batch behind it),
 * so a sender that sleeps until then wakes once per batch, not per probe.
 * A sender that fell more than a batch behind (woken late on a busy
 * machine) catches up at 17/16 of the rate, not in one burst.
 * When 0, *wait_ns tells how long to wait. Call it only when about to send
 * what it allows: it notes when each batch was handed out. */
unsigned rate_allow(struct rate *r, uint64_t now_ns, uint64_t *wait_ns);
/* For a run limited to end at deadline_ns (monotonic): how many of the probes
 * due strictly before the deadline are still unsent (0..batch), so that a
 * sender that finds the deadline passed sends exactly duration * rate probes
 * in all, like the rate itself. 0 when unlimited (no schedule to owe). */
unsigned rate_allow_before(const struct rate *r, uint64_t deadline_ns);
/* Accounts n probes as sent. */
void rate_sent(struct rate *r, unsigned n);
/* Whether a wait of wait_ns is spun or slept (see RATE_SPIN_NS). */
enum rate_how rate_wait_how(uint64_t wait_ns);
/* Waits until the monotonic time when_ns: spins when it is less than
 * RATE_SPIN_NS away, else sleeps to it (clock_nanosleep, TIMER_ABSTIME on
 * CLOCK_MONOTONIC, no spinning after). Never returns early. */
void rate_wait_until(uint64_t when_ns);
/* rate_wait_until(now + wait_ns). */
void rate_wait(uint64_t wait_ns);

#endif
