/*
 * fuzz_util.h — small helpers shared by the libFuzzer harnesses: a cursor
 * that reads the fuzzer's bytes as parameters (zeros once they run out, so
 * every input is usable) and big-endian writers. Harness-only code.
 */
#ifndef ECHOSCAN_FUZZ_UTIL_H
#define ECHOSCAN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);
	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);
	return hi << 16 | fuzz_u16(in);
}

static inline void fuzz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fuzz_put32(uint8_t *p, uint32_t v)
{
	fuzz_put16(p, (uint16_t)(v >> 16));
	fuzz_put16(p + 2, (uint16_t)v);
}

static inline uint16_t fuzz_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fuzz_get32(const uint8_t *p)
{
	return (uint32_t)fuzz_get16(p) << 16 | fuzz_get16(p + 2);
}

/* A property the code under test must keep: print what broke and abort,
 * which libFuzzer reports as a crash and saves the input. */
#define FUZZ_CHECK(cond, ...) do {                                           \
	if (!(cond)) {                                                       \
		fprintf(stderr, "fuzz property failed: %s (%s:%d): ", #cond, \
			__FILE__, __LINE__);                                 \
		fprintf(stderr, __VA_ARGS__);                                \
		fputc('\n', stderr);                                         \
		abort();                                                     \
	}                                                                    \
} while (0)

#endif
