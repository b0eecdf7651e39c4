/*
 * neigh.h — the on-link MAC table: which MAC answers for which on-link
 * target, filled from ARP replies (and, before the scan, from the kernel's
 * own neighbour table), so echo requests can go straight to each host.
 *
 * A JudyL array keyed by host-order IPv4 address (locality for sweeps) whose
 * value is the 48-bit MAC. Judy has no locking: a table has ONE owner thread
 * (the receiver, which learns MACs from replies); no other thread may touch
 * it while the owner runs, not even to look up. Hand results to another
 * thread by value (address + MAC), or read the table after the owner ended.
 *
 * Insertion may allocate (Judy nodes); a failed allocation never exits: it
 * sets `oom` (callers read it and report that results may be short) and the
 * entry is not added. Nothing here ever writes to the kernel's table.
 */
#ifndef ECHOSCAN_NEIGH_H
#define ECHOSCAN_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct neigh_table {
	void    *mac;     /* JudyL: addr -> MAC (low 48 bits, or low 32 bits
	                   * where a Judy word is 32-bit wide) */
	void    *mac_hi;  /* JudyL: addr -> MAC bits 32..47, only where a Judy
	                   * word is 32-bit wide; NULL otherwise */
	uint64_t n;       /* entries */
	bool     oom;     /* an insertion failed: the table may be short */
};

enum neigh_insert_result {
	NEIGH_OOM = -1,   /* not added (oom set) */
	NEIGH_ADDED = 0,  /* a new address */
	NEIGH_SAME,       /* known already with this MAC */
	NEIGH_CHANGED,    /* known already with another MAC: replaced */
};

/* An empty table (no allocation). */
void neigh_init(struct neigh_table *t);
/* Frees everything; the table is empty (and usable) afterwards. */
void neigh_free(struct neigh_table *t);
/* Records that addr (host order) is at mac. A later MAC replaces an earlier
 * one (the newer answer wins, as in the kernel). */
enum neigh_insert_result neigh_insert(struct neigh_table *t, uint32_t addr,
				      const uint8_t mac[6]);
/* Copies addr's MAC into mac (if not NULL) and returns true, or returns
 * false when addr is not in the table. Never allocates. */
bool neigh_lookup(const struct neigh_table *t, uint32_t addr, uint8_t mac[6]);
uint64_t neigh_count(const struct neigh_table *t);

/* Adds the kernel's IPv4 neighbours on interface ifindex (> 0) that are in a
 * usable state — REACHABLE, STALE, DELAY, PROBE or PERMANENT, with a 6-byte,
 * non-zero unicast MAC — to t (an RTM_GETNEIGH dump over rtnetlink; no
 * privilege needed). Only reads the kernel's table. Existing entries of t are
 * replaced by the kernel's. Returns how many entries were read into t, or a
 * negative enum es_error with err naming what failed (ES_EINVAL for a bad
 * index, ES_ENOMEM for an allocation failure: then t->oom is set too,
 * ES_ESYS ... for a netlink error). Blocks on netlink; call it before the scan. */
long neigh_prefill(int ifindex, struct neigh_table *t, char *err, size_t errlen);

#endif
