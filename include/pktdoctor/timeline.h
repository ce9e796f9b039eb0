/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timeline.h - the --timeline reporter: one line per packet, syslog
 * messages inline, an external syslog file merged by time.
 */
#ifndef PKTDOCTOR_TIMELINE_H
#define PKTDOCTOR_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktdoctor/analyze.h"

struct pd_timeline {
	FILE *out;
	bool json;               /* JSON Lines instead of text */
	bool have_t0;
	int64_t t0;              /* first packet, ns since the epoch */
	int year;                /* the capture's year, for RFC 3164 stamps */
	FILE *sf;                /* --syslog-file, or NULL */
	const char *syslog_path;
	char line[1024];         /* the file's next line */
	bool have_line;
	int64_t line_ns, last_line_ns;
};

/**
 * pd_timeline_init() - set up a timeline.
 * @syslog_path: an external syslog text file to merge, or NULL.
 * Return: 0 or -PD_EOPEN with @err naming the file.
 */
int pd_timeline_init(struct pd_timeline *t, FILE *out, bool json, const char *syslog_path,
		     char *err, size_t errlen);

/** pd_timeline_packet() - the analysis packet hook (arg = struct pd_timeline *). */
void pd_timeline_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p);

/** pd_timeline_finish() - print what is left of the syslog file; close it. */
void pd_timeline_finish(struct pd_timeline *t);

#endif
