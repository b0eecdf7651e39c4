/*
 * siphash.h — SipHash-2-4 (Aumasson & Bernstein), a keyed 64-bit PRF used to
 * tag probes so replies can be validated without per-probe state.
 */
#ifndef ECHOSCAN_SIPHASH_H
#define ECHOSCAN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
