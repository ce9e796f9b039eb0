/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tcpstream.c - the TCP stream layer (include/pktdoctor/tcpstream.h):
 * what a segment is against SND.NXT, the ACK side, and in-order delivery
 * with gaps, overlaps, bad checksums and a reused 5-tuple.  Segments are
 * hand-built: each test is one short conversation a receiver would see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/tcpstream.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10

/* One segment from side @dir of @f; returns the layer's verdict. */
static struct pd_tcp_seg seg(struct pd_flow *f, int dir, uint8_t flags, uint32_t seq,
			     uint32_t ack, uint32_t len)
{
	struct pd_packet p;
	struct pd_tcp_seg o;

	memset(&p, 0, sizeof(p));
	p.layers = PD_L_TCP;
	p.tcp.flags = flags;
	p.tcp.seq = seq;
	p.tcp.ack = ack;
	p.tcp.window = 1000;
	p.tcp.payload_len = len;
	p.payload_caplen = len;
	p.tcp.csum.verdict = PD_CSUM_VALID;
	pd_tcp_stream_update(f, dir, &p, &o);
	return o;
}

/* What a test expects of one delivery: the segment's kind, the payload
 * bytes delivered (offset, length), and the bytes skipped before them. */
static void expect_seg(const struct pd_tcp_seg *o, int kind, uint32_t off, uint32_t len,
		       uint32_t gap)
{
	assert_int_equal(o->kind, kind);
	assert_int_equal(o->data_off, off);
	assert_int_equal(o->data_len, len);
	assert_int_equal(o->gap, gap);
}

static void handshake(struct pd_flow *f, uint32_t isn_a, uint32_t isn_b)
{
	seg(f, 0, SYN, isn_a, 0, 0);
	seg(f, 1, SYN | ACK, isn_b, isn_a + 1, 0);
	seg(f, 0, ACK, isn_a + 1, isn_b + 1, 0);
}

static void test_in_order_after_syn(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	o = seg(&f, 0, SYN, 1000, 0, 0);
	assert_int_equal(o.kind, PD_SEG_FIRST);
	assert_true(o.stream_start);
	assert_true(o.start_at_syn);
	assert_int_equal(o.end, 1001);
	seg(&f, 1, SYN | ACK, 5000, 1001, 0);
	o = seg(&f, 0, ACK, 1001, 5001, 0);
	assert_int_equal(o.kind, PD_SEG_NONE); /* a bare ACK has no sequence space */
	o = seg(&f, 0, ACK, 1001, 5001, 100);
	expect_seg(&o, PD_SEG_NEW, 0, 100, 0);
	assert_false(o.stream_start);
	o = seg(&f, 0, ACK, 1101, 5001, 50);
	expect_seg(&o, PD_SEG_NEW, 0, 50, 0);
	assert_int_equal(o.prev_nxt, 1101);
	assert_int_equal(f.dir[0].snd_nxt, 1151);
	assert_int_equal(f.dir[0].rcv_nxt, 1151);
}

static void test_retransmission_and_overlap(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	seg(&f, 0, ACK, 1001, 5001, 100);
	seg(&f, 0, ACK, 1101, 5001, 100);
	/* the first segment again: nothing new to deliver */
	o = seg(&f, 0, ACK, 1001, 5001, 100);
	expect_seg(&o, PD_SEG_OLD, 0, 0, 0);
	assert_int_equal(o.overlap, 100);
	/* a repacketised retransmission that reaches past SND.NXT */
	o = seg(&f, 0, ACK, 1151, 5001, 100);
	expect_seg(&o, PD_SEG_OLD, 50, 50, 0);
	assert_int_equal(o.overlap, 50);
	assert_int_equal(f.dir[0].snd_nxt, 1251);
	assert_int_equal(f.dir[0].rcv_nxt, 1251);
}

static void test_gap_is_not_buffered(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	seg(&f, 0, ACK, 1001, 5001, 100);
	o = seg(&f, 0, ACK, 1401, 5001, 100); /* 300 bytes not captured */
	expect_seg(&o, PD_SEG_GAP, 0, 100, 300);
	/* the missing bytes arrive late: old, already skipped by delivery */
	o = seg(&f, 0, ACK, 1101, 5001, 100);
	expect_seg(&o, PD_SEG_OLD, 0, 0, 0);
}

static void test_bad_checksum_is_not_delivered(void **state)
{
	struct pd_flow f;
	struct pd_packet p;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	memset(&p, 0, sizeof(p));
	p.layers = PD_L_TCP;
	p.tcp.flags = ACK;
	p.tcp.seq = 1001;
	p.tcp.ack = 5001;
	p.tcp.payload_len = 100;
	p.tcp.csum.verdict = PD_CSUM_BAD;
	pd_tcp_stream_update(&f, 0, &p, &o);
	/* the wire carried it: SND.NXT moves, but the receiver drops it */
	assert_int_equal(o.kind, PD_SEG_NEW);
	assert_true(o.csum_dropped);
	assert_int_equal(o.data_len, 0);
	assert_int_equal(f.dir[0].snd_nxt, 1101);
	/* its good retransmission is a retransmission, and delivers */
	o = seg(&f, 0, ACK, 1001, 5001, 100);
	expect_seg(&o, PD_SEG_OLD, 0, 100, 0);
	assert_false(o.csum_dropped);
}

static void test_keepalive(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	seg(&f, 0, ACK, 1001, 5001, 100);
	o = seg(&f, 0, ACK, 1100, 5001, 1); /* one byte at SND.NXT - 1 */
	assert_int_equal(o.kind, PD_SEG_KEEPALIVE);
	assert_int_equal(f.dir[0].snd_nxt, 1101);
}

static void test_duplicate_acks(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	seg(&f, 0, ACK, 1001, 5001, 100);
	seg(&f, 0, ACK, 1101, 5001, 100);
	o = seg(&f, 1, ACK, 5001, 1101, 0);
	assert_true(o.ack_advanced);
	assert_false(o.dup_ack);
	for (int i = 1; i <= 3; i++) {
		o = seg(&f, 1, ACK, 5001, 1101, 0);
		assert_true(o.dup_ack);
		assert_false(o.ack_advanced);
		assert_int_equal(f.dir[1].dupacks, i);
	}
	/* the hole is filled: the ACK moves on, the run ends */
	o = seg(&f, 1, ACK, 5001, 1201, 0);
	assert_false(o.dup_ack);
	assert_true(o.ack_changed);
	assert_true(o.ack_advanced);
	assert_int_equal(f.dir[1].dupacks, 0);
	assert_true(pd_tcp_stream_acked(&f, 0, 1201));
	assert_false(pd_tcp_stream_acked(&f, 0, 1202));
	/* nothing outstanding: the same ACK again is no duplicate */
	o = seg(&f, 1, ACK, 5001, 1201, 0);
	assert_false(o.dup_ack);
}

static void test_sequence_wraps(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 0xffffff00u, 5000);
	o = seg(&f, 0, ACK, 0xffffff01u, 5001, 0x200);
	expect_seg(&o, PD_SEG_NEW, 0, 0x200, 0);
	assert_int_equal(o.end, 0x101);
	o = seg(&f, 0, ACK, 0x101, 5001, 100);
	expect_seg(&o, PD_SEG_NEW, 0, 100, 0);
	o = seg(&f, 0, ACK, 0xffffff01u, 5001, 0x200);
	expect_seg(&o, PD_SEG_OLD, 0, 0, 0);
}

static void test_midstream_and_reused_tuple(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	/* the capture starts in the middle: no SYN, maybe mid-PDU */
	o = seg(&f, 0, ACK, 777, 5001, 100);
	expect_seg(&o, PD_SEG_FIRST, 0, 100, 0);
	assert_true(o.stream_start);
	assert_false(o.start_at_syn);
	/* the client closes and opens a new connection on the same 5-tuple,
	 * with an ISN below the old SND.NXT: a new connection, not an old
	 * segment, and the server's ACK state of the old one is forgotten */
	seg(&f, 1, ACK, 5001, 878, 0);
	seg(&f, 0, FIN | ACK, 877, 5001, 0);
	o = seg(&f, 0, SYN, 500, 0, 0);
	assert_int_equal(o.kind, PD_SEG_FIRST);
	assert_true(o.syn_new);
	assert_true(o.reused);
	assert_true(o.stream_start);
	assert_true(o.start_at_syn);
	assert_false(pd_tcp_stream_acked(&f, 0, 501));
	o = seg(&f, 1, SYN | ACK, 7000, 501, 0);
	assert_int_equal(o.kind, PD_SEG_FIRST);
	assert_true(o.syn_new);
	assert_false(o.reused); /* the client's SYN already started over */
	o = seg(&f, 0, ACK, 501, 7001, 10);
	expect_seg(&o, PD_SEG_NEW, 0, 10, 0);
	/* a retransmitted SYN of that connection does not restart it */
	o = seg(&f, 0, SYN, 500, 0, 0);
	assert_false(o.syn_new);
	assert_false(o.stream_start);
	assert_int_equal(o.kind, PD_SEG_OLD);
}

/* A RST's payload is no stream data; a FIN takes one sequence number,
 * so data after it is not a gap of one; a SYN with a bad checksum does
 * not restart anything. */
static void test_rst_fin_and_bad_syn(void **state)
{
	struct pd_flow f;
	struct pd_packet p;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	o = seg(&f, 0, ACK | FIN, 1001, 5001, 100);
	assert_int_equal(o.data_len, 100);
	assert_int_equal(f.dir[0].rcv_nxt, 1102);
	o = seg(&f, 1, RST | ACK, 5001, 1102, 20); /* a RST with text */
	assert_int_equal(o.data_len, 0);
	assert_false(o.stream_start);
	memset(&p, 0, sizeof(p));
	p.layers = PD_L_TCP;
	p.tcp.flags = SYN;
	p.tcp.seq = 424242;
	p.tcp.csum.verdict = PD_CSUM_BAD;
	pd_tcp_stream_update(&f, 0, &p, &o);
	assert_false(o.syn_new);
	assert_false(o.reused);
	assert_true(o.csum_dropped);
	assert_int_equal(f.dir[0].isn, 1000);
}

static void test_rst_has_no_sequence_space(void **state)
{
	struct pd_flow f;
	struct pd_tcp_seg o;

	(void)state;
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 5000);
	o = seg(&f, 0, RST, 9999, 0, 0);
	assert_int_equal(o.kind, PD_SEG_NONE);
	assert_int_equal(f.dir[0].snd_nxt, 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_after_syn),
		cmocka_unit_test(test_retransmission_and_overlap),
		cmocka_unit_test(test_gap_is_not_buffered),
		cmocka_unit_test(test_bad_checksum_is_not_delivered),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_duplicate_acks),
		cmocka_unit_test(test_sequence_wraps),
		cmocka_unit_test(test_midstream_and_reused_tuple),
		cmocka_unit_test(test_rst_has_no_sequence_space),
		cmocka_unit_test(test_rst_fin_and_bad_syn),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
