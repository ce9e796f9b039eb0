/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readfloor.c - the true read floor for the engine benchmark: a bare
 * pcap_next_ex() loop over a capture file that touches every record and
 * does nothing else.  No tool that reads the file through libpcap with
 * the same stdio buffer can be faster.  Prints the frame count and the
 * bytes seen.
 *
 *   readfloor FILE          libpcap opens the file (stdio's default
 *                           buffer, st_blksize: 4 KiB)
 *   readfloor -b BYTES FILE the file is opened here with a BYTES stdio
 *                           buffer and handed to pcap_fopen_offline(), as
 *                           pktdoctor does (1 MiB)
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int rc;

	const char *path = argv[1];
	char *buf = 0;

	if (argc == 4 && strcmp(argv[1], "-b") == 0) {
		size_t size = strtoul(argv[2], 0, 10);
		FILE *fp = fopen(argv[3], "rb");

		path = argv[3];
		buf = size ? malloc(size) : 0;
		if (!fp || !buf || setvbuf(fp, buf, _IOFBF, size) != 0) {
			fprintf(stderr, "readfloor: %s: cannot open with a %zu-byte buffer\n", path,
				size);
			return 3;
		}
		p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	} else if (argc == 2) {
		p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	} else {
		fputs("usage: readfloor [-b BYTES] FILE\n", stderr);
		return 2;
	}
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
	free(buf);
	return rc == PCAP_ERROR_BREAK ? 0 : 3;
}
