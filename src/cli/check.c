/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check.c - `pktdoctor check`: the CI regression gate.  Analyses each
 * capture and compares its findings with the capture's expected-findings
 * file and/or a policy; prints a readable diff, an optional JUnit XML
 * file and a closing "N passed, N failed" line.  Exit 0 only when every
 * capture matches.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pktdoctor/analyze.h"
#include "pktdoctor/error.h"
#include "pktdoctor/expect.h"
#include "pktdoctor/junit.h"

#define DIFF_MAX 16384

struct check_opts {
	const char *expect_dir;
	const char *policy_path;
	const char *junit_path;
	int mode;
	bool update;
	bool quiet;
	const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM */
};

static void check_usage(FILE *out)
{
	fputs("Usage: pktdoctor check [OPTIONS] CAPTURE|DIR...\n"
	      "\n"
	      "Compare each capture's findings with its expected-findings file\n"
	      "(CAPTURE.findings beside it, or DIR/NAME.findings with --expect-dir)\n"
	      "and/or a policy. A DIR argument means every *.pcap, *.pcapng and *.cap in it.\n"
	      "\n"
	      "  -e, --expect-dir DIR   where the expected-findings files are\n"
	      "  -u, --update           rewrite the expected-findings files from the results\n"
	      "  -m, --match MODE       exact (default: id, severity, frames, flow),\n"
	      "                         counts (findings per id and severity) or ids\n"
	      "  -p, --policy FILE      also apply the rules in FILE (see pktdoctor(1));\n"
	      "                         a capture with no expected file is checked by the policy alone\n"
	      "  -j, --junit FILE       write JUnit XML to FILE\n"
	      "  -q, --quiet            print only failures and the closing line\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0 all match, 1 a capture failed, 2 usage error (a bad policy or\n"
	      "expected-findings line, named as file:line), 3 a file could not be written,\n"
	      "128+N stopped by signal N (130 for SIGINT).\n",
	      out);
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int add_name(struct name_list *l, const char *s)
{
	char *d;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -PD_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	d = strdup(s);
	if (!d)
		return -PD_ENOMEM;
	l->v[l->n++] = d;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_capture_name(const char *n)
{
	size_t len = strlen(n);
	static const char *const ext[] = {".pcap", ".pcapng", ".cap"};

	for (int i = 0; i < 3; i++) {
		size_t el = strlen(ext[i]);

		if (len > el && !strcmp(n + len - el, ext[i]))
			return true;
	}
	return false;
}

/* Expand directories into their capture files (sorted, not recursive). */
static int collect(struct name_list *l, const char *arg)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t first = l->n, dirlen = strlen(arg);

	if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))
		return add_name(l, arg);
	while (dirlen > 1 && arg[dirlen - 1] == '/')
		dirlen--;
	d = opendir(arg);
	if (!d) {
		fprintf(stderr, "pktdoctor check: %s: %s\n", arg, strerror(errno));
		return -PD_EOPEN;
	}
	while ((e = readdir(d))) {
		char path[4096];

		if (!is_capture_name(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, arg, e->d_name);
		if (add_name(l, path)) {
			closedir(d);
			return -PD_ENOMEM;
		}
	}
	closedir(d);
	qsort(l->v + first, l->n - first, sizeof(char *), cmp_str);
	return 0;
}

static void expect_path(const struct check_opts *o, const char *capture, char *buf, size_t len)
{
	if (o->expect_dir) {
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s", capture);
		snprintf(buf, len, "%s/%s.findings", o->expect_dir, basename(tmp));
	} else {
		snprintf(buf, len, "%s.findings", capture);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Why a capture failed, beyond a mismatch; the worst decides the exit code. */
enum { CHECK_OK = 0, CHECK_USAGE, CHECK_WRITE, CHECK_STOPPED };

/* Close @fp and say whether everything written to it reached the file
 * (stdio keeps write errors until a flush, so fclose() is where ENOSPC
 * shows up). */
static int close_checked(FILE *fp)
{
	int bad = ferror(fp);
	int err = errno;

	if (fclose(fp) != 0)
		return -PD_EWRITE;
	if (bad)
		errno = err;
	return bad ? -PD_EWRITE : 0;
}

/* Write @e to @path through a temporary file renamed over it, so a full
 * disk or a crash leaves the old expectations whole. */
static int update_file(const struct pd_expect *e, const char *path, const char *capture,
		       char *err, size_t errlen)
{
	char tmp[4300];
	FILE *fp;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -PD_EWRITE;
	}
	errno = 0;
	rc = pd_expect_write(e, fp, capture);
	if (fflush(fp) != 0)
		rc = -PD_EWRITE;
	if (close_checked(fp) != 0)
		rc = -PD_EWRITE;
	if (rc) {
		snprintf(err, errlen, "cannot write %s: %s (%s left as it was)", tmp,
			 errno ? strerror(errno) : "write error", path);
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -PD_EWRITE;
	}
	return 0;
}

/* Check one capture; fills the JUnit case and *status; returns 0 pass, 1 fail. */
static int check_one(const struct check_opts *o, const struct pd_policy *pol, const char *cap,
		     struct pd_junit_case *jc, char *diff, char *msg, size_t msglen, int *status)
{
	struct pd_analysis_opts ao;
	struct pd_analysis a;
	struct pd_expect want = {0, 0, 0}, got = {0, 0, 0};
	char epath[4200], err[512];
	double t0 = now_s();
	int rc, failed = 0;
	size_t nd = 0;
	bool have_expect;
	struct stat st;

	memset(&ao, 0, sizeof(ao));
	ao.stop = o->stop;
	diff[0] = 0;
	msg[0] = 0;
	*status = CHECK_OK;
	rc = pd_analyze_file(cap, &ao, &a);
	if (rc && a.stats.frames == 0 && !a.format[0]) {
		snprintf(msg, msglen, "cannot analyse: %s", a.input_error_msg);
		failed = 1;
		goto out;
	}
	if (pd_expect_from_findings(&got, &a.findings, PD_FINDING_MAX_FRAMES)) {
		snprintf(msg, msglen, "out of memory");
		failed = 1;
		goto out;
	}
	expect_path(o, cap, epath, sizeof(epath));
	if (o->update) {
		if (a.stopped) {
			/* a baseline from part of a capture would hide what is missing
			 * (a corrupt capture keeps its capture.truncated_file finding
			 * and may be a baseline on purpose) */
			snprintf(msg, msglen, "not updated %s: interrupted after frame %llu", epath,
				 (unsigned long long)a.stopped_at_frame);
			failed = 1;
			*status = CHECK_STOPPED;
			goto out;
		}
		if (update_file(&got, epath, cap, err, sizeof(err))) {
			snprintf(msg, msglen, "%s", err);
			failed = 1;
			*status = CHECK_WRITE;
		} else {
			snprintf(msg, msglen, "updated %s (%zu findings)", epath, got.n);
		}
		goto out;
	}
	if (a.stopped) {
		snprintf(msg, msglen, "interrupted after frame %llu: not compared",
			 (unsigned long long)a.stopped_at_frame);
		failed = 1;
		*status = CHECK_STOPPED;
		goto out;
	}
	have_expect = stat(epath, &st) == 0;
	if (have_expect) {
		rc = pd_expect_load(&want, epath, err, sizeof(err));
		if (rc) {
			snprintf(msg, msglen, "%s", err);
			failed = 1;
			*status = CHECK_USAGE;
			goto out;
		}
		nd = pd_expect_diff(&want, &got, o->mode, diff, DIFF_MAX);
		if (nd) {
			snprintf(msg, msglen, "%zu difference%s from %s", nd, nd == 1 ? "" : "s", epath);
			failed = 1;
		}
	} else if (!pol) {
		snprintf(msg, msglen, "no expected findings at %s (create it with --update)", epath);
		failed = 1;
	}
	if (pol) {
		size_t used = strlen(diff);
		size_t nv = pd_policy_check(pol, &a.findings, diff + used, DIFF_MAX - used);

		if (nv) {
			size_t ml = strlen(msg);

			snprintf(msg + ml, msglen - ml, "%s%zu policy rule%s violated", ml ? "; " : "",
				 nv, nv == 1 ? "" : "s");
			failed = 1;
		}
	}
	if (!failed)
		snprintf(msg, msglen, "%zu findings match%s", got.n,
			 have_expect ? (pol ? " expected and policy" : " expected") : " policy");
out:
	jc->name = cap;
	jc->seconds = now_s() - t0;
	jc->failed = failed;
	pd_expect_free(&want);
	pd_expect_free(&got);
	pd_analysis_free(&a);
	return failed;
}

int pd_cli_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"expect-dir", required_argument, 0, 'e'},
		{"update", no_argument, 0, 'u'},
		{"match", required_argument, 0, 'm'},
		{"policy", required_argument, 0, 'p'},
		{"junit", required_argument, 0, 'j'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct check_opts o;
	struct pd_policy pol = {0, 0, 0};
	struct name_list caps = {0, 0, 0};
	struct pd_junit_case *cases = 0;
	char **msgs = 0, **diffs = 0;
	size_t pass = 0, fail = 0, ran = 0;
	int c, ret = PD_EXIT_USAGE, worst = CHECK_OK;
	char err[512];

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "e:um:p:j:qh", longopts, 0)) != -1) {
		switch (c) {
		case 'e':
			o.expect_dir = optarg;
			break;
		case 'u':
			o.update = true;
			break;
		case 'm':
			if (!strcmp(optarg, "exact"))
				o.mode = PD_MATCH_EXACT;
			else if (!strcmp(optarg, "counts"))
				o.mode = PD_MATCH_COUNTS;
			else if (!strcmp(optarg, "ids"))
				o.mode = PD_MATCH_IDS;
			else {
				fprintf(stderr, "pktdoctor check: --match: '%s' is not exact, counts or ids\n",
					optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 'p':
			o.policy_path = optarg;
			break;
		case 'j':
			o.junit_path = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			check_usage(stdout);
			return pd_cli_close_stdout("pktdoctor check") ? PD_EXIT_INPUT : PD_EXIT_CLEAN;
		default:
			fputs("Try 'pktdoctor check --help'.\n", stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs("pktdoctor check: no capture given\nTry 'pktdoctor check --help'.\n", stderr);
		return PD_EXIT_USAGE;
	}
	if (o.policy_path && pd_policy_load(&pol, o.policy_path, err, sizeof(err))) {
		fprintf(stderr, "pktdoctor check: --policy %s\n", err);
		goto done;
	}
	for (int i = optind; i < argc; i++)
		if (collect(&caps, argv[i]))
			goto done;
	if (!caps.n) {
		fputs("pktdoctor check: no capture files found\n", stderr);
		goto done;
	}
	cases = calloc(caps.n, sizeof(*cases));
	msgs = calloc(caps.n, sizeof(*msgs));
	diffs = calloc(caps.n, sizeof(*diffs));
	if (!cases || !msgs || !diffs) {
		fputs("pktdoctor check: out of memory\n", stderr);
		ret = PD_EXIT_INPUT;
		goto done;
	}
	pd_cli_catch_signals();
	o.stop = &pd_cli_stop;
	for (size_t i = 0; i < caps.n && !pd_cli_stop; i++) {
		int f, st;

		msgs[i] = calloc(1, 1024);
		diffs[i] = calloc(1, DIFF_MAX);
		if (!msgs[i] || !diffs[i]) {
			fputs("pktdoctor check: out of memory\n", stderr);
			ret = PD_EXIT_INPUT;
			goto done;
		}
		f = check_one(&o, o.policy_path ? &pol : 0, caps.v[i], &cases[i], diffs[i], msgs[i], 1024,
			      &st);
		cases[i].message = msgs[i];
		cases[i].text = diffs[i];
		ran++;
		if (st > worst)
			worst = st;
		if (st == CHECK_USAGE)
			fprintf(stderr, "pktdoctor check: %s %s\n",
				o.expect_dir ? "--expect-dir" : "expected-findings file", msgs[i]);
		if (f) {
			fail++;
			printf("FAIL %s: %s\n%s", caps.v[i], msgs[i], diffs[i]);
		} else {
			pass++;
			if (!o.quiet)
				printf("ok   %s: %s\n", caps.v[i], msgs[i]);
		}
	}
	if (o.junit_path) {
		FILE *jf = fopen(o.junit_path, "w");
		int jrc = jf ? pd_report_junit(jf, "pktdoctor check", cases, ran) : -PD_EWRITE;
		int e = errno;

		if (jf && close_checked(jf) != 0 && !jrc) {
			jrc = -PD_EWRITE;
			e = errno;
		}
		if (jrc) {
			fprintf(stderr, "pktdoctor check: --junit %s: cannot write: %s\n", o.junit_path,
				strerror(e));
			if (worst < CHECK_WRITE)
				worst = CHECK_WRITE;
		}
	}
	if (pd_cli_stop)
		printf("%zu passed, %zu failed, %zu not checked (interrupted)\n", pass, fail,
		       caps.n - pass - fail);
	else
		printf("%zu passed, %zu failed\n", pass, fail);
	if (pd_cli_close_stdout("pktdoctor check") != 0 && worst < CHECK_WRITE)
		worst = CHECK_WRITE;
	if (pd_cli_stop)
		ret = pd_cli_signal_exit();
	else if (worst == CHECK_WRITE)
		ret = PD_EXIT_INPUT;
	else if (worst == CHECK_USAGE)
		ret = PD_EXIT_USAGE;
	else
		ret = fail ? PD_EXIT_FINDINGS : PD_EXIT_CLEAN;
done:
	for (size_t i = 0; i < caps.n; i++) {
		free(caps.v[i]);
		if (msgs)
			free(msgs[i]);
		if (diffs)
			free(diffs[i]);
	}
	free(caps.v);
	free(msgs);
	free(diffs);
	free(cases);
	pd_policy_free(&pol);
	return ret;
}
