/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - the pktdoctor command line.  Thin: parses flags with
 * getopt_long, runs the library's analysis on each file and picks the
 * reporter.  Exit codes: 0 no finding at or above --fail-on, 1 findings
 * at or above it, 2 usage error, 3 input error or the report could not
 * be written, 128+N stopped by signal N (SIGINT, SIGTERM) with the
 * report of what was read.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pktdoctor/analyze.h"
#include "pktdoctor/error.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/report.h"
#include "pktdoctor/textfile.h"
#include "pktdoctor/timeline.h"

enum { EXIT_CLEAN = PD_EXIT_CLEAN, EXIT_FINDINGS = PD_EXIT_FINDINGS,
       EXIT_USAGE = PD_EXIT_USAGE, EXIT_INPUT = PD_EXIT_INPUT };

static void usage(FILE *out)
{
	fputs("Usage: pktdoctor analyze [OPTIONS] FILE...\n"
	      "       pktdoctor analyze [OPTIONS] -i IFACE [-c COUNT] [--duration S]\n"
	      "       pktdoctor check [OPTIONS] CAPTURE|DIR...   (see pktdoctor check --help)\n"
	      "       pktdoctor probe --pair [NS:]IF1 [NS:]IF2   (see pktdoctor probe --help)\n"
	      "       pktdoctor replay FILE -i [NS:]IFACE        (see pktdoctor replay --help)\n"
	      "       pktdoctor monitor -i IFACE | -r FILE [OPTIONS] (see pktdoctor monitor --help)\n"
	      "       pktdoctor --help | --version\n"
	      "\n"
	      "Explain NIC offload and network-boot failures from pcap/pcapng captures.\n"
	      "\n"
	      "Commands:\n"
	      "  analyze FILE...        read each capture and report findings\n"
	      "  check CAPTURE|DIR...   compare findings with expected files or a policy (CI)\n"
	      "  probe                  push crafted frames through a NIC, find offload faults\n"
	      "  replay FILE            push a capture's frames through a NIC\n"
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
	      "  -B, --buffer-size KIB  kernel capture buffer of a live interface, KiB (default\n"
	      "                         4096, 1 to 1048576)\n"
	      "                         (default 4096; frames it cannot hold are dropped and\n"
	      "                         reported as capture.dropped)\n"
	      "  -f, --filter EXPR      analyse only frames matching a BPF filter\n"
	      "                         (frame numbers stay those of the whole file)\n"
	      "  -F, --format FMT       text (default) or json (one line per file)\n"
	      "      --fail-on SEV      exit 1 if a finding is at or above SEV:\n"
	      "                         info, warning or error (default error)\n"
	      "      --min-severity SEV only report findings at or above SEV\n"
	      "      --max-frames N     frames listed per finding (default 10 text, 32 json)\n"
	      "      --max-flows N      flow table limit (default 262144)\n"
	      "      --max-hosts N      host table limit (default 65536)\n"
	      "      --max-findings-per-id N  findings of one id listed one by one; the\n"
	      "                         rest fold into one aggregate (default 200)\n"
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
	      "3 input error (unreadable or corrupt file; what was read is still reported)\n"
	      "or the report could not be written, 130 (SIGINT) or 143 (SIGTERM): stopped,\n"
	      "what was read is reported as incomplete.\n"
	      "See pktdoctor(1) and docs/FINDINGS.md.\n",
	      out);
}

/* ---- signals and output ---- */

volatile sig_atomic_t pd_cli_stop;

static void on_stop_signal(int sig)
{
	pd_cli_stop = sig;
}

void pd_cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a write of the report is not cut by EINTR; SA_RESETHAND:
	 * a second Ctrl-C ends a run stuck on an idle pipe at once */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	for (int i = 0; i < 2; i++) {
		int sig = i ? SIGTERM : SIGINT;
		struct sigaction old;

		/* a signal ignored on entry stays ignored (a background job of a
		 * script, nohup): the GNU coding standards' rule */
		if (sigaction(sig, 0, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, 0);
	}
}

int pd_cli_signal_exit(void)
{
	return 128 + (int)pd_cli_stop;
}

int pd_cli_close_stdout(const char *who)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		fprintf(stderr, "%s: cannot write to standard output: %s\n", who, strerror(e));
		return -PD_EWRITE;
	}
	return 0;
}

/* ---- numbers in flags: the whole argument, in range, or a usage error ---- */

/* "N", "A-B", "A-" or "-B" (1-based frame numbers). */
static int parse_range(const char *s, uint64_t *first, uint64_t *last)
{
	char buf[64], *dash;
	uint64_t a = 0, b = 0;

	if (strlen(s) >= sizeof(buf))
		return -PD_EUSAGE;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (!dash) {
		if (pd_parse_u64(buf, &a) || !a)
			return -PD_EUSAGE;
		*first = *last = a;
		return 0;
	}
	*dash++ = 0;
	if ((!buf[0] && !dash[0]) || (buf[0] && (pd_parse_u64(buf, &a) || !a)) ||
	    (dash[0] && (pd_parse_u64(dash, &b) || !b)) || (b && b < a))
		return -PD_EUSAGE;
	*first = a;
	*last = b;
	return 0;
}

static void timeline_sink_packet(void *arg, const struct pd_analysis *a, const struct pd_packet *p)
{
	pd_timeline_packet(arg, a, p);
}

/*
 * Analyse one input, a file (@path) or a live interface (@lo), and print
 * its report.  Return: the exit code for this input (EXIT_USAGE means
 * stop: the options are wrong for every input).
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
	char err[512], terr[600];
	int rc, trc = 0, code = EXIT_CLEAN;
	const char *name = path ? path : lo->iface;

	err[0] = 0;
	rc = path ? pd_source_open_file(&src, path, err, sizeof(err))
		  : pd_source_open_live(&src, lo, err, sizeof(err));
	if (rc) {
		/* nothing was read: no report, just the reason */
		fprintf(stderr, "pktdoctor: %s\n", err);
		if (json && path) {
			pd_analysis_begin(&a, ao, 0, path);
			a.input_error = rc;
			snprintf(a.input_error_msg, sizeof(a.input_error_msg), "%s", err);
			rc = pd_report_json(stdout, &a, ro);
			pd_analysis_free(&a);
			if (rc) {
				fprintf(stderr, "pktdoctor: cannot write the report: %s\n",
					strerror(errno));
				return EXIT_INPUT;
			}
		}
		return EXIT_INPUT;
	}
	pd_analysis_begin(&a, ao, src, 0);
	if (path && strcmp(path, "-") != 0)
		snprintf(a.input_name, sizeof(a.input_name), "%s", path);
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
		rc = pd_timeline_init(&tl, stdout, json, syslog_file, terr, sizeof(terr));
		if (rc) {
			fprintf(stderr, "pktdoctor: --syslog-file %s\n", terr);
			pd_source_close(src);
			return rc == -PD_EIO ? EXIT_INPUT : EXIT_USAGE;
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
		trc = pd_timeline_finish(&tl, terr, sizeof(terr));
		if (!json)
			fputc('\n', stdout);
		if (trc == -PD_EFORMAT) {
			fprintf(stderr, "pktdoctor: --syslog-file %s\n", terr);
			pd_analysis_free(&a);
			return EXIT_USAGE;
		}
	}
	if (rc && a.input_error)
		fprintf(stderr, "pktdoctor: %s\n", a.input_error_msg);
	else if (rc)
		fprintf(stderr, "pktdoctor: %s: %s\n", name, pd_strerror(rc));
	if (!json && not_first)
		fputc('\n', stdout);
	if (trc || (json ? pd_report_json(stdout, &a, ro) : pd_report_text(stdout, &a, ro)) != 0) {
		fprintf(stderr, "pktdoctor: cannot write the report of %s: %s\n", name,
			strerror(errno));
		pd_analysis_free(&a);
		return EXIT_INPUT;
	}
	if (rc)
		code = EXIT_INPUT;
	else if (pd_findings_max_severity(&a.findings) >= fail_on)
		code = EXIT_FINDINGS;
	if (a.stopped)
		fprintf(stderr, "pktdoctor: stopped by %s after frame %llu of %s; the report "
			"covers the frames read\n", pd_cli_stop == SIGINT ? "SIGINT" : "SIGTERM",
			(unsigned long long)a.stats.frames, name);
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
		{"max-findings-per-id", required_argument, 0, 18},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{"interface", required_argument, 0, 'i'},
		{"count", required_argument, 0, 'c'},
		{"duration", required_argument, 0, 15},
		{"netns", required_argument, 0, 16},
		{"backend", required_argument, 0, 17},
		{"promisc", no_argument, 0, 'p'},
		{"buffer-size", required_argument, 0, 'B'},
		{0, 0, 0, 0},
	};
	struct pd_live_opts lo;
	struct pd_run_opts run;
	struct pd_analysis_opts ao;
	struct pd_report_opts ro = {PD_SEV_INFO, 0, true, false};
	int json = 0, fail_on = PD_SEV_ERROR, worst = EXIT_CLEAN, c;
	uint64_t num;
	bool timeline = false;
	const char *syslog_file = 0;

	memset(&ao, 0, sizeof(ao));
	memset(&lo, 0, sizeof(lo));
	memset(&run, 0, sizeof(run));
	ao.progress = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:F:qhi:c:pB:", longopts, 0)) != -1) {
		switch (c) {
		case 'i':
			lo.iface = optarg;
			break;
		case 'c':
			if (pd_cli_count("pktdoctor", "count", optarg, 1, UINT64_MAX, &num))
				return EXIT_USAGE;
			run.max_packets = num;
			break;
		case 15:
			if (pd_cli_seconds("pktdoctor", "duration", optarg, &run.duration_ns))
				return EXIT_USAGE;
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
		case 'B':
			/* KiB, as tcpdump -B; at most 1 GiB (the ring's bound) */
			if (pd_cli_count("pktdoctor", "buffer-size", optarg, 1, 1024 * 1024, &num))
				return EXIT_USAGE;
			lo.buffer_bytes = (size_t)num * 1024;
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
			if (pd_cli_count("pktdoctor", "max-frames", optarg, 1, PD_FINDING_MAX_FRAMES,
					 &num))
				return EXIT_USAGE;
			ro.max_frames = (int)num;
			break;
		case 4:
		case 5:
			/* tables grow on demand: the bound only has to fit what memory can */
			if (pd_cli_count("pktdoctor", c == 4 ? "max-flows" : "max-hosts", optarg, 1,
					 UINT32_MAX, &num))
				return EXIT_USAGE;
			if (c == 4)
				ao.max_flows = (size_t)num;
			else
				ao.max_hosts = (size_t)num;
			break;
		case 6:
			ro.show_stats = false;
			break;
		case 7:
			ao.connections = true;
			ro.connections = true;
			break;
		case 8:
			if (pd_cli_count("pktdoctor", "storm-threshold", optarg, 2, 1000, &num))
				return EXIT_USAGE;
			ao.storm_threshold = (unsigned)num;
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

			if (pd_cli_seconds("pktdoctor", c == 12 ? "probe-delay-threshold"
					  : c == 13 ? "handover-gap" : "iscsi-timeout", optarg, &ns))
				return EXIT_USAGE;
			if (c == 12)
				ao.probe_delay_ns = ns;
			else if (c == 13)
				ao.handover_gap_ns = ns;
			else
				ao.iscsi_timeout_ns = ns;
			break;
		}
		case 18:
			if (pd_cli_count("pktdoctor", "max-findings-per-id", optarg, 1, 1000000, &num))
				return EXIT_USAGE;
			ao.max_findings_per_id = (size_t)num;
			break;
		case 'q':
			ao.progress = false;
			break;
		case 'h':
			usage(stdout);
			return pd_cli_close_stdout("pktdoctor") ? EXIT_INPUT : EXIT_CLEAN;
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
	if (!lo.iface && (run.max_packets || run.duration_ns || lo.netns || lo.promisc ||
			  lo.buffer_bytes)) {
		fputs("pktdoctor analyze: -c, --duration, --netns, --promisc and --buffer-size go "
		      "with -i IFACE\n", stderr);
		return EXIT_USAGE;
	}
	if (syslog_file && !timeline) {
		fputs("pktdoctor: --syslog-file goes with --timeline\n", stderr);
		return EXIT_USAGE;
	}
	pd_cli_catch_signals();
	ao.stop = &pd_cli_stop;
	if (lo.iface) {
		/* on a live interface a signal is the normal end: the report is
		 * complete and the exit status follows --fail-on */
		ao.progress = false;
		worst = analyze_input(0, &lo, &ao, &run, &ro, json, timeline, syslog_file, fail_on,
				      false);
		if (pd_cli_close_stdout("pktdoctor") != 0)
			return EXIT_INPUT;
		return worst;
	}
	for (int i = optind; i < argc; i++) {
		int rc = analyze_input(argv[i], 0, &ao, &run, &ro, json, timeline, syslog_file,
				       fail_on, i > optind);

		if (rc == EXIT_USAGE)
			return rc;
		if (rc > worst) /* 3 over 1 over 0 */
			worst = rc;
		if (pd_cli_stop) {
			if (i + 1 < argc)
				fprintf(stderr, "pktdoctor: %d more file%s not analysed\n",
					argc - i - 1, argc - i - 1 == 1 ? "" : "s");
			break;
		}
	}
	if (pd_cli_close_stdout("pktdoctor") != 0)
		return EXIT_INPUT;
	return pd_cli_stop ? pd_cli_signal_exit() : worst;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return pd_cli_close_stdout("pktdoctor") ? EXIT_INPUT : EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pktdoctor %s\n", PD_VERSION);
		return pd_cli_close_stdout("pktdoctor") ? EXIT_INPUT : EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "analyze"))
		return cmd_analyze(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return pd_cli_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return pd_cli_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return pd_cli_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "monitor"))
		return pd_cli_monitor(argc - 1, argv + 1);
	fprintf(stderr, "pktdoctor: unknown command '%s'\nTry 'pktdoctor --help'.\n", argv[1]);
	return EXIT_USAGE;
}
