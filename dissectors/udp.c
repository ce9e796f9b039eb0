/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp.c - UDP (RFC 768) over IPv4 and IPv6.  A zero checksum means "none"
 * over IPv4 and is invalid over IPv6 (RFC 8200 8.1).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

int pd_dissect_udp(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_udp *u = &p->udp;
	struct pd_cursor seg, pay;
	uint16_t field;
	size_t len, start = c->off, l4_wire = pd_cur_wire_remaining(c);

	if (!pd_cur_has(c, 8)) {
		pd_dissect_event_at(p, c, PD_EV_UDP_TRUNC, 1);
		return 0;
	}
	u->sport = pd_cur_be16(c);
	u->dport = pd_cur_be16(c);
	u->length = pd_cur_be16(c);
	field = pd_cur_be16(c);
	p->layers |= PD_L_UDP;

	len = u->length;
	if (len == 0 && p->ip.version == 6 && p->ip.jumbo)
		len = l4_wire; /* RFC 2675 4: UDP jumbogram */
	/* a first fragment carries only part of the datagram its length covers */
	if (p->ip.is_fragment && len > l4_wire)
		len = l4_wire;
	if (len < 8 || len > l4_wire) {
		c->off = start;
		pd_dissect_event_at(p, c, PD_EV_UDP_BAD_LEN, 1);
		u->csum.is = field;
		return 0;
	}
	c->off = start;
	pd_cur_sub(c, len, &seg);
	if (field == 0 && p->ip.version == 4 && !p->ip.is_fragment) {
		u->csum.verdict = PD_CSUM_ZERO;
		u->csum.is = 0;
	} else {
		pd_l4_checksum(p, &seg, 6, 17, (uint32_t)len, &u->csum);
		/* RFC 768: a computed zero is transmitted as all ones */
		if (u->csum.verdict == PD_CSUM_BAD && u->csum.should == 0)
			u->csum.should = 0xffff;
	}
	seg.off = 8;
	pd_cur_rest(&seg, &pay);
	p->payload = pd_cur_ptr(&pay);
	p->payload_caplen = (uint32_t)pay.cap;
	if (p->ip.is_fragment)
		return 0; /* the application header is in the first fragment, rest unknown */
	return pd_dissect_udp_app(p, u->sport, u->dport, &pay);
}
