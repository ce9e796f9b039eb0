/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arp.c - ARP (RFC 826).  Addresses are decoded for Ethernet/IPv4 only;
 * other hardware or protocol types keep just the fixed header.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

int pd_dissect_arp(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_arp *a = &p->arp;

	if (!pd_cur_has(c, 8)) {
		pd_dissect_event_at(p, c, PD_EV_ARP_TRUNC, 1);
		return 0;
	}
	a->htype = pd_cur_be16(c);
	a->ptype = pd_cur_be16(c);
	a->hlen = pd_cur_u8(c);
	a->plen = pd_cur_u8(c);
	a->oper = pd_cur_be16(c);
	p->layers |= PD_L_ARP;
	if (a->htype != 1 || a->ptype != 0x0800)
		return 0;
	if (a->hlen != 6 || a->plen != 4) {
		pd_dissect_event_at(p, c, PD_EV_ARP_BAD_LEN, 1);
		return 0;
	}
	if (!pd_cur_has(c, 20)) {
		pd_dissect_event_at(p, c, PD_EV_ARP_TRUNC, 1);
		return 0;
	}
	pd_cur_copy(c, a->sha, 6);
	pd_cur_copy(c, a->spa, 4);
	pd_cur_copy(c, a->tha, 6);
	pd_cur_copy(c, a->tpa, 4);
	a->ipv4_eth = true;
	return 0;
}
