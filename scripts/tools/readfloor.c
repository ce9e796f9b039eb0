/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readfloor.c - the true read floor for the engine benchmark: a bare
 * pcap_next_ex() loop over a capture file that touches every record and
 * does nothing else.  No tool that reads the file through libpcap can be
 * faster.  Prints the frame count and the bytes seen.
 *
 *   readfloor FILE
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fputs("usage: readfloor FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "readfloor: %s\n", err);
		return 3;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		bytes += h->caplen;
		sum += h->caplen ? d[h->caplen - 1] : 0; /* touch the data */
	}
	if (rc != PCAP_ERROR_BREAK)
		fprintf(stderr, "readfloor: %s\n", pcap_geterr(p));
	printf("%llu frames %llu bytes (%llu)\n", n, bytes, sum & 1);
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? 0 : 3;
}
