/*
 * validate6.h — the stateless probe tag and payload MAC for IPv6 probes:
 * the same scheme as validate.h over the 16-byte destination.
 *
 *  - ICMPv6 id:seq = low 32 bits of SipHash(key, 'T' daddr[16] probe[2])
 *  - flow label    = probe number (IPv6 has no IP ID; errors quote it)
 *  - payload MAC   = SipHash(key, 'M' daddr[16] time[8] probe[2])
 * The messages are longer than IPv4's (19 and 27 bytes), so the two
 * families' outputs never coincide for related inputs. Pure, thread-safe.
 */
#ifndef ECHOSCAN_VALIDATE6_H
#define ECHOSCAN_VALIDATE6_H

#include <stdint.h>
#include "engine/validate.h"

uint32_t validate6_tag(const struct vkey *key, const uint8_t daddr[16], uint16_t probe);
uint64_t validate6_mac(const struct vkey *key, const uint8_t daddr[16], uint64_t ts_ns,
		       uint16_t probe);
/* Both at once (the sender's hot path): one key expansion, the address
 * words shared. */
void validate6_stamp(const struct vkey *key, const uint8_t daddr[16], uint64_t ts_ns,
		     uint16_t probe, uint32_t *tag, uint64_t *mac);

#endif
