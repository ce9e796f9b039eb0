/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live_pcap.c - live capture through libpcap: pcap_create() with the
 * snapshot length, promiscuous mode, immediate mode, buffer size and
 * nanosecond timestamps, then pcap_activate().  The handle is made
 * non-blocking and its selectable descriptor is what pd_source_fd()
 * returns, so a caller can poll it with other descriptors; next() itself
 * waits at most timeout_ms.  Statistics are pcap_stats()'s ps_drop and
 * ps_ifdrop.  libpcap does not pass on the direction or offload status
 * of a packet: frames carry no epb_flags (the AF_PACKET ring does).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "live.h"
#include "pktdoctor/error.h"

struct live_pcap {
	pcap_t *pcap;
	int fd;          /* pcap_get_selectable_fd(), -1 if none */
	int timeout_ms;  /* longest wait in next(); negative: none */
	bool nano;       /* libpcap granted nanosecond timestamps */
};

static int live_pcap_next(struct pd_source *s, struct pd_frame *f)
{
	struct live_pcap *lp = s->priv;
	struct pcap_pkthdr *h;
	const u_char *data;

	for (int tries = 0; tries < 2; tries++) {
		int rc = pcap_next_ex(lp->pcap, &h, &data);

		if (rc == 1) {
			f->data = data;
			f->caplen = h->caplen;
			f->wirelen = h->len;
			/* with nanosecond precision granted, tv_usec holds ns */
			f->ts_ns = pd_ts_to_ns((int64_t)h->ts.tv_sec,
					       (int64_t)h->ts.tv_usec * (lp->nano ? 1 : 1000));
			return PD_SRC_FRAME;
		}
		if (rc == PCAP_ERROR_BREAK)
			return PD_SRC_END;
		if (rc < 0) {
			snprintf(s->err, sizeof(s->err), "%s: %s", s->name, pcap_geterr(lp->pcap));
			return -PD_EIO;
		}
		/* 0: nothing buffered (non-blocking); wait once */
		if (tries == 0 && lp->fd >= 0) {
			int w = pd_live_wait(lp->fd, lp->timeout_ms);

			if (w < 0) {
				snprintf(s->err, sizeof(s->err), "%s: %s", s->name,
					 w == -ENETDOWN ? "the interface went down"
							: strerror(-w));
				return -PD_EIO;
			}
			if (w == 0)
				break;
		}
	}
	return PD_SRC_AGAIN;
}

static int live_pcap_fd(const struct pd_source *s)
{
	const struct live_pcap *lp = s->priv;

	return lp->fd;
}

static void live_pcap_stats(struct pd_source *s, struct pd_source_stats *out)
{
	struct live_pcap *lp = s->priv;
	struct pcap_stat ps;

	if (pcap_stats(lp->pcap, &ps) != 0)
		return;
	out->capture_drops = ps.ps_drop;
	out->if_drops = ps.ps_ifdrop;
	out->valid = true;
}

static void live_pcap_close(struct pd_source *s)
{
	struct live_pcap *lp = s->priv;

	if (!lp)
		return;
	if (lp->pcap)
		pcap_close(lp->pcap);
	free(lp);
	s->priv = 0;
}

static const struct pd_source_ops live_pcap_ops = {
	.name = "live",
	.next = live_pcap_next,
	.fd = live_pcap_fd,
	.stats = live_pcap_stats,
	.close = live_pcap_close,
};

/* Map a pcap_activate() error onto a pktdoctor code and message. */
static int activate_error(pcap_t *p, int rc, const char *iface, char *err, size_t errlen)
{
	const char *why = pcap_geterr(p);

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "no such interface: %s (%s)", iface, why);
		return -PD_EOPEN;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		pd_live_perm_message(err, errlen, iface);
		return -PD_EPERM;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "%s: the interface is down (ip link set %s up)", iface,
			 iface);
		return -PD_EOPEN;
	default:
		snprintf(err, errlen, "%s: cannot capture: %s%s%s", iface, pcap_statustostr(rc),
			 why && *why ? ": " : "", why ? why : "");
		return -PD_EOPEN;
	}
}

int pd_source_open_live_pcap(struct pd_source **out, const struct pd_live_opts *o,
			     char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pd_source *s;
	struct live_pcap *lp;
	size_t buf = o->buffer_bytes;
	int rc;

	*out = 0;
	s = pd_source_alloc(&live_pcap_ops, o->iface);
	lp = calloc(1, sizeof(*lp));
	if (!s || !lp) {
		free(s);
		free(lp);
		snprintf(err, errlen, "%s: %s", o->iface, pd_strerror(PD_ENOMEM));
		return -PD_ENOMEM;
	}
	s->priv = lp;
	lp->fd = -1;
	lp->timeout_ms = o->timeout_ms;
	perr[0] = 0;
	lp->pcap = pcap_create(o->iface, perr);
	if (!lp->pcap) {
		snprintf(err, errlen, "%s: cannot capture: %s", o->iface, perr);
		rc = -PD_EOPEN;
		goto fail;
	}
	if (buf > (size_t)0x7fffffff)
		buf = 0x7fffffff;
	pcap_set_snaplen(lp->pcap, o->snaplen);
	pcap_set_promisc(lp->pcap, o->promisc ? 1 : 0);
	pcap_set_immediate_mode(lp->pcap, 1);
	pcap_set_buffer_size(lp->pcap, (int)buf);
	pcap_set_timeout(lp->pcap, o->timeout_ms > 0 ? o->timeout_ms : 1);
	pcap_set_tstamp_precision(lp->pcap, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(lp->pcap);
	if (rc < 0) {
		rc = activate_error(lp->pcap, rc, o->iface, err, errlen);
		goto fail;
	}
	if (pcap_setnonblock(lp->pcap, 1, perr) != 0) {
		snprintf(err, errlen, "%s: cannot make the capture non-blocking: %s", o->iface,
			 perr);
		rc = -PD_EOPEN;
		goto fail;
	}
	lp->fd = pcap_get_selectable_fd(lp->pcap);
	lp->nano = pcap_get_tstamp_precision(lp->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	s->linktype = pcap_datalink(lp->pcap);
	s->snaplen = pcap_snapshot(lp->pcap);
	s->live = true;
	snprintf(s->format, sizeof(s->format), "live");
	*out = s;
	return 0;
fail:
	pd_source_close(s);
	return rc;
}
