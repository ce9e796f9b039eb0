/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pd_gencap.c - write large synthetic captures for the soak test
 * (scripts/soak.sh) with libpcap's own writer (pcap_open_dead +
 * pcap_dump), so that millions of packets take seconds, not hours.
 *
 *   pd_gencap syn N FILE        N TCP flows that only send a SYN
 *                               (10.0.0.1 -> a new address per flow, port 80)
 *   pd_gencap data N FILE       N TCP flows: handshake, 200 bytes of data,
 *                               its ACK (5 packets each, never closed)
 *   pd_gencap arp N HOSTS FILE  N ARP packets from HOSTS MACs: each host sends
 *                               RFC 5227 probes (sender IP 0.0.0.0), then an
 *                               announcement, then one IPv4 packet
 *   pd_gencap probe N FILE      one MAC sending ARP probes for N new addresses
 *                               (each a new RFC 5227 episode and finding)
 *   pd_gencap dhcp N FILE       N DHCPDISCOVERs from N clients, none answered
 *   pd_gencap syslog N FILE     N syslog messages (RFC 3164, severity info),
 *                               the last one at severity err
 *   pd_gencap bulk BYTES FILE   one TCP connection carrying BYTES of payload
 *                               in 1448-byte segments, ACKed every second one
 *
 * Every checksum is correct, timestamps advance 10 us per packet, so no
 * flow idles out (the default flow timeout is 300 s).  Exit 0, or 1 with a
 * message on error.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pd_test_frames.h"

#define SNAP 2048
#define SEG 1448

struct gen {
	pcap_dumper_t *d;
	uint64_t ts_us;
	uint8_t buf[SNAP];
};

static void emit(struct gen *g, size_t len)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g->d, &h, g->buf);
	g->ts_us += 10;
}

static void eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	pd_test_be16(p + 12, type);
}

static void mac_of(uint32_t n, uint8_t *m)
{
	m[0] = 0x02;
	m[1] = 0x00;
	pd_test_be32(m + 2, n);
}

/* Ethernet + IPv4 header for @l4len bytes of protocol @proto; returns the
 * offset of the L4 header. */
static size_t ipv4(struct gen *g, uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
	static const uint8_t m1[6] = {0x02, 0, 0, 0, 0, 1}, m2[6] = {0x02, 0, 0, 0, 0, 2};
	uint8_t *ip = g->buf + 14;

	eth(g->buf, m2, m1, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	pd_test_be16(ip + 2, (uint16_t)(20 + l4len));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	pd_test_be32(ip + 12, src);
	pd_test_be32(ip + 16, dst);
	pd_test_be16(ip + 10, pd_test_fold(pd_test_sum(ip, 20, 0)));
	return 34;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	pd_test_be32(ph, src);
	pd_test_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	pd_test_be16(ph + 10, (uint16_t)len);
	return pd_test_sum(ph, 12, 0);
}

static void tcp(struct gen *g, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, size_t paylen)
{
	size_t hl = (flags & 0x02) ? 24 : 20, off = ipv4(g, src, dst, 6, hl + paylen);
	uint8_t *t = g->buf + off;

	memset(t, 0, hl);
	pd_test_be16(t, sport);
	pd_test_be16(t + 2, dport);
	pd_test_be32(t + 4, seq);
	pd_test_be32(t + 8, ack);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	pd_test_be16(t + 14, 65535);
	if (hl == 24) { /* MSS 1460 */
		t[20] = 2;
		t[21] = 4;
		pd_test_be16(t + 22, 1460);
	}
	memset(t + hl, 'x', paylen);
	pd_test_be16(t + 16, pd_test_fold(pd_test_sum(t, hl + paylen, pseudo(src, dst, 6, hl + paylen))));
	emit(g, off + hl + paylen);
}

static void udp(struct gen *g, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		const uint8_t *pay, size_t paylen, const uint8_t *smac)
{
	size_t off = ipv4(g, src, dst, 17, 8 + paylen);
	uint8_t *u = g->buf + off;

	if (smac)
		memcpy(g->buf + 6, smac, 6);
	pd_test_be16(u, sport);
	pd_test_be16(u + 2, dport);
	pd_test_be16(u + 4, (uint16_t)(8 + paylen));
	pd_test_be16(u + 6, 0);
	memcpy(u + 8, pay, paylen);
	{
		uint16_t c = pd_test_fold(pd_test_sum(u, 8 + paylen, pseudo(src, dst, 17, 8 + paylen)));

		pd_test_be16(u + 6, c ? c : 0xffff);
	}
	emit(g, off + 8 + paylen);
}

static void arp(struct gen *g, const uint8_t *mac, uint32_t spa, uint32_t tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t *a = g->buf + 14;

	eth(g->buf, bcast, mac, 0x0806);
	pd_test_be16(a, 1);
	pd_test_be16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	pd_test_be16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	pd_test_be32(a + 14, spa);
	memset(a + 18, 0, 6);
	pd_test_be32(a + 24, tpa);
	emit(g, 42);
}

static void gen_syn(struct gen *g, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		tcp(g, 0x0a000001, 0x0b000000 + (uint32_t)i, (uint16_t)(1024 + i % 60000), 80,
		    (uint32_t)(i * 7919), 0, 0x02, 0);
}

static void gen_data(struct gen *g, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint32_t c = 0x0a000001, s = 0x0b000000 + (uint32_t)i, cs = (uint32_t)(i * 7919),
			 ss = (uint32_t)(i * 104729);
		uint16_t cp = (uint16_t)(1024 + i % 60000);

		tcp(g, c, s, cp, 80, cs, 0, 0x02, 0);
		tcp(g, s, c, 80, cp, ss, cs + 1, 0x12, 0);
		tcp(g, c, s, cp, 80, cs + 1, ss + 1, 0x10, 0);
		tcp(g, c, s, cp, 80, cs + 1, ss + 1, 0x18, 200);
		tcp(g, s, c, 80, cp, ss + 1, cs + 201, 0x10, 0);
	}
}

/* Each host: probes, one announcement, one IPv4 packet (4+ packets); the
 * hosts take turns in groups of 32 so that few probe at once. */
static void gen_arp(struct gen *g, uint64_t n, uint64_t hosts)
{
	uint64_t per = hosts ? n / hosts : 0, done = 0;

	if (per < 3)
		per = 3;
	for (uint64_t h0 = 0; h0 < hosts && done < n; h0 += 32) {
		for (uint64_t k = 0; k < per && done < n; k++) {
			for (uint64_t h = h0; h < h0 + 32 && h < hosts && done < n; h++, done++) {
				uint8_t mac[6];
				uint32_t ip = 0x0c000000 + (uint32_t)h;

				mac_of((uint32_t)h, mac);
				if (k + 2 < per) {
					arp(g, mac, 0, ip);          /* probe */
				} else if (k + 1 < per) {
					arp(g, mac, ip, ip);         /* announcement */
				} else {
					static const uint8_t ping[8] = {8, 0, 0xf7, 0xff, 0, 0, 0, 0};
					size_t off = ipv4(g, ip, 0x0a000001, 1, 8);

					memcpy(g->buf + 6, mac, 6);
					memcpy(g->buf + off, ping, 8);
					emit(g, off + 8);
				}
			}
		}
	}
}

static void gen_probe(struct gen *g, uint64_t n)
{
	uint8_t mac[6];

	mac_of(7, mac);
	for (uint64_t i = 0; i < n; i++)
		arp(g, mac, 0, 0x0e000000 + (uint32_t)i);
}

static void gen_dhcp(struct gen *g, uint64_t n)
{
	uint8_t p[300];

	for (uint64_t i = 0; i < n; i++) {
		uint8_t mac[6];

		mac_of((uint32_t)i, mac);
		memset(p, 0, sizeof(p));
		p[0] = 1; /* BOOTREQUEST */
		p[1] = 1;
		p[2] = 6;
		pd_test_be32(p + 4, (uint32_t)i);
		p[10] = 0x80;
		memcpy(p + 28, mac, 6);
		pd_test_be32(p + 236, 0x63825363); /* magic cookie */
		p[240] = 53; /* DHCP message type DISCOVER */
		p[241] = 1;
		p[242] = 1;
		p[243] = 255;
		udp(g, 0, 0xffffffff, 68, 67, p, 244, mac);
	}
}

static void gen_syslog(struct gen *g, uint64_t n)
{
	char m[160];

	for (uint64_t i = 0; i < n; i++) {
		/* <PRI> = facility 1 (user) * 8 + severity: 6 info, 3 err for the last */
		int len = snprintf(m, sizeof(m), "<%d>Nov 29 12:00:00 host%u ipxe: %s %llu",
				   i + 1 == n ? 11 : 14, (unsigned)(i % 100),
				   i + 1 == n ? "boot failed: https://ipxe.org/3e11623b after message"
					      : "progress message",
				   (unsigned long long)i);

		udp(g, 0x0a000000 + (uint32_t)(i % 100) + 2, 0x0a000001, 514, 514,
		    (const uint8_t *)m, (size_t)len, 0);
	}
}

static void gen_bulk(struct gen *g, uint64_t bytes)
{
	uint32_t c = 0x0a000001, s = 0x0a000002, cs = 1000, ss = 5000;
	uint64_t sent = 0, segs = 0;

	tcp(g, c, s, 40000, 3260, cs, 0, 0x02, 0);
	tcp(g, s, c, 3260, 40000, ss, cs + 1, 0x12, 0);
	tcp(g, c, s, 40000, 3260, cs + 1, ss + 1, 0x10, 0);
	while (sent < bytes) {
		size_t len = bytes - sent < SEG ? (size_t)(bytes - sent) : SEG;

		tcp(g, s, c, 3260, 40000, ss + 1 + (uint32_t)sent, cs + 1, 0x10, len);
		sent += len;
		if (++segs % 2 == 0 || sent >= bytes)
			tcp(g, c, s, 40000, 3260, cs + 1, ss + 1 + (uint32_t)sent, 0x10, 0);
	}
}

static int usage(void)
{
	fputs("usage: pd_gencap syn|data|probe|dhcp|syslog N FILE\n"
	      "       pd_gencap arp N HOSTS FILE\n"
	      "       pd_gencap bulk BYTES FILE\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	struct gen g;
	pcap_t *p;
	uint64_t n, hosts = 0;
	const char *file;
	char *end;

	if (argc < 4)
		return usage();
	n = strtoull(argv[2], &end, 10);
	if (*end || !n)
		return usage();
	if (!strcmp(argv[1], "arp")) {
		if (argc != 5)
			return usage();
		hosts = strtoull(argv[3], &end, 10);
		if (*end || !hosts)
			return usage();
		file = argv[4];
	} else {
		if (argc != 4)
			return usage();
		file = argv[3];
	}
	memset(&g, 0, sizeof(g));
	g.ts_us = 1764417600ULL * 1000000ULL;
	p = pcap_open_dead(DLT_EN10MB, SNAP);
	if (!p)
		return 1;
	g.d = pcap_dump_open(p, file);
	if (!g.d) {
		fprintf(stderr, "pd_gencap: %s: %s\n", file, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	if (!strcmp(argv[1], "syn"))
		gen_syn(&g, n);
	else if (!strcmp(argv[1], "data"))
		gen_data(&g, n);
	else if (!strcmp(argv[1], "arp"))
		gen_arp(&g, n, hosts);
	else if (!strcmp(argv[1], "probe"))
		gen_probe(&g, n);
	else if (!strcmp(argv[1], "dhcp"))
		gen_dhcp(&g, n);
	else if (!strcmp(argv[1], "syslog"))
		gen_syslog(&g, n);
	else if (!strcmp(argv[1], "bulk"))
		gen_bulk(&g, n);
	else
		n = 0;
	if (pcap_dump_flush(g.d) != 0) {
		fprintf(stderr, "pd_gencap: %s: write error\n", file);
		n = 0;
	}
	pcap_dump_close(g.d);
	pcap_close(p);
	if (!n)
		return usage();
	return 0;
}
