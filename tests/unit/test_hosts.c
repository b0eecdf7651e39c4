/* test_hosts.c — Judy host sets and per-host statistics; a failed Judy
 * insertion (malloc made to fail) sets oom without stopping later counts. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/hosts.h"

static void test_up_set_repeat(void **state)
{
	struct hosts h;

	(void)state;
	hosts_init(&h, false);
	assert_false(hosts_mark_up(&h, 0xC6120001));
	assert_true(hosts_mark_up(&h, 0xC6120001));
	assert_false(hosts_mark_up(&h, 0xC6120002));
	assert_false(hosts_mark_unreach(&h, 0xC6120003));
	assert_true(hosts_mark_unreach(&h, 0xC6120003));
	assert_int_equal(h.n_up, 2);
	assert_int_equal(h.n_unreach, 1);
	assert_true(hosts_is_up(&h, 0xC6120002));
	assert_false(hosts_is_up(&h, 0xC6120003));
	hosts_free(&h);
}

#if defined(__SANITIZE_ADDRESS__)
#define CAN_FAIL_MALLOC 0   /* ASan owns malloc: no interposing here */
#else
#define CAN_FAIL_MALLOC 1
/* libJudy's allocations reach this malloc (the executable's definition
 * interposes), so an insertion can be made to fail. */
extern void *__libc_malloc(size_t n);
static bool fail_malloc;

void *malloc(size_t n)
{
	return fail_malloc ? NULL : __libc_malloc(n);
}
#endif

static void test_oom(void **state)
{
	(void)state;
	if (!CAN_FAIL_MALLOC)
		skip();
#if CAN_FAIL_MALLOC
	struct hosts h;

	hosts_init(&h, false);
	assert_false(hosts_mark_up(&h, 0xC6120001));
	fail_malloc = true;
	for (uint32_t a = 0xC6130000; a < 0xC6130000 + 5000; a += 97)  /* new leaves */
		hosts_mark_up(&h, a);
	hosts_mark_unreach(&h, 0xC6140001);
	fail_malloc = false;
	assert_true(h.oom);
	uint64_t up = h.n_up;
	assert_true(up < 1 + 52);               /* some insertions failed */
	assert_int_equal(h.n_unreach, 0);
	/* memory is back: later hosts are counted again */
	assert_false(hosts_mark_up(&h, 0xC6150001));
	assert_false(hosts_mark_unreach(&h, 0xC6150002));
	assert_int_equal(h.n_up, up + 1);
	assert_int_equal(h.n_unreach, 1);
	assert_true(hosts_is_up(&h, 0xC6150001));
	hosts_free(&h);
#endif
}

static void test_many_hosts(void **state)
{
	struct hosts h;

	(void)state;
	hosts_init(&h, false);
	for (uint32_t a = 0; a < 65536; a += 3)
		assert_false(hosts_mark_up(&h, 0xC6120000 + a));
	assert_int_equal(h.n_up, 21846);
	for (uint32_t a = 0; a < 65536; a++)
		assert_int_equal(hosts_is_up(&h, 0xC6120000 + a), a % 3 == 0);
	hosts_free(&h);
}

static void test_stats(void **state)
{
	struct hosts h, period;
	struct host_stats_row row;
	const int64_t rtt[] = { 1000000, 3000000, 2000000, 2000000 };

	(void)state;
	hosts_init(&h, true);
	for (uint16_t i = 0; i < 4; i++)
		assert_false(hosts_record(&h, 42, i, rtt[i]));
	assert_true(hosts_record(&h, 42, 2, 5000000));  /* duplicate of probe 2 */
	hosts_stats_row(&h, 42, 5, &row);
	assert_int_equal(row.sent, 5);
	assert_int_equal(row.received, 4);
	assert_int_equal(row.rtt_min_ns, 1000000);
	assert_int_equal(row.rtt_max_ns, 3000000);
	assert_int_equal(row.rtt_avg_ns, 2000000);
	/* population sd of 1,3,2,2 ms = sqrt(0.5) ms */
	assert_int_equal(row.rtt_mdev_ns, 707107);
	/* |3-1| + |2-3| + |2-2| = 3 ms over 3 differences */
	assert_int_equal(row.jitter_ns, 1000000);
	assert_int_equal(hosts_stat(&h, 42)->dups, 1);
	hosts_stats_row(&h, 43, 5, &row);
	assert_int_equal(row.received, 0);
	assert_int_equal(row.rtt_avg_ns, -1);
	/* a period's statistics move to their new owner, h starts afresh */
	hosts_init(&period, true);
	hosts_take_stats(&h, &period);
	assert_null(hosts_stat(&h, 42));
	assert_int_equal(hosts_stat(&period, 42)->received, 4);
	assert_false(hosts_record(&h, 42, 2, 1000000));  /* probe 2 is new again */
	assert_int_equal(hosts_stat(&h, 42)->received, 1);
	hosts_free(&period);
	hosts_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up_set_repeat),
		cmocka_unit_test(test_many_hosts),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_oom),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
