/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * duplicate.c - second copies of one packet (include/pktdoctor/duplicate.h).
 *
 * Recent frames sit in a table indexed by their fingerprint (a later frame
 * with the same slot replaces an earlier one: a copy comes microseconds
 * after its original, so few frames can come between them), which keeps
 * the cost per packet constant.
 */
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/duplicate.h"

#define DUP_SLOTS 2048           /* recent TCP/UDP frames, direct-mapped by fingerprint */
#define DUP_PAYLOAD 64           /* payload bytes hashed */
#define DUP_WINDOW_ID_NS 10000000LL  /* 10 ms: IPv4 with a non-zero IP ID */
#define DUP_WINDOW_NS 2000000LL      /* 2 ms: IPv6, or IPv4 ID 0 */

/* A recent TCP/UDP frame: a hash of everything a second copy of the same
 * packet repeats (addresses, IP ID and length, the transport header
 * fields and the payload), but not what a router changes (TTL / hop
 * limit, IPv4 header checksum, link-layer header). */
struct dup_entry {
	uint64_t hash;
	int64_t ns;
	uint64_t frame;
	uint8_t ttl;
};

struct pd_dup_table {
	struct dup_entry *slots; /* DUP_SLOTS, allocated at the first TCP/UDP frame */
};

struct pd_dup_table *pd_dup_table_new(void)
{
	return calloc(1, sizeof(struct pd_dup_table));
}

void pd_dup_table_free(struct pd_dup_table *t)
{
	if (t)
		free(t->slots);
	free(t);
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV_FIELD(h, v) ((h) = fnv((h), &(v), sizeof(v)))

/* The fingerprint of a TCP or UDP packet; 0 when the frame is not one
 * that can be compared (no IP, malformed, cut by the snaplen). */
static uint64_t fingerprint(const struct pd_packet *p)
{
	uint64_t h = 1469598103934665603ULL;
	const struct pd_ip *ip = &p->ip;

	if (!(p->layers & (PD_L_TCP | PD_L_UDP)) || p->malformed || p->snaplen_cut)
		return 0;
	h = fnv(h, &ip->version, 1);
	h = fnv(h, ip->src.a, ip->version == 4 ? 4 : 16);
	h = fnv(h, ip->dst.a, ip->version == 4 ? 4 : 16);
	FNV_FIELD(h, ip->proto);
	FNV_FIELD(h, ip->ip_id);
	FNV_FIELD(h, ip->total_len);
	FNV_FIELD(h, ip->frag_off);
	if (p->layers & PD_L_TCP) {
		const struct pd_tcp *t = &p->tcp;

		FNV_FIELD(h, t->sport);
		FNV_FIELD(h, t->dport);
		FNV_FIELD(h, t->seq);
		FNV_FIELD(h, t->ack);
		FNV_FIELD(h, t->flags);
		FNV_FIELD(h, t->window);
		FNV_FIELD(h, t->payload_len);
		FNV_FIELD(h, t->ts_val);
		FNV_FIELD(h, t->ts_ecr);
		FNV_FIELD(h, t->csum.is);
	} else {
		const struct pd_udp *u = &p->udp;

		FNV_FIELD(h, u->sport);
		FNV_FIELD(h, u->dport);
		FNV_FIELD(h, u->length);
		FNV_FIELD(h, u->csum.is);
	}
	/* the transport checksum (hashed above) already covers the payload;
	 * its first bytes are enough to tell packets apart cheaply */
	if (p->payload && p->payload_caplen)
		h = fnv(h, p->payload, p->payload_caplen < DUP_PAYLOAD ? p->payload_caplen : DUP_PAYLOAD);
	return h ? h : 1;
}

uint64_t pd_dup_check(struct pd_dup_table *t, const struct pd_packet *p, struct pd_dup *out)
{
	uint64_t h;
	int64_t win, d;
	struct dup_entry *e;

	memset(out, 0, sizeof(*out));
	if (!t || !(h = fingerprint(p)))
		return 0;
	if (!t->slots) {
		t->slots = calloc(DUP_SLOTS, sizeof(*t->slots));
		if (!t->slots)
			return 0;
	}
	win = p->ip.version == 4 && p->ip.ip_id ? DUP_WINDOW_ID_NS : DUP_WINDOW_NS;
	e = &t->slots[h & (DUP_SLOTS - 1)];
	d = p->ts_ns - e->ns;
	if (e->hash == h && d >= 0 && d <= win) {
		out->of = e->frame; /* only originals are stored: a third copy matches the first */
		out->gap_ns = d;
		out->ttl_differs = e->ttl != p->ip.ttl;
		return out->of;
	}
	*e = (struct dup_entry){h, p->ts_ns, p->frame, p->ip.ttl};
	return 0;
}
