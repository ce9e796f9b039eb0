/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pd_test_events.h - cmocka assertions on the events a dissector recorded
 * on a packet, shared by the dissector tests.  Include after <cmocka.h>.
 */
#ifndef PD_TEST_EVENTS_H
#define PD_TEST_EVENTS_H

#include "pktdoctor/packet.h"

/* Print the packet's events (shown when an assertion fails). */
static inline void print_events(const struct pd_packet *p)
{
	print_error("events (%u):", p->n_events);
	for (unsigned i = 0; i < p->n_events; i++)
		print_error(" %s@%u", pd_event_name(p->events[i].code), p->events[i].offset);
	print_error("\n");
}

/* The packet has event @code; its frame offset is returned. */
static inline unsigned expect_event(const struct pd_packet *p, int code)
{
	for (unsigned i = 0; i < p->n_events; i++)
		if (p->events[i].code == code)
			return p->events[i].offset;
	print_events(p);
	fail_msg("missing event %s", pd_event_name(code));
	return 0;
}

/* The packet does not have event @code. */
static inline void expect_no_event(const struct pd_packet *p, int code)
{
	for (unsigned i = 0; i < p->n_events; i++) {
		if (p->events[i].code == code) {
			print_events(p);
			fail_msg("unexpected event %s", pd_event_name(code));
		}
	}
}

/* The packet has no events at all. */
static inline void expect_no_events(const struct pd_packet *p)
{
	if (p->n_events != 0) {
		print_events(p);
		fail_msg("expected no events");
	}
}

#endif
