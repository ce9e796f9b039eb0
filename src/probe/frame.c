/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.c - builds the prober's frames with libnet at the link layer.
 *
 * The only translation unit that includes <libnet.h>: libnet needs
 * gnu11 and its BSD feature macros (CMakeLists.txt gives this file its
 * own flags).  Every frame is built in a libnet context of type
 * LIBNET_NONE ("only construct packets"); sending is done elsewhere on
 * an AF_PACKET socket, so the link layer keeps every byte as built.
 *
 * Checksums: every checksum-bearing pblock has libnet's own computation
 * toggled off (libnet_toggle_checksum), and the value is filled in from
 * pktdoctor's RFC 1071 routine (pd_csum_sum): a first build with the
 * field 0 gives the covered bytes, the correct value is computed from
 * them, and the frame is built again with the value the case asks for.
 * libnet 1.1.6 sends 0x0000 where a computed UDP checksum of 0 must go
 * out as 0xffff (RFC 768), so its computation is never trusted.
 */
#include <libnet.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/checksum.h"
#include "pktdoctor/error.h"
#include "probe.h"

/* TCP control bits (RFC 9293 3.1). */
#define TH_SYN_ 0x02
#define TH_PSH_ 0x08
#define TH_ACK_ 0x10

/* Everything one build needs. */
struct spec {
	const struct pd_probe_ends *e;
	bool vlan;
	uint8_t vlan_prio;
	uint16_t vlan_id;
	uint8_t family;          /* 4 or 6 */
	uint16_t ip_id, ip_frag; /* IPv4 identification; flags+offset word */
	uint16_t ip_csum;
	bool ip_opts;
	bool frag6;              /* an IPv6 fragment header (RFC 8200 4.5) */
	uint16_t frag6_word;     /* fragment offset (bytes, multiple of 8) | M */
	uint32_t frag6_id;
	uint8_t proto;
	/* L4 built by libnet, or an IP payload given as bytes (fragments) */
	const uint8_t *raw;
	uint32_t raw_len;
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t tcp_flags;
	bool tcp_opts;
	uint16_t l4_csum;
	const uint8_t *payload;
	uint32_t payload_len;
};

static const uint8_t ip_options[4] = {1, 1, 1, 0};   /* NOP NOP NOP EOL (RFC 791) */
/* MSS 1460, SACK-permitted, timestamps, NOP, window scale 7: 20 bytes */
static const uint8_t tcp_options[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
					0, 0, 0, 0, 1, 3, 3, 7};

static uint32_t ip_hdr_len(const struct spec *s)
{
	return s->family == 6 ? (s->frag6 ? 48u : 40u) : s->ip_opts ? 24u : 20u;
}

static uint32_t link_hdr_len(const struct spec *s)
{
	return s->vlan ? 18u : 14u;
}

static uint32_t tcp_hdr_len(const struct spec *s)
{
	return s->tcp_opts ? 20u + sizeof(tcp_options) : 20u;
}

static uint32_t l4_len(const struct spec *s)
{
	if (s->raw)
		return s->raw_len;
	return (s->proto == 17 ? 8u : tcp_hdr_len(s)) + s->payload_len;
}

/* Build one frame into @buf (at most @size bytes).  Return 0 or -PD_E. */
static int build_once(const struct spec *s, uint8_t *buf, size_t size, uint32_t *len, char *err,
		      size_t errlen)
{
	char eb[LIBNET_ERRBUF_SIZE];
	libnet_t *l = libnet_init(LIBNET_NONE, 0, eb);
	libnet_ptag_t t;
	uint8_t *pkt = 0;
	uint32_t n = 0, l4 = l4_len(s);
	uint16_t ethertype = s->family == 6 ? 0x86dd : 0x0800;
	int rc = -PD_EMALFORMED;

	if (!l) {
		snprintf(err, errlen, "libnet_init: %s", eb);
		return -PD_ENOMEM;
	}
	if (!s->raw) {
		if (s->proto == 17) {
			t = libnet_build_udp(s->sport, s->dport, (uint16_t)l4, s->l4_csum, s->payload,
					     s->payload_len, l, 0);
		} else {
			if (s->tcp_opts &&
			    libnet_build_tcp_options(tcp_options, sizeof(tcp_options), l, 0) == -1)
				goto libnet_fail;
			t = libnet_build_tcp(s->sport, s->dport, s->seq, 0, s->tcp_flags, 64240,
					     s->l4_csum, 0, (uint16_t)l4, s->payload, s->payload_len,
					     l, 0);
		}
		if (t == -1 || libnet_toggle_checksum(l, t, LIBNET_OFF) == -1)
			goto libnet_fail;
	}
	if (s->family == 4) {
		uint32_t src, dst;

		memcpy(&src, s->e->src4, 4);
		memcpy(&dst, s->e->dst4, 4);
		if (s->ip_opts && libnet_build_ipv4_options(ip_options, sizeof(ip_options), l, 0) == -1)
			goto libnet_fail;
		t = libnet_build_ipv4((uint16_t)(ip_hdr_len(s) + l4), 0, s->ip_id, s->ip_frag, 64,
				      s->proto, s->ip_csum, src, dst, s->raw, s->raw ? s->raw_len : 0,
				      l, 0);
		if (t == -1 || libnet_toggle_checksum(l, t, LIBNET_OFF) == -1)
			goto libnet_fail;
	} else {
		struct libnet_in6_addr src, dst;

		memcpy(&src, s->e->src6, 16);
		memcpy(&dst, s->e->dst6, 16);
		if (s->frag6) {
			if (libnet_build_ipv6_frag(s->proto, 0, s->frag6_word, s->frag6_id, s->raw,
						   s->raw_len, l, 0) == -1)
				goto libnet_fail;
			t = libnet_build_ipv6(0, 0, (uint16_t)(8 + l4), 44, 64, src, dst, 0, 0, l, 0);
		} else {
			t = libnet_build_ipv6(0, 0, (uint16_t)l4, s->proto, 64, src, dst, s->raw,
					      s->raw ? s->raw_len : 0, l, 0);
		}
		if (t == -1)
			goto libnet_fail;
	}
	if (s->vlan)
		t = libnet_build_802_1q(s->e->dst_mac, s->e->src_mac, 0x8100, s->vlan_prio, 0,
					s->vlan_id, ethertype, 0, 0, l, 0);
	else
		t = libnet_build_ethernet(s->e->dst_mac, s->e->src_mac, ethertype, 0, 0, l, 0);
	if (t == -1)
		goto libnet_fail;
	if (libnet_pblock_coalesce(l, &pkt, &n) == -1)
		goto libnet_fail;
	if (n > size || n != link_hdr_len(s) + ip_hdr_len(s) + l4) {
		snprintf(err, errlen, "libnet built %u bytes, expected %u", n,
			 link_hdr_len(s) + ip_hdr_len(s) + l4);
		rc = -PD_EMALFORMED;
	} else {
		memcpy(buf, pkt, n);
		*len = n;
		rc = 0;
	}
	/* libnet_adv_free_packet() does the same for LINK_ADV contexts */
	free(pkt - l->aligner);
	libnet_destroy(l);
	return rc;
libnet_fail:
	snprintf(err, errlen, "libnet: %s", libnet_geterror(l));
	libnet_destroy(l);
	return rc;
}

/* An IPv6 fragment.  libnet 1.1.6 writes the fragment header's offset
 * word and identification in host byte order (a little-endian host sends
 * offset 32 as 8192); the bytes are checked, and where libnet got them
 * wrong the values are handed to it swapped, so a fixed libnet works too. */
static int build_frag6(struct spec *s, uint8_t *buf, uint32_t *len, char *err, size_t errlen)
{
	size_t at = link_hdr_len(s) + 40 + 2;
	int rc = build_once(s, buf, PD_PROBE_FRAME_MAX, len, err, errlen);
	uint16_t w = s->frag6_word;
	uint32_t id = s->frag6_id;

	if (rc)
		return rc;
	if (buf[at] == (uint8_t)(w >> 8) && buf[at + 1] == (uint8_t)w &&
	    buf[at + 2] == (uint8_t)(id >> 24) && buf[at + 5] == (uint8_t)id)
		return 0;
	s->frag6_word = (uint16_t)(w << 8 | w >> 8);
	s->frag6_id = (id >> 24) | ((id >> 8) & 0xff00u) | ((id << 8) & 0xff0000u) | (id << 24);
	rc = build_once(s, buf, PD_PROBE_FRAME_MAX, len, err, errlen);
	s->frag6_word = w;
	s->frag6_id = id;
	if (rc)
		return rc;
	if (buf[at] != (uint8_t)(w >> 8) || buf[at + 1] != (uint8_t)w ||
	    buf[at + 2] != (uint8_t)(id >> 24) || buf[at + 5] != (uint8_t)id) {
		snprintf(err, errlen, "libnet wrote the IPv6 fragment header as neither byte order");
		return -PD_EMALFORMED;
	}
	return 0;
}

/* RFC 1071 sum over the pseudo-header (RFC 768 / RFC 8200 8.1) and the
 * L4 bytes of a frame built by build_once(). */
static uint16_t l4_sum(const struct spec *s, const uint8_t *frame, uint32_t l4)
{
	uint8_t ph[40];
	size_t phl;
	struct pd_csum_buf b[2];

	if (s->family == 4) {
		memcpy(ph, s->e->src4, 4);
		memcpy(ph + 4, s->e->dst4, 4);
		ph[8] = 0;
		ph[9] = s->proto;
		ph[10] = (uint8_t)(l4 >> 8);
		ph[11] = (uint8_t)l4;
		phl = 12;
	} else {
		memcpy(ph, s->e->src6, 16);
		memcpy(ph + 16, s->e->dst6, 16);
		ph[32] = (uint8_t)(l4 >> 24);
		ph[33] = (uint8_t)(l4 >> 16);
		ph[34] = (uint8_t)(l4 >> 8);
		ph[35] = (uint8_t)l4;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = s->proto;
		phl = 40;
	}
	b[0].data = ph;
	b[0].len = phl;
	b[1].data = frame ? frame + link_hdr_len(s) + ip_hdr_len(s) : 0;
	b[1].len = frame ? l4 : 0;
	return pd_csum_sum(b, 2);
}

static uint16_t ip_hdr_csum(const struct spec *s, const uint8_t *frame)
{
	struct pd_csum_buf b = {frame + link_hdr_len(s), ip_hdr_len(s)};

	return (uint16_t)~pd_csum_sum(&b, 1);
}

/* Payload: "PDP1" + probe id (big-endian) when 8 bytes fit, then a
 * pattern; shorter payloads carry the pattern only (the id is then in
 * the source port and the IPv4 identification). */
static void fill_payload(uint8_t *p, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(0x41 + i % 26);
	if (n >= 8) {
		memcpy(p, "PDP1", 4);
		p[4] = (uint8_t)(id >> 24);
		p[5] = (uint8_t)(id >> 16);
		p[6] = (uint8_t)(id >> 8);
		p[7] = (uint8_t)id;
	}
}

static void pad_frame(const struct pd_probe_case *c, struct pd_probe_built *out, unsigned i)
{
	if (c->pad == PD_PAD_NONE || out->len[i] >= 60)
		return;
	memset(out->frame[i] + out->len[i], c->pad == PD_PAD_ZERO ? 0x00 : 0xa5, 60 - out->len[i]);
	out->len[i] = 60;
}

int pd_probe_build(const struct pd_probe_case *c, const struct pd_probe_ends *e, uint32_t id,
		   uint16_t sport, uint16_t ip_id, struct pd_probe_built *out, char *err,
		   size_t errlen)
{
	static uint8_t payload[PD_PROBE_FRAME_MAX];
	struct spec s;
	uint32_t plen = c->payload_len, l4, hdrs;
	uint16_t sum;
	int rc;
	static const uint8_t zero16[16];

	memset(&s, 0, sizeof(s));
	out->n = 0;
	if ((c->family == 4 && !memcmp(e->dst4, zero16, 4)) ||
	    (c->family == 6 && !memcmp(e->dst6, zero16, 16))) {
		snprintf(err, errlen, "no IPv%u address on the receiving interface", c->family);
		return -PD_EUNSUPPORTED;
	}
	s.e = e;
	s.family = c->family;
	s.proto = c->proto;
	s.ip_opts = (c->flags & PD_PF_IPOPT) != 0;
	s.tcp_opts = (c->flags & PD_PF_TCPOPT) != 0;
	s.vlan = (c->flags & (PD_PF_VLAN0 | PD_PF_VLANCFG)) != 0;
	s.vlan_prio = (c->flags & PD_PF_VLAN0) ? 5 : 0;
	s.vlan_id = (c->flags & PD_PF_VLANCFG) ? e->vlan_id : 0;
	s.ip_id = ip_id;
	s.ip_frag = (c->flags & PD_PF_DF_CLEAR) || c->frag ? 0 : 0x4000;
	s.sport = sport;
	s.dport = c->dport;
	s.seq = id;
	s.tcp_flags = (c->flags & PD_PF_GSO) ? TH_ACK_ | TH_PSH_ : TH_SYN_;
	hdrs = ip_hdr_len(&s) + (c->proto == 17 ? 8u : tcp_hdr_len(&s));
	if (c->flags & PD_PF_GSO) {
		/* ten segments of the peer's MSS, as many as fit the buffer */
		uint32_t mss = e->peer_mss ? e->peer_mss : 1460;
		uint32_t fit = (PD_PROBE_FRAME_MAX - 18 - hdrs) / mss;

		if (mss < 64 || !fit) {
			snprintf(err, errlen, "no GSO case for an MSS of %u bytes", mss);
			return -PD_EUSAGE;
		}
		plen = mss * (fit < 10 ? fit : 10);
	}
	switch (c->size) {
	case PD_SIZE_MTU:
		plen = e->mtu - hdrs;
		break;
	case PD_SIZE_MTU_PLUS1:
		plen = e->mtu + 1u - hdrs;
		break;
	case PD_SIZE_JUMBO:
		plen = 9000u - hdrs;
		break;
	default:
		break;
	}
	if (e->mtu < 576 || plen + hdrs + 18 > PD_PROBE_FRAME_MAX) {
		snprintf(err, errlen, "a %u-byte datagram does not fit (MTU %u)", plen + hdrs, e->mtu);
		return -PD_EUSAGE;
	}
	fill_payload(payload, plen, id);
	s.payload = payload;
	s.payload_len = plen;
	out->ip_id = ip_id;
	out->sport = sport;
	out->seq = id;
	out->gso_size = (c->flags & PD_PF_GSO) ? (e->peer_mss ? e->peer_mss : 1460u) : 0;

	/* pass 1: field 0, to get the covered bytes */
	rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err, errlen);
	if (rc)
		return rc;
	l4 = l4_len(&s);
	if (c->csum == PD_CS_FFFF_COMPUTED_ZERO || c->csum == PD_CS_ZERO_COMPUTED_ZERO) {
		/* choose the last two payload bytes so the sum is 0xffff and the
		 * checksum computes to 0 (the payload is >= 10 bytes: id kept) */
		uint16_t rest;

		payload[plen - 2] = payload[plen - 1] = 0;
		rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err, errlen);
		if (rc)
			return rc;
		rest = l4_sum(&s, out->frame[0], l4);
		/* the two bytes sit at an even offset of the L4 bytes when
		 * (8 + plen - 2) is even: payload lengths in the table are */
		payload[plen - 2] = (uint8_t)((uint16_t)~rest >> 8);
		payload[plen - 1] = (uint8_t)~rest;
		rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err, errlen);
		if (rc)
			return rc;
	}
	sum = (uint16_t)~l4_sum(&s, out->frame[0], l4);
	if (c->proto == 17 && sum == 0)
		sum = 0xffff; /* RFC 768 */
	out->l4_csum_correct = sum;
	switch (c->csum) {
	case PD_CS_WRONG:
		/* +1, never wrapping to 0x0000 ("no checksum") */
		s.l4_csum = (uint16_t)(sum >= 0xfffe ? 0x1234 : sum + 1);
		break;
	case PD_CS_ZERO:
	case PD_CS_ZERO_COMPUTED_ZERO:
		s.l4_csum = 0;
		break;
	default:
		s.l4_csum = sum;
	}
	if (c->flags & PD_PF_GSO) /* Linux CHECKSUM_PARTIAL: the pseudo-header sum */
		s.l4_csum = l4_sum(&s, 0, l4);
	out->l4_csum = s.l4_csum;
	out->l4_len = l4;
	out->ip_len = ip_hdr_len(&s) + l4;

	if (!c->frag) {
		rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err, errlen);
		if (rc)
			return rc;
		if (s.family == 4) {
			s.ip_csum = ip_hdr_csum(&s, out->frame[0]);
			if (c->flags & PD_PF_IPCSUM_BAD)
				s.ip_csum = (uint16_t)(s.ip_csum ^ 0x0101);
			rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err,
					errlen);
			if (rc)
				return rc;
		}
		out->ip_csum = s.ip_csum;
		out->n = 1;
		pad_frame(c, out, 0);
		return 0;
	}

	/* fragments: cut the finished L4 bytes (RFC 791 3.2, RFC 8200 4.5) */
	{
		static uint8_t dgram[PD_PROBE_FRAME_MAX];
		uint32_t off2 = c->frag == PD_FRAG_OVERLAP ? 24 : 32; /* bytes, multiple of 8 */
		struct {
			uint32_t off, len;
			bool mf;
		} fr[2] = {{0, 32, true}, {off2, 0, false}};
		unsigned first = c->frag == PD_FRAG_LAST ? 1 : 0;
		unsigned last = c->frag == PD_FRAG_FIRST ? 0 : 1;

		if (l4 <= 32) {
			snprintf(err, errlen, "fragment cases need > 32 bytes of datagram");
			return -PD_EUSAGE;
		}
		rc = build_once(&s, out->frame[0], PD_PROBE_FRAME_MAX, &out->len[0], err, errlen);
		if (rc)
			return rc;
		memcpy(dgram, out->frame[0] + link_hdr_len(&s) + ip_hdr_len(&s), l4);
		fr[1].len = l4 - off2;
		for (unsigned k = first; k <= last; k++) {
			unsigned i = out->n;

			s.raw = dgram + fr[k].off;
			s.raw_len = fr[k].len;
			if (s.family == 6) {
				uint16_t w = (uint16_t)(fr[k].off | (fr[k].mf ? 1 : 0));

				s.frag6 = true;
				s.frag6_word = w;
				s.frag6_id = id;
				rc = build_frag6(&s, out->frame[i], &out->len[i], err, errlen);
				if (rc)
					return rc;
				out->n++;
				continue;
			}
			s.ip_frag = (uint16_t)((fr[k].mf ? 0x2000 : 0) | (fr[k].off / 8));
			s.ip_csum = 0;
			rc = build_once(&s, out->frame[i], PD_PROBE_FRAME_MAX, &out->len[i], err,
					errlen);
			if (rc)
				return rc;
			s.ip_csum = ip_hdr_csum(&s, out->frame[i]);
			rc = build_once(&s, out->frame[i], PD_PROBE_FRAME_MAX, &out->len[i], err,
					errlen);
			if (rc)
				return rc;
			out->ip_csum = s.ip_csum;
			out->n++;
			pad_frame(c, out, i);
		}
	}
	return 0;
}
