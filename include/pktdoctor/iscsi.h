/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi.h - the iSCSI analyzer's public pieces (RFC 7143): the
 * per-connection summary it publishes for the boot report and its
 * settings.  The analyzer is built from three parts, each testable on
 * its own: the BHS dissector (iscsi_pdu.h: named fields, LUN, status
 * texts), the text keys and negotiation rules (iscsi_text.h), and the
 * analyzer itself (stream reassembly, checks, findings).  Both headers
 * are included here.
 *
 * The analyzer itself is `pd_analyzer_iscsi` (src/analyzers/iscsi.c); its
 * findings are catalogued in docs/FINDINGS.md and its design, limits and
 * the comparison with tshark in docs/iscsi-notes.md.
 */
#ifndef PKTDOCTOR_ISCSI_H
#define PKTDOCTOR_ISCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/iscsi_pdu.h"
#include "pktdoctor/iscsi_text.h"
#include "pktdoctor/packet.h"

struct pd_analyzer_ops;

/** The iSCSI analyzer (src/analyzers/iscsi.c); also listed in analyzer.h. */
extern const struct pd_analyzer_ops pd_analyzer_iscsi;

/** The iSCSI well-known TCP port (IANA "iscsi-target", RFC 7143). */
#define PD_ISCSI_PORT 3260

/** Default wait for a response to a SCSI Command or NOP-Out, ns. */
#define PD_ISCSI_TIMEOUT_DEFAULT_NS (10LL * 1000000000LL)

/** RFC 7143 section 13 defaults. */
#define PD_ISCSI_DEFAULT_MRDSL 8192u        /* MaxRecvDataSegmentLength, 13.12 */
#define PD_ISCSI_DEFAULT_FIRST_BURST 65536u /* FirstBurstLength, 13.14 */
#define PD_ISCSI_DEFAULT_MAX_BURST 262144u  /* MaxBurstLength, 13.13 */

/** How far a connection's login got, in struct pd_iscsi_conn.state. */
enum pd_iscsi_login_state {
	PD_ISCSI_LOGIN_UNSEEN = 0, /* no Login Request captured (capture began later) */
	PD_ISCSI_LOGIN_STARTED,    /* Login Request seen, no final response */
	PD_ISCSI_LOGIN_OK,         /* Login Final-Response, Status-Class 0: full feature phase */
	PD_ISCSI_LOGIN_FAILED,     /* a Login Response with Status-Class != 0 */
};

/** SessionType key (RFC 7143 13.21), in struct pd_iscsi_conn.session_type. */
enum pd_iscsi_session_type {
	PD_ISCSI_SESSION_UNKNOWN = 0,
	PD_ISCSI_SESSION_NORMAL,
	PD_ISCSI_SESSION_DISCOVERY,
};

/**
 * One iSCSI connection (one TCP connection), summarised when it leaves the
 * flow table.  Sides: [0] initiator, [1] target.  Times are ns since the
 * epoch, frames 1-based as tshark counts; 0 means "not seen".
 */
struct pd_iscsi_conn {
	uint64_t flow_id;              /* struct pd_flow.id */
	struct pd_addr addr[2];        /* [0] initiator, [1] target */
	uint16_t port[2];
	int64_t first_ns;              /* first iSCSI byte parsed */
	uint64_t first_frame;
	int64_t login_ns;              /* first Login Request */
	uint64_t login_frame;
	int64_t login_done_ns;         /* Login Final-Response (or the failing one) */
	uint64_t login_done_frame;
	int64_t first_read_ns;         /* first SCSI Command with a READ CDB */
	uint64_t first_read_frame;     /* (READ(6) 0x08, READ(10) 0x28, READ(12) 0xa8, READ(16) 0x88) */
	uint8_t first_read_cdb;        /* its CDB operation code */
	uint8_t state;                 /* enum pd_iscsi_login_state */
	uint8_t session_type;          /* enum pd_iscsi_session_type */
	bool status_valid;             /* a Login Response was seen */
	uint16_t login_status;         /* Status-Class << 8 | Status-Detail of the last one */
	char initiator_name[224];      /* InitiatorName (iSCSI names: at most 223 bytes) */
	char target_name[224];         /* TargetName the initiator asked for */
	char discovered_target[224];   /* first TargetName a SendTargets answer listed */
	uint32_t targets_discovered;   /* TargetName keys in SendTargets answers */
	/* Operational parameters in force after the login (RFC 7143 13): the
	 * negotiated result, or the default when the key was not negotiated. */
	bool header_digest;            /* HeaderDigest=CRC32C */
	bool data_digest;              /* DataDigest=CRC32C */
	uint32_t mrdsl[2];             /* MaxRecvDataSegmentLength each side declared */
	uint32_t first_burst;          /* FirstBurstLength */
	uint32_t max_burst;            /* MaxBurstLength */
	uint32_t max_outstanding_r2t;  /* MaxOutstandingR2T */
	bool immediate_data;           /* ImmediateData */
	bool initial_r2t;              /* InitialR2T */
	uint64_t pdus[2];              /* PDUs parsed from each side */
	uint64_t commands;             /* SCSI Command PDUs */
	uint64_t timeouts;             /* commands unanswered within the timeout */
	bool desync[2];                /* PDU framing lost in that direction */
	uint8_t end;                   /* enum pd_conn_end: how the TCP connection ended */
};

/** The list the analyzer publishes at finish in struct pd_analysis
 * (member `iscsi`), in the order the connections ended: one allocation,
 * freed with free() by pd_analysis_free(). */
struct pd_iscsi_conns {
	size_t n;                      /* records in v[] */
	uint64_t dropped;              /* connections past the list's limit or not tracked */
	struct pd_iscsi_conn v[];
};

/**
 * pd_iscsi_add_port() - treat TCP port @port (either side) as iSCSI too,
 * for example the port a DHCP root path named (RFC 4173).  The analyzer
 * already does this for the option 17 root paths the DHCP analyzer
 * publishes (PD_BUS_ROOT_PATH, include/pktdoctor/bus.h), from then on: a
 * connection opened before the DHCP reply is not re-examined.
 * @state: the iSCSI analyzer's state (from its init()).
 * @port: TCP port; 0 is ignored.
 * Return: 0, or -PD_ELIMIT when 16 ports are already listed.
 */
int pd_iscsi_add_port(void *state, uint16_t port);

/**
 * pd_iscsi_set_timeout() - how long a SCSI Command or NOP-Out may wait
 * for its response before iscsi.timeout reports it.
 * @state: the iSCSI analyzer's state.
 * @timeout_ns: nanoseconds; <= 0 restores the default (10 s).
 */
void pd_iscsi_set_timeout(void *state, int64_t timeout_ns);

#endif
