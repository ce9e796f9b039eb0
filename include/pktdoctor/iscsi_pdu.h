/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi_pdu.h - the iSCSI Basic Header Segment (RFC 7143 11.2) decoded
 * into named fields by dissectors/iscsi.c.
 *
 * iSCSI is a byte stream: the iSCSI analyzer (src/analyzers/iscsi.c)
 * reassembles each PDU's 48-byte BHS from TCP payloads and hands it to
 * pd_iscsi_bhs_decode(), which reads it only through the byte cursor
 * (include/pktdoctor/cursor.h).  Members carry the RFC 7143 names; each
 * says for which opcodes it is decoded (it is 0 for the others).
 */
#ifndef PKTDOCTOR_ISCSI_PDU_H
#define PKTDOCTOR_ISCSI_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Length of the Basic Header Segment, bytes (RFC 7143 11.2.1). */
#define PD_ISCSI_BHS_LEN 48

/** The "reserved" Initiator Task Tag of unsolicited PDUs (11.18, 11.19). */
#define PD_ISCSI_RESERVED_TAG 0xffffffffu

/* BHS opcodes (RFC 7143 11.2.1.2): 0x00-0x1f initiator, 0x20-0x3f target. */
enum pd_iscsi_opcode {
	PD_ISCSI_OP_NOP_OUT = 0x00,
	PD_ISCSI_OP_SCSI_CMD = 0x01,
	PD_ISCSI_OP_TMF_REQ = 0x02,
	PD_ISCSI_OP_LOGIN_REQ = 0x03,
	PD_ISCSI_OP_TEXT_REQ = 0x04,
	PD_ISCSI_OP_DATA_OUT = 0x05,
	PD_ISCSI_OP_LOGOUT_REQ = 0x06,
	PD_ISCSI_OP_SNACK = 0x10,
	PD_ISCSI_OP_NOP_IN = 0x20,
	PD_ISCSI_OP_SCSI_RSP = 0x21,
	PD_ISCSI_OP_TMF_RSP = 0x22,
	PD_ISCSI_OP_LOGIN_RSP = 0x23,
	PD_ISCSI_OP_TEXT_RSP = 0x24,
	PD_ISCSI_OP_DATA_IN = 0x25,
	PD_ISCSI_OP_LOGOUT_RSP = 0x26,
	PD_ISCSI_OP_R2T = 0x31,
	PD_ISCSI_OP_ASYNC = 0x32,
	PD_ISCSI_OP_REJECT = 0x3f,
};

/** A decoded BHS.  Sequence numbers are 32-bit serial numbers (RFC 1982). */
struct pd_iscsi_bhs {
	/* byte 0 and the fields every PDU has (11.2.1) */
	uint8_t opcode;              /* bits 5-0 of byte 0 (enum pd_iscsi_opcode) */
	bool immediate;              /* I bit (byte 0 bit 6): immediate delivery (requests) */
	bool reserved_bit;           /* byte 0 bit 7: MUST be 0; set means "not a BHS here" */
	bool final;                  /* F bit (byte 1 bit 7) of PDUs that have one; the T
				      * (Transit) bit of Login PDUs is `transit` */
	uint8_t flags;               /* byte 1 whole: the opcode-specific flags */
	uint8_t total_ahs_length;    /* TotalAHSLength (byte 4), in 4-byte words */
	uint32_t data_segment_length;/* DataSegmentLength (bytes 5-7), bytes, padding excluded */
	uint8_t lun[8];              /* LUN (bytes 8-15): SCSI Command, SCSI Data-In/Out, R2T,
				      * NOP-Out/In, TMF Request, Text, Async, SNACK */
	uint32_t initiator_task_tag; /* Initiator Task Tag (bytes 16-19); all PDUs */
	uint32_t target_transfer_tag;/* Target Transfer Tag (bytes 20-23): Data-In/Out, R2T,
				      * NOP-Out/In, Text Request/Response, SNACK */
	/* initiator numbering (requests) */
	uint32_t cmdsn;              /* CmdSN (bytes 24-27): SCSI Command, TMF, Login, Text,
				      * Logout Requests, NOP-Out */
	uint32_t expstatsn;          /* ExpStatSN (bytes 28-31): requests and Data-Out */
	/* target numbering (responses, 24-35) */
	uint32_t statsn;             /* StatSN (bytes 24-27): target PDUs (R2T: the next StatSN,
				      * not advanced; Data-In: valid with the S bit) */
	uint32_t expcmdsn;           /* ExpCmdSN (bytes 28-31): target PDUs */
	uint32_t maxcmdsn;           /* MaxCmdSN (bytes 32-35): target PDUs */
	/* SCSI Command (11.3) */
	bool read, write;            /* R and W bits (byte 1 bits 6, 5) */
	uint8_t task_attr;           /* ATTR (byte 1 bits 2-0): untagged, simple, ordered... */
	uint32_t expected_data_transfer_length; /* bytes 20-23, bytes */
	uint8_t cdb[16];             /* CDB (bytes 32-47); cdb[0] is the SCSI operation code */
	/* SCSI Response (11.4), TMF Response (11.6), Logout Response (11.15) */
	uint8_t response;            /* Response (byte 2): 0 "completed at target" (11.4.3),
				      * TMF Response codes (11.6.1), Logout codes (11.15.1) */
	uint8_t status;              /* SCSI Status (byte 3): SCSI Response, Data-In with S */
	uint32_t residual_count;     /* Residual Count (bytes 44-47): SCSI Response, Data-In */
	/* SCSI Data-In / Data-Out (11.7), R2T (11.8) */
	bool status_present;         /* S bit (byte 1 bit 0) of Data-In: status and StatSN
				      * are in this PDU, which ends the command */
	bool acknowledge;            /* A bit (byte 1 bit 6) of Data-In */
	uint32_t datasn;             /* DataSN (bytes 36-39): Data-In/Out */
	uint32_t buffer_offset;      /* Buffer Offset (bytes 40-43): Data-In/Out, R2T, bytes */
	uint32_t r2tsn;              /* R2TSN (bytes 36-39): R2T */
	uint32_t desired_data_transfer_length; /* bytes 44-47 of R2T, bytes */
	/* Task Management Function Request (11.5), Logout Request (11.14) */
	uint8_t function;            /* TMF Function / Logout Reason Code (byte 1 bits 6-0) */
	uint32_t referenced_task_tag;/* Referenced Task Tag (bytes 20-23): TMF Request */
	/* Login Request/Response (11.12, 11.13), Text (11.10, 11.11) */
	bool transit;                /* T bit (byte 1 bit 7): Login */
	bool cont;                   /* C bit (byte 1 bit 6): Login, Text; more text follows */
	uint8_t csg, nsg;            /* CSG (bits 3-2), NSG (bits 1-0) of byte 1: Login;
				      * 0 security, 1 operational, 3 full feature phase */
	uint8_t version_max;         /* Version-max (byte 2): Login */
	uint8_t version;             /* Version-min (Request) / Version-active (Response), byte 3 */
	uint8_t isid[6];             /* ISID (bytes 8-13): Login */
	uint16_t tsih;               /* TSIH (bytes 14-15): Login */
	uint16_t cid;                /* CID (bytes 20-21): Login Request, Logout Request */
	uint8_t status_class;        /* Status-Class (byte 36): Login Response (11.13.5) */
	uint8_t status_detail;       /* Status-Detail (byte 37): Login Response */
	/* Reject (11.17) */
	uint8_t reject_reason;       /* Reason (byte 2) */
	/* Asynchronous Message (11.9) */
	uint8_t async_event;         /* AsyncEvent (byte 36) */
};

/**
 * pd_iscsi_bhs_decode() - decode a Basic Header Segment (RFC 7143 11.2
 * and the opcode's own section of 11).
 * @bhs48: the BHS bytes, as received (the AHS and digests follow it and are
 *         not read here).
 * @len: bytes available at @bhs48; only the first PD_ISCSI_BHS_LEN are read.
 * @out: filled; members the opcode does not define are 0.
 *
 * Reads only through the byte cursor.  Any opcode is decoded, unknown
 * ones into the common fields only; judging whether the opcode fits the
 * direction is the caller's.
 * Return: 0; -PD_ETRUNC when fewer than 48 bytes are given (@out is then
 * zeroed); -PD_EUSAGE when @bhs48 or @out is NULL.
 */
int pd_iscsi_bhs_decode(const uint8_t *bhs48, size_t len, struct pd_iscsi_bhs *out);

/** pd_iscsi_opcode_name() - "SCSI Command", "Login Response", ... for a BHS opcode (6 bits). */
const char *pd_iscsi_opcode_name(uint8_t opcode);

/** struct pd_iscsi_lun - a decoded SAM LUN field (8 bytes, SAM-5 4.7). */
struct pd_iscsi_lun {
	uint8_t method;    /* address method: byte 0 bits 7-6 (0 peripheral, 1 flat,
			    * 2 logical unit, 3 extended) */
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
