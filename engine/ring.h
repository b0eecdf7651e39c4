/*
 * ring.h — a single-producer/single-consumer queue of results between the
 * receiver thread (producer) and the output writer (consumer). Fixed size,
 * allocated once; push and pop never allocate or lock (C11 atomics with
 * acquire/release ordering on the two indexes).
 */
#ifndef ECHOSCAN_RING_H
#define ECHOSCAN_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "engine/result.h"

struct ring {
	struct es_result *slot;
	size_t mask;                        /* capacity - 1 (power of two) */
	_Alignas(64) _Atomic size_t head;   /* next slot to write (producer) */
	_Alignas(64) _Atomic size_t tail;   /* next slot to read (consumer) */
};

/* capacity is rounded up to a power of two. Returns 0 or -1 (ENOMEM). */
int ring_init(struct ring *r, size_t capacity);
void ring_free(struct ring *r);
/* Producer: returns false when full (the caller decides to wait). */
bool ring_push(struct ring *r, const struct es_result *res);
/* Consumer: copies up to max results into out, returns how many. */
size_t ring_pop(struct ring *r, struct es_result *out, size_t max);

#endif
