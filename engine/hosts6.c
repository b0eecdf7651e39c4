/*
 * hosts6.c — two-level Judy sets of IPv6 hosts (see hosts6.h). Judy's
 * macros would exit(1) on allocation failure, so the functions are called
 * directly and a failure only sets `oom`. A Word_t holds 64 bits here (the
 * build is 64-bit only: es_u128 needs it as well).
 */
#include "engine/hosts6.h"

#include <Judy.h>

_Static_assert(sizeof(Word_t) == 8, "hosts6 keys need 64-bit Judy words");

void hosts6_init(struct hosts6 *h)
{
	*h = (struct hosts6){ 0 };
}

static void free_set(void **set)
{
	Word_t hi = 0;
	PWord_t pv = (PWord_t)JudyLFirst(*set, &hi, PJE0);

	while (pv && pv != (PWord_t)PPJERR) {
		Judy1FreeArray((PPvoid_t)pv, PJE0);
		pv = (PWord_t)JudyLNext(*set, &hi, PJE0);
	}
	JudyLFreeArray((PPvoid_t)set, PJE0);
}

void hosts6_free(struct hosts6 *h)
{
	free_set(&h->up);
	free_set(&h->unreach);
	hosts6_init(h);
}

/* 1 if a was there already, 0 if added, -1 (oom set) if it could not be. */
static int set_insert(struct hosts6 *h, void **set, const struct es_addr *a)
{
	PWord_t pv = (PWord_t)JudyLIns((PPvoid_t)set, (Word_t)es_addr_hi64(a), PJE0);
	int rc;

	if (!pv || pv == (PWord_t)PPJERR) {
		h->oom = true;
		return -1;
	}
	rc = Judy1Set((PPvoid_t)pv, (Word_t)es_addr_lo64(a), PJE0);
	if (rc == JERR) {
		h->oom = true;
		return -1;
	}
	return rc == 0;
}

bool hosts6_mark_up(struct hosts6 *h, const struct es_addr *a)
{
	int rc = set_insert(h, &h->up, a);

	if (rc == 0)
		h->n_up++;
	return rc == 1;
}

bool hosts6_mark_unreach(struct hosts6 *h, const struct es_addr *a)
{
	int rc = set_insert(h, &h->unreach, a);

	if (rc == 0)
		h->n_unreach++;
	return rc == 1;
}

bool hosts6_is_up(const struct hosts6 *h, const struct es_addr *a)
{
	PWord_t pv = (PWord_t)JudyLGet(h->up, (Word_t)es_addr_hi64(a), PJE0);

	return pv && pv != (PWord_t)PPJERR &&
	       Judy1Test((Pcvoid_t)*pv, (Word_t)es_addr_lo64(a), PJE0) == 1;
}

int hosts6_each_up(const struct hosts6 *h, int (*fn)(const struct es_addr *, void *),
		   void *ctx)
{
	Word_t hi = 0;
	PWord_t pv = (PWord_t)JudyLFirst(h->up, &hi, PJE0);

	while (pv && pv != (PWord_t)PPJERR) {
		Word_t lo = 0;
		int found = Judy1First((Pcvoid_t)*pv, &lo, PJE0);

		while (found == 1) {
			es_u128 v = (es_u128)hi << 64 | lo;
			struct es_addr a = es_addr_from_u128(v);
			int rc = fn(&a, ctx);

			if (rc)
				return rc;
			found = Judy1Next((Pcvoid_t)*pv, &lo, PJE0);
		}
		pv = (PWord_t)JudyLNext(h->up, &hi, PJE0);
	}
	return 0;
}

static size_t set_mem(void *set)
{
	Word_t hi = 0;
	size_t n = (size_t)JudyLMemUsed(set);
	PWord_t pv = (PWord_t)JudyLFirst(set, &hi, PJE0);

	while (pv && pv != (PWord_t)PPJERR) {
		n += (size_t)Judy1MemUsed((Pcvoid_t)*pv);
		pv = (PWord_t)JudyLNext(set, &hi, PJE0);
	}
	return n;
}

size_t hosts6_mem(const struct hosts6 *h)
{
	return set_mem(h->up) + set_mem(h->unreach);
}
