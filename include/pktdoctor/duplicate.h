/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * duplicate.h - frames that are a second copy of a packet captured just
 * before (tcpdump -i any on a host that forwards, a SPAN session that
 * mirrors both ports of a path).  The engine marks them before the flow,
 * the TCP stream layer and the analyzers see the packet, so that no one
 * takes a copy for a retransmission and no analyzer has to run before
 * another to know (struct pd_analysis.dup).
 */
#ifndef PKTDOCTOR_DUPLICATE_H
#define PKTDOCTOR_DUPLICATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pktdoctor/packet.h"

struct pd_dup_table;

/** What pd_dup_check() found: all zero when the frame is no copy. */
struct pd_dup {
	uint64_t of;          /* frame number of the original, 0 when no copy */
	int64_t gap_ns;       /* time since the original, ns */
	bool ttl_differs;     /* the copy has another TTL / hop limit (routed, seen twice) */
};

/**
 * pd_dup_table_new() - the recent-frame table (2048 slots of 32 bytes,
 * allocated at the first TCP/UDP frame).
 * Return: the table, or NULL when out of memory.
 */
struct pd_dup_table *pd_dup_table_new(void);

/** pd_dup_table_free() - free it (NULL is allowed). */
void pd_dup_table_free(struct pd_dup_table *t);

/**
 * pd_dup_check() - is @p a second copy of a TCP or UDP frame seen just
 * before?  The same packet captured twice is identical above the link
 * layer except for the TTL and the IPv4 header checksum a router changes,
 * and comes microseconds later; a retransmission has a new IPv4 ID and
 * timestamps and comes at least an RTT later.  The window is 10 ms when a
 * non-zero IPv4 ID tells packets apart, 2 ms when nothing does (IPv6, ID 0).
 * Malformed and snaplen-cut frames are never matched.
 * @t: the table (when NULL, nothing is a copy).
 * @p: the dissected packet; its frame number and timestamp are recorded.
 * @out: the result, fully written.
 * Return: @out->of.
 */
uint64_t pd_dup_check(struct pd_dup_table *t, const struct pd_packet *p, struct pd_dup *out);

#endif
