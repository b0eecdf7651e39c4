/*
 * clock.h — the wall clock in nanoseconds. Probes are stamped with it and
 * libpcap's capture timestamps use it too, so a reply's RTT is the capture
 * time minus the stamp, with no conversion between clocks. (Pacing uses the
 * monotonic clock: rate_now_ns in rate.h.)
 */
#ifndef ECHOSCAN_CLOCK_H
#define ECHOSCAN_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
