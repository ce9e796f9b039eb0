/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.h - the one RFC 1071 Internet checksum routine, and the
 * verdicts pktdoctor gives a checksum field.
 *
 * The routine sums a list of buffers (pseudo-header + data) as if they
 * were one byte string, so a buffer of odd length in the middle of the
 * list is handled correctly.  Bytes are loaded with memcpy-free byte
 * arithmetic, so unaligned input is fine.
 */
#ifndef PKTDOCTOR_CHECKSUM_H
#define PKTDOCTOR_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/** One buffer in a checksum list. */
struct pd_csum_buf {
	const void *data; /* bytes to sum; may be NULL when len is 0 */
	size_t len;       /* length in bytes, any parity */
};

/**
 * pd_csum_sum() - ones'-complement sum (RFC 1071 section 4.1) of a list
 * of buffers, treated as one concatenated byte string.
 * @bufs: array of @n buffers.
 * @n: number of buffers.
 *
 * Return: the 16-bit folded sum, NOT complemented.  A correct checksum
 * over a region that includes its own checksum field sums to 0xffff.
 * RFC 1071 (and RFC 1624 for the arithmetic).
 */
uint16_t pd_csum_sum(const struct pd_csum_buf *bufs, size_t n);

/**
 * pd_csum_sub16() - ones'-complement subtraction: @sum - @val.
 * Return: the folded 16-bit result (RFC 1624 eqn. 3 arithmetic).
 */
uint16_t pd_csum_sub16(uint16_t sum, uint16_t val);

/**
 * pd_csum_add16() - ones'-complement addition of two folded sums.
 */
uint16_t pd_csum_add16(uint16_t a, uint16_t b);

/** Verdict on one checksum field. */
enum pd_csum_verdict {
	PD_CSUM_NONE = 0,     /* no checksum checked (no such layer, a fragment) */
	PD_CSUM_VALID,        /* the field is right */
	PD_CSUM_BAD,          /* the field is wrong: real corruption */
	PD_CSUM_PARTIAL,      /* the field holds the pseudo-header sum (TX offload) */
	PD_CSUM_ZERO,         /* UDP over IPv4 sent with no checksum (RFC 768) */
	PD_CSUM_UNVERIFIABLE, /* snaplen cut the data the checksum covers */
	PD_CSUM__COUNT
};

/** Which form of partial checksum was matched. */
enum pd_csum_partial_form {
	PD_PARTIAL_NONE = 0,
	PD_PARTIAL_LINUX,     /* pseudo-header with the L4 length (CHECKSUM_PARTIAL) */
	PD_PARTIAL_LSO,       /* pseudo-header with length 0 (Microsoft LSO) */
	PD_PARTIAL_ZEROFILL,  /* IPv4 header checksum left 0 for the NIC to fill */
};

/** A checksum field and what pktdoctor found it to be. */
struct pd_csum {
	uint8_t verdict;      /* enum pd_csum_verdict */
	uint8_t form;         /* enum pd_csum_partial_form, for PD_CSUM_PARTIAL */
	uint16_t is;          /* the value in the packet, host order */
	uint16_t should;      /* the correct value, host order (VALID/BAD/PARTIAL) */
};

/** pd_csum_verdict_name() - "valid", "bad", "partial", "zero", ... */
const char *pd_csum_verdict_name(int verdict);

/** pd_csum_form_name() - "linux", "lso", "zero-fill" or "none". */
const char *pd_csum_form_name(int form);

/**
 * pd_csum_judge() - give a verdict on a checksum field.
 * @sum_all: pd_csum_sum() over pseudo-header (if any) + covered data, the
 *           field included as it is in the packet.
 * @field: the field's value, host order.
 * @pseudo_len_sum: folded pseudo-header sum with the real L4 length
 *                  (ignored when @has_pseudo is 0).
 * @pseudo_zero_sum: folded pseudo-header sum with length 0 (LSO form).
 * @has_pseudo: 1 when the checksum covers a pseudo-header.
 * @out: filled with the verdict, is and should.
 *
 * A field is partial when it equals the pseudo-header sum in either form
 * (0x0000 and 0xffff are both accepted for ones'-complement zero).  The
 * caller handles UDP zero and snaplen cuts before calling.
 */
void pd_csum_judge(uint16_t sum_all, uint16_t field, uint16_t pseudo_len_sum,
		   uint16_t pseudo_zero_sum, int has_pseudo, struct pd_csum *out);

#endif
