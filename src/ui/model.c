/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * model.c - what the monitor's screen shows, filled by the pipeline's
 * sink: findings by their stable key (an update replaces the row in
 * place), a bounded ring of packet summaries for the detail view, and
 * the display filter.  Bounded: PD_UI_MAX_FINDINGS findings, PD_UI_RING
 * packets; what does not fit is counted and shown.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"
#include "ui.h"

int pd_ui_model_init(struct pd_ui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->ring = calloc(PD_UI_RING, sizeof(*m->ring));
	return m->ring ? 0 : -PD_ENOMEM;
}

void pd_ui_model_free(struct pd_ui_model *m)
{
	free(m->fv);
	free(m->ring);
	memset(m, 0, sizeof(*m));
}

const struct pd_ui_finding *pd_ui_model_find(const struct pd_ui_model *m, uint64_t key)
{
	/* keys are 1-based in order of first emission: usually at index key-1 */
	if (key && key <= m->fn && m->fv[key - 1].f.key == key)
		return &m->fv[key - 1];
	for (size_t i = 0; i < m->fn; i++)
		if (m->fv[i].f.key == key)
			return &m->fv[i];
	return 0;
}

void pd_ui_model_finding(struct pd_ui_model *m, const struct pd_finding *f, int event)
{
	struct pd_ui_finding *x = (struct pd_ui_finding *)pd_ui_model_find(m, f->key);

	if (!x || !f->key) {
		if (pd_vec_reserve(&m->fv, &m->fcap, m->fn, sizeof(*m->fv), PD_UI_MAX_FINDINGS)) {
			m->findings_dropped++;
			return;
		}
		x = &m->fv[m->fn++];
		memset(x, 0, sizeof(*x));
		x->seq = ++m->next_seq;
	} else {
		x->updates++;
	}
	x->f = *f;
	x->last_event = event;
}

static void pkt_info(const struct pd_packet *p, char *buf, size_t len)
{
	if (p->layers & PD_L_SYSLOG) {
		char msg[80];

		snprintf(buf, len, "syslog: %s", pd_span_str(p, p->syslog.msg, msg, sizeof(msg)));
	} else if (p->layers & PD_L_DHCP) {
		static const char *const t[] = {"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
						"ACK", "NAK", "RELEASE", "INFORM"};

		snprintf(buf, len, "DHCP %s xid 0x%08x",
			 p->dhcp.msg_type < 9 ? t[p->dhcp.msg_type] : "?", p->dhcp.xid);
	} else if (p->layers & PD_L_TCP) {
		static const char fl[] = "FSRPAUEC";
		char f[9];
		size_t k = 0;

		for (int i = 0; i < 8; i++)
			if (p->tcp.flags & (1u << i))
				f[k++] = fl[i];
		f[k] = 0;
		if (p->tcp.mss)
			snprintf(buf, len, "[%s] seq %u ack %u len %u mss %u", f, p->tcp.seq,
				 p->tcp.ack, p->tcp.payload_len, p->tcp.mss);
		else
			snprintf(buf, len, "[%s] seq %u ack %u len %u", f, p->tcp.seq, p->tcp.ack,
				 p->tcp.payload_len);
	} else if (p->layers & PD_L_UDP) {
		snprintf(buf, len, "len %u", p->udp.length);
	} else if (p->layers & PD_L_ARP) {
		char a[20], b[20];
		struct pd_addr s = {4, {0}}, t = {4, {0}};

		memcpy(s.a, p->arp.spa, 4);
		memcpy(t.a, p->arp.tpa, 4);
		snprintf(buf, len, "ARP %s %s -> %s", p->arp.oper == 1 ? "request" : "reply",
			 pd_addr_format(&s, a, sizeof(a)), pd_addr_format(&t, b, sizeof(b)));
	} else if (p->layers & (PD_L_ICMP | PD_L_ICMPV6)) {
		snprintf(buf, len, "type %u code %u", p->icmp.type, p->icmp.code);
	} else {
		buf[0] = 0;
	}
}

void pd_ui_model_packet(struct pd_ui_model *m, const struct pd_packet *p)
{
	struct pd_ui_pkt *k = &m->ring[m->ring_n % PD_UI_RING];

	m->ring_n++;
	memset(k, 0, sizeof(*k));
	k->frame = p->frame;
	k->ts_ns = p->ts_ns;
	k->wirelen = p->wirelen;
	k->epb_flags = p->epb_flags;
	k->has_epb = p->has_epb_flags;
	/* a frame longer than MTU + Ethernet/VLAN header: a TSO/GRO super-segment */
	if (m->mtu && (p->layers & PD_L_ETH) && p->wirelen > m->mtu + 18)
		m->over_mtu++;
	if (p->layers & (PD_L_IPV4 | PD_L_IPV6)) {
		pd_addr_format(&p->ip.src, k->src, sizeof(k->src));
		pd_addr_format(&p->ip.dst, k->dst, sizeof(k->dst));
	}
	if (p->layers & PD_L_TCP) {
		snprintf(k->proto, sizeof(k->proto), "TCP");
		k->sport = p->tcp.sport;
		k->dport = p->tcp.dport;
	} else if (p->layers & PD_L_UDP) {
		snprintf(k->proto, sizeof(k->proto), "UDP");
		k->sport = p->udp.sport;
		k->dport = p->udp.dport;
	} else if (p->layers & PD_L_ICMP) {
		snprintf(k->proto, sizeof(k->proto), "ICMP");
	} else if (p->layers & PD_L_ICMPV6) {
		snprintf(k->proto, sizeof(k->proto), "ICMPv6");
	} else if (p->layers & PD_L_ARP) {
		snprintf(k->proto, sizeof(k->proto), "ARP");
	} else if (p->layers & (PD_L_IPV4 | PD_L_IPV6)) {
		snprintf(k->proto, sizeof(k->proto), "IP");
	} else {
		snprintf(k->proto, sizeof(k->proto), "-");
	}
	pkt_info(p, k->info, sizeof(k->info));
}

bool pd_ui_pkt_in_flow(const struct pd_ui_pkt *k, const char *flow)
{
	char proto[16], src[64], dst[64];
	uint16_t sport, dport;

	pd_eve_parse_flow(flow, proto, sizeof(proto), src, sizeof(src), &sport, dst, sizeof(dst),
			  &dport);
	if (!src[0])
		return false;
	if (!dst[0]) /* "host ADDR" */
		return !strcmp(k->src, src) || !strcmp(k->dst, src);
	if (!strcmp(k->src, src) && !strcmp(k->dst, dst) && (!sport || k->sport == sport) &&
	    (!dport || k->dport == dport))
		return true;
	return !strcmp(k->src, dst) && !strcmp(k->dst, src) && (!dport || k->sport == dport) &&
	       (!sport || k->dport == sport);
}

static int set_error(struct pd_ui_filter *flt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_error(struct pd_ui_filter *flt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(flt->error, sizeof(flt->error), fmt, ap);
	va_end(ap);
	flt->valid = false;
	flt->n = 0;
	return -PD_EUSAGE;
}

int pd_ui_filter_parse(struct pd_ui_filter *flt, const char *text)
{
	char buf[PD_UI_FILTER_LEN], *save = 0, *tok;

	memset(flt, 0, sizeof(*flt));
	snprintf(flt->text, sizeof(flt->text), "%s", text);
	snprintf(buf, sizeof(buf), "%s", text);
	flt->valid = true;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(0, " \t", &save)) {
		char *colon = strchr(tok, ':'), *val;

		if (flt->n >= (int)(sizeof(flt->term) / sizeof(flt->term[0])))
			return set_error(flt, "too many terms (at most 8)");
		if (!colon || colon == tok) {
			/* a bare word, or an IPv6 address: matched as text */
			flt->term[flt->n].key = 't';
			snprintf(flt->term[flt->n++].val, sizeof(flt->term[0].val), "%s", tok);
			continue;
		}
		*colon = 0;
		val = colon + 1;
		if (!*val)
			return set_error(flt, "'%s:' needs a value", tok);
		snprintf(flt->term[flt->n].val, sizeof(flt->term[0].val), "%s", val);
		if (!strcmp(tok, "port")) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);

			if (*end || v == 0 || v > 65535)
				return set_error(flt, "port:%s is not a port number 1-65535", val);
			flt->term[flt->n].key = 'p';
			flt->term[flt->n++].num = (unsigned)v;
		} else if (!strcmp(tok, "host")) {
			unsigned char a[16];

			if (inet_pton(AF_INET, val, a) != 1 && inet_pton(AF_INET6, val, a) != 1)
				return set_error(flt, "host:%s is not an IPv4 or IPv6 address", val);
			flt->term[flt->n++].key = 'h';
		} else if (!strcmp(tok, "id")) {
			for (const char *c = val; *c; c++)
				if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
				    *c != '.' && *c != '_')
					return set_error(flt, "id:%s: finding ids are like tcp.retransmission",
							 val);
			flt->term[flt->n++].key = 'i';
		} else if (!strcmp(tok, "sev")) {
			int s = pd_severity_parse(val);

			if (s < 0)
				return set_error(flt, "sev:%s is not info, warning or error", val);
			flt->term[flt->n].key = 's';
			flt->term[flt->n++].num = (unsigned)s;
		} else {
			return set_error(flt, "unknown field '%s:' (port: host: id: sev:)", tok);
		}
	}
	return 0;
}

bool pd_ui_filter_match(const struct pd_ui_filter *flt, const struct pd_ui_row *row)
{
	if (!flt->valid)
		return true; /* an invalid filter is shown red and not applied */
	for (int i = 0; i < flt->n; i++) {
		const char *v = flt->term[i].val;

		switch (flt->term[i].key) {
		case 'p':
			if (row->port[0] != flt->term[i].num && row->port[1] != flt->term[i].num)
				return false;
			break;
		case 'h':
			if (strcmp(row->addr[0], v) && strcmp(row->addr[1], v))
				return false;
			break;
		case 'i':
			if (!row->id || strncmp(row->id, v, strlen(v)))
				return false;
			break;
		case 's':
			if (row->sev < (int)flt->term[i].num)
				return false;
			break;
		default:
			if (!strcasestr(row->text, v) && !strcasestr(row->match, v))
				return false;
			break;
		}
	}
	return true;
}
