/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h - reporters: they format a struct pd_analysis, never analyse.
 * Text for people; JSON (one document per input on one line, so several
 * inputs form JSON Lines; schema in docs/json-schema.md) for tools.
 */
#ifndef PKTDOCTOR_REPORT_H
#define PKTDOCTOR_REPORT_H

#include <stdio.h>

#include "pktdoctor/analyze.h"

/** Text report options. */
struct pd_report_opts {
	int min_severity;   /* hide findings below this (enum pd_severity) */
	int max_frames;     /* frames listed per finding (<= PD_FINDING_MAX_FRAMES) */
	bool show_stats;    /* print the statistics section */
	bool connections;   /* print/emit the per-connection table */
};

/**
 * pd_report_text() - human-readable report of one file.
 * Return: 0 or -PD_EWRITE when the stream reports an error.
 */
int pd_report_text(FILE *out, const struct pd_analysis *a, const struct pd_report_opts *o);

/**
 * pd_report_json() - one JSON document for one file, on one line.
 * Return: 0 or -PD_EWRITE.
 */
int pd_report_json(FILE *out, const struct pd_analysis *a, const struct pd_report_opts *o);

struct pd_json;

/**
 * pd_report_json_finding() - one finding as a JSON object, as the report's
 * "findings" array has it (docs/json-schema.md): id, severity, frames (at
 * most @max_frames of those kept), frames_total, folded, flow, message,
 * evidence, advice.  For other writers of findings (probe, event stream).
 */
void pd_report_json_finding(struct pd_json *j, const struct pd_finding *f, int max_frames);

/**
 * pd_format_ts() - "2026-11-22T03:14:02.123456789Z" for @ns since the epoch.
 * Return: @buf.
 */
char *pd_format_ts(int64_t ns, char *buf, size_t len);

#endif
