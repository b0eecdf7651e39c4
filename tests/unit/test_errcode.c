/*
 * test_errcode.c — the engine's open paths return enum es_error codes that
 * callers branch on: errno values map to the documented codes, and the
 * paths that can be reached without privileges (bad configuration, no such
 * interface, an impossible shard or resume position) give the documented
 * code with the detail in err. Without CAP_NET_RAW (a child process that
 * gives up root when run as root) the send and capture opens say ES_EPERM,
 * the code `echoscan ping` falls back to the datagram socket on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "echoscan.h"
#include "engine/dgram.h"
#include "engine/errcode.h"
#include "engine/icmpsock.h"
#include "engine/ipset.h"
#include "engine/probe.h"
#include "engine/rx.h"
#include "engine/scan.h"
#include "engine/tx.h"

static void test_errno_map(void **state)
{
	static const struct { int errnum, code; } rows[] = {
		{ EPERM, ES_EPERM }, { EACCES, ES_EPERM },
		{ ENODEV, ES_ENODEV }, { ENXIO, ES_ENODEV }, { ENETDOWN, ES_ENODEV },
		{ ENETUNREACH, ES_ENOROUTE }, { EHOSTUNREACH, ES_ENOROUTE },
		{ ENOMEM, ES_ENOMEM }, { ENOBUFS, ES_ENOMEM },
		{ EAFNOSUPPORT, ES_EUNSUPPORTED }, { EPROTONOSUPPORT, ES_EUNSUPPORTED },
		{ EOPNOTSUPP, ES_EUNSUPPORTED }, { ENOPROTOOPT, ES_EUNSUPPORTED },
		{ ETIMEDOUT, ES_ETIMEDOUT }, { EINVAL, ES_EINVAL },
		{ EADDRNOTAVAIL, ES_EINVAL },
		{ EIO, ES_ESYS }, { EBADF, ES_ESYS }, { 0, ES_ESYS },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (es_errno_code(rows[i].errnum) != rows[i].code)
			fail_msg("errno %d (%s): %s, want %s", rows[i].errnum,
				 strerror(rows[i].errnum),
				 es_err_name(es_errno_code(rows[i].errnum)),
				 es_err_name(rows[i].code));
}

static const struct vkey test_key = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } };

/* tx_open refuses bad configurations before opening anything. */
static void test_tx_open_codes(void **state)
{
	static const struct {
		const char *ifname;
		size_t frame_len;
		unsigned batch;
		enum tx_kind kind;
		int code;
		const char *needle;
	} rows[] = {
		{ "", 74, 64, TX_MMSG, ES_EINVAL, "interface name" },
		{ "lo", 3, 64, TX_MMSG, ES_EINVAL, "frame length 3" },
		{ "lo", 74, 0, TX_MMSG, ES_EINVAL, "batch size 0" },
		{ "lo", 74, 64, TX_LIBNET, ES_EINVAL, "needs the key" },
		{ "nosuchif9", 74, 64, TX_MMSG, ES_ENODEV, "nosuchif9" },
		{ "lo", 74, 64, TX_DGRAM, ES_EINVAL, "unknown backend" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tx_config tc = { .kind = rows[i].kind, .ifname = rows[i].ifname,
					.frame_len = rows[i].frame_len,
					.batch_max = rows[i].batch };
		struct tx *tx = (struct tx *)&tc;   /* must come back NULL */
		char err[256] = "";
		int rc = tx_open(&tc, &tx, err, sizeof(err));

		if (rc != rows[i].code)
			fail_msg("row %zu: %s (%s), want %s", i, es_err_name(rc), err,
				 es_err_name(rows[i].code));
		assert_null(tx);
		if (!strstr(err, rows[i].needle))
			fail_msg("row %zu: \"%s\" does not name \"%s\"", i, err, rows[i].needle);
	}
}

static void test_sock_open_codes(void **state)
{
	struct icmpsock_config ic = { .daddr = 0x7f000001u, .payload_len = 2 };
	struct dgram_config dc = { .payload_len = 56, .key = &test_key,
				   .sockets = 0, .batch_max = 64 };
	struct icmpsock *is = (struct icmpsock *)&ic;
	struct dgram *dg = (struct dgram *)&dc;
	char err[256] = "";

	(void)state;
	assert_int_equal(icmpsock_open(&ic, &is, err, sizeof(err)), ES_EINVAL);
	assert_null(is);
	assert_non_null(strstr(err, "payload length 2"));
	err[0] = 0;
	assert_int_equal(dgram_open(&dc, &dg, err, sizeof(err)), ES_EINVAL);
	assert_null(dg);
	assert_non_null(strstr(err, "0 sockets"));
}

/* scan_open checks its configuration before it opens a socket. */
static void test_scan_open_codes(void **state)
{
	struct ipset set;
	static const struct {
		uint32_t shards, shard;
		uint64_t start;
		enum tx_kind tx;
		const char *pcap;
		const char *needle;
	} rows[] = {
		{ 2, 2, 0, TX_DGRAM, NULL, "shards" },
		{ 1, 0, 999, TX_DGRAM, NULL, "cannot resume at probe 999" },
		{ 1, 0, 0, TX_DGRAM, "/dev/null", "--pcap needs the raw path" },
	};

	(void)state;
	ipset_init(&set);
	assert_int_equal(ipset_add(&set, 0x7f000001u, 0x7f000004u), 0);
	assert_int_equal(ipset_finalize(&set), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct scan_config cfg = {
			.targets = &set, .shards = rows[i].shards, .shard = rows[i].shard,
			.probes = 1, .ttl = 64, .payload_len = 56, .tx = rows[i].tx,
			.start_position = rows[i].start, .pcap_path = rows[i].pcap,
		};
		struct scan *s = (struct scan *)&cfg;
		char err[256] = "";
		int rc = scan_open(&cfg, &s, err, sizeof(err));

		if (rc != ES_EINVAL)
			fail_msg("row %zu: %s (%s), want ES_EINVAL", i, es_err_name(rc), err);
		assert_null(s);
		if (!strstr(err, rows[i].needle))
			fail_msg("row %zu: \"%s\" does not name \"%s\"", i, err, rows[i].needle);
	}
	ipset_free(&set);
}

/* In a child without privileges: the packet socket and the capture are
 * refused with ES_EPERM. Exit status: 0 ok, 1 tx wrong, 2 rx wrong, 3 could
 * not give up root, 4 still privileged (file capabilities). */
static int unprivileged_child(void)
{
	struct tx_config tc = { .kind = TX_MMSG, .ifname = "lo", .frame_len = 74,
				.batch_max = 8 };
	struct rx_config rc = { .ifname = "lo", .buffer_bytes = 1 << 20,
				.snaplen = 256, .timeout_ms = 5 };
	uint32_t saddr = 0x7f000001u;
	struct tx *tx;
	struct rx *rx;
	char err[256];
	int code;

	rc.saddrs = &saddr;
	rc.n_saddrs = 1;
	if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
		return 3;
	code = tx_open(&tc, &tx, err, sizeof(err));
	if (code == ES_OK) {
		tx_close(tx);
		return 4;
	}
	if (code != ES_EPERM || !strstr(err, "CAP_NET_RAW")) {
		fprintf(stderr, "tx_open: %s (%s)\n", es_err_name(code), err);
		return 1;
	}
	code = rx_open(&rc, &rx, err, sizeof(err));
	if (code != ES_EPERM) {
		fprintf(stderr, "rx_open: %s (%s)\n", es_err_name(code), err);
		if (code == ES_OK)
			rx_close(rx);
		return 2;
	}
	return 0;
}

static void test_eperm_without_privilege(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unprivileged_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3 || WEXITSTATUS(status) == 4)
		skip();   /* cannot run without privileges here */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test(test_tx_open_codes),
		cmocka_unit_test(test_sock_open_codes),
		cmocka_unit_test(test_scan_open_codes),
		cmocka_unit_test(test_eperm_without_privilege),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
