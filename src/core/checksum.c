/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.c - RFC 1071 Internet checksum over a list of buffers, and the
 * verdict logic (valid, bad, partial) shared by IPv4, TCP, UDP, ICMP and
 * ICMPv6.
 */
#include "pktdoctor/checksum.h"

#include <string.h>

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

/*
 * The sum of @len bytes taken as 16-bit words in host byte order, as if
 * they started at an even offset (a trailing odd byte is the high-order
 * byte of a word padded with zero), folded to 16 bits.  RFC 1071 2(B)
 * and 2(C): the one's-complement sum does not depend on byte order, so
 * words are added in host order, 32 bits at a time into a 64-bit
 * accumulator with the carries deferred, and swapped once at the end.
 * Words are loaded with memcpy (no alignment assumed).  The accumulator
 * gains at most 2^35 per 32-byte step, so it cannot overflow below
 * 2^29 steps (16 GiB) and is folded before that.
 */
static uint16_t sum_host(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	size_t steps = 0;

	while (len >= 32) {
		uint64_t w[4];

		memcpy(w, p, 32);
		s += (w[0] & 0xffffffffu) + (w[0] >> 32) + (w[1] & 0xffffffffu) + (w[1] >> 32) +
		     (w[2] & 0xffffffffu) + (w[2] >> 32) + (w[3] & 0xffffffffu) + (w[3] >> 32);
		p += 32;
		len -= 32;
		if (++steps == (1u << 28)) {
			s = fold(s);
			steps = 0;
		}
	}
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = {p[0], 0};
		uint16_t w;

		memcpy(&w, last, 2);
		s += w;
	}
	return fold(s);
}

uint16_t pd_csum_sum(const struct pd_csum_buf *bufs, size_t n)
{
	uint64_t sum = 0;
	int odd = 0; /* the next byte is the low half of a 16-bit word */

	for (size_t i = 0; i < n; i++) {
		uint16_t part;

		if (bufs[i].len == 0)
			continue;
		part = sum_host(bufs[i].data, bufs[i].len);
		/* a buffer that starts at an odd offset: its bytes sit in the
		 * other half of each word, which is its sum byte-swapped */
		sum += odd ? swap16(part) : part;
		odd ^= (int)(bufs[i].len & 1);
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return swap16(fold(sum));
#else
	return fold(sum);
#endif
}

uint16_t pd_csum_add16(uint16_t a, uint16_t b)
{
	return fold((uint32_t)a + b);
}

uint16_t pd_csum_sub16(uint16_t sum, uint16_t val)
{
	return fold((uint32_t)sum + (uint16_t)~val);
}

static int same_ones(uint16_t a, uint16_t b)
{
	/* 0x0000 and 0xffff are both ones'-complement zero */
	if (a == b)
		return 1;
	return (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

void pd_csum_judge(uint16_t sum_all, uint16_t field, uint16_t pseudo_len_sum,
		   uint16_t pseudo_zero_sum, int has_pseudo, struct pd_csum *out)
{
	uint16_t without = pd_csum_sub16(sum_all, field);
	uint16_t should = (uint16_t)~without;

	out->is = field;
	out->should = should;
	out->form = PD_PARTIAL_NONE;
	if (sum_all == 0xffff) {
		out->verdict = PD_CSUM_VALID;
		return;
	}
	if (has_pseudo) {
		if (same_ones(field, pseudo_len_sum)) {
			out->verdict = PD_CSUM_PARTIAL;
			out->form = PD_PARTIAL_LINUX;
			return;
		}
		if (same_ones(field, pseudo_zero_sum)) {
			out->verdict = PD_CSUM_PARTIAL;
			out->form = PD_PARTIAL_LSO;
			return;
		}
	}
	out->verdict = PD_CSUM_BAD;
}

const char *pd_csum_verdict_name(int verdict)
{
	static const char *const names[PD_CSUM__COUNT] = {
		"none", "valid", "bad", "partial", "zero", "unverifiable",
	};
	if (verdict < 0 || verdict >= PD_CSUM__COUNT)
		return "none";
	return names[verdict];
}

const char *pd_csum_form_name(int form)
{
	switch (form) {
	case PD_PARTIAL_LINUX:
		return "linux";
	case PD_PARTIAL_LSO:
		return "lso";
	case PD_PARTIAL_ZEROFILL:
		return "zero-fill";
	default:
		return "none";
	}
}
