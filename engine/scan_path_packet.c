/*
 * scan_path_packet.c — the scan's packet path (scan_path.h): its IPv4
 * probes stamped into a template per path and sent by a backend per
 * interface and sender thread (tx.h: ring, sendmmsg, AF_XDP, libnet; a raw
 * socket for lo), its replies captured (rx.h: libpcap, or AF_XDP with
 * --rx xdp, which AF_XDP sending then shares). Opening chooses each
 * interface's backend (--tx auto) and needs CAP_NET_RAW; the IPv6 side's
 * backends (scan6.h) close with these. The state is the scan's own
 * (scan_impl.h): the senders' devices, the capture, the --pcap file.
 */
#include "engine/scan_path.h"

#include <net/if_arp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echoscan.h"
#include "engine/pcapout.h"
#include "engine/rx.h"
#include "engine/scan6.h"
#include "engine/scan_impl.h"
#include "engine/tx.h"
#include "engine/xdp_dev.h"

/* What the two callbacks of a device's tx_batch (tx.h) read. */
struct dev_batch {
	struct scan *s;
	struct scan_dev *d;
	uint16_t probe;
};

/* tx_batch.stamp: the probes of d's targets first..first+k-1 into the
 * backend's slots, with send time ts. */
static void stamp_probes(void *user, unsigned first, unsigned k, uint64_t ts,
			 uint8_t *const *slots)
{
	const struct dev_batch *db = user;
	struct scan *s = db->s;
	const struct scan_dev *d = db->d;

	if (s->sentq)
		scan_sent_push(s, d->addr + first, k, db->probe, ts);
	if (s->trace_n)
		for (unsigned i = 0; i < k; i++)
			trace_stamp(s->simple ? &s->tmpl[0] : d->tmpl[first + i],
				    d->addr[first + i], d->ttl[first + i], ts, slots[i]);
	else if (s->simple)
		probe_stamp_batch(&s->tmpl[0], d->addr + first, k, db->probe, ts, slots);
	else
		probe_stamp_multi(d->tmpl + first, d->addr + first, k, db->probe, ts, slots);
	for (unsigned i = 0; i < k && !s->simple; i++)
		if (d->mac[first + i])
			path_mac_unpack(d->mac[first + i], slots[i]);
	for (unsigned i = 0; i < k && s->cfg.n_sources > 1; i++)
		probe_set_source(s->simple ? &s->tmpl[0] : d->tmpl[first + i], slots[i],
				 scan_pick_source(s, d->addr[first + i]));
}

/* tx_batch.params: target i's probe as a whole, for backends that build
 * each frame themselves. */
static void probe_params_of(void *user, unsigned i, uint64_t ts, struct probe_params *p)
{
	const struct dev_batch *db = user;
	struct scan *s = db->s;
	const struct scan_dev *d = db->d;

	if (s->sentq)
		scan_sent_push(s, d->addr + i, 1, db->probe, ts);
	*p = s->params[s->simple ? 0 : d->path[i]];
	if (!s->simple && d->mac[i])
		path_mac_unpack(d->mac[i], p->dst_mac);
	if (s->cfg.n_sources > 1)
		p->saddr = scan_pick_source(s, d->addr[i]);
}

static int send_dev(struct scan_sender *w, struct scan_dev *d, uint16_t probe, char *err,
		    size_t errlen)
{
	struct scan *s = w->s;
	struct dev_batch db = { s, d, probe };
	const struct tx_batch b = { .n = d->n, .daddr = d->addr, .probe = probe,
				    .stamp = stamp_probes, .params = probe_params_of,
				    .user = &db };
	unsigned done = 0;
	int rc = 0;

	while (done < d->n) {
		long k = tx_send_probes(d->tx, &b, done, 100);

		if (k < 0) {
			rc = -1;
			break;
		}
		if (k == 0 && atomic_load(&s->stop_send))
			break;
		done += (unsigned)k;
	}
	if (rc < 0)
		snprintf(err, errlen, "sending on %s: %s",
			 s->pt.devs[d - w->devs].ifname, tx_last_error(d->tx));
	d->n = 0;
	return rc;
}

/* The packet path's send (scan_path.h): sorts the targets to their
 * interfaces and sends them. Targets that are not probed (broadcast, an
 * on-link host whose MAC is unknown) are left out. */
static long packet_send(struct scan *s, void *state, unsigned sender, const uint32_t *addrs,
			const uint8_t *ttls, unsigned n, uint16_t probe, char *err,
			size_t errlen)
{
	struct scan_sender *w = &s->senders[sender];
	long sent = 0;

	(void)state;
	if (s->simple) {
		memcpy(w->devs[0].addr, addrs, n * sizeof(*addrs));
		if (ttls)
			memcpy(w->devs[0].ttl, ttls, n);
		w->devs[0].n = n;
		sent = send_dev(w, &w->devs[0], probe, err, errlen) < 0 ? -1 : (long)n;
		if (sent > 0)
			scan_path_sent(s, sender, addrs, n, probe);
		return sent;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct path_span *sp = path_span_of(&s->pt, addrs[i]);
		const struct path *p;
		struct scan_dev *d;
		uint64_t mac = 0;

		if (!sp)
			continue;
		p = &s->pt.paths[sp->path];
		if (p->kind == PATH_SKIP)
			continue;
		if (p->kind == PATH_ONLINK) {
			mac = atomic_load_explicit(path_mac_slot(&s->pt, sp, addrs[i]),
						   memory_order_relaxed);
			if (!mac)
				continue;
		}
		d = &w->devs[p->dev];
		d->addr[d->n] = addrs[i];
		d->path[d->n] = sp->path;
		d->mac[d->n] = mac;
		d->tmpl[d->n] = &s->tmpl[sp->path];
		d->ttl[d->n] = ttls ? ttls[i] : 0;
		d->n++;
	}
	for (size_t k = 0; k < s->pt.n_devs; k++) {
		unsigned m = w->devs[k].n;

		if (m && send_dev(w, &w->devs[k], probe, err, errlen) < 0)
			return -1;
		scan_path_sent(s, sender, w->devs[k].addr, m, probe);
		sent += m;
	}
	return sent;
}

static void packet_send_stats(const struct scan *s, const void *state, unsigned sender,
			      uint64_t *frames, uint64_t *errors)
{
	const struct scan_sender *w = &s->senders[sender];
	struct tx_stats st;

	(void)state;
	*frames = *errors = 0;
	for (size_t i = 0; w->devs && i < s->pt.n_devs; i++) {
		if (!w->devs[i].tx)
			continue;
		tx_get_stats(w->devs[i].tx, &st);
		*frames += st.frames;
		*errors += st.errors;
	}
}

/* The packet path's receive source: the capture (or AF_XDP receiver). */
static int packet_recv(struct scan *s, void *state, bool drain, char *err, size_t errlen)
{
	(void)state;
	if (drain)
		return rx_drain(s->rx, scan_on_frame, s, err, errlen);
	return rx_dispatch(s->rx, scan_on_frame, s, err, errlen);
}

static void packet_wake(struct scan *s, void *state)
{
	(void)state;
	rx_breakloop(s->rx);
}

static int packet_recv_stats(struct scan *s, void *state, uint64_t *received,
			     uint64_t *dropped)
{
	(void)state;
	return rx_stats(s->rx, received, dropped);
}

/* Room for every reply the scan can provoke, within bounds: the kernel
 * zeroes the whole ring at start (~3 ms per MiB here), which a small scan
 * should not pay for 64 MiB. */
static size_t rx_buffer_for(const struct scan *s)
{
	uint64_t replies = scan_probes_planned(s);

	if (s->cfg.rx_buffer_bytes)
		return s->cfg.rx_buffer_bytes;
	if (replies > RX_BUFFER_MAX / 512)
		return RX_BUFFER_MAX;
	return replies * 512 < RX_BUFFER_MIN ? RX_BUFFER_MIN : (size_t)replies * 512;
}

/* Notes --tx auto's choice for the summary and -m (several interfaces:
 * one note each, "; " between). */
__attribute__((format(printf, 2, 3)))
static void note_auto(struct scan *s, const char *fmt, ...)
{
	size_t used = strlen(s->tx_auto);
	va_list ap;

	if (used && used + 2 < sizeof(s->tx_auto)) {
		memcpy(s->tx_auto + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	if (used < sizeof(s->tx_auto))
		vsnprintf(s->tx_auto + used, sizeof(s->tx_auto) - used, fmt, ap);
	va_end(ap);
}

/* The backend for device k: what --tx says; for --tx auto sendmmsg for a
 * small job, else AF_XDP where xdp_dev_auto's rule allows it (see
 * echoscan.1, --tx), else the ring (tx.c's TX_AUTO, sendmmsg without it). */
static enum tx_kind dev_kind(struct scan *s, size_t k)
{
	const struct path_dev *d = &s->pt.devs[k];
	struct xdp_auto_in in = { .ifname = d->ifname };
	char why[160];

	if (s->cfg.tx != TX_AUTO)
		return s->cfg.tx;
	if (scan_probes_planned(s) <= SMALL_JOB)
		return TX_MMSG;
	if (d->via_ip)
		return TX_AUTO;
	in.ethernet = d->linktype == ARPHRD_ETHER && d->link_len == PROBE_ETH_LEN;
	in.ipv6 = s->v6 != NULL;
	in.features_known = in.ethernet && xdp_dev_features(d->ifindex, &in.features) == 0;
	in.queues = xdp_dev_queues(d->ifname, false);
	in.senders = s->n_senders;
	if (xdp_dev_auto(&in, why, sizeof(why)))
		return TX_XDP;
	note_auto(s, "packet ring (%s)", why);
	return TX_AUTO;
}

/* A send backend for every interface some path uses (kinds[k]), for every
 * sender; with shared, device k's AF_XDP backends use the receiver's
 * sockets. --tx auto falls back from AF_XDP to the ring on any failure. */
static int open_txs(struct scan *s, enum tx_kind *kinds, const struct xdp_txq *shared,
		    unsigned n_shared, char *err, size_t errlen)
{
	for (size_t k = 0; k < s->pt.n_devs; k++) {
		const struct path_dev *d = &s->pt.devs[k];
		struct tx_config tc = {
			.kind = kinds[k],
			.ifname = d->ifname,
			.frame_len = d->link_len + PROBE_IP_LEN + PROBE_ICMP_LEN +
				     s->cfg.payload_len,
			.batch_max = BATCH_MAX, .key = &s->key,
			.ip_layer = d->link_len == 0, .ip_raw = d->via_ip,
			/* --tx auto: copy mode only (see echoscan.1) */
			.xdp_mode = s->cfg.tx == TX_AUTO ? TX_XDP_COPY : s->cfg.xdp_mode,
			.xdp_shared = kinds[k] == TX_XDP ? shared : NULL,
			.n_xdp_shared = kinds[k] == TX_XDP && shared ? n_shared : 0,
		};
		bool used = false;
		int rc;

		for (size_t i = 0; i < s->pt.n_paths; i++)
			used |= s->pt.paths[i].dev == k && s->pt.paths[i].kind != PATH_SKIP;
		if (!used)
			continue;
		/* each sender its own backend (its own socket and ring) */
		for (unsigned i = 0; i < s->n_senders; i++) {
			struct scan_dev *sd = &s->senders[i].devs[k];

			/* AF_XDP: a device queue takes one socket, so the
			 * senders take turns over the queues */
			tc.xdp_queue_first = i;
			tc.xdp_queue_stride = s->n_senders;
			rc = tx_open(&tc, &sd->tx, err, errlen);
			if (rc < 0 && s->cfg.tx == TX_AUTO && tc.kind == TX_XDP) {
				/* not an error: the ring, for every sender */
				note_auto(s, "packet ring (%s: AF_XDP set-up failed: %s)",
					  d->ifname, err);
				for (unsigned j = 0; j < i; j++) {
					tx_close(s->senders[j].devs[k].tx);
					s->senders[j].devs[k].tx = NULL;
				}
				kinds[k] = tc.kind = TX_AUTO;
				tc.xdp_shared = NULL;
				tc.n_xdp_shared = 0;
				i = (unsigned)-1;   /* again from sender 0 */
				continue;
			}
			if (rc < 0)
				return rc;
		}
		if (s->cfg.tx == TX_AUTO && tc.kind == TX_XDP)
			note_auto(s, "AF_XDP (%s: native XDP, %s)", d->ifname,
				  tx_name(s->senders[0].devs[k].tx));
	}
	return 0;
}

/* The receiver and the send backends. AF_XDP sending with --rx xdp: the
 * receiver first, its sockets (one per queue) get a TX ring each, and the
 * senders use those: a device queue takes one AF_XDP socket (or sockets
 * sharing one UMEM), and one socket with both rings is the simplest form. */
static int open_rx_txs(struct scan *s, struct rx_config *rcfg, enum tx_kind *kinds,
		       size_t one, char *err, size_t errlen)
{
	struct xdp_txq shared[XDP_SHARED_MAX];
	unsigned n_shared;
	int rc;

	if (!rcfg->xdp || s->pt.n_devs == 0 || kinds[one] != TX_XDP ||
	    strcmp(rcfg->ifname, s->pt.devs[one].ifname) != 0) {
		if ((rc = open_txs(s, kinds, NULL, 0, err, errlen)) < 0)
			return rc;
		return rx_open(rcfg, &s->rx, err, errlen);
	}
	rcfg->xdp_tx = true;
	rcfg->xdp_copy_only = s->cfg.tx == TX_AUTO || s->cfg.xdp_mode == TX_XDP_COPY;
	rcfg->xdp_zerocopy_only = s->cfg.tx != TX_AUTO && s->cfg.xdp_mode == TX_XDP_ZEROCOPY;
	rc = rx_open(rcfg, &s->rx, err, errlen);
	if (rc < 0 && s->cfg.tx == TX_AUTO) {
		note_auto(s, "packet ring (%s: AF_XDP set-up failed: %s)",
			  s->pt.devs[one].ifname, err);
		kinds[one] = TX_AUTO;
		rcfg->xdp_tx = rcfg->xdp_copy_only = false;
		if ((rc = open_txs(s, kinds, NULL, 0, err, errlen)) < 0)
			return rc;
		return rx_open(rcfg, &s->rx, err, errlen);
	}
	if (rc < 0)
		return rc;
	n_shared = rx_xdp_txqs(s->rx, shared, XDP_SHARED_MAX);
	return open_txs(s, kinds, shared, n_shared, err, errlen);
}

static int open_io(struct scan *s, char *err, size_t errlen)
{
	const struct path_dev *one = path_single_dev(&s->pt);
	enum tx_kind *kinds;
	struct rx_config rcfg = {
		/* several interfaces: the "any" device (Linux cooked capture) */
		.ifname = one ? one->ifname : "any",
		.saddrs = s->saddrs, .n_saddrs = s->n_saddrs,
		/* .saddr6 below: our IPv6 sources */
		.arp = s->pt.n_onlink > 0,
		.buffer_bytes = rx_buffer_for(s),
		.timeout_ms = RX_TIMEOUT_MS,
		/* errors quote our whole probe: room for two IP headers with options */
		.snaplen = 16 + 60 + 8 + 60 + 8 + s->cfg.payload_len,
		.xdp = s->cfg.rx_xdp,
	};
	int rc;

	/* IPv6 only: its interface; IPv4 and IPv6 apart, or IPv6 on several
	 * interfaces: every interface */
	if (s->v6) {
		const char *if6 = scan6_ifname(s->v6);

		rcfg.n_saddrs6 = scan6_sources(s->v6, &rcfg.saddr6);
		if (s->n4 == 0 && if6)
			rcfg.ifname = if6;
		else if (!if6 || strcmp(rcfg.ifname, if6) != 0)
			rcfg.ifname = "any";
	}
	kinds = calloc(s->pt.n_devs ? s->pt.n_devs : 1, sizeof(*kinds));
	if (!kinds) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	for (size_t k = 0; k < s->pt.n_devs; k++)
		kinds[k] = dev_kind(s, k);
	rc = open_rx_txs(s, &rcfg, kinds, one ? (size_t)(one - s->pt.devs) : 0, err, errlen);
	free(kinds);
	if (rc < 0)
		return rc;
	if (s->cfg.pcap_path) {
		s->pcap = pcapout_open(s->cfg.pcap_path, rx_linktype(s->rx), rcfg.snaplen,
				       err, errlen);
		if (!s->pcap)
			return ES_ESYS;
	}
	return ES_OK;
}

/* The packet path's open (scan_path.h): the state is the scan's own. */
static int packet_open(struct scan *s, const struct scan_config *c, const struct vkey *key,
		       void **state, char *err, size_t errlen)
{
	(void)c;
	(void)key;
	*state = NULL;
	return open_io(s, err, errlen);
}

/* What the packet path cannot do: a trace through a backend that builds
 * each frame itself (its TTLs and payload are stamped per probe). */
static int packet_check(const struct scan_config *c, bool trace, char *err, size_t errlen)
{
	if (trace && c->tx == TX_LIBNET) {
		snprintf(err, errlen, "trace needs the raw path with stamped frames "
			 "(CAP_NET_RAW; --tx auto, ring or mmsg), not --tx libnet");
		return ES_EINVAL;
	}
	return ES_OK;
}

static const char *packet_tx_name(const struct scan *s, const void *state)
{
	const char *name = "none";

	(void)state;
	/* lo's raw socket is named only when it is the one backend in use */
	for (size_t i = s->pt.n_devs; s->senders && s->senders[0].devs && i-- > 0; )
		if (s->senders[0].devs[i].tx &&
		    (!s->pt.devs[i].via_ip || !strcmp(name, "none")))
			name = tx_name(s->senders[0].devs[i].tx);
	if (s->v6 && !strcmp(name, "none"))
		name = scan6_tx_name(s->v6);
	return name;
}

static const char *packet_rx_name(const struct scan *s, const void *state)
{
	(void)state;
	return s->rx ? rx_name(s->rx) : "none";
}

static void *close_txs_main(void *arg)
{
	struct scan *s = arg;

	for (size_t k = 0; s->senders && k < s->n_alloc_senders; k++)
		for (size_t i = 0; s->senders[k].devs && i < s->pt.n_devs; i++)
			if (s->senders[k].devs[i].tx)
				tx_close(s->senders[k].devs[i].tx);
	scan6_close(s->v6);
	s->v6 = NULL;
	return NULL;
}

/* The packet path's close (with the IPv6 side's backends, which share its
 * waits). Closing a packet socket waits for an RCU grace period in the
 * kernel (the capture's two, one before and one after its ring goes):
 * ~10-30 ms each here, a small job's largest cost; closes at once share
 * their waits. */
static void packet_close(struct scan *s, void *state)
{
	pthread_t closer;

	(void)state;
	if ((s->senders || s->v6) && pthread_create(&closer, NULL, close_txs_main, s) == 0) {
		rx_close(s->rx);
		pthread_join(closer, NULL);
	} else {
		close_txs_main(s);
		rx_close(s->rx);
	}
}

const struct scan_path_ops scan_path_packet = {
	.kernel_routes = false,
	.check = packet_check,
	.open = packet_open,
	.send = packet_send,
	.send_stats = packet_send_stats,
	.recv = packet_recv,
	.wake = packet_wake,
	.recv_stats = packet_recv_stats,
	.tx_name = packet_tx_name,
	.rx_name = packet_rx_name,
	.close = packet_close,
};

