/*
 * metadata.h — the record of a sweep (-m FILE): one JSON object with what was
 * asked (command line, seed, shard, targets, exclusions, settings, notes),
 * what happened (probes, replies by classification, hosts, invalid replies,
 * pcap counters, rates, times) and how it ended (interrupted, exit status).
 * The numbers come from the same es_scan_summary snapshot as the summary. The
 * fields are described by docs/metadata.schema.json.
 *
 * Pure formatting: metadata_write only writes to the stream it is given and
 * reports errors by its return value (errno set); the caller opens, closes
 * and prints. Allocates a little (string escaping), so it is called once,
 * after the scan.
 */
#ifndef ECHOSCAN_METADATA_H
#define ECHOSCAN_METADATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <echoscan.h>
#include "scanner/cli.h"

struct metadata_run {
	const struct options *o;         /* the parsed command line */
	const struct es_scan_summary *c; /* final counters (may be all zero) */
	uint64_t seed;                   /* the seed used (given or random) */
	uint64_t targets_total;          /* the targets (exclusions applied) */
	uint64_t targets_shard;          /* this shard's targets, before -n */
	const struct es_route *route;    /* NULL if no route was found */
	const char *tx_backend;          /* NULL if no backend was opened */
	const char *tx_auto;             /* --tx auto's choice and why, or NULL */
	uint64_t start_ns, end_ns;       /* wall clock, ns since the epoch */
	double duration_s;               /* as the summary prints it */
	double send_rate;                /* achieved probes/s, as the summary */
	bool interrupted;                /* SIGINT/SIGTERM ended the scan early */
	int exit_status;                 /* 0, 1 or 2, as the process exits */
};

/* Writes the object and a newline. Returns 0, or -1 with errno set. */
int metadata_write(FILE *f, const struct metadata_run *m);

#endif
