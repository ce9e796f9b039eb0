/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * raw.c - raw IP link types (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
 * the frame starts with the IP header; the version nibble picks IPv4 or
 * IPv6.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

int pd_dissect_raw(struct pd_packet *p, struct pd_cursor *c)
{
	uint8_t v;

	if (!pd_cur_has(c, 1)) {
		pd_dissect_event_at(p, c, PD_EV_LINK_TRUNC, 1);
		return 0;
	}
	v = (uint8_t)(pd_cur_peek_u8(c) >> 4);
	if (v == 4)
		return pd_dissect_ipv4(p, c);
	if (v == 6)
		return pd_dissect_ipv6(p, c);
	pd_dissect_event_at(p, c, PD_EV_IPV4_BAD_VERSION, 1);
	return 0;
}
