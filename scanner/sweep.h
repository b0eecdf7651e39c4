/*
 * sweep.h — runs the sweep described by parsed options: route lookup, opening
 * the engine, dropping privileges, the main loop (results, status, signals,
 * cooldown) and the summary. Returns the process exit status (0 hosts
 * answered, 1 none, 2 error); this is the one place that prints for a sweep.
 */
#ifndef ECHOSCAN_SWEEP_H
#define ECHOSCAN_SWEEP_H

#include "scanner/cli.h"

int sweep_run(struct options *o);
/* --dry-run: prints daddr,probe for every probe that would be sent. */
int sweep_dry_run(struct options *o);

#endif
