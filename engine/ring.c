/*
 * ring.c — the SPSC result queue (see ring.h). The producer owns head, the
 * consumer owns tail; each reads the other's index with acquire ordering so
 * slot contents written before a release store are visible after it.
 */
#include "engine/ring.h"

#include <stdlib.h>

int ring_init(struct ring *r, size_t capacity)
{
	size_t cap = 1;

	while (cap < capacity)
		cap <<= 1;
	r->slot = calloc(cap, sizeof(*r->slot));
	if (!r->slot)
		return -1;
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->slot);
	r->slot = NULL;
}

bool ring_push(struct ring *r, const struct es_result *res)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask)
		return false;
	r->slot[head & r->mask] = *res;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

size_t ring_pop(struct ring *r, struct es_result *out, size_t max)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t n = 0;

	while (tail + n != head && n < max) {
		out[n] = r->slot[(tail + n) & r->mask];
		n++;
	}
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}
