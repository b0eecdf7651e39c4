/*
 * progress.h — the progress part of the sweep's status line: percent done
 * and time left, or, with --loop (no end to count towards), the pass number.
 * Pure formatting, so the arithmetic (never past 100 %, no unsigned
 * underflow when more was sent than one pass) is unit-tested.
 */
#ifndef ECHOSCAN_PROGRESS_H
#define ECHOSCAN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress_in {
	uint64_t sent;             /* probes sent so far */
	uint64_t total;            /* probes planned (ignored when looping) */
	uint64_t done_before;      /* of those, done before this run (--resume) */
	uint64_t passes;           /* passes begun (shown when looping) */
	bool loop;                 /* --loop: no planned end */
	bool cooling;              /* sending is over, waiting for late replies */
	double send_secs;          /* time spent sending so far */
	uint64_t cooldown_left_s;  /* while cooling */
	uint64_t cooldown_s;       /* the whole cooldown, part of the ETA while sending */
};

/* "1:02:03" or "2:03" from seconds. */
void progress_clock(char *buf, size_t len, uint64_t s);
/* " 42% (0:13 left)", "100% (0:01 left, cooling down)", "pass 7" or
 * "pass 7 (0:01 left, cooling down)". */
void progress_fmt(char *buf, size_t len, const struct progress_in *p);

#endif
