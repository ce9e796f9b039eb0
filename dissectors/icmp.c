/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmp.c - ICMP (RFC 792): type, code and the checksum over the whole
 * ICMP message (no pseudo-header).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

int pd_dissect_icmp(struct pd_packet *p, struct pd_cursor *c)
{
	size_t start = c->off;

	if (!pd_cur_has(c, 4)) {
		pd_dissect_event_at(p, c, PD_EV_ICMP_TRUNC, 1);
		return 0;
	}
	p->icmp.type = pd_cur_u8(c);
	p->icmp.code = pd_cur_u8(c);
	p->layers |= PD_L_ICMP;
	c->off = start;
	pd_l4_checksum(p, c, 2, 0, 0, &p->icmp.csum);
	return 0;
}
