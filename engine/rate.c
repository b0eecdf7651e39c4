/*
 * rate.c — pacing for the sender thread. Probe n is due at
 * start + ceil(n * 1e9 / pps) ns, computed from the start every time (128-bit
 * products, so no drift and no overflow however long the run), so the total
 * sent tracks elapsed * rate exactly and a late sender catches up.
 *
 * Probes go in batches of about a millisecond of traffic (single probes
 * below 2 kpps), and a batch is handed out only once its last probe is due:
 * the sender then wakes once per batch and sleeps in between. Handing out
 * whatever is due instead makes a sender that just woke at a probe's due
 * time send that one probe, then wait a few microseconds for the next, and
 * so on: it spun a whole core at 100 kpps. A batch never exceeds a
 * millisecond's share, so no 10 ms window holds more than ~1.1 times its
 * share (11 batches) even when windows and batches are aligned worst.
 *
 * A sender woken late (a busy machine) owes several batches. Sending them
 * at once would put that backlog into one 10 ms window, so every batch
 * also waits for a catch-up schedule at 17/16 of the rate: each batch moves
 * it a gap (16/17 of a batch's time at the rate) on, with a tolerance of a
 * third of a gap so that wake-ups that late lose nothing (pace, below). A
 * sender on time never meets it; a sender behind meets it at every batch,
 * however large its backlog: the rate is a ceiling. A backlog of d ms is
 * gone about 16 d ms after the sender runs freely again (a stall makes the
 * run longer, never a burst), and the total stays exact: the schedule never
 * moves. Past a --max-runtime deadline the probes still owed go the same
 * way (rate_allow_before).
 *
 * Why 17/16 and a third: batches at least a gap apart on a schedule with a
 * tolerance tau fit at most floor((10 ms + tau) / gap) + 1 into a 10 ms
 * window; with 1 ms batches, gap = 16/17 ms and tau = gap / 3, that is
 * floor(10.96) + 1 = 11 batches, 1.1 times the share, like a sender on
 * time (half a gap of tolerance, or a factor of 9/8, make it 12). With
 * batches of b ms (less than 1 ms where the batch is capped or rounded
 * down) the window holds at most 17/16 + (4/3) b / 10 <= 1.2 times its
 * share. A larger factor would catch up sooner but break that bound.
 */
#include "engine/rate.h"

#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

#define NS_PER_SEC 1000000000ull
/* Traffic per batch: 0.5 ms cost 103 ms of CPU per second at 100 kpps here
 * against 80 ms (a wake-up and a send call per batch), for 1.05 instead of
 * 1.1 times the share in the worst-aligned 10 ms window. */
#define RATE_BATCH_NS 1000000ull
/* The catch-up rate: RATE_CATCHUP_NUM / RATE_CATCHUP_DEN of the rate (see
 * the top of the file for why 17/16). */
#define RATE_CATCHUP_NUM 17u
#define RATE_CATCHUP_DEN 16u
/* The catch-up schedule's tolerance: gap / RATE_CREDIT_DIV (see pace and
 * the top of the file). */
#define RATE_CREDIT_DIV 3u
/* The sender thread's timer slack (the default is 50 us). */
#define RATE_TIMER_SLACK_NS 1000ul

typedef unsigned __int128 u128;

uint64_t rate_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

unsigned rate_batch(uint64_t pps, unsigned batch_max)
{
	uint64_t b = (uint64_t)((u128)pps * RATE_BATCH_NS / NS_PER_SEC);

	if (batch_max == 0)
		batch_max = 1;
	if (pps == 0)
		return batch_max;
	if (b < 1)
		b = 1;
	return b < batch_max ? (unsigned)b : batch_max;
}

void rate_thread_init(void)
{
	/* best effort: without it, sleeps overshoot by up to 50 us more */
	(void)prctl(PR_SET_TIMERSLACK, RATE_TIMER_SLACK_NS, 0, 0, 0);
}

void rate_init_share(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns,
		     unsigned index, unsigned n)
{
	uint64_t share;

	r->pps = pps;
	r->start_ns = now_ns;
	r->sent = 0;
	r->batch_max = batch_max ? batch_max : 1;
	r->stride = n ? n : 1;
	r->offset = index < r->stride ? index : 0;
	share = pps / r->stride;
	r->batch = rate_batch(pps && share == 0 ? 1 : share, r->batch_max);
	r->next_ns = 0;
	r->behind_max = 0;
}

void rate_init(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns)
{
	rate_init_share(r, pps, batch_max, now_ns, 0, 1);
}

/* Time between batches while catching up: batch / (share * CATCHUP). */
static uint64_t catchup_gap(const struct rate *r)
{
	return (uint64_t)((u128)r->batch * r->stride * NS_PER_SEC * RATE_CATCHUP_DEN /
			  ((u128)r->pps * RATE_CATCHUP_NUM));
}

/* Offset from the start at which probe n of the whole schedule is due
 * (rounded up). */
static uint64_t due_offset(const struct rate *r, uint64_t n)
{
	u128 num = (u128)n * NS_PER_SEC;

	return (uint64_t)((num + r->pps - 1) / r->pps);
}

/* When probe m of this share is due: probe m * stride + offset of the
 * schedule. */
static uint64_t share_due_ns(const struct rate *r, uint64_t m)
{
	return r->start_ns + due_offset(r, m * r->stride + r->offset);
}

/* Probes of this share due by now: of the floor(elapsed * pps / 1e9) + 1
 * probes of the schedule due (probe 0 is due at the start), those numbered
 * offset, offset + stride, ... */
static uint64_t due_count(const struct rate *r, uint64_t now_ns)
{
	uint64_t elapsed = now_ns > r->start_ns ? now_ns - r->start_ns : 0;
	uint64_t all = (uint64_t)((u128)elapsed * r->pps / NS_PER_SEC) + 1;

	return all > r->offset ? (all - r->offset + r->stride - 1) / r->stride : 0;
}

/* Hands out n probes now, of owed (due and unsent, owed >= n), or 0 and
 * *wait_ns: every batch, however far behind the sender is, waits for the
 * catch-up schedule next_ns, which each batch moves a gap on from itself,
 * or from its own place on that schedule when it went less than a third of
 * a gap after it (a virtual scheduling, GCRA, with a tolerance of gap/3):
 * a wake-up that late loses nothing, one later loses only what is beyond
 * the third. A sender on time never meets the schedule (its batches are a
 * whole batch of traffic apart, more than a gap, and jitter up to a third
 * of a batch is tolerated); a sender behind meets it at every batch up to
 * the last one of its backlog, so none goes back to back. */
static unsigned pace(struct rate *r, uint64_t now_ns, uint64_t owed, unsigned n,
		     uint64_t *wait_ns)
{
	uint64_t gap = catchup_gap(r), credit = gap / RATE_CREDIT_DIV;
	uint64_t from = now_ns > credit ? now_ns - credit : 0;

	if (now_ns < r->next_ns) {
		if (wait_ns)
			*wait_ns = r->next_ns - now_ns;
		return 0;
	}
	r->next_ns = (r->next_ns > from ? r->next_ns : from) + gap;
	if (owed - n > r->behind_max)
		r->behind_max = owed - n;
	return n;
}

unsigned rate_allow(struct rate *r, uint64_t now_ns, uint64_t *wait_ns)
{
	uint64_t due, when;

	if (wait_ns)
		*wait_ns = 0;
	if (r->pps == 0)
		return r->batch_max;
	due = due_count(r, now_ns);
	if (due >= r->sent + r->batch)
		return pace(r, now_ns, due - r->sent, r->batch, wait_ns);
	/* the batch's last probe, sent + batch - 1, is not due yet */
	when = share_due_ns(r, r->sent + r->batch - 1);
	if (wait_ns)
		*wait_ns = when > now_ns ? when - now_ns : 0;
	return 0;
}

unsigned rate_allow_before(struct rate *r, uint64_t deadline_ns, uint64_t now_ns,
			   uint64_t *wait_ns)
{
	uint64_t due, owed;

	if (wait_ns)
		*wait_ns = 0;
	if (r->pps == 0 || deadline_ns <= r->start_ns)
		return 0;
	due = due_count(r, deadline_ns - 1);   /* due at or before deadline - 1 ns */
	if (due <= r->sent)
		return 0;
	owed = due - r->sent;
	return pace(r, now_ns, owed, owed < r->batch ? (unsigned)owed : r->batch, wait_ns);
}

uint64_t rate_behind_max_ns(const struct rate *r)
{
	if (r->pps == 0)
		return 0;
	return (uint64_t)((u128)r->behind_max * r->stride * NS_PER_SEC / r->pps);
}

void rate_sent(struct rate *r, unsigned n)
{
	r->sent += n;
}

enum rate_how rate_wait_how(uint64_t wait_ns)
{
	return wait_ns < RATE_SPIN_NS ? RATE_SPIN : RATE_SLEEP;
}

void rate_wait_until(uint64_t when_ns)
{
	uint64_t now = rate_now_ns();
	struct timespec ts;

	if (now >= when_ns)
		return;
	if (rate_wait_how(when_ns - now) == RATE_SPIN) {
		while (rate_now_ns() < when_ns)
			;
		return;
	}
	ts.tv_sec = (time_t)(when_ns / NS_PER_SEC);
	ts.tv_nsec = (long)(when_ns % NS_PER_SEC);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void rate_wait(uint64_t wait_ns)
{
	rate_wait_until(rate_now_ns() + wait_ns);
}
