/*
 * main.c — echoscan's entry point: picks the subcommand, parses the command
 * line and hands over to the sweep or to ping. Only this layer prints errors
 * and chooses the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output/fields.h"
#include "scanner/cli.h"
#include "scanner/ping.h"
#include "scanner/sweep.h"
#include "scanner/trace.h"
#include "scanner/version.h"

#define STDOUT_CLOSED_MSG "standard output is closed: results would be lost " \
	"(give an output file with -o FILE, or discard them with >/dev/null)"

/*
 * Started with fd 0, 1 or 2 closed, the first socket opened would take its
 * number, and results or messages written to "stdout"/"stderr" would go out
 * as frames on the wire. Each closed one gets /dev/null; returns false if
 * that fails. stdout_closed tells the caller results would be lost.
 */
static bool std_fds_open(bool *stdout_closed)
{
	*stdout_closed = false;
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == 1)
			*stdout_closed = true;
		/* the lowest free number: fd itself, since the lower ones are open */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd) {
			if (nfd >= 0)
				close(nfd);
			return false;
		}
	}
	return true;
}

/* Whether this command line writes its results (or help) to stdout. */
static bool uses_stdout(const struct options *o)
{
	if (o->action != CLI_RUN)
		return true;
	return !o->output || strcmp(o->output, "-") == 0;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	bool stdout_closed;
	int rc;

	if (!std_fds_open(&stdout_closed))
		return 2;  /* nowhere safe to say so */
	if (argc > 1 && strcmp(argv[1], "ping") == 0) {
		if (stdout_closed) {
			fprintf(stderr, "echoscan ping: %s\n", STDOUT_CLOSED_MSG);
			return 2;
		}
		return ping_main(argc - 1, argv + 1);
	}
	if (argc > 1 && strcmp(argv[1], "trace") == 0) {
		if (stdout_closed) {
			fprintf(stderr, "echoscan trace: %s\n", STDOUT_CLOSED_MSG);
			return 2;
		}
		return trace_main(argc - 1, argv + 1);
	}
	if (cli_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return 2;
	}
	if (stdout_closed && uses_stdout(&o)) {
		fprintf(stderr, "echoscan: %s\n", STDOUT_CLOSED_MSG);
		cli_free(&o);
		return 2;
	}
	switch (o.action) {
	case CLI_HELP:
		cli_usage(stdout);
		rc = 0;
		break;
	case CLI_VERSION:
		printf("echoscan %s\n", ECHOSCAN_VERSION);
		rc = 0;
		break;
	case CLI_LIST_FIELDS:
		/* the fields of the records this command line would write */
		fields_print_help(stdout, o.stats ? REC_STATS : REC_RESULT);
		rc = 0;
		break;
	default:
		rc = o.dry_run ? sweep_dry_run(&o) : sweep_run(&o);
		break;
	}
	cli_free(&o);
	return rc;
}
