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
#include <time.h>

#include "cli.h"
#include "pktdoctor/error.h"
#include "pktdoctor/pcapng.h"
#include "probe.h"

static void probe_usage(FILE *out)
{
	fputs("Usage: pktdoctor probe --pair [NS:]IFACE1 [NS:]IFACE2 [OPTIONS]\n"
	      "       pktdoctor probe --listen [NS:]IFACE [--bind ADDR[:PORT]] [--allow-toggle]\n"
	      "       pktdoctor probe -i [NS:]IFACE --to ADDR[:PORT] --token TOKEN [OPTIONS]\n"
	      "       pktdoctor probe --list\n"
	      "\n"
	      "Send the suite of crafted frames from IFACE1 to IFACE2 (two ports joined by a\n"
	      "cable, or the two ends of a veth pair in two network namespaces) and report\n"
	      "per case: sent, on the wire at IFACE2, delivered to a socket, the counters\n"
	      "that moved and the kernel's drop reason, and a verdict against the RFCs.\n"
	      "\n"
	      "  --pair A B         sender A, receiver B; NS:IFACE names /run/netns/NS\n"
	      "  --listen IFACE     be the receiving end on this host: print an address and a\n"
	      "                     token, serve one prober that presents it, then exit\n"
	      "  --bind ADDR[:PORT] the listener's control address (default: IFACE's own IPv4\n"
	      "                     address, port 6230; never all addresses)\n"
	      "  --allow-toggle     the listener lets the prober change its rx-csum and GRO\n"
	      "  --timeout S        the listener waits this long for a prober (default 300)\n"
	      "  -i IFACE --to ADDR[:PORT] --token T   probe from IFACE to a listener\n"
	      "  --list             print the suite (name, source port, expectation, fault)\n"
	      "  --only TEXT        run only the cases whose name contains TEXT\n"
	      "  --toggle           repeat under each combination of the receiver's rx\n"
	      "                     checksumming and GRO and the sender's tx checksumming and\n"
	      "                     TSO (needs CAP_NET_ADMIN; every setting is restored)\n"
	      "  --vlan VID         a VLAN id the receiver has configured, for the tagged case\n"
	      "  --pps N            at most N frames per second (default 200, max 10000)\n"
	      "  --wait MS          wait for a case's effects (default 150 ms)\n"
	      "  -F, --format FMT   text (default), json or junit\n"
	      "  -w, --write FILE   write the probe's own capture as pcapng: the receiver's\n"
	      "                     capture (epb_flags: direction, checksum status) and the\n"
	      "                     frames sent, each commented with its case and probe id\n"
	      "      --fail-on SEV  exit 1 on findings at or above SEV (default error)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Needs CAP_NET_RAW (and CAP_NET_ADMIN for --toggle); capabilities are dropped\n"
	      "once the sockets are open.  Sends only on IFACE1, only to IFACE2's addresses.\n"
	      "The listener sends nothing but the requests the IPMI-form case needs.\n",
	      out);
}

static volatile sig_atomic_t probe_stop;

static void on_signal(int sig)
{
	(void)sig;
	probe_stop = 1;
}

/* The probe's own capture: interface 0 the receiver's capture, 1 what
 * the sender sent. */
struct capture {
	struct pd_pcapng_writer *w;
	int err;
};

static void write_frame(void *arg, int side, const uint8_t *data, uint32_t caplen,
			uint32_t wirelen, uint32_t epb_flags, const char *comment)
{
	struct capture *cap = arg;
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	rc = pd_pcapng_write_packet(cap->w, (uint32_t)side,
				    (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, data, caplen,
				    wirelen, epb_flags, true, comment);
	if (rc && !cap->err)
		cap->err = rc;
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
		{"bind", required_argument, 0, 9},
		{"allow-toggle", no_argument, 0, 10},
		{"timeout", required_argument, 0, 11},
		{"to", required_argument, 0, 12},
		{"token", required_argument, 0, 13},
		{"interface", required_argument, 0, 'i'},
		{"write", required_argument, 0, 'w'},
		{"vlan", required_argument, 0, 14},
		{"format", required_argument, 0, 'F'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct pd_probe_opts o;
	struct pd_probe_run *run = calloc(1, sizeof(*run));
	struct sigaction sa;
	const char *a = 0, *b = 0, *to = 0, *token = 0, *wfile = 0;
	struct capture cap = {0, 0};
	struct pd_listen_opts lo;
	char err[512];
	int c, fmt = 0, fail_on = PD_SEV_ERROR, rc, code;

	if (!run)
		return PD_EXIT_INPUT;
	memset(&o, 0, sizeof(o));
	memset(&lo, 0, sizeof(lo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "F:hi:w:", longopts, 0)) != -1) {
		uint64_t v;

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
			if (pd_cli_count("pktdoctor probe", c == 5 ? "pps" : "wait", optarg, 1, 10000, &v)) {
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
			lo.iface = optarg;
			break;
		case 9:
			lo.bind = optarg;
			break;
		case 10:
			lo.allow_toggle = true;
			break;
		case 11:
			if (pd_cli_count("pktdoctor probe", "timeout", optarg, 1, 86400, &v)) {
				free(run);
				return PD_EXIT_USAGE;
			}
			lo.timeout_s = (unsigned)v;
			break;
		case 12:
			to = optarg;
			break;
		case 13:
			token = optarg;
			break;
		case 'i':
			a = optarg;
			break;
		case 'w':
			wfile = optarg;
			break;
		case 14:
			if (pd_cli_count("pktdoctor probe", "vlan", optarg, 1, 4094, &v)) {
				free(run);
				return PD_EXIT_USAGE;
			}
			o.vlan_id = (uint16_t)v;
			break;
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
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	if (lo.iface) {
		if (a || to || optind < argc) {
			fputs("pktdoctor probe: --listen goes alone (with --bind, --allow-toggle, "
			      "--timeout)\n", stderr);
			free(run);
			return PD_EXIT_USAGE;
		}
		free(run);
		lo.stop = &probe_stop;
		lo.out = stdout;
		err[0] = 0;
		rc = pd_probe_listen(&lo, err, sizeof(err));
		if (rc)
			fprintf(stderr, "pktdoctor probe: %s\n", err[0] ? err : pd_strerror(rc));
		return rc == 0 ? PD_EXIT_CLEAN : rc == -PD_EUSAGE ? PD_EXIT_USAGE : PD_EXIT_INPUT;
	}
	if (to && (!a || b || !token || optind < argc)) {
		fputs("pktdoctor probe: --to goes with -i [NS:]IFACE and --token TOKEN\n", stderr);
		free(run);
		return PD_EXIT_USAGE;
	}
	if (!to && (!a || !b || optind < argc)) {
		fputs("pktdoctor probe: give --pair [NS:]IFACE1 [NS:]IFACE2\n"
		      "Try 'pktdoctor probe --help'.\n", stderr);
		free(run);
		return PD_EXIT_USAGE;
	}
	if (pd_probe_if_parse(&run->snd, a) || (b && pd_probe_if_parse(&run->rcv, b))) {
		fprintf(stderr, "pktdoctor probe: '%s' or '%s' is not [NS:]IFACE\n", a, b);
		free(run);
		return PD_EXIT_USAGE;
	}
	o.stop = &probe_stop;
	if (wfile) {
		struct pd_pcapng_iface ifc[2];

		memset(ifc, 0, sizeof(ifc));
		ifc[0].linktype = ifc[1].linktype = 1; /* Ethernet */
		ifc[0].name = b ? b : to;
		ifc[0].description = "pktdoctor probe: the receiver's capture";
		ifc[1].name = a;
		ifc[1].description = "pktdoctor probe: the frames the sender sent";
		rc = pd_pcapng_writer_open_path(&cap.w, wfile, 0);
		for (int k = 0; k < 2 && rc == 0; k++)
			rc = pd_pcapng_add_interface(cap.w, &ifc[k]) < 0 ? -PD_EWRITE : 0;
		if (rc) {
			fprintf(stderr, "pktdoctor probe: cannot write %s: %s\n", wfile, pd_strerror(rc));
			pd_pcapng_writer_close(cap.w);
			free(run);
			return PD_EXIT_INPUT;
		}
		o.on_frame = write_frame;
		o.frame_arg = &cap;
	}
	err[0] = 0;
	rc = to ? pd_probe_remote(run, &o, to, token, err, sizeof(err))
		: pd_probe_pair(run, &o, err, sizeof(err));
	if (cap.w && (pd_pcapng_writer_close(cap.w) || cap.err)) {
		fprintf(stderr, "pktdoctor probe: writing %s failed\n", wfile);
		if (!rc)
			rc = -PD_EWRITE;
	}
	if (rc) {
		fprintf(stderr, "pktdoctor probe: %s\n", err[0] ? err : pd_strerror(rc));
		code = rc == -PD_EUSAGE ? PD_EXIT_USAGE : PD_EXIT_INPUT;
		if (run->n) /* what ran before the control connection failed */
			pd_probe_report_text(stdout, run);
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
