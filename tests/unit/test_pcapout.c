/*
 * test_pcapout.c — the --pcap writer: frames written with their nanosecond
 * stamps read back identically through libpcap (link type, snap length,
 * stamps to the nanosecond, bytes), table-driven; an empty file is a valid
 * pcap; an unwritable path fails naming it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pcapout.h"

struct frame { uint64_t ts_ns; size_t len; uint8_t fill; };

static const struct frame frames[] = {
	{ 1700000000123456789ull, 60, 0x11 },
	{ 1700000000123456790ull, 98, 0x22 },
	{ 1700000001000000000ull, 14, 0x33 },
	{ 1700000001999999999ull, 170, 0x44 },
};

static void tmp_path(char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/test_pcapout.XXXXXX");
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

static void test_round_trip(void **state)
{
	char path[64], err[256], perr[PCAP_ERRBUF_SIZE];
	struct pcapout *p;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *in;
	size_t i = 0;
	int rc;

	(void)state;
	tmp_path(path, sizeof(path));
	p = pcapout_open(path, DLT_EN10MB, 170, err, sizeof(err));
	assert_non_null(p);
	for (size_t k = 0; k < sizeof(frames) / sizeof(frames[0]); k++) {
		uint8_t buf[256];

		memset(buf, frames[k].fill, frames[k].len);
		pcapout_write(p, frames[k].ts_ns, buf, frames[k].len);
	}
	assert_int_equal(pcapout_count(p), 4);
	assert_int_equal(pcapout_close(p, err, sizeof(err)), 0);

	in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	assert_non_null(in);
	assert_int_equal(pcap_datalink(in), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(in), 170);
	assert_int_equal(pcap_get_tstamp_precision(in), PCAP_TSTAMP_PRECISION_NANO);
	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		assert_true(i < sizeof(frames) / sizeof(frames[0]));
		assert_int_equal((uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
				 frames[i].ts_ns);
		assert_int_equal(h->caplen, frames[i].len);
		for (size_t b = 0; b < frames[i].len; b++)
			assert_int_equal(data[b], frames[i].fill);
		i++;
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);   /* end of file */
	assert_int_equal(i, sizeof(frames) / sizeof(frames[0]));
	pcap_close(in);
	unlink(path);
}

static void test_empty(void **state)
{
	char path[64], err[256], perr[PCAP_ERRBUF_SIZE];
	struct pcapout *p;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *in;

	(void)state;
	tmp_path(path, sizeof(path));
	p = pcapout_open(path, DLT_LINUX_SLL, 100, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(pcapout_close(p, err, sizeof(err)), 0);
	in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	assert_non_null(in);
	assert_int_equal(pcap_datalink(in), DLT_LINUX_SLL);
	assert_int_equal(pcap_next_ex(in, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(in);
	unlink(path);
	assert_int_equal(pcapout_close(NULL, err, sizeof(err)), 0);
}

static void test_unwritable(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(pcapout_open("/nonexistent/dir/x.pcap", DLT_EN10MB, 100, err, sizeof(err)));
	if (!strstr(err, "/nonexistent/dir/x.pcap") || !strstr(err, "--pcap"))
		fail_msg("got \"%s\"", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unwritable),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
