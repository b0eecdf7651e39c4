/*
 * hosts.c — Judy-backed host sets and per-host statistics (see hosts.h).
 * Judy's macros would exit(1) on allocation failure; the functions are called
 * directly and a failure only sets `oom`, so a scan never dies mid-way.
 */
#include "engine/hosts.h"

#include <Judy.h>
#include <math.h>
#include <stdlib.h>

void hosts_init(struct hosts *h, bool keep_stats)
{
	*h = (struct hosts){ .keep_stats = keep_stats };
}

static void free_stats(struct hosts *h)
{
	Word_t idx = 0;
	PWord_t pv = (PWord_t)JudyLFirst(h->stats, &idx, PJE0);

	while (pv && pv != (PWord_t)PPJERR) {
		free((void *)*pv);
		pv = (PWord_t)JudyLNext(h->stats, &idx, PJE0);
	}
	JudyLFreeArray((PPvoid_t)&h->stats, PJE0);
	Judy1FreeArray((PPvoid_t)&h->seen, PJE0);
}

void hosts_free(struct hosts *h)
{
	Judy1FreeArray((PPvoid_t)&h->up, PJE0);
	Judy1FreeArray((PPvoid_t)&h->unreach, PJE0);
	free_stats(h);
}

/* Inserts addr into a Judy1 set: 1 if it was there already, 0 if added,
 * -1 (and oom set) if it could not be added. */
static int set_insert(struct hosts *h, void **set, Word_t key)
{
	int rc = Judy1Set((PPvoid_t)set, key, PJE0);

	if (rc == JERR) {
		h->oom = true;
		return -1;
	}
	return rc == 0;
}

/* Counts only what was really added: one failed insertion must not stop
 * the counts of the hosts after it. */
bool hosts_mark_up(struct hosts *h, uint32_t addr)
{
	int rc = set_insert(h, &h->up, addr);

	if (rc == 0)
		h->n_up++;
	return rc == 1;
}

bool hosts_mark_unreach(struct hosts *h, uint32_t addr)
{
	int rc = set_insert(h, &h->unreach, addr);

	if (rc == 0)
		h->n_unreach++;
	return rc == 1;
}

bool hosts_is_up(const struct hosts *h, uint32_t addr)
{
	return Judy1Test(h->up, addr, PJE0) == 1;
}

static struct host_stat *stat_slot(struct hosts *h, uint64_t addr)
{
	PWord_t pv = (PWord_t)JudyLIns((PPvoid_t)&h->stats, addr, PJE0);

	if (pv == (PWord_t)PPJERR || !pv) {
		h->oom = true;
		return NULL;
	}
	if (!*pv) {
		struct host_stat *st = calloc(1, sizeof(*st));

		if (!st) {
			h->oom = true;
			return NULL;
		}
		st->rtt_min = INT64_MAX;
		st->rtt_last = -1;
		*pv = (Word_t)st;
	}
	return (struct host_stat *)*pv;
}

static void add_rtt(struct host_stat *st, int64_t rtt)
{
	if (rtt < st->rtt_min)
		st->rtt_min = rtt;
	if (rtt > st->rtt_max)
		st->rtt_max = rtt;
	st->rtt_n++;
	st->rtt_sum += (double)rtt;
	st->rtt_sq += (double)rtt * (double)rtt;
	if (st->rtt_last >= 0) {
		st->jitter_sum += (double)llabs(rtt - st->rtt_last);
		st->jitter_n++;
	}
	st->rtt_last = rtt;
}

bool hosts_record(struct hosts *h, uint32_t addr, uint16_t probe, int64_t rtt_ns)
{
	return hosts_record_key(h, addr, probe, rtt_ns);
}

bool hosts_record_key(struct hosts *h, uint64_t addr, uint16_t probe, int64_t rtt_ns)
{
	struct host_stat *st;

	if (set_insert(h, &h->seen, ((Word_t)addr << 16) | probe)) {
		st = stat_slot(h, addr);
		if (st)
			st->dups++;
		return true;
	}
	st = stat_slot(h, addr);
	if (!st)
		return false;
	st->received++;
	if (rtt_ns >= 0)
		add_rtt(st, rtt_ns);
	return false;
}

static const struct host_stat *stat_of(const struct hosts *h, uint64_t addr)
{
	PWord_t pv = (PWord_t)JudyLGet(h->stats, (Word_t)addr, PJE0);

	return (pv && pv != (PWord_t)PPJERR) ? (const struct host_stat *)*pv : NULL;
}

const struct host_stat *hosts_stat(const struct hosts *h, uint32_t addr)
{
	return stat_of(h, addr);
}

const struct host_stat *hosts_stat_key(const struct hosts *h, uint64_t key)
{
	return stat_of(h, key);
}

void hosts_stats_row(const struct hosts *h, uint32_t addr, uint64_t sent,
		     struct host_stats_row *row)
{
	hosts_stats_row_key(h, addr, sent, row);
	row->saddr = addr;
}

void hosts_stats_row_key(const struct hosts *h, uint64_t addr, uint64_t sent,
			 struct host_stats_row *row)
{
	const struct host_stat *st = stat_of(h, addr);

	*row = (struct host_stats_row){ .sent = sent,
		.rtt_min_ns = -1, .rtt_avg_ns = -1, .rtt_max_ns = -1,
		.rtt_mdev_ns = -1, .jitter_ns = -1 };
	if (!st)
		return;
	row->received = st->received;
	if (st->rtt_n > 0) {
		double avg = st->rtt_sum / (double)st->rtt_n;
		double var = st->rtt_sq / (double)st->rtt_n - avg * avg;

		row->rtt_min_ns = st->rtt_min;
		row->rtt_max_ns = st->rtt_max;
		row->rtt_avg_ns = (int64_t)llround(avg);
		row->rtt_mdev_ns = (int64_t)llround(sqrt(var > 0 ? var : 0));
	}
	if (st->jitter_n > 0)
		row->jitter_ns = (int64_t)llround(st->jitter_sum / (double)st->jitter_n);
}

void hosts_take_stats(struct hosts *h, struct hosts *into)
{
	free_stats(into);
	into->stats = h->stats;
	into->seen = h->seen;
	h->stats = NULL;
	h->seen = NULL;
}
