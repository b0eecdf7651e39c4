/*
 * trace_opts.h — the command line of `echoscan trace`: Linux traceroute's
 * options for one host (-n -q -w -m -f -z -s -i -t -F -I) and the
 * scanner's for many targets (-O -o --fields --paths --rate --seed -iL).
 * Pure parsing: no I/O except reading nothing; errors name the option.
 */
#ifndef ECHOSCAN_TRACE_OPTS_H
#define ECHOSCAN_TRACE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "output/fields.h"
#include "output/writer.h"

#define TRACE_DEFAULT_MAX_TTL  30
#define TRACE_DEFAULT_QUERIES  3
#define TRACE_DEFAULT_PACKETLEN 60     /* traceroute -I: IP + ICMP + 32 bytes */
#define TRACE_MAX_QUERIES      10      /* traceroute's limit */

struct trace_opts {
	/* traceroute */
	bool numeric;                  /* -n */
	unsigned nqueries;             /* -q, 1..10 */
	uint64_t wait_ns;              /* -w MAX (ns) */
	double wait_here, wait_near;   /* -w ,HERE,NEAR (factors; 0 = off) */
	unsigned first_ttl, max_ttl;   /* -f, -m */
	uint64_t sendwait_ns;          /* -z: at least this long between probes */
	const char *source;            /* -s */
	const char *ifname;            /* -i */
	unsigned tos;                  /* -t */
	bool dont_fragment;            /* -F */
	unsigned packetlen;            /* second operand: total IP length */
	/* many targets */
	bool records;                  /* record output (not traceroute's lines) */
	enum out_format format;        /* -O */
	const char *output;            /* -o */
	struct field_list fields;      /* --fields */
	bool paths;                    /* --paths */
	uint64_t rate;                 /* --rate (with rate_given); 0 = max */
	bool rate_given;
	uint64_t seed;                 /* --seed */
	bool seed_given;
	const char *input_file;        /* -iL */
	bool list_fields, help;
	/* operands */
	char **targets;                /* argv entries, not copied */
	int ntargets;
};

enum trace_opts_rc { TRACE_OPTS_OK = 0, TRACE_OPTS_ERROR = -1 };

/* argv[0] is "trace". Fills o (operands point into argv). Returns 0, or -1
 * with err set. Decides o->records: record output when -O, -o, --fields,
 * --paths, --rate, -iL is given, or when the targets are not one host. */
int trace_opts_parse(int argc, char **argv, struct trace_opts *o, char *err, size_t errlen);
const char *trace_usage(void);

#endif
