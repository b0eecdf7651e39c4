/*
 * resume.h — `--resume FILE`: the state that lets an interrupted sweep (Ctrl-C,
 * SIGHUP, kill -9, a crash) continue where it stopped, with every live host
 * reported exactly once across the interrupted and the resumed output.
 *
 * What is saved, and why it is enough:
 *  - the scan's identity (seed, shard, a fingerprint of the target set after
 *    exclusions, probes, -n, output file, format, fields, --all): a resumed
 *    run must walk the same permutation and append to the same kind of file;
 *  - a safe position P (probes of the whole scan done, pass * per-pass +
 *    index): the sender's progress W ago, where W, the in-flight window, is
 *    the cooldown (at least 1 s). Replies to probes before P have had W to
 *    arrive, and every result received so far was written and fsynced before
 *    the checkpoint, so they all lie before the output offset O;
 *  - O, the output file's length at the checkpoint: a resumed run truncates
 *    the file to O and appends, so results written after the checkpoint are
 *    dropped and found again by re-sending from P;
 *  - FILE.hosts, the addresses reported before O (4 bytes each, network
 *    order, appended as results are written, fsynced with the checkpoint):
 *    preloaded as "already reported", so re-sent probes (from P, and the
 *    later passes of -P N) do not report a host twice.
 * The state file is text, rewritten atomically (temp file, fsync, rename,
 * fsync of the directory) at least once a second and at the end, where a
 * scan whose every probe was sent and cooled down is marked done.
 *
 * The window and state functions are pure (unit-tested); struct resume_run
 * ties them to files for the sweep. Everything here is used by the main
 * thread only. Errors go to err naming the file and the fix; nothing prints.
 */
#ifndef ECHOSCAN_RESUME_H
#define ECHOSCAN_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "scanner/cli.h"
#include <echoscan.h>

#define RESUME_PATH_MAX 1024

/* What must be the same in the interrupted and the resumed run. */
struct resume_params {
	uint64_t seed;
	uint32_t shards, shard;
	uint64_t targets_count, targets_hash;   /* the final target set */
	uint64_t max_targets;
	uint32_t probes;
	bool report_all;
	unsigned format;                        /* enum out_format */
	char fields[512];                       /* "saddr,rtt_us,..." */
	char output[RESUME_PATH_MAX];           /* -o FILE; "" = stdout */
};

struct resume_state {
	struct resume_params par;
	uint64_t total;        /* probes in the whole scan (per pass * passes) */
	uint64_t position;     /* probes before this are done (safe position) */
	int64_t out_offset;    /* bytes of the output that are final; -1 = not a
	                        * regular file (standard output, a pipe) */
	uint64_t hosts;        /* addresses in FILE.hosts that are final */
	bool done;             /* every probe sent and cooled down */
};

/* FNV-1a over the intervals of a finalized set (order and bounds). */
uint64_t resume_hash_targets(const es_targets *t);
/* The parameters of this command line, with the seed it will use. */
void resume_params_fill(struct resume_params *p, const struct options *o, uint64_t seed);

/* Text form of a state ("echoscan-resume 1" then "key value" lines). Returns
 * the length, or -1 if buf is too small. */
int resume_format(const struct resume_state *st, char *buf, size_t len);
/* Parses resume_format's text. Returns 0, or -1 with err naming the line. */
int resume_parse(const char *text, struct resume_state *st, char *err, size_t errlen);
/* Compares the saved parameters with this run's; the seed only when
 * seed_given (otherwise the saved one is used). Returns 0, or -1 with err
 * listing every difference. */
int resume_compare(const struct resume_params *saved, const struct resume_params *now,
		   bool seed_given, char *err, size_t errlen);

/* Progress samples for the in-flight window: (time, position) pairs spaced
 * at least window/64 apart; 256 of them cover at least 4 windows. */
#define RESUME_SAMPLES 256
struct resume_window {
	uint64_t window_ns, spacing_ns;
	uint64_t t[RESUME_SAMPLES], pos[RESUME_SAMPLES];
	unsigned head, n;       /* oldest sample, number of samples */
	uint64_t floor_pos;     /* position when no kept sample is old enough */
};

void resume_window_init(struct resume_window *w, uint64_t window_ns, uint64_t start_pos);
/* Records the position at time now (monotonic ns), if spacing allows. */
void resume_window_sample(struct resume_window *w, uint64_t now, uint64_t pos);
/* The position at time now - window: the newest sample at least that old. */
uint64_t resume_window_safe(const struct resume_window *w, uint64_t now);

/* The files of one --resume run. */
struct resume_run {
	char path[RESUME_PATH_MAX], tmp_path[RESUME_PATH_MAX + 8];
	char hosts_path[RESUME_PATH_MAX + 8];
	struct resume_state st;      /* as last saved (or loaded) */
	struct resume_window win;
	FILE *hosts;                 /* FILE.hosts, appended to */
	int dir_fd;                  /* the state file's directory (fsync) */
	bool resumed;                /* continuing a saved scan */
	uint32_t *preload;           /* hosts already reported (host order) */
	size_t npreload;
};

enum resume_begin_rc { RESUME_ERROR = -1, RESUME_FRESH = 0, RESUME_CONTINUE, RESUME_DONE };

/* Loads FILE if it exists and checks it against par (RESUME_CONTINUE: seed,
 * position and offset in rr->st, the reported hosts in rr->preload), or
 * starts afresh (RESUME_FRESH). RESUME_DONE: the saved scan is complete
 * (rr->st.hosts hosts reported); nothing is opened. Opens FILE.hosts and the
 * directory now, so call it before dropping privileges. window_ns: the
 * in-flight window. resume_end releases what it opened, whatever it returns. */
enum resume_begin_rc resume_begin(struct resume_run *rr, const char *path,
				  const struct resume_params *par, bool seed_given,
				  uint64_t window_ns, char *err, size_t errlen);
/* The number of probes in the whole scan, once the engine knows it: kept
 * for a new state, compared with a saved one. Returns 0, or -1 with err. */
int resume_set_total(struct resume_run *rr, uint64_t total, char *err, size_t errlen);
/* A resumed run's output: opens -o FILE without truncating it, checks it
 * holds the saved offset, cuts it there and positions at the end. Returns
 * the stream or NULL with err set. */
FILE *resume_open_output(const struct resume_run *rr, const char *path, char *err, size_t errlen);
/* Records a host just written to the output (first echo reply). Returns 0
 * or -1 (write error: the checkpoint will report it). */
int resume_note(struct resume_run *rr, uint32_t addr);
/* A checkpoint. The caller has written every queued result and flushed out
 * (NULL = none), and gives the safe position: usually
 * resume_window_safe(&rr->win, t) for a time t taken before that drain.
 * Syncs out (a regular file) and FILE.hosts, then saves the state; `done`
 * (the scan is complete) saves position = total. Returns 0, or -1 with err. */
int resume_checkpoint(struct resume_run *rr, FILE *out, uint64_t position, bool done,
		      char *err, size_t errlen);
/* Writes st to path atomically (path.tmp, fsync, rename, fsync of dir_fd
 * when >= 0). Returns 0, or -1 with err set. */
int resume_save(const char *path, const char *tmp_path, int dir_fd,
		const struct resume_state *st, char *err, size_t errlen);
void resume_end(struct resume_run *rr);

#endif
