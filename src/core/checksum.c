/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.c - RFC 1071 Internet checksum over a list of buffers, and the
 * verdict logic (valid, bad, partial) shared by IPv4, TCP, UDP, ICMP and
 * ICMPv6.
 */
#include "pktdoctor/checksum.h"

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t pd_csum_sum(const struct pd_csum_buf *bufs, size_t n)
{
	uint64_t sum = 0;
	int odd = 0; /* the next byte is the low half of a 16-bit word */

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = bufs[i].data;
		size_t len = bufs[i].len;
		size_t k = 0;

		if (len == 0)
			continue;
		if (odd) {
			sum += p[0];
			k = 1;
			odd = 0;
		}
		for (; k + 1 < len; k += 2)
			sum += (uint32_t)p[k] << 8 | p[k + 1];
		if (k < len) {
			sum += (uint32_t)p[k] << 8;
			odd = 1;
		}
		/* keep the 64-bit accumulator far from overflow on huge input */
		if (sum >> 48)
			sum = fold(sum);
	}
	return fold(sum);
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
