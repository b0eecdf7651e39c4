/*
 * sources.c — parsing and expanding the -S values (see sources.h).
 */
#include "scanner/sources.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/targets.h"

void sources_init(struct sources *s)
{
	memset(s, 0, sizeof(*s));
}

/* A host-order IPv4 address as the public type. */
static struct es_addr addr4(uint32_t a)
{
	struct es_addr x = { .family = 4 };
	uint32_t n = htonl(a);

	memcpy(x.bytes, &n, 4);
	return x;
}

int sources_add(struct sources *s, const char *spec, char *err, size_t errlen)
{
	uint32_t lo, hi;
	bool is_name = false;
	char why[256];

	if (targets_parse_spec(spec, &lo, &hi, &is_name, why, sizeof(why)) < 0 || is_name) {
		snprintf(err, errlen, "-S %s: not an IPv4 address, CIDR or range "
			 "(use a.b.c.d, a.b.c.d/len or a.b.c.d-e.f.g.h)", spec);
		return -1;
	}
	if (lo == 0) {
		snprintf(err, errlen, "-S %s: 0.0.0.0 cannot be a source address", spec);
		return -1;
	}
	if ((uint64_t)hi - lo + 1 > ES_SOURCES_MAX) {
		snprintf(err, errlen, "-S %s: %llu addresses: at most %u source addresses",
			 spec, (unsigned long long)hi - lo + 1, ES_SOURCES_MAX);
		return -1;
	}
	struct es_addr a = addr4(lo), b = addr4(hi);

	if ((!s->set && es_targets_new(&s->set) != ES_OK) ||
	    es_targets_add_range(s->set, &a, &b) != ES_OK) {
		snprintf(err, errlen, "out of memory for the source addresses");
		return -1;
	}
	return 0;
}

int sources_finish(struct sources *s, char *err, size_t errlen)
{
	uint64_t n;
	struct in_addr a;
	struct es_addr lo, hi;

	if (!s->set)
		return 0;
	if (es_targets_seal(s->set) != ES_OK) {
		snprintf(err, errlen, "out of memory for the source addresses");
		return -1;
	}
	n = es_targets_count(s->set);
	if (n > ES_SOURCES_MAX) {
		snprintf(err, errlen, "-S: %llu source addresses in all: at most %u "
			 "(give fewer or smaller ranges)", (unsigned long long)n, ES_SOURCES_MAX);
		return -1;
	}
	free(s->addr);
	s->addr = malloc((size_t)n * sizeof(*s->addr));
	if (!s->addr) {
		snprintf(err, errlen, "out of memory for the source addresses");
		return -1;
	}
	s->n = 0;
	for (size_t i = 0; es_targets_range(s->set, i, &lo, &hi) == ES_OK; i++) {
		uint32_t l, h;

		memcpy(&l, lo.bytes, 4);
		memcpy(&h, hi.bytes, 4);
		for (uint64_t v = ntohl(l); v <= ntohl(h); v++)
			s->addr[s->n++] = (uint32_t)v;
	}
	a.s_addr = htonl(s->addr[0]);
	inet_ntop(AF_INET, &a, s->first, sizeof(s->first));
	return 0;
}

void sources_free(struct sources *s)
{
	es_targets_free(&s->set);
	free(s->addr);
	memset(s, 0, sizeof(*s));
}
