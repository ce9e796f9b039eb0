/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv4.c - IPv4 (RFC 791): header, options, fragments, header checksum.
 *
 * A total length of 0 is what a capture on the sending host shows for a
 * TSO / BIG TCP super-segment (the NIC or GSO layer fills it in later);
 * the datagram length is then taken from the frame and the event
 * ipv4.totlen_zero is recorded as an anomaly, not a malformation.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

/*
 * Walk the options: truncated, too short, too long (RFC 791 3.1).  A loose
 * or strict source route (types 131, 137) whose pointer has not run past
 * its length still has hops to go: the last address in it is the final
 * destination, and the TCP/UDP pseudo-header uses that (RFC 1122 4.1.3.4,
 * 4.2.2.7).
 */
static int check_options(struct pd_cursor *o, struct pd_ip *ip)
{
	while (pd_cur_remaining(o) > 0) {
		uint8_t type = pd_cur_u8(o);
		uint8_t len;

		if (type == 0) /* end of option list */
			return 0;
		if (type == 1) /* no-operation */
			continue;
		if (!pd_cur_has(o, 1))
			return -PD_ETRUNC;
		len = pd_cur_u8(o);
		if (len < 2)
			return -PD_EMALFORMED;
		if ((size_t)(len - 2) > pd_cur_remaining(o))
			return -PD_EMALFORMED;
		if ((type == 131 || type == 137) && len >= 7) {
			struct pd_cursor r = *o;
			uint8_t ptr = pd_cur_u8(&r);

			if (ptr <= len) {
				r.off = o->off + (size_t)len - 2 - 4;
				if (pd_cur_copy(&r, ip->pseudo_dst.a, 4))
					ip->pseudo_dst.family = 4;
			}
		}
		pd_cur_skip(o, (size_t)(len - 2));
	}
	return 0;
}

int pd_dissect_ipv4(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_ip *ip = &p->ip;
	struct pd_cursor hdr, payload, opts;
	uint8_t vihl;
	uint16_t totlen, frag;
	size_t hlen, wire_avail = pd_cur_wire_remaining(c);

	if (!pd_cur_has(c, 20)) {
		pd_dissect_event_at(p, c, PD_EV_IPV4_TRUNC, 1);
		return 0;
	}
	vihl = pd_cur_peek_u8(c);
	if (vihl >> 4 != 4) {
		pd_dissect_event_at(p, c, PD_EV_IPV4_BAD_VERSION, 1);
		return 0;
	}
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20) {
		pd_dissect_event_at(p, c, PD_EV_IPV4_BAD_HLEN, 1);
		return 0;
	}
	if (!pd_cur_sub(c, hlen, &hdr)) {
		pd_dissect_event_at(p, c, hlen > wire_avail ? PD_EV_IPV4_BAD_HLEN
							    : PD_EV_IPV4_TRUNC, 1);
		return 0;
	}
	pd_cur_skip(&hdr, 1);
	pd_cur_skip(&hdr, 1); /* DSCP/ECN */
	totlen = pd_cur_be16(&hdr);
	ip->ip_id = pd_cur_be16(&hdr);
	frag = pd_cur_be16(&hdr);
	ip->ttl = pd_cur_u8(&hdr);
	ip->proto = pd_cur_u8(&hdr);
	pd_cur_skip(&hdr, 2); /* checksum, judged below over the whole header */
	ip->src.family = ip->dst.family = 4;
	pd_cur_copy(&hdr, ip->src.a, 4);
	pd_cur_copy(&hdr, ip->dst.a, 4);
	ip->pseudo_dst = ip->dst;
	ip->version = 4;
	ip->hdr_len = (uint8_t)hlen;
	ip->df = (frag & 0x4000) != 0;
	ip->mf = (frag & 0x2000) != 0;
	ip->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	ip->is_fragment = ip->mf || ip->frag_off != 0;
	p->layers |= PD_L_IPV4;
	if (ip->is_fragment)
		p->layers |= PD_L_FRAG;

	/* header checksum over the captured header (always complete here) */
	{
		struct pd_csum_buf b = {hdr.base, hdr.cap}; /* == hlen here */
		uint16_t field = pd_cur_peek_be16_at(&hdr, 10);
		uint16_t sum = pd_csum_sum(&b, 1);

		pd_csum_judge(sum, field, 0, 0, 0, &ip->hdr_csum);
		if (ip->hdr_csum.verdict == PD_CSUM_BAD && field == 0) {
			/* IP header checksum offload leaves 0 for the NIC */
			ip->hdr_csum.verdict = PD_CSUM_PARTIAL;
			ip->hdr_csum.form = PD_PARTIAL_ZEROFILL;
		}
	}

	if (hlen > 20) {
		opts = hdr;
		opts.off = 20;
		if (check_options(&opts, ip) != 0)
			pd_dissect_event_at(p, &hdr, PD_EV_IPV4_OPT_BAD, 0);
	}

	if (totlen == 0) {
		/* TSO / BIG TCP: the length is whatever the frame holds */
		pd_dissect_event_at(p, &hdr, PD_EV_IPV4_TOTLEN_ZERO, 0);
		ip->len_from_frame = true;
		ip->total_len = (uint32_t)wire_avail;
	} else if (totlen < hlen) {
		pd_dissect_event_at(p, &hdr, PD_EV_IPV4_BAD_TOTLEN, 1);
		return 0;
	} else if (totlen > wire_avail) {
		pd_dissect_event_at(p, &hdr, PD_EV_IPV4_TOTLEN_GT_WIRE, 1);
		return 0;
	} else {
		ip->total_len = totlen;
	}

	pd_cur_sub(c, ip->total_len - hlen, &payload);
	if (ip->frag_off != 0)
		return 0; /* not the first fragment: no L4 header here */
	return pd_dissect_ipproto(p, ip->proto, &payload);
}
