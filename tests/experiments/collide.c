/* SPDX-License-Identifier: BSD-2-Clause */
/* Flows whose keys an attacker chose so that pd_hash_bytes() puts them
 * all at one home slot: lookup cost against as many ordinary flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pktdoctor/flow.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/packet.h"

static uint32_t key_hash(uint32_t a, uint32_t b, uint16_t pa, uint16_t pb)
{
	/* flow.c hash_key() for IPv4 TCP, A < B */
	uint64_t w[2];
	w[0] = (uint64_t)4 | (uint64_t)6 << 8 | (uint64_t)pa << 16 | (uint64_t)pb << 32;
	w[1] = (uint64_t)a | (uint64_t)b << 32;
	return pd_hash_bytes(w, 16);
}

static void pkt(struct pd_packet *p, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, int64_t ts)
{
	memset(p, 0, sizeof(*p));
	p->layers = PD_L_ETH | PD_L_IPV4 | PD_L_TCP;
	p->ip.version = 4;
	p->ip.src.family = p->ip.dst.family = 4;
	memcpy(p->ip.src.a, &src, 4);
	memcpy(p->ip.dst.a, &dst, 4);
	p->tcp.sport = sp;
	p->tcp.dport = dp;
	p->ts_ns = ts;
	p->frame = 1;
}

static double run(uint32_t *src, uint16_t *sp, int n, uint32_t dst)
{
	struct pd_flow_table *t = pd_flow_table_new(0);
	struct pd_packet p;
	struct timespec a, b;
	int dir;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int r = 0; r < 10; r++)
		for (int i = 0; i < n; i++) {
			pkt(&p, src[i], dst, sp[i], 80, 1000000000000LL + r);
			if (!pd_flow_lookup(t, &p, &dir, 0, 0))
				abort();
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pd_flow_table_free(t);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 16000;
	uint32_t mask = 0x7fff; /* the index holds 16000 flows in 32768 slots */
	uint32_t dst = 0xfe0000c0; /* 192.0.0.254 in memory order: above every source */
	uint32_t *bad = malloc(n * sizeof(*bad)), *good = malloc(n * sizeof(*good));
	uint16_t *bsp = malloc(n * sizeof(*bsp)), *gsp = malloc(n * sizeof(*gsp));
	int k = 0;

	/* sources 10.x.y.z in memory (network) order; the key has A = src */
	for (uint64_t x = 0; k < n; x++) {
		uint32_t src = 10u | (uint32_t)(x & 0xffffff) << 8;
		uint16_t sp = (uint16_t)(1024 + (x >> 24));
		if ((key_hash(src, dst, sp, 80) & mask) == 0x1234) {
			bad[k] = src;
			bsp[k++] = sp;
		}
	}
	for (int i = 0; i < n; i++) {
		good[i] = 10u | ((uint32_t)i + 1) << 8;
		gsp[i] = 40000;
	}
	printf("%d flows x 10 rounds: ordinary %.3f s, chosen keys %.3f s\n", n,
	       run(good, gsp, n, dst), run(bad, bsp, n, dst));
	/* the same keys once the process has its random seed, as every
	 * pipeline does (pd_pipeline_open()): chosen for another seed, they
	 * no longer share a slot */
	pd_hash_seed_init();
	printf("with the per-process seed: ordinary %.3f s, chosen keys %.3f s\n",
	       run(good, gsp, n, dst), run(bad, bsp, n, dst));
	return 0;
}
