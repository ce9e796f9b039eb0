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
#include "pktdoctor/hashtab.h"

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

/* Up to @n bytes of @b, 8 at a time, the tail zero-padded, through the
 * shared word mix (hashtab.h): word-wise it costs a seventh of the
 * bytewise FNV-1a this used to be (perf: 14% of an analysis of bulk TCP,
 * now 6%).  Unseeded: a fingerprint is compared, never used as a slot
 * an attacker could crowd beyond one entry. */
static inline uint64_t mix_bytes(uint64_t h, const uint8_t *b, size_t n)
{
	uint64_t w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = pd_hash_mix(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = pd_hash_mix(h, w);
	}
	return h;
}

/* The fingerprint of a TCP or UDP packet; 0 when the frame is not one
 * that can be compared (no IP, malformed, cut by the snaplen). */
static uint64_t fingerprint(const struct pd_packet *p)
{
	const struct pd_ip *ip = &p->ip;
	size_t alen = ip->version == 4 ? 4 : 16;
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	if (!(p->layers & (PD_L_TCP | PD_L_UDP)) || p->malformed || p->snaplen_cut)
		return 0;
	h = pd_hash_mix(h, (uint64_t)ip->version | (uint64_t)ip->proto << 8 |
			       (uint64_t)ip->ip_id << 16 | (uint64_t)ip->frag_off << 32);
	h = pd_hash_mix(h, ip->total_len);
	if (alen == 4) {
		uint32_t src, dst;

		memcpy(&src, ip->src.a, 4);
		memcpy(&dst, ip->dst.a, 4);
		h = pd_hash_mix(h, (uint64_t)src | (uint64_t)dst << 32);
	} else {
		h = mix_bytes(h, ip->src.a, 16);
		h = mix_bytes(h, ip->dst.a, 16);
	}
	if (p->layers & PD_L_TCP) {
		const struct pd_tcp *t = &p->tcp;

		h = pd_hash_mix(h, (uint64_t)t->sport | (uint64_t)t->dport << 16 | (uint64_t)t->seq << 32);
		h = pd_hash_mix(h, (uint64_t)t->ack | (uint64_t)t->flags << 32 | (uint64_t)t->window << 40);
		h = pd_hash_mix(h, (uint64_t)t->payload_len | (uint64_t)t->csum.is << 32);
		h = pd_hash_mix(h, (uint64_t)t->ts_val | (uint64_t)t->ts_ecr << 32);
	} else {
		const struct pd_udp *u = &p->udp;

		h = pd_hash_mix(h, (uint64_t)u->sport | (uint64_t)u->dport << 16 |
				       (uint64_t)u->length << 32 | (uint64_t)u->csum.is << 48);
	}
	/* the transport checksum (hashed above) already covers the payload,
	 * so its first bytes are enough to tell packets apart cheaply; a UDP
	 * datagram sent without one (RFC 768: 0) has nothing else covering
	 * it, and two replies of one server to one client (a DHCP OFFER and
	 * ACK: same xid, same addresses) differ only far into it */
	if (p->payload && p->payload_caplen) {
		size_t n = p->payload_caplen;

		if (!((p->layers & PD_L_UDP) && p->udp.csum.is == 0) && n > DUP_PAYLOAD)
			n = DUP_PAYLOAD;
		h = mix_bytes(h, p->payload, n);
	}
	h ^= h >> 29;
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
