/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog.c - syslog messages over UDP (port 514): the PRI field, then
 * RFC 5424 ("<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG"),
 * iPXE's own form ("<PRI>[hostname[.domain] ]ipxe: message", from iPXE
 * src/net/udp/syslog.c syslog_send()), or RFC 3164
 * ("<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG").  Fields are located as
 * spans in the frame, not copied.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

static size_t frame_off(const struct pd_packet *p, const struct pd_cursor *c, size_t at)
{
	return (size_t)(c->base - p->frame_data) + at;
}

static struct pd_span span(const struct pd_packet *p, const struct pd_cursor *c, size_t from,
			   size_t to)
{
	struct pd_span s;
	size_t off = frame_off(p, c, from);

	s.off = (uint16_t)(off > 0xffff ? 0xffff : off);
	s.len = (uint16_t)(to - from > 0xffff ? 0xffff : to - from);
	return s;
}

/* Index of the next space at or after @i, or @n. */
static size_t next_sp(const uint8_t *b, size_t i, size_t n)
{
	while (i < n && b[i] != ' ')
		i++;
	return i;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* "Mmm dd hh:mm:ss" (RFC 3164 4.1.2): 15 bytes, day space-padded. */
static bool rfc3164_ts(const uint8_t *b, size_t i, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (n - i < 16 || b[i + 3] != ' ' || b[i + 6] != ' ' || b[i + 9] != ':' ||
	    b[i + 12] != ':' || b[i + 15] != ' ')
		return false;
	for (int m = 0; m < 12; m++)
		if (b[i] == months[3 * m] && b[i + 1] == months[3 * m + 1] &&
		    b[i + 2] == months[3 * m + 2])
			return is_digit(b[i + 5]) && is_digit(b[i + 7]) && is_digit(b[i + 8]);
	return false;
}

/* "YYYY-MM-DDT" (RFC 3339) followed eventually by a space. */
static bool rfc3339_ts(const uint8_t *b, size_t i, size_t n)
{
	if (n - i < 20)
		return false;
	for (size_t k = 0; k < 4; k++)
		if (!is_digit(b[i + k]))
			return false;
	return b[i + 4] == '-' && b[i + 7] == '-' && b[i + 10] == 'T' && next_sp(b, i, n) < n;
}

int pd_dissect_syslog(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_syslog *s = &p->syslog;
	const uint8_t *b = pd_cur_ptr(c);
	size_t n = pd_cur_remaining(c), i = 1, start;
	unsigned pri = 0;

	memset(s, 0, sizeof(*s));
	/* PRI: "<" 1-3 digits ">" with a value of at most 191 (RFC 5424 6.2.1) */
	if (n < 3 || b[0] != '<')
		return 0;
	while (i < n && i <= 3 && is_digit(b[i]))
		pri = pri * 10 + (unsigned)(b[i++] - '0');
	if (i == 1 || i >= n || b[i] != '>' || pri > 191)
		return 0;
	i++;
	/* trailing newline and NUL are not part of the message */
	while (n > i && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == 0))
		n--;
	s->facility = (uint8_t)(pri / 8);
	s->severity = (uint8_t)(pri % 8);
	p->layers |= PD_L_SYSLOG | PD_L_APP;

	if (n - i >= 2 && b[i] == '1' && b[i + 1] == ' ') {
		/* RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP
		 * PROCID SP MSGID SP STRUCTURED-DATA [SP MSG] */
		size_t f[4];

		s->format = PD_SYSLOG_5424;
		i += 2;
		for (int k = 0; k < 4; k++) {
			f[k] = i;
			i = next_sp(b, i, n);
			if (k == 0)
				s->timestamp = span(p, c, f[k], i);
			else if (k == 1)
				s->hostname = span(p, c, f[k], i);
			else if (k == 2)
				s->app = span(p, c, f[k], i);
			if (i < n)
				i++;
		}
		i = next_sp(b, i, n); /* MSGID */
		if (i < n)
			i++;
		if (i < n && b[i] == '[') {
			/* structured data: skip to the "]" that closes the last element */
			while (i < n) {
				if (b[i] == '\\' && i + 1 < n) {
					i += 2;
					continue;
				}
				if (b[i] == ']' && (i + 1 >= n || b[i + 1] == ' '))
					break;
				i++;
			}
			if (i < n)
				i++;
		} else {
			i = next_sp(b, i, n); /* "-" */
		}
		if (i < n && b[i] == ' ')
			i++;
		s->msg = span(p, c, i, n);
		return 0;
	}
	if (rfc3164_ts(b, i, n) || rfc3339_ts(b, i, n)) {
		size_t h;

		/* RFC 3164, or the same with an RFC 3339 stamp (rsyslog's
		 * high-precision template) */
		s->format = PD_SYSLOG_3164;
		h = rfc3164_ts(b, i, n) ? i + 15 : next_sp(b, i, n);
		s->timestamp = span(p, c, i, h);
		i = h + 1;
		h = next_sp(b, i, n);
		s->hostname = span(p, c, i, h);
		i = h < n ? h + 1 : n;
		/* TAG: up to ':' or '[' (RFC 3164 4.1.3), at most 32 chars */
		start = i;
		while (i < n && i - start < 48 && b[i] != ':' && b[i] != '[' && b[i] != ' ')
			i++;
		if (i < n && (b[i] == ':' || b[i] == '[')) {
			s->app = span(p, c, start, i);
			while (i < n && b[i] != ':' && b[i] != ' ')
				i++;
			if (i < n && b[i] == ':')
				i++;
			if (i < n && b[i] == ' ')
				i++;
		} else {
			i = start;
		}
		s->msg = span(p, c, i, n);
		return 0;
	}
	/* iPXE: optional "host[.domain] " then "ipxe: " */
	start = i;
	{
		size_t h = next_sp(b, i, n), k = i;

		if (n - i >= 6 && b[i] == 'i' && b[i + 1] == 'p' && b[i + 2] == 'x' && b[i + 3] == 'e' &&
		    b[i + 4] == ':' && b[i + 5] == ' ') {
			k = i;
		} else if (h < n && n - (h + 1) >= 6 && b[h + 1] == 'i' && b[h + 2] == 'p' &&
			   b[h + 3] == 'x' && b[h + 4] == 'e' && b[h + 5] == ':' && b[h + 6] == ' ') {
			s->hostname = span(p, c, i, h);
			k = h + 1;
		} else {
			k = n + 1;
		}
		if (k <= n) {
			s->format = PD_SYSLOG_IPXE;
			s->app = span(p, c, k, k + 4);
			s->msg = span(p, c, k + 6, n);
			return 0;
		}
	}
	s->format = PD_SYSLOG_BARE;
	s->msg = span(p, c, start, n);
	return 0;
}
