/*
 * pcapout.c — the pcap file of --pcap (see pcapout.h): a "dead" pcap handle
 * with nanosecond precision gives pcap_dump_open the link type, snap length
 * and file header; each frame is one pcap_dump call into a 1 MiB stdio
 * buffer set up at open, with stdio's own locking turned off.
 */
#include "engine/pcapout.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#define PCAPOUT_BUFFER (1u << 20)

struct pcapout {
	pcap_t *dead;
	pcap_dumper_t *d;
	char *buf;
	char *path;
	uint64_t n;
};

struct pcapout *pcapout_open(const char *path, int linktype, int snaplen,
			     char *err, size_t errlen)
{
	struct pcapout *p = calloc(1, sizeof(*p));
	FILE *f;

	if (!p || !(p->buf = malloc(PCAPOUT_BUFFER)) || !(p->path = strdup(path))) {
		snprintf(err, errlen, "--pcap %s: out of memory", path);
		goto fail;
	}
	p->dead = pcap_open_dead_with_tstamp_precision(linktype, snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!p->dead) {
		snprintf(err, errlen, "--pcap %s: libpcap cannot write link type %d", path, linktype);
		goto fail;
	}
	p->d = pcap_dump_open(p->dead, path);
	if (!p->d) {
		snprintf(err, errlen, "cannot create the pcap file %s: %s (--pcap needs a writable path)",
			 path, pcap_geterr(p->dead));
		goto fail;
	}
	f = pcap_dump_file(p->d);
	setvbuf(f, p->buf, _IOFBF, PCAPOUT_BUFFER);
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return p;
fail:
	if (p && p->dead)
		pcap_close(p->dead);
	if (p) {
		free(p->buf);
		free(p->path);
	}
	free(p);
	return NULL;
}

void pcapout_write(struct pcapout *p, uint64_t ts_ns, const uint8_t *frame,
		   size_t caplen)
{
	struct pcap_pkthdr h;

	/* with nanosecond precision, tv_usec holds nanoseconds */
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u);
	h.caplen = (bpf_u_int32)caplen;
	h.len = (bpf_u_int32)caplen;
	pcap_dump((u_char *)p->d, &h, frame);
	p->n++;
}

uint64_t pcapout_count(const struct pcapout *p)
{
	return p->n;
}

int pcapout_close(struct pcapout *p, char *err, size_t errlen)
{
	int rc = 0;

	if (!p)
		return 0;
	errno = 0;
	if (pcap_dump_flush(p->d) < 0 || ferror(pcap_dump_file(p->d))) {
		snprintf(err, errlen, "writing the pcap file %s: %s", p->path,
			 strerror(errno ? errno : EIO));
		rc = -1;
	}
	pcap_dump_close(p->d);   /* fclose: the buffer is free after it */
	pcap_close(p->dead);
	free(p->buf);
	free(p->path);
	free(p);
	return rc;
}
