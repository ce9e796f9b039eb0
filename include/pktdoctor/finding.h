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
};

/** A growable list of findings (one per analysed file). */
struct pd_findings {
	struct pd_finding *v;
	size_t n, cap;
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
 * pd_findings_push() - append a copy of @f.
 * Return: 0 or -PD_ENOMEM.
 */
int pd_findings_push(struct pd_findings *list, const struct pd_finding *f);

/** pd_findings_sort() - order by severity (highest first), then in groups
 * of one flow or host, the groups in the order of their earliest frame. */
void pd_findings_sort(struct pd_findings *list);

/** pd_findings_free() - release the list's memory. */
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
