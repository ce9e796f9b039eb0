/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_checksum.c - unit tests for the RFC 1071 Internet checksum over a
 * list of buffers (src/core/checksum.c) and for the verdict logic,
 * pd_csum_judge(): valid, bad with is/should, partial (Linux
 * CHECKSUM_PARTIAL and Microsoft LSO forms) and the two ones'-complement
 * zero encodings.  STYLE.md habit 10: odd lengths, unaligned offsets and
 * both zero encodings (after iPXE src/tests/tcpip_test.c).
 *
 * Every expected value is worked out by hand in the comment next to it,
 * or taken from an RFC example that is named there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/checksum.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 1071 section 3, "Numerical Examples": the bytes 00 01 f2 03 f4 f5
 * f6 f7.  Their 16-bit words 0001 + f203 + f4f5 + f6f7 = 2ddf0, and
 * folding the carries gives ddf0 + 2 = ddf2 (the checksum is ~ = 220d). */
static const uint8_t rfc1071[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
#define RFC1071_SUM 0xddf2

/* The IPv4 header used as the worked example of the header checksum
 * (e.g. Wikipedia "Internet checksum", "IPv4 header checksum"):
 * 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, total length 115, checksum
 * 0xb861.  By hand with the field zeroed: 4500 + 0073 + 0000 + 4000 +
 * 4011 + 0000 + c0a8 + 0001 + c0a8 + 00c7 = 2479c -> 479c + 2 = 479e,
 * and ~479e = b861. */
static const uint8_t ipv4_example[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static uint16_t sum1(const void *p, size_t len)
{
	struct pd_csum_buf b = {p, len};

	return pd_csum_sum(&b, 1);
}

/* A heap copy, so ASan sees the exact end of the bytes being summed. */
static uint8_t *heap_copy(const void *src, size_t len, size_t lead)
{
	uint8_t *p = malloc(lead + len ? lead + len : 1);

	assert_non_null(p);
	memset(p, 0x5a, lead);
	memcpy(p + lead, src, len);
	return p;
}

/* RFC 1071 section 3 example: one buffer of the 8 bytes sums to ddf2. */
static void test_rfc1071_example(void **state)
{
	uint8_t *p = heap_copy(rfc1071, sizeof(rfc1071), 0);

	(void)state;
	assert_int_equal(sum1(p, 8), RFC1071_SUM);
	assert_int_equal((uint16_t)~sum1(p, 8), 0x220d);
	free(p);
}

/* Odd lengths: RFC 1071 4.1 adds a left-over last byte as the high half
 * of a word (padded with a zero byte).  By hand:
 *   ab          -> ab00
 *   01 02 03    -> 0102 + 0300 = 0402
 *   ff ff ff    -> ffff + ff00 = 1feff -> feff + 1 = ff00
 *   the first 7 bytes of the RFC example:
 *   0001 + f203 + f4f5 + f600 = 2dcf9 -> dcf9 + 2 = dcfb */
static void test_odd_lengths(void **state)
{
	static const uint8_t ab[] = {0xab};
	static const uint8_t b3[] = {0x01, 0x02, 0x03};
	static const uint8_t ff3[] = {0xff, 0xff, 0xff};
	uint8_t *p;

	(void)state;
	p = heap_copy(ab, 1, 0);
	assert_int_equal(sum1(p, 1), 0xab00);
	free(p);
	p = heap_copy(b3, 3, 0);
	assert_int_equal(sum1(p, 3), 0x0402);
	free(p);
	p = heap_copy(ff3, 3, 0);
	assert_int_equal(sum1(p, 3), 0xff00);
	free(p);
	p = heap_copy(rfc1071, 7, 0);
	assert_int_equal(sum1(p, 7), 0xdcfb);
	free(p);
}

/* Nothing to sum: an empty list and zero-length NULL buffers give 0. */
static void test_empty(void **state)
{
	struct pd_csum_buf b[2] = {{NULL, 0}, {NULL, 0}};

	(void)state;
	assert_int_equal(pd_csum_sum(b, 0), 0);
	assert_int_equal(pd_csum_sum(b, 2), 0);
}

/* The list is summed as one concatenated byte string.  Every split of
 * the RFC 1071 bytes into three buffers (any of them empty, odd lengths
 * in the middle) must give the one-buffer sum ddf2, and so must eight
 * one-byte buffers.  Each piece is its own heap block. */
static void test_split_at_odd_boundaries(void **state)
{
	(void)state;
	for (size_t i = 0; i <= 8; i++) {
		for (size_t j = i; j <= 8; j++) {
			uint8_t *a = heap_copy(rfc1071, i, 0);
			uint8_t *b = heap_copy(rfc1071 + i, j - i, 0);
			uint8_t *c = heap_copy(rfc1071 + j, 8 - j, 0);
			struct pd_csum_buf l[3] = {{a, i}, {b, j - i}, {c, 8 - j}};

			assert_int_equal(pd_csum_sum(l, 3), RFC1071_SUM);
			free(a);
			free(b);
			free(c);
		}
	}
	{
		struct pd_csum_buf l[8];

		for (size_t k = 0; k < 8; k++) {
			l[k].data = &rfc1071[k];
			l[k].len = 1;
		}
		assert_int_equal(pd_csum_sum(l, 8), RFC1071_SUM);
	}
}

/* A one-byte buffer in the middle must pair with the next buffer's first
 * byte: {01} {02 03} {04} is 01 02 03 04 = 0102 + 0304 = 0406 (padding
 * each buffer separately would give 0100 + 0203 + 0400 = 0703). */
static void test_odd_buffer_in_the_middle(void **state)
{
	static const uint8_t x[] = {0x01}, y[] = {0x02, 0x03}, z[] = {0x04};
	struct pd_csum_buf l[3] = {{x, 1}, {y, 2}, {z, 1}};

	(void)state;
	assert_int_equal(pd_csum_sum(l, 3), 0x0406);
}

/* Unaligned start addresses: the RFC 1071 bytes at offsets 1, 2 and 3
 * of a heap block (so at odd and non-word addresses) still sum to ddf2,
 * alone and split into two buffers at odd addresses. */
static void test_unaligned_offsets(void **state)
{
	(void)state;
	for (size_t lead = 1; lead <= 3; lead++) {
		uint8_t *p = heap_copy(rfc1071, 8, lead);
		struct pd_csum_buf l[2] = {{p + lead, 3}, {p + lead + 3, 5}};

		assert_int_equal(sum1(p + lead, 8), RFC1071_SUM);
		assert_int_equal(pd_csum_sum(l, 2), RFC1071_SUM);
		free(p);
	}
}

/* End-around carry: 8000 + 8000 = 10000 -> 0001; many ffff words stay
 * ffff; 100000 bytes of 01 are 50000 words of 0101 = 257 * 50000 =
 * 12850000 = 0xc41350 -> 1350 + c4 = 1414, and one more 01 byte (odd
 * length) adds 0100 -> 1514. */
static void test_carries_and_large_input(void **state)
{
	static const uint8_t w8000[] = {0x80, 0x00, 0x80, 0x00};
	size_t big = 100000;
	uint8_t *p;

	(void)state;
	assert_int_equal(sum1(w8000, 4), 0x0001);

	p = malloc(1u << 20);
	assert_non_null(p);
	memset(p, 0xff, 1u << 20);
	assert_int_equal(sum1(p, 1u << 20), 0xffff);
	free(p);

	p = malloc(big + 1);
	assert_non_null(p);
	memset(p, 0x01, big + 1);
	assert_int_equal(sum1(p, big), 0x1414);
	assert_int_equal(sum1(p, big + 1), 0x1514);
	free(p);
}

/* The widely used IPv4 header example validates: summed with its own
 * checksum field 0xb861 it gives ffff, and pd_csum_judge calls it VALID
 * with is = should = 0xb861. */
static void test_ipv4_header_example_valid(void **state)
{
	uint8_t *p = heap_copy(ipv4_example, 20, 0);
	struct pd_csum v;

	(void)state;
	assert_int_equal(sum1(p, 20), 0xffff);
	pd_csum_judge(sum1(p, 20), 0xb861, 0, 0, 0, &v);
	assert_int_equal(v.verdict, PD_CSUM_VALID);
	assert_int_equal(v.is, 0xb861);
	assert_int_equal(v.should, 0xb861);
	/* with the field zeroed the sum is 479e (see ipv4_example) */
	p[10] = p[11] = 0;
	assert_int_equal(sum1(p, 20), 0x479e);
	free(p);
}

/* A wrong field: the same header with 0x1234 in the checksum field sums
 * to 479e + 1234 = 59d2.  The verdict is BAD, is 0x1234, should 0xb861;
 * writing "should" back into the header must make it sum to ffff. */
static void test_judge_bad_is_should(void **state)
{
	uint8_t *p = heap_copy(ipv4_example, 20, 0);
	struct pd_csum v;

	(void)state;
	p[10] = 0x12;
	p[11] = 0x34;
	assert_int_equal(sum1(p, 20), 0x59d2);
	pd_csum_judge(sum1(p, 20), 0x1234, 0, 0, 0, &v);
	assert_int_equal(v.verdict, PD_CSUM_BAD);
	assert_int_equal(v.form, PD_PARTIAL_NONE);
	assert_int_equal(v.is, 0x1234);
	assert_int_equal(v.should, 0xb861);
	p[10] = (uint8_t)(v.should >> 8);
	p[11] = (uint8_t)v.should;
	assert_int_equal(sum1(p, 20), 0xffff);
	free(p);
}

/* Both ones'-complement zero encodings.  The data 12 34 ed cb sums to
 * 1234 + edcb = ffff, so the checksum over it is ~ffff = 0000, and a
 * field of 0000 or ffff (which is also zero in ones' complement) makes
 * the whole sum ffff (ffff + ffff = 1fffe -> ffff).  Both are VALID, and
 * "should" is one of the two zero encodings. */
static void test_both_zero_encodings_valid(void **state)
{
	static const uint8_t data[] = {0x12, 0x34, 0xed, 0xcb};
	static const uint16_t fields[] = {0x0000, 0xffff};

	(void)state;
	assert_int_equal(sum1(data, 4), 0xffff);
	for (size_t i = 0; i < N_ELEM(fields); i++) {
		uint8_t f[2] = {(uint8_t)(fields[i] >> 8), (uint8_t)fields[i]};
		struct pd_csum_buf l[2] = {{data, 4}, {f, 2}};
		uint16_t s = pd_csum_sum(l, 2);
		struct pd_csum v;

		assert_int_equal(s, 0xffff);
		pd_csum_judge(s, fields[i], 0, 0, 0, &v);
		assert_int_equal(v.verdict, PD_CSUM_VALID);
		assert_int_equal(v.is, fields[i]);
		assert_true(v.should == 0x0000 || v.should == 0xffff);
	}
}

/*
 * A UDP datagram with an IPv4 pseudo-header, for the partial forms.
 * Pseudo-header (RFC 768): 192.0.2.1 -> 192.0.2.2, zero, proto 17,
 * UDP length 12:  c000 + 0201 + c000 + 0202 + 0011 + 000c = 18420
 *                 -> 8420 + 1 = 8421  (with length 0: 18414 -> 8415).
 * UDP 1234 -> 53, length 12, checksum field, data 01 02 03 04:
 *                 04d2 + 0035 + 000c + 0102 + 0304 = 0919 (field 0).
 * Correct checksum: ~(8421 + 0919) = ~8d3a = 72c5.
 */
static const uint8_t ph4_len[12] = {0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
				    0x00, 0x11, 0x00, 0x0c};
static const uint8_t ph4_zero[12] = {0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
				     0x00, 0x11, 0x00, 0x00};
#define PH4_LEN_SUM 0x8421
#define PH4_ZERO_SUM 0x8415
#define UDP_GOOD 0x72c5

/* Sum pseudo-header + UDP with @field in the checksum slot, judge it. */
static void judge_udp(uint16_t field, struct pd_csum *v)
{
	uint8_t udp[12] = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0, 0,
			   0x01, 0x02, 0x03, 0x04};
	struct pd_csum_buf l[2] = {{ph4_len, 12}, {udp, 12}};

	udp[6] = (uint8_t)(field >> 8);
	udp[7] = (uint8_t)field;
	pd_csum_judge(pd_csum_sum(l, 2), field, sum1(ph4_len, 12),
		      sum1(ph4_zero, 12), 1, v);
}

/* The pseudo-header sums themselves, by hand above: 8421 and 8415; and
 * the correct UDP checksum 72c5 is judged VALID. */
static void test_pseudo_header_sums_and_valid_udp(void **state)
{
	struct pd_csum v;

	(void)state;
	assert_int_equal(sum1(ph4_len, 12), PH4_LEN_SUM);
	assert_int_equal(sum1(ph4_zero, 12), PH4_ZERO_SUM);
	judge_udp(UDP_GOOD, &v);
	assert_int_equal(v.verdict, PD_CSUM_VALID);
	assert_int_equal(v.should, UDP_GOOD);
}

/* Linux CHECKSUM_PARTIAL: the field holds the folded, uncomplemented
 * pseudo-header sum with the L4 length (8421).  Verdict PARTIAL, form
 * LINUX, is 8421, should 72c5 (the value that makes it valid). */
static void test_judge_partial_linux(void **state)
{
	struct pd_csum v;

	(void)state;
	judge_udp(PH4_LEN_SUM, &v);
	assert_int_equal(v.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(v.form, PD_PARTIAL_LINUX);
	assert_int_equal(v.is, PH4_LEN_SUM);
	assert_int_equal(v.should, UDP_GOOD);
}

/* Microsoft LSO: the pseudo-header sum with length 0 (8415).  Verdict
 * PARTIAL, form LSO, should 72c5. */
static void test_judge_partial_lso(void **state)
{
	struct pd_csum v;

	(void)state;
	judge_udp(PH4_ZERO_SUM, &v);
	assert_int_equal(v.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(v.form, PD_PARTIAL_LSO);
	assert_int_equal(v.is, PH4_ZERO_SUM);
	assert_int_equal(v.should, UDP_GOOD);
}

/* A wrong field that is neither form is BAD, with should 72c5: writing
 * 72c5 into the datagram and summing again gives ffff. */
static void test_judge_bad_with_pseudo_header(void **state)
{
	uint8_t udp[12] = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0, 0,
			   0x01, 0x02, 0x03, 0x04};
	struct pd_csum_buf l[2] = {{ph4_len, 12}, {udp, 12}};
	struct pd_csum v;

	(void)state;
	judge_udp(0xbeef, &v);
	assert_int_equal(v.verdict, PD_CSUM_BAD);
	assert_int_equal(v.is, 0xbeef);
	assert_int_equal(v.should, UDP_GOOD);
	udp[6] = (uint8_t)(v.should >> 8);
	udp[7] = (uint8_t)v.should;
	assert_int_equal(pd_csum_sum(l, 2), 0xffff);
}

/* Without a pseudo-header (has_pseudo 0, e.g. the IPv4 header or ICMP)
 * a field that happens to equal the given pseudo sums is not "partial":
 * it is BAD. */
static void test_judge_no_pseudo_never_partial(void **state)
{
	struct pd_csum v;

	(void)state;
	/* IPv4 example header with field 0x1234: sum 59d2 (see above) */
	pd_csum_judge(0x59d2, 0x1234, 0x1234, 0x1234, 0, &v);
	assert_int_equal(v.verdict, PD_CSUM_BAD);
	assert_int_equal(v.form, PD_PARTIAL_NONE);
}

/* checksum.h: a partial field is matched with 0000 and ffff both taken
 * as ones'-complement zero.  A pseudo-header sum of ffff stored as 0000
 * (or 0000 stored as ffff) is still PARTIAL.  Sums here are chosen
 * values, not packets: sum_all 1234 is not ffff, so not VALID. */
static void test_judge_partial_either_zero_encoding(void **state)
{
	struct pd_csum v;

	(void)state;
	pd_csum_judge(0x1234, 0x0000, 0xffff, 0x4444, 1, &v);
	assert_int_equal(v.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(v.form, PD_PARTIAL_LINUX);
	pd_csum_judge(0x1234, 0xffff, 0x4444, 0x0000, 1, &v);
	assert_int_equal(v.verdict, PD_CSUM_PARTIAL);
	assert_int_equal(v.form, PD_PARTIAL_LSO);
}

/* Ones'-complement arithmetic, by hand:
 *   add16(0001, fffe) = ffff;  add16(ffff, 0001) = 10000 -> 0001;
 *   add16(8000, 8000) = 10000 -> 0001;  add16(1234, 0000) = 1234;
 *   sub16(1234, 0034) = 1234 + ffcb = 111ff -> 1200;
 *   sub16(0001, 0002) = 0001 + fffd = fffe  (minus one);
 *   sub16(1234, 1234) = 1234 + edcb = ffff  (negative zero). */
static void test_add16_sub16(void **state)
{
	(void)state;
	assert_int_equal(pd_csum_add16(0x0001, 0xfffe), 0xffff);
	assert_int_equal(pd_csum_add16(0xffff, 0x0001), 0x0001);
	assert_int_equal(pd_csum_add16(0x8000, 0x8000), 0x0001);
	assert_int_equal(pd_csum_add16(0x1234, 0x0000), 0x1234);
	assert_int_equal(pd_csum_sub16(0x1234, 0x0034), 0x1200);
	assert_int_equal(pd_csum_sub16(0x0001, 0x0002), 0xfffe);
	assert_int_equal(pd_csum_sub16(0x1234, 0x1234), 0xffff);
}

/* RFC 1624 section 4 example of an incremental update (eqn. 3):
 * HC = dd2f, a field m = 5555 changes to m' = 3285:
 * HC' = ~(~HC + ~m + m') = ~(22d0 + aaaa + 3285) = ~ffff = 0000.
 * And on the IPv4 example header: TTL 64 -> 63 changes word 4011 to
 * 3f11; the full recomputation is ~(479e - 0100) = ~469e = b961, and
 * the incremental update must give the same. */
static void test_incremental_update_rfc1624(void **state)
{
	uint8_t *p = heap_copy(ipv4_example, 20, 0);
	uint16_t hc;

	(void)state;
	hc = (uint16_t)~pd_csum_add16(pd_csum_sub16((uint16_t)~0xdd2f, 0x5555), 0x3285);
	assert_int_equal(hc, 0x0000);

	hc = (uint16_t)~pd_csum_add16(pd_csum_sub16((uint16_t)~0xb861, 0x4011), 0x3f11);
	assert_int_equal(hc, 0xb961);
	p[8] = 0x3f;
	p[10] = (uint8_t)(hc >> 8);
	p[11] = (uint8_t)hc;
	assert_int_equal(sum1(p, 20), 0xffff);
	free(p);
}

/* Verdict and form names are what reports print (checksum.h). */
static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_NONE), "none");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_VALID), "valid");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_BAD), "bad");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_PARTIAL), "partial");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_ZERO), "zero");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM_UNVERIFIABLE), "unverifiable");
	assert_string_equal(pd_csum_verdict_name(-1), "none");
	assert_string_equal(pd_csum_verdict_name(PD_CSUM__COUNT), "none");
	assert_string_equal(pd_csum_form_name(PD_PARTIAL_LINUX), "linux");
	assert_string_equal(pd_csum_form_name(PD_PARTIAL_LSO), "lso");
	assert_string_equal(pd_csum_form_name(PD_PARTIAL_ZEROFILL), "zero-fill");
	assert_string_equal(pd_csum_form_name(PD_PARTIAL_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_odd_lengths),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_split_at_odd_boundaries),
		cmocka_unit_test(test_odd_buffer_in_the_middle),
		cmocka_unit_test(test_unaligned_offsets),
		cmocka_unit_test(test_carries_and_large_input),
		cmocka_unit_test(test_ipv4_header_example_valid),
		cmocka_unit_test(test_judge_bad_is_should),
		cmocka_unit_test(test_both_zero_encodings_valid),
		cmocka_unit_test(test_pseudo_header_sums_and_valid_udp),
		cmocka_unit_test(test_judge_partial_linux),
		cmocka_unit_test(test_judge_partial_lso),
		cmocka_unit_test(test_judge_bad_with_pseudo_header),
		cmocka_unit_test(test_judge_no_pseudo_never_partial),
		cmocka_unit_test(test_judge_partial_either_zero_encoding),
		cmocka_unit_test(test_add16_sub16),
		cmocka_unit_test(test_incremental_update_rfc1624),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
