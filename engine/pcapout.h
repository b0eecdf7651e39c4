/*
 * pcapout.h — writes captured frames to a pcap file (--pcap FILE) with
 * libpcap's dump API: nanosecond timestamps (the magic tcpdump and Wireshark
 * read as such), the capture's link type and snap length. libpcap types stay
 * in pcapout.c.
 *
 * Open it while privileged if the path needs it (like -o); write from one
 * thread only (the receiver). pcapout_write neither allocates nor locks: the
 * stream's buffer is allocated at open and stdio locking is turned off (the
 * writer thread is the stream's only user until pcapout_close). A write
 * error is remembered and reported by pcapout_close.
 */
#ifndef ECHOSCAN_PCAPOUT_H
#define ECHOSCAN_PCAPOUT_H

#include <stddef.h>
#include <stdint.h>

struct pcapout;

/* Creates (truncates) path. Returns NULL with err naming the file. */
struct pcapout *pcapout_open(const char *path, int linktype, int snaplen,
			     char *err, size_t errlen);
/* Appends one frame captured at ts_ns (ns since the epoch). */
void pcapout_write(struct pcapout *p, uint64_t ts_ns, const uint8_t *frame,
		   size_t caplen);
/* Frames written so far. */
uint64_t pcapout_count(const struct pcapout *p);
/* Flushes and closes. Returns 0, or -1 with err set if any write failed.
 * NULL is a no-op. */
int pcapout_close(struct pcapout *p, char *err, size_t errlen);

#endif
