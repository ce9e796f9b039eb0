/* SPDX-License-Identifier: BSD-2-Clause */
/* json_writer.c - streaming JSON writer (include/pktdoctor/json.h). */
#include <math.h>

#include "pktdoctor/json.h"

void pd_json_init(struct pd_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
}

/* Length of a valid UTF-8 sequence at @s, or 0 (RFC 3629). */
static int utf8_len(const unsigned char *s)
{
	int n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void pd_json_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	fputc('"', out);
	while (*s) {
		int n;

		switch (*s) {
		case '"':
			fputs("\\\"", out);
			s++;
			continue;
		case '\\':
			fputs("\\\\", out);
			s++;
			continue;
		case '\n':
			fputs("\\n", out);
			s++;
			continue;
		case '\r':
			fputs("\\r", out);
			s++;
			continue;
		case '\t':
			fputs("\\t", out);
			s++;
			continue;
		default:
			break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", out);
			s++;
			continue;
		}
		fwrite(s, 1, (size_t)n, out);
		s += n;
	}
	fputc('"', out);
}

static void member(struct pd_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (key) {
		pd_json_escape(j->out, key);
		fputc(':', j->out);
	}
}

static void open_c(struct pd_json *j, const char *key, int c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < PD_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_c(struct pd_json *j, int c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		j->first[0] = true;
}

void pd_json_obj_begin(struct pd_json *j, const char *key)
{
	open_c(j, key, '{');
}

void pd_json_obj_end(struct pd_json *j)
{
	close_c(j, '}');
}

void pd_json_arr_begin(struct pd_json *j, const char *key)
{
	open_c(j, key, '[');
}

void pd_json_arr_end(struct pd_json *j)
{
	close_c(j, ']');
}

void pd_json_str(struct pd_json *j, const char *key, const char *v)
{
	member(j, key);
	pd_json_escape(j->out, v);
}

void pd_json_u64(struct pd_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->out, "%llu", (unsigned long long)v);
}

void pd_json_i64(struct pd_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->out, "%lld", (long long)v);
}

void pd_json_double(struct pd_json *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.6f", v);
	else
		fputs("null", j->out);
}

void pd_json_bool(struct pd_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void pd_json_null(struct pd_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

void pd_json_raw_number(struct pd_json *j, const char *key, const char *digits)
{
	member(j, key);
	fputs(digits, j->out);
}
