/*
 * cli.h — the sweep command line: parses argv into a struct options, reads
 * target files and exclusions into a finalized address set. Prints nothing:
 * errors go to err (naming the bad input) and the caller exits 2.
 */
#ifndef ECHOSCAN_CLI_H
#define ECHOSCAN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "output/fields.h"
#include "output/writer.h"
#include "scanner/sources.h"
#include <echoscan.h>

/* The command line as given, for the run's metadata (-m). The strings are
 * argv's; the arrays are owned by the options (cli_free). */
struct cli_record {
	const char *metadata;          /* -m FILE, or NULL */
	const char *notes;             /* --notes TEXT, or NULL */
	const char **argv;             /* argv as given (before -iL is rewritten) */
	int argc;
	const char **exclude_specs;    /* -x values, in order */
	const char **exclude_files;    /* --exclude-file values, in order */
	size_t n_exclude_specs, n_exclude_files;
	uint64_t excluded;             /* target addresses the exclusions removed */
	uint64_t excluded6;            /* IPv6 ones (not in excluded) */
};

/* --tx as given (o->backend is the public name es_scan takes). */
enum cli_tx { CLI_TX_AUTO = 0, CLI_TX_RING, CLI_TX_MMSG, CLI_TX_LIBNET, CLI_TX_DGRAM, CLI_TX_XDP };
/* --xdp-mode as given (with --tx xdp). */
enum cli_xdp_mode { CLI_XDP_AUTO = 0, CLI_XDP_COPY, CLI_XDP_ZEROCOPY };

struct options {
	es_targets *set;               /* the IPv4 and IPv6 targets, exclusions
	                                * applied (sealed): what the sweep hands
	                                * to es_scan */
	bool no_default_exclude;       /* probe 0/8, 224/4, 240/4 too */
	int family;                    /* host names: A and AAAA (0), or -4 TARGETS_AF4, -6 TARGETS_AF6 */
	uint64_t skipped_reserved;     /* targets skipped as reserved (0/8, ...) */
	uint64_t max_targets;
	uint64_t seed;
	bool seed_given;
	uint32_t shards, shard;
	uint64_t rate;                 /* 0 = max */
	uint16_t probes;
	uint64_t interval_ns, cooldown_ns, max_runtime_ns;
	bool cooldown_given;           /* -c: exactly cooldown_ns; else adaptive,
	                                * at most cooldown_ns (engine/cooldown.h) */
	uint8_t ttl;
	uint16_t size;
	bool dry_run, report_all, status, quiet, stats, loop;
	const char *pcap;              /* --pcap FILE, or NULL */
	bool pcap_all;                 /* --pcap-all */
	uint64_t report_every_ns;
	const char *output;            /* NULL = stdout */
	const char *resume;            /* --resume FILE, or NULL */
	enum out_format format;
	struct field_list fields;
	const char *ifname, *source, *gw_mac;  /* source: the first -S address */
	struct sources sources;        /* every -S address (sources.n of them) */
	enum cli_tx tx;
	const char *backend;           /* --tx/--xdp-mode as es_scan_config_set_backend
	                                * names it; NULL: auto (or dgram) */
	bool tx_dgram;                 /* --tx dgram */
	unsigned sender_threads;   /* --sender-threads; 0 = auto */
	enum cli_xdp_mode xdp_mode;  /* --xdp-mode (with --tx xdp) */
	bool rx_xdp;                 /* --rx xdp: AF_XDP instead of libpcap */
	enum { CLI_RUN, CLI_HELP, CLI_VERSION, CLI_LIST_FIELDS } action;
	struct cli_record record;      /* what the run's metadata (-m) records */
};

/* Returns 0, or -1 with err set. On success the caller owns o->set (cli_free). */
int cli_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void cli_free(struct options *o);
void cli_usage(FILE *f);

#endif
