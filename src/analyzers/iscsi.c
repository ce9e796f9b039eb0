/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi.c - iSCSI (RFC 7143) analysis of TCP connections to port 3260
 * (and to ports a DHCP root path names, RFC 4173, as the DHCP analyzer
 * publishes them on the bus: include/pktdoctor/bus.h).
 *
 * One of three parts: the BHS dissector (dissectors/iscsi.c) decodes each
 * header into named fields, the text-key rules (src/core/iscsi_text.c)
 * judge the login negotiation; this file reassembles the PDUs from the
 * TCP stream, runs the checks and words the findings.
 *
 * Each direction of a connection is a byte stream cut into PDUs: a
 * 48-byte Basic Header Segment, TotalAHSLength*4 bytes of AHS, a 4-byte
 * HeaderDigest when negotiated, DataSegmentLength bytes of data padded to
 * 4, and a 4-byte DataDigest when negotiated and there is data (RFC 7143
 * 11.2).  The stream is parsed as it comes, in order, with bounded
 * memory: the BHS+AHS are buffered (at most 1072 bytes), Login and Text
 * data segments are buffered up to 64 KiB for their key=value text, and
 * every other data segment only runs through the CRC32C as it streams by.
 * Retransmitted bytes are skipped; a sequence gap (or a snaplen cut, or
 * a header that cannot be one) loses the PDU framing, and that direction
 * is not parsed any further (counted, and reported in iscsi.login).
 *
 * Findings, one per connection and id (counts and first frames), each
 * emitted as soon as it is known (the checks after the packet that shows
 * the first occurrence, a timeout at the tick past its deadline) and
 * updated under its key as the connection goes on and ends:
 *   iscsi.login_failed         Login Response Status-Class != 0 (11.13.5);
 *   iscsi.negotiation_invalid  an answer or declaration RFC 7143 6.2 / 13
 *                              does not allow;
 *   iscsi.burst_order          FirstBurstLength > MaxBurstLength (13.14);
 *   iscsi.mrdsl_exceeded       a data segment above the receiver's
 *                              MaxRecvDataSegmentLength (13.12, 6.3);
 *   iscsi.digest_bad           header or data digest mismatch (13.1);
 *   iscsi.cmdsn_window         MaxCmdSN < ExpCmdSN - 1 in serial
 *                              arithmetic (4.2.2.1, RFC 1982);
 *   iscsi.statsn_gap           StatSN not advancing by one (4.2.2.2);
 *   iscsi.timeout              a SCSI Command or NOP-Out with no response
 *                              within the timeout, and what the initiator
 *                              did next (a reconnect: resolved at finish);
 *   iscsi.lun_255              a SCSI Command to LUN 255;
 *   iscsi.login                one per connection, when it ends: names,
 *                              negotiated parameters, login and first READ
 *                              frames.
 *
 * Per-connection state hangs from the flow's storage (one pointer this
 * analyzer reserves, as the TCP analyzer does), on a list of the live
 * connections for on_tick, and is freed at on_flow_end.  Connection summaries (struct pd_iscsi_conn) are
 * kept in a bounded list that finish() publishes in struct pd_analysis
 * (`iscsi`) for the boot summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/crc32c.h"
#include "pktdoctor/cursor.h"
#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"
#include "pktdoctor/iscsi.h"
#include "pktdoctor/iscsi_pdu.h"
#include "pktdoctor/bus.h"
#include "pktdoctor/rootpath.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04

#define BHS_LEN PD_ISCSI_BHS_LEN
#define HDR_MAX (BHS_LEN + 255 * 4 + 4) /* BHS + largest AHS + HeaderDigest */
#define TEXT_CAP 65536          /* Login/Text data buffered per direction */
#define MAX_PENDING 256         /* outstanding commands tracked per connection */
#define MAX_LIVE 4096           /* iSCSI connections tracked at once */
#define MAX_LIST 100000         /* connection summaries kept */
#define MAX_QUEUED 2000         /* timeouts waiting for the reconnect check in finish() */
#define MAX_PORTS 16
#define VAL_LEN 128             /* stored key value (longer ones are cut) */
#define LOGIN_FRAMES 16
#define NO_ITT PD_ISCSI_RESERVED_TAG

/* ---- findings kept per connection ---- */

enum {
	I_LOGIN_FAILED, I_NEG, I_BURST, I_MRDSL, I_DIGEST, I_CMDSN, I_STATSN, I_LUN255, I__COUNT
};

static const char *const issue_id[I__COUNT] = {
	"iscsi.login_failed", "iscsi.negotiation_invalid", "iscsi.burst_order",
	"iscsi.mrdsl_exceeded", "iscsi.digest_bad", "iscsi.cmdsn_window", "iscsi.statsn_gap",
	"iscsi.lun_255",
};

static const uint8_t issue_sev[I__COUNT] = {
	PD_SEV_ERROR, PD_SEV_ERROR, PD_SEV_ERROR, PD_SEV_ERROR, PD_SEV_ERROR, PD_SEV_ERROR,
	PD_SEV_WARNING, PD_SEV_WARNING,
};

struct issue {
	struct pd_finding *f; /* built at the first occurrence */
	uint64_t n;           /* occurrences */
	uint64_t key;         /* its finding's key, once emitted (pd_analysis_emit) */
	bool unsent;          /* built, not emitted yet (issues_flush()) */
};

/* Why a direction stopped being parsed. */
enum desync_reason {
	DS_NONE, DS_GAP, DS_SNAPLEN, DS_MIDSTREAM, DS_BAD_OPCODE, DS_NOT_ISCSI,
};

static const char *const desync_name[] = {
	"", "sequence gap (segment not captured)", "snaplen cut the payload",
	"capture began inside the stream", "bad opcode for this direction (framing lost)",
	"not iSCSI: the connection does not begin with a login",
};

/* What the initiator did after a command it got no answer to. */
enum next_kind { NX_NONE, NX_NOP_OUT, NX_TMF, NX_LOGOUT, NX_FIN, NX_RST };

static const char *const next_name[] = {
	"nothing", "NOP-Out ping", "task management request", "logout", "FIN (closed the connection)",
	"RST (reset the connection)",
};

struct pending {          /* a SCSI Command or NOP-Out waiting for its response */
	uint32_t itt;         /* Initiator Task Tag */
	uint8_t opcode;       /* PD_ISCSI_OP_SCSI_CMD or PD_ISCSI_OP_NOP_OUT */
	uint8_t cdb0;         /* CDB operation code */
	uint8_t next;         /* enum next_kind: first initiator action after it */
	uint8_t next_detail;  /* TMF function or logout reason */
	int64_t ns;
	uint64_t frame;
	int64_t next_ns;
	uint64_t next_frame;
	bool overdue;         /* a tick found it past the timeout, unanswered */
};

struct nkey {             /* one negotiated key during the login */
	bool offered, answered;
	uint8_t offerer;      /* side: 0 initiator, 1 target */
	char offer[VAL_LEN], answer[VAL_LEN];
	uint64_t offer_frame, answer_frame;
};

enum { ST_HDR, ST_DATA, ST_DDIG };

struct rx {               /* one direction's stream (side 0: initiator -> target) */
	bool started;         /* the stream is being parsed (from a SYN or a plausible BHS) */
	bool syn;             /* the stream began at a captured SYN */
	bool trusted;         /* PDU boundaries are known (see header_done) */
	uint32_t parsed;      /* PDU headers parsed */
	uint8_t desync;       /* enum desync_reason; parsing stopped */
	uint64_t desync_frame;
	uint64_t lost_bytes;  /* bytes not parsed after the framing was lost */
	uint64_t bad_csum;    /* segments skipped for a bad TCP checksum */
	uint8_t stage;
	uint8_t hdr[HDR_MAX];     /* BHS + AHS + HeaderDigest as received */
	struct pd_iscsi_bhs bhs;  /* the BHS of the PDU being read, decoded */
	uint32_t hdr_have, hdr_need;
	uint32_t dlen;        /* DataSegmentLength of the PDU being read */
	uint32_t data_need;   /* data + padding */
	uint32_t data_have;
	bool hd, dd;          /* digests in force for this PDU */
	uint8_t ddig[4];
	uint32_t ddig_have;
	uint32_t crc;         /* running data digest register */
	bool text_pdu;        /* Login/Text: data goes to text[] */
	uint8_t *text;
	uint32_t text_len;
	bool text_cut;
	uint64_t text_cut_n;
};

struct conn {
	struct conn *prev, *next; /* the live connections, oldest first */
	uint64_t flow_id;
	int idir;             /* flow direction (0 = from A) the initiator sends in */
	bool syn_seen;
	struct rx rx[2];
	struct pd_iscsi_conn pub;
	bool ffp;             /* login completed: full feature phase */
	bool hd_on, dd_on;    /* digests in force for PDUs that start from now */
	uint32_t limit[2];    /* largest data segment side s may send */
	bool mrdsl_declared[2];
	uint32_t mrdsl_value[2];
	struct nkey keys[PD_ISCSI_KEY__NEGOTIATED];
	bool burst_side_reported[2];
	char redirect[VAL_LEN];    /* TargetAddress of a redirection */
	uint64_t login_frames[LOGIN_FRAMES];
	unsigned n_login_frames;
	bool statsn_valid;
	uint32_t exp_statsn;
	struct pending *pend;  /* grown 8, 16, ... MAX_PENDING */
	unsigned n_pend, cap_pend;
	uint64_t pend_dropped;
	uint64_t pend_first_dropped; /* frame of the first command not tracked */
	uint64_t commands_timed_out, answered_late;
	bool have_timeout;
	struct pending to;    /* the first command that timed out */
	bool to_pending;      /* ... still waiting (found overdue by a tick) */
	int64_t to_wait_ns;
	bool to_answered;
	uint64_t to_rsp_frame;
	uint64_t to_key;      /* its iscsi.timeout finding, once emitted (pd_analysis_emit) */
	const struct pd_flow *flow; /* the flow record, valid while the connection lives */
	uint32_t mrdsl_max[2];
	uint64_t mrdsl_n[2];
	uint64_t digest_n[2]; /* [0] header, [1] data */
	char neg_keys[96];    /* keys with invalid answers */
	bool fin[2], rst[2];
	struct issue is[I__COUNT];
	uint64_t login_key;   /* its iscsi.login, once emitted (pd_analysis_emit) */
	bool login_read_sent; /* ... with its first READ */
};

struct queued_timeout {   /* a timeout whose connection ended, for finish() */
	struct pd_finding f;
	uint64_t key;         /* the finding's key: finish() updates it */
	struct pd_addr initiator, target;
	uint16_t target_port;
	uint64_t flow_id;
	int64_t cmd_ns;
	bool next_found;
};

struct iscsi_state {
	struct pd_analysis *a;        /* where findings are emitted as they are known */
	int64_t timeout_ns;
	uint16_t ports[MAX_PORTS];
	unsigned n_ports;
	int storage;                  /* flow storage handle: a struct conn * per flow */
	struct conn *head, *tail;     /* live connections, in order of creation */
	size_t live;
	uint64_t overflow;            /* connections not tracked: MAX_LIVE reached */
	uint64_t over_ids[64];        /* recent untracked flow ids, to count each once */
	unsigned n_over;
	int64_t now_ns;
	struct pd_iscsi_conn *list;   /* summaries of ended connections */
	size_t n_list, cap_list;
	uint64_t list_dropped;
	struct queued_timeout *q;
	size_t nq, capq;
	uint64_t q_dropped;
	/* first frames of what the full tables did not track; commands past
	 * MAX_PENDING summed over the connections */
	uint64_t overflow_first, list_first, q_first;
	uint64_t pend_dropped, pend_first;
};

/* ---- public helpers ---- */

/* Opcodes each side may send (RFC 7143 11.2.1.2). */
static bool opcode_valid(int side, uint8_t op)
{
	if (side == 0)
		return op <= PD_ISCSI_OP_LOGOUT_REQ || op == PD_ISCSI_OP_SNACK || (op >= 0x1c && op <= 0x1e);
	return (op >= PD_ISCSI_OP_NOP_IN && op <= PD_ISCSI_OP_LOGOUT_RSP) || op == PD_ISCSI_OP_R2T ||
	       op == PD_ISCSI_OP_ASYNC ||
	       (op >= 0x3c && op <= 0x3f);
}



/* ---- state ---- */

int pd_iscsi_add_port(void *state, uint16_t port)
{
	struct iscsi_state *s = state;

	if (!port)
		return 0;
	for (unsigned i = 0; i < s->n_ports; i++)
		if (s->ports[i] == port)
			return 0;
	if (s->n_ports == MAX_PORTS)
		return -PD_ELIMIT;
	s->ports[s->n_ports++] = port;
	return 0;
}

void pd_iscsi_set_timeout(void *state, int64_t timeout_ns)
{
	struct iscsi_state *s = state;

	s->timeout_ns = timeout_ns > 0 ? timeout_ns : PD_ISCSI_TIMEOUT_DEFAULT_NS;
}

/* PD_BUS_ROOT_PATH from the DHCP analyzer: a root path in option 17
 * (RFC 2132 3.19, RFC 4173) names a port that carries iSCSI from now on.
 * A root path with other problems (a bad LUN or target name) still names
 * a usable port.  Root paths of option 43 (iSCSI HBAs) are not followed. */
static void on_root_path(void *state, struct pd_analysis *a, const struct pd_bus_event *ev)
{
	const struct pd_bus_root_path *e = &ev->u.root_path;

	(void)a;
	if (e->option != 17 || !e->rp ||
	    (e->rp->problems & (PD_RP_NO_PREFIX | PD_RP_TOO_FEW_FIELDS | PD_RP_BAD_PROTOCOL |
				PD_RP_BAD_PORT)))
		return;
	if (e->rp->port > 0 && e->rp->port <= 65535)
		pd_iscsi_add_port(state, (uint16_t)e->rp->port);
}

static int iscsi_init(struct pd_analysis *a, void **state)
{
	int rc;

	struct iscsi_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->timeout_ns = PD_ISCSI_TIMEOUT_DEFAULT_NS;
	if (a->opts && a->opts->iscsi_timeout_ns > 0)
		s->timeout_ns = a->opts->iscsi_timeout_ns;
	s->ports[s->n_ports++] = PD_ISCSI_PORT;
	s->a = a;
	/* each flow's connection, if it carries one, in the flow record:
	 * it lives exactly as long as its flow */
	s->storage = pd_flow_storage_reserve(a->flows, sizeof(struct conn *));
	if (s->storage < 0) {
		rc = s->storage;
		free(s);
		return rc;
	}
	*state = s;
	rc = pd_bus_subscribe(a, PD_BUS_ROOT_PATH, on_root_path, s);
	return rc == -PD_ELIMIT ? -PD_ENOMEM : rc;
}

static bool port_listed(const struct iscsi_state *s, uint16_t port)
{
	for (unsigned i = 0; i < s->n_ports; i++)
		if (s->ports[i] == port)
			return true;
	return false;
}

/* Where flow @f keeps its connection (NULL: none). */
static struct conn **conn_slot(const struct iscsi_state *s, const struct pd_flow *f)
{
	return pd_flow_storage(f, s->storage);
}

static void live_unlink(struct iscsi_state *s, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		s->tail = c->prev;
	c->prev = c->next = 0;
	s->live--;
}

static struct conn *conn_new(struct iscsi_state *s, const struct pd_flow *f, int dir,
			     const struct pd_packet *p)
{
	struct conn *c, **pp;
	bool a_srv = port_listed(s, f->key.port_a), b_srv = port_listed(s, f->key.port_b);
	int tdir; /* flow direction the target sends in */

	if (s->live >= MAX_LIVE || !(c = calloc(1, sizeof(*c)))) {
		for (unsigned i = 0; i < 64 && i < s->n_over; i++)
			if (s->over_ids[i] == f->id)
				return 0;
		s->over_ids[s->n_over++ % 64] = f->id;
		if (!s->overflow++)
			s->overflow_first = p->frame;
		return 0;
	}
	if (a_srv && !b_srv)
		tdir = 0;
	else if (b_srv && !a_srv)
		tdir = 1;
	else if ((p->tcp.flags & (TH_SYN | 0x10)) == TH_SYN)
		tdir = 1 - dir; /* both ports listed: the SYN's sender is the initiator */
	else
		tdir = f->init_is_a ? 1 : 0;
	c->flow_id = f->id;
	c->flow = f;
	c->idir = 1 - tdir;
	for (int side = 0; side < 2; side++) {
		int d = side == 0 ? c->idir : tdir;

		pd_flow_endpoint(f, d, &c->pub.addr[side]);
		c->pub.port[side] = d == 0 ? f->key.port_a : f->key.port_b;
		c->rx[side].hdr_need = BHS_LEN;
	}
	c->pub.flow_id = f->id;
	c->limit[0] = c->limit[1] = PD_ISCSI_DEFAULT_MRDSL;
	pp = conn_slot(s, f);
	*pp = c;
	c->prev = s->tail;
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->live++;
	return c;
}

/* ---- issues ---- */

static struct pd_finding *issue(struct conn *c, int id, uint64_t frame, bool *first)
{
	struct issue *is = &c->is[id];

	*first = false;
	is->n++;
	if (!is->f) {
		is->f = malloc(sizeof(*is->f));
		if (!is->f)
			return 0;
		pd_finding_init(is->f, issue_id[id], issue_sev[id]);
		is->unsent = true; /* the caller words it; issues_flush() emits it */
		*first = true;
	}
	pd_finding_add_frame(is->f, frame);
	return is->f;
}

static const char *side_name(int side)
{
	return side == 0 ? "initiator" : "target";
}

static void fmt_side(const struct conn *c, int side, char *buf, size_t len)
{
	char a[48];

	pd_addr_format(&c->pub.addr[side], a, sizeof(a));
	if (c->pub.addr[side].family == 6)
		snprintf(buf, len, "[%s]:%u", a, c->pub.port[side]);
	else
		snprintf(buf, len, "%s:%u", a, c->pub.port[side]);
}

/* ---- login text ---- */

static const char *stated_value(const struct nkey *k, int side)
{
	if (k->offered && k->offerer == side)
		return k->offer;
	if (k->answered && k->offerer != side)
		return k->answer;
	return 0;
}

static void neg_issue(struct conn *c, int side, const char *key, const char *offer,
		      const char *answer, int verdict, uint64_t frame)
{
	bool first;
	struct pd_finding *x = issue(c, I_NEG, frame, &first);
	size_t used = strlen(c->neg_keys);

	if (!strstr(c->neg_keys, key) && used + strlen(key) + 2 < sizeof(c->neg_keys))
		snprintf(c->neg_keys + used, sizeof(c->neg_keys) - used, "%s%s", used ? "," : "", key);
	if (!x || !first)
		return;
	if (offer)
		pd_finding_message(x, "The %s answered %s=%s to the offer %s=%s: %s (RFC 7143 6.2, 13)",
				   side_name(side), key, answer, key, offer, pd_iscsi_neg_name(verdict));
	else
		pd_finding_message(x, "The %s %s %s=%s: %s (RFC 7143 13)", side_name(side),
				   verdict == PD_ISCSI_NEG_BAD_OFFER ? "offered" : "declared", key,
				   answer, pd_iscsi_neg_name(verdict == PD_ISCSI_NEG_BAD_OFFER
								     ? PD_ISCSI_NEG_RANGE : verdict));
	pd_finding_ev_str(x, "key", "%s", key);
	if (offer)
		pd_finding_ev_str(x, "offered", "%s", offer);
	pd_finding_ev_str(x, offer ? "answered" : "value", "%s", answer);
	pd_finding_ev_str(x, "by", "%s", side_name(side));
	pd_finding_ev_str(x, "reason", "%s", pd_iscsi_neg_name(verdict));
	pd_finding_advice(x, "One side's iSCSI stack does not follow the negotiation rules; "
			     "the other side should reject the login. Set the key explicitly on "
			     "both sides (target config, initiator/iBFT settings) to a value both "
			     "accept, and update the misbehaving firmware or driver.");
}

static void burst_issue(struct conn *c, const char *source, uint64_t fb, uint64_t mb,
			uint64_t frame)
{
	bool first;
	struct pd_finding *x;
	const struct issue *is = &c->is[I_BURST];

	/* one login PDU can break the rule as stated and as negotiated:
	 * that is one problem, counted once */
	if (is->f && is->f->n_frames && is->f->frames[is->f->n_frames - 1] == frame)
		return;
	x = issue(c, I_BURST, frame, &first);
	if (!x || !first)
		return;
	pd_finding_message(x, "FirstBurstLength %llu is greater than MaxBurstLength %llu (%s); "
			      "RFC 7143 13.14: FirstBurstLength MUST NOT exceed MaxBurstLength",
			   (unsigned long long)fb, (unsigned long long)mb, source);
	pd_finding_ev_u64(x, "first_burst", fb);
	pd_finding_ev_u64(x, "max_burst", mb);
	pd_finding_ev_str(x, "source", "%s", source);
	pd_finding_advice(x, "Configure FirstBurstLength <= MaxBurstLength on the side named; "
			      "some targets then fail writes of unsolicited data.");
}

/* Check the FirstBurstLength/MaxBurstLength pair one side stated. */
static void burst_check_side(struct conn *c, int side, uint64_t frame)
{
	const char *fbs = stated_value(&c->keys[PD_ISCSI_KEY_FIRST_BURST], side);
	const char *mbs = stated_value(&c->keys[PD_ISCSI_KEY_MAX_BURST], side);
	uint64_t fb, mb;

	if (!fbs || !mbs || c->burst_side_reported[side])
		return;
	if (pd_iscsi_parse_number(fbs, &fb) || pd_iscsi_parse_number(mbs, &mb) || fb <= mb)
		return;
	c->burst_side_reported[side] = true;
	burst_issue(c, side == 0 ? "offered by the initiator" : "stated by the target", fb, mb,
		    frame);
}

static void copy_val(char *dst, size_t dlen, const struct pd_iscsi_kv *kv)
{
	size_t n = kv->value_len < dlen - 1 ? kv->value_len : dlen - 1;

	memcpy(dst, kv->value, n);
	dst[n] = 0;
	for (size_t i = 0; i < n; i++) /* keep the text printable */
		if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
			dst[i] = '.';
}

static bool key_is(const struct pd_iscsi_kv *kv, const char *name)
{
	return strlen(name) == kv->key_len && !memcmp(kv->key, name, kv->key_len);
}

static void text_parse(struct conn *c, int side, bool login, uint64_t frame)
{
	struct rx *r = &c->rx[side];
	struct pd_iscsi_kv kv;
	size_t off = 0;
	int rc, idx;
	char val[VAL_LEN];

	while ((rc = pd_iscsi_text_next(r->text, r->text_len, &off, &kv)) != 0) {
		const struct pd_iscsi_keydef *k;

		if (rc < 0)
			continue;
		copy_val(val, sizeof(val), &kv);
		if (key_is(&kv, "InitiatorName") && side == 0) {
			copy_val(c->pub.initiator_name, sizeof(c->pub.initiator_name), &kv);
			continue;
		}
		if (key_is(&kv, "TargetName")) {
			if (side == 0 && login)
				copy_val(c->pub.target_name, sizeof(c->pub.target_name), &kv);
			if (side == 1 && !login) { /* a SendTargets answer */
				if (!c->pub.targets_discovered)
					copy_val(c->pub.discovered_target,
						 sizeof(c->pub.discovered_target), &kv);
				c->pub.targets_discovered++;
			}
			continue;
		}
		if (key_is(&kv, "SessionType") && side == 0) {
			c->pub.session_type = !strcmp(val, "Discovery") ? PD_ISCSI_SESSION_DISCOVERY
									: PD_ISCSI_SESSION_NORMAL;
			continue;
		}
		if (key_is(&kv, "TargetAddress") && side == 1) {
			snprintf(c->redirect, sizeof(c->redirect), "%s", val);
			continue;
		}
		k = pd_iscsi_key_find(kv.key, kv.key_len, &idx);
		if (!k)
			continue;
		if (idx == PD_ISCSI_KEY_MRDSL) {
			uint64_t n = 0;

			if (pd_iscsi_check_value(k->name, val) != PD_ISCSI_NEG_OK) {
				neg_issue(c, side, k->name, 0, val, PD_ISCSI_NEG_RANGE, frame);
				continue;
			}
			pd_iscsi_parse_number(val, &n);
			c->mrdsl_declared[side] = true;
			c->mrdsl_value[side] = (uint32_t)n;
			if (c->ffp) { /* a Text declaration in full feature phase */
				c->pub.mrdsl[side] = (uint32_t)n;
				c->limit[1 - side] = (uint32_t)n;
			}
			continue;
		}
		if (!login)
			continue; /* operational keys are negotiated in the login only */
		{
			struct nkey *nk = &c->keys[idx];

			if (!nk->offered) {
				int v = pd_iscsi_check_value(k->name, val);

				nk->offered = true;
				nk->offerer = (uint8_t)side;
				snprintf(nk->offer, sizeof(nk->offer), "%s", val);
				nk->offer_frame = frame;
				if (v != PD_ISCSI_NEG_OK)
					neg_issue(c, side, k->name, 0, val, PD_ISCSI_NEG_BAD_OFFER, frame);
			} else if (nk->offerer != side && !nk->answered) {
				int v;

				nk->answered = true;
				snprintf(nk->answer, sizeof(nk->answer), "%s", val);
				nk->answer_frame = frame;
				v = pd_iscsi_negotiate(k->name, nk->offer, nk->answer, 0, 0);
				if (v != PD_ISCSI_NEG_OK && v != PD_ISCSI_NEG_BAD_OFFER)
					neg_issue(c, side, k->name, nk->offer, nk->answer, v, frame);
			}
		}
	}
	if (login)
		burst_check_side(c, side, frame);
}

/* The Login Final-Response accepted the login: compute what is in force. */
static void login_complete(struct conn *c, uint64_t frame, int64_t ns)
{
	char res[PD_ISCSI_KEY__NEGOTIATED][VAL_LEN];
	uint64_t fb, mb, n;

	for (int i = 0; i < PD_ISCSI_KEY__NEGOTIATED; i++) {
		const struct nkey *k = &c->keys[i];

		if (k->offered)
			pd_iscsi_negotiate(pd_iscsi_keydefs[i].name, k->offer, k->answered ? k->answer : 0,
					   res[i], sizeof(res[i]));
		else
			snprintf(res[i], sizeof(res[i]), "%s", pd_iscsi_keydefs[i].def);
	}
	c->pub.header_digest = !strcmp(res[PD_ISCSI_KEY_HEADER_DIGEST], "CRC32C");
	c->pub.data_digest = !strcmp(res[PD_ISCSI_KEY_DATA_DIGEST], "CRC32C");
	c->pub.immediate_data = !strcmp(res[PD_ISCSI_KEY_IMMEDIATE_DATA], "Yes");
	c->pub.initial_r2t = !strcmp(res[PD_ISCSI_KEY_INITIAL_R2T], "Yes");
	fb = pd_iscsi_parse_number(res[PD_ISCSI_KEY_FIRST_BURST], &n) ? PD_ISCSI_DEFAULT_FIRST_BURST : n;
	mb = pd_iscsi_parse_number(res[PD_ISCSI_KEY_MAX_BURST], &n) ? PD_ISCSI_DEFAULT_MAX_BURST : n;
	c->pub.first_burst = (uint32_t)fb;
	c->pub.max_burst = (uint32_t)mb;
	c->pub.max_outstanding_r2t =
		pd_iscsi_parse_number(res[PD_ISCSI_KEY_MAX_OUT_R2T], &n) ? 1 : (uint32_t)n;
	for (int side = 0; side < 2; side++)
		c->pub.mrdsl[side] = c->mrdsl_declared[side] ? c->mrdsl_value[side]
							     : PD_ISCSI_DEFAULT_MRDSL;
	/* each side declares what it can receive: the initiator's value limits
	 * what the target sends and the other way round (13.12) */
	c->limit[0] = c->pub.mrdsl[1];
	c->limit[1] = c->pub.mrdsl[0];
	/* FirstBurstLength is irrelevant with InitialR2T=Yes and ImmediateData=No (13.14) */
	if (fb > mb && c->keys[PD_ISCSI_KEY_FIRST_BURST].offered &&
	    !(c->pub.initial_r2t && !c->pub.immediate_data))
		burst_issue(c, "negotiated", fb, mb, frame);
	if (c->pub.session_type == PD_ISCSI_SESSION_UNKNOWN)
		c->pub.session_type = PD_ISCSI_SESSION_NORMAL; /* the default (13.21) */
	c->hd_on = c->pub.header_digest;
	c->dd_on = c->pub.data_digest;
	c->ffp = true;
	c->pub.state = PD_ISCSI_LOGIN_OK;
	c->pub.login_done_ns = ns;
	c->pub.login_done_frame = frame;
}

static void login_frame(struct conn *c, uint64_t frame)
{
	if (c->n_login_frames < LOGIN_FRAMES &&
	    (!c->n_login_frames || c->login_frames[c->n_login_frames - 1] != frame))
		c->login_frames[c->n_login_frames++] = frame;
}

static void login_failed(struct conn *c, uint16_t status, uint64_t frame, int64_t ns)
{
	bool first;
	struct pd_finding *x;
	uint8_t cls = (uint8_t)(status >> 8);

	c->pub.state = PD_ISCSI_LOGIN_FAILED;
	c->pub.login_done_ns = ns;
	c->pub.login_done_frame = frame;
	x = issue(c, I_LOGIN_FAILED, frame, &first);
	if (!x || !first)
		return;
	if (cls == 1) /* a redirection is not a failure if the initiator follows it */
		x->severity = PD_SEV_WARNING;
	pd_finding_message(x, "Login%s%s %s: Status-Class 0x%02x Status-Detail 0x%02x (%s)%s%s",
			   c->pub.target_name[0] ? " to " : "", c->pub.target_name,
			   cls == 1 ? "redirected" : "rejected", cls, status & 0xff,
			   pd_iscsi_login_status_name(status), c->redirect[0] ? " to " : "",
			   c->redirect);
	pd_finding_ev_hex16(x, "status", status);
	pd_finding_ev_u64(x, "status_class", cls);
	pd_finding_ev_u64(x, "status_detail", status & 0xffu);
	pd_finding_ev_str(x, "status_text", "%s", pd_iscsi_login_status_name(status));
	if (c->pub.target_name[0])
		pd_finding_ev_str(x, "target_name", "%s", c->pub.target_name);
	if (c->pub.initiator_name[0])
		pd_finding_ev_str(x, "initiator_name", "%s", c->pub.initiator_name);
	if (c->redirect[0])
		pd_finding_ev_str(x, "target_address", "%s", c->redirect);
	switch (status) {
	case 0x0201:
		pd_finding_advice(x, "Authentication failed: check the CHAP user name and secret "
				      "configured in the initiator (iBFT/firmware/iPXE) against the "
				      "target's account for it.");
		break;
	case 0x0202:
		pd_finding_advice(x, "The target's ACL does not admit this InitiatorName: add it "
				      "to the target's ACL (targetcli .../acls create, tgtadm "
				      "--op bind) or fix the initiator name the boot firmware sends.");
		break;
	case 0x0203:
	case 0x0204:
		pd_finding_advice(x, "The TargetName is not served on this portal: compare it "
				      "with the DHCP root path / iBFT target name and the target's "
				      "configuration, byte for byte.");
		break;
	default:
		if (cls == 1)
			pd_finding_advice(x, "The target redirects to TargetAddress; the initiator "
					      "must log in there. Check that it does and that the "
					      "address is reachable from the initiator.");
		else if (cls == 3)
			pd_finding_advice(x, "The target failed: look at its logs and resources; "
					      "the initiator may retry later.");
		else
			pd_finding_advice(x, "The target refused the login request: check the "
					      "login parameters the initiator sends.");
	}
}

/* ---- header-time checks ---- */

static void check_cmdsn(struct conn *c, const struct pd_iscsi_bhs *h, uint64_t frame)
{
	uint8_t op = h->opcode;
	uint32_t exp = h->expcmdsn, max = h->maxcmdsn;
	bool first;
	struct pd_finding *x;

	if (!c->rx[1].trusted)
		return;
	/* RFC 7143 4.2.2.1: MaxCmdSN - ExpCmdSN + 1 is the window; MaxCmdSN
	 * MUST NOT be less than ExpCmdSN - 1 (serial arithmetic, RFC 1982) */
	if ((int32_t)(max - (exp - 1u)) >= 0)
		return;
	x = issue(c, I_CMDSN, frame, &first);
	if (!x || !first)
		return;
	pd_finding_message(x, "%s from the target carries MaxCmdSN %u below ExpCmdSN - 1 = %u "
			      "(window %d): RFC 7143 4.2.2.1 forbids it, initiators ignore it",
			   pd_iscsi_opcode_name(op), max, exp - 1u, (int32_t)(max - exp) + 1);
	pd_finding_ev_str(x, "opcode", "%s", pd_iscsi_opcode_name(op));
	pd_finding_ev_u64(x, "exp_cmdsn", exp);
	pd_finding_ev_u64(x, "max_cmdsn", max);
	pd_finding_ev_i64(x, "window", (int32_t)(max - exp) + 1);
	pd_finding_advice(x, "A target bug in its command window accounting: the initiator "
			      "cannot send new commands while the window looks closed. Update the "
			      "target software/firmware.");
}

static void check_statsn(struct conn *c, uint8_t op, uint32_t statsn, uint64_t frame)
{
	bool first;
	struct pd_finding *x;

	if (!c->statsn_valid) {
		c->statsn_valid = true;
		c->exp_statsn = statsn + 1u;
		return;
	}
	if (statsn == c->exp_statsn) {
		c->exp_statsn++;
		return;
	}
	if (!c->rx[1].trusted) {
		c->exp_statsn = statsn + 1u;
		return;
	}
	x = issue(c, I_STATSN, frame, &first);
	if (x && first) {
		pd_finding_message(x, "%s carries StatSN %u where %u was expected (%+d): status "
				      "was skipped or repeated (RFC 7143 4.2.2.2)",
				   pd_iscsi_opcode_name(op), statsn, c->exp_statsn,
				   (int32_t)(statsn - c->exp_statsn));
		pd_finding_ev_str(x, "opcode", "%s", pd_iscsi_opcode_name(op));
		pd_finding_ev_u64(x, "expected", c->exp_statsn);
		pd_finding_ev_u64(x, "got", statsn);
		pd_finding_ev_i64(x, "delta", (int32_t)(statsn - c->exp_statsn));
		pd_finding_advice(x, "Status PDUs were lost in the target or the StatSN counter "
				      "is wrong; with ErrorRecoveryLevel 0 the initiator will "
				      "eventually drop the connection. Check the target software.");
	}
	c->exp_statsn = statsn + 1u;
}

static void timeout_emit(struct iscsi_state *s, struct conn *c);

/* Is @pe the command the connection's iscsi.timeout finding names? */
static bool is_to(const struct conn *c, const struct pending *pe)
{
	return c->have_timeout && c->to.frame == pe->frame && c->to.itt == pe->itt;
}

static void next_action(struct iscsi_state *s, struct conn *c, uint8_t kind, uint8_t detail,
			int64_t ns, uint64_t frame)
{
	bool changed = false;

	for (unsigned i = 0; i < c->n_pend; i++) {
		struct pending *pe = &c->pend[i];

		if (pe->next == NX_NONE && pe->ns <= ns && pe->frame != frame) {
			pe->next = kind;
			pe->next_detail = detail;
			pe->next_ns = ns;
			pe->next_frame = frame;
			if (c->to_pending && is_to(c, pe)) {
				c->to = *pe;
				changed = true;
			}
		}
	}
	if (changed) /* the timed-out command's finding learns what came next */
		timeout_emit(s, c);
}

/* Command @pe waited @wait ns, more than the timeout: count it, and if it
 * is the first (or the one already named), it is the one the finding
 * names; @emit: update the finding now (not when the connection ends). */
static void timed_out(struct iscsi_state *s, struct conn *c, const struct pending *pe,
		      int64_t wait, bool answered, uint64_t rsp_frame, bool emit)
{
	if (answered)
		c->answered_late++;
	else
		c->commands_timed_out++;
	if (c->have_timeout && !is_to(c, pe))
		return;
	c->have_timeout = true;
	c->to = *pe;
	c->to_pending = false;
	c->to_wait_ns = wait;
	c->to_answered = answered;
	c->to_rsp_frame = rsp_frame;
	if (emit)
		timeout_emit(s, c);
}

static void pend_add(struct iscsi_state *s, struct conn *c, uint8_t op, uint32_t itt,
		     uint8_t cdb0, int64_t ns, uint64_t frame)
{
	struct pending *pe;

	for (unsigned i = 0; i < c->n_pend; i++)
		if (c->pend[i].itt == itt) { /* tag reused: the old one is gone */
			if (c->pend[i].overdue) /* already reported as unanswered */
				timed_out(s, c, &c->pend[i], ns - c->pend[i].ns, false, 0, true);
			c->pend[i] = c->pend[--c->n_pend];
			break;
		}
	if (c->n_pend == c->cap_pend) {
		unsigned cap = c->cap_pend ? c->cap_pend * 2 : 8;
		struct pending *v;

		if (cap > MAX_PENDING || !(v = realloc(c->pend, cap * sizeof(*v)))) {
			if (!c->pend_dropped++)
				c->pend_first_dropped = frame;
			return;
		}
		c->pend = v;
		c->cap_pend = cap;
	}
	pe = &c->pend[c->n_pend++];
	memset(pe, 0, sizeof(*pe));
	pe->itt = itt;
	pe->opcode = op;
	pe->cdb0 = cdb0;
	pe->ns = ns;
	pe->frame = frame;
}

static void pend_answer(struct iscsi_state *s, struct conn *c, uint32_t itt, int64_t ns,
			uint64_t frame)
{
	for (unsigned i = 0; i < c->n_pend; i++) {
		struct pending *pe = &c->pend[i];

		if (pe->itt != itt)
			continue;
		if (ns - pe->ns > s->timeout_ns) /* answered late: known now */
			timed_out(s, c, pe, ns - pe->ns, true, frame, true);
		c->pend[i] = c->pend[--c->n_pend];
		return;
	}
}

/* Time is @now: a command whose wait passed the timeout is known to have
 * timed out now, before any response comes (if one does). */
static void conn_tick(struct iscsi_state *s, struct conn *c, int64_t now)
{
	for (unsigned i = 0; i < c->n_pend; i++) {
		struct pending *pe = &c->pend[i];

		if (pe->overdue || now - pe->ns <= s->timeout_ns)
			continue;
		pe->overdue = true;
		if (c->have_timeout)
			continue; /* counted when it is answered or the connection ends */
		c->have_timeout = true;
		c->to = *pe;
		c->to_pending = true;
		c->to_wait_ns = now - pe->ns;
		c->to_answered = false;
		c->to_rsp_frame = 0;
		timeout_emit(s, c);
	}
}

static void lun_check(struct conn *c, const struct pd_iscsi_bhs *h, uint64_t frame)
{
	const uint8_t *lun = h->lun;

	struct pd_iscsi_lun l;
	bool first;
	struct pd_finding *x;

	if (!c->rx[0].trusted)
		return;
	pd_iscsi_lun_decode(lun, &l);
	if (!l.single_level || l.lun != 255 || l.method > 1)
		return;
	x = issue(c, I_LUN255, frame, &first);
	if (!x || !first)
		return;
	pd_finding_message(x, "SCSI Command (CDB 0x%02x) to LUN 255 (LUN field "
			      "%02x%02x%02x%02x%02x%02x%02x%02x, %s addressing): the Microsoft iSCSI "
			      "initiator does not accept LUN 255 as a boot disk",
			   h->cdb[0], lun[0], lun[1], lun[2], lun[3], lun[4], lun[5], lun[6], lun[7],
			   l.method ? "flat space" : "peripheral device");
	pd_finding_ev_u64(x, "lun", l.lun);
	pd_finding_ev_str(x, "lun_field", "%02x%02x%02x%02x%02x%02x%02x%02x", lun[0], lun[1],
			  lun[2], lun[3], lun[4], lun[5], lun[6], lun[7]);
	pd_finding_ev_str(x, "addressing", "%s", l.method ? "flat space" : "peripheral device");
	pd_finding_ev_str(x, "cdb_opcode", "0x%02x", h->cdb[0]);
	pd_finding_advice(x, "Map the boot disk at a LUN below 255 (LUN 0 is the usual choice) "
			      "on the target and in the DHCP root path / iBFT.");
}

static bool is_read_cdb(uint8_t op)
{
	return op == 0x08 || op == 0x28 || op == 0xa8 || op == 0x88;
}

static void mrdsl_check(struct conn *c, int side, uint8_t op, uint32_t dlen, uint64_t frame)
{
	uint32_t limit;
	const char *src;
	bool first;
	struct pd_finding *x;
	char snd[64];

	if (c->ffp) {
		limit = c->limit[side];
		src = c->mrdsl_declared[1 - side] ? "declared" : "default (not declared)";
	} else if (c->pub.login_frame) {
		/* RFC 7143 6.3: "The default MaxRecvDataSegmentLength is used
		 * during Login." */
		limit = PD_ISCSI_DEFAULT_MRDSL;
		src = "default (login phase)";
	} else {
		return; /* login not captured: the limits are unknown */
	}
	if (dlen <= limit)
		return;
	c->mrdsl_n[side]++;
	if (dlen > c->mrdsl_max[side])
		c->mrdsl_max[side] = dlen;
	x = issue(c, I_MRDSL, frame, &first);
	if (!x || !first)
		return;
	fmt_side(c, side, snd, sizeof(snd));
	pd_finding_message(x, "The %s (%s) sent a %u-byte data segment in a %s, above the %u-byte "
			      "MaxRecvDataSegmentLength of the %s (%s)",
			   side_name(side), snd, dlen, pd_iscsi_opcode_name(op), limit,
			   side_name(1 - side), src);
	pd_finding_ev_str(x, "sender", "%s", side_name(side));
	pd_finding_ev_u64(x, "limit", limit);
	pd_finding_ev_str(x, "limit_source", "%s", src);
	pd_finding_ev_u64(x, "data_segment_length", dlen);
	pd_finding_ev_str(x, "opcode", "%s", pd_iscsi_opcode_name(op));
	pd_finding_advice(x, "The receiver may drop the connection (RFC 7143 13.12). Check the "
			      "sender's MaxXmitDataSegmentLength/MaxRecvDataSegmentLength settings "
			      "against what its peer declared in the login.");
}

static void digest_issue(struct conn *c, int side, int kind, uint8_t op, uint32_t is,
			 uint32_t should, uint64_t frame)
{
	bool first;
	struct pd_finding *x;

	c->digest_n[kind]++;
	x = issue(c, I_DIGEST, frame, &first);
	if (!x || !first)
		return;
	pd_finding_message(x, "%s digest mismatch in a %s from the %s: is 0x%08x, should be 0x%08x",
			   kind ? "Data" : "Header", pd_iscsi_opcode_name(op), side_name(side), is,
			   should);
	pd_finding_ev_str(x, "kind", "%s", kind ? "data" : "header");
	pd_finding_ev_str(x, "sender", "%s", side_name(side));
	pd_finding_ev_str(x, "opcode", "%s", pd_iscsi_opcode_name(op));
	pd_finding_ev_str(x, "is", "0x%08x", is);
	pd_finding_ev_str(x, "should", "0x%08x", should);
	/* as the bytes are sent, least significant first (RFC 3720 B.4); this
	 * is what Wireshark shows as the digest's value */
	pd_finding_ev_str(x, "is_wire", "%02x%02x%02x%02x", is & 0xffu, (is >> 8) & 0xffu,
			  (is >> 16) & 0xffu, is >> 24);
	pd_finding_advice(x, "The bytes changed after the sender computed the CRC32C: look for "
			      "NIC/driver offload bugs, bad memory or a middlebox rewriting data. "
			      "If the capture was taken on the sender with segmentation offload, "
			      "check the receiver's view too.");
}

/* The header (BHS + AHS + HeaderDigest) of a PDU is complete: r->hdr
 * holds its bytes (for the digest), r->bhs the BHS decoded. */
static void header_done(struct iscsi_state *s, struct conn *c, int side, const struct pd_packet *p)
{
	struct rx *r = &c->rx[side];
	const struct pd_iscsi_bhs *h = &r->bhs;
	uint8_t op = h->opcode;
	uint32_t ahs = (uint32_t)h->total_ahs_length * 4u, dlen = h->data_segment_length;
	uint32_t itt = h->initiator_task_tag, statsn = h->statsn;

	r->dlen = dlen;
	r->data_need = dlen + ((4u - (dlen & 3u)) & 3u);
	r->data_have = 0;
	r->ddig_have = 0;
	r->dd = c->dd_on && dlen > 0;
	r->crc = PD_CRC32C_INIT;
	r->text_pdu = op == PD_ISCSI_OP_LOGIN_REQ || op == PD_ISCSI_OP_LOGIN_RSP ||
		      op == PD_ISCSI_OP_TEXT_REQ || op == PD_ISCSI_OP_TEXT_RSP;
	if (r->hd) {
		uint32_t want = pd_crc32c(r->hdr, BHS_LEN + ahs);
		uint32_t got = pd_crc32c_get_wire(r->hdr + BHS_LEN + ahs);

		if (want != got)
			digest_issue(c, side, 0, op, got, want, p->frame);
	}
	c->pub.pdus[side]++;
	/* A stream picked up without its SYN starts at a guessed PDU
	 * boundary: its sequence-number and LUN checks wait until a Login
	 * PDU or five headers in a row have parsed (a wrong guess soon
	 * meets an opcode this side cannot send and stops parsing).  With
	 * the SYN, the first PDU is a Login one (checked in rx_feed). */
	if (!r->trusted &&
	    (op == PD_ISCSI_OP_LOGIN_REQ || op == PD_ISCSI_OP_LOGIN_RSP || ++r->parsed >= 5))
		r->trusted = true;
	if (!c->pub.first_frame) {
		c->pub.first_frame = p->frame;
		c->pub.first_ns = p->ts_ns;
	}
	if (side == 0 && op == PD_ISCSI_OP_LOGIN_REQ) {
		if (!c->pub.login_frame) {
			c->pub.login_frame = p->frame;
			c->pub.login_ns = p->ts_ns;
			if (c->pub.state == PD_ISCSI_LOGIN_UNSEEN)
				c->pub.state = PD_ISCSI_LOGIN_STARTED;
		}
		login_frame(c, p->frame);
	}
	mrdsl_check(c, side, op, dlen, p->frame);
	if (side == 0) {
		switch (op) {
		case PD_ISCSI_OP_SCSI_CMD:
			c->pub.commands++;
			lun_check(c, h, p->frame);
			if (is_read_cdb(h->cdb[0]) && !c->pub.first_read_frame) {
				c->pub.first_read_frame = p->frame;
				c->pub.first_read_ns = p->ts_ns;
				c->pub.first_read_cdb = h->cdb[0];
			}
			pend_add(s, c, op, itt, h->cdb[0], p->ts_ns, p->frame);
			break;
		case PD_ISCSI_OP_NOP_OUT:
			if (itt != NO_ITT) {
				next_action(s, c, NX_NOP_OUT, 0, p->ts_ns, p->frame);
				pend_add(s, c, op, itt, 0, p->ts_ns, p->frame);
			}
			break;
		case PD_ISCSI_OP_TMF_REQ:
			next_action(s, c, NX_TMF, h->function, p->ts_ns, p->frame);
			break;
		case PD_ISCSI_OP_LOGOUT_REQ:
			next_action(s, c, NX_LOGOUT, h->function, p->ts_ns, p->frame);
			break;
		default:
			break;
		}
		return;
	}
	switch (op) {
	case PD_ISCSI_OP_LOGIN_RSP:
		login_frame(c, p->frame);
		if (h->status_class == 0) { /* the SN fields are valid with Status-Class 0 */
			check_cmdsn(c, h, p->frame);
			check_statsn(c, op, statsn, p->frame);
		}
		break;
	case PD_ISCSI_OP_SCSI_RSP:
		check_cmdsn(c, h, p->frame);
		check_statsn(c, op, statsn, p->frame);
		pend_answer(s, c, itt, p->ts_ns, p->frame);
		break;
	case PD_ISCSI_OP_DATA_IN:
		check_cmdsn(c, h, p->frame);
		if (h->status_present) { /* S bit: status, StatSN valid (11.7) */
			check_statsn(c, op, statsn, p->frame);
			pend_answer(s, c, itt, p->ts_ns, p->frame);
		}
		break;
	case PD_ISCSI_OP_NOP_IN:
		check_cmdsn(c, h, p->frame);
		if (itt != NO_ITT) { /* a reply: StatSN advances (11.19) */
			check_statsn(c, op, statsn, p->frame);
			pend_answer(s, c, itt, p->ts_ns, p->frame);
		}
		break;
	case PD_ISCSI_OP_TMF_RSP:
	case PD_ISCSI_OP_TEXT_RSP:
	case PD_ISCSI_OP_LOGOUT_RSP:
	case PD_ISCSI_OP_ASYNC:
	case PD_ISCSI_OP_REJECT:
		check_cmdsn(c, h, p->frame);
		check_statsn(c, op, statsn, p->frame);
		break;
	case PD_ISCSI_OP_R2T: /* carries the next StatSN without advancing it */
		check_cmdsn(c, h, p->frame);
		break;
	default:
		break;
	}
}

/* The whole PDU, digests included, has been read. */
static void pdu_done(struct conn *c, int side, const struct pd_packet *p)
{
	struct rx *r = &c->rx[side];
	const struct pd_iscsi_bhs *h = &r->bhs;
	uint8_t op = h->opcode;
	bool cont = h->cont; /* C bit of Login and Text PDUs */

	if (r->dd) {
		uint32_t want = pd_crc32c_final(r->crc), got = pd_crc32c_get_wire(r->ddig);

		if (want != got)
			digest_issue(c, side, 1, op, got, want, p->frame);
	}
	if (r->text_pdu && !cont) {
		bool login = op == PD_ISCSI_OP_LOGIN_REQ || op == PD_ISCSI_OP_LOGIN_RSP;

		if (r->text_len)
			text_parse(c, side, login, p->frame);
		r->text_len = 0;
		r->text_cut = false;
	}
	if (op == PD_ISCSI_OP_LOGIN_RSP && side == 1) {
		uint16_t status = (uint16_t)(h->status_class << 8 | h->status_detail);

		c->pub.status_valid = true;
		c->pub.login_status = status;
		if (status >> 8)
			login_failed(c, status, p->frame, p->ts_ns);
		else if (h->transit && h->nsg == 3 && !cont) /* into full feature phase */
			login_complete(c, p->frame, p->ts_ns);
	}
	r->stage = ST_HDR;
	r->hdr_have = 0;
	r->hdr_need = BHS_LEN;
}

static void desync(struct rx *r, int reason, uint64_t frame)
{
	if (r->desync)
		return;
	r->desync = (uint8_t)reason;
	r->desync_frame = frame;
}

static void text_append(struct rx *r, const uint8_t *b, uint32_t n)
{
	uint32_t room;

	if (!n)
		return;
	if (!r->text) {
		r->text = malloc(TEXT_CAP);
		if (!r->text) {
			r->text_cut = true;
			r->text_cut_n++;
			return;
		}
	}
	room = TEXT_CAP - r->text_len;
	if (n > room) {
		if (!r->text_cut)
			r->text_cut_n++;
		r->text_cut = true;
		n = room;
	}
	memcpy(r->text + r->text_len, b, n);
	r->text_len += n;
}

/* Feed in-order stream bytes of one direction. */
static void rx_feed(struct iscsi_state *s, struct conn *c, int side, struct pd_cursor *cur,
		    const struct pd_packet *p)
{
	struct rx *r = &c->rx[side];

	while (pd_cur_remaining(cur) && !r->desync) {
		size_t avail = pd_cur_remaining(cur);
		uint32_t take;

		switch (r->stage) {
		case ST_HDR:
			take = r->hdr_need - r->hdr_have;
			if (take > avail)
				take = (uint32_t)avail;
			pd_cur_copy(cur, r->hdr + r->hdr_have, take);
			r->hdr_have += take;
			if (r->hdr_have < r->hdr_need)
				break;
			if (r->hdr_need == BHS_LEN) {
				uint8_t op;

				pd_iscsi_bhs_decode(r->hdr, BHS_LEN, &r->bhs);
				op = r->bhs.opcode;

				/* RFC 7143 6.3: a connection begins with the Login
				 * Phase; anything else on the port is not iSCSI */
				if (r->syn && !c->pub.pdus[side] &&
				    (r->bhs.reserved_bit ||
				     op != (side == 0 ? PD_ISCSI_OP_LOGIN_REQ : PD_ISCSI_OP_LOGIN_RSP))) {
					desync(&c->rx[0], DS_NOT_ISCSI, p->frame);
					desync(&c->rx[1], DS_NOT_ISCSI, p->frame);
					break;
				}
				if (r->bhs.reserved_bit || !opcode_valid(side, op)) {
					desync(r, DS_BAD_OPCODE, p->frame);
					break;
				}
				r->hd = c->hd_on;
				r->hdr_need = BHS_LEN + (uint32_t)r->bhs.total_ahs_length * 4u +
					      (r->hd ? 4u : 0u);
				if (r->hdr_have < r->hdr_need)
					break;
			}
			header_done(s, c, side, p);
			if (r->data_need)
				r->stage = ST_DATA;
			else
				pdu_done(c, side, p);
			break;
		case ST_DATA: {
			const uint8_t *b = pd_cur_ptr(cur);

			take = r->data_need - r->data_have;
			if (take > avail)
				take = (uint32_t)avail;
			if (r->dd)
				r->crc = pd_crc32c_update(r->crc, b, take);
			if (r->text_pdu && r->data_have < r->dlen) {
				uint32_t t = r->dlen - r->data_have;

				text_append(r, b, t < take ? t : take);
			}
			pd_cur_skip(cur, take);
			r->data_have += take;
			if (r->data_have < r->data_need)
				break;
			if (r->dd)
				r->stage = ST_DDIG;
			else
				pdu_done(c, side, p);
			break;
		}
		case ST_DDIG:
			take = 4 - r->ddig_have;
			if (take > avail)
				take = (uint32_t)avail;
			pd_cur_copy(cur, r->ddig + r->ddig_have, take);
			r->ddig_have += take;
			if (r->ddig_have == 4)
				pdu_done(c, side, p);
			break;
		}
	}
}

/* Could a PDU start at byte @off of the payload (@n bytes captured)?  For
 * a stream whose SYN was not captured. */
static bool plausible_bhs(const struct pd_packet *p, uint32_t off, uint32_t n, int side)
{
	struct pd_cursor cur;
	uint8_t b0;

	if (off >= n)
		return false;
	pd_cur_init(&cur, p->payload, n, n);
	pd_cur_skip(&cur, off);
	b0 = pd_cur_peek_u8(&cur);
	return !(b0 & 0x80) && opcode_valid(side, b0 & 0x3f);
}

/* One segment of a side's byte stream, as the TCP stream layer delivers
 * it (tcpstream.h): in order, retransmitted bytes already skipped. */
static void rx_segment(struct iscsi_state *s, struct conn *c, int side, const struct pd_packet *p,
		       const struct pd_tcp_seg *sg)
{
	struct rx *r = &c->rx[side];
	uint32_t len = p->tcp.payload_len, cap;
	struct pd_cursor cur;

	if (sg->stream_start && sg->start_at_syn && !r->started) {
		r->started = true;
		r->syn = true; /* the stream starts with a PDU */
	}
	if (!len)
		return;
	if (r->desync) {
		r->lost_bytes += len;
		return;
	}
	if (sg->csum_dropped) {
		r->bad_csum++; /* the receiver drops it; its retransmission counts */
		return;
	}
	cap = p->payload_caplen < len ? p->payload_caplen : len;
	if (!r->started) {
		if (!sg->data_len)
			return; /* nothing new to start on */
		if (!plausible_bhs(p, sg->data_off, cap, side)) {
			desync(r, DS_MIDSTREAM, p->frame);
			r->lost_bytes += len;
			return;
		}
		r->started = true;
	} else if (sg->gap) {
		desync(r, DS_GAP, p->frame);
		r->lost_bytes += len;
		return;
	}
	if (!sg->data_len)
		return; /* a retransmission of bytes already parsed */
	if (sg->data_off < cap) {
		pd_cur_init(&cur, p->payload, cap, len);
		pd_cur_skip(&cur, sg->data_off);
		rx_feed(s, c, side, &cur, p);
	}
	if (cap < len && !r->desync) {
		desync(r, DS_SNAPLEN, p->frame);
		r->lost_bytes += len - cap;
	}
}

static void conn_finish(struct iscsi_state *s, struct pd_analysis *a, const struct pd_flow *f,
			struct conn *c);

/* Issue @id of @c as a finding (@out) with the connection's counts so far. */
static void issue_version(const struct conn *c, int id, struct pd_finding *out, const char *flow)
{
	const struct issue *is = &c->is[id];
	struct pd_finding *x = out;

	*x = *is->f;
	pd_finding_flow(x, "%s", flow);
	pd_finding_ev_u64(x, "count", is->n);
	if (id == I_MRDSL) {
		pd_finding_ev_u64(x, "initiator_to_target", c->mrdsl_n[0]);
		pd_finding_ev_u64(x, "target_to_initiator", c->mrdsl_n[1]);
		pd_finding_ev_u64(x, "max_length", c->mrdsl_max[0] > c->mrdsl_max[1]
						       ? c->mrdsl_max[0] : c->mrdsl_max[1]);
	} else if (id == I_DIGEST) {
		pd_finding_ev_u64(x, "header_bad", c->digest_n[0]);
		pd_finding_ev_u64(x, "data_bad", c->digest_n[1]);
	} else if (id == I_NEG) {
		pd_finding_ev_str(x, "keys", "%s", c->neg_keys);
	}
	if (is->n > 1) {
		size_t used = strlen(x->message);

		snprintf(x->message + used, sizeof(x->message) - used,
			 " (%llu times in this connection)", (unsigned long long)is->n);
	}
}

/* Emit the issues this packet found for the first time: their verdict is
 * known now.  Later occurrences are counted, and the finding is updated
 * with the counts when the connection ends. */
static void issues_flush(struct iscsi_state *s, struct conn *c)
{
	char flow[160] = "";

	for (int id = 0; id < I__COUNT; id++) {
		struct issue *is = &c->is[id];
		struct pd_finding x;

		if (!is->unsent || !is->f)
			continue;
		if (!flow[0])
			pd_flow_format(c->flow, flow, sizeof(flow));
		issue_version(c, id, &x, flow);
		pd_analysis_emit(s->a, &x, &is->key);
		is->unsent = false;
	}
}

static void login_info(struct pd_analysis *a, struct conn *c, const char *flow);

/* The login's verdict is known once its phase ended: say it then, and
 * again when its first READ shows (later changes wait for the end). */
static void login_flush(struct iscsi_state *s, struct conn *c)
{
	const struct pd_iscsi_conn *pc = &c->pub;
	char flow[160];

	/* PDUs from both sides: it is iSCSI, as conn_finish() will judge */
	if ((pc->state != PD_ISCSI_LOGIN_OK && pc->state != PD_ISCSI_LOGIN_FAILED) ||
	    !pc->pdus[0] || !pc->pdus[1])
		return;
	if (c->login_key && (c->login_read_sent || !pc->first_read_frame))
		return;
	c->login_read_sent = pc->first_read_frame != 0;
	pd_flow_format(c->flow, flow, sizeof(flow));
	login_info(s->a, c, flow);
}

static void iscsi_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
			 struct pd_flow *f, int dir)
{
	struct iscsi_state *s = state;
	struct conn **pp, *c;
	int side;

	if (p->ts_ns > s->now_ns)
		s->now_ns = p->ts_ns;
	if (!f || !(p->layers & PD_L_TCP) || p->malformed)
		return;
	if (!port_listed(s, p->tcp.sport) && !port_listed(s, p->tcp.dport))
		return;
	pp = conn_slot(s, f);
	c = *pp;
	if (c && ((a->tcp_seg.reused && (c->pub.pdus[0] || c->pub.pdus[1] || c->rx[0].started ||
					  c->rx[1].started)) ||
		  ((p->tcp.flags & (TH_SYN | 0x10)) == TH_SYN && c->syn_seen &&
		   (c->pub.pdus[0] || c->pub.pdus[1])))) {
		/* the same 5-tuple opened a new connection in one flow record
		 * (the TCP stream layer saw a SYN with a new ISN; its delivery
		 * starts over, so the PDU framing must too) */
		*pp = 0;
		live_unlink(s, c);
		conn_finish(s, a, f, c);
		c = 0;
	}
	if (!c) {
		c = conn_new(s, f, dir, p);
		if (!c)
			return;
	}
	c->flow = f;
	side = dir == c->idir ? 0 : 1;
	if ((p->tcp.flags & (TH_SYN | 0x10)) == TH_SYN)
		c->syn_seen = true;
	rx_segment(s, c, side, p, &a->tcp_seg);
	issues_flush(s, c);
	login_flush(s, c);
	if (p->tcp.flags & TH_FIN && !c->fin[side]) {
		c->fin[side] = true;
		if (side == 0)
			next_action(s, c, NX_FIN, 0, p->ts_ns, p->frame);
	}
	if (p->tcp.flags & TH_RST && !c->rst[side]) {
		c->rst[side] = true;
		if (side == 0)
			next_action(s, c, NX_RST, 0, p->ts_ns, p->frame);
	}
}

/* ---- end of a connection ---- */

static const char *cdb_name(uint8_t op)
{
	switch (op) {
	case 0x00: return "TEST UNIT READY";
	case 0x03: return "REQUEST SENSE";
	case 0x08: return "READ(6)";
	case 0x0a: return "WRITE(6)";
	case 0x12: return "INQUIRY";
	case 0x1a: return "MODE SENSE(6)";
	case 0x25: return "READ CAPACITY(10)";
	case 0x28: return "READ(10)";
	case 0x2a: return "WRITE(10)";
	case 0x35: return "SYNCHRONIZE CACHE(10)";
	case 0x5a: return "MODE SENSE(10)";
	case 0x88: return "READ(16)";
	case 0x8a: return "WRITE(16)";
	case 0x9e: return "SERVICE ACTION IN(16)";
	case 0xa0: return "REPORT LUNS";
	case 0xa8: return "READ(12)";
	case 0xaa: return "WRITE(12)";
	default: return "other";
	}
}

static const char *const timeout_advice =
	"The target did not answer in time: look for a stalled target (its logs, its disk), a "
	"path that drops the response (see tcp.* findings of this flow), or a command window "
	"that stayed closed (iscsi.cmdsn_window).";

/* Fill @x as the connection's iscsi.timeout finding about c->to.  @live:
 * the connection goes on, so commands found overdue by a tick and not yet
 * answered count as unanswered (at its end they have been counted). */
static void timeout_fill(const struct iscsi_state *s, const struct conn *c, struct pd_finding *x,
			 const char *flow, bool live)
{
	const struct pending *pe = &c->to;
	uint64_t unanswered = c->commands_timed_out;
	char what[96];

	if (live)
		for (unsigned i = 0; i < c->n_pend; i++)
			unanswered += c->pend[i].overdue;
	if (pe->opcode == PD_ISCSI_OP_SCSI_CMD)
		snprintf(what, sizeof(what), "SCSI Command %s (CDB 0x%02x, ITT 0x%08x)",
			 cdb_name(pe->cdb0), pe->cdb0, pe->itt);
	else
		snprintf(what, sizeof(what), "NOP-Out ping (ITT 0x%08x)", pe->itt);
	pd_finding_init(x, "iscsi.timeout", PD_SEV_ERROR);
	pd_finding_flow(x, "%s", flow);
	pd_finding_add_frame(x, pe->frame);
	if (c->to_answered)
		pd_finding_add_frame(x, c->to_rsp_frame);
	if (pe->next != NX_NONE)
		pd_finding_add_frame(x, pe->next_frame);
	x->frames_total = unanswered + c->answered_late;
	pd_finding_message(x, "%s at frame %llu %s after %.1f s (timeout %.1f s); the initiator "
			      "then: %s%s",
			   what, (unsigned long long)pe->frame,
			   c->to_answered ? "was answered only" : "had no response",
			   (double)c->to_wait_ns / 1e9, (double)s->timeout_ns / 1e9,
			   next_name[pe->next],
			   unanswered + c->answered_late > 1 ? " (more commands: see count)" : "");
	pd_finding_ev_u64(x, "command_frame", pe->frame);
	pd_finding_ev_str(x, "opcode", "%s", pd_iscsi_opcode_name(pe->opcode));
	if (pe->opcode == PD_ISCSI_OP_SCSI_CMD)
		pd_finding_ev_str(x, "cdb_opcode", "0x%02x %s", pe->cdb0, cdb_name(pe->cdb0));
	pd_finding_ev_str(x, "itt", "0x%08x", pe->itt);
	pd_finding_ev_double(x, "wait_s", (double)c->to_wait_ns / 1e9);
	pd_finding_ev_bool(x, "answered", c->to_answered);
	if (c->to_answered)
		pd_finding_ev_u64(x, "response_frame", c->to_rsp_frame);
	pd_finding_ev_u64(x, "unanswered", unanswered);
	pd_finding_ev_u64(x, "answered_late", c->answered_late);
	pd_finding_ev_str(x, "next_action", "%s", next_name[pe->next]);
	if (pe->next != NX_NONE) {
		pd_finding_ev_u64(x, "next_action_frame", pe->next_frame);
		pd_finding_ev_double(x, "next_action_after_s", (double)(pe->next_ns - pe->ns) / 1e9);
	}
	pd_finding_ev_str(x, "connection_end", "%s",
			  c->rst[0] || c->rst[1] ? "rst"
			  : c->fin[0] && c->fin[1] ? "fin"
			  : c->fin[0] || c->fin[1] ? "half-fin" : "open");
	pd_finding_advice(x, "%s", timeout_advice);
}

/* The timeout became known, or what is known about it changed while the
 * connection goes on: emit the finding now, or update it. */
static void timeout_emit(struct iscsi_state *s, struct conn *c)
{
	struct pd_finding x;
	char flow[160];

	pd_flow_format(c->flow, flow, sizeof(flow));
	timeout_fill(s, c, &x, flow, true);
	pd_analysis_emit(s->a, &x, &c->to_key);
}

/* The connection ended: update the finding with how, and queue it for
 * finish(), which looks for a new connection from the same initiator. */
static void queue_timeout(struct iscsi_state *s, const struct pd_flow *f, struct conn *c,
			  const char *flow)
{
	struct queued_timeout *q;
	struct pd_finding x;
	const struct pending *pe = &c->to;

	timeout_fill(s, c, &x, flow, false);
	pd_analysis_emit(s->a, &x, &c->to_key);
	if (pd_vec_reserve(&s->q, &s->capq, s->nq, sizeof(*s->q), MAX_QUEUED)) {
		if (!s->q_dropped++)
			s->q_first = pe->frame;
		return;
	}
	q = &s->q[s->nq++];
	memset(q, 0, sizeof(*q));
	q->f = x;
	q->key = c->to_key;
	q->initiator = c->pub.addr[0];
	q->target = c->pub.addr[1];
	q->target_port = c->pub.port[1];
	q->flow_id = f->id;
	q->cmd_ns = pe->ns;
	q->next_found = pe->next != NX_NONE;
}

/* iscsi.login: emitted when the login phase ends (full feature phase or a
 * failed Login Response), updated at the first READ and when the
 * connection ends (framing, discovered targets); a login that never
 * ended is only reported then. */
static void login_info(struct pd_analysis *a, struct conn *c, const char *flow)
{
	struct pd_finding x;
	const struct pd_iscsi_conn *pc = &c->pub;
	size_t used;
	const char *result = pc->state == PD_ISCSI_LOGIN_OK ? "ok"
			     : pc->state == PD_ISCSI_LOGIN_FAILED ? "failed"
			     : pc->state == PD_ISCSI_LOGIN_STARTED ? "incomplete" : "not captured";
	const char *stype = pc->session_type == PD_ISCSI_SESSION_DISCOVERY ? "discovery"
			    : pc->session_type == PD_ISCSI_SESSION_NORMAL ? "normal" : "unknown";
	char framing[96] = "ok", ini[64], tgt[64], to[300], rd[96] = "";
	bool done_listed = false;

	pd_finding_init(&x, "iscsi.login", PD_SEV_INFO);
	pd_finding_flow(&x, "%s", flow);
	for (unsigned i = 0; i < c->n_login_frames; i++) {
		pd_finding_add_frame(&x, c->login_frames[i]);
		done_listed |= c->login_frames[i] == pc->login_done_frame;
	}
	if (pc->login_done_frame && !done_listed)
		pd_finding_add_frame(&x, pc->login_done_frame);
	if (pc->first_read_frame)
		pd_finding_add_frame(&x, pc->first_read_frame);
	/* framing: where a direction stopped being parsed, and why */
	for (int side = 0; side < 2; side++)
		if (c->rx[side].desync) {
			snprintf(framing, sizeof(framing), "%s->%s lost at frame %llu: %s",
				 side_name(side), side_name(1 - side),
				 (unsigned long long)c->rx[side].desync_frame,
				 desync_name[c->rx[side].desync]);
			used = strlen(framing);
			if (c->rx[side].lost_bytes)
				snprintf(framing + used, sizeof(framing) - used, ", %llu bytes not parsed",
					 (unsigned long long)c->rx[side].lost_bytes);
			break;
		}
	used = strlen(framing);
	if (c->rx[0].bad_csum + c->rx[1].bad_csum)
		snprintf(framing + used, sizeof(framing) - used, "; %llu segments with a bad TCP "
			 "checksum skipped", (unsigned long long)(c->rx[0].bad_csum + c->rx[1].bad_csum));
	used = strlen(framing);
	if (c->rx[0].text_cut_n + c->rx[1].text_cut_n)
		snprintf(framing + used, sizeof(framing) - used, "; %llu texts cut at %d bytes",
			 (unsigned long long)(c->rx[0].text_cut_n + c->rx[1].text_cut_n), TEXT_CAP);
	fmt_side(c, 0, ini, sizeof(ini));
	fmt_side(c, 1, tgt, sizeof(tgt));
	if (pc->target_name[0])
		snprintf(to, sizeof(to), "%s at %s", pc->target_name, tgt);
	else
		snprintf(to, sizeof(to), "%s", tgt);
	if (pc->first_read_frame && pc->login_done_frame)
		snprintf(rd, sizeof(rd), "; first READ at frame %llu (+%.1f ms)",
			 (unsigned long long)pc->first_read_frame,
			 (double)(pc->first_read_ns - pc->login_done_ns) / 1e6);
	if (pc->state == PD_ISCSI_LOGIN_OK)
		pd_finding_message(&x, "%s logged in to %s (%s session, %.1f ms): HeaderDigest=%s "
				       "DataDigest=%s, MaxRecvDataSegmentLength %u/%u%s",
				   pc->initiator_name[0] ? pc->initiator_name : ini, to, stype,
				   (double)(pc->login_done_ns - pc->login_ns) / 1e6,
				   pc->header_digest ? "CRC32C" : "None",
				   pc->data_digest ? "CRC32C" : "None", pc->mrdsl[0], pc->mrdsl[1], rd);
	else
		pd_finding_message(&x, "%s to %s: login %s%s%s",
				   pc->initiator_name[0] ? pc->initiator_name : ini, to, result,
				   pc->status_valid ? ", " : "",
				   pc->status_valid ? pd_iscsi_login_status_name(pc->login_status) : "");
	pd_finding_ev_str(&x, "initiator_name", "%s", pc->initiator_name);
	pd_finding_ev_str(&x, "target_name", "%s", pc->target_name);
	pd_finding_ev_str(&x, "session_type", "%s", stype);
	pd_finding_ev_str(&x, "result", "%s", result);
	if (pc->status_valid)
		pd_finding_ev_hex16(&x, "status", pc->login_status);
	pd_finding_ev_str(&x, "framing", "%s", framing);
	pd_finding_ev_u64(&x, "login_frame", pc->login_frame);
	pd_finding_ev_u64(&x, "login_done_frame", pc->login_done_frame);
	if (pc->login_done_frame && pc->login_frame)
		pd_finding_ev_double(&x, "login_ms", (double)(pc->login_done_ns - pc->login_ns) / 1e6);
	if (pc->state == PD_ISCSI_LOGIN_OK) {
		pd_finding_ev_bool(&x, "header_digest", pc->header_digest);
		pd_finding_ev_bool(&x, "data_digest", pc->data_digest);
		pd_finding_ev_u64(&x, "mrdsl_initiator", pc->mrdsl[0]);
		pd_finding_ev_u64(&x, "mrdsl_target", pc->mrdsl[1]);
		pd_finding_ev_u64(&x, "first_burst", pc->first_burst);
		pd_finding_ev_u64(&x, "max_burst", pc->max_burst);
		pd_finding_ev_bool(&x, "immediate_data", pc->immediate_data);
		pd_finding_ev_bool(&x, "initial_r2t", pc->initial_r2t);
	}
	if (pc->first_read_frame) {
		pd_finding_ev_u64(&x, "first_read_frame", pc->first_read_frame);
		if (pc->login_done_frame)
			pd_finding_ev_double(&x, "first_read_after_login_s",
					     (double)(pc->first_read_ns - pc->login_done_ns) / 1e9);
	}
	if (pc->targets_discovered)
		pd_finding_ev_str(&x, "discovered", "%u target(s), first %s", pc->targets_discovered,
				  pc->discovered_target);
	pd_analysis_emit(a, &x, &c->login_key);
}

static void record_conn(struct iscsi_state *s, const struct conn *c)
{
	if (pd_vec_reserve(&s->list, &s->cap_list, s->n_list, sizeof(*s->list), MAX_LIST)) {
		if (!s->list_dropped++)
			s->list_first = c->pub.first_frame;
		return;
	}
	s->list[s->n_list++] = c->pub;
}

/* Copy the summaries into struct pd_analysis (include/pktdoctor/iscsi.h). */
static int publish(struct iscsi_state *s, struct pd_analysis *a)
{
	struct pd_iscsi_conns *l = malloc(sizeof(*l) + s->n_list * sizeof(l->v[0]));

	if (!l)
		return -PD_ENOMEM;
	l->n = s->n_list;
	l->dropped = s->list_dropped + s->overflow;
	if (s->n_list)
		memcpy(l->v, s->list, s->n_list * sizeof(l->v[0]));
	free(a->iscsi);
	a->iscsi = l;
	return 0;
}

static void conn_finish(struct iscsi_state *s, struct pd_analysis *a, const struct pd_flow *f,
			struct conn *c)
{
	char flow[160];
	bool seen;

	pd_flow_format(f, flow, sizeof(flow));
	/* commands still waiting: timed out if the capture ran long enough */
	for (unsigned i = 0; i < c->n_pend; i++) {
		const struct pending *pe = &c->pend[i];

		if (s->now_ns - pe->ns >= s->timeout_ns) {
			bool closed = c->fin[0] || c->fin[1] || c->rst[0] || c->rst[1];
			int64_t end = closed ? f->last_ns : s->now_ns;

			timed_out(s, c, pe, end - pe->ns, false, 0, false);
		}
	}
	if (c->have_timeout)
		queue_timeout(s, f, c, flow);
	c->pub.timeouts = c->commands_timed_out + c->answered_late;
	/* connections that turned out not to be iSCSI are not reported */
	seen = (c->pub.pdus[0] || c->pub.pdus[1] || c->rx[0].desync || c->rx[1].desync) &&
	       c->rx[0].desync != DS_NOT_ISCSI;
	if (seen)
		login_info(a, c, flow);
	/* each issue in its final form: how often, and the counters */
	for (int id = 0; id < I__COUNT; id++) {
		struct issue *is = &c->is[id];
		struct pd_finding x;

		if (!is->f)
			continue;
		issue_version(c, id, &x, flow);
		pd_analysis_emit(a, &x, &is->key);
		free(is->f);
		is->f = 0;
		is->unsent = false;
	}
	for (int side = 0; side < 2; side++) {
		c->pub.desync[side] = c->rx[side].desync != DS_NONE;
		free(c->rx[side].text);
		c->rx[side].text = 0;
	}
	c->pub.end = c->rst[0] || c->rst[1] ? PD_END_RST
		     : c->fin[0] && c->fin[1] ? PD_END_FIN
		     : c->fin[0] || c->fin[1] ? PD_END_HALF_FIN : PD_END_OPEN;
	if (seen)
		record_conn(s, c);
	if (c->pend_dropped && !s->pend_dropped++)
		s->pend_first = c->pend_first_dropped;
	free(c->pend);
	free(c);
}

static void iscsi_flow_end(void *state, struct pd_analysis *a, const struct pd_flow *f)
{
	struct iscsi_state *s = state;
	struct conn **pp = conn_slot(s, f), *c = *pp;

	if (!c)
		return;
	*pp = 0;
	live_unlink(s, c);
	conn_finish(s, a, f, c);
}

/* Resolve what the initiator did after each timeout: a new connection
 * from the same initiator to the same target address, then publish. */
static int iscsi_finish(void *state, struct pd_analysis *a)
{
	struct iscsi_state *s = state;
	int rc = 0;

	for (size_t i = 0; i < s->nq && !rc; i++) {
		struct queued_timeout *q = &s->q[i];
		const struct pd_iscsi_conn *next = 0;

		for (size_t k = 0; k < s->n_list; k++) {
			const struct pd_iscsi_conn *c = &s->list[k];

			/* a later connection (from the same port too: one flow
			 * record may carry two, one after the other) */
			if (c->first_ns <= q->cmd_ns)
				continue;
			if (!pd_addr_equal(&c->addr[0], &q->initiator) ||
			    !pd_addr_equal(&c->addr[1], &q->target))
				continue;
			if (!next || c->first_ns < next->first_ns)
				next = c;
		}
		pd_finding_ev_bool(&q->f, "reconnected", next != 0);
		if (next) {
			pd_finding_ev_u64(&q->f, "reconnect_frame", next->first_frame);
			pd_finding_ev_double(&q->f, "reconnect_after_s",
					     (double)(next->first_ns - q->cmd_ns) / 1e9);
			if (!q->next_found) {
				size_t used = strlen(q->f.message);

				snprintf(q->f.message + used, sizeof(q->f.message) - used,
					 "; opened a new connection at frame %llu",
					 (unsigned long long)next->first_frame);
			}
		}
		pd_finding_advice(&q->f, "%s", timeout_advice);
		rc = pd_analysis_emit(a, &q->f, &q->key);
	}
	if (!rc && s->overflow) {
		struct pd_finding x;

		pd_finding_limit(&x, "iscsi_connections", MAX_LIVE, s->overflow, "connections",
				 s->overflow_first);
		pd_finding_message(&x, "iSCSI analysis: %llu connections over the %d tracked at "
				       "once were not analysed, the first in frame %llu",
				   (unsigned long long)s->overflow, MAX_LIVE,
				   (unsigned long long)s->overflow_first);
		pd_finding_advice(&x, "Filter the capture (-f 'tcp port 3260 and host ...') to the "
				      "connections of interest.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->q_dropped) {
		struct pd_finding x;

		/* their findings are out, without the reconnect check */
		pd_finding_limit(&x, "iscsi_timeouts", MAX_QUEUED, s->q_dropped, "iscsi.timeout findings",
				 s->q_first);
		pd_finding_advice(&x, "Filter the capture (-f) to fewer iSCSI connections.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->pend_dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "iscsi_pending_commands", MAX_PENDING, s->pend_dropped,
				 "connections with commands", s->pend_first);
		pd_finding_message(&x, "iSCSI analysis: %llu connections had more than %d commands "
				       "outstanding; the ones past that were not timed (the first in "
				       "frame %llu)",
				   (unsigned long long)s->pend_dropped, MAX_PENDING,
				   (unsigned long long)s->pend_first);
		pd_finding_advice(&x, "iscsi.timeout may miss commands of these connections.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc && s->list_dropped) {
		struct pd_finding x;

		pd_finding_limit(&x, "iscsi_connection_list", MAX_LIST, s->list_dropped,
				 "connection summaries", s->list_first);
		pd_finding_advice(&x, "The boot summary misses these connections: filter the "
				      "capture (-f) to fewer connections.");
		rc = pd_analysis_add(a, &x);
	}
	if (!rc)
		rc = publish(s, a);
	return rc;
}

/* Time moved on (about once a second of capture time, or of the wall
 * clock live): commands past their deadline are reported now. */
static void iscsi_tick(void *state, struct pd_analysis *a, int64_t now_ns)
{
	struct iscsi_state *s = state;

	(void)a;
	if (now_ns > s->now_ns)
		s->now_ns = now_ns;
	for (struct conn *c = s->head; c; c = c->next)
		if (c->n_pend)
			conn_tick(s, c, s->now_ns);
}

static void iscsi_destroy(void *state)
{
	struct iscsi_state *s = state;

	if (!s)
		return;
	/* connections whose flows did not end (an analysis given up) */
	while (s->head) {
		struct conn *c = s->head;

		s->head = c->next;
		for (int side = 0; side < 2; side++)
			free(c->rx[side].text);
		for (int id = 0; id < I__COUNT; id++)
			free(c->is[id].f);
		free(c->pend);
		free(c);
	}
	free(s->list);
	free(s->q);
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_iscsi = {
	.name = "iscsi",
	.init = iscsi_init,
	.on_packet = iscsi_packet,
	.on_flow_end = iscsi_flow_end,
	.on_tick = iscsi_tick,
	.finish = iscsi_finish,
	.destroy = iscsi_destroy,
};
