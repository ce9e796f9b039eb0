/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_file.c - libFuzzer entry point for the file-reader path: the input
 * is a whole pcap/pcapng file, read from memory through fmemopen() and
 * libpcap's pcap_fopen_offline, then the full analysis (dissectors, flow
 * table, every analyzer) and both reporters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/analyze.h"
#include "pktdoctor/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_analysis_opts o;
	struct pd_analysis a;
	FILE *fp, *out;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (!fp)
		return 0;
	memset(&o, 0, sizeof(o));
	o.max_flows = 64;  /* small tables exercise expiry and overflow */
	o.max_hosts = 16;
	o.connections = true;
	pd_analyze_stream(fp, "fuzz", &o, &a);
	out = fopen("/dev/null", "w");
	if (out) {
		struct pd_report_opts ro = {0, 0, true, true};

		pd_report_json(out, &a, &ro);
		pd_report_text(out, &a, &ro);
		fclose(out);
	}
	pd_analysis_free(&a);
	return 0;
}
