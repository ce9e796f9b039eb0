/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_syslog.c - libFuzzer entry point for the --syslog-file reader: the
 * input is the syslog text file.  It is checked and merged into a text
 * and a JSON timeline of a few packets (the capture's year decides RFC
 * 3164 stamps), and each line's timestamp is parsed again in a leap and
 * a common year and at the ends of the range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_timeline(const uint8_t *data, size_t size, FILE *out, bool json)
{
	static const int64_t stamps[] = {
		1795317242LL * 1000000000LL,        /* 2026-11-22T03:14:02Z */
		1795317242LL * 1000000000LL + 1,
		1795317302LL * 1000000000LL,        /* a minute later */
		1709164800LL * 1000000000LL,        /* backwards: 2024-02-29 */
	};
	struct pd_timeline t;
	struct pd_packet p;
	FILE *sf = fmemopen((void *)(uintptr_t)data, size, "r");
	char err[600];

	if (!sf)
		return;
	if (pd_timeline_init_stream(&t, out, json, sf, "fuzz", err, sizeof(err)) != 0)
		return;
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		p.frame = i + 1;
		p.ts_ns = stamps[i];
		p.wirelen = p.caplen = 60;
		pd_timeline_packet(&t, 0, &p);
	}
	pd_timeline_finish(&t, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *out;
	char line[512], why[160];
	size_t n;
	int64_t ns;

	if (size == 0)
		return 0;
	out = fopen("/dev/null", "w");
	if (!out)
		return 0;
	run_timeline(data, size, out, false);
	run_timeline(data, size, out, true);
	fclose(out);

	/* the first line alone, in years that change Feb 29 and the range */
	n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = 0;
	pd_timeline_parse_ts(line, 2024, &ns, why, sizeof(why));
	pd_timeline_parse_ts(line, 2026, &ns, why, sizeof(why));
	pd_timeline_parse_ts(line, 1970, &ns, why, sizeof(why));
	pd_timeline_parse_ts(line, 2262, &ns, why, sizeof(why));
	return 0;
}
