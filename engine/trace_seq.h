/*
 * trace_seq.h — the probe numbers of a trace through the kernel's ICMP
 * socket (es_trace.c): probes leave hop by hop, `probes` per TTL from
 * first to last, and probe number i (echo sequence i + 1) is the i-th to
 * leave, so it names its TTL and its slot within the hop. An ICMP error
 * quotes the sequence: that gives back the hop the probe died at. Pure.
 */
#ifndef ECHOSCAN_TRACE_SEQ_H
#define ECHOSCAN_TRACE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

struct trace_seq {
	unsigned first, last;      /* TTLs, 1 <= first <= last <= 255 */
	unsigned probes;           /* per TTL, 1..ES_TRACE_PROBES_MAX */
};

/* How many probes the trace sends ((last - first + 1) * probes). */
unsigned trace_seq_count(const struct trace_seq *q);
/* The probe number of (ttl, slot); both must be in range. */
uint16_t trace_seq_probe(const struct trace_seq *q, unsigned ttl, unsigned slot);
/* The TTL and slot of probe number `probe`; false (nothing written) for a
 * number the trace never sends. */
bool trace_seq_hop(const struct trace_seq *q, unsigned probe, unsigned *ttl, unsigned *slot);

#endif
