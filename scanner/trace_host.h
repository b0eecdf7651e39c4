/*
 * trace_host.h — `echoscan trace HOST`: traceroute -I's header and hop lines
 * for one host, over the public es_traceroute (echoscan.h). Main thread.
 */
#ifndef ECHOSCAN_TRACE_HOST_H
#define ECHOSCAN_TRACE_HOST_H

#include <signal.h>
#include "scanner/trace_opts.h"

/* Traces o->targets[0] with o's traceroute options and prints the lines on
 * stdout (errors on stderr). interrupted: the caller's signal flag; once
 * set, the trace ends. Returns the exit status: 0 when it ran, 1 when
 * interrupted, 2 on an error. */
int trace_host_run(const struct trace_opts *o, const volatile sig_atomic_t *interrupted);

#endif
