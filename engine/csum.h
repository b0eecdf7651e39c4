/*
 * csum.h — the Internet checksum (RFC 1071) and its incremental form
 * (RFC 1624), kept alone so tests link only this file.
 */
#ifndef ECHOSCAN_CSUM_H
#define ECHOSCAN_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds the 16-bit big-endian words of buf to sum (odd tail padded with 0).
 * len must be even except for the last call. Returns the unfolded sum. */
uint32_t csum_add(uint32_t sum, const void *buf, size_t len);
/* Folds carries and complements: the value to store in a header (host order
 * of the big-endian checksum, i.e. write with htons). */
uint16_t csum_fold(uint32_t sum);
/* Full checksum of buf, in network byte order as it appears on the wire. */
uint16_t csum_buf(const void *buf, size_t len);
/* RFC 1624 eqn. 3: new checksum when a 16-bit word changes from old to new.
 * All values in host order as read with ntohs. */
uint16_t csum_update16(uint16_t check, uint16_t old_word, uint16_t new_word);
uint16_t csum_update32(uint16_t check, uint32_t old_val, uint32_t new_val);

#endif
