/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live_source_probe.c - open a live source through the public API
 * (pd_source_open_live) and print one line per frame: link type,
 * captured and wire length, direction and offload flags (the epb_flags
 * the AF_PACKET backend derives from tp_status), then the source's
 * counters.  Used by tests/live_test.sh and the capture-drop benchmark;
 * also a quick diagnostic of what the kernel says about a NIC's offloads:
 *
 *   live_source_probe -i eth0 -c 20                 # AF_PACKET (auto)
 *   live_source_probe -i veth0 -n lab -b pcap -t 5  # libpcap, in netns "lab"
 *
 * Output (stdout, line-buffered):
 *   open iface=IF format=afpacket|live linktype=EN10MB snaplen=N
 *   frame=N linktype=EN10MB caplen=N wirelen=N dir=in|out|- flags=csum_not_ready,csum_valid,tso|-
 *   stats received=N matched=N capture_drops=N if_drops=N valid=0|1 seconds=S
 * -S MS stalls after the first frame, as a slow reader would, so that a
 * burst fills the buffer and the capture drops can be checked.
 * The "open" line is printed once the capture runs, so a script can start
 * traffic after it.  Exit: 0 done, 2 usage, 3 the source could not be
 * opened or failed (the message on stderr says why; a missing
 * permission says what to do).
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktdoctor/error.h"
#include "pktdoctor/source.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: live_source_probe -i IFACE [-n NETNS] [-b auto|pcap|afpacket]\n"
		    "         [-c COUNT] [-t SECONDS (default 10, at most 3600)] [-s SNAPLEN]\n"
		    "         [-B BUFFER_BYTES] [-T TIMEOUT_MS] [-p (promiscuous)] [-f FILTER]\n"
		    "         [-q (no per-frame lines)] [-S MS (stall MS ms after the first\n"
		    "         frame, at most 10000: a slow reader, to see capture drops)]\n");
}

static void print_frame(uint64_t n, const struct pd_frame *f)
{
	const char *lt = pcap_datalink_val_to_name(f->linktype);
	const char *dir = "-";
	char flags[64] = "";

	if (f->has_epb_flags) {
		if ((f->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_IN)
			dir = "in";
		else if ((f->epb_flags & PD_EPB_DIR_MASK) == PD_EPB_DIR_OUT)
			dir = "out";
		if (f->epb_flags & PD_EPB_CSUM_NOT_READY)
			strcat(flags, ",csum_not_ready");
		if (f->epb_flags & PD_EPB_CSUM_VALID)
			strcat(flags, ",csum_valid");
		if (f->epb_flags & PD_EPB_TSO)
			strcat(flags, ",tso");
	}
	printf("frame=%llu linktype=%s caplen=%u wirelen=%u dir=%s flags=%s\n",
	       (unsigned long long)n, lt ? lt : "unknown", f->caplen, f->wirelen, dir,
	       flags[0] ? flags + 1 : "-");
}

int main(int argc, char **argv)
{
	struct pd_live_opts o;
	struct pd_source *src = 0;
	struct pd_source_stats st;
	struct sigaction sa;
	const char *filter = 0;
	char err[512];
	unsigned long long count = 0, matched = 0;
	double seconds = 10, t0, elapsed;
	bool quiet = false;
	int c, rc, status = 0, stall_ms = 0;

	memset(&o, 0, sizeof(o));
	while ((c = getopt(argc, argv, "i:n:b:c:t:s:B:T:pf:qS:h")) != -1) {
		switch (c) {
		case 'i': o.iface = optarg; break;
		case 'n': o.netns = optarg; break;
		case 'b':
			if (strcmp(optarg, "auto") == 0)
				o.backend = PD_LIVE_AUTO;
			else if (strcmp(optarg, "pcap") == 0)
				o.backend = PD_LIVE_PCAP;
			else if (strcmp(optarg, "afpacket") == 0)
				o.backend = PD_LIVE_AFPACKET;
			else {
				usage(stderr);
				return 2;
			}
			break;
		case 'c': count = strtoull(optarg, 0, 10); break;
		case 't': seconds = strtod(optarg, 0); break;
		case 's': o.snaplen = atoi(optarg); break;
		case 'B': o.buffer_bytes = (size_t)strtoull(optarg, 0, 10); break;
		case 'T': o.timeout_ms = atoi(optarg); break;
		case 'p': o.promisc = true; break;
		case 'f': filter = optarg; break;
		case 'q': quiet = true; break;
		case 'S': stall_ms = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!o.iface || optind != argc || !(seconds > 0) || seconds > 3600 || stall_ms < 0 ||
	    stall_ms > 10000) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, 0, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);

	rc = pd_source_open_live(&src, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "live_source_probe: %s\n", err);
		return 3;
	}
	if (filter && pd_source_compile_filter(src, filter, err, sizeof(err)) != 0) {
		fprintf(stderr, "live_source_probe: %s\n", err);
		pd_source_close(src);
		return 2;
	}
	printf("open iface=%s format=%s linktype=%s snaplen=%d\n", pd_source_name(src),
	       pd_source_format(src), pd_source_linktype_name(src), pd_source_snaplen(src));
	t0 = now_s();
	while (!stop && (!count || matched < count) && now_s() - t0 < seconds) {
		struct pd_frame f;

		rc = pd_source_next(src, &f);
		if (rc == PD_SRC_AGAIN)
			continue; /* next() waited up to the timeout */
		if (rc == PD_SRC_END)
			break;
		if (rc < 0) {
			fprintf(stderr, "live_source_probe: %s\n", pd_source_error(src, 0));
			status = 3;
			break;
		}
		if (!pd_source_match(src, &f))
			continue;
		matched++;
		if (!quiet)
			print_frame(matched, &f);
		if (matched == 1 && stall_ms) {
			struct timespec pause = {stall_ms / 1000, (long)(stall_ms % 1000) * 1000000L};

			nanosleep(&pause, 0);
		}
	}
	elapsed = now_s() - t0;
	pd_source_stats(src, &st);
	printf("stats received=%llu matched=%llu capture_drops=%llu if_drops=%llu valid=%d "
	       "seconds=%.3f\n",
	       (unsigned long long)st.received, matched, (unsigned long long)st.capture_drops,
	       (unsigned long long)st.if_drops, st.valid ? 1 : 0, elapsed);
	pd_source_close(src);
	return status;
}
