/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmpv6.c - ICMPv6 (RFC 4443): type, code and the checksum, which covers
 * the IPv6 pseudo-header with next header 58 (RFC 4443 2.3).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

int pd_dissect_icmpv6(struct pd_packet *p, struct pd_cursor *c)
{
	size_t start = c->off;

	if (!pd_cur_has(c, 4)) {
		pd_dissect_event_at(p, c, PD_EV_ICMPV6_TRUNC, 1);
		return 0;
	}
	p->icmp.type = pd_cur_u8(c);
	p->icmp.code = pd_cur_u8(c);
	p->layers |= PD_L_ICMPV6;
	c->off = start;
	if (p->ip.version == 6)
		pd_l4_checksum(p, c, 2, 58, (uint32_t)pd_cur_wire_remaining(c), &p->icmp.csum);
	return 0;
}
