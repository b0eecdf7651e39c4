/*
 * rate.h — pacing for the sender: a token bucket on CLOCK_MONOTONIC that is
 * exact over the whole run (the n-th probe is due at start + n/rate) and
 * hands out whole batches of about a millisecond of traffic, so the traffic
 * stays smooth and the sender sleeps between batches instead of spinning;
 * the rate is a ceiling (a late sender catches up at 17/16 of it).
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
	uint64_t next_ns;      /* next batch not before this (a catch-up gap
	                        * after the last, rate.c pace) */
	uint64_t behind_max;   /* most probes still owed after a batch went */
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
 * machine) catches up at 17/16 of the rate, however far behind: never in
 * a burst, so no 10 ms window carries more than 1.2 times its share (1.1
 * with batches of 1 ms).
 * When 0, *wait_ns tells how long to wait. Call it only when about to send
 * what it allows: it notes when each batch was handed out. */
unsigned rate_allow(struct rate *r, uint64_t now_ns, uint64_t *wait_ns);
/* For a run limited to end at deadline_ns (monotonic), called at now_ns past
 * it: how many of the probes due strictly before the deadline may go now
 * (0..batch), so that a sender that finds the deadline passed sends exactly
 * duration * rate probes in all, like the rate itself. Paced as rate_allow
 * paces a catch-up (a sender far behind at the deadline does not burst):
 * 0 with *wait_ns > 0 means wait that long, 0 with *wait_ns == 0 that none
 * is owed (always so when unlimited: no schedule to owe). The caller bounds
 * how long past the deadline it keeps going (what is left is unsent). */
unsigned rate_allow_before(struct rate *r, uint64_t deadline_ns, uint64_t now_ns,
			   uint64_t *wait_ns);
/* The most this sender fell behind its schedule since rate_init: the
 * probes still owed after a batch went, as time at its rate (0 when
 * unlimited). A sender that keeps up stays within its wake-up latency. */
uint64_t rate_behind_max_ns(const struct rate *r);
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
