/*
 * test_resume.c — --resume's pure parts and its files: the state's text form
 * (round trip, every malformed shape with its message), the comparison that
 * names each option a resumed command line changed, the in-flight window
 * (the position a window ago, across eviction), the parameters taken from a
 * parsed command line, and the files in a temporary directory: a fresh
 * state, a resumed one (output cut at the saved offset, FILE.hosts cut at
 * the saved count and preloaded), a completed one, and tampered files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scanner/cli.h"
#include "scanner/resume.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)

static struct resume_state sample_state(void)
{
	struct resume_state st = {
		.par = { .seed = UINT64_MAX - 5, .shards = 3, .shard = 2,
			 .targets_count = 1ULL << 32, .targets_hash = 0x0123456789abcdefULL,
			 .max_targets = 1000, .probes = 65535, .report_all = true, .format = 1,
			 .fields = "saddr,rtt_us", .output = "/tmp/a b/out.json" },
		.total = 65535000, .position = 12345, .out_offset = 987654321, .hosts = 42,
	};
	return st;
}

static void test_roundtrip(void **state)
{
	struct resume_state a = sample_state(), b;
	char buf[4096], err[256];

	(void)state;
	for (int v = 0; v < 3; v++) {
		if (v == 1) {   /* stdout, done, no file offset, empty field names */
			a.par.output[0] = '\0';
			a.out_offset = -1;
			a.position = a.total;
			a.done = true;
		}
		if (v == 2) {
			a.par = (struct resume_params){ .shards = 1, .targets_count = 1, .probes = 1,
							.fields = "saddr" };
			a.total = 1;
			a.position = a.out_offset = 0;
			a.hosts = 0;
			a.done = false;
		}
		assert_true(resume_format(&a, buf, sizeof(buf)) > 0);
		if (resume_parse(buf, &b, err, sizeof(err)) < 0)
			fail_msg("variant %d: %s in\n%s", v, err, buf);
		if (resume_compare(&a.par, &b.par, true, err, sizeof(err)) < 0)
			fail_msg("variant %d: %s", v, err);
		assert_true(a.total == b.total && a.position == b.position);
		assert_true(a.out_offset == b.out_offset && a.hosts == b.hosts);
		assert_int_equal(a.done, b.done);
	}
	assert_int_equal(resume_format(&a, buf, 20), -1);
}

struct bad_text { const char *from, *to, *want; };

/* Each case edits one line of a good state (from -> to). */
static const struct bad_text bad_texts[] = {
	{ "echoscan-resume 1", "echoscan-resume 2", "not an echoscan resume state" },
	{ "status running", "status maybe", "bad value in \"status maybe\"" },
	{ "seed ", "sed ", "unknown entry \"sed" },
	{ "probes 65535", "probes 0", "bad value in \"probes 0\"" },
	{ "probes 65535", "probes 65536", "bad value" },
	{ "shards 3", "shards 0", "bad value" },
	{ "shard 2", "shard 3", "inconsistent" },
	{ "targets 4294967296 0123456789abcdef", "targets 4294967297 0123456789abcdef", "bad value" },
	{ "targets 4294967296 0123456789abcdef", "targets 4294967296", "bad value" },
	{ "targets 4294967296 0123456789abcdef", "targets 4294967296 xyz", "bad value" },
	{ "position 12345", "position 65535001", "inconsistent" },
	{ "position 12345", "position -1", "bad value" },
	{ "position 12345", "position 12x", "bad value" },
	{ "position 12345", "position 99999999999999999999", "bad value" },
	{ "status running", "status done", "inconsistent" },
	{ "out_offset 987654321", "out_offset -2", "bad value" },
	{ "format json", "format xml", "bad value" },
	{ "all 1", "all 2", "bad value" },
	{ "hosts 42\n", "", "entry \"hosts\" is missing" },
	{ "hosts 42", "hosts 42\nhosts 42", "line 17: repeated entry \"hosts 42\"" },
	{ "hosts 42", "hosts", "no value in \"hosts\"" },
};

static void test_parse_bad(void **state)
{
	struct resume_state a = sample_state(), b;
	char good[4096], text[4096], err[256];

	(void)state;
	assert_true(resume_format(&a, good, sizeof(good)) > 0);
	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		const char *at = strstr(good, bad_texts[i].from);
		size_t pre;

		assert_non_null(at);
		pre = (size_t)(at - good);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, good, bad_texts[i].to,
			 at + strlen(bad_texts[i].from));
		err[0] = '\0';
		assert_int_equal(resume_parse(text, &b, err, sizeof(err)), -1);
		if (!strstr(err, bad_texts[i].want))
			fail_msg("case %zu: error \"%s\" does not say \"%s\"", i, err, bad_texts[i].want);
	}
	assert_int_equal(resume_parse("", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

struct diff_case { void (*edit)(struct resume_params *p); bool seed_given; const char *want; };

static void e_none(struct resume_params *p) { (void)p; }
static void e_seed(struct resume_params *p) { p->seed++; }
static void e_shard(struct resume_params *p) { p->shard = 1; }
static void e_targets(struct resume_params *p) { p->targets_hash ^= 1; }
static void e_count(struct resume_params *p) { p->targets_count--; }
static void e_maxt(struct resume_params *p) { p->max_targets = 0; }
static void e_probes(struct resume_params *p) { p->probes = 2; }
static void e_all(struct resume_params *p) { p->report_all = false; }
static void e_format(struct resume_params *p) { p->format = 0; }
static void e_fields(struct resume_params *p) { strcpy(p->fields, "saddr"); }
static void e_output(struct resume_params *p) { p->output[0] = '\0'; }
static void e_two(struct resume_params *p) { p->probes = 2; p->format = 2; }

static const struct diff_case diffs[] = {
	{ e_none, true, NULL },
	{ e_seed, false, NULL },   /* no --seed: the saved one is used */
	{ e_seed, true, "--seed (saved 18446744073709551610, now 18446744073709551611)" },
	{ e_shard, false, "--shards/--shard (saved shard 2 of 3, now shard 1 of 3)" },
	{ e_targets, false, "targets after exclusions (saved 4294967296 addresses, now 4294967296 addresses, not the same ones)" },
	{ e_count, false, "now 4294967295 addresses)" },
	{ e_maxt, false, "-n/--max-targets (saved 1000, now none)" },
	{ e_probes, false, "-P/--probes (saved 65535, now 2)" },
	{ e_all, false, "--all (saved on, now off)" },
	{ e_format, false, "-O/--format (saved json, now csv)" },
	{ e_fields, false, "-f/--fields (saved saddr,rtt_us, now saddr)" },
	{ e_output, false, "-o/--output (saved /tmp/a b/out.json, now standard output)" },
	{ e_two, false, "-P/--probes (saved 65535, now 2); -O/--format (saved json, now text)" },
};

static void test_compare(void **state)
{
	struct resume_state st = sample_state();
	char err[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++) {
		struct resume_params now = st.par;
		int rc;

		diffs[i].edit(&now);
		rc = resume_compare(&st.par, &now, diffs[i].seed_given, err, sizeof(err));
		if (!diffs[i].want) {
			if (rc != 0)
				fail_msg("case %zu: unexpected difference \"%s\"", i, err);
			continue;
		}
		assert_int_equal(rc, -1);
		if (strcmp(err, diffs[i].want) != 0 && !(strstr(err, diffs[i].want) && i == 5))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, diffs[i].want);
	}
}

/* (time s, position) samples, then (query time s, expected safe position). */
static void test_window(void **state)
{
	static const struct { uint64_t t_ms, pos; } samples[] = {
		{ 1000, 100 }, { 1010, 101 },   /* 10 ms < spacing (2 s / 64): dropped */
		{ 1100, 200 }, { 2000, 300 }, { 3000, 400 }, { 3500, 450 },
	};
	static const struct { uint64_t t_ms, want; } queries[] = {
		{ 1000, 7 }, { 2999, 7 }, { 3000, 100 }, { 3099, 100 }, { 3100, 200 },
		{ 4999, 300 }, { 5000, 400 }, { 5499, 400 }, { 5500, 450 }, { 99999, 450 },
	};
	struct resume_window w;

	(void)state;
	resume_window_init(&w, S(2), 7);
	assert_true(resume_window_safe(&w, S(100)) == 7);  /* no samples: the start */
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		resume_window_sample(&w, samples[i].t_ms * 1000000ull, samples[i].pos);
	assert_int_equal(w.n, 5);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		uint64_t got = resume_window_safe(&w, queries[i].t_ms * 1000000ull);
		if (got != queries[i].want)
			fail_msg("at %llu ms: %llu, want %llu", (unsigned long long)queries[i].t_ms,
				 (unsigned long long)got, (unsigned long long)queries[i].want);
	}
	/* a long run: samples every 50 ms for 100 s with window 1 s (spacing
	 * 15.6 ms): the ring keeps the last 256 (12.8 s), the answer is always
	 * the position exactly one window ago */
	resume_window_init(&w, S(1), 0);
	for (uint64_t t = 0; t <= 100000; t += 50) {
		resume_window_sample(&w, t * 1000000ull, t);
		if (t >= 1000)
			assert_true(resume_window_safe(&w, t * 1000000ull) == t - 1000);
	}
	assert_int_equal(w.n, RESUME_SAMPLES);
}

static void test_params_from_cli(void **state)
{
	char *argv[] = { "echoscan", "-O", "json", "-f", "saddr,ttl", "-o", "x.json", "-P", "3",
			 "--shards", "2", "--shard", "1", "--seed", "9", "-x", "198.18.0.7",
			 "198.18.0.0/24", NULL };
	char *argv2[] = { "echoscan", "-x", "198.18.0.8", "198.18.0.0/24", NULL };
	struct resume_params p, q;
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(cli_parse(18, argv, &o, err, sizeof(err)), 0);
	resume_params_fill(&p, &o, 9);
	assert_string_equal(p.fields, "saddr,ttl");
	assert_string_equal(p.output, "x.json");
	assert_true(p.targets_count == 255 && p.probes == 3 && p.shards == 2 && p.shard == 1);
	assert_int_equal(p.format, OUT_JSON);
	cli_free(&o);
	/* same count, another excluded address: the hash tells them apart */
	assert_int_equal(cli_parse(4, argv2, &o, err, sizeof(err)), 0);
	resume_params_fill(&q, &o, 9);
	assert_true(q.targets_count == 255 && q.targets_hash != p.targets_hash);
	assert_string_equal(q.output, "");
	assert_string_equal(q.fields, "saddr,rtt_us,ttl,classification,success");
	cli_free(&o);
}

/* ---- files ---- */

struct tmpdir { char dir[64], state[128], hosts[160], out[128]; };

static void tmp_setup(struct tmpdir *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_resume.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->state, sizeof(t->state), "%s/st", t->dir);
	snprintf(t->hosts, sizeof(t->hosts), "%s/st.hosts", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/out.csv", t->dir);
}

static void tmp_cleanup(struct tmpdir *t)
{
	char p[200];

	unlink(t->state);
	unlink(t->hosts);
	unlink(t->out);
	snprintf(p, sizeof(p), "%s/st.tmp", t->dir);
	unlink(p);
	rmdir(t->dir);
}

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_files(void **state)
{
	struct resume_params par = sample_state().par;
	struct resume_run rr;
	struct tmpdir t;
	char err[1024], buf[4096];
	FILE *out, *f;

	(void)state;
	tmp_setup(&t);
	snprintf(par.output, sizeof(par.output), "%s", t.out);

	/* fresh: nothing saved yet; a first checkpoint at the start */
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_FRESH);
	assert_int_equal(resume_set_total(&rr, 1000, err, sizeof(err)), 0);
	out = fopen(t.out, "w");
	assert_non_null(out);
	fputs("saddr\n", out);
	assert_int_equal(resume_checkpoint(&rr, out, resume_window_safe(&rr.win, S(10)), false, err, sizeof(err)), 0);
	assert_true(rr.st.position == 0 && rr.st.out_offset == 6 && rr.st.hosts == 0);
	/* two hosts and progress; the checkpoint at 12 s takes the position of 11 s */
	resume_window_sample(&rr.win, S(10), 0);
	resume_window_sample(&rr.win, S(11), 400);
	resume_window_sample(&rr.win, S(12), 600);
	fputs("198.18.0.1\n198.18.0.2\n", out);
	assert_int_equal(resume_note(&rr, 0xC6120001), 0);
	assert_int_equal(resume_note(&rr, 0xC6120002), 0);
	assert_int_equal(resume_checkpoint(&rr, out, resume_window_safe(&rr.win, S(12)), false, err, sizeof(err)), 0);
	assert_true(rr.st.position == 400 && rr.st.out_offset == 28 && rr.st.hosts == 2);
	/* written after the checkpoint, then "killed": lost on resume */
	fputs("198.18.0.3\n", out);
	assert_int_equal(resume_note(&rr, 0xC6120003), 0);
	fclose(out);
	fflush(rr.hosts);
	resume_end(&rr);
	assert_int_equal(file_size(t.hosts), 12);

	/* resumed: a changed command line is refused and named */
	par.probes = 2;
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_ERROR);
	assert_non_null(strstr(err, "-P/--probes (saved 65535, now 2)"));
	assert_non_null(strstr(err, t.state));
	resume_end(&rr);
	par.probes = 65535;
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_CONTINUE);
	assert_int_equal(resume_set_total(&rr, 999, err, sizeof(err)), -1);
	assert_int_equal(resume_set_total(&rr, 1000, err, sizeof(err)), 0);
	assert_true(rr.st.position == 400 && rr.npreload == 2);
	assert_true(rr.preload[0] == 0xC6120001 && rr.preload[1] == 0xC6120002);
	assert_int_equal(file_size(t.hosts), 8);
	out = resume_open_output(&rr, t.out, err, sizeof(err));
	assert_non_null(out);
	assert_int_equal(file_size(t.out), 28);
	fputs("198.18.0.4\n", out);
	assert_int_equal(resume_note(&rr, 0xC6120004), 0);
	assert_int_equal(resume_checkpoint(&rr, out, 7, true, err, sizeof(err)), 0);
	assert_true(rr.st.done && rr.st.position == 1000 && rr.st.hosts == 3 && rr.st.out_offset == 39);
	fclose(out);
	resume_end(&rr);
	f = fopen(t.out, "r");
	assert_non_null(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	assert_string_equal(buf, "saddr\n198.18.0.1\n198.18.0.2\n198.18.0.4\n");

	/* done: reported, nothing opened */
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_DONE);
	assert_true(rr.st.hosts == 3 && rr.hosts == NULL);
	resume_end(&rr);

	/* tampered: hosts file shorter than saved, output shorter than saved,
	 * a damaged state */
	assert_int_equal(resume_save(t.state, "/nonexistent/dir/st.tmp", -1, &rr.st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/st.tmp"));
	rr.st.done = false;
	rr.st.position = 500;
	snprintf(buf, sizeof(buf), "%s.tmp", t.state);
	assert_int_equal(resume_save(t.state, buf, -1, &rr.st, err, sizeof(err)), 0);
	assert_int_equal(truncate(t.hosts, 4), 0);
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_ERROR);
	assert_non_null(strstr(err, "holds 1 addresses"));
	resume_end(&rr);
	assert_int_equal(truncate(t.hosts, 12), 0);
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_CONTINUE);
	assert_int_equal(truncate(t.out, 10), 0);
	assert_null(resume_open_output(&rr, t.out, err, sizeof(err)));
	assert_non_null(strstr(err, "holds 10 bytes, fewer than the 39"));
	resume_end(&rr);
	write_file(t.state, "echoscan-resume 1\nstatus running\n");
	assert_int_equal(resume_begin(&rr, t.state, &par, false, S(1), err, sizeof(err)), RESUME_ERROR);
	assert_non_null(strstr(err, "entry \"seed\" is missing"));
	assert_non_null(strstr(err, "delete it"));
	resume_end(&rr);
	tmp_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_params_from_cli),
		cmocka_unit_test(test_files),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
