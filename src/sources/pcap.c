/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcap.c - the classic pcap source through libpcap (files and pipes).
 *
 * pcapng is read by pktdoctor's own reader (pcapng.c); source.c sends
 * only classic pcap here.  libpcap parses the file; the byte offset of
 * each record, which libpcap does not pass on, is taken with ftell() on
 * libpcap's own stream, so a corrupt file is reported with the offset of
 * the last good record.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "pktdoctor/error.h"
#include "backend.h"

struct pcap_state {
	pcap_t *pcap;
	FILE *fp;             /* libpcap's stream */
	int64_t rec_hdr;      /* record header size (16, or 24 in the modified
			       * format), once known */
};

/* A stream that libpcap could not open is closed here, as on success
 * pcap_close() closes it. */

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
			/* records follow each other, so the offset is known
			 * without a ftell() per record */
			end = s->last_good + ps->rec_hdr + h->caplen;
		} else {
			end = ftell(ps->fp);
			if (s->last_good >= 0 && end > s->last_good + h->caplen)
				ps->rec_hdr = end - s->last_good - h->caplen;
		}
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
	if (fileno(fp) >= 0 && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
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
	s->last_good = ps->fp ? ftell(ps->fp) : -1;
	s->linktype = pcap_datalink(ps->pcap);
	s->snaplen = pcap_snapshot(ps->pcap);
	snprintf(s->format, sizeof(s->format), "pcap");
	*out = s;
	return 0;
}
