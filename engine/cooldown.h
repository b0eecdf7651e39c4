/*
 * cooldown.h — the default cooldown: how long a sweep keeps listening after
 * its last probe when -c/--cooldown is not given. The scan ends once no
 * reply can still be in flight, judged from the replies seen so far: a
 * multiple of the slowest round trip, never less than a floor that covers
 * any round trip under a second when nothing (or only fast replies) came
 * back, never more than the old fixed default. Pure arithmetic, no state.
 * The scan API's ES_COOLDOWN_AUTO (engine/es_scan.c) is this rule.
 */
#ifndef ECHOSCAN_COOLDOWN_H
#define ECHOSCAN_COOLDOWN_H

#include <stdint.h>

#define COOLDOWN_FLOOR_NS   1000000000ull   /* 1 s after the last probe */
#define COOLDOWN_CAP_NS     8000000000ull   /* 8 s: the fixed default before */
#define COOLDOWN_RTT_FACTOR 4               /* times the slowest RTT seen */

/* The wait after the last probe for the slowest RTT seen so far
 * (0 = no reply yet): clamp(COOLDOWN_RTT_FACTOR * rtt_max_ns, floor, cap). */
uint64_t cooldown_auto_ns(uint64_t rtt_max_ns);

#endif
