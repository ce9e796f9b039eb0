/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_write.c - the pcapng writer (include/pktdoctor/pcapng.h,
 * draft-ietf-opsawg-pcapng).  Each block is assembled in one reusable
 * buffer, in the section's byte order, and written with one fwrite();
 * a failed write sticks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyze.h" /* PD_VERSION */
#include "pktdoctor/error.h"
#include "pktdoctor/pcapng.h"

#define NG_SHB 0x0a0d0d0au
#define NG_IDB 1u
#define NG_NRB 4u
#define NG_EPB 6u

#define OPT_COMMENT 1
#define SHB_HARDWARE 2
#define SHB_OS 3
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_IPV4ADDR 4
#define IF_IPV6ADDR 5
#define IF_MACADDR 6
#define IF_TSRESOL 9
#define EPB_FLAGS 2
#define NRB_IPV4 1
#define NRB_IPV6 2

struct pd_pcapng_iface_w {
	uint8_t tsresol;
};

struct pd_pcapng_writer {
	FILE *fp;
	bool own;               /* opened by the writer: fclose() at the end */
	bool be;                /* this section is big-endian */
	int err;                /* first failure, sticky */
	uint8_t *b;             /* the block being built */
	size_t len, cap;
	bool oom;
	struct pd_pcapng_iface_w *ifs;  /* this section's interfaces */
	uint32_t n_ifs, cap_ifs;
	char *hostname;         /* for the NRB entries */
};

static void put(struct pd_pcapng_writer *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (n > w->cap - w->len) {
		size_t ncap = w->cap ? w->cap : 4096;
		uint8_t *nb;

		while (ncap - w->len < n)
			ncap *= 2;
		nb = realloc(w->b, ncap);
		if (!nb) {
			w->oom = true;
			return;
		}
		w->b = nb;
		w->cap = ncap;
	}
	if (n)
		memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void put16(struct pd_pcapng_writer *w, uint16_t v)
{
	uint8_t b[2];

	if (w->be) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	put(w, b, 2);
}

static void put32(struct pd_pcapng_writer *w, uint32_t v)
{
	if (w->be) {
		put16(w, (uint16_t)(v >> 16));
		put16(w, (uint16_t)v);
	} else {
		put16(w, (uint16_t)v);
		put16(w, (uint16_t)(v >> 16));
	}
}

static void pad4(struct pd_pcapng_writer *w)
{
	static const uint8_t zero[4];

	put(w, zero, (4 - (w->len & 3)) & 3);
}

/* One option: code, length, value, padding. */
static void opt(struct pd_pcapng_writer *w, uint16_t code, const void *v, size_t n)
{
	if (n > 65535)
		n = 65535;
	put16(w, code);
	put16(w, (uint16_t)n);
	put(w, v, n);
	pad4(w);
}

static void opt_str(struct pd_pcapng_writer *w, uint16_t code, const char *s)
{
	if (s && s[0])
		opt(w, code, s, strlen(s));
}

static void opt_end(struct pd_pcapng_writer *w)
{
	put16(w, 0);
	put16(w, 0);
}

/* Start a block: type and a length filled in by end_block(). */
static void begin_block(struct pd_pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	w->oom = false;
	put32(w, type);
	put32(w, 0);
}

/* Finish the block (both lengths) and write it. */
static int end_block(struct pd_pcapng_writer *w)
{
	uint32_t total;

	pad4(w);
	total = (uint32_t)(w->len + 4);
	put32(w, total);
	if (w->oom)
		return -PD_ENOMEM;
	/* the leading length, in place */
	w->len = 4;
	put32(w, total);
	w->len = total;
	if (w->err)
		return w->err;
	if (fwrite(w->b, 1, total, w->fp) != total) {
		w->err = -PD_EWRITE;
		return w->err;
	}
	return 0;
}

static int write_shb(struct pd_pcapng_writer *w, const struct pd_pcapng_section *sec)
{
	char host[300];

	w->be = sec && sec->big_endian;
	w->n_ifs = 0;
	free(w->hostname);
	w->hostname = 0;
	begin_block(w, NG_SHB);
	put32(w, 0x1a2b3c4du);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffffu); /* section length: not given */
	put32(w, 0xffffffffu);
	if (sec && sec->hostname && sec->hostname[0]) {
		snprintf(host, sizeof(host), "capture host: %s", sec->hostname);
		opt_str(w, OPT_COMMENT, host);
		w->hostname = strdup(sec->hostname);
		if (!w->hostname)
			return -PD_ENOMEM;
	}
	if (sec) {
		opt_str(w, SHB_HARDWARE, sec->hardware);
		opt_str(w, SHB_OS, sec->os);
	}
	opt_str(w, SHB_USERAPPL,
		sec && sec->userappl ? sec->userappl : "pktdoctor " PD_VERSION);
	opt_end(w);
	return end_block(w);
}

static int writer_init(struct pd_pcapng_writer **out, FILE *fp, bool own,
		       const struct pd_pcapng_section *sec)
{
	struct pd_pcapng_writer *w = calloc(1, sizeof(*w));
	int rc;

	*out = 0;
	if (!w) {
		if (own)
			fclose(fp);
		return -PD_ENOMEM;
	}
	w->fp = fp;
	w->own = own;
	rc = write_shb(w, sec);
	if (rc) {
		pd_pcapng_writer_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int pd_pcapng_writer_open(struct pd_pcapng_writer **out, FILE *fp,
			  const struct pd_pcapng_section *section)
{
	return writer_init(out, fp, false, section);
}

int pd_pcapng_writer_open_path(struct pd_pcapng_writer **out, const char *path,
			       const struct pd_pcapng_section *section)
{
	FILE *fp = fopen(path, "wb");

	*out = 0;
	if (!fp)
		return -PD_EOPEN;
	return writer_init(out, fp, true, section);
}

int pd_pcapng_new_section(struct pd_pcapng_writer *w, const struct pd_pcapng_section *section)
{
	if (w->err)
		return w->err;
	return write_shb(w, section);
}

/* NRB: each address of the interface -> the capture host's name. */
static int write_nrb(struct pd_pcapng_writer *w, const struct pd_pcapng_iface *ifc)
{
	size_t hl = strlen(w->hostname) + 1;

	if (hl > 65535 - 16)
		return 0;
	begin_block(w, NG_NRB);
	for (size_t i = 0; i < ifc->n_ipv4; i++) {
		put16(w, NRB_IPV4);
		put16(w, (uint16_t)(4 + hl));
		put(w, ifc->ipv4[i].addr, 4);
		put(w, w->hostname, hl);
		pad4(w);
	}
	for (size_t i = 0; i < ifc->n_ipv6; i++) {
		put16(w, NRB_IPV6);
		put16(w, (uint16_t)(16 + hl));
		put(w, ifc->ipv6[i].addr, 16);
		put(w, w->hostname, hl);
		pad4(w);
	}
	put16(w, 0); /* nrb_record_end */
	put16(w, 0);
	return end_block(w);
}

int pd_pcapng_add_interface(struct pd_pcapng_writer *w, const struct pd_pcapng_iface *ifc)
{
	uint8_t tsresol = ifc->tsresol ? ifc->tsresol : PD_PCAPNG_TSRESOL_NS;
	int rc;

	if (w->err)
		return w->err;
	if (ifc->linktype < 0 || ifc->linktype > 65535 ||
	    (tsresol & 0x80 ? (tsresol & 0x7f) > 63 : tsresol > 19))
		return -PD_EUSAGE;
	if (w->n_ifs == w->cap_ifs) {
		uint32_t ncap = w->cap_ifs ? w->cap_ifs * 2 : 8;
		struct pd_pcapng_iface_w *n = realloc(w->ifs, ncap * sizeof(*n));

		if (!n)
			return -PD_ENOMEM;
		w->ifs = n;
		w->cap_ifs = ncap;
	}
	begin_block(w, NG_IDB);
	put16(w, (uint16_t)pd_pcapng_dlt_to_linktype(ifc->linktype));
	put16(w, 0);
	put32(w, ifc->snaplen);
	opt_str(w, IF_NAME, ifc->name);
	opt_str(w, IF_DESCRIPTION, ifc->description);
	for (size_t i = 0; i < ifc->n_ipv4; i++) {
		uint8_t v[8];

		memcpy(v, ifc->ipv4[i].addr, 4);
		memcpy(v + 4, ifc->ipv4[i].mask, 4);
		opt(w, IF_IPV4ADDR, v, 8);
	}
	for (size_t i = 0; i < ifc->n_ipv6; i++) {
		uint8_t v[17];

		memcpy(v, ifc->ipv6[i].addr, 16);
		v[16] = ifc->ipv6[i].prefix_len;
		opt(w, IF_IPV6ADDR, v, 17);
	}
	if (ifc->mac)
		opt(w, IF_MACADDR, ifc->mac, 6);
	opt(w, IF_TSRESOL, &tsresol, 1);
	opt_end(w);
	rc = end_block(w);
	if (rc)
		return rc;
	if (w->hostname && ifc->n_ipv4 + ifc->n_ipv6 > 0) {
		rc = write_nrb(w, ifc);
		if (rc)
			return rc;
	}
	w->ifs[w->n_ifs].tsresol = tsresol;
	return (int)w->n_ifs++;
}

/* ns since the epoch to ticks of 10^-n or 2^-n s, rounded down. */
static uint64_t ticks(uint8_t tsresol, int64_t ts_ns)
{
	unsigned n = tsresol & 0x7f;
	unsigned __int128 t;

	if (tsresol & 0x80)
		t = ((unsigned __int128)ts_ns << n) / 1000000000u;
	else if (n <= 9) {
		uint64_t d = 1;

		for (unsigned i = n; i < 9; i++)
			d *= 10;
		t = (uint64_t)ts_ns / d;
	} else {
		t = (unsigned __int128)ts_ns;
		for (unsigned i = 9; i < n; i++)
			t *= 10;
	}
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

int pd_pcapng_write_packet(struct pd_pcapng_writer *w, uint32_t ifid, int64_t ts_ns,
			   const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			   uint32_t epb_flags, bool has_flags, const char *comment)
{
	uint64_t t;

	if (w->err)
		return w->err;
	if (ifid >= w->n_ifs || caplen > PD_PCAPNG_MAX_PACKET || ts_ns < 0 ||
	    (caplen && !data))
		return -PD_EUSAGE;
	t = ticks(w->ifs[ifid].tsresol, ts_ns);
	begin_block(w, NG_EPB);
	put32(w, ifid);
	put32(w, (uint32_t)(t >> 32));
	put32(w, (uint32_t)t);
	put32(w, caplen);
	put32(w, wirelen);
	put(w, data, caplen);
	pad4(w);
	if (comment && comment[0])
		opt_str(w, OPT_COMMENT, comment);
	if (has_flags) {
		put16(w, EPB_FLAGS);
		put16(w, 4);
		put32(w, epb_flags);
	}
	if ((comment && comment[0]) || has_flags)
		opt_end(w);
	return end_block(w);
}

int pd_pcapng_writer_close(struct pd_pcapng_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = w->err;
	if (fflush(w->fp) != 0 && !rc)
		rc = -PD_EWRITE;
	if (w->own && fclose(w->fp) != 0 && !rc)
		rc = -PD_EWRITE;
	free(w->b);
	free(w->ifs);
	free(w->hostname);
	free(w);
	return rc;
}
