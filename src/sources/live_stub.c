/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live_stub.c - interim: live capture is not built in yet.  The libpcap
 * and AF_PACKET backends (live_pcap.c, afpacket.c) replace this file.
 */
#include <stdio.h>

#include "backend.h"
#include "pktdoctor/error.h"

int pd_source_open_live(struct pd_source **out, const struct pd_live_opts *o, char *err,
			size_t errlen)
{
	*out = 0;
	snprintf(err, errlen, "%s: live capture is not available in this build", o->iface);
	return -PD_EUNSUPPORTED;
}
