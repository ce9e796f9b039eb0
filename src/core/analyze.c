/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * analyze.c - the offline pipeline for one file:
 * source -> frame -> dissect -> packet -> flow -> analyzers -> findings.
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
#include "pktdoctor/source.h"

const struct pd_analyzer_ops *const pd_analyzers[] = {
	&pd_analyzer_capture,
	&pd_analyzer_checksum,
	&pd_analyzer_malformed,
	&pd_analyzer_tcp,
	&pd_analyzer_dhcp,
	&pd_analyzer_arp,
	&pd_analyzer_syslog,
	&pd_analyzer_iscsi,
	&pd_analyzer_boot, /* last: joins what the others published */
	0,
};

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

int pd_analysis_add(struct pd_analysis *a, const struct pd_finding *f)
{
	return pd_findings_push(&a->findings, f);
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

/* Per-direction TCP/UDP state that every analyzer may read (RFC 9293 names). */
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
	{
		const struct pd_tcp *t = &p->tcp;
		uint32_t end = t->seq + t->payload_len + ((t->flags & 0x02) ? 1u : 0u) +
			       ((t->flags & 0x01) ? 1u : 0u);

		d->payload_bytes += t->payload_len;
		if (t->flags & 0x02) {
			d->syn_seen = true;
			if (t->mss)
				d->mss = t->mss;
			d->wscale = t->wscale;
			d->sack_permitted = t->sack_permitted;
		}
		if (!d->seq_valid || pd_seq_lt(d->snd_nxt, end)) {
			d->snd_nxt = end;
			d->seq_valid = true;
		}
		if (t->flags & 0x10) {
			if (!d->ack_valid || pd_seq_lt(d->highest_ack, t->ack)) {
				d->highest_ack = t->ack;
				d->ack_valid = true;
			}
		}
	}
}

static void progress(const struct pd_analysis *a, struct pd_source *src, int done)
{
	int64_t size = pd_source_size(src), pos = pd_source_position(src);

	if (done) {
		fprintf(stderr, "\r%-70s\r", "");
		return;
	}
	if (size > 0 && pos >= 0)
		fprintf(stderr, "\rpktdoctor: %s: %3d%% (%llu frames)", a->input,
			(int)(pos * 100 / size), (unsigned long long)a->stats.frames);
	else
		fprintf(stderr, "\rpktdoctor: %s: %llu frames", a->input,
			(unsigned long long)a->stats.frames);
}

static int analyze_source(struct pd_source *src, const char *path,
			  const struct pd_analysis_opts *opts, struct pd_analysis *a);

int pd_analyze_file(const char *path, const struct pd_analysis_opts *opts,
		    struct pd_analysis *a)
{
	struct pd_source *src = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	a->opts = opts;
	a->input = path;
	a->error_offset = -1;
	rc = pd_source_open_file(&src, path, a->input_error_msg, sizeof(a->input_error_msg));
	if (rc) {
		a->input_error = rc;
		return rc;
	}
	return analyze_source(src, path, opts, a);
}

int pd_analyze_stream(FILE *fp, const char *name, const struct pd_analysis_opts *opts,
		      struct pd_analysis *a)
{
	struct pd_source *src = 0;
	int rc;

	memset(a, 0, sizeof(*a));
	a->opts = opts;
	a->input = name;
	a->error_offset = -1;
	rc = pd_source_open_stream(&src, fp, name, a->input_error_msg, sizeof(a->input_error_msg));
	if (rc) {
		a->input_error = rc;
		return rc;
	}
	return analyze_source(src, name, opts, a);
}

static int analyze_source(struct pd_source *src, const char *path,
			  const struct pd_analysis_opts *opts, struct pd_analysis *a)
{
	struct pd_packet pkt;
	struct pd_frame fr;
	struct pd_flow_limits lim = {0, 0};
	int rc, n_an = 0, show_progress;
	int64_t next_tick = 0;

	snprintf(a->format, sizeof(a->format), "%s", pd_source_format(src));
	a->linktype = pd_source_linktype(src);
	snprintf(a->linktype_name, sizeof(a->linktype_name), "%s", pd_source_linktype_name(src));
	a->snaplen = pd_source_snaplen(src);
	if (opts->filter && opts->filter[0]) {
		rc = pd_source_compile_filter(src, opts->filter, a->input_error_msg,
					      sizeof(a->input_error_msg));
		if (rc) {
			a->input_error = rc;
			goto out;
		}
	}
	lim.max_flows = opts->max_flows;
	a->flows = pd_flow_table_new(&lim);
	if (!a->flows) {
		rc = -PD_ENOMEM;
		goto out;
	}
	for (n_an = 0; pd_analyzers[n_an]; n_an++) {
		rc = pd_analyzers[n_an]->init(a, &a->state[n_an]);
		if (rc) {
			n_an++;
			goto out;
		}
	}
	show_progress = opts->progress && isatty(2);

	memset(&pkt, 0, sizeof(pkt));
	for (;;) {
		struct pd_flow *flow;
		int dir = 0;

		if (opts->last_frame && a->stats.frames >= opts->last_frame) {
			rc = 0;
			break;
		}
		rc = pd_source_next(src, &fr);
		if (rc == 0)
			break;
		if (rc < 0) {
			int64_t off;
			const char *msg = pd_source_error(src, &off);

			a->input_error = rc;
			a->error_offset = off;
			snprintf(a->input_error_msg, sizeof(a->input_error_msg),
				 "%s: corrupt or truncated after frame %llu (byte offset %lld): %s",
				 path, (unsigned long long)a->stats.frames, (long long)off, msg);
			break;
		}
		a->stats.frames++;
		if (a->stats.frames < opts->first_frame || !pd_source_match(src, &fr))
			continue;
		pkt.frame = a->stats.frames;
		pkt.ts_ns = fr.ts_ns;
		pkt.caplen = fr.caplen;
		pkt.wirelen = fr.wirelen < fr.caplen ? fr.caplen : fr.wirelen;
		pkt.linktype = a->linktype;
		pkt.epb_flags = fr.epb_flags;
		pkt.has_epb_flags = fr.has_epb_flags;
		if (pd_dissect_frame(&pkt, fr.data) == -PD_EUNSUPPORTED)
			a->stats.unsupported_link++;
		count_stats(&a->stats, &pkt);

		flow = pd_flow_lookup(a->flows, &pkt, &dir, on_flow_end, a);
		if (flow)
			update_flow(flow, dir, &pkt);
		for (int i = 0; i < n_an; i++)
			if (pd_analyzers[i]->on_packet)
				pd_analyzers[i]->on_packet(a->state[i], a, &pkt, flow, dir);
		if (opts->packet_hook)
			opts->packet_hook(opts->hook_arg, a, &pkt);
		if (pkt.ts_ns >= next_tick) {
			for (int i = 0; i < n_an; i++)
				if (pd_analyzers[i]->on_tick)
					pd_analyzers[i]->on_tick(a->state[i], a, pkt.ts_ns);
			pd_flow_expire(a->flows, pkt.ts_ns, on_flow_end, a);
			next_tick = pkt.ts_ns + 1000000000LL;
		}
		if (show_progress && (a->stats.frames & 0xffff) == 0)
			progress(a, src, 0);
	}
	if (show_progress)
		progress(a, src, 1);
	pd_flow_table_stats(a->flows, &a->stats.flows);
	pd_flow_drain(a->flows, on_flow_end, a);
	rc = a->input_error;
	for (int i = 0; i < n_an; i++) {
		int frc = pd_analyzers[i]->finish(a->state[i], a);

		if (frc && !rc)
			rc = frc;
	}
	pd_findings_sort(&a->findings);
out:
	for (int i = 0; i < n_an; i++)
		if (pd_analyzers[i]->destroy)
			pd_analyzers[i]->destroy(a->state[i]);
	memset(a->state, 0, sizeof(a->state));
	pd_flow_table_free(a->flows);
	a->flows = 0;
	pd_source_close(src);
	return rc;
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
