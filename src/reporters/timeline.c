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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktdoctor/error.h"
#include "pktdoctor/json.h"
#include "pktdoctor/textfile.h"
#include "pktdoctor/timeline.h"

static const char *const sev_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const char *const dhcp_types[] = {
	"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM",
};

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

		pd_ipv4_format(r->tpa, tpa, sizeof(tpa));
		pd_ipv4_format(r->spa, spa, sizeof(spa));
		pd_mac_format(r->sha, sha, sizeof(sha));
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

		pd_mac_format(p->dhcp.chaddr, ch, sizeof(ch));
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

/* @n decimal digits at @s, or -1. */
static int fixed_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m /* 1-12 */)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil); no overflow for years 0..9999. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Check the fields; seconds since the epoch into *secs.  60 is a leap
 * second (RFC 3339 5.6) and counts as the next minute's 0. */
static const char *civil_to_secs(int y, int mo, int d, int h, int mi, int sec, int64_t *secs,
				 char *why, size_t whylen)
{
	if (mo < 1 || mo > 12)
		snprintf(why, whylen, "month %02d is not 01-12", mo);
	else if (d < 1 || d > days_in_month(y, mo))
		snprintf(why, whylen, "day %02d is not a day of %04d-%02d", d, y, mo);
	else if (h > 23)
		snprintf(why, whylen, "hour %02d is not 00-23", h);
	else if (mi > 59)
		snprintf(why, whylen, "minute %02d is not 00-59", mi);
	else if (sec > 60)
		snprintf(why, whylen, "second %02d is not 00-60", sec);
	else {
		*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
		return 0;
	}
	return why;
}

/* Latest stamp that fits in int64 nanoseconds: 2262-04-11T23:47:16Z. */
#define MAX_SECS (INT64_MAX / 1000000000LL - 1)

/*
 * Parse the timestamp at the start of a --syslog-file line (after an
 * optional "<PRI>" and RFC 5424 version "1 "): RFC 3339 / ISO 8601
 * "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm]" (UTC when no offset), or RFC
 * 3164 "Mmm dd hh:mm:ss" in @year.
 * Return: 1 with *ns (ns since the epoch), 0 when the line does not start
 * with a timestamp (a continuation line), -1 when it starts with one
 * that is invalid or out of range (@why says which field).
 */
int pd_timeline_parse_ts(const char *s, int year, int64_t *ns, char *why, size_t whylen)
{
	int y, mo, d, h, mi, sec;
	int64_t secs = 0, frac = 0;
	long off = 0;

	if (s[0] == '<') {
		int k = 1;

		while (k <= 3 && s[k] >= '0' && s[k] <= '9')
			k++;
		if (k == 1 || s[k] != '>')
			return 0;
		s += k + 1;
		if (s[0] == '1' && s[1] == ' ')
			s += 2;
	}
	if (fixed_digits(s, 4) >= 0 && s[4] == '-' && fixed_digits(s + 5, 2) >= 0 && s[7] == '-' &&
	    fixed_digits(s + 8, 2) >= 0) {
		const char *r = s + 19;

		y = fixed_digits(s, 4);
		mo = fixed_digits(s + 5, 2);
		d = fixed_digits(s + 8, 2);
		if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || (h = fixed_digits(s + 11, 2)) < 0 ||
		    s[13] != ':' || (mi = fixed_digits(s + 14, 2)) < 0 || s[16] != ':' ||
		    (sec = fixed_digits(s + 17, 2)) < 0) {
			snprintf(why, whylen, "a date without a valid time (want YYYY-MM-DDThh:mm:ss)");
			return -1;
		}
		if (*r == '.' || *r == ',') {
			int n = 0;

			r++;
			if (*r < '0' || *r > '9') {
				snprintf(why, whylen, "no digits after the decimal point of the seconds");
				return -1;
			}
			for (; *r >= '0' && *r <= '9'; r++, n++)
				if (n < 9)
					frac = frac * 10 + (*r - '0');
			for (; n < 9; n++)
				frac *= 10;
		}
		if (*r == 'Z' || *r == 'z') {
			r++;
		} else if (*r == '+' || *r == '-') {
			int oh = fixed_digits(r + 1, 2), om = r[3] == ':' ? fixed_digits(r + 4, 2) : -1;

			if (oh < 0 || om < 0 || oh > 23 || om > 59) {
				snprintf(why, whylen, "UTC offset \"%.6s\" is not +hh:mm or -hh:mm", r);
				return -1;
			}
			off = (long)(oh * 60 + om) * 60 * (*r == '-' ? -1 : 1);
			r += 6;
		}
		if (*r && *r != ' ' && *r != '\t') {
			snprintf(why, whylen, "unexpected \"%c\" after the time", *r);
			return -1;
		}
	} else {
		int m = month_of(s);
		const char *r = s + 3;

		if (m < 0 || *r != ' ')
			return 0;
		r++;
		if (*r == ' ')
			r++;
		if (*r < '0' || *r > '9')
			return 0;
		d = *r++ - '0';
		if (*r >= '0' && *r <= '9')
			d = d * 10 + (*r++ - '0');
		if (*r != ' ' || (h = fixed_digits(r + 1, 2)) < 0 || r[3] != ':' ||
		    (mi = fixed_digits(r + 4, 2)) < 0 || r[6] != ':' ||
		    (sec = fixed_digits(r + 7, 2)) < 0 || (r[9] && r[9] != ' ' && r[9] != '\t')) {
			snprintf(why, whylen, "a date without a valid time (want Mmm dd hh:mm:ss)");
			return -1;
		}
		y = year;
		mo = m + 1;
	}
	if (civil_to_secs(y, mo, d, h, mi, sec, &secs, why, whylen))
		return -1;
	secs -= off;
	if (secs < 0 || secs > MAX_SECS) {
		snprintf(why, whylen, "%04d-%02d-%02d is outside 1970-01-01 .. 2262-04-11", y, mo, d);
		return -1;
	}
	*ns = secs * 1000000000LL + frac;
	return 1;
}

#define SYSLOG_LINE_MAX (sizeof(((struct pd_timeline *)0)->line) - 1)
/* A syslog file from a pipe is copied to a temporary file, up to this. */
#define SYSLOG_COPY_MAX (1024 << 20)

/* Read and check the next line; false at the end or on an error (t->err). */
static bool next_file_line(struct pd_timeline *t)
{
	int rc;
	char why[160];
	int64_t ns;

	if (!t->sf.fp || t->err[0])
		return false;
	rc = pd_textfile_next(&t->sf, t->line, sizeof(t->line), 0, t->err, sizeof(t->err));
	if (rc != 1) {
		pd_textfile_close(&t->sf);
		t->have_line = false;
		return false;
	}
	rc = pd_timeline_parse_ts(t->line, t->year, &ns, why, sizeof(why));
	if (rc < 0) {
		snprintf(t->err, sizeof(t->err), "%s:%u: %s", t->sf.name, t->sf.line, why);
		pd_textfile_close(&t->sf);
		t->have_line = false;
		return false;
	}
	if (rc == 0) {
		t->line_ns = t->last_line_ns; /* no timestamp: stays with the line before */
	} else {
		t->line_ns = ns;
		t->last_line_ns = ns;
	}
	t->have_line = true;
	return true;
}

/*
 * Read the whole syslog file once before the analysis, so a bad line is
 * a usage error before any output.  RFC 3164 stamps have no year; they
 * are checked here in a leap year and again in the capture's year when
 * merged.  A stream that cannot seek back (a pipe) is copied to a
 * temporary file as it is checked, up to SYSLOG_COPY_MAX bytes.
 */
static int syslog_check(struct pd_timeline *t, char *err, size_t errlen)
{
	FILE *copy = 0;
	char why[160];
	int rc;
	size_t copied = 0;

	if (fseek(t->sf.fp, 0, SEEK_SET) != 0) {
		copy = tmpfile();
		if (!copy) {
			snprintf(err, errlen, "%s: cannot make a temporary copy: %s", t->sf.name,
				 strerror(errno));
			return -PD_EIO;
		}
	}
	while ((rc = pd_textfile_next(&t->sf, t->line, sizeof(t->line), 0, err, errlen)) == 1) {
		int64_t ns;

		if (pd_timeline_parse_ts(t->line, 2000, &ns, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: %s", t->sf.name, t->sf.line, why);
			rc = -PD_EFORMAT;
			break;
		}
		copied += strlen(t->line) + 1;
		if (copy && copied > SYSLOG_COPY_MAX) {
			snprintf(err, errlen, "%s:%u: more than %d MiB from a pipe; give a regular file",
				 t->sf.name, t->sf.line, SYSLOG_COPY_MAX >> 20);
			rc = -PD_ELIMIT;
			break;
		}
		if (copy && fprintf(copy, "%s\n", t->line) < 0) {
			snprintf(err, errlen, "%s: cannot make a temporary copy: %s", t->sf.name,
				 strerror(errno));
			rc = -PD_EIO;
			break;
		}
	}
	if (rc) {
		if (copy)
			fclose(copy);
		return rc;
	}
	if (copy) {
		const char *name = t->sf.name;

		pd_textfile_close(&t->sf);
		pd_textfile_attach(&t->sf, copy, name, SYSLOG_LINE_MAX);
	} else {
		t->sf.line = 0;
	}
	if (fflush(t->sf.fp) != 0 || fseek(t->sf.fp, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: cannot read it again: %s", t->sf.name, strerror(errno));
		return -PD_EIO;
	}
	t->line[0] = 0;
	return 0;
}

static void timeline_start(struct pd_timeline *t, FILE *out, bool json)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->json = json;
	t->year = 1970;
}

int pd_timeline_init(struct pd_timeline *t, FILE *out, bool json, const char *syslog_path,
		     char *err, size_t errlen)
{
	int rc;

	timeline_start(t, out, json);
	if (!syslog_path)
		return 0;
	rc = pd_textfile_open(&t->sf, syslog_path, SYSLOG_LINE_MAX, err, errlen);
	if (rc)
		return rc;
	t->syslog_path = syslog_path;
	rc = syslog_check(t, err, errlen);
	if (rc)
		pd_textfile_close(&t->sf);
	return rc;
}

int pd_timeline_init_stream(struct pd_timeline *t, FILE *out, bool json, FILE *sf,
			    const char *name, char *err, size_t errlen)
{
	int rc;

	timeline_start(t, out, json);
	pd_textfile_attach(&t->sf, sf, name, SYSLOG_LINE_MAX);
	t->syslog_path = name;
	rc = syslog_check(t, err, errlen);
	if (rc)
		pd_textfile_close(&t->sf);
	return rc;
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
	if (!t->sf.fp && !t->have_line)
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

	if (ferror(t->out))
		return; /* the write error is reported by pd_timeline_finish() */
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

int pd_timeline_finish(struct pd_timeline *t, char *err, size_t errlen)
{
	int rc = 0;

	flush_file(t, 0, true);
	pd_textfile_close(&t->sf);
	t->have_t0 = false;
	if (t->err[0]) {
		snprintf(err, errlen, "%s", t->err);
		rc = -PD_EFORMAT;
	} else if (fflush(t->out) != 0 || ferror(t->out)) {
		snprintf(err, errlen, "cannot write the timeline: %s", strerror(errno));
		rc = -PD_EWRITE;
	}
	return rc;
}
