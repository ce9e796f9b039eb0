/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_analyze.c - whole-pipeline tests on small files written by the
 * test: the pcapng epb_flags word (which libpcap does not pass on and the
 * file source recovers) in both section byte orders, and the per-host
 * offload verdict it feeds.
 *
 * The frame is UDP/IPv4 10.0.0.1:1000 -> 10.0.0.2:2000 with 4 bytes of
 * payload and, as its checksum, the Linux CHECKSUM_PARTIAL value: the
 * folded pseudo-header sum (RFC 768 pseudo-header: src, dst, 0, 17, len).
 * The expected value is computed here with a separate, plain
 * implementation of the RFC 1071 sum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pd_test_frames.h"

#include "pktdoctor/analyze.h"
#include "pktdoctor/duplicate.h"
#include "pktdoctor/error.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/vec.h"

/* Ethernet + IPv4 + UDP frame with a partial (pseudo-header) checksum. */
static size_t make_frame(uint8_t *f)
{
	static const uint8_t hdr[] = {
		/* Ethernet: dst, src, type IPv4 */
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		/* IPv4: 45 00 len=32 id=1 DF ttl 64 proto 17 csum(0) src dst */
		0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
		10, 0, 0, 1, 10, 0, 0, 2,
		/* UDP: 1000 -> 2000, len 12, checksum filled below */
		0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0c, 0x00, 0x00,
		'p', 'i', 'n', 'g',
	};
	uint8_t ph[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 12};
	uint16_t ipsum, part;

	memcpy(f, hdr, sizeof(hdr));
	ipsum = (uint16_t)~pd_test_sum(f + 14, 20, 0);
	f[24] = (uint8_t)(ipsum >> 8);
	f[25] = (uint8_t)ipsum;
	part = pd_test_sum(ph, sizeof(ph), 0); /* folded, not complemented */
	f[40] = (uint8_t)(part >> 8);
	f[41] = (uint8_t)part;
	return sizeof(hdr);
}

static void put32(FILE *fp, uint32_t v, int le)
{
	uint8_t b[4];

	if (le) {
		b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
	} else {
		b[3] = (uint8_t)v; b[2] = (uint8_t)(v >> 8); b[1] = (uint8_t)(v >> 16); b[0] = (uint8_t)(v >> 24);
	}
	fwrite(b, 1, 4, fp);
}

static void put16(FILE *fp, uint16_t v, int le)
{
	uint8_t b[2];

	if (le) {
		b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8);
	} else {
		b[1] = (uint8_t)v; b[0] = (uint8_t)(v >> 8);
	}
	fwrite(b, 1, 2, fp);
}

/*
 * Write a pcapng file (pcapng spec, sections 4.1 SHB, 4.2 IDB, 4.3 EPB)
 * with @n copies of the frame; EPB i carries epb_flags flags[i] when
 * flags[i] != 0 (option code 2, length 4).
 */
static void write_pcapng_spaced(const char *path, int le, const uint32_t *flags, int n,
				uint32_t spacing_us);

static void write_pcapng(const char *path, int le, const uint32_t *flags, int n)
{
	/* 100 ms apart: the same bytes microseconds apart would be one
	 * packet captured twice (capture.duplicate_frames) */
	write_pcapng_spaced(path, le, flags, n, 100000);
}

/* As write_pcapng(), the frames @spacing_us microseconds apart. */
static void write_pcapng_spaced(const char *path, int le, const uint32_t *flags, int n,
				uint32_t spacing_us)
{
	FILE *fp = fopen(path, "wb");
	uint8_t frame[64];
	size_t flen = make_frame(frame), pad = (flen + 3) & ~(size_t)3;

	assert_non_null(fp);
	/* SHB: type, len 28, BOM, v1.0, section length -1, len */
	put32(fp, 0x0a0d0d0a, le);
	put32(fp, 28, le);
	put32(fp, 0x1a2b3c4d, le);
	put16(fp, 1, le);
	put16(fp, 0, le);
	put32(fp, 0xffffffff, le);
	put32(fp, 0xffffffff, le);
	put32(fp, 28, le);
	/* IDB: type 1, len 20, linktype 1, reserved, snaplen 0, len */
	put32(fp, 1, le);
	put32(fp, 20, le);
	put16(fp, 1, le);
	put16(fp, 0, le);
	put32(fp, 0, le);
	put32(fp, 20, le);
	for (int i = 0; i < n; i++) {
		uint32_t opts = flags[i] ? 8 + 4 : 0; /* flags option + opt_endofopt */
		uint32_t len = (uint32_t)(28 + pad + opts + 4);

		put32(fp, 6, le);
		put32(fp, len, le);
		put32(fp, 0, le);               /* interface 0 */
		put32(fp, 0, le);               /* timestamp high */
		put32(fp, (uint32_t)(1000 + spacing_us * (uint32_t)i), le); /* timestamp low (us) */
		put32(fp, (uint32_t)flen, le);
		put32(fp, (uint32_t)flen, le);
		fwrite(frame, 1, flen, fp);
		for (size_t k = flen; k < pad; k++)
			fputc(0, fp);
		if (flags[i]) {
			put16(fp, 2, le);
			put16(fp, 4, le);
			put32(fp, flags[i], le);
			put32(fp, 0, le);       /* opt_endofopt, length 0 */
		}
		put32(fp, len, le);
	}
	fclose(fp);
}

static const struct pd_finding *find(const struct pd_analysis *a, const char *id)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (!strcmp(a->findings.v[i].id, id))
			return &a->findings.v[i];
	return 0;
}

static uint64_t ev_u64(const struct pd_finding *f, const char *key)
{
	for (unsigned i = 0; i < f->n_evidence; i++)
		if (!strcmp(f->evidence[i].key, key))
			return f->evidence[i].v.u;
	fail_msg("evidence %s missing", key);
	return 0;
}

static void run_epb_flags(int le)
{
	char path[] = "/tmp/pd-test-epb-XXXXXX";
	int fd = mkstemp(path);
	/* frame 1: outbound + checksum not ready; frame 2: inbound only;
	 * frame 3: no option at all */
	uint32_t flags[3] = {PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY, PD_EPB_DIR_IN, 0};
	struct pd_analysis_opts o;
	struct pd_analysis a;
	const struct pd_finding *f;

	assert_true(fd >= 0);
	close(fd);
	write_pcapng(path, le, flags, 3);
	memset(&o, 0, sizeof(o));
	assert_int_equal(pd_analyze_file(path, &o, &a), 0);
	assert_string_equal(a.format, "pcapng");
	assert_int_equal(a.stats.frames, 3);
	/* two of the three EPBs carry the option */
	assert_int_equal(a.stats.epb_flags, 2);
	/* all three UDP checksums are the partial sum */
	assert_int_equal(a.stats.csum[PD_CL_UDP][PD_CSUM_PARTIAL], 3);
	assert_int_equal(a.stats.csum[PD_CL_IPV4][PD_CSUM_VALID], 3);
	assert_null(find(&a, "checksum.bad"));
	f = find(&a, "checksum.offload_suspected");
	assert_non_null(f);
	assert_string_equal(f->flow, "host 10.0.0.1");
	assert_int_equal(ev_u64(f, "epb_outbound"), 1);
	assert_int_equal(ev_u64(f, "epb_checksum_not_ready"), 1);
	assert_int_equal(f->frames_total, 3);
	pd_analysis_free(&a);
	unlink(path);
}

/* Little-endian section (as written on x86). */
static void test_epb_flags_le(void **state)
{
	(void)state;
	run_epb_flags(1);
}

/* Big-endian section: the byte-order magic decides how options are read. */
static void test_epb_flags_be(void **state)
{
	(void)state;
	run_epb_flags(0);
}

/* The same frame with a correct checksum gives no checksum finding. */
static void test_valid_udp_no_finding(void **state)
{
	char path[] = "/tmp/pd-test-valid-XXXXXX";
	int fd = mkstemp(path);
	uint8_t frame[64];
	size_t flen = make_frame(frame);
	uint8_t udp_ph[12 + 12];
	uint16_t c;
	FILE *fp;
	struct pd_analysis_opts o;
	struct pd_analysis a;
	/* classic pcap header (LE, microseconds), one record */
	static const uint8_t gh[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
				       0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0};
	uint8_t rh[16] = {0};

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* checksum = ~sum(pseudo-header + UDP with checksum 0) (RFC 768) */
	memcpy(udp_ph, (const uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 12}, 12);
	frame[40] = frame[41] = 0;
	memcpy(udp_ph + 12, frame + 34, 12);
	c = (uint16_t)~pd_test_sum(udp_ph, sizeof(udp_ph), 0);
	frame[40] = (uint8_t)(c >> 8);
	frame[41] = (uint8_t)c;
	rh[8] = rh[12] = (uint8_t)flen;
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite(gh, 1, sizeof(gh), fp);
	fwrite(rh, 1, sizeof(rh), fp);
	fwrite(frame, 1, flen, fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	assert_int_equal(pd_analyze_file(path, &o, &a), 0);
	assert_string_equal(a.format, "pcap");
	assert_int_equal(a.stats.csum[PD_CL_UDP][PD_CSUM_VALID], 1);
	assert_int_equal(a.findings.n, 0);
	pd_analysis_free(&a);
	unlink(path);
}

/* pd_vec_reserve(): grows by doubling, keeps what was stored, stops at
 * the bound with -PD_ELIMIT. */
/* A TCP packet between 10.0.0.1:@sport and 10.0.0.2:@dport (from the
 * first when @fwd) carrying VLAN @vid (0 untagged). */
static void vlan_tcp(struct pd_packet *p, bool fwd, uint16_t vid, uint64_t frame)
{
	memset(p, 0, sizeof(*p));
	p->frame = frame;
	p->ts_ns = (int64_t)frame * 1000;
	p->layers = PD_L_ETH | PD_L_IPV4 | PD_L_TCP | (vid ? PD_L_VLAN : 0);
	p->eth.vlan_count = vid ? 1 : 0;
	p->eth.vlan_id[0] = vid;
	p->ip.version = 4;
	p->ip.src.family = p->ip.dst.family = 4;
	p->ip.src.a[0] = p->ip.dst.a[0] = 10;
	p->ip.src.a[3] = fwd ? 1 : 2;
	p->ip.dst.a[3] = fwd ? 2 : 1;
	p->tcp.sport = fwd ? 40000 : 80;
	p->tcp.dport = fwd ? 80 : 40000;
}

/* The two directions of one connection carry different VLAN tags (a
 * router on a stick, a tap on a trunk): one flow, as in Wireshark's
 * conversations, with each direction's tag kept for the evidence. */
static void test_flow_joins_vlans(void **state)
{
	struct pd_flow_table *t = pd_flow_table_new(0);
	struct pd_packet p;
	struct pd_flow *a, *b;
	struct pd_flow_stats st;
	char buf[160];
	int da, db;

	(void)state;
	assert_non_null(t);
	vlan_tcp(&p, true, 10, 1);
	a = pd_flow_lookup(t, &p, &da, 0, 0);
	vlan_tcp(&p, false, 20, 2);
	b = pd_flow_lookup(t, &p, &db, 0, 0);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_not_equal(da, db);
	assert_true(pd_flow_vlan_asymmetric(a));
	assert_int_equal(a->dir[da].vlan, 10);
	assert_int_equal(a->dir[db].vlan, 20);
	assert_string_equal(pd_flow_format(a, buf, sizeof(buf)),
			    "TCP 10.0.0.1:40000 -> 10.0.0.2:80 vlan 10/20");
	/* the same tag both ways is printed once; another 5-tuple is another flow */
	vlan_tcp(&p, true, 10, 3);
	p.tcp.sport = 40001;
	b = pd_flow_lookup(t, &p, &db, 0, 0);
	vlan_tcp(&p, false, 10, 4);
	p.tcp.dport = 40001;
	assert_ptr_equal(pd_flow_lookup(t, &p, &da, 0, 0), b);
	assert_ptr_not_equal(a, b);
	assert_false(pd_flow_vlan_asymmetric(b));
	assert_string_equal(pd_flow_format(b, buf, sizeof(buf)),
			    "TCP 10.0.0.1:40001 -> 10.0.0.2:80 vlan 10");
	pd_flow_table_stats(t, &st);
	assert_int_equal(st.created, 2);
	pd_flow_table_free(t);
}

/* The engine's duplicate check (duplicate.h) on packets built here: a
 * server's two UDP replies without a checksum (RFC 768: 0) and with IP
 * ID 0, as a DHCP server's OFFER and ACK to one client, differ only past
 * the first 64 payload bytes; they are two packets.  A true second copy
 * of the second (one router hop later: TTL one lower) is a copy. */
static void test_duplicate_udp_without_checksum(void **state)
{
	static uint8_t offer[300], ack[300];
	struct pd_dup_table *t = pd_dup_table_new();
	struct pd_packet p;
	struct pd_dup d;

	(void)state;
	assert_non_null(t);
	memset(offer, 0x5a, sizeof(offer));
	memcpy(ack, offer, sizeof(ack));
	ack[242] = 5; /* option 53: DHCPACK where the OFFER has 2 */
	offer[242] = 2;
	memset(&p, 0, sizeof(p));
	p.layers = PD_L_IPV4 | PD_L_UDP;
	p.ip.version = 4;
	p.ip.proto = 17;
	p.ip.ttl = 64;
	p.ip.total_len = 20 + 8 + sizeof(offer);
	memcpy(p.ip.src.a, (const uint8_t[]){10, 79, 0, 1}, 4);
	memcpy(p.ip.dst.a, (const uint8_t[]){10, 79, 0, 50}, 4);
	p.udp.sport = 67;
	p.udp.dport = 68;
	p.udp.length = 8 + sizeof(offer);
	p.payload = offer;
	p.payload_caplen = sizeof(offer);
	p.frame = 1;
	p.ts_ns = 1000000000;
	assert_int_equal(pd_dup_check(t, &p, &d), 0);
	p.payload = ack;
	p.frame = 2;
	p.ts_ns += 500000; /* 0.5 ms later: inside the 2 ms window for ID 0 */
	assert_int_equal(pd_dup_check(t, &p, &d), 0);
	p.frame = 3;
	p.ts_ns += 20000;
	p.ip.ttl = 63;
	assert_int_equal(pd_dup_check(t, &p, &d), 2);
	assert_int_equal(d.of, 2);
	assert_int_equal(d.gap_ns, 20000);
	assert_true(d.ttl_differs);
	pd_dup_table_free(t);
}

/* The same UDP datagram (same IP ID, same bytes) three times: 5 us apart
 * it is one packet captured three times, reported once as
 * capture.duplicate_frames and judged once; 20 ms apart (beyond the 10 ms
 * window for a non-zero IPv4 ID) it is three packets. */
static void test_duplicate_frames(void **state)
{
	char path[] = "/tmp/pd-test-dup-XXXXXX";
	int fd = mkstemp(path);
	uint32_t flags[3] = {0, 0, 0};
	struct pd_analysis_opts o;
	struct pd_analysis a;
	const struct pd_finding *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memset(&o, 0, sizeof(o));
	write_pcapng_spaced(path, 1, flags, 3, 5);
	assert_int_equal(pd_analyze_file(path, &o, &a), 0);
	f = find(&a, "capture.duplicate_frames");
	assert_non_null(f);
	assert_int_equal(f->frames_total, 2);
	assert_int_equal(f->frames[0], 2);
	assert_int_equal(f->frames[1], 3);
	assert_int_equal(ev_u64(f, "first_original_frame"), 1);
	f = find(&a, "checksum.offload_partial");
	assert_non_null(f);
	assert_int_equal(f->frames_total, 1); /* the copies are not judged again */
	pd_analysis_free(&a);
	write_pcapng_spaced(path, 1, flags, 3, 20000);
	assert_int_equal(pd_analyze_file(path, &o, &a), 0);
	assert_null(find(&a, "capture.duplicate_frames"));
	f = find(&a, "checksum.offload_partial");
	assert_non_null(f);
	assert_int_equal(f->frames_total, 3);
	pd_analysis_free(&a);
	unlink(path);
}

static void test_vec_reserve(void **state)
{
	int *v = 0;
	size_t cap = 0, n = 0;

	(void)state;
	for (int i = 0; i < 40; i++) {
		assert_int_equal(pd_vec_reserve(&v, &cap, n, sizeof(*v), 40), 0);
		assert_true(cap > n);
		v[n++] = i * 3;
	}
	assert_int_equal(pd_vec_reserve(&v, &cap, n, sizeof(*v), 40), -PD_ELIMIT);
	assert_int_equal(cap, 40); /* 16, 32, then clamped to the bound */
	for (int i = 0; i < 40; i++)
		assert_int_equal(v[i], i * 3);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epb_flags_le),
		cmocka_unit_test(test_epb_flags_be),
		cmocka_unit_test(test_valid_udp_no_finding),
		cmocka_unit_test(test_vec_reserve),
		cmocka_unit_test(test_flow_joins_vlans),
		cmocka_unit_test(test_duplicate_frames),
		cmocka_unit_test(test_duplicate_udp_without_checksum),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
