/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_syslog.c - the syslog analyzer on hand-built frames: which
 * messages are boot errors, and syslog over TCP (RFC 6587) read from
 * in-order payload: octet counting across segments, newline framing,
 * retransmissions, sequence gaps.
 *
 * Where the expected values come from: RFC 6587 3.4.1 ("MSG-LEN SP
 * SYSLOG-MSG", MSG-LEN the octets of SYSLOG-MSG) and 3.4.2 (LF
 * trailer), RFC 5424 6 (the message format), and the rule in
 * docs/FINDINGS.md (syslog.boot_error).  Each frame is dissected from an
 * exact-size heap copy, so AddressSanitizer sees any overread.
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

#include "pd_test_frames.h"

#include "pktdoctor/analyze.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/source.h"

/* Ethernet + IPv4 10.80.1.50 -> 10.80.1.1 + TCP 40000 -> 514 (or UDP
 * 514 -> 514) + @payload, with correct checksums: the TCP stream layer,
 * like a receiver, does not deliver a segment whose checksum is bad. */
static size_t frame(uint8_t *b, bool tcp, uint32_t seq, uint8_t flags, const char *payload)
{
	size_t pl = strlen(payload), l4 = tcp ? 20 : 8, ipl = 20 + l4 + pl;
	uint8_t *ip = b + 14, *t = ip + 20;

	memset(b, 0, 14 + ipl);
	memcpy(b, (const uint8_t[]){2, 0x80, 0, 0, 0, 1, 2, 0x80, 0, 1, 0, 0x50, 8, 0}, 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ipl >> 8);
	ip[3] = (uint8_t)ipl;
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	memcpy(ip + 12, (const uint8_t[]){10, 80, 1, 50, 10, 80, 1, 1}, 8);
	if (tcp) {
		t[0] = 40000 >> 8;
		t[1] = 40000 & 0xff;
		t[3] = 514 & 0xff;
		t[2] = 514 >> 8;
		t[4] = (uint8_t)(seq >> 24);
		t[5] = (uint8_t)(seq >> 16);
		t[6] = (uint8_t)(seq >> 8);
		t[7] = (uint8_t)seq;
		t[12] = 5 << 4;
		t[13] = flags;
		t[14] = 0xff;
	} else {
		t[0] = t[2] = 514 >> 8;
		t[1] = t[3] = 514 & 0xff;
		t[4] = (uint8_t)((8 + pl) >> 8);
		t[5] = (uint8_t)(8 + pl);
	}
	memcpy(t + l4, payload, pl);
	{
		uint8_t ph[12];
		uint32_t sum;

		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = ip[9];
		ph[10] = (uint8_t)((l4 + pl) >> 8);
		ph[11] = (uint8_t)(l4 + pl);
		sum = ~pd_test_sum(t, l4 + pl, pd_test_sum(ph, 12, 0)) & 0xffff;
		if (tcp) {
			t[16] = (uint8_t)(sum >> 8);
			t[17] = (uint8_t)sum;
		} else {
			t[6] = (uint8_t)(sum >> 8);
			t[7] = (uint8_t)sum;
		}
		sum = ~pd_test_sum(ip, 20, 0) & 0xffff;
		ip[10] = (uint8_t)(sum >> 8);
		ip[11] = (uint8_t)sum;
	}
	return 14 + ipl;
}

static size_t count(const struct pd_analysis *a, const char *id);

/* Frames go through the whole pipeline API, as every source feeds it:
 * the syslog analyzer reads TCP payload as the TCP stream layer delivers it. */
struct run {
	struct pd_analysis a;
	struct pd_analysis_opts o;
	struct pd_pipeline *pipe;
	uint64_t frame;
};

static void run_begin(struct run *r)
{
	memset(r, 0, sizeof(*r));
	pd_analysis_begin(&r->a, &r->o, 0, "test");
	assert_int_equal(pd_pipeline_open(&r->pipe, &r->a, 0), 0);
}

static void feed(struct run *r, bool tcp, uint32_t seq, uint8_t flags, const char *payload)
{
	uint8_t b[2048];
	size_t n = frame(b, tcp, seq, flags, payload);
	uint8_t *copy = malloc(n);
	struct pd_frame fr;

	assert_non_null(copy);
	memcpy(copy, b, n);
	memset(&fr, 0, sizeof(fr));
	fr.data = copy;
	fr.caplen = fr.wirelen = (uint32_t)n;
	fr.ts_ns = (int64_t)(r->frame + 1) * 1000000;
	fr.linktype = PD_LINKTYPE_EN10MB;
	assert_int_equal(pd_pipeline_feed(r->pipe, &fr), ++r->frame);
	free(copy);
}

static void run_end(struct run *r)
{
	assert_int_equal(pd_pipeline_finish(r->pipe), 0);
	pd_pipeline_close(r->pipe);
	/* frames are built right: nothing but what the test is about */
	assert_int_equal(count(&r->a, "checksum.bad"), 0);
}

static size_t count(const struct pd_analysis *a, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < a->findings.n; i++)
		n += !strcmp(a->findings.v[i].id, id);
	return n;
}

static const struct pd_finding *nth(const struct pd_analysis *a, const char *id, size_t k)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (!strcmp(a->findings.v[i].id, id) && k-- == 0)
			return &a->findings.v[i];
	return NULL;
}

#define LOGIN_FAILED "<27>1 2026-11-29T22:36:03Z vm tgtd - - - iSCSI login failed: target not found"
#define LINK_UP "<187>1 2026-11-29T22:36:02Z sw %LINK-3-UPDOWN - - - Interface Gi1/0/5, changed state to up"

/* Which messages are boot errors (UDP, the dissector's path). */
static void test_boot_error_rule(void **state)
{
	struct run r;

	(void)state;
	run_begin(&r);
	feed(&r, false, 0, 0, LINK_UP);                                     /* err, not boot */
	feed(&r, false, 0, 0, "<11>sshd[1]: error: Connection closed");     /* err, not boot */
	feed(&r, false, 0, 0, "<11>pxe: PXE boot failed: no root path");    /* err, boot */
	feed(&r, false, 0, 0, "<14>ipxe: Could not boot: (https://ipxe.org/2d0c618e)"); /* info, iPXE code */
	feed(&r, false, 0, 0, "<14>ipxe: Booting from SAN device 0x80");    /* info, not a failure */
	feed(&r, false, 0, 0, "<10>kernel: thousand sandwiches failed");    /* crit, "san" inside a word */
	run_end(&r);
	assert_int_equal(r.a.syslog.n, 6);
	assert_int_equal(count(&r.a, "syslog.boot_error"), 2);
	assert_int_equal(nth(&r.a, "syslog.boot_error", 0)->frames[0], 3);
	assert_int_equal(nth(&r.a, "syslog.boot_error", 1)->frames[0], 4);
	pd_analysis_free(&r.a);
}

/* RFC 6587 octet counting: a message split over two segments, the next
 * one starting in the second; a retransmission of the first segment in
 * between changes nothing. */
static void test_tcp_octet_counting(void **state)
{
	struct run r;
	char all[512], s1[256], s2[512];
	size_t cut = 40;

	(void)state;
	snprintf(all, sizeof(all), "%zu %s%zu %s", strlen(LOGIN_FAILED), LOGIN_FAILED,
		 strlen(LINK_UP), LINK_UP);
	memcpy(s1, all, cut);
	s1[cut] = 0;
	snprintf(s2, sizeof(s2), "%s", all + cut);
	run_begin(&r);
	feed(&r, true, 999, 0x02, "");                 /* SYN: data starts at 1000 */
	feed(&r, true, 1000, 0x18, s1);                /* frame 2 */
	feed(&r, true, 1000, 0x18, s1);                /* frame 3: retransmission */
	feed(&r, true, (uint32_t)(1000 + cut), 0x18, s2); /* frame 4 completes both */
	run_end(&r);
	assert_int_equal(r.a.syslog.n, 2);
	assert_int_equal(r.a.syslog.v[0].severity, 3);
	assert_string_equal(r.a.syslog.v[0].app, "tgtd");
	assert_string_equal(r.a.syslog.v[0].msg, "iSCSI login failed: target not found");
	assert_int_equal(r.a.syslog.v[0].frame, 4);
	assert_string_equal(r.a.syslog.v[1].app, "%LINK-3-UPDOWN");
	assert_int_equal(count(&r.a, "syslog.boot_error"), 1);
	assert_int_equal(count(&r.a, "analysis.limit_reached"), 0);
	pd_analysis_free(&r.a);
}

/* RFC 6587 newline framing: two messages in one segment, one over two;
 * a sequence gap drops the partial message and is counted. */
static void test_tcp_newline_and_gap(void **state)
{
	struct run r;

	(void)state;
	run_begin(&r);
	/* 47 bytes at 1..47, 32 at 48..79 */
	feed(&r, true, 1, 0x18, "<11>pxe: TFTP boot failed\n<14>ipxe: ok\n<11>dhcp");
	feed(&r, true, 48, 0x18, "d: DHCP boot timeout for 02:80\r\n");
	/* 80..99 never seen: resync at 100; 119..129 never seen either, so
	 * the message begun at 100 is dropped */
	feed(&r, true, 100, 0x18, "<11>pxe: lost iSCSI");
	feed(&r, true, 130, 0x18, "<11>pxe: iSCSI boot error after the gap\n");
	run_end(&r);
	assert_int_equal(r.a.syslog.n, 4);
	assert_string_equal(r.a.syslog.v[0].msg, "pxe: TFTP boot failed");
	assert_string_equal(r.a.syslog.v[2].msg, "dhcpd: DHCP boot timeout for 02:80");
	assert_int_equal(r.a.syslog.v[2].frame, 2);
	assert_string_equal(r.a.syslog.v[3].msg, "pxe: iSCSI boot error after the gap");
	assert_int_equal(r.a.syslog.v[3].frame, 4);
	assert_int_equal(count(&r.a, "syslog.boot_error"), 3);
	assert_int_equal(count(&r.a, "analysis.limit_reached"), 1);
	pd_analysis_free(&r.a);
}

/* A MSG-LEN that is not a number, or a message longer than the buffer:
 * counted, never read past. */
static void test_tcp_bad_framing(void **state)
{
	struct run r;
	static char big[1600];

	(void)state;
	run_begin(&r);
	feed(&r, true, 1, 0x18, "12x <11>pxe: boot failed\n");
	/* 3000 octets announced: the first 2048 are judged, the rest skipped */
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "3000 <11>pxe: boot failed ", 26);
	feed(&r, true, 26, 0x18, big);
	memset(big, 'b', sizeof(big) - 1);
	feed(&r, true, (uint32_t)(26 + sizeof(big) - 1), 0x18, big);
	run_end(&r);
	assert_int_equal(count(&r.a, "analysis.limit_reached"), 1);
	assert_int_equal(r.a.syslog.n, 2);
	assert_int_equal(count(&r.a, "syslog.boot_error"), 2);
	pd_analysis_free(&r.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_error_rule),
		cmocka_unit_test(test_tcp_octet_counting),
		cmocka_unit_test(test_tcp_newline_and_gap),
		cmocka_unit_test(test_tcp_bad_framing),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
