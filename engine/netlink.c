/*
 * netlink.c — one rtnetlink request and its answers (see netlink.h).
 */
#include "engine/netlink.h"
#include "engine/errcode.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Large enough for a dump's multipart batches (the kernel sizes them to
 * the reader's page-sized buffers or more). */
#define NETLINK_BUF 32768

int netlink_open(const char *who, char *err, size_t errlen)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: netlink socket: %s", who, strerror(e));
		return es_errno_code(e);
	}
	return fd;
}

static int read_answers(int fd, unsigned seq, netlink_cb cb, void *ctx)
{
	char buf[NETLINK_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		unsigned left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPROTO;
		left = (unsigned)n;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			int rc;

			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error;   /* 0: an ack */
			}
			rc = cb(nh, ctx);
			if (rc < 0)
				return rc;
			if (!(nh->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

int netlink_talk(int fd, struct nlmsghdr *req, netlink_cb cb, void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return read_answers(fd, req->nlmsg_seq, cb, ctx);
}

bool netlink_neigh_decode(const struct nlmsghdr *nh, struct netlink_neigh *out)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nd));

	if (nh->nlmsg_type != RTM_NEWNEIGH || len < 0 || nd->ndm_family != AF_INET)
		return false;
	*out = (struct netlink_neigh){ .ifindex = nd->ndm_ifindex,
				       .state = nd->ndm_state };
	rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 4)
			memcpy(&out->addr, RTA_DATA(rta), 4);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			out->mac = RTA_DATA(rta);
	}
	return true;
}
