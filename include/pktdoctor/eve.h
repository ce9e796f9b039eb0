/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eve.h - the monitor's headless event stream: one JSON object per line,
 * flushed as it is written, shaped like Suricata's EVE JSON (timestamp,
 * host, event_type, in_iface, src_ip/src_port/dest_ip/dest_port/proto,
 * schema_version) so existing log shippers collect it unchanged.
 * Schema: docs/json-schema.md ("Event stream").  Outputs: standard
 * output, a file (reopened on request, for logrotate), a unix socket, or
 * syslog (RFC 5424).
 */
#ifndef PKTDOCTOR_EVE_H
#define PKTDOCTOR_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/analyze.h"
#include "pktdoctor/nic.h"
#include "pktdoctor/pipeline.h"

#define PD_EVE_SCHEMA_VERSION 1

enum pd_eve_output {
	PD_EVE_STDOUT = 0,
	PD_EVE_FILE,     /* appended; pd_eve_reopen() after logrotate moved it */
	PD_EVE_UNIX,     /* a unix stream socket (datagram if the peer is one) */
	PD_EVE_SYSLOG,   /* RFC 5424 datagrams to /dev/log or a given socket */
};

struct pd_eve_opts {
	int output;           /* enum pd_eve_output */
	const char *path;     /* file or socket path; NULL: /dev/log for syslog */
	const char *iface;    /* in_iface of every event ("-" for a replay: the file name) */
	int max_frames;       /* frame numbers per finding; 0 = PD_FINDING_MAX_FRAMES */
};

/** Rates and drops over the last interval, as the monitor measured them. */
struct pd_mon_stats {
	double interval_s;        /* length of the interval, seconds */
	double pps, bps;          /* packets/s and bits/s (wire bytes) over it */
	uint64_t packets, bytes;  /* analysed so far */
	uint64_t frames;          /* records read so far */
	bool capture_valid;       /* the source reports its drops */
	uint64_t capture_drops;   /* dropped by the capture (ring/buffer full) */
	bool nic_valid;           /* interface counters read (rtnetlink) */
	uint64_t rx_dropped, rx_missed_errors, rx_fifo_errors; /* since the start */
	size_t findings;          /* findings opened so far */
	size_t flows_live;        /* flows in the table */
	uint64_t flow_overflow;   /* flows not tracked: table full */
};

struct pd_eve;

/**
 * pd_eve_open() - open the output.
 * Return: 0, -PD_EOPEN (with @err saying which path and why), -PD_ENOMEM.
 */
int pd_eve_open(struct pd_eve **out, const struct pd_eve_opts *o, char *err, size_t errlen);

/** pd_eve_sink() - a sink that writes a "finding" event for every open,
 * update and close. */
void pd_eve_sink(struct pd_eve *e, struct pd_sink *s);

/** pd_eve_on_finding() - the sink callback (for sinks that fan out). */
void pd_eve_on_finding(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
		       int event);

/** pd_eve_on_packet() - the sink callback: a "syslog" event for each
 * syslog message (iPXE's debug output) as it is captured. */
void pd_eve_on_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p);

/** pd_eve_nic() - a "nic" event: the interface's state; @why is "start" or "change". */
void pd_eve_nic(struct pd_eve *e, const struct pd_nic_info *n, const char *why);

/** pd_eve_stats() - a "stats" event. */
void pd_eve_stats(struct pd_eve *e, const struct pd_mon_stats *st);

/** pd_eve_summary() - the last event: the whole session's report (the
 * document `analyze -F json` writes) under "report", and @st. */
void pd_eve_summary(struct pd_eve *e, const struct pd_analysis *a, const struct pd_mon_stats *st,
		    int exit_code);

/** pd_eve_reopen() - close and reopen a file output (SIGHUP); other outputs
 * reconnect.  Return: 0 or -PD_EOPEN. */
int pd_eve_reopen(struct pd_eve *e);

/** pd_eve_errors() - events that could not be written (a peer gone). */
uint64_t pd_eve_errors(const struct pd_eve *e);

/** pd_eve_broken() - the reader of the output pipe has gone (EPIPE):
 * nobody is listening, the monitor stops. */
bool pd_eve_broken(const struct pd_eve *e);

/** pd_eve_close() - flush and close (NULL is allowed). */
void pd_eve_close(struct pd_eve *e);

/**
 * pd_eve_parse_flow() - split a finding's flow text ("TCP a:p -> b:q",
 * "host a", IPv6 in brackets, " vlan N" appended) into EVE fields.
 * Missing parts are left "" / 0.
 */
void pd_eve_parse_flow(const char *flow, char *proto, size_t plen, char *src, size_t slen,
		       uint16_t *sport, char *dst, size_t dlen, uint16_t *dport);

#endif
