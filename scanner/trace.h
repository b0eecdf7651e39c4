/*
 * trace.h — `echoscan trace`: Linux `traceroute -I`'s output and options for
 * one host, and a stateless traceroute of many targets at a rate (records
 * per (target, TTL) reply, or one path per target), on the scan engine's
 * trace mode (engine/trace_probe.h).
 */
#ifndef ECHOSCAN_TRACE_H
#define ECHOSCAN_TRACE_H

/* argv[0] is "trace". Returns the exit status: one host, traceroute's (0
 * when it ran, 2 on an error; 1 when interrupted); many targets, 0 when a reply came, 1 when
 * none did, 2 on an error. */
int trace_main(int argc, char **argv);

#endif
