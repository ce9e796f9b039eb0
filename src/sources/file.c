/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file.c - the capture-file source: pcap and pcapng through libpcap.
 *
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
#include "pktdoctor/source.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_EPB 6u
#define PCAPNG_BOM 0x1a2b3c4du
#define EPB_OPT_FLAGS 2

struct pd_source {
	pcap_t *pcap;
	FILE *fp;             /* libpcap's stream */
	int fd;               /* its descriptor, for pread() */
	bool pcapng;
	bool le;              /* pcapng section is little-endian */
	bool nsec;
	int64_t size;
	int64_t last_good;    /* offset just past the last good record */
	struct bpf_program prog;
	bool have_prog;
	char err[PCAP_ERRBUF_SIZE + 64];
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

static void probe_format(struct pd_source *s)
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
static void read_epb_flags(struct pd_source *s, int64_t end, struct pd_frame *f)
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

static int open_stream(struct pd_source **out, FILE *fp, const char *name, char *err,
		       size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pd_source *s;
	struct stat st;

	*out = 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: %s", name, pd_strerror(PD_ENOMEM));
		fclose(fp);
		return -PD_ENOMEM;
	}
	s->size = -1;
	s->fd = fileno(fp);
	if (s->fd >= 0 && fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
		s->size = st.st_size;
	perr[0] = 0;
	s->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "%s: not a readable pcap/pcapng file: %s", name,
			 perr[0] ? perr : "unknown reason");
		fclose(fp);
		free(s);
		return -PD_EFORMAT;
	}
	s->fp = pcap_file(s->pcap);
	if (s->size >= 0)
		probe_format(s);
	else
		s->fd = -1; /* not a regular file: no pread() */
	s->last_good = s->fp ? ftell(s->fp) : -1;
	*out = s;
	return 0;
}

int pd_source_open_stream(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	return open_stream(out, fp, name, err, errlen);
}

int pd_source_open_file(struct pd_source **out, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	struct stat st;

	*out = 0;
	if (strcmp(path, "-") == 0)
		return open_stream(out, stdin, "(standard input)", err, errlen);
	fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -PD_EOPEN;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		fclose(fp);
		return -PD_EOPEN;
	}
	return open_stream(out, fp, path, err, errlen);
}

/*
 * Seconds + nanoseconds to ns since the epoch, clamped to [0, 2^62] ns
 * (1970 to 2116).  pcapng stores 64-bit timestamps and a corrupt one must
 * not overflow here or in the differences and sums the analyzers make.
 */
#define PD_TS_MAX ((int64_t)1 << 62)

static int64_t ts_to_ns(int64_t sec, int64_t nsec)
{
	if (sec < 0)
		return 0;
	if (sec >= PD_TS_MAX / 1000000000LL)
		return PD_TS_MAX;
	return sec * 1000000000LL + nsec;
}

int pd_source_next(struct pd_source *s, struct pd_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(s->pcap, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(s->err, sizeof(s->err), "%s", pcap_geterr(s->pcap));
		return -PD_EFORMAT;
	}
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts_ns = ts_to_ns((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec);
	f->epb_flags = 0;
	f->has_epb_flags = false;
	if (s->fp) {
		int64_t end = ftell(s->fp);

		if (s->pcapng && end > 0 && s->size >= 0)
			read_epb_flags(s, end, f);
		s->last_good = end;
	}
	return 1;
}

int pd_source_linktype(const struct pd_source *s)
{
	return pcap_datalink(s->pcap);
}

const char *pd_source_linktype_name(const struct pd_source *s)
{
	const char *n = pcap_datalink_val_to_name(pcap_datalink(s->pcap));

	return n ? n : "unknown";
}

int pd_source_snaplen(const struct pd_source *s)
{
	return pcap_snapshot(s->pcap);
}

const char *pd_source_format(const struct pd_source *s)
{
	return s->pcapng ? "pcapng" : "pcap";
}

bool pd_source_nanosecond(const struct pd_source *s)
{
	(void)s;
	/* libpcap scales either kind to the requested nanosecond precision */
	return true;
}

const char *pd_source_error(const struct pd_source *s, int64_t *offset)
{
	if (offset)
		*offset = s->last_good;
	return s->err;
}

int64_t pd_source_position(const struct pd_source *s)
{
	return s->last_good;
}

int64_t pd_source_size(const struct pd_source *s)
{
	return s->size;
}

int pd_source_compile_filter(struct pd_source *s, const char *expr, char *err, size_t errlen)
{
	if (pcap_compile(s->pcap, &s->prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "filter \"%s\": %s", expr, pcap_geterr(s->pcap));
		return -PD_EFILTER;
	}
	s->have_prog = true;
	return 0;
}

bool pd_source_match(const struct pd_source *s, const struct pd_frame *f)
{
	struct pcap_pkthdr h;

	if (!s->have_prog)
		return true;
	memset(&h, 0, sizeof(h));
	h.caplen = f->caplen;
	h.len = f->wirelen;
	return pcap_offline_filter(&s->prog, &h, f->data) != 0;
}

void pd_source_close(struct pd_source *s)
{
	if (!s)
		return;
	if (s->have_prog)
		pcap_freecode(&s->prog);
	if (s->pcap)
		pcap_close(s->pcap); /* closes the stream too */
	free(s);
}
