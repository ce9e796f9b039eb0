/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loopback.c - BSD loopback encapsulation: LINKTYPE_NULL (4-byte address
 * family in the capturing host's byte order) and LINKTYPE_LOOP (network
 * byte order) (tcpdump.org/linktypes/LINKTYPE_NULL.html).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

static int by_family(struct pd_packet *p, struct pd_cursor *c, uint32_t af)
{
	p->layers |= PD_L_LOOP;
	switch (af) {
	case 2: /* AF_INET everywhere */
		return pd_dissect_ipv4(p, c);
	case 10: /* Linux AF_INET6 */
	case 24: /* NetBSD, OpenBSD, BSD/OS */
	case 28: /* FreeBSD, DragonFly */
	case 30: /* Darwin */
		return pd_dissect_ipv6(p, c);
	default:
		return 0;
	}
}

int pd_dissect_null(struct pd_packet *p, struct pd_cursor *c)
{
	uint32_t af;

	if (!pd_cur_has(c, 4)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	/* host byte order of the writer: the family fits in 16 bits, so a
	 * value with high bits set was written by the other byte order */
	af = pd_cur_le32(c);
	if (af > 0xffff)
		af = (af >> 24) | ((af >> 8) & 0xff00u);
	return by_family(p, c, af);
}

int pd_dissect_loop(struct pd_packet *p, struct pd_cursor *c)
{
	uint32_t af;

	if (!pd_cur_has(c, 4)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	af = pd_cur_be32(c);
	return by_family(p, c, af);
}
