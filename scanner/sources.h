/*
 * sources.h — the scan's source addresses as the user gave them: -S may
 * repeat, and each takes an address, a CIDR or an a-b range (targets.c's
 * forms, no host names). They are merged into a sorted, duplicate-free
 * array of at most ES_SOURCES_MAX addresses; the engine spreads the probes
 * over them. Errors name the bad input and the fix; nothing printed.
 */
#ifndef ECHOSCAN_SOURCES_H
#define ECHOSCAN_SOURCES_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <echoscan.h>

struct sources {
	es_targets *set;            /* while being built (NULL: no -S) */
	uint32_t *addr;             /* after sources_finish: sorted, host order */
	size_t n;                   /* 0 = no -S */
	char first[INET_ADDRSTRLEN];  /* addr[0] as text ("" when n == 0) */
};

void sources_init(struct sources *s);
/* Adds one -S value. Returns 0, or -1 with err set. */
int sources_add(struct sources *s, const char *spec, char *err, size_t errlen);
/* Expands the set into addr (nothing to do without any -S). Returns 0, or
 * -1 with err set (too many addresses, out of memory). */
int sources_finish(struct sources *s, char *err, size_t errlen);
void sources_free(struct sources *s);

#endif
