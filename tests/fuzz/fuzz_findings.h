/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_findings.h - a fixed list of findings for the policy and
 * expected-findings harnesses to compare against: the ids of the bundled
 * captures' baselines, with each evidence type.
 */
#ifndef PKTDOCTOR_FUZZ_FINDINGS_H
#define PKTDOCTOR_FUZZ_FINDINGS_H

#include "pktdoctor/finding.h"

static inline int fuzz_findings(struct pd_findings *list)
{
	struct pd_finding f;
	int rc;

	pd_finding_init(&f, "checksum.bad", PD_SEV_ERROR);
	pd_finding_add_frame(&f, 9);
	pd_finding_flow(&f, "ICMP 10.77.0.1 -> 10.77.0.2");
	pd_finding_ev_hex16(&f, "should", 0x1234);
	pd_finding_ev_str(&f, "layer", "ICMP");
	if ((rc = pd_findings_push(list, &f)))
		return rc;
	pd_finding_init(&f, "checksum.offload_partial", PD_SEV_INFO);
	for (uint64_t k = 1; k <= 40; k += 3)
		pd_finding_add_frame(&f, k);
	pd_finding_flow(&f, "host 10.77.0.1");
	pd_finding_ev_u64(&f, "frames", 14);
	pd_finding_ev_bool(&f, "form_linux", true);
	if ((rc = pd_findings_push(list, &f)))
		return rc;
	pd_finding_init(&f, "boot.handover_gap", PD_SEV_INFO);
	pd_finding_ev_double(&f, "gap_s", 4.5);
	pd_finding_ev_i64(&f, "delta", -3);
	pd_finding_ev_str(&f, "n", "12");
	return pd_findings_push(list, &f);
}

#endif
