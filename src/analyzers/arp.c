/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arp.c - ARP in RFC 5227 terms, and the boot handover.
 *
 * RFC 5227 names: an ARP probe is a request with sender IP 0.0.0.0 that
 * asks for the address being checked (2.1.1); an ARP announcement, like
 * any gratuitous ARP, has sender IP = target IP (2.3).  A host doing
 * duplicate-address detection probes, waits, announces, and only then
 * uses the address.
 *
 *   arp.probe_delay       a host sent RFC 5227 probes for an address and only
 *                         then started IP traffic: the delay from its first
 *                         probe to its first IP packet, the probes and their
 *                         spacing, the silence before the first probe.
 *                         Warning above --probe-delay-threshold (2 s).  Not
 *                         for announcements without probes (no probe, no
 *                         probe delay).
 *
 * Frames are attributed to a host by their source MAC: the Ethernet header,
 * or the Linux cooked (SLL/SLL2) header of a "-i any" capture.
 *   arp.address_conflict  another host answered a probe, probed the same
 *                         address at the same time, or claimed (sent ARP
 *                         with sender IP =) an address that a different MAC
 *                         claimed within the last 120 s.
 *   boot.handover_gap     a host fell silent (>= --handover-gap, 1 s) and
 *                         came back with ARP probes/announcements: the boot
 *                         firmware's last packet and the OS's first.
 *
 * State is bounded: at most MAX_HOSTS MACs, MAX_CLAIMS IPv4 addresses,
 * MAX_ACTIVE hosts probing at once, MAX_CONFLICTS conflict findings and
 * MAX_EPISODES published episodes.  Each table that fills up is reported
 * at finish as analysis.limit_reached (what was not tracked, and the
 * first frame of it).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/vec.h"

#define MAX_HOSTS 4096
#define MAX_CLAIMS 4096
#define MAX_ACTIVE 64        /* hosts with a probing episode under way */
#define MAX_CONFLICTS 16     /* arp.address_conflict findings kept */
#define MAX_EPISODES 100000  /* episodes published for the boot summary */
#define MAX_PROBE_TIMES 8
#define CLAIM_WINDOW_NS (120LL * 1000000000LL)
#define NS 1000000000LL

struct episode {
	bool active;
	uint8_t ip[4];
	uint64_t first_frame;
	int64_t first_ns;
	unsigned probes, announcements;
	int64_t probe_ns[MAX_PROBE_TIMES];
	uint64_t frames[PD_FINDING_MAX_FRAMES];
	unsigned n_frames;
	uint64_t prev_frame;     /* this MAC's frame before the first probe */
	int64_t prev_ns;
	bool conflict;
	bool defending;          /* announcements for an address this MAC already
				  * used in the last 10 s: defending it (RFC 5227
				  * 2.4), not starting up */
	uint64_t delay_key;      /* its arp.probe_delay, once emitted (pd_analysis_emit) */
};

struct host {
	uint8_t mac[6];
	uint64_t last_frame;     /* last frame this MAC sent */
	int64_t last_ns;
	struct episode ep;
};

struct claim {
	uint8_t ip[4];
	uint8_t mac[6];
	int64_t ns;
	uint64_t frame;
};

/* What a full table did not track: a count and the first frame. */
struct untracked {
	uint64_t n;
	uint64_t first_frame;
};

struct arp_state {
	/* hosts and claims in order of first frame, each found through its
	 * index; they move when the vector grows, so they are named by
	 * number where a reference outlives a packet */
	struct host *hosts;
	size_t n_hosts, cap_hosts;
	struct pd_hashtab host_index;   /* hash of the MAC -> number in hosts[] */
	struct claim *claims;
	size_t n_claims, cap_claims;
	struct pd_hashtab claim_index;  /* hash of the IPv4 address -> number in claims[] */
	int64_t probe_delay_ns, gap_ns;
	uint32_t active[MAX_ACTIVE];    /* hosts[] with a probing episode under way */
	uint32_t last;                  /* hosts[] of the previous frame (frames come in
					 * runs from one MAC: no hash for those) */
	unsigned n_active;
	struct pd_finding conflicts[MAX_CONFLICTS];
	uint64_t conflict_keys[MAX_CONFLICTS]; /* emitted at the reply that shows them */
	unsigned n_conflicts;
	struct pd_analysis *a;   /* where the findings go */
	uint64_t frame;          /* the frame being analysed */
	/* frames of MACs past MAX_HOSTS; claims past MAX_CLAIMS; probes and
	 * announcements of hosts past MAX_ACTIVE; conflicts past
	 * MAX_CONFLICTS; episodes past MAX_EPISODES */
	struct untracked overflow, claims_over, active_over, conflicts_over, episodes_over;
};

static void untracked_add(struct untracked *u, uint64_t frame)
{
	if (!u->n++)
		u->first_frame = frame;
}


static int arp_init(struct pd_analysis *a, void **state)
{
	struct arp_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -PD_ENOMEM;
	s->probe_delay_ns = a->opts->probe_delay_ns ? a->opts->probe_delay_ns : 2 * NS;
	s->gap_ns = a->opts->handover_gap_ns ? a->opts->handover_gap_ns : 1 * NS;
	s->a = a;
	*state = s;
	return 0;
}

struct mac_match {
	const struct arp_state *s;
	const uint8_t *mac;
};

static bool host_is(const void *ctx, uint32_t i)
{
	const struct mac_match *m = ctx;

	return !memcmp(m->s->hosts[i].mac, m->mac, 6);
}

/* Find or add the host of a MAC; NULL when the table is full.  The
 * pointer is good until the next host is added. */
static struct host *host_get(struct arp_state *s, const uint8_t *mac)
{
	struct mac_match m = {s, mac};
	uint32_t h, i;
	struct host *x;

	if (s->last < s->n_hosts && !memcmp(s->hosts[s->last].mac, mac, 6))
		return &s->hosts[s->last];
	h = pd_hash_bytes(mac, 6);
	i = pd_hashtab_find(&s->host_index, h, host_is, &m);
	if (i != PD_HASHTAB_NONE) {
		s->last = i;
		return &s->hosts[i];
	}
	if (s->n_hosts >= MAX_HOSTS) {
		untracked_add(&s->overflow, s->frame);
		return 0;
	}
	if (pd_vec_reserve(&s->hosts, &s->cap_hosts, s->n_hosts, sizeof(*s->hosts), MAX_HOSTS) ||
	    pd_hashtab_insert(&s->host_index, h, (uint32_t)s->n_hosts)) {
		untracked_add(&s->overflow, s->frame); /* out of memory: reported as the limit */
		return 0;
	}
	s->last = (uint32_t)s->n_hosts;
	x = &s->hosts[s->n_hosts++];
	memset(x, 0, sizeof(*x));
	memcpy(x->mac, mac, 6);
	return x;
}

struct ip_match {
	const struct arp_state *s;
	const uint8_t *ip;
};

static bool claim_is(const void *ctx, uint32_t i)
{
	const struct ip_match *m = ctx;

	return !memcmp(m->s->claims[i].ip, m->ip, 4);
}

/* Find (or with @add, add) the claim of an IPv4 address; NULL when the
 * table is full.  The pointer is good until the next claim is added. */
static struct claim *claim_get(struct arp_state *s, const uint8_t *ip, bool add)
{
	struct ip_match m = {s, ip};
	uint32_t h = pd_hash_bytes(ip, 4), i = pd_hashtab_find(&s->claim_index, h, claim_is, &m);
	struct claim *c;

	if (i != PD_HASHTAB_NONE)
		return &s->claims[i];
	if (!add)
		return 0;
	if (s->n_claims >= MAX_CLAIMS) {
		untracked_add(&s->claims_over, s->frame);
		return 0;
	}
	if (pd_vec_reserve(&s->claims, &s->cap_claims, s->n_claims, sizeof(*s->claims),
			   MAX_CLAIMS) ||
	    pd_hashtab_insert(&s->claim_index, h, (uint32_t)s->n_claims)) {
		untracked_add(&s->claims_over, s->frame); /* out of memory: reported as the limit */
		return 0;
	}
	c = &s->claims[s->n_claims++];
	memset(c, 0, sizeof(*c));
	memcpy(c->ip, ip, 4);
	return c;
}

static bool zero_ip(const uint8_t *ip)
{
	return !(ip[0] | ip[1] | ip[2] | ip[3]);
}

static void conflict(struct arp_state *s, const uint8_t *ip, const uint8_t *mac_a,
		     uint64_t frame_a, const uint8_t *mac_b, uint64_t frame_b, const char *how)
{
	struct pd_finding *f;
	char sip[16], ma[18], mb[18];

	/* one finding per address and claiming MAC */
	pd_ipv4_format(ip, sip, sizeof(sip));
	pd_mac_format(mac_b, mb, sizeof(mb));
	for (unsigned i = 0; i < s->n_conflicts; i++) {
		f = &s->conflicts[i];
		if (!strcmp(f->evidence[0].s, sip) &&
		    (!strcmp(f->evidence[2].s, mb) || !strcmp(f->evidence[1].s, mb))) {
			if (!f->n_frames || f->frames[f->n_frames - 1] != frame_b) {
				pd_finding_add_frame(f, frame_b);
				pd_analysis_emit(s->a, f, &s->conflict_keys[i]);
			}
			return;
		}
	}
	if (s->n_conflicts == MAX_CONFLICTS) {
		untracked_add(&s->conflicts_over, frame_b);
		return;
	}
	f = &s->conflicts[s->n_conflicts++];
	pd_mac_format(mac_a, ma, sizeof(ma));
	pd_finding_init(f, "arp.address_conflict", PD_SEV_ERROR);
	pd_finding_flow(f, "host %s", sip);
	pd_finding_ev_str(f, "ip", "%s", sip);
	pd_finding_ev_str(f, "mac", "%s", ma);
	pd_finding_ev_str(f, "other_mac", "%s", mb);
	pd_finding_ev_str(f, "how", "%s", how);
	if (frame_a)
		pd_finding_add_frame(f, frame_a);
	pd_finding_add_frame(f, frame_b);
	pd_finding_message(f, "address conflict on %s: %s and %s both claim it (%s)", sip, ma, mb,
			   how);
	pd_finding_advice(f, "Two hosts use the same IPv4 address. An iSCSI-booted Windows that "
			     "loses duplicate-address detection keeps the address off and stops "
			     "with STOP 0x7B (INACCESSIBLE_BOOT_DEVICE) about a minute later. Fix "
			     "the DHCP reservation or static address of one of them.");
	/* known now, at the frame that shows the second claim */
	pd_analysis_emit(s->a, f, &s->conflict_keys[s->n_conflicts - 1]);
}

static void ep_add_frame(struct episode *e, uint64_t frame)
{
	if (e->n_frames < PD_FINDING_MAX_FRAMES)
		e->frames[e->n_frames++] = frame;
}

/*
 * Fill @f as the arp.probe_delay finding of @h's episode.  @ended: the
 * episode ended, at its first IP packet @ip_frame (@ip_ns) or, when
 * @ip_frame is 0, without one.  Otherwise it is still under way past the
 * threshold: the warning is certain already, the delay is not.
 */
static void probe_delay_fill(const struct arp_state *s, const struct host *h,
			     struct pd_finding *f, uint64_t ip_frame, int64_t ip_ns, bool ended)
{
	const struct episode *e = &h->ep;
	char sip[16], mac[18], spacing[96] = "";
	int64_t delay = ip_frame ? ip_ns - e->first_ns : -1;
	unsigned nt = e->probes < MAX_PROBE_TIMES ? e->probes : MAX_PROBE_TIMES;

	pd_ipv4_format(e->ip, sip, sizeof(sip));
	pd_mac_format(h->mac, mac, sizeof(mac));
	for (unsigned i = 1; i < nt; i++) {
		size_t u = strlen(spacing);

		snprintf(spacing + u, sizeof(spacing) - u, "%s%.2f", i > 1 ? "," : "",
			 (double)(e->probe_ns[i] - e->probe_ns[i - 1]) / 1e9);
	}
	pd_finding_init(f, "arp.probe_delay",
			delay < 0 || delay > s->probe_delay_ns ? PD_SEV_WARNING : PD_SEV_INFO);
	pd_finding_flow(f, "host %s", mac);
	for (unsigned i = 0; i < e->n_frames; i++)
		pd_finding_add_frame(f, e->frames[i]);
	if (ip_frame)
		pd_finding_add_frame(f, ip_frame);
	if (delay >= 0)
		pd_finding_message(f, "%s sent %u ARP probes and %u announcements for %s and waited "
				      "%.1f s from its first probe (frame %llu) to its first IP packet "
				      "(frame %llu)",
				   mac, e->probes, e->announcements, sip, (double)delay / 1e9,
				   (unsigned long long)e->first_frame, (unsigned long long)ip_frame);
	else if (ended)
		pd_finding_message(f, "%s sent %u ARP probes and %u announcements for %s (first at "
				      "frame %llu) and no IP packet followed in the capture",
				   mac, e->probes, e->announcements, sip,
				   (unsigned long long)e->first_frame);
	else
		pd_finding_message(f, "%s sent %u ARP probes and %u announcements for %s (first at "
				      "frame %llu) and has sent no IP packet in more than %.1f s "
				      "(still waiting)",
				   mac, e->probes, e->announcements, sip,
				   (unsigned long long)e->first_frame,
				   (double)s->probe_delay_ns / 1e9);
	pd_finding_ev_str(f, "mac", "%s", mac);
	pd_finding_ev_str(f, "ip", "%s", sip);
	pd_finding_ev_u64(f, "probes", e->probes);
	pd_finding_ev_u64(f, "announcements", e->announcements);
	pd_finding_ev_str(f, "probe_spacing_s", "%s", spacing);
	if (delay >= 0)
		pd_finding_ev_double(f, "delay_s", (double)delay / 1e9);
	pd_finding_ev_u64(f, "first_probe_frame", e->first_frame);
	pd_finding_ev_u64(f, "first_ip_frame", ip_frame);
	if (e->prev_frame)
		pd_finding_ev_double(f, "silence_before_s", (double)(e->first_ns - e->prev_ns) / 1e9);
	pd_finding_ev_bool(f, "conflict", e->conflict);
	pd_finding_advice(f, "RFC 5227 duplicate-address detection holds the address back until "
			     "the probes go unanswered. Windows takes about 6 s here during an "
			     "iSCSI boot; the registry value ArpRetryCount (HKLM\\SYSTEM\\"
			     "CurrentControlSet\\Services\\Tcpip\\Parameters, 0 to 3) sets how many "
			     "probes it sends, and 0 turns the check off.");
}

/* An episode ends: publish it and emit its findings. */
static void ep_end(struct arp_state *s, struct pd_analysis *a, struct host *h,
		   uint64_t ip_frame, int64_t ip_ns)
{
	struct episode *e = &h->ep;
	struct pd_arp_episodes *list = &a->arp;
	struct pd_finding f;
	char sip[16], mac[18];
	uint32_t hi = (uint32_t)(h - s->hosts);

	if (!e->active)
		return;
	e->active = false;
	if (e->defending && !e->probes) {
		for (unsigned i = 0; i < s->n_active; i++)
			if (s->active[i] == hi) {
				s->active[i] = s->active[--s->n_active];
				break;
			}
		return;
	}
	for (unsigned i = 0; i < s->n_active; i++)
		if (s->active[i] == hi) {
			s->active[i] = s->active[--s->n_active];
			break;
		}
	if (pd_vec_reserve(&list->v, &list->cap, list->n, sizeof(*list->v), MAX_EPISODES)) {
		untracked_add(&s->episodes_over, e->first_frame);
	} else {
		struct pd_arp_episode *x = &list->v[list->n++];

		memcpy(x->mac, h->mac, 6);
		memcpy(x->ip, e->ip, 4);
		x->first_probe_frame = e->first_frame;
		x->first_probe_ns = e->first_ns;
		x->probes = e->probes;
		x->announcements = e->announcements;
		x->first_ip_frame = ip_frame;
		x->first_ip_ns = ip_ns;
		x->prev_frame = e->prev_frame;
		x->prev_ns = e->prev_ns;
		x->conflict = e->conflict;
	}
	pd_ipv4_format(e->ip, sip, sizeof(sip));
	pd_mac_format(h->mac, mac, sizeof(mac));

	/* boot.handover_gap: silence, then the OS's duplicate-address detection */
	if (e->prev_frame && e->first_ns - e->prev_ns >= s->gap_ns) {
		pd_finding_init(&f, "boot.handover_gap", PD_SEV_INFO);
		pd_finding_flow(&f, "host %s", mac);
		pd_finding_add_frame(&f, e->prev_frame);
		pd_finding_add_frame(&f, e->first_frame);
		if (ip_frame)
			pd_finding_add_frame(&f, ip_frame);
		pd_finding_message(&f, "%s fell silent for %.1f s after frame %llu and came back with "
				       "ARP duplicate-address detection for %s (frame %llu)",
				   mac, (double)(e->first_ns - e->prev_ns) / 1e9,
				   (unsigned long long)e->prev_frame, sip,
				   (unsigned long long)e->first_frame);
		pd_finding_ev_str(&f, "mac", "%s", mac);
		pd_finding_ev_str(&f, "ip", "%s", sip);
		pd_finding_ev_double(&f, "gap_s", (double)(e->first_ns - e->prev_ns) / 1e9);
		pd_finding_ev_u64(&f, "last_firmware_frame", e->prev_frame);
		pd_finding_ev_u64(&f, "first_os_frame", e->first_frame);
		pd_finding_ev_str(&f, "first_os_packet", "%s", e->probes ? "ARP probe" : "ARP announcement");
		pd_finding_ev_u64(&f, "other_frames_in_gap", e->first_frame - e->prev_frame - 1);
		if (ip_frame)
			pd_finding_ev_double(&f, "total_to_first_ip_s", (double)(ip_ns - e->prev_ns) / 1e9);
		pd_finding_advice(&f, "This is where the boot firmware (iPXE, PXE ROM) handed over to "
				      "the OS. The silence is the OS loading; the ARP probes after it are "
				      "its duplicate-address detection (see arp.probe_delay).");
		pd_analysis_add(a, &f);
	}

	/* arp.probe_delay: only about RFC 5227 probes.  A host that only
	 * announces (a gratuitous ARP, as iPXE sends one after DHCP) did not
	 * wait for anything, whatever it did next. */
	if (!e->probes)
		return;
	probe_delay_fill(s, h, &f, ip_frame, ip_ns, true);
	pd_analysis_emit(a, &f, &e->delay_key);
}

/* The frame's source MAC: from the Ethernet header, or from the Linux
 * cooked header of a "-i any" capture (SLL/SLL2 on an ARPHRD_ETHER
 * device); NULL when the frame has none. */
static const uint8_t *pd_arp_src_mac(const struct pd_packet *p)
{
	if (p->layers & PD_L_ETH)
		return p->eth.src;
	if ((p->layers & PD_L_SLL) && p->sll.hatype == 1 && p->sll.addr_len == 6)
		return p->sll.addr;
	return 0;
}

static void arp_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		       struct pd_flow *flow, int dir)
{
	struct arp_state *s = state;
	const struct pd_arp *r = &p->arp;
	const uint8_t *src;
	struct host *h;

	(void)flow;
	(void)dir;
	src = pd_arp_src_mac(p);
	if (!src)
		return;
	s->frame = p->frame;
	h = host_get(s, src);
	if (!h)
		return;

	if ((p->layers & PD_L_ARP) && r->ipv4_eth) {
		bool probe = r->oper == 1 && zero_ip(r->spa);
		bool announce = !zero_ip(r->spa) && !memcmp(r->spa, r->tpa, 4);
		bool defending = false;

		/* RFC 5227 2.1.1: a reply from another host, or another host's
		 * probe for the same address, is a conflict for the prober */
		for (unsigned j = 0; j < s->n_active && (probe || r->oper == 2); j++) {
			struct host *o = &s->hosts[s->active[j]];

			if (o == h)
				continue;
			if ((r->oper == 2 && !memcmp(r->spa, o->ep.ip, 4)) ||
			    (probe && !memcmp(r->tpa, o->ep.ip, 4))) {
				o->ep.conflict = true;
				conflict(s, o->ep.ip, o->mac, o->ep.first_frame, h->mac, p->frame,
					 r->oper == 2 ? "another host answered its ARP probe"
						      : "another host probed the same address");
			}
		}
		if (!zero_ip(r->spa)) {
			struct claim *c = claim_get(s, r->spa, true);

			/* this MAC already used the address just now: its
			 * announcements defend it */
			defending = c && c->ns && !memcmp(c->mac, h->mac, 6) &&
				    p->ts_ns - c->ns <= 10 * NS;

			if (c && c->ns && memcmp(c->mac, h->mac, 6) &&
			    p->ts_ns - c->ns <= CLAIM_WINDOW_NS)
				conflict(s, r->spa, c->mac, c->frame, h->mac, p->frame,
					 announce ? "announced with another MAC"
						  : "ARP from another MAC for the same address");
			if (c) {
				memcpy(c->mac, h->mac, 6);
				c->ns = p->ts_ns;
				c->frame = p->frame;
			}
		}
		if (probe || announce) {
			const uint8_t *ip = probe ? r->tpa : r->spa;
			struct episode *e = &h->ep;

			if (!e->active || memcmp(e->ip, ip, 4)) {
				ep_end(s, a, h, 0, 0);
				if (s->n_active == MAX_ACTIVE) {
					/* bounded: more hosts probing at once are not followed */
					untracked_add(&s->active_over, p->frame);
					goto done;
				}
				memset(e, 0, sizeof(*e));
				e->active = true;
				s->active[s->n_active++] = (uint32_t)(h - s->hosts);
				memcpy(e->ip, ip, 4);
				e->first_frame = p->frame;
				e->first_ns = p->ts_ns;
				e->prev_frame = h->last_frame;
				e->prev_ns = h->last_ns;
				e->defending = defending && !probe;
			}
			if (probe) {
				if (e->probes < MAX_PROBE_TIMES)
					e->probe_ns[e->probes] = p->ts_ns;
				e->probes++;
			} else {
				e->announcements++;
			}
			ep_add_frame(e, p->frame);
		}
	} else if ((p->layers & PD_L_IPV4) && h->ep.active && !zero_ip(p->ip.src.a)) {
		/* the first IPv4 packet with a source address after probing ends
		 * the episode (DHCP from 0.0.0.0 and IPv6 do not) */
		ep_end(s, a, h, p->frame, p->ts_ns);
	}
done:
	h->last_frame = p->frame;
	h->last_ns = p->ts_ns;
}

/* Time moved on to @now_ns: a host that has probed for longer than the
 * threshold without an IP packet gets its arp.probe_delay warning now,
 * while it still waits (the delay itself is known at its first IP packet,
 * which updates the finding).  Later ticks update its counts. */
static void arp_tick(void *state, struct pd_analysis *a, int64_t now_ns)
{
	struct arp_state *s = state;
	struct pd_finding f;

	for (unsigned i = 0; i < s->n_active; i++) {
		struct host *h = &s->hosts[s->active[i]];

		if (!h->ep.probes || now_ns - h->ep.first_ns <= s->probe_delay_ns)
			continue;
		probe_delay_fill(s, h, &f, 0, 0, false);
		pd_analysis_emit(a, &f, &h->ep.delay_key);
	}
}

/* analysis.limit_reached for a table that filled up (nothing if it did not). */
static int limit_finding(struct pd_analysis *a, const struct untracked *u, const char *table,
			 uint64_t limit, const char *what, const char *advice)
{
	struct pd_finding f;

	if (!u->n)
		return 0;
	pd_finding_limit(&f, table, limit, u->n, strcmp(table, "arp_episodes") ? "frames" : "episodes",
			 u->first_frame);
	pd_finding_message(&f, "%s table full (%llu entries): %llu %s not tracked, the first "
			       "in frame %llu",
			   table, (unsigned long long)limit, (unsigned long long)u->n, what,
			   (unsigned long long)u->first_frame);
	pd_finding_advice(&f, "%s", advice);
	return pd_analysis_add(a, &f);
}

static int arp_finish(void *state, struct pd_analysis *a)
{
	struct arp_state *s = state;
	int rc = 0;

	for (size_t j = 0; j < s->n_hosts; j++)
		if (s->hosts[j].ep.active)
			ep_end(s, a, &s->hosts[j], 0, 0);
	/* the conflicts were emitted as they were seen */
	rc = limit_finding(a, &s->overflow, "arp_hosts", MAX_HOSTS, "frames from further MACs were",
			   "ARP analysis follows at most 4096 MACs: filter the capture "
			   "(-f 'arp or ether host ...') to the hosts of interest.");
	if (!rc)
		rc = limit_finding(a, &s->claims_over, "arp_claims", MAX_CLAIMS,
				   "ARP frames claiming further IPv4 addresses were",
				   "Conflicts on addresses past the table are not seen: filter the "
				   "capture (-f) to the subnet of interest.");
	if (!rc)
		rc = limit_finding(a, &s->active_over, "arp_probing_hosts", MAX_ACTIVE,
				   "ARP probes and announcements of hosts probing while the table "
				   "was full were",
				   "Their arp.probe_delay and handover findings are missing: filter "
				   "the capture (-f 'arp or ether host ...') to fewer hosts.");
	if (!rc)
		rc = limit_finding(a, &s->conflicts_over, "arp_conflicts", MAX_CONFLICTS,
				   "further conflicting ARP frames were",
				   "Fix the conflicts listed, or filter the capture (-f) to one "
				   "address to see the others.");
	if (!rc)
		rc = limit_finding(a, &s->episodes_over, "arp_episodes", MAX_EPISODES,
				   "probing episodes were",
				   "The boot summary misses these hosts' ARP steps: filter the "
				   "capture (-f) to fewer hosts.");
	return rc;
}

static void arp_destroy(void *state)
{
	struct arp_state *s = state;

	if (!s)
		return;
	free(s->hosts);
	pd_hashtab_free(&s->host_index);
	free(s->claims);
	pd_hashtab_free(&s->claim_index);
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_arp = {
	.name = "arp",
	.init = arp_init,
	.on_packet = arp_packet,
	.on_tick = arp_tick,
	.finish = arp_finish,
	.destroy = arp_destroy,
};
