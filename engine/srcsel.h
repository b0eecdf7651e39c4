/*
 * srcsel.h — which of several source addresses (-S with a range or CIDR)
 * a probe carries. The choice is a pure function of the run's seed and the
 * target, so a re-run with the same --seed, a --resume and every shard pick
 * the same source for the same target, all probes to a target leave from
 * one address, and targets spread evenly over the sources (a 64-bit mix,
 * then a multiply-shift into 0..n-1). No allocation: called per probe.
 */
#ifndef ECHOSCAN_SRCSEL_H
#define ECHOSCAN_SRCSEL_H

#include <stddef.h>
#include <stdint.h>

/* At most this many source addresses per scan. */
#define SRCSEL_MAX 65536u

/* Index (0..n-1) of the source for daddr; n >= 1 and n <= SRCSEL_MAX. */
size_t srcsel_index(uint64_t seed, uint32_t daddr, size_t n);

#endif
