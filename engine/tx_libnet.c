/*
 * tx_libnet.c — the libnet backend, the reference send path: every frame is
 * rebuilt with libnet (ptag updates of the ICMP, IPv4 and Ethernet layers)
 * and written with libnet_write, one syscall per frame. Slow (~0.25 Mpps),
 * but it sends exactly what libnet builds, which makes it the yardstick for
 * the stamped fast paths. It takes whole batches (send_probes), no slots.
 */
#include "engine/tx_impl.h"
#include "engine/clock.h"
#include "engine/errcode.h"
#include "engine/probe_libnet.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct lnet {
	libnet_t *l;
	struct vkey key;
	struct probe_ptags tags;
};

/* LIBNET_LINK opens an unbound ETH_P_ALL socket, which would queue a copy
 * of every frame the host receives: a filter that accepts nothing stops
 * that, and what arrived before it is drained. */
static int drop_all_input(int fd)
{
	struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = code };
	char junk[64];

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0)
		return -1;
	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
	return 0;
}

/* Why libnet_init failed, as a code: its errno is not reliable (its
 * clean-up closes the socket it failed to open, leaving EBADF) and its text
 * is not ours to parse, so ask the kernel the question libnet asked first,
 * a packet socket (only on this failure path). */
static int lnet_init_error(struct tx *tx, const char *lerr, char *err,
			   size_t errlen)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int e = fd < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	if (e == EPERM || e == EACCES)
		return tx_sys_error(err, errlen, tx->ifname, "libnet_init", e);
	snprintf(err, errlen, "%s: libnet_init failed: %s", tx->ifname, lerr);
	return e ? es_errno_code(e) : ES_ESYS;
}

static int lnet_init(struct tx *tx, struct lnet *b, char *err, size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE] = "";

	b->l = libnet_init(LIBNET_LINK, tx->ifname, lerr);
	if (!b->l)
		return lnet_init_error(tx, lerr, err, errlen);
	if (drop_all_input(libnet_getfd(b->l)) < 0) {
		int rc = tx_sys_error(err, errlen, tx->ifname,
				      "setsockopt(SO_ATTACH_FILTER)", errno);

		libnet_destroy(b->l);
		return rc;
	}
	return 0;
}

static int lnet_open(struct tx *tx, const struct tx_config *cfg, char *err,
		     size_t errlen)
{
	struct lnet *b = calloc(1, sizeof(*b));
	int rc;

	if (!b) {
		snprintf(err, errlen, "tx libnet: out of memory");
		return ES_ENOMEM;
	}
	b->key = *cfg->key;
	if ((rc = lnet_init(tx, b, err, errlen)) < 0) {
		free(b);
		return rc;
	}
	tx->be = b;
	return 0;
}

/* No slots here: every frame is built by libnet from the target's
 * parameters and written with libnet_write, or, for frames complete as
 * stamped (b->params NULL: ARP requests), stamped into a scratch buffer
 * and written with libnet_write_link. Never waits: libnet_write returns
 * once the kernel holds the frame. */
static long lnet_send_probes(struct tx *tx, const struct tx_batch *b, unsigned first,
			     int timeout_ms)
{
	struct lnet *ln = tx->be;
	uint64_t ts = clock_realtime_ns();
	uint8_t frame[PROBE_FRAME_MAX];
	uint8_t *slot = frame;
	int rc;

	(void)timeout_ms;
	for (unsigned i = first; i < b->n; i++) {
		if (b->params) {
			struct probe_params p;
			struct probe_fields f = { b->daddr[i], b->probe, ts };

			b->params(b->user, i, ts, &p);
			if (probe_libnet_build(ln->l, &p, &ln->key, &f, &ln->tags,
					       tx->err, sizeof(tx->err)) < 0)
				return -1;   /* it has reset the context and tags */
			rc = libnet_write(ln->l);
		} else {
			b->stamp(b->user, i, 1, ts, &slot);
			rc = libnet_write_link(ln->l, frame, (uint32_t)tx->frame_len);
		}
		if (rc < 0)
			tx->st.errors++;
		else
			tx->st.frames++;
	}
	return (long)(b->n - first);
}

static int lnet_flush(struct tx *tx, int timeout_ms)
{
	(void)tx;
	(void)timeout_ms;
	return 0;    /* libnet_write returns once the kernel holds the frame */
}

static void lnet_close(struct tx *tx)
{
	struct lnet *b = tx->be;

	libnet_destroy(b->l);
	free(b);
	tx->be = NULL;
}

const struct tx_ops tx_libnet_ops = {
	.name = "libnet",
	.open = lnet_open,
	.send_probes = lnet_send_probes,
	.flush = lnet_flush,
	.close = lnet_close,
};
