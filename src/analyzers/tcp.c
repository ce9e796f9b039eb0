/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.c - per-flow TCP path analysis.
 *
 * For each direction of each TCP connection it reads what each segment
 * is from the TCP stream layer (tcpstream.h: new, gap, old, keep-alive,
 * duplicate ACK), splits old segments into retransmissions of each kind
 * with its own timing, and keeps the segments that exceed the MSS the
 * receiver advertised in its SYN (RFC 9293 3.7.1: the sender must not
 * send more).  From that:
 *
 *   tcp.retransmissions        per flow: retransmission, fast retransmission,
 *                              spurious retransmission, out-of-order, previous
 *                              segment not captured, duplicate ACK, zero
 *                              window (the categories of Wireshark's TCP
 *                              analysis; differences in docs/peers.md);
 *   tcp.retransmission_storm   one segment sent again N times (default 4)
 *                              with no ACK progress: the RTO back-off
 *                              ladder, the stall, how the connection ended
 *                              and whether the client reconnected to the
 *                              same server port and stalled again;
 *   tcp.tso_artifact           super-segments above the receiver's MSS that
 *                              exist only in a capture on the sending host
 *                              (partial checksum, IP length 0, larger than
 *                              any MTU), ACKed or at least never resent;
 *   tcp.rx_coalescing          the same seen on the receiving host: GRO/LRO
 *                              (Linux) or RSC (Windows) merged wire segments
 *                              of a remote sender after they arrived (told
 *                              apart by direction: pcapng/SLL inbound, or a
 *                              sender whose ordinary segments carry valid
 *                              checksums while only the merged ones carry
 *                              the pseudo-header sum GRO leaves);
 *   tcp.segment_exceeds_mss    segments above the receiver's MSS that were
 *                              really on the wire (only with the MSS from
 *                              a captured SYN: without one nothing was
 *                              violated, unless a segment is larger than
 *                              any MTU);
 *   tcp.oversize_blackhole     segments above the receiver's MSS retransmitted
 *                              and never ACKed, while smaller segments of the
 *                              flow get through or the receiver's ACKs stop
 *                              exactly at them (the iSCSI-boot seed case).
 *
 * Frames the engine marked as a second copy of the same packet
 * (duplicate.h; capture.duplicate_frames) are left out: they are not
 * retransmissions.
 *
 * The per-flow state is allocated when a TCP flow is first seen and
 * freed when it leaves the flow table; all of it is bounded.  It is kept
 * small for the common flow (a SYN-only flow costs about 200 bytes here):
 * each direction's state is allocated when that side first sends, and
 * the rare parts (the segment ring past its first entry, oversize
 * segments, category frames, the retransmission run, storms) only when a
 * flow needs them, growing by doubling up to their bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

#define RING 64          /* recent new segments per direction (original send times) */
#define PEND 64          /* distinct oversize segments tracked per direction */
#define LADDER 16        /* copies kept per storm */
#define MAX_STORMS 4     /* storms kept per connection */
#define CAT_FRAMES 8     /* first frames kept per category */
#define MAX_QUEUED 2000  /* storm findings waiting for reconnect matching */
#define MAX_CONNS 100000 /* connection records kept (about 300 bytes each) */
#define OVER_LOG 256     /* oversize frames (copies included) listed per direction */
#define NS_PER_MS 1000000LL
#define RECONNECT_WINDOW_NS (120LL * 1000000000LL)

enum cat {
	C_RETRANS, C_FAST, C_SPURIOUS, C_OOO, C_LOST, C_DUPACK, C_ZEROWIN, C__COUNT
};

static const char *const cat_key[C__COUNT] = {
	"retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
	"previous_segment_not_captured", "duplicate_ack", "zero_window",
};

struct seg {
	uint32_t seq, end;
	int64_t ns;
	uint64_t frame;
};

struct oversize {
	uint32_t seq, end, len;
	uint64_t frame;
	int64_t ns;
	uint16_t copies;      /* retransmissions seen */
	bool tso;             /* signs of a sending-host capture */
	bool inbound;         /* pcapng epb_flags inbound / SLL to this host */
	bool outbound;        /* pcapng epb_flags outbound / SLL outgoing */
	bool acked;
	bool hole;            /* the receiver's ACKs stopped exactly here (dup ACK/SACK) */
};

struct run {                  /* one segment being retransmitted */
	bool active;
	uint32_t seq, len;
	unsigned n;           /* entries in t[]/frames[] (original + copies) */
	unsigned copies;      /* retransmissions (all, even past LADDER) */
	bool have_original;
	bool syn;             /* the segment is a SYN or SYN/ACK */
	uint64_t key;         /* its tcp.retransmission_storm finding, once emitted */
	int64_t t[LADDER + 1];
	uint64_t frames[LADDER + 1];
	int64_t last_ns;
};

struct storm {
	struct run r;
	int dir;
	const char *ended;    /* "ack", "rst", "fin", "open" */
	int64_t end_ns;
};

/* Per-direction category counters and their first frames: allocated at
 * the first event of any category. */
struct tcats {
	uint64_t n[C__COUNT];
	uint64_t frames[C__COUNT][CAT_FRAMES];
};

/* An oversize frame, copies included, for tcp.oversize_blackhole. */
struct over_frame {
	uint16_t pend;        /* index in struct tdir.pend */
	uint64_t frame;
};

/* A side's first FIN or RST: how it gave up on the connection. */
struct giveup {
	int64_t ns;
	uint64_t frame;
	bool rst;             /* a RST (else a FIN) */
};

/* The oversize frames of one direction, allocated at the first one. */
struct over_log {
	uint32_t n;
	struct over_frame v[OVER_LOG];
};

/* One direction (members ordered by size, so little is lost to padding). */
struct tdir {
	bool fin, rst, small_pending, small_acked;
	uint32_t small_end;   /* end of the highest segment <= MSS sent */
	uint32_t max_seg;
	uint32_t over_max;
	unsigned ring_n;      /* new segments pushed (ring index = ring_n % RING) */
	unsigned n_pend;
	uint32_t over_total;  /* distinct oversize segments (saturating) */
	uint32_t over_dropped;/* ... not kept in pend[] (saturating) */
	int64_t last_ack_ns;  /* when its ACK number last changed or repeated */
	uint64_t max_seg_frame;
	struct seg ring0;     /* the first new segment (a SYN-only flow needs no more) */
	struct seg *ring;     /* from the second: RING entries, grown 4, 8, ... RING */
	struct oversize *pend;/* grown 4, 8, ... PEND */
	struct tcats *cats;   /* NULL until the first category event */
	struct tdir_extra *x; /* NULL until a retransmission, an oversize segment or a
			       * FIN/RST: the rare parts (one pointer for three) */
	/* TCP checksums of this sender's frames that are not oversize: valid
	 * ones say its stack/NIC finished them before they left */
	uint32_t csum_valid, csum_partial;
	int64_t last_tx_ns;   /* this side's last frame that was not a RST */
};

/* The rare parts of a direction, allocated when the first is needed. */
struct tdir_extra {
	uint64_t blackhole_key; /* its tcp.oversize_blackhole, once emitted */
	uint64_t blackhole_seen;/* segments + copies + holes it was last emitted with */
	uint64_t exceeds_key;   /* its tcp.segment_exceeds_mss of ACKed segments, once emitted */
	struct run *cur;      /* NULL until the first retransmission */
	struct over_log *over_log; /* NULL until the first oversize frame */
	bool gave_up;         /* giveup is set */
	struct giveup giveup; /* this side's first FIN or RST */
};

/* The rare parts of @d, allocated on first use; NULL when out of memory. */
static struct tdir_extra *extra(struct tdir *d)
{
	if (!d->x)
		d->x = calloc(1, sizeof(*d->x));
	return d->x;
}

struct tflow {
	struct tdir *d[2];    /* NULL until that side sends */
	int64_t syn_ns, synack_ns, hs_ack_ns;
	struct storm *storms; /* MAX_STORMS, allocated at the first storm */
	unsigned storms_total;
	uint8_t client;       /* dir index of the side that sent the SYN */
	uint8_t n_storms;
	uint8_t live_storms;  /* storms emitted and still going (not in storms[] yet) */
	bool client_known;
};

/* What a side that has sent nothing shows: all zero. */
static const struct tdir no_dir;

static const struct tdir *dir_of(const struct tflow *t, int dir)
{
	return t->d[dir] ? t->d[dir] : &no_dir;
}

static uint64_t cat_n(const struct tdir *d, int c)
{
	return d->cats ? d->cats->n[c] : 0;
}

/* Room for index @n of an array of @elem-byte elements that is NULL
 * until first used and then grows 4, 8, 16, ... @max elements.
 * Return: the (maybe moved) array, or NULL when out of memory (@p is
 * then unchanged). */
static void *grow_pow2(void *p, unsigned n, size_t elem, unsigned max)
{
	if (!p)
		return malloc(4 * elem);
	if (n < 4 || n >= max || (n & (n - 1)))
		return p;
	return realloc(p, 2 * (size_t)n * elem);
}

static void tdir_free(struct tdir *d)
{
	if (!d)
		return;
	free(d->ring);
	free(d->pend);
	free(d->cats);
	if (d->x) {
		free(d->x->cur);
		free(d->x->over_log);
		free(d->x);
	}
	free(d);
}

struct queued_storm {
	struct pd_finding f;
	uint64_t key;         /* the finding's key (emitted when the storm began) */
	uint64_t flow_id;
	struct pd_addr client, server;
	uint16_t server_port;
	int64_t start_ns, conn_end_ns;
	/* the client's give-up on this connection: its first FIN or RST
	 * (giveup_frame 0: none) and its last frame that was not a RST */
	int64_t giveup_ns, client_last_ns;
	uint64_t giveup_frame;
	bool giveup_rst;
	bool by_server;       /* the server sent the storm */
	unsigned n;           /* copy times kept in t[] (original first) */
	int64_t t[LADDER + 1];
	unsigned copies_total;
	int64_t last_copy_ns;
};

struct tcp_state {
	struct pd_analysis *a;/* the analysis this state belongs to (findings go there) */
	int storage;          /* flow storage handle: one struct tflow * per flow */
	unsigned threshold;
	struct queued_storm *q;
	size_t nq, capq;
	uint64_t q_dropped;
	uint64_t q_first;     /* first frame of the first storm not queued */
	uint64_t conns_first; /* first frame of the first connection not kept */
	/* oversize segments past PEND in one direction, storms past
	 * MAX_STORMS in one connection: totals and the first frame of each */
	uint64_t over_dropped, over_first;
	uint64_t storms_dropped, storms_first;
};

/* The flow's TCP state, in the storage this analyzer reserved. */
static struct tflow **tflow_slot(const struct tcp_state *s, const struct pd_flow *f)
{
	return pd_flow_storage(f, s->storage);
}

static int tcp_init(struct pd_analysis *a, void **state)
{
	struct tcp_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->threshold = a->opts->storm_threshold ? a->opts->storm_threshold : 4;
	s->a = a;
	s->storage = pd_flow_storage_reserve(a->flows, sizeof(struct tflow *));
	if (s->storage < 0) {
		int rc = s->storage;

		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static void cat_add(struct tdir *d, int c, uint64_t frame)
{
	if (!d->cats && !(d->cats = calloc(1, sizeof(*d->cats))))
		return;
	if (d->cats->n[c] < CAT_FRAMES)
		d->cats->frames[c][d->cats->n[c]] = frame;
	d->cats->n[c]++;
}

/*
 * The MSS to hold segments against when the receiver's SYN was not
 * captured.  The RFC 9293 default (536) is only what a sender may assume
 * when the peer sent no option; a mid-stream capture does not show which
 * MSS was agreed, and 1380-1460-byte segments are ordinary.  So the
 * standard Ethernet MSS (MTU 1500 - 40, IPv6 - 60) is the threshold for
 * "larger than this path is likely to carry"; a segment above it is only
 * reported when the black-hole evidence shows it was lost, or when it is
 * larger than any MTU (see size_findings()).
 */
static uint16_t assumed_mss(const struct pd_flow *f)
{
	return f->key.family == 6 ? 1440 : 1460;
}

static const struct seg *ring_find(const struct tdir *d, uint32_t seq)
{
	unsigned n = d->ring_n < RING ? d->ring_n : RING;

	if (!d->ring)
		return d->ring_n && d->ring0.seq == seq ? &d->ring0 : 0;
	for (unsigned i = 0; i < n; i++) {
		const struct seg *s = &d->ring[(d->ring_n - 1 - i) % RING];

		if (s->seq == seq)
			return s;
	}
	return 0;
}

/* When the side last sent new data (SND.NXT moved): its newest ring
 * entry; 0 before any. */
static int64_t ring_last_ns(const struct tdir *d)
{
	if (!d->ring_n)
		return 0;
	return d->ring ? d->ring[(d->ring_n - 1) % RING].ns : d->ring0.ns;
}

/* Keep a new segment's send time.  Out of memory, the ring keeps its
 * older entries, and ring_last_ns() then dates an out-of-order test from
 * the last one kept. */
static void ring_push(struct tdir *d, uint32_t seq, uint32_t end, int64_t ns, uint64_t frame)
{
	struct seg *s;

	if (!d->ring && d->ring_n == 0) {
		s = &d->ring0;
	} else {
		struct seg *v = grow_pow2(d->ring, d->ring_n, sizeof(*v), RING);

		if (!v)
			return; /* out of memory: this segment's send time is not kept */
		if (!d->ring)
			v[0] = d->ring0;
		d->ring = v;
		s = &d->ring[d->ring_n % RING];
	}
	s->seq = seq;
	s->end = end;
	s->ns = ns;
	s->frame = frame;
	d->ring_n++;
}

static void storm_fill(struct pd_finding *x, const struct pd_flow *f, const struct tflow *t,
		       const struct run *r, int dir, const char *ended, int64_t end_ns);

/* A retransmission run ends: keep it as a storm if it is one, and give
 * its finding (emitted when the run became a storm) how it ended. */
static void run_end(struct tcp_state *s, const struct pd_flow *f, struct tflow *t, int dir,
		    const char *why, int64_t ns)
{
	struct tdir *d = t->d[dir];
	struct run *cur = d && d->x ? d->x->cur : 0;

	if (!cur || !cur->active)
		return;
	if (cur->key) {
		struct pd_finding x;

		storm_fill(&x, f, t, cur, dir, why, ns);
		pd_analysis_emit(s->a, &x, &cur->key);
		if (t->live_storms)
			t->live_storms--;
	}
	if (cur->copies >= s->threshold) {
		t->storms_total++;
		if (!t->storms)
			t->storms = malloc(MAX_STORMS * sizeof(*t->storms));
		if (t->storms && t->n_storms < MAX_STORMS) {
			struct storm *st = &t->storms[t->n_storms++];

			st->r = *cur;
			st->dir = dir;
			st->ended = why;
			st->end_ns = ns;
		} else if (!s->storms_dropped++) {
			s->storms_first = cur->frames[0];
		}
	}
	cur->active = false;
}

static void run_copy(struct tcp_state *s, const struct pd_flow *f, struct tflow *t, int dir,
		     const struct pd_packet *p, uint32_t len)
{
	struct tdir *d = t->d[dir];
	struct tdir_extra *x = extra(d);
	struct run *r;

	if (!x || (!x->cur && !(x->cur = calloc(1, sizeof(*x->cur)))))
		return;
	r = x->cur;
	if (!r->active || r->seq != p->tcp.seq) {
		const struct seg *orig;

		run_end(s, f, t, dir, "new-segment", p->ts_ns);
		memset(r, 0, sizeof(*r));
		r->active = true;
		r->seq = p->tcp.seq;
		r->len = len;
		r->syn = (p->tcp.flags & TH_SYN) != 0;
		orig = ring_find(d, p->tcp.seq);
		if (orig) {
			r->t[0] = orig->ns;
			r->frames[0] = orig->frame;
			r->n = 1;
			r->have_original = true;
		}
	}
	if (len > r->len)
		r->len = len;
	r->copies++;
	if (r->n < LADDER + 1) {
		r->t[r->n] = p->ts_ns;
		r->frames[r->n] = p->frame;
		r->n++;
	}
	r->last_ns = p->ts_ns;
	/* a storm is known at its Nth copy: say so now, and again at every
	 * copy after it (the back-off ladder grows), as long as the
	 * connection has room for it among its MAX_STORMS */
	if (r->copies >= s->threshold && (r->key || t->n_storms + t->live_storms < MAX_STORMS)) {
		struct pd_finding storm;
		bool fresh = !r->key;

		storm_fill(&storm, f, t, r, dir, "still retransmitting", p->ts_ns);
		if (pd_analysis_emit(s->a, &storm, &r->key) == 0 && fresh && r->key)
			t->live_storms++;
	}
}

/* Which way the frame was going, as the capture recorded it. */
static bool frame_inbound(const struct pd_packet *p)
{
	if (p->has_epb_flags && (p->epb_flags & PD_EPB_DIR_MASK))
		return (p->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_IN;
	return (p->layers & PD_L_SLL) && p->sll.pkttype != PD_SLL_OUTGOING;
}

static bool frame_outbound(const struct pd_packet *p)
{
	if (p->has_epb_flags && (p->epb_flags & PD_EPB_DIR_MASK))
		return (p->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_OUT;
	return (p->layers & PD_L_SLL) && p->sll.pkttype == PD_SLL_OUTGOING;
}

/* Keep an oversize frame (first transmission or copy) for the finding. */
static void over_log_add(struct tdir *d, unsigned pend, uint64_t frame)
{
	struct tdir_extra *x = extra(d);
	struct over_log *l = x ? x->over_log : 0;

	if (!x)
		return;
	if (!l) {
		l = x->over_log = calloc(1, sizeof(*l));
		if (!l)
			return;
	}
	if (l->n < OVER_LOG)
		l->v[l->n++] = (struct over_frame){(uint16_t)pend, frame};
}

static bool tso_signs(const struct pd_packet *p)
{
	return p->tcp.csum.verdict == PD_CSUM_PARTIAL || p->ip.len_from_frame ||
	       p->ip.total_len > 9216 || (p->has_epb_flags && (p->epb_flags & PD_EPB_TSO));
}

static void track_size(struct tdir *d, const struct pd_packet *p, uint16_t mss_r, uint32_t end)
{
	uint32_t len = p->tcp.payload_len;

	if (len > d->max_seg) {
		d->max_seg = len;
		d->max_seg_frame = p->frame;
	}
	if (len <= mss_r) {
		if (p->tcp.csum.verdict == PD_CSUM_VALID)
			d->csum_valid++;
		else if (p->tcp.csum.verdict == PD_CSUM_PARTIAL)
			d->csum_partial++;
	}
	if (len == 0)
		return;
	if (len <= mss_r) {
		if (!d->small_pending || pd_seq_lt(d->small_end, end))
			d->small_end = end;
		d->small_pending = true;
		return;
	}
	for (unsigned i = 0; i < d->n_pend; i++) {
		struct oversize *o = &d->pend[i];

		if (o->seq == p->tcp.seq && o->end == end) {
			if (o->copies < UINT16_MAX)
				o->copies++;
			over_log_add(d, i, p->frame);
			return;
		}
	}
	if (d->over_total < UINT32_MAX)
		d->over_total++;
	if (len > d->over_max)
		d->over_max = len;
	if (d->n_pend == PEND) {
		if (d->over_dropped < UINT32_MAX)
			d->over_dropped++;
		return;
	}
	{
		struct oversize *v = grow_pow2(d->pend, d->n_pend, sizeof(*v), PEND);

		if (!v) {
			if (d->over_dropped < UINT32_MAX)
				d->over_dropped++;
			return;
		}
		d->pend = v;
	}
	over_log_add(d, d->n_pend, p->frame);
	d->pend[d->n_pend++] = (struct oversize){
		.seq = p->tcp.seq, .end = end, .len = len, .frame = p->frame,
		.ns = p->ts_ns, .tso = tso_signs(p), .inbound = frame_inbound(p),
		.outbound = frame_outbound(p),
	};
}

static void exceeds_check(struct tcp_state *s, const struct pd_flow *f, struct tdir *d, int dir);

/* This side (dir) acknowledged up to @ack: settle the peer's data. */
static void ack_progress(struct tcp_state *s, const struct pd_flow *f, struct tflow *t, int peer,
			 uint32_t ack, int64_t ns)
{
	struct tdir *r = t->d[peer];
	bool wire_acked = false;

	if (!r)
		return;
	for (unsigned i = 0; i < r->n_pend; i++)
		if (!r->pend[i].acked && pd_seq_le(r->pend[i].end, ack)) {
			r->pend[i].acked = true;
			wire_acked |= !r->pend[i].tso;
		}
	if (wire_acked)
		exceeds_check(s, f, r, peer);
	if (r->small_pending && pd_seq_le(r->small_end, ack)) {
		r->small_acked = true;
		r->small_pending = false;
	}
	if (r->x && r->x->cur && r->x->cur->active && pd_seq_lt(r->x->cur->seq, ack))
		run_end(s, f, t, peer, "ack", ns);
}

static void blackhole_check(struct tcp_state *s, const struct pd_flow *f, struct tdir *d,
			    int dir, int64_t now_ns);

static void tcp_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		       struct pd_flow *f, int dir)
{
	struct tcp_state *s = state;
	struct tflow *t;
	struct tdir *d;
	const struct tdir *r;
	const struct pd_tcp *th = &p->tcp;
	const struct pd_tcp_seg *sg = &a->tcp_seg;
	const struct pd_flow_dir *peer;
	uint32_t end;
	uint16_t mss_r;
	int c = -1;

	if (!sg->analysed)
		return; /* no TCP segment of a tracked flow, or a second copy of a frame */
	t = *tflow_slot(s, f);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return;
		*tflow_slot(s, f) = t;
	}
	if (!t->d[dir] && !(t->d[dir] = calloc(1, sizeof(*t->d[dir]))))
		return;
	d = t->d[dir];
	r = dir_of(t, 1 - dir);
	peer = &f->dir[1 - dir];
	end = sg->end;

	/* handshake timing: SYN -> SYN/ACK -> ACK (Wireshark's iRTT) */
	if ((th->flags & (TH_SYN | TH_ACK)) == TH_SYN && !t->syn_ns) {
		t->syn_ns = p->ts_ns;
		t->client = (uint8_t)dir;
		t->client_known = true;
	} else if ((th->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && t->syn_ns && !t->synack_ns) {
		t->synack_ns = p->ts_ns;
	} else if ((th->flags & (TH_SYN | TH_ACK)) == TH_ACK && t->synack_ns && !t->hs_ack_ns &&
		   dir == t->client) {
		t->hs_ack_ns = p->ts_ns;
	}
	if (th->flags & TH_RST)
		d->rst = true;
	if (th->flags & TH_FIN)
		d->fin = true;
	if ((th->flags & (TH_FIN | TH_RST)) && !(d->x && d->x->gave_up) && extra(d)) {
		d->x->gave_up = true;
		d->x->giveup.ns = p->ts_ns;
		d->x->giveup.frame = p->frame;
		d->x->giveup.rst = (th->flags & TH_RST) != 0;
	}
	if (!(th->flags & TH_RST))
		d->last_tx_ns = p->ts_ns;

	mss_r = f->dir[1 - dir].mss ? f->dir[1 - dir].mss : assumed_mss(f);
	track_size(d, p, mss_r, th->seq + th->payload_len);
	if (d->over_dropped && !s->over_first)
		s->over_first = p->frame; /* the first oversize segment not kept */

	/* what the segment is comes from the TCP stream layer (tcpstream.h);
	 * an old one is split as Wireshark's tcp_analyze_sequence_number
	 * does: fast retransmission, out-of-order, spurious, retransmission */
	switch (sg->kind) {
	case PD_SEG_FIRST:
	case PD_SEG_NEW:
		ring_push(d, th->seq, end, p->ts_ns, p->frame);
		break;
	case PD_SEG_GAP:
		c = C_LOST;
		ring_push(d, th->seq, end, p->ts_ns, p->frame);
		break;
	case PD_SEG_OLD: {
		/* Wireshark: the handshake RTT if known, else 3 ms */
		int64_t ooo_ns = t->hs_ack_ns && t->syn_ns ? t->hs_ack_ns - t->syn_ns
							    : 3 * NS_PER_MS;

		if (peer->dupacks >= 2 && peer->last_ack == th->seq &&
		    p->ts_ns - r->last_ack_ns < 20 * NS_PER_MS)
			c = C_FAST;
		else if (p->ts_ns - ring_last_ns(d) < ooo_ns && sg->prev_nxt != end)
			c = C_OOO;
		else if (pd_tcp_stream_acked(f, dir, end))
			c = C_SPURIOUS;
		else
			c = C_RETRANS;
		break;
	}
	default: /* no sequence space, or a keep-alive: not a retransmission */
		break;
	}
	if (c >= 0)
		cat_add(d, c, p->frame);
	if (c == C_RETRANS || c == C_FAST)
		run_copy(s, f, t, dir, p, th->payload_len);

	/* the ACK this side sends */
	if (sg->ack) {
		if (sg->dup_ack) {
			d->last_ack_ns = p->ts_ns;
			cat_add(d, C_DUPACK, p->frame);
		} else if (sg->ack_changed) {
			d->last_ack_ns = p->ts_ns;
		}
		/* the receiver's ACK stops exactly at an oversize segment */
		if (sg->dup_ack || th->sack_count)
			for (unsigned i = 0; i < r->n_pend; i++)
				if (r->pend[i].seq == th->ack)
					t->d[1 - dir]->pend[i].hole = true;
		if (sg->ack_advanced)
			ack_progress(s, f, t, 1 - dir, th->ack, p->ts_ns);
	}
	if (th->window == 0 && !(th->flags & (TH_SYN | TH_FIN | TH_RST)))
		cat_add(d, C_ZEROWIN, p->frame);
	/* a black hole is known when its evidence holds: an oversize copy
	 * from this side, or an ACK from it about the other side's */
	if (d->n_pend && th->payload_len > mss_r)
		blackhole_check(s, f, d, dir, p->ts_ns);
	if (r->n_pend && (th->flags & TH_ACK))
		blackhole_check(s, f, t->d[1 - dir], 1 - dir, p->ts_ns);
}

/* ---- findings at the end of a flow ---- */

static int side_of(const struct pd_flow *f, const struct tflow *t, int dir)
{
	int client = t->client_known ? t->client : (f->init_is_a ? 0 : 1);

	return dir == client ? 0 : 1; /* 0 client, 1 server */
}

static void dir_addr(const struct pd_flow *f, int dir, struct pd_addr *a, uint16_t *port)
{
	pd_flow_endpoint(f, dir, a);
	*port = dir == 0 ? f->key.port_a : f->key.port_b;
}

static void fmt_endpoint(const struct pd_flow *f, int dir, char *buf, size_t len)
{
	struct pd_addr a;
	uint16_t port;
	char s[48];

	dir_addr(f, dir, &a, &port);
	pd_addr_format(&a, s, sizeof(s));
	if (a.family == 6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

static const char *conn_end_of(const struct tflow *t)
{
	const struct tdir *d0 = dir_of(t, 0), *d1 = dir_of(t, 1);

	if (d0->rst || d1->rst)
		return "rst";
	if (d0->fin && d1->fin)
		return "fin";
	if (d0->fin || d1->fin)
		return "half-fin";
	return "open";
}

static void retrans_finding(struct pd_analysis *a, const struct pd_flow *f, const struct tflow *t,
			    const char *flow)
{
	struct pd_finding x;
	uint64_t tot[C__COUNT] = {0};
	bool any = false;
	char from[64];

	for (int c = 0; c < C__COUNT; c++) {
		tot[c] = cat_n(dir_of(t, 0), c) + cat_n(dir_of(t, 1), c);
		any |= tot[c] != 0;
	}
	if (!any)
		return;
	pd_finding_init(&x, "tcp.retransmissions",
			tot[C_RETRANS] || tot[C_FAST] ? PD_SEV_WARNING : PD_SEV_INFO);
	pd_finding_flow(&x, "%s", flow);
	for (int c = 0; c < C__COUNT; c++)
		for (int dir = 0; dir < 2; dir++)
			for (uint64_t i = 0; i < cat_n(dir_of(t, dir), c) && i < CAT_FRAMES; i++)
				if (c != C_DUPACK && c != C_ZEROWIN)
					pd_finding_add_frame(&x, t->d[dir]->cats->frames[c][i]);
	/* frames: the first ones of the retransmission categories, sorted */
	for (uint32_t i = 1; i < x.n_frames; i++)
		for (uint32_t k = i; k > 0 && x.frames[k - 1] > x.frames[k]; k--) {
			uint64_t tmp = x.frames[k];

			x.frames[k] = x.frames[k - 1];
			x.frames[k - 1] = tmp;
		}
	x.frames_total = tot[C_RETRANS] + tot[C_FAST] + tot[C_SPURIOUS] + tot[C_OOO] + tot[C_LOST];
	pd_finding_message(&x,
			   "%llu retransmissions, %llu fast retransmissions, %llu spurious, "
			   "%llu out-of-order, %llu previous segments not captured, %llu duplicate "
			   "ACKs, %llu zero windows",
			   (unsigned long long)tot[C_RETRANS], (unsigned long long)tot[C_FAST],
			   (unsigned long long)tot[C_SPURIOUS], (unsigned long long)tot[C_OOO],
			   (unsigned long long)tot[C_LOST], (unsigned long long)tot[C_DUPACK],
			   (unsigned long long)tot[C_ZEROWIN]);
	for (int c = 0; c < C__COUNT; c++)
		pd_finding_ev_u64(&x, cat_key[c], tot[c]);
	for (int dir = 0; dir < 2; dir++) {
		uint64_t n = cat_n(dir_of(t, dir), C_RETRANS) + cat_n(dir_of(t, dir), C_FAST);

		if (n) {
			fmt_endpoint(f, dir, from, sizeof(from));
			pd_finding_ev_str(&x, side_of(f, t, dir) ? "server_sender" : "client_sender",
					  "%s: %llu retransmitted", from, (unsigned long long)n);
		}
	}
	if (pd_flow_vlan_asymmetric(f)) {
		int cl = t->client_known ? t->client : (f->init_is_a ? 0 : 1);

		pd_finding_ev_str(&x, "vlans", "client %u, server %u", f->dir[cl].vlan,
				  f->dir[1 - cl].vlan);
	}
	pd_finding_advice(&x, "Loss on the path: compare with a capture at the other end to "
			      "find where packets disappear; check interface error and drop "
			      "counters (ethtool -S) on both hosts.");
	pd_analysis_add(a, &x);
}

/* tcp.segment_exceeds_mss for the oversize segments of @d that were
 * ACKed without TSO signs (@acked) or never ACKed (!@acked).  @key: its
 * key (pd_analysis_emit()), or NULL for a finding made once. */
static void exceeds_finding(struct pd_analysis *a, const struct tdir *d, const char *flow,
			    bool acked, uint64_t count, uint32_t max, uint16_t mss, bool assumed,
			    const char *snd, const char *rcv, uint32_t min_len, uint64_t *key)
{
	struct pd_finding x;

	pd_finding_init(&x, "tcp.segment_exceeds_mss", acked ? PD_SEV_WARNING : PD_SEV_ERROR);
	pd_finding_flow(&x, "%s", flow);
	for (unsigned i = 0; i < d->n_pend; i++)
		if ((acked ? d->pend[i].acked && !d->pend[i].tso : !d->pend[i].acked) &&
		    d->pend[i].len > min_len)
			pd_finding_add_frame(&x, d->pend[i].frame);
	pd_finding_message(&x, "%llu segments from %s of up to %u bytes exceed the %u-byte MSS %s "
			       "advertised%s %s",
			   (unsigned long long)count, snd, max, mss, rcv,
			   assumed ? " (assumed: no SYN captured)" : "",
			   acked ? "(they were ACKed, so this path carried them)"
				 : "and were never ACKed");
	pd_finding_ev_str(&x, "sender", "%s", snd);
	pd_finding_ev_u64(&x, "segments", count);
	pd_finding_ev_u64(&x, "max_segment", max);
	pd_finding_ev_u64(&x, "receiver_mss", mss);
	pd_finding_ev_bool(&x, "mss_assumed", assumed);
	pd_finding_ev_bool(&x, "acked", acked);
	pd_finding_advice(&x, "The sender ignores the MSS its peer advertised (RFC 9293 3.7.1)%s: "
			      "check TSO and MTU on the sender and MSS clamping on the path.",
			  acked ? "" : " and the receiver never acknowledged these segments");
	if (key)
		pd_analysis_emit(a, &x, key);
	else
		pd_analysis_add(a, &x);
}

/* The largest TCP payload any path MTU carries (9216-byte jumbo frames,
 * the largest Ethernet MTU in use, minus 40 bytes of headers). */
#define MAX_PLAUSIBLE_SEGMENT (9216u - 40u)

/*
 * Were the super-segments of @d merged on the receiving host (GRO/LRO/RSC)
 * rather than sent whole by a sending host with TSO/GSO?  Direction
 * recorded by the capture first (pcapng epb_flags, SLL packet type);
 * without it, the checksums: a sender with TX checksum offload leaves the
 * pseudo-header sum on every frame it sends, ACKs included, whereas GRO
 * writes it only into the segments it merged, so a sender whose ordinary
 * frames carry valid checksums did not send the partial ones itself.
 */
static bool rx_coalesced(const struct tdir *d)
{
	unsigned in = 0, out = 0;

	for (unsigned i = 0; i < d->n_pend; i++) {
		in += d->pend[i].tso && d->pend[i].inbound;
		out += d->pend[i].tso && d->pend[i].outbound;
	}
	if (in != out)
		return in > out;
	return d->csum_partial == 0 && d->csum_valid > 0;
}

static void coalesced_finding(struct pd_analysis *a, const struct pd_flow *f,
			      const struct tdir *d, int dir, bool rx, uint64_t n,
			      uint64_t unconfirmed, uint32_t max, uint16_t mss, bool assumed,
			      const char *flow)
{
	struct pd_finding x;
	struct pd_addr host;
	char snd[64], rcv[64], rcv_host[48];

	fmt_endpoint(f, dir, snd, sizeof(snd));
	fmt_endpoint(f, 1 - dir, rcv, sizeof(rcv));
	pd_flow_endpoint(f, 1 - dir, &host);
	pd_addr_format(&host, rcv_host, sizeof(rcv_host));

	pd_finding_init(&x, rx ? "tcp.rx_coalescing" : "tcp.tso_artifact", PD_SEV_INFO);
	pd_finding_flow(&x, "%s", flow);
	for (unsigned i = 0; i < d->n_pend; i++)
		if (d->pend[i].tso && (d->pend[i].acked || !d->pend[i].copies))
			pd_finding_add_frame(&x, d->pend[i].frame);
	if (rx)
		pd_finding_message(&x, "%llu segments from %s of up to %u bytes, above the %u-byte "
				       "MSS %s advertised%s, were merged on the capturing (receiving) "
				       "host %s by receive offload (GRO/LRO on Linux, RSC on Windows) "
				       "after they arrived; %s sent wire-sized segments",
				   (unsigned long long)n, snd, max, mss, rcv,
				   assumed ? " (assumed: no SYN captured)" : "", rcv_host, snd);
	else
		pd_finding_message(&x, "%llu super-segments from %s of up to %u bytes, above the "
				       "%u-byte MSS %s advertised%s (%llu ACKed, %llu not yet when "
				       "the capture ended): TSO/GSO on the capturing (sending) host, "
				       "split by the NIC after the capture point",
				   (unsigned long long)n, snd, max, mss, rcv,
				   assumed ? " (assumed: no SYN captured)" : "",
				   (unsigned long long)(n - unconfirmed),
				   (unsigned long long)unconfirmed);
	pd_finding_ev_str(&x, "sender", "%s", snd);
	if (rx)
		pd_finding_ev_str(&x, "capturing_host", "%s", rcv_host);
	pd_finding_ev_u64(&x, "segments", n);
	pd_finding_ev_u64(&x, "acked", n - unconfirmed);
	pd_finding_ev_u64(&x, "max_segment", max);
	pd_finding_ev_u64(&x, "receiver_mss", mss);
	pd_finding_ev_bool(&x, "mss_assumed", assumed);
	if (rx) {
		pd_finding_ev_u64(&x, "sender_valid_checksums", d->csum_valid);
		pd_finding_ev_u64(&x, "sender_partial_checksums", d->csum_partial);
		pd_finding_advice(&x, "Not a network problem: the receiving host's NIC or stack "
				      "coalesced the sender's segments before the capture point "
				      "(ethtool -k IFACE: generic-receive-offload, large-receive-"
				      "offload; Windows: Get-NetAdapterRsc). Capture on the wire "
				      "to see the real segments.");
	} else {
		pd_finding_advice(&x, "Not a network problem: the capture was taken on the sender "
				      "before segmentation offload. Capture on the wire or on the "
				      "receiver to see real segment sizes.");
	}
	pd_analysis_add(a, &x);
}

/* What the oversize segments of one direction show. */
struct over_tally {
	uint64_t tso_acked, tso_unconfirmed, wire_acked, unacked, unacked_retx, retx_copies;
	uint64_t holes, huge;
	uint32_t tso_max, wire_max, un_max, huge_max;
	int64_t first_un_ns;  /* first send of the first retransmitted, never ACKed one */
};

static void over_tally(const struct tdir *d, struct over_tally *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < d->n_pend; i++) {
		const struct oversize *o = &d->pend[i];

		if (o->tso && (o->acked || !o->copies)) {
			/* capture signs of offload, and nothing says it was lost */
			v->tso_acked++;
			v->tso_unconfirmed += !o->acked;
			v->tso_max = o->len > v->tso_max ? o->len : v->tso_max;
		} else if (o->acked) {
			v->wire_acked++;
			v->wire_max = o->len > v->wire_max ? o->len : v->wire_max;
		} else {
			v->unacked++;
			v->un_max = o->len > v->un_max ? o->len : v->un_max;
			if (o->len > MAX_PLAUSIBLE_SEGMENT) {
				v->huge++;
				v->huge_max = o->len > v->huge_max ? o->len : v->huge_max;
			}
			if (o->copies) {
				v->unacked_retx++;
				v->retx_copies += o->copies;
				if (!v->first_un_ns || o->ns < v->first_un_ns)
					v->first_un_ns = o->ns;
			}
			v->holes += o->hole;
		}
	}
}

/* The receiver ACKed oversize segments of direction @dir that bear no
 * sign of TSO: the path carried segments above the MSS from the
 * receiver's SYN.  That verdict is final (an ACK is not taken back), so
 * it is said at this ACK and updated by the next ones; the flow's end
 * gives its final form (size_findings()).  Segments never ACKed are
 * judged only then: later ACKs or copies may still make them ACKed or a
 * black hole. */
static void exceeds_check(struct tcp_state *s, const struct pd_flow *f, struct tdir *d, int dir)
{
	uint16_t mss = f->dir[1 - dir].mss;
	struct over_tally v;
	char flow[160], snd[64], rcv[64];

	if (!mss || !extra(d)) /* without the receiver's SYN no MSS was violated */
		return;
	over_tally(d, &v);
	if (!v.wire_acked)
		return;
	pd_flow_format(f, flow, sizeof(flow));
	fmt_endpoint(f, dir, snd, sizeof(snd));
	fmt_endpoint(f, 1 - dir, rcv, sizeof(rcv));
	exceeds_finding(s->a, d, flow, true, v.wire_acked, v.wire_max, mss, false, snd, rcv, 0,
			&d->x->exceeds_key);
}

/* The black hole: retransmitted, never ACKed, while smaller segments got
 * through or the receiver's ACKs stop exactly at them (without a captured
 * MSS, at least two copies: one lost copy is ordinary loss). */
static bool blackhole_holds(const struct tdir *d, const struct over_tally *v, bool assumed)
{
	return v->unacked_retx && (d->small_acked || v->holes) && (!assumed || v->retx_copies >= 2);
}

/* Fill @x as the tcp.oversize_blackhole finding of direction @dir as it
 * stands at @end_ns. */
static void blackhole_fill(struct pd_finding *x, const struct pd_flow *f, const struct tdir *d,
			   int dir, const struct over_tally *v, int64_t end_ns)
{
	uint16_t mss = f->dir[1 - dir].mss;
	bool assumed = mss == 0;
	const struct over_log *l = d->x ? d->x->over_log : 0;
	char snd[64], rcv[64], flow[160];

	if (assumed)
		mss = assumed_mss(f);
	pd_flow_format(f, flow, sizeof(flow));
	fmt_endpoint(f, dir, snd, sizeof(snd));
	fmt_endpoint(f, 1 - dir, rcv, sizeof(rcv));
	pd_finding_init(x, "tcp.oversize_blackhole", PD_SEV_ERROR);
	pd_finding_flow(x, "%s", flow);
	/* every oversize frame of the segments never ACKed, copies included */
	for (uint32_t i = 0; l && i < l->n; i++)
		if (!d->pend[l->v[i].pend].acked)
			pd_finding_add_frame(x, l->v[i].frame);
	x->frames_total = v->unacked + v->retx_copies;
	pd_finding_message(x, "%llu segments from %s of up to %u bytes, above the %u-byte "
			      "MSS %s advertised%s, were retransmitted %llu times and never "
			      "ACKed%s; %.1f s lost",
			   (unsigned long long)v->unacked, snd, v->un_max, mss, rcv,
			   assumed ? " (assumed: no SYN captured; Ethernet MTU)" : "",
			   (unsigned long long)v->retx_copies,
			   d->small_acked ? ", while smaller segments got through"
					  : ", and the receiver's ACKs stop exactly at them",
			   (double)(end_ns - v->first_un_ns) / 1e9);
	pd_finding_ev_str(x, "sender", "%s", snd);
	pd_finding_ev_str(x, "receiver", "%s", rcv);
	pd_finding_ev_u64(x, "oversize_segments", v->unacked);
	pd_finding_ev_u64(x, "oversize_frames", v->unacked + v->retx_copies);
	pd_finding_ev_u64(x, "max_segment", v->un_max);
	pd_finding_ev_u64(x, "receiver_mss", mss);
	pd_finding_ev_bool(x, "mss_assumed", assumed);
	pd_finding_ev_u64(x, "retransmissions", v->retx_copies);
	pd_finding_ev_bool(x, "smaller_segments_acked", d->small_acked);
	pd_finding_ev_u64(x, "ack_stops_at_segment", v->holes);
	pd_finding_ev_double(x, "time_lost_s", (double)(end_ns - v->first_un_ns) / 1e9);
	pd_finding_advice(x, "Segments larger than the receiver's MSS are dropped on the "
			     "way (MTU mismatch). Lower the sender's MTU to 1500 or disable "
			     "TSO on its NIC (ethtool -K IFACE tso off), and check MSS "
			     "clamping on routers between them.");
}

/* Evidence about the oversize segments of direction @dir arrived (a
 * copy, an ACK): if they now show a black hole, say so at once (the
 * finding is updated as more arrives, and at the end of the flow). */
static void blackhole_check(struct tcp_state *s, const struct pd_flow *f, struct tdir *d,
			    int dir, int64_t now_ns)
{
	struct over_tally v;
	struct pd_finding x;

	if (!d || !d->n_pend || !extra(d))
		return;
	over_tally(d, &v);
	if (!blackhole_holds(d, &v, f->dir[1 - dir].mss == 0))
		return;
	{
		/* an update only when the evidence grew, not at every ACK */
		uint64_t seen = (v.unacked << 40) ^ (v.retx_copies << 16) ^ v.holes ^
				((uint64_t)d->small_acked << 63);

		if (d->x->blackhole_key && seen == d->x->blackhole_seen)
			return;
		d->x->blackhole_seen = seen;
	}
	blackhole_fill(&x, f, d, dir, &v, now_ns);
	pd_analysis_emit(s->a, &x, &d->x->blackhole_key);
}

static void size_findings(struct pd_analysis *a, const struct pd_flow *f, const struct tflow *t,
			  int dir, const char *flow, uint64_t *oversize_unacked)
{
	const struct tdir *d = dir_of(t, dir);
	uint16_t mss = f->dir[1 - dir].mss;
	bool assumed = mss == 0;
	struct over_tally v;
	char snd[64], rcv[64];
	struct pd_finding x;

	if (!d->over_total)
		return;
	if (assumed)
		mss = assumed_mss(f);
	fmt_endpoint(f, dir, snd, sizeof(snd));
	fmt_endpoint(f, 1 - dir, rcv, sizeof(rcv));
	over_tally(d, &v);
	*oversize_unacked += v.unacked;

	if (v.tso_acked)
		coalesced_finding(a, f, d, dir, rx_coalesced(d), v.tso_acked, v.tso_unconfirmed,
				  v.tso_max, mss, assumed, flow);
	/* Without the receiver's SYN no MSS was violated: segments the
	 * receiver ACKed were carried by the path, whatever their size. */
	if (v.wire_acked && !assumed)
		exceeds_finding(a, d, flow, true, v.wire_acked, v.wire_max, mss, assumed, snd, rcv, 0,
				d->x ? &d->x->exceeds_key : 0);
	if (!v.unacked)
		return;
	if (blackhole_holds(d, &v, assumed)) {
		uint64_t key = d->x ? d->x->blackhole_key : 0;

		blackhole_fill(&x, f, d, dir, &v, f->last_ns);
		pd_analysis_emit(a, &x, &key);
		return;
	}
	if (!assumed)
		exceeds_finding(a, d, flow, false, v.unacked, v.un_max, mss, assumed, snd, rcv, 0, 0);
	else if (v.huge)
		exceeds_finding(a, d, flow, false, v.huge, v.huge_max, mss, assumed, snd, rcv,
				MAX_PLAUSIBLE_SEGMENT, 0);
}

/* Fill @x as the tcp.retransmission_storm finding of run @r, sent by
 * direction @dir, ended by @ended at @end_ns ("still retransmitting" and
 * the latest copy while it goes on). */
static void storm_fill(struct pd_finding *x, const struct pd_flow *f, const struct tflow *t,
		       const struct run *r, int dir, const char *ended, int64_t end_ns)
{
	char ladder[160] = "", snd[64], flow[160];
	int64_t stall = end_ns - r->t[0];
	int client = t->client_known ? t->client : (f->init_is_a ? 0 : 1);

	for (unsigned i = 1; i < r->n; i++) {
		size_t used = strlen(ladder);

		snprintf(ladder + used, sizeof(ladder) - used, "%s%.2f", i > 1 ? "," : "",
			 (double)(r->t[i] - r->t[i - 1]) / 1e9);
	}
	pd_flow_format(f, flow, sizeof(flow));
	fmt_endpoint(f, dir, snd, sizeof(snd));
	pd_finding_init(x, "tcp.retransmission_storm", PD_SEV_ERROR);
	pd_finding_flow(x, "%s", flow);
	for (unsigned i = 0; i < r->n; i++)
		pd_finding_add_frame(x, r->frames[i]);
	x->frames_total = r->copies + (r->have_original ? 1 : 0);
	if (r->syn && !r->len)
		pd_finding_message(x, "%s sent its SYN (seq %u) %u more times with no answer "
				      "(intervals %s s); stalled %.1f s, ended by %s",
				   snd, r->seq, r->copies, ladder, (double)stall / 1e9, ended);
	else
		pd_finding_message(x, "%s sent the %u-byte segment at seq %u %u more times with no "
				      "ACK progress (intervals %s s); stalled %.1f s, ended by %s",
				   snd, r->len, r->seq, r->copies, ladder, (double)stall / 1e9, ended);
	pd_finding_ev_str(x, "sender", "%s", snd);
	pd_finding_ev_u64(x, "seq", r->seq);
	pd_finding_ev_u64(x, "segment_len", r->len);
	pd_finding_ev_bool(x, "syn", r->syn);
	pd_finding_ev_u64(x, "copies", r->copies);
	pd_finding_ev_str(x, "rto_ladder_s", "%s", ladder);
	pd_finding_ev_double(x, "stall_s", (double)stall / 1e9);
	pd_finding_ev_str(x, "ended_by", "%s", ended);
	pd_finding_ev_str(x, "connection_end", "%s", conn_end_of(t));
	if (pd_flow_vlan_asymmetric(f))
		pd_finding_ev_str(x, "vlans", "client %u, server %u", f->dir[client].vlan,
				  f->dir[1 - client].vlan);
}

/* The connection of storm @st ended: queue it for reconnect matching at
 * finish, and update its finding with how the connection ended. */
static void queue_storm(struct tcp_state *s, const struct pd_flow *f,
			const struct tflow *t, const struct storm *st)
{
	struct queued_storm *q;
	int client = t->client_known ? t->client : (f->init_is_a ? 0 : 1);
	uint16_t port;

	if (pd_vec_reserve(&s->q, &s->capq, s->nq, sizeof(*s->q), MAX_QUEUED)) {
		if (!s->q_dropped++)
			s->q_first = st->r.frames[0];
		return;
	}
	q = &s->q[s->nq++];
	memset(q, 0, sizeof(*q));
	storm_fill(&q->f, f, t, &st->r, st->dir, st->ended, st->end_ns);
	q->key = st->r.key;
	pd_analysis_emit(s->a, &q->f, &q->key);
	q->flow_id = f->id;
	dir_addr(f, client, &q->client, &port);
	dir_addr(f, 1 - client, &q->server, &q->server_port);
	q->start_ns = st->r.t[0];
	q->conn_end_ns = f->last_ns;
	if (dir_of(t, client)->x && dir_of(t, client)->x->gave_up) {
		const struct giveup *g = &dir_of(t, client)->x->giveup;

		q->giveup_ns = g->ns;
		q->giveup_frame = g->frame;
		q->giveup_rst = g->rst;
	}
	q->client_last_ns = dir_of(t, client)->last_tx_ns;
	q->by_server = st->dir != client;
	q->n = st->r.n;
	memcpy(q->t, st->r.t, sizeof(q->t));
	q->copies_total = st->r.copies;
	q->last_copy_ns = st->r.last_ns;
}

static void fill_conn(struct pd_conn *c, const struct pd_flow *f, const struct tflow *t,
		      uint64_t oversize_unacked)
{
	int client = t->client_known ? t->client : (f->init_is_a ? 0 : 1);

	memset(c, 0, sizeof(*c));
	c->flow_id = f->id;
	c->vlan = f->dir[client].vlan;
	c->first_ns = f->first_ns;
	c->last_ns = f->last_ns;
	c->first_frame = f->first_frame;
	c->last_frame = f->last_frame;
	c->syn_seen = t->syn_ns != 0;
	c->rtt_ns = t->hs_ack_ns && t->syn_ns ? t->hs_ack_ns - t->syn_ns : -1;
	for (int side = 0; side < 2; side++) {
		int dir = side == 0 ? client : 1 - client;
		const struct tdir *d = dir_of(t, dir);

		dir_addr(f, dir, &c->addr[side], &c->port[side]);
		c->packets[side] = f->dir[dir].packets;
		c->bytes[side] = f->dir[dir].bytes;
		c->payload[side] = f->dir[dir].payload_bytes;
		c->mss[side] = f->dir[dir].mss;
		c->max_seg[side] = d->max_seg;
		c->max_seg_frame[side] = d->max_seg_frame;
		c->retrans[side] = cat_n(d, C_RETRANS);
		c->fast_retrans[side] = cat_n(d, C_FAST);
		c->spurious[side] = cat_n(d, C_SPURIOUS);
		c->out_of_order[side] = cat_n(d, C_OOO);
		c->lost[side] = cat_n(d, C_LOST);
		c->dup_ack[side] = cat_n(d, C_DUPACK);
		c->zero_window[side] = cat_n(d, C_ZEROWIN);
	}
	c->storms = t->storms_total;
	c->oversize_unacked = (uint32_t)oversize_unacked;
	if (dir_of(t, 0)->rst || dir_of(t, 1)->rst)
		c->end = PD_END_RST;
	else if (dir_of(t, 0)->fin && dir_of(t, 1)->fin)
		c->end = PD_END_FIN;
	else if (dir_of(t, 0)->fin || dir_of(t, 1)->fin)
		c->end = PD_END_HALF_FIN;
	else
		c->end = PD_END_OPEN;
}

static void record_conn(struct pd_analysis *a, const struct pd_flow *f, const struct tflow *t,
			uint64_t oversize_unacked)
{
	struct pd_conns *cs = &a->conns;

	if (pd_vec_reserve(&cs->v, &cs->cap, cs->n, sizeof(*cs->v), MAX_CONNS)) {
		cs->dropped++;
		return;
	}
	fill_conn(&cs->v[cs->n++], f, t, oversize_unacked);
}

extern const struct pd_analyzer_ops pd_analyzer_tcp;

int pd_tcp_conn_snapshot(const struct pd_analysis *a, const struct pd_flow *f,
			 struct pd_conn *out)
{
	const struct tcp_state *s = 0;
	struct tflow **slot;

	for (int i = 0; i < PD_MAX_ANALYZERS && pd_analyzers[i]; i++)
		if (pd_analyzers[i] == &pd_analyzer_tcp)
			s = a->state[i];
	if (!s)
		return -PD_EUNSUPPORTED;
	slot = tflow_slot(s, f);
	if (!slot || !*slot)
		return -PD_EUNSUPPORTED;
	/* oversize_unacked is only known when the connection ends */
	fill_conn(out, f, *slot, 0);
	return 0;
}

static void tcp_flow_end(void *state, struct pd_analysis *a, const struct pd_flow *f)
{
	struct tcp_state *s = state;
	struct tflow *t = *tflow_slot(s, f);
	char flow[160];
	uint64_t oversize_unacked = 0;

	if (!t)
		return;
	pd_flow_format(f, flow, sizeof(flow));
	for (int dir = 0; dir < 2; dir++)
		run_end(s, f, t, dir, conn_end_of(t), f->last_ns);
	retrans_finding(a, f, t, flow);
	for (int dir = 0; dir < 2; dir++)
		size_findings(a, f, t, dir, flow, &oversize_unacked);
	for (unsigned i = 0; i < t->n_storms; i++)
		queue_storm(s, f, t, &t->storms[i]);
	s->over_dropped += dir_of(t, 0)->over_dropped + dir_of(t, 1)->over_dropped;
	record_conn(a, f, t, oversize_unacked);
	if (a->conns.dropped == 1 && !s->conns_first)
		s->conns_first = f->first_frame; /* the first connection not kept */
	tdir_free(t->d[0]);
	tdir_free(t->d[1]);
	free(t->storms);
	free(t);
	*tflow_slot(s, f) = 0;
}

/* A storm's connection ended; did the client connect again to the same
 * server port, and did that connection stall too? */
static int tcp_finish(void *state, struct pd_analysis *a)
{
	struct tcp_state *s = state;
	int rc = 0;

	for (size_t i = 0; i < s->nq && !rc; i++) {
		struct queued_storm *q = &s->q[i];
		const struct pd_conn *next = 0;

		for (size_t k = 0; k < a->conns.n; k++) {
			const struct pd_conn *c = &a->conns.v[k];

			if (c->flow_id == q->flow_id || !c->syn_seen)
				continue;
			if (!pd_addr_equal(&c->addr[0], &q->client) ||
			    !pd_addr_equal(&c->addr[1], &q->server) || c->port[1] != q->server_port)
				continue;
			if (c->first_ns < q->start_ns || c->first_ns > q->conn_end_ns + RECONNECT_WINDOW_NS)
				continue;
			if (!next || c->first_ns < next->first_ns)
				next = c;
		}
		pd_finding_ev_bool(&q->f, "reconnected", next != 0);
		if (next) {
			bool again = next->storms || next->oversize_unacked;
			int64_t ref;
			const char *from;
			unsigned after = 0;

			/* from the client's give-up: its FIN or RST if that came
			 * before the new connection, else its last frame that was
			 * not a RST (it went silent), else the storm's start */
			if (q->giveup_frame && q->giveup_ns <= next->first_ns) {
				ref = q->giveup_ns;
				from = q->giveup_rst ? "client RST" : "client FIN";
			} else if (q->client_last_ns && q->client_last_ns <= next->first_ns) {
				ref = q->client_last_ns;
				from = "client's last frame";
			} else {
				ref = q->start_ns;
				from = "storm start";
			}
			pd_finding_ev_u64(&q->f, "reconnect_frame", next->first_frame);
			pd_finding_ev_double(&q->f, "reconnect_after_s",
					     (double)(next->first_ns - ref) / 1e9);
			pd_finding_ev_str(&q->f, "reconnect_measured_from", "%s", from);
			if (q->giveup_frame && q->giveup_ns <= next->first_ns)
				pd_finding_ev_u64(&q->f, "giveup_frame", q->giveup_frame);
			pd_finding_ev_bool(&q->f, "stalled_again", again);
			if (q->by_server) {
				/* copies the server sent after the client gave up */
				for (unsigned k = 0; k < q->n; k++)
					after += q->t[k] > ref;
				if (q->copies_total + 1 > q->n && q->last_copy_ns > ref)
					after += q->copies_total + 1 - q->n; /* past LADDER */
				pd_finding_ev_u64(&q->f, "server_copies_after_giveup", after);
				if (after)
					pd_finding_ev_double(&q->f, "server_retransmitting_after_giveup_s",
							     (double)(q->last_copy_ns - ref) / 1e9);
			}
			pd_finding_advice(&q->f,
					  "The client gave up (%s) and reconnected to the same server "
					  "port %.1f s later (frame %llu)%s%s. A segment that is never "
					  "ACKed however often it is sent is usually too big for the "
					  "path: see tcp.oversize_blackhole; otherwise look for a device "
					  "dropping this flow.",
					  from, (double)(next->first_ns - ref) / 1e9,
					  (unsigned long long)next->first_frame,
					  after ? ", while the server kept retransmitting on the old "
						  "connection"
						: "",
					  again ? ", and the new connection stalled again" : "");
		} else {
			pd_finding_advice(&q->f, "A segment that is never ACKed however often it is "
						 "sent is usually too big for the path (see "
						 "tcp.oversize_blackhole) or dropped by a filter.");
		}
		rc = pd_analysis_emit(a, &q->f, &q->key);
	}
	if (!rc && a->conns.dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "tcp_connections", MAX_CONNS, a->conns.dropped, "connections",
				 s->conns_first);
		pd_finding_message(&x, "TCP connection table full (%d connections): %llu more were "
				       "not kept, the first starting in frame %llu; reconnects to "
				       "them, --connections and the boot summary do not see them",
				   MAX_CONNS, (unsigned long long)a->conns.dropped,
				   (unsigned long long)s->conns_first);
		pd_finding_advice(&x, "Filter the capture (-f) to the connections of interest.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->q_dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "tcp_storms", MAX_QUEUED, s->q_dropped,
				 "tcp.retransmission_storm findings", s->q_first);
		pd_finding_advice(&x, "Filter the capture (-f) to fewer connections.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->storms_dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "tcp_storms_per_connection", MAX_STORMS, s->storms_dropped,
				 "storms", s->storms_first);
		pd_finding_message(&x, "%llu retransmission storms past the first %d of their "
				       "connection got no tcp.retransmission_storm finding (counted "
				       "in --connections), the first in frame %llu",
				   (unsigned long long)s->storms_dropped, MAX_STORMS,
				   (unsigned long long)s->storms_first);
		pd_finding_advice(&x, "The first storms of each connection are reported; filter "
				      "on one connection (-f) with a higher --storm-threshold to "
				      "see the others.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->over_dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "tcp_oversize_segments", PEND, s->over_dropped,
				 "oversize segments", s->over_first);
		pd_finding_message(&x, "%llu segments above the receiver's MSS, past the first %d "
				       "of their direction, are not in the counts of the "
				       "tcp.tso_artifact, tcp.segment_exceeds_mss and "
				       "tcp.oversize_blackhole findings (the first in frame %llu)",
				   (unsigned long long)s->over_dropped, PEND,
				   (unsigned long long)s->over_first);
		pd_finding_advice(&x, "The verdicts stand on the first 64 oversize segments of "
				      "each direction.");
		rc = pd_analysis_add(a, &x);
	}
	return rc; /* the table stays: reconnect matching and the boot summary use it */
}

static void tcp_destroy(void *state)
{
	struct tcp_state *s = state;

	if (!s)
		return;
	free(s->q);
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_tcp = {
	.name = "tcp",
	.init = tcp_init,
	.on_packet = tcp_packet,
	.on_flow_end = tcp_flow_end,
	.finish = tcp_finish,
	.destroy = tcp_destroy,
};
