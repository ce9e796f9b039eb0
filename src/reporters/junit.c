/* SPDX-License-Identifier: BSD-2-Clause */
/* junit.c - JUnit XML reporter for `pktdoctor check` (include/pktdoctor/junit.h). */
#include "pktdoctor/error.h"
#include "pktdoctor/junit.h"

void pd_xml_escape(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			/* XML 1.0 forbids most control characters even escaped */
			if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
				fputc('?', out);
			else
				fputc(*p, out);
		}
	}
}

int pd_report_junit(FILE *out, const char *suite, const struct pd_junit_case *cases, size_t n)
{
	size_t failures = 0;
	double total = 0;

	for (size_t i = 0; i < n; i++) {
		failures += cases[i].failed;
		total += cases[i].seconds;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"", out);
	pd_xml_escape(out, suite);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n",
		n, failures, total);
	for (size_t i = 0; i < n; i++) {
		const struct pd_junit_case *c = &cases[i];

		fputs("    <testcase classname=\"pktdoctor.check\" name=\"", out);
		pd_xml_escape(out, c->name);
		fprintf(out, "\" time=\"%.3f\"", c->seconds);
		if (!c->failed) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure message=\"", out);
		pd_xml_escape(out, c->message);
		fputs("\" type=\"mismatch\">", out);
		pd_xml_escape(out, c->text);
		fputs("</failure>\n    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return fflush(out) != 0 || ferror(out) ? -PD_EWRITE : 0;
}
