/*
 * split.c — sharing a scan among sender threads (see split.h).
 */
#include "engine/split.h"

unsigned split_auto(unsigned cpus, unsigned tx_queues, uint64_t rate)
{
	unsigned n = tx_queues;

	if (rate != 0 || cpus < 4 || tx_queues < 2)
		return 1;
	if (n > cpus / 2)
		n = cpus / 2;
	return n > 4 ? 4 : n;
}

uint64_t split_position(const uint64_t *positions, unsigned n)
{
	uint64_t m = n ? positions[0] : 0;

	for (unsigned i = 1; i < n; i++)
		if (positions[i] < m)
			m = positions[i];
	return m;
}

void split_progress(uint64_t position, uint64_t per_pass, uint64_t *passes_started,
		    uint64_t *pass_sent)
{
	if (per_pass == 0 || position == 0) {
		*passes_started = position == 0 && per_pass ? 1 : 0;
		*pass_sent = 0;
		return;
	}
	/* at a pass boundary: the pass just done, not the next one */
	*passes_started = (position - 1) / per_pass + 1;
	*pass_sent = position - (*passes_started - 1) * per_pass;
}
