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
#include <poll.h>
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
	struct pd_probe_csrc cs;
	struct pd_probe_trace *trace;
	int64_t next_send_ns;
	uint32_t next_id;
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
	int saved, fd, one = 1;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (pd_probe_in_ns(i, &saved))
		return -1;
	fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	pd_probe_leave_ns(saved);
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

static int open_all(struct ctx *x, char *err, size_t errlen)
{
	struct pd_probe_run *run = x->run;
	static const uint16_t ports[] = {623, 67, 69};
	char why[200];
	int rc, bufsz = 4 << 20;

	x->tx = x->snd_cap = x->rcv_cap = x->ipmi_req = -1;
	x->tcp[0] = x->tcp[1] = -1;
	x->cs.snmp = x->cs.snmp6 = x->cs.netstat = x->cs.ethfd = -1;
	rc = pd_probe_packet_socket(&run->snd, PD_PSOCK_SEND_VNET, err, errlen);
	if (rc < 0)
		return rc;
	x->tx = rc;
	rc = pd_probe_packet_socket(&run->snd, PD_PSOCK_CAPTURE, err, errlen);
	if (rc < 0)
		return rc;
	x->snd_cap = rc;
	rc = pd_probe_packet_socket(&run->rcv, PD_PSOCK_CAPTURE, err, errlen);
	if (rc < 0)
		return rc;
	x->rcv_cap = rc;
	setsockopt(x->rcv_cap, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	for (size_t k = 0; k < 3; k++) {
		for (int fam = 0; fam < 2; fam++) {
			int fd;

			if (fam == 0 ? !memcmp(run->rcv.addr4, zero16, 4)
				     : !memcmp(run->rcv.addr6, zero16, 16))
				continue;
			fd = bound_socket(&run->rcv, fam ? AF_INET6 : AF_INET, SOCK_DGRAM, ports[k]);
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
	int *fds[] = {&x->tx, &x->snd_cap, &x->rcv_cap, &x->tcp[0], &x->tcp[1]};

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

/* The IPMI form: ask the receiver to send a request to IF1's port 623
 * and read its IP ID and source port from IF1's capture. */
static int ipmi_request(struct ctx *x, uint16_t *ip_id, uint16_t *dport)
{
	struct sockaddr_in to;
	static const uint8_t req[] = {0x06, 0x00, 0xff, 0x07, 0x00, 0x00, 0x00, 0x00,
				      0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x20, 0x18,
				      0xc8, 0x81, 0x00, 0x38, 0x8e, 0x04, 0xb5}; /* RMCP + IPMI 1.5
										     * Get Channel Auth Caps */
	int64_t deadline;

	if (x->ipmi_req < 0 || !memcmp(x->run->snd.addr4, zero16, 4))
		return -PD_EUNSUPPORTED;
	drain(x->snd_cap, x->rxbuf, sizeof(x->rxbuf));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(623);
	memcpy(&to.sin_addr, x->run->snd.addr4, 4);
	if (sendto(x->ipmi_req, req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -PD_EIO;
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
	if (p->ip.is_fragment)
		return c->family == 4 && p->ip.ip_id == b->ip_id;
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
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(x->rcv_cap, x->rxbuf, sizeof(x->rxbuf),
					     MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
			size_t got;

			if (n < 0)
				break;
			got = (size_t)n < sizeof(x->rxbuf) ? (size_t)n : sizeof(x->rxbuf);
			memset(&p, 0, sizeof(p));
			p.caplen = (uint32_t)got;
			p.wirelen = (uint32_t)n;
			p.linktype = PD_LINKTYPE_EN10MB;
			pd_dissect_frame(&p, x->rxbuf);
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
	struct pd_probe_counters before, after;
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
	/* quiet before: drain what earlier cases left */
	drain(x->rcv_cap, x->rxbuf, sizeof(x->rxbuf));
	/* the sender's capture is read only for IPMI requests: keep it from
	 * filling up (a full socket buffer is a SOCKET_RCVBUFF drop) */
	drain(x->snd_cap, x->rxbuf, sizeof(x->rxbuf));
	for (unsigned k = 0; k < x->n_udp; k++)
		drain(x->udp[k], x->rxbuf, sizeof(x->rxbuf));
	pd_probe_trace_collect(x->trace, r->reason, sizeof(r->reason));
	r->reason[0] = 0;
	pd_probe_counters_read(&x->cs, &before);

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
	}
	observe(x, c, &x->built, dport, r,
		(int64_t)(x->o->wait_ms ? x->o->wait_ms : 150) * 1000000LL);
	pd_probe_counters_read(&x->cs, &after);
	pd_probe_counters_delta(&before, &after, r->counters, sizeof(r->counters));
	pd_probe_trace_collect(x->trace, r->reason, sizeof(r->reason));
	/* the tracepoint is machine-wide: a reason explains a frame that was
	 * not delivered; for a delivered one it is someone else's drop (the
	 * sender's stack resetting a SYN-ACK, another namespace) */
	if (r->delivered && !(c->flags & PD_PF_GSO))
		r->reason[0] = 0;
	judge(x, c, r, dport);
	return 0;
}

static void setting_text(const struct pd_probe_run *run, char *buf, size_t len)
{
	int v[PD_OFF__COUNT];

	v[PD_OFF_RX_CSUM] = pd_offload_get(&run->rcv, PD_OFF_RX_CSUM);
	v[PD_OFF_GRO] = pd_offload_get(&run->rcv, PD_OFF_GRO);
	v[PD_OFF_TX_CSUM] = pd_offload_get(&run->snd, PD_OFF_TX_CSUM);
	v[PD_OFF_TSO] = pd_offload_get(&run->snd, PD_OFF_TSO);
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

	setting_text(x->run, setting, sizeof(setting));
	for (size_t k = 0; k < n; k++) {
		if (x->o->stop && *x->o->stop) {
			x->run->interrupted = true;
			return -PD_EINTR;
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
		orig[o] = pd_offload_get(dev[o], o);
	for (unsigned m = 0; m < 16 && !rc; m++) {
		bool want[PD_OFF__COUNT];
		int got[PD_OFF__COUNT];
		bool impossible = false;

		for (int o = 0; o < PD_OFF__COUNT; o++) {
			want[o] = !((m >> (3 - o)) & 1);
			got[o] = orig[o] < 0 ? orig[o] : pd_offload_set(dev[o], o, want[o]);
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
			pd_offload_set(dev[o], o, orig[o] == 1);
	for (int o = 0; o < PD_OFF__COUNT; o++) {
		int now = orig[o] >= 0 ? pd_offload_get(dev[o], o) : orig[o];

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
	if (!(x.ends.dst_mac[0] | x.ends.dst_mac[1] | x.ends.dst_mac[2]) || (x.ends.dst_mac[0] & 1)) {
		snprintf(err, errlen, "%s has no unicast MAC address", run->rcv.name);
		return -PD_EUSAGE;
	}
	rc = open_all(&x, err, errlen);
	if (rc)
		goto out;
	/* the sockets are open: keep CAP_NET_ADMIN alone for --toggle */
	rc = pd_probe_drop_privileges(o->toggle, false, err, errlen);
	if (rc)
		goto out;
	rc = o->toggle ? run_matrix(&x) : run_round(&x, 0);
	if (o->toggle)
		pd_probe_drop_privileges(false, false, err, errlen);
	if (rc == -PD_EINTR)
		rc = 0; /* what ran is reported */
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
