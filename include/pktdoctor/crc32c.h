/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * crc32c.h - CRC32C (Castagnoli), the iSCSI header and data digest
 * (RFC 7143 section 13.1, RFC 3720 appendix B.4; the polynomial is
 * 0x1EDC6F41, 0x82F63B78 reflected).
 *
 * The API is incremental so a digest can be computed over bytes as they
 * stream past in TCP segments, without storing them:
 *
 *	uint32_t crc = PD_CRC32C_INIT;
 *	crc = pd_crc32c_update(crc, part1, n1);
 *	crc = pd_crc32c_update(crc, part2, n2);
 *	value = pd_crc32c_final(crc);
 *
 * Byte order on the wire: iSCSI transmits the digest least significant
 * byte first.  RFC 3720 B.4 gives the CRC of 32 zero bytes as the bytes
 * "aa 36 91 8a" in order of transmission, which is the value 0x8A9136AA;
 * pd_crc32c_get_wire() / pd_crc32c_put_wire() convert.
 */
#ifndef PKTDOCTOR_CRC32C_H
#define PKTDOCTOR_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/** Register value to start a CRC32C with (all ones, RFC 3720 B.4). */
#define PD_CRC32C_INIT 0xffffffffu

/**
 * pd_crc32c_update() - feed bytes into a running CRC32C register.
 * @crc: register: PD_CRC32C_INIT or the result of an earlier update.
 * @data: bytes (may be NULL when @len is 0); any alignment.
 * @len: number of bytes.
 * Return: the new register value (not yet complemented).
 */
uint32_t pd_crc32c_update(uint32_t crc, const void *data, size_t len);

/** pd_crc32c_final() - the CRC32C value of a register (final complement). */
static inline uint32_t pd_crc32c_final(uint32_t crc)
{
	return crc ^ 0xffffffffu;
}

/** pd_crc32c() - CRC32C of one buffer of @len bytes. */
uint32_t pd_crc32c(const void *data, size_t len);

/**
 * pd_crc32c_get_wire() - the CRC32C value of a digest as iSCSI sends it
 * (4 bytes, least significant first: RFC 3720 B.4).
 */
static inline uint32_t pd_crc32c_get_wire(const uint8_t b[4])
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/** pd_crc32c_put_wire() - write a CRC32C value as iSCSI sends it. */
static inline void pd_crc32c_put_wire(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

#endif
