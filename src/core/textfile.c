/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * textfile.c - strict line reader for policies, expected-findings files
 * and --syslog-file (include/pktdoctor/textfile.h).  Reading byte by byte
 * through getc() keeps NUL bytes visible (fgets() would hide everything
 * after one) and bounds the memory of a line.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "pktdoctor/error.h"
#include "pktdoctor/textfile.h"

int pd_textfile_open(struct pd_textfile *t, const char *path, size_t max_len, char *err,
		     size_t errlen)
{
	struct stat st;
	FILE *fp;

	memset(t, 0, sizeof(*t));
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -PD_EOPEN;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		snprintf(err, errlen, "%s: is a directory, not a text file", path);
		return -PD_EOPEN;
	}
	pd_textfile_attach(t, fp, path, max_len);
	return 0;
}

void pd_textfile_attach(struct pd_textfile *t, FILE *fp, const char *name, size_t max_len)
{
	memset(t, 0, sizeof(*t));
	t->fp = fp;
	t->name = name;
	t->max_len = max_len;
}

int pd_textfile_next(struct pd_textfile *t, char *buf, size_t cap, size_t *len, char *err,
		     size_t errlen)
{
	size_t n = 0, max = t->max_len < cap ? t->max_len : cap - 1;
	size_t nul_at = 0;
	int c;
	bool any = false;

	if (!t->fp || !cap)
		return 0;
	while ((c = getc(t->fp)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == 0 && !nul_at)
			nul_at = n + 1;
		if (n >= max) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", t->name, t->line + 1,
				 max);
			return -PD_EFORMAT;
		}
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(t->fp)) {
		snprintf(err, errlen, "%s:%u: read error: %s", t->name, t->line + 1, strerror(errno));
		return -PD_EIO;
	}
	if (!any)
		return 0;
	t->line++;
	if (nul_at) {
		snprintf(err, errlen, "%s:%u: NUL byte at column %zu (not a text file?)", t->name,
			 t->line, nul_at);
		return -PD_EFORMAT;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	if (len)
		*len = n;
	return 1;
}

void pd_textfile_close(struct pd_textfile *t)
{
	if (t->fp)
		fclose(t->fp);
	t->fp = 0;
}

int pd_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -PD_EUSAGE;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -PD_EUSAGE;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -PD_ELIMIT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static const char *digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

int pd_parse_decimal(const char *s, bool allow_negative, double *out)
{
	const char *p = s, *q;
	char *end;
	double v;

	if (!s || !*s)
		return -PD_EUSAGE;
	if (*p == '-' && allow_negative)
		p++;
	q = digits(p);
	if (*q == '.') {
		const char *r = digits(q + 1);

		if (q == p && r == q + 1)
			return -PD_EUSAGE; /* "." alone */
		q = r;
	} else if (q == p) {
		return -PD_EUSAGE;
	}
	if (*q == 'e' || *q == 'E') {
		const char *r = q + 1;

		if (*r == '+' || *r == '-')
			r++;
		if (digits(r) == r)
			return -PD_EUSAGE;
		q = digits(r);
	}
	if (*q)
		return -PD_EUSAGE;
	errno = 0;
	v = strtod(s, &end);
	if (end != q)
		return -PD_EUSAGE;
	if (!isfinite(v) || (errno == ERANGE && v != 0))
		return -PD_ELIMIT;
	*out = v;
	return 0;
}
