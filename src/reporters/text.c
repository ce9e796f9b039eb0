/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c - the human-readable report: a summary line, findings grouped by
 * severity and then by flow or host (each with frames, evidence and
 * advice), and statistics.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/report.h"

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	if (b < 10000)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else if (b < 10000000)
		snprintf(buf, len, "%.1f kB", (double)b / 1e3);
	else if (b < 10000000000ULL)
		snprintf(buf, len, "%.1f MB", (double)b / 1e6);
	else
		snprintf(buf, len, "%.2f GB", (double)b / 1e9);
}

static void frames_line(FILE *out, const struct pd_finding *f, int max)
{
	fputs("      frames:", out);
	for (uint32_t i = 0; i < f->n_frames && (int)i < max; i++)
		fprintf(out, "%s %llu", i ? "," : "", (unsigned long long)f->frames[i]);
	if (f->frames_total > (uint64_t)(f->n_frames < (uint32_t)max ? f->n_frames : (uint32_t)max))
		fprintf(out, " ... (%llu in all)", (unsigned long long)f->frames_total);
	fputc('\n', out);
}

static void evidence_line(FILE *out, const struct pd_finding *f)
{
	if (!f->n_evidence)
		return;
	fputs("      evidence:", out);
	for (unsigned i = 0; i < f->n_evidence; i++) {
		const struct pd_evidence *e = &f->evidence[i];

		switch (e->type) {
		case PD_EVT_U64:
			fprintf(out, " %s=%llu", e->key, (unsigned long long)e->v.u);
			break;
		case PD_EVT_I64:
			fprintf(out, " %s=%lld", e->key, (long long)e->v.i);
			break;
		case PD_EVT_DOUBLE:
			fprintf(out, " %s=%.6g", e->key, e->v.d);
			break;
		case PD_EVT_BOOL:
			fprintf(out, " %s=%s", e->key, e->v.b ? "yes" : "no");
			break;
		case PD_EVT_HEX16:
			fprintf(out, " %s=0x%04x", e->key, (unsigned)(e->v.u & 0xffff));
			break;
		default:
			fprintf(out, " %s=\"%s\"", e->key, e->s);
			break;
		}
	}
	fputc('\n', out);
}

static void findings_section(FILE *out, const struct pd_analysis *a, int sev,
			     const char *title, int max_frames)
{
	const char *last_flow = 0;
	int printed = 0;

	for (size_t i = 0; i < a->findings.n; i++) {
		const struct pd_finding *f = &a->findings.v[i];

		if (f->severity != sev)
			continue;
		if (!printed++)
			fprintf(out, "\n%s\n", title);
		if (!last_flow || strcmp(last_flow, f->flow) != 0) {
			fprintf(out, "  %s\n", f->flow[0] ? f->flow : "(whole capture)");
			last_flow = f->flow;
		}
		if (f->folded)
			fprintf(out, "    [%s, %llu folded] %s\n", f->id,
				(unsigned long long)f->folded, f->message);
		else
			fprintf(out, "    [%s] %s\n", f->id, f->message);
		if (f->frames_total)
			frames_line(out, f, max_frames);
		evidence_line(out, f);
		if (f->advice[0])
			fprintf(out, "      advice: %s\n", f->advice);
	}
}

static void stats_section(FILE *out, const struct pd_analysis *a)
{
	const struct pd_stats *st = &a->stats;
	int any = 0;

	fputs("\nSTATISTICS\n  protocols:", out);
	for (int i = 0; i < PD_SP__COUNT; i++)
		if (st->proto[i]) {
			fprintf(out, " %s %llu", pd_stat_proto_name(i),
				(unsigned long long)st->proto[i]);
			any = 1;
		}
	if (!any)
		fputs(" none", out);
	fputs("\n  checksums        valid      bad  partial     zero  unverif.\n", out);
	for (int l = 0; l < PD_CL__COUNT; l++) {
		const uint64_t *c = st->csum[l];

		if (!(c[PD_CSUM_VALID] | c[PD_CSUM_BAD] | c[PD_CSUM_PARTIAL] | c[PD_CSUM_ZERO] |
		      c[PD_CSUM_UNVERIFIABLE]))
			continue;
		fprintf(out, "    %-10s %9llu %8llu %8llu %8llu %9llu\n", pd_csum_layer_name(l),
			(unsigned long long)c[PD_CSUM_VALID], (unsigned long long)c[PD_CSUM_BAD],
			(unsigned long long)c[PD_CSUM_PARTIAL], (unsigned long long)c[PD_CSUM_ZERO],
			(unsigned long long)c[PD_CSUM_UNVERIFIABLE]);
	}
	fprintf(out, "  flows: %llu (peak %zu live)", (unsigned long long)st->flows.created,
		st->flows.peak);
	if (st->malformed)
		fprintf(out, "  malformed frames: %llu", (unsigned long long)st->malformed);
	if (st->snaplen_cut)
		fprintf(out, "  cut by snaplen: %llu", (unsigned long long)st->snaplen_cut);
	if (st->ts_backwards)
		fprintf(out, "  timestamps going backwards: %llu",
			(unsigned long long)st->ts_backwards);
	fputc('\n', out);
}

static void conn_endpoint(const struct pd_conn *c, int side, char *buf, size_t len)
{
	char s[48];

	pd_addr_format(&c->addr[side], s, sizeof(s));
	snprintf(buf, len, c->addr[side].family == 6 ? "[%s]:%u" : "%s:%u", s, c->port[side]);
}

static void conns_section(FILE *out, const struct pd_analysis *a)
{
	fprintf(out, "\nCONNECTIONS (%zu TCP)\n", a->conns.n);
	if (!a->conns.n)
		return;
	fputs("  #  client -> server                          frames       dur(s)  rtt(ms)"
	      "  pkts c>s/s>c   bytes c>s/s>c      mss c/s    maxseg c>s/s>c  retx c>s/s>c  end\n",
	      out);
	for (size_t i = 0; i < a->conns.n; i++) {
		const struct pd_conn *c = &a->conns.v[i];
		char cl[64], sv[64], ep[140], rtt[16], mss[24];

		conn_endpoint(c, 0, cl, sizeof(cl));
		conn_endpoint(c, 1, sv, sizeof(sv));
		snprintf(ep, sizeof(ep), "%s -> %s", cl, sv);
		if (c->rtt_ns >= 0)
			snprintf(rtt, sizeof(rtt), "%.3f", (double)c->rtt_ns / 1e6);
		else
			snprintf(rtt, sizeof(rtt), "-");
		snprintf(mss, sizeof(mss), "%u/%u", c->mss[0], c->mss[1]);
		fprintf(out, "  %-2zu %-40s %5llu-%-6llu %7.3f %8s %6llu/%-6llu %8llu/%-9llu %11s "
			     "%7u/%-7u %5llu/%-5llu %s%s\n",
			i + 1, ep, (unsigned long long)c->first_frame,
			(unsigned long long)c->last_frame, (double)(c->last_ns - c->first_ns) / 1e9,
			rtt, (unsigned long long)c->packets[0], (unsigned long long)c->packets[1],
			(unsigned long long)c->payload[0], (unsigned long long)c->payload[1], mss,
			c->max_seg[0], c->max_seg[1],
			(unsigned long long)(c->retrans[0] + c->fast_retrans[0]),
			(unsigned long long)(c->retrans[1] + c->fast_retrans[1]),
			pd_conn_end_name(c->end), c->storms ? " STORM" : "");
	}
	if (a->conns.dropped)
		fprintf(out, "  (%llu more connections not kept)\n",
			(unsigned long long)a->conns.dropped);
}

static void boot_section(FILE *out, const struct pd_analysis *a)
{
	for (size_t i = 0; i < a->boot.n; i++) {
		const struct pd_boot_host *h = &a->boot.v[i];
		int64_t t0 = 0;

		for (int s = 0; s < PD_BOOT__COUNT; s++)
			if (h->frame[s] && (!t0 || h->ns[s] < t0))
				t0 = h->ns[s];
		fprintf(out, "\nBOOT %s%s%s%s\n", h->mac[0] ? h->mac : "", h->mac[0] && h->ip[0] ? " (" : "",
			h->ip, h->mac[0] && h->ip[0] ? ")" : "");
		/* seen steps in time order, the OS phase after a rule; then
		 * the steps not seen */
		for (unsigned k = 0; k < h->n_steps; k++) {
			int s = h->order[k];

			if (h->phase[s] == PD_BOOT_OS && (!k || h->phase[h->order[k - 1]] != PD_BOOT_OS))
				fprintf(out, "  -- OS --\n");
			fprintf(out, "  %-16s %+9.3fs  frame %-7llu %s\n", pd_boot_step_name(s),
				(double)(h->ns[s] - t0) / 1e9, (unsigned long long)h->frame[s], h->detail[s]);
		}
		for (int s = 0; s < PD_BOOT__COUNT; s++)
			if (!h->frame[s] && s != PD_BOOT_DHCP_NAK && s != PD_BOOT_DHCP_DECLINE)
				fprintf(out, "  %-16s %10s  %-9s %s\n", pd_boot_step_name(s), "-", "", "not seen");
	}
}

int pd_report_text(FILE *out, const struct pd_analysis *a, const struct pd_report_opts *o)
{
	const struct pd_stats *st = &a->stats;
	int max_frames = o && o->max_frames > 0 ? o->max_frames : 10;
	int min_sev = o ? o->min_severity : 0;
	uint64_t n[3] = {0, 0, 0};
	char bytes[32], t0[48];

	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].severity <= PD_SEV_ERROR)
			n[a->findings.v[i].severity]++;

	fprintf(out, "pktdoctor %s: %s (%s, %s, snaplen %d)\n", PD_VERSION, a->input,
		a->format[0] ? a->format : "?", a->linktype_name[0] ? a->linktype_name : "?",
		a->snaplen);
	human_bytes(st->bytes, bytes, sizeof(bytes));
	if (st->packets)
		fprintf(out, "  %llu packets, %s, %.3f s from %s\n",
			(unsigned long long)st->packets, bytes,
			(double)(st->last_ns - st->first_ns) / 1e9,
			pd_format_ts(st->first_ns, t0, sizeof(t0)));
	else
		fprintf(out, "  no packets\n");
	if (st->frames != st->packets)
		fprintf(out, "  %llu frames read, %llu matched the filter\n",
			(unsigned long long)st->frames, (unsigned long long)st->packets);
	if (a->source.valid)
		fprintf(out, "  capture: %llu frames delivered, %llu dropped by the capture buffer, "
			"%llu dropped by the interface%s\n",
			(unsigned long long)a->source.received,
			(unsigned long long)a->source.capture_drops,
			(unsigned long long)a->source.if_drops,
			a->source.capture_drops || a->source.if_drops ? " (see capture.dropped)" : "");
	if (a->input_error)
		fprintf(out, "  INPUT ERROR: %s\n", a->input_error_msg);
	if (a->stopped)
		fprintf(out, "  STOPPED by a signal after frame %llu: incomplete, the findings cover "
			"the frames read\n", (unsigned long long)a->stopped_at_frame);
	fprintf(out, "  verdict: %llu error%s, %llu warning%s, %llu info\n",
		(unsigned long long)n[2], n[2] == 1 ? "" : "s", (unsigned long long)n[1],
		n[1] == 1 ? "" : "s", (unsigned long long)n[0]);

	if (min_sev <= PD_SEV_ERROR)
		findings_section(out, a, PD_SEV_ERROR, "ERRORS", max_frames);
	if (min_sev <= PD_SEV_WARNING)
		findings_section(out, a, PD_SEV_WARNING, "WARNINGS", max_frames);
	if (min_sev <= PD_SEV_INFO)
		findings_section(out, a, PD_SEV_INFO, "INFO", max_frames);
	boot_section(out, a);
	if (o && o->connections)
		conns_section(out, a);
	if (!o || o->show_stats)
		stats_section(out, a);
	/* stdio keeps a write error (ENOSPC, EPIPE) until the buffer is flushed */
	return fflush(out) != 0 || ferror(out) ? -PD_EWRITE : 0;
}
