/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi.c - the iSCSI Basic Header Segment (RFC 7143 11.2) decoded into
 * named fields (struct pd_iscsi_bhs, include/pktdoctor/iscsi_pdu.h).
 *
 * Unlike the other dissectors this one is not bound to a port in
 * registry.c: iSCSI PDUs span and share TCP segments, so the iSCSI
 * analyzer reassembles each BHS from the stream and calls
 * pd_iscsi_bhs_decode() on it.  Only the cursor reads the bytes; the
 * layout of every opcode is the one of its section of RFC 7143 11.
 */
#include <string.h>

#include "pktdoctor/cursor.h"
#include "pktdoctor/error.h"
#include "pktdoctor/iscsi_pdu.h"

const char *pd_iscsi_opcode_name(uint8_t op)
{
	switch (op & 0x3f) {
	case PD_ISCSI_OP_NOP_OUT: return "NOP-Out";
	case PD_ISCSI_OP_SCSI_CMD: return "SCSI Command";
	case PD_ISCSI_OP_TMF_REQ: return "Task Management Function Request";
	case PD_ISCSI_OP_LOGIN_REQ: return "Login Request";
	case PD_ISCSI_OP_TEXT_REQ: return "Text Request";
	case PD_ISCSI_OP_DATA_OUT: return "SCSI Data-Out";
	case PD_ISCSI_OP_LOGOUT_REQ: return "Logout Request";
	case PD_ISCSI_OP_SNACK: return "SNACK Request";
	case PD_ISCSI_OP_NOP_IN: return "NOP-In";
	case PD_ISCSI_OP_SCSI_RSP: return "SCSI Response";
	case PD_ISCSI_OP_TMF_RSP: return "Task Management Function Response";
	case PD_ISCSI_OP_LOGIN_RSP: return "Login Response";
	case PD_ISCSI_OP_TEXT_RSP: return "Text Response";
	case PD_ISCSI_OP_DATA_IN: return "SCSI Data-In";
	case PD_ISCSI_OP_LOGOUT_RSP: return "Logout Response";
	case PD_ISCSI_OP_R2T: return "R2T";
	case PD_ISCSI_OP_ASYNC: return "Asynchronous Message";
	case PD_ISCSI_OP_REJECT: return "Reject";
	case 0x1c: case 0x1d: case 0x1e: return "vendor-specific (initiator)";
	case 0x3c: case 0x3d: case 0x3e: return "vendor-specific (target)";
	default: return "unknown";
	}
}

const char *pd_iscsi_login_status_name(uint16_t st)
{
	switch (st) { /* RFC 7143 11.13.5 */
	case 0x0000: return "success";
	case 0x0101: return "target moved temporarily";
	case 0x0102: return "target moved permanently";
	case 0x0200: return "initiator error";
	case 0x0201: return "authentication failure";
	case 0x0202: return "authorization failure";
	case 0x0203: return "not found";
	case 0x0204: return "target removed";
	case 0x0205: return "unsupported version";
	case 0x0206: return "too many connections";
	case 0x0207: return "missing parameter";
	case 0x0208: return "can't include in session";
	case 0x0209: return "session type not supported";
	case 0x020a: return "session does not exist";
	case 0x020b: return "invalid during login";
	case 0x0300: return "target error";
	case 0x0301: return "service unavailable";
	case 0x0302: return "out of resources";
	}
	switch (st >> 8) {
	case 1: return "redirection (unknown detail)";
	case 2: return "initiator error (unknown detail)";
	case 3: return "target error (unknown detail)";
	default: return "unknown status class";
	}
}

void pd_iscsi_lun_decode(const uint8_t lun[8], struct pd_iscsi_lun *out)
{
	out->method = (uint8_t)(lun[0] >> 6);
	out->single_level = !(lun[2] | lun[3] | lun[4] | lun[5] | lun[6] | lun[7]);
	switch (out->method) {
	case 0: /* peripheral device addressing: bus identifier, then the LUN */
		out->lun = lun[1];
		if (lun[0] & 0x3f)
			out->single_level = false; /* a bus/target path, not a LUN here */
		break;
	case 1: /* flat space addressing */
		out->lun = (uint32_t)(lun[0] & 0x3f) << 8 | lun[1];
		break;
	case 2: /* logical unit addressing: target 6 bits, bus 3 bits, LUN 5 bits */
		out->lun = lun[1] & 0x1fu;
		break;
	default: /* extended addressing: not a plain number */
		out->lun = 0;
		out->single_level = false;
		break;
	}
}

/* Bytes 24-35 of a target PDU: StatSN, ExpCmdSN, MaxCmdSN. */
static void target_sns(struct pd_cursor *c, struct pd_iscsi_bhs *b)
{
	b->statsn = pd_cur_be32(c);
	b->expcmdsn = pd_cur_be32(c);
	b->maxcmdsn = pd_cur_be32(c);
}

/* Bytes 24-31 of an initiator PDU: CmdSN, ExpStatSN. */
static void initiator_sns(struct pd_cursor *c, struct pd_iscsi_bhs *b)
{
	b->cmdsn = pd_cur_be32(c);
	b->expstatsn = pd_cur_be32(c);
}

int pd_iscsi_bhs_decode(const uint8_t *bhs48, size_t len, struct pd_iscsi_bhs *out)
{
	struct pd_cursor c;
	uint8_t b0, b2, b3;
	uint32_t w20;

	if (!bhs48 || !out)
		return -PD_EUSAGE;
	memset(out, 0, sizeof(*out));
	if (len < PD_ISCSI_BHS_LEN)
		return -PD_ETRUNC;
	pd_cur_init(&c, bhs48, PD_ISCSI_BHS_LEN, PD_ISCSI_BHS_LEN);
	/* bytes 0-19: the same place in every PDU (11.2.1) */
	b0 = pd_cur_u8(&c);
	out->opcode = b0 & 0x3f;
	out->immediate = (b0 & 0x40) != 0;
	out->reserved_bit = (b0 & 0x80) != 0;
	out->flags = pd_cur_u8(&c);
	b2 = pd_cur_u8(&c);
	b3 = pd_cur_u8(&c);
	out->total_ahs_length = pd_cur_u8(&c);
	out->data_segment_length = (uint32_t)pd_cur_u8(&c) << 16;
	out->data_segment_length |= pd_cur_be16(&c);
	pd_cur_copy(&c, out->lun, sizeof(out->lun));
	out->initiator_task_tag = pd_cur_be32(&c);
	out->final = (out->flags & 0x80) != 0;
	/* bytes 20-47 by opcode */
	w20 = pd_cur_be32(&c);
	switch (out->opcode) {
	case PD_ISCSI_OP_SCSI_CMD: /* 11.3 */
		out->read = (out->flags & 0x40) != 0;
		out->write = (out->flags & 0x20) != 0;
		out->task_attr = out->flags & 0x07;
		out->expected_data_transfer_length = w20;
		initiator_sns(&c, out);
		pd_cur_copy(&c, out->cdb, sizeof(out->cdb));
		break;
	case PD_ISCSI_OP_SCSI_RSP: /* 11.4 */
		out->response = b2;
		out->status = b3;
		target_sns(&c, out);
		pd_cur_skip(&c, 8); /* ExpDataSN, Bidirectional Read Residual Count */
		out->residual_count = pd_cur_be32(&c);
		break;
	case PD_ISCSI_OP_TMF_REQ: /* 11.5 */
		out->function = out->flags & 0x7f;
		out->referenced_task_tag = w20;
		initiator_sns(&c, out);
		break;
	case PD_ISCSI_OP_TMF_RSP: /* 11.6 */
	case PD_ISCSI_OP_LOGOUT_RSP: /* 11.15 */
		out->response = b2;
		target_sns(&c, out);
		break;
	case PD_ISCSI_OP_DATA_OUT: /* 11.7 */
		out->target_transfer_tag = w20;
		pd_cur_skip(&c, 4);
		out->expstatsn = pd_cur_be32(&c);
		pd_cur_skip(&c, 4);
		out->datasn = pd_cur_be32(&c);
		out->buffer_offset = pd_cur_be32(&c);
		break;
	case PD_ISCSI_OP_DATA_IN: /* 11.7 */
		out->acknowledge = (out->flags & 0x40) != 0;
		out->status_present = (out->flags & 0x01) != 0;
		out->status = b3;
		out->target_transfer_tag = w20;
		target_sns(&c, out);
		out->datasn = pd_cur_be32(&c);
		out->buffer_offset = pd_cur_be32(&c);
		out->residual_count = pd_cur_be32(&c);
		break;
	case PD_ISCSI_OP_R2T: /* 11.8 */
		out->target_transfer_tag = w20;
		target_sns(&c, out);
		out->r2tsn = pd_cur_be32(&c);
		out->buffer_offset = pd_cur_be32(&c);
		out->desired_data_transfer_length = pd_cur_be32(&c);
		break;
	case PD_ISCSI_OP_ASYNC: /* 11.9 */
		target_sns(&c, out);
		out->async_event = pd_cur_u8(&c);
		break;
	case PD_ISCSI_OP_TEXT_REQ: /* 11.10 */
	case PD_ISCSI_OP_TEXT_RSP: /* 11.11 */
		out->cont = (out->flags & 0x40) != 0;
		out->target_transfer_tag = w20;
		if (out->opcode == PD_ISCSI_OP_TEXT_REQ)
			initiator_sns(&c, out);
		else
			target_sns(&c, out);
		break;
	case PD_ISCSI_OP_LOGIN_REQ: /* 11.12 */
	case PD_ISCSI_OP_LOGIN_RSP: /* 11.13 */
		out->transit = out->final; /* byte 1 bit 7 is T here */
		out->final = false;
		out->cont = (out->flags & 0x40) != 0;
		out->csg = (out->flags >> 2) & 0x03;
		out->nsg = out->flags & 0x03;
		out->version_max = b2;
		out->version = b3;
		memcpy(out->isid, out->lun, sizeof(out->isid));
		out->tsih = (uint16_t)(out->lun[6] << 8 | out->lun[7]);
		memset(out->lun, 0, sizeof(out->lun)); /* bytes 8-15 are no LUN here */
		if (out->opcode == PD_ISCSI_OP_LOGIN_REQ) {
			out->cid = (uint16_t)(w20 >> 16);
			initiator_sns(&c, out);
		} else {
			target_sns(&c, out);
			out->status_class = pd_cur_u8(&c);
			out->status_detail = pd_cur_u8(&c);
		}
		break;
	case PD_ISCSI_OP_LOGOUT_REQ: /* 11.14 */
		out->function = out->flags & 0x7f;
		out->cid = (uint16_t)(w20 >> 16);
		memset(out->lun, 0, sizeof(out->lun));
		initiator_sns(&c, out);
		break;
	case PD_ISCSI_OP_SNACK: /* 11.16 */
		out->target_transfer_tag = w20;
		pd_cur_skip(&c, 4);
		out->expstatsn = pd_cur_be32(&c);
		break;
	case PD_ISCSI_OP_REJECT: /* 11.17 */
		out->reject_reason = b2;
		memset(out->lun, 0, sizeof(out->lun));
		target_sns(&c, out);
		break;
	case PD_ISCSI_OP_NOP_OUT: /* 11.18 */
		out->target_transfer_tag = w20;
		initiator_sns(&c, out);
		break;
	case PD_ISCSI_OP_NOP_IN: /* 11.19 */
		out->target_transfer_tag = w20;
		target_sns(&c, out);
		break;
	default: /* vendor-specific or unknown: the common fields only */
		break;
	}
	return 0;
}
