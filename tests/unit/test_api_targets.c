/*
 * test_api_targets.c — the public target sets and order (#12): ranges of
 * both families merge, are removed and subtracted as documented, count and
 * index as a scan does (IPv4 first, then IPv6), an unsealed set reads as
 * empty, argument errors give ES_EINVAL; the order visits every index once
 * per pass, the same again after a rewind and for the same seed, and two
 * shards split it; a configuration takes a sealed set only. That the
 * order is the scan's own is checked in the lab (api_check sweep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "echoscan.h"

static struct es_addr addr(const char *text)
{
	struct es_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = 6;
	return a;
}

static void add(es_targets *t, const char *lo, const char *hi)
{
	struct es_addr l = addr(lo), h = addr(hi);

	assert_int_equal(es_targets_add_range(t, &l, &h), ES_OK);
}

static const char *fmt(const struct es_addr *a, char *buf)
{
	return es_addr_format(a, buf, ES_ADDRSTRLEN);
}

static void test_sets(void **state)
{
	es_targets *t = NULL, *ex = NULL;
	struct es_addr a, lo, hi, l6, h6;
	char b1[ES_ADDRSTRLEN], b2[ES_ADDRSTRLEN];

	(void)state;
	assert_int_equal(es_targets_new(&t), ES_OK);
	add(t, "198.18.0.10", "198.18.0.19");
	add(t, "198.18.0.0", "198.18.0.9");          /* adjacent: merges */
	add(t, "198.18.1.0", "198.18.1.3");
	add(t, "2001:db8::1", "2001:db8::4");
	assert_int_equal(es_targets_count(t), 0);     /* not sealed yet */
	assert_int_equal(es_targets_seal(t), ES_OK);
	assert_int_equal(es_targets_count4(t), 24);
	assert_int_equal(es_targets_count6(t), 4);
	assert_int_equal(es_targets_count(t), 28);
	assert_int_equal(es_targets_nranges(t), 3);
	assert_int_equal(es_targets_range(t, 0, &lo, &hi), ES_OK);
	assert_string_equal(fmt(&lo, b1), "198.18.0.0");
	assert_string_equal(fmt(&hi, b2), "198.18.0.19");
	assert_int_equal(es_targets_range(t, 2, &lo, &hi), ES_OK);
	assert_string_equal(fmt(&lo, b1), "2001:db8::1");
	assert_string_equal(fmt(&hi, b2), "2001:db8::4");
	assert_int_equal(es_targets_range(t, 3, &lo, &hi), ES_EINVAL);
	assert_int_equal(es_targets_at(t, 0, &a), ES_OK);
	assert_string_equal(fmt(&a, b1), "198.18.0.0");
	assert_int_equal(es_targets_at(t, 23, &a), ES_OK);
	assert_string_equal(fmt(&a, b1), "198.18.1.3");
	assert_int_equal(es_targets_at(t, 24, &a), ES_OK);   /* IPv6 after IPv4 */
	assert_string_equal(fmt(&a, b1), "2001:db8::1");
	assert_int_equal(es_targets_at(t, 28, &a), ES_EINVAL);

	/* removing and subtracting, both families */
	lo = addr("198.18.0.5");
	hi = addr("198.18.1.1");
	assert_int_equal(es_targets_remove_range(t, &lo, &hi), ES_OK);
	assert_int_equal(es_targets_new(&ex), ES_OK);
	l6 = addr("2001:db8::2");
	h6 = addr("2001:db8::3");
	assert_int_equal(es_targets_add_range(ex, &l6, &h6), ES_OK);
	assert_int_equal(es_targets_subtract(t, ex), ES_OK);
	assert_int_equal(es_targets_seal(t), ES_OK);
	assert_int_equal(es_targets_count4(t), 5 + 2);
	assert_int_equal(es_targets_count6(t), 2);
	assert_int_equal(es_targets_at(t, 8, &a), ES_OK);
	assert_string_equal(fmt(&a, b1), "2001:db8::4");

	/* argument errors */
	lo = addr("198.18.0.9");
	hi = addr("198.18.0.1");
	assert_int_equal(es_targets_add_range(t, &lo, &hi), ES_EINVAL);     /* lo > hi */
	assert_int_equal(es_targets_add_range(t, &lo, &l6), ES_EINVAL);     /* two families */
	assert_int_equal(es_targets_add_range(NULL, &lo, &lo), ES_EINVAL);
	assert_int_equal(es_targets_add_range(t, NULL, &lo), ES_EINVAL);
	memset(&a, 0, sizeof(a));
	assert_int_equal(es_targets_add_range(t, &a, &a), ES_EINVAL);        /* no family */
	assert_int_equal(es_targets_remove_range(t, &lo, &hi), ES_EINVAL);
	assert_int_equal(es_targets_subtract(t, NULL), ES_EINVAL);
	assert_int_equal(es_targets_seal(NULL), ES_EINVAL);
	assert_int_equal(es_targets_new(NULL), ES_EINVAL);
	assert_int_equal(es_targets_count(NULL), 0);
	assert_int_equal(es_targets_nranges(NULL), 0);
	assert_int_equal(es_targets_at(t, 0, NULL), ES_EINVAL);

	es_targets_free(&ex);
	es_targets_free(&t);
	assert_null(t);
	es_targets_free(&t);       /* twice through the same pointer */
	es_targets_free(NULL);
}

static void test_config_targets(void **state)
{
	es_targets *t = NULL;
	es_scan_config *c = NULL;

	(void)state;
	assert_int_equal(es_targets_new(&t), ES_OK);
	assert_int_equal(es_scan_config_new(&c), ES_OK);
	add(t, "198.18.0.0", "198.18.0.255");
	assert_int_equal(es_scan_config_set_targets(c, t), ES_EINVAL);   /* not sealed */
	assert_int_equal(es_targets_seal(t), ES_OK);
	assert_int_equal(es_scan_config_set_targets(c, t), ES_OK);
	assert_int_equal(es_scan_config_set_targets(NULL, t), ES_EINVAL);
	assert_int_equal(es_scan_config_set_targets(c, NULL), ES_EINVAL);
	es_scan_config_free(&c);
	es_targets_free(&t);
}

/* Every index once per pass; the same order after a rewind and for the
 * same seed; shards disjoint, their union everything. */
static void test_order(void **state)
{
	enum { N = 1000 };
	static unsigned char seen[N];
	static uint64_t first[N];
	es_order *o = NULL, *again = NULL, *s0 = NULL, *s1 = NULL;
	uint64_t i, k = 0;

	(void)state;
	assert_int_equal(es_order_new(&o, N, 42, 1, 0), ES_OK);
	assert_int_equal(es_order_size(o), N);
	while (es_order_next(o, &i)) {
		assert_true(i < N);
		assert_int_equal(seen[i]++, 0);
		first[k++] = i;
	}
	assert_int_equal(k, N);
	es_order_rewind(o);
	for (k = 0; es_order_next(o, &i); k++)
		assert_int_equal(i, first[k]);
	assert_int_equal(es_order_new(&again, N, 42, 1, 0), ES_OK);
	for (k = 0; es_order_next(again, &i); k++)
		assert_int_equal(i, first[k]);

	memset(seen, 0, sizeof(seen));
	assert_int_equal(es_order_new(&s0, N, 42, 2, 0), ES_OK);
	assert_int_equal(es_order_new(&s1, N, 42, 2, 1), ES_OK);
	assert_int_equal(es_order_size(s0) + es_order_size(s1), N);
	while (es_order_next(s0, &i))
		seen[i]++;
	while (es_order_next(s1, &i))
		assert_int_equal(seen[i]++, 0);
	for (i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);

	es_order_free(&o);
	assert_null(o);
	/* argument errors */
	assert_int_equal(es_order_new(NULL, N, 1, 1, 0), ES_EINVAL);
	assert_int_equal(es_order_new(&o, 0, 1, 1, 0), ES_EINVAL);
	assert_null(o);
	assert_int_equal(es_order_new(&o, N, 1, 0, 0), ES_EINVAL);
	assert_int_equal(es_order_new(&o, N, 1, 2, 2), ES_EINVAL);
	assert_int_equal(es_order_new(&o, (1ull << 32) + 1, 1, 1, 0), ES_EINVAL);
	assert_int_equal(es_order_next(NULL, &i), 0);
	assert_int_equal(es_order_size(NULL), 0);
	es_order_rewind(NULL);
	es_order_free(&again);
	es_order_free(&s0);
	es_order_free(&s1);
	es_order_free(&s1);
	es_order_free(NULL);
}

/* Host tables: NULL arguments. */
static void test_host_table_args(void **state)
{
	struct es_host_stats hs;
	struct es_addr a = addr("198.18.0.1");
	const es_host_table *ct = NULL;
	es_host_table *t = NULL;

	(void)state;
	assert_int_equal(es_scan_host_table(NULL, &ct), ES_EINVAL);
	assert_int_equal(es_scan_rotate_host_stats(NULL, &t, 100), ES_EINVAL);
	assert_int_equal(es_host_table_get(NULL, &a, 1, &hs, sizeof(hs)), ES_EINVAL);
	es_host_table_free(&t);
	es_host_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_config_targets),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_host_table_args),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
