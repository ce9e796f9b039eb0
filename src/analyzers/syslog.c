/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog.c - syslog messages in the capture (iPXE's DEBUG=syslog output
 * among them) and the boot errors they report.
 *
 * Messages come over UDP (the dissector, port 514) and over TCP (RFC
 * 6587, ports 514 and 601: octet counting "LEN SP MSG" or newline
 * framing), read here from the payload the TCP stream layer delivers in
 * order for each sender's connection (tcpstream.h): at most
 * MAX_TCP_STREAMS connections, MAX_TCP_MSG bytes per message (longer ones
 * are cut and counted); a gap in the sequence numbers drops the partial
 * message and resynchronises on the next segment.  As the receiver does,
 * a segment with a bad TCP checksum is not read: its retransmission is
 * (a capture that shows no retransmission shows a gap there).
 *
 * Messages are kept (up to PD_MAX_SYSLOG) for the timeline and the JSON
 * report; past that they are counted and reported as
 * analysis.limit_reached, and still read for boot errors: every message
 * is looked at, kept or not.  A message carrying an iPXE error URL
 * (https://ipxe.org/XXXXXXXX), or one of severity err or worse (RFC 5424
 * 6.2.1) that names a boot, DHCP, TFTP, iSCSI or SAN failure (a word such
 * as boot/dhcp/tftp/iscsi/san/pxe and a word such as fail/error/could
 * not/timed out/refused/not found), becomes a syslog.boot_error finding;
 * a switch's "%LINK-3-UPDOWN ... changed state to up" does not.  The iPXE
 * error code is decoded (iPXE
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
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"

#define RECENT 32
#define LOOKBACK_NS (10LL * 1000000000LL)
#define MAX_TCP_STREAMS 64      /* syslog-over-TCP connections followed */
#define MAX_TCP_MSG 2048        /* bytes kept of one message */
#define MAX_OCTET_COUNT 65536   /* a larger RFC 6587 MSG-LEN is a framing error */

/* One sender's syslog-over-TCP connection (RFC 6587). */
struct tcp_stream {
	bool used;
	struct pd_addr src, dst;
	uint16_t sport, dport;
	uint8_t framing;         /* 0 unknown, 1 octet counting, 2 newline */
	size_t want;             /* octet counting: bytes of the message still due */
	size_t skip;             /* bytes of a too-long message still to skip */
	uint8_t buf[MAX_TCP_MSG];
	size_t len;
	uint64_t last_use;
};

struct recent {
	uint64_t frame;
	int64_t ns;
	struct pd_addr src, dst;
	char text[96];
};

struct syslog_state {
	struct recent r[RECENT];
	unsigned n;              /* events recorded (ring index = n % RECENT) */
	struct tcp_stream *tcp;  /* MAX_TCP_STREAMS, allocated on first use */
	struct pd_packet *scratch; /* a TCP message dissected as a datagram */
	uint64_t tcp_use;
	uint64_t tcp_evicted;    /* connections dropped for a newer one */
	uint64_t tcp_cut;        /* messages longer than MAX_TCP_MSG, cut */
	uint64_t tcp_gaps;       /* sequence gaps: partial messages dropped */
	uint64_t tcp_framing;    /* octet counts that could not be read */
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

/* Decode the message of @q (its syslog spans and bytes) seen in packet @p
 * (frame, time, sender); @q is @p for a datagram. */
static void decode_message(const struct pd_packet *p, const struct pd_packet *q,
			   struct pd_syslog_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->frame = p->frame;
	m->ts_ns = p->ts_ns;
	m->sender = p->ip.src;
	m->facility = q->syslog.facility;
	m->severity = q->syslog.severity;
	m->format = q->syslog.format;
	pd_span_str(q, q->syslog.hostname, m->hostname, sizeof(m->hostname));
	pd_span_str(q, q->syslog.app, m->app, sizeof(m->app));
	pd_span_str(q, q->syslog.msg, m->msg, sizeof(m->msg));
}

/* Keep the message in a->syslog; NULL when the list is full (counted). */
static struct pd_syslog_msg *keep_message(struct syslog_state *s, struct pd_analysis *a,
					  const struct pd_packet *p, const struct pd_packet *q)
{
	struct pd_syslog_list *l = &a->syslog;
	struct pd_syslog_msg *m;

	if (pd_vec_reserve(&l->v, &l->cap, l->n, sizeof(*l->v), PD_MAX_SYSLOG)) {
		if (!l->dropped++)
			s->first_dropped = p->frame;
		return 0;
	}
	m = &l->v[l->n++];
	decode_message(p, q, m);
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

/* Does @msg contain a word (case-insensitive, at a word start) that
 * begins with one of @words? */
static bool has_word(const char *msg, const char *const *words)
{
	for (const char *q = msg; *q; q++) {
		if (q != msg && ((q[-1] >= 'a' && q[-1] <= 'z') || (q[-1] >= 'A' && q[-1] <= 'Z') ||
				 (q[-1] >= '0' && q[-1] <= '9')))
			continue;
		for (const char *const *w = words; *w; w++) {
			size_t n = strlen(*w), k;

			for (k = 0; k < n && q[k]; k++) {
				char ch = q[k] >= 'A' && q[k] <= 'Z' ? (char)(q[k] - 'A' + 'a') : q[k];

				if (ch != (*w)[k])
					break;
			}
			/* a trailing '$' in the word means "the whole word" */
			if (k == n)
				return true;
			if (k == n - 1 && (*w)[k] == '$' &&
			    !((q[k] >= 'a' && q[k] <= 'z') || (q[k] >= 'A' && q[k] <= 'Z')))
				return true;
		}
	}
	return false;
}

/* A message that names a boot, DHCP, TFTP, iSCSI or SAN failure. */
static bool names_boot_failure(const char *msg)
{
	static const char *const what[] = {
		"boot", "netboot", "sanboot", "dhcp", "tftp", "iscsi", "san$", "pxe", "ipxe",
		"root path", "root-path", "nbp$", "initiator", 0,
	};
	static const char *const failed[] = {
		"fail", "error", "err$", "could not", "couldn't", "cannot", "can't", "unable",
		"timed out", "timeout", "refused", "denied", "not found", "no such", "abort",
		"nak$", "declin", "unreachable", "missing", "invalid", "no response", 0,
	};

	return has_word(msg, what) && has_word(msg, failed);
}

static void judge(struct syslog_state *s, struct pd_analysis *a, const struct pd_packet *p,
		  const struct pd_syslog_msg *m)
{
	uint32_t code = ipxe_code(m->msg);

	if (code || (m->severity <= 3 && names_boot_failure(m->msg)))
		boot_error(s, a, p, m, code);
}

/* ---- syslog over TCP (RFC 6587) ---- */

static struct tcp_stream *tcp_stream(struct syslog_state *s, const struct pd_packet *p)
{
	struct tcp_stream *free_slot = 0, *oldest = 0;

	if (!s->tcp) {
		s->tcp = calloc(MAX_TCP_STREAMS, sizeof(*s->tcp));
		s->scratch = malloc(sizeof(*s->scratch));
		if (!s->tcp || !s->scratch) {
			free(s->tcp);
			free(s->scratch);
			s->tcp = 0;
			s->scratch = 0;
			return 0;
		}
	}
	for (size_t i = 0; i < MAX_TCP_STREAMS; i++) {
		struct tcp_stream *t = &s->tcp[i];

		if (!t->used) {
			if (!free_slot)
				free_slot = t;
			continue;
		}
		if (t->sport == p->tcp.sport && t->dport == p->tcp.dport &&
		    pd_addr_equal(&t->src, &p->ip.src) && pd_addr_equal(&t->dst, &p->ip.dst))
			return t;
		if (!oldest || t->last_use < oldest->last_use)
			oldest = t;
	}
	if (!free_slot) {
		free_slot = oldest; /* bounded: the least recently used goes */
		s->tcp_evicted++;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->src = p->ip.src;
	free_slot->dst = p->ip.dst;
	free_slot->sport = p->tcp.sport;
	free_slot->dport = p->tcp.dport;
	return free_slot;
}

/* One whole message in t->buf: dissect it as a datagram would be. */
static void tcp_message(struct syslog_state *s, struct pd_analysis *a, const struct pd_packet *p,
			struct tcp_stream *t)
{
	struct pd_packet *q = s->scratch;
	struct pd_cursor c;
	struct pd_syslog_msg *m, unkept;

	memset(q, 0, sizeof(*q));
	q->frame = p->frame;
	q->frame_data = t->buf;
	q->caplen = q->wirelen = (uint32_t)t->len;
	pd_cur_init(&c, t->buf, t->len, t->len);
	pd_dissect_syslog(q, &c);
	if (q->layers & PD_L_SYSLOG) {
		m = keep_message(s, a, p, q);
		if (!m) {
			decode_message(p, q, &unkept);
			m = &unkept;
		}
		judge(s, a, p, m);
	}
	t->len = 0;
}

static void tcp_byte(struct syslog_state *s, struct pd_analysis *a, const struct pd_packet *p,
		     struct tcp_stream *t, uint8_t ch)
{
	if (t->skip) {
		t->skip--;
		return;
	}
	if (!t->framing && !t->len) {
		if (ch >= '1' && ch <= '9')
			t->framing = 1;
		else if (ch == '<')
			t->framing = 2;
		else
			return; /* not at a message start: wait for one */
	}
	if (t->framing == 1 && !t->want) {
		/* MSG-LEN SP (RFC 6587 3.4.1) */
		if (ch >= '0' && ch <= '9' && t->len < 8) {
			t->buf[t->len++] = ch;
			return;
		}
		if (ch == ' ' && t->len) {
			size_t n = 0;

			for (size_t i = 0; i < t->len; i++)
				n = n * 10 + (size_t)(t->buf[i] - '0');
			t->len = 0;
			if (n && n <= MAX_OCTET_COUNT) {
				t->want = n;
				return;
			}
		}
		s->tcp_framing++;
		t->len = 0;
		t->framing = 0;
		return;
	}
	if (t->framing == 2 && (ch == '\n' || ch == 0)) {
		/* non-transparent framing (RFC 6587 3.4.2): LF (or NUL) ends it */
		if (t->len && t->buf[t->len - 1] == '\r')
			t->len--;
		if (t->len)
			tcp_message(s, a, p, t);
		t->framing = 0;
		return;
	}
	if (t->len < MAX_TCP_MSG)
		t->buf[t->len++] = ch;
	if (t->framing == 1 && !--t->want) {
		tcp_message(s, a, p, t);
		t->framing = 0;
	} else if (t->len == MAX_TCP_MSG) {
		/* too long to keep: judge what fits, skip the rest */
		s->tcp_cut++;
		tcp_message(s, a, p, t);
		if (t->framing == 1) {
			t->skip = t->want;
			t->want = 0;
			t->framing = 0;
		}
	}
}

/* Forget a partly read message: the bytes that would finish it are lost. */
static void tcp_reset(struct tcp_stream *t)
{
	t->len = t->want = t->skip = 0;
	t->framing = 0;
}

/* One segment of a sender's stream, as the TCP stream layer delivers it
 * (tcpstream.h): in order, retransmitted bytes already skipped. */
static void tcp_segment(struct syslog_state *s, struct pd_analysis *a, const struct pd_packet *p)
{
	const struct pd_tcp *tc = &p->tcp;
	const struct pd_tcp_seg *sg = &a->tcp_seg;
	struct tcp_stream *t;
	struct pd_cursor c;

	if ((tc->dport != 514 && tc->dport != 601) || (!tc->payload_len && !(tc->flags & 0x02)))
		return;
	if (!sg->analysed)
		return; /* no tracked flow, or a copy of a frame already read */
	t = tcp_stream(s, p);
	if (!t)
		return;
	t->last_use = ++s->tcp_use;
	if (sg->stream_start && sg->start_at_syn)
		tcp_reset(t); /* a new connection: nothing of the old one completes */
	if (!sg->data_len)
		return; /* no payload, one the receiver drops, or bytes already read */
	if (sg->gap) {
		/* a gap: what was buffered cannot be completed */
		s->tcp_gaps++;
		tcp_reset(t);
	}
	if (p->payload_caplen < tc->payload_len) {
		/* cut by the snaplen: the message being read cannot be completed */
		tcp_reset(t);
		s->tcp_gaps++;
		return;
	}
	pd_cur_init(&c, p->payload, p->payload_caplen, p->payload_caplen);
	pd_cur_skip(&c, sg->data_off);
	while (pd_cur_remaining(&c))
		tcp_byte(s, a, p, t, pd_cur_u8(&c));
}

static void sl_packet(void *state, struct pd_analysis *a, const struct pd_packet *p,
		      struct pd_flow *flow, int dir)
{
	struct syslog_state *s = state;
	struct pd_syslog_msg *m, unkept;

	(void)flow;
	(void)dir;
	if (!(p->layers & PD_L_SYSLOG)) {
		if (p->layers & PD_L_TCP)
			tcp_segment(s, a, p);
		notable(s, p);
		return;
	}
	m = keep_message(s, a, p, p);
	if (!m) {
		/* not kept for the timeline, but still read for boot errors */
		decode_message(p, p, &unkept);
		m = &unkept;
	}
	judge(s, a, p, m);
}

static int sl_finish(void *state, struct pd_analysis *a)
{
	struct syslog_state *s = state;
	struct pd_finding f;

	int rc = 0;

	if (a->syslog.dropped) {
		pd_finding_limit(&f, "syslog_messages", PD_MAX_SYSLOG, a->syslog.dropped, "messages",
				 s->first_dropped);
		pd_finding_message(&f, "syslog list full (%d messages): %llu more messages were not "
				       "kept for the timeline and the report, the first in frame %llu "
				       "(they were still read for boot errors)",
				   PD_MAX_SYSLOG, (unsigned long long)a->syslog.dropped,
				   (unsigned long long)s->first_dropped);
		pd_finding_advice(&f, "Use --frames or a filter (-f 'udp port 514 and host ...') to "
				      "see the later messages in the timeline.");
		rc = pd_analysis_add(a, &f);
	}
	if (rc || (!s->tcp_evicted && !s->tcp_cut && !s->tcp_gaps && !s->tcp_framing))
		return rc;
	pd_finding_limit(&f, "syslog_tcp_streams", MAX_TCP_STREAMS, s->tcp_evicted, "connections", 0);
	pd_finding_message(&f, "syslog over TCP not read in full: %llu connections dropped past "
			       "%d at once, %llu messages cut at %d bytes, %llu sequence gaps, "
			       "%llu unreadable octet counts",
			   (unsigned long long)s->tcp_evicted, MAX_TCP_STREAMS,
			   (unsigned long long)s->tcp_cut, MAX_TCP_MSG, (unsigned long long)s->tcp_gaps,
			   (unsigned long long)s->tcp_framing);
	pd_finding_ev_u64(&f, "messages_cut", s->tcp_cut);
	pd_finding_ev_u64(&f, "sequence_gaps", s->tcp_gaps);
	pd_finding_ev_u64(&f, "framing_errors", s->tcp_framing);
	return pd_analysis_add(a, &f);
}

static void sl_destroy(void *state)
{
	struct syslog_state *s = state;

	if (s) {
		free(s->tcp);
		free(s->scratch);
	}
	free(s);
}

const struct pd_analyzer_ops pd_analyzer_syslog = {
	.name = "syslog",
	.init = sl_init,
	.on_packet = sl_packet,
	.finish = sl_finish,
	.destroy = sl_destroy,
};
