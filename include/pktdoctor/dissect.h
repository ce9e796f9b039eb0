/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dissect.h - dissector entry points and the registry tables that bind
 * them (link type, EtherType, IP protocol), after tcpdump's printers[].
 *
 * Each dissector decodes one protocol from a cursor into struct
 * pd_packet fields and hands the rest to the next table.  Dissectors
 * never print and never allocate.
 */
#ifndef PKTDOCTOR_DISSECT_H
#define PKTDOCTOR_DISSECT_H

#include <stdint.h>

#include "pktdoctor/cursor.h"
#include "pktdoctor/packet.h"

/** A dissector: decode from @c into @p.  Return 0 or -PD_E.... */
typedef int (*pd_dissect_fn)(struct pd_packet *p, struct pd_cursor *c);

/** One row of a registry table. */
struct pd_dissector_entry {
	uint32_t key;       /* link type, EtherType or IP protocol number */
	const char *name;   /* protocol name for statistics */
	pd_dissect_fn fn;
};

/* LINKTYPE_* values (tcpdump.org/linktypes.html) and their DLT_* aliases. */
#define PD_LINKTYPE_NULL 0
#define PD_LINKTYPE_EN10MB 1
#define PD_DLT_RAW_A 12        /* DLT_RAW on most systems */
#define PD_DLT_RAW_B 14        /* DLT_RAW on OpenBSD */
#define PD_LINKTYPE_RAW 101
#define PD_LINKTYPE_LOOP 108
#define PD_LINKTYPE_LINUX_SLL 113
#define PD_LINKTYPE_IPV4 228
#define PD_LINKTYPE_IPV6 229
#define PD_LINKTYPE_LINUX_SLL2 276

/**
 * pd_dissect_frame() - dissect one captured frame.
 * @p: packet to fill; frame, ts_ns, caplen, wirelen, linktype and the
 *     epb fields must be set by the caller; the rest is reset here.
 * @data: captured bytes, @p->caplen of them.
 *
 * Return: 0 when the frame was dissected as far as it goes (malformed
 * headers are events, not errors); -PD_EUNSUPPORTED when the link type
 * has no dissector.
 */
int pd_dissect_frame(struct pd_packet *p, const uint8_t *data);

/**
 * pd_dissect_linktype_supported() - is there a dissector for @linktype?
 */
int pd_dissect_linktype_supported(int linktype);

/**
 * pd_dissect_ethertype() - dispatch the rest of @c by EtherType.
 * Return: 0; unknown EtherTypes are left undissected.
 */
int pd_dissect_ethertype(struct pd_packet *p, uint16_t ethertype, struct pd_cursor *c);

/**
 * pd_dissect_ipproto() - dispatch an IP payload by protocol number.
 * @c: cursor over exactly the IP payload (wire length = payload length).
 */
int pd_dissect_ipproto(struct pd_packet *p, uint8_t proto, struct pd_cursor *c);

/**
 * pd_dissect_event_at() - record an event at the cursor's position.
 */
void pd_dissect_event_at(struct pd_packet *p, const struct pd_cursor *c,
			 int code, int malformed);

/**
 * pd_l4_checksum() - verdict on a TCP, UDP or ICMPv6 checksum that covers
 * the pseudo-header (RFC 9293 3.1, RFC 768, RFC 8200 8.1), or on an ICMP
 * checksum that does not (RFC 792).
 * @p: packet with p->ip filled.
 * @c: cursor over exactly the covered L4 bytes (wire = L4 length).
 * @field_off: offset of the checksum field inside @c.
 * @proto: IP protocol for the pseudo-header; 0 = no pseudo-header (ICMP).
 * @l4_len: the length to put in the pseudo-header, bytes.
 * @out: verdict.  UNVERIFIABLE when the bytes were not all captured,
 *       NONE for fragments.
 */
void pd_l4_checksum(const struct pd_packet *p, const struct pd_cursor *c,
		    size_t field_off, uint8_t proto, uint32_t l4_len,
		    struct pd_csum *out);

/**
 * pd_dissect_udp_app() - dispatch a UDP payload by port (either side),
 * through the UDP port table.
 * @c: cursor over exactly the UDP payload.
 */
int pd_dissect_udp_app(struct pd_packet *p, uint16_t sport, uint16_t dport, struct pd_cursor *c);

/* The dissectors, one per file in dissectors/. */
int pd_dissect_ethernet(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_sll(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_sll2(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_null(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_loop(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_raw(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_arp(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_ipv4(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_ipv6(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_icmp(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_icmpv6(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_udp(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_tcp(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_dhcp(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_dhcpv6(struct pd_packet *p, struct pd_cursor *c);
int pd_dissect_syslog(struct pd_packet *p, struct pd_cursor *c);

#endif
