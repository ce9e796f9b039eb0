/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c - the tables that bind dissectors to link types, EtherTypes
 * and IP protocol numbers (tcpdump print.c printers[] is the model), and
 * the frame entry point.
 */
#include <string.h>

#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

static const struct pd_dissector_entry link_table[] = {
	{PD_LINKTYPE_NULL, "null", pd_dissect_null},
	{PD_LINKTYPE_EN10MB, "eth", pd_dissect_ethernet},
	{PD_DLT_RAW_A, "raw", pd_dissect_raw},
	{PD_DLT_RAW_B, "raw", pd_dissect_raw},
	{PD_LINKTYPE_RAW, "raw", pd_dissect_raw},
	{PD_LINKTYPE_LOOP, "loop", pd_dissect_loop},
	{PD_LINKTYPE_LINUX_SLL, "sll", pd_dissect_sll},
	{PD_LINKTYPE_IPV4, "raw", pd_dissect_raw},
	{PD_LINKTYPE_IPV6, "raw", pd_dissect_raw},
	{PD_LINKTYPE_LINUX_SLL2, "sll2", pd_dissect_sll2},
};

static const struct pd_dissector_entry ethertype_table[] = {
	{0x0800, "ipv4", pd_dissect_ipv4},
	{0x0806, "arp", pd_dissect_arp},
	{0x86dd, "ipv6", pd_dissect_ipv6},
};

static const struct pd_dissector_entry ipproto_table[] = {
	{1, "icmp", pd_dissect_icmp},
	{6, "tcp", pd_dissect_tcp},
	{17, "udp", pd_dissect_udp},
	{58, "icmpv6", pd_dissect_icmpv6},
};

/* UDP ports: either side of the datagram may match. */
static const struct pd_dissector_entry udp_port_table[] = {
	{67, "dhcp", pd_dissect_dhcp},
	{68, "dhcp", pd_dissect_dhcp},
	{514, "syslog", pd_dissect_syslog},
	{546, "dhcpv6", pd_dissect_dhcpv6},
	{547, "dhcpv6", pd_dissect_dhcpv6},
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static pd_dissect_fn lookup(const struct pd_dissector_entry *t, size_t n, uint32_t key)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return t[i].fn;
	return 0;
}

void pd_dissect_event_at(struct pd_packet *p, const struct pd_cursor *c,
			 int code, int malformed)
{
	size_t off = 0;

	if (p->frame_data && c->base >= p->frame_data)
		off = (size_t)(c->base - p->frame_data) + c->off;
	pd_packet_event(p, code, off, malformed != 0);
}

int pd_dissect_linktype_supported(int linktype)
{
	return lookup(link_table, N_ELEM(link_table), (uint32_t)linktype) != 0;
}

int pd_dissect_frame(struct pd_packet *p, const uint8_t *data)
{
	struct pd_cursor c;
	pd_dissect_fn fn;

	p->layers = 0;
	p->n_events = 0;
	p->malformed = false;
	p->snaplen_cut = p->caplen < p->wirelen;
	p->payload = 0;
	p->payload_caplen = 0;
	p->frame_data = data;
	memset(&p->eth, 0, sizeof(p->eth));
	memset(&p->sll, 0, sizeof(p->sll));
	memset(&p->ip, 0, sizeof(p->ip));
	memset(&p->tcp, 0, sizeof(p->tcp));
	memset(&p->udp, 0, sizeof(p->udp));
	memset(&p->icmp, 0, sizeof(p->icmp));
	memset(&p->arp, 0, sizeof(p->arp));
	p->tcp.wscale = -1;

	fn = lookup(link_table, N_ELEM(link_table), (uint32_t)p->linktype);
	if (!fn) {
		pd_packet_event(p, PD_EV_LINK_UNSUPPORTED, 0, false);
		return -PD_EUNSUPPORTED;
	}
	pd_cur_init(&c, data, p->caplen, p->wirelen);
	return fn(p, &c);
}

int pd_dissect_ethertype(struct pd_packet *p, uint16_t ethertype, struct pd_cursor *c)
{
	pd_dissect_fn fn = lookup(ethertype_table, N_ELEM(ethertype_table), ethertype);

	return fn ? fn(p, c) : 0;
}

int pd_dissect_udp_app(struct pd_packet *p, uint16_t sport, uint16_t dport, struct pd_cursor *c)
{
	pd_dissect_fn fn = lookup(udp_port_table, N_ELEM(udp_port_table), dport);

	if (!fn)
		fn = lookup(udp_port_table, N_ELEM(udp_port_table), sport);
	return fn ? fn(p, c) : 0;
}

int pd_dissect_ipproto(struct pd_packet *p, uint8_t proto, struct pd_cursor *c)
{
	pd_dissect_fn fn = lookup(ipproto_table, N_ELEM(ipproto_table), proto);

	return fn ? fn(p, c) : 0;
}
