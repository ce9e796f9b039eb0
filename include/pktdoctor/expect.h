/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * expect.h - expected-findings files and policies for `pktdoctor check`
 * (tcpdump's tests/TESTLIST and suricata-verify are the models).
 *
 * Expected-findings file: one finding per line, '#' starts a comment.
 *
 *     <id> <severity> <frames> <flow...>
 *
 * <frames> is the comma-separated list of the first frames, followed by
 * "/<total>" when the finding covers more frames than are listed; "-" for
 * none.  <flow> is the rest of the line ("-" when empty).  Example:
 *
 *     checksum.bad error 9 ICMP 10.77.0.1 -> 10.77.0.2
 *     checksum.offload_partial info 1,3,4,6/13 host 10.77.0.1
 *
 * Policy file: one rule per line; '#' at the start of a line or after a
 * blank starts a comment:
 *
 *     forbid ID                  no finding with this id
 *     require ID                 at least one finding with this id
 *     max-severity SEV           no finding above SEV (info|warning|error)
 *     max-count ID N             at most N findings with this id
 *     evidence ID KEY OP NUMBER  every finding ID has numeric evidence KEY
 *                                with KEY OP NUMBER (OP: < <= > >= == !=)
 */
#ifndef PKTDOCTOR_EXPECT_H
#define PKTDOCTOR_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pktdoctor/finding.h"

/** One expected finding, as a normalised line. */
struct pd_expect_line {
	char id[40];
	char severity[8];
	char frames[400];   /* "1,3,4/13" or "-" */
	char flow[160];     /* "-" when empty */
};

/* The most lines an expected-findings file and a policy may hold: far
 * above what a capture produces or a person writes, and a bound on memory. */
#define PD_EXPECT_MAX_LINES 100000
#define PD_POLICY_MAX_RULES 10000

struct pd_expect {
	struct pd_expect_line *v;
	size_t n, cap;
};

/** How strictly `check` compares. */
enum pd_match_mode {
	PD_MATCH_EXACT = 0,  /* id, severity, frames and flow of every finding */
	PD_MATCH_COUNTS,     /* number of findings per id and severity */
	PD_MATCH_IDS,        /* the set of ids */
};

/**
 * pd_expect_from_findings() - normalise findings into expectation lines.
 * @max_frames: frames kept per line (1..PD_FINDING_MAX_FRAMES).
 * Return: 0 or -PD_ENOMEM.
 */
int pd_expect_from_findings(struct pd_expect *e, const struct pd_findings *f, int max_frames);

/**
 * pd_expect_load() - read an expected-findings file.
 * @err: message naming the file and line on failure.
 * Every line is checked: a known finding id (pd_finding_ids[]; an unknown
 * one is named with the closest known ids), a severity, 1-based frame
 * numbers that fit in 64 bits; a line over 1023 bytes or holding a NUL
 * byte is refused, never split or cut.
 * Return: 0, -PD_EOPEN (cannot read, or a directory), -PD_EFORMAT (bad
 * line), -PD_ELIMIT (over PD_EXPECT_MAX_LINES), -PD_EIO (read error) or
 * -PD_ENOMEM.
 */
int pd_expect_load(struct pd_expect *e, const char *path, char *err, size_t errlen);

/**
 * pd_expect_load_stream() - as pd_expect_load(), from an open stream,
 * which it closes; @name is used in messages.
 */
int pd_expect_load_stream(struct pd_expect *e, FILE *fp, const char *name, char *err,
			  size_t errlen);

/**
 * pd_expect_write() - write lines in the file format, with a header comment.
 * Return: 0 or -PD_EWRITE.
 */
int pd_expect_write(const struct pd_expect *e, FILE *out, const char *capture);

/** pd_expect_format_line() - one line in the file format (no newline). */
void pd_expect_format_line(const struct pd_expect_line *l, char *buf, size_t len);

/**
 * pd_expect_diff() - compare expected with got under @mode.
 * @diff: receives a readable diff ("- missing", "+ new", "~ changed"
 *        lines), NUL-terminated, or "" when they match; may be NULL.
 * Return: the number of differences (0 = match).
 */
size_t pd_expect_diff(const struct pd_expect *want, const struct pd_expect *got,
		      int mode, char *diff, size_t difflen);

/** pd_expect_free() - release memory. */
void pd_expect_free(struct pd_expect *e);

/** One policy rule. */
struct pd_policy_rule {
	int kind;           /* enum in expect.c */
	char id[40];
	char key[40];
	int op;
	double value;       /* evidence: the number compared; max-severity: the severity */
	uint64_t count;     /* max-count: the most findings allowed */
	unsigned line;      /* line in the policy file */
	char text[160];     /* the rule as written */
};

struct pd_policy {
	struct pd_policy_rule *v;
	size_t n, cap;
};

/**
 * pd_policy_load() - read a policy file.
 * Rules naming an id not in pd_finding_ids[], counts past 2^64-1, values
 * that are not finite decimal numbers (nan, inf, 0x10), lines over 511
 * bytes or holding a NUL byte are refused.
 * Return: 0, -PD_EOPEN, -PD_EFORMAT (bad rule; @err names file:line and
 * the reason), -PD_ELIMIT (over PD_POLICY_MAX_RULES), -PD_EIO or -PD_ENOMEM.
 */
int pd_policy_load(struct pd_policy *p, const char *path, char *err, size_t errlen);

/**
 * pd_policy_load_stream() - as pd_policy_load(), from an open stream,
 * which it closes; @name is used in messages.
 */
int pd_policy_load_stream(struct pd_policy *p, FILE *fp, const char *name, char *err,
			  size_t errlen);

/**
 * pd_policy_check() - apply every rule to one file's findings.
 * @out: receives one line per violated rule ("policy line N: RULE: why").
 * Return: the number of violations.
 */
size_t pd_policy_check(const struct pd_policy *p, const struct pd_findings *f,
		       char *out, size_t outlen);

void pd_policy_free(struct pd_policy *p);

#endif
