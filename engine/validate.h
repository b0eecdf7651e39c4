/*
 * validate.h — the stateless probe tag: what a probe carries so that any
 * reply (or ICMP error quoting it) can be checked against a per-run secret.
 *
 *  - ICMP id:seq = 32 bits of SipHash(key, "T", daddr, probe)
 *  - IP ID       = probe number
 *  - payload MAC = SipHash(key, "M", daddr, send time ns, probe)
 * The key is 128 random bits per run. Pure functions, thread-safe.
 */
#ifndef ECHOSCAN_VALIDATE_H
#define ECHOSCAN_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

struct vkey { uint8_t k[16]; };

/* Fills the key from getrandom(2). Returns 0 or -1 (errno set). */
int vkey_random(struct vkey *key);
/* id (high 16 bits) and seq (low 16 bits) for (daddr, probe). daddr host order. */
uint32_t validate_tag(const struct vkey *key, uint32_t daddr, uint16_t probe);
uint64_t validate_mac(const struct vkey *key, uint32_t daddr, uint64_t ts_ns,
		      uint16_t probe);
/* Both of the above at once (the sender's hot path). */
void validate_stamp(const struct vkey *key, uint32_t daddr, uint64_t ts_ns,
		    uint16_t probe, uint32_t *tag, uint64_t *mac);
/* validate_stamp for n destinations sharing one time and probe number:
 * 8 at a time with AVX-512F when the CPU has it, identical results. */
void validate_stamp_batch(const struct vkey *key, const uint32_t *daddr,
			  unsigned n, uint64_t ts_ns, uint16_t probe,
			  uint32_t *tag, uint64_t *mac);
/* Whether validate_stamp_batch uses the vector path on this CPU. */
bool validate_batch_simd(void);
/* Constant-time comparison of two MACs. */
bool validate_mac_equal(uint64_t a, uint64_t b);

#endif
