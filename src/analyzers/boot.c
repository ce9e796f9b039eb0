/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * boot.c - the boot summary and the boot delays.
 *
 * The boot summary: for each host that booted over the network, DHCP
 * exchange -> root path -> TCP connect -> iSCSI login -> first READ ->
 * handover -> OS traffic, each step with its frame and time, listed in
 * time order and split into the firmware phase and the OS phase.  It is
 * made in the summarize phase, after every analyzer's finish, from what
 * the other analyzers published: DHCP clients
 * (by MAC, with the address they were given, NAKs and DECLINEs), iSCSI
 * connections and TCP connections (by the initiator's address), and ARP
 * duplicate-address-detection episodes (by MAC).  A host appears when it
 * did DHCP with a root path or PXE/iPXE identifiers, or logged in to an
 * iSCSI target.
 *
 * A handover is only placed where the capture shows one: after the
 * firmware's last step (DHCP ACK, iSCSI login, first READ), a silence of
 * at least --handover-gap (1 s), then the OS's RFC 5227 probes or
 * announcement.  A gratuitous ARP the firmware sends right after its DHCP
 * ACK (iPXE does), or a DHCP client's own ARP check of its new address, is
 * not an OS starting.
 *
 *   boot.delay   every pause longer than --handover-gap (1 s) between two
 *                steps of a DHCP client's progress, explained by what the
 *                client was waiting for: DHCP DISCOVERs unanswered or an
 *                OFFER held while the firmware collects more, IPv6 router
 *                solicitations unanswered, RFC 5227 probes, TCP SYN or TFTP
 *                request retries, TCP retransmissions, an iSCSI/HTTP/TFTP
 *                server's answer, or the handover itself; with the seconds
 *                lost, the frames, and what to change.
 *
 * Pauses are measured on this packet path (on_packet): per client MAC
 * (the MACs that sent a DHCP request or a SYN to port 3260), the frames
 * that move the boot on ("progress": what the client sends, except
 * retries and solicitations, and the DHCP server's replies to it) and the
 * frames it sends while waiting (router solicitations, DISCOVER and SYN
 * and TFTP request repeats, TCP retransmissions, ARP probes).  Frames of
 * others (a target retransmitting into a silent client, a server's ARP
 * refresh) neither start nor end a pause.  Whether a TCP segment is a
 * retransmission or a SYN repeat comes from the TCP stream layer
 * (tcpstream.h), so TCP steps are followed only for flows the flow table
 * tracks (a full table is reported as analysis.limit_reached).  State is
 * bounded: MAX_CLIENTS clients, MAX_PAUSES pauses each, counted when
 * exceeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/dhcp.h"
#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/iscsi.h"
#include "pktdoctor/vec.h"

#define MAX_BOOT_HOSTS 256
#define MAX_CLIENTS 256         /* clients followed for boot.delay */
#define MAX_PAUSES 16           /* pauses kept per client */
#define MAX_WAIT_FRAMES 24      /* waiting frames kept per pause */
#define NS 1000000000LL

/* What a client was waiting for during a pause. */
enum cause {
	C_IDLE,          /* nothing outstanding seen */
	C_DHCP_NO_ANSWER,/* DISCOVERs with no OFFER */
	C_DHCP_CHECK,    /* the server probed the address before offering it */
	C_DHCP_DECLINED, /* the RFC 2131 wait after a DHCPDECLINE */
	C_DHCP_OFFER,    /* an OFFER in hand, still discovering */
	C_DHCP_REQUEST,  /* a REQUEST with no ACK/NAK */
	C_IPV6_RS,       /* router solicitations, no advertisement */
	C_ARP_PROBES,    /* RFC 5227 probes */
	C_SYN_RETRY,     /* a SYN re-sent */
	C_TFTP_RETRY,    /* a TFTP read request re-sent */
	C_TCP_RETX,      /* the client retransmitted TCP data */
	C_ISCSI,         /* an iSCSI request, the target's answer */
	C_HTTP,          /* an HTTP request, the server's answer */
	C_TFTP,          /* a TFTP request, the server's answer */
	C_HANDOVER,      /* the firmware's last frame, then the OS */
	C__COUNT
};

static const char *const cause_names[C__COUNT] = {
	"idle", "dhcp_no_answer", "dhcp_server_address_check", "dhcp_decline_wait", "dhcp_offer_held", "dhcp_request_unanswered",
	"ipv6_router_solicitation", "arp_probes", "tcp_syn_retry", "tftp_retry",
	"tcp_retransmission", "iscsi_target", "http_server", "tftp_server", "handover",
};

/* Kinds of the client's last progress frame. */
enum kind { K_OTHER, K_DHCP, K_ISCSI, K_HTTP, K_TFTP, K_SYN, K_DECLINE };

struct pause {
	uint8_t cause;
	uint64_t from_frame, to_frame; /* to_frame 0: the capture ended first */
	uint64_t answer_frame;   /* the server's answer inside the pause, 0 none */
	int64_t from_ns, to_ns;
	uint64_t wait[MAX_WAIT_FRAMES];
	unsigned n_wait, total_wait;
	bool ra_seen;            /* C_IPV6_RS: an advertisement was seen at all */
};

struct bclient {
	uint8_t mac[6];
	uint8_t ip[4];           /* its IPv4 source address, once seen */
	uint64_t last_frame;     /* last progress frame, 0 none yet */
	int64_t last_ns;
	uint8_t last_kind;       /* enum kind */
	bool dhcp_open, offered, requested;
	bool server_checked;     /* the OFFER's address was probed during the wait */
	bool ra_seen;
	uint64_t rs_frames[MAX_WAIT_FRAMES]; /* its router solicitations */
	unsigned n_rs, rs_total;
	/* waiting frames since the last progress frame */
	uint64_t wait[MAX_WAIT_FRAMES];
	unsigned n_wait, total_wait;
	unsigned w_rs, w_dhcp, w_probe, w_syn, w_tftp, w_retx;
	uint64_t first_probe_frame;
	int64_t first_probe_ns, last_wait_ns;
	uint64_t answer_frame;   /* first server data to it since the last progress */
	int64_t answer_ns;
	uint64_t sent_frame;     /* the last frame it sent, of any kind */
	int64_t sent_ns;
	uint64_t pre_probe_frame;/* its last frame before its first probe */
	int64_t pre_probe_ns;
	uint16_t tftp_sport;
	struct pause pauses[MAX_PAUSES];
	unsigned n_pauses;
	uint64_t pauses_dropped;
};

/* ARP requests and ICMP echo requests seen lately, by target address: a
 * DHCP server checking an address before it offers it. */
#define RECENT_PROBES 16
struct probe_seen {
	uint8_t ip[4];
	int64_t ns;
};

struct boot_state {
	struct probe_seen probes[RECENT_PROBES];
	unsigned n_probes;
	struct bclient *c;       /* grown on demand up to MAX_CLIENTS */
	size_t n, cap;
	struct pd_hashtab index; /* MAC -> number in c[] */
	uint64_t dropped;
	int64_t gap_ns;
};

static int boot_init(struct pd_analysis *a, void **state)
{
	struct boot_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->gap_ns = a->opts->handover_gap_ns ? a->opts->handover_gap_ns : 1 * NS;
	*state = s;
	return 0;
}

static void boot_destroy(void *state)
{
	struct boot_state *s = state;

	if (!s)
		return;
	pd_hashtab_free(&s->index);
	free(s->c);
	free(s);
}

/* ---------------------------------------------------------------- */
/* The packet path: pauses                                          */
/* ---------------------------------------------------------------- */

struct mac_match {
	const struct boot_state *s;
	const uint8_t *mac;
};

static bool client_is(const void *ctx, uint32_t i)
{
	const struct mac_match *m = ctx;

	return memcmp(m->s->c[i].mac, m->mac, 6) == 0;
}

/* The client with @mac; with @add, a new one when not there yet.  NULL
 * when absent, or when the table is full (counted). */
static struct bclient *client_find(struct boot_state *s, const uint8_t *mac, bool add)
{
	struct mac_match m = {s, mac};
	uint32_t h = pd_hash_bytes(mac, 6), i = pd_hashtab_find(&s->index, h, client_is, &m);

	if (i != PD_HASHTAB_NONE)
		return &s->c[i];
	if (!add)
		return 0;
	if (pd_vec_reserve(&s->c, &s->cap, s->n, sizeof(*s->c), MAX_CLIENTS) ||
	    pd_hashtab_insert(&s->index, h, (uint32_t)s->n) < 0) {
		s->dropped++; /* the table is full (or memory ran out) */
		return 0;
	}
	memset(&s->c[s->n], 0, sizeof(s->c[0]));
	memcpy(s->c[s->n].mac, mac, 6);
	return &s->c[s->n++];
}

static const uint8_t *src_mac(const struct pd_packet *p)
{
	if (p->layers & PD_L_ETH)
		return p->eth.src;
	if ((p->layers & PD_L_SLL) && p->sll.hatype == 1 && p->sll.addr_len == 6)
		return p->sll.addr;
	return 0;
}

static void wait_frame(struct bclient *c, const struct pd_packet *p, unsigned *counter)
{
	(*counter)++;
	c->total_wait++;
	if (c->n_wait < MAX_WAIT_FRAMES)
		c->wait[c->n_wait++] = p->frame;
	c->last_wait_ns = p->ts_ns;
}

static void pause_add(struct bclient *c, uint8_t cause, uint64_t from_frame, int64_t from_ns,
		      uint64_t to_frame, int64_t to_ns, bool with_waits)
{
	struct pause *q;

	/* a pause right after one with the same cause continues it */
	if (c->n_pauses) {
		q = &c->pauses[c->n_pauses - 1];
		if (q->cause == cause && q->to_frame == from_frame) {
			q->to_frame = to_frame;
			q->to_ns = to_ns;
			goto waits;
		}
	}
	if (c->n_pauses >= MAX_PAUSES) {
		c->pauses_dropped++;
		return;
	}
	q = &c->pauses[c->n_pauses++];
	memset(q, 0, sizeof(*q));
	q->cause = cause;
	q->from_frame = from_frame;
	q->from_ns = from_ns;
	q->to_frame = to_frame;
	q->to_ns = to_ns;
waits:
	q->ra_seen = c->ra_seen;
	if (c->answer_frame && c->answer_frame > from_frame && !q->answer_frame)
		q->answer_frame = c->answer_frame;
	if (!with_waits)
		return;
	for (unsigned i = 0; i < c->n_wait; i++)
		if (q->n_wait < MAX_WAIT_FRAMES && (!q->n_wait || c->wait[i] > q->wait[q->n_wait - 1]))
			q->wait[q->n_wait++] = c->wait[i];
	q->total_wait += c->total_wait;
}

/* The cause of a pause that ends now, from what was outstanding.  A
 * request answered within @gap_ns left the client idle, not waiting. */
static uint8_t pause_cause(const struct bclient *c, int64_t gap_ns)
{
	bool answered = c->answer_frame && c->answer_ns - c->last_ns <= gap_ns;

	if (c->w_probe)
		return C_ARP_PROBES;
	if (c->dhcp_open)
		return c->requested ? C_DHCP_REQUEST : c->offered ? C_DHCP_OFFER :
		       c->server_checked ? C_DHCP_CHECK : C_DHCP_NO_ANSWER;
	if (c->w_rs && !c->ra_seen)
		return C_IPV6_RS;
	if (c->w_syn)
		return C_SYN_RETRY;
	if (c->w_tftp)
		return C_TFTP_RETRY;
	if (c->w_retx)
		return C_TCP_RETX;
	switch (c->last_kind) {
	case K_DECLINE:
		return C_DHCP_DECLINED;
	case K_ISCSI:
		return answered ? C_IDLE : C_ISCSI;
	case K_HTTP:
		return answered ? C_IDLE : C_HTTP;
	case K_TFTP:
		return answered ? C_IDLE : C_TFTP;
	default:
		return C_IDLE;
	}
}

static void clear_waits(struct bclient *c)
{
	c->n_wait = c->total_wait = 0;
	c->w_rs = c->w_dhcp = c->w_probe = c->w_syn = c->w_tftp = c->w_retx = 0;
	c->first_probe_frame = 0;
}

/* A progress frame at @p: close the pause before it, if there was one. */
static void progress(struct boot_state *s, struct bclient *c, const struct pd_packet *p,
		     uint8_t kind)
{
	if (c->last_frame && p->ts_ns - c->last_ns > s->gap_ns) {
		uint8_t cause = pause_cause(c, s->gap_ns);

		/* silence, then the OS's probes: the handover, then the probes */
		if (cause == C_ARP_PROBES && c->first_probe_frame &&
		    c->first_probe_ns - c->last_ns > s->gap_ns) {
			/* the silence starts at the client's last frame of any
			 * kind (a pure ACK too), as the boot summary counts it */
			uint64_t from = c->pre_probe_frame > c->last_frame ? c->pre_probe_frame
									   : c->last_frame;
			int64_t from_ns = c->pre_probe_frame > c->last_frame ? c->pre_probe_ns
									     : c->last_ns;

			pause_add(c, C_HANDOVER, from, from_ns, c->first_probe_frame,
				  c->first_probe_ns, false);
			if (p->ts_ns - c->first_probe_ns > s->gap_ns)
				pause_add(c, C_ARP_PROBES, c->first_probe_frame, c->first_probe_ns,
					  p->frame, p->ts_ns, true);
		} else {
			pause_add(c, cause, c->last_frame, c->last_ns, p->frame, p->ts_ns, true);
		}
	}
	clear_waits(c);
	c->server_checked = false;
	c->answer_frame = 0;
	c->last_frame = p->frame;
	c->last_ns = p->ts_ns;
	c->last_kind = kind;
}

static bool zero4(const uint8_t *ip)
{
	return !(ip[0] | ip[1] | ip[2] | ip[3]);
}

/* A frame the client sent. */
static void from_client(struct boot_state *s, struct bclient *c, const struct pd_packet *p,
			const struct pd_tcp_seg *sg)
{
	if ((p->layers & PD_L_IPV4) && !zero4(p->ip.src.a))
		memcpy(c->ip, p->ip.src.a, 4);
	if (p->layers & PD_L_ARP) {
		const struct pd_arp *r = &p->arp;

		if (!r->ipv4_eth)
			return;
		if (r->oper == 1 && zero4(r->spa)) { /* RFC 5227 probe */
			if (!c->first_probe_frame) {
				c->first_probe_frame = p->frame;
				c->first_probe_ns = p->ts_ns;
				c->pre_probe_frame = c->sent_frame;
				c->pre_probe_ns = c->sent_ns;
			}
			wait_frame(c, p, &c->w_probe);
		} else if (r->oper == 1 && memcmp(r->spa, r->tpa, 4)) {
			progress(s, c, p, K_OTHER); /* resolving a peer */
		}
		/* announcements and replies: neither */
		return;
	}
	if ((p->layers & PD_L_ICMPV6) && p->icmp.type == 133) { /* RFC 4861 RS */
		c->rs_total++;
		if (c->n_rs < MAX_WAIT_FRAMES)
			c->rs_frames[c->n_rs++] = p->frame;
		wait_frame(c, p, &c->w_rs);
		return;
	}
	if (p->layers & PD_L_DHCP) {
		const struct pd_dhcp *d = &p->dhcp;

		if (d->op != 1)
			return;
		if (d->msg_type == PD_DHCP_DISCOVER) {
			if (c->dhcp_open && !c->requested) {
				wait_frame(c, p, &c->w_dhcp); /* a retry */
				return;
			}
			progress(s, c, p, K_DHCP);
			c->dhcp_open = true;
			c->offered = c->requested = false;
		} else if (d->msg_type == PD_DHCP_REQUEST) {
			if (c->dhcp_open && c->requested) {
				wait_frame(c, p, &c->w_dhcp);
				return;
			}
			progress(s, c, p, K_DHCP);
			c->dhcp_open = c->requested = true;
		} else {
			progress(s, c, p, d->msg_type == PD_DHCP_DECLINE ? K_DECLINE : K_DHCP);
			c->dhcp_open = c->offered = c->requested = false;
		}
		return;
	}
	if ((p->layers & PD_L_UDP) && p->udp.dport == 69) { /* TFTP read/write request */
		if (c->tftp_sport == p->udp.sport) {
			wait_frame(c, p, &c->w_tftp);
			return;
		}
		c->tftp_sport = p->udp.sport;
		progress(s, c, p, K_TFTP);
		return;
	}
	if (p->layers & PD_L_TCP) {
		const struct pd_tcp *t = &p->tcp;

		/* what the segment is comes from the TCP stream layer */
		if (!sg->analysed)
			return; /* a copy of a frame, or no tracked flow: moves nothing on */
		if ((t->flags & 0x12) == 0x02) { /* SYN */
			if (!sg->stream_start) {
				wait_frame(c, p, &c->w_syn); /* the same SYN again */
				return;
			}
			progress(s, c, p, K_SYN);
			return;
		}
		if (t->payload_len && (sg->kind == PD_SEG_KEEPALIVE ||
				       (sg->kind == PD_SEG_OLD && !pd_seq_lt(sg->prev_nxt, sg->end)))) {
			wait_frame(c, p, &c->w_retx); /* nothing new: a retransmission */
			return;
		}
		if (!t->payload_len && !(t->flags & 0x05))
			return; /* a pure ACK (or keepalive) moves nothing on */
		if (!t->payload_len) {
			progress(s, c, p, K_OTHER); /* FIN or RST: nothing outstanding */
			return;
		}
		progress(s, c, p, t->dport == 3260 ? K_ISCSI :
				  t->dport == 80 || t->dport == 8080 ? K_HTTP : K_OTHER);
		return;
	}
	if (p->layers & (PD_L_IPV4 | PD_L_IPV6))
		progress(s, c, p, (p->layers & PD_L_UDP) && c->tftp_sport &&
					  p->udp.sport == c->tftp_sport ? K_TFTP : K_OTHER);
}

static void remember_probe(struct boot_state *s, const uint8_t *ip, int64_t ns)
{
	struct probe_seen *q = &s->probes[s->n_probes++ % RECENT_PROBES];

	memcpy(q->ip, ip, 4);
	q->ns = ns;
}

static void boot_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
			struct pd_flow *flow, int dir)
{
	struct boot_state *s = state;
	const uint8_t *mac = src_mac(p);
	struct bclient *c;

	(void)a;
	(void)flow;
	(void)dir;
	if (p->layers & PD_L_DHCP) {
		const struct pd_dhcp *d = &p->dhcp;

		if (d->htype != 1 || d->hlen != 6)
			return;
		if (d->op == 1) {
			c = client_find(s, d->chaddr, true);
		} else {
			/* a server's reply moves the client's boot on */
			c = client_find(s, d->chaddr, false);
			if (!c)
				return;
			if (d->msg_type == PD_DHCP_OFFER) {
				/* was the offered address probed while the client waited? */
				for (unsigned i = 0; i < RECENT_PROBES && i < s->n_probes; i++)
					if (!memcmp(s->probes[i].ip, d->yiaddr, 4) &&
					    s->probes[i].ns >= c->last_ns)
						c->server_checked = true;
				progress(s, c, p, K_DHCP);
				c->offered = true;
			} else if (d->msg_type == PD_DHCP_ACK || d->msg_type == PD_DHCP_NAK) {
				progress(s, c, p, K_DHCP);
				c->dhcp_open = c->offered = c->requested = false;
			}
			return;
		}
	} else if ((p->layers & PD_L_TCP) && (p->tcp.flags & 0x12) == 0x02 && p->tcp.dport == 3260 && mac) {
		c = client_find(s, mac, true);
	} else if ((p->layers & PD_L_ARP) && p->arp.ipv4_eth && p->arp.oper == 1 &&
		   !zero4(p->arp.spa) && memcmp(p->arp.spa, p->arp.tpa, 4)) {
		remember_probe(s, p->arp.tpa, p->ts_ns);
		c = mac ? client_find(s, mac, false) : 0;
	} else if ((p->layers & PD_L_ICMP) && p->icmp.type == 8 && p->ip.version == 4) {
		remember_probe(s, p->ip.dst.a, p->ts_ns);
		c = mac ? client_find(s, mac, false) : 0;
	} else if ((p->layers & PD_L_ICMPV6) && p->icmp.type == 134) {
		/* a router advertisement: every client hears it */
		for (size_t i = 0; i < s->n; i++)
			s->c[i].ra_seen = true;
		return;
	} else {
		c = mac ? client_find(s, mac, false) : 0;
		if (!c && (p->layers & PD_L_ETH) && p->payload_caplen &&
		    (p->layers & (PD_L_TCP | PD_L_UDP))) {
			/* data to a client: the answer it may be waiting for */
			struct bclient *d = client_find(s, p->eth.dst, false);

			if (d && !d->answer_frame) {
				d->answer_frame = p->frame;
				d->answer_ns = p->ts_ns;
			}
			return;
		}
	}
	if (c) {
		from_client(s, c, p, &a->tcp_seg);
		c->sent_frame = p->frame;
		c->sent_ns = p->ts_ns;
	}
}

/* ---------------------------------------------------------------- */
/* Finish: the boot summary                                         */
/* ---------------------------------------------------------------- */

static void set_step(struct pd_boot_host *h, int step, uint64_t frame, int64_t ns)
{
	if (!frame || (h->frame[step] && h->frame[step] <= frame))
		return;
	h->frame[step] = frame;
	h->ns[step] = ns;
}

static struct pd_boot_host *host_for(struct pd_boot_hosts *b, const char *mac, const char *ip)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pd_boot_host *h = &b->v[i];

		if ((mac[0] && !strcmp(h->mac, mac)) || (ip[0] && !strcmp(h->ip, ip)))
			return h;
	}
	if (b->n >= MAX_BOOT_HOSTS)
		return 0;
	memset(&b->v[b->n], 0, sizeof(b->v[0]));
	return &b->v[b->n++];
}

/* The firmware's last step: the OS cannot start before it. */
static int64_t firmware_end_ns(const struct pd_boot_host *h)
{
	static const int fw[] = {PD_BOOT_DHCP_ACK, PD_BOOT_TCP_CONNECT, PD_BOOT_ISCSI_LOGIN,
				 PD_BOOT_FIRST_READ};
	int64_t end = 0;

	for (size_t i = 0; i < sizeof(fw) / sizeof(fw[0]); i++)
		if (h->frame[fw[i]] && h->ns[fw[i]] > end)
			end = h->ns[fw[i]];
	return end;
}

/* Steps in time order (frame order for equal times), and their phase. */
static void order_steps(struct pd_boot_host *h)
{
	h->n_steps = 0;
	for (int s = 0; s < PD_BOOT__COUNT; s++) {
		unsigned k;

		if (!h->frame[s])
			continue;
		k = h->n_steps++;
		while (k > 0) {
			int o = h->order[k - 1];

			if (h->ns[o] < h->ns[s] || (h->ns[o] == h->ns[s] && h->frame[o] <= h->frame[s]))
				break;
			h->order[k] = h->order[k - 1];
			k--;
		}
		h->order[k] = (uint8_t)s;
	}
	for (int s = 0; s < PD_BOOT__COUNT; s++)
		h->phase[s] = h->frame[PD_BOOT_HANDOVER] && h->frame[s] &&
					      (h->ns[s] > h->ns[PD_BOOT_HANDOVER] ||
					       (h->ns[s] == h->ns[PD_BOOT_HANDOVER] &&
						h->frame[s] > h->frame[PD_BOOT_HANDOVER]))
				      ? PD_BOOT_OS
				      : PD_BOOT_FIRMWARE;
}

static void summary_dhcp(struct pd_analysis *a, struct pd_boot_hosts *b)
{
	const struct pd_dhcp_client *dc;
	size_t ndc = 0;

	dc = pd_dhcp_clients(a, &ndc);
	for (size_t i = 0; i < ndc; i++) {
		const struct pd_dhcp_client *c = &dc[i];
		struct pd_boot_host *h;
		char ip[16] = "", x[16];
		bool boots = c->root_path[0] || c->ipxe || c->boot_file[0] ||
			     !strncmp(c->vendor_class, "PXEClient", 9);

		if (!boots)
			continue;
		if (!zero4(c->assigned_ip))
			pd_ipv4_format(c->assigned_ip, ip, sizeof(ip));
		h = host_for(b, c->hlen == 6 ? c->mac : "", ip);
		if (!h)
			break;
		if (c->hlen == 6)
			snprintf(h->mac, sizeof(h->mac), "%s", c->mac);
		if (ip[0])
			snprintf(h->ip, sizeof(h->ip), "%s", ip);
		set_step(h, PD_BOOT_DHCP_DISCOVER, c->discover_frame, c->discover_ns);
		snprintf(h->detail[PD_BOOT_DHCP_DISCOVER], sizeof(h->detail[0]),
			 "DHCP DISCOVER%s%s%s%s", c->vendor_class[0] ? ", vendor class " : "",
			 c->vendor_class, c->ipxe ? ", iPXE" : "",
			 c->user_class[0] ? ", user class set" : "");
		/* after a DECLINE the lease that counts is the next one */
		if (c->declines && c->ack_after_decline_frame)
			set_step(h, PD_BOOT_DHCP_ACK, c->ack_after_decline_frame, c->ack_after_decline_ns);
		else
			set_step(h, PD_BOOT_DHCP_ACK, c->ack_frame, c->ack_ns);
		snprintf(h->detail[PD_BOOT_DHCP_ACK], sizeof(h->detail[0]), "DHCP ACK %s%s%.120s", ip,
			 c->root_path[0] ? ", root path " : (c->boot_file[0] ? ", boot file " : ""),
			 c->root_path[0] ? c->root_path : c->boot_file);
		if (c->naks) {
			set_step(h, PD_BOOT_DHCP_NAK, c->nak_frame, c->nak_ns);
			snprintf(h->detail[PD_BOOT_DHCP_NAK], sizeof(h->detail[0]),
				 "DHCP NAK: the server refused the client's REQUEST%s%.80s%s (%u NAK%s)",
				 c->nak_message[0] ? " (\"" : "", c->nak_message,
				 c->nak_message[0] ? "\")" : "", c->naks, c->naks == 1 ? "" : "s");
		}
		if (c->declines) {
			pd_ipv4_format(c->declined_ip, x, sizeof(x));
			set_step(h, PD_BOOT_DHCP_DECLINE, c->decline_frame, c->decline_ns);
			snprintf(h->detail[PD_BOOT_DHCP_DECLINE], sizeof(h->detail[0]),
				 "DHCP DECLINE of %s: the address is in use (%u DECLINE%s)", x,
				 c->declines, c->declines == 1 ? "" : "s");
		}
	}
}

static void summary_iscsi(struct pd_analysis *a, struct pd_boot_hosts *b)
{
	for (size_t i = 0; a->iscsi && i < a->iscsi->n; i++) {
		const struct pd_iscsi_conn *c = &a->iscsi->v[i];
		struct pd_boot_host *h;
		char ip[48];

		if (c->session_type == PD_ISCSI_SESSION_DISCOVERY || c->addr[0].family != 4)
			continue;
		pd_addr_format(&c->addr[0], ip, sizeof(ip));
		h = host_for(b, "", ip);
		if (!h)
			break;
		snprintf(h->ip, sizeof(h->ip), "%s", ip);
		if (c->state == PD_ISCSI_LOGIN_OK || c->state == PD_ISCSI_LOGIN_FAILED) {
			if (!h->frame[PD_BOOT_ISCSI_LOGIN] || c->login_done_frame < h->frame[PD_BOOT_ISCSI_LOGIN])
				snprintf(h->detail[PD_BOOT_ISCSI_LOGIN], sizeof(h->detail[0]),
					 "iSCSI login %s to %.100s", c->state == PD_ISCSI_LOGIN_OK ? "ok" : "FAILED",
					 c->target_name[0] ? c->target_name : "(target name not seen)");
			set_step(h, PD_BOOT_ISCSI_LOGIN, c->login_done_frame, c->login_done_ns);
		}
		if (c->first_read_frame) {
			set_step(h, PD_BOOT_FIRST_READ, c->first_read_frame, c->first_read_ns);
			snprintf(h->detail[PD_BOOT_FIRST_READ], sizeof(h->detail[0]),
				 "first SCSI READ (CDB 0x%02x)", c->first_read_cdb);
		}
		/* the TCP connection it ran on: its SYN */
		for (size_t k = 0; k < a->conns.n; k++) {
			const struct pd_conn *t = &a->conns.v[k];
			char tip[48];

			if (t->flow_id != c->flow_id || !t->syn_seen)
				continue;
			pd_addr_format(&t->addr[1], tip, sizeof(tip));
			if (!h->frame[PD_BOOT_TCP_CONNECT] || t->first_frame < h->frame[PD_BOOT_TCP_CONNECT])
				snprintf(h->detail[PD_BOOT_TCP_CONNECT], sizeof(h->detail[0]),
					 "TCP connect to %s:%u", tip, t->port[1]);
			set_step(h, PD_BOOT_TCP_CONNECT, t->first_frame, t->first_ns);
		}
	}
}

/* Handover and OS start, from ARP duplicate-address detection: only an
 * episode (probes or announcements) after the firmware's last step and
 * after a silence of at least the handover gap is the OS starting. */
static void summary_arp(struct pd_analysis *a, struct pd_boot_hosts *b, int64_t gap_ns)
{
	for (size_t i = 0; i < a->arp.n; i++) {
		const struct pd_arp_episode *e = &a->arp.v[i];
		char mac[18], ip[16];
		struct pd_boot_host *h = 0;
		bool silence;

		pd_mac_format(e->mac, mac, sizeof(mac));
		pd_ipv4_format(e->ip, ip, sizeof(ip));
		for (size_t k = 0; k < b->n && !h; k++)
			if (!strcmp(b->v[k].mac, mac) || !strcmp(b->v[k].ip, ip))
				h = &b->v[k];
		if (!h)
			continue; /* not a host we saw boot */
		if (!h->mac[0])
			snprintf(h->mac, sizeof(h->mac), "%s", mac);
		if (h->frame[PD_BOOT_OS_FIRST] || e->first_probe_ns <= firmware_end_ns(h))
			continue; /* the firmware's own ARP (iPXE announces after DHCP) */
		/* probes right after the lease are the DHCP client's own
		 * address check (udhcpc -a, dhclient-script), not a new OS */
		silence = e->prev_frame && e->first_probe_ns - e->prev_ns >= gap_ns;
		if (!silence)
			continue;
		set_step(h, PD_BOOT_HANDOVER, e->prev_frame, e->prev_ns);
		snprintf(h->detail[PD_BOOT_HANDOVER], sizeof(h->detail[0]),
			 "last packet before %.1f s of silence (the firmware hands over)",
			 (double)(e->first_probe_ns - e->prev_ns) / 1e9);
		set_step(h, PD_BOOT_OS_FIRST, e->first_probe_frame, e->first_probe_ns);
		snprintf(h->detail[PD_BOOT_OS_FIRST], sizeof(h->detail[0]),
			 "ARP %s for %s (%u probes, %u announcements)%s",
			 e->probes ? "probe" : "announcement", ip, e->probes, e->announcements,
			 e->conflict ? ", ADDRESS CONFLICT" : "");
		if (e->first_ip_frame) {
			set_step(h, PD_BOOT_OS_IP, e->first_ip_frame, e->first_ip_ns);
			snprintf(h->detail[PD_BOOT_OS_IP], sizeof(h->detail[0]),
				 "first IP packet, %.1f s after the OS's first ARP",
				 (double)(e->first_ip_ns - e->first_probe_ns) / 1e9);
		}
	}
}

/* ---------------------------------------------------------------- */
/* Finish: boot.delay                                               */
/* ---------------------------------------------------------------- */

static const char *cause_text(uint8_t cause)
{
	switch (cause) {
	case C_DHCP_NO_ANSWER: return "for an answer to its DHCP DISCOVERs";
	case C_DHCP_CHECK: return "while the DHCP server checked the address before offering it";
	case C_DHCP_DECLINED: return "after declining its address (RFC 2131 asks for 10 s before starting over)";
	case C_DHCP_OFFER: return "in DHCP discovery with an OFFER in hand (collecting more offers)";
	case C_DHCP_REQUEST: return "for an answer to its DHCP REQUEST";
	case C_IPV6_RS: return "for IPv6 router advertisements that never came";
	case C_ARP_PROBES: return "on RFC 5227 ARP probes before using its address";
	case C_SYN_RETRY: return "for an answer to its TCP SYN (re-sent)";
	case C_TFTP_RETRY: return "for an answer to its TFTP request (re-sent)";
	case C_TCP_RETX: return "on TCP retransmissions of its own data";
	case C_ISCSI: return "for the iSCSI target's answer";
	case C_HTTP: return "for the HTTP server's answer";
	case C_TFTP: return "for the TFTP server";
	case C_HANDOVER: return "at the handover: the firmware's last packet, then the OS";
	default: return "with no request outstanding that the capture shows";
	}
}

static const char *cause_advice(uint8_t cause)
{
	switch (cause) {
	case C_DHCP_NO_ANSWER:
		return "No server answered at first: check the switch port (spanning-tree portfast / "
		       "edge port), the relay (ip helper-address) and the server; RFC 2131 clients "
		       "back off 4, 8, 16 s between DISCOVERs.";
	case C_DHCP_CHECK:
		return "The server ARPed/pinged the address before offering it (dnsmasq waits up to "
		       "3 s, ISC dhcpd ping-check 1 s). dnsmasq no-ping or dhcpd ping-check false "
		       "trade this wait for the server's own conflict check.";
	case C_DHCP_DECLINED:
		return "The client found its address in use and must wait before it starts over; "
		       "see dhcp.decline and remove the address conflict.";
	case C_DHCP_OFFER:
		return "PXE firmware keeps listening for ProxyDHCP offers before it requests. With no "
		       "ProxyDHCP server, tell iPXE not to wait: option 175.176 (no-pxedhcp) = 1, "
		       "dnsmasq dhcp-option=tag:ipxe,encap:175,176,1. iPXE also waits for IPv6 in "
		       "parallel: see that boot.delay too.";
	case C_DHCP_REQUEST:
		return "The server did not answer the REQUEST: check that the server named in option "
		       "54 is reachable and did not NAK or drop it (its log).";
	case C_IPV6_RS:
		return "iPXE waits for IPv6 autoconfiguration (about 16 s from its first DISCOVER) "
		       "before it goes on. Run a router advertisement daemon on the segment (radvd, "
		       "dnsmasq enable-ra), or boot an iPXE whose embedded script configures with "
		       "ifconf -c dhcp (or built without IPv6).";
	case C_ARP_PROBES:
		return "RFC 5227 duplicate-address detection holds the address back. Windows: the "
		       "registry value ArpRetryCount (Tcpip\\Parameters, 0-3) sets the probes, 0 turns "
		       "the check off; see arp.probe_delay.";
	case C_SYN_RETRY:
		return "The server did not answer the SYN: it is not listening on that port, a "
		       "firewall drops it, or the path loses it; the firmware's TCP backs off on each "
		       "retry.";
	case C_TFTP_RETRY:
		return "The TFTP server did not answer the request: blocked UDP 69, a missing file "
		       "answered with silence, or a server too slow; check its log.";
	case C_TCP_RETX:
		return "The client's data was not ACKed in time (loss on the path); see the tcp.* "
		       "findings for this connection.";
	case C_ISCSI:
		return "The target took this long to answer: check its load and backing store; "
		       "iscsi.timeout reports waits past 10 s.";
	case C_HTTP:
	case C_TFTP:
		return "The server took this long to answer or to send the next block: check its "
		       "load and log.";
	case C_HANDOVER:
		return "This is the OS loading after the firmware handed over; it is not network "
		       "time, compare it with the OS's own boot log.";
	default:
		return "The client was busy without the network (loading, running its next stage) "
		       "or waited on something the capture does not show.";
	}
}

static bool pause_warns(uint8_t cause)
{
	return cause != C_IDLE && cause != C_HANDOVER && cause != C_ARP_PROBES;
}

static int delay_finding(struct pd_analysis *a, const struct bclient *c, struct pause *q,
			 const struct pd_boot_host *h)
{
	struct pd_finding f;
	char mac[18], waiting[80] = "";
	double lost = (double)(q->to_ns - q->from_ns) / 1e9;
	const char *phase = h && h->frame[PD_BOOT_HANDOVER] &&
					    q->from_ns >= h->ns[PD_BOOT_HANDOVER] &&
					    q->cause != C_HANDOVER
				    ? "os"
				    : "firmware";

	/* a silence that ends where the boot summary puts the handover */
	if (h && h->frame[PD_BOOT_HANDOVER] == q->from_frame && q->cause == C_IDLE)
		q->cause = C_HANDOVER;
	pd_mac_format(c->mac, mac, sizeof(mac));
	pd_finding_init(&f, "boot.delay",
			pause_warns(q->cause) && lost >= 2.0 ? PD_SEV_WARNING : PD_SEV_INFO);
	pd_finding_flow(&f, "host %s", mac);
	if (q->cause == C_IPV6_RS) {
		/* every router solicitation so far and the pause's ends,
		 * in frame order */
		bool from_added = false;

		for (unsigned i = 0; i < c->n_rs && (!q->to_frame || c->rs_frames[i] < q->to_frame); i++) {
			if (!from_added && c->rs_frames[i] > q->from_frame) {
				pd_finding_add_frame(&f, q->from_frame);
				from_added = true;
			}
			pd_finding_add_frame(&f, c->rs_frames[i]);
		}
		if (!from_added)
			pd_finding_add_frame(&f, q->from_frame);
		if (q->to_frame)
			pd_finding_add_frame(&f, q->to_frame);
		f.frames_total = f.n_frames;
	} else {
		bool answered = q->answer_frame && (q->cause == C_ISCSI || q->cause == C_HTTP ||
						     q->cause == C_TFTP);

		pd_finding_add_frame(&f, q->from_frame);
		for (unsigned i = 0; i < q->n_wait; i++)
			if (q->wait[i] > q->from_frame && (!q->to_frame || q->wait[i] < q->to_frame)) {
				if (answered && q->answer_frame < q->wait[i]) {
					pd_finding_add_frame(&f, q->answer_frame);
					answered = false;
				}
				pd_finding_add_frame(&f, q->wait[i]);
			}
		if (answered)
			pd_finding_add_frame(&f, q->answer_frame);
		if (q->to_frame)
			pd_finding_add_frame(&f, q->to_frame);
		f.frames_total = f.n_frames + (q->total_wait > q->n_wait ? q->total_wait - q->n_wait : 0);
	}
	if (q->cause == C_IPV6_RS)
		snprintf(waiting, sizeof(waiting), "; none of its %u router solicitations was answered",
			 c->rs_total);
	else if (q->answer_frame && (q->cause == C_ISCSI || q->cause == C_HTTP || q->cause == C_TFTP))
		snprintf(waiting, sizeof(waiting), "; the answer came in frame %llu",
			 (unsigned long long)q->answer_frame);
	else if (q->total_wait)
		snprintf(waiting, sizeof(waiting), ", %u frame%s sent while waiting", q->total_wait,
			 q->total_wait == 1 ? "" : "s");
	if (q->to_frame)
		pd_finding_message(&f, "%s lost %.1f s waiting %s: from frame %llu to frame %llu%s",
				   mac, lost, cause_text(q->cause), (unsigned long long)q->from_frame,
				   (unsigned long long)q->to_frame, waiting);
	else
		pd_finding_message(&f, "%s was still waiting %s when the capture ended: %.1f s from "
				       "frame %llu%s",
				   mac, cause_text(q->cause), lost, (unsigned long long)q->from_frame,
				   waiting);
	pd_finding_ev_str(&f, "mac", "%s", mac);
	pd_finding_ev_str(&f, "cause", "%s", cause_names[q->cause]);
	pd_finding_ev_double(&f, "lost_s", lost);
	pd_finding_ev_u64(&f, "from_frame", q->from_frame);
	pd_finding_ev_u64(&f, "to_frame", q->to_frame);
	pd_finding_ev_u64(&f, "frames_while_waiting", q->total_wait);
	if (q->answer_frame)
		pd_finding_ev_u64(&f, "answer_frame", q->answer_frame);
	pd_finding_ev_str(&f, "phase", "%s", phase);
	if (q->cause == C_IPV6_RS) {
		pd_finding_ev_u64(&f, "router_solicitations", c->rs_total);
		pd_finding_ev_bool(&f, "router_advertisement_seen", q->ra_seen);
	}
	pd_finding_advice(&f, "%s", cause_advice(q->cause));
	return pd_analysis_add(a, &f);
}

static int delay_findings(struct boot_state *s, struct pd_analysis *a)
{
	int rc = 0;

	for (size_t i = 0; i < s->n && !rc; i++) {
		struct bclient *c = &s->c[i];
		const struct pd_boot_host *h = 0;
		char mac[18], ip[16];

		pd_mac_format(c->mac, mac, sizeof(mac));
		pd_ipv4_format(c->ip, ip, sizeof(ip));
		/* an iSCSI initiator without DHCP is known by its address */
		for (size_t k = 0; k < a->boot.n && !h; k++)
			if (!strcmp(a->boot.v[k].mac, mac) ||
			    (!zero4(c->ip) && !strcmp(a->boot.v[k].ip, ip)))
				h = &a->boot.v[k];
		if (!h)
			continue; /* only the boots of the summary */
		/* still waiting when the capture ended */
		if (c->n_wait && c->last_frame && c->last_wait_ns - c->last_ns > s->gap_ns)
			pause_add(c, pause_cause(c, s->gap_ns), c->last_frame, c->last_ns, 0,
				  c->last_wait_ns, true);
		for (unsigned k = 0; k < c->n_pauses && !rc; k++)
			rc = delay_finding(a, c, &c->pauses[k], h);
		if (!rc && c->pauses_dropped) {
			struct pd_finding f;

			pd_finding_init(&f, "analysis.limit_reached", PD_SEV_WARNING);
			pd_finding_flow(&f, "host %s", mac);
			pd_finding_message(&f, "boot.delay: %s paused more than %d times; %llu later "
					       "pauses are not reported",
					   mac, MAX_PAUSES, (unsigned long long)c->pauses_dropped);
			pd_finding_ev_str(&f, "table", "boot pauses");
			pd_finding_ev_u64(&f, "limit", MAX_PAUSES);
			pd_finding_ev_u64(&f, "overflow", c->pauses_dropped);
			rc = pd_analysis_add(a, &f);
		}
	}
	if (!rc && s->dropped) {
		struct pd_finding f;

		pd_finding_init(&f, "analysis.limit_reached", PD_SEV_WARNING);
		pd_finding_message(&f, "boot.delay: more than %d DHCP/iSCSI clients; %llu DHCP "
				       "requests or SYNs of further clients were not followed",
				   MAX_CLIENTS, (unsigned long long)s->dropped);
		pd_finding_ev_str(&f, "table", "boot clients");
		pd_finding_ev_u64(&f, "limit", MAX_CLIENTS);
		pd_finding_ev_u64(&f, "overflow", s->dropped);
		rc = pd_analysis_add(a, &f);
	}
	return rc;
}

/* After every analyzer's finish(): what they published is complete. */
static int boot_summarize(void *state, struct pd_analysis *a)
{
	struct boot_state *s = state;
	struct pd_boot_hosts *b = &a->boot;

	b->v = calloc(MAX_BOOT_HOSTS, sizeof(*b->v));
	if (!b->v)
		return -PD_ENOMEM;
	b->n = 0;
	summary_dhcp(a, b);
	summary_iscsi(a, b);
	summary_arp(a, b, s->gap_ns);
	for (size_t i = 0; i < b->n; i++)
		order_steps(&b->v[i]);
	if (!b->n) {
		free(b->v);
		b->v = 0;
	}
	return delay_findings(s, a);
}

const struct pd_analyzer_ops pd_analyzer_boot = {
	.name = "boot",
	.init = boot_init,
	.on_packet = boot_packet,
	.summarize = boot_summarize,
	.destroy = boot_destroy,
};
