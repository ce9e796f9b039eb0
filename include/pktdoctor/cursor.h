/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cursor.h - the bounds-checked byte cursor.
 *
 * Only the cursor touches raw packet bytes.  A cursor is a window onto a
 * captured buffer.  It keeps two lengths apart:
 *   - cap: bytes that were captured and may be read;
 *   - wire: bytes the protocol says are there on the wire (may exceed cap
 *     when snaplen cut the frame).
 * Reads past cap return 0 and set the sticky `truncated` flag, so a
 * dissector can read a whole header and check the flag once (the model is
 * tcpdump's GET_BE_U_2 / ND_TTEST_LEN in netdissect.h and extract.h).
 * Bounds checks are written as `n <= cap - off`, never `p + n <= end`,
 * so they cannot overflow a pointer.
 */
#ifndef PKTDOCTOR_CURSOR_H
#define PKTDOCTOR_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pd_cursor {
	const uint8_t *base; /* first byte of the window */
	size_t cap;          /* captured bytes available from base */
	size_t wire;         /* bytes on the wire for this window (>= cap) */
	size_t off;          /* read position, 0 <= off <= cap */
	bool truncated;      /* sticky: a read went past cap */
};

/**
 * pd_cur_init() - make a cursor over a captured frame.
 * @c: cursor to fill.
 * @data: captured bytes (may be NULL when @caplen is 0).
 * @caplen: captured length in bytes.
 * @wirelen: original (wire) length in bytes; raised to @caplen if smaller.
 */
static inline void pd_cur_init(struct pd_cursor *c, const uint8_t *data,
			       size_t caplen, size_t wirelen)
{
	c->base = data;
	c->cap = caplen;
	c->wire = wirelen < caplen ? caplen : wirelen;
	c->off = 0;
	c->truncated = false;
}

/** pd_cur_remaining() - captured bytes left to read from the position. */
static inline size_t pd_cur_remaining(const struct pd_cursor *c)
{
	return c->cap - c->off;
}

/** pd_cur_wire_remaining() - wire bytes left from the position. */
static inline size_t pd_cur_wire_remaining(const struct pd_cursor *c)
{
	return c->wire - c->off;
}

/**
 * pd_cur_has() - are @n captured bytes available at the position?
 * Return: true if they are.  Does not set the truncated flag.
 */
static inline bool pd_cur_has(const struct pd_cursor *c, size_t n)
{
	return n <= c->cap - c->off;
}

/** pd_cur_ptr() - pointer to the position (for checksum routines only). */
static inline const uint8_t *pd_cur_ptr(const struct pd_cursor *c)
{
	return c->base ? c->base + c->off : c->base;
}

/**
 * pd_cur_skip() - advance by @n bytes.
 * Return: true on success; false (and truncated set, position at the end
 * of the captured data) when fewer than @n captured bytes remain.
 */
static inline bool pd_cur_skip(struct pd_cursor *c, size_t n)
{
	if (n <= c->cap - c->off) {
		c->off += n;
		return true;
	}
	c->off = c->cap;
	c->truncated = true;
	return false;
}

/** pd_cur_u8() - read one byte; 0 and truncated set past the end. */
static inline uint8_t pd_cur_u8(struct pd_cursor *c)
{
	if (1 <= c->cap - c->off)
		return c->base[c->off++];
	c->truncated = true;
	return 0;
}

/** pd_cur_be16() - read a big-endian 16-bit value; 0 past the end. */
static inline uint16_t pd_cur_be16(struct pd_cursor *c)
{
	if (2 <= c->cap - c->off) {
		const uint8_t *p = c->base + c->off;
		c->off += 2;
		return (uint16_t)((unsigned)p[0] << 8 | p[1]);
	}
	c->off = c->cap;
	c->truncated = true;
	return 0;
}

/** pd_cur_be32() - read a big-endian 32-bit value; 0 past the end. */
static inline uint32_t pd_cur_be32(struct pd_cursor *c)
{
	if (4 <= c->cap - c->off) {
		const uint8_t *p = c->base + c->off;
		c->off += 4;
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	}
	c->off = c->cap;
	c->truncated = true;
	return 0;
}

/** pd_cur_le16() - read a little-endian 16-bit value; 0 past the end. */
static inline uint16_t pd_cur_le16(struct pd_cursor *c)
{
	if (2 <= c->cap - c->off) {
		const uint8_t *p = c->base + c->off;
		c->off += 2;
		return (uint16_t)((unsigned)p[1] << 8 | p[0]);
	}
	c->off = c->cap;
	c->truncated = true;
	return 0;
}

/** pd_cur_le32() - read a little-endian 32-bit value; 0 past the end. */
static inline uint32_t pd_cur_le32(struct pd_cursor *c)
{
	if (4 <= c->cap - c->off) {
		const uint8_t *p = c->base + c->off;
		c->off += 4;
		return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[1] << 8 | p[0];
	}
	c->off = c->cap;
	c->truncated = true;
	return 0;
}

/**
 * pd_cur_copy() - copy @n bytes to @dst and advance.
 * Return: true on success; false with @dst zero-filled and truncated set.
 */
static inline bool pd_cur_copy(struct pd_cursor *c, void *dst, size_t n)
{
	if (n == 0)
		return true;
	if (n <= c->cap - c->off) {
		memcpy(dst, c->base + c->off, n);
		c->off += n;
		return true;
	}
	memset(dst, 0, n);
	c->off = c->cap;
	c->truncated = true;
	return false;
}

/**
 * pd_cur_peek_u8() - the byte at the position without moving.
 * Return: the byte, or 0 if none is captured (flag untouched).
 */
static inline uint8_t pd_cur_peek_u8(const struct pd_cursor *c)
{
	return c->off < c->cap ? c->base[c->off] : 0;
}

/**
 * pd_cur_peek_be16_at() - read a big-endian 16-bit value at absolute
 * offset @at without moving.  Return: the value, or 0 if out of bounds
 * (the truncated flag is not touched).
 */
static inline uint16_t pd_cur_peek_be16_at(const struct pd_cursor *c, size_t at)
{
	if (at <= c->cap && 2 <= c->cap - at)
		return (uint16_t)((unsigned)c->base[at] << 8 | c->base[at + 1]);
	return 0;
}

/**
 * pd_cur_sub() - narrow to the next @n wire bytes and advance past them.
 * @c: parent cursor; its position moves by what the child captured.
 * @sub: child cursor.  Its wire length is @n, or what the parent has on
 *       the wire if that is less; its captured length is what the parent
 *       really captured of that.
 * Return: true only if all @n bytes were captured.  When @n is longer
 * than the parent's wire (a length field that lies) or than what was
 * captured (snaplen), the child is shorter than @n, has truncated set,
 * and false is returned, so a caller never reads @n bytes from it.
 */
static inline bool pd_cur_sub(struct pd_cursor *c, size_t n, struct pd_cursor *sub)
{
	size_t have = c->cap - c->off;
	size_t wire_have = c->wire - c->off;
	bool whole = n <= wire_have;

	if (!whole)
		n = wire_have;
	sub->base = pd_cur_ptr(c);
	sub->off = 0;
	sub->wire = n;
	sub->truncated = !whole;
	if (n <= have) {
		sub->cap = n;
		c->off += n;
		return whole;
	}
	sub->cap = have;
	sub->truncated = true;
	c->off = c->cap;
	return false;
}

/**
 * pd_cur_rest() - a child over everything from the position to the end
 * (captured and wire), leaving the parent's position unchanged.
 */
static inline void pd_cur_rest(const struct pd_cursor *c, struct pd_cursor *sub)
{
	sub->base = pd_cur_ptr(c);
	sub->cap = c->cap - c->off;
	sub->wire = c->wire - c->off;
	sub->off = 0;
	sub->truncated = false;
}

#endif
