/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * finding.h - typed findings: what the analyzers conclude.
 *
 * A finding has a stable dotted id (catalogued in docs/FINDINGS.md and
 * never renamed, like Suricata's decode-event names), a severity,
 * 1-based frame numbers as tshark counts them (the first
 * PD_FINDING_MAX_FRAMES plus a total), the flow or host it is about, a
 * one-line message, typed evidence and advice.  Reporters format
 * findings; they never compute them.
 */
#ifndef PKTDOCTOR_FINDING_H
#define PKTDOCTOR_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pd_severity {
	PD_SEV_INFO = 0,
	PD_SEV_WARNING = 1,
	PD_SEV_ERROR = 2,
};

#define PD_FINDING_MAX_FRAMES 32
#define PD_FINDING_MAX_EVIDENCE 20

enum pd_evidence_type {
	PD_EVT_U64,
	PD_EVT_I64,
	PD_EVT_DOUBLE,
	PD_EVT_STR,
	PD_EVT_BOOL,
	PD_EVT_HEX16,  /* printed as "0x1234" */
};

/** One piece of evidence: a key (a static string) and a typed value. */
struct pd_evidence {
	const char *key;
	uint8_t type;          /* enum pd_evidence_type */
	union {
		uint64_t u;
		int64_t i;
		double d;
		bool b;
	} v;
	char s[96];            /* PD_EVT_STR value */
};

struct pd_finding {
	char id[40];           /* stable dotted id, e.g. "checksum.bad" */
	uint64_t key;          /* stable key of this occurrence while a pipeline runs
				* (1-based, in order of first emission); 0 = not emitted */
	uint8_t severity;      /* enum pd_severity */
	uint64_t frames[PD_FINDING_MAX_FRAMES]; /* first frames, ascending as added */
	uint32_t n_frames;     /* entries used in frames[] */
	uint64_t frames_total; /* all frames the finding is about */
	char flow[160];        /* "TCP 10.0.0.1:80 -> 10.0.0.2:5000" or a host, or "" */
	char message[320];     /* one line, no newline */
	char advice[320];      /* what to do, or "" */
	uint8_t n_evidence;
	struct pd_evidence evidence[PD_FINDING_MAX_EVIDENCE];
	uint64_t folded;       /* an aggregate: occurrences folded into it past
				* the per-id cap (0 for an ordinary finding) */
};

/* The key of an emission folded into its id's aggregate (pd_analysis_emit()):
 * bit 63 set, the severity it was last emitted with in bits 56-57, and its
 * frames_total then in bits 0-55, so that a later update can move the
 * aggregate by the difference without a record per folded finding. */
#define PD_FINDING_KEY_FOLDED (1ULL << 63)
#define PD_FINDING_KEY_TOTAL_MASK ((1ULL << 56) - 1)

/** pd_finding_key_folded() - @key belongs to a finding folded into its aggregate. */
static inline bool pd_finding_key_folded(uint64_t key)
{
	return (key & PD_FINDING_KEY_FOLDED) != 0;
}

/** pd_finding_fold_key() - the folded key that remembers @f's severity and frames_total. */
static inline uint64_t pd_finding_fold_key(const struct pd_finding *f)
{
	uint64_t total = f->frames_total < PD_FINDING_KEY_TOTAL_MASK ? f->frames_total
								    : PD_FINDING_KEY_TOTAL_MASK;

	return PD_FINDING_KEY_FOLDED | (uint64_t)(f->severity & 3) << 56 | total;
}

/* Findings of one id kept one by one before the rest are folded into one
 * aggregate finding (--max-findings-per-id). */
#define PD_FINDINGS_DEFAULT_CAP 200
/* Distinct ids the per-id counter table follows (ids come from the code,
 * so about 50 exist; past this, findings are kept without a cap). */
#define PD_FINDINGS_MAX_IDS 1024

/** Per-id counters of a capped list (see pd_findings_add_capped()). */
struct pd_finding_count {
	char id[40];
	uint64_t kept;         /* findings of this id kept one by one */
	uint64_t folded;       /* occurrences folded into the aggregate */
	size_t agg;            /* index of the aggregate in the list */
	size_t limit;          /* index of its analysis.limit_reached finding */
	uint64_t by_sev[3];    /* folded findings by their latest severity: the
				* aggregate has the highest of them */
	bool stale;            /* their messages wait for pd_findings_refresh() */
	bool dirty;            /* changed since a sink was last told (pd_findings_take_dirty()) */
};

/** A growable list of findings (one per analysed file). */
struct pd_findings {
	struct pd_finding *v;
	size_t n, cap;
	size_t max_per_id;     /* 0 = PD_FINDINGS_DEFAULT_CAP */
	struct pd_finding_count *ids;  /* counters, in order of first use */
	size_t n_ids, cap_ids;
	uint64_t uncapped;     /* findings kept past PD_FINDINGS_MAX_IDS ids */
};

/** pd_severity_name() - "info", "warning" or "error". */
const char *pd_severity_name(int sev);

/**
 * pd_severity_parse() - parse "info", "warning" or "error".
 * Return: the severity, or -PD_EUSAGE for anything else.
 */
int pd_severity_parse(const char *s);

/**
 * pd_finding_init() - start a finding.
 * @f: finding to clear and fill.
 * @id: stable dotted id (copied; truncated at 39 bytes).
 * @sev: enum pd_severity.
 */
void pd_finding_init(struct pd_finding *f, const char *id, int sev);

/** pd_finding_add_frame() - count a frame; keep it if there is room. */
void pd_finding_add_frame(struct pd_finding *f, uint64_t frame);

/** pd_finding_message() / pd_finding_advice() / pd_finding_flow() - printf into the field. */
void pd_finding_message(struct pd_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pd_finding_advice(struct pd_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pd_finding_flow(struct pd_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Evidence setters; @key must be a string literal (it is not copied).
 * Evidence past PD_FINDING_MAX_EVIDENCE is dropped. */
void pd_finding_ev_u64(struct pd_finding *f, const char *key, uint64_t v);
void pd_finding_ev_i64(struct pd_finding *f, const char *key, int64_t v);
void pd_finding_ev_double(struct pd_finding *f, const char *key, double v);
void pd_finding_ev_bool(struct pd_finding *f, const char *key, bool v);
void pd_finding_ev_hex16(struct pd_finding *f, const char *key, uint16_t v);
void pd_finding_ev_str(struct pd_finding *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * pd_finding_equal() - do @x and @y say the same: id, severity, frames,
 * flow, message, advice, evidence (keys, types and values) and the folded
 * count?  The key is not compared.
 */
bool pd_finding_equal(const struct pd_finding *x, const struct pd_finding *y);

/**
 * pd_findings_push() - append a copy of @f.
 * Return: 0 or -PD_ENOMEM.
 */
int pd_findings_push(struct pd_findings *list, const struct pd_finding *f);

/**
 * pd_findings_fold_update() - a finding folded into its id's aggregate was
 * emitted again with new evidence: move the aggregate by the difference.
 * Its severity becomes the highest latest severity of its findings (so it
 * can go down, as a dhcp.nak lowered to a warning), new frames are added
 * (up to PD_FINDING_MAX_FRAMES) and frames_total moves by the change.
 * @list: the list.
 * @f: the new version.
 * @old_key: the folded key it had (pd_finding_fold_key() of the old version).
 * Return: 1 when the aggregate changed, 0 when not (or the id has no aggregate).
 */
int pd_findings_fold_update(struct pd_findings *list, const struct pd_finding *f,
			    uint64_t old_key);

/**
 * pd_findings_take_dirty() - the ids whose aggregate or limit finding changed
 * since the last call: their texts are brought up to date and @out[i] set
 * for each (index into list->ids), the flags cleared.
 * @out: room for list->n_ids flags.
 * Return: how many were set.
 */
size_t pd_findings_take_dirty(struct pd_findings *list, bool *out);

/**
 * pd_findings_add_capped() - add a finding, at most @list->max_per_id
 * (default PD_FINDINGS_DEFAULT_CAP) per id; past that, fold it into one
 * aggregate finding of the same id.
 * @list: the findings of one analysis (zeroed before the first call).
 * @f: the finding to add (copied).
 *
 * Below the cap the list is exactly what pd_findings_push() would make.
 * At the first occurrence past the cap, two findings are appended: the
 * aggregate (same id, @folded = occurrences folded, the first folded
 * frames, the highest severity among them, their flow if they all share
 * one, else "", the first folded message as evidence) and an analysis.limit_reached finding (table "findings").
 * Both are updated in place by every later occurrence, so memory stays
 * at (cap + 2) findings per id whatever the capture holds: their counts
 * (@folded, the folded/not_tracked evidence), frames and severity at
 * once, their message text at the next pd_findings_refresh() or
 * pd_findings_sort().
 *
 * Return: 0, 1 when @f was folded into the aggregate, or -PD_ENOMEM.
 */
int pd_findings_add_capped(struct pd_findings *list, const struct pd_finding *f);

/**
 * pd_finding_limit() - fill @f as an analysis.limit_reached finding
 * (warning) for a bounded table that was full.
 * @table: which table ("flows", "arp_hosts", ...; a string literal).
 * @limit: its size, in entries.
 * @not_tracked: what was not tracked because it was full, in @unit.
 * @unit: what @not_tracked counts ("frames", "connections", "findings"...).
 * @first_frame: the first frame whose item was not tracked (0 unknown).
 *
 * Sets the evidence table, limit, not_tracked (also as overflow, its
 * older name), unit and first_frame, the first frame and a message;
 * callers may replace the message and add advice.
 */
void pd_finding_limit(struct pd_finding *f, const char *table, uint64_t limit,
		      uint64_t not_tracked, const char *unit, uint64_t first_frame);

/**
 * pd_findings_refresh() - bring the message text of the aggregates and
 * their analysis.limit_reached findings up to date with their counts.
 * Call before showing a list that is still growing (a live screen);
 * pd_findings_sort() calls it.
 */
void pd_findings_refresh(struct pd_findings *list);

/** pd_findings_sort() - pd_findings_refresh(), then order by severity
 * (highest first), then in groups of one flow or host, the groups in the
 * order of their earliest frame. */
void pd_findings_sort(struct pd_findings *list);

/** pd_findings_free() - release the list's memory (findings and counters). */
void pd_findings_free(struct pd_findings *list);

/** pd_findings_max_severity() - the highest severity, or -1 for none. */
int pd_findings_max_severity(const struct pd_findings *list);

/** Every finding id pktdoctor can emit (docs/FINDINGS.md), NULL-terminated. */
extern const char *const pd_finding_ids[];

/** pd_finding_id_known() - is @id in pd_finding_ids[]? */
bool pd_finding_id_known(const char *id);

/**
 * pd_finding_id_suggest() - the known ids closest to @id by edit distance
 * (insertions, deletions, substitutions, swaps of neighbours), for "did
 * you mean" messages.
 * @out: receives up to @max ids, all at the smallest distance found.
 * Return: the number of ids put in @out.
 */
size_t pd_finding_id_suggest(const char *id, const char **out, size_t max);

#endif
