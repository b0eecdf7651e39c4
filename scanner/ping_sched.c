/*
 * ping_sched.c — iputils ping's send schedule (see ping_sched.h), written
 * from its pinger(), update_interval(), in_flight() and acknowledge().
 */
#include "scanner/ping_sched.h"

#define MINUSER_MS 2

void ping_sched_init(struct ping_sched *s, long interval_ms, int preload, bool user)
{
	*s = (struct ping_sched){ .interval_ms = interval_ms, .preload = preload < 1 ? 1 : preload,
				  .user = user, .pipesize = -1 };
}

long ping_sched_in_flight(const struct ping_sched *s, long nreceived, long nerrors)
{
	uint16_t diff = (uint16_t)((uint16_t)s->ntransmitted - s->acked);

	return diff <= 0x7fff ? diff : s->ntransmitted - nreceived - nerrors;
}

long ping_sched_check(struct ping_sched *s, uint64_t now_ns, long nreceived, long nerrors)
{
	long ntokens, cap;

	if (!s->started) {
		s->started = true;
		s->cur_ns = now_ns;
		s->tokens = s->interval_ms * (s->preload - 1);
		return 0;
	}
	ntokens = now_ns > s->cur_ns ? (long)((now_ns - s->cur_ns) / 1000000u) : 0;
	/* unlimited flood: as fast as replies come, else every 10 ms */
	if (s->interval_ms == 0 && ntokens < PING_SCHED_MIN_MS &&
	    ping_sched_in_flight(s, nreceived, nerrors) >= s->preload)
		return PING_SCHED_MIN_MS - ntokens;
	ntokens += s->tokens;
	cap = s->interval_ms * s->preload;
	if (cap < ntokens)
		ntokens = cap;
	if (ntokens < s->interval_ms)
		return s->interval_ms - ntokens;
	s->cur_ns = now_ns;
	s->tokens = ntokens - s->interval_ms;
	return 0;
}

void ping_sched_sent(struct ping_sched *s)
{
	s->ntransmitted++;
	/* a 16-bit sequence wrap invalidates acked */
	if ((uint16_t)((uint16_t)s->ntransmitted - s->acked) > 0x7fff)
		s->acked = (uint16_t)((uint16_t)s->ntransmitted + 1);
}

long ping_sched_failed(struct ping_sched *s)
{
	s->tokens = 0;
	return s->interval_ms <= PING_SCHED_MIN_MS ? PING_SCHED_MIN_MS : s->interval_ms;
}

void ping_sched_ack(struct ping_sched *s, uint16_t seq)
{
	uint16_t diff = (uint16_t)((uint16_t)s->ntransmitted - seq);

	if (diff > 0x7fff)
		return;
	if ((int)diff + 1 > s->pipesize)
		s->pipesize = (int)diff + 1;
	if ((int16_t)(seq - s->acked) > 0 ||
	    (uint16_t)((uint16_t)s->ntransmitted - s->acked) > 0x7fff)
		s->acked = seq;
}

void ping_sched_adapt(struct ping_sched *s, long ewma8_us)
{
	long est = ewma8_us ? ewma8_us / 8 : s->interval_ms * 1000;

	s->interval_ms = (est + s->rtt_addend + 500) / 1000;
	if (s->user && s->interval_ms < MINUSER_MS)
		s->interval_ms = MINUSER_MS;
}
