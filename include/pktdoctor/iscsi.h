/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi.h - the iSCSI analyzer's public pieces (RFC 7143): the
 * per-connection summary it publishes for the boot report, and the text
 * key=value parser, negotiation rules and LUN decoding it judges PDUs by
 * (public so that they can be tested on their own).
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
 * already does this for the root paths it sees in DHCP option 17
 * (parsed with pd_rootpath_parse(), include/pktdoctor/rootpath.h), from
 * then on: a connection opened before the DHCP reply is not re-examined.
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

/** One key=value pair of an iSCSI text data segment, pointing into it. */
struct pd_iscsi_kv {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

/**
 * pd_iscsi_text_next() - the next key=value pair of a Login or Text data
 * segment: pairs separated by NUL bytes (RFC 7143 section 6.1).
 * @buf: the data segment (the data only, no padding); need not end in NUL.
 * @len: its length in bytes.
 * @off: position, 0 to start; advanced past the pair.
 * @kv: the pair.
 * Return: 1 with @kv filled; 0 at the end; -PD_EMALFORMED for a pair
 * without '=' or with an empty key (@off is advanced past it, so the
 * caller may go on).  Empty strings between NULs are skipped.
 */
int pd_iscsi_text_next(const uint8_t *buf, size_t len, size_t *off, struct pd_iscsi_kv *kv);

/** The verdict on one negotiated value (pd_iscsi_negotiate()). */
enum pd_iscsi_neg {
	PD_ISCSI_NEG_OK = 0,
	PD_ISCSI_NEG_UNKNOWN_KEY,  /* a key this code does not judge */
	PD_ISCSI_NEG_NOT_OFFERED,  /* list key answered with a value the offer did not list */
	PD_ISCSI_NEG_RANGE,        /* number outside the key's range, or not a number */
	PD_ISCSI_NEG_ABOVE_OFFER,  /* "Minimum" key answered above the offer */
	PD_ISCSI_NEG_BELOW_OFFER,  /* "Maximum" key answered below the offer */
	PD_ISCSI_NEG_NOT_BOOL,     /* Boolean key answered with neither Yes nor No */
	PD_ISCSI_NEG_BOOL_RESULT,  /* Boolean answer contradicts the result the offer fixed */
	PD_ISCSI_NEG_LIST_ANSWER,  /* list key answered with a list */
	PD_ISCSI_NEG_BAD_OFFER,    /* the offer itself is out of range or malformed */
};

/** pd_iscsi_neg_name() - stable text of an enum pd_iscsi_neg value. */
const char *pd_iscsi_neg_name(int verdict);

/**
 * pd_iscsi_check_value() - is @value allowed for @key at all (the range
 * of a numeric key, Yes/No for a Boolean, a non-empty list)?  Used for
 * offers and declarations (RFC 7143 section 13).
 * Return: PD_ISCSI_NEG_OK, PD_ISCSI_NEG_UNKNOWN_KEY, PD_ISCSI_NEG_RANGE,
 * PD_ISCSI_NEG_NOT_BOOL.
 */
int pd_iscsi_check_value(const char *key, const char *value);

/**
 * pd_iscsi_negotiate() - judge the answer to an offer and compute the
 * result, by RFC 7143 section 6.2 (list: the answer is one of the
 * offered values; numeric "Minimum"/"Maximum": the answer is within
 * range and not above/below the offer, result min/max; Boolean AND/OR:
 * the answer is Yes or No, and equals the offer when the offer alone
 * decides the result) and the key definitions of section 13.
 * @key: key name, e.g. "MaxBurstLength".
 * @offer: offered value (NUL-terminated).
 * @answer: answered value; NULL when no answer was seen (the result is
 *          then the offer where the offer decides it, else the default).
 *          "Reject", "Irrelevant" and "NotUnderstood" are valid answers
 *          whose result is the key's default.
 * @result: negotiated value as text, or NULL.
 * @rlen: size of @result in bytes.
 * Return: enum pd_iscsi_neg.
 */
int pd_iscsi_negotiate(const char *key, const char *offer, const char *answer,
		       char *result, size_t rlen);

/**
 * pd_iscsi_parse_number() - an iSCSI numerical value (RFC 7143 6.1:
 * decimal, or hexadecimal with 0x) into @out.
 * Return: 0, or -PD_EMALFORMED for anything else or a value above 2^64-1.
 */
int pd_iscsi_parse_number(const char *s, uint64_t *out);

/** struct pd_iscsi_lun - a decoded SAM LUN field (8 bytes, SAM-5 4.7). */
struct pd_iscsi_lun {
	uint8_t method;    /* address method: byte 0 bits 7-6 (0 peripheral, 1 flat, 2 logical unit, 3 extended) */
	bool single_level; /* bytes 2..7 are zero: a single-level LUN */
	uint32_t lun;      /* the LUN at the first level (peripheral: byte 1; flat: 14 bits) */
};

/**
 * pd_iscsi_lun_decode() - decode the 8-byte LUN of a SCSI Command BHS
 * (RFC 7143 11.3 refers to SAM; single-level addressing per SAM-5 4.7:
 * peripheral device method 00b with bus 0, LUN in byte 1; flat space
 * method 01b, LUN in the low 14 bits of bytes 0-1).
 */
void pd_iscsi_lun_decode(const uint8_t lun[8], struct pd_iscsi_lun *out);

/** pd_iscsi_login_status_name() - RFC 7143 11.13.5 text for Status-Class<<8|Status-Detail. */
const char *pd_iscsi_login_status_name(uint16_t status);

#endif
