/*
 * trace_seq.c — a kernel-socket trace's probe numbers ↔ (TTL, slot); see
 * trace_seq.h.
 */
#include "engine/trace_seq.h"

unsigned trace_seq_count(const struct trace_seq *q)
{
	return (q->last - q->first + 1) * q->probes;
}

uint16_t trace_seq_probe(const struct trace_seq *q, unsigned ttl, unsigned slot)
{
	return (uint16_t)((ttl - q->first) * q->probes + slot);
}

bool trace_seq_hop(const struct trace_seq *q, unsigned probe, unsigned *ttl, unsigned *slot)
{
	if (probe >= trace_seq_count(q))
		return false;
	*ttl = q->first + probe / q->probes;
	*slot = probe % q->probes;
	return true;
}
