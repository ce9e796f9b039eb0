/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng_mix.c - write a multi-interface pcapng with mixed link types
 * through the pcapng writer, from the frames of real captures: the
 * Done-when check of the pcapng reader (tests/pcapng_test.sh).
 *
 *   pcapng_mix OUT.pcapng IN...
 *
 * Three interfaces: 0 Ethernet (LINKTYPE 1), 1 Linux SLL (113), 2 raw IP
 * (101).  Untagged Ethernet frames carrying IPv4, IPv6 or ARP go in turn
 * to the three interfaces (ARP to Ethernet or SLL only): on SLL the
 * 14-byte Ethernet header becomes the 16-byte cooked header with the same
 * EtherType, on raw IP it is removed.  Every other frame stays Ethernet.
 * Each packet gets an epb_flags direction (inbound on even, outbound on
 * odd frame numbers) and a comment naming its origin.  Prints one line
 * per interface: "ifN packets" for the test to compare.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/pcapng.h"
#include "pktdoctor/source.h"

static uint8_t buf[262144 + 16];

int main(int argc, char **argv)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
	static const struct pd_pcapng_ipv4 v4 = {{10, 77, 0, 1}, {255, 255, 255, 0}};
	struct pd_pcapng_section sec = {"test rig", "Linux", 0, "pktdoctor-test", false};
	struct pd_pcapng_iface ifs[3] = {
		{1, 262144, "eth0", "tx-checksumming: on, tso: on, gro: off", mac, &v4, 1, 0, 0,
		 PD_PCAPNG_TSRESOL_NS},
		{113, 262144, "any", "Linux cooked capture", 0, 0, 0, 0, 0, PD_PCAPNG_TSRESOL_US},
		{101, 65535, "tun0", "raw IP", 0, 0, 0, 0, 0, 0x80 | 30},
	};
	struct pd_pcapng_writer *w;
	unsigned long n[3] = {0, 0, 0}, k = 0;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: pcapng_mix OUT.pcapng IN...\n");
		return 2;
	}
	rc = pd_pcapng_writer_open_path(&w, argv[1], &sec);
	for (int i = 0; i < 3 && !rc; i++)
		rc = pd_pcapng_add_interface(w, &ifs[i]) == i ? 0 : -PD_EWRITE;
	for (int a = 2; a < argc && !rc; a++) {
		struct pd_source *src;
		struct pd_frame f;
		char err[512];
		unsigned long fno = 0;

		if (pd_source_open_file(&src, argv[a], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			rc = -PD_EOPEN;
			break;
		}
		while (!rc && pd_source_next(src, &f) == PD_SRC_FRAME) {
			unsigned et = f.caplen >= 14 ? (unsigned)f.data[12] << 8 | f.data[13] : 0;
			bool ip = et == 0x0800 || et == 0x86dd;
			uint32_t ifid = 0, caplen = f.caplen, wirelen = f.wirelen;
			const uint8_t *d = f.data;
			char comment[300];

			fno++;
			if (f.kind != PD_FRAME_PACKET || f.linktype != 1 || f.caplen > sizeof(buf) - 16)
				continue;
			if (ip || et == 0x0806)
				ifid = (uint32_t)(k++ % (ip ? 3 : 2));
			if (ifid == 1) {
				/* cooked header: packet type (0 to us, 4 outgoing),
				 * ARPHRD_ETHER, address length 6, source MAC, EtherType */
				memset(buf, 0, 16);
				buf[1] = fno % 2 ? 4 : 0;
				buf[3] = 1;
				buf[5] = 6;
				memcpy(buf + 6, f.data + 6, 6);
				memcpy(buf + 14, f.data + 12, 2);
				memcpy(buf + 16, f.data + 14, f.caplen - 14);
				d = buf;
				caplen += 2;
				wirelen += 2;
			} else if (ifid == 2) {
				d = f.data + 14;
				caplen -= 14;
				wirelen -= 14;
			}
			snprintf(comment, sizeof(comment), "%s frame %lu", argv[a], fno);
			rc = pd_pcapng_write_packet(w, ifid, f.ts_ns, d, caplen, wirelen,
						    fno % 2 ? PD_EPB_DIR_OUT : PD_EPB_DIR_IN, true,
						    comment);
			n[ifid]++;
		}
		pd_source_close(src);
	}
	if (pd_pcapng_writer_close(w) && !rc)
		rc = -PD_EWRITE;
	if (rc) {
		fprintf(stderr, "pcapng_mix: %s: %s\n", argv[1], pd_strerror(rc));
		return 1;
	}
	for (int i = 0; i < 3; i++)
		printf("if%d %lu\n", i, n[i]);
	return 0;
}
