/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_flowtab.c - the shared index and the flow table against reference
 * models (review of the hash table merge, issue 8): random inserts and
 * removals in small tables full of wrapped clusters, flow churn with
 * expiry (every flow ended exactly once, storage zeroed on reuse, the LRU
 * list consistent), and flow expiry after a frame whose timestamp lies
 * in the future.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pd_test_frames.h"

#include "pktdoctor/analyze.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/flow.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/pipeline.h"

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* ---- the index against a model ---- */

#define NITEMS 600

static uint32_t item_hash[NITEMS];
static bool present[NITEMS];

/* Every entry lies on its probe path: no empty slot between its home
 * and its slot; every present item is in exactly one slot. */
static void check_index(const struct pd_hashtab *h)
{
	uint32_t seen[NITEMS] = {0}, count = 0;

	for (uint64_t j = 0; h->slots && j <= h->mask; j++) {
		const struct pd_hashtab_slot *s = &h->slots[j];

		if (s->item == PD_HASHTAB_NONE)
			continue;
		assert_true(s->item < NITEMS);
		assert_true(present[s->item]);
		assert_int_equal(s->tag, item_hash[s->item]);
		seen[s->item]++;
		count++;
		for (uint32_t k = s->tag & h->mask; k != j; k = (k + 1) & h->mask)
			assert_int_not_equal(h->slots[k].item, PD_HASHTAB_NONE);
	}
	assert_int_equal(count, h->count);
	for (uint32_t i = 0; i < NITEMS; i++)
		assert_int_equal(seen[i], present[i] ? 1 : 0);
}

static bool item_is(const void *ctx, uint32_t item)
{
	return item == *(const uint32_t *)ctx;
}

static void test_index_model(void **state)
{
	(void)state;
	for (int round = 0; round < 40; round++) {
		struct pd_hashtab h = {0};
		/* few distinct homes, crowded at the end of the array so that
		 * clusters wrap; high bits random */
		uint32_t homes = 1 + rnd() % 6;

		memset(present, 0, sizeof(present));
		for (uint32_t i = 0; i < NITEMS; i++)
			item_hash[i] = (rnd() << 8) | ((0xfeu + rnd() % homes) & 0xffu) |
				       (round % 3 == 0 ? 0 : 0xffffff00u);
		for (int op = 0; op < 20000; op++) {
			uint32_t i = rnd() % (round < 20 ? 40 : NITEMS);

			if (present[i]) {
				assert_int_equal(pd_hashtab_remove(&h, item_hash[i], i), 0);
				present[i] = false;
			} else {
				assert_int_equal(pd_hashtab_insert(&h, item_hash[i], i), 0);
				present[i] = true;
			}
			if (op % 97 == 0)
				check_index(&h);
			assert_int_equal(pd_hashtab_find(&h, item_hash[i], item_is, &i),
					 present[i] ? i : PD_HASHTAB_NONE);
		}
		check_index(&h);
		pd_hashtab_free(&h);
	}
}

/* ---- the flow table ---- */

static void tcp_packet(struct pd_packet *p, uint32_t src, uint32_t dst, uint16_t sport,
		       uint16_t dport, int64_t ts_ns, uint64_t frame)
{
	memset(p, 0, sizeof(*p));
	p->layers = PD_L_ETH | PD_L_IPV4 | PD_L_TCP;
	p->ip.version = 4;
	p->ip.src.family = p->ip.dst.family = 4;
	memcpy(p->ip.src.a, &src, 4);
	memcpy(p->ip.dst.a, &dst, 4);
	p->tcp.sport = sport;
	p->tcp.dport = dport;
	p->ts_ns = ts_ns;
	p->frame = frame;
}

#define NTUPLES 300

struct churn {
	int handle;
	unsigned ended[1 << 16];   /* by flow id */
	uint64_t n_ended;
};

static void churn_end(void *arg, const struct pd_flow *f)
{
	struct churn *c = arg;
	uint64_t *mark = pd_flow_storage(f, c->handle);

	assert_true(f->id < (1 << 16));
	c->ended[f->id]++;
	c->n_ended++;
	/* what this test wrote into the storage when the flow began */
	assert_int_equal(*mark, f->id);
}

static void count_visit(void *arg, const struct pd_flow *f)
{
	(void)f;
	(*(size_t *)arg)++;
}

static void test_flow_churn(void **state)
{
	struct pd_flow_limits lim = {64, 1000000000LL};
	struct pd_flow_table *t = pd_flow_table_new(&lim);
	static struct churn c;
	struct pd_flow_stats st;
	struct pd_packet p;
	int64_t ts = 1000000000000LL;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(t);
	c.handle = pd_flow_storage_reserve(t, 8);
	assert_true(c.handle >= 0);
	for (uint64_t frame = 1; frame <= 40000; frame++) {
		uint32_t k = rnd() % NTUPLES;
		int dir;
		struct pd_flow *f;
		uint64_t *mark;

		ts += (int64_t)(rnd() % 20000000u); /* up to 20 ms */
		tcp_packet(&p, 0x0a000001u + k, 0x0a100001u, (uint16_t)(1000 + k), 80, ts, frame);
		if (rnd() % 2) { /* the other direction */
			uint32_t a;
			uint16_t s;

			memcpy(&a, p.ip.src.a, 4);
			memcpy(p.ip.src.a, p.ip.dst.a, 4);
			memcpy(p.ip.dst.a, &a, 4);
			s = p.tcp.sport;
			p.tcp.sport = p.tcp.dport;
			p.tcp.dport = s;
		}
		if (frame % 500 == 0)
			pd_flow_expire(t, ts, churn_end, &c);
		f = pd_flow_lookup(t, &p, &dir, churn_end, &c);
		pd_flow_table_stats(t, &st);
		if (!f) {
			assert_int_equal(st.live, 64);
			continue;
		}
		mark = pd_flow_storage(f, c.handle);
		if (f->first_frame == frame) {
			assert_int_equal(*mark, 0); /* zeroed, even in a reused record */
			*mark = f->id;
		}
		assert_int_equal(*mark, f->id);
		assert_true(f->key.port_a == 80 || f->key.port_b == 80);
		assert_int_equal(f->last_frame, frame);
		{
			size_t n = 0;

			pd_flow_foreach(t, count_visit, &n, SIZE_MAX);
			assert_int_equal(n, st.live);
		}
	}
	pd_flow_table_stats(t, &st);
	pd_flow_drain(t, churn_end, &c);
	assert_int_equal(c.n_ended, st.created);
	for (uint64_t id = 1; id <= st.created; id++)
		assert_int_equal(c.ended[id], 1);
	pd_flow_table_free(t);
}

static void no_end(void *arg, const struct pd_flow *f)
{
	(void)f;
	(*(uint64_t *)arg)++;
}

/*
 * One TCP frame stamped an hour in the future (a bad clock, a corrupt
 * record, an NTP step back in a live capture) leaves its flow at the
 * head of the LRU list with a last_ns no later frame reaches: expiry
 * stops at it, so no flow expires again, however idle, and new flows
 * are refused once the table is full.
 */
static void test_expiry_after_future_timestamp(void **state)
{
	struct pd_flow_limits lim = {100, 10LL * 1000000000LL}; /* 10 s idle */
	struct pd_flow_table *t = pd_flow_table_new(&lim);
	struct pd_flow_stats st;
	struct pd_packet p;
	int64_t ts = 1000000000000000000LL;
	uint64_t ended = 0, frame = 0;
	int dir;

	(void)state;
	assert_non_null(t);
	/* the bad frame: an hour ahead */
	tcp_packet(&p, 0x0a000001u, 0x0a000002u, 1, 2, ts + 3600LL * 1000000000LL, ++frame);
	assert_non_null(pd_flow_lookup(t, &p, &dir, no_end, &ended));
	/* then an ordinary capture: 1000 short flows, one a second, each
	 * idle long past the 10 s timeout when the next ones begin */
	for (uint32_t k = 0; k < 1000; k++) {
		ts += 1000000000LL;
		tcp_packet(&p, 0x0b000000u + k, 0x0c000001u, 40000, 80, ts, ++frame);
		pd_flow_lookup(t, &p, &dir, no_end, &ended);
		pd_flow_expire(t, ts, no_end, &ended);
	}
	pd_flow_table_stats(t, &st);
	/* at most 11 flows were idle less than 10 s: the rest should have
	 * expired, and no flow been refused */
	assert_int_equal(st.overflow, 0);
	assert_true(st.live <= 12);
	pd_flow_table_free(t);
}

/* ---- a reused 5-tuple and the checksum analyzer's flow storage ---- */

/* One TCP segment 10.0.0.1:40000 <-> 10.0.0.2:80 from @side (0 client, 1
 * server); @partial: the checksum field holds only the pseudo-header sum,
 * as a host with TX offload captures its own frames (Linux form). */
static void seg(struct pd_pipeline *pl, int64_t *ns, int side, uint32_t seq, uint32_t ack,
		uint8_t flags, size_t len, bool partial)
{
	static uint8_t f[1600];
	uint8_t *ip = f + 14, *tcp = ip + 20, ph[12];
	uint8_t src[4] = {10, 0, 0, (uint8_t)(side ? 2 : 1)};
	uint8_t dst[4] = {10, 0, 0, (uint8_t)(side ? 1 : 2)};
	size_t tlen = 20 + len;
	struct pd_frame fr;

	memset(f, 0, 54 + len);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	if (side) {
		memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	}
	ip[0] = 0x45;
	pd_test_be16(ip + 2, (uint32_t)(20 + tlen));
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	pd_test_be16(ip + 10, (uint16_t)~pd_test_sum(ip, 20, 0));
	pd_test_be16(tcp, side ? 80 : 40000);
	pd_test_be16(tcp + 2, side ? 40000 : 80);
	pd_test_be32(tcp + 4, seq);
	pd_test_be32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	pd_test_be16(tcp + 14, 65535);
	memset(tcp + 20, 'x', len);
	memcpy(ph, src, 4);
	memcpy(ph + 4, dst, 4);
	ph[8] = 0;
	ph[9] = 6;
	pd_test_be16(ph + 10, (uint32_t)tlen);
	if (partial)
		pd_test_be16(tcp + 16, pd_test_sum(ph, 12, 0));
	else
		pd_test_be16(tcp + 16, (uint16_t)~pd_test_sum(tcp, tlen, pd_test_sum(ph, 12, 0)));
	memset(&fr, 0, sizeof(fr));
	*ns += 1000000;
	fr.data = f;
	fr.caplen = fr.wirelen = (uint32_t)(54 + len);
	fr.ts_ns = *ns;
	fr.linktype = PD_LINKTYPE_EN10MB;
	pd_pipeline_feed(pl, &fr);
}

/*
 * The client sends three data segments with partial checksums that the
 * server never acknowledges (they did not arrive), then reconnects from
 * the same port with a new ISN (the TCP stream layer: "reused").  The
 * server's SYN/ACK of the new connection acknowledges nothing of the old
 * one, so no partial-checksum segment was "ACKed by the peer"; the
 * checksum analyzer's per-flow record of pending segments belongs to the
 * old connection and must not be credited by the new one's ACKs.
 */
static void test_checksum_acked_across_reused_tuple(void **state)
{
	struct pd_analysis a;
	struct pd_analysis_opts o;
	struct pd_pipeline *pl;
	int64_t ns = 1700000000LL * 1000000000LL;
	const struct pd_finding *v = 0;
	uint32_t c = 1000, s = 500000, c2 = 200000;

	(void)state;
	memset(&o, 0, sizeof(o));
	pd_analysis_begin(&a, &o, 0, "test");
	assert_int_equal(pd_pipeline_open(&pl, &a, 0), 0);
	seg(pl, &ns, 0, c, 0, 0x02, 0, false);              /* SYN */
	seg(pl, &ns, 1, s, c + 1, 0x12, 0, false);          /* SYN/ACK */
	seg(pl, &ns, 0, c + 1, s + 1, 0x10, 0, false);      /* ACK */
	for (int i = 0; i < 3; i++)                         /* data, never ACKed */
		seg(pl, &ns, 0, c + 1 + 100u * (uint32_t)i, s + 1, 0x18, 100, true);
	/* the client reboots and connects again from port 40000 */
	seg(pl, &ns, 0, c2, 0, 0x02, 0, false);             /* SYN, new ISN */
	seg(pl, &ns, 1, s + 7777, c2 + 1, 0x12, 0, false);  /* SYN/ACK */
	seg(pl, &ns, 0, c2 + 1, s + 7778, 0x10, 0, false);  /* ACK */
	assert_int_equal(pd_pipeline_finish(pl), 0);
	for (size_t i = 0; i < a.findings.n; i++)
		if (!strcmp(a.findings.v[i].id, "checksum.offload_suspected"))
			v = &a.findings.v[i];
	assert_non_null(v);
	print_message("%s\n", v->message);
	for (unsigned i = 0; i < v->n_evidence; i++)
		if (!strcmp(v->evidence[i].key, "acked_by_peer"))
			assert_int_equal(v->evidence[i].v.u, 0);
	pd_pipeline_close(pl);
	pd_analysis_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_model),
		cmocka_unit_test(test_flow_churn),
		cmocka_unit_test(test_expiry_after_future_timestamp),
		cmocka_unit_test(test_checksum_acked_across_reused_tuple),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
