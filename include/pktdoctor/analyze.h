/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * analyze.h - the offline analysis of one capture file:
 * source -> frame -> dissect -> packet -> flow -> analyzers -> findings.
 *
 * The result (struct pd_analysis) holds statistics and findings and is
 * what the reporters format.  Memory grows with live flows and hosts,
 * never with the number of packets.
 */
#ifndef PKTDOCTOR_ANALYZE_H
#define PKTDOCTOR_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktdoctor/checksum.h"
#include "pktdoctor/finding.h"
#include "pktdoctor/flow.h"
#include "pktdoctor/packet.h"

#define PD_VERSION "0.1.0"

/* Protocol counters in pd_stats.proto[]. */
enum pd_stat_proto {
	PD_SP_ETH, PD_SP_VLAN, PD_SP_SLL, PD_SP_LOOP, PD_SP_ARP, PD_SP_IPV4,
	PD_SP_IPV6, PD_SP_FRAG, PD_SP_ICMP, PD_SP_ICMPV6, PD_SP_TCP, PD_SP_UDP,
	PD_SP_OTHER, PD_SP__COUNT
};

/* Checksummed layers in pd_stats.csum[][]. */
enum pd_csum_layer {
	PD_CL_IPV4, PD_CL_TCP, PD_CL_UDP, PD_CL_ICMP, PD_CL_ICMPV6, PD_CL__COUNT
};

const char *pd_stat_proto_name(int i);
const char *pd_csum_layer_name(int i);

/** Whole-file counters. */
struct pd_stats {
	uint64_t frames;          /* frames read (the last frame number) */
	uint64_t packets;         /* frames analysed (matching the filter) */
	uint64_t bytes;           /* wire bytes of analysed frames */
	uint64_t captured_bytes;  /* captured bytes of analysed frames */
	int64_t first_ns, last_ns;/* first/last timestamp, ns since the epoch */
	uint64_t proto[PD_SP__COUNT];
	uint64_t csum[PD_CL__COUNT][PD_CSUM__COUNT];
	uint64_t malformed;       /* frames whose dissection stopped on a bad header */
	uint64_t snaplen_cut;     /* frames with caplen < wire length */
	uint64_t unsupported_link;/* frames of a link type with no dissector */
	uint64_t epb_flags;       /* frames that carried a pcapng epb_flags word */
	uint64_t ts_backwards;    /* frames stamped earlier than the one before */
	struct pd_flow_stats flows;
};

/** Options for an analysis. */
struct pd_analysis_opts {
	const char *filter;       /* BPF expression, or NULL */
	size_t max_flows;         /* 0 = default */
	size_t max_hosts;         /* 0 = default (65536) */
	bool progress;            /* print progress to stderr on long files */
};

struct pd_analyzer_ops;

#define PD_MAX_ANALYZERS 8

/** The result of analysing one file. */
struct pd_analysis {
	const struct pd_analysis_opts *opts;
	const char *input;        /* file name as given */
	char format[8];           /* "pcap" or "pcapng" */
	int linktype;
	char linktype_name[32];
	int snaplen;
	struct pd_stats stats;
	struct pd_findings findings;
	struct pd_flow_table *flows;
	void *state[PD_MAX_ANALYZERS];
	/* input error, if any: the file could not be opened or is corrupt */
	int input_error;          /* 0 or -PD_E... */
	char input_error_msg[512];
	int64_t error_offset;     /* byte offset of the last good record, -1 unknown */
};

/** The analyzers run on every file, in order. */
extern const struct pd_analyzer_ops *const pd_analyzers[];

/**
 * pd_analyze_file() - analyse one capture file.
 * @path: file name ("-" = standard input).
 * @opts: options.
 * @a: result; always initialised, to be freed with pd_analysis_free().
 *
 * Return: 0 when the whole file was read; -PD_EOPEN, -PD_EFORMAT,
 * -PD_EFILTER or -PD_ENOMEM otherwise.  After a read error mid-file,
 * the statistics and findings for every frame read before it are kept
 * and a capture.truncated_file finding is added.
 */
int pd_analyze_file(const char *path, const struct pd_analysis_opts *opts,
		    struct pd_analysis *a);

/**
 * pd_analyze_stream() - as pd_analyze_file(), from an open stream (for
 * example an fmemopen() buffer).  The stream is closed when done.
 * @name: used in messages and reports.
 */
int pd_analyze_stream(FILE *fp, const char *name, const struct pd_analysis_opts *opts,
		      struct pd_analysis *a);

/** pd_analysis_free() - free what pd_analyze_file() allocated. */
void pd_analysis_free(struct pd_analysis *a);

/**
 * pd_analysis_add() - add a finding to the analysis.
 * Return: 0 or -PD_ENOMEM.
 */
int pd_analysis_add(struct pd_analysis *a, const struct pd_finding *f);

#endif
