/*
 * es_ping.c — level 1 of the public API: es_ping (one host, iputils
 * ping's statistics) and es_multiping (many hosts, per-host statistics),
 * each one blocking call whose callbacks run on the calling thread.
 *
 * es_ping is level 1 on level 3: one es_socket (es_socket.c over
 * engine/pingsock, the kernel's ICMP or ICMPv6 datagram or raw socket),
 * driven from the calling thread with poll(); the requests carry the keyed
 * stamp and MAC of the engine's probes. For one host at
 * ping's rates the scan engine gains nothing and costs its opening (packet
 * sockets, capture ring, threads: ~40 ms a call, mostly the kernel's wait
 * for RCU grace periods when packet sockets close). It ends once every
 * request has its answer, else o->timeout_ns after the last request.
 *
 * es_multiping stays on the scan handle (es_scan.c): many hosts at a rate
 * are the engine's work. The calling thread drains the engine's results;
 * the end is the scan's own (sending done, then the timeout as cooldown).
 */
#include "engine/es_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "engine/addr.h"
#include "engine/hosts.h"
#include "engine/ipset.h"
#include "engine/scan.h"

#define NS_PER_MS   1000000ull
#define DRAIN_BATCH 256

void es_ping_options_init(struct es_ping_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = ES_PING_OPTIONS_V1;
	o->count = 4;
	o->interval_ns = 1000 * NS_PER_MS;
	o->timeout_ns = 2000 * NS_PER_MS;
	o->rate = 10000;
	o->size = ES_DEFAULT_SIZE;
	o->mode = ES_MODE_AUTO;
}

static int check_options(const struct es_ping_options *o, char *err, size_t errlen)
{
	if (o->version != ES_PING_OPTIONS_V1)
		return es_fail(err, errlen, ES_EINVAL, "es_ping_options version %u unknown: "
			       "start from es_ping_options_init()", o->version);
	if (o->count < 1 || o->count > 65535)
		return es_fail(err, errlen, ES_EINVAL, "count %u: give 1..65535", o->count);
	if (o->timeout_ns < NS_PER_MS || o->timeout_ns > 3600000 * NS_PER_MS)
		return es_fail(err, errlen, ES_EINVAL, "timeout %llu ns: give 1 ms..1 h",
			       (unsigned long long)o->timeout_ns);
	if (o->size < ES_SIZE_MIN || o->size > ES_SIZE_MAX)
		return es_fail(err, errlen, ES_EINVAL, "size %zu: the payload takes %d..%d bytes",
			       o->size, ES_SIZE_MIN, ES_SIZE_MAX);
	if (o->ttl < 0 || o->ttl > 255)
		return es_fail(err, errlen, ES_EINVAL, "ttl %d: give 1..255 (0: the default)",
			       o->ttl);
	if (o->mode != ES_MODE_AUTO && o->mode != ES_MODE_RAW && o->mode != ES_MODE_DGRAM)
		return es_fail(err, errlen, ES_EINVAL, "mode %d: use ES_MODE_AUTO, ES_MODE_RAW "
			       "or ES_MODE_DGRAM", (int)o->mode);
	return ES_OK;
}

/* A configuration for the options (targets added by the caller). */
static int make_config(const struct es_ping_options *o, es_scan_config **cp,
		       char *err, size_t errlen)
{
	es_scan_config *c;
	int rc = es_scan_config_new(cp);

	if (rc != ES_OK)
		return es_fail(err, errlen, rc, "out of memory");
	c = *cp;
	es_scan_config_set_probes(c, o->count);
	es_scan_config_set_interval(c, o->interval_ns);
	es_scan_config_set_cooldown(c, o->timeout_ns);
	es_scan_config_set_size(c, o->size);
	es_scan_config_set_report_all(c, 1);
	if (o->ttl)
		es_scan_config_set_ttl(c, o->ttl);
	es_scan_config_set_mode(c, o->mode);    /* check_options checked it */
	rc = es_scan_config_set_source(c, o->source);
	if (rc != ES_OK)
		return es_fail(err, errlen, rc, "source %s: not an IPv4 address", o->source);
	if (es_scan_config_set_interface(c, o->interface) != ES_OK)
		return es_fail(err, errlen, ES_EINVAL, "interface %s: not an interface name",
			       o->interface);
	return ES_OK;
}

/* ---- es_ping: the kernel's ICMP and ICMPv6 sockets ---------------------- */

struct ping_run {
	const struct es_ping_options *o;
	es_reply_cb on_reply;
	void *user;
	struct es_ping_stats *st;
	double sum, sum2;            /* ns, ns^2 over replies with an RTT */
	unsigned long rtt_n;
	bool echoed, unreached;      /* an echo reply (unreachable) came before: repeat */
	bool cooling;                /* every request sent: what comes now is cooldown */
	uint8_t answered[65536 / 8]; /* probe numbers answered by an echo reply */
};

int es_resolve(const char *host, struct es_addr *a, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	int rc;

	if (!host)
		return es_fail(err, errlen, ES_EINVAL, "host is NULL");
	if (es_addr_parse(a, host) == ES_OK)
		return ES_OK;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0)
		return es_fail(err, errlen, rc == EAI_MEMORY ? ES_ENOMEM : ES_ENOTFOUND,
			       "%s: %s", host, gai_strerror(rc));
	es_addr_set_v4(a, ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr));
	freeaddrinfo(res);
	return ES_OK;
}

/* Counts one reply or ICMP error and hands it to the callback. */
static void ping_result(struct ping_run *p, struct es_reply *r)
{
	uint16_t probe = r->probe;
	bool dup = false;

	r->cooldown = p->cooling;
	if (r->classification == ES_CLASS_ECHOREPLY) {
		dup = p->answered[probe >> 3] >> (probe & 7) & 1;
		p->answered[probe >> 3] |= (uint8_t)(1u << (probe & 7));
		r->repeat = p->echoed;
		p->echoed = true;
		if (dup)
			p->st->duplicates++;
		else
			p->st->received++;
		if (r->rtt_ns >= 0) {
			double v = (double)r->rtt_ns;

			if (p->rtt_n == 0 || r->rtt_ns < p->st->rtt_min_ns)
				p->st->rtt_min_ns = r->rtt_ns;
			if (p->rtt_n == 0 || r->rtt_ns > p->st->rtt_max_ns)
				p->st->rtt_max_ns = r->rtt_ns;
			p->sum += v;
			p->sum2 += v * v;
			p->rtt_n++;
		}
	} else if (r->target.family == 6 || (r->type != 4 && r->type != 5)) {
		p->st->errors++;     /* IPv4 quench and redirect are notes, as in iputils */
	}
	if (r->classification == ES_CLASS_UNREACH) {
		r->repeat = p->unreached;
		p->unreached = true;
	}
	r->duplicate = dup;
	if (p->on_reply)
		p->on_reply(r, p->user);
}

static bool ping_complete(const struct ping_run *p)
{
	return p->st->received + p->st->errors >= p->o->count;
}

/* The loss and the averages from what ping_result gathered. */
static void ping_averages(struct ping_run *p)
{
	struct es_ping_stats *st = p->st;

	if (st->transmitted)
		st->loss = 100.0 * (double)(st->transmitted - (st->received < st->transmitted ?
								 st->received : st->transmitted)) /
			   (double)st->transmitted;
	if (p->rtt_n) {
		double avg = p->sum / (double)p->rtt_n;
		double var = p->sum2 / (double)p->rtt_n - avg * avg;

		st->rtt_avg_ns = (int64_t)llround(avg);
		st->rtt_mdev_ns = (int64_t)llround(sqrt(var > 0 ? var : 0));
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Opens the level-3 socket (es_socket.c) for the options: the datagram or
 * the raw socket as the mode asks; ES_MODE_AUTO takes the datagram socket
 * where net.ipv4.ping_group_range permits it, else the raw one, as iputils
 * tries them. */
static int ping_open(struct ping_run *p, es_socket **s, char *err, size_t errlen)
{
	const struct es_ping_options *o = p->o;
	const struct es_addr *d = &p->st->address;
	const char *icmp = d->family == 6 ? "ICMPv6" : "ICMP";
	struct es_socket_options so;
	int rc;

	es_socket_options_init(&so);
	so.dst = *d;
	so.interface = o->interface;
	so.mode = o->mode;
	so.ttl = o->ttl;
	so.size = o->size;
	so.interval_ms = o->interval_ns / NS_PER_MS;
	if (o->interface && (!*o->interface || strlen(o->interface) >= IF_NAMESIZE))
		return es_fail(err, errlen, ES_EINVAL, "interface %s: not an interface name",
			       o->interface);
	if (o->source && (es_addr_parse(&so.source, o->source) != ES_OK ||
			  so.source.family != d->family))
		return es_fail(err, errlen, ES_EINVAL, "source %s: not an IPv%u address "
			       "(the host is IPv%u)", o->source, d->family, d->family);
	rc = es_socket_open(s, &so, err, errlen);
	if (rc == ES_OK)
		p->st->mode = es_socket_mode(*s);
	else if (rc == ES_EPERM && o->mode == ES_MODE_RAW)
		es_fail(err, errlen, rc, "the raw %s socket needs CAP_NET_RAW: run as root, "
			"or use ES_MODE_DGRAM", icmp);
	else if (rc == ES_EPERM && o->mode == ES_MODE_DGRAM)
		es_fail(err, errlen, rc, "the %s datagram socket needs a group in "
			"net.ipv4.ping_group_range (sysctl -w net.ipv4.ping_group_range=\"0 "
			"2147483647\"), or use ES_MODE_RAW with CAP_NET_RAW", icmp);
	else if (rc == ES_EINVAL && o->source && errlen) {
		char why[160];     /* the bind's refusal: say which input it was */

		snprintf(why, sizeof(why), "%s", err);
		es_fail(err, errlen, rc, "source %s: %s (give an address of this host)",
			o->source, why);
	}
	return rc;
}

/* Takes what the socket holds. */
static void ping_drain(struct ping_run *p, es_socket *s)
{
	struct es_reply rep;
	struct es_socket_extra ex;

	while (es_socket_recv(s, &rep, &ex, sizeof(ex), NULL, 0) == 1) {
		if (ex.local)
			p->st->errors++;     /* a local error (EMSGSIZE ...) answers a request */
		else
			ping_result(p, &rep);
	}
}

/* count requests interval apart from the calling thread, poll() between
 * them, then the timeout; ends early once every request has its answer.
 * A first request the kernel refuses for want of a route ends it before
 * it starts (iputils: "connect: Network is unreachable"). */
static int ping_run(struct ping_run *p, char *err, size_t errlen)
{
	const struct es_ping_options *o = p->o;
	es_socket *s = NULL;
	uint64_t first = 0, last = 0, end = 0, next;
	unsigned sent = 0;
	int rc = ping_open(p, &s, err, errlen);

	if (rc != ES_OK)
		return rc;
	next = mono_ns();
	for (;;) {
		uint64_t now = mono_ns(), until;
		struct pollfd pf = { es_socket_fd(s), POLLIN, 0 };

		if (sent < o->count && now >= next) {
			int e;

			if (es_socket_send(s, sent, &e) == ES_ENOROUTE && sent == 0) {
				char a[ES_ADDRSTRLEN];

				rc = es_fail(err, errlen, ES_ENOROUTE, "%s: %s (no route to the "
					     "host: check the routes, o->interface, o->source)",
					     es_addr_format(&p->st->address, a, sizeof(a)),
					     strerror(e));
				break;
			}
			/* a later refused send still counts, as iputils counts it */
			if (sent++ == 0)
				first = now;
			last = now;
			next += o->interval_ns;
			if (sent == o->count) {
				end = now + o->timeout_ns;
				p->cooling = true;
			}
		}
		ping_drain(p, s);
		if (ping_complete(p) || (end && now >= end))
			break;
		until = sent < o->count ? next : end;
		now = mono_ns();
		if (until > now)
			poll(&pf, 1, (int)((until - now + NS_PER_MS - 1) / NS_PER_MS));
	}
	p->st->transmitted = sent;
	p->st->time_ns = last - first;
	es_socket_close(&s);
	return rc;
}

int es_ping(const char *host, const struct es_ping_options *o, es_reply_cb on_reply,
	    void *user, struct es_ping_stats *stats, char *err, size_t errlen)
{
	struct es_ping_options def;
	struct es_ping_stats local;
	struct ping_run *p;
	int rc;

	if (!err)
		errlen = 0;                     /* es_socket_open writes into err up to errlen */
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	stats->rtt_min_ns = stats->rtt_avg_ns = stats->rtt_max_ns = stats->rtt_mdev_ns = -1;
	if (!o) {
		es_ping_options_init(&def);
		o = &def;
	}
	if ((rc = check_options(o, err, errlen)) != ES_OK)
		return rc;
	if (o->interval_ns < NS_PER_MS)
		return es_fail(err, errlen, ES_EINVAL, "interval %llu ns: es_ping takes 1 ms "
			       "or more (es_multiping paces many hosts)",
			       (unsigned long long)o->interval_ns);
	if ((rc = es_resolve(host, &stats->address, err, errlen)) != ES_OK)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	*p = (struct ping_run){ .o = o, .on_reply = on_reply, .user = user, .st = stats };
	rc = ping_run(p, err, errlen);
	ping_averages(p);
	free(p);
	return rc;
}

/* ---- es_multiping ---------------------------------------------------- */

static int multi_loop(es_scan *s, es_reply_cb on_reply, void *user)
{
	struct es_result buf[DRAIN_BATCH];
	struct es_reply rep;
	size_t n;
	int rc;

	for (;;) {
		while ((n = es_scan_take(s, buf, DRAIN_BATCH)) > 0)
			for (size_t i = 0; i < n && on_reply; i++) {
				es_reply_from_result(&buf[i], &rep);
				on_reply(&rep, user);
			}
		rc = es_scan_process(s);
		if (rc <= 0)
			break;
		es_scan_sleep(s, UINT64_MAX);
	}
	while ((n = es_scan_take(s, buf, DRAIN_BATCH)) > 0)
		for (size_t i = 0; i < n && on_reply; i++) {
			es_reply_from_result(&buf[i], &rep);
			on_reply(&rep, user);
		}
	return rc;
}

/* One es_host_stats per target, in address order. */
/* One host's record from its statistics row (a key: IPv4 address or
 * HOSTS_KEY6(rank)). */
static void report_one(const struct hosts *h, uint64_t key, const struct es_addr *a,
		       uint64_t sent, es_host_cb on_host, void *user)
{
	struct host_stats_row row;
	const struct host_stat *hs = hosts_stat_key(h, key);
	struct es_host_stats hst;

	hosts_stats_row_key(h, key, sent, &row);
	hst = (struct es_host_stats){
		.address = *a, .transmitted = (unsigned long)sent,
		.received = (unsigned long)row.received,
		.duplicates = hs ? (unsigned long)hs->dups : 0,
		.rtt_min_ns = row.rtt_min_ns, .rtt_avg_ns = row.rtt_avg_ns,
		.rtt_max_ns = row.rtt_max_ns, .rtt_mdev_ns = row.rtt_mdev_ns,
		.jitter_ns = row.jitter_ns,
	};
	if (sent)
		hst.loss = 100.0 * (double)(sent - (row.received < sent ? row.received : sent)) /
			   (double)sent;
	on_host(&hst, user);
}

/* One es_host_stats per target, in address order (IPv4, then IPv6). */
static void report_hosts(es_scan *s, const struct ipset *set, const struct ip6set *set6,
			 unsigned count, es_host_cb on_host, void *user)
{
	const struct hosts *h = scan_hosts(es_scan_engine(s));
	struct scan_counters c;
	uint64_t sent, n6 = ip6set_count(set6);

	scan_counters(es_scan_engine(s), &c);
	/* every target gets one probe per pass begun; a pass cut short
	 * (out of time) leaves some with one less, which we cannot tell */
	sent = c.per_pass ? c.sent / c.per_pass : count;
	for (size_t i = 0; i < set->n; i++)
		for (uint64_t a = set->r[i].lo; a <= set->r[i].hi; a++) {
			struct es_addr e;

			es_addr_set_v4(&e, (uint32_t)a);
			report_one(h, a, &e, sent, on_host, user);
		}
	for (uint64_t r = 0; r < n6; r++) {
		struct es_addr e = ip6set_at(set6, r);

		report_one(h, HOSTS_KEY6(r), &e, sent, on_host, user);
	}
}

int es_multiping(const char *const *targets, size_t ntargets,
		 const struct es_ping_options *o, es_reply_cb on_reply,
		 es_host_cb on_host, void *user, struct es_multiping_stats *stats,
		 char *err, size_t errlen)
{
	struct es_ping_options def;
	struct ipset set;
	struct ip6set set6;          /* the IPv6 targets, ranked as the scan ranks them */
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	int rc;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!o) {
		es_ping_options_init(&def);
		o = &def;
	}
	if (!targets || ntargets == 0)
		return es_fail(err, errlen, ES_EINVAL, "no targets");
	if ((rc = check_options(o, err, errlen)) != ES_OK)
		return rc;
	ipset_init(&set);
	ip6set_init(&set6);
	if ((rc = make_config(o, &c, err, errlen)) != ES_OK)
		goto out;
	es_scan_config_set_rate(c, o->rate);
	es_scan_config_keep_stats(c, true);
	for (size_t i = 0; i < ntargets; i++) {
		uint32_t lo, hi;

		if (targets[i] && strchr(targets[i], ':')) {
			es_u128 lo6, hi6;

			rc = es_range6_parse(targets[i], &lo6, &hi6, err, errlen);
			if (rc == ES_OK && (es_scan_config_add_target(c, targets[i]) != ES_OK ||
					    ip6set_add(&set6, lo6, hi6) < 0))
				rc = es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
			if (rc != ES_OK)
				goto out;
			continue;
		}
		rc = es_range_parse(targets[i], &lo, &hi, err, errlen);
		if (rc == ES_OK && (es_scan_config_add_target(c, targets[i]) != ES_OK ||
				    ipset_add(&set, lo, hi) < 0))
			rc = es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
		if (rc != ES_OK)
			goto out;
	}
	if (ipset_finalize(&set) < 0 || ip6set_finalize(&set6) < 0) {
		rc = es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
		goto out;
	}
	rc = es_scan_open(&s, c, err, errlen);
	if (rc != ES_OK)
		goto out;
	rc = es_scan_start(s, NULL, NULL, NULL);
	if (rc == ES_OK)
		rc = multi_loop(s, on_reply, user);
	if (rc != ES_OK) {
		es_fail(err, errlen, rc, "%s", es_scan_error(s));
	} else {
		struct scan_counters cnt;

		if (on_host)
			report_hosts(s, &set, &set6, o->count, on_host, user);
		scan_counters(es_scan_engine(s), &cnt);
		if (stats)
			*stats = (struct es_multiping_stats){
				.mode = es_scan_mode(s),
				.targets = ipset_count(&set) + ip6set_count(&set6),
				.alive = cnt.up, .sent = cnt.sent, .invalid = cnt.invalid,
			};
	}
out:
	es_scan_close(&s);
	es_scan_config_free(&c);
	ipset_free(&set);
	ip6set_free(&set6);
	return rc;
}
