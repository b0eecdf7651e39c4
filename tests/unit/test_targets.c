/*
 * test_targets.c — target and exclusion parsing: every accepted form with
 * its exact range, malformed inputs with their messages, host-name
 * detection, and the line reader (comments, blanks, CRLF, FILE:LINE errors,
 * empty files) through fmemopen and temporary files. DNS is only exercised
 * with "localhost", which /etc/hosts answers without sending packets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "scanner/targets.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* An IPv4 es_addr as a number (host order). */
static uint32_t num4(const struct es_addr *a)
{
	assert_int_equal(a->family, 4);
	return A(a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
}

/* Whether the sealed set holds the IPv4 address a. */
static bool contains4(const es_targets *t, uint32_t a)
{
	struct es_addr lo, hi;

	for (size_t i = 0; i < es_targets_nranges(t); i++) {
		assert_int_equal(es_targets_range(t, i, &lo, &hi), ES_OK);
		if (lo.family == 4 && num4(&lo) <= a && a <= num4(&hi))
			return true;
	}
	return false;
}

struct spec_case {
	const char *in;
	int rc;
	bool is_name;
	uint32_t lo, hi;
	const char *msg;   /* exact message when rc == -1, or NULL */
};

static const struct spec_case specs[] = {
	{ "198.18.0.1", 0, false, A(198, 18, 0, 1), A(198, 18, 0, 1), NULL },
	{ "0.0.0.0", 0, false, 0, 0, NULL },
	{ "255.255.255.255", 0, false, UINT32_MAX, UINT32_MAX, NULL },
	{ "198.18.0.0/16", 0, false, A(198, 18, 0, 0), A(198, 18, 255, 255), NULL },
	{ "198.18.1.7/24", 0, false, A(198, 18, 1, 0), A(198, 18, 1, 255), NULL },
	{ "10.1.2.3/32", 0, false, A(10, 1, 2, 3), A(10, 1, 2, 3), NULL },
	{ "10.1.2.3/31", 0, false, A(10, 1, 2, 2), A(10, 1, 2, 3), NULL },
	{ "10.1.2.3/0", 0, false, 0, UINT32_MAX, NULL },
	{ "10.1.2.3/1", 0, false, 0, 0x7fffffffu, NULL },
	{ "198.18.0.1-198.18.0.9", 0, false, A(198, 18, 0, 1), A(198, 18, 0, 9), NULL },
	{ "1.2.3.4-1.2.3.4", 0, false, A(1, 2, 3, 4), A(1, 2, 3, 4), NULL },
	{ "0.0.0.0-255.255.255.255", 0, false, 0, UINT32_MAX, NULL },
	{ "localhost", 0, true, 0, 0, NULL },
	{ "example.com", 0, true, 0, 0, NULL },
	{ "my-host.example.", 0, true, 0, 0, NULL },
	{ "a1", 0, true, 0, 0, NULL },
	{ "1.2.3.4.example", 0, true, 0, 0, NULL },

	{ "198.18.0.9-198.18.0.1", -1, false, 0, 0,
	  "198.18.0.9-198.18.0.1: range start is after its end" },
	{ "1.2.3.4-1.2.3.1", -1, false, 0, 0, "1.2.3.4-1.2.3.1: range start is after its end" },
	{ "1.2.3.4/33", -1, false, 0, 0, "1.2.3.4/33: prefix length must be 0..32" },
	{ "1.2.3.4/", -1, false, 0, 0, "1.2.3.4/: prefix length must be 0..32" },
	{ "1.2.3.4/-1", -1, false, 0, 0, NULL },
	{ "1.2.3.4/+8", -1, false, 0, 0, NULL },
	{ "1.2.3.4/8x", -1, false, 0, 0, NULL },
	{ "1.2.3.4/008", -1, false, 0, 0, NULL },
	{ "1.2.3.4/24/8", -1, false, 0, 0, NULL },
	{ "/24", -1, false, 0, 0, "/24: \"\" is not an IPv4 address" },
	{ "300.1.1.1/8", -1, false, 0, 0, "300.1.1.1/8: \"300.1.1.1\" is not an IPv4 address" },
	{ "300.1.1.1", -1, false, 0, 0, NULL },
	{ "1.2.3", -1, false, 0, 0, NULL },
	{ "1.2.3.4.5", -1, false, 0, 0, NULL },
	{ "01.2.3.4", -1, false, 0, 0, NULL },
	{ "1.2.3.4-", -1, false, 0, 0, NULL },
	{ "1.2.3.4-1.2.3", -1, false, 0, 0, "1.2.3.4-1.2.3: \"1.2.3\" is not an IPv4 address" },
	{ "1.2.3.4-5", -1, false, 0, 0, NULL },
	{ "-1.2.3.4", -1, false, 0, 0, NULL },
	{ " 1.2.3.4", -1, false, 0, 0, NULL },
	{ "1.2.3.4 ", -1, false, 0, 0, NULL },
	{ "", -1, false, 0, 0, "empty target" },
	{ "host_name", -1, false, 0, 0, NULL },
	{ "-host", -1, false, 0, 0, NULL },
	{ "host-", -1, false, 0, 0, NULL },
	{ "a..b", -1, false, 0, 0, NULL },
	{ ".a", -1, false, 0, 0, NULL },
	{ "12345", -1, false, 0, 0, NULL },
	{ "::1", -1, false, 0, 0, NULL },
	{ "1.2.3.4,5.6.7.8", -1, false, 0, 0, NULL },
	{ "b@d!", -1, false, 0, 0,
	  "b@d!: not an IPv4 address, CIDR block (a.b.c.d/len), range (a.b.c.d-e.f.g.h) or host name" },
};

static void test_parse_spec(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct spec_case *c = &specs[i];
		uint32_t lo = 7, hi = 7;
		bool is_name = !c->is_name;
		char err[256] = "";
		int rc = targets_parse_spec(c->in, &lo, &hi, &is_name, err, sizeof(err));

		if (rc != c->rc)
			print_error("case %zu: \"%s\" gave %d (%s)\n", i, c->in, rc, err);
		assert_int_equal(rc, c->rc);
		if (rc < 0) {
			assert_true(err[0] != '\0');
			if (c->in[0])
				assert_non_null(strstr(err, c->in));
			if (c->msg)
				assert_string_equal(err, c->msg);
			continue;
		}
		assert_int_equal(is_name, c->is_name);
		assert_int_equal(lo, c->lo);
		assert_int_equal(hi, c->hi);
	}
}

static void test_long_spec(void **state)
{
	char buf[400], err[128];
	uint32_t lo, hi;
	bool is_name;

	(void)state;
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(targets_parse_spec(buf, &lo, &hi, &is_name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	buf[254] = '\0';  /* 254 letters: one over the host name limit */
	assert_int_equal(targets_parse_spec(buf, &lo, &hi, &is_name, err, sizeof(err)), -1);
}

static void test_add_dns(void **state)
{
	es_targets *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(es_targets_new(&s), ES_OK);
	assert_int_equal(targets_add(s, "localhost", false, err, sizeof(err)), -1);
	assert_string_equal(err, "localhost: host names need DNS, which is turned off; "
			    "give an address or CIDR block");
	assert_int_equal(es_targets_seal(s), ES_OK);
	assert_int_equal(es_targets_nranges(s), 0);
	assert_int_equal(targets_add(s, "localhost", true, err, sizeof(err)), 0);
	assert_int_equal(es_targets_seal(s), ES_OK);
	assert_true(contains4(s, A(127, 0, 0, 1)));
	assert_int_equal(targets_add(s, "1.2.3.4/33", true, err, sizeof(err)), -1);
	assert_string_equal(err, "1.2.3.4/33: prefix length must be 0..32");
	es_targets_free(&s);
}

struct file_case {
	const char *text;
	bool require_some;
	int rc;
	const char *msg;        /* exact error, or NULL */
	uint64_t count;         /* addresses after finalize when rc == 0 */
};

static const struct file_case files[] = {
	{ "198.18.0.1\n198.18.0.2\n", true, 0, NULL, 2 },
	{ "# header\n\n  198.18.0.0/24   # lab net\r\n\t10.0.0.1\t\r\n#x\n", true, 0, NULL, 257 },
	{ "198.18.0.5#no space before comment", true, 0, NULL, 1 },
	{ "198.18.0.1-198.18.0.4\n198.18.0.3/31\n", true, 0, NULL, 4 },
	{ "198.18.0.1", true, 0, NULL, 1 },    /* no final newline */
	{ "", true, -1, "t.txt: no targets", 0 },
	{ "", false, 0, NULL, 0 },
	{ "# only\n\n   \r\n", true, -1, "t.txt: no targets", 0 },
	{ "1.2.3.4\nbogus!\n", true, -1,
	  "t.txt:2: bogus!: not an IPv4 address, CIDR block (a.b.c.d/len), "
	  "range (a.b.c.d-e.f.g.h) or host name", 0 },
	{ "1.2.3.4\n\n# c\n1.2.3.4/33 # bad\n", true, -1,
	  "t.txt:4: 1.2.3.4/33: prefix length must be 0..32", 0 },
	{ "300.1.1.1\n", true, -1, NULL, 0 },
	{ "1.2.3.4 5.6.7.8\n", true, -1, NULL, 0 },
	{ "1.2.3.4\n1.2.3.4-1.2.3.1\n", true, -1,
	  "t.txt:2: 1.2.3.4-1.2.3.1: range start is after its end", 0 },
	{ "1.2.3.4\n5.6.7.8\nexample.org\n", true, -1,
	  "t.txt:3: example.org: host names need DNS, which is turned off; "
	  "give an address or CIDR block", 0 },
};

static void test_stream(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct file_case *c = &files[i];
		size_t len = strlen(c->text);
		/* fmemopen refuses size 0; an empty buffer of size 1 reads as EOF */
		char buf[256];
		es_targets *s = NULL;
		char err[256] = "";
		FILE *f;
		int rc;

		memcpy(buf, c->text, len + 1);
		f = fmemopen(buf, len ? len : 1, "r");
		assert_non_null(f);
		if (!len)
			fgetc(f);
		assert_int_equal(es_targets_new(&s), ES_OK);
		rc = targets_add_stream(s, f, "t.txt", false, c->require_some, err, sizeof(err));
		fclose(f);
		if (rc != c->rc)
			print_error("file case %zu gave %d (%s)\n", i, rc, err);
		assert_int_equal(rc, c->rc);
		if (rc < 0) {
			assert_non_null(strstr(err, "t.txt"));
			if (c->msg)
				assert_string_equal(err, c->msg);
		} else {
			assert_int_equal(es_targets_seal(s), ES_OK);
			assert_int_equal(es_targets_count(s), c->count);
		}
		es_targets_free(&s);
	}
}

/* An embedded NUL cannot be a valid line. */
static void test_stream_nul(void **state)
{
	static char buf[] = "1.2.3.4\n1.2.3.5\0junk\n";
	es_targets *s = NULL;
	char err[128];
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(es_targets_new(&s), ES_OK);
	assert_int_equal(targets_add_stream(s, f, "n", false, true, err, sizeof(err)), -1);
	assert_string_equal(err, "n:2: line contains a NUL byte");
	fclose(f);
	es_targets_free(&s);
}

static void test_file(void **state)
{
	char path[] = "/tmp/test_targets_XXXXXX";
	const char *body = "# blocklist\n10.0.0.0/8 # RFC1918\n192.168.0.0/16\n";
	es_targets *s = NULL;
	char err[256];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	close(fd);
	assert_int_equal(es_targets_new(&s), ES_OK);
	assert_int_equal(targets_add_file(s, path, false, true, err, sizeof(err)), 0);
	assert_int_equal(es_targets_seal(s), ES_OK);
	assert_int_equal(es_targets_count(s), (1 << 24) + (1 << 16));
	assert_true(contains4(s, A(192, 168, 7, 7)));

	/* an empty file */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(targets_add_file(s, path, false, true, err, sizeof(err)), -1);
	char want[128];
	snprintf(want, sizeof(want), "%s: no targets", path);
	assert_string_equal(err, want);
	unlink(path);

	assert_int_equal(targets_add_file(s, "/nonexistent/dir/t.txt", false, true,
					  err, sizeof(err)), -1);
	assert_string_equal(err, "cannot open /nonexistent/dir/t.txt: No such file or directory");
	assert_int_equal(targets_add_file(s, "/", false, true, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot read /: Is a directory");
	es_targets_free(&s);
}

/* targets_default_exclusions: the reserved ranges minus the targets lying
 * wholly inside them, from the targets as given (one range per target,
 * each through targets_note_named). */
struct range4 { uint32_t lo, hi; };

struct excl_case {
	const char *name;
	struct range4 given[4];
	size_t ngiven;
	struct range4 want[5];
	size_t nwant;
};

static const struct excl_case excl_cases[] = {
	{ "nothing named", { { A(198, 18, 0, 0), A(198, 18, 0, 255) } }, 1,
	  { { 0, A(0, 255, 255, 255) }, { A(224, 0, 0, 0), A(255, 255, 255, 255) } }, 2 },
	{ "the whole space names nothing", { { 0, UINT32_MAX } }, 1,
	  { { 0, A(0, 255, 255, 255) }, { A(224, 0, 0, 0), A(255, 255, 255, 255) } }, 2 },
	{ "one multicast address", { { 0, UINT32_MAX }, { A(224, 0, 0, 1), A(224, 0, 0, 1) } }, 2,
	  { { 0, A(0, 255, 255, 255) }, { A(224, 0, 0, 0), A(224, 0, 0, 0) },
	    { A(224, 0, 0, 2), A(255, 255, 255, 255) } }, 3 },
	{ "240/8, broadcast and 0.0.0.0",
	  { { A(240, 0, 0, 0), A(240, 255, 255, 255) }, { UINT32_MAX, UINT32_MAX }, { 0, 0 } }, 3,
	  { { 1, A(0, 255, 255, 255) }, { A(224, 0, 0, 0), A(239, 255, 255, 255) },
	    { A(241, 0, 0, 0), A(255, 255, 255, 254) } }, 3 },
	{ "a range across 224/4's start is not inside",
	  { { A(223, 255, 255, 0), A(224, 0, 0, 9) } }, 1,
	  { { 0, A(0, 255, 255, 255) }, { A(224, 0, 0, 0), A(255, 255, 255, 255) } }, 2 },
	{ "224/3 is reserved only: named", { { A(224, 0, 0, 0), UINT32_MAX } }, 1,
	  { { 0, A(0, 255, 255, 255) } }, 1 },
	{ "0/8 named", { { 0, A(0, 255, 255, 255) } }, 1,
	  { { A(224, 0, 0, 0), A(255, 255, 255, 255) } }, 1 },
};

static void test_default_exclusions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(excl_cases) / sizeof(excl_cases[0]); i++) {
		const struct excl_case *c = &excl_cases[i];
		es_targets *named = NULL, *out = NULL;
		struct es_addr lo, hi;

		print_message("case %zu: %s\n", i, c->name);
		assert_int_equal(es_targets_new(&named), ES_OK);
		assert_int_equal(es_targets_new(&out), ES_OK);
		for (size_t k = 0; k < c->ngiven; k++)
			assert_int_equal(targets_note_named(named, c->given[k].lo, c->given[k].hi), 0);
		assert_int_equal(targets_default_exclusions(named, out), 0);
		assert_int_equal(es_targets_nranges(out), c->nwant);   /* 0 unless sealed */
		for (size_t k = 0; k < c->nwant; k++) {
			assert_int_equal(es_targets_range(out, k, &lo, &hi), ES_OK);
			assert_int_equal(num4(&lo), c->want[k].lo);
			assert_int_equal(num4(&hi), c->want[k].hi);
		}
		es_targets_free(&named);
		es_targets_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_spec),
		cmocka_unit_test(test_long_spec),
		cmocka_unit_test(test_add_dns),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_nul),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_default_exclusions),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
