/*
 * test_xdp_dev.c — --tx auto's rule for AF_XDP (xdp_dev_auto): AF_XDP only
 * on an Ethernet device whose driver has native XDP, with IPv4 targets
 * only and a TX queue per sender; the reason names the device and what
 * decided, either way. And the queue count of a device ethtool does not
 * know (1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/xdp_dev.h"

static void test_auto_rule(void **state)
{
	static const struct {
		struct xdp_auto_in in;
		bool want;
		const char *why;
	} rows[] = {
		{ { "ves", true, false, true, XDP_DEV_NATIVE, 1, 1 }, true, "ves: native XDP" },
		{ { "eth0", true, false, true, XDP_DEV_NATIVE | XDP_DEV_ZEROCOPY | 0x6, 8, 2 },
		  true, "eth0: native XDP" },
		{ { "ifb0", true, false, true, 0, 1, 1 }, false, "ifb0: no native XDP in its driver" },
		{ { "eth1", true, false, true, XDP_DEV_ZEROCOPY, 4, 1 }, false,
		  "eth1: no native XDP in its driver" },
		{ { "ves", true, false, false, 0, 1, 1 }, false,
		  "ves: the kernel does not say whether the driver has native XDP" },
		{ { "tun0", false, false, true, XDP_DEV_NATIVE, 1, 1 }, false, "tun0: not Ethernet" },
		{ { "ves", true, true, true, XDP_DEV_NATIVE, 1, 1 }, false,
		  "ves: IPv6 targets too (one AF_XDP socket per queue)" },
		{ { "ves", true, false, true, XDP_DEV_NATIVE, 1, 2 }, false,
		  "ves: 2 sender threads but 1 queue" },
		{ { "eth0", true, false, true, XDP_DEV_NATIVE, 2, 3 }, false,
		  "eth0: 3 sender threads but 2 queues" },
		{ { "eth0", true, false, true, XDP_DEV_NATIVE, 2, 2 }, true, "eth0: native XDP" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char why[160] = "";
		bool got = xdp_dev_auto(&rows[i].in, why, sizeof(why));

		if (got != rows[i].want || strcmp(why, rows[i].why) != 0)
			fail_msg("row %zu: xdp_dev_auto = %d \"%s\", want %d \"%s\"", i, got, why,
				 rows[i].want, rows[i].why);
	}
}

static void test_queues_unknown_device(void **state)
{
	(void)state;
	assert_int_equal(xdp_dev_queues("es-no-such-dev", true), 1);
	assert_int_equal(xdp_dev_queues("es-no-such-dev", false), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_rule),
		cmocka_unit_test(test_queues_unknown_device),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
