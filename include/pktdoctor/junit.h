/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * junit.h - JUnit XML for CI systems (the de-facto schema read by Jenkins,
 * GitLab and GitHub Actions test reporters): one <testsuite>, one
 * <testcase> per capture, a <failure> carrying the diff.
 */
#ifndef PKTDOCTOR_JUNIT_H
#define PKTDOCTOR_JUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct pd_junit_case {
	const char *name;       /* the capture file */
	double seconds;         /* time spent, seconds */
	bool failed;
	const char *message;    /* one-line failure summary */
	const char *text;       /* failure body (the diff) */
};

/**
 * pd_report_junit() - write a JUnit XML document.
 * @suite: testsuite name.
 * Return: 0 or -PD_EWRITE.
 */
int pd_report_junit(FILE *out, const char *suite, const struct pd_junit_case *cases, size_t n);

/** pd_xml_escape() - write @s with &, <, >, " and control bytes escaped. */
void pd_xml_escape(FILE *out, const char *s);

#endif
