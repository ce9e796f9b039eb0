/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_probe.c - unit tests on the bytes of the prober's frames
 * (src/probe/frame.c, built by libnet) and on the check that guards them
 * (src/probe/verify.c).  Expected values come from the RFCs: the
 * checksums are recomputed here with a plain RFC 1071 loop of the test's
 * own, independent of pktdoctor's routine, and the header fields are
 * read at their RFC 791 / RFC 768 / RFC 8200 / RFC 9293 offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/error.h"
#include "probe.h"

static struct pd_probe_ends ends = {
	.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	.dst_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
	.src4 = {10, 211, 0, 1},
	.dst4 = {10, 211, 0, 2},
	.src6 = {0xfd, 0x10, 0x02, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	.dst6 = {0xfd, 0x10, 0x02, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
	.mtu = 1500,
};

static struct pd_probe_built b;

/* The test's own RFC 1071 sum: 16-bit big-endian words, odd byte padded. */
static uint32_t sum_words(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* Sum over the IPv4 pseudo-header and the L4 bytes, field included. */
static uint16_t l4_sum4(const uint8_t *f, size_t l4_off, size_t l4_len, uint8_t proto)
{
	uint32_t acc = sum_words(f + 26, 8, 0); /* source and destination */

	acc += proto + (uint32_t)l4_len;
	return fold(sum_words(f + l4_off, l4_len, acc));
}

static uint16_t l4_sum6(const uint8_t *f, size_t l4_len, uint8_t proto)
{
	uint32_t acc = sum_words(f + 22, 32, 0);

	acc += proto + (uint32_t)l4_len;
	return fold(sum_words(f + 54, l4_len, acc));
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const struct pd_probe_case *find_case(const char *name)
{
	size_t n;
	const struct pd_probe_case *s = pd_probe_suite(&n);

	for (size_t k = 0; k < n; k++)
		if (!strcmp(s[k].name, name))
			return &s[k];
	fail_msg("no case %s", name);
	return 0;
}

static void build(const char *name, uint16_t ip_id)
{
	char err[200] = "";
	const struct pd_probe_case *c = find_case(name);
	int rc = pd_probe_build(c, &ends, 0x01020304, 40000, ip_id, &b, err, sizeof(err));

	if (rc)
		fail_msg("%s: build: %s", name, err);
	rc = pd_probe_verify(c, &b, err, sizeof(err));
	if (rc)
		fail_msg("%s: verify: %s", name, err);
}

/* Every case in the table builds and passes the check. */
static void test_every_case_builds(void **state)
{
	size_t n;
	const struct pd_probe_case *s = pd_probe_suite(&n);

	(void)state;
	assert_true(n >= 30);
	for (size_t k = 0; k < n; k++) {
		build(s[k].name, 0x1234);
		assert_true(b.n >= 1);
		/* names are unique: each case has its own source port */
		for (size_t j = 0; j < k; j++)
			assert_string_not_equal(s[j].name, s[k].name);
	}
}

/* A short valid UDP reply: 14 + 20 + 8 + 1 = 43 bytes padded to 60 with
 * zeros (RFC 894), UDP checksum right, IPv4 header checksum right. */
static void test_short_zero_pad(void **state)
{
	const uint8_t *f;

	(void)state;
	build("udp4.623.len1.pad0", 0x1234);
	f = b.frame[0];
	assert_int_equal(b.len[0], 60);
	assert_int_equal(be16(f + 12), 0x0800);
	assert_int_equal(be16(f + 16), 29);          /* IPv4 total length */
	assert_int_equal(be16(f + 20), 0x4000);      /* DF, offset 0 */
	assert_int_equal(fold(sum_words(f + 14, 20, 0)), 0xffff);
	assert_int_equal(be16(f + 34), 40000);
	assert_int_equal(be16(f + 36), 623);
	assert_int_equal(be16(f + 38), 9);           /* UDP length */
	assert_int_equal(l4_sum4(f, 34, 9, 17), 0xffff);
	for (size_t i = 43; i < 60; i++)
		assert_int_equal(f[i], 0);
	build("udp4.623.len1.padA5", 0x1234);
	for (size_t i = 43; i < 60; i++)
		assert_int_equal(b.frame[0][i], 0xa5);
	build("udp4.623.len1.nopad", 0x1234);
	assert_int_equal(b.len[0], 43);
}

/* RFC 768: a computed checksum of 0 goes out as 0xffff (libnet 1.1.6
 * sends 0x0000 here); the "computed0.sent0000" case keeps 0x0000. */
static void test_ffff_and_zero(void **state)
{
	const uint8_t *f;

	(void)state;
	build("udp4.623.csumffff", 1);
	f = b.frame[0];
	assert_int_equal(be16(f + 40), 0xffff);
	/* with the field 0 the sum is 0xffff: the checksum computes to 0 */
	{
		uint8_t copy[64];

		memcpy(copy, f, b.len[0]);
		copy[40] = copy[41] = 0;
		assert_int_equal(l4_sum4(copy, 34, 18, 17), 0xffff);
	}
	build("udp4.623.computed0.sent0000", 1);
	assert_int_equal(be16(b.frame[0] + 40), 0x0000);
	build("udp4.623.csum0000", 1);
	assert_int_equal(be16(b.frame[0] + 40), 0x0000);
	build("udp6.623.csumffff", 1);
	assert_int_equal(be16(b.frame[0] + 60), 0xffff);
	assert_int_equal(l4_sum6(b.frame[0], 18, 17), 0xffff);
	build("udp6.623.csum0000", 1);
	assert_int_equal(be16(b.frame[0] + 60), 0x0000);
}

/* Wrong checksums are wrong by exactly what the case says. */
static void test_wrong_checksums(void **state)
{
	const uint8_t *f;

	(void)state;
	build("udp4.623.csum-wrong", 1);
	f = b.frame[0];
	assert_int_not_equal(l4_sum4(f, 34, 16, 17), 0xffff);
	assert_int_equal(be16(f + 40), b.l4_csum);
	assert_int_not_equal(b.l4_csum, b.l4_csum_correct);
	assert_int_equal(fold(sum_words(f + 14, 20, 0)), 0xffff); /* header still right */
	build("ipv4.hdrcsum-wrong", 1);
	f = b.frame[0];
	assert_int_not_equal(fold(sum_words(f + 14, 20, 0)), 0xffff);
	assert_int_equal(l4_sum4(f, 34, 16, 17), 0xffff);         /* UDP still right */
	build("tcp4.3260.syn.csum-wrong", 1);
	assert_int_not_equal(l4_sum4(b.frame[0], 34, 20, 6), 0xffff);
	build("tcp6.3260.syn", 1);
	assert_int_equal(l4_sum6(b.frame[0], 20, 6), 0xffff);
}

/* The seed case's form: 76 bytes, the IP ID given, DF clear. */
static void test_ipmi_form(void **state)
{
	const uint8_t *f;

	(void)state;
	build("udp4.623.ipmi", 0xbeef);
	f = b.frame[0];
	assert_int_equal(b.len[0], 76);
	assert_int_equal(be16(f + 18), 0xbeef);
	assert_int_equal(be16(f + 20), 0x0000);
	assert_memory_equal(f + 42, "PDP1\x01\x02\x03\x04", 8); /* the probe id */
	assert_int_equal(l4_sum4(f, 34, 42, 17), 0xffff);
}

/* Fragments: 72 bytes of UDP cut at 32 (RFC 791: offsets in 8-byte
 * units), the overlap starting at 24; the first has MF set. */
static void test_fragments(void **state)
{
	(void)state;
	build("udp4.69.frag-both", 7);
	assert_int_equal(b.n, 2);
	assert_int_equal(be16(b.frame[0] + 20), 0x2000);
	assert_int_equal(be16(b.frame[0] + 16), 20 + 32);
	assert_int_equal(be16(b.frame[1] + 20), 32 / 8);
	assert_int_equal(be16(b.frame[1] + 16), 20 + 40);
	assert_int_equal(be16(b.frame[0] + 18), be16(b.frame[1] + 18));
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(fold(sum_words(b.frame[k] + 14, 20, 0)), 0xffff);
	build("udp4.69.frag-overlap", 7);
	assert_int_equal(be16(b.frame[1] + 20), 24 / 8);
	build("udp4.69.frag-first", 7);
	assert_int_equal(b.n, 1);
	assert_int_equal(be16(b.frame[0] + 20), 0x2000);
	build("udp4.69.frag-last", 7);
	assert_int_equal(b.n, 1);
	assert_int_equal(be16(b.frame[0] + 20), 4);
	/* IPv6 (RFC 8200 4.5): next header 44, the fragment header in network
	 * byte order (libnet 1.1.6 writes it in host order: corrected) */
	build("udp6.69.frag-both", 7);
	assert_int_equal(b.n, 2);
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(b.frame[k][20], 44);
		assert_int_equal(b.frame[k][54], 17);
		assert_memory_equal(b.frame[k] + 58, "\x01\x02\x03\x04", 4);
	}
	assert_int_equal(be16(b.frame[0] + 56), 0x0001); /* offset 0, M */
	assert_int_equal(be16(b.frame[0] + 18), 8 + 32);
	assert_int_equal(be16(b.frame[1] + 56), 32);     /* offset 32, last */
	assert_int_equal(be16(b.frame[1] + 18), 8 + 40);
	build("udp6.69.frag-overlap", 7);
	assert_int_equal(be16(b.frame[1] + 56), 24);
}

/* Options, IPv6 small payloads, sizes, VLAN tag and GSO. */
static void test_variants(void **state)
{
	(void)state;
	build("udp4.623.ipopt", 1);
	assert_int_equal(b.frame[0][14], 0x46); /* IHL 6 */
	assert_memory_equal(b.frame[0] + 34, "\x01\x01\x01\x00", 4);
	build("tcp4.3260.syn.opts", 1);
	assert_int_equal(b.frame[0][46] >> 4, 10); /* data offset 40 bytes */
	assert_int_equal(b.frame[0][47], 0x02);    /* SYN */
	assert_int_equal(l4_sum4(b.frame[0], 34, 40, 6), 0xffff);
	build("udp6.623.len1", 1);
	assert_int_equal(b.len[0], 63);
	assert_int_equal(be16(b.frame[0] + 18), 9); /* payload length */
	assert_int_equal(l4_sum6(b.frame[0], 9, 17), 0xffff);
	build("udp6.623.len2", 1);
	assert_int_equal(l4_sum6(b.frame[0], 10, 17), 0xffff);
	build("udp4.623.mtu", 1);
	assert_int_equal(b.len[0], 1514);
	build("udp4.623.mtu+1", 1);
	assert_int_equal(b.len[0], 1515);
	build("udp4.623.jumbo", 1);
	assert_int_equal(b.len[0], 9014);
	build("udp4.623.vlan0", 1);
	assert_int_equal(be16(b.frame[0] + 12), 0x8100);
	assert_int_equal(be16(b.frame[0] + 14), 5 << 13); /* PCP 5, VID 0 */
	assert_int_equal(be16(b.frame[0] + 16), 0x0800);
	/* GSO: the TCP field holds the pseudo-header sum (CHECKSUM_PARTIAL) */
	build("tcp4.3260.gso-mss", 1);
	assert_int_equal(b.len[0], 14 + 20 + 20 + 14600);
	assert_int_equal(b.gso_size, 1460);
	{
		uint32_t acc = sum_words(b.frame[0] + 26, 8, 0) + 6 + 20 + 14600;

		assert_int_equal(be16(b.frame[0] + 50), fold(acc));
	}
}

/* The guard: a frame changed after building no longer passes. */
static void test_verify_catches_changes(void **state)
{
	char err[200] = "";
	const struct pd_probe_case *c = find_case("udp4.623.dfclear");

	(void)state;
	build("udp4.623.dfclear", 1);
	b.frame[0][45] ^= 0x01; /* a payload byte */
	assert_int_equal(pd_probe_verify(c, &b, err, sizeof(err)), -PD_EMALFORMED);
	assert_non_null(strstr(err, "should be"));
	build("udp4.623.len1.pad0", 1);
	b.frame[0][59] = 0x42; /* a pad byte */
	assert_int_equal(pd_probe_verify(find_case("udp4.623.len1.pad0"), &b, err, sizeof(err)),
			 -PD_EMALFORMED);
	/* a case that wants a wrong checksum rejects a right one */
	build("udp4.623.csum-wrong", 1);
	b.frame[0][40] = (uint8_t)(b.l4_csum_correct >> 8);
	b.frame[0][41] = (uint8_t)b.l4_csum_correct;
	assert_int_equal(pd_probe_verify(find_case("udp4.623.csum-wrong"), &b, err, sizeof(err)),
			 -PD_EMALFORMED);
}

/* An interface spec: "NS:IFACE" or "IFACE". */
static void test_if_parse(void **state)
{
	struct pd_probe_if i;

	(void)state;
	assert_int_equal(pd_probe_if_parse(&i, "pdpa:pdpa0"), 0);
	assert_string_equal(i.ns, "pdpa");
	assert_string_equal(i.name, "pdpa0");
	assert_int_equal(pd_probe_if_parse(&i, "eth1"), 0);
	assert_string_equal(i.ns, "");
	assert_int_equal(pd_probe_if_parse(&i, ":eth1"), -PD_EUSAGE);
	assert_int_equal(pd_probe_if_parse(&i, "ns:"), -PD_EUSAGE);
	assert_int_equal(pd_probe_if_parse(&i, "a/b:eth1"), -PD_EUSAGE);
	assert_int_equal(pd_probe_if_parse(&i, "ns:averyveryverylongname0"), -PD_EUSAGE);
}

/* The namespace of "NS:IFACE" is opened through include/pktdoctor/netns.h:
 * a missing one is named with where to look, "." or ".." (which would
 * open a directory of /run) is no namespace name; without a namespace
 * nothing is opened or entered. */
static void test_if_open_namespace_errors(void **state)
{
	struct pd_probe_if i;
	char err[256];

	(void)state;
	assert_int_equal(pd_probe_if_parse(&i, "pdsf-nosuch-ns:eth0"), 0);
	err[0] = 0;
	assert_int_equal(pd_probe_if_open(&i, err, sizeof(err)), -PD_EOPEN);
	assert_non_null(strstr(err, "no such network namespace: pdsf-nosuch-ns"));
	assert_non_null(strstr(err, "ip netns list"));
	assert_int_equal(i.nsfd, -1);
	pd_probe_if_close(&i);
	assert_int_equal(pd_probe_if_parse(&i, "..:eth0"), 0);
	assert_int_equal(pd_probe_if_open(&i, err, sizeof(err)), -PD_EUSAGE);
	assert_non_null(strstr(err, "not a namespace name"));
	pd_probe_if_close(&i);
	/* no namespace: the interface is looked up here (none by this name) */
	assert_int_equal(pd_probe_if_parse(&i, "pdsfnosuch0"), 0);
	assert_int_equal(pd_probe_if_open(&i, err, sizeof(err)), -PD_EOPEN);
	assert_non_null(strstr(err, "no interface pdsfnosuch0"));
	assert_int_equal(i.nsfd, -1);
	pd_probe_if_close(&i);
}


/* ---- replay: what happens to one frame ---- */

#define PIECES 64
#define PIECE 1600
static uint8_t outbuf[PIECES][PIECE];
static uint32_t outlen[PIECES];

static unsigned replay_one(const struct pd_replay_opts *o, const uint8_t *f, uint32_t len,
			   uint16_t mtu, uint16_t mss, struct pd_replay_counts *cnt)
{
	unsigned n = 0;

	memset(cnt, 0, sizeof(*cnt));
	assert_int_equal(pd_replay_frame(o, f, len, mtu, mss, &outbuf[0][0], PIECE, outlen, PIECES,
					 &n, cnt),
			 0);
	return n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* A TSO super-segment (14600 bytes, partial checksum, as a capture on a
 * sending host holds it): --fix-offload cuts it into ten 1514-byte
 * frames with consecutive sequence numbers, consecutive IPv4 IDs, PSH
 * only on the last, and every checksum complete; without it the frame
 * is refused and counted. */
static void test_replay_tso(void **state)
{
	struct pd_replay_opts o;
	struct pd_replay_counts cnt;
	uint32_t seq0;
	uint16_t id0;
	unsigned n;

	(void)state;
	memset(&o, 0, sizeof(o));
	build("tcp4.3260.gso-mss", 0x2000);
	seq0 = be32(b.frame[0] + 38);
	id0 = be16(b.frame[0] + 18);
	b.frame[0][47] |= 0x08; /* PSH on the super-segment */
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 1460, &cnt);
	assert_int_equal(n, 0);
	assert_int_equal(cnt.refused, 1);
	o.fix_offload = true;
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 1460, &cnt);
	assert_int_equal(n, 10);
	assert_int_equal(cnt.segmented, 1);
	assert_int_equal(cnt.fixed, 1);
	for (unsigned k = 0; k < n; k++) {
		const uint8_t *f = outbuf[k];

		assert_int_equal(outlen[k], 1514);
		assert_int_equal(be16(f + 16), 1500);
		assert_int_equal(be16(f + 18), (uint16_t)(id0 + k));
		assert_int_equal(be32(f + 38), seq0 + 1460u * k);
		assert_int_equal(fold(sum_words(f + 14, 20, 0)), 0xffff);
		assert_int_equal(l4_sum4(f, 34, 1480, 6), 0xffff);
		assert_int_equal((f[47] & 0x08) != 0, k == 9);
	}
	/* --mtu-policy segment with a smaller MSS */
	o.fix_offload = false;
	o.policy = PD_MTU_SEGMENT;
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 1000, &cnt);
	assert_int_equal(n, 15); /* 14600 / 1000 */
	assert_int_equal(outlen[14], 14 + 20 + 20 + 600);
	assert_int_equal(l4_sum4(outbuf[14], 34, 620, 6), 0xffff);
}

/* RFC 791 fragments of a 9000-byte UDP datagram for MTU 1500: 1480
 * bytes of data each (a multiple of 8), MF on all but the last, the
 * offsets adding up; truncate cuts to the MTU. */
static void test_replay_fragment_truncate(void **state)
{
	struct pd_replay_opts o;
	struct pd_replay_counts cnt;
	unsigned n, total = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.policy = PD_MTU_FRAGMENT;
	build("udp4.623.jumbo", 0x3000);
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 7); /* 8980 bytes of data: 6 x 1480 + 100 */
	assert_int_equal(cnt.fragmented, 1);
	for (unsigned k = 0; k < n; k++) {
		const uint8_t *f = outbuf[k];
		uint16_t frag = be16(f + 20);

		assert_true(outlen[k] <= 1514);
		assert_int_equal((frag & 0x1fff) * 8u, total);
		assert_int_equal((frag & 0x2000) != 0, k + 1 < n);
		assert_int_equal(be16(f + 18), 0x3000);
		assert_int_equal(fold(sum_words(f + 14, 20, 0)), 0xffff);
		total += be16(f + 16) - 20u;
	}
	assert_int_equal(total, 8980);
	o.policy = PD_MTU_TRUNCATE;
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 1);
	assert_int_equal(outlen[0], 1514);
	assert_int_equal(cnt.truncated, 1);
}

/* --rewrite: a valid checksum stays valid, a wrong one stays exactly as
 * wrong (RFC 1624 incremental update); IPv4 total length 0 is repaired
 * by --fix-offload; broadcast destinations are skipped. */
static void test_replay_rewrite_fix(void **state)
{
	struct pd_replay_opts o;
	struct pd_replay_counts cnt;
	uint16_t before;
	unsigned n;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(pd_rewrite_parse(&o.rw[0], "10.211.0.2=192.0.2.9"), 0);
	assert_int_equal(pd_rewrite_parse(&o.rw[1], "02:00:00:00:00:02=02:aa:bb:cc:dd:ee"), 0);
	assert_int_equal(pd_rewrite_parse(&o.rw[2], "nonsense"), -PD_EUSAGE);
	assert_int_equal(pd_rewrite_parse(&o.rw[2], "10.0.0.1=fd00::1"), -PD_EUSAGE);
	o.n_rw = 2;
	build("udp4.623.dfclear", 1);
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 1);
	assert_int_equal(cnt.rewritten, 1);
	assert_memory_equal(outbuf[0], "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_memory_equal(outbuf[0] + 30, "\xc0\x00\x02\x09", 4);
	assert_int_equal(fold(sum_words(outbuf[0] + 14, 20, 0)), 0xffff);
	assert_int_equal(l4_sum4(outbuf[0], 34, 16, 17), 0xffff);
	build("udp4.623.csum-wrong", 1);
	before = l4_sum4(b.frame[0], 34, 16, 17);
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 1);
	assert_int_not_equal(before, 0xffff);
	assert_int_equal(l4_sum4(outbuf[0], 34, 16, 17), before);
	/* IPv4 total length 0 (TSO / BIG TCP), header checksum made for it */
	o.n_rw = 0;
	o.fix_offload = true;
	build("udp4.623.mtu", 1);
	b.frame[0][16] = b.frame[0][17] = 0;
	b.frame[0][24] = b.frame[0][25] = 0;
	{
		uint16_t c = (uint16_t)~fold(sum_words(b.frame[0] + 14, 20, 0));

		b.frame[0][24] = (uint8_t)(c >> 8);
		b.frame[0][25] = (uint8_t)c;
	}
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 1);
	assert_int_equal(be16(outbuf[0] + 16), 1500);
	assert_int_equal(fold(sum_words(outbuf[0] + 14, 20, 0)), 0xffff);
	assert_int_equal(cnt.fixed, 1);
	/* broadcast */
	build("udp4.623.dfclear", 1);
	memset(b.frame[0], 0xff, 6);
	n = replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt);
	assert_int_equal(n, 0);
	assert_int_equal(cnt.skipped, 1);
	o.allow_broadcast = true;
	assert_int_equal(replay_one(&o, b.frame[0], b.len[0], 1500, 0, &cnt), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_case_builds),
		cmocka_unit_test(test_short_zero_pad),
		cmocka_unit_test(test_ffff_and_zero),
		cmocka_unit_test(test_wrong_checksums),
		cmocka_unit_test(test_ipmi_form),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_verify_catches_changes),
		cmocka_unit_test(test_if_parse),
		cmocka_unit_test(test_if_open_namespace_errors),
		cmocka_unit_test(test_replay_tso),
		cmocka_unit_test(test_replay_fragment_truncate),
		cmocka_unit_test(test_replay_rewrite_fix),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
