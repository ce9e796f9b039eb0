/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_pcapng.c - libFuzzer entry point for the pcapng reader alone
 * (src/sources/pcapng.c): the input is a pcapng file read through
 * fmemopen(), record by record, touching every byte a record says it
 * has, so ASan sees any read past what the reader checked.  Inputs that
 * do not start with the pcapng magic get it prepended, so the fuzzer
 * does not spend its time on the pcap path (fuzz_file covers that).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[4] = {0x0a, 0x0d, 0x0d, 0x0a};
	struct pd_source *s;
	struct pd_frame f;
	char err[512];
	uint8_t *buf;
	FILE *fp;
	unsigned sum = 0;
	int rc;

	buf = malloc(size + 4);
	if (!buf)
		return 0;
	memcpy(buf, magic, 4);
	if (size)
		memcpy(buf + 4, data, size);
	if (size >= 4 && !memcmp(data, magic, 4))
		fp = fmemopen(buf + 4, size, "rb");
	else
		fp = fmemopen(buf, size + 4, "rb");
	if (!fp) {
		free(buf);
		return 0;
	}
	if (pd_source_open_stream(&s, fp, "fuzz", err, sizeof(err)) == 0) {
		while ((rc = pd_source_next(s, &f)) == PD_SRC_FRAME) {
			for (uint32_t i = 0; i < f.caplen; i++)
				sum += f.data[i];
			if (f.comment)
				sum += (unsigned)strlen(f.comment);
		}
		if (rc < 0 && !pd_source_error(s, 0)[0])
			abort(); /* an error must come with a message */
		pd_source_close(s);
	}
	free(buf);
	return (int)(sum & 0);
}
