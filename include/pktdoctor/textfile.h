/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * textfile.h - strict line reader for the text files pktdoctor reads
 * (policies, expected-findings files, --syslog-file).  A line that is too
 * long or holds a NUL byte is an error naming the file and the line,
 * never split into two lines or cut short without a word; a directory or
 * an unreadable file is an error too.
 */
#ifndef PKTDOCTOR_TEXTFILE_H
#define PKTDOCTOR_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** A text file being read line by line. */
struct pd_textfile {
	FILE *fp;
	const char *name;     /* used in messages */
	unsigned line;        /* 1-based number of the line last read */
	size_t max_len;       /* longest line accepted, bytes without the newline */
};

/**
 * pd_textfile_open() - open @path for reading, refusing a directory.
 * @max_len: longest line accepted, in bytes (without the newline).
 * @err: receives "PATH: reason" on failure.
 * Return: 0 or -PD_EOPEN (missing, permission, a directory).
 */
int pd_textfile_open(struct pd_textfile *t, const char *path, size_t max_len, char *err,
		     size_t errlen);

/**
 * pd_textfile_attach() - read lines from an open stream (an fmemopen()
 * buffer in the fuzz harnesses).  The stream is closed by pd_textfile_close().
 */
void pd_textfile_attach(struct pd_textfile *t, FILE *fp, const char *name, size_t max_len);

/**
 * pd_textfile_next() - read the next line into @buf (NUL-terminated, the
 * newline and a CR before it removed).
 * @cap: size of @buf in bytes; must exceed max_len.
 * @len: receives the line's length in bytes; may be NULL.
 * @err: receives "NAME:LINE: reason" on failure.
 * Return: 1 with a line, 0 at the end of the file, -PD_EFORMAT for a line
 * longer than max_len or holding a NUL byte, -PD_EIO for a read error.
 */
int pd_textfile_next(struct pd_textfile *t, char *buf, size_t cap, size_t *len, char *err,
		     size_t errlen);

/** pd_textfile_close() - close the file (safe to call twice). */
void pd_textfile_close(struct pd_textfile *t);

/*
 * Strict numbers for flags and text files: the whole string must be the
 * number (no spaces, no "0x", no "inf" or "nan"), and a value that does
 * not fit is an error, never clamped or wrapped.
 */

/**
 * pd_parse_u64() - decimal digits only, 0 .. UINT64_MAX.
 * Return: 0, or -PD_EUSAGE (not digits) or -PD_ELIMIT (too large).
 */
int pd_parse_u64(const char *s, uint64_t *out);

/**
 * pd_parse_decimal() - a finite decimal number: [-]digits[.digits][e[+-]digits].
 * @allow_negative: accept a leading '-'.
 * Return: 0, -PD_EUSAGE (not such a number) or -PD_ELIMIT (out of the
 * range of a double).
 */
int pd_parse_decimal(const char *s, bool allow_negative, double *out);

#endif
