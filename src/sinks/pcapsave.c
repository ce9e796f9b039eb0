/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapsave.c - the monitor's pcapng output (src/sinks/pcapsave.h): -w
 * writes every captured frame with its epb_flags; the save ring keeps
 * the recent frames so the packets around a finding can be written for
 * a bug report.  Formatting only: the writer is src/sources/pcapng_write.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapsave.h"
#include "pktdoctor/error.h"
#include "pktdoctor/pcapng.h"

#define MAX_IFACES 64 /* (source interface, link type) pairs per file */

struct pd_capwrite {
	struct pd_pcapng_writer *w;
	char ifname[64];
	char desc[512];
	int n;
	struct {
		uint32_t ifid;
		int linktype;
		int id;
	} map[MAX_IFACES];
	int rc;
};

static int open_writer(struct pd_pcapng_writer **out, const char *path, char *err, size_t errlen)
{
	struct pd_pcapng_section sec;
	char host[256];
	int rc;

	memset(&sec, 0, sizeof(sec));
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = 0;
		sec.hostname = host;
	}
	rc = pd_pcapng_writer_open_path(out, path, &sec);
	if (rc)
		snprintf(err, errlen, "%s: %s", path,
			 rc == -PD_EOPEN ? strerror(errno) : pd_strerror(rc));
	return rc;
}

int pd_capwrite_open(struct pd_capwrite **out, const char *path, const char *ifname,
		     const char *desc, char *err, size_t errlen)
{
	struct pd_capwrite *c = calloc(1, sizeof(*c));
	int rc;

	*out = 0;
	if (!c)
		return -PD_ENOMEM;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname ? ifname : "");
	snprintf(c->desc, sizeof(c->desc), "%s", desc ? desc : "");
	rc = open_writer(&c->w, path, err, errlen);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The writer's interface for @f's interface and link type. */
static int iface_for(struct pd_capwrite *c, const struct pd_frame *f)
{
	struct pd_pcapng_iface ifc;
	int id;

	for (int i = 0; i < c->n; i++)
		if (c->map[i].ifid == f->ifid && c->map[i].linktype == f->linktype)
			return c->map[i].id;
	if (c->n >= MAX_IFACES)
		return -PD_ELIMIT;
	memset(&ifc, 0, sizeof(ifc));
	ifc.linktype = f->linktype;
	ifc.name = c->ifname[0] ? c->ifname : 0;
	ifc.description = c->desc[0] ? c->desc : 0;
	ifc.tsresol = PD_PCAPNG_TSRESOL_NS;
	id = pd_pcapng_add_interface(c->w, &ifc);
	if (id < 0)
		return id;
	c->map[c->n].ifid = f->ifid;
	c->map[c->n].linktype = f->linktype;
	c->map[c->n++].id = id;
	return id;
}

int pd_capwrite_frame(struct pd_capwrite *c, const struct pd_frame *f)
{
	int id;

	if (c->rc)
		return c->rc;
	id = iface_for(c, f);
	if (id < 0)
		return c->rc = id == -PD_ELIMIT ? -PD_ELIMIT : -PD_EWRITE;
	c->rc = pd_pcapng_write_packet(c->w, (uint32_t)id, f->ts_ns < 0 ? 0 : f->ts_ns, f->data,
				       f->caplen, f->wirelen, f->epb_flags, f->has_epb_flags,
				       f->comment);
	return c->rc;
}

int pd_capwrite_close(struct pd_capwrite *c)
{
	int rc;

	if (!c)
		return 0;
	rc = pd_pcapng_writer_close(c->w);
	if (!rc && c->rc)
		rc = c->rc;
	free(c);
	return rc;
}

struct slot {
	uint64_t frame;       /* 0 = empty */
	int64_t ts_ns;
	uint32_t caplen, wirelen, epb_flags, ifid;
	int linktype;
	bool has_epb_flags;
};

struct pd_save_ring {
	struct slot s[PD_SAVE_RING_FRAMES];
	uint8_t *data;        /* PD_SAVE_RING_FRAMES * PD_SAVE_RING_SNAP, on first use */
	uint64_t n;
};

int pd_save_ring_new(struct pd_save_ring **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -PD_ENOMEM;
}

void pd_save_ring_free(struct pd_save_ring *r)
{
	if (!r)
		return;
	free(r->data);
	free(r);
}

void pd_save_ring_put(struct pd_save_ring *r, uint64_t frame, const struct pd_frame *f)
{
	size_t i = (size_t)(r->n % PD_SAVE_RING_FRAMES);
	struct slot *s = &r->s[i];
	uint32_t cap = f->caplen < PD_SAVE_RING_SNAP ? f->caplen : PD_SAVE_RING_SNAP;

	if (!r->data) {
		r->data = malloc((size_t)PD_SAVE_RING_FRAMES * PD_SAVE_RING_SNAP);
		if (!r->data)
			return; /* no ring: saving will say there is nothing */
	}
	r->n++;
	s->frame = frame;
	s->ts_ns = f->ts_ns;
	s->caplen = cap;
	s->wirelen = f->wirelen;
	s->epb_flags = f->epb_flags;
	s->has_epb_flags = f->has_epb_flags;
	s->ifid = f->ifid;
	s->linktype = f->linktype;
	memcpy(r->data + i * PD_SAVE_RING_SNAP, f->data, cap);
}

int pd_save_ring_write(const struct pd_save_ring *r, const char *path, const char *ifname,
		       const char *desc, bool (*want)(void *arg, uint64_t frame), void *arg,
		       size_t *written, char *err, size_t errlen)
{
	struct pd_capwrite *c = 0;
	uint64_t n = r->n < PD_SAVE_RING_FRAMES ? r->n : PD_SAVE_RING_FRAMES;
	int rc;

	*written = 0;
	rc = pd_capwrite_open(&c, path, ifname, desc, err, errlen);
	if (rc)
		return rc;
	for (uint64_t k = r->n - n; k < r->n && !rc; k++) {
		size_t i = (size_t)(k % PD_SAVE_RING_FRAMES);
		const struct slot *s = &r->s[i];
		struct pd_frame f;

		if (!s->frame || !want(arg, s->frame))
			continue;
		memset(&f, 0, sizeof(f));
		f.data = r->data + i * PD_SAVE_RING_SNAP;
		f.caplen = s->caplen;
		f.wirelen = s->wirelen;
		f.ts_ns = s->ts_ns;
		f.linktype = s->linktype;
		f.ifid = s->ifid;
		f.epb_flags = s->epb_flags;
		f.has_epb_flags = s->has_epb_flags;
		rc = pd_capwrite_frame(c, &f);
		if (!rc)
			(*written)++;
	}
	{
		int crc = pd_capwrite_close(c);

		if (!rc)
			rc = crc;
	}
	if (rc)
		snprintf(err, errlen, "%s: %s", path, pd_strerror(rc));
	return rc;
}
