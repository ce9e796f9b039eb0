/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * malformed.c - packet.malformed: frames with a header that contradicts
 * the data (not a snaplen cut), grouped by the first such event: those
 * that stopped dissection, and bad IPv4/TCP options, after which
 * decoding went on.  Each group's finding is emitted at its first frame
 * and updated by the next ones.
 */
#include <stdlib.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/error.h"

struct malformed_state {
	struct pd_finding by_event[PD_EV__COUNT]; /* the evidence so far */
	uint64_t key[PD_EV__COUNT];               /* each one's key, once emitted */
};

static int mal_init(struct pd_analysis *a, void **state)
{
	struct malformed_state *s = calloc(1, sizeof(*s));

	(void)a;
	if (!s)
		return -PD_ENOMEM;
	*state = s;
	return 0;
}

/* Emit (or update) the finding of event @c as its evidence stands. */
static int mal_emit(struct malformed_state *s, struct pd_analysis *a, int c)
{
	struct pd_finding x = s->by_event[c];

	pd_finding_message(&x, "%llu frame%s malformed: %s (first at frame %llu, byte %llu)",
			   (unsigned long long)x.frames_total, x.frames_total == 1 ? " is" : "s are",
			   pd_event_name(c), (unsigned long long)x.frames[0],
			   (unsigned long long)x.evidence[1].v.u);
	pd_finding_ev_u64(&x, "count", x.frames_total);
	pd_finding_advice(&x, "Headers that contradict their own lengths come from a "
			      "broken sender, a corrupting path or a capture tool bug; "
			      "open the first frame in Wireshark to see the bytes.");
	return pd_analysis_emit(a, &x, &s->key[c]);
}

static void mal_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		       struct pd_flow *f, int dir)
{
	struct malformed_state *s = state;
	struct pd_finding *m;
	int code = PD_EV_NONE;

	(void)f;
	(void)dir;
	/* the first event that is neither an anomaly nor explained by a
	 * snaplen cut; option errors count though decoding went on */
	for (unsigned i = 0; i < p->n_events; i++) {
		int c = p->events[i].code;

		if (!pd_event_is_anomaly(c) && !(p->snaplen_cut && pd_event_is_truncation(c))) {
			code = c;
			break;
		}
	}
	if (code == PD_EV_NONE)
		return;
	m = &s->by_event[code];
	if (m->frames_total == 0) {
		char flow[160];

		pd_finding_init(m, "packet.malformed", PD_SEV_WARNING);
		pd_packet_flow_format(p, flow, sizeof(flow));
		pd_finding_ev_str(m, "reason", "%s", pd_event_name(code));
		pd_finding_ev_u64(m, "first_offset", 0);
		pd_finding_ev_str(m, "first_flow", "%s", flow);
		for (unsigned i = 0; i < p->n_events; i++)
			if (p->events[i].code == code)
				m->evidence[1].v.u = p->events[i].offset;
	}
	pd_finding_add_frame(m, p->frame);
	mal_emit(s, a, code);
}

static int mal_finish(void *state, struct pd_analysis *a)
{
	struct malformed_state *s = state;

	/* emitted as they came; again only if an update failed */
	for (int c = 0; c < PD_EV__COUNT; c++) {
		int rc;

		if (!s->by_event[c].frames_total)
			continue;
		rc = mal_emit(s, a, c);
		if (rc)
			return rc;
	}
	return 0;
}

static void mal_destroy(void *state)
{
	free(state);
}

const struct pd_analyzer_ops pd_analyzer_malformed = {
	.name = "malformed",
	.init = mal_init,
	.on_packet = mal_packet,
	.finish = mal_finish,
	.destroy = mal_destroy,
};
