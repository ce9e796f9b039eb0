/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cursor.c - unit tests for the bounds-checked byte cursor
 * (include/pktdoctor/cursor.h): big/little-endian reads, the sticky
 * truncated flag, sub-cursors that keep captured and wire lengths apart,
 * skip/copy/peek at the edges, and an empty cursor over NULL.
 *
 * Expected values are worked out by hand from the input bytes (network
 * byte order is most significant byte first, RFC 1700 "Data Notations").
 * Every buffer is heap-allocated with exactly the bytes under test, so
 * AddressSanitizer reports any read past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/cursor.h"

/* A heap copy of @len bytes, so ASan sees the exact end of the data. */
static uint8_t *heap_bytes(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

static const uint8_t seq13[13] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d,
};

/* u8, be16, be32, le16, le32 in a row over 01 02 ... 0d.
 * By hand: u8 = 01; be16 of 02 03 = 0x0203; be32 of 04 05 06 07 =
 * 0x04050607; le16 of 08 09 = 0x0908; le32 of 0a 0b 0c 0d = 0x0d0c0b0a. */
static void test_reads_in_both_byte_orders(void **state)
{
	uint8_t *buf = heap_bytes(seq13, sizeof(seq13));
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, sizeof(seq13), sizeof(seq13));
	assert_int_equal(pd_cur_u8(&c), 0x01);
	assert_int_equal(c.off, 1);
	assert_int_equal(pd_cur_be16(&c), 0x0203);
	assert_int_equal(c.off, 3);
	assert_int_equal(pd_cur_be32(&c), 0x04050607u);
	assert_int_equal(c.off, 7);
	assert_int_equal(pd_cur_le16(&c), 0x0908);
	assert_int_equal(c.off, 9);
	assert_int_equal(pd_cur_le32(&c), 0x0d0c0b0au);
	assert_int_equal(c.off, 13);
	assert_int_equal(pd_cur_remaining(&c), 0);
	assert_false(c.truncated);
	free(buf);
}

/* High bits survive: ff ff ff ff is 0xffffffff both ways, 80 00 is
 * 0x8000 big-endian and 0x0080 little-endian (no sign extension). */
static void test_reads_high_bits(void **state)
{
	static const uint8_t in[] = {0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x80, 0x00,
				     0xff, 0xff, 0xff, 0xfe};
	uint8_t *buf = heap_bytes(in, sizeof(in));
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, sizeof(in), sizeof(in));
	assert_int_equal(pd_cur_be32(&c), 0xffffffffu);
	assert_int_equal(pd_cur_be16(&c), 0x8000);
	assert_int_equal(pd_cur_le16(&c), 0x0080);
	assert_int_equal(pd_cur_le32(&c), 0xfeffffffu);
	assert_false(c.truncated);
	free(buf);
}

/* A multi-byte read with too few bytes left returns 0 (not a partial
 * value), sets truncated, and leaves the position at the captured end;
 * one test per reader. */
static void test_read_past_end_each_width(void **state)
{
	static const uint8_t in[] = {0xaa, 0xbb, 0xcc};
	uint8_t *buf = heap_bytes(in, sizeof(in));
	struct pd_cursor c;

	(void)state;
	/* be32 with 3 bytes */
	pd_cur_init(&c, buf, 3, 3);
	assert_int_equal(pd_cur_be32(&c), 0);
	assert_true(c.truncated);
	assert_int_equal(c.off, 3);

	/* le32 with 3 bytes */
	pd_cur_init(&c, buf, 3, 3);
	assert_int_equal(pd_cur_le32(&c), 0);
	assert_true(c.truncated);
	assert_int_equal(c.off, 3);

	/* be16 with 1 byte (after skipping 2) */
	pd_cur_init(&c, buf, 3, 3);
	assert_true(pd_cur_skip(&c, 2));
	assert_int_equal(pd_cur_be16(&c), 0);
	assert_true(c.truncated);
	assert_int_equal(c.off, 3);

	/* le16 with 1 byte */
	pd_cur_init(&c, buf, 3, 3);
	assert_true(pd_cur_skip(&c, 2));
	assert_int_equal(pd_cur_le16(&c), 0);
	assert_true(c.truncated);

	/* u8 with 0 bytes */
	pd_cur_init(&c, buf, 3, 3);
	assert_true(pd_cur_skip(&c, 3));
	assert_false(c.truncated);
	assert_int_equal(pd_cur_u8(&c), 0);
	assert_true(c.truncated);
	assert_int_equal(c.off, 3);
	free(buf);
}

/* The truncated flag is sticky: once a read failed it stays set through
 * later reads, pd_cur_has() and zero-length skips; those never clear it. */
static void test_truncated_is_sticky(void **state)
{
	static const uint8_t in[] = {0x12, 0x34};
	uint8_t *buf = heap_bytes(in, sizeof(in));
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, 2, 2);
	assert_int_equal(pd_cur_be32(&c), 0); /* 4 > 2: fails */
	assert_true(c.truncated);
	assert_false(pd_cur_has(&c, 1));
	assert_true(pd_cur_has(&c, 0));
	assert_true(pd_cur_skip(&c, 0));
	assert_true(c.truncated);
	assert_int_equal(pd_cur_u8(&c), 0);
	assert_int_equal(pd_cur_be16(&c), 0);
	assert_true(c.truncated);
	free(buf);
}

/* pd_cur_has() answers without touching the flag or the position. */
static void test_has_does_not_set_flag(void **state)
{
	static const uint8_t in[] = {1, 2, 3, 4};
	uint8_t *buf = heap_bytes(in, sizeof(in));
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, 4, 4);
	assert_true(pd_cur_has(&c, 4));
	assert_false(pd_cur_has(&c, 5));
	assert_false(pd_cur_has(&c, SIZE_MAX)); /* no overflow in the check */
	assert_false(c.truncated);
	assert_int_equal(c.off, 0);
	free(buf);
}

/* pd_cur_init() raises a wire length smaller than the captured length to
 * the captured length (a frame cannot be shorter on the wire than what
 * was captured of it). */
static void test_init_wire_at_least_cap(void **state)
{
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, seq13, 13, 4);
	assert_int_equal(c.cap, 13);
	assert_int_equal(c.wire, 13);
	pd_cur_init(&c, seq13, 4, 1500);
	assert_int_equal(c.cap, 4);
	assert_int_equal(c.wire, 1500);
	assert_int_equal(pd_cur_remaining(&c), 4);
	assert_int_equal(pd_cur_wire_remaining(&c), 1500);
}

/* A sub-cursor over the next n bytes of a fully captured parent: the
 * child starts at the parent's position, has cap = wire = n, reads only
 * those n bytes; the parent moves past them and is unaffected when the
 * child runs out. */
static void test_sub_narrows(void **state)
{
	uint8_t *buf = heap_bytes(seq13, sizeof(seq13));
	struct pd_cursor c, s;

	(void)state;
	pd_cur_init(&c, buf, 13, 13);
	assert_true(pd_cur_skip(&c, 2));
	assert_true(pd_cur_sub(&c, 4, &s));
	assert_ptr_equal(s.base, buf + 2);
	assert_int_equal(s.off, 0);
	assert_int_equal(s.cap, 4);
	assert_int_equal(s.wire, 4);
	assert_false(s.truncated);
	assert_int_equal(c.off, 6);
	/* bytes 03 04 05 06 */
	assert_int_equal(pd_cur_be32(&s), 0x03040506u);
	assert_false(s.truncated);
	/* the child ends at 4 bytes even though the parent has more */
	assert_int_equal(pd_cur_u8(&s), 0);
	assert_true(s.truncated);
	assert_false(c.truncated);
	/* the parent carries on after the child's bytes: 07 */
	assert_int_equal(pd_cur_u8(&c), 0x07);
	free(buf);
}

/* Snaplen cut: the parent has 6 captured bytes but 20 on the wire.  A
 * 10-byte child is longer than what was captured: it is truncated, can
 * read only the 6 captured bytes, but keeps 10 as its wire length (the
 * protocol's length), and the call reports that not all 10 were
 * captured.  The parent ends up at its captured end. */
static void test_sub_longer_than_captured_keeps_wire(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 6);
	struct pd_cursor c, s;

	(void)state;
	pd_cur_init(&c, buf, 6, 20);
	assert_false(pd_cur_sub(&c, 10, &s));
	assert_true(s.truncated);
	assert_int_equal(s.cap, 6);
	assert_int_equal(s.wire, 10);
	assert_int_equal(pd_cur_remaining(&s), 6);
	assert_int_equal(pd_cur_wire_remaining(&s), 10);
	assert_int_equal(c.off, 6);
	/* only the captured bytes can be read */
	assert_true(pd_cur_skip(&s, 4));
	assert_int_equal(pd_cur_be16(&s), 0x0506);
	assert_int_equal(pd_cur_u8(&s), 0);
	free(buf);
}

/* A sub-cursor's wire length is clamped to the parent's wire remaining
 * (cursor.h: "Its wire length is @n (clamped to the parent's wire
 * remaining)"): asking for 10 bytes of a parent with 4 wire bytes gives a
 * child with wire 4, cap 4. */
static void test_sub_wire_clamped_to_parent(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 4);
	struct pd_cursor c, s;

	(void)state;
	pd_cur_init(&c, buf, 4, 4);
	(void)pd_cur_sub(&c, 10, &s);
	assert_int_equal(s.wire, 4);
	assert_int_equal(s.cap, 4);
	assert_int_equal(c.off, 4);
	free(buf);
}

/* pd_cur_sub() returns true only if all @n bytes were captured (cursor.h).
 * When the caller asks for more bytes than exist at all (10 of a 4-byte
 * parent, a length field that lies) they were not, so the call returns
 * false and the child has truncated set: a caller such as the IPv4
 * header-length check must never take a true return for a short child. */
static void test_sub_beyond_parent_wire_reports_failure(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 4);
	struct pd_cursor c, s;
	bool all;

	(void)state;
	pd_cur_init(&c, buf, 4, 4);
	all = pd_cur_sub(&c, 10, &s);
	free(buf);
	assert_false(all);
	assert_true(s.truncated);
}

/* pd_cur_rest(): a child over everything from the position, captured and
 * wire, without moving the parent. */
static void test_rest(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 8);
	struct pd_cursor c, s;

	(void)state;
	pd_cur_init(&c, buf, 8, 100);
	assert_true(pd_cur_skip(&c, 3));
	pd_cur_rest(&c, &s);
	assert_ptr_equal(s.base, buf + 3);
	assert_int_equal(s.cap, 5);
	assert_int_equal(s.wire, 97);
	assert_int_equal(s.off, 0);
	assert_false(s.truncated);
	assert_int_equal(c.off, 3);
	assert_int_equal(pd_cur_u8(&s), 0x04);
	free(buf);
}

/* Skipping past the captured end fails, sets truncated, and leaves the
 * position at the captured end (not beyond it); skipping exactly to the
 * end succeeds. */
static void test_skip_past_end(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 4);
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, 4, 4);
	assert_true(pd_cur_skip(&c, 2));
	assert_false(pd_cur_skip(&c, 3));
	assert_true(c.truncated);
	assert_int_equal(c.off, 4);
	assert_int_equal(pd_cur_remaining(&c), 0);

	pd_cur_init(&c, buf, 4, 4);
	assert_true(pd_cur_skip(&c, 4));
	assert_false(c.truncated);
	assert_false(pd_cur_skip(&c, SIZE_MAX)); /* no wrap-around */
	assert_int_equal(c.off, 4);
	free(buf);
}

/* pd_cur_copy() copies and advances on success; on failure the whole
 * destination is zero-filled (no stale or partial bytes), truncated is
 * set and the position goes to the captured end. */
static void test_copy_zero_fills_on_failure(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 4);
	uint8_t dst[6];
	static const uint8_t zero[6];
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, 4, 4);
	memset(dst, 0xaa, sizeof(dst));
	assert_true(pd_cur_copy(&c, dst, 3));
	assert_memory_equal(dst, seq13, 3);
	assert_int_equal(dst[3], 0xaa); /* nothing written past n */
	assert_int_equal(c.off, 3);

	memset(dst, 0xaa, sizeof(dst));
	assert_false(pd_cur_copy(&c, dst, 6)); /* only 1 byte left */
	assert_memory_equal(dst, zero, 6);
	assert_true(c.truncated);
	assert_int_equal(c.off, 4);
	free(buf);
}

/* pd_cur_peek_be16_at(): absolute offset, no movement, no flag; 0 when
 * the two bytes are not both captured, including offsets at or past the
 * end and huge offsets that would overflow "at + 2". */
static void test_peek_be16_at_bounds(void **state)
{
	uint8_t *buf = heap_bytes(seq13, 5);
	struct pd_cursor c;

	(void)state;
	pd_cur_init(&c, buf, 5, 5);
	assert_true(pd_cur_skip(&c, 4));
	/* absolute, not relative to the position: bytes 0,1 = 01 02 */
	assert_int_equal(pd_cur_peek_be16_at(&c, 0), 0x0102);
	assert_int_equal(pd_cur_peek_be16_at(&c, 3), 0x0405); /* last pair */
	assert_int_equal(pd_cur_peek_be16_at(&c, 4), 0);      /* one byte left */
	assert_int_equal(pd_cur_peek_be16_at(&c, 5), 0);      /* at the end */
	assert_int_equal(pd_cur_peek_be16_at(&c, 6), 0);      /* past the end */
	assert_int_equal(pd_cur_peek_be16_at(&c, SIZE_MAX), 0);
	assert_int_equal(pd_cur_peek_be16_at(&c, SIZE_MAX - 1), 0);
	assert_false(c.truncated);
	assert_int_equal(c.off, 4);
	/* pd_cur_peek_u8 at the position, then at the end */
	assert_int_equal(pd_cur_peek_u8(&c), 0x05);
	assert_true(pd_cur_skip(&c, 1));
	assert_int_equal(pd_cur_peek_u8(&c), 0);
	assert_false(c.truncated);
	free(buf);
}

/* A zero-length cursor over NULL (an empty capture): nothing can be read,
 * every read returns 0 with truncated set, copies zero-fill, peeks give 0,
 * and nothing dereferences the NULL pointer (ASan/UBSan would say). */
static void test_empty_null_cursor(void **state)
{
	struct pd_cursor c, s;
	uint8_t dst[4] = {0xaa, 0xaa, 0xaa, 0xaa};
	static const uint8_t zero[4];

	(void)state;
	pd_cur_init(&c, NULL, 0, 0);
	assert_int_equal(pd_cur_remaining(&c), 0);
	assert_int_equal(pd_cur_wire_remaining(&c), 0);
	assert_true(pd_cur_has(&c, 0));
	assert_false(pd_cur_has(&c, 1));
	assert_int_equal(pd_cur_peek_u8(&c), 0);
	assert_int_equal(pd_cur_peek_be16_at(&c, 0), 0);
	assert_false(c.truncated);

	assert_int_equal(pd_cur_u8(&c), 0);
	assert_true(c.truncated);
	pd_cur_init(&c, NULL, 0, 0);
	assert_int_equal(pd_cur_be16(&c), 0);
	assert_true(c.truncated);
	pd_cur_init(&c, NULL, 0, 0);
	assert_int_equal(pd_cur_be32(&c), 0);
	assert_true(c.truncated);
	pd_cur_init(&c, NULL, 0, 0);
	assert_int_equal(pd_cur_le16(&c), 0);
	assert_int_equal(pd_cur_le32(&c), 0);
	assert_true(c.truncated);

	pd_cur_init(&c, NULL, 0, 0);
	assert_false(pd_cur_skip(&c, 1));
	assert_true(c.truncated);
	assert_int_equal(c.off, 0);

	pd_cur_init(&c, NULL, 0, 0);
	assert_false(pd_cur_copy(&c, dst, sizeof(dst)));
	assert_memory_equal(dst, zero, sizeof(dst));

	/* an empty cursor whose wire length is not 0 (everything cut by
	 * snaplen): a child is truncated and keeps its wire length */
	pd_cur_init(&c, NULL, 0, 8);
	assert_false(pd_cur_sub(&c, 8, &s));
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 8);
	assert_true(s.truncated);
	assert_int_equal(pd_cur_u8(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_both_byte_orders),
		cmocka_unit_test(test_reads_high_bits),
		cmocka_unit_test(test_read_past_end_each_width),
		cmocka_unit_test(test_truncated_is_sticky),
		cmocka_unit_test(test_has_does_not_set_flag),
		cmocka_unit_test(test_init_wire_at_least_cap),
		cmocka_unit_test(test_sub_narrows),
		cmocka_unit_test(test_sub_longer_than_captured_keeps_wire),
		cmocka_unit_test(test_sub_wire_clamped_to_parent),
		cmocka_unit_test(test_sub_beyond_parent_wire_reports_failure),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_skip_past_end),
		cmocka_unit_test(test_copy_zero_fills_on_failure),
		cmocka_unit_test(test_peek_be16_at_bounds),
		cmocka_unit_test(test_empty_null_cursor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
