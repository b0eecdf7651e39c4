/*
 * tx_impl.h — engine-internal: what tx.c shares with the send backends
 * (tx_ring.c, tx_mmsg.c, tx_libnet.c, tx_xdp.c). Each backend supplies one const
 * table of operations, like redis's ae_epoll.c / ae_kqueue.c; tx.c owns the
 * struct tx, does the checks common to all backends and dispatches.
 */
#ifndef ECHOSCAN_TX_IMPL_H
#define ECHOSCAN_TX_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "echoscan.h"
#include "engine/tx.h"

#define TX_ERR_LEN 256
/* How long a full device queue may keep refusing frames before a commit
 * gives up on the batch. */
#define TX_STALL_MS 1000

struct tx_ops {
	const char *name;
	/* Sets up tx->be; on failure returns a negative enum es_error
	 * (echoscan.h; tx_sys_error gives it for a failed call) with err set
	 * and leaves nothing open (close is not called). */
	int (*open)(struct tx *tx, const struct tx_config *cfg, char *err,
		    size_t errlen);
	/* A backend sends in one of two ways, and fills only its own:
	 * - frame slots (ring, mmsg, raw, AF_XDP): begin waits (poll, at
	 *   most timeout_ms) for free slots and returns how many (1..want)
	 *   it wrote to slots[] (frame_len bytes each), 0 on timeout, -1 on
	 *   error; commit queues and sends the first n of them. tx.c runs
	 *   tx_send_probes over these, stamping into the slots.
	 * - whole batches (libnet): send_probes does what tx_send_probes
	 *   says, building each frame itself (begin and commit NULL). */
	int (*begin)(struct tx *tx, unsigned want, uint8_t **slots,
		     int timeout_ms);
	int (*commit)(struct tx *tx, unsigned n);
	long (*send_probes)(struct tx *tx, const struct tx_batch *b,
			    unsigned first, int timeout_ms);
	int (*flush)(struct tx *tx, int timeout_ms);
	void (*close)(struct tx *tx);
};

struct tx {
	const struct tx_ops *ops;
	char ifname[32];
	int ifindex;
	size_t frame_len;
	unsigned batch_max;
	bool ip_layer;            /* SOCK_DGRAM: frames are IP packets */
	struct tx_stats st;
	void *be;                 /* backend state, owned by the backend */
	char err[TX_ERR_LEN];     /* last error, see tx_last_error */
};

extern const struct tx_ops tx_ring_ops;
extern const struct tx_ops tx_mmsg_ops;
extern const struct tx_ops tx_libnet_ops;
extern const struct tx_ops tx_raw_ops;
extern const struct tx_ops tx_xdp_ops;

/* An AF_PACKET socket (SOCK_RAW, or SOCK_DGRAM for an ip_layer device)
 * with protocol 0 (so it never queues received
 * frames), bound to ifindex, with PACKET_QDISC_BYPASS on. Returns the fd or
 * a negative enum es_error with err set (EPERM is reported as the missing
 * capability, ES_EPERM). */
int tx_packet_socket(const struct tx *tx, char *err, size_t errlen);
/* Fills err for a failed socket()/setsockopt() call named what and returns
 * the enum es_error for errnum (ES_EPERM, ES_ENODEV, ... see errcode.h). */
int tx_sys_error(char *err, size_t errlen, const char *ifname,
		 const char *what, int errnum);
/* Sends the n prepared messages on fd with sendmmsg, counting them in
 * tx->st: a full device queue is waited out (up to TX_STALL_MS, then -1
 * naming the rate as the fix), a frame the kernel refuses alone (no route,
 * too big) is counted as an error and skipped, a dead socket or device
 * gives -1 with tx->err set. Returns 0 or -1. */
int tx_sendmmsg_all(struct tx *tx, int fd, struct mmsghdr *msgs, unsigned n);
/* Monotonic milliseconds, for poll deadlines. */
int64_t tx_now_ms(void);

#endif
