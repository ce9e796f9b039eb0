/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c - the analyzers the pipeline runs (include/pktdoctor/analyzer.h).
 *
 * Adding an analyzer is its file in src/analyzers/ (CMake builds every
 * file there) plus one row here.  The order of the rows does not matter:
 * what an analyzer needs from others comes from the engine (duplicate
 * mark, TCP stream layer), the bus, or the summarize phase.
 */
#include "pktdoctor/analyzer.h"

#define ANALYZER(name) extern const struct pd_analyzer_ops pd_analyzer_##name;
#define PD_ANALYZER_LIST(X) \
	X(capture)          /* snaplen cuts, link types, frames captured twice */ \
	X(checksum)         /* checksum verdicts, TX/RX offload per host */ \
	X(malformed)        /* headers that stopped dissection */ \
	X(tcp)              /* retransmissions, storms, MSS, black holes */ \
	X(dhcp)             /* DHCP exchanges, root paths, vendor options */ \
	X(arp)              /* RFC 5227 probes, address conflicts */ \
	X(syslog)           /* syslog messages, boot errors */ \
	X(iscsi)            /* iSCSI login and RFC 7143 checks */ \
	X(boot)             /* the boot summary and boot delays */

PD_ANALYZER_LIST(ANALYZER)
#undef ANALYZER

#define ROW(name) &pd_analyzer_##name,
const struct pd_analyzer_ops *const pd_analyzers[] = {PD_ANALYZER_LIST(ROW) 0};
#undef ROW
