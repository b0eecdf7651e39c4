/*
 * fuzz_cli.c — libFuzzer harness for the sweep's command line: the input,
 * split at NUL bytes, is an argv (at most 32 words) for cli_parse.
 * Properties: a refusal comes with a message; an accepted command line to
 * run has a finalized, non-empty target set within what --max-targets
 * and the shard allow to be consistent, and values inside their ranges.
 *
 * The harness links with --wrap for getaddrinfo and fopen: a fuzzer must
 * not send DNS queries or open whatever path it invents (/dev/zero,
 * /proc/...). Names fail as unresolvable and files opened for reading as
 * missing (writes pass through: libFuzzer saves its corpus and crashes
 * with fopen); the list reader itself is fuzzed by fuzz_targets. Standard
 * input is /dev/null, so "-iL -" reads an empty list.
 */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scanner/cli.h"
#include "tests/fuzz/fuzz_util.h"

#define MAX_ARGS 32

int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__real_fopen(const char *path, const char *mode);

int __wrap_getaddrinfo(const char *node, const char *service,
		       const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node; (void)service; (void)hints; (void)res;
	return EAI_NONAME;
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
	if (mode[0] != 'r')
		return __real_fopen(path, mode);
	errno = ENOENT;
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	FUZZ_CHECK(freopen("/dev/null", "r", stdin) != NULL, "cannot reopen stdin");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	struct options o;
	char err[1024];

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"echoscan";
	for (char *p = buf; argc <= MAX_ARGS && p <= buf + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	err[0] = '\0';
	if (cli_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		FUZZ_CHECK(err[0] != '\0', "refused without a message");
		return 0;
	}
	if (o.action == CLI_RUN) {
		FUZZ_CHECK(es_targets_count(o.set) > 0, "empty or unsealed set");
		FUZZ_CHECK(o.shard < o.shards, "shard %u of %u", o.shard, o.shards);
		FUZZ_CHECK(o.probes >= 1 && o.ttl >= 1 && o.size >= 18 && o.size <= 1472,
			   "probes %u ttl %u size %u", o.probes, o.ttl, o.size);
		FUZZ_CHECK(!(o.stats && o.report_all), "--stats with --all accepted");
		FUZZ_CHECK(!o.loop || o.report_every_ns > 0, "--loop without a period");
	}
	cli_free(&o);
	return 0;
}
