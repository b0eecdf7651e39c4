/*
 * echoscan.h — the public interface of libechoscan, the engine of the
 * echoscan ICMP echo scanner as a C library. This is the only header a
 * program needs; every name in it starts with es_ (ES_ for macros).
 *
 * Conventions used throughout (libuv's uv.h is the model):
 * - Functions that can fail return an int: ES_OK (0) on success or a
 *   negative enum es_error. Callers branch on the code, never on text;
 *   es_strerror() names a code, and functions that take an (err, errlen)
 *   buffer also write a detail message there that names the bad input and
 *   the fix (err may be NULL when the caller does not want it).
 * - The enum es_error only grows: a value, once given a meaning, keeps it.
 * - Every function says who owns what it returns and which thread may call
 *   it. Unless a function says otherwise, strings and buffers passed in
 *   are only read during the call, and the caller keeps them.
 */
#ifndef ECHOSCAN_H
#define ECHOSCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define ES_EXTERN __attribute__((visibility("default")))
#else
#define ES_EXTERN
#endif

/* The version of this header. es_version() gives the library's, which can
 * differ when a program runs against a newer shared library. */
#define ES_VERSION_MAJOR 0
#define ES_VERSION_MINOR 2
#define ES_VERSION_PATCH 0
#define ES_VERSION_STRINGIFY_(x) #x
#define ES_VERSION_STRINGIFY(x) ES_VERSION_STRINGIFY_(x)
#define ES_VERSION_STRING \
	ES_VERSION_STRINGIFY(ES_VERSION_MAJOR) "." \
	ES_VERSION_STRINGIFY(ES_VERSION_MINOR) "." \
	ES_VERSION_STRINGIFY(ES_VERSION_PATCH)
/* (major << 16) | (minor << 8) | patch, comparable with <. */
#define ES_VERSION_HEX \
	((ES_VERSION_MAJOR << 16) | (ES_VERSION_MINOR << 8) | ES_VERSION_PATCH)

/* The library's version as ES_VERSION_HEX encodes it. Any thread. */
ES_EXTERN unsigned int es_version(void);
/* The library's version as "major.minor.patch"; a static string, never
 * freed. Any thread. */
ES_EXTERN const char *es_version_string(void);

/* Error codes. Every function documents which of these it returns; a
 * function may also return ES_ENOMEM or ES_ESYS where it allocates or
 * calls the kernel. */
enum es_error {
	ES_OK = 0,
	ES_EINVAL = -1,         /* bad argument or configuration */
	ES_EPERM = -2,          /* needs a privilege (CAP_NET_RAW ...) or
	                         * ping_group_range */
	ES_ENODEV = -3,         /* no such interface, or unusable */
	ES_ENOROUTE = -4,       /* no route / next hop unresolved */
	ES_ENOMEM = -5,         /* out of memory */
	ES_ESYS = -6,           /* other system call failure */
	ES_EUNSUPPORTED = -7,   /* not available on this kernel/device */
	ES_ESTATE = -8,         /* call not valid in the handle's current state */
	ES_ENOTFOUND = -9,      /* name did not resolve */
	ES_ETIMEDOUT = -10      /* no answer (or no progress) in the time given */
};

/* A short description of code ("operation needs a privilege ..."); a
 * static string, never freed. Unknown codes (including positive ones) give
 * "unknown error", never NULL. Any thread. */
ES_EXTERN const char *es_strerror(int code);
/* The enum constant's name ("ES_EPERM"), or "ES_UNKNOWN". Any thread. */
ES_EXTERN const char *es_err_name(int code);


/* ==== Addresses ========================================================
 * An address carries its family, so IPv6 will come through the same calls.
 * Text forms are what inet_pton accepts; targets add "a.b.c.d/len" and
 * "a.b.c.d-e.f.g.h" (inclusive ranges). */

#define ES_ADDRSTRLEN 46            /* longest es_addr_format text + NUL */

struct es_addr {
	uint8_t family;                 /* 4 (IPv4) or 6 (IPv6); 0: none */
	uint8_t bytes[16];              /* network byte order; IPv4 uses 4 */
};

/* Parses a numeric IPv4 or IPv6 address (inet_pton's forms, no zone
 * index) into a, setting a->family to 4 or 6. Returns ES_OK or ES_EINVAL
 * (not an address). Any thread. */
ES_EXTERN int es_addr_parse(struct es_addr *a, const char *text);
/* Writes a's text form into buf (ES_ADDRSTRLEN bytes are always enough)
 * and returns buf: dotted decimal, or RFC 5952 for IPv6 (lower case, the
 * longest run of zero groups as "::"); "?" for an address of no known
 * family. Any thread. */
ES_EXTERN const char *es_addr_format(const struct es_addr *a, char *buf, size_t len);

/* ==== Results ==========================================================
 * One validated reply, as every level hands it over. The struct is filled
 * by the library: it grows only with a new major version (a new soname).
 * A field may still be added into its tail padding, where sizeof and every
 * offset stay the same (the library checks this with static assertions):
 * programs built before it keep their layout, and a library older than the
 * field zeroes the whole record, so the new field reads 0 ("not known"). */

enum es_class {
	ES_CLASS_ECHOREPLY = 0,   /* echo reply: the host is alive */
	ES_CLASS_UNREACH,         /* destination unreachable (see code) */
	ES_CLASS_TIMXCEED,        /* time exceeded in transit */
	ES_CLASS_OTHER,           /* any other ICMP error quoting our probe */
	ES_CLASS_ARP,             /* an on-link host that answered our ARP
	                           * request but none of our echo requests */
	ES_CLASS_COUNT
};

/* "echoreply", "unreach", "timxceed", "other", "arp"; "other" when out of
 * range. A static string. Any thread. */
ES_EXTERN const char *es_class_name(unsigned classification);

struct es_reply {
	uint64_t ts_ns;             /* receive time, ns since the Unix epoch */
	int64_t rtt_ns;             /* round-trip time; -1 when the reply did not
	                             * carry our send time (a short ICMP quote) */
	struct es_addr target;      /* the probed host */
	struct es_addr responder;   /* who sent the reply (a router, for errors) */
	struct es_addr local;       /* our address it was sent to (may be none) */
	uint32_t info;              /* ICMP bytes 4..7 of an error: next-hop MTU,
	                             * pointer or redirect gateway */
	uint16_t probe;             /* probe number: the pass of a scan, the
	                             * sequence of es_ping (from 0) */
	uint16_t ipid;              /* IP ID of the reply (0: not known) */
	uint16_t size;              /* IP total length of the reply */
	uint8_t ttl;                /* IP TTL of the reply (0: not known) */
	uint8_t type, code;         /* ICMP type and code */
	uint8_t classification;     /* enum es_class */
	uint8_t success;            /* 1 for an echo reply */
	uint8_t repeat;             /* 1 when this host answered before */
	uint8_t duplicate;          /* es_ping: 1 when this probe was answered
	                             * before (iputils' DUP!); 0 elsewhere */
	uint8_t cooldown;           /* 1 when it came after sending ended */
	uint8_t mac[6];             /* an on-link host's MAC, else all zero */
	/* -- in the tail padding (0.1.0 had sizeof 96, offset 92 unused) -- */
	uint8_t probe_ttl;          /* a trace (es_scan_config_set_trace): the
	                             * TTL the probe was sent with, its hop
	                             * number; 0 outside a trace */
};

/* A reply callback: r is valid only during the call (copy what you keep).
 * Which thread calls it is said where the callback is given. */
typedef void (*es_reply_cb)(const struct es_reply *r, void *user);

/* How probes leave. */
enum es_mode {
	ES_MODE_AUTO = 0,   /* raw when permitted, else datagram */
	ES_MODE_RAW = 1,    /* packet sockets and rings (CAP_NET_RAW): fastest,
	                     * own source, TTL, routes and capture */
	ES_MODE_DGRAM = 2   /* ICMP datagram sockets: unprivileged, for groups in
	                     * net.ipv4.ping_group_range; the kernel routes */
};

/* ==== Level 1: one call ================================================ */

/* Options of es_ping and es_multiping. Always start from
 * es_ping_options_init(), which sets version and the defaults below, then
 * change what you need: a program built against this header keeps working
 * when later versions add fields. */
#define ES_PING_OPTIONS_V1 1

struct es_ping_options {
	unsigned version;           /* ES_PING_OPTIONS_V1 */
	unsigned count;             /* echo requests per host; default 4,
	                             * 1..65535 */
	uint64_t interval_ns;       /* between requests to one host; default 1 s
	                             * (es_ping: at least 1 ms) */
	uint64_t timeout_ns;        /* wait after the last request; default 2 s,
	                             * at least 1 ms */
	uint64_t rate;              /* es_multiping: probes per second over all
	                             * hosts; 0 = as fast as possible (default
	                             * 10000) */
	size_t size;                /* payload bytes; default 56, 18..1472 */
	int ttl;                    /* IP TTL; 0 = 64 (es_multiping raw) or the
	                             * kernel's */
	const char *source;         /* source address text, or NULL */
	const char *interface;      /* interface name, or NULL */
	enum es_mode mode;          /* default ES_MODE_AUTO */
};

/* Sets o->version and the defaults. Any thread. */
ES_EXTERN void es_ping_options_init(struct es_ping_options *o);

/* What es_ping reports: iputils ping's statistics. */
struct es_ping_stats {
	struct es_addr address;     /* the address pinged */
	enum es_mode mode;          /* the path taken (RAW or DGRAM) */
	unsigned long transmitted;  /* echo requests sent */
	unsigned long received;     /* requests answered by an echo reply */
	unsigned long duplicates;   /* extra echo replies to answered requests */
	unsigned long errors;       /* ICMP errors quoting our requests */
	double loss;                /* percent of requests without a reply */
	int64_t rtt_min_ns, rtt_avg_ns, rtt_max_ns, rtt_mdev_ns;  /* -1: none */
	uint64_t time_ns;           /* from the first request to the last */
};

/* Pings one host (a numeric address or a name; the first IPv4 address of a
 * name is used): o->count requests o->interval_ns apart, then waits
 * o->timeout_ns for the last answers (it ends early once every request has
 * an answer). o may be NULL (the defaults). on_reply, if not NULL, is called
 * on the calling thread for every validated reply and error, duplicates
 * included. stats (may be NULL) is filled also when nobody answered.
 * Blocks until done. Returns ES_OK when the pings ran (answered or not:
 * look at stats->received), or ES_EINVAL (bad options), ES_ENOTFOUND (the
 * name did not resolve), ES_EPERM (the socket the mode asks for is not
 * permitted), ES_ENODEV, ES_ENOROUTE (the kernel has no route to the host),
 * ES_ENOMEM, ES_ESYS; err, if not NULL, gets the detail. Any thread; calls
 * on different threads are independent. Every host, IPv4 or (numeric)
 * IPv6, is pinged through the kernel's ICMP or ICMPv6 sockets from the
 * calling thread, no engine threads: ES_MODE_DGRAM takes the datagram
 * socket (groups in net.ipv4.ping_group_range, both families), ES_MODE_RAW
 * the raw socket (CAP_NET_RAW), ES_MODE_AUTO the datagram socket where
 * permitted, else the raw one, as iputils ping; stats->mode tells which.
 * o->source must be an address of this host in the host's family (else
 * ES_EINVAL). */
ES_EXTERN int es_ping(const char *host, const struct es_ping_options *o,
		      es_reply_cb on_reply, void *user, struct es_ping_stats *stats,
		      char *err, size_t errlen);

/* One host's statistics (es_multiping, es_scan_next_host_stats). The
 * library fills it; it may grow at the end (a call filling a caller's
 * copy takes the caller's sizeof). */
struct es_host_stats {
	struct es_addr address;
	unsigned long transmitted, received, duplicates;
	double loss;                /* percent */
	int64_t rtt_min_ns, rtt_avg_ns, rtt_max_ns, rtt_mdev_ns;  /* -1: none */
	/* -- h12-sweep (#12): added for the sweep's --stats rows -- */
	int64_t jitter_ns;          /* mean absolute difference of consecutive
	                             * RTTs; -1 with fewer than two replies */
	uint64_t ts_ns;             /* end of the period the row covers (ns since
	                             * the epoch); 0 when not known */
};
typedef void (*es_host_cb)(const struct es_host_stats *h, void *user);

struct es_multiping_stats {
	enum es_mode mode;          /* the path taken */
	uint64_t targets;           /* addresses probed */
	uint64_t alive;             /* addresses that sent an echo reply */
	uint64_t sent;              /* echo requests sent */
	uint64_t invalid;           /* replies that failed validation */
};

/* Pings many hosts: every target (addresses, "a.b.c.d/len" prefixes or
 * "a-b" ranges, IPv6 ones as es_scan_config_add_target takes them; no
 * names) gets o->count requests, the passes o->interval_ns apart, at o->rate probes per second overall, then waits
 * o->timeout_ns. on_reply (may be NULL) is called on the calling thread for
 * every validated reply as it arrives (r->repeat tells a host's first echo
 * reply from later ones); on_host (may be NULL), at the end, once per target
 * in address order (IPv4, then IPv6), answered or not. stats may be NULL.
 * Blocks until done. Returns ES_OK when it ran, or ES_EINVAL (bad target or
 * option), ES_EPERM, ES_ENODEV, ES_ENOROUTE, ES_ENOMEM, ES_ESYS, or
 * ES_EUNSUPPORTED (IPv6 targets without raw sockets), with err filled. Any
 * thread. */
ES_EXTERN int es_multiping(const char *const *targets, size_t ntargets,
			   const struct es_ping_options *o, es_reply_cb on_reply,
			   es_host_cb on_host, void *user, struct es_multiping_stats *stats,
			   char *err, size_t errlen);

/* ---- Level 1: es_traceroute (traceroute -I for one host) ---------------
 * ICMP echo probes with TTLs first_ttl..max_ttl, `probes` per TTL, all sent
 * at once (or sendwait_ns apart), every reply matched statelessly by a keyed
 * check carried in the probe (even when a router quotes only the IP header
 * and 8 bytes). Hops are reported in TTL order, each once its probes are
 * answered or its wait ran out, up to the hop where the host answered or an
 * unreachable came (traceroute's end), or max_ttl. IPv4 with ES_MODE_RAW
 * (or ES_MODE_AUTO with CAP_NET_RAW) takes the raw path: the scan engine's
 * probes, as above. IPv6 hosts, and IPv4 with ES_MODE_DGRAM or ES_MODE_AUTO
 * without CAP_NET_RAW, take the kernel's ICMP (ICMPv6) socket: raw where
 * permitted (ES_MODE_RAW, ES_MODE_AUTO), else the unprivileged datagram one
 * (groups in net.ipv4.ping_group_range); each probe's TTL (hop limit) is set
 * on the socket before it leaves, its echo sequence names its hop, and time
 * exceeded and unreachables come back through the socket's error queue with
 * the router as the offender (the same hops, ends and waits). */

#define ES_TRACE_OPTIONS_V1 1
#define ES_TRACE_PROBES_MAX 10      /* probes per hop, as traceroute's -q */
#define ES_TRACE_SIZE_MIN   20      /* the smallest trace payload (its stamp
                                     * and two checksum bytes) */

struct es_trace_options {
	unsigned version;           /* ES_TRACE_OPTIONS_V1 */
	unsigned first_ttl;         /* first TTL; default 1, 1..255 */
	unsigned max_ttl;           /* last TTL; default 30, first_ttl..255 */
	unsigned probes;            /* probes per hop; default 3,
	                             * 1..ES_TRACE_PROBES_MAX */
	uint64_t wait_ns;           /* the longest wait for a probe's reply,
	                             * counted from the end of sending; default
	                             * 5 s, at most 1 h (traceroute's -w MAX) */
	double wait_here;           /* stop waiting for a hop's other probes after
	                             * this many times its slowest reply; 0 = off;
	                             * default 3 (traceroute's -w ,HERE) */
	double wait_near;           /* ... after this many times the slowest
	                             * reply of a later hop; 0 = off; default 10
	                             * (traceroute's -w ,,NEAR) */
	uint64_t sendwait_ns;       /* at least this long between probes;
	                             * default 0: all at once (traceroute's -z) */
	size_t size;                /* payload bytes; default 32 (60-byte
	                             * packets, as traceroute -I),
	                             * ES_TRACE_SIZE_MIN..1472 */
	int tos;                    /* IP type of service, 0..255; default 0 */
	int dont_fragment;          /* non-zero: the IP DF bit; default 0 */
	const char *source;         /* source address text, or NULL */
	const char *interface;      /* interface name, or NULL */
	enum es_mode mode;          /* ES_MODE_AUTO (default), ES_MODE_RAW or
	                             * ES_MODE_DGRAM: the path, as above */
};

/* Sets o->version and the defaults. Any thread. */
ES_EXTERN void es_trace_options_init(struct es_trace_options *o);

/* traceroute's annotation of an unreachable (destination unreachable
 * codes 0..15 as Linux traceroute marks them). */
enum es_trace_mark {
	ES_TRACE_MARK_NONE = 0,     /* no mark: time exceeded, echo reply, port
	                             * unreachable (code 3: the host answered) */
	ES_TRACE_MARK_NET,          /* !N  net unreachable / unknown (0, 6, 11) */
	ES_TRACE_MARK_HOST,         /* !H  host unreachable / unknown (1, 7, 12) */
	ES_TRACE_MARK_PROTO,        /* !P  protocol unreachable (2) */
	ES_TRACE_MARK_FRAG,         /* !F  fragmentation needed (4) */
	ES_TRACE_MARK_SRCROUTE,     /* !S  source route failed (5) */
	ES_TRACE_MARK_ADMIN,        /* !X  administratively prohibited (9, 10, 13) */
	ES_TRACE_MARK_PRECEDENCE,   /* !V  host precedence violation (14) */
	ES_TRACE_MARK_CUTOFF,       /* !C  precedence cutoff in effect (15) */
	ES_TRACE_MARK_OTHER         /* !<code>  any other code (8, above 15) */
};
/* The mark's text ("!N", "!H", ...); "" for ES_TRACE_MARK_NONE and "!?" for
 * ES_TRACE_MARK_OTHER and unknown values (traceroute prints "!<code>"
 * there). A static string. Any thread. */
ES_EXTERN const char *es_trace_mark_name(int mark);
/* The mark of an ICMP message of this type and code: for type 3
 * (destination unreachable) as listed above, ES_TRACE_MARK_NONE for every
 * other type. Any thread. */
ES_EXTERN int es_trace_mark_of(unsigned type, unsigned code);

/* One answered probe of a hop. */
struct es_hop_probe {
	struct es_addr responder;   /* who answered (a router, or the host) */
	int64_t rtt_ns;             /* round-trip time (µs precision when the
	                             * router quoted only 28 bytes); -1: none */
	uint8_t type, code;         /* ICMP type and code of the answer */
	uint8_t classification;     /* enum es_class */
	uint8_t mark;               /* enum es_trace_mark */
};

/* One hop (TTL) of a trace. Filled by the library; it may grow at the end
 * (es_traceroute takes the caller's sizeof for its array). */
struct es_hop {
	struct es_addr target;      /* the host traced */
	unsigned ttl;               /* the hop number */
	unsigned probes;            /* probes sent with this TTL */
	unsigned answered;          /* entries of probe[] filled, in the order the
	                             * answers came; the other probes went
	                             * unanswered (traceroute's "*") */
	struct es_hop_probe probe[ES_TRACE_PROBES_MAX];
	struct es_addr responder;   /* probe[0]'s responder; family 0: none */
	uint8_t type, code;         /* probe[0]'s ICMP type and code */
	uint8_t mark;               /* the first mark of the hop's answers
	                             * (enum es_trace_mark) */
	uint8_t reached;            /* 1: the host itself answered at this hop */
	uint8_t last;               /* 1: the trace ends here (the host answered
	                             * or an unreachable came) */
};
/* Called once per hop, in TTL order, on the thread that called
 * es_traceroute; hop is valid during the call only. */
typedef void (*es_hop_cb)(const struct es_hop *hop, void *user);
/* Called on the thread that called es_traceroute: first once the sockets
 * are open and before the first probe leaves (a program may drop its
 * privileges there), then while es_traceroute waits, at least every 100 ms
 * and at once when a signal interrupts the wait. Return non-zero to end the
 * trace early: the hops not reported yet are not. */
typedef int (*es_poll_cb)(void *user);

/* Traces the route to host (a numeric IPv4 or IPv6 address, or a name: its
 * first IPv4 address). o may be NULL (the defaults). on_hop (may be NULL) gets
 * each hop as soon as it is complete; hops (may be NULL when max_hops is
 * 0) gets the first max_hops of them, hop_size bytes apart: pass
 * sizeof(struct es_hop). nhops (may be NULL) gets the number of hops
 * reported. on_poll (may be NULL) ends the trace early when it returns
 * non-zero; user goes to on_hop and on_poll. Blocks until done. Returns
 * ES_OK when the trace ran (look at the last hop's reached), or ES_EINVAL
 * (bad option, host NULL, hops NULL with max_hops > 0, hop_size below the
 * first version's sizeof(struct es_hop)), ES_ENOTFOUND (the name did not
 * resolve), ES_EUNSUPPORTED (no such socket on this kernel: IPv6 disabled),
 * ES_EPERM (ES_MODE_RAW without CAP_NET_RAW; ES_MODE_AUTO or ES_MODE_DGRAM
 * with neither it nor a group in ping_group_range), ES_ENODEV, ES_ENOROUTE,
 * ES_ENOMEM, ES_ESYS; err, if not NULL, gets the detail. o->source must be
 * of the host's family (else ES_EINVAL). Any thread; calls on different threads are
 * independent. */
ES_EXTERN int es_traceroute(const char *host, const struct es_trace_options *o,
			    es_hop_cb on_hop, es_poll_cb on_poll, void *user,
			    struct es_hop *hops, size_t max_hops, size_t hop_size,
			    size_t *nhops, char *err, size_t errlen);

/* ==== Level 2: the scan ===============================================
 * A scan sends echo requests to a target set (a pseudo-random order, at a
 * rate, in passes) on its own sender thread and validates replies on its
 * own receiver thread. Results reach the program either
 *  - through a reply callback, called on the receiver thread, or
 *  - from a queue read with es_scan_next_results() on any one thread at a
 *    time, when the readiness descriptor es_scan_fd() polls readable.
 * Life cycle: es_scan_config_new, es_scan_config_* setters,
 * es_scan_open (the privileged step: the program may drop privileges
 * after it), es_scan_start, then es_scan_wait() or an event loop over
 * es_scan_fd()/es_scan_timeout_ms()/es_scan_process(), and es_scan_close.
 * A scan ends by itself once every probe went out and the cooldown passed
 * (or every target answered a single-probe scan), or after es_scan_stop.
 */

typedef struct es_scan_config es_scan_config;   /* opaque */
typedef struct es_scan es_scan;                 /* opaque */

/* A probe left: its target, probe number and send time (ns since the
 * epoch). Called on the sender thread, once per probe, after the batch
 * holding it was handed to the kernel; ev is valid during the call only.
 * It runs in the sender's loop: keep it short (no blocking). */
struct es_sent {
	struct es_addr target;
	uint16_t probe;
	uint64_t ts_ns;
};
typedef void (*es_sent_cb)(const struct es_sent *ev, void *user);

/* Creates a configuration with the defaults: no targets, 1 probe per
 * target, rate 10000/s, cooldown 1 s, TTL 64, 18 payload bytes (the
 * smallest probe, as echoscan sweeps send), ES_MODE_AUTO,
 * first echo reply per host (and first unreachable) reported, a random
 * order seed. *out is NULL on error. Returns ES_OK, ES_EINVAL (out NULL),
 * ES_ENOMEM. The caller owns it (es_scan_config_free); one thread at a time
 * may use it; es_scan_open copies what it needs. */
ES_EXTERN int es_scan_config_new(es_scan_config **out);
/* Frees *c and sets *c to NULL; c or *c NULL: nothing happens. */
ES_EXTERN void es_scan_config_free(es_scan_config **c);
/* Adds targets: "a.b.c.d", "a.b.c.d/len", "a.b.c.d-e.f.g.h", or IPv6
 * "addr", "addr/len", "addr-addr" (no names). ES_EINVAL names the bad text
 * in no buffer: check your input. IPv6 targets (at most 2^32 per scan,
 * else es_scan_open gives ES_EINVAL) need raw mode: es_scan_open gives
 * ES_EUNSUPPORTED when the mode is, or AUTO falls back to, datagram; their
 * replies come as any other, their probes give no sent events yet. */
ES_EXTERN int es_scan_config_add_target(es_scan_config *c, const char *spec);
/* The setters return ES_OK or ES_EINVAL (c NULL or value out of range). */
ES_EXTERN int es_scan_config_set_rate(es_scan_config *c, uint64_t probes_per_s); /* 0: max */
ES_EXTERN int es_scan_config_set_probes(es_scan_config *c, unsigned probes);    /* 1..65535 */
/* The least time between the starts of two passes (0: back to back). */
ES_EXTERN int es_scan_config_set_interval(es_scan_config *c, uint64_t ns);
/* How long to listen after the last probe (0..86400 s). */
ES_EXTERN int es_scan_config_set_cooldown(es_scan_config *c, uint64_t ns);
ES_EXTERN int es_scan_config_set_ttl(es_scan_config *c, int ttl);               /* 1..255 */
ES_EXTERN int es_scan_config_set_size(es_scan_config *c, size_t payload_bytes); /* 18..1472 */
/* Source address text (NULL: the route's); the string is copied. An IPv6
 * source gives ES_EUNSUPPORTED (IPv6 targets take the route's source). */
ES_EXTERN int es_scan_config_set_source(es_scan_config *c, const char *addr);
/* Interface name (NULL: the route's); the string is copied. */
ES_EXTERN int es_scan_config_set_interface(es_scan_config *c, const char *ifname);
ES_EXTERN int es_scan_config_set_mode(es_scan_config *c, enum es_mode mode);
/* on != 0: every validated reply and error, repeats included; 0 (the
 * default): a host's first echo reply and first unreachable only. */
ES_EXTERN int es_scan_config_set_report_all(es_scan_config *c, int on);
/* The seed of the target order (the same seed, the same order). */
ES_EXTERN int es_scan_config_set_seed(es_scan_config *c, uint64_t seed);

/* ---- Level 2, what a sweep sets beyond the basics (h12-sweep, #12) -----
 * The limits of es_scan_config_set_size and es_scan_config_set_sender_threads: */
#define ES_PAYLOAD_MIN 18u            /* the probe's stamp */
#define ES_PAYLOAD_MAX 1472u          /* a 1500-byte MTU */
#define ES_SENDER_THREADS_MAX 64u
/* Every setter below returns ES_OK, or ES_EINVAL (c NULL or a value out of
 * range; nothing changes then), or ES_ENOMEM where it copies or adds. One
 * thread at a time, as for the configuration's other setters. */

/* Excludes targets, in the forms es_scan_config_add_target takes: an
 * excluded address is never probed, whether added before or after.
 * ES_EUNSUPPORTED for IPv6 text. */
ES_EXTERN int es_scan_config_exclude(es_scan_config *c, const char *spec);
/* At most n targets per pass (of this shard); 0 (the default): all. */
ES_EXTERN int es_scan_config_set_max_targets(es_scan_config *c, uint64_t n);
/* Shard `shard` (0-based) of `shards` (1..65535): the shards of one seed
 * are disjoint parts of the order whose union is every target. Default 1
 * shard. ES_EINVAL when shard >= shards. */
ES_EXTERN int es_scan_config_set_shard(es_scan_config *c, unsigned shards, unsigned shard);
/* Sending stops after ns (then the cooldown); 0 (the default): no limit. */
ES_EXTERN int es_scan_config_set_max_runtime(es_scan_config *c, uint64_t ns);
/* on != 0: passes go on until es_scan_stop_sending/es_scan_stop (the
 * number of probes is then ignored). */
ES_EXTERN int es_scan_config_set_loop(es_scan_config *c, int on);
/* on != 0: keeps per-host statistics (the receiver's tables); replies are
 * then not handed over one by one unless report_all is on too. */
ES_EXTERN int es_scan_config_set_host_stats(es_scan_config *c, int on);
/* Writes captured frames to the pcap file path (nanosecond stamps; the
 * string is copied): those of valid replies, or every frame when all != 0.
 * NULL: none (the default). ES_MODE_RAW only: es_scan_open gives ES_EINVAL
 * over datagram sockets. */
ES_EXTERN int es_scan_config_set_pcap(es_scan_config *c, const char *path, int all);
/* The most source addresses a scan spreads its probes over. */
#define ES_SOURCES_MAX 65536u
/* Adds source addresses ("a.b.c.d", a prefix or a range, as targets): with
 * several, each target's probes carry one of them, spread by target. At
 * most ES_SOURCES_MAX in all (es_scan_open: ES_EINVAL beyond). The first added
 * replaces what es_scan_config_set_source set, which in turn replaces
 * them all. ES_MODE_RAW only with more than one. */
ES_EXTERN int es_scan_config_add_source(es_scan_config *c, const char *spec);
/* The next hop's MAC for every target, "aa:bb:cc:dd:ee:ff" (copied), or
 * NULL: the kernel's neighbour (the default). ES_MODE_RAW only. */
ES_EXTERN int es_scan_config_set_gateway_mac(es_scan_config *c, const char *mac);
/* The send backend of ES_MODE_RAW by name: "auto" (the default: the
 * packet ring, else sendmmsg; AF_XDP in copy mode where the driver has
 * native XDP, see es_scan_backend_auto), "ring", "mmsg" (or "sendmmsg"), "libnet",
 * "xdp" (AF_XDP, zero-copy where the driver has it), "xdp-copy",
 * "xdp-zerocopy". Any but "auto" makes ES_MODE_AUTO mean raw. */
ES_EXTERN int es_scan_config_set_backend(es_scan_config *c, const char *name);
/* The receiver of ES_MODE_RAW: "pcap" (the default) or "xdp" (AF_XDP with
 * a steering program; with the "xdp" backends its sockets send too). */
ES_EXTERN int es_scan_config_set_receiver(es_scan_config *c, const char *name);
/* Sender threads: 0 (the default) chosen by the library, else 1..64. One
 * anyway over datagram sockets and with on-link targets. */
ES_EXTERN int es_scan_config_set_sender_threads(es_scan_config *c, unsigned n);
/* Starts at this position of the scan (probes already done: pass x
 * targets per pass + index in the pass), as es_scan_summary.position
 * reported it for the same targets, seed and shard: a resumed scan. 0 (the
 * default): from the start. es_scan_open gives ES_EINVAL past the end. */
ES_EXTERN int es_scan_config_set_start_position(es_scan_config *c, uint64_t position);

enum es_cooldown_mode {
	ES_COOLDOWN_FIXED = 0,  /* listen the cooldown after the last probe
	                         * (the default) */
	ES_COOLDOWN_AUTO = 1    /* 4 times the slowest RTT seen (moving later
	                         * while slower replies come), at least 1 s,
	                         * at most 8 s and at most the cooldown set */
};
ES_EXTERN int es_scan_config_set_cooldown_mode(es_scan_config *c, enum es_cooldown_mode m);

/* Resolves the routes, opens the sockets (ES_MODE_RAW needs CAP_NET_RAW;
 * ES_MODE_AUTO falls back to datagram sockets without it) and prepares
 * the probes; sends nothing. *out is NULL on error. Returns ES_OK, or
 * ES_EINVAL (no targets, or a bad source), ES_EPERM, ES_ENODEV,
 * ES_ENOROUTE, ES_ENOMEM, ES_ESYS, with err filled. The caller owns the
 * handle (es_scan_close). Any thread; afterwards the handle's calls may come
 * from any thread but not from two at once, except es_scan_stop and the
 * getters (es_scan_fd, es_scan_mode, es_scan_get_stats), which any thread
 * may call at any time. */
ES_EXTERN int es_scan_open(es_scan **out, const es_scan_config *c, char *err, size_t errlen);
/* The path ES_MODE_AUTO takes for the calling process now: ES_MODE_RAW
 * when it may open raw packet sockets (CAP_NET_RAW), else ES_MODE_DGRAM.
 * Any thread. (h12-sweep, #12) */
ES_EXTERN enum es_mode es_mode_auto(void);
/* The path in use: ES_MODE_RAW or ES_MODE_DGRAM. */
ES_EXTERN enum es_mode es_scan_mode(const es_scan *s);
/* Starts sending and receiving. on_reply NULL: results queue up for
 * es_scan_next_results; else on_reply gets each result on the receiver
 * thread and nothing queues. on_sent (may be NULL) gets each probe on the
 * sender thread. user is passed to both. A callback may call es_scan_stop
 * and the getters, never es_scan_close or es_scan_wait. Returns ES_OK,
 * ES_ESTATE (started already, or closed), ES_ESYS (threads). */
ES_EXTERN int es_scan_start(es_scan *s, es_reply_cb on_reply, es_sent_cb on_sent, void *user);
/* A descriptor that polls readable (POLLIN) when the scan has news:
 * results queued, sending ended, the scan ended. Do not read or close it:
 * call es_scan_process (or es_scan_next_results) when it is readable, and
 * again by es_scan_timeout_ms(), for poll/epoll/libuv/libevent loops. Valid
 * from es_scan_open to es_scan_close. */
ES_EXTERN int es_scan_fd(const es_scan *s);
/* Milliseconds until the scan needs es_scan_process though the descriptor
 * stays quiet (the cooldown's end), or -1 for no timer (wait on the
 * descriptor alone). */
ES_EXTERN int es_scan_timeout_ms(const es_scan *s);
/* Moves the scan on (ends the cooldown when due, notes the end) and clears
 * the descriptor's readiness. Never blocks. Returns 1 while the scan runs,
 * 0 once it has ended (every result delivered or queued), or the error that
 * ended it (ES_ESYS: a thread failed; err of es_scan_error tells). */
ES_EXTERN int es_scan_process(es_scan *s);
/* es_scan_process, then copies up to max queued results into out. Never
 * blocks. Returns how many were copied (0: none now; the scan may still
 * run: es_scan_state says), or ES_EINVAL, or ES_ESTATE (not started). */
ES_EXTERN int es_scan_next_results(es_scan *s, struct es_reply *out, size_t max);

enum es_scan_state {
	ES_SCAN_OPEN = 0,      /* opened, not started */
	ES_SCAN_SENDING,       /* probes going out */
	ES_SCAN_COOLING,       /* all sent (or stopped), listening for late replies */
	ES_SCAN_DONE           /* ended: no more results (the queue may hold some) */
};
/* As es_scan_process last saw it. */
ES_EXTERN enum es_scan_state es_scan_state(const es_scan *s);
/* Blocks until the scan has ended, or timeout_ms (-1: no limit), processing
 * as it goes (queued results stay queued for es_scan_next_results).
 * Returns ES_OK (ended), ES_ETIMEDOUT, ES_ESTATE (not started), or the
 * error that ended the scan. Not from a callback. */
ES_EXTERN int es_scan_wait(es_scan *s, int timeout_ms);
/* Stops sending at once and listening soon after (replies already received
 * are still delivered); the scan then ends. Any thread, callbacks
 * included; again or after the end: nothing happens. */
ES_EXTERN void es_scan_stop(es_scan *s);

struct es_scan_stats {
	uint64_t targets;          /* addresses per pass */
	uint64_t total;            /* probes planned */
	uint64_t sent;             /* probes handed to the kernel */
	uint64_t send_errors;      /* probes the kernel refused */
	uint64_t valid;            /* validated replies and errors */
	uint64_t invalid;          /* replies that failed validation */
	uint64_t up;               /* hosts that sent an echo reply */
	uint64_t unreach;          /* hosts reported unreachable */
	uint64_t dropped;          /* replies the capture (or socket) dropped */
};
/* Copies the counters (relaxed reads: each is exact, together they may be
 * a moment apart). Returns ES_OK or ES_EINVAL. Any thread, any time. */
ES_EXTERN int es_scan_get_stats(const es_scan *s, struct es_scan_stats *st);
/* ---- Level 2, the sweep's controls and counters (h12-sweep, #12) ------ */

/* Before es_scan_start: marks these hosts as already reported (a resumed
 * scan): their replies come back as repeats. Returns ES_OK, ES_EINVAL (s
 * NULL, or hosts NULL with n > 0), ES_ESTATE (started), ES_ENOMEM. */
ES_EXTERN int es_scan_preload_hosts(es_scan *s, const struct es_addr *hosts, size_t n);
/* Stops sending; the cooldown follows and the scan ends as usual (the
 * first Ctrl-C of a sweep). Any thread; again or after the end: nothing. */
ES_EXTERN void es_scan_stop_sending(es_scan *s);
/* The reader of the results is gone (a broken pipe): stops everything at
 * once and drops the results still queued or waiting in the receiver.
 * Any thread; the scan then ends. */
ES_EXTERN void es_scan_abandon(es_scan *s);
/* The send backend's name ("ring", "mmsg", "libnet", "xdp-copy",
 * "xdp-zerocopy", "dgram", ...) and the receiver's ("pcap", "xdp-native",
 * "xdp-generic", "xdp-zerocopy", "dgram"): static strings; "" for NULL. */
ES_EXTERN const char *es_scan_backend_name(const es_scan *s);
ES_EXTERN const char *es_scan_receiver_name(const es_scan *s);
/* Sender threads in use (0 for NULL). */
ES_EXTERN unsigned es_scan_sender_threads(const es_scan *s);
/* (#13, --tx auto) What the "auto" backend chose where it considered
 * AF_XDP, and why: "AF_XDP (eth0: native XDP, xdp-copy)", "packet ring
 * (eth0: no native XDP in its driver)", "packet ring (eth0: AF_XDP set-up
 * failed: ...)", one per interface with "; " between. NULL with another
 * backend, for a small job (sendmmsg), over datagram sockets and for NULL.
 * Owned by the scan, valid until es_scan_close. Any thread. */
ES_EXTERN const char *es_scan_backend_auto(const es_scan *s);

#define ES_INVALID_REASONS 16   /* room in es_scan_summary.invalid_by_reason */
#define ES_CLASSES 8            /* room in es_scan_summary.by_class */
/* The name of an invalid-reply reason, index of invalid_by_reason: "none",
 * "truncated", "malformed", "checksum", "short payload", "probe number",
 * "tag", "mac", "foreign quote", ... (the sweep's summary prints them);
 * NULL past the last reason. A static string. Any thread. */
ES_EXTERN const char *es_invalid_reason_name(unsigned reason);

/* Everything a sweep's summary shows. Times are CLOCK_MONOTONIC ns (0: not
 * yet). May grow at the end: es_scan_get_summary takes the caller's sizeof. */
struct es_scan_summary {
	struct es_scan_stats stats;
	uint64_t errors_other;      /* validated ICMP errors other than unreachable */
	uint64_t invalid_by_reason[ES_INVALID_REASONS];  /* sums to stats.invalid */
	uint64_t by_class[ES_CLASSES];  /* valid replies by enum es_class */
	uint64_t arp_sent;          /* ARP requests to on-link targets */
	uint64_t arp_resolved;      /* on-link targets an ARP reply resolved */
	uint64_t capture_received;  /* frames the capture took */
	uint64_t pcap_written;      /* frames written to the pcap file */
	uint64_t passes_started;    /* passes begun */
	uint64_t pass_sent;         /* targets sent in the current pass */
	uint64_t position;          /* probes handed out so far, pass x targets +
	                             * index (counting a start position) */
	uint64_t send_start_ns, send_end_ns;  /* send_end 0 while sending */
	uint64_t listen_end_ns;     /* when the receiver was told to stop */
	uint64_t rtt_max_ns;        /* slowest valid reply so far (0: none) */
	int hosts_oom;              /* 1: out of memory for the host tables:
	                             * up, unreach and host statistics short */
	/* (#13) The most a sender fell behind the rate's schedule (a busy
	 * machine), as time at its rate: it then caught up at 17/16 of the rate,
	 * never in a burst. 0 without a rate; set as the senders end. */
	uint64_t behind_max_ns;
};
/* Copies the counters into out, at most size bytes (pass sizeof(*out)).
 * Returns ES_OK or ES_EINVAL. Any thread, any time. */
ES_EXTERN int es_scan_get_summary(const es_scan *s, struct es_scan_summary *out, size_t size);
/* The monotonic clock the summary's times are on, in ns. Any thread. */
ES_EXTERN uint64_t es_now_ns(void);

/* A target's path on the raw path. May grow at the end. */
struct es_route {
	char ifname[16];            /* interface */
	struct es_addr source;      /* our address */
	uint8_t gateway_mac[6];     /* the next hop's MAC; zero when per target
	                             * (on-link) or none (loopback) */
};
/* Fills out (at most size bytes) with target's path. Returns ES_OK,
 * ES_EINVAL (NULL argument), ES_ENOTFOUND (target not probed by this scan),
 * ES_EUNSUPPORTED (datagram sockets: the kernel routes). Any thread. */
ES_EXTERN int es_scan_route_of(const es_scan *s, const struct es_addr *target,
			       struct es_route *out, size_t size);

/* The detail text of the error that ended the scan ("" if none); valid
 * until es_scan_close. */
ES_EXTERN const char *es_scan_error(const es_scan *s);
/* Stops the scan if it runs, joins its threads, frees everything and sets
 * *s to NULL; s or *s NULL: nothing happens, so closing twice through the
 * same pointer is safe. Not from a callback. */
ES_EXTERN void es_scan_close(es_scan **s);

/* ---- Level 2: traces ---------------------------------------------------
 * A trace scan sends every target each TTL first_ttl..max_ttl (the
 * (target, TTL) pairs in the pseudo-random order, at the rate; the probes
 * setting gives the probes per pair), matches the time exceeded and
 * unreachable messages of the routers and the targets' echo replies
 * statelessly, and sends no probe beyond a target's distance once it
 * answered. Each result carries its probe's TTL in es_reply.probe_ttl (and
 * in probe). Every reply is reported, as with es_scan_config_set_report_all.
 * Needs the raw path: es_scan_open gives ES_EPERM without CAP_NET_RAW
 * (ES_MODE_AUTO) and ES_EUNSUPPORTED with ES_MODE_DGRAM. Payloads below 20
 * bytes are raised to 20 (the trace probe's stamp and checksum bytes). */

/* first_ttl 1..255, max_ttl first_ttl..255; (0, 0) turns tracing off
 * again. A trace takes IPv4 targets only (es_scan_open: ES_EUNSUPPORTED
 * with IPv6 ones). Returns ES_OK or ES_EINVAL. */
ES_EXTERN int es_scan_config_set_trace(es_scan_config *c, unsigned first_ttl,
				       unsigned max_ttl);
/* The probes' IP type of service, 0..255 (default 0), and don't-fragment
 * bit (on != 0; default off), as traceroute's -t and -F and ping's -Q and
 * -M do. The raw path writes them: es_scan_open gives ES_EINVAL when one is
 * set over datagram sockets. Return ES_OK or ES_EINVAL. */
ES_EXTERN int es_scan_config_set_tos(es_scan_config *c, int tos);
ES_EXTERN int es_scan_config_set_dont_fragment(es_scan_config *c, int on);

/* ---- Level 2, target sets, the order and host tables (h12-sweep, #12) --
 * What a program listing, counting or replaying a scan's targets needs
 * (echoscan's --dry-run, --resume fingerprints, --stats rows), without
 * scanning. */

/* A set of IPv4 and IPv6 addresses, kept as ranges. Built by one thread;
 * once built, any number of threads may read it (count, at, range). */
typedef struct es_targets es_targets;   /* opaque */
/* *out is NULL on error. Returns ES_OK, ES_EINVAL (out NULL), ES_ENOMEM.
 * The caller owns the set (es_targets_free). */
ES_EXTERN int es_targets_new(es_targets **out);
/* Frees *t and sets it to NULL; t or *t NULL: nothing happens. */
ES_EXTERN void es_targets_free(es_targets **t);
/* Adds (or removes) the addresses lo..hi, both of one family, lo <= hi.
 * Returns ES_OK, ES_EINVAL (NULL, mixed families, lo > hi), ES_ENOMEM. */
ES_EXTERN int es_targets_add_range(es_targets *t, const struct es_addr *lo,
				   const struct es_addr *hi);
ES_EXTERN int es_targets_remove_range(es_targets *t, const struct es_addr *lo,
				      const struct es_addr *hi);
/* Removes every address of ex from t. ES_OK, ES_EINVAL, ES_ENOMEM. */
ES_EXTERN int es_targets_subtract(es_targets *t, const es_targets *ex);
/* Merges and indexes the set; needed once after the last change before
 * the readers below (which see an unsealed set as empty). ES_OK, ES_EINVAL,
 * ES_ENOMEM. */
ES_EXTERN int es_targets_seal(es_targets *t);
/* Addresses in the set (IPv4 ones, IPv6 ones): IPv6 counts saturate at
 * UINT64_MAX. 0 for NULL. */
ES_EXTERN uint64_t es_targets_count(const es_targets *t);
ES_EXTERN uint64_t es_targets_count4(const es_targets *t);
ES_EXTERN uint64_t es_targets_count6(const es_targets *t);
/* The index-th address: IPv4 addresses first, ascending, then IPv6 ones
 * (the indexes a scan's order visits). ES_OK or ES_EINVAL (past the end). */
ES_EXTERN int es_targets_at(const es_targets *t, uint64_t index, struct es_addr *out);
/* The set's ranges, IPv4 ones first, ascending: es_targets_nranges of
 * them; es_targets_range gives the i-th (ES_OK or ES_EINVAL). */
ES_EXTERN size_t es_targets_nranges(const es_targets *t);
ES_EXTERN int es_targets_range(const es_targets *t, size_t i, struct es_addr *lo,
			       struct es_addr *hi);
/* Uses the set as the configuration's targets (a copy; targets added
 * before are replaced). t must be sealed. ES_OK, ES_EINVAL, ES_ENOMEM. */
ES_EXTERN int es_scan_config_set_targets(es_scan_config *c, const es_targets *t);

/* The pseudo-random order a scan visits its targets in: indexes
 * 0..n-1 (es_targets_at) as a scan with this seed and shard sends them,
 * per pass. One thread at a time. */
typedef struct es_order es_order;        /* opaque */
/* *out is NULL on error. Returns ES_OK, ES_EINVAL (out NULL, n 0 or above
 * 2^32, shards 0, shard >= shards), ES_ENOMEM. */
ES_EXTERN int es_order_new(es_order **out, uint64_t n, uint64_t seed, unsigned shards,
			   unsigned shard);
ES_EXTERN void es_order_free(es_order **o);
/* The next index into *index: 1, or 0 at the end of the pass. */
ES_EXTERN int es_order_next(es_order *o, uint64_t *index);
/* Back to the pass's first index (the same order again). */
ES_EXTERN void es_order_rewind(es_order *o);
/* Indexes this shard visits per pass. */
ES_EXTERN uint64_t es_order_size(const es_order *o);

/* Per-host statistics of a scan with es_scan_config_set_host_stats. */
typedef struct es_host_table es_host_table;   /* opaque */
/* After the scan ended: its table (since the last rotation), owned by the
 * scan, valid until es_scan_close. ES_OK, ES_EINVAL (NULL, or no host
 * statistics), ES_ESTATE (not ended). */
ES_EXTERN int es_scan_host_table(es_scan *s, const es_host_table **out);
/* While it runs: takes the statistics gathered since the last rotation
 * (or the start) into a new table the caller owns (es_host_table_free)
 * and starts a new period; waits for the receiver at most timeout_ms.
 * ES_OK, ES_EINVAL, ES_ESTATE (not running), ES_ETIMEDOUT, ES_ENOMEM.
 * One thread at a time. */
ES_EXTERN int es_scan_rotate_host_stats(es_scan *s, es_host_table **out, int timeout_ms);
/* Fills out (at most size bytes) with the statistics of target a, which
 * was sent `sent` probes in the table's period (the caller knows: passes,
 * or es_order replayed for partial ones): received, RTTs, jitter, loss;
 * a host that never answered gets received 0 and RTTs -1. ES_OK,
 * ES_EINVAL (NULL), ES_ENOTFOUND (an IPv6 address the scan does not
 * probe). Any thread while nobody rotates. */
ES_EXTERN int es_host_table_get(const es_host_table *t, const struct es_addr *a,
				uint64_t sent, struct es_host_stats *out, size_t size);
/* Frees a table from es_scan_rotate_host_stats and sets *t to NULL. */
ES_EXTERN void es_host_table_free(es_host_table **t);

/* ==== Level 3: request and reply =======================================
 * For programs with their own sockets: build one echo request, send it
 * your way, and match what comes back. A key holds the secret that makes
 * replies verifiable (a keyed MAC over destination, send time and probe
 * number) and the layout of the requests. It is read-only once made: any
 * thread may use it at once. */

typedef struct es_key es_key;   /* opaque */

enum es_wire {
	/* IPv4 header + ICMP: for raw sockets with IP_HDRINCL (socket(AF_INET,
	 * SOCK_RAW, IPPROTO_RAW)); replies read from socket(AF_INET, SOCK_RAW,
	 * IPPROTO_ICMP) start with their IPv4 header. The IP ID carries the
	 * probe number, so ICMP errors quoting a request can be matched; Linux
	 * replaces an IP ID of 0, so number probes from 1 there. */
	ES_WIRE_IPV4 = 0,
	/* The ICMP message alone, for ICMP datagram sockets (socket(AF_INET,
	 * SOCK_DGRAM, IPPROTO_ICMP), unprivileged): the kernel sets the
	 * identifier and checksum, and replies come without an IP header. */
	ES_WIRE_ICMP = 1
};

#define ES_KEY_OPTIONS_V1 1
struct es_key_options {
	unsigned version;          /* ES_KEY_OPTIONS_V1 */
	enum es_wire wire;         /* default ES_WIRE_IPV4 */
	const uint8_t *secret;     /* 16 bytes (copied), or NULL: random */
	size_t size;               /* payload bytes; default 56, 18..1472 */
	int ttl;                   /* ES_WIRE_IPV4: IP TTL, default 64 */
	const char *source;        /* ES_WIRE_IPV4: our address (required) */
	unsigned probes;           /* probe numbers 0..probes-1 are accepted by
	                            * es_reply_match; default 65535 */
};
/* Sets o->version and the defaults. */
ES_EXTERN void es_key_options_init(struct es_key_options *o);
/* Makes a key. *out is NULL on error. Returns ES_OK, ES_EINVAL (bad
 * option; err says which), ES_ENOMEM, ES_ESYS (no random bytes). */
ES_EXTERN int es_key_new(es_key **out, const struct es_key_options *o, char *err, size_t errlen);
/* Frees *k and sets it to NULL; k or *k NULL: nothing happens. */
ES_EXTERN void es_key_free(es_key **k);

/* The longest request es_probe_build writes. */
#define ES_PROBE_MAX 1500

/* Writes the echo request number `probe` to dst, stamped with the time
 * ts_ns (ns since the epoch, CLOCK_REALTIME; 0 = now), into buf, and its
 * length into *len. Returns ES_OK, ES_EINVAL (bad argument, dst not IPv4,
 * probe not below the key's probes, buf shorter than the request). */
ES_EXTERN int es_probe_build(const es_key *k, const struct es_addr *dst, unsigned probe,
			     uint64_t ts_ns, uint8_t *buf, size_t buflen, size_t *len);

enum es_verdict {
	ES_MATCH_VALID = 0,    /* a reply to one of our requests: out is filled */
	ES_MATCH_INVALID = 1,  /* looks like a reply to us but fails validation
	                        * (forged, corrupted, another run's key) */
	ES_MATCH_IGNORE = 2    /* not a reply to an echo request of ours */
};

/* Matches one received packet against the key: with ES_WIRE_IPV4 pkt
 * starts at the IPv4 header (from is not used, may be NULL); with
 * ES_WIRE_ICMP pkt is the ICMP message and from the sender's address from
 * recvfrom. ts_ns: the receive time (SO_TIMESTAMPNS, or 0 = now). On
 * ES_MATCH_VALID, out gets the target, probe number, RTT and
 * classification. Returns the verdict (>= 0) or ES_EINVAL. Pure: any thread,
 * no allocation. */
ES_EXTERN int es_reply_match(const es_key *k, const uint8_t *pkt, size_t len,
			     const struct es_addr *from, uint64_t ts_ns, struct es_reply *out);

/* ---- Level 3: the kernel's ICMP echo socket (h12-sock, #12) ------------
 * One socket for echo requests to one host through the kernel's IP layer,
 * as iputils ping sends them (icmplib's ICMPv4Socket and ICMPv6Socket): a
 * raw ICMP or ICMPv6 socket (CAP_NET_RAW) or the ICMP datagram socket
 * (unprivileged, for groups in net.ipv4.ping_group_range, which covers
 * ICMPv6 too). The library builds the request once, stamps each send with
 * its time, a keyed MAC and the probe number when the payload has room
 * (ES_PAYLOAD_MIN bytes or more: replies are then verified, forged or
 * foreign ones dropped), else keeps each probe's send time and matches
 * replies by identifier, sequence and source as iputils does. Replies,
 * ICMP errors quoting our requests and local errors (the socket's error
 * queue) come back through es_socket_recv. A socket belongs to one thread
 * at a time; different sockets are independent. Nothing allocates after
 * es_socket_open; nothing prints. */

typedef struct es_socket es_socket;     /* opaque */

#define ES_SOCKET_OPTIONS_V1 1
#define ES_SOCKET_PAYLOAD_MAX 65507u    /* 65535 - 20 (IPv4) - 8 (ICMP) */
#define ES_SOCKET_IPOPT_MAX 40u         /* IPv4 options bytes */

/* Path MTU discovery (IP_MTU_DISCOVER, IPV6_MTU_DISCOVER; ping's -M). */
enum es_pmtudisc {
	ES_PMTUDISC_DEFAULT = 0,    /* the kernel's setting (not set) */
	ES_PMTUDISC_DONT = 1,       /* never set DF: fragment */
	ES_PMTUDISC_WANT = 2,       /* DF where the path MTU allows */
	ES_PMTUDISC_DO = 3,         /* always DF; larger sends fail (EMSGSIZE) */
	ES_PMTUDISC_PROBE = 4       /* DF, ignoring the path MTU */
};

/* es_socket_options.flags */
#define ES_SOCKET_BROADCAST 0x01u   /* SO_BROADCAST: replies from any address
                                     * are taken (IPv4; ping -b) */
#define ES_SOCKET_DEBUG     0x02u   /* SO_DEBUG (a refusal is ignored) */
#define ES_SOCKET_DONTROUTE 0x04u   /* SO_DONTROUTE: on-link hosts only */
#define ES_SOCKET_NOLOOP    0x08u   /* multicast loopback off */
#define ES_SOCKET_CONNECT   0x10u   /* connect() to dst; send() then */
#define ES_SOCKET_FLOWLABEL 0x20u   /* IPv6: a flow label (iputils' -F) */

struct es_socket_options {
	unsigned version;           /* ES_SOCKET_OPTIONS_V1 */
	struct es_addr dst;         /* the host (required); its family (4 or 6)
	                             * chooses ICMP or ICMPv6 */
	struct es_addr source;      /* bind to this address (family 0, the
	                             * default: the kernel's choice); the
	                             * family of dst */
	const char *interface;      /* SO_BINDTODEVICE, or NULL (default) */
	enum es_mode mode;          /* ES_MODE_AUTO (default): the datagram
	                             * socket where ping_group_range allows it,
	                             * else the raw one (iputils' order); with
	                             * ident 0, which a datagram socket cannot
	                             * carry, the raw one, else a datagram one
	                             * with the kernel's identifier; RAW or
	                             * DGRAM: only that one */
	int ident;                  /* -1 (default): raw: random, datagram: the
	                             * kernel's; else 0..65535 (the datagram
	                             * socket binds it as its port) */
	int ttl;                    /* 0 (default): the kernel's; 1..255 (also
	                             * the multicast TTL / hop limit) */
	int tos;                    /* 0 (default): not set; 1..255 (IPv6: the
	                             * traffic class) */
	enum es_pmtudisc pmtudisc;  /* default ES_PMTUDISC_DEFAULT */
	size_t size;                /* payload bytes, 0..ES_SOCKET_PAYLOAD_MAX;
	                             * default 56 */
	const uint8_t *fill;        /* size bytes of payload (read at open), or
	                             * NULL (default): byte i is i, as iputils
	                             * fills it; the stamp overwrites bytes
	                             * 0..ES_PAYLOAD_MIN-1 when size allows */
	const uint8_t *ip_options;  /* IPv4 options (IP_OPTIONS), or NULL */
	size_t ip_options_len;      /* 0..ES_SOCKET_IPOPT_MAX; IPv4 only */
	int sndbuf;                 /* SO_SNDBUF; 0 (default): iputils'
	                             * estimate for one request */
	int preload;                /* requests in flight at once (sizes
	                             * SO_RCVBUF), 1..65536; default 1 */
	unsigned flags;             /* ES_SOCKET_* above; default 0 */
	uint64_t interval_ms;       /* the send interval; SO_SNDTIMEO is set
	                             * from it as iputils does; default 1000 */
	uint32_t flowlabel;         /* with ES_SOCKET_FLOWLABEL: its 20 bits
	                             * (0: the kernel picks one) */
};

/* Sets o->version and the defaults (o->dst stays to be set). Any thread. */
ES_EXTERN void es_socket_options_init(struct es_socket_options *o);

/* Opens and configures the socket into *out (NULL on error). Returns ES_OK,
 * or ES_EINVAL (out or o NULL, o->version 0, a value out of the range
 * above, dst not IPv4 or IPv6, source of another family, IP options with
 * IPv6; err names the option), ES_EPERM (not permitted: raw needs
 * CAP_NET_RAW, datagram needs the group in ping_group_range; with AUTO
 * neither was), ES_EUNSUPPORTED (no such socket here: IPv6 disabled, no
 * ping sockets), ES_ENODEV (the interface), ES_ENOMEM, ES_ESYS, with err
 * filled. The caller owns the socket (es_socket_close); it may drop its
 * privileges after this call. Any thread. */
ES_EXTERN int es_socket_open(es_socket **out, const struct es_socket_options *o,
			     char *err, size_t errlen);
/* Closes the socket, frees *s and sets it to NULL; s or *s NULL: nothing
 * happens, so closing twice through the same pointer is safe. */
ES_EXTERN void es_socket_close(es_socket **s);
/* The descriptor, to poll for POLLIN (replies and errors); do not read or
 * close it. -1 for NULL. */
ES_EXTERN int es_socket_fd(const es_socket *s);
/* The socket taken: ES_MODE_RAW or ES_MODE_DGRAM (ES_MODE_AUTO for NULL). */
ES_EXTERN enum es_mode es_socket_mode(const es_socket *s);
/* The ICMP identifier: raw: the one given or chosen; datagram: the port
 * bound (the ident given), else -1 (the kernel's, not known here). -1 for
 * NULL. */
ES_EXTERN int es_socket_ident(const es_socket *s);
/* IPv6 with ES_SOCKET_FLOWLABEL: the flow label the kernel granted; else
 * (and for NULL) 0. */
ES_EXTERN uint32_t es_socket_flowlabel(const es_socket *s);
/* SO_MARK (needs CAP_NET_ADMIN). Returns ES_OK, ES_EINVAL (s NULL), or the
 * refusal's code (ES_EPERM ...) with its errno in *sys_errno (may be NULL). */
ES_EXTERN int es_socket_set_mark(es_socket *s, uint32_t mark, int *sys_errno);
/* Sends echo request number probe (0..65535; ICMP sequence probe + 1,
 * modulo 65536) stamped with the time now. Returns ES_OK, ES_EINVAL (s
 * NULL, probe above 65535), or the failed send's code (es_error of its
 * errno: ES_ENOMEM for ENOBUFS, ES_ENOROUTE, ES_EPERM, ES_ESYS ...) with
 * the errno in *sys_errno (may be NULL; 0 on success): EAGAIN, ENOBUFS
 * and ENOMEM mean try again later; after another error the socket's error
 * queue (es_socket_recv) tells what happened. One thread at a time. */
ES_EXTERN int es_socket_send(es_socket *s, unsigned probe, int *sys_errno);

/* What a result carried beyond struct es_reply. Filled by the library; it
 * may grow at the end (es_socket_recv takes the caller's sizeof). Its
 * pointers are valid until the socket's next es_socket_recv or close. */
struct es_socket_extra {
	int local;                  /* 1: a local error (out holds the target
	                             * only): */
	int local_errno;            /*   its errno (EMSGSIZE: local_mtu) */
	uint32_t local_mtu;         /*   the MTU a too-long request met */
	size_t icmp_len;            /* ICMP bytes (header + data) received */
	int truncated;              /* 1: fewer data bytes than were sent */
	int timed;                  /* 1: out->rtt_ns is the round-trip time */
	const uint8_t *ip_options;  /* the reply's IPv4 options (raw: from its
	                             * header; datagram: IP_RETOPTS), or NULL */
	size_t ip_options_len;
	int bad_byte;               /* the first data byte that differs from
	                             * what was sent, or -1 */
	uint8_t bad_want, bad_got;  /*   what was sent there, what came */
	const uint8_t *data;        /* an echo reply's data (after the ICMP
	                             * header), or NULL */
	size_t data_len;
};

/* Takes one pending echo reply, ICMP error quoting our requests or local
 * error, without blocking. Returns 1 with *out filled (success 1 for an
 * echo reply; probe as sent; classification, type, code, info of an
 * error; ttl; rtt_ns, -1 when not timed) and ex (may be NULL, then
 * ex_size 0) filled up to ex_size bytes; local errors are only reported
 * where ex holds the local field (else they are skipped). Returns 0 when
 * nothing valid is pending, ES_EINVAL (s or out NULL, ex NULL with ex_size
 * > 0), ES_ESYS (the socket failed; err says how). One thread at a time. */
ES_EXTERN int es_socket_recv(es_socket *s, struct es_reply *out, struct es_socket_extra *ex,
			     size_t ex_size, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
