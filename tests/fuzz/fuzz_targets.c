/*
 * fuzz_targets.c — libFuzzer harness for target lists and exclusion files:
 * the input is split in two (the first byte says where) and read as a
 * target list and a zmap-style blocklist through targets_add_stream (DNS
 * off: a host name is an error here, never a lookup), then the exclusions
 * are subtracted as the command line does. Properties: the reader stops at
 * the same line as a model built from targets_parse_spec line by line; the
 * finished set is sorted, disjoint and non-adjacent with a consistent
 * index; and at the edges of every range typed, an address is in the set
 * exactly when some target range holds it and no exclusion does.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/es_api.h"
#include "engine/ipset.h"
#include "scanner/targets.h"
#include "tests/fuzz/fuzz_util.h"

#define MODEL_MAX 256

struct model {
	struct ipset_range r[MODEL_MAX];
	size_t n;
	bool overflow;     /* more ranges than the model keeps: skip the edge checks */
	bool error;        /* some line is bad: the reader must fail */
};

/* The line rules of targets.c, spelled out independently: '#' starts a
 * comment, whitespace is trimmed, blank lines are skipped, a NUL is an
 * error, anything else goes through targets_parse_spec. */
static void model_lines(const uint8_t *p, size_t n, struct model *m)
{
	while (n > 0 && !m->error) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		char *line = malloc(len + 1);

		FUZZ_CHECK(line != NULL, "malloc %zu", len + 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += nl ? len + 1 : len;
		n -= nl ? len + 1 : len;
		if (memchr(line, '\0', len) != NULL) {
			m->error = true;
			free(line);
			break;
		}
		char *h = strchr(line, '#');
		if (h)
			*h = '\0';
		char *t = line, *e = line + strlen(line);
		while (isspace((unsigned char)*t))
			t++;
		while (e > t && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*t != '\0') {
			uint32_t lo = 0, hi = 0;
			bool is_name;
			char err[512];

			if (targets_parse_spec(t, &lo, &hi, &is_name, err, sizeof(err)) < 0 || is_name)
				m->error = true;
			else if (m->n < MODEL_MAX)
				m->r[m->n++] = (struct ipset_range){ lo, hi };
			else
				m->overflow = true;
			FUZZ_CHECK(m->error || lo <= hi, "spec %s gave %08x > %08x", t, lo, hi);
		}
		free(line);
	}
}

static bool model_has(const struct model *m, uint32_t a)
{
	for (size_t i = 0; i < m->n; i++)
		if (a >= m->r[i].lo && a <= m->r[i].hi)
			return true;
	return false;
}

static int read_set(es_targets *s, const uint8_t *p, size_t n, const char *name)
{
	char err[1024];

	if (n == 0)
		return 0;
	FILE *f = fmemopen((void *)p, n, "r");

	FUZZ_CHECK(f != NULL, "fmemopen");
	int rc = targets_add_stream(s, f, name, false, false, err, sizeof(err));
	fclose(f);
	if (rc < 0)
		FUZZ_CHECK(strncmp(err, name, strlen(name)) == 0, "error without FILE:LINE: %s", err);
	return rc;
}

static void check_shape(const struct ipset *s)
{
	uint64_t total = 0;

	for (size_t i = 0; i < s->n; i++) {
		FUZZ_CHECK(s->r[i].lo <= s->r[i].hi, "range %zu reversed", i);
		if (i > 0)
			FUZZ_CHECK(s->r[i].lo > s->r[i - 1].hi &&
				   s->r[i].lo - s->r[i - 1].hi > 1, "ranges %zu, %zu overlap or touch",
				   i - 1, i);
		FUZZ_CHECK(s->prefix[i] == total, "prefix[%zu]", i);
		total += (uint64_t)s->r[i].hi - s->r[i].lo + 1;
	}
	FUZZ_CHECK(ipset_count(s) == total, "count %llu, ranges hold %llu",
		   (unsigned long long)ipset_count(s), (unsigned long long)total);
	if (total) {
		uint64_t idx[] = { 0, total / 3, total / 2, total - 1 };
		for (size_t k = 0; k < 4; k++)
			FUZZ_CHECK(ipset_contains(s, ipset_at(s, idx[k])), "at(%llu) not contained",
				   (unsigned long long)idx[k]);
		FUZZ_CHECK(ipset_at(s, 0) == s->r[0].lo && ipset_at(s, total - 1) == s->r[s->n - 1].hi,
			   "first/last address");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	es_targets *tg = NULL, *ex = NULL;
	static struct model mt, mx;

	if (size < 1)
		return 0;
	size_t split = (size_t)data[0] * (size - 1) / 255;
	const uint8_t *tp = data + 1, *xp = data + 1 + split;
	size_t tn = split, xn = size - 1 - split;

	memset(&mt, 0, sizeof(mt));
	memset(&mx, 0, sizeof(mx));
	model_lines(tp, tn, &mt);
	model_lines(xp, xn, &mx);
	FUZZ_CHECK(es_targets_new(&tg) == ES_OK && es_targets_new(&ex) == ES_OK, "out of memory");
	int rt = read_set(tg, tp, tn, "targets");
	int rx = read_set(ex, xp, xn, "exclude");
	FUZZ_CHECK((rt < 0) == mt.error, "target list: reader %d, model error %d", rt, mt.error);
	FUZZ_CHECK((rx < 0) == mx.error, "blocklist: reader %d, model error %d", rx, mx.error);
	if (rt == 0 && rx == 0) {
		FUZZ_CHECK(es_targets_seal(ex) == ES_OK && es_targets_subtract(tg, ex) == ES_OK &&
			   es_targets_seal(tg) == ES_OK, "out of memory");
		check_shape(es_targets_v4(tg));
		check_shape(es_targets_v4(ex));
		if (!mt.overflow && !mx.overflow) {
			const struct model *ms[] = { &mt, &mx };
			for (size_t k = 0; k < 2; k++)
				for (size_t i = 0; i < ms[k]->n; i++) {
					uint32_t lo = ms[k]->r[i].lo, hi = ms[k]->r[i].hi;
					uint32_t pts[] = { lo - 1, lo, lo + 1, hi - 1, hi, hi + 1 };
					for (size_t j = 0; j < 6; j++) {
						bool want = model_has(&mt, pts[j]) && !model_has(&mx, pts[j]);
						FUZZ_CHECK(ipset_contains(es_targets_v4(tg), pts[j]) == want,
							   "address %08x: in set %d, expected %d",
							   pts[j], !want, want);
					}
				}
		}
	}
	es_targets_free(&tg);
	es_targets_free(&ex);
	return 0;
}
