/*
 * scan.c — the engine threads and what they share (see scan.h).
 *
 * The sender owns the permutation, the rate limiter and one TX backend per
 * interface in use (with --sender-threads, each sender its own of all three:
 * they walk the same order and take turns by blocks, split.h, at shares of
 * one rate schedule); the receiver owns the capture, the host tables and the
 * producer side of the result ring. The path table (path.h) is read-only for
 * both, except its on-link MAC slots (receiver stores, sender loads). They
 * share only atomics: the stop flags, "sending done" (which marks replies as
 * cooldown) and the counters. Nothing in either loop allocates except Judy's
 * own insertions.
 *
 * Each target goes through its own path: the sender looks its span up
 * (binary search), sorts the batch by interface and stamps each target into
 * its path's template (on-link targets also get their own destination MAC).
 * A scan with one path and no per-target MAC keeps the single-template loop.
 * That sending, the capture and their opening are the packet path
 * (scan_path_packet.c); over ICMP datagram sockets the datagram path
 * (scan_path_dgram.c) takes their place (scan_path.h). The state of a scan
 * is in scan_impl.h.
 */
#include "engine/scan.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/arp.h"
#include "engine/clock.h"
#include "engine/errcode.h"
#include "engine/classify.h"
#include "engine/parse.h"
#include "engine/pcapout.h"
#include "engine/probe.h"
#include "engine/rate.h"
#include "engine/ring.h"
#include "engine/split.h"
#include "engine/rx.h"
#include "engine/scan_impl.h"
#include "engine/scan_path.h"
#include "engine/scan6.h"
#include "engine/srcsel.h"
#include "engine/permute.h"
#include "engine/trace_probe.h"

#define RING_RESULTS  (1u << 18)
/* --max-runtime: how late past the deadline the probes due before it may
 * still go out (a sender that far behind cannot keep the rate anyway) */
#define DEADLINE_GRACE_NS (100 * 1000000ull)
/* How long after the last ARP request of the first round the echo requests
 * wait for ARP replies still on their way (they end sooner once every
 * asked host has answered). */
#define ARP_WAIT_NS   (500 * 1000000ull)
/* scan_want_sent's queue (a power of two): ping's probes, seconds of them */
#define SENTQ_CAP     4096u

static void add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Tells the main thread something happened. Sequentially consistent on
 * both sides (see scan_wait): either the main thread sees the news count
 * move before it sleeps, or we see it waiting and wake it. */
static void notify(struct scan *s)
{
	uint64_t one = 1;

	atomic_fetch_add(&s->news, 1);
	if (atomic_exchange(&s->waiting, false) && write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full of wakeups already */
	}
}

/* ---- sender ---------------------------------------------------------- */

/* scan_want_sent: queues the sent events of k probes, before their frames
 * are handed to the kernel, so a reply never overtakes its probe's event.
 * One producer (the only sender thread), no lock; a full queue drops. */
void scan_sent_push(struct scan *s, const uint32_t *daddr, unsigned k, uint16_t probe,
		    uint64_t ts)
{
	uint64_t head = atomic_load_explicit(&s->sentq_head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&s->sentq_tail, memory_order_acquire);
	uint64_t mono = rate_now_ns();

	for (unsigned i = 0; i < k; i++) {
		if (head - tail >= SENTQ_CAP) {
			add(&s->sentq_dropped, 1);
			continue;
		}
		s->sentq[head & (SENTQ_CAP - 1)] = (struct scan_sent){
			.ts_ns = ts, .mono_ns = mono, .daddr = daddr[i], .probe = probe };
		head++;
	}
	atomic_store_explicit(&s->sentq_head, head, memory_order_release);
	notify(s);
}

/* The sender's backends' counts, for scan_counters (which sums them over
 * the senders and takes the ARP requests out). */
static void publish_send_stats(struct scan_sender *w)
{
	struct scan *s = w->s;
	uint64_t frames = 0, errors = 0;

	s->path->send_stats(s, s->path_state, w->index, &frames, &errors);
	if (s->v6) {   /* the sender's IPv6 backends */
		uint64_t f6, e6, ns;

		scan6_send_stats(s->v6, w->index, &f6, &e6, &ns);
		/* neighbour solicitations are not probes (a refused one is in
		 * neither count: no wrap-around) */
		frames += f6 > ns ? f6 - ns : 0;
		errors += e6;
	}
	atomic_store_explicit(&w->frames, frames, memory_order_relaxed);
	atomic_store_explicit(&w->errors, errors, memory_order_relaxed);
}

void scan_path_stamping(struct scan *s, const uint32_t *daddr, unsigned n, uint16_t probe)
{
	if (s->sentq)
		scan_sent_push(s, daddr, n, probe, clock_realtime_ns());
}

/* Sent events: the probes of a batch just handed to the kernel (with
 * several sender threads, from each of them), after the sender's counts. */
void scan_path_sent(struct scan *s, unsigned sender, const uint32_t *daddr, unsigned n,
		    uint16_t probe)
{
	if (!s->ev.on_sent || !n)
		return;
	publish_send_stats(&s->senders[sender]);
	s->ev.on_sent(s->ev.user, daddr, n, probe, clock_realtime_ns());
}

/* Sends a batch through the scan's path. Returns the number sent, or -1
 * with the sender's err set. */
static long send_batch(struct scan_sender *w, const uint32_t *addrs, const uint8_t *ttls,
		       unsigned n, uint16_t probe)
{
	struct scan *s = w->s;
	long sent = s->path->send(s, s->path_state, w->index, addrs, ttls, n, probe, w->err,
				  sizeof(w->err));

	publish_send_stats(w);
	return sent;
}

/* ---- on-link resolution (ARP) ------------------------------------------ */

static int arp_failed(struct scan_sender *w, struct scan_dev *d)
{
	snprintf(w->err, sizeof(w->err), "sending ARP requests on %s: %s",
		 w->s->pt.devs[d - w->devs].ifname, tx_last_error(d->tx));
	return -1;
}

/* tx_batch.stamp of ARP requests: the frame length is the echo request's,
 * zero padding after the 28-byte ARP body, as on any short frame. */
struct arp_batch {
	const struct arp_template *t;
	const uint32_t *addrs;
	size_t flen;
};

static void stamp_arp(void *user, unsigned first, unsigned k, uint64_t ts,
		      uint8_t *const *slots)
{
	const struct arp_batch *ab = user;

	(void)ts;
	for (unsigned i = 0; i < k; i++) {
		memset(slots[i] + ARP_FRAME_LEN, 0, ab->flen - ARP_FRAME_LEN);
		arp_stamp(ab->t, ab->addrs[first + i], slots[i]);
	}
}

/* Sends ARP requests for n on-link targets of path pi at the rate. */
static int arp_send(struct scan_sender *w, struct rate *r, uint32_t pi, const uint32_t *addrs,
		    unsigned n)
{
	struct scan *s = w->s;
	struct scan_dev *d = &w->devs[s->pt.paths[pi].dev];
	struct arp_batch ab = { &s->arp[pi], addrs, s->tmpl[pi].len };
	unsigned done = 0;

	while (done < n) {
		uint64_t wait = 0, now = rate_now_ns();
		unsigned k = rate_allow(r, now, &wait);
		/* params NULL: the frames are complete as stamped */
		struct tx_batch b = { .daddr = addrs, .stamp = stamp_arp, .user = &ab };
		long got;

		if (atomic_load(&s->stop_send))
			return 0;
		if (k == 0) {
			rate_wait(wait > 10000000 ? 10000000 : wait);
			continue;
		}
		if (k > n - done)
			k = n - done;
		b.n = done + k;
		got = tx_send_probes(d->tx, &b, done, 100);
		if (got < 0)
			return arp_failed(w, d);
		add(&s->arp_sent, (uint64_t)got);
		done += (unsigned)got;
		rate_sent(r, (unsigned)got);
	}
	return 0;
}

/* One ARP request to every on-link target whose MAC is still unknown, in
 * address order. Returns how many were asked, or -1. */
static long arp_round(struct scan_sender *w, struct rate *r)
{
	struct scan *s = w->s;
	uint32_t addrs[BATCH_MAX];
	long asked = 0;

	for (size_t i = 0; i < s->pt.n_spans; i++) {
		const struct path_span *sp = &s->pt.spans[i];
		unsigned n = 0;

		if (s->pt.paths[sp->path].kind != PATH_ONLINK)
			continue;
		for (uint64_t a = sp->lo; a <= sp->hi && !atomic_load(&s->stop_send); a++) {
			if (atomic_load_explicit(path_mac_slot(&s->pt, sp, (uint32_t)a),
						 memory_order_relaxed) ||
			    !ipset_contains(s->cfg.targets, (uint32_t)a))
				continue;
			addrs[n++] = (uint32_t)a;
			if (n == BATCH_MAX || a == sp->hi) {
				if (arp_send(w, r, sp->path, addrs, n) < 0)
					goto failed;
				asked += n;
				n = 0;
			}
		}
		if (n && arp_send(w, r, sp->path, addrs, n) < 0)
			goto failed;
		asked += n;
	}
	publish_send_stats(w);
	return asked;
failed:
	return -1;
}

/* After the first round: until every asked host has answered, or
 * ARP_WAIT_NS have passed, or the scan is stopped. */
static void arp_wait(struct scan *s, uint64_t resolved_before, long asked)
{
	uint64_t until = rate_now_ns() + ARP_WAIT_NS;

	while (get(&s->arp_resolved) - resolved_before < (uint64_t)asked &&
	       !atomic_load(&s->stop_send) && rate_now_ns() < until)
		rate_wait(1000000);
}

/* The IPv6 gateways' MACs, when the kernel's table did not have them: a
 * neighbour solicitation a second, up to three, until the receiver has the
 * advertisements (RFC 4861's MAX_MULTICAST_SOLICIT and RETRANS_TIMER); the
 * first sender asks, the others wait as long. Each later pass asks again
 * while one is unresolved. Returns 0, or -1. */
static int resolve6(struct scan_sender *w)
{
	struct scan *s = w->s;

	for (int i = 0; i < 3 && !scan6_gateways_resolved(s->v6) && !atomic_load(&s->stop_send);
	     i++) {
		uint64_t until = rate_now_ns() + 1000000000ull;

		if (w->index == 0 && scan6_solicit_gateways(s->v6, 0, w->err, sizeof(w->err)) < 0)
			return -1;
		while (!scan6_gateways_resolved(s->v6) && !atomic_load(&s->stop_send) &&
		       rate_now_ns() < until)
			rate_wait(1000000);
	}
	return 0;
}

/* ARP's counterpart for on-link IPv6 targets: one neighbour solicitation
 * to each whose MAC is still unknown, at the rate, in address order (there
 * is one sender then: senders_for). Returns how many were asked, or -1. */
static long nd_round(struct scan_sender *w, struct rate *r)
{
	struct scan *s = w->s;
	uint64_t ranks[BATCH_MAX], cursor = 0;
	long asked = 0;
	size_t n;

	while (!atomic_load(&s->stop_send) &&
	       (n = scan6_unresolved(s->v6, &cursor, ranks, BATCH_MAX)) > 0) {
		size_t done = 0;

		while (done < n) {
			uint64_t wait = 0;
			unsigned k = rate_allow(r, rate_now_ns(), &wait);

			if (atomic_load(&s->stop_send))
				return asked;
			if (k == 0) {
				rate_wait(wait > 10000000 ? 10000000 : wait);
				continue;
			}
			if (k > n - done)
				k = (unsigned)(n - done);
			if (scan6_solicit(s->v6, w->index, ranks + done, k, w->err,
					  sizeof(w->err)) < 0)
				return -1;
			done += k;
			asked += k;
			rate_sent(r, k);
		}
	}
	publish_send_stats(w);
	return asked;
}

/* The same wait for neighbour advertisements. */
static void nd_wait(struct scan *s, uint64_t resolved_before, long asked)
{
	uint64_t until = rate_now_ns() + ARP_WAIT_NS;

	while (scan6_nd_resolved(s->v6) - resolved_before < (uint64_t)asked &&
	       !atomic_load(&s->stop_send) && rate_now_ns() < until)
		rate_wait(1000000);
}

static bool out_of_time(const struct scan *s, uint64_t now)
{
	return s->cfg.max_runtime_ns &&
	       now - get(&s->send_start_ns) >= s->cfg.max_runtime_ns;
}

/* Waits until `until` (monotonic) unless told to stop; false if stopped. */
static bool wait_until(struct scan *s, uint64_t until)
{
	for (;;) {
		uint64_t now = rate_now_ns();

		if (atomic_load(&s->stop_send) || out_of_time(s, now))
			return false;
		if (now >= until)
			return true;
		rate_wait(until - now > 10000000 ? 10000000 : until - now);
	}
}

/* One pass: every target of this shard once (several senders: this
 * sender's share of them, split.h), with probe number `probe`; `skip`
 * targets are already done (a resumed scan's first pass, where scan_open
 * has seeked the permutation). */
static int send_pass(struct scan_sender *w, struct rate *r, uint64_t pass, uint64_t skip)
{
	struct scan *s = w->s;
	/* looping, probe numbers wrap below the classifier's bound */
	uint16_t probe = (uint16_t)(pass % s->cls.nprobes);
	uint32_t addrs[BATCH_MAX];
	uint8_t ttls[BATCH_MAX];
	uint64_t ranks6[BATCH_MAX];
	uint64_t count = skip, idx;
	bool more = true;
	long sent, sent6 = 0;

	if (skip == 0)
		permute_rewind(&w->pm);
	for (;;) {
		uint64_t wait = 0, now = rate_now_ns();
		unsigned allow, n = 0, n6 = 0;

		if (atomic_load(&s->stop_send))
			return 0;
		if (out_of_time(s, now)) {
			/* the probes due before the deadline are still owed, so a
			 * run sends exactly max_runtime * rate (a late sender
			 * catches up, paced as the rate does), within a short
			 * grace; what is left then stays unsent */
			uint64_t deadline = get(&s->send_start_ns) + s->cfg.max_runtime_ns;
			uint64_t end = deadline + DEADLINE_GRACE_NS;

			allow = now < end ? rate_allow_before(r, deadline, now, &wait) : 0;
			if (allow == 0 && wait == 0)
				return 0;
			if (allow == 0) {
				rate_wait(wait < end - now ? wait : end - now);
				continue;
			}
		} else if ((allow = rate_allow(r, now, &wait)) == 0) {
			rate_wait(wait > 10000000 ? 10000000 : wait);
			continue;
		}
		while (n + n6 < allow && count < s->per_pass && (more = permute_next(&w->pm, &idx))) {
			if (!split_owns(count++, w->index, s->n_senders))
				continue;   /* another sender's */
			if (s->trace_n) {
				/* a (target, TTL) pair; none beyond a target's distance */
				uint64_t rank = idx / s->trace_n;
				uint8_t ttl = (uint8_t)(s->cfg.trace_first + idx % s->trace_n);

				if (!trace_reach_wanted(&s->reach, rank, ttl))
					continue;
				ttls[n] = ttl;
				idx = rank;
			} else if (idx >= s->n4) {
				/* the IPv6 targets follow the IPv4 ones (scan6.h) */
				ranks6[n6++] = idx - s->n4;
				continue;
			}
			addrs[n++] = ipset_at(s->cfg.targets, idx);
		}
		if (n + n6 == 0 && more && count < s->per_pass && !atomic_load(&s->stop_send))
			continue;   /* every pair of this batch was skipped */
		if (n + n6 == 0) {
			/* the rest of the pass is other senders' */
			atomic_store_explicit(&w->position, pass * s->per_pass + count,
					      memory_order_relaxed);
			return 0;
		}
		sent = n ? send_batch(w, addrs, s->trace_n ? ttls : NULL, n, probe) : 0;
		if (sent >= 0 && n6) {
			sent6 = scan6_send(s->v6, w->index, ranks6, n6, probe,
					   w->err, sizeof(w->err));
			publish_send_stats(w);
			sent = sent6 < 0 ? -1 : sent + sent6;
		}
		if (sent < 0)
			return -1;
		atomic_store_explicit(&w->position, pass * s->per_pass + count,
				      memory_order_relaxed);
		if (s->n_senders == 1) {
			atomic_store_explicit(&s->pass_sent, count, memory_order_relaxed);
			atomic_store_explicit(&s->position, pass * s->per_pass + count,
					      memory_order_relaxed);
		}
		rate_sent(r, (unsigned)sent);
	}
}

/* Keeps the most the sender fell behind its rate's schedule (across the
 * restarts of the schedule between passes), for the summary. */
static void publish_behind(struct scan_sender *w, const struct rate *r)
{
	uint64_t b = rate_behind_max_ns(r);

	if (b > get(&w->behind_ns))
		atomic_store_explicit(&w->behind_ns, b, memory_order_relaxed);
}

static void *sender_main(void *arg)
{
	struct scan_sender *w = arg;
	struct scan *s = w->s;
	struct rate r;
	uint64_t start = get(&s->send_start_ns);
	uint64_t first = s->cfg.start_position / s->per_pass;
	uint64_t skip = s->cfg.start_position % s->per_pass;
	bool failed = false;

	rate_thread_init();
	/* the senders' shares of the rate interleave on one schedule */
	rate_init_share(&r, s->cfg.rate, BATCH_MAX, start, w->index, s->n_senders);
	for (uint64_t p = first; s->cfg.loop || p < s->cfg.probes; p++) {
		if (p > first && !wait_until(s, start + (p - first) * s->cfg.interval_ns))
			break;
		/* after a wait the schedule restarts: the idle time is no credit
		 * to spend in a burst */
		if (p > first && s->cfg.interval_ns) {
			publish_behind(w, &r);
			rate_init_share(&r, s->cfg.rate, BATCH_MAX, rate_now_ns(), w->index,
					s->n_senders);
		}
		/* on-link targets: ARP for those not resolved yet, then echo
		 * to those that are (each later pass asks the rest again);
		 * there is one sender then (senders_for) */
		if (s->pt.n_onlink) {
			uint64_t before = get(&s->arp_resolved);
			long asked = arp_round(w, &r);

			if ((failed = asked < 0))
				break;
			if (p == first && asked > 0)
				arp_wait(s, before, asked);
		}
		if (s->v6 && !scan6_gateways_resolved(s->v6) && (failed = resolve6(w) < 0))
			break;
		/* on-link IPv6 targets: neighbour solicitations as ARP above */
		if (s->v6 && scan6_n_onlink(s->v6)) {
			uint64_t before = scan6_nd_resolved(s->v6);
			long asked = nd_round(w, &r);

			if ((failed = asked < 0))
				break;
			if (p == first && asked > 0)
				nd_wait(s, before, asked);
		}
		if (s->n_senders == 1) {
			atomic_store(&s->pass_sent, p == first ? skip : 0);
			atomic_fetch_add(&s->passes_started, 1);
		}
		if ((failed = send_pass(w, &r, p, p == first ? skip : 0) < 0))
			break;
	}
	if (failed)   /* the other senders stop too */
		atomic_store(&s->stop_send, true);
	for (size_t i = 0; w->devs && i < s->pt.n_devs; i++)
		if (w->devs[i].tx)
			tx_flush(w->devs[i].tx, 1000);
	if (s->v6)
		scan6_flush(s->v6, w->index);
	publish_send_stats(w);
	publish_behind(w, &r);
	/* the last sender to end ends the sending */
	if (atomic_fetch_sub(&s->senders_running, 1) == 1) {
		atomic_store(&s->send_end_ns, rate_now_ns());
		atomic_store(&s->send_done, true);
		notify(s);
	}
	return NULL;
}

/* ---- receiver -------------------------------------------------------- */

static void count_valid(struct scan *s, struct es_result *res)
{
	switch (res->classification) {
	case ES_CLASS_ECHOREPLY:
		res->repeat = hosts_mark_up(&s->hosts, res->saddr);
		if (!res->repeat)
			atomic_store_explicit(&s->up, s->hosts.n_up +
					      (s->v6 ? scan6_n_up(s->v6) : 0), memory_order_relaxed);
		if (s->cfg.keep_stats)
			hosts_record(&s->hosts, res->saddr, res->probe, res->rtt_ns);
		break;
	case ES_CLASS_UNREACH:
		res->repeat = hosts_mark_unreach(&s->hosts, res->saddr);
		if (!res->repeat)
			atomic_store_explicit(&s->unreach, s->hosts.n_unreach +
					      (s->v6 ? scan6_n_unreach(s->v6) : 0),
					      memory_order_relaxed);
		break;
	default:
		add(&s->errors_other, 1);
		break;
	}
	if (s->hosts.oom)   /* a table insertion failed: counts may be short */
		atomic_store_explicit(&s->hosts_oom, true, memory_order_relaxed);
}

/* The writer is slower than us only in bursts: wait for room rather than
 * lose a result, unless the output is gone (scan_abandon). */
static void publish(struct scan *s, const struct es_result *res)
{
	s->published++;
	if (s->ev.on_result) {
		s->ev.on_result(s->ev.user, res);
		return;
	}
	while (!ring_push(&s->ring, res)) {
		if (atomic_load(&s->abandon))
			return;
		sched_yield();
	}
}

static void count_invalid(struct scan *s, enum invalid_reason why)
{
	add(&s->invalid, 1);
	add(&s->invalid_why[why < INVALID_COUNT ? why : INVALID_NONE], 1);
}

/* The MAC of an on-link host, for its results (zero otherwise). */
static void fill_mac(const struct scan *s, struct es_result *res)
{
	const struct path_span *sp = path_span_of(&s->pt, res->saddr);
	uint64_t v;

	if (!sp || s->pt.paths[sp->path].kind != PATH_ONLINK)
		return;
	v = atomic_load_explicit(path_mac_slot(&s->pt, sp, res->saddr), memory_order_relaxed);
	if (v)
		path_mac_unpack(v, res->mac);
}

/* The rank of addr among the targets (ipset_at's inverse); beyond the end
 * when addr is not a target. */
static uint64_t target_rank(const struct ipset *t, uint32_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->r[mid].hi < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n || addr < t->r[lo].lo)
		return UINT64_MAX;
	return t->prefix[lo] + (addr - t->r[lo].lo);
}

/* A decoded reply, from a captured frame or a datagram socket (dgram.h). */
static void on_parsed(void *user, uint64_t ts_ns, enum parse_status ps,
		      const struct parsed_icmp *p)
{
	struct scan *s = user;
	struct es_result res;
	enum invalid_reason why;

	if (ps == PARSE_NOT_ICMP)
		return;
	if (ps != PARSE_OK) {
		count_invalid(s, invalid_from_parse(ps));
		return;
	}
	switch (classify_why(&s->cls, p, ts_ns, &res, &why)) {
	case VERDICT_IGNORE:
		return;
	case VERDICT_INVALID:
		count_invalid(s, why);
		return;
	case VERDICT_VALID:
		break;
	}
	res.family = ES_AF4;   /* the writers read the IPv6 fields when it is 6 */
	add(&s->valid, 1);
	add(&s->by_class[res.classification < ES_CLASS_COUNT ? res.classification : ES_CLASS_OTHER], 1);
	/* one writer: a plain load and store keep the maximum */
	if (res.rtt_ns > 0 && (uint64_t)res.rtt_ns > get(&s->rtt_max))
		atomic_store_explicit(&s->rtt_max, (uint64_t)res.rtt_ns, memory_order_relaxed);
	res.cooldown = atomic_load_explicit(&s->send_done, memory_order_relaxed);
	if (s->pt.n_onlink)
		fill_mac(s, &res);
	/* trace: the target itself answered at this distance */
	if (s->trace_n && res.responder == res.saddr)
		trace_reach_note(&s->reach, target_rank(s->cfg.targets, res.saddr), res.probe_ttl);
	count_valid(s, &res);
	/* with per-host statistics the records are per host, not per reply */
	if (s->cfg.report_all || (!s->cfg.keep_stats && res.success && !res.repeat))
		publish(s, &res);
}

/* An ARP reply: kept when it answers one of our requests (to our address
 * and MAC on that link) from an on-link target; its MAC goes into the
 * target's slot, where the sender finds it. */
static void on_arp(struct scan *s, const uint8_t *frame, size_t caplen)
{
	struct arp_reply ar;
	const struct path_span *sp;
	const struct path *p;
	_Atomic uint64_t *slot;
	uint64_t v;

	if (arp_parse_reply(rx_linktype(s->rx), frame, caplen, &ar) != ARP_OK)
		return;
	sp = path_span_of(&s->pt, ar.spa);
	if (!sp)
		return;
	p = &s->pt.paths[sp->path];
	if (p->kind != PATH_ONLINK || ar.tpa != p->saddr ||
	    memcmp(ar.tha, s->pt.devs[p->dev].mac, 6) != 0)
		return;
	slot = path_mac_slot(&s->pt, sp, ar.spa);
	v = atomic_load_explicit(slot, memory_order_relaxed);
	if (v & PATH_MAC_ARP)
		return;   /* a repeat */
	atomic_store_explicit(slot, path_mac_pack(ar.sha) | PATH_MAC_ARP,
			      memory_order_relaxed);
	if (!v)
		add(&s->arp_resolved, 1);
}

/* An IPv6 frame: counted and reported like on_parsed does for IPv4. */
static void on_frame6(struct scan *s, uint64_t ts_ns, const uint8_t *frame, size_t caplen)
{
	struct es_result res;
	enum invalid_reason why = INVALID_NONE;

	switch (scan6_frame(s->v6, rx_linktype(s->rx), ts_ns, frame, caplen, &res, &why)) {
	case SCAN6_NONE:
	case SCAN6_ND:
		return;
	case SCAN6_INVALID:
		count_invalid(s, why);
		return;
	case SCAN6_VALID:
		break;
	}
	add(&s->valid, 1);
	add(&s->by_class[res.classification < ES_CLASS_COUNT ? res.classification : ES_CLASS_OTHER], 1);
	if (res.rtt_ns > 0 && (uint64_t)res.rtt_ns > get(&s->rtt_max))
		atomic_store_explicit(&s->rtt_max, (uint64_t)res.rtt_ns, memory_order_relaxed);
	res.cooldown = atomic_load_explicit(&s->send_done, memory_order_relaxed);
	if (res.classification == ES_CLASS_ECHOREPLY) {
		uint64_t rank;

		atomic_store_explicit(&s->up, s->hosts.n_up + scan6_n_up(s->v6),
				      memory_order_relaxed);
		/* per-host statistics: keyed by the rank among the IPv6 targets */
		if (s->cfg.keep_stats && ip6set_index(s->cfg.targets6, &res.saddr6, &rank))
			hosts_record_key(&s->hosts, HOSTS_KEY6(rank), res.probe, res.rtt_ns);
	}
	else if (res.classification == ES_CLASS_UNREACH)
		atomic_store_explicit(&s->unreach, s->hosts.n_unreach + scan6_n_unreach(s->v6),
				      memory_order_relaxed);
	else
		add(&s->errors_other, 1);
	if (scan6_oom(s->v6))
		atomic_store_explicit(&s->hosts_oom, true, memory_order_relaxed);
	if (s->cfg.report_all || (!s->cfg.keep_stats && res.success && !res.repeat))
		publish(s, &res);
}

void scan_on_frame(void *user, uint64_t ts_ns, const uint8_t *frame, size_t caplen)
{
	struct scan *s = user;
	struct parsed_icmp p;
	enum parse_status ps = parse_frame(rx_linktype(s->rx), frame, caplen, &p);
	uint64_t valid = get(&s->valid);   /* this thread is its only writer */

	if (ps == PARSE_NOT_ICMP && s->v6)
		on_frame6(s, ts_ns, frame, caplen);
	if (ps == PARSE_NOT_ICMP && s->pt.n_onlink)
		on_arp(s, frame, caplen);
	else
		on_parsed(s, ts_ns, ps, &p);
	/* --pcap: the frames accepted as replies (--pcap-all: every frame) */
	if (s->pcap && (s->cfg.pcap_all || get(&s->valid) != valid)) {
		pcapout_write(s->pcap, ts_ns, frame, caplen);
		add(&s->pcap_written, 1);
	}
}

/* --all, at the end: each on-link target that answered ARP but no echo
 * request, as classification arp. */
static void publish_arp_only(struct scan *s)
{
	uint64_t now = clock_realtime_ns();

	for (size_t i = 0; i < s->pt.n_spans && !atomic_load(&s->abandon); i++) {
		const struct path_span *sp = &s->pt.spans[i];
		const struct path *p = &s->pt.paths[sp->path];

		if (p->kind != PATH_ONLINK)
			continue;
		for (uint64_t a = sp->lo; a <= sp->hi; a++) {
			uint64_t v = atomic_load_explicit(path_mac_slot(&s->pt, sp, (uint32_t)a),
							  memory_order_relaxed);
			struct es_result res = {
				.ts_ns = now, .rtt_ns = -1, .saddr = (uint32_t)a,
				.daddr = p->saddr, .responder = (uint32_t)a,
				.classification = ES_CLASS_ARP, .cooldown = 1,
			};

			if (!(v & PATH_MAC_ARP) || hosts_is_up(&s->hosts, (uint32_t)a) ||
			    !ipset_contains(s->cfg.targets, (uint32_t)a))
				continue;
			path_mac_unpack(v, res.mac);
			add(&s->by_class[ES_CLASS_ARP], 1);
			publish(s, &res);
		}
	}
}

/* --all, at the end: an on-link IPv6 target that answered neighbour
 * discovery but no echo request (scan6_each_nd_only), as IPv4's arp. */
static void publish_nd_only(void *ctx, const struct es_result *res)
{
	struct scan *s = ctx;

	add(&s->by_class[ES_CLASS_ARP], 1);
	publish(s, res);
}

void scan_path_parsed(void *user, uint64_t ts_ns, enum parse_status st,
		      const struct parsed_icmp *p)
{
	on_parsed(user, ts_ns, st, p);
}

/* The receive source: the scan's path. */
static int receive(struct scan *s, bool drain)
{
	return s->path->recv(s, s->path_state, drain, s->recv_err, sizeof(s->recv_err));
}

/* Any thread. libpcap closes the descriptor pcap_breakloop writes to when
 * the receiver's last drain goes non-blocking, and the number may be reused
 * at once: so a waker announces itself (wakers) and skips the wakeup once
 * the receiver is draining (it needs none then), while the receiver,
 * having said it drains, waits for wakers already inside. Sequentially
 * consistent on both sides, so one of them always sees the other. */
static void wake_receiver(struct scan *s)
{
	atomic_fetch_add(&s->wakers, 1);
	if (!atomic_load(&s->recv_draining))
		s->path->wake(s, s->path_state);
	atomic_fetch_sub(&s->wakers, 1);
}

static void update_pcap_stats(struct scan *s)
{
	uint64_t recv, drop;

	if (s->path->recv_stats(s, s->path_state, &recv, &drop) == 0) {
		atomic_store_explicit(&s->pcap_recv, recv, memory_order_relaxed);
		atomic_store_explicit(&s->pcap_drop, drop, memory_order_relaxed);
	}
}

/* Hands the statistics gathered so far to the main thread (which asked
 * with rot_req) and starts a new period: only this thread touches hosts. */
static void rotate_if_asked(struct scan *s)
{
	if (!atomic_load(&s->rot_req))
		return;
	hosts_take_stats(&s->hosts, &s->rot_out);
	atomic_store(&s->rot_req, false);
	atomic_store(&s->rot_ack, true);
}

static void *receiver_main(void *arg)
{
	struct scan *s = arg;
	uint64_t last_stats = 0;

	while (!atomic_load(&s->stop_recv)) {
		uint64_t now, news = s->published + get(&s->up) + get(&s->unreach);

		rotate_if_asked(s);

		if (receive(s, false) < 0)
			break;
		/* once per batch, not per reply: results or new hosts to see
		 * (a repeat reply is neither: at full rate waking the main
		 * thread for those costs the sender's CPU a context switch) */
		if (s->published + get(&s->up) + get(&s->unreach) != news)
			notify(s);
		now = rate_now_ns();
		if (now - last_stats > 100000000) {
			update_pcap_stats(s);
			last_stats = now;
		}
	}
	/* pcap_breakloop may leave frames in the buffer: take them too */
	atomic_store(&s->recv_draining, true);
	while (atomic_load(&s->wakers))
		sched_yield();
	if (!atomic_load(&s->abandon))
		receive(s, true);
	if (s->cfg.report_all && s->pt.n_onlink)
		publish_arp_only(s);
	if (s->cfg.report_all && s->v6 && scan6_n_onlink(s->v6))
		scan6_each_nd_only(s->v6, clock_realtime_ns(), publish_nd_only, s, &s->abandon);
	update_pcap_stats(s);
	atomic_store(&s->recv_done, true);
	notify(s);
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Our source addresses, sorted and unique: what replies may be sent to. */
static int collect_sources(struct scan *s)
{
	size_t n = 0, extra = s->cfg.n_sources > 1 ? s->cfg.n_sources : 0;

	s->saddrs = calloc(s->pt.n_paths + extra, sizeof(*s->saddrs));
	if (!s->saddrs)
		return -1;
	for (size_t i = 0; i < s->pt.n_paths; i++)
		if (s->pt.paths[i].kind != PATH_SKIP)
			s->saddrs[n++] = s->pt.paths[i].saddr;
	for (size_t i = 0; i < extra; i++)
		s->saddrs[n++] = s->cfg.sources[i];
	qsort(s->saddrs, n, sizeof(*s->saddrs), cmp_u32);
	s->n_saddrs = 0;
	for (size_t i = 0; i < n; i++)
		if (s->n_saddrs == 0 || s->saddrs[i] != s->saddrs[s->n_saddrs - 1])
			s->saddrs[s->n_saddrs++] = s->saddrs[i];
	return 0;
}

/* A template per path (the SKIP path gets none: nothing is sent on it). */
static int prepare_probes(struct scan *s, char *err, size_t errlen)
{
	size_t np = s->pt.n_paths;
	bool oom = false;

	if (s->path->kernel_routes) {
		/* the kernel builds the headers */
		s->cls = (struct classify_ctx){ .key = &s->key,
						.nprobes = s->cfg.loop ? UINT16_MAX : s->cfg.probes,
						.kernel_ident = true };
		return 0;
	}
	s->params = calloc(np, sizeof(*s->params));
	s->tmpl = calloc(np, sizeof(*s->tmpl));
	s->arp = calloc(np, sizeof(*s->arp));
	for (unsigned i = 0; i < s->n_senders; i++)
		oom |= !(s->senders[i].devs = calloc(s->pt.n_devs ? s->pt.n_devs : 1,
						     sizeof(*s->senders[i].devs)));
	if (oom || !s->params || !s->tmpl || !s->arp || collect_sources(s) < 0) {
		snprintf(err, errlen, "out of memory for %zu paths", np);
		return ES_ENOMEM;
	}
	for (size_t i = 0; i < np; i++) {
		const struct path *p = &s->pt.paths[i];
		const struct path_dev *d = &s->pt.devs[p->dev];
		struct probe_params *pp = &s->params[i];

		if (p->kind == PATH_SKIP)
			continue;
		memcpy(pp->src_mac, d->mac, 6);
		memcpy(pp->dst_mac, p->dst_mac, 6);
		pp->saddr = p->saddr;
		pp->ttl = s->cfg.ttl;
		pp->tos = s->cfg.tos;
		pp->frag = s->cfg.df ? 0x4000 : 0;   /* IP_DF */
		pp->payload_len = s->cfg.payload_len;
		pp->pattern = s->cfg.pattern;
		pp->pattern_len = s->cfg.pattern_len;
		pp->ip_layer = d->link_len == 0;
		/* libnet refuses only what the configuration asked for */
		if (probe_template_build(&s->tmpl[i], pp, &s->key, err, errlen) < 0)
			return ES_EINVAL;
		if (p->kind == PATH_ONLINK &&
		    arp_template_build(&s->arp[i], d->mac, p->saddr, err, errlen) < 0)
			return ES_EINVAL;
	}
	s->simple = s->pt.n_paths == 1 && s->pt.n_devs == 1 &&
		    s->pt.paths[0].kind != PATH_ONLINK && s->pt.paths[0].kind != PATH_SKIP;
	s->cls = (struct classify_ctx){ .key = &s->key, .saddr = s->saddrs[0],
					.nprobes = s->cfg.loop ? UINT16_MAX : s->cfg.probes,
					.saddrs = s->saddrs, .n_saddrs = s->n_saddrs,
					.trace = s->trace_n > 0 };
	return 0;
}

/* Without IPv4 targets: no path table and no IPv4 template, only the
 * classifier's probe bound (the IPv6 side has its own). */
static int prepare_key(struct scan *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->cls = (struct classify_ctx){ .key = &s->key,
					.nprobes = s->cfg.loop ? UINT16_MAX : s->cfg.probes };
	return 0;
}

/* The IPv6 side (scan6.h): raw path only. */
static int open_v6(struct scan *s, char *err, size_t errlen)
{
	struct scan6_config c6 = {
		.targets = s->cfg.targets6, .ifname = s->cfg.ov.ifname,
		.hop_limit = s->cfg.ttl, .payload_len = s->cfg.payload_len,
		.pattern = s->cfg.pattern, .pattern_len = s->cfg.pattern_len,
		.nprobes = s->cfg.loop ? UINT16_MAX : s->cfg.probes,
		.tx = s->cfg.tx, .xdp_mode = s->cfg.xdp_mode,
		.probes_planned = scan_probes_planned(s), .batch_max = BATCH_MAX,
	};

	return scan6_open(&c6, &s->key, &s->v6, err, errlen);
}

/* A resumed scan starts at pass start_position / per_pass, with the
 * permutation already moved past the targets done in that pass. */
static int start_at(struct scan *s, char *err, size_t errlen)
{
	uint64_t pos = s->cfg.start_position;

	if (pos && (s->cfg.loop || pos > s->per_pass * s->cfg.probes)) {
		snprintf(err, errlen, "cannot resume at probe %llu: the scan has %llu",
			 (unsigned long long)pos,
			 (unsigned long long)(s->per_pass * s->cfg.probes));
		return ES_EINVAL;
	}
	atomic_store(&s->position, pos);
	if (pos % s->per_pass && permute_seek(&s->pm, pos % s->per_pass) < 0) {
		snprintf(err, errlen, "out of memory finding the resume position");
		return ES_ENOMEM;
	}
	return 0;
}

/* What a trace needs beyond a sweep; the reach hint is optional (without
 * memory for it every pair is probed). */
static int trace_open(struct scan *s, char *err, size_t errlen)
{
	const struct scan_config *c = &s->cfg;

	if (c->trace_first == 0 || c->trace_first > c->trace_last) {
		snprintf(err, errlen, "trace TTLs %u..%u: give 1 <= first <= last <= 255",
			 c->trace_first, c->trace_last);
		return ES_EINVAL;
	}
	if (c->payload_len < TRACE_PAYLOAD_MIN) {
		snprintf(err, errlen, "trace probes need a payload of at least %d bytes, not %u",
			 TRACE_PAYLOAD_MIN, c->payload_len);
		return ES_EINVAL;
	}
	trace_reach_init(&s->reach, ipset_count(c->targets));
	return 0;
}

/* TX queues of an interface (its /sys/class/net/IF/queues/tx-N), at least 1. */
static unsigned tx_queues(const char *ifname)
{
	char path[64];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%.16s/queues", ifname);
	if (!(d = opendir(path)))
		return 1;
	while ((e = readdir(d)))
		n += strncmp(e->d_name, "tx-", 3) == 0;
	closedir(d);
	return n ? n : 1;
}

/* How many sender threads (split.h): as asked, or chosen from the CPUs,
 * the device's TX queues and the rate; one where the sending needs a single
 * sender: ICMP datagram sockets (one set for the scan), on-link targets (an
 * ARP or neighbour-solicitation round goes before each pass) and trace
 * (targets' distances). */
static unsigned senders_for(const struct scan *s)
{
	unsigned n = s->cfg.sender_threads;

	if (s->path->kernel_routes || s->pt.n_onlink || s->trace_n ||
	    (s->v6 && scan6_n_onlink(s->v6)))
		return 1;
	if (n == SCAN_SENDERS_AUTO) {
		const struct path_dev *one = path_single_dev(&s->pt);
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = split_auto(cpus > 0 ? (unsigned)cpus : 1, one ? tx_queues(one->ifname) : 1,
			       s->cfg.rate);
	}
	return n == 0 ? 1 : n > SPLIT_MAX ? SPLIT_MAX : n;
}

int scan_open(const struct scan_config *cfg, struct scan **out, char *err, size_t errlen)
{
	struct scan *s = calloc(1, sizeof(*s));
	uint64_t n4 = ipset_count(cfg->targets);
	uint64_t n6 = cfg->targets6 ? ip6set_count(cfg->targets6) : 0, n = n4 + n6;
	int rc;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	s->cfg = *cfg;
	s->path = cfg->tx == TX_DGRAM ? &scan_path_dgram : &scan_path_packet;
	s->n4 = n4;
	if (cfg->trace_last) {
		s->trace_n = cfg->trace_last - cfg->trace_first + 1u;
		n *= s->trace_n;
	}
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->wake_fd < 0) {
		rc = es_errno_code(errno);
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(s);
		return rc;
	}
	hosts_init(&s->hosts, cfg->keep_stats);
	hosts_init(&s->rot_out, cfg->keep_stats);
	if (s->trace_n && (rc = trace_open(s, err, errlen)) < 0)
		goto fail;
	if (permute_init(&s->pm, n, cfg->seed, cfg->shards, cfg->shard) < 0) {
		snprintf(err, errlen, "cannot order %llu targets in %u shards",
			 (unsigned long long)n, cfg->shards);
		rc = ES_EINVAL;
		goto fail;
	}
	s->per_pass = permute_shard_size(&s->pm);
	if (cfg->max_targets && cfg->max_targets < s->per_pass)
		s->per_pass = cfg->max_targets;
	if ((rc = start_at(s, err, errlen)) < 0)
		goto fail;
	if (ring_init(&s->ring, RING_RESULTS) < 0) {
		snprintf(err, errlen, "out of memory for the result queue");
		rc = ES_ENOMEM;
		goto fail;
	}
	if (vkey_random(&s->key) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		rc = ES_ESYS;
		goto fail;
	}
	if ((rc = s->path->check(cfg, s->trace_n > 0, err, errlen)) < 0)
		goto fail;
	/* over ICMP datagram sockets the kernel routes every probe itself */
	if (!s->path->kernel_routes && n4 &&
	    (rc = path_table_build(&s->pt, cfg->targets, &cfg->ov,
				   cfg->route_timeout_ms ? cfg->route_timeout_ms : 3000,
				   err, errlen)) < 0)
		goto fail;
	/* the IPv6 paths before the sender count: on-link targets take one */
	if (n6 && (rc = open_v6(s, err, errlen)) < 0)
		goto fail;
	s->n_senders = senders_for(s);
	if (!(s->senders = calloc(s->n_senders, sizeof(*s->senders)))) {
		snprintf(err, errlen, "out of memory");
		rc = ES_ENOMEM;
		goto fail;
	}
	s->n_alloc_senders = s->n_senders;
	for (unsigned i = 0; i < s->n_senders; i++) {
		s->senders[i].s = s;
		s->senders[i].index = i;
	}
	if ((rc = n4 ? prepare_probes(s, err, errlen) : prepare_key(s, err, errlen)) < 0 ||
	    (s->v6 && (rc = scan6_open_tx(s->v6, s->n_senders, err, errlen)) < 0) ||
	    (rc = s->path->open(s, cfg, &s->key, &s->path_state, err, errlen)) < 0)
		goto fail;
	*out = s;
	return ES_OK;
fail:
	scan_close(s);
	return rc;
}

const char *scan_tx_auto(const struct scan *s)
{
	return s->tx_auto[0] ? s->tx_auto : NULL;
}

const char *scan_tx_name(const struct scan *s)
{
	return s->path->tx_name(s, s->path_state);
}

unsigned scan_sender_threads(const struct scan *s)
{
	return s->n_senders;
}

const char *scan_rx_name(const struct scan *s)
{
	return s->path->rx_name(s, s->path_state);
}

int scan_route_of(const struct scan *s, uint32_t daddr, struct route_info *out)
{
	const struct path_span *sp = path_span_of(&s->pt, daddr);
	const struct path *p;
	const struct path_dev *d;

	memset(out, 0, sizeof(*out));
	if (!sp || s->pt.paths[sp->path].kind == PATH_SKIP)
		return -1;
	p = &s->pt.paths[sp->path];
	d = &s->pt.devs[p->dev];
	snprintf(out->ifname, sizeof(out->ifname), "%s", d->ifname);
	out->ifindex = d->ifindex;
	out->saddr = p->saddr;
	out->nexthop = p->nexthop ? p->nexthop : daddr;
	memcpy(out->src_mac, d->mac, 6);
	memcpy(out->dst_mac, p->dst_mac, 6);
	out->linktype = d->linktype;
	out->is_loopback = d->via_ip;
	return 0;
}

uint32_t scan_source(const struct scan *s, uint32_t daddr)
{
	const struct path_span *sp = path_span_of(&s->pt, daddr);

	if (!sp || s->pt.paths[sp->path].kind == PATH_SKIP)
		return 0;
	if (s->cfg.n_sources > 1)
		return scan_pick_source(s, daddr);
	return s->pt.paths[sp->path].saddr;
}

int scan_preload_up(struct scan *s, const uint32_t *addrs, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		hosts_mark_up(&s->hosts, addrs[i]);
	if (s->hosts.oom) {
		snprintf(err, errlen, "out of memory loading %zu hosts already reported", n);
		return -1;
	}
	atomic_store(&s->up, s->hosts.n_up);
	return 0;
}

void scan_set_events(struct scan *s, const struct scan_events *ev)
{
	s->ev = *ev;
}

int scan_want_sent(struct scan *s, char *err, size_t errlen)
{
	if (s->sentq)
		return ES_OK;
	s->sentq = calloc(SENTQ_CAP, sizeof(*s->sentq));
	if (!s->sentq) {
		snprintf(err, errlen, "out of memory for the sent events");
		return ES_ENOMEM;
	}
	return ES_OK;
}

size_t scan_sent_events(struct scan *s, struct scan_sent *out, size_t max)
{
	uint64_t tail = atomic_load_explicit(&s->sentq_tail, memory_order_relaxed);
	uint64_t head = s->sentq ? atomic_load_explicit(&s->sentq_head, memory_order_acquire)
				 : tail;
	size_t n = head - tail < max ? (size_t)(head - tail) : max;

	for (size_t i = 0; i < n; i++)
		out[i] = s->sentq[(tail + i) & (SENTQ_CAP - 1)];
	atomic_store_explicit(&s->sentq_tail, tail + n, memory_order_release);
	return n;
}

uint64_t scan_sent_dropped(const struct scan *s)
{
	return get(&s->sentq_dropped);
}

int scan_start(struct scan *s, char *err, size_t errlen)
{
	int rc = pthread_create(&s->receiver, NULL, receiver_main, s);
	unsigned started = 0;

	if (rc == 0) {
		s->receiver_started = true;
		/* on_sent is called on "the sender thread" (scan.h): one sender */
		if (s->ev.on_sent || s->sentq)
			s->n_senders = 1;
		atomic_store(&s->send_start_ns, rate_now_ns());
		atomic_store(&s->senders_running, s->n_senders);
		for (; started < s->n_senders; started++) {
			struct scan_sender *w = &s->senders[started];

			w->pm = s->pm;   /* the same order, from the resume point */
			atomic_store(&w->position, s->cfg.start_position);
			if ((rc = pthread_create(&w->thread, NULL, sender_main, w)) != 0)
				break;
			w->started = true;
		}
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot start threads: %s", strerror(rc));
		if (s->receiver_started) {
			/* the senders that did start stop; the rest never ran */
			atomic_store(&s->stop_send, true);
			if (atomic_fetch_sub(&s->senders_running, s->n_senders - started) ==
			    s->n_senders - started)
				atomic_store(&s->send_done, true);
		}
		return -1;
	}
	return 0;
}

bool scan_sending(const struct scan *s)
{
	return !atomic_load(&s->send_done);
}

void scan_stop_sending(struct scan *s)
{
	atomic_store(&s->stop_send, true);
}

void scan_stop_receiving(struct scan *s)
{
	uint64_t none = 0;

	atomic_compare_exchange_strong(&s->listen_end_ns, &none, rate_now_ns());
	scan_stop_sending(s);
	atomic_store(&s->stop_recv, true);
	if (s->receiver_started)
		wake_receiver(s);
}

bool scan_receiving(const struct scan *s)
{
	return s->receiver_started && !atomic_load(&s->recv_done);
}

void scan_abandon(struct scan *s)
{
	atomic_store(&s->abandon, true);
	scan_stop_receiving(s);
}

void scan_wait(struct scan *s, uint64_t timeout_ns)
{
	struct pollfd pfd = { s->wake_fd, POLLIN, 0 };
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull),
			       (long)(timeout_ns % 1000000000ull) };
	uint64_t drained;

	atomic_store(&s->waiting, true);
	if (atomic_load(&s->news) == s->news_seen)
		ppoll(&pfd, 1, &ts, NULL);
	atomic_store(&s->waiting, false);
	if (read(s->wake_fd, &drained, sizeof(drained)) < 0) {
		/* EAGAIN: nobody wrote (timeout, or the news came first) */
	}
	s->news_seen = atomic_load(&s->news);
}

int scan_event_fd(const struct scan *s)
{
	return s->wake_fd;
}

bool scan_event_rearm(struct scan *s)
{
	uint64_t drained, news;
	bool had;

	if (read(s->wake_fd, &drained, sizeof(drained)) < 0) {
		/* EAGAIN: not readable */
	}
	/* sequentially consistent, as in scan_wait: news after this store
	 * writes the descriptor; news before it shows in the count */
	atomic_store(&s->waiting, true);
	news = atomic_load(&s->news);
	had = news != s->news_seen;
	s->news_seen = news;
	return had;
}

void scan_event_poke(struct scan *s)
{
	uint64_t one = 1;

	if (write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: readable already */
	}
}

size_t scan_results(struct scan *s, struct es_result *out, size_t max)
{
	return ring_pop(&s->ring, out, max);
}

void scan_counters(const struct scan *s, struct scan_counters *c)
{
	*c = (struct scan_counters){
		.total = s->per_pass * s->cfg.probes,
		.valid = get(&s->valid), .invalid = get(&s->invalid),
		.up = get(&s->up), .unreach = get(&s->unreach),
		.errors_other = get(&s->errors_other),
		.pcap_recv = get(&s->pcap_recv), .pcap_drop = get(&s->pcap_drop),
		.send_start_ns = get(&s->send_start_ns),
		.send_end_ns = get(&s->send_end_ns),
		.passes_started = get(&s->passes_started),
		.pass_sent = get(&s->pass_sent), .per_pass = s->per_pass,
		.position = get(&s->position),
		.listen_end_ns = get(&s->listen_end_ns),
		.rtt_max_ns = get(&s->rtt_max),
	};
	for (unsigned i = 0; i < INVALID_COUNT; i++)
		c->invalid_why[i] = get(&s->invalid_why[i]);
	for (unsigned i = 0; s->senders && i < s->n_senders; i++) {
		c->sent += get(&s->senders[i].frames);
		c->send_errors += get(&s->senders[i].errors);
		if (get(&s->senders[i].behind_ns) > c->behind_max_ns)
			c->behind_max_ns = get(&s->senders[i].behind_ns);
	}
	if (s->senders && s->n_senders > 1) {
		uint64_t pos[SPLIT_MAX];

		for (unsigned i = 0; i < s->n_senders; i++)
			pos[i] = get(&s->senders[i].position);
		c->position = split_position(pos, s->n_senders);
		split_progress(c->position, s->per_pass, &c->passes_started, &c->pass_sent);
	}
	c->pcap_written = get(&s->pcap_written);
	c->hosts_oom = atomic_load_explicit(&s->hosts_oom, memory_order_relaxed);
	for (int i = 0; i < ES_CLASS_COUNT; i++)
		c->by_class[i] = get(&s->by_class[i]);
	c->arp_sent = get(&s->arp_sent);
	/* sent counts echo requests; ARP requests are counted apart. The
	 * sender adds to arp_sent as it commits ARP requests but publishes its
	 * frame count later: until then the difference would wrap around */
	c->sent = c->sent > c->arp_sent ? c->sent - c->arp_sent : 0;
	c->arp_resolved = get(&s->arp_resolved);
}

int scan_finish(struct scan *s, char *err, size_t errlen)
{
	scan_stop_sending(s);
	for (unsigned i = 0; s->senders && i < s->n_senders; i++)
		if (s->senders[i].started) {
			pthread_join(s->senders[i].thread, NULL);
			s->senders[i].started = false;
		}
	if (s->receiver_started) {
		if (!atomic_load(&s->recv_done))
			scan_abandon(s);
		pthread_join(s->receiver, NULL);
		s->receiver_started = false;
	}
	if (s->pcap) {   /* the receiver, its only writer, has ended */
		char perr[256];

		if (pcapout_close(s->pcap, perr, sizeof(perr)) < 0 && !s->recv_err[0])
			snprintf(s->recv_err, sizeof(s->recv_err), "%s", perr);
		s->pcap = NULL;
	}
	for (unsigned i = 0; s->senders && i < s->n_senders; i++)
		if (s->senders[i].err[0]) {
			snprintf(err, errlen, "%s", s->senders[i].err);
			return -1;
		}
	if (s->recv_err[0]) {
		snprintf(err, errlen, "%s", s->recv_err);
		return -1;
	}
	return 0;
}

int scan_rotate_stats(struct scan *s, struct hosts *out, int timeout_ms)
{
	uint64_t until = rate_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	atomic_store(&s->rot_ack, false);
	atomic_store(&s->rot_req, true);
	wake_receiver(s);
	while (!atomic_load(&s->rot_ack)) {
		if (!scan_receiving(s) || rate_now_ns() > until) {
			atomic_store(&s->rot_req, false);
			return -1;
		}
		rate_wait(200000);
	}
	hosts_take_stats(&s->rot_out, out);
	return 0;
}

const struct hosts *scan_hosts(const struct scan *s)
{
	return &s->hosts;
}

void scan_close(struct scan *s)
{
	char err[8];

	if (!s)
		return;
	scan_finish(s, err, sizeof(err));
	s->path->close(s, s->path_state);
	for (unsigned i = 0; s->senders && i < s->n_alloc_senders; i++)
		free(s->senders[i].devs);
	free(s->senders);
	free(s->sentq);
	free(s->params);
	free(s->tmpl);
	free(s->arp);
	free(s->saddrs);
	path_table_free(&s->pt);
	ring_free(&s->ring);
	hosts_free(&s->hosts);
	hosts_free(&s->rot_out);
	trace_reach_free(&s->reach);
	close(s->wake_fd);
	free(s);
}
