/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_dump.c - print what a capture source delivers, one line per
 * record, for scripts/compare-pcapng.py to set beside tshark's view:
 *   number kind linktype ifid ts_ns caplen wirelen epb_flags comment
 * (tab-separated; epb_flags "-" when the record has none, comment with
 * tabs and newlines as spaces).  A read error is printed to stderr with
 * exit 3 after the records read before it.
 *   pcapng_dump FILE|-
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/source.h"

int main(int argc, char **argv)
{
	struct pd_source *src;
	struct pd_frame f;
	char err[512];
	unsigned long long n = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapng_dump FILE|-\n");
		return 2;
	}
	if (pd_source_open_file(&src, argv[1], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	printf("#format=%s linktype=%d snaplen=%d\n", pd_source_format(src),
	       pd_source_linktype(src), pd_source_snaplen(src));
	while ((rc = pd_source_next(src, &f)) == PD_SRC_FRAME) {
		char c[256] = "";

		if (f.comment) {
			snprintf(c, sizeof(c), "%s", f.comment);
			for (char *p = c; *p; p++)
				if (*p == '\t' || *p == '\n' || *p == '\r')
					*p = ' ';
		}
		n++;
		printf("%llu\t%s\t%d\t%u\t%lld\t%u\t%u\t", n,
		       f.kind == PD_FRAME_PACKET ? "packet" : "other", f.linktype, f.ifid,
		       (long long)f.ts_ns, f.caplen, f.wirelen);
		if (f.has_epb_flags)
			printf("0x%08x", f.epb_flags);
		else
			printf("-");
		printf("\t%s\n", c);
	}
	if (rc < 0) {
		int64_t off;
		const char *msg = pd_source_error(src, &off);

		fprintf(stderr, "error after record %llu (last good byte offset %lld): %s\n", n,
			(long long)off, msg);
	}
	pd_source_close(src);
	return rc < 0 ? 3 : 0;
}
