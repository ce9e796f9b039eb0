/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.c - DHCPv4 as a network boot sees it: per client (chaddr) the
 * DISCOVER/OFFER/REQUEST/ACK exchange (RFC 2131 3.1), what the client
 * said it is (vendor class 60, user class 77, architecture 93, iPXE's
 * option 175) and what the server told it to boot (option 17 root path,
 * option 43 iSCSI sub-options 201/202/203, next server, boot file).
 *
 * Findings:
 *   dhcp.rootpath_invalid        a root path (option 17, option 43
 *                                sub-option 201/202) that fails the RFC
 *                                4173 parser; one per distinct server +
 *                                option + text, with every frame carrying it;
 *   dhcp.rootpath_lun_ambiguous  a root path whose LUN is decimal digits
 *                                that read differently in hex, the form the
 *                                firmware uses ("64" boots LUN 100);
 *   dhcp.vendor_mismatch         per server: replies with option 43 carrying
 *                                iSCSI sub-options 201/202/203 but no option
 *                                60, which iSCSI HBAs need to accept them
 *                                (warning; error when a client that got one
 *                                had sent a vendor class itself);
 *   dhcp.no_offer                per client: DISCOVERs that no OFFER answered;
 *   dhcp.nak                     per client and server: DHCPNAKs, the REQUEST
 *                                each refused (requested address, ciaddr) and
 *                                the server's option 56 text (error; warning
 *                                when the client got a lease afterwards);
 *   dhcp.decline                 per client: DHCPDECLINEs, the address declined
 *                                (option 50) and the ACK that gave it: the
 *                                client found it in use (RFC 2131 4.4.1);
 *   dhcp.rootpath                per client: the root path it was offered,
 *                                parsed (for the boot summary).
 *
 * Each finding but dhcp.no_offer is emitted at the message that shows it
 * and updated under its key by later ones (a NAK becomes a warning at the
 * lease that follows it); dhcp.no_offer, about OFFERs that never came, is
 * made at finish.
 *
 * State is bounded: at most PD_DHCP_MAX_CLIENTS clients, MAX_RPATHS
 * distinct root paths and MAX_SERVERS servers; what does not fit is
 * counted.  At finish the client records are published in struct
 * pd_analysis (include/pktdoctor/dhcp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/cursor.h"
#include "pktdoctor/dhcp.h"
#include "pktdoctor/error.h"
#include "pktdoctor/bus.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/rootpath.h"
#include "pktdoctor/vec.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2

#define OPT_VENDOR_SPECIFIC 43  /* RFC 2132 8.4 */
#define OPT_ROOT_PATH 17        /* RFC 2132 3.19 */
#define OPT_REQUESTED_IP 50     /* RFC 2132 9.1 */
#define OPT_MESSAGE 56          /* RFC 2132 9.9 */
#define OPT_SERVER_ID 54        /* RFC 2132 9.7 */
#define OPT_VENDOR_CLASS 60     /* RFC 2132 9.13 */
#define OPT_TFTP_SERVER 66      /* RFC 2132 9.4 */
#define OPT_BOOTFILE 67         /* RFC 2132 9.5 */
#define OPT_USER_CLASS 77       /* RFC 3004 */
#define OPT_CLIENT_ARCH 93      /* RFC 4578 2.1 */
#define OPT_IPXE 175            /* iPXE encapsulated options */

/* option 43 sub-options of iSCSI HBAs (Broadcom/QLogic "BRCM ISAN") */
#define SUB_TARGET1 201
#define SUB_TARGET2 202
#define SUB_INITIATOR 203

#define MAX_RPATHS 64           /* distinct root paths tracked */
#define MAX_SERVERS 16          /* servers tracked for dhcp.vendor_mismatch */
#define RUN_FRAMES 16           /* DISCOVER frames kept per unanswered run */
#define COUNTED 4               /* distinct root paths counted per client */
#define RETRY_NS (4LL * 1000000000LL) /* RFC 2131 4.1: first retransmission ~4 s */

/* A distinct root path: (server, option, sub-option, text). */
struct rpath {
	uint8_t server[4];
	uint8_t opt, sub;        /* 17/0, or 43/201, 43/202 */
	char text[256];
	size_t len;              /* bytes in text (a NUL inside is possible) */
	struct pd_rootpath rp;
	int rc;                  /* pd_rootpath_parse() result */
	uint64_t frames[PD_FINDING_MAX_FRAMES];
	uint32_t n_frames;
	uint64_t frames_total;
	uint32_t clients;
	char first_client[48];
	uint64_t key_invalid;    /* its dhcp.rootpath_invalid, once emitted (pd_analysis_emit) */
	uint64_t key_lun;        /* its dhcp.rootpath_lun_ambiguous, once emitted */
};

/* Replies of one server with iSCSI option 43 and no option 60. */
struct server {
	uint8_t addr[4];
	uint64_t frames[PD_FINDING_MAX_FRAMES];
	uint32_t n_frames;
	uint64_t frames_total;
	uint32_t clients;
	uint32_t clients_with_class; /* ... of which sent a vendor class themselves */
	char first_client[48];
	char client_class[64];   /* the first vendor class such a client sent */
	uint8_t subopts;         /* bit 0: 201, bit 1: 202, bit 2: 203 seen */
	uint64_t key;            /* its dhcp.vendor_mismatch, once emitted */
};

struct client {
	struct pd_dhcp_client pub;
	/* the trailing run of DISCOVERs that no OFFER has answered yet */
	uint32_t run_n;
	int64_t run_first_ns, run_last_ns;
	uint64_t run_frames[RUN_FRAMES];
	uint32_t run_nframes;
	uint64_t run_last_frame;
	uint16_t run_last_secs;  /* 'secs' of the last DISCOVER (RFC 2131 2) */
	bool run_relayed;        /* giaddr set: came through a relay agent */
	uint64_t rp_frame;       /* frame of the reply that carried pub.root_path */
	uint8_t rp_server[4];
	bool rp_valid;           /* pub.root_path parses (judged on its bytes, NULs included) */
	int16_t rp_counted[COUNTED]; /* rpath entries this client is counted in */
	uint8_t n_rp_counted;
	int8_t vm_counted;       /* server entry this client is counted in, -1 none */
	/* the client's last REQUEST: what a NAK refused */
	uint64_t req_frame;
	uint8_t req_ip[4];       /* option 50, else ciaddr */
	bool req_renew;          /* ciaddr set: RENEWING/REBINDING (RFC 2131 4.3.2) */
	bool req_selecting;      /* server identifier set: SELECTING */
	/* DHCPNAKs (first server's) and DHCPDECLINEs */
	uint64_t nak_frames[RUN_FRAMES];
	uint32_t nak_nframes;
	uint64_t nak_req_frame;  /* the REQUEST the first NAK refused */
	uint8_t nak_req_ip[4];
	uint8_t nak_server[4];
	bool nak_renew, nak_selecting;
	uint64_t dec_frames[RUN_FRAMES];
	uint32_t dec_nframes;
	uint64_t dec_ack_frame;  /* the last ACK before the first DECLINE */
	uint8_t dec_server[4];   /* option 54 of the DECLINE */
	char dec_message[96];    /* option 56 of the DECLINE */
	uint64_t last_ack_frame;
	/* its findings, once emitted (pd_analysis_emit): updated as the
	 * exchange goes on */
	uint64_t nak_key, dec_key, rp_key;
};

struct dhcp_state {
	struct client *v;        /* in order of first message */
	size_t n, cap;
	struct pd_hashtab index;  /* client_hash() -> number in v[] */
	uint64_t dropped;
	struct rpath *rp;        /* MAX_RPATHS entries, allocated on first use */
	size_t n_rp;
	uint64_t rp_dropped;
	struct server srv[MAX_SERVERS];
	size_t n_srv;
	uint64_t srv_dropped;
	uint64_t frame;          /* the frame being analysed */
	struct pd_analysis *a;   /* for PD_BUS_ROOT_PATH (include/pktdoctor/bus.h) */
	/* first frames of what the full tables did not track */
	uint64_t first_dropped, first_rp_dropped, first_srv_dropped;
};

/* Count what a full table did not track, and its first frame. */
static void untracked(uint64_t *n, uint64_t *first, uint64_t frame)
{
	if (!(*n)++)
		*first = frame;
}

/* ---------------------------------------------------------------- */
/* Reading option values (through a cursor over the frame)           */
/* ---------------------------------------------------------------- */

/* A cursor over an option's value. */
static void opt_cursor(const struct pd_packet *p, struct pd_span s, struct pd_cursor *c)
{
	size_t off = s.off <= p->caplen ? s.off : p->caplen;
	struct pd_cursor frame;

	pd_cur_init(&frame, p->frame_data, p->caplen, p->caplen);
	pd_cur_skip(&frame, off);
	pd_cur_sub(&frame, s.len, c);
}

/* Copy option @code's value (at most @cap - 1 bytes) as a C string,
 * non-printable bytes as '.'.  Return: the length, 0 if absent. */
static size_t opt_text(const struct pd_packet *p, uint8_t code, char *buf, size_t cap)
{
	if (!pd_dhcp_has(&p->dhcp, code)) {
		buf[0] = 0;
		return 0;
	}
	pd_span_str(p, p->dhcp.opt[code], buf, cap);
	return strlen(buf);
}

/* Option @code as a 4-byte address; false if absent or not 4 bytes. */
static bool opt_addr(const struct pd_packet *p, uint8_t code, uint8_t out[4])
{
	struct pd_cursor c;

	if (!pd_dhcp_has(&p->dhcp, code) || p->dhcp.opt[code].len != 4)
		return false;
	opt_cursor(p, p->dhcp.opt[code], &c);
	return pd_cur_copy(&c, out, 4);
}

static void fmt_mac(const struct pd_dhcp *d, char *buf, size_t len)
{
	size_t n = d->hlen > 16 ? 16 : d->hlen, used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used + 4 <= len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%02x", i ? ":" : "",
					 d->chaddr[i]);
}

/* ---------------------------------------------------------------- */
/* Tables                                                            */
/* ---------------------------------------------------------------- */

/* A client is its hardware type, length and address (RFC 2131 4.2:
 * chaddr, or the client identifier, which pktdoctor does not key on). */
static uint32_t client_hash(const struct pd_dhcp *d)
{
	uint8_t k[2 + 16] = {d->htype, d->hlen};
	size_t n = d->hlen > 16 ? 16 : d->hlen;

	memcpy(k + 2, d->chaddr, n);
	return pd_hash_bytes(k, 2 + n);
}

struct client_match {
	const struct dhcp_state *s;
	const struct pd_dhcp *d;
};

static bool client_is(const void *ctx, uint32_t i)
{
	const struct client_match *m = ctx;
	const struct client *c = &m->s->v[i];
	const struct pd_dhcp *d = m->d;
	size_t n = d->hlen > 16 ? 16 : d->hlen;

	return c->pub.htype == d->htype && c->pub.hlen == d->hlen &&
	       memcmp(c->pub.chaddr, d->chaddr, n) == 0;
}

/* Find or add the client of a message; NULL when the table is full. */
static struct client *client_get(struct dhcp_state *s, const struct pd_dhcp *d)
{
	struct client_match m = {s, d};
	uint32_t h = client_hash(d), i = pd_hashtab_find(&s->index, h, client_is, &m);
	struct client *c;

	if (i != PD_HASHTAB_NONE)
		return &s->v[i];
	if (s->n >= PD_DHCP_MAX_CLIENTS) {
		untracked(&s->dropped, &s->first_dropped, s->frame);
		return 0;
	}
	if (pd_vec_reserve(&s->v, &s->cap, s->n, sizeof(*s->v), PD_DHCP_MAX_CLIENTS) < 0 ||
	    pd_hashtab_insert(&s->index, h, (uint32_t)s->n) < 0) {
		untracked(&s->dropped, &s->first_dropped, s->frame);
		return 0;
	}
	c = &s->v[s->n++];
	memset(c, 0, sizeof(*c));
	c->pub.htype = d->htype;
	c->pub.hlen = d->hlen;
	memcpy(c->pub.chaddr, d->chaddr, d->hlen > 16 ? 16 : d->hlen);
	fmt_mac(d, c->pub.mac, sizeof(c->pub.mac));
	c->vm_counted = -1;
	return c;
}

/* Find or add a distinct root path; NULL when the table is full. */
static struct rpath *rpath_get(struct dhcp_state *s, const uint8_t server[4], uint8_t opt,
			       uint8_t sub, const char *text, size_t len, int16_t *idx)
{
	struct rpath *r;

	for (size_t i = 0; i < s->n_rp; i++) {
		r = &s->rp[i];
		if (r->opt == opt && r->sub == sub && !memcmp(r->server, server, 4) &&
		    r->len == len && !memcmp(r->text, text, len)) {
			*idx = (int16_t)i;
			return r;
		}
	}
	if (!s->rp)
		s->rp = calloc(MAX_RPATHS, sizeof(*s->rp));
	if (!s->rp || s->n_rp >= MAX_RPATHS) {
		untracked(&s->rp_dropped, &s->first_rp_dropped, s->frame);
		return 0;
	}
	*idx = (int16_t)s->n_rp;
	r = &s->rp[s->n_rp++];
	memcpy(r->server, server, 4);
	r->opt = opt;
	r->sub = sub;
	memcpy(r->text, text, len);
	r->text[len] = 0;
	r->len = len;
	r->rc = pd_rootpath_parse(text, len, &r->rp);
	return r;
}

static struct server *server_get(struct dhcp_state *s, const uint8_t addr[4], int8_t *idx)
{
	for (size_t i = 0; i < s->n_srv; i++)
		if (!memcmp(s->srv[i].addr, addr, 4)) {
			*idx = (int8_t)i;
			return &s->srv[i];
		}
	if (s->n_srv >= MAX_SERVERS) {
		untracked(&s->srv_dropped, &s->first_srv_dropped, s->frame);
		return 0;
	}
	*idx = (int8_t)s->n_srv;
	memcpy(s->srv[s->n_srv].addr, addr, 4);
	return &s->srv[s->n_srv++];
}

static void add_frame(uint64_t *frames, uint32_t *n, uint64_t *total, uint64_t frame)
{
	if (*n < PD_FINDING_MAX_FRAMES)
		frames[(*n)++] = frame;
	(*total)++;
}

/* ---------------------------------------------------------------- */
/* Per message                                                       */
/* ---------------------------------------------------------------- */

/* The findings, emitted at the reply or request that decides them and
 * updated under their keys as later messages change them (below). */
static int rootpath_findings(struct pd_analysis *a, struct rpath *r);
static int vendor_finding(struct pd_analysis *a, struct server *sv);
static int client_findings(struct pd_analysis *a, struct client *c, bool final);

/* Publish a root path, parsed, for the analyzers that follow it
 * (PD_BUS_ROOT_PATH: the iSCSI analyzer's ports).  @r: its entry, or
 * NULL when the table was full (then it is parsed here). */
static void publish_rootpath(struct dhcp_state *s, const struct pd_packet *p, uint8_t opt,
			     uint8_t sub, const uint8_t server[4], const char *text, size_t len,
			     const struct rpath *r)
{
	struct pd_rootpath own;
	struct pd_bus_event ev = {.type = PD_BUS_ROOT_PATH, .frame = p->frame, .ts_ns = p->ts_ns};
	struct pd_bus_root_path *e = &ev.u.root_path;

	e->text = text;
	e->len = len;
	e->option = opt;
	e->suboption = sub;
	memcpy(e->server, server, 4);
	e->rp = r ? &r->rp : &own;
	e->rc = r ? r->rc : pd_rootpath_parse(text, len, &own);
	pd_bus_publish(s->a, &ev);
}

/* A root path in a reply: count it for its distinct entry, and keep it
 * as the client's when it is the one a boot uses (17, else 43.201). */
static void saw_rootpath(struct dhcp_state *s, struct client *c, const struct pd_packet *p,
			 const uint8_t server[4], uint8_t opt, uint8_t sub, struct pd_cursor *val)
{
	char text[256];
	size_t len = pd_cur_remaining(val);
	struct rpath *r;
	int16_t idx = -1;
	bool counted = false;

	if (len > sizeof(text) - 1)
		len = sizeof(text) - 1;
	pd_cur_copy(val, text, len);
	while (len > 0 && text[len - 1] == 0)
		len--; /* a NUL terminator some servers add (RFC 2132 2 says not to) */
	text[len] = 0;
	r = rpath_get(s, server, opt, sub, text, len, &idx);
	publish_rootpath(s, p, opt, sub, server, text, len, r);
	if (c && (opt == OPT_ROOT_PATH || sub == SUB_TARGET1)) {
		struct pd_rootpath rp;

		/* option 17 wins over 43.201 in the same message: it comes last */
		memcpy(c->pub.root_path, text, len + 1);
		c->pub.root_path_opt = opt;
		c->rp_frame = p->frame;
		memcpy(c->rp_server, server, 4);
		c->rp_valid = r ? r->rc == 0 : pd_rootpath_parse(text, len, &rp) == 0;
	}
	if (!r)
		return;
	add_frame(r->frames, &r->n_frames, &r->frames_total, p->frame);
	for (unsigned i = 0; c && i < c->n_rp_counted; i++)
		if (c->rp_counted[i] == idx)
			counted = true;
	if (c && !counted) {
		if (c->n_rp_counted < COUNTED)
			c->rp_counted[c->n_rp_counted++] = idx;
		if (!r->clients++)
			snprintf(r->first_client, sizeof(r->first_client), "%s", c->pub.mac);
	}
	/* invalid or ambiguous: known from this reply on */
	rootpath_findings(s->a, r);
}

/* Option 43 as encapsulated vendor options (RFC 2132 8.4: code, length,
 * value).  Return: bits of the iSCSI sub-options found (1: 201, 2: 202,
 * 4: 203); 0 when there are none or the encapsulation is broken
 * (truncated, too long), in which case it is not iSCSI's. */
static unsigned walk_opt43(struct dhcp_state *s, struct client *c, const struct pd_packet *p,
			   const uint8_t server[4], bool record)
{
	struct pd_cursor v, sub;
	unsigned found = 0;

	opt_cursor(p, p->dhcp.opt[OPT_VENDOR_SPECIFIC], &v);
	while (pd_cur_remaining(&v) > 0) {
		uint8_t code = pd_cur_u8(&v), len;

		if (code == 0)
			continue;
		if (code == 255)
			break;
		if (!pd_cur_has(&v, 1))
			return 0; /* truncated */
		len = pd_cur_u8(&v);
		if (!pd_cur_has(&v, len))
			return 0; /* too long */
		pd_cur_sub(&v, len, &sub);
		if (code == SUB_TARGET1 || code == SUB_TARGET2) {
			found |= code == SUB_TARGET1 ? 1u : 2u;
			if (record)
				saw_rootpath(s, c, p, server, OPT_VENDOR_SPECIFIC, code, &sub);
		} else if (code == SUB_INITIATOR) {
			found |= 4u;
		}
	}
	return found;
}

static void on_request(struct client *c, const struct pd_packet *p)
{
	const struct pd_dhcp *d = &p->dhcp;
	struct pd_dhcp_client *pc = &c->pub;
	char buf[64];

	pc->xid = d->xid;
	if (opt_text(p, OPT_VENDOR_CLASS, buf, sizeof(buf)))
		memcpy(pc->vendor_class, buf, sizeof(buf));
	if (opt_text(p, OPT_USER_CLASS, buf, sizeof(buf)))
		memcpy(pc->user_class, buf, sizeof(buf));
	if (pd_dhcp_has(d, OPT_CLIENT_ARCH) && d->opt[OPT_CLIENT_ARCH].len >= 2) {
		struct pd_cursor v;

		opt_cursor(p, d->opt[OPT_CLIENT_ARCH], &v);
		pc->client_arch = pd_cur_be16(&v);
		pc->has_arch = !v.truncated;
	}
	if (pd_dhcp_has(d, OPT_IPXE))
		pc->ipxe = true;

	switch (d->msg_type) {
	case PD_DHCP_DISCOVER:
		if (!pc->discovers++) {
			pc->discover_ns = p->ts_ns;
			pc->discover_frame = p->frame;
		}
		if (!c->run_n++) {
			c->run_first_ns = p->ts_ns;
			c->run_nframes = 0;
			c->run_relayed = false;
		}
		c->run_last_ns = p->ts_ns;
		c->run_last_frame = p->frame;
		c->run_last_secs = d->secs;
		if (d->giaddr[0] | d->giaddr[1] | d->giaddr[2] | d->giaddr[3])
			c->run_relayed = true;
		if (c->run_nframes < RUN_FRAMES)
			c->run_frames[c->run_nframes++] = p->frame;
		break;
	case PD_DHCP_REQUEST:
		if (!pc->requests++) {
			pc->request_ns = p->ts_ns;
			pc->request_frame = p->frame;
		}
		/* selecting an offer (server id set) means one was made,
		 * even if the capture did not see it */
		if (pd_dhcp_has(d, OPT_SERVER_ID))
			c->run_n = 0;
		c->req_frame = p->frame;
		if (!opt_addr(p, OPT_REQUESTED_IP, c->req_ip))
			memcpy(c->req_ip, d->ciaddr, 4);
		c->req_renew = (d->ciaddr[0] | d->ciaddr[1] | d->ciaddr[2] | d->ciaddr[3]) != 0;
		c->req_selecting = pd_dhcp_has(d, OPT_SERVER_ID);
		break;
	case PD_DHCP_DECLINE:
		if (!pc->declines++) {
			pc->decline_ns = p->ts_ns;
			pc->decline_frame = p->frame;
			opt_addr(p, OPT_REQUESTED_IP, pc->declined_ip);
			opt_addr(p, OPT_SERVER_ID, c->dec_server);
			opt_text(p, OPT_MESSAGE, c->dec_message, sizeof(c->dec_message));
			c->dec_ack_frame = c->last_ack_frame;
		}
		if (c->dec_nframes < RUN_FRAMES)
			c->dec_frames[c->dec_nframes++] = p->frame;
		break;
	default:
		break;
	}
}

static void on_reply(struct dhcp_state *s, struct client *c, const struct pd_packet *p)
{
	const struct pd_dhcp *d = &p->dhcp;
	uint8_t server[4] = {0, 0, 0, 0};
	unsigned iscsi43 = 0;

	if (!opt_addr(p, OPT_SERVER_ID, server) && (p->layers & PD_L_IPV4))
		memcpy(server, p->ip.src.a, 4);

	if (c) {
		struct pd_dhcp_client *pc = &c->pub;

		switch (d->msg_type) {
		case PD_DHCP_OFFER:
			if (!pc->offers++) {
				pc->offer_ns = p->ts_ns;
				pc->offer_frame = p->frame;
				memcpy(pc->offered_ip, d->yiaddr, 4);
				memcpy(pc->server_id, server, 4);
			}
			c->run_n = 0;
			break;
		case PD_DHCP_ACK:
			if (!pc->acks++) {
				pc->ack_ns = p->ts_ns;
				pc->ack_frame = p->frame;
			}
			c->last_ack_frame = p->frame;
			if (pc->naks && !pc->ack_after_nak_frame) {
				pc->ack_after_nak_frame = p->frame;
				pc->ack_after_nak_ns = p->ts_ns;
			}
			if (pc->declines && !pc->ack_after_decline_frame) {
				pc->ack_after_decline_frame = p->frame;
				pc->ack_after_decline_ns = p->ts_ns;
			}
			memcpy(pc->assigned_ip, d->yiaddr, 4);
			if (!pc->offers)
				memcpy(pc->server_id, server, 4);
			break;
		case PD_DHCP_NAK:
			if (!pc->naks++) {
				pc->nak_ns = p->ts_ns;
				pc->nak_frame = p->frame;
				opt_text(p, OPT_MESSAGE, pc->nak_message, sizeof(pc->nak_message));
				memcpy(c->nak_server, server, 4);
				c->nak_req_frame = c->req_frame;
				memcpy(c->nak_req_ip, c->req_ip, 4);
				c->nak_renew = c->req_renew;
				c->nak_selecting = c->req_selecting;
			}
			if (c->nak_nframes < RUN_FRAMES)
				c->nak_frames[c->nak_nframes++] = p->frame;
			return;
		default:
			break;
		}
		memcpy(pc->next_server, d->siaddr, 4);
		if (!opt_text(p, OPT_BOOTFILE, pc->boot_file, sizeof(pc->boot_file)) && d->file.len)
			pd_span_str(p, d->file, pc->boot_file, sizeof(pc->boot_file));
		opt_text(p, OPT_TFTP_SERVER, pc->tftp_server, sizeof(pc->tftp_server));
	}

	if (pd_dhcp_has(d, OPT_VENDOR_SPECIFIC))
		iscsi43 = walk_opt43(s, c, p, server, true);
	if (pd_dhcp_has(d, OPT_ROOT_PATH)) {
		struct pd_cursor v;

		opt_cursor(p, d->opt[OPT_ROOT_PATH], &v);
		saw_rootpath(s, c, p, server, OPT_ROOT_PATH, 0, &v);
	}
	if (iscsi43 && !pd_dhcp_has(d, OPT_VENDOR_CLASS)) {
		int8_t idx = -1;
		struct server *sv = server_get(s, server, &idx);

		if (!sv)
			return;
		add_frame(sv->frames, &sv->n_frames, &sv->frames_total, p->frame);
		sv->subopts |= (uint8_t)iscsi43;
		if (c && c->vm_counted != idx) {
			c->vm_counted = idx;
			if (!sv->clients++)
				snprintf(sv->first_client, sizeof(sv->first_client), "%s",
					 c->pub.mac);
			if (c->pub.vendor_class[0]) {
				if (!sv->clients_with_class++)
					snprintf(sv->client_class, sizeof(sv->client_class), "%s",
						 c->pub.vendor_class);
			}
		}
		/* a warning from the first such reply; an error once a client
		 * that named its vendor class got one */
		vendor_finding(s->a, sv);
	}
}

static int dhcp_init(struct pd_analysis *a, void **state)
{
	struct dhcp_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->a = a;
	*state = s;
	return 0;
}

static void dhcp_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
			struct pd_flow *flow, int dir)
{
	struct dhcp_state *s = state;
	const struct pd_dhcp *d = &p->dhcp;
	struct client *c;

	(void)flow;
	(void)dir;
	if (!(p->layers & PD_L_DHCP) || !d->cookie)
		return;
	s->frame = p->frame;
	if (d->op == BOOTREQUEST) {
		if (d->msg_type == 0)
			return; /* BOOTP */
		c = client_get(s, d);
		if (c)
			on_request(c, p);
	} else if (d->op == BOOTREPLY) {
		c = client_get(s, d);
		on_reply(s, c, p);
	} else {
		return;
	}
	/* a NAK, a DECLINE, a root path, or the lease after them */
	if (c)
		client_findings(a, c, false);
}

/* ---------------------------------------------------------------- */
/* Findings                                                          */
/* ---------------------------------------------------------------- */

static const char *source_name(uint8_t opt, uint8_t sub)
{
	if (opt == OPT_ROOT_PATH)
		return "option 17";
	return sub == SUB_TARGET1 ? "option 43.201" : "option 43.202";
}

/* What to do about the first problem of a root path. */
static const char *rootpath_advice(unsigned problems)
{
	if (problems & (PD_RP_NO_PREFIX | PD_RP_TOO_FEW_FIELDS | PD_RP_NO_SERVER | PD_RP_BAD_SERVER |
			PD_RP_BAD_CHAR))
		return "Write it as iscsi:<server>:<protocol>:<port>:<LUN>:<target> (RFC 4173 5), "
		       "empty fields for the defaults, an IPv6 server in brackets, no spaces or "
		       "NUL bytes, e.g. iscsi:10.0.0.1::::iqn.2001-04.com.example:disk1.";
	if (problems & PD_RP_BAD_PROTOCOL)
		return "Leave <protocol> empty or write 6: TCP is the only protocol RFC 4173 "
		       "defines, and iSCSI boot firmware rejects anything else.";
	if (problems & PD_RP_BAD_PORT)
		return "Write a TCP port 1-65535 in <port>, or leave it empty for 3260.";
	if (problems & (PD_RP_BAD_LUN | PD_RP_LUN_RANGE))
		return "<LUN> is hexadecimal (RFC 4173 5): LUN 0 is \"0\" or empty, LUN 64 is "
		       "\"40\". Above ff the value spills into the address-method and bus "
		       "bits of the 8-byte SAM LUN that boot firmware builds from it.";
	return "<target> must be an iSCSI name: iqn.YYYY-MM.<reversed domain>[:<name>] or "
	       "eui.<16 hex digits> (RFC 3720 3.2.6.3), as the target reports it.";
}

static void problem_list(unsigned problems, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (unsigned b = 1; b && b <= problems; b <<= 1)
		if ((problems & b) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 pd_rootpath_problem_name(b));
}

static int rootpath_findings(struct pd_analysis *a, struct rpath *r)
{
	struct pd_finding f;
	char srv[16], probs[96];
	const char *src = source_name(r->opt, r->sub);
	int rc = 0;

	pd_ipv4_format(r->server, srv, sizeof(srv));
	if (r->rc) {
		pd_finding_init(&f, "dhcp.rootpath_invalid", PD_SEV_ERROR);
		memcpy(f.frames, r->frames, sizeof(r->frames));
		f.n_frames = r->n_frames;
		f.frames_total = r->frames_total;
		pd_finding_flow(&f, "host %s", srv);
		pd_finding_message(&f, "DHCP server %s gave %u client%s the iSCSI root path \"%s\" "
				       "(%s), which is invalid: %s",
				   srv, r->clients, r->clients == 1 ? "" : "s", r->text, src,
				   r->rp.why);
		problem_list(r->rp.problems, probs, sizeof(probs));
		pd_finding_ev_str(&f, "root_path", "%s", r->text);
		pd_finding_ev_str(&f, "reason", "%s", r->rp.why);
		pd_finding_ev_str(&f, "problems", "%s", probs);
		pd_finding_ev_str(&f, "source", "%s", src);
		pd_finding_ev_str(&f, "server", "%s", srv);
		pd_finding_ev_u64(&f, "server_frame", r->frames[0]);
		pd_finding_ev_str(&f, "client", "%s", r->first_client);
		pd_finding_ev_u64(&f, "clients", r->clients);
		pd_finding_ev_u64(&f, "protocol", r->rp.protocol);
		pd_finding_ev_u64(&f, "port", r->rp.port);
		pd_finding_ev_str(&f, "lun_text", "%s", r->rp.lun_text);
		pd_finding_ev_str(&f, "target", "%s", r->rp.target);
		pd_finding_advice(&f, "%s", rootpath_advice(r->rp.problems));
		rc = pd_analysis_emit(a, &f, &r->key_invalid);
	}
	if (!rc && r->rp.lun_ambiguous) {
		pd_finding_init(&f, "dhcp.rootpath_lun_ambiguous", PD_SEV_WARNING);
		memcpy(f.frames, r->frames, sizeof(r->frames));
		f.n_frames = r->n_frames;
		f.frames_total = r->frames_total;
		pd_finding_flow(&f, "host %s", srv);
		pd_finding_message(&f, "root path \"%s\" (%s from %s) has LUN \"%s\": boot firmware "
				       "reads it as hex, LUN %llu; if LUN %llu was meant, write \"%llx\"",
				   r->text, src, srv, r->rp.lun_text, (unsigned long long)r->rp.lun,
				   (unsigned long long)r->rp.lun_if_decimal,
				   (unsigned long long)r->rp.lun_if_decimal);
		pd_finding_ev_str(&f, "lun_text", "%s", r->rp.lun_text);
		pd_finding_ev_u64(&f, "lun_hex_value", r->rp.lun);
		pd_finding_ev_u64(&f, "lun_if_decimal", r->rp.lun_if_decimal);
		pd_finding_ev_str(&f, "root_path", "%s", r->text);
		pd_finding_ev_str(&f, "source", "%s", src);
		pd_finding_ev_str(&f, "server", "%s", srv);
		pd_finding_ev_u64(&f, "server_frame", r->frames[0]);
		pd_finding_ev_str(&f, "client", "%s", r->first_client);
		pd_finding_ev_u64(&f, "clients", r->clients);
		pd_finding_advice(&f, "RFC 4173 LUNs are hexadecimal, and vendor boot guides say "
				      "so (\"LUN 64 must be configured as 40\"). Check the LUN the "
				      "target exports (e.g. targetcli ls, tgtadm --op show) against "
				      "LUN %llu.",
				  (unsigned long long)r->rp.lun);
		rc = pd_analysis_emit(a, &f, &r->key_lun);
	}
	return rc;
}

static int vendor_finding(struct pd_analysis *a, struct server *sv)
{
	struct pd_finding f;
	char srv[16], subs[16];
	bool hba = sv->clients_with_class > 0;

	pd_ipv4_format(sv->addr, srv, sizeof(srv));
	snprintf(subs, sizeof(subs), "%s%s%s", sv->subopts & 1 ? "201," : "",
		 sv->subopts & 2 ? "202," : "", sv->subopts & 4 ? "203," : "");
	if (subs[0])
		subs[strlen(subs) - 1] = 0;
	pd_finding_init(&f, "dhcp.vendor_mismatch", hba ? PD_SEV_ERROR : PD_SEV_WARNING);
	memcpy(f.frames, sv->frames, sizeof(sv->frames));
	f.n_frames = sv->n_frames;
	f.frames_total = sv->frames_total;
	pd_finding_flow(&f, "host %s", srv);
	pd_finding_message(&f, "DHCP server %s sent %llu repl%s to %u client%s with iSCSI option 43 "
			       "sub-options %s but no vendor class (option 60)%s",
			   srv, (unsigned long long)sv->frames_total,
			   sv->frames_total == 1 ? "y" : "ies", sv->clients,
			   sv->clients == 1 ? "" : "s", subs,
			   hba ? ": a client that named its vendor class will ignore them" :
				 ": the option 43 is not keyed to any vendor");
	pd_finding_ev_str(&f, "server", "%s", srv);
	pd_finding_ev_str(&f, "suboptions", "%s", subs);
	pd_finding_ev_u64(&f, "replies", sv->frames_total);
	pd_finding_ev_u64(&f, "clients", sv->clients);
	pd_finding_ev_str(&f, "client", "%s", sv->first_client);
	pd_finding_ev_u64(&f, "clients_with_vendor_class", sv->clients_with_class);
	pd_finding_ev_str(&f, "client_vendor_class", "%s", sv->client_class);
	pd_finding_advice(&f, "iSCSI HBAs (Broadcom/QLogic \"BRCM ISAN\"/\"QLGC ISAN\") read option "
			      "43 sub-options 201-203 only when the reply's option 60 matches their "
			      "DHCP Vendor ID (RFC 2132 8.4: option 60 names the vendor whose "
			      "encoding option 43 uses). Scope option 43 to that vendor class on the "
			      "server (e.g. dnsmasq dhcp-option=vendor:BRCM ISAN,...) so it is "
			      "sent with option 60, and not to other clients.");
	return pd_analysis_emit(a, &f, &sv->key);
}

static int no_offer_finding(struct pd_analysis *a, const struct client *c, uint64_t offers_other,
			    int64_t t0, int64_t end_ns)
{
	struct pd_finding f;
	const struct pd_dhcp_client *pc = &c->pub;
	double tried = (double)(c->run_last_ns - c->run_first_ns) / 1e9;

	pd_finding_init(&f, "dhcp.no_offer", PD_SEV_ERROR);
	for (uint32_t i = 0; i < c->run_nframes; i++)
		pd_finding_add_frame(&f, c->run_frames[i]);
	f.frames_total = c->run_n;
	pd_finding_flow(&f, "host %s", pc->mac);
	pd_finding_message(&f, "client %s%s%s%s sent %u DHCPDISCOVER%s over %.1f s and no OFFER "
			       "answered (%s%s)",
			   pc->mac, pc->vendor_class[0] ? " (" : "", pc->vendor_class,
			   pc->vendor_class[0] ? ")" : "", c->run_n, c->run_n == 1 ? "" : "s", tried,
			   offers_other ? "the capture has OFFERs to other clients" :
					  "no server answered anyone in this capture",
			   pc->offers ? "; this client was answered earlier" : "");
	pd_finding_ev_str(&f, "client", "%s", pc->mac);
	pd_finding_ev_u64(&f, "discovers", c->run_n);
	pd_finding_ev_double(&f, "first_s", (double)(c->run_first_ns - t0) / 1e9);
	pd_finding_ev_double(&f, "last_s", (double)(c->run_last_ns - t0) / 1e9);
	pd_finding_ev_double(&f, "tried_for_s", tried);
	pd_finding_ev_double(&f, "capture_after_last_s", (double)(end_ns - c->run_last_ns) / 1e9);
	pd_finding_ev_u64(&f, "first_frame", c->run_frames[0]);
	pd_finding_ev_u64(&f, "last_frame", c->run_last_frame);
	pd_finding_ev_u64(&f, "client_secs", c->run_last_secs);
	pd_finding_ev_str(&f, "vendor_class", "%s", pc->vendor_class);
	pd_finding_ev_bool(&f, "relayed", c->run_relayed);
	pd_finding_ev_u64(&f, "offers_to_other_clients", offers_other);
	pd_finding_ev_u64(&f, "earlier_offers", pc->offers);
	pd_finding_ev_str(&f, "user_class", "%s", pc->user_class);
	if (pc->offers)
		pd_finding_advice(&f, "The server answered this client before and stopped: a second "
				      "boot stage (iPXE, the OS) often sends a different vendor or user "
				      "class (%s), and a server that only answers PXEClient, or a "
				      "proxyDHCP setup, ignores it; check the server's class filters.",
				  pc->user_class[0] ? pc->user_class : "see vendor_class");
	else if (offers_other)
		pd_finding_advice(&f, "A DHCP server answered other clients but not this one: check "
				      "its host/MAC filters, pool exhaustion, or a PXE-only "
				      "(proxyDHCP) setup that answers only some vendor classes; "
				      "read the server's log for %s.",
				  pc->mac);
	else
		pd_finding_advice(&f, "No DHCP server answered at all: check that one runs on this "
				      "segment or that a relay (ip helper-address) forwards to it, "
				      "and that the switch port forwards at once (spanning-tree "
				      "portfast / edge port: a blocked port drops the first ~30 s).");
	return pd_analysis_add(a, &f);
}

/* dhcp.nak: the server refused the client's REQUEST (RFC 2131 4.3.2).
 * Emitted at the NAK; an error until the client gets a lease (@final:
 * the capture has ended, so it never did), a warning from then on. */
static int nak_finding(struct pd_analysis *a, struct client *c, bool final)
{
	struct pd_finding f;
	const struct pd_dhcp_client *pc = &c->pub;
	char srv[16], req[16];
	bool recovered = pc->ack_after_nak_frame != 0;
	const char *state = c->nak_renew ? "RENEWING/REBINDING (ciaddr set)" :
			    c->nak_selecting ? "SELECTING (answering an OFFER)" :
					       "INIT-REBOOT (asking for its previous address)";

	pd_ipv4_format(c->nak_server, srv, sizeof(srv));
	pd_ipv4_format(c->nak_req_ip, req, sizeof(req));
	pd_finding_init(&f, "dhcp.nak", recovered ? PD_SEV_WARNING : PD_SEV_ERROR);
	if (c->nak_req_frame)
		pd_finding_add_frame(&f, c->nak_req_frame);
	for (uint32_t i = 0; i < c->nak_nframes; i++)
		pd_finding_add_frame(&f, c->nak_frames[i]);
	if (recovered)
		pd_finding_add_frame(&f, pc->ack_after_nak_frame);
	f.frames_total = (c->nak_req_frame ? 1 : 0) + pc->naks + (recovered ? 1 : 0);
	pd_finding_flow(&f, "host %s", pc->mac);
	pd_finding_message(&f, "DHCP server %s refused client %s's REQUEST for %s with DHCPNAK "
			       "(frame %llu%s%s%s)%s",
			   srv, pc->mac, req, (unsigned long long)pc->nak_frame,
			   pc->nak_message[0] ? ", \"" : "", pc->nak_message,
			   pc->nak_message[0] ? "\"" : "",
			   recovered ? "; the client started over and got a lease" :
			   final ? "; the client never got a lease in this capture" :
				   "; the client has not got a lease since");
	pd_finding_ev_str(&f, "client", "%s", pc->mac);
	pd_finding_ev_str(&f, "server", "%s", srv);
	pd_finding_ev_str(&f, "requested_ip", "%s", req);
	pd_finding_ev_str(&f, "client_state", "%s", state);
	pd_finding_ev_str(&f, "server_message", "%s", pc->nak_message);
	pd_finding_ev_u64(&f, "naks", pc->naks);
	pd_finding_ev_u64(&f, "request_frame", c->nak_req_frame);
	pd_finding_ev_u64(&f, "nak_frame", pc->nak_frame);
	pd_finding_ev_u64(&f, "ack_after_frame", pc->ack_after_nak_frame);
	if (recovered)
		pd_finding_ev_double(&f, "lost_s",
				     (double)(pc->ack_after_nak_ns - pc->nak_ns) / 1e9);
	pd_finding_advice(&f, "The server will not let the client have the address it asked for: "
			      "it is on another subnet (the client moved, or a relay's giaddr "
			      "points at the wrong scope) or the lease expired or went to another "
			      "client. Check %s's scope and reservation for this client.",
			  srv);
	return pd_analysis_emit(a, &f, &c->nak_key);
}

/* dhcp.decline: the client found its new address in use (RFC 2131 4.4.1).
 * Emitted at the DECLINE, updated by later ones and by the next lease. */
static int decline_finding(struct pd_analysis *a, struct client *c, bool final)
{
	struct pd_finding f;
	const struct pd_dhcp_client *pc = &c->pub;
	char ip[16], srv[16];
	bool recovered = pc->ack_after_decline_frame != 0;

	pd_ipv4_format(pc->declined_ip, ip, sizeof(ip));
	pd_ipv4_format(c->dec_server, srv, sizeof(srv));
	pd_finding_init(&f, "dhcp.decline", PD_SEV_ERROR);
	if (c->dec_ack_frame)
		pd_finding_add_frame(&f, c->dec_ack_frame);
	for (uint32_t i = 0; i < c->dec_nframes; i++)
		pd_finding_add_frame(&f, c->dec_frames[i]);
	if (recovered)
		pd_finding_add_frame(&f, pc->ack_after_decline_frame);
	f.frames_total = (c->dec_ack_frame ? 1 : 0) + pc->declines + (recovered ? 1 : 0);
	pd_finding_flow(&f, "host %s", pc->mac);
	pd_finding_message(&f, "client %s declined %s (DHCPDECLINE, frame %llu): the address the "
			       "server gave it is already in use on the segment%s",
			   pc->mac, ip, (unsigned long long)pc->decline_frame,
			   recovered ? "; it got another lease afterwards" :
			   final ? "; it got no other lease in this capture" :
				   "; it has not got another lease since");
	pd_finding_ev_str(&f, "client", "%s", pc->mac);
	pd_finding_ev_str(&f, "declined_ip", "%s", ip);
	pd_finding_ev_str(&f, "server", "%s", srv);
	pd_finding_ev_str(&f, "client_message", "%s", c->dec_message);
	pd_finding_ev_u64(&f, "declines", pc->declines);
	pd_finding_ev_u64(&f, "ack_frame", c->dec_ack_frame);
	pd_finding_ev_u64(&f, "decline_frame", pc->decline_frame);
	pd_finding_ev_u64(&f, "ack_after_frame", pc->ack_after_decline_frame);
	pd_finding_advice(&f, "Another host answers ARP for %s: a static address inside the pool, "
			      "a stale host, or a second DHCP server. The client must start over "
			      "(RFC 2131: after 10 s). Find the owner (arp.address_conflict names "
			      "its MAC when captured) and exclude the address from the pool.",
			  ip);
	return pd_analysis_emit(a, &f, &c->dec_key);
}

/* dhcp.rootpath: emitted at the ACK that leases it (what the client
 * boots is what the ACK says: an OFFER may still be replaced by another
 * OFFER or by an ACK with another root path), or at the end when no ACK
 * came; updated by later replies.  A later invalid root path, after it
 * was emitted, cannot take it back (dhcp.rootpath_invalid says it). */
static int rootpath_info(struct pd_analysis *a, struct client *c, bool final)
{
	struct pd_finding f;
	struct pd_rootpath rp;
	const struct pd_dhcp_client *pc = &c->pub;
	char srv[16], ip[16];

	if (!c->rp_valid || pd_rootpath_parse(pc->root_path, strlen(pc->root_path), &rp))
		return 0; /* dhcp.rootpath_invalid says it */
	if (!final && !pc->acks && !c->rp_key)
		return 0; /* not leased yet: an OFFER is no verdict */
	pd_ipv4_format(c->rp_server, srv, sizeof(srv));
	pd_ipv4_format(pc->acks ? pc->assigned_ip : pc->offered_ip, ip, sizeof(ip));
	pd_finding_init(&f, "dhcp.rootpath", PD_SEV_INFO);
	pd_finding_add_frame(&f, c->rp_frame);
	pd_finding_flow(&f, "host %s", pc->mac);
	pd_finding_message(&f, "client %s (%s) boots iSCSI target %s LUN %llu at %s%s%s:%u "
			       "(%s from DHCP server %s)",
			   pc->mac, ip, rp.target, (unsigned long long)rp.lun,
			   rp.server_ipv6 ? "[" : "", rp.server, rp.server_ipv6 ? "]" : "", rp.port,
			   pc->root_path_opt == OPT_ROOT_PATH ? "option 17" : "option 43.201", srv);
	pd_finding_ev_str(&f, "client", "%s", pc->mac);
	pd_finding_ev_str(&f, "client_ip", "%s", ip);
	pd_finding_ev_str(&f, "root_path", "%s", pc->root_path);
	pd_finding_ev_str(&f, "source", "%s",
			  pc->root_path_opt == OPT_ROOT_PATH ? "option 17" : "option 43.201");
	pd_finding_ev_str(&f, "server", "%s", rp.server);
	pd_finding_ev_u64(&f, "port", rp.port);
	pd_finding_ev_u64(&f, "lun", rp.lun);
	pd_finding_ev_str(&f, "lun_text", "%s", rp.lun_text);
	pd_finding_ev_bool(&f, "lun_ambiguous", rp.lun_ambiguous);
	pd_finding_ev_str(&f, "target", "%s", rp.target);
	pd_finding_ev_str(&f, "dhcp_server", "%s", srv);
	pd_finding_ev_u64(&f, "reply_frame", c->rp_frame);
	return pd_analysis_emit(a, &f, &c->rp_key);
}

/* The findings of one client as they stand; @final at the end of the input. */
static int client_findings(struct pd_analysis *a, struct client *c, bool final)
{
	int rc = 0;

	if (c->pub.naks)
		rc = nak_finding(a, c, final);
	if (!rc && c->pub.declines)
		rc = decline_finding(a, c, final);
	/* one per client; past --max-findings-per-id they fold into one */
	if (!rc && c->pub.root_path[0])
		rc = rootpath_info(a, c, final);
	return rc;
}

/* Copy the client records into struct pd_analysis (include/pktdoctor/dhcp.h). */
static int publish(struct dhcp_state *s, struct pd_analysis *a)
{
	struct pd_dhcp_clients *l = malloc(sizeof(*l) + s->n * sizeof(l->v[0]));

	if (!l)
		return -PD_ENOMEM;
	l->n = s->n;
	l->dropped = s->dropped;
	for (size_t i = 0; i < s->n; i++)
		l->v[i] = s->v[i].pub;
	free(a->dhcp);
	a->dhcp = l;
	return 0;
}

const struct pd_dhcp_client *pd_dhcp_clients(const struct pd_analysis *a, size_t *n)
{
	*n = a->dhcp ? a->dhcp->n : 0;
	return *n ? a->dhcp->v : 0;
}

static int limit_finding(struct pd_analysis *a, const char *table, size_t limit, uint64_t over,
			 uint64_t first)
{
	struct pd_finding f;

	pd_finding_limit(&f, table, limit, over, "DHCP messages", first);
	pd_finding_message(&f, "DHCP %s table full (%zu entries): %llu more DHCP messages were not "
			       "tracked, the first in frame %llu",
			   table, limit, (unsigned long long)over, (unsigned long long)first);
	pd_finding_advice(&f, "Filter the capture (-f 'udp port 67 or udp port 68 and ether host "
			      "...') to the clients of interest.");
	return pd_analysis_add(a, &f);
}

static int dhcp_finish(void *state, struct pd_analysis *a)
{
	struct dhcp_state *s = state;
	uint64_t offers = 0;
	int64_t t0 = a->stats.first_ns, end = a->stats.last_ns;
	int rc = 0;

	for (size_t i = 0; i < s->n; i++)
		offers += s->v[i].pub.offers;
	for (size_t i = 0; i < s->n_rp && !rc; i++)
		rc = rootpath_findings(a, &s->rp[i]);
	for (size_t i = 0; i < s->n_srv && !rc; i++)
		rc = vendor_finding(a, &s->srv[i]);
	for (size_t i = 0; i < s->n && !rc; i++) {
		struct client *c = &s->v[i];

		/* an unanswered run: retried, or the capture went on past the
		 * first retransmission time without an answer (a verdict about
		 * what never came, so it is made here) */
		if (c->run_n >= 2 || (c->run_n == 1 && end - c->run_last_ns >= RETRY_NS))
			rc = no_offer_finding(a, c, offers - c->pub.offers, t0, end);
		/* the others were emitted at their messages: their final form */
		if (!rc)
			rc = client_findings(a, c, true);
	}
	if (!rc && s->dropped)
		rc = limit_finding(a, "clients", PD_DHCP_MAX_CLIENTS, s->dropped, s->first_dropped);
	if (!rc && s->rp_dropped)
		rc = limit_finding(a, "root paths", MAX_RPATHS, s->rp_dropped, s->first_rp_dropped);
	if (!rc && s->srv_dropped)
		rc = limit_finding(a, "servers", MAX_SERVERS, s->srv_dropped, s->first_srv_dropped);
	if (!rc)
		rc = publish(s, a);
	return rc;
}

static void dhcp_destroy(void *state)
{
	struct dhcp_state *s = state;

	if (!s)
		return;
	free(s->v);
	pd_hashtab_free(&s->index);
	free(s->rp);
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_dhcp = {
	.name = "dhcp",
	.init = dhcp_init,
	.on_packet = dhcp_packet,
	.finish = dhcp_finish,
	.destroy = dhcp_destroy,
};
