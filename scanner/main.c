/*
 * main.c — echoscan's entry point: picks the subcommand, parses the command
 * line and hands over to the sweep or to ping. Only this layer prints errors
 * and chooses the exit status.
 */
#include <stdio.h>
#include <string.h>

#include "output/fields.h"
#include "scanner/cli.h"
#include "scanner/ping.h"
#include "scanner/sweep.h"
#include "scanner/version.h"

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	int rc;

	if (argc > 1 && strcmp(argv[1], "ping") == 0)
		return ping_main(argc - 1, argv + 1);
	if (cli_parse(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
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
