/*
 * rate.h — pacing for the sender: a token bucket on CLOCK_MONOTONIC that is
 * exact over the whole run (the n-th probe is due at start + n/rate) and
 * hands out small batches at low rates so the traffic stays smooth.
 * Owned by the sender thread.
 */
#ifndef ECHOSCAN_RATE_H
#define ECHOSCAN_RATE_H

#include <stdint.h>

struct rate {
	uint64_t pps;          /* 0 = unlimited */
	uint64_t start_ns;     /* monotonic time of the first probe */
	uint64_t sent;         /* probes accounted so far */
	unsigned batch_max;
};

uint64_t rate_now_ns(void);   /* CLOCK_MONOTONIC in ns */
void rate_init(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns);
/* How many probes may be sent now (0..batch_max); when 0, *wait_ns tells how
 * long until the next one is due. Batch size is chosen from the rate so that a
 * batch covers at most ~1 ms of traffic (1 at <= 1 kpps). */
unsigned rate_allow(const struct rate *r, uint64_t now_ns, uint64_t *wait_ns);
/* For a run limited to end at deadline_ns (monotonic): how many of the probes
 * due strictly before the deadline are still unsent (0..batch_max), so that a
 * sender that finds the deadline passed sends exactly duration * rate probes
 * in all, like the rate itself. 0 when unlimited (no schedule to owe). */
unsigned rate_allow_before(const struct rate *r, uint64_t deadline_ns);
/* Accounts n probes as sent. */
void rate_sent(struct rate *r, unsigned n);
/* Sleeps until now_ns + wait_ns (nanosleep for long waits, spins the last
 * ~50 us only at high rates). */
void rate_wait(uint64_t wait_ns);

#endif
