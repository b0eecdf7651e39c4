/*
 * api_socket_check.c — level 3's kernel echo socket driven the way a program
 * would, built against include/echoscan.h and libechoscan.so alone (see
 * tests/lab/test_api_socket.sh):
 *   api_socket_check MODE HOST COUNT SIZE
 * opens an es_socket to HOST (numeric IPv4 or IPv6) with MODE (auto, raw,
 * dgram) and SIZE payload bytes, sends COUNT echo requests 20 ms apart and
 * reads replies, errors and local errors by polling es_socket_fd() for up to
 * 2 s after the last, then prints "MODE_TAKEN R/COUNT E errors" (R distinct
 * requests answered by an echo reply, E ICMP errors). Every echo reply must
 * name HOST as target and responder, carry a probe number that was sent,
 * its RTT (timed, rtt_ns >= 0), COUNT-1 >= probe, icmp_len 8 + SIZE and no
 * wrong byte; otherwise it prints what is wrong and exits 1. An open that
 * fails prints the code's name (ES_EPERM ...) and exits 2. API_IDENT in the
 * environment sets the identifier.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "echoscan.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *mode_name(enum es_mode m)
{
	return m == ES_MODE_RAW ? "raw" : m == ES_MODE_DGRAM ? "dgram" : "auto";
}

/* Reads what is pending; returns -1 on a wrong reply or a socket error. */
static int drain(es_socket *s, const struct es_addr *dst, unsigned count, size_t size,
		 unsigned char *answered, unsigned *errors)
{
	struct es_reply r;
	struct es_socket_extra ex;
	char err[256], a[ES_ADDRSTRLEN], b[ES_ADDRSTRLEN];
	int rc;

	while ((rc = es_socket_recv(s, &r, &ex, sizeof(ex), err, sizeof(err))) == 1) {
		if (ex.local) {
			printf("local error: errno %d\n", ex.local_errno);
			continue;
		}
		if (!r.success) {
			(*errors)++;
			continue;
		}
		if (memcmp(&r.target, dst, sizeof(*dst)) || memcmp(&r.responder, dst, sizeof(*dst)) ||
		    r.probe >= count || !ex.timed || r.rtt_ns < 0 || ex.icmp_len != 8 + size ||
		    ex.bad_byte != -1 || r.classification != ES_CLASS_ECHOREPLY) {
			printf("wrong reply: target %s responder %s probe %u timed %d rtt %lld "
			       "icmp_len %zu bad_byte %d class %u\n",
			       es_addr_format(&r.target, a, sizeof(a)),
			       es_addr_format(&r.responder, b, sizeof(b)), r.probe, ex.timed,
			       (long long)r.rtt_ns, ex.icmp_len, ex.bad_byte, r.classification);
			return -1;
		}
		answered[r.probe] = 1;
	}
	if (rc < 0) {
		fprintf(stderr, "es_socket_recv: %s: %s\n", es_err_name(rc), err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct es_socket_options o;
	es_socket *s = NULL;
	unsigned char answered[256] = { 0 };
	unsigned count, got = 0, errors = 0;
	char err[512];
	int rc;

	if (argc != 5 || (count = (unsigned)atoi(argv[3])) < 1 || count > 256) {
		fprintf(stderr, "usage: api_socket_check auto|raw|dgram HOST COUNT(1..256) SIZE\n");
		return 2;
	}
	es_socket_options_init(&o);
	o.mode = !strcmp(argv[1], "raw") ? ES_MODE_RAW :
		 !strcmp(argv[1], "dgram") ? ES_MODE_DGRAM : ES_MODE_AUTO;
	o.size = (size_t)atol(argv[4]);
	o.interval_ms = 20;
	if (getenv("API_IDENT"))
		o.ident = atoi(getenv("API_IDENT"));
	if (es_addr_parse(&o.dst, argv[2]) != ES_OK) {
		fprintf(stderr, "%s: not an address\n", argv[2]);
		return 2;
	}
	rc = es_socket_open(&s, &o, err, sizeof(err));
	if (rc != ES_OK) {
		printf("%s: %s\n", es_err_name(rc), err);
		return 2;
	}
	for (unsigned i = 0; i < count; i++) {
		int e;

		rc = es_socket_send(s, i, &e);
		if (rc != ES_OK)
			printf("send %u: %s (errno %d)\n", i, es_err_name(rc), e);
		if (drain(s, &o.dst, count, o.size, answered, &errors) < 0)
			goto fail;
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	for (uint64_t end = now_ns() + 2000000000ull; now_ns() < end;) {
		struct pollfd pf = { es_socket_fd(s), POLLIN, 0 };

		got = 0;
		for (unsigned i = 0; i < count; i++)
			got += answered[i];
		if (got + errors >= count)
			break;
		poll(&pf, 1, 100);
		if (drain(s, &o.dst, count, o.size, answered, &errors) < 0)
			goto fail;
	}
	got = 0;
	for (unsigned i = 0; i < count; i++)
		got += answered[i];
	printf("%s %u/%u %u errors\n", mode_name(es_socket_mode(s)), got, count, errors);
	es_socket_close(&s);
	es_socket_close(&s);      /* twice through the same pointer: harmless */
	return 0;
fail:
	es_socket_close(&s);
	return 1;
}
