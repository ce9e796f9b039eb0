/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy.c - libFuzzer entry point for `check --policy` files: the
 * input is the policy text.  A policy that loads is applied to a fixed
 * list of findings with numeric, string and boolean evidence.
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
	struct pd_policy pol = {0, 0, 0};
	struct pd_findings f = {0, 0, 0};
	FILE *fp;
	char err[600], out[4096];

	if (size == 0)
		return 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!fp)
		return 0;
	if (pd_policy_load_stream(&pol, fp, "fuzz", err, sizeof(err)) == 0 &&
	    fuzz_findings(&f) == 0) {
		pd_policy_check(&pol, &f, out, sizeof(out));
		pd_policy_check(&pol, &f, out, 16); /* a diff buffer that fills up */
	}
	pd_findings_free(&f);
	pd_policy_free(&pol);
	return 0;
}
