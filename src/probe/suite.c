/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * suite.c - the prober's table of named cases.  One row per case: what
 * it sends, what a correct receiver does (from the RFCs, never from what
 * a given device happens to do), and the documented fault it
 * reproduces.  Names are stable: reports, JSON and tests use them, and
 * each case is sent from its own source port (40000 + row), so a filter
 * can name one case.
 *
 * Faults cited (docs/probing.md has the longer story):
 *  [seed]   Windows 11 with Intel I211 / 82579LM dropped an IPMI card's
 *           76-byte UDP replies from port 623 (same IP ID as the request,
 *           DF clear) as "checksum is invalid" although they were valid;
 *           the NIC's UDP receive checksum offload was the cause (found
 *           with PktMon).
 *  [rtl]    Realtek chips (Linux r8169) need frames below 60 bytes padded
 *           in software when TX checksum offload is on, or the checksum
 *           goes out wrong.
 *  [smsc]   smsc95xx sent 0x0000 where a computed UDP checksum of 0 must
 *           go out as 0xffff (RFC 768), and computed IPv6 UDP checksums
 *           with 1-2 bytes of payload wrongly; libnet 1.1.6 has the same
 *           0xffff -> 0x0000 bug in software (and writes the IPv6
 *           fragment header in host byte order: frame.c corrects it).
 *  [zero]   a NIC flagged the all-zero UDP/IPv4 checksum ("no checksum",
 *           RFC 768) as bad.
 *  [tso]    TSO on a server with MTU 9000 sent segments above the client's
 *           MSS 1460.
 */
#include "probe.h"

#define UDP 17
#define TCP 6

/* Shorthands for the table. */
#define DELIVER PD_EXPECT_DELIVER
#define DROP PD_EXPECT_DROP
#define ANY PD_EXPECT_ANY

static const struct pd_probe_case suite[] = {
	/* name, family, proto, dport, payload, csum, pad, frag, size, flags, expect, why, fault */

	/* -- small valid UDP replies to 623 (IPMI), 67 (DHCP), 69 (TFTP) -- */
	{"udp4.623.len1.pad0", 4, UDP, 623, 1, PD_CS_VALID, PD_PAD_ZERO, 0, 0, 0, DELIVER,
	 "RFC 768; RFC 894: pad bytes are not part of the datagram", "[rtl] short frame, zero pad"},
	{"udp4.623.len1.padA5", 4, UDP, 623, 1, PD_CS_VALID, PD_PAD_NONZERO, 0, 0, 0, DELIVER,
	 "RFC 894: pad bytes are ignored whatever their value", "[rtl] short frame, non-zero pad"},
	{"udp4.623.len1.nopad", 4, UDP, 623, 1, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "IEEE 802.3 4.2.3.3: the MAC pads below 60 bytes", "[rtl] device left to pad"},
	{"udp4.67.len2.pad0", 4, UDP, 67, 2, PD_CS_VALID, PD_PAD_ZERO, 0, 0, 0, DELIVER,
	 "RFC 768", "[rtl]"},
	{"udp4.69.len17.padA5", 4, UDP, 69, 17, PD_CS_VALID, PD_PAD_NONZERO, 0, 0, 0, DELIVER,
	 "RFC 768; RFC 894", "[rtl] one byte of pad"},
	{"udp4.69.len18", 4, UDP, 69, 18, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 768 (exactly 60 bytes, no pad)", ""},
	{"udp4.67.len64", 4, UDP, 67, 64, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 768", ""},
	/* -- the seed case -- */
	{"udp4.623.ipmi", 4, UDP, 623, 34, PD_CS_VALID, PD_PAD_NONE, 0, 0,
	 PD_PF_DF_CLEAR | PD_PF_IPMI, DELIVER,
	 "RFC 768; RFC 791 (DF clear, any IP ID)",
	 "[seed] 76-byte IPMI reply, IP ID of the request, DF clear"},
	{"udp4.623.dfclear", 4, UDP, 623, 8, PD_CS_VALID, PD_PAD_ZERO, 0, 0, PD_PF_DF_CLEAR,
	 DELIVER, "RFC 791 3.1 (DF is a permission, not a requirement)", "[seed]"},
	/* -- the two encodings of zero -- */
	{"udp4.623.csum0000", 4, UDP, 623, 8, PD_CS_ZERO, PD_PAD_ZERO, 0, 0, 0, DELIVER,
	 "RFC 768: an all-zero checksum means none was computed", "[zero]"},
	{"udp4.623.csumffff", 4, UDP, 623, 10, PD_CS_FFFF_COMPUTED_ZERO, PD_PAD_ZERO, 0, 0, 0,
	 DELIVER, "RFC 768: a computed 0 is transmitted as all ones", "[smsc]"},
	{"udp4.623.computed0.sent0000", 4, UDP, 623, 10, PD_CS_ZERO_COMPUTED_ZERO, PD_PAD_ZERO,
	 0, 0, 0, DELIVER, "RFC 768: 0x0000 over IPv4 still means no checksum",
	 "[smsc] [libnet 1.1.6]"},
	/* -- wrong checksums -- */
	{"udp4.623.csum-wrong", 4, UDP, 623, 8, PD_CS_WRONG, PD_PAD_ZERO, 0, 0, 0, DROP,
	 "RFC 1122 4.1.3.4: a bad UDP checksum is discarded silently", ""},
	{"ipv4.hdrcsum-wrong", 4, UDP, 623, 8, PD_CS_VALID, PD_PAD_ZERO, 0, 0, PD_PF_IPCSUM_BAD,
	 DROP, "RFC 1122 3.2.1.2: a bad IPv4 header checksum is discarded silently", ""},
	{"tcp4.3260.syn.csum-wrong", 4, TCP, 3260, 0, PD_CS_WRONG, PD_PAD_NONE, 0, 0, 0, DROP,
	 "RFC 9293 3.1: a segment with a bad checksum is discarded", ""},
	/* -- header variants -- */
	{"udp4.623.ipopt", 4, UDP, 623, 8, PD_CS_VALID, PD_PAD_NONE, 0, 0, PD_PF_IPOPT, DELIVER,
	 "RFC 791 3.1 options; RFC 1122 3.2.1.8", ""},
	{"tcp4.3260.syn", 4, TCP, 3260, 0, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 9293 3.10.7.2: a SYN to a LISTEN socket is answered", ""},
	{"tcp4.3260.syn.opts", 4, TCP, 3260, 0, PD_CS_VALID, PD_PAD_NONE, 0, 0, PD_PF_TCPOPT,
	 DELIVER, "RFC 9293 3.2; RFC 7323; RFC 2018", ""},
	{"udp4.623.vlan0", 4, UDP, 623, 8, PD_CS_VALID, PD_PAD_ZERO, 0, 0, PD_PF_VLAN0, DELIVER,
	 "IEEE 802.1Q 9.6: a priority-tagged frame (VID 0) is taken as untagged", ""},
	{"udp4.623.vlan-configured", 4, UDP, 623, 8, PD_CS_VALID, PD_PAD_ZERO, 0, 0,
	 PD_PF_VLANCFG, DELIVER, "IEEE 802.1Q: the receiver is a member of the VLAN", ""},
	/* -- fragments (RFC 791 3.2 reassembly) -- */
	{"udp4.69.frag-first", 4, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_FIRST, 0, 0, DROP,
	 "RFC 791 3.2: an incomplete datagram is never delivered", ""},
	{"udp4.69.frag-last", 4, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_LAST, 0, 0, DROP,
	 "RFC 791 3.2: an incomplete datagram is never delivered", ""},
	{"udp4.69.frag-both", 4, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_BOTH, 0, 0,
	 DELIVER, "RFC 791 3.2", ""},
	{"udp4.69.frag-overlap", 4, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_OVERLAP, 0, 0,
	 ANY, "RFC 791 allows overlaps; RFC 1858 advises dropping them", ""},
	/* -- sizes -- */
	{"udp4.623.mtu", 4, UDP, 623, 0, PD_CS_VALID, PD_PAD_NONE, 0, PD_SIZE_MTU, 0, DELIVER,
	 "RFC 894: datagrams up to the MTU", ""},
	{"udp4.623.mtu+1", 4, UDP, 623, 0, PD_CS_VALID, PD_PAD_NONE, 0, PD_SIZE_MTU_PLUS1, 0, ANY,
	 "RFC 894: above the MTU the link makes no promise", ""},
	{"udp4.623.jumbo", 4, UDP, 623, 0, PD_CS_VALID, PD_PAD_NONE, 0, PD_SIZE_JUMBO, 0, ANY,
	 "no RFC promise above the MTU (9000-byte datagram)", "[tso] MTU 9000 on one side"},
	/* -- GSO: a super-frame of ten segments, gso_size = the peer's MSS
	 * (its MTU - 40; 1460 for 1500) -- */
	{"tcp4.3260.gso-mss", 4, TCP, 3260, 14600, PD_CS_VALID, PD_PAD_NONE, 0, 0, PD_PF_GSO, ANY,
	 "Linux GSO: every segment on the wire carries at most gso_size bytes",
	 "[tso] segments above the peer's MSS"},
	/* -- IPv6 -- */
	{"udp6.623.len1", 6, UDP, 623, 1, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 8200 8.1", "[smsc] IPv6 UDP with 1 byte of payload"},
	{"udp6.623.len2", 6, UDP, 623, 2, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 8200 8.1", "[smsc] IPv6 UDP with 2 bytes of payload"},
	{"udp6.69.len64", 6, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 8200 8.1", ""},
	{"udp6.623.csumffff", 6, UDP, 623, 10, PD_CS_FFFF_COMPUTED_ZERO, PD_PAD_NONE, 0, 0, 0,
	 DELIVER, "RFC 8200 8.1: a computed 0 is transmitted as 0xffff", "[smsc]"},
	{"udp6.623.csum0000", 6, UDP, 623, 10, PD_CS_ZERO_COMPUTED_ZERO, PD_PAD_NONE, 0, 0, 0,
	 DROP, "RFC 8200 8.1: a zero UDP checksum over IPv6 is discarded", "[smsc]"},
	{"udp6.623.csum-wrong", 6, UDP, 623, 8, PD_CS_WRONG, PD_PAD_NONE, 0, 0, 0, DROP,
	 "RFC 8200 8.1", ""},
	{"udp6.69.frag-first", 6, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_FIRST, 0, 0, DROP,
	 "RFC 8200 4.5: an incomplete packet is never delivered", ""},
	{"udp6.69.frag-both", 6, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_BOTH, 0, 0,
	 DELIVER, "RFC 8200 4.5", ""},
	{"udp6.69.frag-overlap", 6, UDP, 69, 64, PD_CS_VALID, PD_PAD_NONE, PD_FRAG_OVERLAP, 0, 0,
	 DROP, "RFC 5722: overlapping IPv6 fragments are discarded silently", ""},
	{"tcp6.3260.syn", 6, TCP, 3260, 0, PD_CS_VALID, PD_PAD_NONE, 0, 0, 0, DELIVER,
	 "RFC 9293 3.10.7.2", ""},
	{"tcp6.3260.syn.csum-wrong", 6, TCP, 3260, 0, PD_CS_WRONG, PD_PAD_NONE, 0, 0, 0, DROP,
	 "RFC 9293 3.1", ""},
};

const struct pd_probe_case *pd_probe_suite(size_t *n)
{
	*n = sizeof(suite) / sizeof(suite[0]);
	return suite;
}

uint16_t pd_probe_case_sport(size_t index)
{
	return (uint16_t)(40000u + (index & 0x3ffu));
}

const char *pd_probe_expect_name(int e)
{
	switch (e) {
	case PD_EXPECT_DELIVER:
		return "deliver";
	case PD_EXPECT_DROP:
		return "drop";
	default:
		return "any";
	}
}
