/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_textinput.c - the catalogue of finding ids and the strict parsers
 * of text input: every id in docs/FINDINGS.md is in pd_finding_ids[] and
 * every id there is documented and emitted somewhere; the "did you mean"
 * suggestions; numbers that must fit; --syslog-file timestamps.
 * PD_SOURCE_DIR (set by tests/CMakeLists.txt) locates docs/ and src/.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/error.h"
#include "pktdoctor/finding.h"
#include "pktdoctor/textfile.h"
#include "pktdoctor/timeline.h"

#define MAX_IDS 256

static size_t table_count(void)
{
	size_t n = 0;

	while (pd_finding_ids[n])
		n++;
	return n;
}

static bool in_list(char ids[][48], size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

/* The ids of docs/FINDINGS.md: every "## id (severity)" heading. */
static size_t doc_ids(char ids[][48])
{
	FILE *fp = fopen(PD_SOURCE_DIR "/docs/FINDINGS.md", "r");
	char line[512];
	size_t n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char id[48];

		if (sscanf(line, "## %47[a-z0-9_.] (", id) == 1 && strchr(id, '.') && n < MAX_IDS)
			snprintf(ids[n++], 48, "%s", id);
	}
	fclose(fp);
	return n;
}

static void test_docs_match_table(void **state)
{
	static char ids[MAX_IDS][48];
	size_t n = doc_ids(ids);

	(void)state;
	assert_true(n >= 32);
	for (size_t i = 0; i < n; i++) {
		if (!pd_finding_id_known(ids[i]))
			fail_msg("docs/FINDINGS.md has %s; add it to pd_finding_ids[] in src/core/finding.c",
				 ids[i]);
	}
	for (size_t i = 0; pd_finding_ids[i]; i++) {
		if (!in_list(ids, n, pd_finding_ids[i]))
			fail_msg("pd_finding_ids[] has %s; document it in docs/FINDINGS.md", pd_finding_ids[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(pd_finding_ids[i], pd_finding_ids[j]);
	}
	assert_int_equal(table_count(), n);
}

/* Every pd_finding_init(..., "id", ...) in the analyzers names a known id. */
static void test_sources_use_known_ids(void **state)
{
	static const char *const dirs[] = {PD_SOURCE_DIR "/src/analyzers", PD_SOURCE_DIR "/src/core"};
	int seen = 0;

	(void)state;
	for (int d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		assert_non_null(dir);
		while ((e = readdir(dir))) {
			char path[1024], *buf;
			FILE *fp;
			long len;

			if (!strstr(e->d_name, ".c"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name);
			fp = fopen(path, "r");
			assert_non_null(fp);
			fseek(fp, 0, SEEK_END);
			len = ftell(fp);
			fseek(fp, 0, SEEK_SET);
			buf = calloc(1, (size_t)len + 1);
			assert_non_null(buf);
			assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
			fclose(fp);
			for (char *p = buf; (p = strstr(p, "pd_finding_init(")); p++) {
				char *q = strchr(p, '"'), *semi = strchr(p, ';'), id[48];

				if (!q || (semi && semi < q) || sscanf(q, "\"%47[^\"]\"", id) != 1)
					continue;
				if (!pd_finding_id_known(id))
					fail_msg("%s emits %s, which is not in pd_finding_ids[]", path, id);
				seen++;
			}
			free(buf);
		}
		closedir(dir);
	}
	assert_true(seen >= 20);
}

static void test_suggest(void **state)
{
	const char *near[4];
	size_t n;

	(void)state;
	assert_true(pd_finding_id_known("checksum.bad"));
	assert_false(pd_finding_id_known("checksum.ba"));
	assert_false(pd_finding_id_known(""));
	n = pd_finding_id_suggest("checksum.bda", near, 4);
	assert_int_equal(n, 1);
	assert_string_equal(near[0], "checksum.bad");
	n = pd_finding_id_suggest("iscsi.timeuot", near, 4);
	assert_int_equal(n, 1);
	assert_string_equal(near[0], "iscsi.timeout");
	n = pd_finding_id_suggest("dhcp.rootpath_lun", near, 4);
	assert_true(n >= 1);
	assert_string_equal(near[0], "dhcp.rootpath");
	/* a very long input is cut, not overflowed */
	{
		char big[300];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		assert_true(pd_finding_id_suggest(big, near, 4) >= 1);
	}
}

static void test_parse_numbers(void **state)
{
	uint64_t u;
	double d;

	(void)state;
	assert_int_equal(pd_parse_u64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(pd_parse_u64("18446744073709551616", &u), -PD_ELIMIT);
	assert_int_equal(pd_parse_u64("99999999999999999999999", &u), -PD_ELIMIT);
	assert_int_equal(pd_parse_u64("", &u), -PD_EUSAGE);
	assert_int_equal(pd_parse_u64(" 1", &u), -PD_EUSAGE);
	assert_int_equal(pd_parse_u64("+1", &u), -PD_EUSAGE);
	assert_int_equal(pd_parse_u64("-1", &u), -PD_EUSAGE);
	assert_int_equal(pd_parse_u64("1x", &u), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("2.5e-3", false, &d), 0);
	assert_true(d == 2.5e-3);
	assert_int_equal(pd_parse_decimal(".5", false, &d), 0);
	assert_int_equal(pd_parse_decimal("5.", false, &d), 0);
	assert_int_equal(pd_parse_decimal("-1", false, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("-1", true, &d), 0);
	assert_true(d == -1);
	assert_int_equal(pd_parse_decimal("nan", true, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("inf", true, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("0x10", true, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("1e", true, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal(".", true, &d), -PD_EUSAGE);
	assert_int_equal(pd_parse_decimal("1e999", true, &d), -PD_ELIMIT);
	assert_int_equal(pd_parse_decimal(" 1", true, &d), -PD_EUSAGE);
}

static int ts(const char *s, int year, int64_t *ns)
{
	char why[160];

	return pd_timeline_parse_ts(s, year, ns, why, sizeof(why));
}

static void test_syslog_timestamps(void **state)
{
	int64_t ns = 0;
	char why[160];

	(void)state;
	/* 2026-11-22T03:14:02Z = 1795317242 (date -u -d ... +%s) */
	assert_int_equal(ts("2026-11-22T03:14:02Z host: x", 0, &ns), 1);
	assert_true(ns == 1795317242LL * 1000000000LL);
	assert_int_equal(ts("2026-11-22T03:14:02.5+01:00 x", 0, &ns), 1);
	assert_true(ns == (1795317242LL - 3600) * 1000000000LL + 500000000LL);
	assert_int_equal(ts("<34>1 2026-11-22T03:14:02.123456789123Z x", 0, &ns), 1);
	assert_true(ns == 1795317242LL * 1000000000LL + 123456789LL);
	assert_int_equal(ts("2026-11-22 03:14:02,25", 0, &ns), 1);
	assert_true(ns == 1795317242LL * 1000000000LL + 250000000LL);
	assert_int_equal(ts("Nov 22 03:14:02 host x", 2026, &ns), 1);
	assert_true(ns == 1795317242LL * 1000000000LL);
	assert_int_equal(ts("Nov  2 03:14:02 host x", 2026, &ns), 1);
	assert_int_equal(ts("2024-02-29T00:00:00Z", 0, &ns), 1);   /* leap year */
	assert_int_equal(ts("2026-06-30T23:59:60Z", 0, &ns), 1);   /* leap second */
	assert_int_equal(ts("1970-01-01T00:00:00Z", 0, &ns), 1);
	assert_true(ns == 0);
	assert_int_equal(ts("2262-04-11T23:47:15Z", 0, &ns), 1);
	/* no timestamp: a continuation line */
	assert_int_equal(ts("  at frame 3", 0, &ns), 0);
	assert_int_equal(ts("May the source be with you", 0, &ns), 0);
	assert_int_equal(ts("<34>1 - host app", 0, &ns), 0);
	assert_int_equal(ts("", 0, &ns), 0);
	/* invalid: the fuzzed and the stress-test cases */
	assert_int_equal(pd_timeline_parse_ts("2026-13-40T25:61:61Z", 0, &ns, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "month 13"));
	assert_int_equal(pd_timeline_parse_ts("9999-12-31T23:59:59Z", 0, &ns, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "outside"));
	assert_int_equal(ts("2262-04-11T23:47:17Z", 0, &ns), -1);
	assert_int_equal(ts("1969-12-31T23:59:59Z", 0, &ns), -1);
	assert_int_equal(ts("1970-01-01T00:30:00+01:00", 0, &ns), -1); /* before the epoch in UTC */
	assert_int_equal(ts("0000-01-01T00:00:00Z", 0, &ns), -1);
	assert_int_equal(ts("2026-02-29T00:00:00Z", 0, &ns), -1);
	assert_int_equal(ts("2026-04-31T00:00:00Z", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22T24:00:00Z", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22T03:14:02+24:00", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22T03:14:02.", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22T03:14:02Zjunk", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22", 0, &ns), -1);
	assert_int_equal(ts("2026-11-22T-3:14:02Z", 0, &ns), -1);
	assert_int_equal(ts("Feb 29 00:00:00 h", 2026, &ns), -1);
	assert_int_equal(ts("Feb 29 00:00:00 h", 2024, &ns), 1);
	assert_int_equal(ts("Nov 22 3:14:02 h", 2026, &ns), -1);
	assert_int_equal(ts("Nov 0 03:14:02 h", 2026, &ns), -1);
	assert_int_equal(ts("Nov 22 03:14:02 h", 9999, &ns), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_match_table),
		cmocka_unit_test(test_sources_use_known_ids),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_syslog_timestamps),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
