/*
 * neigh.c — the on-link MAC table (see neigh.h) and its prefill from the
 * kernel's neighbour table over rtnetlink.
 *
 * Values: where a Judy word holds 64 bits (LP64), one JudyL maps the address
 * to the MAC with bit 48 set, so a fresh slot (value 0) is told from a known
 * one without a second lookup. Where a word is 32-bit, the low 32 bits of
 * the MAC live in `mac` and bits 32..47 (with bit 16 set) in `mac_hi`.
 * Judy's functions are called directly (not its macros, which exit(1) on an
 * allocation failure): a failure only sets `oom`.
 */
#include "engine/neigh.h"

#include "engine/errcode.h"
#include "engine/netlink.h"

#include <Judy.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WIDE_WORD (sizeof(Word_t) >= 8)
#define PRESENT64 ((uint64_t)1 << 48)
#define PRESENT16 ((Word_t)1 << 16)
#define NUD_WANTED (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

static uint64_t mac_to_u64(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

static void u64_to_mac(uint64_t v, uint8_t mac[6])
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		mac[i] = (uint8_t)v;
}

void neigh_init(struct neigh_table *t)
{
	*t = (struct neigh_table){ 0 };
}

void neigh_free(struct neigh_table *t)
{
	JudyLFreeArray((PPvoid_t)&t->mac, PJE0);
	JudyLFreeArray((PPvoid_t)&t->mac_hi, PJE0);
	t->n = 0;
}

static enum neigh_insert_result oom(struct neigh_table *t)
{
	t->oom = true;
	return NEIGH_OOM;
}

/* LP64: one word per address. */
static enum neigh_insert_result insert_wide(struct neigh_table *t, Word_t key,
					    uint64_t v)
{
	PWord_t pv = (PWord_t)JudyLIns((PPvoid_t)&t->mac, key, PJE0);
	enum neigh_insert_result r;

	if (!pv || pv == (PWord_t)PPJERR)
		return oom(t);
	v |= PRESENT64;
	r = *pv == 0 ? NEIGH_ADDED : *pv == (Word_t)v ? NEIGH_SAME : NEIGH_CHANGED;
	*pv = (Word_t)v;
	return r;
}

/* 32-bit words: the high part first (its marker tells a new address), then
 * the low part; a failure of the second undoes a new first. */
static enum neigh_insert_result insert_split(struct neigh_table *t, Word_t key,
					     uint64_t v)
{
	Word_t hi = (Word_t)(v >> 32) | PRESENT16, lo = (Word_t)(v & 0xffffffffu);
	PWord_t ph = (PWord_t)JudyLIns((PPvoid_t)&t->mac_hi, key, PJE0), pl;
	bool fresh;

	if (!ph || ph == (PWord_t)PPJERR)
		return oom(t);
	fresh = *ph == 0;
	pl = (PWord_t)JudyLIns((PPvoid_t)&t->mac, key, PJE0);
	if (!pl || pl == (PWord_t)PPJERR) {
		if (fresh)
			JudyLDel((PPvoid_t)&t->mac_hi, key, PJE0);
		return oom(t);
	}
	bool same = !fresh && *ph == hi && *pl == lo;
	*ph = hi;
	*pl = lo;
	return fresh ? NEIGH_ADDED : same ? NEIGH_SAME : NEIGH_CHANGED;
}

enum neigh_insert_result neigh_insert(struct neigh_table *t, uint32_t addr,
				      const uint8_t mac[6])
{
	uint64_t v = mac_to_u64(mac);
	enum neigh_insert_result r = WIDE_WORD ? insert_wide(t, addr, v)
					       : insert_split(t, addr, v);

	if (r == NEIGH_ADDED)
		t->n++;
	return r;
}

bool neigh_lookup(const struct neigh_table *t, uint32_t addr, uint8_t mac[6])
{
	PWord_t pv = (PWord_t)JudyLGet(t->mac, addr, PJE0);
	uint64_t v;

	if (!pv || pv == (PWord_t)PPJERR)
		return false;
	if (WIDE_WORD) {
		v = (uint64_t)*pv;
	} else {
		PWord_t ph = (PWord_t)JudyLGet(t->mac_hi, addr, PJE0);

		if (!ph || ph == (PWord_t)PPJERR)
			return false;
		v = (uint64_t)(*ph & 0xffff) << 32 | (uint64_t)(*pv & 0xffffffffu);
	}
	if (mac)
		u64_to_mac(v, mac);
	return true;
}

uint64_t neigh_count(const struct neigh_table *t)
{
	return t->n;
}

/* ---- prefill from the kernel (RTM_GETNEIGH dump) ------------------------ */

struct prefill {
	int ifindex;
	struct neigh_table *t;
	long added;
};

static const uint8_t zero_mac[6];

/* One RTM_NEWNEIGH message; returns -ENOMEM when the table cannot grow. */
static int prefill_one(const struct nlmsghdr *nh, void *ctx)
{
	struct prefill *p = ctx;
	struct netlink_neigh n;

	if (!netlink_neigh_decode(nh, &n) || n.ifindex != p->ifindex ||
	    !(n.state & NUD_WANTED))
		return 0;
	/* Incomplete or odd entries (no MAC, a zero or multicast MAC, as
	 * permanent entries can be given by hand) cannot take unicast echo. */
	if (!n.addr || !n.mac || !memcmp(n.mac, zero_mac, 6) || (n.mac[0] & 1))
		return 0;
	if (neigh_insert(p->t, ntohl(n.addr), n.mac) == NEIGH_OOM)
		return -ENOMEM;
	p->added++;
	return 0;
}

long neigh_prefill(int ifindex, struct neigh_table *t, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req;
	struct prefill p = { .ifindex = ifindex, .t = t };
	int fd, rc;

	if (ifindex <= 0) {
		snprintf(err, errlen, "neighbour table: bad interface index %d", ifindex);
		return ES_EINVAL;
	}
	fd = netlink_open("neighbour table", err, errlen);
	if (fd < 0)
		return fd;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.nd.ndm_family = AF_INET;
	req.nd.ndm_ifindex = ifindex;   /* filters in the kernel where it can */
	rc = netlink_talk(fd, &req.nh, prefill_one, &p);
	close(fd);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "neighbour table: out of memory after %ld entries",
			 p.added);
		return ES_ENOMEM;
	}
	if (rc < 0) {
		snprintf(err, errlen, "neighbour table: reading the kernel's (RTM_GETNEIGH "
			 "dump) failed: %s", strerror(-rc));
		return es_errno_code(-rc);
	}
	return p.added;
}
