/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_frame.c - libFuzzer entry point for the link-layer dissectors
 * (libpcap testprogs/fuzz/ is the model).  The first byte picks the link
 * type; the rest is the frame.  A second byte sets how much of it counts
 * as "wire" beyond the captured bytes, to exercise snaplen handling.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pktdoctor/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	PD_LINKTYPE_EN10MB, PD_LINKTYPE_LINUX_SLL, PD_LINKTYPE_LINUX_SLL2, PD_LINKTYPE_RAW,
	PD_LINKTYPE_IPV4, PD_LINKTYPE_IPV6, PD_LINKTYPE_NULL, PD_LINKTYPE_LOOP, PD_DLT_RAW_A,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_packet p;

	if (size < 2)
		return 0;
	memset(&p, 0, sizeof(p));
	p.frame = 1;
	p.linktype = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	p.caplen = (uint32_t)(size - 2);
	p.wirelen = p.caplen + (data[1] & 0x80 ? (uint32_t)data[1] * 16 : 0);
	pd_dissect_frame(&p, data + 2);
	return 0;
}
