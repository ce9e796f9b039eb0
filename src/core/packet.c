/* SPDX-License-Identifier: BSD-2-Clause */
/* packet.c - packet events and address helpers (include/pktdoctor/packet.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/packet.h"

static const char *const event_names[PD_EV__COUNT] = {
	[PD_EV_NONE] = "none",
	[PD_EV_LINK_TRUNC] = "link.truncated",
	[PD_EV_LINK_UNSUPPORTED] = "link.unsupported",
	[PD_EV_VLAN_TOO_DEEP] = "vlan.too_deep",
	[PD_EV_ARP_TRUNC] = "arp.truncated",
	[PD_EV_ARP_BAD_LEN] = "arp.bad_address_length",
	[PD_EV_IPV4_TRUNC] = "ipv4.truncated",
	[PD_EV_IPV4_BAD_VERSION] = "ip.bad_version",
	[PD_EV_IPV4_BAD_HLEN] = "ipv4.bad_header_length",
	[PD_EV_IPV4_BAD_TOTLEN] = "ipv4.total_length_lt_header",
	[PD_EV_IPV4_TOTLEN_GT_WIRE] = "ipv4.total_length_gt_frame",
	[PD_EV_IPV4_OPT_BAD] = "ipv4.bad_option",
	[PD_EV_IPV4_TOTLEN_ZERO] = "ipv4.total_length_zero",
	[PD_EV_IPV6_TRUNC] = "ipv6.truncated",
	[PD_EV_IPV6_BAD_VERSION] = "ipv6.bad_version",
	[PD_EV_IPV6_PLEN_GT_WIRE] = "ipv6.payload_length_gt_frame",
	[PD_EV_IPV6_EXT_BAD] = "ipv6.bad_extension_header",
	[PD_EV_IPV6_JUMBO] = "ipv6.jumbogram",
	[PD_EV_IPV6_JUMBO_BAD] = "ipv6.bad_jumbogram",
	[PD_EV_TCP_TRUNC] = "tcp.truncated",
	[PD_EV_TCP_BAD_DOFF] = "tcp.bad_data_offset",
	[PD_EV_TCP_OPT_BAD] = "tcp.bad_option",
	[PD_EV_UDP_TRUNC] = "udp.truncated",
	[PD_EV_UDP_BAD_LEN] = "udp.bad_length",
	[PD_EV_ICMP_TRUNC] = "icmp.truncated",
	[PD_EV_ICMPV6_TRUNC] = "icmpv6.truncated",
	[PD_EV_ETH_TRAILER] = "eth.trailer",
	[PD_EV_APP_MALFORMED] = "app.malformed",
	[PD_EV_IPV6_PLEN_ZERO] = "ipv6.payload_length_zero",
};

void pd_packet_event(struct pd_packet *p, int code, size_t offset, bool malformed)
{
	if (malformed)
		p->malformed = true;
	if (p->n_events >= PD_MAX_EVENTS)
		return;
	p->events[p->n_events].code = (uint16_t)code;
	p->events[p->n_events].offset = (uint16_t)(offset > 0xffff ? 0xffff : offset);
	p->n_events++;
}

const char *pd_event_name(int code)
{
	if (code < 0 || code >= PD_EV__COUNT || !event_names[code])
		return "unknown";
	return event_names[code];
}

bool pd_event_is_anomaly(int code)
{
	switch (code) {
	case PD_EV_IPV4_TOTLEN_ZERO:
	case PD_EV_IPV6_JUMBO:
	case PD_EV_IPV6_PLEN_ZERO:
	case PD_EV_ETH_TRAILER:
	case PD_EV_VLAN_TOO_DEEP:
	case PD_EV_LINK_UNSUPPORTED:
		return true;
	default:
		return false;
	}
}

char *pd_addr_format(const struct pd_addr *a, char *buf, size_t len)
{
	if (a->family == 4) {
		if (!inet_ntop(AF_INET, a->a, buf, (socklen_t)len))
			snprintf(buf, len, "?");
	} else if (a->family == 6) {
		if (!inet_ntop(AF_INET6, a->a, buf, (socklen_t)len))
			snprintf(buf, len, "?");
	} else {
		snprintf(buf, len, "-");
	}
	return buf;
}

char *pd_ipv4_format(const uint8_t ip[4], char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	return buf;
}

char *pd_mac_format(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

bool pd_addr_equal(const struct pd_addr *a, const struct pd_addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

bool pd_event_is_truncation(int code)
{
	switch (code) {
	case PD_EV_LINK_TRUNC:
	case PD_EV_ARP_TRUNC:
	case PD_EV_IPV4_TRUNC:
	case PD_EV_IPV6_TRUNC:
	case PD_EV_TCP_TRUNC:
	case PD_EV_UDP_TRUNC:
	case PD_EV_ICMP_TRUNC:
	case PD_EV_ICMPV6_TRUNC:
		return true;
	default:
		return false;
	}
}

bool pd_packet_is_malformed(const struct pd_packet *p)
{
	if (!p->malformed)
		return false;
	if (!p->snaplen_cut)
		return true;
	for (unsigned i = 0; i < p->n_events; i++)
		if (!pd_event_is_truncation(p->events[i].code) &&
		    !pd_event_is_anomaly(p->events[i].code))
			return true;
	return false;
}

char *pd_packet_flow_format(const struct pd_packet *p, char *buf, size_t len)
{
	char s[48], d[48];
	int v6 = p->ip.version == 6;

	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6))) {
		if (len)
			buf[0] = 0;
		return buf;
	}
	pd_addr_format(&p->ip.src, s, sizeof(s));
	pd_addr_format(&p->ip.dst, d, sizeof(d));
	if (p->layers & (PD_L_TCP | PD_L_UDP)) {
		int tcp = (p->layers & PD_L_TCP) != 0;

		snprintf(buf, len, "%s %s%s%s:%u -> %s%s%s:%u", tcp ? "TCP" : "UDP",
			 v6 ? "[" : "", s, v6 ? "]" : "", tcp ? p->tcp.sport : p->udp.sport,
			 v6 ? "[" : "", d, v6 ? "]" : "", tcp ? p->tcp.dport : p->udp.dport);
	} else if (p->layers & (PD_L_ICMP | PD_L_ICMPV6)) {
		snprintf(buf, len, "%s %s -> %s", (p->layers & PD_L_ICMP) ? "ICMP" : "ICMPv6", s, d);
	} else {
		snprintf(buf, len, "%s %s -> %s proto %u", v6 ? "IPv6" : "IPv4", s, d, p->ip.proto);
	}
	return buf;
}

char *pd_span_str(const struct pd_packet *p, struct pd_span s, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	if (p->frame_data && s.off <= p->caplen) {
		size_t avail = p->caplen - s.off;
		size_t want = s.len < avail ? s.len : avail;

		for (; n < want && n + 1 < len; n++) {
			uint8_t c = p->frame_data[s.off + n];

			buf[n] = (char)(c >= 0x20 && c < 0x7f ? c : '.');
		}
	}
	buf[n] = 0;
	return buf;
}
