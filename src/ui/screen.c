/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * screen.c - the monitor's ncurses screen: a header with the NIC as the
 * kernel sees it, rates and drops, then one pane at a time (findings,
 * connections, boot with the iPXE syslog lines inline), a status line
 * with the display filter and an F-key bar drawn from the key table
 * (keys.c).  It draws what the sink put in the model and what struct
 * pd_analysis publishes; at most every 100 ms.  Usable in 80x24; colour
 * when the terminal has it; redrawn on SIGWINCH (KEY_RESIZE).
 */
#define _GNU_SOURCE
#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "ui.h"

#define REDRAW_NS 100000000LL   /* at most 10 redraws a second */
#define MAX_DETAIL_LINES 600
#define HEAD_ROWS 7             /* title, link, offload, rates, alert, tabs, column header */

enum { C_ERROR = 1, C_WARNING, C_INFO, C_BAR, C_INVALID, C_TITLE, C_OK };

struct pd_ui {
	struct pd_ui_opts o;
	FILE *in;                   /* the terminal keys come from */
	struct pd_ui_model m;
	const struct pd_analysis *a;
	bool running;
	struct pd_nic_info nic;
	bool have_nic;
	char nic_err[160];
	struct pd_mon_stats st, st_shown;
	int state;
	char state_msg[160];
	int pane;
	int sel[PD_PANE__COUNT], top[PD_PANE__COUNT];
	bool follow[PD_PANE__COUNT];
	bool paused;
	uint64_t frozen_seq;        /* findings pane: last finding shown while paused */
	size_t frozen_syslog;
	int sort, fsort;
	struct pd_ui_filter flt;
	struct pd_ui_filter saved_flt;
	bool editing;
	int view;                   /* 0 panes, 1 detail, 2 help */
	uint64_t detail_key;
	int detail_top;
	bool dirty;
	int64_t last_draw;
	char msg[200];
	bool color;
	bool save_pending;
	struct pd_finding save_f;
	struct pd_ui_row *rows;
	size_t nrows;
	struct pd_conn *conns;      /* PD_UI_MAX_CONNS */
	bool *conn_live;
	size_t nconns;
	uint64_t conns_truncated;
	char (*lines)[320];         /* detail view, MAX_DETAIL_LINES */
	int nlines;
};

static bool screen_up;
static struct termios saved_tio;  /* the terminal as it was before the screen */
static int saved_fd = -1;

void pd_ui_restore_terminal(void)
{
	if (screen_up) {
		screen_up = false;
		endwin();
	}
}

/* A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) must not leave the
 * terminal raw: put the saved modes back, leave the alternate screen and
 * show the cursor with async-signal-safe calls only, then die of the
 * signal as before. */
static void crash_restore(int sig)
{
	static const char seq[] = "\033[?1049l\033[?25h\033[0m\r\n";

	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSANOW, &saved_tio);
		if (write(STDOUT_FILENO, seq, sizeof(seq) - 1) < 0) {
			/* nothing more can be done */
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash_restore(FILE *in)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa;

	if (tcgetattr(fileno(in), &saved_tio) != 0)
		return;
	saved_fd = fileno(in);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_restore;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = (int)SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, 0);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define MAX_ROWS (PD_UI_MAX_FINDINGS + PD_UI_MAX_CONNS + PD_MAX_SYSLOG + 64)

int pd_ui_open(struct pd_ui **out, const struct pd_ui_opts *o, char *err, size_t errlen)
{
	struct pd_ui *u;

	*out = 0;
	if (!isatty(1)) {
		snprintf(err, errlen, "the screen needs a terminal (use --no-tui for the JSON "
				      "event stream)");
		return -PD_EOPEN;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return -PD_ENOMEM;
	/* keys come from the terminal even when standard input is the capture (-r -) */
	u->in = stdin;
	if (!isatty(0)) {
		u->in = fopen("/dev/tty", "re");
		if (!u->in) {
			snprintf(err, errlen, "no terminal to read keys from (/dev/tty): use --no-tui");
			free(u);
			return -PD_EOPEN;
		}
	}
	u->o = *o;
	u->rows = calloc(MAX_ROWS, sizeof(*u->rows));
	u->conns = calloc(PD_UI_MAX_CONNS, sizeof(*u->conns));
	u->conn_live = calloc(PD_UI_MAX_CONNS, sizeof(*u->conn_live));
	u->lines = calloc(MAX_DETAIL_LINES, sizeof(*u->lines));
	if (!u->rows || !u->conns || !u->conn_live || !u->lines || pd_ui_model_init(&u->m)) {
		pd_ui_close(u);
		return -PD_ENOMEM;
	}
	/* connections and boot follow the newest; findings start at the most severe */
	for (int i = 0; i < PD_PANE__COUNT; i++)
		u->follow[i] = i != PD_PANE_FINDINGS;
	u->flt.valid = true;
	u->state = o->iface ? PD_UI_LIVE : PD_UI_REPLAY;
	install_crash_restore(u->in);
	if (!newterm(0, stdout, u->in)) {
		snprintf(err, errlen, "cannot start the screen: unknown terminal type '%s'",
			 getenv("TERM") ? getenv("TERM") : "");
		pd_ui_close(u);
		return -PD_EOPEN;
	}
	screen_up = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		u->color = true;
		start_color();
		use_default_colors();
		init_pair(C_ERROR, COLOR_RED, -1);
		init_pair(C_WARNING, COLOR_YELLOW, -1);
		init_pair(C_INFO, COLOR_CYAN, -1);
		init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_INVALID, COLOR_WHITE, COLOR_RED);
		init_pair(C_TITLE, COLOR_BLACK, COLOR_GREEN);
		init_pair(C_OK, COLOR_GREEN, -1);
	}
	u->dirty = true;
	*out = u;
	return 0;
}

void pd_ui_close(struct pd_ui *u)
{
	pd_ui_restore_terminal();
	if (!u)
		return;
	if (u->in && u->in != stdin)
		fclose(u->in);
	pd_ui_model_free(&u->m);
	free(u->rows);
	free(u->conns);
	free(u->conn_live);
	free(u->lines);
	free(u);
}

void pd_ui_on_finding(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
		      int event)
{
	struct pd_ui *u = arg;

	(void)a;
	pd_ui_model_finding(&u->m, f, event);
	u->dirty = true;
}

void pd_ui_on_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	struct pd_ui *u = arg;

	(void)a;
	pd_ui_model_packet(&u->m, p);
	u->dirty = true;
}

void pd_ui_set_analysis(struct pd_ui *u, const struct pd_analysis *a, bool running)
{
	u->a = a;
	u->m.a = a;
	u->running = running;
	u->dirty = true;
}

void pd_ui_set_nic(struct pd_ui *u, const struct pd_nic_info *n, const char *err)
{
	if (n) {
		u->nic = *n;
		u->have_nic = true;
		u->m.mtu = n->mtu;
	}
	snprintf(u->nic_err, sizeof(u->nic_err), "%s", err ? err : "");
	u->dirty = true;
}

void pd_ui_set_stats(struct pd_ui *u, const struct pd_mon_stats *st)
{
	u->st = *st;
	if (!u->paused)
		u->st_shown = *st;
	u->dirty = true;
}

void pd_ui_set_state(struct pd_ui *u, int state, const char *msg)
{
	u->state = state;
	snprintf(u->state_msg, sizeof(u->state_msg), "%s", msg ? msg : "");
	if (msg)
		snprintf(u->msg, sizeof(u->msg), "%s", msg);
	u->dirty = true;
}

void pd_ui_message(struct pd_ui *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->dirty = true;
}

int pd_ui_fd(const struct pd_ui *u)
{
	return fileno(u->in);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

size_t pd_ui_flow_frames(const struct pd_ui *u, const struct pd_finding *f, uint64_t *out,
			 size_t max)
{
	uint64_t n = u->m.ring_n < PD_UI_RING ? u->m.ring_n : PD_UI_RING;
	size_t k = 0;

	for (uint32_t i = 0; i < f->n_frames && k < max; i++)
		out[k++] = f->frames[i];
	for (uint64_t i = u->m.ring_n - n; i < u->m.ring_n && k < max; i++) {
		const struct pd_ui_pkt *p = &u->m.ring[i % PD_UI_RING];

		if (pd_ui_pkt_in_flow(p, f->flow))
			out[k++] = p->frame;
	}
	qsort(out, k, sizeof(out[0]), cmp_u64);
	return k;
}

const struct pd_finding *pd_ui_save_request(struct pd_ui *u)
{
	if (!u->save_pending)
		return 0;
	u->save_pending = false;
	return &u->save_f;
}

/* ---- formatting helpers ---- */

static const char *human(double v, char *buf, size_t len)
{
	static const char units[] = " kMGT";
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f%c", v, units[i]);
	return buf;
}

static int sev_pair(int sev)
{
	return sev == PD_SEV_ERROR ? C_ERROR : sev == PD_SEV_WARNING ? C_WARNING : C_INFO;
}

static void put_line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put_line(int y, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	move(y, 0);
	clrtoeol();
	if (attr)
		attron(attr);
	addnstr(buf, COLS);
	if (attr)
		attroff(attr);
}

/* A whole line in @attr, padded to the screen width (title bars). */
static void put_bar(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put_bar(int y, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int w = COLS < (int)sizeof(buf) - 1 ? COLS : (int)sizeof(buf) - 1;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	move(y, 0);
	attron(attr);
	printw("%-*.*s", w, w, buf);
	attroff(attr);
}

static int pair(const struct pd_ui *u, int p)
{
	return u->color ? COLOR_PAIR(p) : 0;
}

/* ---- rows of each pane ---- */

static int cmp_sev(const void *x, const void *y)
{
	const struct pd_ui_finding *a = *(const struct pd_ui_finding *const *)x;
	const struct pd_ui_finding *b = *(const struct pd_ui_finding *const *)y;

	if (a->f.severity != b->f.severity)
		return a->f.severity > b->f.severity ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void add_row(struct pd_ui *u, const struct pd_ui_row *r)
{
	if (u->nrows < MAX_ROWS && pd_ui_filter_match(&u->flt, r))
		u->rows[u->nrows++] = *r;
}

static void finding_rows(struct pd_ui *u)
{
	const struct pd_ui_finding *order[PD_UI_MAX_FINDINGS];
	size_t n = 0;

	for (size_t i = 0; i < u->m.fn && n < PD_UI_MAX_FINDINGS; i++)
		if (!u->paused || u->m.fv[i].seq <= u->frozen_seq)
			order[n++] = &u->m.fv[i];
	if (u->fsort == PD_FSORT_SEVERITY)
		qsort(order, n, sizeof(order[0]), cmp_sev);
	for (size_t i = 0; i < n; i++) {
		const struct pd_ui_finding *x = order[i];
		struct pd_ui_row r;
		char proto[16];

		memset(&r, 0, sizeof(r));
		snprintf(r.text, sizeof(r.text), "%-7s %c %-28s %s", pd_severity_name(x->f.severity),
			 x->last_event == PD_FINDING_CLOSE ? ' ' : x->updates ? '*' : '+', x->f.id,
			 x->f.message);
		snprintf(r.match, sizeof(r.match), "%s", x->f.flow);
		r.id = x->f.id;
		r.sev = x->f.severity;
		r.key = x->f.key;
		r.attr = sev_pair(x->f.severity);
		pd_eve_parse_flow(x->f.flow, proto, sizeof(proto), r.addr[0], sizeof(r.addr[0]),
				  &r.port[0], r.addr[1], sizeof(r.addr[1]), &r.port[1]);
		add_row(u, &r);
	}
}

struct conn_collect {
	struct pd_ui *u;
};

static void collect_live(void *arg, const struct pd_flow *f)
{
	struct pd_ui *u = arg;

	if (u->nconns >= PD_UI_MAX_CONNS) {
		u->conns_truncated++;
		return;
	}
	if (pd_tcp_conn_snapshot(u->a, f, &u->conns[u->nconns]) == 0)
		u->conn_live[u->nconns++] = true;
}

static uint64_t conn_retrans(const struct pd_conn *c)
{
	return c->retrans[0] + c->retrans[1] + c->fast_retrans[0] + c->fast_retrans[1];
}

/* largest segment against the receiver's MSS, per mille */
static uint64_t conn_seg_ratio(const struct pd_conn *c)
{
	uint64_t best = 0;

	for (int s = 0; s < 2; s++) {
		uint16_t mss = c->mss[1 - s];

		if (mss && c->max_seg[s] * 1000ull / mss > best)
			best = c->max_seg[s] * 1000ull / mss;
	}
	return best;
}

static int g_sort;

static int cmp_conn(const void *x, const void *y)
{
	const struct pd_conn *a = x, *b = y;
	uint64_t va, vb;

	switch (g_sort) {
	case PD_SORT_BYTES:
		va = a->bytes[0] + a->bytes[1];
		vb = b->bytes[0] + b->bytes[1];
		break;
	case PD_SORT_SEG_MSS:
		va = conn_seg_ratio(a);
		vb = conn_seg_ratio(b);
		break;
	case PD_SORT_RTT:
		va = a->rtt_ns < 0 ? 0 : (uint64_t)a->rtt_ns;
		vb = b->rtt_ns < 0 ? 0 : (uint64_t)b->rtt_ns;
		break;
	default:
		va = conn_retrans(a);
		vb = conn_retrans(b);
		break;
	}
	if (va != vb)
		return va > vb ? -1 : 1;
	return a->flow_id < b->flow_id ? -1 : a->flow_id > b->flow_id;
}

static const char *sort_name(int s)
{
	static const char *const n[] = {"retransmissions", "bytes", "segment/MSS", "RTT"};

	return s >= 0 && s < PD_SORT__COUNT ? n[s] : "?";
}

/* Sort the connections; the live flag travels with each one in the top
 * bit of its end code (0..3) for the length of the sort. */
static void sort_conns(struct pd_ui *u)
{
	g_sort = u->sort;
	for (size_t i = 0; i < u->nconns; i++)
		if (u->conn_live[i])
			u->conns[i].end |= 0x80;
	qsort(u->conns, u->nconns, sizeof(u->conns[0]), cmp_conn);
	for (size_t i = 0; i < u->nconns; i++) {
		u->conn_live[i] = (u->conns[i].end & 0x80) != 0;
		u->conns[i].end &= 0x7f;
	}
}

static void build_conns(struct pd_ui *u)
{
	const struct pd_analysis *a = u->a;

	if (u->paused || !a)
		return; /* frozen: keep what is shown */
	u->nconns = 0;
	u->conns_truncated = 0;
	for (size_t i = 0; i < a->conns.n; i++) {
		if (u->nconns >= PD_UI_MAX_CONNS) {
			u->conns_truncated++;
			continue;
		}
		u->conns[u->nconns] = a->conns.v[i];
		u->conn_live[u->nconns++] = false;
	}
	if (u->running && a->flows)
		pd_flow_foreach(a->flows, collect_live, u, PD_UI_MAX_CONNS);
	sort_conns(u);
}

static void conn_rows(struct pd_ui *u)
{
	for (size_t i = 0; i < u->nconns; i++) {
		const struct pd_conn *c = &u->conns[i];
		struct pd_ui_row r;
		char ep[2][64], b[16], p[16], seg[24], rtt[16];
		int big = c->max_seg[0] >= c->max_seg[1] ? 0 : 1;

		memset(&r, 0, sizeof(r));
		for (int s = 0; s < 2; s++) {
			char ad[48];

			pd_addr_format(&c->addr[s], ad, sizeof(ad));
			snprintf(r.addr[s], sizeof(r.addr[s]), "%s", ad);
			r.port[s] = c->port[s];
			snprintf(ep[s], sizeof(ep[s]), c->addr[s].family == 6 ? "[%s]:%u" : "%s:%u", ad,
				 c->port[s]);
		}
		if (c->mss[1 - big])
			snprintf(seg, sizeof(seg), "%u/%u", c->max_seg[big], c->mss[1 - big]);
		else
			snprintf(seg, sizeof(seg), "%u/-", c->max_seg[big]);
		if (c->rtt_ns >= 0)
			snprintf(rtt, sizeof(rtt), "%.1f", (double)c->rtt_ns / 1e6);
		else
			snprintf(rtt, sizeof(rtt), "-");
		snprintf(r.text, sizeof(r.text), "%-4.4s %-20.20s %-20.20s %5s %5s %4llu %9s %5s",
			 u->conn_live[i] ? "live" : pd_conn_end_name(c->end), ep[0], ep[1],
			 human((double)(c->packets[0] + c->packets[1]), p, sizeof(p)),
			 human((double)(c->bytes[0] + c->bytes[1]), b, sizeof(b)),
			 (unsigned long long)conn_retrans(c), seg, rtt);
		r.sev = -1;
		if (c->storms || c->oversize_unacked)
			r.attr = C_ERROR;
		else if (conn_retrans(c))
			r.attr = C_WARNING;
		add_row(u, &r);
	}
}

static void boot_rows(struct pd_ui *u)
{
	const struct pd_analysis *a = u->a;
	static const char *const step_short[PD_BOOT__COUNT] = {
		"dhcp", "ack", "tcp", "login", "read", "hand", "os", "os-ip"};
	struct pd_ui_row r;
	size_t nsys;
	int64_t t0;

	if (!a)
		return;
	t0 = a->stats.first_ns;
	/* one host in two rows (80 columns): up to the iSCSI login, then the rest */
	for (size_t i = 0; i < a->boot.n; i++) {
		const struct pd_boot_host *h = &a->boot.v[i];
		int64_t base = 0;
		size_t len;

		memset(&r, 0, sizeof(r));
		r.sev = -1;
		snprintf(r.addr[0], sizeof(r.addr[0]), "%s", h->ip);
		r.attr = h->frame[PD_BOOT_OS_IP] ? C_OK : C_WARNING;
		len = (size_t)snprintf(r.text, sizeof(r.text), "%-17s %-15s", h->mac[0] ? h->mac : "-",
				       h->ip);
		for (int st = 0; st < PD_BOOT__COUNT; st++) {
			if (st == PD_BOOT_FIRST_READ) {
				add_row(u, &r);
				len = (size_t)snprintf(r.text, sizeof(r.text), "%17s", "");
			}
			if (!h->frame[st]) {
				if (len < sizeof(r.text))
					len += (size_t)snprintf(r.text + len, sizeof(r.text) - len,
								" %s -", step_short[st]);
				continue;
			}
			if (!base)
				base = h->ns[st];
			if (len < sizeof(r.text))
				len += (size_t)snprintf(r.text + len, sizeof(r.text) - len, " %s +%.2fs",
							step_short[st], (double)(h->ns[st] - base) / 1e9);
		}
		add_row(u, &r);
	}
	if (!a->boot.n) {
		memset(&r, 0, sizeof(r));
		r.sev = -1;
		snprintf(r.text, sizeof(r.text), "%s",
			 u->running ? "(boot steps per host appear when the capture ends; syslog "
				      "lines as they arrive)"
				    : "(no host booted over the network in this capture)");
		add_row(u, &r);
	}
	nsys = u->paused ? u->frozen_syslog : a->syslog.n;
	for (size_t i = 0; i < nsys && i < a->syslog.n; i++) {
		const struct pd_syslog_msg *s = &a->syslog.v[i];
		char ad[48];

		memset(&r, 0, sizeof(r));
		r.sev = -1;
		pd_addr_format(&s->sender, ad, sizeof(ad));
		snprintf(r.addr[0], sizeof(r.addr[0]), "%s", ad);
		r.port[0] = 514;
		snprintf(r.text, sizeof(r.text), "  %8.3fs %-15s %s%s%s", (double)(s->ts_ns - t0) / 1e9,
			 ad, s->app[0] ? s->app : "", s->app[0] ? ": " : "", s->msg);
		r.attr = s->severity <= 3 ? C_ERROR : s->severity == 4 ? C_WARNING : 0;
		add_row(u, &r);
	}
}

static void build_rows(struct pd_ui *u)
{
	u->nrows = 0;
	if (u->pane == PD_PANE_FINDINGS)
		finding_rows(u);
	else if (u->pane == PD_PANE_CONNS)
		conn_rows(u);
	else
		boot_rows(u);
}

/* ---- drawing ---- */

static int list_height(void)
{
	int h = LINES - HEAD_ROWS - 2;

	return h < 1 ? 1 : h;
}

static void clamp_sel(struct pd_ui *u)
{
	int n = (int)u->nrows, h = list_height(), *sel = &u->sel[u->pane], *top = &u->top[u->pane];

	if (u->follow[u->pane] && !u->paused)
		*sel = n - 1;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	if (*top > *sel)
		*top = *sel;
	if (*sel >= *top + h)
		*top = *sel - h + 1;
	if (*top < 0)
		*top = 0;
}

static const char *state_text(const struct pd_ui *u, char *buf, size_t len)
{
	if (u->state == PD_UI_LIVE)
		snprintf(buf, len, "LIVE");
	else if (u->state == PD_UI_REPLAY && u->o.topspeed)
		snprintf(buf, len, "REPLAY topspeed");
	else if (u->state == PD_UI_REPLAY)
		snprintf(buf, len, "REPLAY %gx", u->o.speed > 0 ? u->o.speed : 1.0);
	else
		snprintf(buf, len, "ENDED");
	return buf;
}

static void draw_header(struct pd_ui *u)
{
	const struct pd_mon_stats *st = &u->st_shown;
	const struct pd_nic_info *n = &u->nic;
	char s[160], a[16], b[16], c[16];
	int y = 0;

	/* title */
	{
		char src[200];

		if (u->o.iface)
			snprintf(src, sizeof(src), "%s%s%s", u->o.iface, u->o.netns ? " netns " : "",
				 u->o.netns ? u->o.netns : "");
		else
			snprintf(src, sizeof(src), "%s", u->o.input ? u->o.input : "-");
		put_bar(y++, pair(u, C_TITLE) | A_BOLD, " pktdoctor monitor  %s  [%s]%s%s%s", src,
			state_text(u, s, sizeof(s)), u->paused ? "  PAUSED" : "",
			u->o.capture_filter ? "  -f " : "",
			u->o.capture_filter ? u->o.capture_filter : "");
	}
	/* link */
	if (u->have_nic) {
		char sp[24];

		if (n->speed_mbps >= 0)
			snprintf(sp, sizeof(sp), "%lldMb/s", (long long)n->speed_mbps);
		else
			snprintf(sp, sizeof(sp), "speed ?");
		put_line(y++, 0, "NIC %s: %s%s %s MTU %u  GSO max %u GRO max %u TSO max %u", n->iface,
			 n->operstate, n->carrier ? "" : " no-carrier", sp, n->mtu, n->gso_max_size,
			 n->gro_max_size, n->tso_max_size);
		if (n->have_features) {
			char off[256];
			size_t len = 0;

			off[0] = 0;
			for (int g = 0; g < PD_NIC__GROUPS && len < sizeof(off); g++) {
				const struct pd_nic_group_state *gs = &n->group[g];

				if (!gs->present)
					continue;
				len += (size_t)snprintf(off + len, sizeof(off) - len, "%s %s%s%s ",
							pd_nic_group_short(g), gs->active ? "on" : "off",
							gs->fixed ? "[f]" : "",
							gs->members == 1 && !gs->fixed &&
							gs->active != gs->requested
							? gs->requested ? "[r:on]" : "[r:off]" : "");
			}
			put_line(y++, 0, "%s", off);
		} else {
			put_line(y++, 0, "offload: not reported by the driver");
		}
	} else {
		put_line(y++, 0, "NIC: %s", u->nic_err[0] ? u->nic_err
				 : u->o.iface ? "reading..." : "none (replay of a capture)");
		put_line(y++, 0, "%s", "");
	}
	/* rates and drops */
	{
		char drops[160];

		if (st->nic_valid)
			snprintf(drops, sizeof(drops), "  if: rx_dropped %llu missed %llu fifo %llu",
				 (unsigned long long)st->rx_dropped,
				 (unsigned long long)st->rx_missed_errors,
				 (unsigned long long)st->rx_fifo_errors);
		else
			drops[0] = 0;
		if (st->capture_valid)
			snprintf(s, sizeof(s), "%llu", (unsigned long long)st->capture_drops);
		else
			snprintf(s, sizeof(s), "-");
		put_line(y++, (st->capture_drops || st->rx_dropped || st->rx_missed_errors)
				      ? pair(u, C_WARNING) : 0,
			 "%s pkt/s %sb/s  %s pkts  drops: capture %s%s",
			 human(st->pps, a, sizeof(a)), human(st->bps, b, sizeof(b)),
			 human((double)st->packets, c, sizeof(c)), s, drops);
	}
	/* alerts: a NIC setting that explains a finding, limits reached */
	{
		char al[300];

		al[0] = 0;
		for (size_t i = 0; i < u->m.fn && u->have_nic; i++) {
			const struct pd_finding *f = &u->m.fv[i].f;

			for (unsigned k = 0; k < f->n_evidence; k++) {
				const struct pd_evidence *e = &f->evidence[k];

				if (strcmp(e->key, "receiver_mss") || e->type != PD_EVT_U64)
					continue;
				if (n->mtu > e->v.u + 40) {
					bool tso = n->group[PD_NIC_TSO].active;
					bool gso = n->group[PD_NIC_GSO].active;

					snprintf(al, sizeof(al), "! MTU %u%s, peer advertised MSS %llu: "
								 "%s", n->mtu, tso ? " + TSO on" : gso ? " + GSO on" : "",
						 (unsigned long long)e->v.u, f->id);
				}
			}
		}
		/* the same from the connections the engine publishes, before any
		 * finding: a segment above the peer's MSS from a host whose MTU allows it */
		for (size_t i = 0; i < u->nconns && !al[0] && u->have_nic; i++) {
			const struct pd_conn *cn = &u->conns[i];

			for (int sd = 0; sd < 2 && !al[0]; sd++) {
				uint16_t mss = cn->mss[1 - sd];
				char ad[48];

				if (!mss || cn->max_seg[sd] <= mss || n->mtu <= (uint32_t)mss + 40)
					continue;
				pd_addr_format(&cn->addr[sd], ad, sizeof(ad));
				snprintf(al, sizeof(al), "! MTU %u%s, peer advertised MSS %u: %s:%u sends "
							 "%u-byte segments", n->mtu,
					 n->group[PD_NIC_TSO].active ? " + TSO on" : "", mss, ad, cn->port[sd],
					 cn->max_seg[sd]);
			}
		}
		if (!al[0] && u->m.over_mtu)
			snprintf(al, sizeof(al), "! %llu frames longer than MTU %u captured: TSO/GRO "
						 "super-segments at the capture point",
				 (unsigned long long)u->m.over_mtu, u->m.mtu);
		if (!al[0] && (u->m.findings_dropped || st->flow_overflow || u->conns_truncated))
			snprintf(al, sizeof(al), "! limits reached: %llu findings not shown (max %d), "
						 "%llu flows not tracked, %llu connections not listed",
				 (unsigned long long)u->m.findings_dropped, PD_UI_MAX_FINDINGS,
				 (unsigned long long)st->flow_overflow,
				 (unsigned long long)u->conns_truncated);
		put_line(y++, al[0] ? pair(u, C_ERROR) | A_BOLD : 0, "%s", al);
	}
	/* tabs */
	{
		static const char *const names[] = {"Findings", "Connections", "Boot"};
		size_t counts[3];

		counts[0] = u->m.fn;
		counts[1] = (u->a ? u->a->conns.n : 0) + (u->running ? u->st.flows_live : 0);
		counts[2] = u->a ? u->a->boot.n + u->a->syslog.n : 0;
		move(y, 0);
		clrtoeol();
		for (int i = 0; i < PD_PANE__COUNT; i++) {
			char t[48];

			snprintf(t, sizeof(t), " %s (%zu) ", names[i], counts[i]);
			if (i == u->pane)
				attron(A_REVERSE | A_BOLD);
			addnstr(t, COLS - getcurx(stdscr));
			if (i == u->pane)
				attroff(A_REVERSE | A_BOLD);
			addch(' ');
		}
		if (u->pane == PD_PANE_CONNS)
			snprintf(s, sizeof(s), " sort: %s", sort_name(u->sort));
		else if (u->pane == PD_PANE_FINDINGS)
			snprintf(s, sizeof(s), " sort: %s", u->fsort == PD_FSORT_TIME ? "time"
											       : "severity");
		else
			s[0] = 0;
		addnstr(s, COLS - getcurx(stdscr));
		y++;
	}
	/* column header */
	if (u->pane == PD_PANE_CONNS)
		put_line(y, A_UNDERLINE, "%-4s %-20s %-20s %5s %5s %4s %9s %5s", "end", "client",
			 "server", "pkts", "bytes", "retr", "seg/MSS", "RTTms");
	else if (u->pane == PD_PANE_FINDINGS)
		put_line(y, A_UNDERLINE, "%-7s %c %-28s %s", "sev", ' ', "finding",
			 "message  (+ new, * updated; Enter: detail)");
	else
		put_line(y, A_UNDERLINE, "%s", "client: boot steps (s after the first; - not seen), "
					       "then syslog (s into the capture)");
}

static void draw_list(struct pd_ui *u)
{
	int h = list_height(), *sel = &u->sel[u->pane], top;

	clamp_sel(u);
	top = u->top[u->pane];
	for (int i = 0; i < h; i++) {
		int idx = top + i, y = HEAD_ROWS + i;

		move(y, 0);
		clrtoeol();
		if (idx >= (int)u->nrows) {
			if (idx == 0)
				addnstr(u->flt.n ? "(nothing matches the filter)" : "(nothing yet)", COLS);
			continue;
		}
		{
			const struct pd_ui_row *r = &u->rows[idx];
			int attr = r->attr ? pair(u, r->attr) : 0;

			if (idx == *sel)
				attr |= A_REVERSE;
			attron(attr);
			addnstr(r->text, COLS);
			if (idx == *sel)
				hline(' ', COLS - getcurx(stdscr));
			attroff(attr);
		}
	}
}

static void draw_status(struct pd_ui *u)
{
	int y = LINES - 2;

	move(y, 0);
	clrtoeol();
	if (u->editing || u->flt.text[0]) {
		bool bad = !u->flt.valid;

		attron(bad ? pair(u, C_INVALID) | A_BOLD : A_BOLD);
		printw("Filter: %s", u->flt.text);
		if (bad)
			printw("  [invalid: %s]", u->flt.error);
		attroff(bad ? pair(u, C_INVALID) | A_BOLD : A_BOLD);
		if (!bad)
			printw("  (%zu rows)", u->nrows);
		if (!u->editing && u->msg[0] && getcurx(stdscr) < COLS - 4) {
			printw("  | ");
			addnstr(u->msg, COLS - getcurx(stdscr));
		}
		if (u->editing) {
			curs_set(1);
			move(y, 8 + (int)strlen(u->flt.text));
			return;
		}
	} else if (u->msg[0]) {
		addnstr(u->msg, COLS);
	}
	curs_set(0);
}

static void draw_bar(struct pd_ui *u)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < pd_ui_nkeys; i++) {
		const struct pd_ui_key *k = &pd_ui_keys[i];

		if (!k->bar || getcurx(stdscr) >= COLS - 2)
			continue;
		attron(A_BOLD);
		addnstr(k->label, COLS - getcurx(stdscr));
		attroff(A_BOLD);
		attron(pair(u, C_BAR));
		addnstr(k->bar, COLS - getcurx(stdscr));
		attroff(pair(u, C_BAR));
		if (getcurx(stdscr) < COLS - 1)
			addch(' ');
	}
}

static void add_line(struct pd_ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(struct pd_ui *u, const char *fmt, ...)
{
	va_list ap;

	if (u->nlines >= MAX_DETAIL_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(u->lines[u->nlines++], sizeof(u->lines[0]), fmt, ap);
	va_end(ap);
}

/* Wrap @text at the screen width, continuation lines indented under it. */
static void add_wrapped(struct pd_ui *u, const char *label, const char *text)
{
	int ind = (int)strlen(label), w = COLS - ind - 1 < 20 ? 20 : COLS - ind - 1;
	size_t len = strlen(text), pos = 0;
	bool first = true;

	if (!len) {
		add_line(u, "%s-", label);
		return;
	}
	while (pos < len) {
		size_t n = len - pos;

		if (n > (size_t)w) {
			n = (size_t)w;
			while (n > (size_t)w / 2 && text[pos + n] != ' ')
				n--;
		}
		add_line(u, "%*s%.*s", first ? 0 : ind, first ? label : "", (int)n, text + pos);
		first = false;
		pos += n;
		while (text[pos] == ' ')
			pos++;
	}
}

static void build_detail(struct pd_ui *u)
{
	const struct pd_ui_finding *x = pd_ui_model_find(&u->m, u->detail_key);
	const struct pd_finding *f;
	char fr[400];
	size_t len = 0;
	uint64_t shown = 0, first_in = 0;

	u->nlines = 0;
	if (!x) {
		add_line(u, "(the finding is no longer available)");
		return;
	}
	f = &x->f;
	add_line(u, "[%s] %s   (%s, %llu updates)", pd_severity_name(f->severity), f->id,
		 pd_finding_event_name(x->last_event), (unsigned long long)x->updates);
	add_line(u, "Flow:     %s", f->flow[0] ? f->flow : "-");
	add_wrapped(u, "Message:  ", f->message);
	fr[0] = 0;
	for (uint32_t i = 0; i < f->n_frames && len < sizeof(fr) - 24; i++)
		len += (size_t)snprintf(fr + len, sizeof(fr) - len, "%s%llu", i ? " " : "",
					(unsigned long long)f->frames[i]);
	add_line(u, "Frames:   %s%s (%llu in all)", fr,
		 f->frames_total > f->n_frames ? " ..." : "",
		 (unsigned long long)f->frames_total);
	add_line(u, "Evidence:");
	for (unsigned i = 0; i < f->n_evidence; i++) {
		const struct pd_evidence *e = &f->evidence[i];

		switch (e->type) {
		case PD_EVT_U64:
			add_line(u, "  %-24s %llu", e->key, (unsigned long long)e->v.u);
			break;
		case PD_EVT_I64:
			add_line(u, "  %-24s %lld", e->key, (long long)e->v.i);
			break;
		case PD_EVT_DOUBLE:
			add_line(u, "  %-24s %g", e->key, e->v.d);
			break;
		case PD_EVT_BOOL:
			add_line(u, "  %-24s %s", e->key, e->v.b ? "true" : "false");
			break;
		case PD_EVT_HEX16:
			add_line(u, "  %-24s 0x%04x", e->key, (unsigned)(e->v.u & 0xffff));
			break;
		default:
			add_line(u, "  %-24s %s", e->key, e->s);
			break;
		}
	}
	add_wrapped(u, "Advice:   ", f->advice);
	add_line(u, "%s", "");
	{
		uint64_t n = u->m.ring_n < PD_UI_RING ? u->m.ring_n : PD_UI_RING;
		uint64_t start = u->m.ring_n - n;
		int64_t t0 = u->a ? u->a->stats.first_ns : 0;

		add_line(u, "Packets of this flow among the last %llu captured (* = in the finding):",
			 (unsigned long long)n);
		for (uint64_t i = start; i < u->m.ring_n; i++) {
			const struct pd_ui_pkt *k = &u->m.ring[i % PD_UI_RING];
			bool in = false;

			if (!pd_ui_pkt_in_flow(k, f->flow))
				continue;
			for (uint32_t j = 0; j < f->n_frames; j++)
				in |= f->frames[j] == k->frame;
			if (!first_in && in)
				first_in = k->frame;
			shown++;
			add_line(u, "%c%7llu %9.3f %s:%u -> %s:%u %s %u %s", in ? '*' : ' ',
				 (unsigned long long)k->frame, (double)(k->ts_ns - t0) / 1e9, k->src,
				 k->sport, k->dst, k->dport, k->proto, k->wirelen, k->info);
		}
		if (!shown)
			add_line(u, "  (none: the flow's packets have left the ring of the last %d)",
				 PD_UI_RING);
	}
}

static void draw_detail(struct pd_ui *u)
{
	int h = LINES - 2;

	build_detail(u);
	if (u->detail_top > u->nlines - h)
		u->detail_top = u->nlines - h;
	if (u->detail_top < 0)
		u->detail_top = 0;
	put_bar(0, pair(u, C_TITLE) | A_BOLD, " Finding detail  (Esc back, w save, arrows scroll)");
	for (int i = 0; i < h; i++) {
		int idx = u->detail_top + i;
		const char *l = idx < u->nlines ? u->lines[idx] : "";
		int attr = 0;

		if (idx == 0) {
			const struct pd_ui_finding *x = pd_ui_model_find(&u->m, u->detail_key);

			if (x)
				attr = pair(u, sev_pair(x->f.severity)) | A_BOLD;
		} else if (l[0] == '*') {
			attr = A_BOLD;
		}
		put_line(1 + i, attr, "%s", l);
	}
	draw_status(u);
}

static void draw_help(struct pd_ui *u)
{
	int y = 0;

	put_bar(y++, pair(u, C_TITLE) | A_BOLD, " pktdoctor monitor: keys  (any key to go back)");
	for (size_t i = 0; i < pd_ui_nkeys && y < LINES - 2; i++) {
		const struct pd_ui_key *k = &pd_ui_keys[i];

		/* one line per action: the first binding names it */
		if (i && pd_ui_keys[i - 1].action == k->action)
			continue;
		put_line(y++, 0, "  %-6s %s", k->label, k->help);
	}
	while (y < LINES - 2)
		put_line(y++, 0, "%s", "");
	put_line(LINES - 2, 0, "Offloads as ethtool -k: [f] fixed, [r:on] requested on but off.");
	put_line(LINES - 1, 0, "Colours: %s. Filter terms must all match; red while invalid.",
		 u->color ? "red error, yellow warning, cyan info" : "none (terminal has none)");
}

void pd_ui_draw(struct pd_ui *u, bool force)
{
	int64_t now = mono_ns();

	if (!force && (!u->dirty || u->paused || now - u->last_draw < REDRAW_NS))
		return;
	u->last_draw = now;
	u->dirty = false;
	erase();
	if (u->view == 1) {
		draw_detail(u);
	} else if (u->view == 2) {
		draw_help(u);
	} else {
		build_conns(u); /* for the pane and for the header's alert line */
		build_rows(u);
		draw_header(u);
		draw_list(u);
		draw_status(u);
		draw_bar(u);
	}
	refresh();
}

/* ---- input ---- */

static void filter_key(struct pd_ui *u, int ch)
{
	char t[PD_UI_FILTER_LEN];
	size_t len;

	snprintf(t, sizeof(t), "%s", u->flt.text);
	len = strlen(t);
	if (ch == 27) { /* Esc: back to the filter before editing */
		u->flt = u->saved_flt;
		u->editing = false;
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->editing = false;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len)
			t[len - 1] = 0;
	} else if (ch >= 32 && ch < 127 && len + 1 < sizeof(t)) {
		t[len] = (char)ch;
		t[len + 1] = 0;
	} else {
		return;
	}
	pd_ui_filter_parse(&u->flt, t);
	u->follow[u->pane] = false;
}

static void do_action(struct pd_ui *u, int act, bool *quit)
{
	int h = list_height(), *sel = &u->sel[u->pane];

	if (u->view == 2) { /* help: any key goes back */
		u->view = 0;
		if (act == PD_ACT_QUIT)
			*quit = true;
		return;
	}
	if (u->view == 1) {
		switch (act) {
		case PD_ACT_BACK:
		case PD_ACT_DETAIL:
			u->view = 0;
			break;
		case PD_ACT_QUIT:
			*quit = true;
			break;
		case PD_ACT_UP:
			u->detail_top--;
			break;
		case PD_ACT_DOWN:
			u->detail_top++;
			break;
		case PD_ACT_PGUP:
			u->detail_top -= LINES - 3;
			break;
		case PD_ACT_PGDN:
			u->detail_top += LINES - 3;
			break;
		case PD_ACT_HOME:
			u->detail_top = 0;
			break;
		case PD_ACT_END:
			u->detail_top = MAX_DETAIL_LINES;
			break;
		case PD_ACT_SAVE: {
			const struct pd_ui_finding *x = pd_ui_model_find(&u->m, u->detail_key);

			if (x) {
				u->save_f = x->f;
				u->save_pending = true;
			}
			break;
		}
		case PD_ACT_HELP:
			u->view = 2;
			break;
		default:
			break;
		}
		return;
	}
	switch (act) {
	case PD_ACT_HELP:
		u->view = 2;
		break;
	case PD_ACT_QUIT:
		*quit = true;
		break;
	case PD_ACT_NEXT_PANE:
		u->pane = (u->pane + 1) % PD_PANE__COUNT;
		break;
	case PD_ACT_PREV_PANE:
		u->pane = (u->pane + PD_PANE__COUNT - 1) % PD_PANE__COUNT;
		break;
	case PD_ACT_UP:
		(*sel)--;
		u->follow[u->pane] = false;
		break;
	case PD_ACT_DOWN:
		(*sel)++;
		u->follow[u->pane] = false;
		break;
	case PD_ACT_PGUP:
		*sel -= h;
		u->follow[u->pane] = false;
		break;
	case PD_ACT_PGDN:
		*sel += h;
		u->follow[u->pane] = false;
		break;
	case PD_ACT_HOME:
		*sel = 0;
		u->follow[u->pane] = false;
		break;
	case PD_ACT_END: /* termshark: newest entry, live scrolling again */
		if (u->pane == PD_PANE_FINDINGS)
			u->fsort = PD_FSORT_TIME; /* the newest is the last in arrival order */
		u->paused = false;
		u->follow[u->pane] = true;
		u->st_shown = u->st;
		break;
	case PD_ACT_PAUSE:
		u->paused = !u->paused;
		if (u->paused) {
			u->frozen_seq = u->m.next_seq;
			u->frozen_syslog = u->a ? u->a->syslog.n : 0;
		} else {
			u->st_shown = u->st;
		}
		break;
	case PD_ACT_FILTER:
		u->saved_flt = u->flt;
		u->editing = true;
		break;
	case PD_ACT_SORT:
		if (u->pane == PD_PANE_CONNS) {
			u->sort = (u->sort + 1) % PD_SORT__COUNT;
			sort_conns(u); /* a paused pane still re-sorts what it shows */
		} else if (u->pane == PD_PANE_FINDINGS) {
			u->fsort = (u->fsort + 1) % PD_FSORT__COUNT;
		}
		break;
	case PD_ACT_DETAIL:
		if (u->pane == PD_PANE_FINDINGS && *sel < (int)u->nrows && u->nrows) {
			u->detail_key = u->rows[*sel].key;
			u->detail_top = 0;
			u->view = 1;
		} else {
			pd_ui_message(u, "Enter shows a finding's detail (Findings pane)");
		}
		break;
	case PD_ACT_SAVE:
		if (u->pane == PD_PANE_FINDINGS && *sel < (int)u->nrows && u->nrows) {
			const struct pd_ui_finding *x = pd_ui_model_find(&u->m, u->rows[*sel].key);

			if (x) {
				u->save_f = x->f;
				u->save_pending = true;
			}
		}
		break;
	case PD_ACT_REDRAW:
		clearok(stdscr, TRUE);
		break;
	default:
		break;
	}
}

bool pd_ui_input(struct pd_ui *u)
{
	bool quit = false;
	int ch;

	while (!quit && (ch = getch()) != ERR) {
		if (ch == KEY_RESIZE) {
			clearok(stdscr, TRUE);
		} else if (u->editing) {
			filter_key(u, ch);
		} else {
			do_action(u, pd_ui_key_action(ch), &quit);
		}
		/* keys always redraw, also while paused (scrolling a frozen screen) */
		pd_ui_draw(u, true);
	}
	return quit;
}
