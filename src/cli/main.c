/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - the pktdoctor command line.  Thin: parses flags with
 * getopt_long, runs the library's analysis on each file and picks the
 * reporter.  Exit codes: 0 no finding at or above --fail-on, 1 findings
 * at or above it, 2 usage error, 3 input error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pktdoctor/analyze.h"
#include "pktdoctor/error.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/report.h"
#include "pktdoctor/timeline.h"

enum { EXIT_CLEAN = PD_EXIT_CLEAN, EXIT_FINDINGS = PD_EXIT_FINDINGS,
       EXIT_USAGE = PD_EXIT_USAGE, EXIT_INPUT = PD_EXIT_INPUT };

static void usage(FILE *out)
{
	fputs("Usage: pktdoctor analyze [OPTIONS] FILE...\n"
	      "       pktdoctor analyze [OPTIONS] -i IFACE [-c COUNT] [--duration S]\n"
	      "       pktdoctor check [OPTIONS] CAPTURE|DIR...   (see pktdoctor check --help)\n"
	      "       pktdoctor --help | --version\n"
	      "\n"
	      "Explain NIC offload and network-boot failures from pcap/pcapng captures.\n"
	      "\n"
	      "Commands:\n"
	      "  analyze FILE...        read each capture and report findings\n"
	      "  check CAPTURE|DIR...   compare findings with expected files or a policy (CI)\n"
	      "\n"
	      "Options for analyze:\n"
	      "  -i, --interface IFACE  analyse live traffic on IFACE until COUNT packets,\n"
	      "                         the duration, or Ctrl-C; then print the report\n"
	      "  -c, --count N          stop a live capture after N analysed packets\n"
	      "      --duration S       stop a live capture after S seconds\n"
	      "      --netns NAME       open IFACE inside network namespace NAME\n"
	      "      --backend B        live capture backend: auto (default), afpacket\n"
	      "                         (Linux ring with offload flags) or pcap\n"
	      "  -p, --promisc          promiscuous mode on a live interface\n"
	      "  -f, --filter EXPR      analyse only frames matching a BPF filter\n"
	      "                         (frame numbers stay those of the whole file)\n"
	      "  -F, --format FMT       text (default) or json (one line per file)\n"
	      "      --fail-on SEV      exit 1 if a finding is at or above SEV:\n"
	      "                         info, warning or error (default error)\n"
	      "      --min-severity SEV only report findings at or above SEV\n"
	      "      --max-frames N     frames listed per finding (default 10 text, 32 json)\n"
	      "      --max-flows N      flow table limit (default 262144)\n"
	      "      --max-hosts N      host table limit (default 65536)\n"
	      "      --no-stats         leave out the statistics section (text)\n"
	      "      --connections      per-connection TCP table (text and JSON)\n"
	      "      --storm-threshold N  copies of one segment that make a\n"
	      "                         tcp.retransmission_storm (default 4)\n"
	      "      --timeline         one line per packet, syslog messages inline\n"
	      "      --frames RANGE     only frames N, A-B, A- or -B (1-based)\n"
	      "      --syslog-file FILE merge a syslog text file into the timeline\n"
	      "      --probe-delay-threshold S  arp.probe_delay warning above S seconds (2)\n"
	      "      --handover-gap S   silence that counts as a boot handover (1 s)\n"
	      "      --iscsi-timeout S  iscsi.timeout for commands unanswered this long (10 s)\n"
	      "  -q, --quiet            no progress on standard error\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          print the version\n"
	      "\n"
	      "Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error,\n"
	      "3 input error (unreadable or corrupt file; what was read is still reported).\n"
	      "See pktdoctor(1) and docs/FINDINGS.md.\n",
	      out);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end || v == 0 || s[0] == '-')
		return -PD_EUSAGE;
	*out = (size_t)v;
	return 0;
}

/* "N", "A-B", "A-" or "-B" (1-based frame numbers). */
static int parse_range(const char *s, uint64_t *first, uint64_t *last)
{
	char *end;
	unsigned long long a = 0, b = 0;

	if (*s == '-') {
		b = strtoull(s + 1, &end, 10);
		if (end == s + 1 || *end || !b)
			return -PD_EUSAGE;
		*first = 0;
		*last = b;
		return 0;
	}
	a = strtoull(s, &end, 10);
	if (end == s || !a)
		return -PD_EUSAGE;
	if (!*end) {
		*first = *last = a;
		return 0;
	}
	if (*end != '-')
		return -PD_EUSAGE;
	s = end + 1;
	if (!*s) {
		*first = a;
		*last = 0;
		return 0;
	}
	b = strtoull(s, &end, 10);
	if (end == s || *end || b < a)
		return -PD_EUSAGE;
	*first = a;
	*last = b;
	return 0;
}

/* Seconds (may be fractional) to ns. */
static int parse_seconds(const char *s, int64_t *ns)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 1e6)
		return -PD_EUSAGE;
	*ns = (int64_t)(v * 1e9);
	return 0;
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT and SIGTERM end a live capture normally: the pipeline finishes
 * and the report is printed. */
static void install_stop_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
}

static void timeline_sink_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	pd_timeline_packet(arg, a, p);
}

/*
 * Analyse one input, a file (@path) or a live interface (@lo), and print
 * its report.  Return: the exit code for this input.
 */
static int analyze_input(const char *path, const struct pd_live_opts *lo,
			 const struct pd_analysis_opts *ao, const struct pd_run_opts *run,
			 const struct pd_report_opts *ro, int json, bool timeline,
			 const char *syslog_file, int fail_on, bool not_first)
{
	struct pd_analysis a;
	struct pd_source *src = 0;
	struct pd_timeline tl;
	struct pd_sink sink = {0, 0, 0};
	char err[512], terr[256];
	int rc, code = EXIT_CLEAN;
	const char *name = path ? path : lo->iface;

	err[0] = 0;
	rc = path ? pd_source_open_file(&src, path, err, sizeof(err))
		  : pd_source_open_live(&src, lo, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pktdoctor: %s\n", err);
		if (json && path) {
			pd_analysis_begin(&a, ao, 0, path);
			a.input_error = rc;
			snprintf(a.input_error_msg, sizeof(a.input_error_msg), "%s", err);
			pd_report_json(stdout, &a, ro);
			pd_analysis_free(&a);
		}
		return EXIT_INPUT;
	}
	pd_analysis_begin(&a, ao, src, 0);
	/* the report is printed after the source is closed: the name must not
	 * point into it */
	if (path && strcmp(path, "-") != 0)
		a.input = path;
	else
		a.input = path ? "(standard input)" : lo->iface;
	if (ao->filter && ao->filter[0]) {
		rc = pd_source_compile_filter(src, ao->filter, a.input_error_msg,
					      sizeof(a.input_error_msg));
		if (rc) {
			fprintf(stderr, "pktdoctor: %s\n", a.input_error_msg);
			pd_source_close(src);
			return EXIT_USAGE;
		}
	}
	if (timeline) {
		if (pd_timeline_init(&tl, stdout, json, syslog_file, terr, sizeof(terr))) {
			fprintf(stderr, "pktdoctor: %s\n", terr);
			pd_source_close(src);
			return EXIT_INPUT;
		}
		if (!json)
			printf("TIMELINE %s\n  frame    time (s)  packet\n", name);
		sink.on_packet = timeline_sink_packet;
		sink.arg = &tl;
	}
	if (lo) /* stderr, also with -F json: scripts wait for it, as for tcpdump's */
		fprintf(stderr, "pktdoctor: capturing on %s%s%s (%s); Ctrl-C to stop and report\n",
			lo->iface, lo->netns ? " in netns " : "", lo->netns ? lo->netns : "",
			pd_source_format(src));
	rc = pd_analyze_source(src, &a, &sink, run);
	if (lo) {
		/* as tcpdump does: what the capture itself lost, so that
		 * "previous segment not captured" can be told from the network */
		struct pd_source_stats ss;

		pd_source_stats(src, &ss);
		if (ss.valid)
			fprintf(stderr,
				"pktdoctor: %s: %llu frames received, %llu dropped by the capture "
				"(buffer full), %llu dropped by the interface\n",
				lo->iface, (unsigned long long)ss.received,
				(unsigned long long)ss.capture_drops, (unsigned long long)ss.if_drops);
	}
	pd_source_close(src);
	if (timeline) {
		pd_timeline_finish(&tl);
		if (!json)
			fputc('\n', stdout);
	}
	if (rc && a.input_error)
		fprintf(stderr, "pktdoctor: %s\n", a.input_error_msg);
	else if (rc)
		fprintf(stderr, "pktdoctor: %s: %s\n", name, pd_strerror(rc));
	if (!json && not_first)
		fputc('\n', stdout);
	if ((json ? pd_report_json(stdout, &a, ro) : pd_report_text(stdout, &a, ro)) != 0) {
		fprintf(stderr, "pktdoctor: cannot write the report\n");
		pd_analysis_free(&a);
		return EXIT_INPUT;
	}
	if (rc)
		code = EXIT_INPUT;
	else if (pd_findings_max_severity(&a.findings) >= fail_on)
		code = EXIT_FINDINGS;
	pd_analysis_free(&a);
	return code;
}

static int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"filter", required_argument, 0, 'f'},
		{"format", required_argument, 0, 'F'},
		{"fail-on", required_argument, 0, 1},
		{"min-severity", required_argument, 0, 2},
		{"max-frames", required_argument, 0, 3},
		{"max-flows", required_argument, 0, 4},
		{"max-hosts", required_argument, 0, 5},
		{"no-stats", no_argument, 0, 6},
		{"connections", no_argument, 0, 7},
		{"storm-threshold", required_argument, 0, 8},
		{"timeline", no_argument, 0, 9},
		{"frames", required_argument, 0, 10},
		{"syslog-file", required_argument, 0, 11},
		{"probe-delay-threshold", required_argument, 0, 12},
		{"handover-gap", required_argument, 0, 13},
		{"iscsi-timeout", required_argument, 0, 14},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{"interface", required_argument, 0, 'i'},
		{"count", required_argument, 0, 'c'},
		{"duration", required_argument, 0, 15},
		{"netns", required_argument, 0, 16},
		{"backend", required_argument, 0, 17},
		{"promisc", no_argument, 0, 'p'},
		{0, 0, 0, 0},
	};
	struct pd_live_opts lo;
	struct pd_run_opts run;
	struct pd_analysis_opts ao;
	struct pd_report_opts ro = {PD_SEV_INFO, 0, true, false};
	int json = 0, fail_on = PD_SEV_ERROR, worst = EXIT_CLEAN, c;
	size_t sz;
	bool timeline = false;
	const char *syslog_file = 0;

	memset(&ao, 0, sizeof(ao));
	memset(&lo, 0, sizeof(lo));
	memset(&run, 0, sizeof(run));
	ao.progress = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:F:qhi:c:p", longopts, 0)) != -1) {
		switch (c) {
		case 'i':
			lo.iface = optarg;
			break;
		case 'c':
			if (parse_size(optarg, &sz)) {
				fprintf(stderr, "pktdoctor: --count: '%s' is not a positive number\n",
					optarg);
				return EXIT_USAGE;
			}
			run.max_packets = sz;
			break;
		case 15:
			if (parse_seconds(optarg, &run.duration_ns)) {
				fprintf(stderr, "pktdoctor: --duration: '%s' is not a number of "
						"seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 16:
			lo.netns = optarg;
			break;
		case 17:
			if (!strcmp(optarg, "auto")) {
				lo.backend = PD_LIVE_AUTO;
			} else if (!strcmp(optarg, "afpacket")) {
				lo.backend = PD_LIVE_AFPACKET;
			} else if (!strcmp(optarg, "pcap")) {
				lo.backend = PD_LIVE_PCAP;
			} else {
				fprintf(stderr, "pktdoctor: --backend: '%s' is not auto, afpacket or "
						"pcap\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			lo.promisc = true;
			break;
		case 'f':
			ao.filter = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "json")) {
				json = 1;
			} else if (!strcmp(optarg, "text")) {
				json = 0;
			} else {
				fprintf(stderr, "pktdoctor: --format: '%s' is not text or json\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 1:
		case 2: {
			int sev = pd_severity_parse(optarg);

			if (sev < 0) {
				fprintf(stderr, "pktdoctor: --%s: '%s' is not info, warning or error\n",
					c == 1 ? "fail-on" : "min-severity", optarg);
				return EXIT_USAGE;
			}
			if (c == 1)
				fail_on = sev;
			else
				ro.min_severity = sev;
			break;
		}
		case 3:
			if (parse_size(optarg, &sz) || sz > PD_FINDING_MAX_FRAMES) {
				fprintf(stderr, "pktdoctor: --max-frames: '%s' is not 1..%d\n", optarg,
					PD_FINDING_MAX_FRAMES);
				return EXIT_USAGE;
			}
			ro.max_frames = (int)sz;
			break;
		case 4:
		case 5:
			if (parse_size(optarg, &sz)) {
				fprintf(stderr, "pktdoctor: --%s: '%s' is not a positive number\n",
					c == 4 ? "max-flows" : "max-hosts", optarg);
				return EXIT_USAGE;
			}
			if (c == 4)
				ao.max_flows = sz;
			else
				ao.max_hosts = sz;
			break;
		case 6:
			ro.show_stats = false;
			break;
		case 7:
			ao.connections = true;
			ro.connections = true;
			break;
		case 8:
			if (parse_size(optarg, &sz) || sz < 2 || sz > 1000) {
				fprintf(stderr, "pktdoctor: --storm-threshold: '%s' is not 2..1000\n",
					optarg);
				return EXIT_USAGE;
			}
			ao.storm_threshold = (unsigned)sz;
			break;
		case 9:
			timeline = true;
			break;
		case 10:
			if (parse_range(optarg, &ao.first_frame, &ao.last_frame)) {
				fprintf(stderr, "pktdoctor: --frames: '%s' is not N, A-B, A- or -B\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 11:
			syslog_file = optarg;
			break;
		case 12:
		case 13:
		case 14: {
			int64_t ns;

			if (parse_seconds(optarg, &ns)) {
				fprintf(stderr, "pktdoctor: --%s: '%s' is not a number of seconds\n",
					c == 12 ? "probe-delay-threshold"
						: c == 13 ? "handover-gap" : "iscsi-timeout", optarg);
				return EXIT_USAGE;
			}
			if (c == 12)
				ao.probe_delay_ns = ns;
			else if (c == 13)
				ao.handover_gap_ns = ns;
			else
				ao.iscsi_timeout_ns = ns;
			break;
		}
		case 'q':
			ao.progress = false;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		default:
			fputs("Try 'pktdoctor --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (lo.iface && optind < argc) {
		fputs("pktdoctor analyze: give either -i IFACE or capture files, not both\n", stderr);
		return EXIT_USAGE;
	}
	if (!lo.iface && optind >= argc) {
		fputs("pktdoctor analyze: no capture file given (or -i IFACE for live traffic)\n"
		      "Try 'pktdoctor --help'.\n", stderr);
		return EXIT_USAGE;
	}
	if (!lo.iface && (run.max_packets || run.duration_ns || lo.netns || lo.promisc)) {
		fputs("pktdoctor analyze: -c, --duration, --netns and --promisc go with -i IFACE\n",
		      stderr);
		return EXIT_USAGE;
	}
	if (syslog_file && !timeline) {
		fputs("pktdoctor: --syslog-file goes with --timeline\n", stderr);
		return EXIT_USAGE;
	}
	if (lo.iface) {
		ao.progress = false;
		install_stop_handlers();
		run.stop = &stop_requested;
		return analyze_input(0, &lo, &ao, &run, &ro, json, timeline, syslog_file, fail_on,
				     false);
	}
	for (int i = optind; i < argc; i++) {
		int rc = analyze_input(argv[i], 0, &ao, &run, &ro, json, timeline, syslog_file,
				       fail_on, i > optind);

		if (rc == EXIT_USAGE)
			return rc;
		if (rc > worst) /* 3 over 1 over 0 */
			worst = rc;
	}
	fflush(stdout);
	return worst;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pktdoctor %s\n", PD_VERSION);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "analyze"))
		return cmd_analyze(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return pd_cli_check(argc - 1, argv + 1);
	fprintf(stderr, "pktdoctor: unknown command '%s'\nTry 'pktdoctor --help'.\n", argv[1]);
	return EXIT_USAGE;
}
