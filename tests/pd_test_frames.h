/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pd_test_frames.h - what the tests that build frames by hand share: a
 * plain RFC 1071 sum written out byte pair by byte pair (a reference apart
 * from the project's word-at-a-time routine in src/core/checksum.c) and
 * big-endian stores.
 */
#ifndef PD_TEST_FRAMES_H
#define PD_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* The ones'-complement sum of @n bytes as 16-bit big-endian words (a
 * trailing odd byte padded with zero), added to @s, folded to 16 bits
 * (RFC 1071 4.1).  The checksum field is its complement. */
static inline uint16_t pd_test_sum(const uint8_t *b, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The checksum field for a sum from pd_test_sum(): its complement. */
static inline uint16_t pd_test_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void pd_test_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pd_test_be32(uint8_t *p, uint32_t v)
{
	pd_test_be16(p, v >> 16);
	pd_test_be16(p + 2, v);
}

#endif
