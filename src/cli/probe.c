/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.c - `pktdoctor probe`: push the suite of crafted frames through
 * an interface and report per case what was sent, what went on the wire,
 * what the receiving stack delivered and, where dropped, why
 * (src/probe/, docs/probing.md).  Exit codes: 0 no fault at or above
 * --fail-on, 1 faults, 2 usage, 3 setup error (no permission, no such
 * interface).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pktdoctor/error.h"
#include "probe.h"

static void probe_usage(FILE *out)
{
	fputs("Usage: pktdoctor probe --pair [NS:]IFACE1 [NS:]IFACE2 [OPTIONS]\n"
	      "       pktdoctor probe --list\n"
	      "\n"
	      "Send the suite of crafted frames from IFACE1 to IFACE2 (two ports joined by a\n"
	      "cable, or the two ends of a veth pair in two network namespaces) and report\n"
	      "per case: sent, on the wire at IFACE2, delivered to a socket, the counters\n"
	      "that moved and the kernel's drop reason, and a verdict against the RFCs.\n"
	      "\n"
	      "  --pair A B         sender A, receiver B; NS:IFACE names /run/netns/NS\n"
	      "  --list             print the suite (name, source port, expectation, fault)\n"
	      "  --only TEXT        run only the cases whose name contains TEXT\n"
	      "  --toggle           repeat under each combination of the receiver's rx\n"
	      "                     checksumming and GRO and the sender's tx checksumming and\n"
	      "                     TSO (needs CAP_NET_ADMIN; every setting is restored)\n"
	      "  --pps N            at most N frames per second (default 200, max 10000)\n"
	      "  --wait MS          wait for a case's effects (default 150 ms)\n"
	      "  -F, --format FMT   text (default), json or junit\n"
	      "      --fail-on SEV  exit 1 on findings at or above SEV (default error)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Needs CAP_NET_RAW (and CAP_NET_ADMIN for --toggle); capabilities are dropped\n"
	      "once the sockets are open.  Sends only on IFACE1, only to IFACE2's addresses.\n"
	      "The separate --listen mode (prober and listener on two hosts over a control\n"
	      "connection) is not built yet: see docs/probing.md.\n",
	      out);
}

static volatile sig_atomic_t probe_stop;

static void on_signal(int sig)
{
	(void)sig;
	probe_stop = 1;
}

static int list_suite(void)
{
	size_t n;
	const struct pd_probe_case *s = pd_probe_suite(&n);

	printf("%-28s %-5s %-7s %s\n", "case", "sport", "expect", "why / fault reproduced");
	for (size_t k = 0; k < n; k++)
		printf("%-28s %-5u %-7s %s%s%s\n", s[k].name, pd_probe_case_sport(k),
		       pd_probe_expect_name(s[k].expect), s[k].why, s[k].fault[0] ? " | " : "",
		       s[k].fault);
	return PD_EXIT_CLEAN;
}

int pd_cli_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pair", required_argument, 0, 1},
		{"list", no_argument, 0, 2},
		{"only", required_argument, 0, 3},
		{"toggle", no_argument, 0, 4},
		{"pps", required_argument, 0, 5},
		{"wait", required_argument, 0, 6},
		{"fail-on", required_argument, 0, 7},
		{"listen", required_argument, 0, 8},
		{"format", required_argument, 0, 'F'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct pd_probe_opts o;
	struct pd_probe_run *run = calloc(1, sizeof(*run));
	struct sigaction sa;
	const char *a = 0, *b = 0;
	char err[512];
	int c, fmt = 0, fail_on = PD_SEV_ERROR, rc, code;

	if (!run)
		return PD_EXIT_INPUT;
	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "F:h", longopts, 0)) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case 1:
			a = optarg;
			if (optind < argc && argv[optind][0] != '-')
				b = argv[optind++];
			break;
		case 2:
			free(run);
			return list_suite();
		case 3:
			o.only = optarg;
			break;
		case 4:
			o.toggle = true;
			break;
		case 5:
		case 6:
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > 10000) {
				fprintf(stderr, "pktdoctor probe: --%s: '%s' is not 1..10000\n",
					c == 5 ? "pps" : "wait", optarg);
				free(run);
				return PD_EXIT_USAGE;
			}
			if (c == 5)
				o.pps = (unsigned)v;
			else
				o.wait_ms = (unsigned)v;
			break;
		case 7:
			fail_on = pd_severity_parse(optarg);
			if (fail_on < 0) {
				fprintf(stderr, "pktdoctor probe: --fail-on: '%s' is not info, warning "
					"or error\n", optarg);
				free(run);
				return PD_EXIT_USAGE;
			}
			break;
		case 8:
			fputs("pktdoctor probe: --listen (two hosts over a control connection) is not "
			      "built yet; use --pair on one machine (docs/probing.md)\n", stderr);
			free(run);
			return PD_EXIT_USAGE;
		case 'F':
			if (!strcmp(optarg, "text")) {
				fmt = 0;
			} else if (!strcmp(optarg, "json")) {
				fmt = 1;
			} else if (!strcmp(optarg, "junit")) {
				fmt = 2;
			} else {
				fprintf(stderr, "pktdoctor probe: --format: '%s' is not text, json or "
					"junit\n", optarg);
				free(run);
				return PD_EXIT_USAGE;
			}
			break;
		case 'h':
			probe_usage(stdout);
			free(run);
			return PD_EXIT_CLEAN;
		default:
			fputs("Try 'pktdoctor probe --help'.\n", stderr);
			free(run);
			return PD_EXIT_USAGE;
		}
	}
	if (!a || !b || optind < argc) {
		fputs("pktdoctor probe: give --pair [NS:]IFACE1 [NS:]IFACE2\n"
		      "Try 'pktdoctor probe --help'.\n", stderr);
		free(run);
		return PD_EXIT_USAGE;
	}
	if (pd_probe_if_parse(&run->snd, a) || pd_probe_if_parse(&run->rcv, b)) {
		fprintf(stderr, "pktdoctor probe: '%s' or '%s' is not [NS:]IFACE\n", a, b);
		free(run);
		return PD_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	o.stop = &probe_stop;
	err[0] = 0;
	rc = pd_probe_pair(run, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pktdoctor probe: %s\n", err[0] ? err : pd_strerror(rc));
		code = rc == -PD_EUSAGE ? PD_EXIT_USAGE : PD_EXIT_INPUT;
		pd_probe_run_free(run);
		free(run);
		return code;
	}
	if (fmt == 1)
		rc = pd_probe_report_json(stdout, run);
	else if (fmt == 2)
		rc = pd_probe_report_junit(stdout, run);
	else
		rc = pd_probe_report_text(stdout, run);
	code = rc ? PD_EXIT_INPUT
		  : pd_findings_max_severity(&run->findings) >= fail_on ? PD_EXIT_FINDINGS
									: PD_EXIT_CLEAN;
	pd_probe_run_free(run);
	free(run);
	return code;
}
