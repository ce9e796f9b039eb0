/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ethernet.c - Ethernet II with 802.1Q / 802.1ad (QinQ) tags and
 * 802.2 LLC/SNAP encapsulation (IEEE 802.3, 802.1Q, RFC 1042).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

#define ETH_HLEN 14

static int is_vlan_tpid(uint16_t t)
{
	/* 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ 0x9100 */
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

int pd_dissect_ethernet(struct pd_packet *p, struct pd_cursor *c)
{
	uint16_t type;

	if (!pd_cur_has(c, ETH_HLEN)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	pd_cur_copy(c, p->eth.dst, 6);
	pd_cur_copy(c, p->eth.src, 6);
	type = pd_cur_be16(c);
	p->layers |= PD_L_ETH;

	while (is_vlan_tpid(type)) {
		uint16_t tci;

		if (!pd_cur_has(c, 4)) {
			pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
			return 0;
		}
		tci = pd_cur_be16(c);
		if (p->eth.vlan_count < PD_MAX_VLAN) {
			p->eth.vlan_tpid[p->eth.vlan_count] = type;
			p->eth.vlan_id[p->eth.vlan_count] = tci & 0x0fff;
		} else if (p->eth.vlan_count == PD_MAX_VLAN) {
			pd_dissect_event_at(p, c, PD_EV_VLAN_TOO_DEEP, 0);
		}
		if (p->eth.vlan_count < 255)
			p->eth.vlan_count++;
		p->layers |= PD_L_VLAN;
		type = pd_cur_be16(c);
	}

	if (type <= 1500) {
		/* 802.3 length field: only LLC/SNAP (AA AA 03, OUI 0) carries
		 * an EtherType we can follow (RFC 1042). */
		uint8_t dsap, ssap, ctl;
		struct pd_cursor llc;

		pd_cur_rest(c, &llc);
		dsap = pd_cur_u8(&llc);
		ssap = pd_cur_u8(&llc);
		ctl = pd_cur_u8(&llc);
		if (llc.truncated || dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
			return 0;
		pd_cur_skip(&llc, 3); /* OUI */
		type = pd_cur_be16(&llc);
		if (llc.truncated)
			return 0;
		pd_cur_skip(c, 8);
	}
	p->eth.ethertype = type;
	return pd_dissect_ethertype(p, type, c);
}
