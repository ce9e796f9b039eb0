/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * expect.c - expected-findings files, their comparison, and policies
 * (formats in include/pktdoctor/expect.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/expect.h"
#include "pktdoctor/textfile.h"

/* Append printf output to a bounded buffer. */
static void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!buf || !len)
		return;
	used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static int push(struct pd_expect *e, const struct pd_expect_line *l)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct pd_expect_line *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return -PD_ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = *l;
	return 0;
}

int pd_expect_from_findings(struct pd_expect *e, const struct pd_findings *f, int max_frames)
{
	if (max_frames < 1 || max_frames > PD_FINDING_MAX_FRAMES)
		max_frames = PD_FINDING_MAX_FRAMES;
	for (size_t i = 0; i < f->n; i++) {
		const struct pd_finding *x = &f->v[i];
		struct pd_expect_line l;
		uint32_t shown = x->n_frames < (uint32_t)max_frames ? x->n_frames : (uint32_t)max_frames;
		int rc;

		memset(&l, 0, sizeof(l));
		snprintf(l.id, sizeof(l.id), "%s", x->id);
		snprintf(l.severity, sizeof(l.severity), "%s", pd_severity_name(x->severity));
		snprintf(l.flow, sizeof(l.flow), "%s", x->flow[0] ? x->flow : "-");
		if (!shown)
			snprintf(l.frames, sizeof(l.frames), "-");
		for (uint32_t k = 0; k < shown; k++)
			appendf(l.frames, sizeof(l.frames), "%s%llu", k ? "," : "",
				(unsigned long long)x->frames[k]);
		if (x->frames_total > shown)
			appendf(l.frames, sizeof(l.frames), "/%llu", (unsigned long long)x->frames_total);
		rc = push(e, &l);
		if (rc)
			return rc;
	}
	return 0;
}

void pd_expect_format_line(const struct pd_expect_line *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s %s", l->id, l->severity, l->frames, l->flow);
}

static char *next_word(char **s)
{
	char *w;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	if (!**s)
		return 0;
	w = *s;
	while (**s && **s != ' ' && **s != '\t')
		(*s)++;
	if (**s)
		*(*s)++ = 0;
	return w;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
}

/* Frame numbers are 1-based: "-" (or "-/T"), or "N,N,.../T" with T no
 * smaller than the number of frames listed. */
static bool frames_ok(const char *s)
{
	char buf[400], *tok, *save = 0, *slash;
	uint64_t v, listed = 0;

	if (!strcmp(s, "-"))
		return true;
	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (!strcmp(buf, "-")) /* "-/T": the writer's form for frames counted, none kept */
		return slash && pd_parse_u64(slash, &v) == 0;
	if (!buf[0] || buf[strlen(buf) - 1] == ',' || buf[0] == ',' || strstr(buf, ",,"))
		return false;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(0, ",", &save)) {
		if (pd_parse_u64(tok, &v) || v == 0)
			return false;
		listed++;
	}
	if (slash && (pd_parse_u64(slash, &v) || v < listed))
		return false;
	return true;
}

/* "unknown finding id "x" (did you mean a or b?; ...)" into @err. */
static void unknown_id(const char *path, unsigned no, const char *id, char *err, size_t errlen)
{
	const char *near[4];
	size_t n = pd_finding_id_suggest(id, near, 4);
	char alt[200] = "";

	for (size_t i = 0; i < n; i++)
		appendf(alt, sizeof(alt), "%s%s", i ? (i + 1 == n ? " or " : ", ") : "", near[i]);
	snprintf(err, errlen, "%s:%u: unknown finding id \"%s\" (did you mean %s? every id is in "
		 "docs/FINDINGS.md)", path, no, id, alt);
}

#define EXPECT_LINE_MAX 1023
#define POLICY_LINE_MAX 511

static int expect_read(struct pd_expect *e, struct pd_textfile *tf, char *err, size_t errlen)
{
	char line[EXPECT_LINE_MAX + 1];
	int rc;

	while ((rc = pd_textfile_next(tf, line, sizeof(line), 0, err, errlen)) == 1) {
		struct pd_expect_line l;
		char *s = line, *id, *sev, *fr;
		unsigned no = tf->line;

		chomp(line);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		memset(&l, 0, sizeof(l));
		id = next_word(&s);
		sev = next_word(&s);
		fr = next_word(&s);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!id || !sev || !fr) {
			snprintf(err, errlen, "%s:%u: expected \"ID SEVERITY FRAMES FLOW\"", tf->name, no);
			return -PD_EFORMAT;
		}
		if (!pd_finding_id_known(id)) {
			unknown_id(tf->name, no, id, err, errlen);
			return -PD_EFORMAT;
		}
		if (pd_severity_parse(sev) < 0) {
			snprintf(err, errlen, "%s:%u: severity \"%s\" is not info, warning or error",
				 tf->name, no, sev);
			return -PD_EFORMAT;
		}
		if (!frames_ok(fr)) {
			snprintf(err, errlen, "%s:%u: frames \"%.80s\" are not \"-\" or N,N,.../TOTAL "
				 "(1-based frame numbers)", tf->name, no, fr);
			return -PD_EFORMAT;
		}
		if (strlen(s) >= sizeof(l.flow)) {
			snprintf(err, errlen, "%s:%u: flow longer than %zu bytes", tf->name, no,
				 sizeof(l.flow) - 1);
			return -PD_EFORMAT;
		}
		snprintf(l.id, sizeof(l.id), "%s", id);
		snprintf(l.severity, sizeof(l.severity), "%s", sev);
		snprintf(l.frames, sizeof(l.frames), "%s", fr);
		snprintf(l.flow, sizeof(l.flow), "%s", *s ? s : "-");
		if (e->n >= PD_EXPECT_MAX_LINES) {
			snprintf(err, errlen, "%s:%u: more than %d expected findings", tf->name, no,
				 PD_EXPECT_MAX_LINES);
			return -PD_ELIMIT;
		}
		rc = push(e, &l);
		if (rc) {
			snprintf(err, errlen, "%s:%u: out of memory", tf->name, no);
			return rc;
		}
	}
	return rc;
}

int pd_expect_load(struct pd_expect *e, const char *path, char *err, size_t errlen)
{
	struct pd_textfile tf;
	int rc = pd_textfile_open(&tf, path, EXPECT_LINE_MAX, err, errlen);

	if (rc)
		return rc;
	rc = expect_read(e, &tf, err, errlen);
	pd_textfile_close(&tf);
	return rc;
}

int pd_expect_load_stream(struct pd_expect *e, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	struct pd_textfile tf;
	int rc;

	pd_textfile_attach(&tf, fp, name, EXPECT_LINE_MAX);
	rc = expect_read(e, &tf, err, errlen);
	pd_textfile_close(&tf);
	return rc;
}

int pd_expect_write(const struct pd_expect *e, FILE *out, const char *capture)
{
	char buf[1024];

	fprintf(out, "# pktdoctor expected findings for %s\n"
		     "# id severity frames[/total] flow  (pktdoctor check --update rewrites this)\n",
		capture);
	for (size_t i = 0; i < e->n; i++) {
		pd_expect_format_line(&e->v[i], buf, sizeof(buf));
		fprintf(out, "%s\n", buf);
	}
	return fflush(out) != 0 || ferror(out) ? -PD_EWRITE : 0;
}

void pd_expect_free(struct pd_expect *e)
{
	free(e->v);
	e->v = 0;
	e->n = e->cap = 0;
}

static bool line_eq(const struct pd_expect_line *a, const struct pd_expect_line *b, int mode)
{
	if (strcmp(a->id, b->id))
		return false;
	if (mode == PD_MATCH_IDS)
		return true;
	if (strcmp(a->severity, b->severity))
		return false;
	if (mode == PD_MATCH_COUNTS)
		return true;
	return !strcmp(a->frames, b->frames) && !strcmp(a->flow, b->flow);
}

size_t pd_expect_diff(const struct pd_expect *want, const struct pd_expect *got,
		      int mode, char *diff, size_t difflen)
{
	bool *wused = calloc(want->n + 1, sizeof(bool));
	bool *gused = calloc(got->n + 1, sizeof(bool));
	size_t ndiff = 0;
	char a[1024], b[1024];

	if (diff && difflen)
		diff[0] = 0;
	if (!wused || !gused) {
		free(wused);
		free(gused);
		appendf(diff, difflen, "  (out of memory comparing)\n");
		return 1;
	}
	/* pair identical lines (multiset match) */
	for (size_t i = 0; i < want->n; i++)
		for (size_t j = 0; j < got->n; j++)
			if (!gused[j] && line_eq(&want->v[i], &got->v[j], mode)) {
				wused[i] = gused[j] = true;
				break;
			}
	if (mode == PD_MATCH_IDS) {
		/* a set of ids: an id present on both sides matches all of them */
		for (size_t i = 0; i < want->n; i++)
			for (size_t j = 0; j < got->n && !wused[i]; j++)
				if (!strcmp(want->v[i].id, got->v[j].id))
					wused[i] = true;
		for (size_t j = 0; j < got->n; j++)
			for (size_t i = 0; i < want->n && !gused[j]; i++)
				if (!strcmp(want->v[i].id, got->v[j].id))
					gused[j] = true;
	}
	/* same id and flow on both sides: a changed finding */
	for (size_t i = 0; i < want->n; i++) {
		if (wused[i])
			continue;
		for (size_t j = 0; j < got->n; j++) {
			if (gused[j] || strcmp(want->v[i].id, got->v[j].id) ||
			    strcmp(want->v[i].flow, got->v[j].flow))
				continue;
			pd_expect_format_line(&want->v[i], a, sizeof(a));
			pd_expect_format_line(&got->v[j], b, sizeof(b));
			appendf(diff, difflen, "  ~ changed: %s\n             %s\n", a, b);
			wused[i] = gused[j] = true;
			ndiff++;
			break;
		}
	}
	for (size_t i = 0; i < want->n; i++)
		if (!wused[i]) {
			pd_expect_format_line(&want->v[i], a, sizeof(a));
			appendf(diff, difflen, "  - missing: %s\n", a);
			ndiff++;
		}
	for (size_t j = 0; j < got->n; j++)
		if (!gused[j]) {
			pd_expect_format_line(&got->v[j], b, sizeof(b));
			appendf(diff, difflen, "  + new:     %s\n", b);
			ndiff++;
		}
	free(wused);
	free(gused);
	return ndiff;
}

/* ---- policies ---- */

enum { RULE_FORBID = 1, RULE_REQUIRE, RULE_MAX_SEVERITY, RULE_MAX_COUNT, RULE_EVIDENCE };
enum { OP_LT = 1, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

static int parse_op(const char *s)
{
	static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};

	for (int i = 0; i < 6; i++)
		if (!strcmp(s, ops[i]))
			return i + 1;
	return 0;
}

static bool parse_num(const char *s, double *out)
{
	return s && pd_parse_decimal(s, true, out) == 0;
}

static int policy_read(struct pd_policy *p, struct pd_textfile *tf, char *err, size_t errlen)
{
	char line[POLICY_LINE_MAX + 1];
	int rc;

	while ((rc = pd_textfile_next(tf, line, sizeof(line), 0, err, errlen)) == 1) {
		struct pd_policy_rule r;
		char *s = line, *verb, *a1, *a2, *a3, *a4, *extra;
		const char *why = 0;
		bool ok = false;
		unsigned no = tf->line;

		/* a '#' after a blank starts a comment (docs/ci.md writes rules so) */
		for (char *h = line; (h = strchr(h, '#')); h++)
			if (h == line || h[-1] == ' ' || h[-1] == '\t') {
				*h = 0;
				break;
			}
		chomp(line);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			continue;
		memset(&r, 0, sizeof(r));
		r.line = no;
		snprintf(r.text, sizeof(r.text), "%s", s);
		verb = next_word(&s);
		a1 = next_word(&s);
		a2 = next_word(&s);
		a3 = next_word(&s);
		a4 = next_word(&s);
		extra = next_word(&s);
		if (!verb || extra) {
			ok = false;
		} else if (!strcmp(verb, "forbid") || !strcmp(verb, "require")) {
			r.kind = verb[0] == 'f' ? RULE_FORBID : RULE_REQUIRE;
			ok = a1 && !a2;
		} else if (!strcmp(verb, "max-severity")) {
			r.kind = RULE_MAX_SEVERITY;
			ok = a1 && !a2 && pd_severity_parse(a1) >= 0;
			if (ok)
				r.value = pd_severity_parse(a1);
		} else if (!strcmp(verb, "max-count")) {
			int nrc = a2 ? pd_parse_u64(a2, &r.count) : -PD_EUSAGE;

			r.kind = RULE_MAX_COUNT;
			ok = a1 && !a3 && nrc == 0;
			if (a1 && !a3 && nrc == -PD_ELIMIT)
				why = "the count is larger than 18446744073709551615";
			else if (a1 && a2 && !a3 && nrc)
				why = "the count is not a whole number of findings";
		} else if (!strcmp(verb, "evidence")) {
			int nrc = a4 ? pd_parse_decimal(a4, true, &r.value) : -PD_EUSAGE;

			r.kind = RULE_EVIDENCE;
			r.op = a3 ? parse_op(a3) : 0;
			ok = a1 && a2 && r.op && nrc == 0 && strlen(a2) < sizeof(r.key);
			if (a1 && a2 && a3 && !r.op)
				why = "the operator is not one of < <= > >= == !=";
			else if (a1 && a2 && r.op && a4 && nrc)
				why = "the value is not a finite decimal number";
			else if (a2 && strlen(a2) >= sizeof(r.key))
				why = "the evidence key is too long";
			if (ok)
				snprintf(r.key, sizeof(r.key), "%s", a2);
		}
		if (!ok) {
			if (why)
				snprintf(err, errlen, "%s:%u: cannot read rule \"%s\": %s", tf->name, no,
					 r.text, why);
			else
				snprintf(err, errlen, "%s:%u: cannot read rule \"%s\" (forbid ID | require ID | "
					 "max-severity SEV | max-count ID N | evidence ID KEY OP NUMBER)",
					 tf->name, no, r.text);
			return -PD_EFORMAT;
		}
		if (a1 && r.kind != RULE_MAX_SEVERITY) {
			if (!pd_finding_id_known(a1)) {
				unknown_id(tf->name, no, a1, err, errlen);
				return -PD_EFORMAT;
			}
			snprintf(r.id, sizeof(r.id), "%s", a1);
		}
		if (p->n >= PD_POLICY_MAX_RULES) {
			snprintf(err, errlen, "%s:%u: more than %d rules", tf->name, no,
				 PD_POLICY_MAX_RULES);
			return -PD_ELIMIT;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 8;
			struct pd_policy_rule *v = realloc(p->v, cap * sizeof(*v));

			if (!v) {
				snprintf(err, errlen, "%s:%u: out of memory", tf->name, no);
				return -PD_ENOMEM;
			}
			p->v = v;
			p->cap = cap;
		}
		p->v[p->n++] = r;
	}
	return rc;
}

int pd_policy_load(struct pd_policy *p, const char *path, char *err, size_t errlen)
{
	struct pd_textfile tf;
	int rc = pd_textfile_open(&tf, path, POLICY_LINE_MAX, err, errlen);

	if (rc)
		return rc;
	rc = policy_read(p, &tf, err, errlen);
	pd_textfile_close(&tf);
	return rc;
}

int pd_policy_load_stream(struct pd_policy *p, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	struct pd_textfile tf;
	int rc;

	pd_textfile_attach(&tf, fp, name, POLICY_LINE_MAX);
	rc = policy_read(p, &tf, err, errlen);
	pd_textfile_close(&tf);
	return rc;
}

static bool evidence_number(const struct pd_finding *f, const char *key, double *out)
{
	for (unsigned i = 0; i < f->n_evidence; i++) {
		const struct pd_evidence *e = &f->evidence[i];

		if (strcmp(e->key, key))
			continue;
		switch (e->type) {
		case PD_EVT_U64:
		case PD_EVT_HEX16:
			*out = (double)e->v.u;
			return true;
		case PD_EVT_I64:
			*out = (double)e->v.i;
			return true;
		case PD_EVT_DOUBLE:
			*out = e->v.d;
			return true;
		case PD_EVT_BOOL:
			*out = e->v.b ? 1 : 0;
			return true;
		default:
			return parse_num(e->s, out);
		}
	}
	return false;
}

static bool compare(double a, int op, double b)
{
	switch (op) {
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	case OP_GE:
		return a >= b;
	case OP_EQ:
		return a == b;
	default:
		return a != b;
	}
}

size_t pd_policy_check(const struct pd_policy *p, const struct pd_findings *f,
		       char *out, size_t outlen)
{
	size_t bad = 0;

	if (out && outlen)
		out[0] = 0;
	for (size_t r = 0; r < p->n; r++) {
		const struct pd_policy_rule *rule = &p->v[r];
		size_t count = 0;
		uint64_t first = 0;

		for (size_t i = 0; i < f->n; i++) {
			const struct pd_finding *x = &f->v[i];
			double v;

			switch (rule->kind) {
			case RULE_MAX_SEVERITY:
				if (x->severity > (int)rule->value) {
					count++;
					if (!first && x->n_frames)
						first = x->frames[0];
					if (count == 1)
						appendf(out, outlen, "  policy line %u: %s: %s (%s) %s\n",
							rule->line, rule->text, x->id,
							pd_severity_name(x->severity), x->message);
				}
				break;
			case RULE_EVIDENCE:
				if (strcmp(x->id, rule->id))
					break;
				if (!evidence_number(x, rule->key, &v)) {
					appendf(out, outlen, "  policy line %u: %s: %s has no numeric evidence \"%s\"\n",
						rule->line, rule->text, x->id, rule->key);
					count++;
				} else if (!compare(v, rule->op, rule->value)) {
					appendf(out, outlen, "  policy line %u: %s: %s = %g (%s)\n",
						rule->line, rule->text, rule->key, v, x->flow);
					count++;
				}
				break;
			default:
				if (!strcmp(x->id, rule->id)) {
					count++;
					if (!first && x->n_frames)
						first = x->frames[0];
				}
				break;
			}
		}
		switch (rule->kind) {
		case RULE_FORBID:
			if (count) {
				appendf(out, outlen, "  policy line %u: %s: %zu finding%s (first frame %llu)\n",
					rule->line, rule->text, count, count == 1 ? "" : "s",
					(unsigned long long)first);
				bad++;
			}
			break;
		case RULE_REQUIRE:
			if (!count) {
				appendf(out, outlen, "  policy line %u: %s: no such finding\n", rule->line,
					rule->text);
				bad++;
			}
			break;
		case RULE_MAX_COUNT:
			if (count > rule->count) {
				appendf(out, outlen, "  policy line %u: %s: %zu findings\n", rule->line,
					rule->text, count);
				bad++;
			}
			break;
		default:
			if (count)
				bad++;
			break;
		}
	}
	return bad;
}

void pd_policy_free(struct pd_policy *p)
{
	free(p->v);
	p->v = 0;
	p->n = p->cap = 0;
}
