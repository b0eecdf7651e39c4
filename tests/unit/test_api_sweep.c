/*
 * test_api_sweep.c — the public API a sweep uses beyond the basics (#12),
 * without the network: every setter's argument errors give the codes
 * echoscan.h documents and good values are taken; the handle calls refuse
 * NULL with their documented codes and never crash; the invalid-reason
 * names, the monotonic clock. What needs sockets (exclusions, shards,
 * preloaded hosts, the summary, routes) is in tests/lab/test_api.sh
 * (api_check sweep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "echoscan.h"

/* One setter call on a fresh configuration, by table. */
enum op {
	OP_EXCLUDE, OP_MAX_TARGETS, OP_SHARD, OP_MAX_RUNTIME, OP_LOOP, OP_HOST_STATS,
	OP_PCAP, OP_ADD_SOURCE, OP_GATEWAY_MAC, OP_BACKEND, OP_RECEIVER,
	OP_SENDER_THREADS, OP_START_POSITION, OP_COOLDOWN_MODE
};

struct setter_case {
	enum op op;
	const char *text;     /* text argument */
	uint64_t a, b;        /* numeric arguments */
	int rc;
};

static const struct setter_case setter_cases[] = {
	{ OP_EXCLUDE, "198.18.0.0/24", 0, 0, ES_OK },
	{ OP_EXCLUDE, "198.18.0.1-198.18.0.9", 0, 0, ES_OK },
	{ OP_EXCLUDE, "198.18.0.7", 0, 0, ES_OK },
	{ OP_EXCLUDE, "198.18.0.0/33", 0, 0, ES_EINVAL },
	{ OP_EXCLUDE, "198.18.0.9-198.18.0.1", 0, 0, ES_EINVAL },
	{ OP_EXCLUDE, "example.com", 0, 0, ES_EINVAL },
	{ OP_EXCLUDE, NULL, 0, 0, ES_EINVAL },
	{ OP_EXCLUDE, "2001:db8::1", 0, 0, ES_EUNSUPPORTED },
	{ OP_MAX_TARGETS, NULL, 0, 0, ES_OK },
	{ OP_MAX_TARGETS, NULL, 1000, 0, ES_OK },
	{ OP_SHARD, NULL, 1, 0, ES_OK },
	{ OP_SHARD, NULL, 4, 3, ES_OK },
	{ OP_SHARD, NULL, 65535, 65534, ES_OK },
	{ OP_SHARD, NULL, 4, 4, ES_EINVAL },
	{ OP_SHARD, NULL, 0, 0, ES_EINVAL },
	{ OP_SHARD, NULL, 65536, 0, ES_EINVAL },
	{ OP_MAX_RUNTIME, NULL, 0, 0, ES_OK },
	{ OP_MAX_RUNTIME, NULL, 3000000000ull, 0, ES_OK },
	{ OP_LOOP, NULL, 1, 0, ES_OK },
	{ OP_LOOP, NULL, 0, 0, ES_OK },
	{ OP_HOST_STATS, NULL, 1, 0, ES_OK },
	{ OP_PCAP, "/tmp/x.pcap", 0, 0, ES_OK },
	{ OP_PCAP, "/tmp/x.pcap", 1, 0, ES_OK },
	{ OP_PCAP, NULL, 0, 0, ES_OK },
	{ OP_PCAP, "", 0, 0, ES_EINVAL },
	{ OP_ADD_SOURCE, "198.18.255.254", 0, 0, ES_OK },
	{ OP_ADD_SOURCE, "198.18.255.0/28", 0, 0, ES_OK },
	{ OP_ADD_SOURCE, "198.18.255.1-198.18.255.3", 0, 0, ES_OK },
	{ OP_ADD_SOURCE, "198.18.255.3-198.18.255.1", 0, 0, ES_EINVAL },
	{ OP_ADD_SOURCE, "eth0", 0, 0, ES_EINVAL },
	{ OP_ADD_SOURCE, NULL, 0, 0, ES_EINVAL },
	{ OP_GATEWAY_MAC, "02:42:c6:12:00:01", 0, 0, ES_OK },
	{ OP_GATEWAY_MAC, NULL, 0, 0, ES_OK },
	{ OP_GATEWAY_MAC, "02:42:c6:12:00", 0, 0, ES_EINVAL },
	{ OP_GATEWAY_MAC, "02:42:c6:12:00:zz", 0, 0, ES_EINVAL },
	{ OP_BACKEND, "auto", 0, 0, ES_OK },
	{ OP_BACKEND, "ring", 0, 0, ES_OK },
	{ OP_BACKEND, "mmsg", 0, 0, ES_OK },
	{ OP_BACKEND, "sendmmsg", 0, 0, ES_OK },
	{ OP_BACKEND, "libnet", 0, 0, ES_OK },
	{ OP_BACKEND, "xdp", 0, 0, ES_OK },
	{ OP_BACKEND, "xdp-copy", 0, 0, ES_OK },
	{ OP_BACKEND, "xdp-zerocopy", 0, 0, ES_OK },
	{ OP_BACKEND, "dgram", 0, 0, ES_EINVAL },   /* a mode: es_scan_config_set_mode */
	{ OP_BACKEND, "RING", 0, 0, ES_EINVAL },
	{ OP_BACKEND, NULL, 0, 0, ES_EINVAL },
	{ OP_RECEIVER, "pcap", 0, 0, ES_OK },
	{ OP_RECEIVER, "xdp", 0, 0, ES_OK },
	{ OP_RECEIVER, "xdp-native", 0, 0, ES_EINVAL },
	{ OP_RECEIVER, NULL, 0, 0, ES_EINVAL },
	{ OP_SENDER_THREADS, NULL, 0, 0, ES_OK },
	{ OP_SENDER_THREADS, NULL, 2, 0, ES_OK },
	{ OP_SENDER_THREADS, NULL, 64, 0, ES_OK },
	{ OP_SENDER_THREADS, NULL, 65, 0, ES_EINVAL },
	{ OP_START_POSITION, NULL, 0, 0, ES_OK },
	{ OP_START_POSITION, NULL, 12345, 0, ES_OK },
	{ OP_COOLDOWN_MODE, NULL, ES_COOLDOWN_FIXED, 0, ES_OK },
	{ OP_COOLDOWN_MODE, NULL, ES_COOLDOWN_AUTO, 0, ES_OK },
	{ OP_COOLDOWN_MODE, NULL, 2, 0, ES_EINVAL },
};

static int call(es_scan_config *c, const struct setter_case *t)
{
	switch (t->op) {
	case OP_EXCLUDE:         return es_scan_config_exclude(c, t->text);
	case OP_MAX_TARGETS:     return es_scan_config_set_max_targets(c, t->a);
	case OP_SHARD:           return es_scan_config_set_shard(c, (unsigned)t->a, (unsigned)t->b);
	case OP_MAX_RUNTIME:     return es_scan_config_set_max_runtime(c, t->a);
	case OP_LOOP:            return es_scan_config_set_loop(c, (int)t->a);
	case OP_HOST_STATS:      return es_scan_config_set_host_stats(c, (int)t->a);
	case OP_PCAP:            return es_scan_config_set_pcap(c, t->text, (int)t->a);
	case OP_ADD_SOURCE:      return es_scan_config_add_source(c, t->text);
	case OP_GATEWAY_MAC:     return es_scan_config_set_gateway_mac(c, t->text);
	case OP_BACKEND:         return es_scan_config_set_backend(c, t->text);
	case OP_RECEIVER:        return es_scan_config_set_receiver(c, t->text);
	case OP_SENDER_THREADS:  return es_scan_config_set_sender_threads(c, (unsigned)t->a);
	case OP_START_POSITION:  return es_scan_config_set_start_position(c, t->a);
	case OP_COOLDOWN_MODE:   return es_scan_config_set_cooldown_mode(c, (enum es_cooldown_mode)t->a);
	}
	return 99;
}

static void test_setters(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(setter_cases) / sizeof(setter_cases[0]); i++) {
		const struct setter_case *t = &setter_cases[i];
		es_scan_config *c = NULL;
		int rc;

		assert_int_equal(es_scan_config_new(&c), ES_OK);
		rc = call(c, t);
		if (rc != t->rc)
			fail_msg("case %zu (op %d, \"%s\", %llu, %llu) = %s, want %s", i, t->op,
				 t->text ? t->text : "(null)", (unsigned long long)t->a,
				 (unsigned long long)t->b, es_err_name(rc), es_err_name(t->rc));
		/* and every setter refuses a NULL configuration */
		rc = call(NULL, t);
		if (rc != ES_EINVAL)
			fail_msg("case %zu with c NULL = %s, want ES_EINVAL", i, es_err_name(rc));
		es_scan_config_free(&c);
		assert_null(c);
	}
}

/* A backend named for ES_MODE_DGRAM is a contradiction es_scan_open
 * refuses before it opens anything; so is excluding every target. */
static void test_open_refusals(void **state)
{
	es_scan_config *c = NULL;
	es_scan *s = (es_scan *)&s;   /* must be set to NULL */
	char err[256] = "";

	(void)state;
	assert_int_equal(es_scan_config_new(&c), ES_OK);
	assert_int_equal(es_scan_config_add_target(c, "198.18.0.0/30"), ES_OK);
	assert_int_equal(es_scan_config_set_mode(c, ES_MODE_DGRAM), ES_OK);
	assert_int_equal(es_scan_config_set_backend(c, "ring"), ES_OK);
	assert_int_equal(es_scan_open(&s, c, err, sizeof(err)), ES_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "ES_MODE_DGRAM"));
	es_scan_config_free(&c);

	assert_int_equal(es_scan_config_new(&c), ES_OK);
	assert_int_equal(es_scan_config_add_target(c, "198.18.0.0/30"), ES_OK);
	assert_int_equal(es_scan_config_exclude(c, "198.18.0.0/29"), ES_OK);
	s = (es_scan *)&s;
	assert_int_equal(es_scan_open(&s, c, err, sizeof(err)), ES_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "no targets"));
	es_scan_config_free(&c);
}

/* The handle calls with NULL: documented codes, no crash. */
static void test_null_handle(void **state)
{
	struct es_scan_summary sum;
	struct es_route rt;
	struct es_addr a = { .family = 4, .bytes = { 198, 18, 0, 1 } };

	(void)state;
	assert_int_equal(es_scan_preload_hosts(NULL, &a, 1), ES_EINVAL);
	assert_int_equal(es_scan_get_summary(NULL, &sum, sizeof(sum)), ES_EINVAL);
	assert_int_equal(es_scan_route_of(NULL, &a, &rt, sizeof(rt)), ES_EINVAL);
	es_scan_stop_sending(NULL);
	es_scan_abandon(NULL);
	assert_string_equal(es_scan_backend_name(NULL), "");
	assert_string_equal(es_scan_receiver_name(NULL), "");
	assert_null(es_scan_backend_auto(NULL));
	assert_int_equal(es_scan_sender_threads(NULL), 0);
}

static void test_invalid_reason_names(void **state)
{
	static const char *const want[] = {
		"none", "truncated", "malformed", "checksum", "short payload", "probe number", "tag",
		"mac", "foreign quote",
	};
	unsigned n = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(es_invalid_reason_name(i), want[i]);
	while (es_invalid_reason_name(n))
		n++;
	assert_true(n >= sizeof(want) / sizeof(want[0]));
	assert_true(n <= ES_INVALID_REASONS);
	assert_null(es_invalid_reason_name(ES_INVALID_REASONS));
	assert_null(es_invalid_reason_name(~0u));
	assert_true(ES_CLASS_COUNT <= ES_CLASSES);
}

static void test_now(void **state)
{
	uint64_t a = es_now_ns(), b = es_now_ns();

	(void)state;
	assert_true(a > 0);
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_null_handle),
		cmocka_unit_test(test_invalid_reason_names),
		cmocka_unit_test(test_now),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
