/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.c - checksum verdicts aggregated per sending host.
 *
 * Findings:
 *   checksum.bad                a checksum that is neither right nor a
 *                               pseudo-header partial sum: corruption
 *                               (one finding per frame; past
 *                               --max-findings-per-id they fold into one
 *                               aggregate, pd_findings_add_capped());
 *   checksum.offload_partial    per sending host: the frames that carry
 *                               partial (pseudo-header) checksums;
 *   checksum.offload_suspected  per sending host: the verdict that TX
 *                               checksum offload explains them, with the
 *                               evidence the capture holds:
 *                                 - the peer ACKed the partial-sum data
 *                                   (it arrived intact, RFC 9293 3.4);
 *                                 - pcapng epb_flags says outbound or
 *                                   "checksum not ready";
 *                                 - Linux SLL says PACKET_OUTGOING;
 *                                 - the host's other traffic is valid.
 *   checksum.rx_coalesced       per sending host: partial sums only on TCP
 *                               segments larger than the receiver's MSS,
 *                               while the host's ordinary frames carry
 *                               valid checksums (or the capture says the
 *                               frames came in): receive offload (GRO/LRO)
 *                               on the capturing host merged them and left
 *                               the pseudo-header sum, as Linux's
 *                               tcp4_gro_complete() does; the sender did
 *                               not offload anything.
 *
 * A frame the engine marked as a second copy of a packet (duplicate.h;
 * capture.duplicate_frames) is not judged again.
 */
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/vec.h"

#define DEFAULT_MAX_HOSTS 65536 /* 272 bytes each + an 8-byte index slot or two */

/* What a host that sends partial checksums shows: allocated at its first
 * partial checksum (most hosts never have one). */
struct host_partial {
	uint64_t partial_linux, partial_lso, partial_zerofill;
	uint64_t partial_tcp_data;   /* partial TCP segments that carry data */
	uint64_t partial_acked;      /* ... that the peer acknowledged */
	uint64_t ev_outbound;        /* partial frames with epb_flags outbound */
	uint64_t ev_not_ready;       /* ... with epb_flags "checksum not ready" */
	uint64_t ev_sll_outgoing;    /* ... with SLL PACKET_OUTGOING */
	uint64_t pframes[PD_FINDING_MAX_FRAMES]; /* first partial-checksum frames */
	uint32_t n_pframes;
	uint64_t partial_frames;     /* all partial-checksum frames */
	uint64_t partial_super;      /* ... TCP segments above the receiver's MSS */
	uint64_t ev_inbound;         /* ... with epb_flags inbound or SLL to this host */
	struct pd_addr coalesced_at; /* the receiver of the first such segment */
};

struct host {
	struct pd_addr addr;
	uint64_t n[PD_CL__COUNT][PD_CSUM__COUNT];
	struct host_partial *pt;     /* NULL until the first partial checksum */
};

/* The host's partial-checksum record, allocated on first use; NULL for no
 * host or when out of memory. */
static struct host_partial *pt_get(struct host *h)
{
	if (h && !h->pt)
		h->pt = calloc(1, sizeof(*h->pt));
	return h ? h->pt : 0;
}

/* Per flow, in the flow storage this analyzer reserves: each direction's
 * TCP data sent with a partial checksum and not yet acknowledged. */
struct partial_flow {
	struct {
		uint32_t end;        /* seq just past the last pending partial segment */
		uint32_t count;      /* partial-checksum segments pending (0: none) */
	} dir[2];
};

struct checksum_state {
	int storage;                 /* flow storage handle (struct partial_flow) */
	struct host *hosts;          /* in order of first frame; they move as it grows */
	size_t n_hosts, cap_hosts, max_hosts;
	struct pd_hashtab index;     /* addr_hash() -> number in hosts[] */
	uint64_t host_overflow;      /* frames from hosts past max_hosts */
	uint64_t host_overflow_first;/* ... the first of them */
};

static uint32_t addr_hash(const struct pd_addr *a)
{
	/* the address, 4 or 16 bytes: the length tells the families apart */
	return pd_hash_bytes(a->a, a->family == 4 ? 4 : 16);
}

struct host_match {
	const struct checksum_state *s;
	const struct pd_addr *a;
};

static bool host_is(const void *ctx, uint32_t i)
{
	const struct host_match *m = ctx;
	const struct pd_addr *x = &m->s->hosts[i].addr;

	/* pd_addr_equal(), inline on the per-packet path */
	return x->family == m->a->family &&
	       !memcmp(x->a, m->a->a, m->a->family == 4 ? 4 : 16);
}

/* Find or add a host; NULL when the host limit is reached.  The pointer
 * is good until the next host is added. */
static struct host *host_get(struct checksum_state *s, const struct pd_addr *a, bool add,
			     uint64_t frame)
{
	struct host_match m = {s, a};
	uint32_t h = addr_hash(a), i = pd_hashtab_find(&s->index, h, host_is, &m);
	struct host *x;

	if (i != PD_HASHTAB_NONE)
		return &s->hosts[i];
	if (!add)
		return 0;
	if (s->n_hosts >= s->max_hosts) {
		if (!s->host_overflow++)
			s->host_overflow_first = frame;
		return 0;
	}
	if (pd_vec_reserve(&s->hosts, &s->cap_hosts, s->n_hosts, sizeof(*s->hosts), 0) < 0 ||
	    pd_hashtab_insert(&s->index, h, (uint32_t)s->n_hosts) < 0) {
		/* out of memory: counted and reported as the hosts limit */
		if (!s->host_overflow++)
			s->host_overflow_first = frame;
		return 0;
	}
	x = &s->hosts[s->n_hosts++];
	memset(x, 0, sizeof(*x));
	x->addr = *a;
	return x;
}

static int cs_init(struct pd_analysis *a, void **state)
{
	struct checksum_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->max_hosts = a->opts->max_hosts ? a->opts->max_hosts : DEFAULT_MAX_HOSTS;
	s->storage = pd_flow_storage_reserve(a->flows, sizeof(struct partial_flow));
	if (s->storage < 0) {
		int rc = s->storage;

		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

/* One finding per bad frame; pd_analysis_add() folds those past the
 * per-id cap into one aggregate. */
static void report_bad(struct checksum_state *s, struct pd_analysis *a,
		       const struct pd_packet *p, const struct pd_flow *flow,
		       const char *layer, const struct pd_csum *c)
{
	struct pd_finding f;
	char fl[160], src[48];

	(void)s;
	pd_finding_init(&f, "checksum.bad", PD_SEV_ERROR);
	pd_finding_add_frame(&f, p->frame);
	if (flow)
		pd_flow_format(flow, fl, sizeof(fl));
	else
		pd_packet_flow_format(p, fl, sizeof(fl));
	pd_finding_flow(&f, "%s", fl);
	pd_addr_format(&p->ip.src, src, sizeof(src));
	pd_finding_message(&f, "%s checksum in frame %llu from %s is 0x%04x, should be 0x%04x",
			   layer, (unsigned long long)p->frame, src, c->is, c->should);
	pd_finding_ev_str(&f, "layer", "%s", layer);
	pd_finding_ev_hex16(&f, "is", c->is);
	pd_finding_ev_hex16(&f, "should", c->should);
	pd_finding_ev_str(&f, "sender", "%s", src);
	pd_finding_advice(&f, "Neither a valid checksum nor a TX-offload partial sum: the "
			      "frame was corrupted between the sender's stack and the capture "
			      "point (NIC, driver, cable, switch). Compare a capture on the "
			      "receiving side.");
	pd_analysis_add(a, &f);
}

static void judge(struct checksum_state *s, struct pd_analysis *a, struct host *h,
		  const struct pd_packet *p, const struct pd_flow *flow, int layer,
		  const char *name, const struct pd_csum *c)
{
	if (c->verdict == PD_CSUM_NONE)
		return;
	if (h)
		h->n[layer][c->verdict]++;
	if (c->verdict == PD_CSUM_BAD)
		report_bad(s, a, p, flow, name, c);
	if (c->verdict == PD_CSUM_PARTIAL && pt_get(h)) {
		if (c->form == PD_PARTIAL_LINUX)
			h->pt->partial_linux++;
		else if (c->form == PD_PARTIAL_LSO)
			h->pt->partial_lso++;
		else
			h->pt->partial_zerofill++;
	}
}

/* A TCP segment larger than the MSS its receiver advertised (the
 * Ethernet MSS when the SYN was not captured): a merged or unsplit one. */
static bool super_segment(const struct pd_packet *p, const struct pd_flow *flow, int dir)
{
	uint32_t mss;

	if (!(p->layers & PD_L_TCP) || !flow)
		return false;
	mss = flow->dir[1 - dir].mss;
	if (!mss)
		mss = p->ip.version == 6 ? 1440 : 1460;
	return p->tcp.payload_len > mss;
}

static void cs_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		      struct pd_flow *flow, int dir)
{
	struct checksum_state *s = state;
	struct host *h;
	bool partial = false;

	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6)) || a->dup.of)
		return;
	h = host_get(s, &p->ip.src, true, p->frame);
	if (p->layers & PD_L_IPV4)
		judge(s, a, h, p, flow, PD_CL_IPV4, "IPv4 header", &p->ip.hdr_csum);
	if (p->layers & PD_L_TCP)
		judge(s, a, h, p, flow, PD_CL_TCP, "TCP", &p->tcp.csum);
	if (p->layers & PD_L_UDP)
		judge(s, a, h, p, flow, PD_CL_UDP, "UDP", &p->udp.csum);
	if (p->layers & PD_L_ICMP)
		judge(s, a, h, p, flow, PD_CL_ICMP, "ICMP", &p->icmp.csum);
	if (p->layers & PD_L_ICMPV6)
		judge(s, a, h, p, flow, PD_CL_ICMPV6, "ICMPv6", &p->icmp.csum);

	partial = p->ip.hdr_csum.verdict == PD_CSUM_PARTIAL ||
		  ((p->layers & PD_L_TCP) && p->tcp.csum.verdict == PD_CSUM_PARTIAL) ||
		  ((p->layers & PD_L_UDP) && p->udp.csum.verdict == PD_CSUM_PARTIAL) ||
		  ((p->layers & (PD_L_ICMP | PD_L_ICMPV6)) &&
		   p->icmp.csum.verdict == PD_CSUM_PARTIAL);
	if (partial && pt_get(h)) {
		struct host_partial *hp = h->pt;

		if (hp->n_pframes < PD_FINDING_MAX_FRAMES)
			hp->pframes[hp->n_pframes++] = p->frame;
		hp->partial_frames++;
		if (p->has_epb_flags && (p->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_OUT)
			hp->ev_outbound++;
		if (p->has_epb_flags && (p->epb_flags & PD_EPB_CSUM_NOT_READY))
			hp->ev_not_ready++;
		if ((p->layers & PD_L_SLL) && p->sll.pkttype == PD_SLL_OUTGOING)
			hp->ev_sll_outgoing++;
		if ((p->has_epb_flags && (p->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_IN) ||
		    (!p->has_epb_flags && (p->layers & PD_L_SLL) &&
		     p->sll.pkttype != PD_SLL_OUTGOING))
			hp->ev_inbound++;
		if (p->tcp.csum.verdict == PD_CSUM_PARTIAL && super_segment(p, flow, dir)) {
			if (!hp->partial_super)
				hp->coalesced_at = p->ip.dst;
			hp->partial_super++;
		}
	}

	/* ACK evidence: data sent with a partial checksum that the peer
	 * acknowledges arrived with a correct checksum (RFC 9293 3.4) */
	if (a->tcp_seg.analysed) {
		struct partial_flow *pf = pd_flow_storage(flow, s->storage);
		const struct pd_tcp *t = &p->tcp;

		if (a->tcp_seg.reused)
			memset(pf, 0, sizeof(*pf)); /* a new connection: another sequence space */

		if (a->tcp_seg.ack && pf->dir[1 - dir].count &&
		    pd_tcp_stream_acked(flow, 1 - dir, pf->dir[1 - dir].end)) {
			struct host *ph = host_get(s, &p->ip.dst, false, p->frame);

			if (pt_get(ph))
				ph->pt->partial_acked += pf->dir[1 - dir].count;
			pf->dir[1 - dir].count = 0;
		}
		if (t->csum.verdict == PD_CSUM_PARTIAL && t->payload_len > 0) {
			uint32_t end = t->seq + t->payload_len;

			if (!pf->dir[dir].count || pd_seq_lt(pf->dir[dir].end, end))
				pf->dir[dir].end = end;
			if (pf->dir[dir].count < UINT32_MAX)
				pf->dir[dir].count++;
			if (pt_get(h))
				h->pt->partial_tcp_data++;
		}
	}
}

static uint64_t sum_row(const uint64_t *row, int verdict)
{
	return row[verdict];
}

static uint64_t host_count(const struct host *h, int verdict)
{
	uint64_t n = 0;

	for (int l = 0; l < PD_CL__COUNT; l++)
		n += sum_row(h->n[l], verdict);
	return n;
}

/* Partial sums only on merged segments, from a host whose own frames are
 * finished: receive offload on the capturing host (see the top). */
static bool rx_coalesced(const struct host *h)
{
	const struct host_partial *hp = h->pt;
	uint64_t out;

	if (!hp || !hp->partial_frames || hp->partial_super != hp->partial_frames)
		return false;
	out = hp->ev_outbound + hp->ev_sll_outgoing;
	if (hp->ev_inbound != out)
		return hp->ev_inbound > out;
	return h->n[PD_CL_TCP][PD_CSUM_VALID] > 0;
}

static int rx_finding(struct pd_analysis *a, struct host *h, const char *addr)
{
	const struct host_partial *hp = h->pt; /* rx_coalesced(): not NULL */
	struct pd_finding x;
	char rcv[48];

	pd_addr_format(&hp->coalesced_at, rcv, sizeof(rcv));
	pd_finding_init(&x, "checksum.rx_coalesced", PD_SEV_INFO);
	memcpy(x.frames, hp->pframes, sizeof(hp->pframes));
	x.n_frames = hp->n_pframes;
	x.frames_total = hp->partial_frames;
	pd_finding_flow(&x, "host %s", addr);
	pd_finding_message(&x,
			   "%llu TCP segments from %s larger than the receiver's MSS carry the "
			   "pseudo-header sum that receive offload (GRO/LRO/RSC) on the capturing "
			   "host %s leaves in segments it merged; %s's other %llu TCP checksums "
			   "are valid, so it did not offload them (not corruption, not TX "
			   "checksum offload on %s)",
			   (unsigned long long)hp->partial_frames, addr, rcv, addr,
			   (unsigned long long)h->n[PD_CL_TCP][PD_CSUM_VALID], addr);
	pd_finding_ev_str(&x, "host", "%s", addr);
	pd_finding_ev_str(&x, "capturing_host", "%s", rcv);
	pd_finding_ev_u64(&x, "merged_segments", hp->partial_frames);
	pd_finding_ev_u64(&x, "tcp_valid", h->n[PD_CL_TCP][PD_CSUM_VALID]);
	pd_finding_ev_u64(&x, "epb_inbound", hp->ev_inbound);
	pd_finding_advice(&x, "Nothing to fix: see tcp.rx_coalescing. Capture on the wire, or "
			      "turn GRO/LRO off on the capturing interface (ethtool -K IFACE "
			      "gro off lro off) for a capture that shows the segments as sent.");
	return pd_analysis_add(a, &x);
}

static int host_findings(struct pd_analysis *a, struct host *h)
{
	const struct host_partial *hp = h->pt;
	uint64_t partial = hp ? hp->partial_frames : 0;
	uint64_t valid = host_count(h, PD_CSUM_VALID);
	uint64_t bad = host_count(h, PD_CSUM_BAD);
	char addr[48];
	struct pd_finding v, pf;
	const char *confidence;
	int rc;

	if (!partial)
		return 0;
	pd_addr_format(&h->addr, addr, sizeof(addr));
	if (rx_coalesced(h))
		return rx_finding(a, h, addr);

	/* checksum.offload_partial: the frames */
	pd_finding_init(&pf, "checksum.offload_partial", PD_SEV_INFO);
	memcpy(pf.frames, hp->pframes, sizeof(hp->pframes));
	pf.n_frames = hp->n_pframes;
	pf.frames_total = hp->partial_frames;
	pd_finding_flow(&pf, "host %s", addr);
	pd_finding_message(&pf,
			   "%llu frames from %s carry partial checksums (TCP %llu, UDP %llu, "
			   "ICMPv6 %llu, IPv4 header %llu): pseudo-header sums left for the NIC",
			   (unsigned long long)partial, addr,
			   (unsigned long long)h->n[PD_CL_TCP][PD_CSUM_PARTIAL],
			   (unsigned long long)h->n[PD_CL_UDP][PD_CSUM_PARTIAL],
			   (unsigned long long)h->n[PD_CL_ICMPV6][PD_CSUM_PARTIAL],
			   (unsigned long long)h->n[PD_CL_IPV4][PD_CSUM_PARTIAL]);
	pd_finding_ev_str(&pf, "host", "%s", addr);
	pd_finding_ev_u64(&pf, "frames", partial);
	pd_finding_ev_u64(&pf, "tcp", h->n[PD_CL_TCP][PD_CSUM_PARTIAL]);
	pd_finding_ev_u64(&pf, "udp", h->n[PD_CL_UDP][PD_CSUM_PARTIAL]);
	pd_finding_ev_u64(&pf, "icmpv6", h->n[PD_CL_ICMPV6][PD_CSUM_PARTIAL]);
	pd_finding_ev_u64(&pf, "ipv4_header", h->n[PD_CL_IPV4][PD_CSUM_PARTIAL]);
	pd_finding_ev_u64(&pf, "form_linux", hp->partial_linux);
	pd_finding_ev_u64(&pf, "form_lso", hp->partial_lso);
	pd_finding_ev_u64(&pf, "form_zero_fill", hp->partial_zerofill);
	pd_finding_advice(&pf, "See checksum.offload_suspected for this host.");
	rc = pd_analysis_add(a, &pf);
	if (rc)
		return rc;

	/* checksum.offload_suspected: the verdict */
	if (hp->partial_acked || hp->ev_outbound || hp->ev_not_ready || hp->ev_sll_outgoing)
		confidence = "high";
	else if (valid > 0 && bad == 0)
		confidence = "medium";
	else
		confidence = "low";
	pd_finding_init(&v, "checksum.offload_suspected", PD_SEV_INFO);
	memcpy(v.frames, hp->pframes, sizeof(hp->pframes));
	v.n_frames = hp->n_pframes;
	v.frames_total = hp->partial_frames;
	pd_finding_flow(&v, "host %s", addr);
	pd_finding_message(&v,
			   "TX checksum offload on %s explains %llu partial checksums "
			   "(not corruption; confidence %s: %llu of %llu partial-sum TCP data "
			   "segments ACKed by the peer, %llu other checksums valid, %llu bad)",
			   addr, (unsigned long long)partial, confidence,
			   (unsigned long long)hp->partial_acked,
			   (unsigned long long)hp->partial_tcp_data, (unsigned long long)valid,
			   (unsigned long long)bad);
	pd_finding_ev_str(&v, "host", "%s", addr);
	pd_finding_ev_str(&v, "confidence", "%s", confidence);
	pd_finding_ev_u64(&v, "partial_frames", partial);
	pd_finding_ev_u64(&v, "partial_tcp_data_segments", hp->partial_tcp_data);
	pd_finding_ev_u64(&v, "acked_by_peer", hp->partial_acked);
	pd_finding_ev_u64(&v, "epb_outbound", hp->ev_outbound);
	pd_finding_ev_u64(&v, "epb_checksum_not_ready", hp->ev_not_ready);
	pd_finding_ev_u64(&v, "sll_outgoing", hp->ev_sll_outgoing);
	pd_finding_ev_u64(&v, "other_valid", valid);
	pd_finding_ev_u64(&v, "bad", bad);
	pd_finding_advice(&v,
			  "The capture was taken on %s itself (or behind a virtual NIC such as "
			  "veth, virtio or tap) before the NIC filled in the checksums. Do not "
			  "switch offload off for this; capture on the wire or on the receiver "
			  "to see final checksums, and turn checksum validation off for this "
			  "host in Wireshark.", addr);
	return pd_analysis_add(a, &v);
}

static int cs_finish(void *state, struct pd_analysis *a)
{
	struct checksum_state *s = state;
	int rc = 0;

	for (size_t i = 0; i < s->n_hosts && !rc; i++)
		rc = host_findings(a, &s->hosts[i]);
	if (!rc && s->host_overflow) {
		struct pd_finding f;

		pd_finding_limit(&f, "hosts", s->max_hosts, s->host_overflow, "frames",
				 s->host_overflow_first);
		pd_finding_message(&f, "host table full (%zu hosts): checksum verdicts of %llu "
				       "frames from further hosts were counted in the statistics only "
				       "(the first in frame %llu)",
				   s->max_hosts, (unsigned long long)s->host_overflow,
				   (unsigned long long)s->host_overflow_first);
		pd_finding_advice(&f, "Raise --max-hosts or filter the capture (-f).");
		rc = pd_analysis_add(a, &f);
	}
	return rc;
}

static void cs_destroy(void *state)
{
	struct checksum_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->n_hosts; i++)
		free(s->hosts[i].pt);
	free(s->hosts);
	pd_hashtab_free(&s->index);
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_checksum = {
	.name = "checksum",
	.init = cs_init,
	.on_packet = cs_packet,
	.finish = cs_finish,
	.destroy = cs_destroy,
};
