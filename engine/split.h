/*
 * split.h — several sender threads sharing one scan (--sender-threads): who
 * sends which target, how many threads to use when not told, and what the
 * scan's progress is when each thread is somewhere else in the walk.
 *
 * Every sender walks the same order (the shard's permutation, from the same
 * resume point) and counts targets as it goes; target number c of a pass
 * belongs to sender (c / SPLIT_BLOCK) % n, so the senders' shares are
 * disjoint, their union is exactly the single sender's pass (--max-targets,
 * --resume and --shards mean what they mean with one sender), and each
 * share is spread over the whole order. A sender's position is the count up
 * to which every target of its own was sent; the scan's safe position (for
 * --resume and the status line) is the least of them.
 * Pure functions; no state.
 */
#ifndef ECHOSCAN_SPLIT_H
#define ECHOSCAN_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#define SPLIT_BLOCK 64u        /* consecutive targets of one sender */
#define SPLIT_MAX   64u        /* most sender threads */

/* Whether target number count (of a pass) is sender index's of n. */
static inline bool split_owns(uint64_t count, unsigned index, unsigned n)
{
	return n <= 1 || (count / SPLIT_BLOCK) % n == index;
}

/* How many sender threads when none was asked for: one, unless the rate is
 * unlimited (0), the machine has at least 4 CPUs (one sender and the
 * receiver each want a core) and the device at least 2 TX queues; then one
 * per TX queue, at most half the CPUs and at most 4. */
unsigned split_auto(unsigned cpus, unsigned tx_queues, uint64_t rate);

/* The scan's safe position: the least of the senders' positions. */
uint64_t split_position(const uint64_t *positions, unsigned n);

/* Passes begun and targets sent in the current pass at a safe position
 * (several senders: what one sender would report there). */
void split_progress(uint64_t position, uint64_t per_pass, uint64_t *passes_started,
		    uint64_t *pass_sent);

#endif
