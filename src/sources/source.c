/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * source.c - what every capture source shares: opening a file or a pipe
 * by its first bytes, dispatch to the backend's ops, the BPF filter
 * (compiled once per link type that appears) and the counters.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "backend.h"
#include "pktdoctor/error.h"

#define PCAPNG_SHB_MAGIC 0x0a0d0d0au

struct pd_source *pd_source_alloc(const struct pd_source_ops *ops, const char *name)
{
	struct pd_source *s = calloc(1, sizeof(*s));

	if (!s)
		return 0;
	s->ops = ops;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->size = -1;
	s->last_good = -1;
	s->linktype = -1;
	return s;
}

#define PD_TS_MAX ((int64_t)1 << 62)

int64_t pd_ts_to_ns(int64_t sec, int64_t nsec)
{
	if (sec < 0 || nsec < 0)
		return 0;
	if (sec >= PD_TS_MAX / 1000000000LL)
		return PD_TS_MAX;
	return sec * 1000000000LL + (nsec < 1000000000LL ? nsec : 999999999LL);
}

/*
 * A stream whose first bytes were read to recognise the format, put back
 * in front of the rest: a pipe cannot seek, and libpcap must see the
 * whole file header.  glibc's fopencookie() gives a FILE * that reads the
 * saved bytes first, then the original stream.
 */
struct peek_cookie {
	FILE *fp;
	unsigned char buf[8];
	size_t n, off;
};

static ssize_t peek_read(void *c, char *buf, size_t size)
{
	struct peek_cookie *pc = c;
	size_t done = 0;

	if (pc->off < pc->n) {
		done = pc->n - pc->off < size ? pc->n - pc->off : size;
		memcpy(buf, pc->buf + pc->off, done);
		pc->off += done;
		if (done == size)
			return (ssize_t)done;
	}
	done += fread(buf + done, 1, size - done, pc->fp);
	if (done == 0 && ferror(pc->fp))
		return -1;
	return (ssize_t)done;
}

static int peek_close(void *c)
{
	struct peek_cookie *pc = c;
	int rc = fclose(pc->fp);

	free(pc);
	return rc;
}

/* Read the 4-byte magic; leave @*fp positioned at the start again,
 * replacing it with a cookie stream when it cannot seek. */
static int peek_magic(FILE **fp, uint8_t magic[4])
{
	struct peek_cookie *pc;
	cookie_io_functions_t io = {peek_read, 0, 0, peek_close};
	FILE *nfp;
	size_t n = fread(magic, 1, 4, *fp);

	if (n == 4 && fseeko(*fp, 0, SEEK_SET) == 0)
		return 4;
	pc = calloc(1, sizeof(*pc));
	if (!pc)
		return -PD_ENOMEM;
	clearerr(*fp);
	pc->fp = *fp;
	memcpy(pc->buf, magic, n);
	pc->n = n;
	nfp = fopencookie(pc, "rb", io);
	if (!nfp) {
		free(pc);
		return -PD_ENOMEM;
	}
	*fp = nfp;
	return (int)n;
}

int pd_source_open_stream(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	uint8_t m[4] = {0, 0, 0, 0};
	int n;

	*out = 0;
	n = peek_magic(&fp, m);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", name, pd_strerror(n));
		fclose(fp);
		return n;
	}
	if (n == 4 && (uint32_t)(m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24) ==
			      PCAPNG_SHB_MAGIC)
		return pd_source_open_pcapng(out, fp, name, err, errlen);
	return pd_source_open_pcap(out, fp, name, err, errlen);
}

#define PD_FILE_BUFFER (1u << 20) /* stdio buffer of a capture file, bytes */

int pd_source_open_file(struct pd_source **out, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	struct stat st;
	char *iobuf;
	int rc;

	*out = 0;
	if (strcmp(path, "-") == 0)
		return pd_source_open_stream(out, stdin, "(standard input)", err, errlen);
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
	/* libpcap reads a record at a time through stdio, whose buffer is
	 * st_blksize (4 KiB): one read(2) per 3 full-size frames.  1 MiB cuts
	 * the system calls 256-fold (docs/benchmarks.md).  glibc ignores the
	 * size unless it is given the buffer, so the source owns one and
	 * frees it after the stream is closed; without it the default buffer
	 * stays, which is only slower. */
	iobuf = malloc(PD_FILE_BUFFER);
	if (iobuf && setvbuf(fp, iobuf, _IOFBF, PD_FILE_BUFFER) != 0) {
		free(iobuf);
		iobuf = 0;
	}
	rc = pd_source_open_stream(out, fp, path, err, errlen);
	if (rc == 0)
		(*out)->iobuf = iobuf;
	else
		free(iobuf); /* the stream was closed */
	return rc;
}

int pd_source_next(struct pd_source *s, struct pd_frame *f)
{
	int rc;

	f->linktype = s->linktype;
	f->ifid = 0;
	f->epb_flags = 0;
	f->has_epb_flags = false;
	f->kind = PD_FRAME_PACKET;
	f->comment = 0;
	rc = s->ops->next(s, f);
	if (rc == PD_SRC_FRAME)
		s->received++;
	return rc;
}

int pd_source_fd(const struct pd_source *s)
{
	return s->ops->fd ? s->ops->fd(s) : -1;
}

int64_t pd_source_wait_ns(const struct pd_source *s)
{
	return s->ops->wait_ns ? s->ops->wait_ns(s) : -1;
}

void pd_source_stats(struct pd_source *s, struct pd_source_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->received = s->received;
	if (s->ops->stats)
		s->ops->stats(s, out);
}

bool pd_source_is_live(const struct pd_source *s)
{
	return s->live;
}

int pd_source_linktype(const struct pd_source *s)
{
	return s->linktype;
}

const char *pd_source_linktype_name(const struct pd_source *s)
{
	const char *n = s->linktype >= 0 ? pcap_datalink_val_to_name(s->linktype) : 0;

	return n ? n : "unknown";
}

int pd_source_snaplen(const struct pd_source *s)
{
	return s->snaplen;
}

const char *pd_source_format(const struct pd_source *s)
{
	return s->format;
}

const char *pd_source_name(const struct pd_source *s)
{
	return s->name;
}

const char *pd_source_error(const struct pd_source *s, int64_t *offset)
{
	if (offset)
		*offset = s->last_good;
	return s->err;
}

int64_t pd_source_position(const struct pd_source *s)
{
	return s->ops->position ? s->ops->position(s) : s->last_good;
}

int64_t pd_source_size(const struct pd_source *s)
{
	return s->size;
}

/* Compile the filter for @linktype into a new slot; NULL when the table
 * is full (the link type then matches nothing, as a compile error does). */
static struct pd_source_filter *compile_for(struct pd_source *s, int linktype, char *err,
					    size_t errlen)
{
	struct pd_source_filter *flt;
	pcap_t *dead;

	if (s->n_filters >= PD_SOURCE_MAX_FILTERS)
		return 0;
	flt = &s->filters[s->n_filters++];
	flt->linktype = linktype;
	flt->ok = false;
	dead = pcap_open_dead(linktype, s->snaplen > 0 ? s->snaplen : 262144);
	if (!dead) {
		if (err)
			snprintf(err, errlen, "filter \"%s\": %s", s->filter_expr,
				 pd_strerror(PD_ENOMEM));
		return flt;
	}
	if (pcap_compile(dead, &flt->prog, s->filter_expr, 1, PCAP_NETMASK_UNKNOWN) == 0)
		flt->ok = true;
	else if (err)
		snprintf(err, errlen, "filter \"%s\": %s", s->filter_expr, pcap_geterr(dead));
	pcap_close(dead);
	return flt;
}

int pd_source_compile_filter(struct pd_source *s, const char *expr, char *err, size_t errlen)
{
	struct pd_source_filter *flt;

	free(s->filter_expr);
	s->filter_expr = strdup(expr);
	if (!s->filter_expr) {
		snprintf(err, errlen, "%s", pd_strerror(PD_ENOMEM));
		return -PD_ENOMEM;
	}
	flt = compile_for(s, s->linktype >= 0 ? s->linktype : DLT_EN10MB, err, errlen);
	if (!flt || !flt->ok)
		return -PD_EFILTER;
	return 0;
}

bool pd_source_match(struct pd_source *s, const struct pd_frame *f)
{
	struct pd_source_filter *flt = 0;
	struct pcap_pkthdr h;

	if (!s->filter_expr)
		return true;
	if (f->kind != PD_FRAME_PACKET)
		return false;
	for (unsigned i = 0; i < s->n_filters; i++)
		if (s->filters[i].linktype == f->linktype) {
			flt = &s->filters[i];
			break;
		}
	if (!flt)
		flt = compile_for(s, f->linktype, 0, 0);
	if (!flt || !flt->ok)
		return false;
	memset(&h, 0, sizeof(h));
	h.caplen = f->caplen;
	h.len = f->wirelen;
	return pcap_offline_filter(&flt->prog, &h, f->data) != 0;
}

void pd_source_close(struct pd_source *s)
{
	if (!s)
		return;
	if (s->ops && s->ops->close)
		s->ops->close(s);
	free(s->iobuf); /* after the backend closed the stream that used it */
	for (unsigned i = 0; i < s->n_filters; i++)
		if (s->filters[i].ok)
			pcap_freecode(&s->filters[i].prog);
	free(s->filter_expr);
	free(s);
}
