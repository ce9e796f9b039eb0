/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c - the JSON reporter.  One document per input file, on one line.
 * The schema is documented in docs/json-schema.md; fields are only ever
 * added, never renamed.
 */
#include <stdio.h>
#include <time.h>

#include "pktdoctor/error.h"
#include "pktdoctor/json.h"
#include "pktdoctor/report.h"

char *pd_format_ts(int64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	struct tm tm;
	char day[32];

	if (frac < 0) {
		frac += 1000000000L;
		sec -= 1;
	}
	if (!gmtime_r(&sec, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s.%09ldZ", day, frac);
	return buf;
}

static void ts_number(struct pd_json *j, const char *key, int64_t ns)
{
	char b[48];
	int64_t sec = ns / 1000000000LL;
	int64_t frac = ns % 1000000000LL;

	if (frac < 0) {
		frac += 1000000000LL;
		sec -= 1;
	}
	snprintf(b, sizeof(b), "%lld.%09lld", (long long)sec, (long long)frac);
	pd_json_raw_number(j, key, b);
}

static void evidence(struct pd_json *j, const struct pd_finding *f)
{
	pd_json_obj_begin(j, "evidence");
	for (unsigned i = 0; i < f->n_evidence; i++) {
		const struct pd_evidence *e = &f->evidence[i];
		char hex[8];

		switch (e->type) {
		case PD_EVT_U64:
			pd_json_u64(j, e->key, e->v.u);
			break;
		case PD_EVT_I64:
			pd_json_i64(j, e->key, e->v.i);
			break;
		case PD_EVT_DOUBLE:
			pd_json_double(j, e->key, e->v.d);
			break;
		case PD_EVT_BOOL:
			pd_json_bool(j, e->key, e->v.b);
			break;
		case PD_EVT_HEX16:
			snprintf(hex, sizeof(hex), "0x%04x", (unsigned)(e->v.u & 0xffff));
			pd_json_str(j, e->key, hex);
			break;
		default:
			pd_json_str(j, e->key, e->s);
			break;
		}
	}
	pd_json_obj_end(j);
}

void pd_report_json_finding(struct pd_json *j, const struct pd_finding *f, int max_frames)
{
	pd_json_obj_begin(j, 0);
	pd_json_str(j, "id", f->id);
	pd_json_str(j, "severity", pd_severity_name(f->severity));
	pd_json_arr_begin(j, "frames");
	for (uint32_t i = 0; i < f->n_frames && (int)i < max_frames; i++)
		pd_json_u64(j, 0, f->frames[i]);
	pd_json_arr_end(j);
	pd_json_u64(j, "frames_total", f->frames_total);
	if (f->folded)
		pd_json_u64(j, "folded", f->folded);
	pd_json_str(j, "flow", f->flow);
	pd_json_str(j, "message", f->message);
	evidence(j, f);
	pd_json_str(j, "advice", f->advice);
	pd_json_obj_end(j);
}

static void endpoint_str(const struct pd_conn *c, int side, char *buf, size_t len)
{
	char s[48];

	pd_addr_format(&c->addr[side], s, sizeof(s));
	if (c->addr[side].family == 6)
		snprintf(buf, len, "[%s]:%u", s, c->port[side]);
	else
		snprintf(buf, len, "%s:%u", s, c->port[side]);
}

static void side_json(struct pd_json *j, const char *key, const struct pd_conn *c, int s)
{
	pd_json_obj_begin(j, key);
	pd_json_u64(j, "packets", c->packets[s]);
	pd_json_u64(j, "bytes", c->bytes[s]);
	pd_json_u64(j, "payload", c->payload[s]);
	if (c->mss[s])
		pd_json_u64(j, "mss", c->mss[s]);
	else
		pd_json_null(j, "mss");
	pd_json_u64(j, "max_segment", c->max_seg[s]);
	pd_json_u64(j, "max_segment_frame", c->max_seg_frame[s]);
	pd_json_u64(j, "retransmissions", c->retrans[s]);
	pd_json_u64(j, "fast_retransmissions", c->fast_retrans[s]);
	pd_json_u64(j, "spurious_retransmissions", c->spurious[s]);
	pd_json_u64(j, "out_of_order", c->out_of_order[s]);
	pd_json_u64(j, "previous_segment_not_captured", c->lost[s]);
	pd_json_u64(j, "duplicate_acks", c->dup_ack[s]);
	pd_json_u64(j, "zero_windows", c->zero_window[s]);
	pd_json_obj_end(j);
}

static void conn_json(struct pd_json *j, const struct pd_conn *c)
{
	char b[64];

	pd_json_obj_begin(j, 0);
	endpoint_str(c, 0, b, sizeof(b));
	pd_json_str(j, "client", b);
	endpoint_str(c, 1, b, sizeof(b));
	pd_json_str(j, "server", b);
	pd_json_u64(j, "vlan", c->vlan);
	pd_json_u64(j, "first_frame", c->first_frame);
	pd_json_u64(j, "last_frame", c->last_frame);
	ts_number(j, "first_ts", c->first_ns);
	pd_json_double(j, "duration", (double)(c->last_ns - c->first_ns) / 1e9);
	pd_json_bool(j, "handshake_seen", c->syn_seen);
	if (c->rtt_ns >= 0)
		pd_json_double(j, "handshake_rtt_ms", (double)c->rtt_ns / 1e6);
	else
		pd_json_null(j, "handshake_rtt_ms");
	side_json(j, "client_to_server", c, 0);
	side_json(j, "server_to_client", c, 1);
	pd_json_u64(j, "storms", c->storms);
	pd_json_u64(j, "oversize_unacked", c->oversize_unacked);
	pd_json_str(j, "end", pd_conn_end_name(c->end));
	pd_json_obj_end(j);
}

int pd_report_json(FILE *out, const struct pd_analysis *a, const struct pd_report_opts *o)
{
	struct pd_json j;
	const struct pd_stats *st = &a->stats;
	int max_frames = o && o->max_frames > 0 ? o->max_frames : PD_FINDING_MAX_FRAMES;
	int min_sev = o ? o->min_severity : 0;
	uint64_t sev_count[3] = {0, 0, 0};
	char iso[48];

	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].severity <= PD_SEV_ERROR)
			sev_count[a->findings.v[i].severity]++;

	pd_json_init(&j, out);
	pd_json_obj_begin(&j, 0);
	pd_json_str(&j, "tool", "pktdoctor");
	pd_json_str(&j, "version", PD_VERSION);
	pd_json_str(&j, "input", a->input);
	if (a->format[0])
		pd_json_str(&j, "format", a->format);
	else
		pd_json_null(&j, "format");
	pd_json_str(&j, "linktype", a->linktype_name[0] ? a->linktype_name : "");
	pd_json_i64(&j, "linktype_id", a->linktype);
	pd_json_i64(&j, "snaplen", a->snaplen);
	pd_json_bool(&j, "complete", a->input_error == 0 && !a->stopped);
	if (a->stopped)
		pd_json_u64(&j, "stopped_at_frame", a->stopped_at_frame);
	else
		pd_json_null(&j, "stopped_at_frame");
	if (a->input_error) {
		pd_json_obj_begin(&j, "error");
		pd_json_str(&j, "code", pd_strerror(a->input_error));
		pd_json_str(&j, "message", a->input_error_msg);
		if (a->error_offset >= 0)
			pd_json_i64(&j, "byte_offset", a->error_offset);
		else
			pd_json_null(&j, "byte_offset");
		pd_json_obj_end(&j);
	} else if (a->stopped) {
		char msg[160];

		snprintf(msg, sizeof(msg), "stopped by a signal after frame %llu; the findings cover "
			 "the frames read", (unsigned long long)a->stopped_at_frame);
		pd_json_obj_begin(&j, "error");
		pd_json_str(&j, "code", "interrupted");
		pd_json_str(&j, "message", msg);
		pd_json_null(&j, "byte_offset");
		pd_json_obj_end(&j);
	} else {
		pd_json_null(&j, "error");
	}
	pd_json_u64(&j, "frames", st->frames);
	pd_json_u64(&j, "packets", st->packets);
	pd_json_u64(&j, "bytes", st->bytes);
	pd_json_u64(&j, "captured_bytes", st->captured_bytes);
	if (a->source.valid) {
		/* a live capture's own counters: what it lost is not the network's */
		pd_json_obj_begin(&j, "source");
		pd_json_u64(&j, "received", a->source.received);
		pd_json_u64(&j, "dropped_by_capture", a->source.capture_drops);
		pd_json_u64(&j, "dropped_by_interface", a->source.if_drops);
		pd_json_obj_end(&j);
	} else {
		pd_json_null(&j, "source");
	}
	if (st->packets) {
		ts_number(&j, "first_ts", st->first_ns);
		ts_number(&j, "last_ts", st->last_ns);
		pd_json_str(&j, "first_time", pd_format_ts(st->first_ns, iso, sizeof(iso)));
		pd_json_str(&j, "last_time", pd_format_ts(st->last_ns, iso, sizeof(iso)));
		pd_json_double(&j, "duration", (double)(st->last_ns - st->first_ns) / 1e9);
	} else {
		pd_json_null(&j, "first_ts");
		pd_json_null(&j, "last_ts");
		pd_json_null(&j, "first_time");
		pd_json_null(&j, "last_time");
		pd_json_double(&j, "duration", 0.0);
	}
	pd_json_obj_begin(&j, "summary");
	pd_json_u64(&j, "error", sev_count[PD_SEV_ERROR]);
	pd_json_u64(&j, "warning", sev_count[PD_SEV_WARNING]);
	pd_json_u64(&j, "info", sev_count[PD_SEV_INFO]);
	pd_json_obj_end(&j);

	pd_json_arr_begin(&j, "findings");
	for (size_t i = 0; i < a->findings.n; i++)
		if (a->findings.v[i].severity >= min_sev)
			pd_report_json_finding(&j, &a->findings.v[i], max_frames);
	pd_json_arr_end(&j);

	pd_json_arr_begin(&j, "boot");
	for (size_t i = 0; i < a->boot.n; i++) {
		const struct pd_boot_host *h = &a->boot.v[i];

		pd_json_obj_begin(&j, 0);
		pd_json_str(&j, "mac", h->mac);
		pd_json_str(&j, "ip", h->ip);
		pd_json_arr_begin(&j, "steps");
		for (unsigned k = 0; k < h->n_steps; k++) {
			int s = h->order[k];

			pd_json_obj_begin(&j, 0);
			pd_json_str(&j, "step", pd_boot_step_name(s));
			pd_json_str(&j, "phase", h->phase[s] == PD_BOOT_OS ? "os" : "firmware");
			pd_json_u64(&j, "frame", h->frame[s]);
			ts_number(&j, "ts", h->ns[s]);
			pd_json_str(&j, "detail", h->detail[s]);
			pd_json_obj_end(&j);
		}
		pd_json_arr_end(&j);
		pd_json_obj_end(&j);
	}
	pd_json_arr_end(&j);

	pd_json_arr_begin(&j, "syslog");
	for (size_t i = 0; i < a->syslog.n; i++) {
		static const char *const sev[8] = {"emerg", "alert", "crit", "err",
						   "warning", "notice", "info", "debug"};
		static const char *const fmt[4] = {"bare", "rfc3164", "rfc5424", "ipxe"};
		const struct pd_syslog_msg *m = &a->syslog.v[i];
		char host[48];

		pd_json_obj_begin(&j, 0);
		pd_json_u64(&j, "frame", m->frame);
		ts_number(&j, "ts", m->ts_ns);
		pd_json_str(&j, "sender", pd_addr_format(&m->sender, host, sizeof(host)));
		pd_json_u64(&j, "facility", m->facility);
		pd_json_str(&j, "severity", sev[m->severity & 7]);
		pd_json_str(&j, "format", fmt[m->format & 3]);
		pd_json_str(&j, "hostname", m->hostname);
		pd_json_str(&j, "app", m->app);
		pd_json_str(&j, "message", m->msg);
		pd_json_obj_end(&j);
	}
	pd_json_arr_end(&j);
	pd_json_u64(&j, "syslog_dropped", a->syslog.dropped);

	if (o && o->connections) {
		pd_json_arr_begin(&j, "connections");
		for (size_t i = 0; i < a->conns.n; i++)
			conn_json(&j, &a->conns.v[i]);
		pd_json_arr_end(&j);
		pd_json_u64(&j, "connections_dropped", a->conns.dropped);
	}

	pd_json_obj_begin(&j, "stats");
	pd_json_obj_begin(&j, "protocols");
	for (int i = 0; i < PD_SP__COUNT; i++)
		pd_json_u64(&j, pd_stat_proto_name(i), st->proto[i]);
	pd_json_obj_end(&j);
	pd_json_obj_begin(&j, "checksums");
	for (int l = 0; l < PD_CL__COUNT; l++) {
		pd_json_obj_begin(&j, pd_csum_layer_name(l));
		for (int v = PD_CSUM_VALID; v < PD_CSUM__COUNT; v++)
			pd_json_u64(&j, pd_csum_verdict_name(v), st->csum[l][v]);
		pd_json_obj_end(&j);
	}
	pd_json_obj_end(&j);
	pd_json_u64(&j, "malformed", st->malformed);
	pd_json_u64(&j, "snaplen_cut", st->snaplen_cut);
	pd_json_u64(&j, "unsupported_link", st->unsupported_link);
	pd_json_u64(&j, "epb_flags", st->epb_flags);
	pd_json_u64(&j, "timestamps_backwards", st->ts_backwards);
	pd_json_obj_begin(&j, "flows");
	pd_json_u64(&j, "created", st->flows.created);
	pd_json_u64(&j, "peak", st->flows.peak);
	pd_json_u64(&j, "expired", st->flows.expired);
	pd_json_u64(&j, "overflow", st->flows.overflow);
	pd_json_obj_end(&j);
	pd_json_obj_end(&j);
	pd_json_obj_end(&j);
	fputc('\n', out);
	/* stdio keeps a write error (ENOSPC, EPIPE) until the buffer is flushed */
	return fflush(out) != 0 || ferror(out) ? -PD_EWRITE : 0;
}
