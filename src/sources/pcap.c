/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcap.c - the classic pcap source through libpcap (files and pipes).
 *
 * Until the pcapng backend (pcapng.c) reads every pcapng itself, this
 * backend also reads pcapng files whose interfaces share one link type.
 * libpcap parses the file.  Two things it does not pass on are recovered
 * here without a second parser:
 *   - the byte offset of each record, from ftell() on libpcap's own
 *     stream, so a corrupt file is reported with the offset of the last
 *     good record;
 *   - the pcapng epb_flags word (direction and the checksum/TSO bits of
 *     the pcapng EPB flags word), read with pread() from the options of
 *     the Enhanced Packet Block that libpcap has just consumed.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pktdoctor/cursor.h"
#include "pktdoctor/error.h"
#include "backend.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_EPB 6u
#define PCAPNG_BOM 0x1a2b3c4du
#define EPB_OPT_FLAGS 2

struct pcap_state {
	pcap_t *pcap;
	FILE *fp;             /* libpcap's stream */
	int fd;               /* its descriptor, for pread() */
	bool pcapng;
	bool le;              /* pcapng section is little-endian */
	int64_t rec_hdr;      /* classic pcap record header size, once known */
};

/* Read a 32/16-bit value in the section's byte order (@le: little-endian). */
static uint32_t rd32(const uint8_t *b, bool le)
{
	struct pd_cursor c;

	pd_cur_init(&c, b, 4, 4);
	return le ? pd_cur_le32(&c) : pd_cur_be32(&c);
}

static uint16_t rd16(const uint8_t *b, bool le)
{
	struct pd_cursor c;

	pd_cur_init(&c, b, 2, 2);
	return le ? pd_cur_le16(&c) : pd_cur_be16(&c);
}

static void probe_format(struct pcap_state *s)
{
	uint8_t h[12];

	if (pread(s->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return;
	if (rd32(h, false) != PCAPNG_SHB)
		return;
	s->pcapng = true;
	/* the byte-order magic is written in the writer's order */
	s->le = rd32(h + 8, true) == PCAPNG_BOM;
}

/* A stream that libpcap could not open is closed here, as on success
 * pcap_close() closes it. */

/* Read epb_flags from the EPB that ends at @end; 0 if none. */
static void read_epb_flags(struct pcap_state *s, int64_t end, struct pd_frame *f)
{
	uint8_t b[512];
	uint32_t total, caplen, type;
	int64_t start, opt, optlen;
	size_t pad;
	struct pd_cursor o;

	if (end < 32 || pread(s->fd, b, 4, end - 4) != 4)
		return;
	total = rd32(b, s->le);
	if (total < 32 || (int64_t)total > end)
		return;
	start = end - total;
	if (pread(s->fd, b, 28, start) != 28)
		return;
	type = rd32(b, s->le);
	if (type != PCAPNG_EPB || rd32(b + 4, s->le) != total)
		return;
	caplen = rd32(b + 20, s->le);
	pad = ((size_t)caplen + 3) & ~(size_t)3;
	if (pad > total - 32)
		return;
	opt = start + 28 + (int64_t)pad;
	optlen = end - 4 - opt;
	if (optlen < 4)
		return;
	if (optlen > (int64_t)sizeof(b))
		optlen = sizeof(b);
	if (pread(s->fd, b, (size_t)optlen, opt) != (ssize_t)optlen)
		return;
	pd_cur_init(&o, b, (size_t)optlen, (size_t)optlen);
	while (pd_cur_has(&o, 4)) {
		const uint8_t *oh = pd_cur_ptr(&o);
		uint16_t code = rd16(oh, s->le);
		uint16_t len = rd16(oh + 2, s->le);

		pd_cur_skip(&o, 4);
		if (code == 0)
			return;
		if (code == EPB_OPT_FLAGS && len == 4 && pd_cur_has(&o, 4)) {
			f->epb_flags = rd32(pd_cur_ptr(&o), s->le);
			f->has_epb_flags = true;
			return;
		}
		if (!pd_cur_skip(&o, ((size_t)len + 3) & ~(size_t)3))
			return;
	}
}

static int pcap_next_frame(struct pd_source *s, struct pd_frame *f)
{
	struct pcap_state *ps = s->priv;
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(ps->pcap, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return PD_SRC_END;
	if (rc != 1) {
		snprintf(s->err, sizeof(s->err), "%s", pcap_geterr(ps->pcap));
		return -PD_EFORMAT;
	}
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts_ns = pd_ts_to_ns((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
	if (ps->fp) {
		int64_t end;

		if (ps->rec_hdr && s->last_good >= 0) {
			/* classic pcap: records follow each other, so the
			 * offset is known without a ftell() per record */
			end = s->last_good + ps->rec_hdr + h->caplen;
		} else {
			end = ftell(ps->fp);
			if (!ps->pcapng && s->last_good >= 0 && end > s->last_good + h->caplen)
				ps->rec_hdr = end - s->last_good - h->caplen; /* 16, or 24 (modified) */
		}
		if (ps->pcapng && end > 0 && s->size >= 0)
			read_epb_flags(ps, end, f);
		s->last_good = end;
	}
	return PD_SRC_FRAME;
}

static void pcap_close_src(struct pd_source *s)
{
	struct pcap_state *ps = s->priv;

	if (!ps)
		return;
	if (ps->pcap)
		pcap_close(ps->pcap); /* closes the stream too */
	free(ps);
	s->priv = 0;
}

static const struct pd_source_ops pcap_ops = {
	.name = "pcap",
	.next = pcap_next_frame,
	.close = pcap_close_src,
};

int pd_source_open_pcap(struct pd_source **out, FILE *fp, const char *name, char *err,
			size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pd_source *s;
	struct pcap_state *ps;
	struct stat st;

	*out = 0;
	s = pd_source_alloc(&pcap_ops, name);
	ps = calloc(1, sizeof(*ps));
	if (!s || !ps) {
		snprintf(err, errlen, "%s: %s", name, pd_strerror(PD_ENOMEM));
		free(s);
		free(ps);
		fclose(fp);
		return -PD_ENOMEM;
	}
	s->priv = ps;
	ps->fd = fileno(fp);
	if (ps->fd >= 0 && fstat(ps->fd, &st) == 0 && S_ISREG(st.st_mode))
		s->size = st.st_size;
	perr[0] = 0;
	ps->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!ps->pcap) {
		snprintf(err, errlen, "%s: not a readable pcap/pcapng file: %s", name,
			 perr[0] ? perr : "unknown reason");
		fclose(fp);
		pd_source_close(s);
		return -PD_EFORMAT;
	}
	ps->fp = pcap_file(ps->pcap);
	if (s->size >= 0)
		probe_format(ps);
	else
		ps->fd = -1; /* not a regular file: no pread() */
	s->last_good = ps->fp ? ftell(ps->fp) : -1;
	s->linktype = pcap_datalink(ps->pcap);
	s->snaplen = pcap_snapshot(ps->pcap);
	snprintf(s->format, sizeof(s->format), "%s", ps->pcapng ? "pcapng" : "pcap");
	*out = s;
	return 0;
}
