/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_expect.c - libFuzzer entry point for expected-findings files
 * (`check --expect-dir`): the input is the file.  A file that loads is
 * compared with a fixed list of findings in every match mode, and
 * written back out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pktdoctor/expect.h"
#include "fuzz_findings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_expect want = {0, 0, 0}, got = {0, 0, 0};
	struct pd_findings f = {0, 0, 0};
	FILE *fp;
	char err[600];
	static char diff[16384];

	if (size == 0)
		return 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!fp)
		return 0;
	if (pd_expect_load_stream(&want, fp, "fuzz", err, sizeof(err)) == 0 &&
	    fuzz_findings(&f) == 0 && pd_expect_from_findings(&got, &f, 4) == 0) {
		FILE *out = fopen("/dev/null", "w");

		for (int mode = PD_MATCH_EXACT; mode <= PD_MATCH_IDS; mode++) {
			pd_expect_diff(&want, &got, mode, diff, sizeof(diff));
			pd_expect_diff(&got, &want, mode, diff, 64);
		}
		if (out) {
			pd_expect_write(&want, out, "fuzz");
			fclose(out);
		}
	}
	pd_expect_free(&want);
	pd_expect_free(&got);
	pd_findings_free(&f);
	return 0;
}
