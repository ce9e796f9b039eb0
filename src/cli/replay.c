/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - `pktdoctor replay FILE -i [NS:]IFACE`: push a saved
 * capture's frames through an interface (src/probe/replay.c).  Prints the
 * counts: read, sent, refused, segmented, fragmented, truncated, fixed,
 * rewritten, skipped, failed.  Exit codes: 0 every frame read was sent
 * or skipped on purpose, 1 some were refused or failed, 2 usage, 3 setup
 * error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pktdoctor/error.h"
#include "pktdoctor/json.h"
#include "probe.h"

static void replay_usage(FILE *out)
{
	fputs("Usage: pktdoctor replay FILE -i [NS:]IFACE [OPTIONS]\n"
	      "\n"
	      "Send the frames of a pcap/pcapng capture out of IFACE (Ethernet frames only).\n"
	      "\n"
	      "Timing (default: as captured, on an absolute schedule):\n"
	      "      --speed X      X times as fast as captured\n"
	      "      --pps N        N frames per second\n"
	      "      --topspeed     as fast as possible\n"
	      "Frames above IFACE's MTU:\n"
	      "      --mtu-policy P refuse (default: not sent, counted), segment (TCP, to\n"
	      "                     the MSS), fragment (IPv4) or truncate\n"
	      "      --mss N        segment size for segment and --fix-offload (default:\n"
	      "                     the smallest MSS option in the capture's SYNs, else 1460)\n"
	      "      --fix-offload  repair a capture taken on a sending host: cut TSO\n"
	      "                     super-segments to the MSS, set IPv4 total length 0 from\n"
	      "                     the frame, complete partial checksums\n"
	      "Addresses:\n"
	      "      --rewrite OLD=NEW  change a MAC or IP address (repeatable, up to 8);\n"
	      "                     checksums are updated incrementally (RFC 1624)\n"
	      "  -f, --filter EXPR  send only frames matching a BPF filter\n"
	      "  -c, --count N      read at most N frames (default 1000000)\n"
	      "      --allow-broadcast  also send to broadcast and multicast MACs\n"
	      "  -F, --format FMT   text (default) or json\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Needs CAP_NET_RAW; capabilities are dropped once the socket is open.\n",
	      out);
}

static volatile sig_atomic_t replay_stop;

static void on_signal(int sig)
{
	(void)sig;
	replay_stop = 1;
}

static const char *policy_name(int p)
{
	static const char *const n[] = {"refuse", "segment", "fragment", "truncate"};

	return p >= 0 && p < 4 ? n[p] : "?";
}

int pd_cli_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interface", required_argument, 0, 'i'},
		{"speed", required_argument, 0, 1},
		{"pps", required_argument, 0, 2},
		{"topspeed", no_argument, 0, 3},
		{"mtu-policy", required_argument, 0, 4},
		{"mss", required_argument, 0, 5},
		{"fix-offload", no_argument, 0, 6},
		{"rewrite", required_argument, 0, 7},
		{"allow-broadcast", no_argument, 0, 8},
		{"filter", required_argument, 0, 'f'},
		{"count", required_argument, 0, 'c'},
		{"format", required_argument, 0, 'F'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct pd_replay_opts o;
	struct pd_replay_counts cnt;
	struct sigaction sa;
	char err[512];
	int c, json = 0, rc;
	uint64_t v;

	memset(&o, 0, sizeof(o));
	o.speed = 1.0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:f:c:F:h", longopts, 0)) != -1) {
		switch (c) {
		case 'i':
			o.iface = optarg;
			break;
		case 1:
			if (pd_cli_factor("pktdoctor replay", "speed", optarg, &o.speed))
				return PD_EXIT_USAGE;
			break;
		case 2:
		case 5:
		case 'c':
			if (pd_cli_count("pktdoctor replay", c == 2 ? "pps" : c == 5 ? "mss" : "count",
					 optarg, c == 5 ? 64 : 1,
					 c == 2 ? 1000000 : c == 5 ? 65495 : UINT64_MAX, &v))
				return PD_EXIT_USAGE;
			if (c == 2)
				o.pps = (unsigned)v;
			else if (c == 5)
				o.mss = (unsigned)v;
			else
				o.max_frames = v;
			break;
		case 3:
			o.topspeed = true;
			break;
		case 4:
			for (o.policy = 0; o.policy < 4; o.policy++)
				if (!strcmp(optarg, policy_name(o.policy)))
					break;
			if (o.policy == 4) {
				fprintf(stderr, "pktdoctor replay: --mtu-policy: '%s' is not refuse, "
					"segment, fragment or truncate\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 6:
			o.fix_offload = true;
			break;
		case 7:
			if (o.n_rw >= PD_REPLAY_MAX_REWRITE || pd_rewrite_parse(&o.rw[o.n_rw], optarg)) {
				fprintf(stderr, "pktdoctor replay: --rewrite: '%s' is not OLD=NEW (two "
					"MACs, two IPv4 or two IPv6 addresses; at most %d)\n", optarg,
					PD_REPLAY_MAX_REWRITE);
				return PD_EXIT_USAGE;
			}
			o.n_rw++;
			break;
		case 8:
			o.allow_broadcast = true;
			break;
		case 'f':
			o.filter = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "pktdoctor replay: --format: '%s' is not text or json\n",
					optarg);
				return PD_EXIT_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			replay_usage(stdout);
			return PD_EXIT_CLEAN;
		default:
			fputs("Try 'pktdoctor replay --help'.\n", stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !o.iface) {
		fputs("pktdoctor replay: give one capture FILE and -i [NS:]IFACE\n"
		      "Try 'pktdoctor replay --help'.\n", stderr);
		return PD_EXIT_USAGE;
	}
	if ((o.pps != 0) + o.topspeed + (o.speed != 1.0) > 1) {
		fputs("pktdoctor replay: give one of --speed, --pps and --topspeed\n", stderr);
		return PD_EXIT_USAGE;
	}
	o.file = argv[optind];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	o.stop = &replay_stop;
	err[0] = 0;
	rc = pd_replay_run(&o, &cnt, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pktdoctor replay: %s\n", err[0] ? err : pd_strerror(rc));
		if (!cnt.read)
			return rc == -PD_EUSAGE ? PD_EXIT_USAGE : PD_EXIT_INPUT;
	} else if (err[0]) {
		fprintf(stderr, "pktdoctor replay: %s\n", err);
	}
	if (json) {
		struct pd_json j;

		pd_json_init(&j, stdout);
		pd_json_obj_begin(&j, 0);
		pd_json_str(&j, "tool", "pktdoctor replay");
		pd_json_str(&j, "file", o.file);
		pd_json_str(&j, "interface", o.iface);
		pd_json_str(&j, "mtu_policy", policy_name(o.policy));
		pd_json_bool(&j, "fix_offload", o.fix_offload);
		pd_json_bool(&j, "interrupted", cnt.interrupted);
		pd_json_u64(&j, "read", cnt.read);
		pd_json_u64(&j, "sent", cnt.sent);
		pd_json_u64(&j, "refused", cnt.refused);
		pd_json_u64(&j, "segmented", cnt.segmented);
		pd_json_u64(&j, "fragmented", cnt.fragmented);
		pd_json_u64(&j, "truncated", cnt.truncated);
		pd_json_u64(&j, "fixed", cnt.fixed);
		pd_json_u64(&j, "rewritten", cnt.rewritten);
		pd_json_u64(&j, "skipped", cnt.skipped);
		pd_json_u64(&j, "failed", cnt.failed);
		pd_json_u64(&j, "bytes", cnt.bytes);
		pd_json_u64(&j, "max_frame", cnt.max_len);
		pd_json_obj_end(&j);
		fputc('\n', stdout);
	} else {
		printf("pktdoctor replay: %s -> %s (MTU policy %s%s)%s\n"
		       "  read %llu, sent %llu, refused %llu, segmented %llu, fragmented %llu, "
		       "truncated %llu, fixed %llu, rewritten %llu, skipped %llu, failed %llu\n"
		       "  %llu bytes sent, largest frame %u bytes\n",
		       o.file, o.iface, policy_name(o.policy), o.fix_offload ? ", --fix-offload" : "",
		       cnt.interrupted ? " (interrupted)" : "",
		       (unsigned long long)cnt.read, (unsigned long long)cnt.sent,
		       (unsigned long long)cnt.refused, (unsigned long long)cnt.segmented,
		       (unsigned long long)cnt.fragmented, (unsigned long long)cnt.truncated,
		       (unsigned long long)cnt.fixed, (unsigned long long)cnt.rewritten,
		       (unsigned long long)cnt.skipped, (unsigned long long)cnt.failed,
		       (unsigned long long)cnt.bytes, cnt.max_len);
		if (cnt.refused && o.policy == PD_MTU_REFUSE && !o.fix_offload)
			printf("  %llu frames above the MTU were refused (the default); see "
			       "--mtu-policy and --fix-offload\n", (unsigned long long)cnt.refused);
	}
	return cnt.refused || cnt.failed ? PD_EXIT_FINDINGS : PD_EXIT_CLEAN;
}
