/* SPDX-License-Identifier: BSD-2-Clause */
/* finding.c - building and keeping findings (include/pktdoctor/finding.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/finding.h"
#include "pktdoctor/vec.h"

const char *pd_severity_name(int sev)
{
	switch (sev) {
	case PD_SEV_INFO:
		return "info";
	case PD_SEV_WARNING:
		return "warning";
	case PD_SEV_ERROR:
		return "error";
	default:
		return "unknown";
	}
}

int pd_severity_parse(const char *s)
{
	if (!strcmp(s, "info"))
		return PD_SEV_INFO;
	if (!strcmp(s, "warning"))
		return PD_SEV_WARNING;
	if (!strcmp(s, "error"))
		return PD_SEV_ERROR;
	return -PD_EUSAGE;
}

void pd_finding_init(struct pd_finding *f, const char *id, int sev)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->severity = (uint8_t)sev;
}

void pd_finding_add_frame(struct pd_finding *f, uint64_t frame)
{
	if (f->n_frames < PD_FINDING_MAX_FRAMES)
		f->frames[f->n_frames++] = frame;
	f->frames_total++;
}

#define VFORMAT(field)                                                  \
	do {                                                            \
		va_list ap;                                             \
		va_start(ap, fmt);                                      \
		vsnprintf(field, sizeof(field), fmt, ap);               \
		va_end(ap);                                             \
	} while (0)

void pd_finding_message(struct pd_finding *f, const char *fmt, ...)
{
	VFORMAT(f->message);
}

void pd_finding_advice(struct pd_finding *f, const char *fmt, ...)
{
	VFORMAT(f->advice);
}

void pd_finding_flow(struct pd_finding *f, const char *fmt, ...)
{
	VFORMAT(f->flow);
}

static struct pd_evidence *ev_slot(struct pd_finding *f, const char *key, int type)
{
	struct pd_evidence *e;

	if (f->n_evidence >= PD_FINDING_MAX_EVIDENCE)
		return 0;
	e = &f->evidence[f->n_evidence++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->type = (uint8_t)type;
	return e;
}

void pd_finding_ev_u64(struct pd_finding *f, const char *key, uint64_t v)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_U64);

	if (e)
		e->v.u = v;
}

void pd_finding_ev_i64(struct pd_finding *f, const char *key, int64_t v)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_I64);

	if (e)
		e->v.i = v;
}

void pd_finding_ev_double(struct pd_finding *f, const char *key, double v)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_DOUBLE);

	if (e)
		e->v.d = v;
}

void pd_finding_ev_bool(struct pd_finding *f, const char *key, bool v)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_BOOL);

	if (e)
		e->v.b = v;
}

void pd_finding_ev_hex16(struct pd_finding *f, const char *key, uint16_t v)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_HEX16);

	if (e)
		e->v.u = v;
}

void pd_finding_ev_str(struct pd_finding *f, const char *key, const char *fmt, ...)
{
	struct pd_evidence *e = ev_slot(f, key, PD_EVT_STR);

	if (e)
		VFORMAT(e->s);
}

int pd_findings_push(struct pd_findings *list, const struct pd_finding *f)
{
	int rc = pd_vec_reserve(&list->v, &list->cap, list->n, sizeof(*f), 0);

	if (rc)
		return rc;
	list->v[list->n++] = *f;
	return 0;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct pd_finding *a = pa, *b = pb;
	int c;
	uint64_t fa = a->n_frames ? a->frames[0] : 0;
	uint64_t fb = b->n_frames ? b->frames[0] : 0;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	c = strcmp(a->flow, b->flow);
	if (c)
		return c;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return strcmp(a->id, b->id);
}

void pd_findings_sort(struct pd_findings *list)
{
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(list->v[0]), cmp_finding);
}

void pd_findings_free(struct pd_findings *list)
{
	free(list->v);
	list->v = 0;
	list->n = list->cap = 0;
}

int pd_findings_max_severity(const struct pd_findings *list)
{
	int max = -1;

	for (size_t i = 0; i < list->n; i++)
		if ((int)list->v[i].severity > max)
			max = list->v[i].severity;
	return max;
}
