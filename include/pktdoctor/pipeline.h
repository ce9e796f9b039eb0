/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.h - the one analysis pipeline behind every use (offline
 * report, CI gate, live monitor, prober):
 *
 *   open -> feed(frame)... -> tick(now)... -> finish -> close
 *
 * feed() dissects a frame, follows its flow and runs the analyzers.
 * Findings go to a sink as soon as an analyzer knows its verdict; a
 * finding that later evidence changes (a storm's ladder growing) is sent
 * again as an update under the same key, and finish() closes them all.
 * The offline report is the sink that collects them (struct pd_analysis
 * keeps the list); the monitor's screen and event stream are others
 * (Suricata's output modules, which log as events happen, are the model).
 *
 * tick() moves time on while no packet arrives: offline it is driven by
 * capture time from feed(), live by the wall clock, so flows expire and
 * timeouts fire on an idle link.
 */
#ifndef PKTDOCTOR_PIPELINE_H
#define PKTDOCTOR_PIPELINE_H

#include <signal.h>

#include "pktdoctor/analyze.h"
#include "pktdoctor/source.h"

/** What happened to a finding, as a sink sees it. */
enum pd_finding_event {
	PD_FINDING_OPEN = 0,   /* first emitted */
	PD_FINDING_UPDATE = 1, /* later evidence changed it (same key) */
	PD_FINDING_CLOSE = 2,  /* final form, at finish() */
};

/** pd_finding_event_name() - "open", "update" or "close". */
const char *pd_finding_event_name(int ev);

/** Where findings and packets go as they happen.  Every member may be NULL. */
struct pd_sink {
	/** on_finding() - @f is valid during the call only; @f->key is
	 * stable across its open, updates and close. */
	void (*on_finding)(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
			   int event);
	/** on_packet() - every analysed packet, after the analyzers. */
	void (*on_packet)(void *arg, const struct pd_analysis *a, const struct pd_packet *p);
	void *arg;
};

struct pd_pipeline;

/**
 * pd_analysis_begin() - prepare @a for a pipeline: zero it and record
 * the options and the input's name and format.
 * @a: the result to fill.
 * @opts: options; must outlive @a's use.
 * @src: the source the frames come from (for its name, format, link
 *       type and snaplen), or NULL when the caller feeds frames itself.
 * @name: input name for reports when @src is NULL (copied pointer).
 */
void pd_analysis_begin(struct pd_analysis *a, const struct pd_analysis_opts *opts,
		       const struct pd_source *src, const char *name);

/**
 * pd_pipeline_open() - start analysing into @a.
 * @out: set to the new pipeline.
 * @a: result from pd_analysis_begin(); findings and statistics land here.
 * @sink: copied; NULL for none (the findings are still collected in @a).
 * Return: 0 or -PD_ENOMEM (@a->input_error is not touched).
 */
int pd_pipeline_open(struct pd_pipeline **out, struct pd_analysis *a, const struct pd_sink *sink);

/**
 * pd_pipeline_feed() - analyse the next frame.  It gets the next frame
 * number (1-based, tshark's), as pd_pipeline_skip() does.
 * @f: the frame; f->linktype selects the link-layer dissector.
 * Return: the frame number given to it.
 */
uint64_t pd_pipeline_feed(struct pd_pipeline *p, const struct pd_frame *f);

/**
 * pd_pipeline_skip() - count a record that is not analysed (filtered
 * out, outside --frames, or no packet), so frame numbers stay tshark's.
 * Return: the frame number it had.
 */
uint64_t pd_pipeline_skip(struct pd_pipeline *p);

/**
 * pd_pipeline_tick() - time has moved to @now_ns (ns since the epoch)
 * with no packet: expire idle flows and fire timeouts.  Times earlier
 * than the last packet or tick are ignored.
 */
void pd_pipeline_tick(struct pd_pipeline *p, int64_t now_ns);

/**
 * pd_pipeline_finish() - end the analysis: flows are drained, analyzers
 * give their final verdicts, findings are ordered and closed.
 * Return: 0 or the first analyzer error (-PD_ENOMEM).
 */
int pd_pipeline_finish(struct pd_pipeline *p);

/** pd_pipeline_close() - free the pipeline (not @a); finishes it first
 * if that was not done. */
void pd_pipeline_close(struct pd_pipeline *p);

/** How a live source is run to its end (a stop request is
 * struct pd_analysis_opts.stop, for every source). */
struct pd_run_opts {
	uint64_t max_packets;          /* stop after this many analysed packets; 0 = no limit */
	int64_t duration_ns;           /* stop after this long (wall clock); 0 = no limit */
};

/**
 * pd_analyze_source() - run a source through a pipeline to its end (or
 * to @run's limits) and finish.  Live and paced sources are polled;
 * while no frame arrives the pipeline is ticked by the wall clock.  The
 * source stays open (the caller closes it).
 * @src: an open source; its filter, if any, is already compiled.
 * @a: from pd_analysis_begin().
 * @sink: may be NULL.
 * @run: may be NULL (read everything).
 * Return: 0 when the input ended, a limit was reached, or a stop request
 * (@a->opts->stop) came: on a file what was read is analysed and
 * @a->stopped and @a->stopped_at_frame are set, on a live source it is
 * the normal end; -PD_EFORMAT / -PD_EIO after a read error (what was
 * read is analysed, @a->input_error is set); -PD_ENOMEM.
 */
int pd_analyze_source(struct pd_source *src, struct pd_analysis *a, const struct pd_sink *sink,
		      const struct pd_run_opts *run);

#endif
