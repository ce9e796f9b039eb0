/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog.c - syslog messages in the capture (iPXE's DEBUG=syslog output
 * among them) and the boot errors they report.
 *
 * Messages are kept (up to PD_MAX_SYSLOG) for the timeline and the JSON
 * report; past that they are counted and reported as
 * analysis.limit_reached, and still read for boot errors: every message
 * is looked at, kept or not.  A message of severity err or worse (RFC 5424 6.2.1), or
 * one carrying an iPXE error URL (https://ipxe.org/XXXXXXXX), becomes a
 * syslog.boot_error finding, with the iPXE error code decoded (iPXE
 * include/errno.h: bits 30-24 POSIX error, 23-13 file, 12-8
 * disambiguator, 7-0 PXE status) and the packets just before it that it
 * most likely refers to: HTTP error responses, TFTP errors, DHCP NAKs,
 * TCP resets and ICMP unreachables to or from the same host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/cursor.h"
#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"

#define RECENT 32
#define LOOKBACK_NS (10LL * 1000000000LL)

struct recent {
	uint64_t frame;
	int64_t ns;
	struct pd_addr src, dst;
	char text[96];
};

struct syslog_state {
	struct recent r[RECENT];
	unsigned n;              /* events recorded (ring index = n % RECENT) */
	uint64_t first_dropped;  /* first frame of a message not kept */
};

/* iPXE's POSIX error codes (include/errno.h), indexed by bits 30-24. */
static const char *const ipxe_posix[] = {
	"ENOERR", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT",
	"EAGAIN", "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD",
	"ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM",
	"EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ",
	"EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE",
	"EMLINK", "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENETDOWN", "ENETRESET",
	"ENETUNREACH", "ENFILE", "ENOBUFS", "ENODATA", "ENODEV", "ENOENT", "ENOEXEC",
	"ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC", "ENOSR",
	"ENOSTR", "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTSOCK", "ENOTSUP",
	"ENOTTY", "ENXIO", "EOPNOTSUPP", "EOVERFLOW", "EPERM", "EPIPE", "EPROTO",
	"EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
	"ETIME", "ETIMEDOUT", "ETXTBSY", "EWOULDBLOCK", "EXDEV",
};

static const char *const severity_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int sl_init(struct pd_analysis *a, void **state)
{
	struct syslog_state *s = calloc(1, sizeof(*s));

	(void)a;
	if (!s)
		return -PD_ENOMEM;
	*state = s;
	return 0;
}

static struct recent *remember(struct syslog_state *s, const struct pd_packet *p)
{
	struct recent *r = &s->r[s->n++ % RECENT];

	r->frame = p->frame;
	r->ns = p->ts_ns;
	r->src = p->ip.src;
	r->dst = p->ip.dst;
	return r;
}

/* Read up to @max bytes of text from the payload into @buf. */
static void payload_text(const struct pd_packet *p, size_t from, size_t max, char *buf, size_t len)
{
	struct pd_cursor c;
	size_t n = 0;

	pd_cur_init(&c, p->payload, p->payload_caplen, p->payload_caplen);
	pd_cur_skip(&c, from);
	while (n + 1 < len && n < max && pd_cur_remaining(&c)) {
		uint8_t ch = pd_cur_u8(&c);

		if (ch == '\r' || ch == '\n' || ch == 0)
			break;
		buf[n++] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '.');
	}
	buf[n] = 0;
}

/* Notable failures that a later boot error may refer to. */
static void notable(struct syslog_state *s, const struct pd_packet *p)
{
	struct pd_cursor c;
	char t[80];

	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6)))
		return;
	if ((p->layers & PD_L_TCP) && (p->tcp.flags & 0x04)) {
		snprintf(remember(s, p)->text, sizeof(s->r[0].text), "TCP reset from port %u",
			 p->tcp.sport);
		return;
	}
	if ((p->layers & PD_L_TCP) && p->payload_caplen >= 12) {
		/* an HTTP status line "HTTP/1.x NNN reason" with NNN >= 400 */
		uint8_t h[12];

		pd_cur_init(&c, p->payload, p->payload_caplen, p->payload_caplen);
		pd_cur_copy(&c, h, sizeof(h));
		if (!memcmp(h, "HTTP/1.", 7) && h[8] == ' ' && h[9] >= '4' && h[9] <= '5') {
			payload_text(p, 9, 60, t, sizeof(t));
			snprintf(remember(s, p)->text, sizeof(s->r[0].text), "HTTP %s", t);
		}
		return;
	}
	if ((p->layers & PD_L_UDP) && p->payload_caplen >= 5) {
		/* TFTP ERROR (RFC 1350): opcode 5, error code 0-8, text, NUL */
		uint16_t op, code;

		pd_cur_init(&c, p->payload, p->payload_caplen, p->payload_caplen);
		op = pd_cur_be16(&c);
		code = pd_cur_be16(&c);
		if (op == 5 && code <= 8 && p->udp.sport != 514 && p->udp.dport != 514 &&
		    !(p->layers & (PD_L_DHCP | PD_L_DHCPV6))) {
			payload_text(p, 4, 60, t, sizeof(t));
			snprintf(remember(s, p)->text, sizeof(s->r[0].text), "TFTP error %u: %s", code, t);
		}
	}
	if ((p->layers & PD_L_DHCP) && p->dhcp.msg_type == 6)
		snprintf(remember(s, p)->text, sizeof(s->r[0].text), "DHCP NAK");
	if ((p->layers & PD_L_ICMP) && p->icmp.type == 3)
		snprintf(remember(s, p)->text, sizeof(s->r[0].text), "ICMP destination unreachable (code %u)",
			 p->icmp.code);
	if ((p->layers & PD_L_ICMPV6) && p->icmp.type == 1)
		snprintf(remember(s, p)->text, sizeof(s->r[0].text),
			 "ICMPv6 destination unreachable (code %u)", p->icmp.code);
}

/* Find "ipxe.org/" followed by 8 hex digits; return the code or 0. */
static uint32_t ipxe_code(const char *msg)
{
	const char *q = strstr(msg, "ipxe.org/");
	uint32_t v = 0;

	if (!q)
		return 0;
	q += 9;
	if (!strncmp(q, "err/", 4))
		q += 4;
	for (int i = 0; i < 8; i++, q++) {
		int d;

		if (*q >= '0' && *q <= '9')
			d = *q - '0';
		else if (*q >= 'a' && *q <= 'f')
			d = *q - 'a' + 10;
		else if (*q >= 'A' && *q <= 'F')
			d = *q - 'A' + 10;
		else
			return 0;
		v = v << 4 | (uint32_t)d;
	}
	return v ? v : 0;
}

static void decode_message(const struct pd_packet *p, struct pd_syslog_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->frame = p->frame;
	m->ts_ns = p->ts_ns;
	m->sender = p->ip.src;
	m->facility = p->syslog.facility;
	m->severity = p->syslog.severity;
	m->format = p->syslog.format;
	pd_span_str(p, p->syslog.hostname, m->hostname, sizeof(m->hostname));
	pd_span_str(p, p->syslog.app, m->app, sizeof(m->app));
	pd_span_str(p, p->syslog.msg, m->msg, sizeof(m->msg));
}

/* Keep the message in a->syslog; NULL when the list is full (counted). */
static struct pd_syslog_msg *keep_message(struct syslog_state *s, struct pd_analysis *a,
					  const struct pd_packet *p)
{
	struct pd_syslog_list *l = &a->syslog;
	struct pd_syslog_msg *m;

	if (pd_vec_reserve(&l->v, &l->cap, l->n, sizeof(*l->v), PD_MAX_SYSLOG)) {
		if (!l->dropped++)
			s->first_dropped = p->frame;
		return 0;
	}
	m = &l->v[l->n++];
	decode_message(p, m);
	return m;
}

static void boot_error(struct syslog_state *s, struct pd_analysis *a, const struct pd_packet *p,
		       const struct pd_syslog_msg *m, uint32_t code)
{
	struct pd_finding f;
	char host[48], refs[300] = "";

	pd_addr_format(&m->sender, host, sizeof(host));
	pd_finding_init(&f, "syslog.boot_error", PD_SEV_ERROR);
	pd_finding_flow(&f, "host %s", host);
	pd_finding_ev_str(&f, "host", "%s", host);
	pd_finding_ev_str(&f, "severity", "%s", severity_names[m->severity & 7]);
	pd_finding_ev_str(&f, "app", "%s", m->app);
	pd_finding_ev_str(&f, "message", "%s", m->msg);
	/* the failures just before, to or from this host, oldest first */
	{
		unsigned n = s->n < RECENT ? s->n : RECENT;

		for (unsigned i = n; i > 0; i--) {
			const struct recent *r = &s->r[(s->n - i) % RECENT];
			size_t u = strlen(refs);

			if (r->frame >= p->frame || p->ts_ns - r->ns > LOOKBACK_NS)
				continue;
			if (!pd_addr_equal(&r->src, &m->sender) && !pd_addr_equal(&r->dst, &m->sender))
				continue;
			pd_finding_add_frame(&f, r->frame);
			snprintf(refs + u, sizeof(refs) - u, "%sframe %llu: %s", u ? "; " : "",
				 (unsigned long long)r->frame, r->text);
		}
	}
	pd_finding_add_frame(&f, p->frame);
	if (refs[0])
		pd_finding_ev_str(&f, "refers_to", "%.94s", refs);
	if (code) {
		unsigned posix = (code >> 24) & 0x7f;

		pd_finding_ev_str(&f, "ipxe_error", "0x%08x", code);
		pd_finding_ev_str(&f, "posix_error", "%s",
				  posix < sizeof(ipxe_posix) / sizeof(ipxe_posix[0]) ? ipxe_posix[posix]
										     : "unknown");
		pd_finding_ev_str(&f, "pxe_status", "0x%02x", code & 0xff);
		pd_finding_ev_u64(&f, "ipxe_file_id", (code >> 13) & 0x7ff);
		pd_finding_message(&f, "%s reported a boot error (%s, iPXE error 0x%08x): %s%s%s", host,
				   posix < sizeof(ipxe_posix) / sizeof(ipxe_posix[0]) ? ipxe_posix[posix]
										      : "unknown",
				   code, m->msg, refs[0] ? "; after " : "", refs);
		pd_finding_advice(&f, "https://ipxe.org/%08x explains this error. Look at the packets "
				      "listed first: the failing request (404, TFTP error, reset) names "
				      "the file or server to fix.", code);
	} else {
		pd_finding_message(&f, "%s logged at severity %s: %s%s%s", host,
				   severity_names[m->severity & 7], m->msg, refs[0] ? "; after " : "",
				   refs);
		pd_finding_advice(&f, "Read the message with the packets listed before it; with iPXE, "
				      "DEBUG=syslog output names the failing step.");
	}
	pd_analysis_add(a, &f);
}

static void sl_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		      struct pd_flow *flow, int dir)
{
	struct syslog_state *s = state;
	struct pd_syslog_msg *m, unkept;
	uint32_t code;

	(void)flow;
	(void)dir;
	if (!(p->layers & PD_L_SYSLOG)) {
		notable(s, p);
		return;
	}
	m = keep_message(s, a, p);
	if (!m) {
		/* not kept for the timeline, but still read for boot errors */
		decode_message(p, &unkept);
		m = &unkept;
	}
	code = ipxe_code(m->msg);
	if (code || m->severity <= 3)
		boot_error(s, a, p, m, code);
}

static int sl_finish(void *state, struct pd_analysis *a)
{
	struct syslog_state *s = state;
	struct pd_finding f;

	if (!a->syslog.dropped)
		return 0;
	pd_finding_limit(&f, "syslog_messages", PD_MAX_SYSLOG, a->syslog.dropped, "messages",
			 s->first_dropped);
	pd_finding_message(&f, "syslog list full (%d messages): %llu more messages were not kept "
			       "for the timeline and the report, the first in frame %llu (they "
			       "were still read for boot errors)",
			   PD_MAX_SYSLOG, (unsigned long long)a->syslog.dropped,
			   (unsigned long long)s->first_dropped);
	pd_finding_advice(&f, "Use --frames or a filter (-f 'udp port 514 and host ...') to see "
			      "the later messages in the timeline.");
	return pd_analysis_add(a, &f);
}

static void sl_destroy(void *state)
{
	free(state);
}

const struct pd_analyzer_ops pd_analyzer_syslog = {
	.name = "syslog",
	.init = sl_init,
	.on_packet = sl_packet,
	.finish = sl_finish,
	.destroy = sl_destroy,
};
