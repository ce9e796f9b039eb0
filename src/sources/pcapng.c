/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng.c - pcapng files and pipes.  Interim: hands the stream to the
 * libpcap backend, which reads single-link-type pcapng files; the
 * pktdoctor pcapng reader replaces this file.
 */
#include "backend.h"

int pd_source_open_pcapng(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	return pd_source_open_pcap(out, fp, name, err, errlen);
}
