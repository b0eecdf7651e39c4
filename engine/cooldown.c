/*
 * cooldown.c — the default cooldown (see cooldown.h).
 */
#include "engine/cooldown.h"

uint64_t cooldown_auto_ns(uint64_t rtt_max_ns)
{
	if (rtt_max_ns >= COOLDOWN_CAP_NS / COOLDOWN_RTT_FACTOR)
		return COOLDOWN_CAP_NS;
	if (rtt_max_ns * COOLDOWN_RTT_FACTOR <= COOLDOWN_FLOOR_NS)
		return COOLDOWN_FLOOR_NS;
	return rtt_max_ns * COOLDOWN_RTT_FACTOR;
}
