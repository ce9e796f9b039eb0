/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monitor.c - `pktdoctor monitor`: watch the wire and say what is wrong
 * while it happens.  Input: a live interface (-i, optionally inside a
 * network namespace) or a capture replayed by its timestamps (-r FILE,
 * -r - for a pipe).  Output: the ncurses screen (src/ui/), or with
 * --no-tui (automatic when standard output is not a terminal) the JSON
 * event stream (src/sinks/eve.c), or both.
 *
 * Two threads: the analysis thread reads the source and feeds the
 * pipeline (reading happens outside the lock, so a pipe that blocks
 * never freezes the screen); the main thread owns the terminal, the
 * signals, the NIC reader and the periodic events, and draws at most
 * every 100 ms.  One mutex guards the pipeline, the analysis and the
 * model the sink fills.  After the screen is restored (q, SIGINT,
 * SIGTERM or an error) the session's report is printed as `analyze`
 * prints it, and --fail-on sets the exit code the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>

#include "../sinks/pcapsave.h"
#include "../ui/ui.h"
#include "cli.h"
#include "pktdoctor/analyze.h"
#include "pktdoctor/error.h"
#include "pktdoctor/eve.h"
#include "pktdoctor/nic.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/report.h"

#define STATS_INTERVAL_NS 1000000000LL     /* rates on screen, stats events (default) */
#define NIC_INTERVAL_NS 3000000000LL       /* features, link, MTU re-read */
#define SRC_STATS_INTERVAL_NS 500000000LL  /* capture drop counters */
#define BATCH_FRAMES 256                   /* frames fed per lock hold */

struct mon {
	/* options */
	const char *iface, *netns, *input, *filter, *output, *user, *write_file;
	struct pd_live_opts lo;
	struct pd_analysis_opts ao;
	struct pd_report_opts ro;
	double speed;
	bool topspeed, no_tui, json_report, nic_only;
	int fail_on;
	int64_t stats_interval_ns;
	uint64_t max_packets;
	int64_t duration_ns;
	/* state */
	pthread_mutex_t lock;
	struct pd_source *src;
	struct pd_analysis a;
	struct pd_pipeline *pipe;
	struct pd_ui *ui;
	struct pd_eve *eve;
	struct pd_nic *nic;
	struct pd_nic_info nic_info, nic_base;
	bool have_nic;
	struct pd_source_stats sst;   /* cached by the analysis thread */
	struct pd_capwrite *capw;     /* -w */
	int capw_rc;
	struct pd_save_ring *ring;    /* recent frames for the save key */
	char ifdesc[512];             /* the IDB description: offloads at the start */
	volatile int done;            /* the analysis thread finished the pipeline */
	volatile int stop;            /* asked to stop */
	int run_rc;
	size_t findings_open;
};

static volatile sig_atomic_t sig_stop, sig_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else if (sig != SIGUSR1)
		sig_stop = 1;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *out)
{
	fputs("Usage: pktdoctor monitor -i IFACE [-f BPF] [--netns NAME] [OPTIONS]\n"
	      "       pktdoctor monitor -r FILE|- [--speed X | --topspeed] [OPTIONS]\n"
	      "\n"
	      "Watch the wire and be told what is wrong while it happens: an ncurses\n"
	      "screen, or a JSON event stream with --no-tui (automatic when standard\n"
	      "output is not a terminal).  At the end the session's report is printed\n"
	      "as `pktdoctor analyze` prints it.\n"
	      "\n"
	      "Input:\n"
	      "  -i, --interface IFACE  live capture (AF_PACKET on Linux, libpcap elsewhere)\n"
	      "  -r, --read FILE        replay a pcap/pcapng file paced by its timestamps;\n"
	      "                         '-' reads a pipe (ssh host tcpdump -U -w - | ...)\n"
	      "      --speed X          replay X times as fast (default 1)\n"
	      "      --topspeed         replay as fast as it can be read\n"
	      "      --netns NAME       the interface is in network namespace NAME\n"
	      "      --backend B        auto (default), afpacket or pcap\n"
	      "  -p, --promisc          promiscuous mode\n"
	      "  -B, --buffer-size KIB  kernel capture buffer / ring, KiB (default 4096)\n"
	      "  -f, --filter EXPR      capture filter (BPF), set at start\n"
	      "  -c, --count N          stop after N analysed packets\n"
	      "      --duration S       stop after S seconds\n"
	      "  -Z, --user USER        after opening the capture, drop to USER, keeping no\n"
	      "                         capabilities (as tcpdump -Z)\n"
	      "Output:\n"
	      "      --no-tui           JSON events, one per line (docs/json-schema.md)\n"
	      "  -o, --output DEST      where events go: - (standard output, default with\n"
	      "                         --no-tui), FILE (reopened on SIGHUP), unix:PATH,\n"
	      "                         syslog or syslog:PATH (RFC 5424)\n"
	      "      --stats-interval S seconds between stats events (default 1)\n"
	      "  -F, --format FMT       the closing report: text (default) or json\n"
	      "      --fail-on SEV      exit 1 if a finding is at or above SEV (default error)\n"
	      "      --max-flows N      flow table limit\n"
	      "      --storm-threshold N  copies of one segment that make a storm (4)\n"
	      "  -w, --write FILE       save everything captured as pcapng, with epb_flags;\n"
	      "                         the interface block records the offloads at start\n"
	      "      --nic              print the interface's NIC state as one JSON \"nic\"\n"
	      "                         event and exit (no capture, no privilege needed)\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Keys: ? help, q quit, Tab pane, arrows/PgUp/PgDn/Home, End live, p pause,\n"
	      "/ filter (port:N host:ADDR id:PREFIX sev:LEVEL word), s sort, Enter detail.\n"
	      "Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage, 3 input error.\n",
	      out);
}

/* ---- the analysis thread ---- */

static void sink_finding(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
			 int event)
{
	struct mon *m = arg;

	if (event == PD_FINDING_OPEN)
		m->findings_open++;
	if (m->ui)
		pd_ui_on_finding(m->ui, a, f, event);
	if (m->eve)
		pd_eve_on_finding(m->eve, a, f, event);
}

static void sink_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	struct mon *m = arg;

	if (m->ui)
		pd_ui_on_packet(m->ui, a, p);
	if (m->eve)
		pd_eve_on_packet(m->eve, a, p);
}

static void wait_input(struct pd_source *src)
{
	int64_t wait = pd_source_wait_ns(src);
	int ms = 100;
	struct pollfd pfd;

	if (wait >= 0 && wait / 1000000 < ms)
		ms = (int)(wait / 1000000);
	pfd.fd = pd_source_fd(src);
	pfd.events = POLLIN;
	if (pfd.fd >= 0)
		poll(&pfd, 1, ms);
	else if (ms > 0)
		usleep((useconds_t)ms * 1000);
}

static void *analysis_thread(void *arg)
{
	struct mon *m = arg;
	struct pd_analysis *a = &m->a;
	struct pd_frame fr;
	int64_t start = clock_ns(CLOCK_MONOTONIC), last_sst = 0;
	int rc = 0, n = 0;

	for (;;) {
		int64_t now;

		if (m->stop) {
			if (!a->live) { /* a replay stopped short; a live capture ends so */
				a->stopped = true;
				a->stopped_at_frame = a->stats.frames;
			}
			break;
		}
		if (m->duration_ns && clock_ns(CLOCK_MONOTONIC) - start >= m->duration_ns)
			break;
		rc = pd_source_next(m->src, &fr);   /* outside the lock: it may block */
		if (rc == PD_SRC_END) {
			rc = 0;
			break;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (now - last_sst >= SRC_STATS_INTERVAL_NS) {
			struct pd_source_stats st;

			pd_source_stats(m->src, &st);
			if (n) { /* inside a batch: the lock is held already */
				m->sst = st;
			} else {
				pthread_mutex_lock(&m->lock);
				m->sst = st;
				pthread_mutex_unlock(&m->lock);
			}
			last_sst = now;
		}
		if (rc == PD_SRC_AGAIN) {
			rc = 0;
			if (n) {
				pthread_mutex_unlock(&m->lock);
				n = 0;
			}
			wait_input(m->src);
			if (a->live) {
				pthread_mutex_lock(&m->lock);
				pd_pipeline_tick(m->pipe, clock_ns(CLOCK_REALTIME));
				pthread_mutex_unlock(&m->lock);
			}
			continue;
		}
		if (rc < 0) {
			int64_t off;
			const char *msg = pd_source_error(m->src, &off);

			if (n) {
				pthread_mutex_unlock(&m->lock);
				n = 0;
			}
			if (m->stop) { /* a read interrupted to stop: a normal end */
				rc = 0;
				continue;
			}
			pthread_mutex_lock(&m->lock);
			a->input_error = rc;
			a->error_offset = off;
			snprintf(a->input_error_msg, sizeof(a->input_error_msg),
				 "%s: %s after frame %llu: %s", a->input,
				 a->live ? "capture failed" : "corrupt or truncated",
				 (unsigned long long)a->stats.frames, msg);
			pthread_mutex_unlock(&m->lock);
			break;
		}
		/* hold the lock over a small batch: fewer lock round trips in a flood,
		 * and the screen still gets it every BATCH_FRAMES frames */
		if (!n)
			pthread_mutex_lock(&m->lock);
		if (fr.kind != PD_FRAME_PACKET || !pd_source_match(m->src, &fr)) {
			pd_pipeline_skip(m->pipe);
		} else {
			uint64_t no = pd_pipeline_feed(m->pipe, &fr);

			if (m->capw && !m->capw_rc)
				m->capw_rc = pd_capwrite_frame(m->capw, &fr);
			if (m->ring)
				pd_save_ring_put(m->ring, no, &fr);
		}
		if (++n >= BATCH_FRAMES) {
			pthread_mutex_unlock(&m->lock);
			n = 0;
		}
		if (m->max_packets && a->stats.packets >= m->max_packets) {
			if (n)
				pthread_mutex_unlock(&m->lock);
			n = 0;
			break;
		}
	}
	if (n)
		pthread_mutex_unlock(&m->lock);
	{
		struct pd_source_stats st;

		pd_source_stats(m->src, &st);
		pthread_mutex_lock(&m->lock);
		m->sst = st;
		if (m->a.live)
			m->a.source = st; /* the summary report's capture.dropped */
		{
			int frc = pd_pipeline_finish(m->pipe);

			if (frc && !rc)
				rc = frc;
		}
		m->run_rc = rc;
		m->done = 1;
		pthread_mutex_unlock(&m->lock);
	}
	return 0;
}

/* ---- the main thread ---- */

static void collect_stats(struct mon *m, struct pd_mon_stats *st, int64_t *last_ns,
			  uint64_t *last_pk, uint64_t *last_by)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	double dt = (double)(now - *last_ns) / 1e9;

	memset(st, 0, sizeof(*st));
	st->interval_s = dt;
	st->packets = m->a.stats.packets;
	st->bytes = m->a.stats.bytes;
	st->frames = m->a.stats.frames;
	if (dt > 0) {
		st->pps = (double)(st->packets - *last_pk) / dt;
		st->bps = (double)(st->bytes - *last_by) * 8.0 / dt;
	}
	*last_ns = now;
	*last_pk = st->packets;
	*last_by = st->bytes;
	st->capture_valid = m->sst.valid;
	st->capture_drops = m->sst.capture_drops;
	if (m->have_nic && m->nic_info.have_stats) {
		st->nic_valid = true;
		st->rx_dropped = m->nic_info.rx_dropped - m->nic_base.rx_dropped;
		st->rx_missed_errors = m->nic_info.rx_missed_errors - m->nic_base.rx_missed_errors;
		st->rx_fifo_errors = m->nic_info.rx_fifo_errors - m->nic_base.rx_fifo_errors;
	}
	st->findings = m->findings_open;
	if (m->a.flows) {
		struct pd_flow_stats fs;

		pd_flow_table_stats(m->a.flows, &fs);
		st->flows_live = fs.live;
		st->flow_overflow = fs.overflow;
	} else {
		st->flows_live = 0;
		st->flow_overflow = m->a.stats.flows.overflow;
	}
}

/* Re-read the NIC: counters every time, a "nic" event when its settings changed. */
static void refresh_nic(struct mon *m, bool features)
{
	struct pd_nic_info cur;
	char err[256];

	if (!m->nic)
		return;
	if (pd_nic_read(m->nic, &cur, err, sizeof(err))) {
		if (m->ui)
			pd_ui_set_nic(m->ui, 0, err);
		return;
	}
	if (!features) { /* keep the last feature read, take the new counters */
		m->nic_info.have_stats = cur.have_stats;
		m->nic_info.rx_dropped = cur.rx_dropped;
		m->nic_info.rx_missed_errors = cur.rx_missed_errors;
		m->nic_info.rx_fifo_errors = cur.rx_fifo_errors;
		m->nic_info.rx_packets = cur.rx_packets;
		m->nic_info.rx_bytes = cur.rx_bytes;
		return;
	}
	if (!pd_nic_config_equal(&cur, &m->nic_info) && m->eve)
		pd_eve_nic(m->eve, &cur, "change");
	m->nic_info = cur;
	if (m->ui)
		pd_ui_set_nic(m->ui, &cur, 0);
}

/* The IDB description: what the NIC's offloads were at the start. */
static void describe_iface(struct mon *m)
{
	size_t len = 0;

	if (!m->have_nic) {
		snprintf(m->ifdesc, sizeof(m->ifdesc), "%s%s", m->iface ? "live capture on " : "replay of ",
			 m->iface ? m->iface : m->input);
		return;
	}
	len = (size_t)snprintf(m->ifdesc, sizeof(m->ifdesc), "%s at start: mtu %u",
			       m->iface, m->nic_info.mtu);
	for (int g = 0; g < PD_NIC__GROUPS && len < sizeof(m->ifdesc); g++)
		if (m->nic_info.group[g].present)
			len += (size_t)snprintf(m->ifdesc + len, sizeof(m->ifdesc) - len, ", %s: %s%s",
						pd_nic_group_name(g),
						m->nic_info.group[g].active ? "on" : "off",
						m->nic_info.group[g].fixed ? " [fixed]" : "");
	if (len < sizeof(m->ifdesc))
		snprintf(m->ifdesc + len, sizeof(m->ifdesc) - len,
			 ", gso_max_size %u, gro_max_size %u, tso_max_size %u",
			 m->nic_info.gso_max_size, m->nic_info.gro_max_size, m->nic_info.tso_max_size);
}

struct save_sel {
	uint64_t v[PD_UI_RING + PD_FINDING_MAX_FRAMES];
	size_t n;
};

static bool save_want(void *arg, uint64_t frame)
{
	const struct save_sel *s = arg;
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo] == frame;
}

/* The save key: the finding's packets from the ring, for a bug report.
 * Called with the lock held. */
static void save_finding(struct mon *m, const struct pd_finding *f)
{
	static struct save_sel sel;
	char path[128], err[300];
	size_t n = 0;

	if (!m->ring) {
		pd_ui_message(m->ui, "save: no packet ring (out of memory at start)");
		return;
	}
	sel.n = pd_ui_flow_frames(m->ui, f, sel.v, sizeof(sel.v) / sizeof(sel.v[0]));
	snprintf(path, sizeof(path), "pktdoctor-%s-%llu.pcapng", f->id, (unsigned long long)f->key);
	if (pd_save_ring_write(m->ring, path, m->iface ? m->iface : m->input, m->ifdesc, save_want,
			       &sel, &n, err, sizeof(err)))
		pd_ui_message(m->ui, "save failed: %s", err);
	else
		pd_ui_message(m->ui, "saved %zu packets of %s to %s", n, f->id, path);
}

static int parse_output(const char *s, struct pd_eve_opts *eo)
{
	if (!s || !strcmp(s, "-")) {
		eo->output = PD_EVE_STDOUT;
	} else if (!strncmp(s, "unix:", 5) && s[5]) {
		eo->output = PD_EVE_UNIX;
		eo->path = s + 5;
	} else if (!strcmp(s, "syslog")) {
		eo->output = PD_EVE_SYSLOG;
	} else if (!strncmp(s, "syslog:", 7) && s[7]) {
		eo->output = PD_EVE_SYSLOG;
		eo->path = s + 7;
	} else if (!strncmp(s, "file:", 5) && s[5]) {
		eo->output = PD_EVE_FILE;
		eo->path = s + 5;
	} else if (s[0]) {
		eo->output = PD_EVE_FILE;
		eo->path = s;
	} else {
		return -PD_EUSAGE;
	}
	return 0;
}

/* tcpdump's droproot() with libcap-ng: become @user and keep no capability. */
static int drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		snprintf(err, errlen, "-Z %s: no such user", user);
		return -PD_EUSAGE;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
			    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		snprintf(err, errlen, "-Z %s: cannot change to uid %u gid %u (needs root): %s", user,
			 (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, strerror(errno));
		return -PD_EPERM;
	}
	return 0;
}

static int open_source(struct mon *m, char *err, size_t errlen)
{
	int rc;

	if (m->iface) {
		m->lo.iface = m->iface;
		m->lo.netns = m->netns;
		rc = pd_source_open_live(&m->src, &m->lo, err, errlen);
		if (rc == -PD_EPERM && !strstr(err, "root"))
			snprintf(err + strlen(err), errlen - strlen(err),
				 " (capturing needs CAP_NET_RAW: run as root, or `setcap "
				 "cap_net_raw+ep` on pktdoctor, or replay a capture with -r FILE)");
		else if (rc == -PD_EPERM)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "; the monitor also replays one: pktdoctor monitor -r FILE");
		return rc;
	}
	{
		struct pd_source *inner = 0;

		rc = pd_source_open_file(&inner, m->input, err, errlen);
		if (rc)
			return rc;
		rc = pd_source_replay(&m->src, inner, m->speed > 0 ? m->speed : 1.0, m->topspeed);
		if (rc)
			snprintf(err, errlen, "%s", pd_strerror(rc));
		return rc;
	}
}

static int report(struct mon *m, FILE *out)
{
	return m->json_report ? pd_report_json(out, &m->a, &m->ro) : pd_report_text(out, &m->a, &m->ro);
}

static int exit_code(struct mon *m)
{
	if (m->run_rc)
		return PD_EXIT_INPUT;
	if (pd_findings_max_severity(&m->a.findings) >= m->fail_on)
		return PD_EXIT_FINDINGS;
	return PD_EXIT_CLEAN;
}

static int run(struct mon *m)
{
	struct pd_sink sink = {sink_finding, sink_packet, m};
	struct pd_eve_opts eo;
	struct pd_mon_stats st;
	pthread_t th;
	sigset_t block, old;
	struct sigaction sa;
	char err[640];
	int rc, code;
	bool tui, thread_up = false, ended_shown = false, quit = false;
	int64_t last_stats, last_nic, last_rate_ns;
	uint64_t last_pk = 0, last_by = 0;

	memset(&eo, 0, sizeof(eo));
	err[0] = 0;
	tui = !m->no_tui && isatty(1);
	if (!tui || m->output) {
		if (parse_output(m->output, &eo)) {
			fputs("pktdoctor monitor: --output: empty destination\n", stderr);
			return PD_EXIT_USAGE;
		}
		if (tui && eo.output == PD_EVE_STDOUT) {
			fputs("pktdoctor monitor: the screen uses standard output: give --output FILE, "
			      "unix:PATH or syslog, or --no-tui\n", stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (m->nic_only) {
		/* the NIC state alone: no capture, no privilege */
		struct pd_eve_opts so = {PD_EVE_STDOUT, 0, m->iface, 0};

		rc = pd_nic_open(&m->nic, m->iface, m->netns, err, sizeof(err));
		if (!rc)
			rc = pd_nic_read(m->nic, &m->nic_info, err, sizeof(err));
		if (!rc)
			rc = pd_eve_open(&m->eve, &so, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: %s\n", err);
			pd_nic_close(m->nic);
			return PD_EXIT_INPUT;
		}
		pd_eve_nic(m->eve, &m->nic_info, "start");
		pd_eve_close(m->eve);
		pd_nic_close(m->nic);
		return PD_EXIT_CLEAN;
	}
	/* privileged opens first: the capture, the namespace for the NIC reader */
	rc = open_source(m, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pktdoctor monitor: %s\n", err);
		return rc == -PD_EUNSUPPORTED || rc == -PD_EPERM || rc == -PD_EOPEN ||
		       rc == -PD_EFORMAT ? PD_EXIT_INPUT : PD_EXIT_USAGE;
	}
	if (m->iface) {
		rc = pd_nic_open(&m->nic, m->iface, m->netns, err, sizeof(err));
		if (rc)
			fprintf(stderr, "pktdoctor monitor: NIC state not available: %s\n", err);
	}
	if (m->filter) {
		rc = pd_source_compile_filter(m->src, m->filter, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: %s\n", err);
			code = PD_EXIT_USAGE;
			goto out_src;
		}
	}
	if (!tui || m->output) {
		eo.iface = m->iface ? m->iface : m->input;
		rc = pd_eve_open(&m->eve, &eo, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: --output: %s\n", err);
			code = PD_EXIT_USAGE;
			goto out_src;
		}
	}
	if (m->nic && pd_nic_read(m->nic, &m->nic_info, err, sizeof(err)) == 0) {
		m->have_nic = true;
		m->nic_base = m->nic_info;
	}
	describe_iface(m);
	if (m->write_file) { /* created before -Z, as tcpdump does */
		rc = pd_capwrite_open(&m->capw, m->write_file, m->iface ? m->iface : m->input,
				      m->ifdesc, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: -w %s\n", err);
			code = PD_EXIT_USAGE;
			goto out_eve;
		}
	}
	if (tui && pd_save_ring_new(&m->ring))
		m->ring = 0; /* the save key will say so */
	if (m->user) {
		rc = drop_privileges(m->user, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: %s\n", err);
			code = rc == -PD_EUSAGE ? PD_EXIT_USAGE : PD_EXIT_INPUT;
			goto out_eve;
		}
	}
	pd_analysis_begin(&m->a, &m->ao, m->src, 0);
	if (m->input && strcmp(m->input, "-"))
		m->a.input = m->input;
	if (pd_pipeline_open(&m->pipe, &m->a, &sink)) {
		fputs("pktdoctor monitor: out of memory\n", stderr);
		code = PD_EXIT_INPUT;
		goto out_eve;
	}
	if (m->have_nic && m->eve)
		pd_eve_nic(m->eve, &m->nic_info, "start");
	if (tui) {
		struct pd_ui_opts uo = {m->iface, m->netns, m->input, m->filter, m->speed,
					m->topspeed};

		rc = pd_ui_open(&m->ui, &uo, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pktdoctor monitor: %s\n", err);
			code = PD_EXIT_USAGE;
			goto out_pipe;
		}
		atexit(pd_ui_restore_terminal);
		pd_ui_set_analysis(m->ui, &m->a, true);
		if (m->have_nic)
			pd_ui_set_nic(m->ui, &m->nic_info, 0);
		else if (m->iface)
			pd_ui_set_nic(m->ui, 0, err);
	}
	/* signals: the main thread takes them; the analysis thread blocks them */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGHUP, &sa, 0);
	sigaction(SIGUSR1, &sa, 0); /* no SA_RESTART: interrupts a blocked pipe read */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&th, 0, analysis_thread, m);
	pthread_sigmask(SIG_SETMASK, &old, 0);
	if (rc) {
		pd_ui_close(m->ui);
		m->ui = 0;
		fprintf(stderr, "pktdoctor monitor: cannot start the analysis thread\n");
		code = PD_EXIT_INPUT;
		goto out_pipe;
	}
	thread_up = true;
	last_stats = last_nic = last_rate_ns = clock_ns(CLOCK_MONOTONIC);
	for (;;) {
		int64_t now;
		struct pollfd pfd = {m->ui ? pd_ui_fd(m->ui) : -1, POLLIN, 0};

		if (sig_stop || (m->eve && pd_eve_broken(m->eve)))
			quit = true; /* a signal, or the reader of the event pipe is gone */
		if (quit && !m->stop)
			m->stop = 1;
		if (m->stop && m->done)
			break;
		if (m->stop && !m->done)
			pthread_kill(th, SIGUSR1); /* wake a blocked read */
		if (sig_hup && m->ui) /* the terminal hung up */
			quit = true;
		if (sig_hup) {
			sig_hup = 0;
			if (m->eve) {
				pthread_mutex_lock(&m->lock);
				if (pd_eve_reopen(m->eve) && m->ui)
					pd_ui_message(m->ui, "SIGHUP: cannot reopen the event output");
				pthread_mutex_unlock(&m->lock);
			}
		}
		if (m->ui && poll(&pfd, 1, 50) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			quit = true; /* the terminal went away: end as on SIGTERM */
		else
			poll(0, 0, m->done ? 0 : 50);
		now = clock_ns(CLOCK_MONOTONIC);
		if (m->have_nic && now - last_nic >= NIC_INTERVAL_NS) {
			pthread_mutex_lock(&m->lock);
			refresh_nic(m, true);
			pthread_mutex_unlock(&m->lock);
			last_nic = now;
		}
		if (now - last_stats >= m->stats_interval_ns || (m->ui && now - last_rate_ns >= STATS_INTERVAL_NS)) {
			pthread_mutex_lock(&m->lock);
			refresh_nic(m, false);
			collect_stats(m, &st, &last_rate_ns, &last_pk, &last_by);
			if (m->ui)
				pd_ui_set_stats(m->ui, &st);
			if (m->eve && now - last_stats >= m->stats_interval_ns) {
				pd_eve_stats(m->eve, &st);
				last_stats = now;
			}
			pthread_mutex_unlock(&m->lock);
		}
		if (m->ui) {
			pthread_mutex_lock(&m->lock);
			if (m->done && !ended_shown) {
				ended_shown = true;
				pd_ui_set_analysis(m->ui, &m->a, false);
				pd_ui_set_state(m->ui, PD_UI_ENDED,
						m->a.input_error ? m->a.input_error_msg
								 : "input ended; q quits and prints the report");
			}
			if (pd_ui_input(m->ui))
				quit = true;
			{
				const struct pd_finding *f = pd_ui_save_request(m->ui);

				if (f)
					save_finding(m, f);
			}
			pd_ui_draw(m->ui, false);
			pthread_mutex_unlock(&m->lock);
		} else if (m->done) {
			break;
		}
	}
	pthread_join(th, 0);
	thread_up = false;
	pd_ui_close(m->ui); /* the terminal first, whatever happens next */
	m->ui = 0;
	{
		int64_t t = last_rate_ns;

		collect_stats(m, &st, &t, &last_pk, &last_by);
		st.interval_s = 0;
		st.pps = st.bps = 0;
	}
	code = exit_code(m);
	if (m->a.input_error)
		fprintf(stderr, "pktdoctor monitor: %s\n", m->a.input_error_msg);
	if (m->eve) {
		pd_eve_summary(m->eve, &m->a, &st, code);
		if (pd_eve_errors(m->eve))
			fprintf(stderr, "pktdoctor monitor: %llu events could not be written\n",
				(unsigned long long)pd_eve_errors(m->eve));
	}
	/* the offline-style report, unless standard output carries the events */
	if (!m->eve || eo.output != PD_EVE_STDOUT) {
		if (report(m, stdout) != 0)
			code = PD_EXIT_INPUT;
	}
	fflush(stdout);
out_pipe:
	if (thread_up)
		pthread_join(th, 0);
	pd_pipeline_close(m->pipe);
	pd_analysis_free(&m->a);
out_eve:
	pd_eve_close(m->eve);
	pd_save_ring_free(m->ring);
	if (m->capw) {
		int wrc = pd_capwrite_close(m->capw);

		if (!wrc)
			wrc = m->capw_rc;
		if (wrc) {
			fprintf(stderr, "pktdoctor monitor: -w %s: %s\n", m->write_file,
				pd_strerror(wrc));
			if (code != PD_EXIT_USAGE)
				code = PD_EXIT_INPUT;
		}
	}
out_src:
	pd_nic_close(m->nic);
	pd_source_close(m->src);
	return code;
}

int pd_cli_monitor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interface", required_argument, 0, 'i'},
		{"read", required_argument, 0, 'r'},
		{"filter", required_argument, 0, 'f'},
		{"count", required_argument, 0, 'c'},
		{"promisc", no_argument, 0, 'p'},
		{"buffer-size", required_argument, 0, 'B'},
		{"output", required_argument, 0, 'o'},
		{"format", required_argument, 0, 'F'},
		{"write", required_argument, 0, 'w'},
		{"user", required_argument, 0, 'Z'},
		{"help", no_argument, 0, 'h'},
		{"speed", required_argument, 0, 1},
		{"topspeed", no_argument, 0, 2},
		{"netns", required_argument, 0, 3},
		{"backend", required_argument, 0, 4},
		{"no-tui", no_argument, 0, 5},
		{"fail-on", required_argument, 0, 7},
		{"duration", required_argument, 0, 8},
		{"stats-interval", required_argument, 0, 9},
		{"max-flows", required_argument, 0, 10},
		{"storm-threshold", required_argument, 0, 11},
		{"nic", no_argument, 0, 12},
		{0, 0, 0, 0},
	};
	static struct mon m; /* large; one per process */
	int c;
	uint64_t num;

	memset(&m, 0, sizeof(m));
	pthread_mutex_init(&m.lock, 0);
	m.fail_on = PD_SEV_ERROR;
	m.ro.min_severity = PD_SEV_INFO;
	m.ro.show_stats = true;
	m.ao.connections = true; /* the connections pane */
	m.stats_interval_ns = STATS_INTERVAL_NS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:r:f:c:pB:o:F:w:Z:h", longopts, 0)) != -1) {
		switch (c) {
		case 'i':
			m.iface = optarg;
			break;
		case 'r':
			m.input = optarg;
			break;
		case 'f':
			m.filter = optarg;
			break;
		case 'c':
			if (pd_cli_count("pktdoctor monitor", "count", optarg, 1, UINT64_MAX, &m.max_packets))
				return PD_EXIT_USAGE;
			break;
		case 'p':
			m.lo.promisc = true;
			break;
		case 'B':
			/* KiB, as tcpdump -B and analyze -B */
			if (pd_cli_count("pktdoctor monitor", "buffer-size", optarg, 1, 1024 * 1024, &num))
				return PD_EXIT_USAGE;
			m.lo.buffer_bytes = (size_t)num * 1024;
			break;
		case 'o':
			m.output = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "pktdoctor monitor: --format: '%s' is not text or json\n",
					optarg);
				return PD_EXIT_USAGE;
			}
			m.json_report = !strcmp(optarg, "json");
			break;
		case 'w':
			m.write_file = optarg;
			break;
		case 'Z':
			m.user = optarg;
			break;
		case 'h':
			usage(stdout);
			return PD_EXIT_CLEAN;
		case 1:
			if (pd_cli_factor("pktdoctor monitor", "speed", optarg, &m.speed))
				return PD_EXIT_USAGE;
			break;
		case 2:
			m.topspeed = true;
			break;
		case 3:
			m.netns = optarg;
			break;
		case 4:
			if (!strcmp(optarg, "auto")) {
				m.lo.backend = PD_LIVE_AUTO;
			} else if (!strcmp(optarg, "afpacket")) {
				m.lo.backend = PD_LIVE_AFPACKET;
			} else if (!strcmp(optarg, "pcap")) {
				m.lo.backend = PD_LIVE_PCAP;
			} else {
				fprintf(stderr, "pktdoctor monitor: --backend: '%s' is not auto, afpacket "
						"or pcap\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 5:
			m.no_tui = true;
			break;
		case 7: {
			int sev = pd_severity_parse(optarg);

			if (sev < 0) {
				fprintf(stderr, "pktdoctor monitor: --fail-on: '%s' is not info, warning "
						"or error\n", optarg);
				return PD_EXIT_USAGE;
			}
			m.fail_on = sev;
			break;
		}
		case 8:
		case 9:
			if (pd_cli_seconds("pktdoctor monitor", c == 8 ? "duration" : "stats-interval", optarg,
					   c == 8 ? &m.duration_ns : &m.stats_interval_ns))
				return PD_EXIT_USAGE;
			break;
		case 10:
		case 11:
			/* the same ranges as analyze */
			if (pd_cli_count("pktdoctor monitor", c == 10 ? "max-flows" : "storm-threshold", optarg,
					 c == 10 ? 1 : 2, c == 10 ? UINT32_MAX : 1000, &num))
				return PD_EXIT_USAGE;
			if (c == 10)
				m.ao.max_flows = (size_t)num;
			else
				m.ao.storm_threshold = (unsigned)num;
			break;
		case 12:
			m.nic_only = true;
			break;
		default:
			fputs("Try 'pktdoctor monitor --help'.\n", stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pktdoctor monitor: unexpected argument '%s'\n", argv[optind]);
		return PD_EXIT_USAGE;
	}
	if (m.nic_only && !m.iface) {
		fputs("pktdoctor monitor: --nic needs -i IFACE\n", stderr);
		return PD_EXIT_USAGE;
	}
	if (!m.iface == !m.input) {
		fputs("pktdoctor monitor: give -i IFACE (live) or -r FILE (replay), one of them\n"
		      "Try 'pktdoctor monitor --help'.\n", stderr);
		return PD_EXIT_USAGE;
	}
	if (m.input && (m.netns || m.lo.promisc || m.user || m.lo.buffer_bytes)) {
		fputs("pktdoctor monitor: --netns, --promisc, --buffer-size and -Z go with -i IFACE\n",
		      stderr);
		return PD_EXIT_USAGE;
	}
	if (m.iface && (m.speed > 0 || m.topspeed)) {
		fputs("pktdoctor monitor: --speed and --topspeed go with -r FILE\n", stderr);
		return PD_EXIT_USAGE;
	}
	return run(&m);
}
