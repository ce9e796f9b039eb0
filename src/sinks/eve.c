/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eve.c - the monitor's event stream (include/pktdoctor/eve.h): a sink
 * that writes one JSON object per line as findings open, update and
 * close, plus "nic", "stats", "syslog" and a closing "summary" event.
 * Every event is built in memory first and written with one call, so a
 * line is never interleaved or half-sent, and it is flushed at once.
 * It formats; it never analyses (Suricata's output-json-*.c are the model).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "pktdoctor/eve.h"
#include "pktdoctor/json.h"
#include "pktdoctor/report.h"

struct pd_eve {
	struct pd_eve_opts o;
	char path[256];
	char iface[64];
	char host[256];
	FILE *fp;          /* stdout or the file */
	int fd;            /* unix or syslog socket */
	int socktype;
	uint64_t errors;
	bool broken;       /* the reader of standard output or the pipe went away */
	/* the event being built */
	char *buf;
	size_t len;
	FILE *mem;
};

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Suricata's form: "2026-11-29T22:41:05.123456+0000" (local offset 0: UTC). */
static char *eve_ts(int64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char b[32];

	gmtime_r(&sec, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06lld+0000", b, (long long)(ns % 1000000000LL) / 1000);
	return buf;
}

static int connect_socket(struct pd_eve *e, const char *path, char *err, size_t errlen)
{
	static const int types[] = {SOCK_STREAM, SOCK_DGRAM};
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -PD_EOPEN;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/* syslog's /dev/log is a datagram socket; log shippers listen on streams */
	for (size_t i = e->o.output == PD_EVE_SYSLOG ? 1 : 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			e->fd = fd;
			e->socktype = types[i];
			return 0;
		}
		close(fd);
		if (errno != EPROTOTYPE)
			break;
	}
	snprintf(err, errlen, "%s: cannot connect: %s", path, strerror(errno));
	return -PD_EOPEN;
}

static int open_output(struct pd_eve *e, char *err, size_t errlen)
{
	switch (e->o.output) {
	case PD_EVE_FILE:
		e->fp = fopen(e->path, "ae");
		if (!e->fp) {
			snprintf(err, errlen, "%s: %s", e->path, strerror(errno));
			return -PD_EOPEN;
		}
		return 0;
	case PD_EVE_UNIX:
	case PD_EVE_SYSLOG:
		return connect_socket(e, e->path, err, errlen);
	default:
		e->fp = stdout;
		return 0;
	}
}

int pd_eve_open(struct pd_eve **out, const struct pd_eve_opts *o, char *err, size_t errlen)
{
	struct pd_eve *e = calloc(1, sizeof(*e));
	int rc;

	*out = 0;
	if (!e)
		return -PD_ENOMEM;
	e->o = *o;
	e->fd = -1;
	snprintf(e->path, sizeof(e->path), "%s",
		 o->path ? o->path : o->output == PD_EVE_SYSLOG ? "/dev/log" : "");
	snprintf(e->iface, sizeof(e->iface), "%s", o->iface ? o->iface : "");
	e->o.path = e->path;
	e->o.iface = e->iface;
	if (gethostname(e->host, sizeof(e->host)) != 0)
		snprintf(e->host, sizeof(e->host), "unknown");
	e->host[sizeof(e->host) - 1] = 0;
	rc = open_output(e, err, errlen);
	if (rc) {
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int pd_eve_reopen(struct pd_eve *e)
{
	char err[256];

	if (e->fp && e->fp != stdout)
		fclose(e->fp);
	e->fp = 0;
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	return open_output(e, err, sizeof(err));
}

uint64_t pd_eve_errors(const struct pd_eve *e)
{
	return e->errors;
}

bool pd_eve_broken(const struct pd_eve *e)
{
	return e->broken;
}

void pd_eve_close(struct pd_eve *e)
{
	if (!e)
		return;
	if (e->fp == stdout)
		fflush(stdout);
	else if (e->fp)
		fclose(e->fp);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

void pd_eve_parse_flow(const char *flow, char *proto, size_t plen, char *src, size_t slen,
		       uint16_t *sport, char *dst, size_t dlen, uint16_t *dport)
{
	char tmp[160], *ep[2], *arrow, *sp;
	char *out[2] = {src, dst};
	size_t outlen[2] = {slen, dlen};
	uint16_t *port[2] = {sport, dport};

	proto[0] = src[0] = dst[0] = 0;
	*sport = *dport = 0;
	snprintf(tmp, sizeof(tmp), "%s", flow ? flow : "");
	sp = strchr(tmp, ' ');
	if (!sp)
		return;
	*sp = 0;
	if (!strcmp(tmp, "host")) {
		char *end = strchr(sp + 1, ' ');

		if (end)
			*end = 0;
		snprintf(src, slen, "%s", sp + 1);
		return;
	}
	snprintf(proto, plen, "%s", tmp);
	arrow = strstr(sp + 1, " -> ");
	if (!arrow)
		return;
	*arrow = 0;
	ep[0] = sp + 1;
	ep[1] = arrow + 4;
	{
		char *end = strchr(ep[1], ' ');

		if (end)
			*end = 0;
	}
	for (int i = 0; i < 2; i++) {
		char *s = ep[i], *colon;

		if (s[0] == '[') {
			char *rb = strchr(s, ']');

			if (!rb)
				continue;
			*rb = 0;
			snprintf(out[i], outlen[i], "%s", s + 1);
			if (rb[1] == ':')
				*port[i] = (uint16_t)strtoul(rb + 2, 0, 10);
			continue;
		}
		colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = 0;
			*port[i] = (uint16_t)strtoul(colon + 1, 0, 10);
		}
		snprintf(out[i], outlen[i], "%s", s);
	}
}

/* Start an event: the common EVE fields. */
static struct pd_json *begin(struct pd_eve *e, struct pd_json *j, const char *type, int64_t ns)
{
	char ts[48];

	e->buf = 0;
	e->len = 0;
	e->mem = open_memstream(&e->buf, &e->len);
	if (!e->mem) {
		e->errors++;
		return 0;
	}
	pd_json_init(j, e->mem);
	pd_json_obj_begin(j, 0);
	pd_json_str(j, "timestamp", eve_ts(ns, ts, sizeof(ts)));
	pd_json_str(j, "host", e->host);
	pd_json_str(j, "event_type", type);
	pd_json_str(j, "in_iface", e->iface);
	pd_json_u64(j, "schema_version", PD_EVE_SCHEMA_VERSION);
	return j;
}

static void flow_fields(struct pd_json *j, const char *flow)
{
	char proto[16], src[64], dst[64];
	uint16_t sport, dport;

	pd_eve_parse_flow(flow, proto, sizeof(proto), src, sizeof(src), &sport, dst, sizeof(dst),
			  &dport);
	if (src[0])
		pd_json_str(j, "src_ip", src);
	if (sport)
		pd_json_u64(j, "src_port", sport);
	if (dst[0])
		pd_json_str(j, "dest_ip", dst);
	if (dport)
		pd_json_u64(j, "dest_port", dport);
	if (proto[0])
		pd_json_str(j, "proto", proto);
}

/* Send a RFC 5424 header in front of the JSON for syslog. */
static void write_out(struct pd_eve *e, const char *line, size_t len, int sev)
{
	if (e->fp) {
		if (fwrite(line, 1, len, e->fp) != len || fflush(e->fp) != 0) {
			e->errors++;
			if (errno == EPIPE)
				e->broken = true;
			clearerr(e->fp);
		}
		return;
	}
	if (e->fd < 0) {
		e->errors++;
		return;
	}
	if (e->o.output == PD_EVE_SYSLOG) {
		/* <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG; facility local0 (16) */
		int pri = 16 * 8 + (sev == PD_SEV_ERROR ? 3 : sev == PD_SEV_WARNING ? 4 : 6);
		char hdr[512], ts[48];
		int64_t ns = wall_ns();
		time_t sec = (time_t)(ns / 1000000000LL);
		struct tm tm;
		char b[32];
		struct iovec iov[2];
		struct msghdr mh;
		int n;

		gmtime_r(&sec, &tm);
		strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(ts, sizeof(ts), "%s.%06lldZ", b, (long long)(ns % 1000000000LL) / 1000);
		n = snprintf(hdr, sizeof(hdr), "<%d>1 %s %s pktdoctor %d monitor - ", pri, ts,
			     e->host, (int)getpid());
		if (n < 0 || (size_t)n >= sizeof(hdr))
			n = 0;
		iov[0].iov_base = hdr;
		iov[0].iov_len = (size_t)n;
		iov[1].iov_base = (void *)line;
		iov[1].iov_len = len > 0 && line[len - 1] == '\n' ? len - 1 : len;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 2;
		if (sendmsg(e->fd, &mh, MSG_NOSIGNAL) < 0)
			e->errors++;
		return;
	}
	{
		size_t off = 0;

		while (off < len) {
			ssize_t w = send(e->fd, line + off, len - off, MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				e->errors++;
				/* the reader went away: reconnect once for the next event */
				pd_eve_reopen(e);
				return;
			}
			if (e->socktype == SOCK_DGRAM)
				break;
			off += (size_t)w;
		}
	}
}

static void end(struct pd_eve *e, struct pd_json *j, int sev)
{
	pd_json_obj_end(j);
	fputc('\n', e->mem);
	if (fclose(e->mem) != 0) {
		e->errors++;
		free(e->buf);
		return;
	}
	write_out(e, e->buf, e->len, sev);
	free(e->buf);
	e->buf = 0;
}

void pd_eve_on_finding(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
		       int event)
{
	struct pd_eve *e = arg;
	struct pd_json j;
	int64_t ns = a->stats.packets ? a->stats.last_ns : wall_ns();

	if (!begin(e, &j, "finding", ns))
		return;
	flow_fields(&j, f->flow);
	pd_json_str(&j, "finding_event", pd_finding_event_name(event));
	pd_json_u64(&j, "finding_key", f->key);
	{
		/* "finding": the report's finding object.  pd_report_json_finding()
		 * writes an array element, so it gets a writer of its own on the
		 * same stream, after the member name (the envelope came before,
		 * hence the comma). */
		struct pd_json inner;

		fputs(",\"finding\":", e->mem);
		pd_json_init(&inner, e->mem);
		pd_report_json_finding(&inner, f, e->o.max_frames > 0 ? e->o.max_frames
								   : PD_FINDING_MAX_FRAMES);
	}
	end(e, &j, f->severity);
}

void pd_eve_on_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	struct pd_eve *e = arg;
	struct pd_json j;
	char src[48], dst[48], host[64], app[32], msg[480];

	(void)a;
	if (!(p->layers & PD_L_SYSLOG))
		return;
	if (!begin(e, &j, "syslog", p->ts_ns))
		return;
	pd_json_str(&j, "src_ip", pd_addr_format(&p->ip.src, src, sizeof(src)));
	pd_json_u64(&j, "src_port", p->udp.sport);
	pd_json_str(&j, "dest_ip", pd_addr_format(&p->ip.dst, dst, sizeof(dst)));
	pd_json_u64(&j, "dest_port", p->udp.dport);
	pd_json_str(&j, "proto", "UDP");
	pd_json_obj_begin(&j, "syslog");
	pd_json_u64(&j, "frame", p->frame);
	pd_json_u64(&j, "facility", p->syslog.facility);
	pd_json_u64(&j, "severity", p->syslog.severity);
	pd_json_str(&j, "hostname", pd_span_str(p, p->syslog.hostname, host, sizeof(host)));
	pd_json_str(&j, "app", pd_span_str(p, p->syslog.app, app, sizeof(app)));
	pd_json_str(&j, "message", pd_span_str(p, p->syslog.msg, msg, sizeof(msg)));
	pd_json_obj_end(&j);
	end(e, &j, p->syslog.severity <= 3 ? PD_SEV_ERROR : PD_SEV_INFO);
}

void pd_eve_sink(struct pd_eve *e, struct pd_sink *s)
{
	s->on_finding = pd_eve_on_finding;
	s->on_packet = pd_eve_on_packet;
	s->arg = e;
}

void pd_eve_nic(struct pd_eve *e, const struct pd_nic_info *n, const char *why)
{
	struct pd_json j;

	if (!begin(e, &j, "nic", wall_ns()))
		return;
	pd_json_obj_begin(&j, "nic");
	pd_json_str(&j, "reason", why);
	pd_json_str(&j, "iface", n->iface);
	pd_json_i64(&j, "ifindex", n->ifindex);
	pd_json_bool(&j, "admin_up", n->admin_up);
	pd_json_bool(&j, "carrier", n->carrier);
	pd_json_str(&j, "operstate", n->operstate);
	if (n->speed_mbps >= 0)
		pd_json_i64(&j, "speed_mbps", n->speed_mbps);
	else
		pd_json_null(&j, "speed_mbps");
	pd_json_u64(&j, "mtu", n->mtu);
	pd_json_u64(&j, "gso_max_size", n->gso_max_size);
	pd_json_u64(&j, "gso_max_segs", n->gso_max_segs);
	pd_json_u64(&j, "gro_max_size", n->gro_max_size);
	pd_json_u64(&j, "tso_max_size", n->tso_max_size);
	pd_json_u64(&j, "tso_max_segs", n->tso_max_segs);
	pd_json_u64(&j, "gso_ipv4_max_size", n->gso_ipv4_max_size);
	pd_json_u64(&j, "gro_ipv4_max_size", n->gro_ipv4_max_size);
	pd_json_obj_begin(&j, "offload");
	for (int g = 0; g < PD_NIC__GROUPS; g++) {
		const struct pd_nic_group_state *s = &n->group[g];

		if (!n->have_features || !s->present)
			continue;
		pd_json_obj_begin(&j, pd_nic_group_name(g));
		pd_json_bool(&j, "active", s->active);
		pd_json_bool(&j, "requested", s->requested);
		pd_json_bool(&j, "fixed", s->fixed);
		pd_json_obj_end(&j);
	}
	pd_json_obj_end(&j);
	pd_json_obj_begin(&j, "features");
	for (unsigned i = 0; i < n->n_features; i++) {
		const struct pd_nic_feature *x = &n->features[i];

		pd_json_obj_begin(&j, x->name);
		pd_json_bool(&j, "active", x->active);
		pd_json_bool(&j, "requested", x->requested);
		pd_json_bool(&j, "fixed", x->fixed);
		pd_json_obj_end(&j);
	}
	pd_json_obj_end(&j);
	pd_json_obj_end(&j);
	end(e, &j, PD_SEV_INFO);
}

static void stats_obj(struct pd_json *j, const struct pd_mon_stats *st)
{
	pd_json_obj_begin(j, "stats");
	pd_json_double(j, "interval_s", st->interval_s);
	pd_json_double(j, "pps", st->pps);
	pd_json_double(j, "bps", st->bps);
	pd_json_u64(j, "frames", st->frames);
	pd_json_u64(j, "packets", st->packets);
	pd_json_u64(j, "bytes", st->bytes);
	pd_json_obj_begin(j, "drops");
	if (st->capture_valid)
		pd_json_u64(j, "capture", st->capture_drops);
	else
		pd_json_null(j, "capture");
	if (st->nic_valid) {
		pd_json_u64(j, "rx_dropped", st->rx_dropped);
		pd_json_u64(j, "rx_missed_errors", st->rx_missed_errors);
		pd_json_u64(j, "rx_fifo_errors", st->rx_fifo_errors);
	} else {
		pd_json_null(j, "rx_dropped");
		pd_json_null(j, "rx_missed_errors");
		pd_json_null(j, "rx_fifo_errors");
	}
	pd_json_obj_end(j);
	pd_json_u64(j, "findings", st->findings);
	pd_json_u64(j, "flows_live", st->flows_live);
	pd_json_u64(j, "flow_overflow", st->flow_overflow);
	pd_json_obj_end(j);
}

void pd_eve_stats(struct pd_eve *e, const struct pd_mon_stats *st)
{
	struct pd_json j;

	if (!begin(e, &j, "stats", wall_ns()))
		return;
	stats_obj(&j, st);
	end(e, &j, PD_SEV_INFO);
}

void pd_eve_summary(struct pd_eve *e, const struct pd_analysis *a, const struct pd_mon_stats *st,
		    int exit_code)
{
	struct pd_json j;
	struct pd_report_opts ro = {PD_SEV_INFO, e->o.max_frames, true, true};
	char *doc = 0;
	size_t doclen = 0;
	FILE *m;

	if (!begin(e, &j, "summary", wall_ns()))
		return;
	stats_obj(&j, st);
	pd_json_i64(&j, "exit_code", exit_code);
	/* the offline report, as `analyze -F json` writes it, under "report" */
	m = open_memstream(&doc, &doclen);
	if (m && pd_report_json(m, a, &ro) == 0 && fclose(m) == 0) {
		while (doclen && (doc[doclen - 1] == '\n' || doc[doclen - 1] == ' '))
			doclen--;
		fputs(",\"report\":", e->mem);
		fwrite(doc, 1, doclen, e->mem);
	} else {
		if (m)
			fclose(m);
		e->errors++;
	}
	free(doc);
	end(e, &j, pd_findings_max_severity(&a->findings) >= PD_SEV_ERROR ? PD_SEV_ERROR
									: PD_SEV_INFO);
}
