/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bus.c - the typed event bus between analyzers
 * (include/pktdoctor/bus.h): a fixed table of subscriptions in struct
 * pd_analysis, delivered synchronously.
 */
#include "pktdoctor/analyze.h"
#include "pktdoctor/error.h"
#include "pktdoctor/bus.h"

int pd_bus_subscribe(struct pd_analysis *a, int type,
		       void (*fn)(void *arg, struct pd_analysis *a, const struct pd_bus_event *ev),
		       void *arg)
{
	struct pd_bus *bus = &a->bus;

	if (type < 0 || type >= PD_BUS__COUNT || !fn)
		return -PD_EUSAGE;
	if (bus->n >= PD_BUS_MAX_SUBS)
		return -PD_ELIMIT;
	bus->sub[bus->n].type = (uint8_t)type;
	bus->sub[bus->n].fn = fn;
	bus->sub[bus->n].arg = arg;
	bus->n++;
	return 0;
}

void pd_bus_publish(struct pd_analysis *a, const struct pd_bus_event *ev)
{
	const struct pd_bus *bus = &a->bus;

	if (!a->pipeline)
		return;
	for (unsigned i = 0; i < bus->n && i < PD_BUS_MAX_SUBS; i++)
		if (bus->sub[i].type == ev->type)
			bus->sub[i].fn(bus->sub[i].arg, a, ev);
}
