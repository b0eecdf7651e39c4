/*
 * test_api_socket.c — level 3's kernel echo socket (es_socket_*) without
 * the network: es_socket_options_init's defaults, every option out of its
 * documented range refused with ES_EINVAL before any socket is made (err
 * naming the option), and NULL handles harmless (close twice through the
 * same pointer, getters' documented values, send/recv/set_mark ES_EINVAL).
 * Sockets are the lab's (tests/lab/test_api_socket.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "echoscan.h"

static void test_defaults(void **state)
{
	struct es_socket_options o;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	es_socket_options_init(&o);
	assert_int_equal(o.version, ES_SOCKET_OPTIONS_V1);
	assert_int_equal(o.dst.family, 0);
	assert_int_equal(o.source.family, 0);
	assert_null(o.interface);
	assert_int_equal(o.mode, ES_MODE_AUTO);
	assert_int_equal(o.ident, -1);
	assert_int_equal(o.ttl, 0);
	assert_int_equal(o.tos, 0);
	assert_int_equal(o.pmtudisc, ES_PMTUDISC_DEFAULT);
	assert_int_equal(o.size, 56);
	assert_null(o.fill);
	assert_null(o.ip_options);
	assert_int_equal(o.ip_options_len, 0);
	assert_int_equal(o.sndbuf, 0);
	assert_int_equal(o.preload, 1);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.interval_ms, 1000);
	assert_int_equal(o.flowlabel, 0);
	es_socket_options_init(NULL);     /* harmless */
}

/* One bad option each: what to change from valid IPv4 options, the text
 * err must contain. */
enum field { F_VERSION, F_DST, F_SOURCE, F_MODE, F_IDENT, F_TTL, F_TOS, F_PMTU, F_SIZE,
	     F_IPOPT_LEN, F_IPOPT_NULL, F_IPOPT_V6, F_SNDBUF, F_PRELOAD, F_FLAGS, F_FLOW };

struct bad_case {
	enum field field;
	long value;
	const char *names;
};

static const struct bad_case bad_cases[] = {
	{ F_VERSION, 0, "version" },
	{ F_DST, 0, "dst" },
	{ F_DST, 5, "dst" },
	{ F_SOURCE, 6, "source" },
	{ F_MODE, 3, "mode" },
	{ F_MODE, -1, "mode" },
	{ F_IDENT, -2, "ident" },
	{ F_IDENT, 65536, "ident" },
	{ F_TTL, -1, "ttl" },
	{ F_TTL, 256, "ttl" },
	{ F_TOS, -1, "tos" },
	{ F_TOS, 256, "tos" },
	{ F_PMTU, 5, "pmtudisc" },
	{ F_PMTU, -1, "pmtudisc" },
	{ F_SIZE, ES_SOCKET_PAYLOAD_MAX + 1, "size" },
	{ F_IPOPT_LEN, ES_SOCKET_IPOPT_MAX + 1, "ip_options" },
	{ F_IPOPT_NULL, 4, "ip_options" },
	{ F_IPOPT_V6, 4, "ip_options" },
	{ F_SNDBUF, -1, "sndbuf" },
	{ F_PRELOAD, 0, "preload" },
	{ F_PRELOAD, 65537, "preload" },
	{ F_FLAGS, 0x40, "flags" },
	{ F_FLOW, 0x100000, "flowlabel" },
};

static void apply(struct es_socket_options *o, const struct bad_case *c)
{
	static const uint8_t opts[40];

	switch (c->field) {
	case F_VERSION: o->version = (unsigned)c->value; break;
	case F_DST: o->dst.family = (uint8_t)c->value; break;
	case F_SOURCE: assert_int_equal(es_addr_parse(&o->source, "2001:db8::1"), ES_OK); break;
	case F_MODE: o->mode = (enum es_mode)c->value; break;
	case F_IDENT: o->ident = (int)c->value; break;
	case F_TTL: o->ttl = (int)c->value; break;
	case F_TOS: o->tos = (int)c->value; break;
	case F_PMTU: o->pmtudisc = (enum es_pmtudisc)c->value; break;
	case F_SIZE: o->size = (size_t)c->value; break;
	case F_IPOPT_LEN: o->ip_options = opts; o->ip_options_len = (size_t)c->value; break;
	case F_IPOPT_NULL: o->ip_options_len = (size_t)c->value; break;
	case F_IPOPT_V6:
		assert_int_equal(es_addr_parse(&o->dst, "2001:db8::2"), ES_OK);
		o->ip_options = opts;
		o->ip_options_len = (size_t)c->value;
		break;
	case F_SNDBUF: o->sndbuf = (int)c->value; break;
	case F_PRELOAD: o->preload = (int)c->value; break;
	case F_FLAGS: o->flags = (unsigned)c->value; break;
	case F_FLOW: o->flowlabel = (uint32_t)c->value; break;
	}
}

static void test_open_errors(void **state)
{
	struct es_socket_options o;
	es_socket *s = (es_socket *)&o;   /* must come back NULL */
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		es_socket_options_init(&o);
		assert_int_equal(es_addr_parse(&o.dst, "198.18.0.1"), ES_OK);
		apply(&o, &bad_cases[i]);
		err[0] = '\0';
		s = (es_socket *)&o;
		assert_int_equal(es_socket_open(&s, &o, err, sizeof(err)), ES_EINVAL);
		assert_null(s);
		if (!strstr(err, bad_cases[i].names))
			fail_msg("case %zu: err \"%s\" does not name %s", i, err, bad_cases[i].names);
		/* err may be NULL */
		assert_int_equal(es_socket_open(&s, &o, NULL, 0), ES_EINVAL);
	}
	es_socket_options_init(&o);
	assert_int_equal(es_socket_open(NULL, &o, err, sizeof(err)), ES_EINVAL);
	assert_int_equal(es_socket_open(&s, NULL, err, sizeof(err)), ES_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "NULL"));
}

static void test_null_handles(void **state)
{
	es_socket *s = NULL;
	struct es_reply r;
	struct es_socket_extra ex;
	int e = 12345;
	char err[128];

	(void)state;
	es_socket_close(NULL);
	es_socket_close(&s);
	es_socket_close(&s);
	assert_null(s);
	assert_int_equal(es_socket_fd(NULL), -1);
	assert_int_equal(es_socket_mode(NULL), ES_MODE_AUTO);
	assert_int_equal(es_socket_ident(NULL), -1);
	assert_int_equal(es_socket_flowlabel(NULL), 0);
	assert_int_equal(es_socket_set_mark(NULL, 5, &e), ES_EINVAL);
	assert_int_equal(e, 0);
	assert_int_equal(es_socket_set_mark(NULL, 5, NULL), ES_EINVAL);
	e = 12345;
	assert_int_equal(es_socket_send(NULL, 0, &e), ES_EINVAL);
	assert_int_equal(e, 0);
	assert_int_equal(es_socket_send(NULL, 65536, NULL), ES_EINVAL);
	assert_int_equal(es_socket_recv(NULL, &r, &ex, sizeof(ex), err, sizeof(err)), ES_EINVAL);
	assert_int_equal(es_socket_recv(NULL, &r, NULL, 0, NULL, 0), ES_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_null_handles),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
