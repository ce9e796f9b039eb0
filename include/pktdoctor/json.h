/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.h - a minimal streaming JSON writer for the reporters (RFC 8259).
 * Strings are escaped; bytes that are not valid UTF-8 become U+FFFD, so
 * the output always parses.  It writes one document on one line, so
 * several documents form JSON Lines.
 */
#ifndef PKTDOCTOR_JSON_H
#define PKTDOCTOR_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PD_JSON_MAX_DEPTH 16

struct pd_json {
	FILE *out;
	int depth;
	bool first[PD_JSON_MAX_DEPTH]; /* no member written yet at this depth */
};

/** pd_json_init() - start writing to @out. */
void pd_json_init(struct pd_json *j, FILE *out);

/* Containers.  @key is the member name inside an object, NULL in an array
 * or at the top. */
void pd_json_obj_begin(struct pd_json *j, const char *key);
void pd_json_obj_end(struct pd_json *j);
void pd_json_arr_begin(struct pd_json *j, const char *key);
void pd_json_arr_end(struct pd_json *j);

/* Scalars. */
void pd_json_str(struct pd_json *j, const char *key, const char *v);
void pd_json_u64(struct pd_json *j, const char *key, uint64_t v);
void pd_json_i64(struct pd_json *j, const char *key, int64_t v);
void pd_json_double(struct pd_json *j, const char *key, double v);
void pd_json_bool(struct pd_json *j, const char *key, bool v);
void pd_json_null(struct pd_json *j, const char *key);
/** pd_json_raw_number() - a number already formatted, e.g. "12.000001234". */
void pd_json_raw_number(struct pd_json *j, const char *key, const char *digits);

/** pd_json_escape() - write @s as a JSON string literal (with quotes). */
void pd_json_escape(FILE *out, const char *s);

#endif
