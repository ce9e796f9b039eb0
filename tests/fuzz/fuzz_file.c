/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_file.c - libFuzzer entry point for the file-reader path: the input
 * is a whole pcap/pcapng file, read from memory through fmemopen() by the
 * source layer (libpcap for pcap, pktdoctor's reader for pcapng), then the
 * pipeline (dissectors, flow table, every analyzer) with the --timeline
 * printer (text and JSON) as a per-packet sink, and both reporters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/analyze.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/report.h"
#include "pktdoctor/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Both timelines on every packet. */
static void both_timelines(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	struct pd_timeline *t = arg;

	pd_timeline_packet(&t[0], a, p);
	pd_timeline_packet(&t[1], a, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_timeline tl[2];
	char err[600];
	struct pd_analysis_opts o;
	struct pd_analysis a;
	struct pd_source *src = 0;
	struct pd_sink sink = {0, 0, 0};
	FILE *fp, *out;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (!fp)
		return 0;
	out = fopen("/dev/null", "w");
	memset(&o, 0, sizeof(o));
	o.max_flows = 64;  /* small tables exercise expiry and overflow */
	o.max_hosts = 16;
	o.connections = true;
	if (out) {
		pd_timeline_init(&tl[0], out, false, 0, err, sizeof(err));
		pd_timeline_init(&tl[1], out, true, 0, err, sizeof(err));
		sink.on_packet = both_timelines;
		sink.arg = tl;
	}
	pd_analysis_begin(&a, &o, 0, "fuzz");
	if (pd_source_open_stream(&src, fp, "fuzz", a.input_error_msg,
				  sizeof(a.input_error_msg)) == 0) {
		pd_analysis_begin(&a, &o, src, 0);
		pd_analyze_source(src, &a, &sink, 0);
		pd_source_close(src);
	}
	if (out) {
		pd_timeline_finish(&tl[0], err, sizeof(err));
		pd_timeline_finish(&tl[1], err, sizeof(err));
		struct pd_report_opts ro = {0, 0, true, true};

		pd_report_json(out, &a, &ro);
		pd_report_text(out, &a, &ro);
		fclose(out);
	}
	pd_analysis_free(&a);
	return 0;
}
