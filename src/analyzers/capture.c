/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capture.c - findings about the capture itself rather than the network:
 *   capture.truncated_file        the file ends or breaks mid-record;
 *   capture.snaplen_cut           frames cut by the snapshot length, so
 *                                 their checksums cannot be verified;
 *   capture.unsupported_linktype  frames of a link type with no dissector;
 *   capture.duplicate_frames      the same packet captured twice (tcpdump
 *                                 -i any on a router sees it on the way in
 *                                 and on the way out; a SPAN session that
 *                                 mirrors both ports of a path); the
 *                                 engine marks the copy (duplicate.h,
 *                                 struct pd_analysis.dup) before any
 *                                 analyzer sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/error.h"

struct capture_state {
	struct pd_finding cut;          /* frames with caplen < wirelen */
	uint64_t cut_unverifiable;      /* of those, checksums left unverifiable */
	uint32_t min_caplen;
	struct pd_finding unsupported;
	uint64_t last_frame;
	struct pd_finding dups;         /* the second copies */
	uint64_t dup_ttl_differs;       /* copies with another TTL: routed, seen twice */
	int64_t dup_max_gap_ns;
	uint64_t dup_first_original;
};

static int cap_init(struct pd_analysis *a, void **state)
{
	struct capture_state *s = calloc(1, sizeof(*s));

	(void)a;
	if (!s)
		return -PD_ENOMEM;
	pd_finding_init(&s->cut, "capture.snaplen_cut", PD_SEV_INFO);
	pd_finding_init(&s->unsupported, "capture.unsupported_linktype", PD_SEV_INFO);
	pd_finding_init(&s->dups, "capture.duplicate_frames", PD_SEV_INFO);
	s->min_caplen = UINT32_MAX;
	*state = s;
	return 0;
}

static int unverifiable(const struct pd_packet *p)
{
	return p->tcp.csum.verdict == PD_CSUM_UNVERIFIABLE ||
	       p->udp.csum.verdict == PD_CSUM_UNVERIFIABLE ||
	       p->icmp.csum.verdict == PD_CSUM_UNVERIFIABLE;
}

static void cap_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		       struct pd_flow *f, int dir)
{
	struct capture_state *s = state;

	(void)f;
	(void)dir;
	s->last_frame = p->frame;
	if (a->dup.of) { /* marked by the engine (duplicate.h) */
		pd_finding_add_frame(&s->dups, p->frame);
		if (!s->dup_first_original)
			s->dup_first_original = a->dup.of;
		s->dup_ttl_differs += a->dup.ttl_differs;
		if (a->dup.gap_ns > s->dup_max_gap_ns)
			s->dup_max_gap_ns = a->dup.gap_ns;
	}
	if (p->snaplen_cut) {
		pd_finding_add_frame(&s->cut, p->frame);
		if (unverifiable(p))
			s->cut_unverifiable++;
		if (p->caplen < s->min_caplen)
			s->min_caplen = p->caplen;
	}
	for (unsigned i = 0; i < p->n_events; i++)
		if (p->events[i].code == PD_EV_LINK_UNSUPPORTED)
			pd_finding_add_frame(&s->unsupported, p->frame);
}

static int cap_finish(void *state, struct pd_analysis *a)
{
	struct capture_state *s = state;
	int rc = 0;

	if (s->cut.frames_total) {
		pd_finding_message(&s->cut,
				   "%llu frames were cut by the snapshot length (snaplen %d); "
				   "%llu of them have TCP/UDP/ICMP checksums that cannot be verified",
				   (unsigned long long)s->cut.frames_total, a->snaplen,
				   (unsigned long long)s->cut_unverifiable);
		pd_finding_ev_u64(&s->cut, "frames", s->cut.frames_total);
		pd_finding_ev_u64(&s->cut, "checksums_unverifiable", s->cut_unverifiable);
		pd_finding_ev_i64(&s->cut, "snaplen", a->snaplen);
		pd_finding_ev_u64(&s->cut, "smallest_caplen", s->min_caplen);
		pd_finding_advice(&s->cut,
				  "Capture with a full snapshot length (tcpdump -s 0) to verify "
				  "checksums and see whole payloads.");
		rc = pd_analysis_add(a, &s->cut);
	}
	if (!rc && s->unsupported.frames_total) {
		pd_finding_message(&s->unsupported,
				   "%llu frames of link type %s (%d) were counted but not dissected",
				   (unsigned long long)s->unsupported.frames_total,
				   a->linktype_name, a->linktype);
		pd_finding_ev_i64(&s->unsupported, "linktype", a->linktype);
		pd_finding_ev_str(&s->unsupported, "linktype_name", "%s", a->linktype_name);
		pd_finding_advice(&s->unsupported,
				  "pktdoctor dissects EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, "
				  "IPV6, NULL and LOOP; capture on an Ethernet-like interface.");
		rc = pd_analysis_add(a, &s->unsupported);
	}
	if (!rc && s->dups.frames_total) {
		pd_finding_message(&s->dups,
				   "%llu frames are second copies of a packet captured just before "
				   "(same addresses, IP ID, transport header and payload, at most "
				   "%.0f us later; %llu with a lower TTL): the capture saw these "
				   "packets twice, so they are counted once and not as "
				   "retransmissions",
				   (unsigned long long)s->dups.frames_total,
				   (double)s->dup_max_gap_ns / 1e3,
				   (unsigned long long)s->dup_ttl_differs);
		pd_finding_ev_u64(&s->dups, "duplicates", s->dups.frames_total);
		pd_finding_ev_u64(&s->dups, "ttl_differs", s->dup_ttl_differs);
		pd_finding_ev_double(&s->dups, "max_gap_us", (double)s->dup_max_gap_ns / 1e3);
		pd_finding_ev_u64(&s->dups, "first_original_frame", s->dup_first_original);
		pd_finding_advice(&s->dups,
				  "A capture artifact, not the network: tcpdump -i any on a host "
				  "that forwards sees each packet on the way in and on the way out "
				  "(the copy has a TTL one lower), and a SPAN session that mirrors "
				  "both ports of a path sees it twice. Capture on one interface "
				  "(-i IFACE), or remove copies with editcap -D.");
		rc = pd_analysis_add(a, &s->dups);
	}
	if (!rc && a->stats.flows.overflow) {
		struct pd_finding f;

		pd_finding_limit(&f, "flows", a->stats.flows.max_flows, a->stats.flows.overflow,
				 "packets", a->stats.flows.overflow_first);
		pd_finding_message(&f, "flow table full: %llu packets of new flows were not "
				       "tracked, the first in frame %llu (peak %zu live flows)",
				   (unsigned long long)a->stats.flows.overflow,
				   (unsigned long long)a->stats.flows.overflow_first,
				   a->stats.flows.peak);
		pd_finding_ev_u64(&f, "peak", a->stats.flows.peak);
		pd_finding_advice(&f, "Raise --max-flows or filter the capture (-f).");
		rc = pd_analysis_add(a, &f);
	}
	if (!rc && a->source.valid && (a->source.capture_drops || a->source.if_drops)) {
		/* a live capture that lost frames: its gaps are not the network's */
		const struct pd_source_stats *ss = &a->source;
		uint64_t lost = ss->capture_drops + ss->if_drops;
		struct pd_finding f;

		pd_finding_init(&f, "capture.dropped", PD_SEV_WARNING);
		pd_finding_message(&f, "the capture lost %llu frames (%llu dropped by the capture "
				       "buffer, %llu by the interface) while it delivered %llu: "
				       "sequence gaps, retransmissions and stalls reported here may be "
				       "the capture's own losses, not the network's",
				   (unsigned long long)lost, (unsigned long long)ss->capture_drops,
				   (unsigned long long)ss->if_drops, (unsigned long long)ss->received);
		pd_finding_ev_u64(&f, "received", ss->received);
		pd_finding_ev_u64(&f, "dropped_by_capture", ss->capture_drops);
		pd_finding_ev_u64(&f, "dropped_by_interface", ss->if_drops);
		pd_finding_ev_str(&f, "backend", "%s", a->format);
		pd_finding_advice(&f, "Give the capture a larger buffer (-B KiB), analyse less "
				      "(-f to the traffic of interest), or capture to a file with "
				      "tcpdump -w and analyse that; then check whether the gaps "
				      "remain.");
		rc = pd_analysis_add(a, &f);
	}
	if (!rc && a->input_error && a->input_error != -PD_EFILTER) {
		struct pd_finding f;

		pd_finding_init(&f, "capture.truncated_file", PD_SEV_ERROR);
		if (s->last_frame)
			pd_finding_add_frame(&f, s->last_frame);
		pd_finding_message(&f, "the file is truncated or corrupt after frame %llu "
				       "(byte offset %lld); frames before it were analysed",
				   (unsigned long long)a->stats.frames, (long long)a->error_offset);
		pd_finding_ev_u64(&f, "frames_read", a->stats.frames);
		pd_finding_ev_i64(&f, "byte_offset", a->error_offset);
		pd_finding_ev_str(&f, "reason", "%s", a->input_error_msg);
		pd_finding_advice(&f, "The capture was cut short (disk full, capture killed, "
				      "incomplete copy). Findings cover only the frames read.");
		rc = pd_analysis_add(a, &f);
	}
	return rc;
}

static void cap_destroy(void *state)
{
	struct capture_state *s = state;

	free(s);
}

const struct pd_analyzer_ops pd_analyzer_capture = {
	.name = "capture",
	.init = cap_init,
	.on_packet = cap_packet,
	.finish = cap_finish,
	.destroy = cap_destroy,
};
