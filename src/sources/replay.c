/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - pace another source by its timestamps (`--speed X`,
 * `--topspeed`).  Each frame is due at start + (ts - ts_first) / speed
 * on the monotonic clock: the schedule is absolute, so no drift builds
 * up however long the replay runs (tcpreplay's lesson).  A frame read
 * early is held and handed out when it is due; until then next() says
 * PD_SRC_AGAIN and wait_ns() says how long to wait.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "pktdoctor/error.h"

struct replay {
	struct pd_source *inner;
	double speed;
	bool topspeed;
	bool started;
	int64_t start_mono;   /* monotonic time of the first frame */
	int64_t first_ts;     /* its capture timestamp */
	bool held;            /* frame read but not yet due */
	struct pd_frame f;
	int64_t due;          /* monotonic ns when f is due */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int replay_next(struct pd_source *s, struct pd_frame *f)
{
	struct replay *r = s->priv;
	int rc;

	if (!r->held) {
		rc = pd_source_next(r->inner, &r->f);
		if (rc != PD_SRC_FRAME) {
			snprintf(s->err, sizeof(s->err), "%s", pd_source_error(r->inner, &s->last_good));
			return rc;
		}
		if (r->topspeed) {
			*f = r->f;
			return PD_SRC_FRAME;
		}
		if (!r->started) {
			r->started = true;
			r->start_mono = mono_ns();
			r->first_ts = r->f.ts_ns;
		}
		{
			/* a timestamp earlier than the first is due at once */
			int64_t off = r->f.ts_ns > r->first_ts ? r->f.ts_ns - r->first_ts : 0;

			r->due = r->start_mono + (int64_t)((double)off / r->speed);
		}
		r->held = true;
	}
	if (mono_ns() < r->due)
		return PD_SRC_AGAIN;
	r->held = false;
	*f = r->f;
	return PD_SRC_FRAME;
}

static int64_t replay_wait(const struct pd_source *s)
{
	const struct replay *r = s->priv;
	int64_t now;

	if (!r->held)
		return 0;
	now = mono_ns();
	return r->due > now ? r->due - now : 0;
}

static void replay_stats(struct pd_source *s, struct pd_source_stats *out)
{
	struct replay *r = s->priv;

	pd_source_stats(r->inner, out);
	out->received = s->received;
}

static int64_t replay_position(const struct pd_source *s)
{
	const struct replay *r = s->priv;

	return pd_source_position(r->inner);
}

static void replay_close(struct pd_source *s)
{
	struct replay *r = s->priv;

	if (!r)
		return;
	pd_source_close(r->inner);
	free(r);
	s->priv = 0;
}

static const struct pd_source_ops replay_ops = {
	.name = "replay",
	.next = replay_next,
	.wait_ns = replay_wait,
	.stats = replay_stats,
	.position = replay_position,
	.close = replay_close,
};

int pd_source_replay(struct pd_source **out, struct pd_source *inner, double speed,
		     bool topspeed)
{
	struct pd_source *s = pd_source_alloc(&replay_ops, pd_source_name(inner));
	struct replay *r = calloc(1, sizeof(*r));

	*out = 0;
	if (!s || !r) {
		free(s);
		free(r);
		pd_source_close(inner);
		return -PD_ENOMEM;
	}
	r->inner = inner;
	r->speed = speed > 0 ? speed : 1.0;
	r->topspeed = topspeed;
	s->priv = r;
	s->linktype = inner->linktype;
	s->snaplen = inner->snaplen;
	s->size = inner->size;
	snprintf(s->format, sizeof(s->format), "%s", inner->format);
	*out = s;
	return 0;
}
