/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.h - what a source backend implements (private to src/sources/).
 *
 * A backend fills in struct pd_source's common fields at open and
 * provides an ops table; source.c dispatches to it and does what every
 * backend shares (filtering, statistics defaults).  A new backend is one
 * file plus one open function.
 */
#ifndef PKTDOCTOR_SOURCES_BACKEND_H
#define PKTDOCTOR_SOURCES_BACKEND_H

#include <pcap/pcap.h>

#include "pktdoctor/source.h"

struct pd_source_ops {
	const char *name;
	/** next() - as pd_source_next(). */
	int (*next)(struct pd_source *s, struct pd_frame *f);
	/** fd() - pollable descriptor or -1; NULL = -1. */
	int (*fd)(const struct pd_source *s);
	/** wait_ns() - as pd_source_wait_ns(); NULL = -1. */
	int64_t (*wait_ns)(const struct pd_source *s);
	/** stats() - fill counters; NULL = only "received". */
	void (*stats)(struct pd_source *s, struct pd_source_stats *out);
	/** position() - bytes consumed so far, or -1; NULL = -1. */
	int64_t (*position)(const struct pd_source *s);
	/** close() - free the backend's private state (not @s itself). */
	void (*close)(struct pd_source *s);
};

#define PD_SOURCE_MAX_FILTERS 16

/* One compiled filter program, for one link type. */
struct pd_source_filter {
	int linktype;
	bool ok;                  /* compiled; false = this link type matches nothing */
	struct bpf_program prog;
};

struct pd_source {
	const struct pd_source_ops *ops;
	void *priv;               /* the backend's state */
	char name[256];           /* file name or interface, as given */
	char format[12];          /* "pcap", "pcapng", "live", "afpacket" */
	int linktype;             /* first interface's link type */
	int snaplen;
	bool live;
	int64_t size;             /* file size, -1 if not a regular file */
	int64_t last_good;        /* offset just past the last good record, -1 unknown */
	uint64_t received;        /* frames delivered (source.c counts) */
	char *iobuf;              /* the file stream's stdio buffer, freed after close */
	char err[512];
	/* BPF, compiled once per link type that appears */
	char *filter_expr;
	struct pd_source_filter filters[PD_SOURCE_MAX_FILTERS];
	unsigned n_filters;
};

/**
 * pd_source_alloc() - a zeroed source with @ops, name and defaults set
 * (size -1, last_good -1).  Return: the source or NULL (no memory).
 */
struct pd_source *pd_source_alloc(const struct pd_source_ops *ops, const char *name);

/* Backend open functions (source.c picks one). */
int pd_source_open_pcap(struct pd_source **out, FILE *fp, const char *name, char *err,
			size_t errlen);
int pd_source_open_pcapng(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen);
int pd_source_open_live_pcap(struct pd_source **out, const struct pd_live_opts *o,
			     char *err, size_t errlen);
int pd_source_open_afpacket(struct pd_source **out, const struct pd_live_opts *o,
			    char *err, size_t errlen);

/**
 * pd_ts_to_ns() - seconds + nanoseconds to ns since the epoch, clamped to
 * [0, 2^62] ns (1970 to 2116), so that a corrupt 64-bit pcapng timestamp
 * cannot overflow here or in the differences the analyzers take.
 */
int64_t pd_ts_to_ns(int64_t sec, int64_t nsec);

#endif
