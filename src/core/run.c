/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.c - drive a source through the pipeline to its end: files are read
 * as fast as they go, live and paced sources are polled, and while no
 * frame arrives the pipeline is ticked by the wall clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "pktdoctor/pipeline.h"

#define POLL_MAX_MS 250 /* longest wait, so a stop request or a limit is seen promptly */
#define DRAIN_MAX_NS (500 * 1000000LL) /* after a live stop: frames still buffered */

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void progress(const struct pd_analysis *a, struct pd_source *src, int done)
{
	int64_t size = pd_source_size(src), pos = pd_source_position(src);

	if (done) {
		fprintf(stderr, "\r%-70s\r", "");
		return;
	}
	if (size > 0 && pos >= 0)
		fprintf(stderr, "\rpktdoctor: %s: %3d%% (%llu frames)", a->input,
			(int)(pos * 100 / size), (unsigned long long)a->stats.frames);
	else
		fprintf(stderr, "\rpktdoctor: %s: %llu frames", a->input,
			(unsigned long long)a->stats.frames);
}

/* Nothing to read yet: wait for the source's descriptor or its pacing
 * deadline, at most POLL_MAX_MS. */
static void wait_input(struct pd_source *src)
{
	int64_t wait = pd_source_wait_ns(src);
	int ms = POLL_MAX_MS;
	struct pollfd pfd;

	if (wait >= 0 && wait / 1000000 < ms)
		ms = (int)(wait / 1000000);
	pfd.fd = pd_source_fd(src);
	pfd.events = POLLIN;
	if (pfd.fd >= 0) {
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			usleep(1000);
	} else if (ms > 0) {
		usleep((useconds_t)ms * 1000);
	}
}

int pd_analyze_source(struct pd_source *src, struct pd_analysis *a, const struct pd_sink *sink,
		      const struct pd_run_opts *run)
{
	const struct pd_analysis_opts *opts = a->opts;
	struct pd_run_opts none = {0, 0};
	struct pd_pipeline *p = 0;
	struct pd_frame fr;
	int64_t start = clock_ns(CLOCK_MONOTONIC);
	int64_t stop_rt = 0, drain_end = 0; /* a live capture being stopped: when
					      * (realtime), and the end of taking
					      * what it holds (monotonic) */
	int rc, show_progress;

	if (!run)
		run = &none;
	rc = pd_pipeline_open(&p, a, sink);
	if (rc)
		return rc;
	show_progress = opts->progress && !a->live && isatty(2);
	for (;;) {
		bool stopped = opts->stop && *opts->stop;

		if (!drain_end &&
		    (stopped || (run->duration_ns &&
				 clock_ns(CLOCK_MONOTONIC) - start >= run->duration_ns))) {
			if (!a->live) {
				/* a file stops short on a signal */
				if (stopped) {
					a->stopped = true;
					a->stopped_at_frame = a->stats.frames;
				}
				rc = 0;
				break;
			}
			/* a live capture ends this way normally; what it captured
			 * before the stop may still be in the kernel's buffer (an
			 * AF_PACKET block is handed over when full or at its
			 * timeout): take that first */
			stop_rt = clock_ns(CLOCK_REALTIME);
			drain_end = clock_ns(CLOCK_MONOTONIC) + DRAIN_MAX_NS;
		}
		if (drain_end && clock_ns(CLOCK_MONOTONIC) >= drain_end)
			break;
		if (opts->last_frame && a->stats.frames >= opts->last_frame)
			break;
		rc = pd_source_next(src, &fr);
		if (rc == PD_SRC_END) {
			rc = 0;
			break;
		}
		if (rc == PD_SRC_AGAIN) {
			rc = 0;
			if (drain_end)
				break; /* the buffer is empty: next() waited */
			wait_input(src);
			if (a->live)
				pd_pipeline_tick(p, clock_ns(CLOCK_REALTIME));
			continue;
		}
		if (rc < 0) {
			int64_t off;
			const char *msg = pd_source_error(src, &off);

			a->input_error = rc;
			a->error_offset = off;
			if (a->live)
				snprintf(a->input_error_msg, sizeof(a->input_error_msg),
					 "%s: capture failed after frame %llu: %s", a->input,
					 (unsigned long long)a->stats.frames, msg);
			else
				snprintf(a->input_error_msg, sizeof(a->input_error_msg),
					 "%s: corrupt or truncated after frame %llu (byte offset "
					 "%lld): %s",
					 a->input, (unsigned long long)a->stats.frames, (long long)off,
					 msg);
			break;
		}
		if (drain_end && fr.ts_ns > stop_rt) {
			rc = 0;
			break; /* captured after the stop */
		}
		if (fr.kind != PD_FRAME_PACKET || a->stats.frames + 1 < opts->first_frame ||
		    !pd_source_match(src, &fr))
			pd_pipeline_skip(p);
		else
			pd_pipeline_feed(p, &fr);
		rc = 0; /* PD_SRC_FRAME is not a result: a limit below must not return it */
		if (show_progress && (a->stats.frames & 0xffff) == 0)
			progress(a, src, 0);
		if (run->max_packets && a->stats.packets >= run->max_packets)
			break;
	}
	if (show_progress)
		progress(a, src, 1);
	/* what the capture itself lost, for the report and capture.dropped */
	if (a->live)
		pd_source_stats(src, &a->source);
	{
		int frc = pd_pipeline_finish(p);

		if (frc && !rc)
			rc = frc;
	}
	pd_pipeline_close(p);
	return rc;
}

/* The rest of pd_analyze_file() and pd_analyze_stream(): @rc is what
 * opening @src returned. */
static int analyze_opened(struct pd_source *src, int rc, const char *name,
			  const struct pd_analysis_opts *opts, struct pd_analysis *a)
{
	if (rc) {
		a->input_error = rc;
		return rc;
	}
	pd_analysis_begin(a, opts, src, 0);
	snprintf(a->input_name, sizeof(a->input_name), "%s", name);
	if (opts->filter && opts->filter[0]) {
		rc = pd_source_compile_filter(src, opts->filter, a->input_error_msg,
					      sizeof(a->input_error_msg));
		if (rc)
			a->input_error = rc;
	}
	if (!rc)
		rc = pd_analyze_source(src, a, 0, 0);
	pd_source_close(src);
	return rc;
}

int pd_analyze_stream(FILE *fp, const char *name, const struct pd_analysis_opts *opts,
		      struct pd_analysis *a)
{
	struct pd_source *src = 0;
	int rc;

	pd_analysis_begin(a, opts, 0, name);
	rc = pd_source_open_stream(&src, fp, name, a->input_error_msg, sizeof(a->input_error_msg));
	return analyze_opened(src, rc, name, opts, a);
}

int pd_analyze_file(const char *path, const struct pd_analysis_opts *opts,
		    struct pd_analysis *a)
{
	struct pd_source *src = 0;
	int rc;

	pd_analysis_begin(a, opts, 0, path);
	rc = pd_source_open_file(&src, path, a->input_error_msg, sizeof(a->input_error_msg));
	return analyze_opened(src, rc, path, opts, a);
}
