/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c - the prober's reports: a text matrix (case x offload
 * setting -> sent / on wire / delivered / counters and drop reason ->
 * verdict), one JSON document (docs/json-schema.md, "probe"), and JUnit
 * XML with one testcase per case and setting, so a NIC, driver or
 * firmware qualification can run in CI.  They only format.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/json.h"
#include "pktdoctor/junit.h"
#include "pktdoctor/report.h"
#include "probe.h"

static const char *if_kind(const struct pd_probe_if *i)
{
	return i->is_virtual ? "virtual" : "hardware";
}

static void wire_text(const struct pd_probe_result *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	if (!r->on_wire) {
		snprintf(buf, len, "0");
		return;
	}
	used = (size_t)snprintf(buf, len, "%u:", r->on_wire);
	for (unsigned k = 0; k < r->n_wire_len && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", k ? "," : "", r->wire_len[k]);
}

static void count_verdicts(const struct pd_probe_run *run, size_t *ok, size_t *fault,
			   size_t *note, size_t *skip)
{
	*ok = *fault = *note = *skip = 0;
	for (size_t k = 0; k < run->n; k++) {
		const char *v = run->r[k].verdict;

		if (!strcmp(v, "ok"))
			(*ok)++;
		else if (!strcmp(v, "FAULT"))
			(*fault)++;
		else if (!strcmp(v, "skip"))
			(*skip)++;
		else
			(*note)++;
	}
}

int pd_probe_report_text(FILE *out, const struct pd_probe_run *run)
{
	size_t n, ok, fault, note, skip;
	const struct pd_probe_case *suite = pd_probe_suite(&n);
	const char *setting = 0;

	fprintf(out, "pktdoctor probe: %s%s%s (%s, %s) -> %s%s%s (%s, %s)\n", run->snd.ns,
		run->snd.ns[0] ? ":" : "", run->snd.name, run->snd.driver[0] ? run->snd.driver : "?",
		if_kind(&run->snd), run->rcv.ns, run->rcv.ns[0] ? ":" : "", run->rcv.name,
		run->rcv.driver[0] ? run->rcv.driver : "?", if_kind(&run->rcv));
	if (run->snd.is_virtual || run->rcv.is_virtual)
		fputs("  a virtual device: the kernel, not hardware, answers offload requests; "
		      "what it did is\n  reported, only what the kernel promises is judged\n", out);
	fprintf(out, "  drop reasons: %s\n",
		run->trace_note[0] ? run->trace_note : "skb:kfree_skb tracepoint");
	if (run->settings_note[0])
		fprintf(out, "  offload matrix: %s\n", run->settings_note);
	for (size_t k = 0; k < run->n; k++) {
		const struct pd_probe_result *r = &run->r[k];
		const struct pd_probe_case *c = &suite[r->case_index];
		char wire[64];
		const char *detail;

		if (!setting || strcmp(setting, r->setting)) {
			setting = r->setting;
			fprintf(out, "\nSETTING %s\n", setting);
			fprintf(out, "  %-28s %-7s %-4s %-14s %-9s %-7s %s\n", "case", "expect", "sent",
				"on wire:len", "delivered", "verdict", "counters / drop reason / note");
		}
		if (r->skipped) {
			fprintf(out, "  %-28s %-7s %-4s %-14s %-9s %-7s %s\n", c->name,
				pd_probe_expect_name(c->expect), "-", "-", "-", "skip", r->skip_why);
			continue;
		}
		wire_text(r, wire, sizeof(wire));
		detail = r->note[0] ? r->note : "";
		fprintf(out, "  %-28s %-7s %-4u %-14s %-9s %-7s %s%s%s%s%s%s%s%s\n", c->name,
			pd_probe_expect_name(c->expect), r->sent, wire, r->delivered ? "yes" : "no",
			r->verdict, r->counters[0] ? r->counters : "-", r->reason[0] ? " reason=" : "",
			r->reason, r->send_err[0] ? " send: " : "", r->send_err,
			r->rx_status & PD_EPB_CSUM_VALID ? " [rx: csum marked valid]"
			: r->rx_status & PD_EPB_CSUM_NOT_READY ? " [rx: csum not ready]" : "",
			detail[0] ? "; " : "", detail);
	}
	count_verdicts(run, &ok, &fault, &note, &skip);
	fprintf(out, "\n%zu results: %zu ok, %zu FAULT, %zu note, %zu skipped%s\n", run->n, ok,
		fault, note, skip, run->interrupted ? " (interrupted)" : "");
	if (run->findings.n) {
		fputs("\nFINDINGS\n", out);
		for (size_t k = 0; k < run->findings.n; k++) {
			const struct pd_finding *f = &run->findings.v[k];

			fprintf(out, "  [%s] %s: %s\n    %s\n", f->id, pd_severity_name(f->severity),
				f->flow, f->message);
			if (f->advice[0])
				fprintf(out, "    advice: %s\n", f->advice);
		}
	}
	return ferror(out) ? -PD_EWRITE : 0;
}

static void if_json(struct pd_json *j, const char *key, const struct pd_probe_if *i)
{
	pd_json_obj_begin(j, key);
	pd_json_str(j, "netns", i->ns);
	pd_json_str(j, "name", i->name);
	pd_json_str(j, "driver", i->driver);
	pd_json_bool(j, "virtual", i->is_virtual);
	pd_json_u64(j, "mtu", i->mtu);
	pd_json_obj_end(j);
}


int pd_probe_report_json(FILE *out, const struct pd_probe_run *run)
{
	struct pd_json j;
	size_t n, ok, fault, note, skip;
	const struct pd_probe_case *suite = pd_probe_suite(&n);

	pd_json_init(&j, out);
	pd_json_obj_begin(&j, 0);
	pd_json_str(&j, "tool", "pktdoctor probe");
	if_json(&j, "sender", &run->snd);
	if_json(&j, "receiver", &run->rcv);
	if (run->trace_note[0])
		pd_json_str(&j, "drop_reasons", run->trace_note);
	else
		pd_json_str(&j, "drop_reasons", "kfree_skb");
	pd_json_str(&j, "settings_note", run->settings_note);
	pd_json_bool(&j, "interrupted", run->interrupted);
	pd_json_arr_begin(&j, "results");
	for (size_t k = 0; k < run->n; k++) {
		const struct pd_probe_result *r = &run->r[k];
		const struct pd_probe_case *c = &suite[r->case_index];
		char hex[8];

		pd_json_obj_begin(&j, 0);
		pd_json_str(&j, "case", c->name);
		pd_json_str(&j, "setting", r->setting);
		pd_json_str(&j, "expect", pd_probe_expect_name(c->expect));
		pd_json_str(&j, "why", c->why);
		pd_json_str(&j, "fault", c->fault);
		pd_json_str(&j, "verdict", r->verdict);
		if (r->skipped) {
			pd_json_str(&j, "skip_reason", r->skip_why);
			pd_json_obj_end(&j);
			continue;
		}
		pd_json_u64(&j, "probe_id", r->probe_id);
		pd_json_u64(&j, "sport", r->sport);
		pd_json_u64(&j, "sent", r->sent);
		pd_json_str(&j, "send_error", r->send_err);
		pd_json_u64(&j, "on_wire", r->on_wire);
		pd_json_arr_begin(&j, "wire_lengths");
		for (unsigned w = 0; w < r->n_wire_len; w++)
			pd_json_u64(&j, 0, r->wire_len[w]);
		pd_json_arr_end(&j);
		pd_json_bool(&j, "delivered", r->delivered);
		pd_json_str(&j, "counters", r->counters);
		pd_json_str(&j, "drop_reason", r->reason);
		snprintf(hex, sizeof(hex), "0x%04x", r->csum_sent);
		pd_json_str(&j, "csum_sent", hex);
		pd_json_bool(&j, "rx_csum_valid", (r->rx_status & PD_EPB_CSUM_VALID) != 0);
		pd_json_bool(&j, "rx_csum_not_ready", (r->rx_status & PD_EPB_CSUM_NOT_READY) != 0);
		pd_json_str(&j, "note", r->note);
		pd_json_obj_end(&j);
	}
	pd_json_arr_end(&j);
	pd_json_arr_begin(&j, "findings");
	for (size_t k = 0; k < run->findings.n; k++)
		pd_report_json_finding(&j, &run->findings.v[k], PD_FINDING_MAX_FRAMES);
	pd_json_arr_end(&j);
	count_verdicts(run, &ok, &fault, &note, &skip);
	pd_json_obj_begin(&j, "summary");
	pd_json_u64(&j, "results", run->n);
	pd_json_u64(&j, "ok", ok);
	pd_json_u64(&j, "fault", fault);
	pd_json_u64(&j, "note", note);
	pd_json_u64(&j, "skipped", skip);
	pd_json_obj_end(&j);
	pd_json_obj_end(&j);
	fputc('\n', out);
	return ferror(out) ? -PD_EWRITE : 0;
}

/* JUnit with <skipped/>, which src/reporters/junit.c (written for
 * `check`, where nothing is skipped) does not have; its escaping is
 * reused. */
int pd_probe_report_junit(FILE *out, const struct pd_probe_run *run)
{
	size_t n, ok, fault, note, skip;
	const struct pd_probe_case *suite = pd_probe_suite(&n);

	count_verdicts(run, &ok, &fault, &note, &skip);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite "
		"name=\"pktdoctor.probe\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\">\n", run->n, fault, skip);
	for (size_t k = 0; k < run->n; k++) {
		const struct pd_probe_result *r = &run->r[k];
		const struct pd_probe_case *c = &suite[r->case_index];
		char name[160];

		snprintf(name, sizeof(name), "%s [%s]", c->name, r->setting);
		fputs("    <testcase classname=\"pktdoctor.probe\" name=\"", out);
		pd_xml_escape(out, name);
		fputs("\"", out);
		if (r->skipped) {
			fputs(">\n      <skipped message=\"", out);
			pd_xml_escape(out, r->skip_why);
			fputs("\"/>\n    </testcase>\n", out);
		} else if (!strcmp(r->verdict, "FAULT")) {
			char msg[400];

			snprintf(msg, sizeof(msg), "expected %s; sent %u, on wire %u, delivered %s; "
				 "counters: %s; drop reason: %s", pd_probe_expect_name(c->expect),
				 r->sent, r->on_wire, r->delivered ? "yes" : "no",
				 r->counters[0] ? r->counters : "none", r->reason[0] ? r->reason : "-");
			fputs(">\n      <failure message=\"", out);
			pd_xml_escape(out, msg);
			fputs("\" type=\"offload\">", out);
			pd_xml_escape(out, c->fault);
			fputs("</failure>\n    </testcase>\n", out);
		} else {
			fputs("/>\n", out);
		}
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? -PD_EWRITE : 0;
}
