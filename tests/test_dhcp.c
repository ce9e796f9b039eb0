/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dhcp.c - the RFC 4173 root path parser, the DHCPv4 and DHCPv6
 * dissectors on inline frames, and the DHCP analyzer: frames fed through
 * the pipeline API (pipeline.h) with every other analyzer running, as the
 * monitor feeds them, and a pcap written here through pd_analyze_file().
 *
 * Where the expected values come from:
 *  - Root paths: RFC 4173 section 5 (field order, defaults 6/3260/0,
 *    hexadecimal LUN with optional '-' groups, IPv6 in brackets), RFC
 *    3720 3.2.6.3 (iqn./eui. names), and the vendor boot guides' "LUN 64
 *    must be configured as 40".
 *  - Hand-built frames: each field is written next to its bytes by the
 *    builders below (RFC 2131 2 header layout, RFC 2132 options, RFC 8415
 *    8 and 21.1 for DHCPv6).
 *  - Real frames: pasted from captures/dhcp-*.pcap (made by
 *    captures/boot-lab/make-boot-captures.sh); the expected fields are
 *    tshark 4.0.17's decode of the same frame, quoted in the comment.
 *
 * Every frame is dissected or fed from a heap copy of exactly caplen
 * bytes and every root path is parsed from a heap copy of exactly its
 * length, so AddressSanitizer reports any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pd_test_events.h"

#include "pktdoctor/analyze.h"
#include "pktdoctor/dhcp.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/rootpath.h"

/* ------------------------------------------------------------------ */
/* Root path parser                                                    */
/* ------------------------------------------------------------------ */

/* Parse @s from an exact-size heap copy (no NUL after it). */
static int parse(const char *s, struct pd_rootpath *rp)
{
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, n);
	rc = pd_rootpath_parse(copy, n, rp);
	free(copy);
	return rc;
}

static void expect_problem(const char *s, unsigned bit, const char *why_part)
{
	struct pd_rootpath rp;

	if (parse(s, &rp) != -PD_EMALFORMED)
		fail_msg("\"%s\" should be invalid", s);
	if (!(rp.problems & bit))
		fail_msg("\"%s\": problems 0x%x lack %s (why: %s)", s, rp.problems,
			 pd_rootpath_problem_name(bit), rp.why);
	if (why_part && !strstr(rp.why, why_part))
		fail_msg("\"%s\": why \"%s\" lacks \"%s\"", s, rp.why, why_part);
}

/* The etherboot/iPXE documentation's form with all defaults, and the
 * same root path with every field written out (RFC 4173 5). */
static void test_rootpath_defaults(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:my.target.dns.name::::iqn.2007-08.name.dns.target.my:iscsiboot",
			       &rp), 0);
	assert_string_equal(rp.server, "my.target.dns.name");
	assert_false(rp.server_ipv6);
	assert_int_equal(rp.protocol, 6);
	assert_int_equal(rp.port, 3260);
	assert_int_equal(rp.lun, 0);
	assert_string_equal(rp.lun_text, "");
	assert_true(rp.protocol_default && rp.port_default && rp.lun_default);
	assert_false(rp.lun_ambiguous);
	assert_string_equal(rp.target, "iqn.2007-08.name.dns.target.my:iscsiboot");
	assert_int_equal(rp.problems, 0);
	assert_string_equal(rp.why, "");

	assert_int_equal(parse("iscsi:my.target.dns.name:6:3260:0:iqn.2007-08.name.dns.target.my:"
			       "iscsiboot", &rp), 0);
	assert_int_equal(rp.protocol, 6);
	assert_int_equal(rp.port, 3260);
	assert_int_equal(rp.lun, 0);
	assert_false(rp.protocol_default || rp.port_default || rp.lun_default);
	assert_string_equal(rp.lun_text, "0");

	/* the lab's three option 17 values (dhcp-rootpath.pcap) */
	assert_int_equal(parse("iscsi:10.79.0.1::3260:0:iqn.2026-11.lab.pktdoctor:disk1", &rp), 0);
	assert_string_equal(rp.server, "10.79.0.1");
	assert_string_equal(rp.target, "iqn.2026-11.lab.pktdoctor:disk1");
	assert_int_equal(parse("iscsi:10.79.0.1::::iqn.2026-11.lab.pktdoctor:disk1", &rp), 0);
	assert_int_equal(rp.port, 3260);
	/* the scheme is case-insensitive, like a URI scheme */
	assert_int_equal(parse("ISCSI:10.79.0.1::::iqn.2026-11.lab.pktdoctor:disk1", &rp), 0);
}

/* RFC 4173 5: dashes may separate the four 16-bit fields of the LUN;
 * the RFC's own example is far above what boot firmware accepts. */
static void test_rootpath_lun_groups(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:10.0.0.1::3260:4752-3A4F-6b7e-2F99:iqn.2026-11.lab:d", &rp),
			 -PD_EMALFORMED);
	assert_true(rp.lun == 0x47523A4F6B7E2F99ULL);
	assert_int_equal(rp.problems, PD_RP_LUN_RANGE);
	assert_false(rp.lun_ambiguous);
	assert_int_equal(parse("iscsi:10.0.0.1::3260:0-1f:iqn.2026-11.lab:d", &rp), 0);
	assert_int_equal(rp.lun, 0x1f);
	assert_int_equal(parse("iscsi:10.0.0.1::3260:0000-0000-0000-00ff:iqn.2026-11.lab:d", &rp),
			 0);
	assert_int_equal(rp.lun, 255);
	/* 16 digits without dashes is the longest */
	assert_int_equal(parse("iscsi:10.0.0.1::3260:00000000000000a0:iqn.2026-11.lab:d", &rp), 0);
	assert_int_equal(rp.lun, 0xa0);
	expect_problem("iscsi:10.0.0.1::3260:000000000000000a0:iqn.2026-11.lab:d", PD_RP_BAD_LUN,
		       "not hexadecimal");
	expect_problem("iscsi:10.0.0.1::3260:1--2:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
	expect_problem("iscsi:10.0.0.1::3260:-1:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
	expect_problem("iscsi:10.0.0.1::3260:1-:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
	expect_problem("iscsi:10.0.0.1::3260:12345-1:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
	expect_problem("iscsi:10.0.0.1::3260:1-2-3-4-5:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
}

static void test_rootpath_ipv6(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:[2001:db8::1]:6:3260:1:iqn.2026-11.lab:disk1", &rp), 0);
	assert_string_equal(rp.server, "2001:db8::1");
	assert_true(rp.server_ipv6);
	assert_int_equal(rp.lun, 1);
	assert_string_equal(rp.target, "iqn.2026-11.lab:disk1");
	assert_int_equal(parse("iscsi:[fe80::1]::::iqn.2026-11.lab:disk1", &rp), 0);
	assert_string_equal(rp.server, "fe80::1");
	assert_int_equal(rp.port, 3260);
	expect_problem("iscsi:[2001:db8::1:6:3260:1:iqn.2026-11.lab:disk1", PD_RP_BAD_SERVER,
		       "not closed");
	expect_problem("iscsi:[2001:db8::1]x:6:3260:1:iqn.2026-11.lab:disk1", PD_RP_BAD_SERVER,
		       NULL);
	expect_problem("iscsi:[]::::iqn.2026-11.lab:disk1", PD_RP_NO_SERVER, NULL);
}

/* The target name is everything after the fifth separator. */
static void test_rootpath_target_colons(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:10.79.0.1::3260:0:iqn.2026-11.lab:disk1:part:2", &rp), 0);
	assert_string_equal(rp.target, "iqn.2026-11.lab:disk1:part:2");
	assert_int_equal(parse("iscsi:10.79.0.1::::eui.02004567A425678D", &rp), 0);
	assert_int_equal(parse("iscsi:10.79.0.1::::naa.52004567BA64678D", &rp), 0);
	assert_int_equal(parse("iscsi:10.79.0.1::::IQN.2026-11.lab:x", &rp), 0);
}

/* "LUN 64 must be configured as 40": both readings are reported. */
static void test_rootpath_lun_ambiguity(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:10.79.0.1::3260:40:iqn.2026-11.lab.pktdoctor:disk1", &rp), 0);
	assert_int_equal(rp.lun, 64);
	assert_true(rp.lun_ambiguous);
	assert_int_equal(rp.lun_if_decimal, 40);
	assert_string_equal(rp.lun_text, "40");

	assert_int_equal(parse("iscsi:10.79.0.1::3260:64:iqn.2026-11.lab.pktdoctor:disk1", &rp), 0);
	assert_int_equal(rp.lun, 100);
	assert_true(rp.lun_ambiguous);
	assert_int_equal(rp.lun_if_decimal, 64);

	/* dhcp-rootpath-bad.pcap's "0000000064": hex 0x64 = 100, decimal 64 */
	assert_int_equal(parse("iscsi:10.79.0.1::3260:0000000064:iqn.2026-11.lab.pktdoctor:disk1",
			       &rp), 0);
	assert_int_equal(rp.lun, 100);
	assert_true(rp.lun_ambiguous);
	assert_int_equal(rp.lun_if_decimal, 64);

	/* same value in both readings: not ambiguous */
	assert_int_equal(parse("iscsi:10.79.0.1::3260:9:iqn.2026-11.lab:d", &rp), 0);
	assert_false(rp.lun_ambiguous);
	assert_int_equal(parse("iscsi:10.79.0.1::3260:09:iqn.2026-11.lab:d", &rp), 0);
	assert_false(rp.lun_ambiguous);
	/* a hex letter: unambiguously hex */
	assert_int_equal(parse("iscsi:10.79.0.1::3260:0a:iqn.2026-11.lab:d", &rp), 0);
	assert_false(rp.lun_ambiguous);
	assert_int_equal(rp.lun, 10);

	/* "100" meant decimal: hex 0x100 = 256 is out of range, and ambiguous */
	assert_int_equal(parse("iscsi:10.79.0.1::3260:100:iqn.2026-11.lab:d", &rp), -PD_EMALFORMED);
	assert_int_equal(rp.problems, PD_RP_LUN_RANGE);
	assert_true(rp.lun_ambiguous);
	assert_int_equal(rp.lun, 256);
	assert_int_equal(rp.lun_if_decimal, 100);
	assert_non_null(strstr(rp.why, "256"));
}

static void test_rootpath_bad_protocol(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	expect_problem("iscsi:10.79.0.1:17:3260:0:iqn.2026-11.lab.pktdoctor:disk1", PD_RP_BAD_PROTOCOL,
		       "protocol 17 is not 6");
	assert_int_equal(parse("iscsi:10.79.0.1:17:3260:0:iqn.2026-11.lab.pktdoctor:disk1", &rp),
			 -PD_EMALFORMED);
	assert_int_equal(rp.protocol, 17);
	assert_int_equal(rp.problems, PD_RP_BAD_PROTOCOL);
	assert_string_equal(rp.target, "iqn.2026-11.lab.pktdoctor:disk1");
	expect_problem("iscsi:10.79.0.1:tcp:3260:0:iqn.2026-11.lab:d", PD_RP_BAD_PROTOCOL,
		       "not a number");
}

static void test_rootpath_bad_port(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:10.79.0.1::99999:0:iqn.2026-11.lab.pktdoctor:disk1", &rp),
			 -PD_EMALFORMED);
	assert_int_equal(rp.port, 99999);
	assert_int_equal(rp.problems, PD_RP_BAD_PORT);
	assert_non_null(strstr(rp.why, "99999"));
	expect_problem("iscsi:10.79.0.1::0:0:iqn.2026-11.lab:d", PD_RP_BAD_PORT, "out of range");
	expect_problem("iscsi:10.79.0.1::32a0:0:iqn.2026-11.lab:d", PD_RP_BAD_PORT, "not a number");
	/* saturates instead of wrapping */
	assert_int_equal(parse("iscsi:10.79.0.1::99999999999999999999:0:iqn.2026-11.lab:d", &rp),
			 -PD_EMALFORMED);
	assert_int_equal(rp.port, UINT32_MAX);
	assert_int_equal(parse("iscsi:10.79.0.1::65535:0:iqn.2026-11.lab:d", &rp), 0);
	assert_int_equal(parse("iscsi:10.79.0.1::1:0:iqn.2026-11.lab:d", &rp), 0);
}

static void test_rootpath_bad_lun(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	assert_int_equal(parse("iscsi:10.79.0.1::3260:zz:iqn.2026-11.lab.pktdoctor:disk1", &rp),
			 -PD_EMALFORMED);
	assert_int_equal(rp.problems, PD_RP_BAD_LUN);
	assert_string_equal(rp.lun_text, "zz");
	assert_string_equal(rp.why, "LUN \"zz\" is not hexadecimal");
	assert_false(rp.lun_ambiguous);
	expect_problem("iscsi:10.79.0.1::3260:0x40:iqn.2026-11.lab:d", PD_RP_BAD_LUN, NULL);
	expect_problem("iscsi:10.79.0.1::3260:1ff:iqn.2026-11.lab:d", PD_RP_LUN_RANGE, "above 255");
	assert_int_equal(parse("iscsi:10.79.0.1::3260:ff:iqn.2026-11.lab:d", &rp), 0);
	assert_int_equal(rp.lun, 255);
}

static void test_rootpath_bad_target(void **state)
{
	struct pd_rootpath rp;
	char longname[300];

	(void)state;
	expect_problem("iscsi:10.79.0.1::::disk1", PD_RP_BAD_TARGET, "neither");
	expect_problem("iscsi:10.79.0.1::::iqn.26-11.lab:d", PD_RP_BAD_TARGET, NULL);
	expect_problem("iscsi:10.79.0.1::::iqn.2026-13.lab:d", PD_RP_BAD_TARGET, NULL);
	expect_problem("iscsi:10.79.0.1::::iqn.2026-11.", PD_RP_BAD_TARGET, NULL);
	expect_problem("iscsi:10.79.0.1::::eui.02004567A425678", PD_RP_BAD_TARGET, NULL);
	expect_problem("iscsi:10.79.0.1::::eui.02004567A425678DX", PD_RP_BAD_TARGET, NULL);
	expect_problem("iscsi:10.79.0.1:::0:", PD_RP_NO_TARGET, "no target");
	/* 224 bytes: one more than RFC 3720 allows */
	memcpy(longname, "iscsi:10.79.0.1::::iqn.2026-11.lab:", 35);
	memset(longname + 35, 'x', 224 - 16);
	longname[35 + 224 - 16] = 0;
	expect_problem(longname, PD_RP_BAD_TARGET, "longer than 223");
	longname[35 + 223 - 16] = 0;
	assert_int_equal(parse(longname, &rp), 0);
}

static void test_rootpath_structure(void **state)
{
	struct pd_rootpath rp;

	(void)state;
	expect_problem("10.79.0.1::3260:0:iqn.2026-11.lab.pktdoctor:disk1", PD_RP_NO_PREFIX,
		       "iscsi:");
	expect_problem("nfs:10.79.0.1:/export/root", PD_RP_NO_PREFIX, NULL);
	expect_problem("", PD_RP_NO_PREFIX, NULL);
	expect_problem("iscsi:10.79.0.1:6:3260:0", PD_RP_TOO_FEW_FIELDS, "too few fields");
	expect_problem("iscsi:10.79.0.1::iqn.2026-11.lab:d", PD_RP_TOO_FEW_FIELDS, NULL);
	expect_problem("iscsi:", PD_RP_NO_SERVER, "no server");
	assert_int_equal(parse("iscsi:", &rp), -PD_EMALFORMED);
	assert_true(rp.problems & PD_RP_TOO_FEW_FIELDS);
	expect_problem("iscsi:::::iqn.2026-11.lab:d", PD_RP_NO_SERVER, NULL);
	/* a trailing space (a copy-and-paste in the server config) */
	expect_problem("iscsi:10.79.0.1::::iqn.2026-11.lab:d ", PD_RP_BAD_CHAR, "space");
	/* a NUL inside; the analyzer strips a trailing NUL terminator first */
	{
		static const char nul[] = "iscsi:10.79.0.1::::iqn.2026-11.lab:d\0";
		char *copy = malloc(sizeof(nul) - 1);

		assert_non_null(copy);
		memcpy(copy, nul, sizeof(nul) - 1);
		assert_int_equal(pd_rootpath_parse(copy, sizeof(nul) - 1, &rp), -PD_EMALFORMED);
		assert_int_equal(rp.problems, PD_RP_BAD_CHAR);
		assert_string_equal(rp.why, "contains a NUL byte");
		assert_int_equal(pd_rootpath_parse(copy, sizeof(nul) - 2, &rp), 0);
		free(copy);
	}
	assert_int_equal(pd_rootpath_parse(NULL, 0, &rp), -PD_EMALFORMED);
	assert_int_equal(pd_rootpath_parse(NULL, 3, &rp), -PD_EUSAGE);
	assert_int_equal(pd_rootpath_parse("iscsi:", 6, NULL), -PD_EUSAGE);
	assert_string_equal(pd_rootpath_problem_name(PD_RP_BAD_PORT), "bad_port");
	assert_string_equal(pd_rootpath_problem_name(PD_RP_BAD_CHAR), "bad_char");
	assert_string_equal(pd_rootpath_problem_name(3), "unknown");
}

/* ------------------------------------------------------------------ */
/* Frame builders                                                      */
/* ------------------------------------------------------------------ */

static uint8_t *g_frame; /* heap copy of the frame under test */

static int free_frame(void **state)
{
	(void)state;
	free(g_frame);
	g_frame = NULL;
	return 0;
}

/* Dissect @caplen bytes of @bytes (a frame of @wirelen bytes on the wire)
 * from an exact-size heap copy, as analyze.c fills struct pd_packet. */
static void dissect(struct pd_packet *p, const uint8_t *bytes, size_t caplen, size_t wirelen)
{
	free(g_frame);
	g_frame = malloc(caplen ? caplen : 1);
	assert_non_null(g_frame);
	memcpy(g_frame, bytes, caplen);
	memset(p, 0, sizeof(*p));
	p->frame = 1;
	p->caplen = (uint32_t)caplen;
	p->wirelen = (uint32_t)wirelen;
	p->linktype = PD_LINKTYPE_EN10MB;
	assert_int_equal(pd_dissect_frame(p, g_frame), 0);
}

/* RFC 1071: add @n bytes of @b (an odd last byte padded with zero) to
 * the folded sum @s. */
static uint32_t sum16(const uint8_t *b, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(b[i] << 8 | (i + 1 < n ? b[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static const uint8_t SRV_MAC[6] = {0x02, 0x79, 0, 0, 0, 0x01};
static const uint8_t SRV_IP[4] = {10, 79, 0, 1};

/* A DHCPv4 frame under construction: Ethernet, IPv4, UDP, BOOTP. */
struct fb {
	uint8_t b[1600];
	size_t n;
};

#define ETH 14
#define IP4 20
#define UDPH 8
#define BOOTP (ETH + IP4 + UDPH) /* BOOTP header offset in the frame */

/*
 * Start a DHCP message: a request from @mac (0.0.0.0:68 -> broadcast:67)
 * or a reply from the lab server 10.79.0.1:67 to @yiaddr:68.
 * RFC 2131 2: op htype hlen hops xid secs flags ciaddr yiaddr siaddr giaddr
 * chaddr[16] sname[64] file[128], then the magic cookie and option 53.
 */
static void fb_begin(struct fb *f, int op, uint8_t msg, const uint8_t mac[6], uint32_t xid,
		     const uint8_t yiaddr[4], uint16_t secs)
{
	uint8_t *e = f->b, *ip = e + ETH, *u = ip + IP4, *d = u + UDPH;
	static const uint8_t zero[4] = {0, 0, 0, 0};

	memset(f, 0, sizeof(*f));
	if (!yiaddr)
		yiaddr = zero;
	/* Ethernet: requests broadcast, replies from the server to the client */
	memset(e, 0xff, 6);
	if (op == 2)
		memcpy(e, mac, 6);
	memcpy(e + 6, op == 1 ? mac : SRV_MAC, 6);
	e[12] = 0x08;
	/* IPv4: 45 00 len id 0 ttl 64 proto 17, addresses */
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = 17;
	if (op == 2) {
		memcpy(ip + 12, SRV_IP, 4);
		memcpy(ip + 16, yiaddr, 4);
	} else {
		memset(ip + 16, 0xff, 4);
	}
	/* UDP 68 -> 67 or 67 -> 68; fb_done() fills in the checksum */
	u[1] = op == 1 ? 68 : 67;
	u[3] = op == 1 ? 67 : 68;
	/* BOOTP */
	d[0] = (uint8_t)op;
	d[1] = 1;  /* htype Ethernet */
	d[2] = 6;  /* hlen */
	d[4] = (uint8_t)(xid >> 24);
	d[5] = (uint8_t)(xid >> 16);
	d[6] = (uint8_t)(xid >> 8);
	d[7] = (uint8_t)xid;
	d[8] = (uint8_t)(secs >> 8);
	d[9] = (uint8_t)secs;
	memcpy(d + 16, yiaddr, 4);  /* yiaddr */
	if (op == 2)
		memcpy(d + 20, SRV_IP, 4); /* siaddr: next server */
	memcpy(d + 28, mac, 6);     /* chaddr */
	d[236] = 99;                /* magic cookie 99.130.83.99 */
	d[237] = 130;
	d[238] = 83;
	d[239] = 99;
	f->n = BOOTP + 240;
	if (msg) {
		f->b[f->n++] = 53;
		f->b[f->n++] = 1;
		f->b[f->n++] = msg;
	}
}

static void fb_opt(struct fb *f, uint8_t code, const void *v, size_t len)
{
	f->b[f->n++] = code;
	f->b[f->n++] = (uint8_t)len;
	memcpy(f->b + f->n, v, len);
	f->n += len;
}

static void fb_str(struct fb *f, uint8_t code, const char *s)
{
	fb_opt(f, code, s, strlen(s));
}

/* Raw bytes (for broken options). */
static void fb_raw(struct fb *f, const void *v, size_t len)
{
	memcpy(f->b + f->n, v, len);
	f->n += len;
}

/*
 * Fill in the IPv4 and UDP lengths and both checksums: the IPv4 header's,
 * and the UDP one over the pseudo-header (RFC 768), 0 sent as 0xffff.
 * dnsmasq sends UDP checksums; without one, an OFFER and the ACK that
 * follows it (same addresses, lengths and first 64 bytes) would look to
 * the pipeline like two copies of one packet.
 */
static size_t fb_done(struct fb *f)
{
	uint8_t *ip = f->b + ETH, *u = ip + IP4, ph[12];
	size_t ulen = f->n - ETH - IP4;
	uint16_t c;

	ip[2] = (uint8_t)((f->n - ETH) >> 8);
	ip[3] = (uint8_t)(f->n - ETH);
	u[4] = (uint8_t)(ulen >> 8);
	u[5] = (uint8_t)ulen;
	ip[10] = ip[11] = 0;
	c = (uint16_t)~sum16(ip, IP4, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(ph, ip + 12, 8); /* source and destination address */
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = u[4];
	ph[11] = u[5];
	u[6] = u[7] = 0;
	c = (uint16_t)~sum16(u, ulen, sum16(ph, sizeof(ph), 0));
	if (!c)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	return f->n;
}

static size_t fb_end(struct fb *f)
{
	f->b[f->n++] = 255;
	return fb_done(f);
}

static void span_is(const struct pd_packet *p, struct pd_span s, const char *want)
{
	char buf[300];

	pd_span_str(p, s, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(s.len, strlen(want));
}

/* ------------------------------------------------------------------ */
/* DHCPv4 dissector                                                    */
/* ------------------------------------------------------------------ */

static const uint8_t MAC1[6] = {0x02, 0x79, 0, 0, 0x11, 0x01};
static const uint8_t IP101[4] = {10, 79, 0, 101};

/* An OFFER as dnsmasq builds it for the lab (hand-built). */
static void test_dhcp_offer_options(void **state)
{
	struct fb f;
	struct pd_packet p;
	size_t n, opts;
	static const uint8_t mask[4] = {255, 255, 255, 0}, lease[4] = {0, 0, 0x0e, 0x10};

	(void)state;
	fb_begin(&f, 2, 2, MAC1, 0x1234abcd, IP101, 0);
	opts = f.n - 3;
	fb_opt(&f, 54, SRV_IP, 4);
	fb_opt(&f, 51, lease, 4);
	f.b[f.n++] = 0; /* pad */
	fb_opt(&f, 1, mask, 4);
	fb_str(&f, 17, "iscsi:10.79.0.1::3260:0:iqn.2026-11.lab.pktdoctor:disk1");
	fb_str(&f, 203, "iqn.2026-11.lab.pktdoctor:client1");
	fb_str(&f, 17, "second instance is not recorded");
	n = fb_end(&f);
	f.b[n++] = 0; /* padding after END is inside the UDP datagram */
	fb_done(&f);
	f.n = n;
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_DHCP);
	assert_true(p.layers & PD_L_APP);
	assert_true(p.dhcp.cookie);
	assert_int_equal(p.dhcp.op, 2);
	assert_int_equal(p.dhcp.htype, 1);
	assert_int_equal(p.dhcp.hlen, 6);
	assert_int_equal(p.dhcp.xid, 0x1234abcd);
	assert_memory_equal(p.dhcp.yiaddr, IP101, 4);
	assert_memory_equal(p.dhcp.siaddr, SRV_IP, 4);
	assert_memory_equal(p.dhcp.chaddr, MAC1, 6);
	assert_int_equal(p.dhcp.msg_type, 2);
	assert_int_equal(p.dhcp.sname.len, 0);
	assert_int_equal(p.dhcp.file.len, 0);
	assert_true(pd_dhcp_has(&p.dhcp, 53));
	assert_int_equal(p.dhcp.opt[53].off, opts + 2);
	assert_int_equal(p.dhcp.opt[53].len, 1);
	assert_true(pd_dhcp_has(&p.dhcp, 54));
	assert_int_equal(p.dhcp.opt[54].len, 4);
	assert_true(pd_dhcp_has(&p.dhcp, 1));
	assert_false(pd_dhcp_has(&p.dhcp, 0));
	assert_false(pd_dhcp_has(&p.dhcp, 3));
	assert_true(pd_dhcp_has(&p.dhcp, 255));
	span_is(&p, p.dhcp.opt[17], "iscsi:10.79.0.1::3260:0:iqn.2026-11.lab.pktdoctor:disk1");
	span_is(&p, p.dhcp.opt[203], "iqn.2026-11.lab.pktdoctor:client1");
}

/* The BOOTP sname/file fields as strings, and option overload (RFC 2131
 * 4.1, RFC 2132 9.3): options continue in 'file', then in 'sname'. */
static void test_dhcp_overload(void **state)
{
	struct fb f;
	struct pd_packet p;
	size_t n;
	uint8_t *d;
	static const uint8_t three = 3;

	(void)state;
	fb_begin(&f, 2, 0, MAC1, 1, IP101, 0);
	d = f.b + BOOTP;
	memcpy(d + 44, "bootsrv", 7);             /* sname */
	memcpy(d + 108, "pxelinux.0", 10);        /* file */
	fb_str(&f, 60, "PXEClient");
	n = fb_end(&f);
	dissect(&p, f.b, n, n);
	expect_no_events(&p);
	span_is(&p, p.dhcp.sname, "bootsrv");
	span_is(&p, p.dhcp.file, "pxelinux.0");
	assert_int_equal(p.dhcp.msg_type, 0);

	/* overload 3: 53 in 'file', 17 in 'sname' */
	fb_begin(&f, 2, 0, MAC1, 1, IP101, 0);
	d = f.b + BOOTP;
	fb_opt(&f, 52, &three, 1);
	n = fb_end(&f);
	memcpy(d + 108, (const uint8_t[]){0, 53, 1, 5, 67, 4, 'b', 'o', 'o', 't', 255}, 11);
	memcpy(d + 44, (const uint8_t[]){17, 5, 'i', 's', 'c', 's', 'i', 255}, 8);
	dissect(&p, f.b, n, n);
	expect_no_events(&p);
	assert_int_equal(p.dhcp.msg_type, 5);
	assert_int_equal(p.dhcp.opt[53].off, BOOTP + 108 + 3);
	span_is(&p, p.dhcp.opt[67], "boot");
	span_is(&p, p.dhcp.opt[17], "iscsi");
	assert_int_equal(p.dhcp.opt[17].off, BOOTP + 44 + 2);
	assert_int_equal(p.dhcp.sname.len, 0);
	assert_int_equal(p.dhcp.file.len, 0);

	/* an overloaded field with a broken option is malformed */
	memcpy(d + 44, (const uint8_t[]){17, 70, 'x'}, 3);
	dissect(&p, f.b, n, n);
	assert_true(p.malformed);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), BOOTP + 44);
	assert_int_equal(p.dhcp.msg_type, 5);
}

/* RFC 951 BOOTP without the cookie: the header only. */
static void test_dhcp_plain_bootp(void **state)
{
	struct fb f;
	struct pd_packet p;
	size_t n;

	(void)state;
	fb_begin(&f, 1, 0, MAC1, 7, NULL, 0);
	memset(f.b + BOOTP + 236, 0, 64); /* vend: no cookie */
	f.n = BOOTP + 300;
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_DHCP);
	assert_false(p.dhcp.cookie);
	assert_int_equal(p.dhcp.xid, 7);
	assert_int_equal(p.dhcp.msg_type, 0);
}

/* Truncated, too long, too short: malformed, stop, keep what came before. */
static void test_dhcp_malformed_options(void **state)
{
	struct fb f;
	struct pd_packet p;
	size_t n, at;

	(void)state;
	/* too long: option 17 says 200 bytes, 4 follow */
	fb_begin(&f, 2, 2, MAC1, 1, IP101, 0);
	fb_opt(&f, 54, SRV_IP, 4);
	at = f.n;
	fb_raw(&f, (const uint8_t[]){17, 200, 'i', 's', 'c', 's'}, 6);
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	assert_true(p.malformed);
	assert_true(pd_packet_is_malformed(&p));
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), at);
	assert_int_equal(p.dhcp.msg_type, 2);
	assert_true(pd_dhcp_has(&p.dhcp, 54));
	assert_false(pd_dhcp_has(&p.dhcp, 17));

	/* truncated: the length byte is missing */
	fb_begin(&f, 2, 2, MAC1, 1, IP101, 0);
	at = f.n;
	f.b[f.n++] = 17;
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), at);
	assert_false(pd_dhcp_has(&p.dhcp, 17));

	/* too short / too long: option 53 must be 1 byte */
	fb_begin(&f, 1, 0, MAC1, 1, NULL, 0);
	at = f.n;
	fb_raw(&f, (const uint8_t[]){53, 2, 1, 1}, 4);
	n = fb_end(&f);
	dissect(&p, f.b, n, n);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), at);
	assert_int_equal(p.dhcp.msg_type, 0);
	fb_begin(&f, 1, 0, MAC1, 1, NULL, 0);
	fb_raw(&f, (const uint8_t[]){53, 0}, 2);
	n = fb_end(&f);
	dissect(&p, f.b, n, n);
	expect_event(&p, PD_EV_APP_MALFORMED);

	/* the options run to the end of the datagram without END: accepted */
	fb_begin(&f, 1, 1, MAC1, 1, NULL, 0);
	fb_str(&f, 60, "PXEClient");
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	expect_no_events(&p);
	span_is(&p, p.dhcp.opt[60], "PXEClient");
	assert_false(pd_dhcp_has(&p.dhcp, 255));

	/* shorter than the 236-byte BOOTP header */
	fb_begin(&f, 1, 1, MAC1, 1, NULL, 0);
	f.n = BOOTP + 100;
	n = fb_done(&f);
	dissect(&p, f.b, n, n);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), BOOTP);
	assert_false(p.layers & PD_L_DHCP);
}

/* A snaplen cut is not a malformation: decode what was captured. */
static void test_dhcp_snaplen(void **state)
{
	struct fb f;
	struct pd_packet p;
	size_t n;

	(void)state;
	fb_begin(&f, 2, 2, MAC1, 1, IP101, 0);
	fb_opt(&f, 54, SRV_IP, 4);
	fb_str(&f, 17, "iscsi:10.79.0.1::::iqn.2026-11.lab:d");
	n = fb_end(&f);
	for (size_t cap = BOOTP + 200; cap < n; cap++) {
		dissect(&p, f.b, cap, n);
		assert_false(pd_packet_is_malformed(&p));
		assert_int_equal(p.dhcp.msg_type, cap >= BOOTP + 243 ? 2 : 0);
		if (cap < n - 1)
			assert_false(pd_dhcp_has(&p.dhcp, 17));
	}
	dissect(&p, f.b, n - 1, n);
	assert_true(pd_dhcp_has(&p.dhcp, 17));
	assert_false(pd_dhcp_has(&p.dhcp, 255));
}

/* Every length of a real message, cut short on the wire as well (the
 * UDP length follows the cut): no reads past the end, only app events. */
static void test_dhcp_every_length(void **state)
{
	struct fb f, g;
	struct pd_packet p;
	size_t n;

	(void)state;
	fb_begin(&f, 2, 5, MAC1, 1, IP101, 0);
	fb_opt(&f, 54, SRV_IP, 4);
	fb_str(&f, 17, "iscsi:10.79.0.1::::iqn.2026-11.lab:d");
	fb_opt(&f, 43, (const uint8_t[]){201, 3, 'a', 'b', 'c', 203, 1, 'x', 255}, 9);
	n = fb_end(&f);
	for (size_t len = BOOTP; len <= n; len++) {
		g = f;
		g.n = len;
		fb_done(&g);
		dissect(&p, g.b, len, len);
		for (unsigned i = 0; i < p.n_events; i++)
			assert_int_equal(p.events[i].code, PD_EV_APP_MALFORMED);
	}
}

/* ------------------------------------------------------------------ */
/* DHCPv6 dissector                                                    */
/* ------------------------------------------------------------------ */

/* Ethernet + IPv6 + UDP around a DHCPv6 message of @len bytes. */
static size_t v6_frame(uint8_t *b, const uint8_t *msg, size_t len, bool from_server)
{
	static const uint8_t ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x79, 0, 0, 0, 0, 0x11, 0x01};
	static const uint8_t srv[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x79, 0, 0, 0, 0, 0, 0x01};
	static const uint8_t all[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
	uint8_t *ip = b + 14, *u = ip + 40;
	size_t ulen = 8 + len;

	memset(b, 0, 14 + 40 + 8);
	memcpy(b, (const uint8_t[]){0x33, 0x33, 0, 1, 0, 2}, 6);
	memcpy(b + 6, MAC1, 6);
	b[12] = 0x86;
	b[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)(ulen >> 8);
	ip[5] = (uint8_t)ulen;
	ip[6] = 17;
	ip[7] = 1;
	memcpy(ip + 8, from_server ? srv : ll, 16);
	memcpy(ip + 24, from_server ? ll : all, 16);
	u[1] = from_server ? 0x23 : 0x22; /* 547 -> 546 or 546 -> 547 */
	u[0] = 0x02;
	u[2] = 0x02;
	u[3] = from_server ? 0x22 : 0x23;
	u[4] = (uint8_t)(ulen >> 8);
	u[5] = (uint8_t)ulen;
	memcpy(u + 8, msg, len);
	return 14 + 40 + ulen;
}

static void test_dhcpv6_solicit(void **state)
{
	/* SOLICIT xid 0xa1b2c3: 8 elapsed time, 16 vendor class (enterprise
	 * 4413, "BRCM ISAN" with its 2-byte length), 6 ORO, 59 boot URL */
	static const uint8_t msg[] = {
		1, 0xa1, 0xb2, 0xc3,
		0, 8, 0, 2, 0, 0,
		0, 16, 0, 15, 0, 0, 0x11, 0x3d, 0, 9, 'B', 'R', 'C', 'M', ' ', 'I', 'S', 'A', 'N',
		0, 6, 0, 4, 0, 59, 0, 60,
		0, 59, 0, 17, 't', 'f', 't', 'p', ':', '/', '/', '[', 'f', 'e', '8', '0', ':', ':',
		'1', ']', '/',
		0, 16, 0, 4, 0, 0, 0, 1, /* a second 16: not recorded */
	};
	uint8_t b[200];
	struct pd_packet p;
	size_t n = v6_frame(b, msg, sizeof(msg), false);

	(void)state;
	dissect(&p, b, n, n);
	expect_no_events(&p);
	assert_true(p.layers & PD_L_DHCPV6);
	assert_true(p.layers & PD_L_APP);
	assert_int_equal(p.dhcpv6.msg_type, 1);
	assert_int_equal(p.dhcpv6.xid, 0xa1b2c3);
	assert_int_equal(p.dhcpv6.vendor_class.off, 14 + 40 + 8 + 10 + 4);
	assert_int_equal(p.dhcpv6.vendor_class.len, 15);
	span_is(&p, p.dhcpv6.boot_url, "tftp://[fe80::1]/");
	assert_int_equal(p.dhcpv6.vendor_opts.len, 0);
	assert_int_equal(p.dhcpv6.boot_params.len, 0);
}

static void test_dhcpv6_malformed(void **state)
{
	uint8_t b[200];
	struct pd_packet p;
	size_t n;

	(void)state;
	/* option header cut after 2 bytes */
	n = v6_frame(b, (const uint8_t[]){2, 0, 0, 1, 0, 8, 0, 2, 0, 0, 0, 17}, 12, true);
	dissect(&p, b, n, n);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), 14 + 40 + 8 + 10);
	assert_int_equal(p.dhcpv6.msg_type, 2);
	/* option longer than the message */
	n = v6_frame(b, (const uint8_t[]){7, 0, 0, 1, 0, 59, 0, 40, 'h', 't'}, 10, true);
	dissect(&p, b, n, n);
	assert_int_equal(expect_event(&p, PD_EV_APP_MALFORMED), 14 + 40 + 8 + 4);
	assert_int_equal(p.dhcpv6.boot_url.len, 0);
	/* vendor class too short for its enterprise number */
	n = v6_frame(b, (const uint8_t[]){1, 0, 0, 1, 0, 16, 0, 2, 0, 0}, 10, false);
	dissect(&p, b, n, n);
	expect_event(&p, PD_EV_APP_MALFORMED);
	/* shorter than msg-type + xid */
	n = v6_frame(b, (const uint8_t[]){1, 0}, 2, false);
	dissect(&p, b, n, n);
	expect_event(&p, PD_EV_APP_MALFORMED);
	assert_false(p.layers & PD_L_DHCPV6);
	/* relay-forward: recognised, not walked */
	{
		uint8_t relay[40] = {12, 0};

		n = v6_frame(b, relay, sizeof(relay), false);
		dissect(&p, b, n, n);
		expect_no_events(&p);
		assert_int_equal(p.dhcpv6.msg_type, 12);
		assert_int_equal(p.dhcpv6.xid, 0);
	}
	/* snaplen inside an option: no event */
	n = v6_frame(b, (const uint8_t[]){7, 0, 0, 1, 0, 59, 0, 4, 'h', 't', 't', 'p'}, 12, true);
	dissect(&p, b, n - 2, n);
	expect_no_events(&p);
	assert_int_equal(p.dhcpv6.boot_url.len, 0);
}

/* ------------------------------------------------------------------ */
/* Analyzer                                                            */
/* ------------------------------------------------------------------ */

/* Frames of a small boot scenario, built into one array. */
struct scenario {
	struct fb f[32];
	int64_t ms[32]; /* capture time, milliseconds */
	size_t n;
};

/* @ms: capture time in milliseconds */
static void sc_add(struct scenario *s, const struct fb *f, int64_t ms)
{
	s->f[s->n] = *f;
	s->ms[s->n] = ms;
	s->n++;
}

static const uint8_t MAC2[6] = {0x02, 0x79, 0, 0, 0x12, 0x02};
static const uint8_t MAC3[6] = {0x02, 0x79, 0, 0, 0x14, 0x01};
static const uint8_t MAC4[6] = {0x02, 0x79, 0, 0, 0x11, 0x02};
static const uint8_t IP112[4] = {10, 79, 0, 112};
static const uint8_t IP102[4] = {10, 79, 0, 102};

/* A reply (OFFER or ACK) from the lab server with a root path. */
static void reply(struct fb *f, uint8_t msg, const uint8_t *mac, const uint8_t *ip,
		  const char *rootpath)
{
	fb_begin(f, 2, msg, mac, 0x100, ip, 0);
	fb_opt(f, 54, SRV_IP, 4);
	if (rootpath)
		fb_str(f, 17, rootpath);
}

/*
 * Frames (1-based):
 *  1-4  MAC1 DORA, root path with port 99999 in OFFER and ACK (+ NUL)
 *  5-8  MAC4 DORA, root path with LUN "40"
 *  9-10 MAC2 DISCOVER (no option 60) / OFFER with iSCSI option 43, no 60
 *  11-13 MAC3 (PXEClient) DISCOVERs at 20, 24, 32 s, never answered
 */
static void build_scenario(struct scenario *s)
{
	static const char bad[] = "iscsi:10.79.0.1::99999:0:iqn.2026-11.lab.pktdoctor:disk1";
	static const char lun40[] = "iscsi:10.79.0.1::3260:40:iqn.2026-11.lab.pktdoctor:disk1";
	static const char t1[] = "iscsi:10.79.0.1::::iqn.2026-11.lab:disk1";
	uint8_t o43[64];
	size_t n43 = 0;
	struct fb f;

	/* option 43: sub-option 201 (first target), 203 (initiator), end */
	o43[n43++] = 201;
	o43[n43++] = (uint8_t)(sizeof(t1) - 1);
	memcpy(o43 + n43, t1, sizeof(t1) - 1);
	n43 += sizeof(t1) - 1;
	memcpy(o43 + n43, (const uint8_t[]){203, 4, 'i', 'n', 'i', 't', 255}, 7);
	n43 += 7;

	memset(s, 0, sizeof(*s));
	fb_begin(&f, 1, 1, MAC1, 0x100, NULL, 0);
	fb_end(&f);
	sc_add(s, &f, 1000);
	reply(&f, 2, MAC1, IP101, bad);
	f.b[f.n++] = 0; /* NUL-terminated option: stripped by the analyzer */
	f.b[f.n - 2 - (sizeof(bad) - 1)]++; /* length byte covers the NUL */
	fb_end(&f);
	sc_add(s, &f, 1001);
	fb_begin(&f, 1, 3, MAC1, 0x100, NULL, 0);
	fb_opt(&f, 54, SRV_IP, 4);
	fb_end(&f);
	sc_add(s, &f, 1002);
	reply(&f, 5, MAC1, IP101, bad);
	fb_end(&f);
	sc_add(s, &f, 1003);

	fb_begin(&f, 1, 1, MAC4, 0x200, NULL, 0);
	fb_str(&f, 77, "iPXE");
	fb_opt(&f, 175, (const uint8_t[]){0xb1, 1, 1}, 3);
	fb_opt(&f, 93, (const uint8_t[]){0, 7}, 2);
	fb_end(&f);
	sc_add(s, &f, 2000);
	reply(&f, 2, MAC4, IP102, lun40);
	fb_end(&f);
	sc_add(s, &f, 2001);
	fb_begin(&f, 1, 3, MAC4, 0x200, NULL, 0);
	fb_opt(&f, 54, SRV_IP, 4);
	fb_end(&f);
	sc_add(s, &f, 2002);
	reply(&f, 5, MAC4, IP102, lun40);
	fb_str(&f, 67, "undionly.kpxe");
	fb_end(&f);
	sc_add(s, &f, 2003);

	fb_begin(&f, 1, 1, MAC2, 0x300, NULL, 0);
	fb_end(&f);
	sc_add(s, &f, 3000);
	reply(&f, 2, MAC2, IP112, NULL);
	fb_opt(&f, 43, o43, n43);
	fb_end(&f);
	sc_add(s, &f, 3001);

	for (int i = 0; i < 3; i++) {
		fb_begin(&f, 1, 1, MAC3, 0x400, NULL, (uint16_t)(i * 4));
		fb_str(&f, 60, "PXEClient:Arch:00000:UNDI:002001");
		fb_end(&f);
		sc_add(s, &f, i == 2 ? 32000 : 20000 + 4000 * i);
	}
}

static const struct pd_finding *find(const struct pd_findings *l, const char *id, size_t nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id) && nth-- == 0)
			return &l->v[i];
	return NULL;
}

static size_t count(const struct pd_findings *l, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += !strcmp(l->v[i].id, id);
	return n;
}

static const struct pd_evidence *ev(const struct pd_finding *f, const char *key)
{
	static const struct pd_evidence none;

	for (unsigned i = 0; i < f->n_evidence; i++)
		if (!strcmp(f->evidence[i].key, key))
			return &f->evidence[i];
	fail_msg("%s: no evidence %s", f->id, key);
	return &none;
}

/* Every frame these tests feed is well formed, with a right UDP
 * checksum (sink on_packet, called after the analyzers). */
static void check_fed(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	(void)arg;
	(void)a;
	if (p->malformed)
		fail_msg("frame %llu is malformed", (unsigned long long)p->frame);
	if (p->udp.csum.verdict != PD_CSUM_VALID)
		fail_msg("frame %llu: UDP checksum verdict %d", (unsigned long long)p->frame,
			 (int)p->udp.csum.verdict);
}

/*
 * Analyse @n frames through the pipeline API, every analyzer running, as
 * the monitor feeds them: frame i is @f[i] (built and done), captured
 * @ms[i] milliseconds after a fixed start.  @skipped records before them
 * are counted but not analysed (pd_pipeline_skip()), so a frame pasted
 * from a capture keeps its number there; otherwise frame numbers follow
 * feed order from 1.  Each frame is fed from an exact-size heap copy.
 * @o is zeroed and must outlive the use of @a (pd_analysis_free() it).
 */
static void run(struct pd_analysis *a, struct pd_analysis_opts *o, const struct fb *f,
		const int64_t *ms, size_t n, unsigned skipped)
{
	static const int64_t start_ms = 1700000000000LL;
	const struct pd_sink sink = {.on_packet = check_fed};
	struct pd_pipeline *pipe;

	memset(o, 0, sizeof(*o));
	pd_analysis_begin(a, o, NULL, "test");
	assert_int_equal(pd_pipeline_open(&pipe, a, &sink), 0);
	for (unsigned i = 0; i < skipped; i++)
		pd_pipeline_skip(pipe);
	for (size_t i = 0; i < n; i++) {
		struct pd_frame fr;
		uint8_t *copy = malloc(f[i].n);

		assert_non_null(copy);
		memcpy(copy, f[i].b, f[i].n);
		memset(&fr, 0, sizeof(fr));
		fr.data = copy;
		fr.caplen = fr.wirelen = (uint32_t)f[i].n;
		fr.ts_ns = (start_ms + ms[i]) * 1000000;
		fr.linktype = PD_LINKTYPE_EN10MB;
		assert_int_equal(pd_pipeline_feed(pipe, &fr), skipped + i + 1);
		free(copy);
	}
	assert_int_equal(pd_pipeline_finish(pipe), 0);
	pd_pipeline_close(pipe);
	/* the frames are built right: no finding about them but the test's */
	assert_int_equal(count(&a->findings, "checksum.bad"), 0);
	assert_int_equal(count(&a->findings, "capture.duplicate_frames"), 0);
}

/* @f holds a frame pasted from a capture, unchanged. */
static void fb_copy(struct fb *f, const uint8_t *bytes, size_t len)
{
	assert_true(len <= sizeof(f->b));
	memset(f, 0, sizeof(*f));
	memcpy(f->b, bytes, len);
	f->n = len;
}

static void check_scenario_findings(const struct pd_analysis *a)
{
	const struct pd_findings *l = &a->findings;
	const struct pd_finding *f;
	const struct pd_dhcp_client *c;
	size_t n;

	/* one rootpath_invalid for the two frames carrying the same text */
	assert_int_equal(count(l, "dhcp.rootpath_invalid"), 1);
	f = find(l, "dhcp.rootpath_invalid", 0);
	assert_int_equal(f->severity, PD_SEV_ERROR);
	assert_int_equal(f->n_frames, 2);
	assert_int_equal(f->frames[0], 2);
	assert_int_equal(f->frames[1], 4);
	assert_string_equal(f->flow, "host 10.79.0.1");
	assert_string_equal(ev(f, "root_path")->s,
			    "iscsi:10.79.0.1::99999:0:iqn.2026-11.lab.pktdoctor:disk1");
	assert_string_equal(ev(f, "reason")->s, "port 99999 is out of range 1-65535");
	assert_string_equal(ev(f, "problems")->s, "bad_port");
	assert_string_equal(ev(f, "client")->s, "02:79:00:00:11:01");
	assert_int_equal(ev(f, "server_frame")->v.u, 2);
	assert_int_equal(ev(f, "clients")->v.u, 1);

	assert_int_equal(count(l, "dhcp.rootpath_lun_ambiguous"), 1);
	f = find(l, "dhcp.rootpath_lun_ambiguous", 0);
	assert_int_equal(f->severity, PD_SEV_WARNING);
	assert_string_equal(ev(f, "lun_text")->s, "40");
	assert_int_equal(ev(f, "lun_hex_value")->v.u, 64);
	assert_int_equal(ev(f, "lun_if_decimal")->v.u, 40);
	assert_int_equal(f->frames_total, 2);

	assert_int_equal(count(l, "dhcp.vendor_mismatch"), 1);
	f = find(l, "dhcp.vendor_mismatch", 0);
	assert_int_equal(f->severity, PD_SEV_WARNING); /* the client named no vendor */
	assert_int_equal(f->frames[0], 10);
	assert_string_equal(ev(f, "suboptions")->s, "201,203");
	assert_string_equal(ev(f, "client")->s, "02:79:00:00:12:02");

	assert_int_equal(count(l, "dhcp.no_offer"), 1);
	f = find(l, "dhcp.no_offer", 0);
	assert_int_equal(f->severity, PD_SEV_ERROR);
	assert_int_equal(f->frames_total, 3);
	assert_int_equal(f->frames[0], 11);
	assert_int_equal(f->frames[2], 13);
	assert_int_equal(ev(f, "discovers")->v.u, 3);
	assert_true(ev(f, "tried_for_s")->v.d > 11.99 && ev(f, "tried_for_s")->v.d < 12.01);
	assert_true(ev(f, "first_s")->v.d > 18.99 && ev(f, "first_s")->v.d < 19.01);
	assert_string_equal(ev(f, "vendor_class")->s, "PXEClient:Arch:00000:UNDI:002001");
	assert_int_equal(ev(f, "offers_to_other_clients")->v.u, 3);
	assert_int_equal(ev(f, "client_secs")->v.u, 8);

	/* dhcp.rootpath: only for the client whose root path is valid */
	assert_int_equal(count(l, "dhcp.rootpath"), 2);
	f = find(l, "dhcp.rootpath", 0);
	assert_non_null(f);
	n = 0;
	for (size_t k = 0; (f = find(l, "dhcp.rootpath", k)) != NULL; k++) {
		if (!strcmp(ev(f, "client")->s, "02:79:00:00:11:02")) {
			assert_int_equal(ev(f, "lun")->v.u, 64);
			assert_int_equal(ev(f, "port")->v.u, 3260);
			assert_string_equal(ev(f, "target")->s, "iqn.2026-11.lab.pktdoctor:disk1");
			assert_string_equal(ev(f, "client_ip")->s, "10.79.0.102");
			assert_int_equal(f->frames[0], 8);
			n++;
		} else {
			/* MAC2's 43.201 root path */
			assert_string_equal(ev(f, "client")->s, "02:79:00:00:12:02");
			assert_string_equal(ev(f, "source")->s, "option 43.201");
			assert_string_equal(ev(f, "target")->s, "iqn.2026-11.lab:disk1");
			n++;
		}
	}
	assert_int_equal(n, 2);

	/* the published client list, in order of first message */
	c = pd_dhcp_clients(a, &n);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].mac, "02:79:00:00:11:01");
	assert_int_equal(c[0].discovers, 1);
	assert_int_equal(c[0].offers, 1);
	assert_int_equal(c[0].requests, 1);
	assert_int_equal(c[0].acks, 1);
	assert_int_equal(c[0].discover_frame, 1);
	assert_int_equal(c[0].offer_frame, 2);
	assert_int_equal(c[0].request_frame, 3);
	assert_int_equal(c[0].ack_frame, 4);
	assert_int_equal(c[0].offer_ns - c[0].discover_ns, 1000000);
	assert_memory_equal(c[0].offered_ip, IP101, 4);
	assert_memory_equal(c[0].assigned_ip, IP101, 4);
	assert_memory_equal(c[0].server_id, SRV_IP, 4);
	assert_memory_equal(c[0].next_server, SRV_IP, 4);
	assert_string_equal(c[0].root_path,
			    "iscsi:10.79.0.1::99999:0:iqn.2026-11.lab.pktdoctor:disk1");
	assert_int_equal(c[0].root_path_opt, 17);
	assert_string_equal(c[1].mac, "02:79:00:00:11:02");
	assert_string_equal(c[1].user_class, "iPXE");
	assert_true(c[1].ipxe);
	assert_true(c[1].has_arch);
	assert_int_equal(c[1].client_arch, 7);
	assert_string_equal(c[1].boot_file, "undionly.kpxe");
	assert_string_equal(c[2].mac, "02:79:00:00:12:02");
	assert_int_equal(c[2].root_path_opt, 43);
	assert_string_equal(c[3].mac, "02:79:00:00:14:01");
	assert_int_equal(c[3].discovers, 3);
	assert_int_equal(c[3].offers, 0);
	assert_string_equal(c[3].vendor_class, "PXEClient:Arch:00000:UNDI:002001");
	assert_false(c[3].has_arch);
}

/*
 * Frame 6 of captures/dhcp-rootpath.pcap (dnsmasq -> dhclient, one run's
 * copy): the OFFER to 02:79:00:00:11:02 with root path LUN "40".
 * tshark 4.0.17: Boot Reply, Transaction ID 0xb363b864, Your (client) IP
 * 10.79.0.102, Next server IP 10.79.0.1, Client MAC 02:79:00:00:11:02,
 * Server host name / Boot file name not given, Magic cookie: DHCP,
 * options 53 (Offer), 54 (10.79.0.1), 51, 58, 59, 1, 28, 3, 203 (length
 * 33, "iqn.2026-11.lab.pktdoctor:client1"), 17 (length 56, "iscsi:
 * 10.79.0.1::3260:40:iqn.2026-11.lab.pktdoctor:disk1"), 255 End.
 */
static const uint8_t real_offer_rootpath[] = {
	0x02, 0x79, 0x00, 0x00, 0x11, 0x02, 0x02, 0x79, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0xc0, 0x01, 0x97, 0xb5, 0xa7, 0x00, 0x00, 0x40, 0x11,
	0xad, 0xea, 0x0a, 0x4f, 0x00, 0x01, 0x0a, 0x4f, 0x00, 0x66, 0x00, 0x43,
	0x00, 0x44, 0x01, 0x83, 0xbd, 0x39, 0x02, 0x01, 0x06, 0x00, 0xb3, 0x63,
	0xb8, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4f,
	0x00, 0x66, 0x0a, 0x4f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x79,
	0x00, 0x00, 0x11, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x02, 0x36, 0x04, 0x0a,
	0x4f, 0x00, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0x3a, 0x04, 0x00,
	0x00, 0x07, 0x08, 0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, 0x01, 0x04, 0xff,
	0xff, 0xff, 0x00, 0x1c, 0x04, 0x0a, 0x4f, 0x00, 0xff, 0x03, 0x04, 0x0a,
	0x4f, 0x00, 0x01, 0xcb, 0x21, 0x69, 0x71, 0x6e, 0x2e, 0x32, 0x30, 0x32,
	0x36, 0x2d, 0x31, 0x31, 0x2e, 0x6c, 0x61, 0x62, 0x2e, 0x70, 0x6b, 0x74,
	0x64, 0x6f, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x63, 0x6c, 0x69, 0x65, 0x6e,
	0x74, 0x31, 0x11, 0x38, 0x69, 0x73, 0x63, 0x73, 0x69, 0x3a, 0x31, 0x30,
	0x2e, 0x37, 0x39, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x3a, 0x33, 0x32, 0x36,
	0x30, 0x3a, 0x34, 0x30, 0x3a, 0x69, 0x71, 0x6e, 0x2e, 0x32, 0x30, 0x32,
	0x36, 0x2d, 0x31, 0x31, 0x2e, 0x6c, 0x61, 0x62, 0x2e, 0x70, 0x6b, 0x74,
	0x64, 0x6f, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x64, 0x69, 0x73, 0x6b, 0x31,
	0xff,
};

/*
 * Frame 6 of captures/dhcp-vendor43.pcap: the OFFER dnsmasq sends to
 * 02:79:00:00:12:02, a client that sent no vendor class, with the iSCSI
 * option 43 forced on it and no option 60 (the misconfiguration the
 * capture was made for).  tshark 4.0.17: Transaction ID 0x0e98994c, Your
 * (client) IP 10.79.0.112, options 53 (Offer), 54, 51, 58, 59, 1, 28, 3,
 * 43 (Vendor-Specific Information, length 150: c9 37 "iscsi:10.79.0.1::
 * 3260:0:iqn.2026-11.lab.pktdoctor:disk1", ca 37 "iscsi:10.79.0.2::3260:
 * 0:iqn.2026-11.lab.pktdoctor:disk2", cb 21 "iqn.2026-11.lab.pktdoctor:
 * client1", ff), 255 End.
 */
static const uint8_t real_offer_vendor43[] = {
	0x02, 0x79, 0x00, 0x00, 0x12, 0x02, 0x02, 0x79, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0xc0, 0x01, 0xd2, 0x61, 0xa5, 0x00, 0x00, 0x40, 0x11,
	0x01, 0xa8, 0x0a, 0x4f, 0x00, 0x01, 0x0a, 0x4f, 0x00, 0x70, 0x00, 0x43,
	0x00, 0x44, 0x01, 0xbe, 0x89, 0xf1, 0x02, 0x01, 0x06, 0x00, 0x0e, 0x98,
	0x99, 0x4c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4f,
	0x00, 0x70, 0x0a, 0x4f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x79,
	0x00, 0x00, 0x12, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x02, 0x36, 0x04, 0x0a,
	0x4f, 0x00, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0x3a, 0x04, 0x00,
	0x00, 0x07, 0x08, 0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, 0x01, 0x04, 0xff,
	0xff, 0xff, 0x00, 0x1c, 0x04, 0x0a, 0x4f, 0x00, 0xff, 0x03, 0x04, 0x0a,
	0x4f, 0x00, 0x01, 0x2b, 0x96, 0xc9, 0x37, 0x69, 0x73, 0x63, 0x73, 0x69,
	0x3a, 0x31, 0x30, 0x2e, 0x37, 0x39, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x3a,
	0x33, 0x32, 0x36, 0x30, 0x3a, 0x30, 0x3a, 0x69, 0x71, 0x6e, 0x2e, 0x32,
	0x30, 0x32, 0x36, 0x2d, 0x31, 0x31, 0x2e, 0x6c, 0x61, 0x62, 0x2e, 0x70,
	0x6b, 0x74, 0x64, 0x6f, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x64, 0x69, 0x73,
	0x6b, 0x31, 0xca, 0x37, 0x69, 0x73, 0x63, 0x73, 0x69, 0x3a, 0x31, 0x30,
	0x2e, 0x37, 0x39, 0x2e, 0x30, 0x2e, 0x32, 0x3a, 0x3a, 0x33, 0x32, 0x36,
	0x30, 0x3a, 0x30, 0x3a, 0x69, 0x71, 0x6e, 0x2e, 0x32, 0x30, 0x32, 0x36,
	0x2d, 0x31, 0x31, 0x2e, 0x6c, 0x61, 0x62, 0x2e, 0x70, 0x6b, 0x74, 0x64,
	0x6f, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x64, 0x69, 0x73, 0x6b, 0x32, 0xcb,
	0x21, 0x69, 0x71, 0x6e, 0x2e, 0x32, 0x30, 0x32, 0x36, 0x2d, 0x31, 0x31,
	0x2e, 0x6c, 0x61, 0x62, 0x2e, 0x70, 0x6b, 0x74, 0x64, 0x6f, 0x63, 0x74,
	0x6f, 0x72, 0x3a, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x31, 0xff, 0xff,
};

static void test_real_offer_rootpath(void **state)
{
	struct pd_packet p;
	struct pd_rootpath rp;
	char buf[300];
	static const uint8_t mac[6] = {0x02, 0x79, 0, 0, 0x11, 0x02};
	static const uint8_t yi[4] = {10, 79, 0, 102};
	static const int codes[] = {1, 3, 17, 28, 51, 53, 54, 58, 59, 203, 255};
	int n = 0;

	(void)state;
	dissect(&p, real_offer_rootpath, sizeof(real_offer_rootpath), sizeof(real_offer_rootpath));
	expect_no_events(&p);
	assert_true(p.layers & PD_L_DHCP);
	assert_true(p.udp.csum.verdict == PD_CSUM_VALID);
	assert_int_equal(p.dhcp.op, 2);
	assert_int_equal(p.dhcp.xid, 0xb363b864);
	assert_memory_equal(p.dhcp.yiaddr, yi, 4);
	assert_memory_equal(p.dhcp.siaddr, SRV_IP, 4);
	assert_memory_equal(p.dhcp.chaddr, mac, 6);
	assert_int_equal(p.dhcp.sname.len, 0);
	assert_int_equal(p.dhcp.file.len, 0);
	assert_true(p.dhcp.cookie);
	assert_int_equal(p.dhcp.msg_type, 2);
	for (int c = 1; c < 256; c++) {
		if (!pd_dhcp_has(&p.dhcp, (uint8_t)c))
			continue;
		assert_true(n < (int)(sizeof(codes) / sizeof(codes[0])));
		assert_int_equal(c, codes[n++]);
	}
	assert_int_equal(n, sizeof(codes) / sizeof(codes[0]));
	assert_int_equal(p.dhcp.opt[203].len, 33);
	span_is(&p, p.dhcp.opt[203], "iqn.2026-11.lab.pktdoctor:client1");
	span_is(&p, p.dhcp.opt[17], "iscsi:10.79.0.1::3260:40:iqn.2026-11.lab.pktdoctor:disk1");
	pd_span_str(&p, p.dhcp.opt[17], buf, sizeof(buf));
	assert_int_equal(pd_rootpath_parse(buf, strlen(buf), &rp), 0);
	assert_int_equal(rp.lun, 64);
	assert_true(rp.lun_ambiguous);
}

static void test_real_offer_vendor43(void **state)
{
	struct pd_packet p;
	struct pd_analysis a;
	struct pd_analysis_opts o;
	const struct pd_finding *f;
	const struct pd_dhcp_client *c;
	static struct fb fr[2];
	size_t n;

	(void)state;
	dissect(&p, real_offer_vendor43, sizeof(real_offer_vendor43), sizeof(real_offer_vendor43));
	expect_no_events(&p);
	assert_int_equal(p.dhcp.xid, 0x0e98994c);
	assert_int_equal(p.dhcp.msg_type, 2);
	assert_int_equal(p.dhcp.opt[43].len, 150);
	assert_false(pd_dhcp_has(&p.dhcp, 60));

	/* the OFFER alone, as frame 6 it is in the capture: frames 1-5 are
	 * counted but not analysed */
	fb_copy(&fr[0], real_offer_vendor43, sizeof(real_offer_vendor43));
	run(&a, &o, fr, (const int64_t[]){0}, 1, 5);
	f = find(&a.findings, "dhcp.vendor_mismatch", 0);
	assert_non_null(f);
	assert_int_equal(f->severity, PD_SEV_WARNING);
	assert_string_equal(ev(f, "suboptions")->s, "201,202,203");
	assert_string_equal(ev(f, "server")->s, "10.79.0.1");
	assert_int_equal(f->frames[0], 6);
	assert_int_equal(count(&a.findings, "dhcp.rootpath_invalid"), 0);
	f = find(&a.findings, "dhcp.rootpath", 0);
	assert_non_null(f);
	assert_string_equal(ev(f, "source")->s, "option 43.201");
	assert_string_equal(ev(f, "target")->s, "iqn.2026-11.lab.pktdoctor:disk1");
	c = pd_dhcp_clients(&a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].offers, 1);
	assert_int_equal(c[0].root_path_opt, 43);
	assert_string_equal(c[0].root_path, "iscsi:10.79.0.1::3260:0:iqn.2026-11.lab.pktdoctor:disk1");
	pd_analysis_free(&a);

	/* the same OFFER to a client that named its vendor class "BRCM ISAN" in
	 * its DISCOVER: that HBA ignores option 43 without option 60: error */
	{
		static const uint8_t mac[6] = {0x02, 0x79, 0, 0, 0x12, 0x02};

		/* frame 1 the DISCOVER, frame 2 the OFFER */
		fb_begin(&fr[0], 1, 1, mac, 0x0e98994c, NULL, 0);
		fb_str(&fr[0], 60, "BRCM ISAN");
		fb_end(&fr[0]);
		fb_copy(&fr[1], real_offer_vendor43, sizeof(real_offer_vendor43));
		run(&a, &o, fr, (const int64_t[]){0, 1}, 2, 0);
		f = find(&a.findings, "dhcp.vendor_mismatch", 0);
		assert_non_null(f);
		assert_int_equal(f->severity, PD_SEV_ERROR);
		assert_int_equal(ev(f, "clients_with_vendor_class")->v.u, 1);
		assert_string_equal(ev(f, "client_vendor_class")->s, "BRCM ISAN");
		pd_analysis_free(&a);
	}
}

/* When an unanswered run of DISCOVERs is a no_offer, and when not. */
static void test_no_offer_runs(void **state)
{
	static struct fb f[6];
	static const int64_t ms[6] = {0, 1, 2, 3, 10000, 14000};
	struct pd_analysis a;
	struct pd_analysis_opts o;
	const struct pd_finding *x;

	(void)state;
	/* answered (DORA), then a later stage (user class iPXE) is ignored */
	fb_begin(&f[0], 1, 1, MAC1, 1, NULL, 0);
	fb_end(&f[0]);
	reply(&f[1], 2, MAC1, IP101, NULL);
	fb_end(&f[1]);
	fb_begin(&f[2], 1, 3, MAC1, 1, NULL, 0);
	fb_opt(&f[2], 54, SRV_IP, 4);
	fb_end(&f[2]);
	reply(&f[3], 5, MAC1, IP101, NULL);
	fb_end(&f[3]);
	for (int i = 4; i < 6; i++) {
		fb_begin(&f[i], 1, 1, MAC1, 2, NULL, 0);
		fb_str(&f[i], 77, "iPXE");
		fb_end(&f[i]);
	}
	run(&a, &o, f, ms, 6, 0);
	assert_int_equal(count(&a.findings, "dhcp.no_offer"), 1);
	x = find(&a.findings, "dhcp.no_offer", 0);
	assert_int_equal(ev(x, "discovers")->v.u, 2);
	assert_int_equal(ev(x, "earlier_offers")->v.u, 1);
	assert_int_equal(ev(x, "offers_to_other_clients")->v.u, 0);
	assert_string_equal(ev(x, "user_class")->s, "iPXE");
	assert_int_equal(x->frames[0], 5);
	assert_non_null(strstr(x->message, "answered earlier"));
	pd_analysis_free(&a);

	/* two DISCOVERs, then a REQUEST selecting a server: the OFFER was
	 * made where the capture did not see it; no finding */
	fb_begin(&f[0], 1, 1, MAC1, 1, NULL, 0);
	fb_end(&f[0]);
	fb_begin(&f[1], 1, 1, MAC1, 1, NULL, 4);
	fb_end(&f[1]);
	fb_begin(&f[2], 1, 3, MAC1, 1, NULL, 4);
	fb_opt(&f[2], 54, SRV_IP, 4);
	fb_end(&f[2]);
	run(&a, &o, f, (const int64_t[]){0, 4000, 4010}, 3, 0);
	assert_int_equal(count(&a.findings, "dhcp.no_offer"), 0);
	pd_analysis_free(&a);

	/* one DISCOVER at the very end of the capture: too early to tell */
	fb_begin(&f[0], 1, 1, MAC1, 1, NULL, 0);
	fb_end(&f[0]);
	run(&a, &o, f, (const int64_t[]){0}, 1, 0);
	assert_int_equal(count(&a.findings, "dhcp.no_offer"), 0);
	pd_analysis_free(&a);

	/* one DISCOVER and 5 s more of capture (another client's traffic) */
	fb_begin(&f[1], 1, 3, MAC2, 9, NULL, 0);
	fb_end(&f[1]);
	run(&a, &o, f, (const int64_t[]){0, 5000}, 2, 0);
	assert_int_equal(count(&a.findings, "dhcp.no_offer"), 1);
	pd_analysis_free(&a);
}

/* A root path with a NUL inside (not a terminator): invalid, one finding
 * for both replies, and no dhcp.rootpath for the client. */
static void test_rootpath_nul_inside(void **state)
{
	static struct fb f[2];
	static const uint8_t rp[] = "iscsi:10.79.0.1::::iqn.2026-11.lab:d\0x";
	struct pd_analysis a;
	struct pd_analysis_opts o;
	const struct pd_finding *x;

	(void)state;
	for (int i = 0; i < 2; i++) {
		reply(&f[i], i ? 5 : 2, MAC1, IP101, NULL);
		fb_opt(&f[i], 17, rp, sizeof(rp) - 1);
		fb_end(&f[i]);
	}
	run(&a, &o, f, (const int64_t[]){0, 1}, 2, 0);
	assert_int_equal(count(&a.findings, "dhcp.rootpath_invalid"), 1);
	x = find(&a.findings, "dhcp.rootpath_invalid", 0);
	assert_int_equal(x->frames_total, 2);
	assert_string_equal(ev(x, "problems")->s, "bad_char");
	assert_int_equal(count(&a.findings, "dhcp.rootpath"), 0);
	pd_analysis_free(&a);
}

/* The scenario's frames fed to the pipeline API one by one. */
static void test_analyzer_feed(void **state)
{
	static struct scenario s;
	struct pd_analysis a;
	struct pd_analysis_opts o;

	(void)state;
	build_scenario(&s);
	run(&a, &o, s.f, s.ms, s.n, 0);
	check_scenario_findings(&a);
	pd_analysis_free(&a);
}

/* Write @n frames with capture times @ms (milliseconds) to a temporary
 * pcap file and analyse it with pd_analyze_file(). */
static void analyze_frames(struct pd_analysis *a, struct fb *f, const int64_t *ms, size_t n)
{
	char path[] = "/tmp/pd-test-boot-XXXXXX";
	int fd = mkstemp(path);
	static const uint8_t gh[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
				       0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0};
	static struct pd_analysis_opts o;
	FILE *fp;

	assert_true(fd >= 0);
	close(fd);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite(gh, 1, sizeof(gh), fp);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)fb_done(&f[i]);
		uint32_t rh[4] = {(uint32_t)(1700000000 + ms[i] / 1000),
				  (uint32_t)(ms[i] % 1000 * 1000), len, len}; /* little-endian host, as gh */

		fwrite(rh, 1, sizeof(rh), fp);
		fwrite(f[i].b, 1, len, fp);
	}
	fclose(fp);
	memset(&o, 0, sizeof(o));
	assert_int_equal(pd_analyze_file(path, &o, a), 0);
	unlink(path);
}

/* The same frames from a pcap file, through the file source. */
static void test_analyzer_pipeline(void **state)
{
	static struct scenario s;
	struct pd_analysis a;

	(void)state;
	build_scenario(&s);
	analyze_frames(&a, s.f, s.ms, s.n);
	check_scenario_findings(&a);
	pd_analysis_free(&a);
}

/*
 * DHCPNAK (RFC 2131 4.3.2) and DHCPDECLINE (4.4.1).  Frames:
 *  1 REQUEST for 10.79.9.50 (option 50, no server id: INIT-REBOOT)
 *  2 NAK with option 56 "wrong network"
 *  3-6 DISCOVER, OFFER, REQUEST, ACK 10.79.0.101 (3 s later)
 * and, for another client:
 *  1-4 DORA for 10.79.0.112, 5 DECLINE of it (option 50), no lease after
 */
static void test_nak_decline(void **state)
{
	static struct fb f[6];
	static const uint8_t OLD[4] = {10, 79, 9, 50};
	struct pd_analysis a;
	struct pd_analysis_opts o;
	const struct pd_finding *x;
	const struct pd_dhcp_client *c;
	size_t n;

	(void)state;
	fb_begin(&f[0], 1, 3, MAC1, 7, NULL, 0);
	fb_opt(&f[0], 50, OLD, 4);
	fb_end(&f[0]);
	fb_begin(&f[1], 2, 6, MAC1, 7, NULL, 0);
	fb_opt(&f[1], 54, SRV_IP, 4);
	fb_str(&f[1], 56, "wrong network");
	fb_end(&f[1]);
	fb_begin(&f[2], 1, 1, MAC1, 8, NULL, 0);
	fb_end(&f[2]);
	reply(&f[3], 2, MAC1, IP101, NULL);
	fb_end(&f[3]);
	fb_begin(&f[4], 1, 3, MAC1, 8, NULL, 0);
	fb_opt(&f[4], 54, SRV_IP, 4);
	fb_opt(&f[4], 50, IP101, 4);
	fb_end(&f[4]);
	reply(&f[5], 5, MAC1, IP101, NULL);
	fb_end(&f[5]);
	run(&a, &o, f, (const int64_t[]){0, 1, 5, 3005, 3010, 3015}, 6, 0);
	assert_int_equal(count(&a.findings, "dhcp.nak"), 1);
	assert_int_equal(count(&a.findings, "dhcp.decline"), 0);
	x = find(&a.findings, "dhcp.nak", 0);
	assert_int_equal(x->severity, PD_SEV_WARNING); /* a lease followed */
	assert_int_equal(x->n_frames, 3);
	assert_int_equal(x->frames[0], 1);
	assert_int_equal(x->frames[1], 2);
	assert_int_equal(x->frames[2], 6);
	assert_string_equal(ev(x, "requested_ip")->s, "10.79.9.50");
	assert_string_equal(ev(x, "server")->s, "10.79.0.1");
	assert_string_equal(ev(x, "server_message")->s, "wrong network");
	assert_non_null(strstr(ev(x, "client_state")->s, "INIT-REBOOT"));
	assert_true(ev(x, "lost_s")->v.d > 3.0 && ev(x, "lost_s")->v.d < 3.1);
	c = pd_dhcp_clients(&a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(c->naks, 1);
	assert_int_equal(c->nak_frame, 2);
	assert_int_equal(c->ack_after_nak_frame, 6);
	pd_analysis_free(&a);

	/* the NAK alone, no lease after it: an error */
	run(&a, &o, f, (const int64_t[]){0, 1}, 2, 0);
	x = find(&a.findings, "dhcp.nak", 0);
	assert_non_null(x);
	assert_int_equal(x->severity, PD_SEV_ERROR);
	assert_int_equal(ev(x, "ack_after_frame")->v.u, 0);
	pd_analysis_free(&a);

	/* DORA, then DECLINE of the ACKed address */
	fb_begin(&f[0], 1, 1, MAC2, 9, NULL, 0);
	fb_end(&f[0]);
	reply(&f[1], 2, MAC2, IP112, NULL);
	fb_end(&f[1]);
	fb_begin(&f[2], 1, 3, MAC2, 9, NULL, 0);
	fb_opt(&f[2], 54, SRV_IP, 4);
	fb_end(&f[2]);
	reply(&f[3], 5, MAC2, IP112, NULL);
	fb_end(&f[3]);
	fb_begin(&f[4], 1, 4, MAC2, 10, NULL, 0);
	fb_opt(&f[4], 50, IP112, 4);
	fb_opt(&f[4], 54, SRV_IP, 4);
	fb_end(&f[4]);
	run(&a, &o, f, (const int64_t[]){0, 1, 2, 3, 50}, 5, 0);
	assert_int_equal(count(&a.findings, "dhcp.decline"), 1);
	assert_int_equal(count(&a.findings, "dhcp.nak"), 0);
	x = find(&a.findings, "dhcp.decline", 0);
	assert_int_equal(x->severity, PD_SEV_ERROR);
	assert_int_equal(x->n_frames, 2);
	assert_int_equal(x->frames[0], 4); /* the ACK that gave the address */
	assert_int_equal(x->frames[1], 5);
	assert_string_equal(ev(x, "declined_ip")->s, "10.79.0.112");
	assert_string_equal(ev(x, "server")->s, "10.79.0.1");
	assert_int_equal(ev(x, "ack_after_frame")->v.u, 0);
	pd_analysis_free(&a);
}

static const struct pd_finding *limit(const struct pd_analysis *a, const char *table)
{
	for (size_t i = 0; i < a->findings.n; i++) {
		const struct pd_finding *f = &a->findings.v[i];

		if (!strcmp(f->id, "analysis.limit_reached") && !strcmp(ev(f, "table")->s, table))
			return f;
	}
	return NULL;
}

/*
 * boot.delay's bounds: 256 clients, 16 pauses each; what is past them is
 * counted in an analysis.limit_reached finding, never dropped silently.
 */
static void test_boot_delay_limits(void **state)
{
	static struct fb f[300];
	static int64_t ms[300];
	struct pd_analysis a;
	const struct pd_finding *x;
	size_t n = 0;

	(void)state;
	/* one PXE client: 20 DORA exchanges 2 s apart, so 19 idle pauses */
	for (int k = 0; k < 20; k++) {
		fb_begin(&f[n], 1, 1, MAC1, (uint32_t)k, NULL, 0);
		fb_str(&f[n], 60, "PXEClient:Arch:00000:UNDI:002001");
		fb_end(&f[n]);
		ms[n++] = k * 2000;
		reply(&f[n], 2, MAC1, IP101, NULL);
		fb_end(&f[n]);
		ms[n++] = k * 2000 + 1;
		fb_begin(&f[n], 1, 3, MAC1, (uint32_t)k, NULL, 0);
		fb_opt(&f[n], 54, SRV_IP, 4);
		fb_end(&f[n]);
		ms[n++] = k * 2000 + 2;
		reply(&f[n], 5, MAC1, IP101, NULL);
		fb_end(&f[n]);
		ms[n++] = k * 2000 + 3;
	}
	analyze_frames(&a, f, ms, n);
	assert_int_equal(count(&a.findings, "boot.delay"), 16);
	x = find(&a.findings, "boot.delay", 0);
	assert_string_equal(ev(x, "cause")->s, "idle");
	assert_int_equal(ev(x, "from_frame")->v.u, 4);
	assert_int_equal(ev(x, "to_frame")->v.u, 5);
	x = limit(&a, "boot pauses");
	assert_non_null(x);
	assert_int_equal(ev(x, "limit")->v.u, 16);
	assert_int_equal(ev(x, "overflow")->v.u, 3);
	pd_analysis_free(&a);

	/* 300 clients, one DISCOVER each */
	for (n = 0; n < 300; n++) {
		uint8_t mac[6] = {0x02, 0x79, 0x01, 0, (uint8_t)(n >> 8), (uint8_t)n};

		fb_begin(&f[n], 1, 1, mac, (uint32_t)n, NULL, 0);
		fb_end(&f[n]);
		ms[n] = (int64_t)n;
	}
	analyze_frames(&a, f, ms, n);
	x = limit(&a, "boot clients");
	assert_non_null(x);
	assert_int_equal(ev(x, "limit")->v.u, 256);
	assert_int_equal(ev(x, "overflow")->v.u, 44);
	pd_analysis_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rootpath_defaults),
		cmocka_unit_test(test_rootpath_lun_groups),
		cmocka_unit_test(test_rootpath_ipv6),
		cmocka_unit_test(test_rootpath_target_colons),
		cmocka_unit_test(test_rootpath_lun_ambiguity),
		cmocka_unit_test(test_rootpath_bad_protocol),
		cmocka_unit_test(test_rootpath_bad_port),
		cmocka_unit_test(test_rootpath_bad_lun),
		cmocka_unit_test(test_rootpath_bad_target),
		cmocka_unit_test(test_rootpath_structure),
		cmocka_unit_test_teardown(test_dhcp_offer_options, free_frame),
		cmocka_unit_test_teardown(test_dhcp_overload, free_frame),
		cmocka_unit_test_teardown(test_dhcp_plain_bootp, free_frame),
		cmocka_unit_test_teardown(test_dhcp_malformed_options, free_frame),
		cmocka_unit_test_teardown(test_dhcp_snaplen, free_frame),
		cmocka_unit_test_teardown(test_dhcp_every_length, free_frame),
		cmocka_unit_test_teardown(test_dhcpv6_solicit, free_frame),
		cmocka_unit_test_teardown(test_dhcpv6_malformed, free_frame),
		cmocka_unit_test_teardown(test_real_offer_rootpath, free_frame),
		cmocka_unit_test_teardown(test_real_offer_vendor43, free_frame),
		cmocka_unit_test_teardown(test_no_offer_runs, free_frame),
		cmocka_unit_test_teardown(test_nak_decline, free_frame),
		cmocka_unit_test_teardown(test_boot_delay_limits, free_frame),
		cmocka_unit_test_teardown(test_rootpath_nul_inside, free_frame),
		cmocka_unit_test_teardown(test_analyzer_feed, free_frame),
		cmocka_unit_test_teardown(test_analyzer_pipeline, free_frame),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
