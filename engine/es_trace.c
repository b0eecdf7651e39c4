/*
 * es_trace.c — level 1 of the public API: es_traceroute, Linux
 * `traceroute -I` for one host as one blocking call, on one of two paths:
 *  - IPv4 with the raw path (ES_MODE_RAW, or ES_MODE_AUTO where CAP_NET_RAW
 *    is held): the scan handle's trace mode (es_scan.c,
 *    engine/trace_probe.h). The engine sends every TTL first..max (`probes`
 *    passes) at once or sendwait apart and hands back one result per reply
 *    with the probe's TTL.
 *  - IPv6 hosts, and IPv4 with ES_MODE_DGRAM or without CAP_NET_RAW: the
 *    kernel's ICMP socket (engine/pingsock.h; raw where permitted, else the
 *    datagram socket, as es_ping). Each probe's TTL is set on the socket
 *    before it leaves; its echo sequence names its hop and slot
 *    (trace_seq.h), and time exceeded and unreachables come back through
 *    the socket's error queue quoting that sequence, the router in
 *    SO_EE_OFFENDER.
 * Both feed the same gathering of results into hops and the same end rules.
 *
 * Replies fill their hop's probe slots in arrival order. Hop h is reported
 * once its slots are full or its wait ran out (traceroute's -w
 * MAX,HERE,NEAR, counted from the end of sending, when every probe has
 * left), in hop order, up to the first hop where the host answered or an
 * unreachable came (traceroute's end), or max_ttl. The calling thread
 * drains the results, so the callbacks run on it.
 */
#include "engine/es_api.h"

#include <arpa/inet.h>
#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "engine/errcode.h"
#include "engine/pingsock.h"
#include "engine/rate.h"
#include "engine/scan.h"
#include "engine/trace_probe.h"
#include "engine/trace_seq.h"

#define NS_PER_MS      1000000ull
#define NS_PER_S       1000000000ull
#define DRAIN_BATCH    64
#define RX_SMALL       (2u << 20)      /* one host: a small capture ring opens faster */
#define POLL_NS        (100 * NS_PER_MS)
#define SEND_TRIES     4               /* sends a pending socket error may refuse */
#define WAIT_FLOOR_NS  (50.0 * 1e6)    /* HERE/NEAR never wait less */
#define WAIT_MAX_NS    (3600 * NS_PER_S)
/* The size of the first version of struct es_hop: callers built against it
 * pass this as hop_size. It stays this number when the struct grows. */
#define HOP_V1_SIZE    sizeof(struct es_hop)

_Static_assert(ES_TRACE_SIZE_MIN == TRACE_PAYLOAD_MIN, "the public trace payload minimum");

void es_trace_options_init(struct es_trace_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = ES_TRACE_OPTIONS_V1;
	o->first_ttl = 1;
	o->max_ttl = 30;
	o->probes = 3;
	o->wait_ns = 5 * NS_PER_S;
	o->wait_here = 3.0;
	o->wait_near = 10.0;
	o->size = 32;
	o->mode = ES_MODE_AUTO;
}

const char *es_trace_mark_name(int mark)
{
	static const char *const names[] = {
		[ES_TRACE_MARK_NONE] = "", [ES_TRACE_MARK_NET] = "!N",
		[ES_TRACE_MARK_HOST] = "!H", [ES_TRACE_MARK_PROTO] = "!P",
		[ES_TRACE_MARK_FRAG] = "!F", [ES_TRACE_MARK_SRCROUTE] = "!S",
		[ES_TRACE_MARK_ADMIN] = "!X", [ES_TRACE_MARK_PRECEDENCE] = "!V",
		[ES_TRACE_MARK_CUTOFF] = "!C",
	};

	if (mark < 0 || mark >= (int)(sizeof(names) / sizeof(names[0])))
		return "!?";
	return names[mark];
}

int es_trace_mark_of(unsigned type, unsigned code)
{
	static const uint8_t marks[16] = {
		[0] = ES_TRACE_MARK_NET, [1] = ES_TRACE_MARK_HOST, [2] = ES_TRACE_MARK_PROTO,
		[3] = ES_TRACE_MARK_NONE, [4] = ES_TRACE_MARK_FRAG,
		[5] = ES_TRACE_MARK_SRCROUTE, [6] = ES_TRACE_MARK_NET,
		[7] = ES_TRACE_MARK_HOST, [8] = ES_TRACE_MARK_OTHER,
		[9] = ES_TRACE_MARK_ADMIN, [10] = ES_TRACE_MARK_ADMIN,
		[11] = ES_TRACE_MARK_NET, [12] = ES_TRACE_MARK_HOST,
		[13] = ES_TRACE_MARK_ADMIN, [14] = ES_TRACE_MARK_PRECEDENCE,
		[15] = ES_TRACE_MARK_CUTOFF,
	};

	if (type != 3)
		return ES_TRACE_MARK_NONE;
	return code < 16 ? marks[code] : ES_TRACE_MARK_OTHER;
}

static bool bad_factor(double f)
{
	return !isfinite(f) || f < 0 || f > 3600;
}

static int check_options(const struct es_trace_options *o, char *err, size_t errlen)
{
	if (o->version != ES_TRACE_OPTIONS_V1)
		return es_fail(err, errlen, ES_EINVAL, "es_trace_options version %u unknown: "
			       "start from es_trace_options_init()", o->version);
	if (o->first_ttl < 1 || o->first_ttl > 255 || o->max_ttl < 1 || o->max_ttl > 255)
		return es_fail(err, errlen, ES_EINVAL, "TTLs %u..%u: give 1..255",
			       o->first_ttl, o->max_ttl);
	if (o->first_ttl > o->max_ttl)
		return es_fail(err, errlen, ES_EINVAL, "first TTL %u is above the last, %u",
			       o->first_ttl, o->max_ttl);
	if (o->probes < 1 || o->probes > ES_TRACE_PROBES_MAX)
		return es_fail(err, errlen, ES_EINVAL, "probes %u: give 1..%d per hop",
			       o->probes, ES_TRACE_PROBES_MAX);
	if (o->wait_ns > WAIT_MAX_NS || o->sendwait_ns > WAIT_MAX_NS)
		return es_fail(err, errlen, ES_EINVAL, "%s %llu ns: give at most 1 h",
			       o->wait_ns > WAIT_MAX_NS ? "wait" : "sendwait",
			       (unsigned long long)(o->wait_ns > WAIT_MAX_NS ? o->wait_ns :
						    o->sendwait_ns));
	if (bad_factor(o->wait_here) || bad_factor(o->wait_near))
		return es_fail(err, errlen, ES_EINVAL, "wait factors %g, %g: give 0..3600 "
			       "(0: off)", o->wait_here, o->wait_near);
	if (o->size < TRACE_PAYLOAD_MIN || o->size > ES_SIZE_MAX)
		return es_fail(err, errlen, ES_EINVAL, "size %zu: a trace payload takes %d..%d "
			       "bytes", o->size, TRACE_PAYLOAD_MIN, ES_SIZE_MAX);
	if (o->tos < 0 || o->tos > 255)
		return es_fail(err, errlen, ES_EINVAL, "tos %d: give 0..255", o->tos);
	if (o->mode != ES_MODE_AUTO && o->mode != ES_MODE_RAW && o->mode != ES_MODE_DGRAM)
		return es_fail(err, errlen, ES_EINVAL, "mode %d: use ES_MODE_AUTO, ES_MODE_RAW "
			       "or ES_MODE_DGRAM", (int)o->mode);
	return ES_OK;
}

struct tracer {
	const struct es_trace_options *o;
	es_scan *scan;                /* the engine's path, or NULL: */
	struct pingsock *ps;          /*   the kernel socket's */
	uint64_t sock_end;            /* socket path: the end of sending, or UINT64_MAX */
	struct trace_seq seq;         /* socket path: probe numbers */
	uint16_t slots[256];          /* socket path: the slots answered per TTL */
	struct es_addr target;
	es_hop_cb on_hop;
	es_poll_cb on_poll;
	void *user;
	struct es_hop *hops;
	size_t max_hops, hop_size, reported;
	struct es_hop hop[256];       /* by TTL */
	int64_t max_rtt[256];         /* the slowest reply per TTL */
	unsigned last;                /* the hop where the trace ends (0: not known yet) */
	unsigned next;                /* the next hop to report */
	struct es_result buf[DRAIN_BATCH];
};

/* traceroute's mark of an ICMPv6 destination unreachable's code. */
static int mark6_of(unsigned code)
{
	static const uint8_t marks[] = {
		[0] = ES_TRACE_MARK_NET, [1] = ES_TRACE_MARK_ADMIN,
		[2] = ES_TRACE_MARK_SRCROUTE, [3] = ES_TRACE_MARK_HOST,
		[4] = ES_TRACE_MARK_NONE,     /* port unreachable: the host answered */
	};

	return code < sizeof(marks) ? marks[code] : ES_TRACE_MARK_OTHER;
}

static void take(struct tracer *t, const struct es_result *r)
{
	unsigned h = r->probe_ttl;
	bool v6 = r->family == ES_AF6;
	struct es_hop *hop;
	struct es_hop_probe *p;
	struct es_addr from;

	if (v6 != (t->target.family == 6) || h < t->o->first_ttl || h > t->o->max_ttl ||
	    (v6 ? !es_addr_equal(&r->saddr6, &t->target) : r->saddr != es_addr_get_v4(&t->target)))
		return;
	hop = &t->hop[h];
	if (hop->answered >= t->o->probes)
		return;
	if (v6)
		from = r->responder6;
	else
		es_addr_set_v4(&from, r->responder);
	p = &hop->probe[hop->answered++];
	p->responder = from;
	p->rtt_ns = r->rtt_ns;
	p->type = r->type;
	p->code = r->code;
	p->classification = r->classification;
	p->mark = r->classification != ES_CLASS_UNREACH ? ES_TRACE_MARK_NONE :
		  (uint8_t)(v6 ? mark6_of(r->code) : es_trace_mark_of(3, r->code));
	if (hop->answered == 1) {
		hop->responder = p->responder;
		hop->type = p->type;
		hop->code = p->code;
	}
	if (!hop->mark)
		hop->mark = p->mark;
	if (es_addr_equal(&from, &t->target))
		hop->reached = 1;
	if (r->rtt_ns > t->max_rtt[h])
		t->max_rtt[h] = r->rtt_ns;
	/* traceroute ends at the host's answer or at an unreachable */
	if ((r->classification == ES_CLASS_ECHOREPLY || r->classification == ES_CLASS_UNREACH) &&
	    (t->last == 0 || h < t->last))
		t->last = h;
}

/* The end of sending (monotonic), or UINT64_MAX while sending. */
static uint64_t send_end(const struct tracer *t)
{
	struct scan *s;
	struct scan_counters c;

	if (!t->scan)
		return t->sock_end;
	s = es_scan_engine(t->scan);
	if (scan_sending(s))
		return UINT64_MAX;
	scan_counters(s, &c);
	return c.send_end_ns;
}

/* When hop h stops waiting: wait_ns from the end of sending, less when its
 * own replies (HERE times the slowest) or a later hop's (NEAR times) came. */
static uint64_t hop_deadline(const struct tracer *t, unsigned h, uint64_t base)
{
	const struct es_trace_options *o = t->o;
	double max = (double)o->wait_ns, wait = max;
	int64_t later = 0;

	if (o->wait_here > 0 && t->max_rtt[h] > 0 && o->wait_here * (double)t->max_rtt[h] < wait)
		wait = o->wait_here * (double)t->max_rtt[h];
	for (unsigned k = h + 1; k <= o->max_ttl; k++)
		if (t->max_rtt[k] > later)
			later = t->max_rtt[k];
	if (o->wait_near > 0 && later > 0 && o->wait_near * (double)later < wait)
		wait = o->wait_near * (double)later;
	/* replies reach us in capture blocks handed over every few ms: a
	 * factor of a 20 µs RTT is no time to wait for the rest */
	if (wait < WAIT_FLOOR_NS)
		wait = max < WAIT_FLOOR_NS ? max : WAIT_FLOOR_NS;
	return base + (uint64_t)wait;
}

static void report(struct tracer *t, unsigned h)
{
	struct es_hop *hop = &t->hop[h];

	hop->last = t->last && h >= t->last;
	if (t->on_hop)
		t->on_hop(hop, t->user);
	if (t->reported < t->max_hops)
		memcpy((char *)t->hops + t->reported * t->hop_size, hop,
		       t->hop_size < sizeof(*hop) ? t->hop_size : sizeof(*hop));
	t->reported++;
}

/* Reports the hops that are complete; true when the trace is over. */
static bool report_ready(struct tracer *t, uint64_t now, bool final)
{
	uint64_t base = send_end(t);

	while (t->next <= t->o->max_ttl) {
		unsigned h = t->next;
		bool full = t->hop[h].answered >= t->o->probes;

		if (!full && !final && (base == UINT64_MAX || now < hop_deadline(t, h, base)))
			return false;
		report(t, h);
		t->next++;
		if (t->last && h >= t->last)
			return true;
	}
	return true;
}

/* How long to sleep: until the next hop's deadline, at most POLL_NS. */
static uint64_t sleep_ns(const struct tracer *t, uint64_t now)
{
	uint64_t base = send_end(t), until;

	if (base == UINT64_MAX || t->next > t->o->max_ttl)
		return POLL_NS;
	until = hop_deadline(t, t->next, base);
	if (until <= now)
		return 0;
	return until - now < POLL_NS ? until - now : POLL_NS;
}

static void drain(struct tracer *t)
{
	size_t n;

	while ((n = es_scan_take(t->scan, t->buf, DRAIN_BATCH)) > 0)
		for (size_t i = 0; i < n; i++)
			take(t, &t->buf[i]);
}

/* Runs the started scan until the trace is over; returns ES_OK or the
 * error that ended the scan. */
static int trace_loop(struct tracer *t)
{
	int rc;

	for (;;) {
		drain(t);
		if (t->on_poll && t->on_poll(t->user))
			break;
		if (report_ready(t, rate_now_ns(), false))
			break;
		rc = es_scan_process(t->scan);
		if (rc <= 0) {
			/* the scan ended by itself (its cooldown outlasts every
			 * hop's wait): what it took, then the rest as it is */
			drain(t);
			if (rc == ES_OK)
				report_ready(t, rate_now_ns(), true);
			return rc;
		}
		es_scan_sleep(t->scan, sleep_ns(t, rate_now_ns()));
	}
	es_scan_stop(t->scan);
	return es_scan_wait(t->scan, -1);
}

/* ---- the kernel socket's path ------------------------------------------ */

/* Opens the socket: ES_MODE_RAW the raw one, ES_MODE_DGRAM the datagram
 * one, ES_MODE_AUTO raw where permitted, else datagram (as es_ping). */
static int sock_open(struct tracer *t, const struct es_addr *a, uint8_t *fill,
		     char *err, size_t errlen)
{
	const struct es_trace_options *o = t->o;
	bool v6 = a->family == 6;
	struct pingsock_config cfg = {
		.family = v6 ? 6 : 4, .ifname = o->interface, .ident = -1, .tos = o->tos,
		/* DF only when asked, as the raw path's probes */
		.pmtudisc = o->dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT,
		.payload_len = o->size, .fill = fill,
		.preload = (int)trace_seq_count(&t->seq), .interval_ms = 1000,
	};
	int rc = ES_EPERM;

	if (v6)
		memcpy(cfg.daddr6, a->bytes, 16);
	else
		cfg.daddr = es_addr_get_v4(a);
	if (o->source) {
		struct es_addr src;

		if (!es_addr_parse_any(o->source, &src) || src.family != a->family)
			return es_fail(err, errlen, ES_EINVAL, "source %s: not an IPv%d address "
				       "(the host is IPv%d)", o->source, v6 ? 6 : 4, v6 ? 6 : 4);
		if (v6) {
			memcpy(cfg.saddr6, src.bytes, 16);
			cfg.has_saddr6 = true;
		} else {
			cfg.saddr = es_addr_get_v4(&src);
		}
	}
	if (o->mode != ES_MODE_DGRAM) {
		cfg.raw = true;
		rc = pingsock_open(&cfg, &t->ps, err, errlen);
	}
	if (o->mode == ES_MODE_DGRAM || (o->mode == ES_MODE_AUTO && rc == ES_EPERM)) {
		cfg.raw = false;
		rc = pingsock_open(&cfg, &t->ps, err, errlen);
		if (rc == ES_EPERM)
			es_fail(err, errlen, rc, "no ICMP%s socket for the trace: raw ones need "
				"CAP_NET_RAW, the datagram one a group in net.ipv4.ping_group_range "
				"(sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")",
				v6 ? "v6" : "");
	}
	return rc;
}

/* Sends what is due: every probe at once, or one per sendwait; none
 * beyond the hop where the trace ended. Returns ES_OK or the error. */
static int sock_send(struct tracer *t, unsigned *sent, uint64_t *next_at, char *err,
		     size_t errlen)
{
	unsigned total = trace_seq_count(&t->seq), ttl, slot;
	uint64_t now = rate_now_ns();
	int e;

	while (*sent < total && now >= *next_at) {
		trace_seq_hop(&t->seq, *sent, &ttl, &slot);
		if (t->last && ttl > t->last) {
			*sent = total;
			break;
		}
		if ((e = pingsock_set_hoplimit(t->ps, (int)ttl)) != 0)
			return es_fail(err, errlen, es_errno_code(e), "TTL %u: %s", ttl, strerror(e));
		/* each ICMP error also leaves its errno pending on the socket, and
		 * the next send fails with it instead of sending: clear it first,
		 * and try again when one came in between */
		for (int tries = 0; tries < SEND_TRIES; tries++) {
			int pending;
			socklen_t len = sizeof(pending);

			getsockopt(pingsock_fd(t->ps), SOL_SOCKET, SO_ERROR, &pending, &len);
			e = pingsock_send(t->ps, (uint16_t)*sent);
			if (!e || e == ENOBUFS || e == EAGAIN || e == EWOULDBLOCK)
				break;  /* sent, or lost to a full buffer (its "*") */
		}
		if (e && e != ENOBUFS && e != EAGAIN && e != EWOULDBLOCK)
			return es_fail(err, errlen, e == ENETUNREACH || e == EHOSTUNREACH ?
				       ES_ENOROUTE : es_errno_code(e),
				       "sending the probe with TTL %u: %s", ttl, strerror(e));
		(*sent)++;
		if (t->o->sendwait_ns) {
			*next_at = now + t->o->sendwait_ns;
			break;
		}
	}
	if (*sent >= total && t->sock_end == UINT64_MAX)
		t->sock_end = rate_now_ns();
	return ES_OK;
}

/* Takes what the socket holds: each result's sequence gives its hop. */
static int sock_drain(struct tracer *t, char *err, size_t errlen)
{
	struct pingsock_info info;
	struct es_result *r = &t->buf[0];
	unsigned ttl, slot;
	int rc;

	while ((rc = pingsock_recv(t->ps, r, &info, err, errlen)) == 1) {
		if (info.local || !trace_seq_hop(&t->seq, r->probe, &ttl, &slot) ||
		    (t->slots[ttl] >> slot & 1))
			continue;       /* a local error, a stranger or a duplicate */
		t->slots[ttl] |= (uint16_t)(1u << slot);
		r->probe_ttl = (uint8_t)ttl;
		take(t, r);
	}
	return rc < 0 ? es_fail(err, errlen, ES_ESYS, "%s", err) : ES_OK;
}

static int sock_loop(struct tracer *t, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = pingsock_fd(t->ps), .events = POLLIN };
	unsigned sent = 0;
	uint64_t next_at = 0, now, wait;
	int rc;

	for (;;) {
		if ((rc = sock_send(t, &sent, &next_at, err, errlen)) != ES_OK ||
		    (rc = sock_drain(t, err, errlen)) != ES_OK)
			return rc;
		if (t->on_poll && t->on_poll(t->user))
			return ES_OK;
		now = rate_now_ns();
		if (report_ready(t, now, false))
			return ES_OK;
		wait = sleep_ns(t, now);
		if (t->sock_end == UINT64_MAX && next_at > now && next_at - now < wait)
			wait = next_at - now;
		else if (t->sock_end == UINT64_MAX && next_at <= now)
			wait = 0;
		struct timespec ts = { (time_t)(wait / NS_PER_S), (long)(wait % NS_PER_S) };

		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
			return es_fail(err, errlen, ES_ESYS, "ppoll: %s", strerror(errno));
	}
}

/* The trace through the kernel's socket. */
static int sock_trace(struct tracer *t, const struct es_addr *a, char *err, size_t errlen)
{
	uint8_t *fill = malloc(t->o->size);
	int rc;

	if (!fill)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->o->size; i++)
		fill[i] = (uint8_t)i;                   /* iputils' fill, as es_ping */
	t->sock_end = UINT64_MAX;
	t->seq = (struct trace_seq){ t->o->first_ttl, t->o->max_ttl, t->o->probes };
	rc = sock_open(t, a, fill, err, errlen);
	free(fill);
	if (rc != ES_OK)
		return rc;
	/* the first poll: the socket is open, nothing sent yet */
	if (!t->on_poll || !t->on_poll(t->user))
		rc = sock_loop(t, err, errlen);
	pingsock_close(t->ps);
	t->ps = NULL;
	return rc;
}

/* ---- the engine's path ---------------------------------------------------- */

static int make_config(const struct es_trace_options *o, const struct es_addr *a,
		       es_scan_config **cp, char *err, size_t errlen)
{
	char text[ES_ADDRSTRLEN];
	es_scan_config *c;
	int rc = es_scan_config_new(cp);

	if (rc != ES_OK)
		return es_fail(err, errlen, rc, "out of memory");
	c = *cp;
	es_scan_config_set_trace(c, o->first_ttl, o->max_ttl);
	es_scan_config_set_probes(c, o->probes);
	es_scan_config_set_size(c, o->size);
	es_scan_config_set_tos(c, o->tos);
	es_scan_config_set_dont_fragment(c, o->dont_fragment);
	/* all at once, or one probe per sendwait */
	es_scan_config_set_rate(c, o->sendwait_ns ? (NS_PER_S / o->sendwait_ns ?
						     NS_PER_S / o->sendwait_ns : 1) : 0);
	/* the scan outlives every hop's wait: the trace ends it */
	es_scan_config_set_cooldown(c, o->wait_ns + POLL_NS);
	es_scan_config_rx_buffer(c, RX_SMALL);
	/* ES_MODE_AUTO: es_scan_open says a trace needs CAP_NET_RAW */
	rc = es_scan_config_set_source(c, o->source);
	if (rc != ES_OK)
		return es_fail(err, errlen, rc == ES_ENOMEM ? rc : ES_EINVAL,
			       "source %s: not an IPv4 address", o->source);
	if (es_scan_config_set_interface(c, o->interface) != ES_OK)
		return es_fail(err, errlen, ES_EINVAL, "interface %s: not an interface name",
			       o->interface);
	return es_scan_config_add_target(c, es_addr_format(a, text, sizeof(text)));
}

int es_traceroute(const char *host, const struct es_trace_options *o, es_hop_cb on_hop,
		  es_poll_cb on_poll, void *user, struct es_hop *hops, size_t max_hops,
		  size_t hop_size, size_t *nhops, char *err, size_t errlen)
{
	struct es_trace_options def;
	struct es_addr a;
	struct tracer *t;
	es_scan_config *c = NULL;
	int rc;

	if (nhops)
		*nhops = 0;
	if (!o) {
		es_trace_options_init(&def);
		o = &def;
	}
	if ((rc = check_options(o, err, errlen)) != ES_OK)
		return rc;
	if (max_hops && (!hops || hop_size < HOP_V1_SIZE))
		return es_fail(err, errlen, ES_EINVAL, hops ? "hop_size %zu: pass "
			       "sizeof(struct es_hop)" : "hops is NULL with max_hops %zu",
			       hops ? hop_size : max_hops);
	if ((rc = es_resolve(host, &a, err, errlen)) != ES_OK)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	*t = (struct tracer){ .o = o, .target = a, .on_hop = on_hop,
			      .on_poll = on_poll, .user = user, .hops = hops,
			      .max_hops = max_hops, .hop_size = hop_size, .next = o->first_ttl };
	for (unsigned h = o->first_ttl; h <= o->max_ttl; h++) {
		t->hop[h].target = a;
		t->hop[h].ttl = h;
		t->hop[h].probes = o->probes;
		for (unsigned i = 0; i < ES_TRACE_PROBES_MAX; i++)
			t->hop[h].probe[i].rtt_ns = -1;
	}
	/* IPv4 takes the engine's raw path unless told otherwise; without
	 * CAP_NET_RAW, ES_MODE_AUTO goes on to the kernel socket */
	rc = ES_EPERM;
	if (a.family == 4 && o->mode != ES_MODE_DGRAM) {
		rc = make_config(o, &a, &c, err, errlen);
		if (rc == ES_OK)
			rc = es_scan_open(&t->scan, c, err, errlen);
		if (rc == ES_OK) {
			/* the first poll: the sockets are open, nothing sent yet */
			if (!on_poll || !on_poll(user)) {
				rc = es_scan_start(t->scan, NULL, NULL, NULL);
				if (rc == ES_OK)
					rc = trace_loop(t);
				if (rc != ES_OK)
					es_fail(err, errlen, rc, "%s", es_scan_error(t->scan));
			}
			es_scan_close(&t->scan);
		} else if (rc == ES_EPERM && o->mode == ES_MODE_AUTO) {
			rc = sock_trace(t, &a, err, errlen);
		}
	} else {
		rc = sock_trace(t, &a, err, errlen);
	}
	if (nhops)
		*nhops = t->reported;
	free(t);
	es_scan_config_free(&c);
	return rc;
}
