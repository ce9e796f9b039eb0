/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * packet.h - one dissected frame: what the dissectors decoded, in fields.
 *
 * A struct pd_packet is filled by pd_dissect_frame() and read by the flow
 * table and the analyzers.  Dissectors never print; they only fill these
 * fields and record events.  The packet points into the capture buffer,
 * which is valid only for the duration of the per-packet callback.
 */
#ifndef PKTDOCTOR_PACKET_H
#define PKTDOCTOR_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/checksum.h"

/* Layer bits in pd_packet.layers. */
enum pd_layer {
	PD_L_ETH = 1u << 0,
	PD_L_VLAN = 1u << 1,
	PD_L_ARP = 1u << 2,
	PD_L_IPV4 = 1u << 3,
	PD_L_IPV6 = 1u << 4,
	PD_L_ICMP = 1u << 5,
	PD_L_ICMPV6 = 1u << 6,
	PD_L_UDP = 1u << 7,
	PD_L_TCP = 1u << 8,
	PD_L_SLL = 1u << 9,
	PD_L_LOOP = 1u << 10,
	PD_L_FRAG = 1u << 11,   /* an IPv4/IPv6 fragment (L4 not dissected unless first) */
	PD_L_APP = 1u << 12,    /* payload handed to an application dissector */
	PD_L_DHCP = 1u << 13,   /* BOOTP/DHCPv4 (RFC 2131) */
	PD_L_DHCPV6 = 1u << 14, /* DHCPv6 (RFC 8415) */
	PD_L_SYSLOG = 1u << 15, /* syslog over UDP (RFC 3164 / 5424 / iPXE) */
};

/* Event codes: a malformed packet stops dissection and records one;
 * an anomaly records one and decoding goes on (Suricata decode events).
 * Numbered once, never renumbered: they appear in JSON. */
enum pd_event_code {
	PD_EV_NONE = 0,
	PD_EV_LINK_TRUNC,          /* link-layer header cut short */
	PD_EV_LINK_UNSUPPORTED,    /* link type not dissected */
	PD_EV_VLAN_TOO_DEEP,       /* more VLAN tags than supported */
	PD_EV_ARP_TRUNC,
	PD_EV_ARP_BAD_LEN,         /* hardware/protocol address lengths unusable */
	PD_EV_IPV4_TRUNC,
	PD_EV_IPV4_BAD_VERSION,
	PD_EV_IPV4_BAD_HLEN,       /* IHL < 5 or beyond the data */
	PD_EV_IPV4_BAD_TOTLEN,     /* total length < header length */
	PD_EV_IPV4_TOTLEN_GT_WIRE, /* total length larger than the frame */
	PD_EV_IPV4_OPT_BAD,        /* option TLV truncated, too short or too long */
	PD_EV_IPV4_TOTLEN_ZERO,    /* total length 0: TSO / BIG TCP capture (anomaly) */
	PD_EV_IPV6_TRUNC,
	PD_EV_IPV6_BAD_VERSION,
	PD_EV_IPV6_PLEN_GT_WIRE,
	PD_EV_IPV6_EXT_BAD,        /* extension header truncated or malformed */
	PD_EV_IPV6_JUMBO,          /* jumbogram (RFC 2675) (anomaly) */
	PD_EV_IPV6_JUMBO_BAD,
	PD_EV_TCP_TRUNC,
	PD_EV_TCP_BAD_DOFF,        /* data offset < 5 or beyond the segment */
	PD_EV_TCP_OPT_BAD,         /* option truncated, too short or too long */
	PD_EV_UDP_TRUNC,
	PD_EV_UDP_BAD_LEN,         /* UDP length < 8 or beyond the IP payload */
	PD_EV_ICMP_TRUNC,
	PD_EV_ICMPV6_TRUNC,
	PD_EV_ETH_TRAILER,         /* bytes after the IP datagram (padding) (anomaly) */
	PD_EV_APP_MALFORMED,       /* an application dissector gave up */
	PD_EV_IPV6_PLEN_ZERO,      /* payload length 0 without jumbo option: GSO/BIG TCP (anomaly) */
	PD_EV__COUNT
};

#define PD_MAX_EVENTS 4
#define PD_MAX_VLAN 2
#define PD_MAX_SACK 4

/** One event recorded on a packet. */
struct pd_event {
	uint16_t code;   /* enum pd_event_code */
	uint16_t offset; /* byte offset in the frame where it was found (capped) */
};

/** An IPv4 or IPv6 address, family-tagged. */
struct pd_addr {
	uint8_t family;  /* 4 or 6; 0 = none */
	uint8_t a[16];   /* IPv4 in the first 4 bytes, network order */
};

/** Ethernet II / 802.1Q / 802.1ad (IEEE 802.3, 802.1Q). */
struct pd_eth {
	uint8_t dst[6], src[6];
	uint16_t ethertype;              /* final EtherType after tags */
	uint8_t vlan_count;              /* tags seen (<= PD_MAX_VLAN recorded) */
	uint16_t vlan_tpid[PD_MAX_VLAN]; /* 0x8100 (802.1Q) or 0x88a8 (802.1ad) */
	uint16_t vlan_id[PD_MAX_VLAN];   /* 12-bit VID, outer first */
};

/** Linux cooked capture (SLL / SLL2) header fields. */
struct pd_sll {
	uint16_t pkttype;  /* PACKET_HOST 0 ... PACKET_OUTGOING 4 */
	uint16_t hatype;   /* ARPHRD_* */
	uint16_t protocol; /* EtherType */
	uint32_t ifindex;  /* SLL2 only */
	uint8_t addr_len;  /* link-layer address length as given (0-8 kept) */
	uint8_t addr[8];   /* the sender's link-layer address (a MAC for
			    * ARPHRD_ETHER), for either packet type */
};

/** ARP (RFC 826), Ethernet/IPv4 only for addresses. */
struct pd_arp {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t oper;        /* 1 request, 2 reply */
	uint8_t sha[6], tha[6];
	uint8_t spa[4], tpa[4];
	bool ipv4_eth;        /* htype 1 / ptype 0x0800 / 6 / 4 */
};

/** IPv4 (RFC 791) or IPv6 (RFC 8200) network layer. */
struct pd_ip {
	uint8_t version;      /* 4 or 6 */
	struct pd_addr src, dst;
	struct pd_addr pseudo_dst; /* IPv6: final destination (routing header) */
	struct pd_addr pseudo_src; /* IPv6: the Home Address option's address
				    * (RFC 6275 6.3), family 0 when absent: the
				    * pseudo-header source is then @src */
	uint8_t proto;        /* upper-layer protocol after extension headers */
	uint8_t ttl;          /* TTL / hop limit */
	uint8_t hdr_len;      /* IPv4 header length in bytes */
	uint16_t ip_id;       /* IPv4 identification */
	bool df, mf;          /* IPv4 don't-fragment / more-fragments */
	uint16_t frag_off;    /* fragment offset in bytes (IPv4 and IPv6) */
	bool is_fragment;     /* MF set or offset != 0 (or IPv6 fragment header) */
	uint32_t total_len;   /* IPv4 total length / IPv6 40 + payload length,
			       * or the length implied by a jumbogram or by the
			       * frame when the field is 0 (TSO) */
	bool len_from_frame;  /* total_len was taken from the frame (field 0) */
	bool jumbo;           /* IPv6 jumbogram */
	uint8_t ext_count;    /* IPv6 extension headers walked */
	struct pd_csum hdr_csum; /* IPv4 header checksum */
};

/** TCP (RFC 9293) with options (RFC 7323 window scale/timestamps, RFC 2018 SACK). */
struct pd_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;        /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	uint16_t window;      /* raw window field (unscaled) */
	uint8_t hdr_len;      /* data offset in bytes */
	uint32_t payload_len; /* segment data length on the wire, bytes */
	uint16_t mss;         /* MSS option, 0 if absent */
	int8_t wscale;        /* window-scale shift, -1 if absent */
	bool sack_permitted;
	uint8_t sack_count;   /* SACK blocks in this segment */
	uint32_t sack_left[PD_MAX_SACK], sack_right[PD_MAX_SACK];
	bool has_ts;
	uint32_t ts_val, ts_ecr;
	struct pd_csum csum;
};

/** UDP (RFC 768). */
struct pd_udp {
	uint16_t sport, dport;
	uint16_t length;      /* UDP length field, bytes */
	struct pd_csum csum;
};

/** ICMP (RFC 792) / ICMPv6 (RFC 4443). */
struct pd_icmp {
	uint8_t type, code;
	struct pd_csum csum;
};

/** An option or field inside the frame: offset from frame_data and length. */
struct pd_span {
	uint16_t off;
	uint16_t len;
};

/** BOOTP/DHCPv4 (RFC 951, RFC 2131, options RFC 2132).  Options are
 * located, not copied: opt[code] spans the option's value in the frame
 * (the first instance; RFC 3396 concatenation is not done). */
struct pd_dhcp {
	uint8_t op;            /* 1 BOOTREQUEST, 2 BOOTREPLY */
	uint8_t htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[16];
	struct pd_span sname, file; /* BOOTP server host name / boot file name */
	bool cookie;           /* RFC 2131 magic cookie present: DHCP, not plain BOOTP */
	uint8_t msg_type;      /* option 53: 1 DISCOVER ... 8 INFORM, 0 if absent */
	uint8_t present[32];   /* bitmap of option codes seen */
	struct pd_span opt[256];
};

/** DHCPv6 (RFC 8415): message type, transaction id and a few options. */
struct pd_dhcpv6 {
	uint8_t msg_type;      /* 1 SOLICIT, 2 ADVERTISE, 3 REQUEST, 7 REPLY ... */
	uint32_t xid;          /* 24-bit transaction id */
	struct pd_span vendor_class;  /* option 16 */
	struct pd_span vendor_opts;   /* option 17 */
	struct pd_span boot_url;      /* option 59 (RFC 5970) */
	struct pd_span boot_params;   /* option 60 (RFC 5970) */
};

/** Syslog over UDP (RFC 3164, RFC 5424, and iPXE's "<PRI>[host ]ipxe: msg"). */
enum pd_syslog_format {
	PD_SYSLOG_BARE = 0,    /* "<PRI>message" with nothing recognisable after */
	PD_SYSLOG_3164,        /* "<PRI>Mmm dd hh:mm:ss host tag: msg" */
	PD_SYSLOG_5424,        /* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" */
	PD_SYSLOG_IPXE,        /* "<PRI>[host[.domain] ]ipxe: msg" (iPXE syslog.c) */
};

struct pd_syslog {
	uint8_t facility;      /* PRI / 8 */
	uint8_t severity;      /* PRI % 8: 0 emerg ... 3 err ... 7 debug */
	uint8_t format;        /* enum pd_syslog_format */
	struct pd_span timestamp, hostname, app, msg;
};

/** One dissected frame. */
struct pd_packet {
	uint64_t frame;        /* 1-based frame number, as tshark counts */
	int64_t ts_ns;         /* capture time, ns since the epoch */
	uint32_t caplen;       /* captured bytes */
	uint32_t wirelen;      /* original length on the wire */
	int linktype;          /* DLT_* / LINKTYPE_* */
	uint32_t epb_flags;    /* pcapng epb_flags word, 0 if none */
	bool has_epb_flags;
	uint32_t layers;       /* enum pd_layer bits */
	struct pd_eth eth;
	struct pd_sll sll;
	struct pd_arp arp;
	struct pd_ip ip;
	struct pd_tcp tcp;
	struct pd_udp udp;
	struct pd_icmp icmp;
	struct pd_dhcp dhcp;    /* valid when layers has PD_L_DHCP */
	struct pd_dhcpv6 dhcpv6;/* valid when layers has PD_L_DHCPV6 */
	struct pd_syslog syslog;/* valid when layers has PD_L_SYSLOG */
	const uint8_t *frame_data; /* start of the captured frame */
	const uint8_t *payload; /* L4 payload (TCP/UDP data), captured bytes */
	uint32_t payload_caplen; /* captured payload bytes */
	uint8_t n_events;
	struct pd_event events[PD_MAX_EVENTS];
	bool malformed;        /* dissection stopped on a malformed header */
	bool snaplen_cut;      /* caplen < wirelen */
};

/* pcapng epb_flags bits (draft-ietf-opsawg-pcapng, EPB flags word). */
#define PD_EPB_DIR_MASK 0x3u
#define PD_EPB_DIR_IN 0x1u
#define PD_EPB_DIR_OUT 0x2u
#define PD_EPB_CSUM_NOT_READY (1u << 9)
#define PD_EPB_CSUM_VALID (1u << 10)
#define PD_EPB_TSO (1u << 11)

/* Linux SLL packet types (linux/if_packet.h). */
#define PD_SLL_OUTGOING 4

/**
 * pd_span_str() - copy a span of the frame as a C string, non-printable
 * bytes replaced by '.'.
 * @buf: output of @len bytes (always NUL-terminated when @len > 0).
 * Return: @buf.
 */
char *pd_span_str(const struct pd_packet *p, struct pd_span s, char *buf, size_t len);

/** pd_dhcp_has() - did the DHCP message carry option @code? */
static inline bool pd_dhcp_has(const struct pd_dhcp *d, uint8_t code)
{
	return (d->present[code >> 3] >> (code & 7)) & 1;
}

/**
 * pd_packet_event() - record an event on a packet.
 * @p: packet.
 * @code: enum pd_event_code.
 * @offset: byte offset in the frame (capped at 65535).
 * @malformed: true if dissection stops here.
 *
 * Events past PD_MAX_EVENTS are dropped (the first ones are the causes).
 */
void pd_packet_event(struct pd_packet *p, int code, size_t offset, bool malformed);

/** pd_event_name() - stable name of an event code, e.g. "ipv4.bad_hlen". */
const char *pd_event_name(int code);

/** pd_event_is_anomaly() - true for events that are not malformations. */
bool pd_event_is_anomaly(int code);

/** pd_event_is_truncation() - true for "header cut short" events, which a
 * snaplen cut explains when caplen < wirelen. */
bool pd_event_is_truncation(int code);

/**
 * pd_packet_is_malformed() - dissection stopped on a header that is wrong
 * in itself, not merely cut by snaplen.
 */
bool pd_packet_is_malformed(const struct pd_packet *p);

/**
 * pd_packet_flow_format() - the packet's conversation from sender to
 * receiver: "TCP 10.0.0.1:80 -> 10.0.0.2:5000", "ICMP a -> b",
 * "IPv4 a -> b proto 47"; "" without an IP layer.
 * Return: @buf.
 */
char *pd_packet_flow_format(const struct pd_packet *p, char *buf, size_t len);

/**
 * pd_ipv4_format() - "192.0.2.1" from 4 bytes in network order.
 * @buf: at least 16 bytes for the whole text (cut to @len otherwise).
 * Return: @buf.
 */
char *pd_ipv4_format(const uint8_t ip[4], char *buf, size_t len);

/**
 * pd_mac_format() - "02:00:00:00:00:01" from a 6-byte MAC address.
 * @buf: at least 18 bytes for the whole text (cut to @len otherwise).
 * Return: @buf.
 */
char *pd_mac_format(const uint8_t mac[6], char *buf, size_t len);

/**
 * pd_addr_format() - print an address as text.
 * @a: address (family 4 or 6; family 0 prints "-").
 * @buf: output buffer of @len bytes (46 is always enough).
 * Return: @buf.
 */
char *pd_addr_format(const struct pd_addr *a, char *buf, size_t len);

/** pd_addr_equal() - same family and bytes. */
bool pd_addr_equal(const struct pd_addr *a, const struct pd_addr *b);

#endif
