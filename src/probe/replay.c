/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - `pktdoctor replay FILE -i [NS:]IFACE`: push a saved
 * capture's frames through an interface, so a failure seen in a capture
 * is reproduced on a bench.
 *
 * Timing: as captured or --speed X (pd_source_replay(): an absolute
 * schedule from the first packet, no drift), --pps N (frame k is due at
 * start + k/N, also absolute), or --topspeed.
 *
 * Frames above the MTU follow an explicit, counted policy: refuse (the
 * default), segment (TCP, to the MSS), fragment (IPv4, RFC 791) or
 * truncate.  --fix-offload repairs what a capture taken on a sending host
 * holds: TSO/GSO super-segments are cut to the MSS in software (a veth
 * with TSO on would pass them through whole), IPv4 total length 0
 * (TSO/BIG TCP) is set from the frame, and partial checksums (Linux
 * CHECKSUM_PARTIAL, Microsoft LSO, IPv4 zero-fill) are completed.
 * --rewrite OLD=NEW changes MAC or IP addresses, and the checksums are
 * updated incrementally (RFC 1624), so a checksum that was wrong in the
 * capture stays exactly as wrong.
 *
 * Headers are found by pktdoctor's own dissectors (the byte cursor);
 * this file only writes into its copy of the frame.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/checksum.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/source.h"
#include "probe.h"

#define MAX_PIECES 1024        /* segments or fragments from one frame (64-byte MSS) */
#define PIECE_SIZE 65600       /* bytes of the work copy of one frame */
#define OUT_BYTES (16u << 20)  /* all output frame buffers together, bytes */

/* Where the headers of one frame are, from the dissector. */
struct layout {
	size_t l3;              /* IP header offset */
	size_t l4;              /* TCP/UDP header offset, 0 = none */
	size_t l4_hdr;          /* its length */
	uint32_t ip_len;        /* IP datagram length as the frame holds it */
	uint8_t version, proto;
	bool fragment;
};

int pd_rewrite_parse(struct pd_rewrite *rw, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char a[64], b[64];
	unsigned m[2][6];

	memset(rw, 0, sizeof(*rw));
	if (!eq || eq == spec || !eq[1] || (size_t)(eq - spec) >= sizeof(a) ||
	    strlen(eq + 1) >= sizeof(b))
		return -PD_EUSAGE;
	snprintf(a, sizeof(a), "%.*s", (int)(eq - spec), spec);
	snprintf(b, sizeof(b), "%s", eq + 1);
	if (inet_pton(AF_INET, a, rw->from) == 1 && inet_pton(AF_INET, b, rw->to) == 1) {
		rw->kind = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, a, rw->from) == 1 && inet_pton(AF_INET6, b, rw->to) == 1) {
		rw->kind = 6;
		return 0;
	}
	if (sscanf(a, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0][0], &m[0][1], &m[0][2], &m[0][3],
		   &m[0][4], &m[0][5]) == 6 &&
	    sscanf(b, "%2x:%2x:%2x:%2x:%2x:%2x", &m[1][0], &m[1][1], &m[1][2], &m[1][3],
		   &m[1][4], &m[1][5]) == 6 && strlen(a) == 17 && strlen(b) == 17) {
		for (int k = 0; k < 6; k++) {
			rw->from[k] = (uint8_t)m[0][k];
			rw->to[k] = (uint8_t)m[1][k];
		}
		rw->kind = 0;
		return 0;
	}
	return -PD_EUSAGE;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), one 16-bit word at a time. */
static uint16_t csum_update(uint16_t hc, const uint8_t *old, const uint8_t *new, size_t n)
{
	uint16_t s = (uint16_t)~hc;

	for (size_t k = 0; k + 1 < n; k += 2)
		s = pd_csum_add16(pd_csum_sub16(s, rd16(old + k)), rd16(new + k));
	return (uint16_t)~s;
}

static int dissect(const uint8_t *f, uint32_t len, struct layout *lo, struct pd_packet *p)
{
	memset(p, 0, sizeof(*p));
	memset(lo, 0, sizeof(*lo));
	p->caplen = p->wirelen = len;
	p->linktype = PD_LINKTYPE_EN10MB;
	if (pd_dissect_frame(p, f) != 0)
		return -PD_EUNSUPPORTED;
	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6)))
		return 0;
	lo->l3 = 14u + 4u * (p->eth.vlan_count < PD_MAX_VLAN ? p->eth.vlan_count : PD_MAX_VLAN);
	lo->version = p->ip.version;
	lo->proto = p->ip.proto;
	lo->ip_len = p->ip.total_len;
	lo->fragment = p->ip.is_fragment;
	/* the payload pointer is set once the L4 header was read whole */
	if ((p->layers & (PD_L_TCP | PD_L_UDP)) && p->payload && p->frame_data) {
		lo->l4_hdr = (p->layers & PD_L_TCP) ? p->tcp.hdr_len : 8u;
		lo->l4 = (size_t)(p->payload - p->frame_data) - lo->l4_hdr;
	}
	return 0;
}

/* Full L4 checksum over pseudo-header + segment (RFC 768 / 9293 / 8200). */
static void l4_csum_fill(uint8_t *f, const struct layout *lo, size_t l4_len)
{
	uint8_t ph[40];
	size_t phl;
	size_t field = lo->l4 + (lo->proto == 6 ? 16 : 6);
	struct pd_csum_buf b[2];
	uint16_t sum;

	if (lo->version == 4) {
		memcpy(ph, f + lo->l3 + 12, 8);
		ph[8] = 0;
		ph[9] = lo->proto;
		wr16(ph + 10, (uint16_t)l4_len);
		phl = 12;
	} else {
		memcpy(ph, f + lo->l3 + 8, 32);
		wr32(ph + 32, (uint32_t)l4_len);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = lo->proto;
		phl = 40;
	}
	wr16(f + field, 0);
	b[0].data = ph;
	b[0].len = phl;
	b[1].data = f + lo->l4;
	b[1].len = l4_len;
	sum = (uint16_t)~pd_csum_sum(b, 2);
	if (lo->proto == 17 && sum == 0)
		sum = 0xffff; /* RFC 768 */
	wr16(f + field, sum);
}

static void ip4_csum_fill(uint8_t *f, const struct layout *lo)
{
	struct pd_csum_buf b = {f + lo->l3, (size_t)(f[lo->l3] & 0x0f) * 4};

	wr16(f + lo->l3 + 10, 0);
	wr16(f + lo->l3 + 10, (uint16_t)~pd_csum_sum(&b, 1));
}

/* --rewrite: addresses in place, checksums updated incrementally. */
static bool rewrite(const struct pd_replay_opts *o, uint8_t *f, const struct layout *lo,
		    const struct pd_packet *p)
{
	bool changed = false;

	for (unsigned k = 0; k < o->n_rw; k++) {
		const struct pd_rewrite *rw = &o->rw[k];

		if (rw->kind == 0) {
			for (size_t at = 0; at <= 6; at += 6)
				if (!memcmp(f + at, rw->from, 6)) {
					memcpy(f + at, rw->to, 6);
					changed = true;
				}
			continue;
		}
		if (rw->kind != lo->version || !lo->l3)
			continue;
		for (int side = 0; side < 2; side++) {
			size_t alen = rw->kind == 4 ? 4 : 16;
			size_t at = lo->l3 + (rw->kind == 4 ? 12 : 8) + (size_t)side * alen;
			uint8_t old[16];

			if (memcmp(f + at, rw->from, alen))
				continue;
			memcpy(old, f + at, alen);
			memcpy(f + at, rw->to, alen);
			changed = true;
			if (rw->kind == 4)
				wr16(f + lo->l3 + 10,
				     csum_update(rd16(f + lo->l3 + 10), old, rw->to, alen));
			if (lo->l4 && !lo->fragment) {
				size_t field = lo->l4 + (lo->proto == 6 ? 16 : 6);
				uint16_t cs = rd16(f + field);

				/* UDP/IPv4 "no checksum" stays 0 (RFC 768) */
				if (lo->proto == 17 && lo->version == 4 && cs == 0)
					continue;
				if (p->layers & (PD_L_TCP | PD_L_UDP))
					wr16(f + field, csum_update(cs, old, rw->to, alen));
			}
		}
	}
	return changed;
}

/* Cut a TCP segment into pieces of at most @seg payload bytes, as GSO
 * does (tcp_gso_segment): consecutive sequence numbers, IPv4 ID + k,
 * FIN and PSH only on the last piece, CWR only on the first. */
static int segment(const uint8_t *f, uint32_t len, const struct layout *lo, uint32_t seg,
		   uint8_t *out, size_t out_size, uint32_t *out_len, unsigned max_out,
		   unsigned *n_out)
{
	size_t hdrs = lo->l4 + lo->l4_hdr;
	size_t end = lo->l3 + lo->ip_len < len ? lo->l3 + lo->ip_len : len;
	size_t pay = end > hdrs ? end - hdrs : 0;
	uint32_t seq = (uint32_t)rd16(f + lo->l4 + 4) << 16 | rd16(f + lo->l4 + 6);
	uint8_t flags = f[lo->l4 + 13];
	unsigned n = (unsigned)((pay + seg - 1) / seg);

	if (!seg || !pay || n > max_out)
		return -PD_ELIMIT;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *o = out + (size_t)k * out_size;
		size_t off = (size_t)k * seg, cut = pay - off < seg ? pay - off : seg;
		struct layout l2 = *lo;

		if (hdrs + cut > out_size)
			return -PD_ELIMIT;
		memcpy(o, f, hdrs);
		memcpy(o + hdrs, f + hdrs + off, cut);
		wr32(o + lo->l4 + 4, seq + (uint32_t)off);
		o[lo->l4 + 13] = (uint8_t)(flags & ~((k + 1 < n ? 0x09 : 0) | (k ? 0x80 : 0)));
		if (lo->version == 4) {
			wr16(o + lo->l3 + 2, (uint16_t)(hdrs - lo->l3 + cut));
			wr16(o + lo->l3 + 4, (uint16_t)(rd16(f + lo->l3 + 4) + k));
			ip4_csum_fill(o, &l2);
		} else {
			wr16(o + lo->l3 + 4, (uint16_t)(hdrs - lo->l3 - 40 + cut));
		}
		l4_csum_fill(o, &l2, lo->l4_hdr + cut);
		out_len[k] = (uint32_t)(hdrs + cut);
	}
	*n_out = n;
	return 0;
}

/* RFC 791 fragmentation of an IPv4 datagram to the MTU. */
static int fragment(const uint8_t *f, uint32_t len, const struct layout *lo, uint16_t mtu,
		    uint8_t *out, size_t out_size, uint32_t *out_len, unsigned max_out,
		    unsigned *n_out)
{
	size_t ihl = (size_t)(f[lo->l3] & 0x0f) * 4;
	size_t end = lo->l3 + lo->ip_len < len ? lo->l3 + lo->ip_len : len;
	size_t data = end - lo->l3 - ihl;
	size_t chunk = ((size_t)mtu - ihl) & ~(size_t)7;
	uint16_t frag0 = rd16(f + lo->l3 + 6);
	unsigned n;

	if (lo->version != 4 || !chunk)
		return -PD_EUNSUPPORTED;
	n = (unsigned)((data + chunk - 1) / chunk);
	if (n > max_out)
		return -PD_ELIMIT;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *o = out + (size_t)k * out_size;
		size_t off = (size_t)k * chunk, cut = data - off < chunk ? data - off : chunk;
		bool last = k + 1 == n;
		/* an already-fragmented datagram keeps its offset and MF */
		uint16_t base = (uint16_t)(frag0 & 0x1fff);
		uint16_t mf = last ? (uint16_t)(frag0 & 0x2000) : 0x2000;

		if (lo->l3 + ihl + cut > out_size)
			return -PD_ELIMIT;
		memcpy(o, f, lo->l3 + ihl);
		memcpy(o + lo->l3 + ihl, f + lo->l3 + ihl + off, cut);
		wr16(o + lo->l3 + 2, (uint16_t)(ihl + cut));
		wr16(o + lo->l3 + 6, (uint16_t)(mf | (base + off / 8)));
		ip4_csum_fill(o, lo);
		out_len[k] = (uint32_t)(lo->l3 + ihl + cut);
	}
	*n_out = n;
	return 0;
}

int pd_replay_frame(const struct pd_replay_opts *o, const uint8_t *in, uint32_t len, uint16_t mtu,
		    uint16_t mss, uint8_t *out, size_t out_size, uint32_t *out_len, unsigned max_out,
		    unsigned *n_out, struct pd_replay_counts *cnt)
{
	static struct pd_packet p;
	static uint8_t work[PIECE_SIZE];
	struct layout lo;
	bool fixed = false;
	uint32_t l3_len;
	int rc;

	*n_out = 0;
	if (len > sizeof(work) || len < 14 || !max_out) {
		cnt->refused++;
		return 0;
	}
	memcpy(work, in, len);
	rc = dissect(work, len, &lo, &p);
	if (rc) {
		cnt->skipped++;
		return 0;
	}
	if (o->n_rw && rewrite(o, work, &lo, &p))
		cnt->rewritten++;
	if ((work[0] & 1) && !o->allow_broadcast) {
		cnt->skipped++; /* broadcast or multicast destination */
		return 0;
	}
	if (o->fix_offload && lo.l3) {
		/* IPv4 total length 0: TSO / BIG TCP left it for the device */
		if (lo.version == 4 && p.ip.len_from_frame) {
			lo.ip_len = len - (uint32_t)lo.l3 > 65535 ? 65535 : len - (uint32_t)lo.l3;
			wr16(work + lo.l3 + 2, (uint16_t)lo.ip_len);
			ip4_csum_fill(work, &lo);
			fixed = true;
		}
		if (lo.version == 4 && p.ip.hdr_csum.verdict == PD_CSUM_PARTIAL) {
			ip4_csum_fill(work, &lo);
			fixed = true;
		}
		if (lo.l4 && !lo.fragment &&
		    ((p.layers & PD_L_TCP ? p.tcp.csum.verdict : p.udp.csum.verdict) ==
		     PD_CSUM_PARTIAL)) {
			l4_csum_fill(work, &lo, lo.l3 + lo.ip_len - lo.l4);
			fixed = true;
		}
	}
	l3_len = len - (uint32_t)(lo.l3 ? lo.l3 : 14);
	if (l3_len <= mtu) {
		if (len > out_size) {
			cnt->refused++;
			return 0;
		}
		memcpy(out, work, len);
		out_len[0] = len;
		*n_out = 1;
		if (fixed)
			cnt->fixed++;
		return 0;
	}
	/* above the MTU */
	if (lo.l3 && lo.l4 && lo.proto == 6 && !lo.fragment &&
	    (o->fix_offload || o->policy == PD_MTU_SEGMENT)) {
		size_t opts = lo.l4_hdr - 20 + (lo.version == 4 ? lo.l4 - lo.l3 - 20 : 0);
		uint32_t seg = mss ? mss : 1460;

		/* RFC 6691: the sender leaves room for its options in the MSS */
		seg = seg > opts ? seg - (uint32_t)opts : 1;
		if (seg + lo.l4 + lo.l4_hdr - lo.l3 > mtu)
			seg = (uint32_t)(mtu - (lo.l4 + lo.l4_hdr - lo.l3));
		if (l3_len > lo.ip_len) /* trailer bytes are not data */
			l3_len = lo.ip_len;
		rc = segment(work, len, &lo, seg, out, out_size, out_len, max_out, n_out);
		if (rc) {
			cnt->refused++;
			*n_out = 0;
			return 0;
		}
		cnt->segmented++;
		if (o->fix_offload)
			cnt->fixed++;
		return 0;
	}
	switch (o->policy) {
	case PD_MTU_FRAGMENT:
		if (lo.l3 && lo.version == 4 &&
		    fragment(work, len, &lo, mtu, out, out_size, out_len, max_out, n_out) == 0) {
			cnt->fragmented++;
			return 0;
		}
		break;
	case PD_MTU_TRUNCATE:
		memcpy(out, work, (size_t)mtu + (lo.l3 ? lo.l3 : 14));
		out_len[0] = (uint32_t)mtu + (uint32_t)(lo.l3 ? lo.l3 : 14);
		*n_out = 1;
		cnt->truncated++;
		return 0;
	default:
		break;
	}
	*n_out = 0;
	cnt->refused++;
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t due)
{
	int64_t d = due - mono_ns();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)(d / 1000000000LL);
	ts.tv_nsec = (long)(d % 1000000000LL);
	nanosleep(&ts, 0);
}

/* The smallest MSS option in the capture's SYNs (what the receivers
 * advertised), or 0. */
static uint16_t capture_mss(const char *file)
{
	struct pd_source *s = 0;
	struct pd_frame f;
	static struct pd_packet p;
	char err[256];
	uint16_t mss = 0;
	uint64_t n = 0;

	if (pd_source_open_file(&s, file, err, sizeof(err)))
		return 0;
	while (n++ < 1000000 && pd_source_next(s, &f) == PD_SRC_FRAME) {
		if (f.kind != PD_FRAME_PACKET || f.linktype != PD_LINKTYPE_EN10MB)
			continue;
		memset(&p, 0, sizeof(p));
		p.caplen = f.caplen;
		p.wirelen = f.wirelen;
		p.linktype = f.linktype;
		pd_dissect_frame(&p, f.data);
		if ((p.layers & PD_L_TCP) && (p.tcp.flags & 0x02) && p.tcp.mss &&
		    (!mss || p.tcp.mss < mss))
			mss = p.tcp.mss;
	}
	pd_source_close(s);
	return mss;
}

int pd_replay_run(const struct pd_replay_opts *o, struct pd_replay_counts *cnt, char *err,
		  size_t errlen)
{
	struct pd_probe_if ifc;
	struct pd_source *src = 0;
	struct pd_frame f;
	uint8_t *out = 0;
	static uint32_t out_len[MAX_PIECES];
	size_t piece = 0;
	unsigned pieces = 0;
	uint64_t max = o->max_frames ? o->max_frames : 1000000, k = 0;
	uint16_t mss = (uint16_t)o->mss;
	int64_t start = 0;
	int fd = -1, rc;

	memset(cnt, 0, sizeof(*cnt));
	if (pd_probe_if_parse(&ifc, o->iface)) {
		snprintf(err, errlen, "'%s' is not [NS:]IFACE", o->iface);
		return -PD_EUSAGE;
	}
	rc = pd_probe_check_caps(false, err, errlen);
	if (rc)
		return rc;
	rc = pd_probe_if_open(&ifc, err, errlen);
	if (rc)
		goto out;
	if (!mss)
		mss = capture_mss(o->file);
	rc = pd_source_open_file(&src, o->file, err, errlen);
	if (rc)
		goto out;
	if (!o->pps && (rc = pd_source_replay(&src, src, o->speed, o->topspeed)) != 0) {
		src = 0;
		goto out;
	}
	/* on the source frames are read from (the pacing wrapper, if any) */
	if (o->filter && (rc = pd_source_compile_filter(src, o->filter, err, errlen)) != 0)
		goto out;
	rc = pd_probe_packet_socket(&ifc, PD_PSOCK_SEND, err, errlen);
	if (rc < 0)
		goto out;
	fd = rc;
	/* the socket is open: nothing privileged is needed any more */
	rc = pd_probe_drop_privileges(false, false, err, errlen);
	if (rc)
		goto out;
	/* every frame sent fits the MTU (truncate cuts to it) */
	piece = (size_t)ifc.mtu + 64;
	pieces = (unsigned)(OUT_BYTES / piece < MAX_PIECES ? OUT_BYTES / piece : MAX_PIECES);
	out = malloc(piece * pieces);
	if (!out) {
		rc = -PD_ENOMEM;
		goto out;
	}
	for (;;) {
		unsigned n = 0;

		if (o->stop && *o->stop) {
			cnt->interrupted = true;
			rc = 0;
			break;
		}
		if (cnt->read >= max) {
			snprintf(err, errlen, "stopped at the limit of %llu frames",
				 (unsigned long long)max);
			break;
		}
		rc = pd_source_next(src, &f);
		if (rc == PD_SRC_AGAIN) {
			int64_t w = pd_source_wait_ns(src);

			sleep_until(mono_ns() + (w > 0 && w < 100000000LL ? w : 1000000LL));
			continue;
		}
		if (rc == PD_SRC_END) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			int64_t off;

			snprintf(err, errlen, "%s", pd_source_error(src, &off));
			break;
		}
		if (f.kind != PD_FRAME_PACKET)
			continue;
		cnt->read++;
		if (!pd_source_match(src, &f) || f.linktype != PD_LINKTYPE_EN10MB) {
			cnt->skipped++;
			continue;
		}
		if (f.caplen < f.wirelen) {
			cnt->refused++; /* snaplen cut: the frame is not all there */
			continue;
		}
		pd_replay_frame(o, f.data, f.caplen, ifc.mtu, mss, out, piece, out_len, pieces, &n,
				cnt);
		if (o->pps) {
			if (!start)
				start = mono_ns();
			sleep_until(start + (int64_t)(k * 1000000000ULL / o->pps));
			k++;
		}
		for (unsigned i = 0; i < n; i++) {
			if (send(fd, out + (size_t)i * piece, out_len[i], 0) < 0) {
				cnt->failed++;
				if (cnt->failed == 1)
					fprintf(stderr, "pktdoctor replay: send of %u bytes on %s: %s\n",
						out_len[i], ifc.name, strerror(errno));
				continue;
			}
			cnt->sent++;
			cnt->bytes += out_len[i];
			if (out_len[i] > cnt->max_len)
				cnt->max_len = out_len[i];
		}
	}
out:
	free(out);
	if (fd >= 0)
		close(fd);
	pd_source_close(src);
	pd_probe_if_close(&ifc);
	return rc;
}
