/* SPDX-License-Identifier: BSD-2-Clause */
/* finding.c - building and keeping findings (include/pktdoctor/finding.h). */
#include <stdarg.h>
#include <stdint.h>
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

static bool evidence_equal(const struct pd_evidence *x, const struct pd_evidence *y)
{
	if (x->type != y->type || strcmp(x->key, y->key))
		return false;
	switch (x->type) {
	case PD_EVT_STR:
		return !strcmp(x->s, y->s);
	case PD_EVT_I64:
		return x->v.i == y->v.i;
	case PD_EVT_DOUBLE:
		return x->v.d == y->v.d;
	case PD_EVT_BOOL:
		return x->v.b == y->v.b;
	default:
		return x->v.u == y->v.u;
	}
}

bool pd_finding_equal(const struct pd_finding *x, const struct pd_finding *y)
{
	if (strcmp(x->id, y->id) || x->severity != y->severity || x->n_frames != y->n_frames ||
	    x->frames_total != y->frames_total || x->folded != y->folded ||
	    x->n_evidence != y->n_evidence || strcmp(x->flow, y->flow) ||
	    strcmp(x->message, y->message) || strcmp(x->advice, y->advice))
		return false;
	for (uint32_t i = 0; i < x->n_frames; i++)
		if (x->frames[i] != y->frames[i])
			return false;
	for (unsigned i = 0; i < x->n_evidence; i++)
		if (!evidence_equal(&x->evidence[i], &y->evidence[i]))
			return false;
	return true;
}

int pd_findings_push(struct pd_findings *list, const struct pd_finding *f)
{
	int rc = pd_vec_reserve(&list->v, &list->cap, list->n, sizeof(*f), 0);

	if (rc)
		return rc;
	list->v[list->n++] = *f;
	return 0;
}

void pd_finding_limit(struct pd_finding *f, const char *table, uint64_t limit,
		      uint64_t not_tracked, const char *unit, uint64_t first_frame)
{
	pd_finding_init(f, "analysis.limit_reached", PD_SEV_WARNING);
	if (first_frame)
		pd_finding_add_frame(f, first_frame);
	if (first_frame)
		pd_finding_message(f, "%s table full (%llu entries): %llu %s not tracked, the "
				      "first in frame %llu",
				   table, (unsigned long long)limit, (unsigned long long)not_tracked,
				   unit, (unsigned long long)first_frame);
	else
		pd_finding_message(f, "%s table full (%llu entries): %llu %s not tracked", table,
				   (unsigned long long)limit, (unsigned long long)not_tracked, unit);
	pd_finding_ev_str(f, "table", "%s", table);
	pd_finding_ev_u64(f, "limit", limit);
	pd_finding_ev_u64(f, "not_tracked", not_tracked);
	pd_finding_ev_u64(f, "overflow", not_tracked);
	pd_finding_ev_str(f, "unit", "%s", unit);
	pd_finding_ev_u64(f, "first_frame", first_frame);
}

/* The counters of @id, or NULL when it has none yet. */
static struct pd_finding_count *id_find(struct pd_findings *list, const char *id)
{
	for (size_t i = 0; i < list->n_ids; i++)
		if (!strcmp(list->ids[i].id, id))
			return &list->ids[i];
	return 0;
}

/* The counters of @id, added when new; NULL past PD_FINDINGS_MAX_IDS. */
static struct pd_finding_count *id_count(struct pd_findings *list, const char *id)
{
	struct pd_finding_count *c = id_find(list, id);

	if (c)
		return c;
	if (pd_vec_reserve(&list->ids, &list->cap_ids, list->n_ids, sizeof(*list->ids),
			   PD_FINDINGS_MAX_IDS))
		return 0;
	c = &list->ids[list->n_ids++];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	return c;
}

/* Write the counters of @c into its aggregate and limit findings. */
static void fold_render(struct pd_findings *list, const struct pd_finding_count *c, size_t cap)
{
	struct pd_finding *agg = &list->v[c->agg], *lim = &list->v[c->limit];
	uint64_t first = agg->n_frames ? agg->frames[0] : 0, lim_key = lim->key;

	agg->folded = c->folded;
	pd_finding_message(agg, "%llu more %s findings past the cap of %zu per id were folded "
				"into this one (the first: %.160s)",
			   (unsigned long long)c->folded, c->id, cap,
			   agg->evidence[3].s);
	agg->evidence[0].v.u = c->folded;
	pd_finding_limit(lim, "findings", cap, c->folded, "findings", first);
	pd_finding_message(lim, "more than %zu %s findings: %llu more were folded into one "
				"aggregate %s finding (the first in frame %llu)",
			   cap, c->id, (unsigned long long)c->folded, c->id,
			   (unsigned long long)first);
	pd_finding_ev_str(lim, "finding_id", "%s", c->id);
	pd_finding_advice(lim, "Raise --max-findings-per-id, or filter the capture (-f) to "
			       "see these findings one by one.");
	lim->key = lim_key; /* rewritten from scratch: the sinks know it by its key */
}

/* Fold @f into the aggregate of its id, creating the aggregate and its
 * analysis.limit_reached finding at the first occurrence past the cap. */
static int fold(struct pd_findings *list, struct pd_finding_count *c, const struct pd_finding *f,
		size_t cap)
{
	struct pd_finding *agg, *lim;
	int rc;

	if (!c->folded) {
		struct pd_finding x;

		/* room for two: the aggregate and its limit finding */
		rc = pd_vec_reserve(&list->v, &list->cap, list->n + 1, sizeof(*list->v), 0);
		if (rc)
			return rc;
		pd_finding_init(&x, f->id, f->severity);
		memcpy(x.flow, f->flow, sizeof(x.flow)); /* kept while they all share it */
		pd_finding_ev_u64(&x, "folded", 0);
		pd_finding_ev_u64(&x, "cap", cap);
		pd_finding_ev_str(&x, "first_flow", "%s", f->flow);
		pd_finding_ev_str(&x, "first_message", "%s", f->message);
		pd_finding_advice(&x, "Raise --max-findings-per-id, or filter the capture (-f) "
				      "to see these findings one by one.");
		c->agg = list->n;
		list->v[list->n++] = x;
		pd_finding_init(&x, "analysis.limit_reached", PD_SEV_WARNING);
		c->limit = list->n;
		list->v[list->n++] = x;
	}
	c->folded++;
	c->by_sev[f->severity < 3 ? f->severity : 2]++;
	c->dirty = true;
	agg = &list->v[c->agg];
	lim = &list->v[c->limit];
	if (f->severity > agg->severity)
		agg->severity = f->severity;
	if (agg->flow[0] && strcmp(agg->flow, f->flow))
		agg->flow[0] = 0;
	for (uint32_t i = 0; i < f->n_frames && agg->n_frames < PD_FINDING_MAX_FRAMES; i++)
		agg->frames[agg->n_frames++] = f->frames[i];
	agg->frames_total += f->frames_total;
	/* the counts now, the text at the next pd_findings_refresh() (or
	 * sort): formatting it for each of a million folds would cost more
	 * than the analysis */
	agg->folded = c->folded;
	agg->evidence[0].v.u = c->folded;
	lim->evidence[2].v.u = c->folded;
	lim->evidence[3].v.u = c->folded;
	if (c->folded == 1)
		fold_render(list, c, cap);
	else
		c->stale = true;
	return 1;
}

int pd_findings_fold_update(struct pd_findings *list, const struct pd_finding *f,
			    uint64_t old_key)
{
	int old_sev = (int)(old_key >> 56 & 3), sev = f->severity < 3 ? f->severity : 2;
	uint64_t old_total = old_key & PD_FINDING_KEY_TOTAL_MASK;
	struct pd_finding_count *c = id_find(list, f->id);
	struct pd_finding *agg;
	int changed = 0;

	if (!c || !c->folded)
		return 0;
	agg = &list->v[c->agg];
	if (sev != old_sev && c->by_sev[old_sev]) {
		c->by_sev[old_sev]--;
		c->by_sev[sev]++;
		for (int s = 2; s >= 0; s--)
			if (c->by_sev[s]) {
				changed |= agg->severity != s;
				agg->severity = (uint8_t)s;
				break;
			}
	}
	if (f->frames_total > old_total) {
		agg->frames_total += f->frames_total - old_total;
		changed = 1;
	} else if (f->frames_total < old_total && agg->frames_total >= old_total - f->frames_total) {
		agg->frames_total -= old_total - f->frames_total;
		changed = 1;
	}
	for (uint32_t i = 0; i < f->n_frames && agg->n_frames < PD_FINDING_MAX_FRAMES; i++) {
		bool seen = false;

		for (uint32_t k = 0; k < agg->n_frames && !seen; k++)
			seen = agg->frames[k] == f->frames[i];
		if (!seen) {
			agg->frames[agg->n_frames++] = f->frames[i];
			changed = 1;
		}
	}
	if (agg->flow[0] && strcmp(agg->flow, f->flow)) {
		agg->flow[0] = 0;
		changed = 1;
	}
	if (changed)
		c->dirty = true;
	return changed;
}

size_t pd_findings_take_dirty(struct pd_findings *list, bool *out)
{
	size_t n = 0;

	pd_findings_refresh(list);
	for (size_t i = 0; i < list->n_ids; i++) {
		out[i] = list->ids[i].dirty;
		n += out[i];
		list->ids[i].dirty = false;
	}
	return n;
}

void pd_findings_refresh(struct pd_findings *list)
{
	size_t cap = list->max_per_id ? list->max_per_id : PD_FINDINGS_DEFAULT_CAP;

	for (size_t i = 0; i < list->n_ids; i++)
		if (list->ids[i].stale) {
			fold_render(list, &list->ids[i], cap);
			list->ids[i].stale = false;
		}
}

int pd_findings_add_capped(struct pd_findings *list, const struct pd_finding *f)
{
	size_t cap = list->max_per_id ? list->max_per_id : PD_FINDINGS_DEFAULT_CAP;
	struct pd_finding_count *c = id_count(list, f->id);
	int rc;

	if (!c) {
		/* more distinct ids than the code has: keep, but count it */
		list->uncapped++;
		return pd_findings_push(list, f);
	}
	if (c->kept >= cap)
		return fold(list, c, f, cap);
	rc = pd_findings_push(list, f);
	if (!rc)
		c->kept++;
	return rc;
}

/* After sorting, find each id's aggregate and limit findings again. */
static void reindex(struct pd_findings *list)
{
	for (size_t k = 0; k < list->n_ids; k++) {
		struct pd_finding_count *c = &list->ids[k];

		if (!c->folded)
			continue;
		for (size_t i = 0; i < list->n; i++) {
			const struct pd_finding *f = &list->v[i];

			if (f->folded && !strcmp(f->id, c->id))
				c->agg = i;
			else if (!strcmp(f->id, "analysis.limit_reached") && f->n_evidence >= 7 &&
				 !strcmp(f->evidence[0].s, "findings") &&
				 !strcmp(f->evidence[6].s, c->id))
				c->limit = i;
		}
	}
}

static uint64_t first_frame(const struct pd_finding *f)
{
	return f->n_frames ? f->frames[0] : UINT64_MAX;
}

/* Severity, then flow, then first frame: puts each (severity, flow) group
 * together. */
static int cmp_group(const void *pa, const void *pb)
{
	const struct pd_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	c = strcmp(a->flow, b->flow);
	if (c)
		return c;
	if (first_frame(a) != first_frame(b))
		return first_frame(a) < first_frame(b) ? -1 : 1;
	return strcmp(a->id, b->id);
}

struct keyed {
	uint64_t group_first;  /* earliest frame of the finding's group */
	size_t pos;            /* position after cmp_group, a tie-breaker */
	struct pd_finding *f;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	if (a->f->severity != b->f->severity)
		return a->f->severity > b->f->severity ? -1 : 1;
	if (a->group_first != b->group_first)
		return a->group_first < b->group_first ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

void pd_findings_sort(struct pd_findings *list)
{
	struct keyed *k;
	struct pd_finding *out;
	size_t n = list->n;

	pd_findings_refresh(list);
	if (n < 2)
		return;
	qsort(list->v, n, sizeof(list->v[0]), cmp_group);
	reindex(list);
	k = malloc(n * sizeof(*k));
	out = malloc(n * sizeof(*out));
	if (!k || !out) {
		/* grouped by flow already; only the order of groups is lost */
		free(k);
		free(out);
		return;
	}
	for (size_t i = 0, start = 0; i < n; i++) {
		if (i == n - 1 || list->v[i + 1].severity != list->v[start].severity ||
		    strcmp(list->v[i + 1].flow, list->v[start].flow)) {
			uint64_t min = UINT64_MAX;

			for (size_t j = start; j <= i; j++)
				if (first_frame(&list->v[j]) < min)
					min = first_frame(&list->v[j]);
			for (size_t j = start; j <= i; j++) {
				k[j].group_first = min;
				k[j].pos = j;
				k[j].f = &list->v[j];
			}
			start = i + 1;
		}
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (size_t i = 0; i < n; i++)
		out[i] = *k[i].f;
	memcpy(list->v, out, n * sizeof(*out));
	free(k);
	free(out);
	reindex(list);
}

void pd_findings_free(struct pd_findings *list)
{
	free(list->v);
	list->v = 0;
	list->n = list->cap = 0;
	free(list->ids);
	list->ids = 0;
	list->n_ids = list->cap_ids = 0;
}

int pd_findings_max_severity(const struct pd_findings *list)
{
	int max = -1;

	for (size_t i = 0; i < list->n; i++)
		if ((int)list->v[i].severity > max)
			max = list->v[i].severity;
	return max;
}

/*
 * Every finding id, one row each, in the order of docs/FINDINGS.md.  A
 * new id gets a row here and a section there; test_finding_ids checks
 * both ways, and `check` rejects policies and expected files naming an
 * id that is not here.
 */
const char *const pd_finding_ids[] = {
	"checksum.bad",
	"checksum.offload_partial",
	"checksum.offload_suspected",
	"checksum.rx_coalesced",
	"capture.truncated_file",
	"capture.snaplen_cut",
	"capture.unsupported_linktype",
	"capture.duplicate_frames",
	"capture.dropped",
	"packet.malformed",
	"analysis.limit_reached",
	"tcp.retransmissions",
	"tcp.retransmission_storm",
	"tcp.tso_artifact",
	"tcp.rx_coalescing",
	"tcp.segment_exceeds_mss",
	"tcp.oversize_blackhole",
	"arp.probe_delay",
	"arp.address_conflict",
	"boot.handover_gap",
	"boot.delay",
	"syslog.boot_error",
	"dhcp.rootpath_invalid",
	"dhcp.rootpath_lun_ambiguous",
	"dhcp.vendor_mismatch",
	"dhcp.no_offer",
	"dhcp.rootpath",
	"dhcp.nak",
	"dhcp.decline",
	"iscsi.login_failed",
	"iscsi.negotiation_invalid",
	"iscsi.burst_order",
	"iscsi.mrdsl_exceeded",
	"iscsi.digest_bad",
	"iscsi.cmdsn_window",
	"iscsi.statsn_gap",
	"iscsi.timeout",
	"iscsi.lun_255",
	"iscsi.login",
	"probe.valid_dropped",      /* pktdoctor probe (src/probe/) */
	"probe.invalid_delivered",
	"probe.gso_exceeds_mss",
	"probe.padding_leak",
	0,
};

bool pd_finding_id_known(const char *id)
{
	for (size_t i = 0; pd_finding_ids[i]; i++)
		if (!strcmp(pd_finding_ids[i], id))
			return true;
	return false;
}

/* Optimal-string-alignment distance (Levenshtein plus swapping two
 * neighbours), capped: ids are short, @a is cut at 64 bytes. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned d[65][65];
	size_t la = strnlen(a, 64), lb = strnlen(b, 64);

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

size_t pd_finding_id_suggest(const char *id, const char **out, size_t max)
{
	unsigned best = UINT32_MAX;
	size_t n = 0;

	if (!max)
		return 0;
	for (size_t i = 0; pd_finding_ids[i]; i++) {
		unsigned d = edit_distance(id, pd_finding_ids[i]);

		if (d < best) {
			best = d;
			n = 0;
		}
		if (d == best && n < max)
			out[n++] = pd_finding_ids[i];
	}
	return n;
}
