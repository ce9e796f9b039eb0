/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dissect.c - dissector unit tests on inline frame bytes, through
 * pd_dissect_frame() as src/core/analyze.c calls it (STYLE.md habit 11).
 *
 * Where the expected values come from:
 *  - Hand-built frames: every field is written out next to its bytes,
 *    and their checksums are filled in at run time by ref_csum(), a tiny
 *    RFC 1071 routine written here independently of src/core/checksum.c
 *    (and itself checked against RFC 1071 and a known IPv4 header in
 *    test_reference_checksum_helper).
 *  - Real frames: pasted from the pcap files in captures/ (made by
 *    captures/lab/make-offload-captures.sh; the lab regenerates them with
 *    new ports and IDs on each run, so the bytes here are one run's copy).
 *    The expected fields and checksum verdicts are tshark 4.0.17's on the
 *    same bytes, with -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE
 *    -o udp.check_checksum:TRUE, quoted in each comment.
 *
 * Each frame is dissected from a heap copy of exactly caplen bytes, so
 * AddressSanitizer reports any read past the captured data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pd_test_events.h"

#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/packet.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static uint8_t *g_frame; /* heap copy of the frame under test */

static int free_frame(void **state)
{
	(void)state;
	free(g_frame);
	g_frame = NULL;
	return 0;
}

/* Dissect @caplen bytes of @bytes, a frame of @wirelen bytes on the wire,
 * of link type @linktype, the way analyze.c fills struct pd_packet. */
static int dissect(struct pd_packet *p, const uint8_t *bytes, size_t caplen,
		   size_t wirelen, int linktype)
{
	free(g_frame);
	g_frame = malloc(caplen ? caplen : 1);
	assert_non_null(g_frame);
	if (caplen)
		memcpy(g_frame, bytes, caplen);
	memset(p, 0, sizeof(*p));
	p->frame = 1;
	p->ts_ns = 0;
	p->caplen = (uint32_t)caplen;
	p->wirelen = (uint32_t)wirelen;
	p->linktype = linktype;
	return pd_dissect_frame(p, g_frame);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/*
 * Reference RFC 1071 checksum, independent of src/core/checksum.c: the
 * bytes of @a then @b taken as one string, 16-bit big-endian words added
 * in a 32-bit accumulator, a final odd byte padded with a zero byte,
 * carries folded back, and the result complemented (RFC 1071 section 4.1).
 */
static uint16_t ref_csum(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen + blen;
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2) {
		uint32_t hi = i < alen ? a[i] : b[i - alen];
		uint32_t lo = 0;

		if (i + 1 < n)
			lo = i + 1 < alen ? a[i + 1] : b[i + 1 - alen];
		sum += hi << 8 | lo;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 pseudo-header (RFC 9293 3.1, RFC 768): addresses from the IPv4
 * header at @ip, zero, @proto, @len. */
static void pseudo4(uint8_t ph[12], const uint8_t *ip, uint8_t proto, uint16_t len)
{
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, len);
}

/* IPv6 pseudo-header (RFC 8200 8.1): addresses from the IPv6 header at
 * @ip6, 32-bit upper-layer length, three zero bytes, next header. */
static void pseudo6(uint8_t ph[40], const uint8_t *ip6, uint8_t nh, uint32_t len)
{
	memcpy(ph, ip6 + 8, 32);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = nh;
}

/* Fill the IPv4 header checksum of the header at @ip. */
static void fix_ip4(uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;

	put16(ip + 10, 0);
	put16(ip + 10, ref_csum(ip, hlen, NULL, 0));
}

/* Fill a TCP/UDP checksum at @l4 + @field over an IPv4 pseudo-header.
 * UDP sends a computed 0 as ffff (RFC 768). */
static uint16_t fix_l4_v4(const uint8_t *ip, uint8_t *l4, size_t l4len, uint8_t proto,
			  size_t field)
{
	uint8_t ph[12];
	uint16_t c;

	pseudo4(ph, ip, proto, (uint16_t)l4len);
	put16(l4 + field, 0);
	c = ref_csum(ph, sizeof(ph), l4, l4len);
	if (c == 0 && proto == 17)
		c = 0xffff;
	put16(l4 + field, c);
	return c;
}

/* Same over an IPv6 pseudo-header. */
static uint16_t fix_l4_v6(const uint8_t *ip6, uint8_t *l4, size_t l4len, uint8_t nh,
			  size_t field)
{
	uint8_t ph[40];
	uint16_t c;

	pseudo6(ph, ip6, nh, (uint32_t)l4len);
	put16(l4 + field, 0);
	c = ref_csum(ph, sizeof(ph), l4, l4len);
	if (c == 0 && nh == 17)
		c = 0xffff;
	put16(l4 + field, c);
	return c;
}

/* The folded, uncomplemented IPv4 pseudo-header sum: what Linux leaves
 * in a CHECKSUM_PARTIAL field (and with length 0, Microsoft LSO). */
static uint16_t pseudo_sum4(const uint8_t *ip, uint8_t proto, uint16_t len)
{
	uint8_t ph[12];

	pseudo4(ph, ip, proto, len);
	return (uint16_t)~ref_csum(ph, sizeof(ph), NULL, 0);
}

#define ETH_DST 0x02, 0x00, 0x00, 0x00, 0x00, 0x02
#define ETH_SRC 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define IP4_SRC 0xc0, 0x00, 0x02, 0x01 /* 192.0.2.1 (RFC 5737) */
#define IP4_DST 0xc6, 0x33, 0x64, 0x02 /* 198.51.100.2 */
#define IP6_SRC 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 /* 2001:db8::1 */
#define IP6_DST 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 /* 2001:db8::2 */

/* An IPv4 + UDP datagram used behind the link-layer headers under test:
 * IHL 5, total length 32, id 1, no flags, TTL 64, UDP, 192.0.2.1 ->
 * 198.51.100.2; UDP 12345 -> 53, length 12, data de ad be ef.
 * Checksums are filled by with_ipv4_udp(). */
static const uint8_t ipv4_udp[32] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	IP4_SRC, IP4_DST,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

/* @link (@link_len bytes) followed by ipv4_udp with both checksums
 * right; returns the frame length. */
static size_t with_ipv4_udp(uint8_t *out, const uint8_t *link, size_t link_len)
{
	uint8_t *ip = out + link_len;

	if (link_len)
		memcpy(out, link, link_len);
	memcpy(ip, ipv4_udp, sizeof(ipv4_udp));
	fix_ip4(ip);
	fix_l4_v4(ip, ip + 20, 12, 17, 6);
	return link_len + sizeof(ipv4_udp);
}

/* The ipv4_udp datagram was decoded in full and both checksums hold. */
static void check_ipv4_udp(const struct pd_packet *p)
{
	static const uint8_t src[4] = {IP4_SRC}, dst[4] = {IP4_DST};
	static const uint8_t data[4] = {0xde, 0xad, 0xbe, 0xef};

	assert_true(p->layers & PD_L_IPV4);
	assert_true(p->layers & PD_L_UDP);
	assert_int_equal(p->ip.version, 4);
	assert_int_equal(p->ip.total_len, 32);
	assert_memory_equal(p->ip.src.a, src, 4);
	assert_memory_equal(p->ip.dst.a, dst, 4);
	assert_int_equal(p->ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p->udp.sport, 12345);
	assert_int_equal(p->udp.dport, 53);
	assert_int_equal(p->udp.length, 12);
	assert_int_equal(p->udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p->payload_caplen, 4);
	assert_memory_equal(p->payload, data, 4);
	assert_false(pd_packet_is_malformed(p));
}

/* Ethernet II + IPv4 (IHL 5, DF, TTL 64, id 4) + @l4; the IPv4 total
 * length is 20 + @l4len and the header checksum is filled in. */
static size_t eth_ipv4(uint8_t *out, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	static const uint8_t eth[14] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t ip[20] = {0x45, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40, 0x00, 0x40, 0x00, 0x00, 0x00,
			  IP4_SRC, IP4_DST};

	put16(ip + 2, (uint16_t)(20 + l4len));
	ip[9] = proto;
	fix_ip4(ip);
	memcpy(out, eth, 14);
	memcpy(out + 14, ip, 20);
	memcpy(out + 34, l4, l4len);
	return 34 + l4len;
}

/* ------------------------------------------------------------------ */
/* The reference helper itself                                          */
/* ------------------------------------------------------------------ */

/* ref_csum() against known answers: RFC 1071 section 3 (bytes 00 01 f2
 * 03 f4 f5 f6 f7 sum to ddf2, checksum 220d), split at an odd boundary,
 * and the well-known IPv4 header 45 00 00 73 ... whose checksum is b861. */
static void test_reference_checksum_helper(void **state)
{
	static const uint8_t rfc[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	(void)state;
	assert_int_equal(ref_csum(rfc, 8, NULL, 0), 0x220d);
	assert_int_equal(ref_csum(rfc, 3, rfc + 3, 5), 0x220d);
	assert_int_equal(ref_csum(ip, 20, NULL, 0), 0xb861);
}

/* ------------------------------------------------------------------ */
/* Ethernet + IPv4 + TCP                                               */
/* ------------------------------------------------------------------ */

/* A hand-built SYN, every field decoded: Ethernet II 02:..:01 ->
 * 02:..:02; IPv4 192.0.2.1 -> 198.51.100.2, id 0x1c46, DF, TTL 64, total
 * length 60; TCP 49152 -> 80, seq 0x01020304, SYN, window 64240, data
 * offset 10 (40 bytes) with the Linux SYN options in Linux order: MSS
 * 1460, SACK permitted, timestamps (TSval 12345, TSecr 0), NOP, window
 * scale 7 (RFC 9293 3.2, RFC 2018, RFC 7323).  Both checksums computed
 * by ref_csum(): the IPv4 header and TCP checksums are VALID. */
static void test_eth_ipv4_tcp_syn_options(void **state)
{
	uint8_t f[] = {
		/* Ethernet II */
		ETH_DST, ETH_SRC, 0x08, 0x00,
		/* IPv4: 4/5, TOS 0, total 60 | id 0x1c46, DF | TTL 64, TCP, csum */
		0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		/* TCP 49152 -> 80, seq, ack 0, doff 10 + SYN, window 64240, csum, urg */
		0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
		0xa0, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
		/* MSS 1460 */
		0x02, 0x04, 0x05, 0xb4,
		/* SACK permitted */
		0x04, 0x02,
		/* timestamps TSval 12345 TSecr 0 */
		0x08, 0x0a, 0x00, 0x00, 0x30, 0x39, 0x00, 0x00, 0x00, 0x00,
		/* NOP, window scale 7 */
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t dst[6] = {ETH_DST}, src[6] = {ETH_SRC};
	static const uint8_t ip_src[4] = {IP4_SRC}, ip_dst[4] = {IP4_DST};
	struct pd_packet p;
	uint16_t tcp_csum;
	char flow[128];

	(void)state;
	assert_int_equal(sizeof(f), 74);
	fix_ip4(f + 14);
	tcp_csum = fix_l4_v4(f + 14, f + 34, 40, 6, 16);

	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV4 | PD_L_TCP);
	expect_no_events(&p);
	assert_false(p.malformed);
	assert_false(p.snaplen_cut);

	assert_memory_equal(p.eth.dst, dst, 6);
	assert_memory_equal(p.eth.src, src, 6);
	assert_int_equal(p.eth.ethertype, 0x0800);
	assert_int_equal(p.eth.vlan_count, 0);

	assert_int_equal(p.ip.version, 4);
	assert_int_equal(p.ip.hdr_len, 20);
	assert_int_equal(p.ip.total_len, 60);
	assert_int_equal(p.ip.ip_id, 0x1c46);
	assert_true(p.ip.df);
	assert_false(p.ip.mf);
	assert_int_equal(p.ip.frag_off, 0);
	assert_false(p.ip.is_fragment);
	assert_int_equal(p.ip.ttl, 64);
	assert_int_equal(p.ip.proto, 6);
	assert_int_equal(p.ip.src.family, 4);
	assert_memory_equal(p.ip.src.a, ip_src, 4);
	assert_memory_equal(p.ip.dst.a, ip_dst, 4);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.ip.hdr_csum.is, get16(f + 24));

	assert_int_equal(p.tcp.sport, 49152);
	assert_int_equal(p.tcp.dport, 80);
	assert_int_equal(p.tcp.seq, 0x01020304u);
	assert_int_equal(p.tcp.ack, 0);
	assert_int_equal(p.tcp.flags, 0x02);
	assert_int_equal(p.tcp.window, 64240);
	assert_int_equal(p.tcp.hdr_len, 40);
	assert_int_equal(p.tcp.payload_len, 0);
	assert_int_equal(p.tcp.mss, 1460);
	assert_true(p.tcp.sack_permitted);
	assert_true(p.tcp.has_ts);
	assert_int_equal(p.tcp.ts_val, 12345);
	assert_int_equal(p.tcp.ts_ecr, 0);
	assert_int_equal(p.tcp.wscale, 7);
	assert_int_equal(p.tcp.sack_count, 0);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.tcp.csum.is, tcp_csum);
	assert_int_equal(p.tcp.csum.should, tcp_csum);
	assert_int_equal(p.payload_caplen, 0);

	pd_packet_flow_format(&p, flow, sizeof(flow));
	assert_string_equal(flow, "TCP 192.0.2.1:49152 -> 198.51.100.2:80");
}

/* A real SYN from captures/offload-valid.pcap (frame 1; TX offload off).
 * tshark: IPv4 id 0x36e6, TTL 64, header checksum 0xef39 [correct];
 * TCP 40048 -> 5001, seq (raw) 726899453, window 64240, checksum 0xcd1c
 * [correct], MSS 1460, SACK_PERM, TSval 3158587588, TSecr 0, NOP,
 * WS shift 10. */
static void test_real_syn_offload_valid(void **state)
{
	static const uint8_t f[74] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x3c, 0x36, 0xe6, 0x40, 0x00, 0x40, 0x06, 0xef, 0x39, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x70, 0x13, 0x89, 0x2b, 0x53, 0x9a, 0xfd, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
		0xfa, 0xf0, 0xcd, 0x1c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xbc, 0x44,
		0x38, 0xc4, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.ip.ip_id, 0x36e6);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.ip.hdr_csum.is, 0xef39);
	assert_int_equal(p.tcp.sport, 40048);
	assert_int_equal(p.tcp.dport, 5001);
	assert_int_equal(p.tcp.seq, 726899453u);
	assert_int_equal(p.tcp.flags, 0x02);
	assert_int_equal(p.tcp.window, 64240);
	assert_int_equal(p.tcp.mss, 1460);
	assert_true(p.tcp.sack_permitted);
	assert_true(p.tcp.has_ts);
	assert_int_equal(p.tcp.ts_val, 3158587588u);
	assert_int_equal(p.tcp.ts_ecr, 0);
	assert_int_equal(p.tcp.wscale, 10);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.tcp.csum.is, 0xcd1c);
}

/* A real corrupted SYN from captures/bad-checksums.pcap (frame 6, sent
 * by scapy with a fixed wrong checksum).  tshark: "Checksum: 0x1234
 * incorrect, should be 0xe8b7"; the IPv4 header 0xaf2f is correct. */
static void test_real_tcp_bad_checksum(void **state)
{
	static const uint8_t f[54] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x28, 0x77, 0x04, 0x40, 0x00, 0x40, 0x06, 0xaf, 0x2f, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x44, 0x13, 0x89, 0x00, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02,
		0xfa, 0xf0, 0x12, 0x34, 0x00, 0x00,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.tcp.csum.is, 0x1234);
	assert_int_equal(p.tcp.csum.should, 0xe8b7);
	assert_false(pd_packet_is_malformed(&p));
}

/* A real CHECKSUM_PARTIAL SYN from captures/offload-partial.pcapng
 * (frame 1; veth TX offload on, captured on the sender).  The field
 * 0x14cb is the pseudo-header sum 0a4d + 0001 + 0a4d + 0002 + 0006 +
 * 0028 (TCP length 40) = 14cb by hand; tshark: "0x14cb incorrect,
 * should be 0x8749".  Verdict PARTIAL, Linux form, should 0x8749. */
static void test_real_tcp_partial_linux(void **state)
{
	static const uint8_t f[74] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x3c, 0x6d, 0xa7, 0x40, 0x00, 0x40, 0x06, 0xb8, 0x78, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0xc3, 0xc6, 0x13, 0x89, 0x04, 0xf6, 0xb3, 0x43, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
		0xfa, 0xf0, 0x14, 0xcb, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xa7, 0x2c,
		0x7a, 0x70, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.tcp.csum.form, PD_PARTIAL_LINUX);
	assert_int_equal(p.tcp.csum.is, 0x14cb);
	assert_int_equal(p.tcp.csum.should, 0x8749);
}

/* An ACK carrying two SACK blocks (RFC 2018 3: kind 5, length 2 + 8n),
 * after two NOPs: left/right edges 1000-2000 and 3000-4000 decoded in
 * order, no MSS/timestamps, checksum VALID. */
static void test_tcp_sack_blocks(void **state)
{
	uint8_t tcp[40] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0x03, 0xe8,
			   0xa0, 0x10, 0xfa, 0xf0, 0, 0, 0, 0,
			   0x01, 0x01, 0x05, 0x12,
			   0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0, /* 1000-2000 */
			   0x00, 0x00, 0x0b, 0xb8, 0x00, 0x00, 0x0f, 0xa0}; /* 3000-4000 */
	uint8_t f[80];
	size_t n;
	struct pd_packet p;

	(void)state;
	n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	fix_l4_v4(f + 14, f + 34, sizeof(tcp), 6, 16);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.tcp.ack, 1000);
	assert_int_equal(p.tcp.hdr_len, 40);
	assert_int_equal(p.tcp.sack_count, 2);
	assert_int_equal(p.tcp.sack_left[0], 1000);
	assert_int_equal(p.tcp.sack_right[0], 2000);
	assert_int_equal(p.tcp.sack_left[1], 3000);
	assert_int_equal(p.tcp.sack_right[1], 4000);
	assert_int_equal(p.tcp.mss, 0);
	assert_false(p.tcp.has_ts);
	assert_int_equal(p.tcp.wscale, -1);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
}

/* ------------------------------------------------------------------ */
/* VLAN tags                                                           */
/* ------------------------------------------------------------------ */

/* One 802.1Q tag, TCI 0xa064 = PCP 5, DEI 0, VID 100 (IEEE 802.1Q): the
 * VID is 100 (priority bits masked off), the TPID 0x8100, the final
 * EtherType 0x0800, and the IPv4/UDP behind it decodes with valid
 * checksums (so the offsets after the tag are right). */
static void test_vlan_8021q(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x81, 0x00, 0xa0, 0x64, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_VLAN);
	assert_int_equal(p.eth.vlan_count, 1);
	assert_int_equal(p.eth.vlan_tpid[0], 0x8100);
	assert_int_equal(p.eth.vlan_id[0], 100);
	assert_int_equal(p.eth.ethertype, 0x0800);
	check_ipv4_udp(&p);
}

/* QinQ: an 802.1ad S-tag (TPID 0x88a8, VID 200) then an 802.1Q C-tag
 * (0x8100, VID 100).  Both recorded, outer first. */
static void test_vlan_qinq(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x88, 0xa8, 0x00, 0xc8,
				       0x81, 0x00, 0x00, 0x64, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.eth.vlan_count, 2);
	assert_int_equal(p.eth.vlan_tpid[0], 0x88a8);
	assert_int_equal(p.eth.vlan_id[0], 200);
	assert_int_equal(p.eth.vlan_tpid[1], 0x8100);
	assert_int_equal(p.eth.vlan_id[1], 100);
	assert_int_equal(p.eth.ethertype, 0x0800);
	check_ipv4_udp(&p);
}

/* Three tags, one more than PD_MAX_VLAN: the first two are recorded, the
 * count says 3, vlan.too_deep is an anomaly (not malformed) and the
 * IPv4/UDP behind the tags still decodes. */
static void test_vlan_too_deep(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x88, 0xa8, 0x00, 0xc8,
				       0x81, 0x00, 0x00, 0x64, 0x81, 0x00, 0x00, 0x65,
				       0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_VLAN_TOO_DEEP);
	assert_int_equal(p.eth.vlan_count, 3);
	assert_int_equal(p.eth.vlan_id[0], 200);
	assert_int_equal(p.eth.vlan_id[1], 100);
	assert_false(p.malformed);
	check_ipv4_udp(&p);
}

/* Ethernet pads short frames to 60 bytes (IEEE 802.3 minimum without
 * FCS).  The 46-byte IPv4/UDP frame padded with 14 zero bytes: the IPv4
 * total length (32) bounds the datagram, so the UDP checksum is still
 * VALID and the payload is the 4 data bytes, not the padding. */
static void test_eth_padding_excluded(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t f[60] = {0};
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(n, 46);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	check_ipv4_udp(&p);
}

/* ------------------------------------------------------------------ */
/* ARP                                                                 */
/* ------------------------------------------------------------------ */

/* "Who has 192.0.2.2? Tell 192.0.2.1" (RFC 826), broadcast, padded to
 * 60 bytes: htype 1, ptype 0x0800, hlen 6, plen 4, oper 1 (request). */
static void test_arp_request(void **state)
{
	static const uint8_t f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ETH_SRC, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		ETH_SRC, 0xc0, 0x00, 0x02, 0x01,              /* sha, spa */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02, /* tha, tpa */
		/* 18 bytes of padding (zero) */
	};
	static const uint8_t sha[6] = {ETH_SRC}, tha[6] = {0};
	static const uint8_t spa[4] = {0xc0, 0x00, 0x02, 0x01}, tpa[4] = {0xc0, 0x00, 0x02, 0x02};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_ARP);
	assert_int_equal(p.eth.ethertype, 0x0806);
	assert_int_equal(p.arp.htype, 1);
	assert_int_equal(p.arp.ptype, 0x0800);
	assert_int_equal(p.arp.hlen, 6);
	assert_int_equal(p.arp.plen, 4);
	assert_int_equal(p.arp.oper, 1);
	assert_true(p.arp.ipv4_eth);
	assert_memory_equal(p.arp.sha, sha, 6);
	assert_memory_equal(p.arp.spa, spa, 4);
	assert_memory_equal(p.arp.tha, tha, 6);
	assert_memory_equal(p.arp.tpa, tpa, 4);
}

/* A gratuitous ARP in the RFC 5227 "ARP Announcement" form: a broadcast
 * request whose sender and target protocol addresses are both the
 * sender's own address (192.0.2.1) and whose target hardware address is
 * zero.  Decoded with spa == tpa. */
static void test_arp_gratuitous(void **state)
{
	static const uint8_t f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ETH_SRC, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		ETH_SRC, 0xc0, 0x00, 0x02, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	};
	static const uint8_t own[4] = {0xc0, 0x00, 0x02, 0x01};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_ARP);
	assert_true(p.arp.ipv4_eth);
	assert_int_equal(p.arp.oper, 1);
	assert_memory_equal(p.arp.spa, own, 4);
	assert_memory_equal(p.arp.tpa, own, 4);
}

/* ------------------------------------------------------------------ */
/* IPv4 options, fragments, TSO                                        */
/* ------------------------------------------------------------------ */

/* IHL 6 with a Router Alert option (RFC 2113: type 0x94, length 4,
 * value 0): header length 24, header checksum over 24 bytes VALID, no
 * option event, and the UDP behind the options decodes (VALID). */
static void test_ipv4_with_options(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x46, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0x94, 0x04, 0x00, 0x00, /* Router Alert */
		0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	fix_l4_v4(f + 14, f + 38, 12, 17, 6);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.ip.hdr_len, 24);
	assert_int_equal(p.ip.ttl, 1);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.sport, 12345);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
}

/* An option whose length runs past the header (Record Route, type 7,
 * claiming 8 bytes in a 4-byte option area): ipv4.bad_option is
 * recorded, and decoding goes on to the UDP behind the header. */
static void test_ipv4_option_too_long(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x46, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0x07, 0x08, 0x04, 0x00, /* RR, length 8 > 4 bytes left */
		0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	fix_l4_v4(f + 14, f + 38, 12, 17, 6);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_OPT_BAD);
	assert_true(p.layers & PD_L_UDP);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
}

/* An option with length 1 (less than its own type and length bytes,
 * RFC 791 3.1): ipv4.bad_option. */
static void test_ipv4_option_too_short(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x46, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0x94, 0x01, 0x00, 0x00, /* length 1 */
		0x30, 0x39, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	fix_l4_v4(f + 14, f + 38, 12, 17, 6);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_OPT_BAD);
}

/* The first fragment of a TCP segment (MF set, offset 0): the fragment
 * is marked (PD_L_FRAG, is_fragment, mf), the TCP header is decoded, but
 * no checksum verdict is given, because the checksum covers the whole
 * reassembled segment (field 0xabcd is arbitrary). */
static void test_ipv4_first_fragment_tcp(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		/* total 48, id 0x1234, MF, offset 0 */
		0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x20, 0x00, 0x40, 0x06, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		/* TCP 49152 -> 80, seq 1, doff 5, PSH|ACK, csum 0xabcd */
		0xc0, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x50, 0x18, 0xfa, 0xf0, 0xab, 0xcd, 0x00, 0x00,
		'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_FRAG);
	assert_true(p.ip.is_fragment);
	assert_true(p.ip.mf);
	assert_int_equal(p.ip.frag_off, 0);
	assert_true(p.layers & PD_L_TCP);
	assert_int_equal(p.tcp.sport, 49152);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_NONE);
	assert_false(pd_packet_is_malformed(&p));
}

/* The first fragment of a UDP datagram (MF set, offset 0).  The UDP
 * length field gives the length of the whole datagram (RFC 768), here
 * 1024, which is more than this fragment carries (24 bytes).  That is
 * normal for a fragment, not a malformed UDP header: expect the UDP
 * header decoded, no checksum verdict, no udp.bad_length, not malformed. */
static void test_ipv4_first_fragment_udp(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		/* total 44, id 0x1235, MF, offset 0 */
		0x45, 0x00, 0x00, 0x2c, 0x12, 0x35, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		/* UDP 12345 -> 53, length 1024 (whole datagram), csum 0xabcd */
		0x30, 0x39, 0x00, 0x35, 0x04, 0x00, 0xab, 0xcd,
		'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'B',
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_true(p.layers & PD_L_FRAG);
	assert_true(p.layers & PD_L_UDP);
	assert_int_equal(p.udp.sport, 12345);
	assert_int_equal(p.udp.length, 1024);
	expect_no_event(&p, PD_EV_UDP_BAD_LEN);
	assert_false(pd_packet_is_malformed(&p));
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_NONE);
}

/* A later fragment (offset field 185 = 1480 bytes, MF clear): no L4
 * header is in it, so nothing is dissected past IPv4 even though its
 * first bytes look like a UDP header with a bad length; PD_L_FRAG set,
 * frag_off 1480, no events, no checksum verdicts. */
static void test_ipv4_nonfirst_fragment(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x24, 0x12, 0x34, 0x00, 0xb9, 0x40, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0x00, 0x35, 0x30, 0x39, 0x00, 0x02, 0x00, 0x00, /* not a UDP header */
		'C', 'C', 'C', 'C', 'C', 'C', 'C', 'C',
	};
	struct pd_packet p;

	(void)state;
	fix_ip4(f + 14);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV4 | PD_L_FRAG);
	assert_true(p.ip.is_fragment);
	assert_false(p.ip.mf);
	assert_int_equal(p.ip.frag_off, 1480);
	assert_int_equal(p.ip.proto, 17);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_NONE);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_NONE);
	assert_false(pd_packet_is_malformed(&p));
}

/* A TSO / BIG TCP super-segment captured on the sending host: IPv4
 * total length 0.  ipv4.total_length_zero is recorded as an anomaly (not
 * malformed), the length is taken from the frame (20 + 20 + 24 = 64),
 * and TCP is still dissected (24 payload bytes).  The TCP field holds
 * the Linux CHECKSUM_PARTIAL value with the real L4 length 44, as a real
 * GSO super-frame does (captures/offload-partial.pcapng frame 4: IPv4
 * total 7292, field 0x310b = pseudo-header sum with TCP length 7272), so
 * the verdict is PARTIAL/LINUX only if the dissector derived 44. */
static void test_ipv4_total_length_zero_tso(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x00, 0x00, 0x03, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0xc0, 0x00, 0x00, 0x50, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00,
		0x50, 0x18, 0x01, 0xf5, 0x00, 0x00, 0x00, 0x00,
		'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b',
		'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
	};
	struct pd_packet p;
	uint16_t partial;

	(void)state;
	fix_ip4(f + 14);
	partial = pseudo_sum4(f + 14, 6, 44);
	put16(f + 34 + 16, partial);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_TOTLEN_ZERO);
	assert_true(pd_event_is_anomaly(PD_EV_IPV4_TOTLEN_ZERO));
	assert_false(p.malformed);
	assert_false(pd_packet_is_malformed(&p));
	assert_true(p.ip.len_from_frame);
	assert_int_equal(p.ip.total_len, 64);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_true(p.layers & PD_L_TCP);
	assert_int_equal(p.tcp.seq, 4096);
	assert_int_equal(p.tcp.payload_len, 24);
	assert_int_equal(p.payload_caplen, 24);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.tcp.csum.form, PD_PARTIAL_LINUX);
	assert_int_equal(p.tcp.csum.is, partial);
}

/* ------------------------------------------------------------------ */
/* UDP and ICMP over IPv4, real frames                                 */
/* ------------------------------------------------------------------ */

/* captures/bad-checksums.pcap frame 1: UDP/IPv4 10.77.0.1:40001 ->
 * 10.77.0.2:9, length 19, "good udp v4".  tshark: IPv4 header 0xaf28
 * [correct], UDP checksum 0x9eb1 [correct]. */
static const uint8_t real_udp4_good[53] = {
	0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
	0x00, 0x27, 0x77, 0x01, 0x40, 0x00, 0x40, 0x11, 0xaf, 0x28, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
	0x00, 0x02, 0x9c, 0x41, 0x00, 0x09, 0x00, 0x13, 0x9e, 0xb1, 0x67, 0x6f, 0x6f, 0x64, 0x20, 0x75,
	0x64, 0x70, 0x20, 0x76, 0x34,
};

/* IPv4 header checksum offload leaves 0 in the field for the NIC: the
 * good UDP frame above with its header checksum cleared is PARTIAL,
 * zero-fill form, should 0xaf28 (tshark on the original frame: header
 * checksum 0xaf28 [correct]). */
static void test_ipv4_header_checksum_zero_fill(void **state)
{
	uint8_t f[sizeof(real_udp4_good)];
	struct pd_packet p;

	(void)state;
	memcpy(f, real_udp4_good, sizeof(f));
	f[24] = f[25] = 0;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.ip.hdr_csum.form, PD_PARTIAL_ZEROFILL);
	assert_int_equal(p.ip.hdr_csum.is, 0);
	assert_int_equal(p.ip.hdr_csum.should, 0xaf28);
}

/* The good UDP/IPv4 frame: fields as tshark shows them, UDP VALID. */
static void test_real_udp4_valid(void **state)
{
	struct pd_packet p;
	char flow[128];

	(void)state;
	assert_int_equal(dissect(&p, real_udp4_good, 53, 53, PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV4 | PD_L_UDP);
	assert_int_equal(p.ip.ip_id, 0x7701);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.sport, 40001);
	assert_int_equal(p.udp.dport, 9);
	assert_int_equal(p.udp.length, 19);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.csum.is, 0x9eb1);
	assert_int_equal(p.payload_caplen, 11);
	assert_memory_equal(p.payload, "good udp v4", 11);
	pd_packet_flow_format(&p, flow, sizeof(flow));
	assert_string_equal(flow, "UDP 10.77.0.1:40001 -> 10.77.0.2:9");
}

/* captures/bad-checksums.pcap frame 3: UDP with the fixed wrong value
 * 0x1234.  tshark: "0x1234 incorrect, should be 0x2ca7". */
static void test_real_udp4_bad(void **state)
{
	static const uint8_t f[52] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x26, 0x77, 0x02, 0x40, 0x00, 0x40, 0x11, 0xaf, 0x28, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x42, 0x00, 0x09, 0x00, 0x12, 0x12, 0x34, 0x62, 0x61, 0x64, 0x20, 0x75, 0x64,
		0x70, 0x20, 0x76, 0x34,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.udp.csum.is, 0x1234);
	assert_int_equal(p.udp.csum.should, 0x2ca7);
}

/* captures/bad-checksums.pcap frame 10: the IPv4 header checksum is
 * wrong, the UDP inside is fine.  tshark: header "0x1234 incorrect,
 * should be 0xaf20"; UDP 0xc2b5 [correct]. */
static void test_real_ipv4_header_bad(void **state)
{
	static const uint8_t f[55] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x29, 0x77, 0x07, 0x40, 0x00, 0x40, 0x11, 0x12, 0x34, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x47, 0x00, 0x09, 0x00, 0x15, 0xc2, 0xb5, 0x62, 0x61, 0x64, 0x20, 0x69, 0x70,
		0x20, 0x68, 0x65, 0x61, 0x64, 0x65, 0x72,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.ip.hdr_csum.is, 0x1234);
	assert_int_equal(p.ip.hdr_csum.should, 0xaf20);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.csum.is, 0xc2b5);
}

/* captures/bad-checksums.pcap frame 11: UDP/IPv4 sent with checksum 0,
 * "no checksum" (RFC 768).  tshark: "0x0000 [zero-value ignored]".
 * Verdict ZERO, not BAD. */
static void test_udp4_zero_checksum(void **state)
{
	static const uint8_t f[56] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x2a, 0x77, 0x08, 0x40, 0x00, 0x40, 0x11, 0xaf, 0x1e, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x48, 0x00, 0x09, 0x00, 0x16, 0x00, 0x00, 0x75, 0x64, 0x70, 0x20, 0x76, 0x34,
		0x20, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0x20, 0x30,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_ZERO);
	assert_int_equal(p.udp.csum.is, 0);
}

/* The good UDP/IPv4 frame with its checksum rewritten to the Linux
 * CHECKSUM_PARTIAL value: the pseudo-header sum 0a4d + 0001 + 0a4d +
 * 0002 + 0011 + 0013 (UDP length 19) = 14c1, by hand.  Verdict PARTIAL,
 * form LINUX, should 0x9eb1 (tshark's correct value for this datagram). */
static void test_udp4_partial_linux(void **state)
{
	uint8_t f[sizeof(real_udp4_good)];
	struct pd_packet p;

	(void)state;
	memcpy(f, real_udp4_good, sizeof(f));
	assert_int_equal(pseudo_sum4(f + 14, 17, 19), 0x14c1);
	put16(f + 40, 0x14c1);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.udp.csum.form, PD_PARTIAL_LINUX);
	assert_int_equal(p.udp.csum.is, 0x14c1);
	assert_int_equal(p.udp.csum.should, 0x9eb1);
}

/* The same with the Microsoft LSO value, the pseudo-header sum with
 * length 0: 14c1 - 0013 = 14ae.  Verdict PARTIAL, form LSO. */
static void test_udp4_partial_lso(void **state)
{
	uint8_t f[sizeof(real_udp4_good)];
	struct pd_packet p;

	(void)state;
	memcpy(f, real_udp4_good, sizeof(f));
	assert_int_equal(pseudo_sum4(f + 14, 17, 0), 0x14ae);
	put16(f + 40, 0x14ae);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.udp.csum.form, PD_PARTIAL_LSO);
	assert_int_equal(p.udp.csum.should, 0x9eb1);
}

/* A real CHECKSUM_PARTIAL UDP/IPv4 datagram, captures/offload-partial.pcapng
 * frame 17 (UDP length 40): field 0x14d6 = 14ae + 0028 by hand; tshark
 * "0x14d6 incorrect, should be 0x3205". */
static void test_real_udp4_partial_linux(void **state)
{
	static const uint8_t f[74] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x3c, 0xb1, 0x07, 0x40, 0x00, 0x40, 0x11, 0x75, 0x0d, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x85, 0x55, 0x1e, 0x61, 0x00, 0x28, 0x14, 0xd6, 0x70, 0x6b, 0x74, 0x64, 0x6f, 0x63,
		0x74, 0x6f, 0x72, 0x2d, 0x75, 0x64, 0x70, 0x2d, 0x31, 0x20, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
		0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.sport, 34133);
	assert_int_equal(p.udp.dport, 7777);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.udp.csum.form, PD_PARTIAL_LINUX);
	assert_int_equal(p.udp.csum.is, 0x14d6);
	assert_int_equal(p.udp.csum.should, 0x3205);
}

/* A UDP datagram whose checksum computes to zero must carry it as ffff
 * (RFC 768: "If the computed checksum is zero, it is transmitted as all
 * ones").  The ipv4_udp datagram with its first two data bytes set to
 * make the ones'-complement sum ffff, checked with ref_csum(): the field
 * ffff is VALID. */
static size_t udp_sum_to_zero(uint8_t *f)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	uint8_t *ip = f + 14, *udp = f + 34, ph[12];
	uint16_t s;

	/* uncomplemented sum with the field and the data word 0 ... */
	put16(udp + 6, 0);
	put16(udp + 8, 0);
	pseudo4(ph, ip, 17, 12);
	s = (uint16_t)~ref_csum(ph, 12, udp, 12);
	/* ... and a data word of ~s brings it to ffff: checksum ~ffff = 0 */
	put16(udp + 8, (uint16_t)~s);
	assert_int_equal(ref_csum(ph, 12, udp, 12), 0x0000);
	return n;
}

static void test_udp_computed_zero_sent_as_ffff_valid(void **state)
{
	uint8_t f[64];
	size_t n = udp_sum_to_zero(f);
	struct pd_packet p;

	(void)state;
	put16(f + 40, 0xffff);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.csum.is, 0xffff);
}

/* The same datagram with a wrong field (0x1234): BAD, and the reported
 * "should" value must be the one to put on the wire, 0xffff; 0x0000
 * would mean "no checksum" in UDP (RFC 768), not the right value. */
static void test_udp_computed_zero_should_is_ffff(void **state)
{
	uint8_t f[64];
	size_t n = udp_sum_to_zero(f);
	struct pd_packet p;

	(void)state;
	put16(f + 40, 0x1234);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.udp.csum.should, 0xffff);
}

/* captures/bad-checksums.pcap frame 7: ICMP echo request, type 8 code 0.
 * tshark: checksum 0x5eea [correct]. */
static void test_real_icmp_echo(void **state)
{
	static const uint8_t f[56] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x2a, 0x77, 0x05, 0x40, 0x00, 0x40, 0x01, 0xaf, 0x31, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x08, 0x00, 0x5e, 0xea, 0x00, 0x77, 0x00, 0x01, 0x67, 0x6f, 0x6f, 0x64, 0x20, 0x69,
		0x63, 0x6d, 0x70, 0x20, 0x65, 0x63, 0x68, 0x6f,
	};
	struct pd_packet p;
	char flow[128];

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV4 | PD_L_ICMP);
	assert_int_equal(p.icmp.type, 8);
	assert_int_equal(p.icmp.code, 0);
	assert_int_equal(p.icmp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.icmp.csum.is, 0x5eea);
	pd_packet_flow_format(&p, flow, sizeof(flow));
	assert_string_equal(flow, "ICMP 10.77.0.1 -> 10.77.0.2");
}

/* captures/bad-checksums.pcap frame 9: ICMP echo with 0x1234; tshark
 * "0x1234 incorrect, should be 0x6763". */
static void test_real_icmp_bad(void **state)
{
	static const uint8_t f[55] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x29, 0x77, 0x06, 0x40, 0x00, 0x40, 0x01, 0xaf, 0x31, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x08, 0x00, 0x12, 0x34, 0x00, 0x77, 0x00, 0x02, 0x62, 0x61, 0x64, 0x20, 0x69, 0x63,
		0x6d, 0x70, 0x20, 0x65, 0x63, 0x68, 0x6f,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.icmp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.icmp.csum.is, 0x1234);
	assert_int_equal(p.icmp.csum.should, 0x6763);
}

/* ------------------------------------------------------------------ */
/* IPv6                                                                */
/* ------------------------------------------------------------------ */

/* captures/bad-checksums.pcap frame 16: UDP/IPv6 fd77::1:40011 ->
 * fd77::2:9, payload length 19, hop limit 64.  tshark: UDP checksum
 * 0xb651 [correct]. */
static const uint8_t real_udp6_good[73] = {
	0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x13, 0x11, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x4b, 0x00, 0x09, 0x00, 0x13, 0xb6, 0x51, 0x67, 0x6f,
	0x6f, 0x64, 0x20, 0x75, 0x64, 0x70, 0x20, 0x76, 0x36,
};

static void test_real_udp6_valid(void **state)
{
	static const uint8_t src[16] = {0xfd, 0x77, [15] = 0x01};
	static const uint8_t dst[16] = {0xfd, 0x77, [15] = 0x02};
	struct pd_packet p;
	char flow[128];

	(void)state;
	assert_int_equal(dissect(&p, real_udp6_good, 73, 73, PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV6 | PD_L_UDP);
	assert_int_equal(p.eth.ethertype, 0x86dd);
	assert_int_equal(p.ip.version, 6);
	assert_int_equal(p.ip.src.family, 6);
	assert_memory_equal(p.ip.src.a, src, 16);
	assert_memory_equal(p.ip.dst.a, dst, 16);
	assert_int_equal(p.ip.ttl, 64);
	assert_int_equal(p.ip.proto, 17);
	assert_int_equal(p.ip.total_len, 40 + 19);
	assert_int_equal(p.ip.ext_count, 0);
	assert_int_equal(p.udp.sport, 40011);
	assert_int_equal(p.udp.dport, 9);
	assert_int_equal(p.udp.length, 19);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.csum.is, 0xb651);
	pd_packet_flow_format(&p, flow, sizeof(flow));
	assert_string_equal(flow, "UDP [fd77::1]:40011 -> [fd77::2]:9");
}

/* The same datagram with checksum 0: over IPv6 a zero UDP checksum is
 * not "no checksum" but invalid (RFC 8200 8.1), so BAD with should
 * 0xb651 (tshark's value for these bytes), not ZERO. */
static void test_udp6_zero_checksum_is_bad(void **state)
{
	uint8_t f[sizeof(real_udp6_good)];
	struct pd_packet p;

	(void)state;
	memcpy(f, real_udp6_good, sizeof(f));
	f[60] = f[61] = 0;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.udp.csum.is, 0);
	assert_int_equal(p.udp.csum.should, 0xb651);
}

/* A real CHECKSUM_PARTIAL UDP/IPv6 datagram, captures/offload-partial.pcapng
 * frame 25 (UDP length 40): by hand fd77 + 0001 + fd77 + 0002 + 0028 +
 * 0011 = 1fb2a -> fb2b, the field; tshark "0xfb2b incorrect, should be
 * 0x03eb". */
static void test_real_udp6_partial_linux(void **state)
{
	static const uint8_t f[94] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x09,
		0xb5, 0x50, 0x00, 0x28, 0x11, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xcd, 0x18, 0x1e, 0x62, 0x00, 0x28, 0xfb, 0x2b, 0x70, 0x6b,
		0x74, 0x64, 0x6f, 0x63, 0x74, 0x6f, 0x72, 0x2d, 0x75, 0x64, 0x70, 0x2d, 0x31, 0x20, 0x78, 0x78,
		0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.udp.csum.form, PD_PARTIAL_LINUX);
	assert_int_equal(p.udp.csum.is, 0xfb2b);
	assert_int_equal(p.udp.csum.should, 0x03eb);
}

/* IPv6 with a hop-by-hop options header, then UDP: 2001:db8::1 ->
 * 2001:db8::2, payload length 24, next header 0 (hop-by-hop), hop limit
 * 1.  Hop-by-hop: next header 17, length 0 (8 bytes), Router Alert
 * (RFC 2711: type 5, length 2, value 0) and PadN with 0 data bytes.
 * UDP 12345 -> 53, length 16, checksum by ref_csum() over the RFC 8200
 * 8.1 pseudo-header (upper-layer length 16, next header 17). */
static void test_ipv6_hop_by_hop_then_udp(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, IP6_SRC, IP6_DST,
		/* hop-by-hop: nh 17, len 0, Router Alert, PadN(0) */
		0x11, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
		/* UDP */
		0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00,
		'h', 'b', 'h', ' ', 'u', 'd', 'p', '!',
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(sizeof(f), 14 + 40 + 24);
	fix_l4_v6(f + 14, f + 62, 16, 17, 6);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV6 | PD_L_UDP);
	assert_int_equal(p.ip.ext_count, 1);
	assert_int_equal(p.ip.proto, 17);
	assert_int_equal(p.ip.ttl, 1);
	assert_int_equal(p.ip.total_len, 64);
	assert_int_equal(p.udp.sport, 12345);
	assert_int_equal(p.udp.length, 16);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.payload_caplen, 8);
}

/* Mobile IPv6 (RFC 6275): a packet from a mobile node away from home has
 * its care-of address (2001:db8::1) as the IPv6 source and its home
 * address (2001:db8:1::5) in a Home Address destination option; the
 * TCP checksum covers the home address (6.3).  Valid when computed that
 * way, bad when computed over the care-of address. */
#define HOA 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05
static void test_ipv6_home_address_option(void **state)
{
	uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x3c, 0x40, IP6_SRC, IP6_DST,
		/* destination options: nh 6, len 2 (24 bytes), PadN(2), HAO */
		0x06, 0x02, 0x01, 0x02, 0x00, 0x00, 0xc9, 0x10, HOA,
		/* TCP SYN, no options */
		0x9c, 0x41, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
		0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	};
	uint8_t home_hdr[40];
	struct pd_packet p;
	uint16_t hoa_sum, coa_sum;

	(void)state;
	assert_int_equal(sizeof(f), 14 + 40 + 24 + 20);
	/* reference: the pseudo-header with the home address as source */
	memcpy(home_hdr, f + 14, 40);
	memcpy(home_hdr + 8, f + 14 + 40 + 8, 16);
	coa_sum = fix_l4_v6(f + 14, f + 78, 20, 6, 16);
	hoa_sum = fix_l4_v6(home_hdr, f + 78, 20, 6, 16);
	assert_int_not_equal(hoa_sum, coa_sum);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV6 | PD_L_TCP);
	assert_int_equal(p.ip.pseudo_src.family, 6);
	assert_memory_equal(p.ip.pseudo_src.a, f + 14 + 40 + 8, 16);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
	/* the checksum over the care-of address is wrong by RFC 6275 */
	put16(f + 78 + 16, coa_sum);
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.tcp.csum.should, hoa_sum);
	/* a Home Address option of the wrong length: an event, and the
	 * header source is used */
	f[14 + 40 + 7] = 0x0f;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV6_EXT_BAD);
	assert_int_equal(p.ip.pseudo_src.family, 0);
}

/* IPv6 fragment header (RFC 8200 4.5), a later fragment: next header 17,
 * offset 1448 bytes (0x05a8: offset 181 in 8-byte units, M = 0).
 * PD_L_FRAG, frag_off 1448, upper-layer protocol 17, but no UDP
 * dissected (its header is in the first fragment), no events. */
static void test_ipv6_fragment_nonfirst(void **state)
{
	static const uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40, IP6_SRC, IP6_DST,
		0x11, 0x00, 0x05, 0xa8, 0xde, 0xad, 0xbe, 0xef,
		0x00, 0x35, 0x30, 0x39, 0x00, 0x02, 0x00, 0x00, /* not a UDP header */
		'f', 'r', 'a', 'g', 'm', 'e', 'n', 't',
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV6 | PD_L_FRAG);
	assert_true(p.ip.is_fragment);
	assert_false(p.ip.mf);
	assert_int_equal(p.ip.frag_off, 1448);
	assert_int_equal(p.ip.proto, 17);
	assert_int_equal(p.ip.ext_count, 1);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_NONE);
	assert_false(pd_packet_is_malformed(&p));
}

/* IPv6 first fragment (offset 0, M = 1) of a UDP datagram whose length
 * field (1024) is the whole datagram's, longer than this fragment: the
 * UDP header is decoded, no checksum verdict, no udp.bad_length, not
 * malformed (as for IPv4 first fragments). */
static void test_ipv6_fragment_first_udp(void **state)
{
	static const uint8_t f[] = {
		ETH_DST, ETH_SRC, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x2c, 0x40, IP6_SRC, IP6_DST,
		0x11, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
		0x30, 0x39, 0x00, 0x35, 0x04, 0x00, 0xab, 0xcd,
		'1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'a', 'b', 'c', 'd', 'e', 'f',
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_true(p.layers & PD_L_FRAG);
	assert_true(p.ip.mf);
	assert_int_equal(p.ip.frag_off, 0);
	assert_true(p.layers & PD_L_UDP);
	assert_int_equal(p.udp.length, 1024);
	expect_no_event(&p, PD_EV_UDP_BAD_LEN);
	assert_false(pd_packet_is_malformed(&p));
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_NONE);
}

/* captures/bad-checksums.pcap frame 19: ICMPv6 echo request (type 128,
 * code 0).  tshark: checksum 0xb52e [correct]. */
static void test_real_icmpv6_echo(void **state)
{
	static const uint8_t f[78] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
		0x00, 0x00, 0x00, 0x18, 0x3a, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00, 0xb5, 0x2e, 0x00, 0x77, 0x00, 0x01, 0x67, 0x6f,
		0x6f, 0x64, 0x20, 0x69, 0x63, 0x6d, 0x70, 0x76, 0x36, 0x20, 0x65, 0x63, 0x68, 0x6f,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	expect_no_events(&p);
	assert_int_equal(p.layers, PD_L_ETH | PD_L_IPV6 | PD_L_ICMPV6);
	assert_int_equal(p.icmp.type, 128);
	assert_int_equal(p.icmp.code, 0);
	assert_int_equal(p.icmp.csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.icmp.csum.is, 0xb52e);
}

/* captures/bad-checksums.pcap frame 21: ICMPv6 echo with 0x1234; tshark
 * "0x1234 incorrect, should be 0x7de8". */
static void test_real_icmpv6_bad(void **state)
{
	static const uint8_t f[77] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
		0x00, 0x00, 0x00, 0x17, 0x3a, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00, 0x12, 0x34, 0x00, 0x77, 0x00, 0x02, 0x62, 0x61,
		0x64, 0x20, 0x69, 0x63, 0x6d, 0x70, 0x76, 0x36, 0x20, 0x65, 0x63, 0x68, 0x6f,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, sizeof(f), sizeof(f), PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(p.icmp.csum.verdict, PD_CSUM_BAD);
	assert_int_equal(p.icmp.csum.is, 0x1234);
	assert_int_equal(p.icmp.csum.should, 0x7de8);
}

/* ------------------------------------------------------------------ */
/* Snaplen cuts                                                        */
/* ------------------------------------------------------------------ */

/* The good UDP/IPv4 frame captured with snaplen 46 (7 of its 11 data
 * bytes cut; wire length 53): the UDP checksum cannot be checked
 * (UNVERIFIABLE), the headers are decoded, nothing is malformed. */
static void test_snaplen_cut_udp_unverifiable(void **state)
{
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, real_udp4_good, 46, 53, PD_LINKTYPE_EN10MB), 0);
	assert_true(p.snaplen_cut);
	expect_no_events(&p);
	assert_false(pd_packet_is_malformed(&p));
	assert_int_equal(p.ip.hdr_csum.verdict, PD_CSUM_VALID);
	assert_int_equal(p.udp.sport, 40001);
	assert_int_equal(p.udp.length, 19);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_UNVERIFIABLE);
	assert_int_equal(p.payload_caplen, 4);
}

/* The real SYN (offload-valid frame 1, 74 bytes) captured with snaplen
 * 60: the cut falls inside the TCP options.  The TCP checksum is
 * UNVERIFIABLE; tcp.truncated is recorded (the header was cut) but a
 * snaplen cut is not a malformed packet. */
static void test_snaplen_cut_in_tcp_options(void **state)
{
	static const uint8_t f[60] = {
		0x02, 0x77, 0x00, 0x00, 0x00, 0x02, 0x02, 0x77, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
		0x00, 0x3c, 0x36, 0xe6, 0x40, 0x00, 0x40, 0x06, 0xef, 0x39, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
		0x00, 0x02, 0x9c, 0x70, 0x13, 0x89, 0x2b, 0x53, 0x9a, 0xfd, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
		0xfa, 0xf0, 0xcd, 0x1c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, 60, 74, PD_LINKTYPE_EN10MB), 0);
	assert_true(p.snaplen_cut);
	assert_int_equal(p.tcp.sport, 40048);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_UNVERIFIABLE);
	expect_event(&p, PD_EV_TCP_TRUNC);
	assert_false(pd_packet_is_malformed(&p));
}

/* Snaplen 24 cuts the IPv4 header itself (10 of 20 bytes captured):
 * ipv4.truncated, but not malformed. */
static void test_snaplen_cut_in_ipv4_header(void **state)
{
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, real_udp4_good, 24, 53, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_TRUNC);
	assert_false(pd_packet_is_malformed(&p));
}

/* ------------------------------------------------------------------ */
/* Malformed headers: the right event, no read past the capture        */
/* ------------------------------------------------------------------ */

/* IPv4 IHL 4 (16 bytes, below the 20-byte minimum, RFC 791): event
 * ipv4.bad_header_length at the IPv4 header (frame offset 14),
 * malformed, nothing dissected past it. */
static void test_ipv4_ihl_below_5(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	f[14] = 0x44;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(expect_event(&p, PD_EV_IPV4_BAD_HLEN), 14);
	assert_true(p.malformed);
	assert_true(pd_packet_is_malformed(&p));
	assert_false(p.layers & (PD_L_UDP | PD_L_TCP));
}

/* IPv4 total length 256 in a frame holding 32 bytes of IPv4 (no snaplen
 * cut): ipv4.total_length_gt_frame, malformed, no UDP dissected. */
static void test_ipv4_total_length_gt_frame(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	put16(f + 16, 256);
	fix_ip4(f + 14);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_TOTLEN_GT_WIRE);
	assert_true(pd_packet_is_malformed(&p));
	assert_false(p.layers & PD_L_UDP);
}

/* IPv4 total length 16, smaller than its own 20-byte header:
 * ipv4.total_length_lt_header, malformed. */
static void test_ipv4_total_length_lt_header(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	put16(f + 16, 16);
	fix_ip4(f + 14);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_BAD_TOTLEN);
	assert_true(pd_packet_is_malformed(&p));
}

/* IPv4 IHL 15 (60 bytes) when the frame holds only 32 bytes of IPv4,
 * with no snaplen cut: the header length runs past the data, so event
 * ipv4.bad_header_length (packet.h: "IHL < 5 or beyond the data"),
 * malformed, and no byte past the 46-byte frame may be read (ASan).
 * At commit 1ca07d8 pd_cur_sub() returned true for this short header and
 * ipv4.c summed hlen bytes: a 14-byte heap over-read in pd_csum_sum(). */
static void test_ipv4_ihl_beyond_frame(void **state)
{
	static const uint8_t link[] = {ETH_DST, ETH_SRC, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	f[14] = 0x4f;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_IPV4_BAD_HLEN);
	assert_true(pd_packet_is_malformed(&p));
}

/* TCP data offset 4 (16 bytes, below the 20-byte minimum, RFC 9293
 * 3.1): tcp.bad_data_offset at the TCP header (frame offset 34),
 * malformed. */
static void test_tcp_data_offset_below_5(void **state)
{
	uint8_t tcp[20] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			   0x40, 0x10, 0xfa, 0xf0, 0, 0, 0, 0};
	uint8_t f[64];
	size_t n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(expect_event(&p, PD_EV_TCP_BAD_DOFF), 34);
	assert_true(pd_packet_is_malformed(&p));
}

/* TCP data offset 15 (60 bytes) in a 20-byte segment: the header would
 * run past the segment: tcp.bad_data_offset, malformed. */
static void test_tcp_data_offset_beyond_segment(void **state)
{
	uint8_t tcp[20] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			   0xf0, 0x10, 0xfa, 0xf0, 0, 0, 0, 0};
	uint8_t f[64];
	size_t n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_TCP_BAD_DOFF);
	assert_true(pd_packet_is_malformed(&p));
}

/* A TCP option of length 1 (shorter than its own kind and length bytes,
 * RFC 9293 3.2): tcp.bad_option; the fixed header is still decoded. */
static void test_tcp_option_length_1(void **state)
{
	uint8_t tcp[24] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			   0x60, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
			   0x02, 0x01, 0x00, 0x00};
	uint8_t f[64];
	size_t n;
	struct pd_packet p;

	(void)state;
	n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	fix_l4_v4(f + 14, f + 34, sizeof(tcp), 6, 16);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_TCP_OPT_BAD);
	assert_int_equal(p.tcp.sport, 49152);
	assert_int_equal(p.tcp.hdr_len, 24);
	assert_int_equal(p.tcp.mss, 0);
}

/* A timestamps option (length 10) that starts 2 bytes before the end of
 * a 24-byte header: it runs 8 bytes into the segment data.  The option
 * area ends at the data offset, so this is tcp.bad_option and the
 * timestamps must not be taken from the data bytes. */
static void test_tcp_option_past_header(void **state)
{
	uint8_t tcp[32] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			   0x60, 0x18, 0xfa, 0xf0, 0, 0, 0, 0,
			   0x01, 0x01, 0x08, 0x0a,
			   /* 8 bytes of data */
			   0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	uint8_t f[80];
	size_t n;
	struct pd_packet p;

	(void)state;
	n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	fix_l4_v4(f + 14, f + 34, sizeof(tcp), 6, 16);
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_TCP_OPT_BAD);
	assert_false(p.tcp.has_ts);
	assert_int_equal(p.tcp.payload_len, 8);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
}

/* An option kind in the last byte of the header with no room for its
 * length byte (truncated option): tcp.bad_option. */
static void test_tcp_option_kind_without_length(void **state)
{
	uint8_t tcp[24] = {0xc0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			   0x60, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
			   0x01, 0x01, 0x01, 0x02};
	uint8_t f[64];
	size_t n;
	struct pd_packet p;

	(void)state;
	n = eth_ipv4(f, 6, tcp, sizeof(tcp));
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_TCP_OPT_BAD);
	assert_int_equal(p.tcp.mss, 0);
}

/* UDP length 4, less than the 8-byte UDP header (RFC 768):
 * udp.bad_length at the UDP header (frame offset 34), malformed. */
static void test_udp_length_below_8(void **state)
{
	uint8_t udp[12] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x04, 0x00, 0x00, 1, 2, 3, 4};
	uint8_t f[64];
	size_t n = eth_ipv4(f, 17, udp, sizeof(udp));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	assert_int_equal(expect_event(&p, PD_EV_UDP_BAD_LEN), 34);
	assert_true(pd_packet_is_malformed(&p));
}

/* UDP length 100 in a 12-byte IPv4 payload (not a fragment, no snaplen
 * cut): udp.bad_length, malformed. */
static void test_udp_length_beyond_ip_payload(void **state)
{
	uint8_t udp[12] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x64, 0x00, 0x00, 1, 2, 3, 4};
	uint8_t f[64];
	size_t n = eth_ipv4(f, 17, udp, sizeof(udp));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_UDP_BAD_LEN);
	assert_true(pd_packet_is_malformed(&p));
}

/* ------------------------------------------------------------------ */
/* Other link types                                                    */
/* ------------------------------------------------------------------ */

/* LINKTYPE_LINUX_SLL (16-byte header, tcpdump.org/linktypes/
 * LINKTYPE_LINUX_SLL.html): packet type 4 = PACKET_OUTGOING, ARPHRD_ETHER
 * (1), address length 6, address, protocol 0x0800; the IPv4/UDP behind
 * it decodes with valid checksums. */
static void test_linux_sll_outgoing(void **state)
{
	static const uint8_t link[16] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06,
					 ETH_SRC, 0x00, 0x00, 0x08, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_LINUX_SLL), 0);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_SLL);
	assert_false(p.layers & PD_L_ETH);
	assert_int_equal(p.sll.pkttype, PD_SLL_OUTGOING);
	assert_int_equal(p.sll.hatype, 1);
	assert_int_equal(p.sll.protocol, 0x0800);
	check_ipv4_udp(&p);
}

/* LINKTYPE_LINUX_SLL2 (20-byte header, tcpdump.org/linktypes/
 * LINKTYPE_LINUX_SLL2.html): protocol 0x0800, reserved, interface index
 * 3, ARPHRD_ETHER, packet type 4 (outgoing), address length 6, address. */
static void test_linux_sll2_outgoing(void **state)
{
	static const uint8_t link[20] = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
					 0x00, 0x01, 0x04, 0x06, ETH_SRC, 0x00, 0x00};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, link, sizeof(link));
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_LINUX_SLL2), 0);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_SLL);
	assert_int_equal(p.sll.pkttype, PD_SLL_OUTGOING);
	assert_int_equal(p.sll.hatype, 1);
	assert_int_equal(p.sll.protocol, 0x0800);
	assert_int_equal(p.sll.ifindex, 3);
	check_ipv4_udp(&p);
}

/* LINKTYPE_RAW (101) and LINKTYPE_IPV4 (228): the frame starts with the
 * IPv4 header. */
static void test_linktype_raw_ipv4(void **state)
{
	static const int types[] = {PD_LINKTYPE_RAW, PD_LINKTYPE_IPV4, PD_DLT_RAW_A};
	uint8_t f[64];
	size_t n = with_ipv4_udp(f, NULL, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct pd_packet p;

		assert_int_equal(dissect(&p, f, n, n, types[i]), 0);
		expect_no_events(&p);
		assert_int_equal(p.layers, PD_L_IPV4 | PD_L_UDP);
		check_ipv4_udp(&p);
	}
}

/* LINKTYPE_NULL: a 4-byte address family in the capturing host's byte
 * order (tcpdump.org/linktypes/LINKTYPE_NULL.html); AF_INET is 2 on
 * every system.  Written little-endian (02 00 00 00) and big-endian
 * (00 00 00 02), both must decode as IPv4. */
static void test_linktype_null_both_byte_orders(void **state)
{
	static const uint8_t le[4] = {0x02, 0x00, 0x00, 0x00};
	static const uint8_t be[4] = {0x00, 0x00, 0x00, 0x02};
	const uint8_t *hdr[2] = {le, be};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		uint8_t f[64];
		size_t n = with_ipv4_udp(f, hdr[i], 4);
		struct pd_packet p;

		assert_int_equal(dissect(&p, f, n, n, PD_LINKTYPE_NULL), 0);
		expect_no_events(&p);
		assert_int_equal(p.layers, PD_L_LOOP | PD_L_IPV4 | PD_L_UDP);
		check_ipv4_udp(&p);
	}
}

/* A link type with no dissector (147, LINKTYPE_USER0): -PD_EUNSUPPORTED,
 * event link.unsupported, no layers; pd_dissect_linktype_supported()
 * agrees. */
static void test_unknown_linktype(void **state)
{
	static const uint8_t f[4] = {1, 2, 3, 4};
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, f, 4, 4, 147), -PD_EUNSUPPORTED);
	expect_event(&p, PD_EV_LINK_UNSUPPORTED);
	assert_int_equal(p.layers, 0);
	assert_false(pd_dissect_linktype_supported(147));
	assert_true(pd_dissect_linktype_supported(PD_LINKTYPE_EN10MB));
}

/* An empty frame (caplen 0, wire 0) on Ethernet: link.truncated, no read
 * at all, no crash. */
static void test_empty_frame(void **state)
{
	struct pd_packet p;

	(void)state;
	assert_int_equal(dissect(&p, NULL, 0, 0, PD_LINKTYPE_EN10MB), 0);
	expect_event(&p, PD_EV_LINK_TRUNC);
	assert_int_equal(p.layers, 0);
}

/* An IPv4 loose source route (option 131, RFC 791 3.1) with hops to go:
 * the UDP checksum covers a pseudo-header with the route's last address
 * as destination (RFC 1122 4.1.3.4), as Linux, tshark and tcpdump do.
 * Built here: 192.0.2.1 -> 198.51.100.2, LSRR ptr 4 [203.0.113.77]. */
static void build_lsrr(uint8_t *f, size_t *len, const uint8_t final_dst[4])
{
	static const uint8_t hdr[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		/* IHL 7 (20 + 8 bytes of options), total length 28 + 12 = 40 */
		0x47, 0x00, 0x00, 0x28, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		/* LSRR: type 131, length 7, pointer 4, one address; then EOL */
		0x83, 0x07, 0x04, 203, 0, 113, 77, 0x00,
		/* UDP 1000 -> 2000, length 12, checksum below, 4 bytes of data */
		0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0c, 0x00, 0x00, 'l', 's', 'r', 'r',
	};
	uint8_t ph[12];

	memcpy(f, hdr, sizeof(hdr));
	fix_ip4(f + 14);
	memcpy(ph, f + 14 + 12, 4);      /* source */
	memcpy(ph + 4, final_dst, 4);    /* destination as the checksum sees it */
	ph[8] = 0;
	ph[9] = 17;
	put16(ph + 10, 12);
	put16(f + 42 + 6, ref_csum(ph, sizeof(ph), f + 42, 12));
	*len = sizeof(hdr);
}

static void test_ipv4_lsrr_final_destination(void **state)
{
	static const uint8_t final[4] = {203, 0, 113, 77}, first_hop[4] = {IP4_DST};
	uint8_t f[64];
	size_t n;
	struct pd_packet p;

	(void)state;
	/* checksum over the final destination: valid */
	build_lsrr(f, &n, final);
	dissect(&p, f, n, n, PD_LINKTYPE_EN10MB);
	assert_true(p.layers & PD_L_UDP);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_VALID);
	assert_memory_equal(p.ip.pseudo_dst.a, final, 4);
	/* checksum over the first hop instead: wrong, and "should" is the
	 * final-destination value */
	build_lsrr(f, &n, first_hop);
	dissect(&p, f, n, n, PD_LINKTYPE_EN10MB);
	assert_int_equal(p.udp.csum.verdict, PD_CSUM_BAD);
	build_lsrr(f, &n, final);
	assert_int_equal(p.udp.csum.should, get16(f + 42 + 6));
}

/* A BIG TCP super-segment captured on the sender: IPv4 total length 0 and
 * a TCP segment longer than 65535 bytes.  Linux leaves the pseudo-header
 * sum with the whole 32-bit length in the checksum field; that is a
 * partial checksum, not corruption.  Expected value: ones'-complement sum
 * of src, dst, protocol 6 and the length split into 16-bit halves. */
static void test_bigtcp_ipv4_partial_32bit_length(void **state)
{
	const size_t tcp_len = 20 + 70000;
	size_t n = 14 + 20 + tcp_len;
	uint8_t *f = calloc(1, n);
	static const uint8_t hdr[] = {
		ETH_DST, ETH_SRC, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x00, 0x00, 0x09, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
		IP4_SRC, IP4_DST,
		0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00,
	};
	uint8_t ph[14];
	uint16_t want;
	struct pd_packet p;

	(void)state;
	assert_non_null(f);
	memcpy(f, hdr, sizeof(hdr));
	fix_ip4(f + 14);
	/* src(4) dst(4) 0 proto length-high(2) length-low(2) */
	memcpy(ph, f + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)(tcp_len >> 16));
	put16(ph + 12, (uint16_t)tcp_len);
	want = (uint16_t)~ref_csum(ph, sizeof(ph), NULL, 0);
	put16(f + 34 + 16, want);
	dissect(&p, f, n, n, PD_LINKTYPE_EN10MB);
	free(f);
	expect_event(&p, PD_EV_IPV4_TOTLEN_ZERO);
	assert_true(p.layers & PD_L_TCP);
	assert_int_equal(p.tcp.payload_len, 70000);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(p.tcp.csum.form, PD_PARTIAL_LINUX);
}

#define T(f) cmocka_unit_test_teardown(f, free_frame)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reference_checksum_helper),
		T(test_ipv4_lsrr_final_destination),
		T(test_bigtcp_ipv4_partial_32bit_length),
		T(test_eth_ipv4_tcp_syn_options),
		T(test_real_syn_offload_valid),
		T(test_real_tcp_bad_checksum),
		T(test_real_tcp_partial_linux),
		T(test_tcp_sack_blocks),
		T(test_vlan_8021q),
		T(test_vlan_qinq),
		T(test_vlan_too_deep),
		T(test_eth_padding_excluded),
		T(test_arp_request),
		T(test_arp_gratuitous),
		T(test_ipv4_with_options),
		T(test_ipv4_option_too_long),
		T(test_ipv4_option_too_short),
		T(test_ipv4_first_fragment_tcp),
		T(test_ipv4_first_fragment_udp),
		T(test_ipv4_nonfirst_fragment),
		T(test_ipv4_total_length_zero_tso),
		T(test_ipv4_header_checksum_zero_fill),
		T(test_real_udp4_valid),
		T(test_real_udp4_bad),
		T(test_real_ipv4_header_bad),
		T(test_udp4_zero_checksum),
		T(test_udp4_partial_linux),
		T(test_udp4_partial_lso),
		T(test_real_udp4_partial_linux),
		T(test_udp_computed_zero_sent_as_ffff_valid),
		T(test_udp_computed_zero_should_is_ffff),
		T(test_real_icmp_echo),
		T(test_real_icmp_bad),
		T(test_real_udp6_valid),
		T(test_udp6_zero_checksum_is_bad),
		T(test_real_udp6_partial_linux),
		T(test_ipv6_hop_by_hop_then_udp),
		T(test_ipv6_home_address_option),
		T(test_ipv6_fragment_nonfirst),
		T(test_ipv6_fragment_first_udp),
		T(test_real_icmpv6_echo),
		T(test_real_icmpv6_bad),
		T(test_snaplen_cut_udp_unverifiable),
		T(test_snaplen_cut_in_tcp_options),
		T(test_snaplen_cut_in_ipv4_header),
		T(test_ipv4_ihl_below_5),
		T(test_ipv4_total_length_gt_frame),
		T(test_ipv4_total_length_lt_header),
		T(test_tcp_data_offset_below_5),
		T(test_tcp_data_offset_beyond_segment),
		T(test_tcp_option_length_1),
		T(test_tcp_option_past_header),
		T(test_tcp_option_kind_without_length),
		T(test_udp_length_below_8),
		T(test_udp_length_beyond_ip_payload),
		T(test_linux_sll_outgoing),
		T(test_linux_sll2_outgoing),
		T(test_linktype_raw_ipv4),
		T(test_linktype_null_both_byte_orders),
		T(test_unknown_linktype),
		T(test_empty_frame),
		/* last: an out-of-bounds read here (as at commit 1ca07d8) makes
		 * ASan abort the process, so let the other tests run first */
		T(test_ipv4_ihl_beyond_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
