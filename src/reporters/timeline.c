/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timeline.c - `pktdoctor analyze --timeline`: one line per packet in
 * capture order with its time relative to the first, and every syslog
 * message printed inline where it was captured, attributed to its
 * sender and set apart (">>>"), so that iPXE's DEBUG=syslog output
 * annotates the traffic around it (messages over TCP after the segment
 * that completed them).  An external syslog text file
 * (--syslog-file) is merged by its timestamps (RFC 3339 / RFC 5424, or
 * RFC 3164 "Mmm dd hh:mm:ss" in the capture's year).  With JSON output,
 * one JSON object per line.  This is a reporter: it only formats packets
 * the analysis hands it.
 */
#define _GNU_SOURCE /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktdoctor/error.h"
#include "pktdoctor/json.h"
#include "pktdoctor/timeline.h"

static const char *const sev_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const char *const dhcp_types[] = {
	"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
};

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void tcp_flags(uint8_t f, char *b)
{
	static const char names[] = "FSRPAUEC";
	int n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			b[n++] = names[i];
	b[n] = 0;
}

/* One-line summary of a packet (tcpdump-like). */
static void summary(const struct pd_packet *p, char *buf, size_t len)
{
	char a[64], b[64], fl[10];

	if ((p->layers & PD_L_ARP) && p->arp.ipv4_eth) {
		const struct pd_arp *r = &p->arp;
		char tpa[16], spa[16], sha[18];

		snprintf(tpa, sizeof(tpa), "%u.%u.%u.%u", r->tpa[0], r->tpa[1], r->tpa[2], r->tpa[3]);
		snprintf(spa, sizeof(spa), "%u.%u.%u.%u", r->spa[0], r->spa[1], r->spa[2], r->spa[3]);
		mac_str(r->sha, sha, sizeof(sha));
		if (r->oper == 1 && !(r->spa[0] | r->spa[1] | r->spa[2] | r->spa[3]))
			snprintf(buf, len, "ARP probe who-has %s (from %s)", tpa, sha);
		else if (!memcmp(r->spa, r->tpa, 4))
			snprintf(buf, len, "ARP announcement %s is-at %s (gratuitous %s)", spa, sha,
				 r->oper == 2 ? "reply" : "request");
		else if (r->oper == 1)
			snprintf(buf, len, "ARP request who-has %s tell %s", tpa, spa);
		else
			snprintf(buf, len, "ARP reply %s is-at %s", spa, sha);
		return;
	}
	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6))) {
		if (p->layers & PD_L_ETH)
			snprintf(buf, len, "ethertype 0x%04x, %u bytes", p->eth.ethertype, p->wirelen);
		else
			snprintf(buf, len, "%u bytes", p->wirelen);
		return;
	}
	pd_addr_format(&p->ip.src, a, sizeof(a));
	pd_addr_format(&p->ip.dst, b, sizeof(b));
	if (p->layers & PD_L_TCP) {
		const struct pd_tcp *t = &p->tcp;
		int n;

		tcp_flags(t->flags, fl);
		n = snprintf(buf, len, "TCP %s:%u -> %s:%u [%s] seq=%u ack=%u win=%u len=%u", a, t->sport,
			     b, t->dport, fl, t->seq, t->ack, t->window, t->payload_len);
		if (t->mss && n > 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " mss=%u", t->mss);
		return;
	}
	if (p->layers & PD_L_DHCP) {
		char ch[18];

		mac_str(p->dhcp.chaddr, ch, sizeof(ch));
		snprintf(buf, len, "DHCP %s %s -> %s xid=0x%08x client=%s",
			 p->dhcp.msg_type <= 8 ? dhcp_types[p->dhcp.msg_type] : "?", a, b, p->dhcp.xid, ch);
		return;
	}
	if (p->layers & PD_L_UDP) {
		snprintf(buf, len, "UDP %s:%u -> %s:%u len=%u", a, p->udp.sport, b, p->udp.dport,
			 p->udp.length >= 8 ? p->udp.length - 8 : 0);
		return;
	}
	if (p->layers & (PD_L_ICMP | PD_L_ICMPV6)) {
		snprintf(buf, len, "%s %s -> %s type=%u code=%u",
			 (p->layers & PD_L_ICMP) ? "ICMP" : "ICMPv6", a, b, p->icmp.type, p->icmp.code);
		return;
	}
	snprintf(buf, len, "IPv%u %s -> %s proto %u", p->ip.version, a, b, p->ip.proto);
}

/* ---- external syslog file ---- */

static int month_of(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int m = 0; m < 12; m++)
		if (!strncmp(s, months + 3 * m, 3))
			return m;
	return -1;
}

/* Parse a timestamp at the start of @s (after an optional "<PRI>1 ").
 * Return: ns since the epoch, or -1. */
static int64_t parse_ts(const char *s, int year)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, m;
	double frac = 0;
	int64_t ns;

	memset(&tm, 0, sizeof(tm));
	if (s[0] == '<') {
		const char *q = strchr(s, '>');

		if (!q || q - s > 4)
			return -1;
		s = q + 1;
		if (s[0] == '1' && s[1] == ' ')
			s += 2;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 ||
	    sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
		const char *r = s + n;
		int off = 0;

		if (*r == '.' || *r == ',') {
			char *end;

			frac = strtod(r[0] == ',' ? "0" : r, &end);
			if (r[0] == '.')
				r = end;
		}
		if (*r == '+' || *r == '-') {
			int oh = 0, om = 0;

			if (sscanf(r + 1, "%2d:%2d", &oh, &om) == 2)
				off = (oh * 60 + om) * 60 * (*r == '-' ? -1 : 1);
		}
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		ns = ((int64_t)timegm(&tm) - off) * 1000000000LL + (int64_t)(frac * 1e9);
		return ns;
	}
	m = month_of(s);
	if (m >= 0 && sscanf(s + 3, " %2d %2d:%2d:%2d", &d, &h, &mi, &sec) == 4) {
		tm.tm_year = year - 1900;
		tm.tm_mon = m;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		return (int64_t)timegm(&tm) * 1000000000LL;
	}
	return -1;
}

static bool next_file_line(struct pd_timeline *t)
{
	size_t n;

	if (!t->sf)
		return false;
	if (!fgets(t->line, sizeof(t->line), t->sf)) {
		fclose(t->sf);
		t->sf = 0;
		t->have_line = false;
		return false;
	}
	n = strlen(t->line);
	while (n && (t->line[n - 1] == '\n' || t->line[n - 1] == '\r'))
		t->line[--n] = 0;
	t->line_ns = parse_ts(t->line, t->year);
	if (t->line_ns < 0)
		t->line_ns = t->last_line_ns; /* no timestamp: stays with the line before */
	else
		t->last_line_ns = t->line_ns;
	t->have_line = true;
	return true;
}

int pd_timeline_init(struct pd_timeline *t, FILE *out, bool json, const char *syslog_path,
		     char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->json = json;
	if (syslog_path) {
		t->sf = fopen(syslog_path, "r");
		if (!t->sf) {
			snprintf(err, errlen, "%s: cannot open syslog file", syslog_path);
			return -PD_EOPEN;
		}
		t->syslog_path = syslog_path;
	}
	return 0;
}

static void print_file_line(struct pd_timeline *t)
{
	double rel = (double)(t->line_ns - t->t0) / 1e9;

	if (t->json) {
		struct pd_json j;

		pd_json_init(&j, t->out);
		pd_json_obj_begin(&j, 0);
		pd_json_double(&j, "t", rel);
		pd_json_str(&j, "syslog_file", t->line);
		pd_json_obj_end(&j);
		fputc('\n', t->out);
	} else {
		fprintf(t->out, "%7s %11.6f  >>> %s: %s\n", "", rel, "syslog file", t->line);
	}
}

/* Print the file's lines stamped at or before @ns. */
static void flush_file(struct pd_timeline *t, int64_t ns, bool all)
{
	if (!t->sf && !t->have_line)
		return;
	if (!t->have_line && !next_file_line(t))
		return;
	while (t->have_line && (all || t->line_ns <= ns)) {
		print_file_line(t);
		if (!next_file_line(t))
			break;
	}
}

/* Syslog messages that arrived over TCP and were completed by this
 * segment (the syslog analyzer keeps them in a->syslog), after it. */
static void tcp_syslog(struct pd_timeline *t, const struct pd_analysis *a,
		       const struct pd_packet *p, double rel)
{
	size_t k = a->syslog.n;
	char host[48];

	while (k > 0 && a->syslog.v[k - 1].frame == p->frame)
		k--;
	for (; k < a->syslog.n; k++) {
		const struct pd_syslog_msg *m = &a->syslog.v[k];

		pd_addr_format(&m->sender, host, sizeof(host));
		if (t->json) {
			struct pd_json j;

			pd_json_init(&j, t->out);
			pd_json_obj_begin(&j, 0);
			pd_json_u64(&j, "frame", p->frame);
			pd_json_double(&j, "t", rel);
			pd_json_obj_begin(&j, "syslog");
			pd_json_str(&j, "sender", host);
			pd_json_str(&j, "severity", sev_names[m->severity & 7]);
			pd_json_u64(&j, "facility", m->facility);
			pd_json_str(&j, "hostname", m->hostname);
			pd_json_str(&j, "app", m->app);
			pd_json_str(&j, "message", m->msg);
			pd_json_str(&j, "transport", "tcp");
			pd_json_obj_end(&j);
			pd_json_obj_end(&j);
			fputc('\n', t->out);
		} else {
			fprintf(t->out, "%7llu %11.6f  >>> syslog/tcp %s <%s> %s%s%s\n",
				(unsigned long long)p->frame, rel, host, sev_names[m->severity & 7],
				m->app, m->app[0] ? ": " : "", m->msg);
		}
	}
}

void pd_timeline_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	struct pd_timeline *t = arg;
	char sum[200];
	double rel;

	if (!t->have_t0) {
		time_t sec = (time_t)(p->ts_ns / 1000000000LL);
		struct tm tm;

		t->t0 = p->ts_ns;
		t->have_t0 = true;
		t->year = gmtime_r(&sec, &tm) ? tm.tm_year + 1900 : 1970;
		t->last_line_ns = p->ts_ns;
	}
	flush_file(t, p->ts_ns, false);
	rel = (double)(p->ts_ns - t->t0) / 1e9;
	if (p->layers & PD_L_SYSLOG) {
		char host[48], hn[64], app[32], msg[480];

		pd_addr_format(&p->ip.src, host, sizeof(host));
		pd_span_str(p, p->syslog.hostname, hn, sizeof(hn));
		pd_span_str(p, p->syslog.app, app, sizeof(app));
		pd_span_str(p, p->syslog.msg, msg, sizeof(msg));
		if (t->json) {
			struct pd_json j;

			pd_json_init(&j, t->out);
			pd_json_obj_begin(&j, 0);
			pd_json_u64(&j, "frame", p->frame);
			pd_json_double(&j, "t", rel);
			pd_json_obj_begin(&j, "syslog");
			pd_json_str(&j, "sender", host);
			pd_json_str(&j, "severity", sev_names[p->syslog.severity & 7]);
			pd_json_u64(&j, "facility", p->syslog.facility);
			pd_json_str(&j, "hostname", hn);
			pd_json_str(&j, "app", app);
			pd_json_str(&j, "message", msg);
			pd_json_obj_end(&j);
			pd_json_obj_end(&j);
			fputc('\n', t->out);
		} else {
			fprintf(t->out, "%7llu %11.6f  >>> syslog %s <%s> %s%s%s%s\n",
				(unsigned long long)p->frame, rel, host,
				sev_names[p->syslog.severity & 7], app, app[0] ? ": " : "", msg,
				hn[0] ? "" : "");
		}
		return;
	}
	summary(p, sum, sizeof(sum));
	if (t->json) {
		struct pd_json j;

		pd_json_init(&j, t->out);
		pd_json_obj_begin(&j, 0);
		pd_json_u64(&j, "frame", p->frame);
		pd_json_double(&j, "t", rel);
		pd_json_str(&j, "summary", sum);
		pd_json_obj_end(&j);
		fputc('\n', t->out);
	} else {
		fprintf(t->out, "%7llu %11.6f  %s\n", (unsigned long long)p->frame, rel, sum);
	}
	if (p->layers & PD_L_TCP)
		tcp_syslog(t, a, p, rel);
}

void pd_timeline_finish(struct pd_timeline *t)
{
	flush_file(t, 0, true);
	if (t->sf) {
		fclose(t->sf);
		t->sf = 0;
	}
	t->have_t0 = false;
}
