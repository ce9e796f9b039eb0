/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * analyze.c - the pipeline (include/pktdoctor/pipeline.h):
 * frame -> dissect -> packet -> duplicate mark -> flow -> TCP stream ->
 * analyzers (src/analyzers/registry.c) -> findings -> sink.
 *
 * The per-packet path reuses one struct pd_packet and allocates nothing;
 * flows come from the flow table's recycled chunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/pipeline.h"

static const char *const stat_proto_names[PD_SP__COUNT] = {
	"eth", "vlan", "sll", "loopback", "arp", "ipv4", "ipv6", "ip_fragment",
	"icmp", "icmpv6", "tcp", "udp", "other",
};

static const char *const csum_layer_names[PD_CL__COUNT] = {
	"ipv4", "tcp", "udp", "icmp", "icmpv6",
};

const char *pd_stat_proto_name(int i)
{
	return i >= 0 && i < PD_SP__COUNT ? stat_proto_names[i] : "unknown";
}

const char *pd_boot_step_name(int step)
{
	static const char *const names[PD_BOOT__COUNT] = {
		"dhcp_discover", "dhcp_ack", "tcp_connect", "iscsi_login", "first_read",
		"handover", "os_first_packet", "os_first_ip", "dhcp_nak", "dhcp_decline",
	};

	return step >= 0 && step < PD_BOOT__COUNT ? names[step] : "unknown";
}

const char *pd_conn_end_name(int end)
{
	static const char *const names[] = {"open", "fin", "half-fin", "rst"};

	return end >= 0 && end < 4 ? names[end] : "unknown";
}

const char *pd_csum_layer_name(int i)
{
	return i >= 0 && i < PD_CL__COUNT ? csum_layer_names[i] : "unknown";
}

static void on_flow_end(void *arg, const struct pd_flow *f)
{
	struct pd_analysis *a = arg;

	for (int i = 0; pd_analyzers[i]; i++)
		if (pd_analyzers[i]->on_flow_end)
			pd_analyzers[i]->on_flow_end(a->state[i], a, f);
}

static void count_stats(struct pd_stats *st, const struct pd_packet *p)
{
	uint32_t l = p->layers;

	st->packets++;
	st->bytes += p->wirelen;
	st->captured_bytes += p->caplen;
	if (st->packets == 1 || p->ts_ns < st->first_ns)
		st->first_ns = p->ts_ns;
	if (st->packets > 1 && p->ts_ns < st->last_ns)
		st->ts_backwards++;
	if (st->packets == 1 || p->ts_ns > st->last_ns)
		st->last_ns = p->ts_ns;
	if (l & PD_L_ETH)
		st->proto[PD_SP_ETH]++;
	if (l & PD_L_VLAN)
		st->proto[PD_SP_VLAN]++;
	if (l & PD_L_SLL)
		st->proto[PD_SP_SLL]++;
	if (l & PD_L_LOOP)
		st->proto[PD_SP_LOOP]++;
	if (l & PD_L_ARP)
		st->proto[PD_SP_ARP]++;
	if (l & PD_L_IPV4) {
		st->proto[PD_SP_IPV4]++;
		st->csum[PD_CL_IPV4][p->ip.hdr_csum.verdict]++;
	}
	if (l & PD_L_IPV6)
		st->proto[PD_SP_IPV6]++;
	if (l & PD_L_FRAG)
		st->proto[PD_SP_FRAG]++;
	if (l & PD_L_ICMP) {
		st->proto[PD_SP_ICMP]++;
		st->csum[PD_CL_ICMP][p->icmp.csum.verdict]++;
	}
	if (l & PD_L_ICMPV6) {
		st->proto[PD_SP_ICMPV6]++;
		st->csum[PD_CL_ICMPV6][p->icmp.csum.verdict]++;
	}
	if (l & PD_L_TCP) {
		st->proto[PD_SP_TCP]++;
		st->csum[PD_CL_TCP][p->tcp.csum.verdict]++;
	}
	if (l & PD_L_UDP) {
		st->proto[PD_SP_UDP]++;
		st->csum[PD_CL_UDP][p->udp.csum.verdict]++;
	}
	if (!(l & (PD_L_ARP | PD_L_IPV4 | PD_L_IPV6)))
		st->proto[PD_SP_OTHER]++;
	if (pd_packet_is_malformed(p))
		st->malformed++;
	if (p->snaplen_cut)
		st->snaplen_cut++;
	if (p->has_epb_flags)
		st->epb_flags++;
}

/* Per-direction counters and handshake options that every analyzer may
 * read (RFC 9293 names); the sequence state is the TCP stream layer's. */
static void update_flow(struct pd_flow *f, int dir, const struct pd_packet *p)
{
	struct pd_flow_dir *d = &f->dir[dir];

	d->packets++;
	d->bytes += p->wirelen;
	if (p->layers & PD_L_UDP) {
		if (p->udp.length >= 8)
			d->payload_bytes += (uint64_t)p->udp.length - 8;
		return;
	}
	if (!(p->layers & PD_L_TCP) || p->malformed)
		return;
	d->payload_bytes += p->tcp.payload_len;
	if (p->tcp.flags & 0x02) {
		d->syn_seen = true;
		if (p->tcp.mss)
			d->mss = p->tcp.mss;
		d->wscale = p->tcp.wscale;
		d->sack_permitted = p->tcp.sack_permitted;
	}
}

/* ---- the pipeline: open, feed, tick, finish ---- */

/* How far the frames' time may go back before the pipeline's clock
 * follows it back (see pd_pipeline_feed()). */
#define CLOCK_STEP_BACK_NS (60LL * 1000000000LL)

struct pd_pipeline {
	struct pd_analysis *a;
	struct pd_sink sink;
	struct pd_packet pkt;
	struct pd_dup_table *dups;/* recent frames, for copies of one packet */
	int n_an;                 /* analyzers initialised */
	int64_t next_tick;        /* capture time of the next periodic tick */
	int64_t now_ns;           /* latest time seen (packet or tick) */
	bool finished;
};

const char *pd_finding_event_name(int ev)
{
	static const char *const names[] = {"open", "update", "close"};

	return ev >= 0 && ev <= PD_FINDING_CLOSE ? names[ev] : "unknown";
}

static void to_sink(struct pd_analysis *a, const struct pd_finding *f, int ev)
{
	struct pd_pipeline *p = a->pipeline;

	if (p && p->sink.on_finding)
		p->sink.on_finding(p->sink.arg, a, f, ev);
}

/* Entries appended to the list from index @from on are new: key them
 * (key = index + 1 while the pipeline runs) and open them. */
static void open_new(struct pd_analysis *a, size_t from)
{
	for (size_t i = from; i < a->findings.n; i++) {
		a->findings.v[i].key = i + 1;
		to_sink(a, &a->findings.v[i], PD_FINDING_OPEN);
	}
}

/* Aggregates (the per-id cap) and their analysis.limit_reached findings
 * that changed since the sinks were last told: one update each, at most
 * once per tick, not one per folded finding (a million bad checksums are
 * a million folds). */
static void flush_folds(struct pd_analysis *a)
{
	struct pd_findings *l = &a->findings;
	bool dirty[PD_FINDINGS_MAX_IDS];

	if (!a->pipeline || !a->pipeline->sink.on_finding || !l->n_ids)
		return;
	if (!pd_findings_take_dirty(l, dirty))
		return;
	for (size_t i = 0; i < l->n_ids; i++) {
		if (!dirty[i] || !l->ids[i].folded)
			continue;
		to_sink(a, &l->v[l->ids[i].agg], PD_FINDING_UPDATE);
		to_sink(a, &l->v[l->ids[i].limit], PD_FINDING_UPDATE);
	}
}

int pd_analysis_emit(struct pd_analysis *a, const struct pd_finding *f, uint64_t *key)
{
	struct pd_finding *slot;
	size_t from = a->findings.n;
	int rc;

	if (pd_finding_key_folded(*key)) {
		/* counted in its aggregate: move it by what changed */
		pd_findings_fold_update(&a->findings, f, *key);
		*key = pd_finding_fold_key(f);
		return 0;
	}
	if (*key && *key <= a->findings.n) {
		slot = &a->findings.v[*key - 1];
		if (pd_finding_equal(slot, f))
			return 0; /* nothing new: no update for the sinks */
		*slot = *f;
		slot->key = *key;
		to_sink(a, slot, PD_FINDING_UPDATE);
		return 0;
	}
	rc = pd_findings_add_capped(&a->findings, f);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		*key = pd_finding_fold_key(f);
		open_new(a, from); /* the first fold opens the aggregate and its limit */
		return 0;
	}
	*key = a->findings.n;
	open_new(a, from);
	return 0;
}

int pd_analysis_add(struct pd_analysis *a, const struct pd_finding *f)
{
	uint64_t key = 0;

	return pd_analysis_emit(a, f, &key);
}

void pd_analysis_begin(struct pd_analysis *a, const struct pd_analysis_opts *opts,
		       const struct pd_source *src, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->opts = opts;
	snprintf(a->input_name, sizeof(a->input_name), "%s",
		 src ? pd_source_name(src) : name ? name : "");
	a->input = a->input_name;
	a->error_offset = -1;
	a->linktype = -1;
	a->findings.max_per_id = opts->max_findings_per_id;
	if (!src)
		return;
	snprintf(a->format, sizeof(a->format), "%s", pd_source_format(src));
	a->linktype = pd_source_linktype(src);
	snprintf(a->linktype_name, sizeof(a->linktype_name), "%s", pd_source_linktype_name(src));
	a->snaplen = pd_source_snaplen(src);
	a->live = pd_source_is_live(src);
}

int pd_pipeline_open(struct pd_pipeline **out, struct pd_analysis *a, const struct pd_sink *sink)
{
	struct pd_flow_limits lim = {0, 0};
	struct pd_pipeline *p;
	int rc = 0;

	*out = 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -PD_ENOMEM;
	p->a = a;
	if (sink)
		p->sink = *sink;
	pd_hash_seed_init(); /* before the first table is filled */
	a->pipeline = p;
	lim.max_flows = a->opts->max_flows;
	a->flows = pd_flow_table_new(&lim);
	p->dups = pd_dup_table_new();
	if (!a->flows || !p->dups) {
		rc = -PD_ENOMEM;
		goto fail;
	}
	for (p->n_an = 0; pd_analyzers[p->n_an]; p->n_an++) {
		rc = pd_analyzers[p->n_an]->init(a, &a->state[p->n_an]);
		if (rc) {
			p->n_an++; /* destroy() takes a failed init's state too */
			goto fail;
		}
	}
	*out = p;
	return 0;
fail:
	p->finished = true; /* nothing to finish: only free */
	pd_pipeline_close(p);
	return rc;
}

uint64_t pd_pipeline_skip(struct pd_pipeline *p)
{
	return ++p->a->stats.frames;
}

static void tick(struct pd_pipeline *p, int64_t now_ns)
{
	flush_folds(p->a);
	struct pd_analysis *a = p->a;

	for (int i = 0; i < p->n_an; i++)
		if (pd_analyzers[i]->on_tick)
			pd_analyzers[i]->on_tick(a->state[i], a, now_ns);
	pd_flow_expire(a->flows, now_ns, on_flow_end, a);
	p->next_tick = now_ns + 1000000000LL;
}

void pd_pipeline_tick(struct pd_pipeline *p, int64_t now_ns)
{
	if (p->finished || now_ns <= p->now_ns)
		return;
	p->now_ns = now_ns;
	tick(p, now_ns);
}

uint64_t pd_pipeline_feed(struct pd_pipeline *p, const struct pd_frame *fr)
{
	struct pd_analysis *a = p->a;
	struct pd_packet *pkt = &p->pkt;
	struct pd_flow *flow;
	int dir = 0;

	/* time moves on to this frame before it is analysed: a deadline that
	 * passed in the silence before it fires first (a timeout, then the
	 * late answer), as it would have live */
	if (fr->ts_ns > p->now_ns) {
		p->now_ns = fr->ts_ns;
		if (fr->ts_ns >= p->next_tick)
			tick(p, fr->ts_ns);
	} else if (p->now_ns - fr->ts_ns > CLOCK_STEP_BACK_NS) {
		/* the frames went back in time by more than a minute: an
		 * earlier frame was stamped in the future (a bad clock, a
		 * corrupt record) or the capture's clock was stepped back;
		 * follow the frames again, or no tick would come until they
		 * caught up (flow expiry, timeouts) */
		p->now_ns = fr->ts_ns;
		p->next_tick = fr->ts_ns + 1000000000LL;
	}
	pkt->frame = ++a->stats.frames;
	pkt->ts_ns = fr->ts_ns;
	pkt->caplen = fr->caplen;
	pkt->wirelen = fr->wirelen < fr->caplen ? fr->caplen : fr->wirelen;
	pkt->linktype = fr->linktype;
	pkt->epb_flags = fr->epb_flags;
	pkt->has_epb_flags = fr->has_epb_flags;
	if (pd_dissect_frame(pkt, fr->data) == -PD_EUNSUPPORTED)
		a->stats.unsupported_link++;
	count_stats(&a->stats, pkt);

	pd_dup_check(p->dups, pkt, &a->dup);
	flow = pd_flow_lookup(a->flows, pkt, &dir, on_flow_end, a);
	if (flow)
		update_flow(flow, dir, pkt);
	/* the one TCP sequence tracker (tcpstream.h); a copy of a frame
	 * already seen is not a segment of its own */
	if (flow && (pkt->layers & PD_L_TCP) && !pkt->malformed && !a->dup.of)
		pd_tcp_stream_update(flow, dir, pkt, &a->tcp_seg);
	else
		memset(&a->tcp_seg, 0, sizeof(a->tcp_seg));
	for (int i = 0; i < p->n_an; i++)
		if (pd_analyzers[i]->on_packet)
			pd_analyzers[i]->on_packet(a->state[i], a, pkt, flow, dir);
	if (p->sink.on_packet)
		p->sink.on_packet(p->sink.arg, a, pkt);
	return pkt->frame;
}

int pd_pipeline_finish(struct pd_pipeline *p)
{
	struct pd_analysis *a = p->a;
	int rc = 0;

	if (p->finished)
		return 0;
	p->finished = true;
	pd_flow_table_stats(a->flows, &a->stats.flows);
	pd_flow_drain(a->flows, on_flow_end, a);
	for (int i = 0; i < p->n_an; i++) {
		int frc = pd_analyzers[i]->finish ? pd_analyzers[i]->finish(a->state[i], a) : 0;

		if (frc && !rc)
			rc = frc;
	}
	/* the second phase: joins of what every analyzer published at finish
	 * (the boot summary), so that no analyzer depends on its place in
	 * pd_analyzers[] */
	for (int i = 0; i < p->n_an; i++) {
		int frc = pd_analyzers[i]->summarize ? pd_analyzers[i]->summarize(a->state[i], a) : 0;

		if (frc && !rc)
			rc = frc;
	}
	flush_folds(a); /* the aggregates' last counts reach the sinks before they close */
	pd_findings_sort(&a->findings);
	for (size_t i = 0; i < a->findings.n; i++)
		to_sink(a, &a->findings.v[i], PD_FINDING_CLOSE);
	return rc;
}

void pd_pipeline_close(struct pd_pipeline *p)
{
	struct pd_analysis *a;

	if (!p)
		return;
	a = p->a;
	if (!p->finished)
		pd_pipeline_finish(p);
	for (int i = 0; i < p->n_an; i++)
		if (pd_analyzers[i]->destroy)
			pd_analyzers[i]->destroy(a->state[i]);
	memset(a->state, 0, sizeof(a->state));
	pd_dup_table_free(p->dups);
	pd_flow_table_free(a->flows);
	a->flows = 0;
	a->pipeline = 0;
	free(p);
}

void pd_analysis_free(struct pd_analysis *a)
{
	pd_findings_free(&a->findings);
	free(a->conns.v);
	memset(&a->conns, 0, sizeof(a->conns));
	free(a->syslog.v);
	memset(&a->syslog, 0, sizeof(a->syslog));
	free(a->arp.v);
	memset(&a->arp, 0, sizeof(a->arp));
	free(a->boot.v);
	memset(&a->boot, 0, sizeof(a->boot));
	free(a->dhcp);
	a->dhcp = 0;
	free(a->iscsi);
	a->iscsi = 0;
	pd_flow_table_free(a->flows);
	a->flows = 0;
}
