/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bus.h - typed events one analyzer publishes for others while a
 * pipeline runs (issue 8: "Analyzers publish what others need through a
 * small typed event interface.  They must not depend on their order in a
 * list.").
 *
 * A subscriber registers in its init(), which runs for every analyzer
 * before the first packet, so it hears every event whatever its place in
 * pd_analyzers[]; an event is delivered at once, from inside the
 * publisher's on_packet(), to the subscribers of its type in the order
 * they subscribed.  The bus lives in struct pd_analysis (`bus`),
 * zeroed by pd_analysis_begin(); nothing is allocated.
 *
 * Events:
 *   PD_BUS_ROOT_PATH  the DHCP analyzer saw a root path in a reply
 *                     (option 17, or option 43 sub-option 201/202) and
 *                     parsed it (RFC 4173); the iSCSI analyzer follows
 *                     the TCP port it names.
 */
#ifndef PKTDOCTOR_BUS_H
#define PKTDOCTOR_BUS_H

#include <stddef.h>
#include <stdint.h>

struct pd_analysis;
struct pd_rootpath;

/** Event types, in struct pd_bus_event.type. */
enum pd_bus_event_type {
	PD_BUS_ROOT_PATH = 0,
	PD_BUS__COUNT
};

/** PD_BUS_ROOT_PATH: a root path in a DHCP reply, as the DHCP analyzer parsed it. */
struct pd_bus_root_path {
	const char *text;              /* the root path, NUL-terminated, trailing NULs removed */
	size_t len;                    /* its length in bytes */
	uint8_t option;                /* DHCP option it came in: 17 (RFC 2132 3.19) or 43 */
	uint8_t suboption;             /* option 43 sub-option (201 first target, 202 second),
					* 0 for option 17 */
	uint8_t server[4];             /* the DHCP server: option 54, else the IPv4 source */
	int rc;                        /* pd_rootpath_parse(): 0 valid, -PD_EMALFORMED */
	const struct pd_rootpath *rp;  /* the parsed fields (port, target, LUN, problems) */
};

/** One event.  Pointers in it are valid during the delivery only. */
struct pd_bus_event {
	uint8_t type;                  /* enum pd_bus_event_type */
	uint64_t frame;                /* the frame it comes from, 1-based */
	int64_t ts_ns;                 /* its time, ns since the epoch */
	union {
		struct pd_bus_root_path root_path;
	} u;
};

/** Subscribers per analysis (all types together). */
#define PD_BUS_MAX_SUBS 16

/** One subscription: @fn(@arg, a, ev) for every event of @type. */
struct pd_bus_sub {
	uint8_t type;
	void (*fn)(void *arg, struct pd_analysis *a, const struct pd_bus_event *ev);
	void *arg;
};

/** The subscriptions of one analysis (struct pd_analysis.bus). */
struct pd_bus {
	struct pd_bus_sub sub[PD_BUS_MAX_SUBS];
	unsigned n;
};

/**
 * pd_bus_subscribe() - call @fn for every event of @type published in
 * @a from now on (an analyzer calls it from its init()).
 * @arg: passed to @fn (the analyzer's state).
 * Return: 0; -PD_EUSAGE for an unknown type or a NULL @fn; -PD_ELIMIT
 * when PD_BUS_MAX_SUBS subscriptions exist.
 */
int pd_bus_subscribe(struct pd_analysis *a, int type,
		       void (*fn)(void *arg, struct pd_analysis *a, const struct pd_bus_event *ev),
		       void *arg);

/**
 * pd_bus_publish() - deliver @ev to the subscribers of its type, now.
 * Nothing happens when no pipeline runs on @a (the subscribers' states
 * exist only between pd_pipeline_open() and pd_pipeline_close()).
 */
void pd_bus_publish(struct pd_analysis *a, const struct pd_bus_event *ev);

#endif
