/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.h - the flow table: bidirectional conversations keyed by the
 * 5-tuple (IPv4 and IPv6), with per-direction TCP state named as in
 * RFC 9293 (iPXE's struct tcp_connection is the model).
 *
 * The VLAN is not part of the key, as in Wireshark's conversations: a
 * connection whose two directions carry different tags (a router on a
 * stick, a tap on a trunk) is one flow.  Each direction keeps the tag it
 * was seen with, for the evidence.
 *
 * Memory is bounded: flows idle longer than the timeout are expired
 * (oldest first, by an LRU list), and when the table is full a new flow
 * is not tracked and the overflow is counted.  Flow records are carved
 * from chunks and recycled, so steady-state packet processing does not
 * call malloc.
 */
#ifndef PKTDOCTOR_FLOW_H
#define PKTDOCTOR_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/packet.h"

/** Canonical flow key: endpoint A sorts before endpoint B.  The VLAN is
 * not in it: directions are joined across VLANs (struct pd_flow_dir.vlan
 * has the tags).  38 bytes, no padding. */
struct pd_flow_key {
	uint8_t family;        /* 4 or 6 */
	uint8_t proto;         /* IP protocol (6 TCP, 17 UDP, ...) */
	uint8_t addr_a[16], addr_b[16];
	uint16_t port_a, port_b;
};

/** What one direction of a flow has shown (sender's view, RFC 9293 names).
 * Members are ordered by size so that the record has no padding holes
 * (56 bytes): every live flow holds two.  The TCP stream layer
 * (tcpstream.h) keeps its sequence state here; analyzers keep their own
 * per-flow state in flow storage (pd_flow_storage_reserve()). */
struct pd_flow_dir {
	uint64_t packets;      /* frames sent in this direction */
	uint64_t bytes;        /* wire bytes (frame lengths) */
	uint64_t payload_bytes;/* TCP/UDP payload bytes */
	/* the TCP stream layer's state (src/core/tcpstream.c) */
	uint32_t snd_nxt;      /* highest seq + payload + SYN + FIN sent so far (SND.NXT
				* as seen; bare ACKs and RSTs do not move it) */
	uint32_t highest_ack;  /* highest ACK this side has sent */
	uint32_t last_ack;     /* the ACK of its latest ACK segment */
	uint32_t rcv_nxt;      /* delivery point: next byte in order (RCV.NXT as seen) */
	uint32_t isn;          /* sequence number of its SYN, when isn_valid */
	uint16_t last_win;     /* the window of its latest ACK segment (unscaled) */
	uint16_t dupacks;      /* duplicate ACKs in a row (saturating) */
	uint16_t vlan;         /* outer VLAN ID of this direction's first frame, 0 untagged */
	uint16_t mss;          /* MSS this side advertised in its SYN, 0 if unseen */
	int8_t wscale;         /* window-scale shift from its SYN, -1 if unseen */
	/* flags, one bit each */
	bool vlan_seen : 1;    /* @vlan is set */
	bool vlan_changed : 1; /* a later frame of this direction had another tag */
	bool sack_permitted : 1; /* SACK-permitted in its SYN */
	bool syn_seen : 1;     /* it sent a SYN (the MSS, wscale, SACK fields are its) */
	bool seq_valid : 1;    /* snd_nxt is known */
	bool ack_valid : 1;    /* highest_ack, last_ack and last_win are known */
	bool rcv_valid : 1;    /* rcv_nxt is known (something was delivered or a SYN seen) */
	bool isn_valid : 1;    /* a SYN of the current connection was captured (isn) */
};

struct pd_flow {
	struct pd_flow_key key;
	bool init_is_a;        /* the first packet came from endpoint A (in the
				* key's 2 bytes of alignment slack) */
	uint64_t id;           /* 1-based, in order of creation */
	int64_t first_ns, last_ns;
	uint64_t first_frame, last_frame;
	struct pd_flow_dir dir[2]; /* [0] = from A, [1] = from B */
	/* LRU links, as record numbers (chunk * 1024 + place, what the hash
	 * index holds; 4 bytes, not 8, a link; UINT32_MAX at the ends); a
	 * free record is on the free list through lru_next */
	uint32_t lru_prev, lru_next;
};

struct pd_flow_table;

/** Limits; zeroes take the defaults. */
struct pd_flow_limits {
	size_t max_flows;      /* default 262144 */
	int64_t idle_ns;       /* default 300 s (TCP), expired lazily */
};

/**
 * pd_flow_table_new() - create a flow table.
 * @lim: limits, or NULL for defaults.
 * Return: the table, or NULL when out of memory.
 */
struct pd_flow_table *pd_flow_table_new(const struct pd_flow_limits *lim);

/** pd_flow_table_free() - free the table and all flows. */
void pd_flow_table_free(struct pd_flow_table *t);

/** Called for each flow leaving the table (expiry or the end). */
typedef void (*pd_flow_end_fn)(void *arg, const struct pd_flow *f);

/**
 * pd_flow_lookup() - find or create the flow of a TCP or UDP packet.
 * @t: table.
 * @p: packet with an IP layer and TCP or UDP.
 * @dir: set to 0 when the packet comes from endpoint A, 1 from B.
 * @on_end: called for each flow expired to make room (may be NULL).
 * @arg: passed to @on_end.
 *
 * Return: the flow, or NULL when the packet has no flow (not TCP/UDP) or
 * the table is full (the overflow counter is raised).
 */
struct pd_flow *pd_flow_lookup(struct pd_flow_table *t, const struct pd_packet *p,
			       int *dir, pd_flow_end_fn on_end, void *arg);

/**
 * pd_flow_expire() - expire flows idle since before @now_ns - idle.
 * Return: the number expired.
 */
size_t pd_flow_expire(struct pd_flow_table *t, int64_t now_ns,
		      pd_flow_end_fn on_end, void *arg);

/* Bytes of per-flow storage all analyzers may reserve together. */
#define PD_FLOW_STORAGE_MAX 64

/**
 * pd_flow_storage_reserve() - reserve @size bytes of storage in every flow
 * record for one analyzer (Suricata's flow storage is the model): the
 * analyzer keeps its per-flow state there instead of in struct pd_flow.
 * Call it from the analyzer's init(), before the first flow exists.
 * @t: the table.
 * @size: bytes; rounded up to 8.
 * Return: a handle (>= 0) for pd_flow_storage(); -PD_EUSAGE once flows
 * exist, -PD_ELIMIT past PD_FLOW_STORAGE_MAX bytes in all.
 */
int pd_flow_storage_reserve(struct pd_flow_table *t, size_t size);

/**
 * pd_flow_storage() - the storage at @handle in flow @f: zeroed when the
 * flow is created, 8-byte aligned, valid until the flow ends.
 */
void *pd_flow_storage(const struct pd_flow *f, int handle);

/** pd_flow_drain() - end every flow (at the end of a file). */
void pd_flow_drain(struct pd_flow_table *t, pd_flow_end_fn on_end, void *arg);

/** Called for each live flow by pd_flow_foreach(); must not change the table. */
typedef void (*pd_flow_visit_fn)(void *arg, const struct pd_flow *f);

/**
 * pd_flow_foreach() - visit live flows, most recently seen first (for a
 * live view such as the monitor's connections pane; read only).
 * @max: visit at most this many.
 * Return: the number visited.
 */
size_t pd_flow_foreach(const struct pd_flow_table *t, pd_flow_visit_fn fn, void *arg,
		       size_t max);

/** Counters. */
struct pd_flow_stats {
	uint64_t created, expired, overflow;
	uint64_t overflow_first;  /* frame of the first packet not tracked, 0 none */
	size_t live, peak;
	size_t max_flows;         /* the limit in force */
};
void pd_flow_table_stats(const struct pd_flow_table *t, struct pd_flow_stats *out);

/**
 * pd_flow_format() - "TCP 10.0.0.1:80 -> 10.0.0.2:5000 vlan 7", from the
 * initiator (first sender) to the responder; "vlan 10/20" when the
 * initiator's frames carry VLAN 10 and the responder's VLAN 20.
 * Return: @buf.
 */
char *pd_flow_format(const struct pd_flow *f, char *buf, size_t len);

/**
 * pd_flow_vlan_asymmetric() - the two directions were seen with different
 * VLAN tags (one may be untagged).
 */
bool pd_flow_vlan_asymmetric(const struct pd_flow *f);

/**
 * pd_flow_endpoint() - the address of side @side (0 = A, 1 = B).
 */
void pd_flow_endpoint(const struct pd_flow *f, int side, struct pd_addr *out);

/**
 * pd_seq_lt() / pd_seq_le() - serial-number comparison of TCP sequence
 * numbers (RFC 1982 arithmetic as RFC 9293 3.4 uses it).
 */
static inline bool pd_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool pd_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

#endif
