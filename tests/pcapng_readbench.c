/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_readbench.c - time reading a capture to the end, through
 * pktdoctor's source (for pcapng: its own reader) and through libpcap's
 * pcap_next_ex(), touching every captured byte in both; prints records,
 * bytes, seconds (best of N runs) for docs/benchmarks.md.
 *   pcapng_readbench FILE [RUNS]
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pktdoctor/source.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_pd(const char *path, unsigned long long *n, unsigned long long *bytes,
		  unsigned *sum)
{
	struct pd_source *s;
	struct pd_frame f;
	char err[512];
	int rc;

	if (pd_source_open_file(&s, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	while ((rc = pd_source_next(s, &f)) == PD_SRC_FRAME) {
		(*n)++;
		*bytes += f.caplen;
		for (uint32_t i = 0; i < f.caplen; i += 64)
			*sum += f.data[i];
	}
	pd_source_close(s);
	return rc;
}

static int run_pcap(const char *path, unsigned long long *n, unsigned long long *bytes,
		    unsigned *sum)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	if (!p) {
		fprintf(stderr, "libpcap: %s\n", err);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		(*n)++;
		*bytes += h->caplen;
		for (uint32_t i = 0; i < h->caplen; i += 64)
			*sum += d[i];
	}
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? 0 : rc;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	unsigned sum = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pcapng_readbench FILE [RUNS]\n");
		return 2;
	}
	for (int which = 0; which < 2; which++) {
		double best = 1e9;
		unsigned long long n = 0, bytes = 0;
		int rc = 0;

		for (int r = 0; r < runs; r++) {
			double t0 = now();

			n = bytes = 0;
			rc = which == 0 ? run_pd(argv[1], &n, &bytes, &sum)
					: run_pcap(argv[1], &n, &bytes, &sum);
			if (now() - t0 < best)
				best = now() - t0;
		}
		printf("%-9s %llu records %llu bytes best of %d: %.3f s, %.0f MB/s, %.2f Mrecords/s%s\n",
		       which == 0 ? "pktdoctor" : "libpcap", n, bytes, runs, best,
		       (double)bytes / best / 1e6, (double)n / best / 1e6,
		       rc < 0 ? " (stopped on an error)" : "");
	}
	return (int)(sum & 0);
}
