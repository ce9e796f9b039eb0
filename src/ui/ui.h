/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ui.h - the monitor's screen (src/ui/): a model that the pipeline's
 * sink fills (model.c: findings by key, a bounded ring of packet
 * summaries, the display filter), the panes that draw it (screen.c) and
 * the key table that maps keys to actions (keys.c).  The screen only
 * draws what the engine publishes; it never analyses.
 */
#ifndef PKTDOCTOR_UI_H
#define PKTDOCTOR_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/analyze.h"
#include "pktdoctor/eve.h"
#include "pktdoctor/nic.h"

/* Bounds: every table has one, and reaching it is shown on screen. */
#define PD_UI_MAX_FINDINGS 2000   /* distinct findings kept for the pane */
#define PD_UI_RING 4096           /* packet summaries kept for the detail view */
#define PD_UI_MAX_CONNS 4096      /* connections listed (ended + live) */
#define PD_UI_FILTER_LEN 128

enum pd_ui_pane { PD_PANE_FINDINGS, PD_PANE_CONNS, PD_PANE_BOOT, PD_PANE__COUNT };

enum pd_ui_state {
	PD_UI_LIVE,      /* capturing from an interface */
	PD_UI_REPLAY,    /* replaying a file or pipe */
	PD_UI_ENDED,     /* the input ended; the screen stays until q */
};

/* Sort orders of the connections pane ('s' cycles). */
enum pd_ui_sort { PD_SORT_RETRANS, PD_SORT_BYTES, PD_SORT_SEG_MSS, PD_SORT_RTT, PD_SORT__COUNT };

/* Sort orders of the findings pane. */
enum pd_ui_fsort { PD_FSORT_SEVERITY, PD_FSORT_TIME, PD_FSORT__COUNT };

/** A finding as the sink delivered it, with when it last changed. */
struct pd_ui_finding {
	struct pd_finding f;
	int last_event;       /* enum pd_finding_event */
	uint64_t updates;
	uint64_t seq;         /* order of first arrival */
};

/** One packet summary in the ring. */
struct pd_ui_pkt {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t wirelen;
	uint32_t epb_flags;
	bool has_epb;
	char src[48], dst[48];
	uint16_t sport, dport;
	char proto[8];
	char info[96];
};

/** The display filter, parsed ('/'). */
struct pd_ui_filter {
	char text[PD_UI_FILTER_LEN];
	bool valid;
	char error[96];       /* why it is invalid */
	int n;
	struct {
		char key;         /* 'p' port, 'h' host, 'i' id prefix, 's' severity, 't' text */
		char val[64];
		unsigned num;
	} term[8];
};

/** One row of a pane, with what the filter can match on. */
struct pd_ui_row {
	char text[320];
	char match[160];      /* more text the filter matches (a finding's flow) */
	const char *id;       /* finding id, or NULL */
	int sev;              /* severity, -1 none */
	char addr[2][48];
	uint16_t port[2];
	uint64_t key;         /* finding key (findings pane) */
	int attr;             /* colour pair, 0 none */
};

struct pd_ui_model {
	struct pd_ui_finding *fv;
	size_t fn, fcap;
	uint64_t findings_dropped;  /* past PD_UI_MAX_FINDINGS */
	uint64_t next_seq;
	struct pd_ui_pkt *ring;     /* PD_UI_RING entries */
	uint64_t ring_n;            /* packets put in so far */
	uint64_t over_mtu;          /* frames longer than MTU + link header seen */
	uint32_t mtu;               /* for over_mtu; 0 unknown */
	const struct pd_analysis *a;
};

int pd_ui_model_init(struct pd_ui_model *m);
void pd_ui_model_free(struct pd_ui_model *m);
void pd_ui_model_finding(struct pd_ui_model *m, const struct pd_finding *f, int event);
void pd_ui_model_packet(struct pd_ui_model *m, const struct pd_packet *p);
const struct pd_ui_finding *pd_ui_model_find(const struct pd_ui_model *m, uint64_t key);

/**
 * pd_ui_filter_parse() - parse a display filter: space-separated terms
 * that must all match: port:N, host:ADDR, id:PREFIX, sev:LEVEL, or a
 * bare word found anywhere in the row.  Return: 0 or -PD_EUSAGE with
 * @flt->error set (the filter is shown red and not applied).
 */
int pd_ui_filter_parse(struct pd_ui_filter *flt, const char *text);

/** pd_ui_filter_match() - does @row pass the filter (an empty filter passes all)? */
bool pd_ui_filter_match(const struct pd_ui_filter *flt, const struct pd_ui_row *row);

/** pd_ui_pkt_in_flow() - is packet @k one of the finding's flow or host? */
bool pd_ui_pkt_in_flow(const struct pd_ui_pkt *k, const char *flow);

/* Actions the keys map to (keys.c). */
enum pd_ui_action {
	PD_ACT_NONE, PD_ACT_HELP, PD_ACT_QUIT, PD_ACT_NEXT_PANE, PD_ACT_PREV_PANE, PD_ACT_UP,
	PD_ACT_DOWN, PD_ACT_PGUP, PD_ACT_PGDN, PD_ACT_HOME, PD_ACT_END, PD_ACT_PAUSE,
	PD_ACT_FILTER, PD_ACT_SORT, PD_ACT_DETAIL, PD_ACT_BACK, PD_ACT_SAVE, PD_ACT_REDRAW,
};

/** One key binding; the F-key bar and the help screen are drawn from the table. */
struct pd_ui_key {
	int key;              /* ncurses key code */
	int action;           /* enum pd_ui_action */
	const char *label;    /* key name in the help screen */
	const char *bar;      /* label in the function bar, or NULL */
	const char *help;     /* what it does */
};

extern const struct pd_ui_key pd_ui_keys[];
extern const size_t pd_ui_nkeys;

/** pd_ui_key_action() - the action bound to @key, or PD_ACT_NONE. */
int pd_ui_key_action(int key);

struct pd_ui;

struct pd_ui_opts {
	const char *iface;          /* live interface, or NULL */
	const char *netns;
	const char *input;          /* replay input name, or NULL */
	const char *capture_filter; /* -f, shown in the header */
	double speed;
	bool topspeed;
};

/**
 * pd_ui_open() - take over the terminal (ncurses).  The caller must call
 * pd_ui_close() on every path; it restores the terminal.
 * Return: 0 or -PD_EOPEN (not a terminal, unknown TERM) with @err set.
 */
int pd_ui_open(struct pd_ui **out, const struct pd_ui_opts *o, char *err, size_t errlen);

/** pd_ui_fd() - the descriptor keys arrive on, to poll(). */
int pd_ui_fd(const struct pd_ui *u);

/** pd_ui_close() - restore the terminal and free (NULL is allowed). */
void pd_ui_close(struct pd_ui *u);

/** pd_ui_restore_terminal() - endwin() if the screen is up; safe from atexit. */
void pd_ui_restore_terminal(void);

/** The sink callbacks: they fill the model only. */
void pd_ui_on_finding(void *arg, const struct pd_analysis *a, const struct pd_finding *f,
		      int event);
void pd_ui_on_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p);

void pd_ui_set_analysis(struct pd_ui *u, const struct pd_analysis *a, bool running);
void pd_ui_set_nic(struct pd_ui *u, const struct pd_nic_info *n, const char *err);
void pd_ui_set_stats(struct pd_ui *u, const struct pd_mon_stats *st);
void pd_ui_set_state(struct pd_ui *u, int state, const char *msg);
/** pd_ui_message() - a one-line message in the status line (a saved file, an error). */
void pd_ui_message(struct pd_ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** pd_ui_input() - handle the keys waiting on standard input.
 * Return: true when the user asked to quit. */
bool pd_ui_input(struct pd_ui *u);

/** pd_ui_draw() - redraw if something changed and at most every 100 ms
 * (always with @force). */
void pd_ui_draw(struct pd_ui *u, bool force);

/** pd_ui_save_request() - the finding whose packets the user asked to
 * save ('w'), or NULL; cleared by the call. */
const struct pd_finding *pd_ui_save_request(struct pd_ui *u);

/**
 * pd_ui_flow_frames() - the frame numbers that belong with finding @f: its
 * own frames and the packets of its flow or host still in the summary
 * ring; sorted ascending (duplicates possible).  Return: how many (<= @max).
 */
size_t pd_ui_flow_frames(const struct pd_ui *u, const struct pd_finding *f, uint64_t *out,
			 size_t max);

#endif
