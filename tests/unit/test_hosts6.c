/*
 * test_hosts6.c — IPv6 host sets: repeats, the two sets kept apart, keys
 * that share the high or the low half, ascending iteration, and the memory
 * per host for a dense /112 and for hosts scattered over many /64s (printed:
 * the figures docs/probe.md quotes; the assertions only bound them loosely).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/hosts6.h"

static struct es_addr A(const char *s)
{
	struct es_addr a;

	assert_true(es_addr_parse_any(s, &a));
	return a;
}

static void test_sets(void **state)
{
	struct hosts6 h;
	struct es_addr a = A("2001:db8:1::5"), b = A("2001:db8:2::5"), c = A("2001:db8:1::6");

	(void)state;
	hosts6_init(&h);
	assert_false(hosts6_is_up(&h, &a));
	assert_false(hosts6_mark_up(&h, &a));
	assert_true(hosts6_mark_up(&h, &a));
	assert_false(hosts6_mark_up(&h, &b));     /* same low half */
	assert_false(hosts6_mark_up(&h, &c));     /* same high half */
	assert_true(hosts6_is_up(&h, &b));
	assert_false(hosts6_is_up(&h, &(struct es_addr){ .family = ES_AF6 }));
	assert_int_equal(h.n_up, 3);
	assert_false(hosts6_mark_unreach(&h, &a));
	assert_true(hosts6_mark_unreach(&h, &a));
	assert_int_equal(h.n_unreach, 1);
	assert_false(h.oom);
	hosts6_free(&h);
	assert_int_equal(h.n_up, 0);
	assert_null(h.up);
}

struct collect { struct es_addr got[8]; int n; };

static int collect(const struct es_addr *a, void *ctx)
{
	struct collect *c = ctx;

	c->got[c->n++] = *a;
	return c->n == 8 ? 7 : 0;
}

static void test_each(void **state)
{
	static const char *const in[] = { "2001:db8:2::1", "2001:db8:1::ffff", "::1",
					  "2001:db8:1::2", "ffff::ffff:ffff:ffff:ffff" };
	static const char *const sorted[] = { "::1", "2001:db8:1::2", "2001:db8:1::ffff",
					      "2001:db8:2::1", "ffff::ffff:ffff:ffff:ffff" };
	struct hosts6 h;
	struct collect c = { .n = 0 };

	(void)state;
	hosts6_init(&h);
	for (size_t i = 0; i < 5; i++) {
		struct es_addr a = A(in[i]);
		hosts6_mark_up(&h, &a);
	}
	assert_int_equal(hosts6_each_up(&h, collect, &c), 0);
	assert_int_equal(c.n, 5);
	for (int i = 0; i < 5; i++) {
		struct es_addr want = A(sorted[i]);
		assert_true(es_addr_equal(&c.got[i], &want));
	}
	/* stopping early returns fn's value */
	for (int i = 0; i < 5; i++) {
		struct es_addr a = A("2001:db8:3::");
		a.bytes[15] = (uint8_t)i;
		hosts6_mark_up(&h, &a);
	}
	c.n = 0;
	assert_int_equal(hosts6_each_up(&h, collect, &c), 7);
	hosts6_free(&h);
}

static void test_memory(void **state)
{
	struct hosts6 h;
	struct es_addr a = A("2001:db8:1::");
	size_t dense, sparse;

	(void)state;
	hosts6_init(&h);
	for (unsigned i = 0; i < 65536; i += 2) {       /* half of a /112 */
		a.bytes[14] = (uint8_t)(i >> 8);
		a.bytes[15] = (uint8_t)i;
		hosts6_mark_up(&h, &a);
	}
	dense = hosts6_mem(&h);
	printf("hosts6: %zu bytes for %llu hosts of a /112 (%.2f bytes/host)\n", dense,
	       (unsigned long long)h.n_up, (double)dense / (double)h.n_up);
	assert_true(dense < 32 * h.n_up);
	hosts6_free(&h);
	hosts6_init(&h);
	for (unsigned i = 0; i < 32768; i++) {          /* one host in each of 32768 /64s */
		a = A("2001:db8::1");
		a.bytes[6] = (uint8_t)(i >> 8);
		a.bytes[7] = (uint8_t)i;
		a.bytes[15] = (uint8_t)(i * 37);
		hosts6_mark_up(&h, &a);
	}
	sparse = hosts6_mem(&h);
	printf("hosts6: %zu bytes for %llu hosts in separate /64s (%.2f bytes/host)\n", sparse,
	       (unsigned long long)h.n_up, (double)sparse / (double)h.n_up);
	assert_true(sparse < 128 * h.n_up);
	hosts6_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_memory),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
