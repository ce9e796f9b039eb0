/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pair.c - `pktdoctor probe --pair [NS:]IF1 [NS:]IF2`: both ends of the
 * prober in one process.  Every socket is opened first, inside its
 * namespace; then capabilities are dropped (CAP_NET_ADMIN is kept alone
 * with --toggle, until the settings are restored).  Per case:
 *
 *   counters before -> build (libnet) -> verify (pktdoctor's checksum
 *   routine) -> send on IF1 (AF_PACKET, virtio_net_hdr) -> wait ->
 *   what reached IF2 (AF_PACKET capture) -> what the applications got
 *   (UDP sockets, TCP listeners answering) -> counters after and
 *   kfree_skb reasons -> verdict against the RFC expectation.
 *
 * Sends only on IF1, only to IF2's addresses, at most --pps frames per
 * second; each case is one to three frames.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/cursor.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"
#include "probe.h"

/* struct virtio_net_hdr (linux/virtio_net.h), spelled out to keep the
 * field names of the spec: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset; little-endian on every host we run on
 * (virtio 1.0 legacy header as PACKET_VNET_HDR uses it). */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};
#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_TCPV4 1

#define MAX_UDP_SOCKS 8
#define MAX_RESULTS 4096

/* Everything open during a run. */
struct ctx {
	struct pd_probe_run *run;
	const struct pd_probe_opts *o;
	struct pd_probe_ends ends;
	int tx;                  /* AF_PACKET with PACKET_VNET_HDR on IF1 */
	int snd_cap;             /* AF_PACKET capture on IF1 (IPMI requests) */
	int rcv_cap;             /* AF_PACKET capture on IF2 */
	int udp[MAX_UDP_SOCKS];  /* receiver's UDP sockets */
	unsigned n_udp;
	int tcp[2];              /* receiver's TCP listeners (v4, v6) */
	int ipmi_req;            /* receiver's socket sending the IPMI request */
	uint16_t busy[6];        /* UDP ports another program holds on the receiver */
	unsigned n_busy;
	struct pd_probe_csrc cs;
	struct pd_probe_trace *trace;
	int64_t next_send_ns;
	uint32_t next_id;
	int ctl;                 /* control connection: to the listener (prober) or
				  * from the prober (listener); -1 in --pair */
	char ctl_buf[4096];      /* bytes read from it, not yet a whole line */
	size_t ctl_len;
	struct pd_probe_counters before;
	struct pd_probe_built built;
	uint8_t rxbuf[70000];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / 1000000000LL);
	ts.tv_nsec = (long)(ns % 1000000000LL);
	nanosleep(&ts, 0);
}

/* A UDP or TCP socket in @i's namespace bound to @addr:@port. */
static int bound_socket(const struct pd_probe_if *i, int family, int type, uint16_t port)
{
	int fd, one = 1;
	struct pd_netns_saved saved;
	struct sockaddr_storage ss;
	socklen_t sl;
	char nerr[160];

	if (pd_netns_enter_fd(i->nsfd, i->ns, &saved, nerr, sizeof(nerr)))
		return -1;
	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (pd_probe_ns_leave(&saved)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, i->addr4, 4);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		memcpy(&s->sin6_addr, i->addr6, 16);
		sl = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || (type == SOCK_STREAM && listen(fd, 64))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void drain(int fd, uint8_t *buf, size_t len)
{
	for (int k = 0; k < 10000 && fd >= 0; k++)
		if (recv(fd, buf, len, MSG_DONTWAIT) < 0)
			break;
}

static const uint8_t zero16[16];

static void init_fds(struct ctx *x)
{
	x->tx = x->snd_cap = x->rcv_cap = x->ipmi_req = x->ctl = -1;
	x->tcp[0] = x->tcp[1] = -1;
	x->cs.snmp = x->cs.snmp6 = x->cs.netstat = x->cs.ethfd = -1;
}

/* The sending half: the frame socket and a capture for IPMI requests. */
static int open_sender(struct ctx *x, char *err, size_t errlen)
{
	int rc = pd_probe_packet_socket(&x->run->snd, PD_PSOCK_SEND_VNET, err, errlen);

	if (rc < 0)
		return rc;
	x->tx = rc;
	rc = pd_probe_packet_socket(&x->run->snd, PD_PSOCK_CAPTURE, err, errlen);
	if (rc < 0)
		return rc;
	x->snd_cap = rc;
	return 0;
}

/* The receiving half: capture, sockets, counters, drop reasons.
 * @allow_busy: a UDP port held by another program skips its cases
 * (--pair); the listener cannot tell its prober, so it refuses instead. */
static int open_receiver(struct ctx *x, bool allow_busy, char *err, size_t errlen)
{
	struct pd_probe_run *run = x->run;
	static const uint16_t ports[] = {623, 67, 69};
	char why[200];
	int rc, bufsz = 4 << 20, one = 1;

	rc = pd_probe_packet_socket(&run->rcv, PD_PSOCK_CAPTURE, err, errlen);
	if (rc < 0)
		return rc;
	x->rcv_cap = rc;
	setsockopt(x->rcv_cap, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(x->rcv_cap, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	for (size_t k = 0; k < 3; k++) {
		for (int fam = 0; fam < 2; fam++) {
			int fd;

			if (fam == 0 ? !memcmp(run->rcv.addr4, zero16, 4)
				     : !memcmp(run->rcv.addr6, zero16, 16))
				continue;
			fd = bound_socket(&run->rcv, fam ? AF_INET6 : AF_INET, SOCK_DGRAM, ports[k]);
			if (fd < 0 && errno == EADDRINUSE && allow_busy && x->n_busy < 6) {
				/* a DHCP or TFTP server there: its cases are skipped */
				x->busy[x->n_busy++] = (uint16_t)(fam ? 0x8000u | ports[k] : ports[k]);
				continue;
			}
			if (fd < 0) {
				snprintf(err, errlen, "cannot bind UDP port %u on %s: %s (is a server "
					 "using it?)", ports[k], run->rcv.name, strerror(errno));
				return -PD_EOPEN;
			}
			x->udp[x->n_udp++] = fd;
		}
	}
	if (memcmp(run->rcv.addr4, zero16, 4)) {
		x->tcp[0] = bound_socket(&run->rcv, AF_INET, SOCK_STREAM, 3260);
		x->ipmi_req = bound_socket(&run->rcv, AF_INET, SOCK_DGRAM, 0);
		if (x->ipmi_req >= 0) {
			int dont = IP_PMTUDISC_DONT; /* DF clear, as a BMC console sends */

			setsockopt(x->ipmi_req, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
			x->udp[x->n_udp++] = x->ipmi_req;
		}
	}
	if (memcmp(run->rcv.addr6, zero16, 16))
		x->tcp[1] = bound_socket(&run->rcv, AF_INET6, SOCK_STREAM, 3260);
	if (pd_probe_counters_open(&x->cs, &run->rcv)) {
		snprintf(err, errlen, "cannot read /proc/net/snmp in the receiver's namespace");
		return -PD_EOPEN;
	}
	if (pd_probe_trace_open(&x->trace, why, sizeof(why)))
		snprintf(run->trace_note, sizeof(run->trace_note),
			 "kernel drop reasons not available: %s", why);
	return 0;
}

static void close_all(struct ctx *x)
{
	int *fds[] = {&x->tx, &x->snd_cap, &x->rcv_cap, &x->tcp[0], &x->tcp[1], &x->ctl};

	for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++)
		if (*fds[k] >= 0)
			close(*fds[k]);
	for (unsigned k = 0; k < x->n_udp; k++)
		close(x->udp[k]);
	x->n_udp = 0;
	pd_probe_counters_close(&x->cs);
	pd_probe_trace_close(x->trace);
	x->trace = 0;
}

/* Send one frame with its virtio_net_hdr, at most o->pps per second. */
static int send_frame(struct ctx *x, const uint8_t *f, uint32_t len, const struct vnet_hdr *vh,
		      char *err, size_t errlen)
{
	struct iovec iov[2] = {{(void *)vh, sizeof(*vh)}, {(void *)f, len}};
	struct msghdr mh;
	unsigned pps = x->o->pps ? x->o->pps : 200;
	int64_t t = now_ns();

	if (t < x->next_send_ns)
		sleep_ns(x->next_send_ns - t);
	x->next_send_ns = now_ns() + 1000000000LL / pps;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (sendmsg(x->tx, &mh, 0) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -PD_EIO;
	}
	return 0;
}

/* ---- the control connection: one text line per message ---- */

static int ctl_send(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ctl_send(int fd, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -PD_EUSAGE;
	line[n++] = '\n';
	return send(fd, line, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -PD_EIO;
}

/* One line (without the newline) within @timeout_ms.  Return 0 or -PD_EIO. */
static int ctl_recv(struct ctx *x, char *line, size_t len, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000LL;

	for (;;) {
		char *nl = memchr(x->ctl_buf, '\n', x->ctl_len);
		struct pollfd pfd = {x->ctl, POLLIN, 0};
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - x->ctl_buf);

			snprintf(line, len, "%.*s", (int)l, x->ctl_buf);
			memmove(x->ctl_buf, nl + 1, x->ctl_len - l - 1);
			x->ctl_len -= l + 1;
			return 0;
		}
		if (x->ctl_len == sizeof(x->ctl_buf))
			return -PD_EIO; /* a line longer than any message */
		left = (deadline - now_ns()) / 1000000;
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -PD_EIO;
		n = recv(x->ctl, x->ctl_buf + x->ctl_len, sizeof(x->ctl_buf) - x->ctl_len, 0);
		if (n <= 0)
			return -PD_EIO;
		x->ctl_len += (size_t)n;
	}
}

static const char *addr_or_dash(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!memcmp(a, zero16, family == AF_INET ? 4 : 16))
		return "-";
	inet_ntop(family, a, buf, (socklen_t)len);
	return buf;
}

static void parse_addr(int family, const char *s, uint8_t *out)
{
	memset(out, 0, family == AF_INET ? 4 : 16);
	if (strcmp(s, "-") != 0 && inet_pton(family, s, out) != 1)
		memset(out, 0, family == AF_INET ? 4 : 16);
}

/* ---- the receiving half, local (--pair, --listen) or remote (--to) ---- */

static const uint8_t ipmi_req_bytes[] = {
	0x06, 0x00, 0xff, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x09, 0x20, 0x18, 0xc8, 0x81, 0x00, 0x38, 0x8e, 0x04, 0xb5,
}; /* RMCP + IPMI 1.5 Get Channel Authentication Capabilities */

/* The receiver sends an IPMI request to the prober's port 623. */
static int ipmi_send_local(struct ctx *x, const uint8_t *to4)
{
	struct sockaddr_in to;

	if (x->ipmi_req < 0 || !memcmp(to4, zero16, 4))
		return -PD_EUNSUPPORTED;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(623);
	memcpy(&to.sin_addr, to4, 4);
	return sendto(x->ipmi_req, ipmi_req_bytes, sizeof(ipmi_req_bytes), 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -PD_EIO : 0;
}

/* The IPMI form: ask the receiver to send a request to IF1's port 623
 * and read its IP ID and source port from IF1's capture. */
static int ipmi_request(struct ctx *x, uint16_t *ip_id, uint16_t *dport)
{
	int64_t deadline;

	if (!memcmp(x->run->snd.addr4, zero16, 4))
		return -PD_EUNSUPPORTED;
	drain(x->snd_cap, x->rxbuf, sizeof(x->rxbuf));
	if (x->ctl >= 0) {
		char line[64];

		if (ctl_send(x->ctl, "IPMI") || ctl_recv(x, line, sizeof(line), 5000) ||
		    strcmp(line, "SENT"))
			return -PD_EIO;
	} else if (ipmi_send_local(x, x->run->snd.addr4)) {
		return -PD_EIO;
	}
	deadline = now_ns() + 500000000LL;
	while (now_ns() < deadline) {
		struct pollfd pfd = {x->snd_cap, POLLIN, 0};
		static struct pd_packet p;
		ssize_t n;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recv(x->snd_cap, x->rxbuf, sizeof(x->rxbuf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		memset(&p, 0, sizeof(p));
		p.caplen = p.wirelen = (uint32_t)n;
		p.linktype = PD_LINKTYPE_EN10MB;
		pd_dissect_frame(&p, x->rxbuf);
		if ((p.layers & PD_L_UDP) && p.udp.dport == 623 && p.ip.version == 4 &&
		    !memcmp(p.ip.src.a, x->run->rcv.addr4, 4)) {
			*ip_id = p.ip.ip_id;
			*dport = p.udp.sport;
			return 0;
		}
	}
	return -PD_EIO;
}

/* Does a received frame belong to this probe?  Fragments by IP ID. */
static bool is_ours(const struct pd_packet *p, const struct pd_probe_case *c,
		    const struct pd_probe_built *b, uint16_t dport, const struct ctx *x)
{
	const uint8_t *src = c->family == 4 ? x->ends.src4 : x->ends.src6;

	if (p->ip.version != c->family || memcmp(p->ip.src.a, src, c->family == 4 ? 4 : 16))
		return false;
	if (p->ip.is_fragment) /* IPv6: the source is the prober's, one case at a time */
		return c->family == 6 || p->ip.ip_id == b->ip_id;
	if (c->proto == 17)
		return (p->layers & PD_L_UDP) && p->udp.sport == b->sport && p->udp.dport == dport;
	/* the probe's own segment (sequence number = probe id), not the
	 * sender stack's RST to the receiver's SYN-ACK */
	if (!(p->layers & PD_L_TCP) || p->tcp.sport != b->sport || p->tcp.dport != dport)
		return false;
	/* segments of a GSO super-frame carry sequence numbers inside it */
	return p->tcp.seq - b->seq < (b->gso_size ? b->l4_len : 1u);
}

/* Trailer bytes after the IP datagram that are not what was sent. */
static bool pad_leaked(const struct pd_probe_case *c, const struct pd_packet *p,
		       const uint8_t *f, size_t len)
{
	struct pd_cursor cur;
	size_t end = 14u + (p->eth.vlan_count ? 4u : 0u) + p->ip.total_len;
	uint8_t sent = c->pad == PD_PAD_NONZERO ? 0xa5 : 0x00;

	if (end >= len)
		return false;
	pd_cur_init(&cur, f, len, len);
	pd_cur_skip(&cur, end);
	while (pd_cur_remaining(&cur))
		if (pd_cur_u8(&cur) != sent)
			return true;
	return false;
}

/* Watch the receiver for @wait_ns: its capture and its sockets. */
static void observe(struct ctx *x, const struct pd_probe_case *c, const struct pd_probe_built *b,
		    uint16_t dport, struct pd_probe_result *r, int64_t wait_ns)
{
	int64_t deadline = now_ns() + wait_ns;
	static struct pd_packet p;

	while (now_ns() < deadline) {
		struct pollfd pfd[MAX_UDP_SOCKS + 1];
		unsigned np = 0;
		int64_t left = (deadline - now_ns()) / 1000000;

		pfd[np++] = (struct pollfd){x->rcv_cap, POLLIN, 0};
		for (unsigned k = 0; k < x->n_udp; k++)
			pfd[np++] = (struct pollfd){x->udp[k], POLLIN, 0};
		if (poll(pfd, np, (int)(left > 0 ? left : 1)) <= 0)
			continue;
		/* the capture: what reached IF2, and what IF2's stack answered */
		for (int k = 0; k < 256; k++) {
			struct sockaddr_ll from;
			struct iovec iov = {x->rxbuf, sizeof(x->rxbuf)};
			union {
				struct cmsghdr h;
				char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
			} cb;
			struct msghdr mh;
			struct cmsghdr *cm;
			uint32_t status = 0, epb;
			ssize_t n;
			size_t got;

			memset(&mh, 0, sizeof(mh));
			mh.msg_name = &from;
			mh.msg_namelen = sizeof(from);
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = &cb;
			mh.msg_controllen = sizeof(cb);
			n = recvmsg(x->rcv_cap, &mh, MSG_DONTWAIT | MSG_TRUNC);
			if (n < 0)
				break;
			/* the kernel's word on the checksum (PACKET_AUXDATA tp_status) */
			for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
				struct tpacket_auxdata aux;

				if (cm->cmsg_level != SOL_PACKET || cm->cmsg_type != PACKET_AUXDATA ||
				    cm->cmsg_len < CMSG_LEN(sizeof(aux)))
					continue;
				memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
				status = aux.tp_status;
			}
			got = (size_t)n < sizeof(x->rxbuf) ? (size_t)n : sizeof(x->rxbuf);
			memset(&p, 0, sizeof(p));
			p.caplen = (uint32_t)got;
			p.wirelen = (uint32_t)n;
			p.linktype = PD_LINKTYPE_EN10MB;
			pd_dissect_frame(&p, x->rxbuf);
			epb = (from.sll_pkttype == PACKET_OUTGOING ? PD_EPB_DIR_OUT : PD_EPB_DIR_IN) |
			      (status & TP_STATUS_CSUM_VALID ? PD_EPB_CSUM_VALID : 0) |
			      (status & TP_STATUS_CSUMNOTREADY ? PD_EPB_CSUM_NOT_READY : 0);
			if (x->o && x->o->on_frame) {
				char note[96];
				bool mine = from.sll_pkttype != PACKET_OUTGOING &&
					    is_ours(&p, c, b, dport, x);

				snprintf(note, sizeof(note), "%s probe %u", c->name, b->seq);
				x->o->on_frame(x->o->frame_arg, 0, x->rxbuf, (uint32_t)got, (uint32_t)n,
					       epb, mine ? note : 0);
			}
			if (from.sll_pkttype == PACKET_OUTGOING) {
				/* a TCP answer (SYN-ACK or RST): the stack took the SYN */
				if (c->proto == 6 && (p.layers & PD_L_TCP) && p.tcp.dport == b->sport &&
				    p.tcp.sport == dport && (p.tcp.flags & 0x06))
					r->delivered = true;
				continue;
			}
			if (!is_ours(&p, c, b, dport, x))
				continue;
			r->on_wire++;
			r->rx_status |= epb & (PD_EPB_CSUM_VALID | PD_EPB_CSUM_NOT_READY);
			if (r->n_wire_len < PD_PROBE_MAX_WIRE_LEN)
				r->wire_len[r->n_wire_len++] = (uint32_t)n;
			if (!p.ip.is_fragment)
				r->csum_wire = c->proto == 17 ? p.udp.csum.is : p.tcp.csum.is;
			if (pad_leaked(c, &p, x->rxbuf, got))
				r->pad_nonzero = true;
		}
		/* the applications: a datagram from the probe's source port */
		for (unsigned k = 0; k < x->n_udp; k++) {
			for (int m = 0; m < 64; m++) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				uint16_t port;

				if (recvfrom(x->udp[k], x->rxbuf, sizeof(x->rxbuf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &fl) < 0)
					break;
				port = from.ss_family == AF_INET
					       ? ntohs(((struct sockaddr_in *)&from)->sin_port)
					       : ntohs(((struct sockaddr_in6 *)&from)->sin6_port);
				if (c->proto == 17 && port == b->sport)
					r->delivered = true;
			}
		}
	}
}

/* Quiet before a case: drain what earlier cases left, read counters. */
static void rx_begin_local(struct ctx *x)
{
	char junk[256];

	drain(x->rcv_cap, x->rxbuf, sizeof(x->rxbuf));
	for (unsigned k = 0; k < x->n_udp; k++)
		drain(x->udp[k], x->rxbuf, sizeof(x->rxbuf));
	pd_probe_trace_collect(x->trace, junk, sizeof(junk));
	pd_probe_counters_read(&x->cs, &x->before);
}

/* After the frames: watch, then counters and drop reasons. */
static void rx_end_local(struct ctx *x, const struct pd_probe_case *c,
			 const struct pd_probe_built *b, uint16_t dport, struct pd_probe_result *r,
			 unsigned wait_ms)
{
	struct pd_probe_counters after;

	observe(x, c, b, dport, r, (int64_t)wait_ms * 1000000LL);
	pd_probe_counters_read(&x->cs, &after);
	pd_probe_counters_delta(&x->before, &after, r->counters, sizeof(r->counters));
	pd_probe_trace_collect(x->trace, r->reason, sizeof(r->reason));
}

static int rx_begin(struct ctx *x, size_t idx, const struct pd_probe_built *b, uint16_t dport)
{
	size_t n;
	char line[64];

	if (x->ctl < 0) {
		rx_begin_local(x);
		return 0;
	}
	if (ctl_send(x->ctl, "CASE %zu %s %u %u %u %u %u %u", idx, pd_probe_suite(&n)[idx].name,
		     b->sport, dport, b->ip_id, b->seq, b->gso_size, b->l4_len) ||
	    ctl_recv(x, line, sizeof(line), 10000) || strcmp(line, "READY"))
		return -PD_EIO;
	return 0;
}

/* RESULT on_wire delivered pad csum_wire len,len,...|counters|reason */
static int rx_end(struct ctx *x, const struct pd_probe_case *c, const struct pd_probe_built *b,
		  uint16_t dport, struct pd_probe_result *r, unsigned wait_ms)
{
	char line[1024], lens[200], *bar1, *bar2, *save = 0, *tok;
	unsigned dl, pad, cw;

	if (x->ctl < 0) {
		rx_end_local(x, c, b, dport, r, wait_ms);
		return 0;
	}
	if (ctl_send(x->ctl, "DONE %u", wait_ms) ||
	    ctl_recv(x, line, sizeof(line), (int)wait_ms + 10000))
		return -PD_EIO;
	bar1 = strchr(line, '|');
	bar2 = bar1 ? strchr(bar1 + 1, '|') : 0;
	if (!bar2 || sscanf(line, "RESULT %u %u %u %u %u %199s", &r->on_wire, &dl, &pad, &cw,
			    &r->rx_status, lens) != 6)
		return -PD_EIO;
	*bar1 = *bar2 = 0;
	{
		char *cut = strchr(lens, '|');

		if (cut)
			*cut = 0;
	}
	r->delivered = dl != 0;
	r->pad_nonzero = pad != 0;
	r->csum_wire = (uint16_t)cw;
	snprintf(r->counters, sizeof(r->counters), "%s", bar1 + 1);
	snprintf(r->reason, sizeof(r->reason), "%s", bar2 + 1);
	r->n_wire_len = 0;
	for (tok = strtok_r(lens, ",|", &save); tok && r->n_wire_len < PD_PROBE_MAX_WIRE_LEN;
	     tok = strtok_r(0, ",|", &save))
		if (strcmp(tok, "-"))
			r->wire_len[r->n_wire_len++] = (uint32_t)strtoul(tok, 0, 10);
	return 0;
}

/* Offloads: rx-csum and GRO belong to the receiver, possibly remote. */
static int off_get(struct ctx *x, int o)
{
	char line[64];
	int v;

	if (o >= PD_OFF_TX_CSUM)
		return pd_offload_get(&x->run->snd, o);
	if (x->ctl < 0)
		return pd_offload_get(&x->run->rcv, o);
	if (ctl_send(x->ctl, "GET %d", o) || ctl_recv(x, line, sizeof(line), 10000) ||
	    sscanf(line, "ACTIVE %d", &v) != 1)
		return -PD_EIO;
	return v;
}

static int off_set(struct ctx *x, int o, bool on)
{
	char line[64];
	int v;

	if (o >= PD_OFF_TX_CSUM)
		return pd_offload_set(&x->run->snd, o, on);
	if (x->ctl < 0)
		return pd_offload_set(&x->run->rcv, o, on);
	if (ctl_send(x->ctl, "SET %d %d", o, on ? 1 : 0) ||
	    ctl_recv(x, line, sizeof(line), 10000) || sscanf(line, "ACTIVE %d", &v) != 1)
		return -PD_EIO;
	return v;
}

static void flow_text(const struct ctx *x, const struct pd_probe_case *c, uint16_t sport,
		      uint16_t dport, char *buf, size_t len)
{
	char a[64], b[64];

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->family == 4 ? x->ends.src4 : x->ends.src6,
		  a, sizeof(a));
	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->family == 4 ? x->ends.dst4 : x->ends.dst6,
		  b, sizeof(b));
	snprintf(buf, len, "%s %s%s%s:%u -> %s%s%s:%u", c->proto == 17 ? "UDP" : "TCP",
		 c->family == 6 ? "[" : "", a, c->family == 6 ? "]" : "", sport,
		 c->family == 6 ? "[" : "", b, c->family == 6 ? "]" : "", dport);
}

static void add_finding(struct ctx *x, const char *id, int sev, const struct pd_probe_case *c,
			const struct pd_probe_result *r, uint16_t dport, const char *msg,
			const char *advice)
{
	struct pd_finding f;
	char flow[160];

	pd_finding_init(&f, id, sev);
	flow_text(x, c, r->sport, dport, flow, sizeof(flow));
	pd_finding_flow(&f, "%s", flow);
	pd_finding_message(&f, "%s: %s", c->name, msg);
	pd_finding_advice(&f, "%s", advice);
	pd_finding_ev_str(&f, "case", "%s", c->name);
	pd_finding_ev_str(&f, "expect", "%s", pd_probe_expect_name(c->expect));
	if (r->setting[0])
		pd_finding_ev_str(&f, "setting", "%s", r->setting);
	pd_finding_ev_u64(&f, "sent", r->sent);
	pd_finding_ev_u64(&f, "on_wire", r->on_wire);
	pd_finding_ev_bool(&f, "delivered", r->delivered);
	pd_finding_ev_str(&f, "counters", "%s", r->counters[0] ? r->counters : "none moved");
	pd_finding_ev_str(&f, "drop_reason", "%s", r->reason[0] ? r->reason : "unknown");
	pd_finding_ev_hex16(&f, "csum_sent", r->csum_sent);
	pd_finding_ev_u64(&f, "probe_id", r->probe_id);
	if (pd_findings_push(&x->run->findings, &f))
		fprintf(stderr, "pktdoctor: out of memory for findings\n");
}

/* The verdict, against the RFC expectation, and the findings. */
static void judge(struct ctx *x, const struct pd_probe_case *c, struct pd_probe_result *r,
		  uint16_t dport)
{
	bool virt = x->run->snd.is_virtual || x->run->rcv.is_virtual;
	char msg[320];

	snprintf(r->verdict, sizeof(r->verdict), "ok");
	if (r->pad_nonzero) {
		snprintf(msg, sizeof(msg), "the frame arrived with pad bytes that were not sent "
			 "(non-zero or stale padding below 60 bytes)");
		add_finding(x, "probe.padding_leak", PD_SEV_WARNING, c, r, dport, msg,
			    "a driver padding short frames from an uncleared buffer leaks memory "
			    "onto the wire; check the sender's driver and firmware");
	}
	if (c->flags & PD_PF_GSO) {
		uint32_t max_seg = 0;
		unsigned hdrs = 14 + 20 + 20;

		for (unsigned k = 0; k < r->n_wire_len; k++)
			if (r->wire_len[k] > hdrs && r->wire_len[k] - hdrs > max_seg)
				max_seg = r->wire_len[k] - hdrs;
		snprintf(r->note, sizeof(r->note), "gso_size %u: %u frame%s on the wire, largest "
			 "payload %u bytes", x->built.gso_size, r->on_wire, r->on_wire == 1 ? "" : "s",
			 max_seg);
		if (r->send_err[0]) {
			snprintf(r->verdict, sizeof(r->verdict), "note");
		} else if (max_seg > x->built.gso_size) {
			if (virt) {
				snprintf(r->verdict, sizeof(r->verdict), "note");
				snprintf(r->note + strlen(r->note), sizeof(r->note) - strlen(r->note),
					 "; a virtual device passed the super-frame whole (the "
					 "kernel segments only where a path needs it): not a NIC fault");
			} else {
				snprintf(r->verdict, sizeof(r->verdict), "FAULT");
				snprintf(msg, sizeof(msg), "segments of %u bytes of payload on the wire, "
					 "above the gso_size %u asked for", max_seg, x->built.gso_size);
				add_finding(x, "probe.gso_exceeds_mss", PD_SEV_ERROR, c, r, dport, msg,
					    "turn TSO off on the sender (ethtool -K IFACE tso off) and "
					    "update the NIC driver/firmware");
			}
		}
		return;
	}
	switch (c->expect) {
	case PD_EXPECT_DELIVER:
		if (r->delivered)
			return;
		snprintf(r->verdict, sizeof(r->verdict), "FAULT");
		snprintf(msg, sizeof(msg), "a valid frame was not delivered (%s; %s%s%s)",
			 r->send_err[0] ? "the sender's kernel refused it"
			 : r->on_wire ? "it reached the receiving interface"
				      : "it never reached the receiving interface",
			 r->reason[0] ? "kernel drop reason " : "counters: ",
			 r->reason[0] ? r->reason : r->counters[0] ? r->counters : "none moved",
			 virt ? "; virtual device" : "");
		add_finding(x, "probe.valid_dropped", PD_SEV_ERROR, c, r, dport, msg,
			    "compare with the receiver's rx checksum offload off (ethtool -K IFACE "
			    "rx off); on Windows, PktMon gives the drop reason");
		return;
	case PD_EXPECT_DROP:
		if (!r->delivered)
			return;
		snprintf(r->verdict, sizeof(r->verdict), "FAULT");
		snprintf(msg, sizeof(msg), "an invalid frame was delivered to the application");
		add_finding(x, "probe.invalid_delivered", PD_SEV_WARNING, c, r, dport, msg,
			    "the receiver's checksum offload or driver marks bad frames good; "
			    "compare with rx checksumming off");
		return;
	default:
		snprintf(r->verdict, sizeof(r->verdict), "note");
		snprintf(r->note, sizeof(r->note), "%s%s", r->delivered ? "delivered" : "not delivered",
			 r->send_err[0] ? " (the sender's kernel refused it)" : "");
	}
}

static struct pd_probe_result *new_result(struct pd_probe_run *run)
{
	if (run->n >= MAX_RESULTS)
		return 0;
	if (pd_vec_reserve(&run->r, &run->cap, run->n, sizeof(*run->r), MAX_RESULTS))
		return 0;
	memset(&run->r[run->n], 0, sizeof(run->r[0]));
	return &run->r[run->n++];
}

/* Why a case cannot run here, or NULL. */
static const char *skip_reason(const struct ctx *x, const struct pd_probe_case *c, char *buf,
			       size_t len)
{
	const struct pd_probe_run *run = x->run;

	if (c->family == 4 && (!memcmp(run->rcv.addr4, zero16, 4) ||
			       !memcmp(run->snd.addr4, zero16, 4))) {
		snprintf(buf, len, "no IPv4 address on both interfaces");
		return buf;
	}
	if (c->family == 6 && (!memcmp(run->rcv.addr6, zero16, 16) ||
			       !memcmp(run->snd.addr6, zero16, 16))) {
		snprintf(buf, len, "no global or ULA IPv6 address on both interfaces");
		return buf;
	}
	for (unsigned k = 0; k < x->n_busy; k++)
		if (c->proto == 17 && (x->busy[k] & 0x7fffu) == c->dport &&
		    ((x->busy[k] & 0x8000u) != 0) == (c->family == 6)) {
			snprintf(buf, len, "UDP port %u is in use by another program on the receiver",
				 c->dport);
			return buf;
		}
	if ((c->flags & (PD_PF_VLAN0 | PD_PF_VLANCFG)) && !run->rcv.has_8021q) {
		snprintf(buf, len, "the receiver's kernel has no 802.1Q support (no /proc/net/vlan): "
			 "a tagged frame cannot be delivered there");
		return buf;
	}
	if ((c->flags & PD_PF_VLANCFG) && !x->ends.vlan_id) {
		snprintf(buf, len, "no VLAN configured on the receiver");
		return buf;
	}
	return 0;
}

static int run_case(struct ctx *x, size_t idx, const char *setting, unsigned round)
{
	size_t n;
	const struct pd_probe_case *c = &pd_probe_suite(&n)[idx];
	struct pd_probe_result *r = new_result(x->run);
	struct vnet_hdr vh;
	uint16_t sport = pd_probe_case_sport(idx), dport = c->dport, ip_id;
	char err[200], skip[200];
	int rc;

	if (!r)
		return -PD_ELIMIT;
	r->case_index = idx;
	snprintf(r->setting, sizeof(r->setting), "%s", setting);
	r->probe_id = ++x->next_id | (uint32_t)round << 16;
	ip_id = (uint16_t)(0x5000u + (r->probe_id & 0x0fffu) + (round << 12));
	if (skip_reason(x, c, skip, sizeof(skip))) {
		r->skipped = true;
		snprintf(r->skip_why, sizeof(r->skip_why), "%s", skip);
		snprintf(r->verdict, sizeof(r->verdict), "skip");
		return 0;
	}
	if ((c->flags & PD_PF_IPMI) && ipmi_request(x, &ip_id, &dport) == 0) {
		sport = 623;
	} else if (c->flags & PD_PF_IPMI) {
		r->skipped = true;
		snprintf(r->skip_why, sizeof(r->skip_why), "the receiver's IPMI request was not "
			 "seen on the sending interface");
		snprintf(r->verdict, sizeof(r->verdict), "skip");
		return 0;
	}
	r->sport = sport;
	rc = pd_probe_build(c, &x->ends, r->probe_id, sport, ip_id, &x->built, err, sizeof(err));
	if (!rc)
		rc = pd_probe_verify(c, &x->built, err, sizeof(err));
	if (rc) {
		r->skipped = true;
		snprintf(r->skip_why, sizeof(r->skip_why), "not sent: %s", err);
		snprintf(r->verdict, sizeof(r->verdict), "skip");
		return 0;
	}
	/* the built IPMI reply goes to the request's port */
	if (c->flags & PD_PF_IPMI) {
		struct pd_probe_case cc = *c;

		cc.dport = dport;
		rc = pd_probe_build(&cc, &x->ends, r->probe_id, sport, ip_id, &x->built, err,
				    sizeof(err));
		if (rc || pd_probe_verify(&cc, &x->built, err, sizeof(err))) {
			r->skipped = true;
			snprintf(r->skip_why, sizeof(r->skip_why), "not sent: %s", err);
			snprintf(r->verdict, sizeof(r->verdict), "skip");
			return 0;
		}
	}
	r->csum_sent = x->built.l4_csum;
	/* the sender's capture is read only for IPMI requests: keep it from
	 * filling up (a full socket buffer is a SOCKET_RCVBUFF drop) */
	drain(x->snd_cap, x->rxbuf, sizeof(x->rxbuf));
	if (rx_begin(x, idx, &x->built, dport))
		return -PD_EIO;

	memset(&vh, 0, sizeof(vh));
	if (c->flags & PD_PF_GSO) {
		vh.flags = VNET_F_NEEDS_CSUM;
		vh.gso_type = VNET_GSO_TCPV4;
		vh.gso_size = (uint16_t)x->built.gso_size;
		vh.hdr_len = 14 + 20 + 20;
		vh.csum_start = 14 + 20;
		vh.csum_offset = 16;
	}
	for (unsigned k = 0; k < x->built.n; k++) {
		if (send_frame(x, x->built.frame[k], x->built.len[k], &vh, r->send_err,
			       sizeof(r->send_err)))
			break;
		r->sent++;
		if (x->o->on_frame) {
			char note[96];

			snprintf(note, sizeof(note), "%s probe %u%s", c->name, r->probe_id,
				 (c->flags & PD_PF_GSO) ? " (GSO request, as handed to the kernel)" : "");
			x->o->on_frame(x->o->frame_arg, 1, x->built.frame[k], x->built.len[k],
				       x->built.len[k], PD_EPB_DIR_OUT, note);
		}
	}
	if (rx_end(x, c, &x->built, dport, r, x->o->wait_ms ? x->o->wait_ms : 150))
		return -PD_EIO;
	/* the tracepoint is machine-wide: a reason explains a frame that was
	 * not delivered; for a delivered one it is someone else's drop (the
	 * sender's stack resetting a SYN-ACK, another namespace) */
	if (r->delivered && !(c->flags & PD_PF_GSO))
		r->reason[0] = 0;
	judge(x, c, r, dport);
	return 0;
}

static void setting_text(struct ctx *x, char *buf, size_t len)
{
	int v[PD_OFF__COUNT];

	for (int o = 0; o < PD_OFF__COUNT; o++)
		v[o] = off_get(x, o);
	snprintf(buf, len, "rx-csum=%s gro=%s tx-csum=%s tso=%s",
		 v[0] == 1 ? "on" : v[0] == 0 ? "off" : "?", v[1] == 1 ? "on" : v[1] == 0 ? "off" : "?",
		 v[2] == 1 ? "on" : v[2] == 0 ? "off" : "?", v[3] == 1 ? "on" : v[3] == 0 ? "off" : "?");
}

static int run_round(struct ctx *x, unsigned round)
{
	size_t n;
	const struct pd_probe_case *suite = pd_probe_suite(&n);
	char setting[64];
	int rc;

	setting_text(x, setting, sizeof(setting));
	for (size_t k = 0; k < n; k++) {
		if (x->o->stop && *x->o->stop) {
			x->run->interrupted = true; /* what ran is reported */
			return 0;
		}
		if (x->o->only && !strstr(suite[k].name, x->o->only))
			continue;
		rc = run_case(x, k, setting, round);
		if (rc)
			return rc;
	}
	return 0;
}

/* The matrix: receiver rx-csum x GRO, sender tx-csum x TSO.  Settings
 * are read first and restored on every exit path. */
static int run_matrix(struct ctx *x)
{
	struct pd_probe_run *run = x->run;
	const struct pd_probe_if *dev[PD_OFF__COUNT] = {&run->rcv, &run->rcv, &run->snd, &run->snd};
	int orig[PD_OFF__COUNT], rc = 0;
	unsigned round = 0;
	size_t used = 0;

	for (int o = 0; o < PD_OFF__COUNT; o++)
		orig[o] = off_get(x, o);
	for (unsigned m = 0; m < 16 && !rc && !run->interrupted; m++) {
		bool want[PD_OFF__COUNT];
		int got[PD_OFF__COUNT];
		bool impossible = false;

		for (int o = 0; o < PD_OFF__COUNT; o++) {
			want[o] = !((m >> (3 - o)) & 1);
			got[o] = orig[o] < 0 ? orig[o] : off_set(x, o, want[o]);
			if (got[o] == -PD_EPERM) {
				rc = -PD_EPERM;
				break;
			}
		}
		if (rc)
			break;
		for (int o = 0; o < PD_OFF__COUNT; o++)
			if (got[o] >= 0 && got[o] != want[o])
				impossible = true;
		if (impossible) {
			int w = snprintf(run->settings_note + used, sizeof(run->settings_note) - used,
					 "%srx-csum=%s gro=%s tx-csum=%s tso=%s cannot exist (active: "
					 "%s %s %s %s): skipped",
					 used ? "; " : "", want[0] ? "on" : "off", want[1] ? "on" : "off",
					 want[2] ? "on" : "off", want[3] ? "on" : "off",
					 got[0] ? "on" : "off", got[1] ? "on" : "off",
					 got[2] ? "on" : "off", got[3] ? "on" : "off");

			if (w > 0 && (size_t)w < sizeof(run->settings_note) - used)
				used += (size_t)w;
			continue;
		}
		rc = run_round(x, ++round);
	}
	/* restore, in the order that lets TSO come back after tx-csum */
	for (int o = 0; o < PD_OFF__COUNT; o++)
		if (orig[o] >= 0)
			off_set(x, o, orig[o] == 1);
	for (int o = 0; o < PD_OFF__COUNT; o++) {
		int now = orig[o] >= 0 ? off_get(x, o) : orig[o];

		if (now != orig[o])
			fprintf(stderr, "pktdoctor: WARNING: %s on %s is %d, was %d before the probe\n",
				pd_offload_name(o), dev[o]->name, now, orig[o]);
	}
	return rc;
}

int pd_probe_pair(struct pd_probe_run *run, const struct pd_probe_opts *o, char *err,
		  size_t errlen)
{
	static struct ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	init_fds(&x);
	x.run = run;
	x.o = o;
	rc = pd_probe_check_caps(o->toggle, err, errlen);
	if (rc)
		return rc;
	rc = pd_probe_if_open(&run->snd, err, errlen);
	if (!rc)
		rc = pd_probe_if_open(&run->rcv, err, errlen);
	if (rc)
		return rc;
	if (run->snd.ifindex == run->rcv.ifindex && !strcmp(run->snd.ns, run->rcv.ns)) {
		snprintf(err, errlen, "the two ends are the same interface");
		return -PD_EUSAGE;
	}
	memcpy(x.ends.src_mac, run->snd.mac, 6);
	memcpy(x.ends.dst_mac, run->rcv.mac, 6);
	memcpy(x.ends.src4, run->snd.addr4, 4);
	memcpy(x.ends.dst4, run->rcv.addr4, 4);
	memcpy(x.ends.src6, run->snd.addr6, 16);
	memcpy(x.ends.dst6, run->rcv.addr6, 16);
	x.ends.mtu = run->snd.mtu;
	x.ends.vlan_id = o->vlan_id;
	x.ends.peer_mss = run->rcv.mtu > 40 ? (uint16_t)(run->rcv.mtu - 40) : 0;
	if (!(x.ends.dst_mac[0] | x.ends.dst_mac[1] | x.ends.dst_mac[2]) || (x.ends.dst_mac[0] & 1)) {
		snprintf(err, errlen, "%s has no unicast MAC address", run->rcv.name);
		return -PD_EUSAGE;
	}
	rc = open_sender(&x, err, errlen);
	if (!rc)
		rc = open_receiver(&x, true, err, errlen);
	if (rc)
		goto out;
	/* the sockets are open: keep CAP_NET_ADMIN alone for --toggle */
	rc = pd_probe_drop_privileges(o->toggle, false, err, errlen);
	if (rc)
		goto out;
	rc = o->toggle ? run_matrix(&x) : run_round(&x, 0);
	if (o->toggle)
		pd_probe_drop_privileges(false, false, err, errlen);
	if (rc == -PD_EPERM)
		snprintf(err, errlen, "changing offload settings was refused (CAP_NET_ADMIN)");
out:
	close_all(&x);
	return rc;
}

void pd_probe_run_free(struct pd_probe_run *run)
{
	free(run->r);
	run->r = 0;
	run->n = run->cap = 0;
	pd_findings_free(&run->findings);
	pd_probe_if_close(&run->snd);
	pd_probe_if_close(&run->rcv);
}

/* ---- probe --listen and probe --to: the two ends on two hosts ---- */

#define PD_PROBE_PORT 6230

/* "a.b.c.d[:port]" -> sockaddr_in.  Return 0 or -PD_EUSAGE. */
static int parse_hostport(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strchr(s, ':');
	unsigned long port = PD_PROBE_PORT;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if ((colon ? (size_t)(colon - s) : strlen(s)) >= sizeof(host))
		return -PD_EUSAGE;
	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	if (colon) {
		char *end;

		port = strtoul(colon + 1, &end, 10);
		if (*end || !port || port > 65535)
			return -PD_EUSAGE;
	}
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -PD_EUSAGE;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* A TCP socket in @i's namespace. */
static int tcp_socket_in(const struct pd_probe_if *i)
{
	struct pd_netns_saved saved;
	char nerr[160];
	int fd;

	if (pd_netns_enter_fd(i->nsfd, i->ns, &saved, nerr, sizeof(nerr)))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pd_probe_ns_leave(&saved)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Constant-time comparison of two tokens. */
static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned diff = la != lb;

	for (size_t k = 0; k < la && k < lb; k++)
		diff |= (unsigned)(a[k] ^ b[k]);
	return diff == 0;
}

/* Serve one prober's requests until BYE or an error. */
static void serve(struct ctx *x, const struct pd_listen_opts *lo, int *orig, bool *changed)
{
	static struct pd_probe_built b;
	const struct pd_probe_case *c = 0;
	uint16_t dport = 0;
	char line[512];
	size_t n;
	const struct pd_probe_case *suite = pd_probe_suite(&n);

	while (!(lo->stop && *lo->stop) && ctl_recv(x, line, sizeof(line), 120000) == 0) {
		char name[64];
		unsigned long idx;
		unsigned sp, dp, ipid, seq, gso, l4, wait;
		int o, v;

		if (sscanf(line, "CASE %lu %63s %u %u %u %u %u %u", &idx, name, &sp, &dp, &ipid, &seq,
			   &gso, &l4) == 8) {
			if (idx >= n || strcmp(suite[idx].name, name)) {
				ctl_send(x->ctl, "ERR unknown case %s (another pktdoctor version?)",
					 name);
				continue;
			}
			c = &suite[idx];
			memset(&b, 0, sizeof(b));
			b.sport = (uint16_t)sp;
			b.ip_id = (uint16_t)ipid;
			b.seq = seq;
			b.gso_size = gso;
			b.l4_len = l4;
			dport = (uint16_t)dp;
			rx_begin_local(x);
			ctl_send(x->ctl, "READY");
		} else if (sscanf(line, "DONE %u", &wait) == 1 && c) {
			static struct pd_probe_result r;
			char lens[200];
			size_t used = 0;

			memset(&r, 0, sizeof(r));
			rx_end_local(x, c, &b, dport, &r, wait > 10000 ? 10000 : wait);
			lens[0] = 0;
			for (unsigned k = 0; k < r.n_wire_len && used < sizeof(lens); k++)
				used += (size_t)snprintf(lens + used, sizeof(lens) - used, "%s%u",
							 k ? "," : "", r.wire_len[k]);
			ctl_send(x->ctl, "RESULT %u %d %d %u %u %s|%s|%s", r.on_wire, r.delivered,
				 r.pad_nonzero, r.csum_wire, r.rx_status, used ? lens : "-", r.counters,
				 r.reason);
			c = 0;
		} else if (!strcmp(line, "IPMI")) {
			ctl_send(x->ctl, "%s",
				 ipmi_send_local(x, x->ends.src4) ? "ERR no IPv4 request possible"
								   : "SENT");
		} else if (sscanf(line, "GET %d", &o) == 1 && o >= 0 && o < PD_OFF_TX_CSUM) {
			ctl_send(x->ctl, "ACTIVE %d", pd_offload_get(&x->run->rcv, o));
		} else if (sscanf(line, "SET %d %d", &o, &v) == 2 && o >= 0 && o < PD_OFF_TX_CSUM) {
			if (!lo->allow_toggle) {
				ctl_send(x->ctl, "ACTIVE %d", -PD_EPERM);
				continue;
			}
			if (!changed[o])
				orig[o] = pd_offload_get(&x->run->rcv, o);
			changed[o] = true;
			ctl_send(x->ctl, "ACTIVE %d", pd_offload_set(&x->run->rcv, o, v != 0));
		} else if (!strcmp(line, "BYE")) {
			break;
		} else {
			ctl_send(x->ctl, "ERR what is '%.40s'?", line);
		}
	}
}

int pd_probe_listen(const struct pd_listen_opts *lo, char *err, size_t errlen)
{
	static struct ctx x;
	static struct pd_probe_run run;
	struct sockaddr_in sa;
	char token[33], a4[64], a6[64], hello[256];
	uint8_t rnd[16];
	int lfd = -1, rc, one = 1, orig[PD_OFF__COUNT] = {0};
	bool changed[PD_OFF__COUNT] = {false};
	int64_t deadline;
	unsigned refused = 0;

	memset(&x, 0, sizeof(x));
	memset(&run, 0, sizeof(run));
	init_fds(&x);
	x.run = &run;
	if (pd_probe_if_parse(&run.rcv, lo->iface)) {
		snprintf(err, errlen, "'%s' is not [NS:]IFACE", lo->iface);
		return -PD_EUSAGE;
	}
	rc = pd_probe_check_caps(lo->allow_toggle, err, errlen);
	if (!rc)
		rc = pd_probe_if_open(&run.rcv, err, errlen);
	if (rc)
		goto out;
	if (lo->bind) {
		if (parse_hostport(lo->bind, &sa)) {
			snprintf(err, errlen, "--bind: '%s' is not IPv4[:PORT]", lo->bind);
			rc = -PD_EUSAGE;
			goto out;
		}
	} else {
		if (!memcmp(run.rcv.addr4, zero16, 4)) {
			snprintf(err, errlen, "%s has no IPv4 address: give --bind ADDR[:PORT]",
				 run.rcv.name);
			rc = -PD_EUSAGE;
			goto out;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons(PD_PROBE_PORT);
		memcpy(&sa.sin_addr, run.rcv.addr4, 4);
	}
	if (sa.sin_addr.s_addr == htonl(INADDR_ANY)) {
		snprintf(err, errlen, "--bind: give one address, not all of them");
		rc = -PD_EUSAGE;
		goto out;
	}
	rc = open_receiver(&x, false, err, errlen);
	if (rc)
		goto out;
	lfd = tcp_socket_in(&run.rcv);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		snprintf(err, errlen, "control connection on %s:%u: %s",
			 inet_ntop(AF_INET, &sa.sin_addr, a4, sizeof(a4)), ntohs(sa.sin_port),
			 strerror(errno));
		rc = -PD_EOPEN;
		goto out;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		snprintf(err, errlen, "no random bytes for the token");
		rc = -PD_EIO;
		goto out;
	}
	for (size_t k = 0; k < sizeof(rnd); k++)
		snprintf(token + 2 * k, 3, "%02x", rnd[k]);
	/* everything is open: keep CAP_NET_ADMIN alone for --allow-toggle */
	rc = pd_probe_drop_privileges(lo->allow_toggle, false, err, errlen);
	if (rc)
		goto out;
	fprintf(lo->out, "pktdoctor probe: listening on %s:%u%s%s for one prober; token %s\n",
		inet_ntop(AF_INET, &sa.sin_addr, a4, sizeof(a4)), ntohs(sa.sin_port),
		run.rcv.ns[0] ? " in netns " : "", run.rcv.ns, token);
	fflush(lo->out);
	deadline = now_ns() + (int64_t)(lo->timeout_s ? lo->timeout_s : 300) * 1000000000LL;
	rc = -PD_EIO; /* until a prober is served */
	while (now_ns() < deadline && !(lo->stop && *lo->stop) && refused < 10) {
		struct pollfd pfd = {lfd, POLLIN, 0};
		struct sockaddr_in peer;
		socklen_t pl = sizeof(peer);
		char tok[80], s4[64], s6[64];

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		x.ctl = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (x.ctl < 0)
			continue;
		x.ctl_len = 0;
		if (ctl_recv(&x, hello, sizeof(hello), 5000) ||
		    sscanf(hello, "HELLO %79s %63s %63s", tok, s4, s6) != 3 ||
		    !token_equal(tok, token)) {
			ctl_send(x.ctl, "ERR wrong token");
			fprintf(stderr, "pktdoctor probe: refused a prober from %s (wrong token)\n",
				inet_ntop(AF_INET, &peer.sin_addr, a4, sizeof(a4)));
			close(x.ctl);
			x.ctl = -1;
			refused++;
			continue;
		}
		parse_addr(AF_INET, s4, x.ends.src4);
		parse_addr(AF_INET6, s6, x.ends.src6);
		ctl_send(x.ctl, "OK %s %s %02x:%02x:%02x:%02x:%02x:%02x %u %s %s %d %d %s", run.rcv.name,
			 run.rcv.driver[0] ? run.rcv.driver : "-", run.rcv.mac[0], run.rcv.mac[1],
			 run.rcv.mac[2], run.rcv.mac[3], run.rcv.mac[4], run.rcv.mac[5], run.rcv.mtu,
			 addr_or_dash(AF_INET, run.rcv.addr4, a4, sizeof(a4)),
			 addr_or_dash(AF_INET6, run.rcv.addr6, a6, sizeof(a6)), run.rcv.is_virtual,
			 run.rcv.has_8021q, run.trace_note[0] ? run.trace_note : "kfree_skb");
		fprintf(stderr, "pktdoctor probe: prober from %s accepted\n",
			inet_ntop(AF_INET, &peer.sin_addr, a4, sizeof(a4)));
		serve(&x, lo, orig, changed);
		rc = 0;
		break;
	}
	if (rc)
		snprintf(err, errlen, "no prober with the token came (timeout, signal or %u refused)",
			 refused);
	for (int o = 0; o < PD_OFF__COUNT; o++)
		if (changed[o] && orig[o] >= 0)
			pd_offload_set(&run.rcv, o, orig[o] == 1);
	if (lo->allow_toggle)
		pd_probe_drop_privileges(false, false, err, errlen);
out:
	if (lfd >= 0)
		close(lfd);
	close_all(&x);
	pd_probe_if_close(&run.rcv);
	return rc;
}

int pd_probe_remote(struct pd_probe_run *run, const struct pd_probe_opts *o, const char *to,
		    const char *token, char *err, size_t errlen)
{
	static struct ctx x;
	struct sockaddr_in sa;
	char line[512], a4[64], a6[64], name[64], drv[64], mac[32], r4[64], r6[64];
	unsigned mtu, m[6];
	int rc, virt, vlan, used = 0, fl;

	memset(&x, 0, sizeof(x));
	init_fds(&x);
	x.run = run;
	x.o = o;
	if (parse_hostport(to, &sa)) {
		snprintf(err, errlen, "--to: '%s' is not IPv4[:PORT]", to);
		return -PD_EUSAGE;
	}
	rc = pd_probe_check_caps(o->toggle, err, errlen);
	if (!rc)
		rc = pd_probe_if_open(&run->snd, err, errlen);
	if (rc)
		return rc;
	x.ctl = tcp_socket_in(&run->snd);
	if (x.ctl < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -PD_EOPEN;
	}
	/* connect within 5 s */
	fl = 1;
	setsockopt(x.ctl, IPPROTO_TCP, TCP_NODELAY, &fl, sizeof(fl));
	{
		struct timeval tv = {5, 0};

		setsockopt(x.ctl, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(x.ctl, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "cannot reach the listener at %s: %s", to, strerror(errno));
		rc = -PD_EOPEN;
		goto out;
	}
	ctl_send(x.ctl, "HELLO %s %s %s", token, addr_or_dash(AF_INET, run->snd.addr4, a4, sizeof(a4)),
		 addr_or_dash(AF_INET6, run->snd.addr6, a6, sizeof(a6)));
	if (ctl_recv(&x, line, sizeof(line), 10000)) {
		snprintf(err, errlen, "no answer from the listener at %s", to);
		rc = -PD_EIO;
		goto out;
	}
	if (strncmp(line, "OK ", 3) ||
	    sscanf(line, "OK %63s %63s %31s %u %63s %63s %d %d %n", name, drv, mac, &mtu, r4, r6,
		   &virt, &vlan, &used) != 8 || !used ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		snprintf(err, errlen, "the listener refused: %.200s", line);
		rc = -PD_EPERM;
		goto out;
	}
	snprintf(run->rcv.name, sizeof(run->rcv.name), "%s", name);
	snprintf(run->rcv.ns, sizeof(run->rcv.ns), "%s", to);
	snprintf(run->rcv.driver, sizeof(run->rcv.driver), "%s", strcmp(drv, "-") ? drv : "");
	for (int k = 0; k < 6; k++)
		run->rcv.mac[k] = (uint8_t)m[k];
	run->rcv.mtu = (uint16_t)mtu;
	parse_addr(AF_INET, r4, run->rcv.addr4);
	parse_addr(AF_INET6, r6, run->rcv.addr6);
	run->rcv.is_virtual = virt != 0;
	run->rcv.has_8021q = vlan != 0;
	run->rcv.nsfd = run->rcv.ctlfd = -1;
	if (strcmp(line + used, "kfree_skb"))
		snprintf(run->trace_note, sizeof(run->trace_note), "%s", line + used);
	memcpy(x.ends.src_mac, run->snd.mac, 6);
	memcpy(x.ends.dst_mac, run->rcv.mac, 6);
	memcpy(x.ends.src4, run->snd.addr4, 4);
	memcpy(x.ends.dst4, run->rcv.addr4, 4);
	memcpy(x.ends.src6, run->snd.addr6, 16);
	memcpy(x.ends.dst6, run->rcv.addr6, 16);
	x.ends.mtu = run->snd.mtu;
	x.ends.vlan_id = o->vlan_id;
	x.ends.peer_mss = run->rcv.mtu > 40 ? (uint16_t)(run->rcv.mtu - 40) : 0;
	rc = open_sender(&x, err, errlen);
	if (rc)
		goto out;
	rc = pd_probe_drop_privileges(o->toggle, false, err, errlen);
	if (rc)
		goto out;
	rc = o->toggle ? run_matrix(&x) : run_round(&x, 0);
	if (o->toggle)
		pd_probe_drop_privileges(false, false, err, errlen);
	if (rc == -PD_EPERM)
		snprintf(err, errlen, "the listener does not allow offload changes (start it with "
			 "--allow-toggle)");
	else if (rc == -PD_EIO)
		snprintf(err, errlen, "the control connection to %s failed", to);
	ctl_send(x.ctl, "BYE");
out:
	close_all(&x);
	return rc;
}
