/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sll.c - Linux "cooked" capture headers, LINKTYPE_LINUX_SLL (16 bytes)
 * and LINKTYPE_LINUX_SLL2 (20 bytes), as written by libpcap on the
 * "any" device (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL*.html).
 * The packet type tells whether the capturing host sent the frame
 * (PACKET_OUTGOING), which is evidence for TX offload verdicts.  The
 * address field is the link-layer source address of the frame (the
 * sender's MAC on Ethernet), kept so per-MAC analysis (ARP) works on
 * "-i any" captures too.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

/* Protocol values that are not EtherTypes (linux/if_ether.h). */
#define SLL_P_802_3 0x0001
#define SLL_P_802_2 0x0004

/* The 8-byte address field: only the first addr_len bytes are the
 * address (at most 8). */
static void sll_addr(struct pd_packet *p, struct pd_cursor *c, uint16_t len)
{
	p->sll.addr_len = (uint8_t)(len < 8 ? len : 8);
	pd_cur_copy(c, p->sll.addr, 8);
}

static int sll_next(struct pd_packet *p, struct pd_cursor *c)
{
	p->layers |= PD_L_SLL;
	if (p->sll.protocol == SLL_P_802_3 || p->sll.protocol == SLL_P_802_2)
		return 0;
	/* ARPHRD_NETLINK (824) and others carry non-IP payloads */
	if (p->sll.hatype == 824)
		return 0;
	return pd_dissect_ethertype(p, p->sll.protocol, c);
}

int pd_dissect_sll(struct pd_packet *p, struct pd_cursor *c)
{
	if (!pd_cur_has(c, 16)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	p->sll.pkttype = pd_cur_be16(c);
	p->sll.hatype = pd_cur_be16(c);
	sll_addr(p, c, pd_cur_be16(c));
	p->sll.protocol = pd_cur_be16(c);
	return sll_next(p, c);
}

int pd_dissect_sll2(struct pd_packet *p, struct pd_cursor *c)
{
	if (!pd_cur_has(c, 20)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	p->sll.protocol = pd_cur_be16(c);
	pd_cur_skip(c, 2); /* reserved */
	p->sll.ifindex = pd_cur_be32(c);
	p->sll.hatype = pd_cur_be16(c);
	p->sll.pkttype = pd_cur_u8(c);
	sll_addr(p, c, pd_cur_u8(c));
	return sll_next(p, c);
}
