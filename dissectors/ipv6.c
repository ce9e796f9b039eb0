/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv6.c - IPv6 (RFC 8200) with extension headers: hop-by-hop (with the
 * RFC 2675 jumbo payload option), routing (the final destination feeds
 * the pseudo-header, RFC 8200 8.1), fragment, destination options (the
 * Mobile IPv6 Home Address option feeds the pseudo-header source, RFC
 * 6275 6.3) and AH (RFC 4302 length rule).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_NONE 59
#define NH_DSTOPTS 60
#define NH_MOBILITY 135

/*
 * Walk the options of a hop-by-hop or destination options header (RFC
 * 8200 4.2) and copy the value of option @type, which must be @len bytes
 * long, into @val (the last one wins) and set *@found.  The TLV loop
 * checks truncated, too short and too long; an option found before a
 * malformed one stays found.
 * Return: 0, -PD_ETRUNC or -PD_EMALFORMED.
 */
static int find_option(struct pd_cursor *o, uint8_t type, uint8_t len, uint8_t *val,
		       bool *found)
{
	while (pd_cur_remaining(o) > 0) {
		uint8_t t = pd_cur_u8(o);
		uint8_t l;

		if (t == 0) /* Pad1 */
			continue;
		if (!pd_cur_has(o, 1))
			return -PD_ETRUNC;
		l = pd_cur_u8(o);
		if (l > pd_cur_remaining(o))
			return -PD_EMALFORMED;
		if (t != type) {
			pd_cur_skip(o, l);
			continue;
		}
		if (l != len)
			return -PD_EMALFORMED;
		*found = pd_cur_copy(o, val, len) || *found;
	}
	return 0;
}

/* Hop-by-hop options: a jumbo payload option (type 0xC2, length 4, RFC 2675). */
static int hbh_options(struct pd_cursor *o, uint32_t *jumbo, int *has_jumbo)
{
	uint8_t v[4];
	struct pd_cursor c;
	bool found = false;
	int rc = find_option(o, 0xc2, sizeof(v), v, &found);

	if (found) {
		pd_cur_init(&c, v, sizeof(v), sizeof(v));
		*jumbo = pd_cur_be32(&c);
		*has_jumbo = 1;
	}
	return rc;
}

/* Destination options: a Home Address option (type 0xC9, length 16,
 * RFC 6275 6.3) replaces the source address in the pseudo-header. */
static int dst_options(struct pd_cursor *o, struct pd_addr *home)
{
	bool found = false;
	int rc = find_option(o, 0xc9, 16, home->a, &found);

	if (found)
		home->family = 6;
	return rc;
}

/* Routing header: the final destination for the pseudo-header. */
static void routing_final_dst(struct pd_ip *ip, struct pd_cursor *h, size_t hlen)
{
	uint8_t type, left;
	size_t naddr = (hlen - 8) / 16;

	pd_cur_skip(h, 2);
	type = pd_cur_u8(h);
	left = pd_cur_u8(h);
	if (left == 0 || naddr == 0)
		return;
	if (type == 0 || type == 2) {
		/* the last address in the list (RFC 2460 type 0, RFC 6275 type 2) */
		struct pd_cursor a = *h;

		a.off = 8 + (naddr - 1) * 16;
		if (pd_cur_copy(&a, ip->pseudo_dst.a, 16))
			ip->pseudo_dst.family = 6;
	} else if (type == 4) {
		/* SRH (RFC 8754): Segment List[0] is the final segment */
		struct pd_cursor a = *h;

		a.off = 8;
		if (pd_cur_copy(&a, ip->pseudo_dst.a, 16))
			ip->pseudo_dst.family = 6;
	}
}

int pd_dissect_ipv6(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_ip *ip = &p->ip;
	struct pd_cursor payload;
	uint32_t vtf, jumbo = 0;
	uint16_t plen;
	uint8_t nh;
	int has_jumbo = 0;
	size_t wire_avail;

	if (!pd_cur_has(c, 40)) {
		pd_dissect_event_at(p, c, PD_EV_IPV6_TRUNC, 1);
		return 0;
	}
	vtf = pd_cur_be32(c);
	if (vtf >> 28 != 6) {
		pd_dissect_event_at(p, c, PD_EV_IPV6_BAD_VERSION, 1);
		return 0;
	}
	plen = pd_cur_be16(c);
	nh = pd_cur_u8(c);
	ip->ttl = pd_cur_u8(c);
	ip->src.family = ip->dst.family = 6;
	pd_cur_copy(c, ip->src.a, 16);
	pd_cur_copy(c, ip->dst.a, 16);
	ip->pseudo_dst = ip->dst;
	ip->version = 6;
	p->layers |= PD_L_IPV6;

	wire_avail = pd_cur_wire_remaining(c);
	if (plen > wire_avail) {
		pd_dissect_event_at(p, c, PD_EV_IPV6_PLEN_GT_WIRE, 1);
		return 0;
	}
	/* narrow to the payload; a jumbogram (plen 0) takes the frame */
	pd_cur_sub(c, plen ? plen : wire_avail, &payload);

	for (int guard = 0; guard < 16; guard++) {
		struct pd_cursor h;
		size_t hlen;
		uint8_t next;

		switch (nh) {
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS:
		case NH_MOBILITY:
		case NH_AH:
			break;
		case NH_FRAGMENT: {
			uint16_t fo;

			if (!pd_cur_has(&payload, 8)) {
				pd_dissect_event_at(p, &payload, PD_EV_IPV6_EXT_BAD, 1);
				return 0;
			}
			next = pd_cur_u8(&payload);
			pd_cur_skip(&payload, 1);
			fo = pd_cur_be16(&payload);
			pd_cur_skip(&payload, 4); /* identification */
			ip->frag_off = (uint16_t)(fo & 0xfff8);
			ip->mf = (fo & 1) != 0;
			/* offset 0 and no more fragments: an atomic fragment, a
			 * whole packet (RFC 6946) */
			ip->is_fragment = ip->mf || ip->frag_off != 0;
			if (ip->is_fragment)
				p->layers |= PD_L_FRAG;
			ip->ext_count++;
			nh = next;
			if (ip->frag_off != 0) {
				ip->proto = nh;
				goto lengths;
			}
			continue;
		}
		default:
			ip->proto = nh;
			goto lengths;
		}
		if (!pd_cur_has(&payload, 2)) {
			pd_dissect_event_at(p, &payload, PD_EV_IPV6_EXT_BAD, 1);
			return 0;
		}
		next = pd_cur_peek_u8(&payload);
		hlen = pd_cur_peek_be16_at(&payload, payload.off) & 0xff;
		hlen = nh == NH_AH ? (hlen + 2) * 4 : (hlen + 1) * 8;
		if (!pd_cur_sub(&payload, hlen, &h) || h.wire < hlen) {
			pd_dissect_event_at(p, &payload, PD_EV_IPV6_EXT_BAD, 1);
			return 0;
		}
		if (nh == NH_HOPOPTS) {
			struct pd_cursor o = h;

			o.off = 2;
			if (hbh_options(&o, &jumbo, &has_jumbo) != 0) {
				pd_dissect_event_at(p, &h, PD_EV_IPV6_EXT_BAD, 0);
			}
		} else if (nh == NH_ROUTING) {
			routing_final_dst(ip, &h, hlen);
		} else if (nh == NH_DSTOPTS) {
			struct pd_cursor o = h;

			o.off = 2;
			if (dst_options(&o, &ip->pseudo_src) != 0)
				pd_dissect_event_at(p, &h, PD_EV_IPV6_EXT_BAD, 0);
		}
		ip->ext_count++;
		nh = next;
	}
	pd_dissect_event_at(p, &payload, PD_EV_IPV6_EXT_BAD, 1);
	return 0;

lengths:
	if (has_jumbo) {
		/* RFC 2675: payload length 0, jumbo length > 65535 */
		if (plen != 0 || jumbo <= 65535 || jumbo > wire_avail) {
			pd_dissect_event_at(p, c, PD_EV_IPV6_JUMBO_BAD, 1);
			return 0;
		}
		pd_dissect_event_at(p, c, PD_EV_IPV6_JUMBO, 0);
		ip->jumbo = true;
		ip->total_len = 40 + jumbo;
		payload.wire = jumbo;
		if (payload.cap > payload.wire)
			payload.cap = payload.wire;
		if (payload.off > payload.cap)
			payload.off = payload.cap;
	} else if (plen == 0 && (nh == 6 || nh == 17) && wire_avail > 0) {
		/* no jumbo option: a GSO/BIG TCP capture leaves 0 as well; only
		 * TCP and UDP are segmented that way */
		pd_dissect_event_at(p, c, PD_EV_IPV6_PLEN_ZERO, 0);
		ip->len_from_frame = true;
		ip->total_len = (uint32_t)(40 + wire_avail);
	} else if (plen == 0) {
		/* an empty payload: what follows the header is not part of it */
		ip->total_len = 40;
		payload.cap = payload.off < payload.cap ? payload.off : payload.cap;
		payload.wire = payload.off;
	} else {
		ip->total_len = 40u + plen;
	}
	if (ip->frag_off != 0 || nh == NH_NONE)
		return 0;
	{
		struct pd_cursor l4;

		pd_cur_rest(&payload, &l4);
		return pd_dissect_ipproto(p, ip->proto, &l4);
	}
}
