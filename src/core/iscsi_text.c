/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi_text.c - iSCSI text keys (RFC 7143 6.1) and the negotiation
 * rules of RFC 7143 6.2 and section 13: the key=value parser, the table
 * of operational keys with their result functions, ranges and defaults,
 * and the judgment of an offer and its answer.  Pure string work, so it
 * is tested on its own (tests/test_iscsi.c); the iSCSI analyzer
 * (src/analyzers/iscsi.c) feeds it the Login and Text data segments.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/iscsi_text.h"

/* RFC 7143 section 13 (and 12.1 for AuthMethod), in enum pd_iscsi_key order. */
const struct pd_iscsi_keydef pd_iscsi_keydefs[PD_ISCSI_KEY__COUNT] = {
	/* 13.1 */
	[PD_ISCSI_KEY_HEADER_DIGEST] = {"HeaderDigest", PD_ISCSI_KT_LIST, 0, 0, "None"},
	/* 13.1 */
	[PD_ISCSI_KEY_DATA_DIGEST] = {"DataDigest", PD_ISCSI_KT_LIST, 0, 0, "None"},
	/* 12.1 */
	[PD_ISCSI_KEY_AUTH_METHOD] = {"AuthMethod", PD_ISCSI_KT_LIST, 0, 0, "None"},
	/* 13.2 */
	[PD_ISCSI_KEY_MAX_CONNECTIONS] = {"MaxConnections", PD_ISCSI_KT_MIN, 1, 65535, "1"},
	/* 13.10 */
	[PD_ISCSI_KEY_INITIAL_R2T] = {"InitialR2T", PD_ISCSI_KT_OR, 0, 0, "Yes"},
	/* 13.11 */
	[PD_ISCSI_KEY_IMMEDIATE_DATA] = {"ImmediateData", PD_ISCSI_KT_AND, 0, 0, "Yes"},
	/* 13.13 */
	[PD_ISCSI_KEY_MAX_BURST] = {"MaxBurstLength", PD_ISCSI_KT_MIN, 512, 16777215, "262144"},
	/* 13.14 */
	[PD_ISCSI_KEY_FIRST_BURST] = {"FirstBurstLength", PD_ISCSI_KT_MIN, 512, 16777215, "65536"},
	/* 13.15 */
	[PD_ISCSI_KEY_TIME2WAIT] = {"DefaultTime2Wait", PD_ISCSI_KT_MAX, 0, 3600, "2"},
	/* 13.16 */
	[PD_ISCSI_KEY_TIME2RETAIN] = {"DefaultTime2Retain", PD_ISCSI_KT_MIN, 0, 3600, "20"},
	/* 13.17 */
	[PD_ISCSI_KEY_MAX_OUT_R2T] = {"MaxOutstandingR2T", PD_ISCSI_KT_MIN, 1, 65535, "1"},
	/* 13.18 */
	[PD_ISCSI_KEY_DATA_PDU_IN_ORDER] = {"DataPDUInOrder", PD_ISCSI_KT_OR, 0, 0, "Yes"},
	/* 13.19 */
	[PD_ISCSI_KEY_DATA_SEQ_IN_ORDER] = {"DataSequenceInOrder", PD_ISCSI_KT_OR, 0, 0, "Yes"},
	/* 13.20 */
	[PD_ISCSI_KEY_ERL] = {"ErrorRecoveryLevel", PD_ISCSI_KT_MIN, 0, 2, "0"},
	/* 13.12 */
	[PD_ISCSI_KEY_MRDSL] = {"MaxRecvDataSegmentLength", PD_ISCSI_KT_DECL_NUM, 512, 16777215,
				"8192"},
};


const char *pd_iscsi_neg_name(int v)
{
	static const char *const names[] = {
		"ok", "unknown key", "answer not among the offered values",
		"value out of range", "answer above the offer (result function Minimum)",
		"answer below the offer (result function Maximum)", "Boolean value not Yes or No",
		"Boolean answer contradicts the result the offer fixed", "answered with a list",
		"offered value out of range",
	};

	return v >= 0 && v < (int)(sizeof(names) / sizeof(names[0])) ? names[v] : "unknown";
}

int pd_iscsi_text_next(const uint8_t *buf, size_t len, size_t *off, struct pd_iscsi_kv *kv)
{
	while (*off < len && buf[*off] == 0)
		(*off)++;
	if (*off >= len)
		return 0;
	{
		size_t start = *off, end = start, eq = (size_t)-1;

		while (end < len && buf[end] != 0) {
			if (buf[end] == '=' && eq == (size_t)-1)
				eq = end;
			end++;
		}
		*off = end < len ? end + 1 : end;
		if (eq == (size_t)-1 || eq == start)
			return -PD_EMALFORMED;
		kv->key = (const char *)buf + start;
		kv->key_len = eq - start;
		kv->value = (const char *)buf + eq + 1;
		kv->value_len = end - eq - 1;
		return 1;
	}
}

int pd_iscsi_parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -PD_EMALFORMED;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -PD_EMALFORMED;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -PD_EMALFORMED;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

const struct pd_iscsi_keydef *pd_iscsi_key_find(const char *name, size_t len, int *idx)
{
	for (int i = 0; i < PD_ISCSI_KEY__COUNT; i++)
		if (strlen(pd_iscsi_keydefs[i].name) == len && !memcmp(pd_iscsi_keydefs[i].name, name, len)) {
			if (idx)
				*idx = i;
			return &pd_iscsi_keydefs[i];
		}
	return 0;
}

static int bool_val(const char *v)
{
	if (!strcmp(v, "Yes"))
		return 1;
	if (!strcmp(v, "No"))
		return 0;
	return -1;
}

static int check_value(const struct pd_iscsi_keydef *k, const char *v)
{
	uint64_t n;

	switch (k->type) {
	case PD_ISCSI_KT_LIST:
		return *v && v[0] != ',' ? PD_ISCSI_NEG_OK : PD_ISCSI_NEG_RANGE;
	case PD_ISCSI_KT_AND:
	case PD_ISCSI_KT_OR:
		return bool_val(v) < 0 ? PD_ISCSI_NEG_NOT_BOOL : PD_ISCSI_NEG_OK;
	default:
		if (pd_iscsi_parse_number(v, &n) || n < k->lo || n > k->hi)
			return PD_ISCSI_NEG_RANGE;
		return PD_ISCSI_NEG_OK;
	}
}

int pd_iscsi_check_value(const char *key, const char *value)
{
	const struct pd_iscsi_keydef *k = pd_iscsi_key_find(key, strlen(key), 0);

	return k ? check_value(k, value) : PD_ISCSI_NEG_UNKNOWN_KEY;
}

/* Is @v one of the comma-separated values of @list? */
static bool in_list(const char *list, const char *v)
{
	size_t n = strlen(v);

	while (*list) {
		const char *c = strchr(list, ',');
		size_t len = c ? (size_t)(c - list) : strlen(list);

		if (len == n && !memcmp(list, v, n))
			return true;
		if (!c)
			break;
		list = c + 1;
	}
	return false;
}

static void set_result(char *r, size_t rlen, const char *v)
{
	if (r && rlen)
		snprintf(r, rlen, "%s", v);
}

int pd_iscsi_negotiate(const char *key, const char *offer, const char *answer,
		       char *result, size_t rlen)
{
	const struct pd_iscsi_keydef *k = pd_iscsi_key_find(key, strlen(key), 0);
	uint64_t o = 0, a = 0;
	int ob, ab, res;

	if (!k || k->type == PD_ISCSI_KT_DECL_NUM) {
		set_result(result, rlen, answer ? answer : offer);
		return PD_ISCSI_NEG_UNKNOWN_KEY;
	}
	if (check_value(k, offer) != PD_ISCSI_NEG_OK) {
		set_result(result, rlen, k->def);
		return PD_ISCSI_NEG_BAD_OFFER;
	}
	if (!answer) {
		/* 6.2.2: the answer is optional only where the offer decides */
		ob = bool_val(offer);
		if ((k->type == PD_ISCSI_KT_AND && ob == 0) || (k->type == PD_ISCSI_KT_OR && ob == 1))
			set_result(result, rlen, offer);
		else
			set_result(result, rlen, k->def);
		return PD_ISCSI_NEG_OK;
	}
	if (!strcmp(answer, "Reject") || !strcmp(answer, "Irrelevant") ||
	    !strcmp(answer, "NotUnderstood")) {
		set_result(result, rlen, k->def);
		return PD_ISCSI_NEG_OK;
	}
	switch (k->type) {
	case PD_ISCSI_KT_LIST:
		if (strchr(answer, ',')) {
			set_result(result, rlen, k->def);
			return PD_ISCSI_NEG_LIST_ANSWER;
		}
		if (!in_list(offer, answer)) {
			set_result(result, rlen, k->def);
			return PD_ISCSI_NEG_NOT_OFFERED;
		}
		set_result(result, rlen, answer);
		return PD_ISCSI_NEG_OK;
	case PD_ISCSI_KT_MIN:
	case PD_ISCSI_KT_MAX:
		pd_iscsi_parse_number(offer, &o);
		if (pd_iscsi_parse_number(answer, &a) || a < k->lo || a > k->hi) {
			set_result(result, rlen, offer);
			return PD_ISCSI_NEG_RANGE;
		}
		if (k->type == PD_ISCSI_KT_MIN && a > o) {
			set_result(result, rlen, offer);
			return PD_ISCSI_NEG_ABOVE_OFFER;
		}
		if (k->type == PD_ISCSI_KT_MAX && a < o) {
			set_result(result, rlen, offer);
			return PD_ISCSI_NEG_BELOW_OFFER;
		}
		set_result(result, rlen, answer);
		return PD_ISCSI_NEG_OK;
	default: /* PD_ISCSI_KT_AND, PD_ISCSI_KT_OR */
		ob = bool_val(offer);
		ab = bool_val(answer);
		if (ab < 0) {
			set_result(result, rlen, k->def);
			return PD_ISCSI_NEG_NOT_BOOL;
		}
		res = k->type == PD_ISCSI_KT_AND ? (ob && ab) : (ob || ab);
		set_result(result, rlen, res ? "Yes" : "No");
		/* 6.2.2: the acceptor answers the offered value, or the result
		 * when the offer alone does not decide it */
		if ((k->type == PD_ISCSI_KT_AND && ob == 0 && ab == 1) ||
		    (k->type == PD_ISCSI_KT_OR && ob == 1 && ab == 0))
			return PD_ISCSI_NEG_BOOL_RESULT;
		return PD_ISCSI_NEG_OK;
	}
}
