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
#include "pktdoctor/textfile.h"

struct pd_timeline {
	FILE *out;
	bool json;               /* JSON Lines instead of text */
	bool have_t0;
	int64_t t0;              /* first packet, ns since the epoch */
	int year;                /* the capture's year, for RFC 3164 stamps */
	struct pd_textfile sf;   /* --syslog-file (sf.fp NULL for none) */
	const char *syslog_path;
	char line[8192];         /* the file's next line (RFC 5424 6.1: 2048 at least) */
	bool have_line;
	int64_t line_ns, last_line_ns;
	char err[512];           /* a syslog line found bad while merging */
};

/**
 * pd_timeline_init() - set up a timeline.
 * @syslog_path: an external syslog text file to merge, or NULL.  It is
 * read once here and every line checked: a line over 8191 bytes, a NUL
 * byte, or a timestamp that is invalid (month 13, hour 25, Feb 30) or
 * outside 1970-01-01 .. 2262-04-11 (what int64 nanoseconds hold) is an
 * error naming FILE:LINE and the field.
 * Return: 0, -PD_EOPEN (missing, unreadable, a directory), -PD_EFORMAT
 * (a bad line) or -PD_EIO, with @err saying why.
 */
int pd_timeline_init(struct pd_timeline *t, FILE *out, bool json, const char *syslog_path,
		     char *err, size_t errlen);

/**
 * pd_timeline_init_stream() - as pd_timeline_init(), the syslog file
 * being the open stream @sf (closed by pd_timeline_finish()); @name is
 * used in messages.
 */
int pd_timeline_init_stream(struct pd_timeline *t, FILE *out, bool json, FILE *sf,
			    const char *name, char *err, size_t errlen);

/**
 * pd_timeline_parse_ts() - the timestamp at the start of a syslog line:
 * RFC 3339 "YYYY-MM-DDThh:mm:ss[.frac][Z|+hh:mm]" (a space for the T and
 * no offset, meaning UTC, are accepted) after an optional RFC 5424
 * "<PRI>1 ", or RFC 3164 "Mmm dd hh:mm:ss" in @year.
 * @ns: nanoseconds since the epoch.
 * @why: the reason when the stamp is invalid.
 * Return: 1 with @ns, 0 when the line has no timestamp, -1 when it is invalid.
 */
int pd_timeline_parse_ts(const char *s, int year, int64_t *ns, char *why, size_t whylen);

/** pd_timeline_packet() - the analysis packet hook (arg = struct pd_timeline *). */
void pd_timeline_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p);

/**
 * pd_timeline_finish() - print what is left of the syslog file, close it,
 * and flush the output.
 * Return: 0; -PD_EFORMAT when a syslog line was found bad while merging
 * (an RFC 3164 Feb 29 in a capture year that has none); -PD_EWRITE when
 * the output could not be written.  @err says which.
 */
int pd_timeline_finish(struct pd_timeline *t, char *err, size_t errlen);

#endif
