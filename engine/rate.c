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
 * A sender woken milliseconds late (a busy machine) owes several batches.
 * Sending them at once would put that backlog into one 10 ms window, so
 * batches handed out while more than one is owed are spaced at the catch-up
 * rate, 17/16 of the rate, on a schedule of their own (a wake-up up to half
 * a gap late is made up at the next batch, so late wake-ups do not slow the
 * catching up): a window after a stall holds about 1.06 times its share,
 * and the backlog is gone within 16 times the stall. Only a sender more
 * than 10 ms behind sends the excess at once. The total stays exact:
 * the schedule never moves.
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
/* Catching up is paced only while less than this much traffic is owed
 * (and at least 2 batches more than a batch): a sender that keeps being
 * stalled longer must not fall ever further behind. 10 ms: the stalls
 * traced on this shared 2-CPU VM (bench/RESULTS.md section 7) reach 7 ms
 * (the woken sender waiting for another task to leave the kernel, or the
 * idle vCPU's timer firing late); with 2 ms, each one over 4 batches sent
 * its excess at once, 1.3-1.5 times the share in that 10 ms window. */
#define RATE_CATCHUP_MAX_NS 10000000ull
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
	r->catching = false;
}

void rate_init(struct rate *r, uint64_t pps, unsigned batch_max, uint64_t now_ns)
{
	rate_init_share(r, pps, batch_max, now_ns, 0, 1);
}

/* Probes of this share owed while catching up from which a late sender
 * sends at once, not paced: RATE_CATCHUP_MAX_NS of its traffic, at least 4
 * batches. */
static uint64_t catchup_max(const struct rate *r)
{
	uint64_t m = (uint64_t)((u128)r->pps * RATE_CATCHUP_MAX_NS / NS_PER_SEC / r->stride);

	return m > 4 * (uint64_t)r->batch ? m : 4 * (uint64_t)r->batch;
}

/* Time between batches while catching up: batch / (share * 17/16). */
static uint64_t catchup_gap(const struct rate *r)
{
	return (uint64_t)((u128)r->batch * r->stride * NS_PER_SEC * 16 / ((u128)r->pps * 17));
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

unsigned rate_allow(struct rate *r, uint64_t now_ns, uint64_t *wait_ns)
{
	uint64_t due, when;

	if (wait_ns)
		*wait_ns = 0;
	if (r->pps == 0)
		return r->batch_max;
	due = due_count(r, now_ns);
	if (due >= r->sent + r->batch) {
		uint64_t gap = catchup_gap(r);

		if (due - r->sent >= catchup_max(r)) {
			/* far behind: at once, and the catch-up starts afresh */
			r->next_ns = now_ns + gap;
			r->catching = true;
			return r->batch;
		}
		if (due - r->sent >= 2 * (uint64_t)r->batch || r->catching) {
			/* catching up: one batch per gap on a schedule of its own,
			 * so waking late loses nothing, until the batch goes with
			 * less than 2 batches owed. (Before, those last batches
			 * went at once: 2-3 back to back at the end of every
			 * catch-up, 1.3 times the share in that window.) */
			if (now_ns < r->next_ns) {
				if (wait_ns)
					*wait_ns = r->next_ns - now_ns;
				return 0;
			}
			r->catching = due - r->sent >= 2 * (uint64_t)r->batch;
			r->next_ns = (r->next_ns + gap / 2 > now_ns ? r->next_ns : now_ns) + gap;
		} else {
			r->next_ns = now_ns + gap;
		}
		return r->batch;
	}
	/* the batch's last probe, sent + batch - 1, is not due yet */
	when = share_due_ns(r, r->sent + r->batch - 1);
	if (wait_ns)
		*wait_ns = when > now_ns ? when - now_ns : 0;
	return 0;
}

unsigned rate_allow_before(const struct rate *r, uint64_t deadline_ns)
{
	uint64_t due, avail;

	if (r->pps == 0 || deadline_ns <= r->start_ns)
		return 0;
	due = due_count(r, deadline_ns - 1);   /* due at or before deadline - 1 ns */
	if (due <= r->sent)
		return 0;
	avail = due - r->sent;
	return avail < r->batch ? (unsigned)avail : r->batch;
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
