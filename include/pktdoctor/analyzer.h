/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * analyzer.h - the analyzer interface: an ops table (libpcap's
 * pcap-int.h backends are the model).  Analyzers see dissected packets
 * and their flow after the engine's own stages (duplicate marking, the
 * flow table, the TCP stream layer), keep their own bounded state and
 * emit typed findings as soon as the verdict is known (pd_analysis_emit(),
 * updated under their key as evidence grows), summaries when a flow ends
 * or at finish.  They never print.  Adding one is a file plus a row in
 * pd_analyzers[] (src/core/analyze.c).
 */
#ifndef PKTDOCTOR_ANALYZER_H
#define PKTDOCTOR_ANALYZER_H

#include "pktdoctor/analyze.h"

struct pd_analyzer_ops {
	const char *name;
	/** init() - allocate state.  Return 0 or -PD_ENOMEM. */
	int (*init)(struct pd_analysis *a, void **state);
	/** on_packet() - one analysed packet; @f is NULL when it has no flow,
	 * @dir is 0 (from endpoint A) or 1. */
	void (*on_packet)(void *state, struct pd_analysis *a, const struct pd_packet *p,
			  struct pd_flow *f, int dir);
	/** on_flow_end() - a flow leaves the table (expiry or end of file). */
	void (*on_flow_end)(void *state, struct pd_analysis *a, const struct pd_flow *f);
	/** on_tick() - capture time advanced (called about once a second of capture time). */
	void (*on_tick)(void *state, struct pd_analysis *a, int64_t now_ns);
	/** finish() - the input ended: emit the findings still held and
	 * publish what others may join (struct pd_analysis members, the bus).
	 * Return 0 or -PD_ENOMEM.  May be NULL. */
	int (*finish)(void *state, struct pd_analysis *a);
	/** summarize() - called after every analyzer's finish(): join what
	 * the others published there (the boot summary does).  The order of
	 * pd_analyzers[] never matters.  Return 0 or -PD_ENOMEM.  May be NULL. */
	int (*summarize)(void *state, struct pd_analysis *a);
	/** destroy() - free state (may be called after a failed init). */
	void (*destroy)(void *state);
};

extern const struct pd_analyzer_ops pd_analyzer_capture;
extern const struct pd_analyzer_ops pd_analyzer_checksum;
extern const struct pd_analyzer_ops pd_analyzer_malformed;
extern const struct pd_analyzer_ops pd_analyzer_tcp;
extern const struct pd_analyzer_ops pd_analyzer_arp;
extern const struct pd_analyzer_ops pd_analyzer_dhcp;
extern const struct pd_analyzer_ops pd_analyzer_syslog;
extern const struct pd_analyzer_ops pd_analyzer_iscsi;
extern const struct pd_analyzer_ops pd_analyzer_boot;

#endif
