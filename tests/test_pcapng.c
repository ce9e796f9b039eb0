/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_pcapng.c - the pcapng reader (src/sources/pcapng.c) on files built
 * block by block here, in both byte orders, and round trips through the
 * writer (src/sources/pcapng_write.c).
 *
 * Files are read through pd_source_open_stream() from fmemopen() (not a
 * regular file: the reader takes the exact-read path a pipe takes) and
 * from a temporary regular file (the large-chunk path).
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

#include "pktdoctor/error.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/pcapng.h"
#include "pktdoctor/source.h"

/* ---- a pcapng builder -------------------------------------------------- */

struct bld {
	uint8_t b[1 << 16];
	size_t len;
	size_t blk;   /* start of the open block */
	bool be;
};

static void b_bytes(struct bld *x, const void *p, size_t n)
{
	assert_true(n <= sizeof(x->b) - x->len);
	memcpy(x->b + x->len, p, n);
	x->len += n;
}

static void b16(struct bld *x, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(x->be ? v >> 8 : v), (uint8_t)(x->be ? v : v >> 8)};

	b_bytes(x, b, 2);
}

static void b32(struct bld *x, uint32_t v)
{
	b16(x, (uint16_t)(x->be ? v >> 16 : v));
	b16(x, (uint16_t)(x->be ? v : v >> 16));
}

static void b_pad(struct bld *x)
{
	static const uint8_t z[4];

	b_bytes(x, z, (4 - (x->len & 3)) & 3);
}

static void b_begin(struct bld *x, uint32_t type)
{
	x->blk = x->len;
	b32(x, type);
	b32(x, 0);
}

/* Close the block; @delta is added to the real length in both copies
 * (bad-length tests), @trail_delta only to the trailing one. */
static void b_end2(struct bld *x, int delta, int trail_delta)
{
	uint32_t total;
	size_t save;

	b_pad(x);
	total = (uint32_t)(x->len + 4 - x->blk);
	b32(x, (uint32_t)((int)total + delta + trail_delta));
	save = x->len;
	x->len = x->blk + 4;
	b32(x, (uint32_t)((int)total + delta));
	x->len = save;
}

static void b_end(struct bld *x)
{
	b_end2(x, 0, 0);
}

static void b_opt(struct bld *x, uint16_t code, const void *v, uint16_t n)
{
	b16(x, code);
	b16(x, n);
	b_bytes(x, v, n);
	b_pad(x);
}

static void b_shb(struct bld *x, bool be)
{
	x->be = be;
	b_begin(x, 0x0a0d0d0a);
	b32(x, 0x1a2b3c4d);
	b16(x, 1);
	b16(x, 0);
	b32(x, 0xffffffff);
	b32(x, 0xffffffff);
	b_end(x);
}

/* IDB; @tsresol < 0: no if_tsresol option. */
static void b_idb(struct bld *x, uint16_t lt, uint32_t snaplen, int tsresol, int64_t tsoffset,
		  const char *name)
{
	b_begin(x, 1);
	b16(x, lt);
	b16(x, 0);
	b32(x, snaplen);
	if (name)
		b_opt(x, 2, name, (uint16_t)strlen(name));
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;

		b_opt(x, 9, &r, 1);
	}
	if (tsoffset) {
		b16(x, 14);
		b16(x, 8);
		if (x->be) {
			b32(x, (uint32_t)((uint64_t)tsoffset >> 32));
			b32(x, (uint32_t)tsoffset);
		} else {
			b32(x, (uint32_t)tsoffset);
			b32(x, (uint32_t)((uint64_t)tsoffset >> 32));
		}
	}
	b16(x, 0);
	b16(x, 0);
	b_end(x);
}

static const uint8_t pkt[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1,
				0x08, 0x06, 1, 2, 3, 4, 5, 6};

/* EPB with @caplen bytes of pkt; @flags < 0: no epb_flags option. */
static void b_epb(struct bld *x, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen,
		  int64_t flags, const char *comment)
{
	b_begin(x, 6);
	b32(x, ifid);
	b32(x, (uint32_t)(ts >> 32));
	b32(x, (uint32_t)ts);
	b32(x, caplen);
	b32(x, wirelen);
	b_bytes(x, pkt, caplen);
	b_pad(x);
	if (comment)
		b_opt(x, 1, comment, (uint16_t)strlen(comment));
	if (flags >= 0) {
		b16(x, 2);
		b16(x, 4);
		b32(x, (uint32_t)flags);
	}
	if (comment || flags >= 0) {
		b16(x, 0);
		b16(x, 0);
	}
	b_end(x);
}

/* ---- reading ------------------------------------------------------------ */

#define MAXF 16

struct got {
	int open_rc;
	int n;
	struct pd_frame f[MAXF];
	char comment[MAXF][64];
	uint8_t data[MAXF][32];
	int end_rc;          /* PD_SRC_END or the error */
	char err[512];
	int64_t err_off;
	int linktype;
};

/* Read @len bytes of @buf as a capture; @regular: through a temporary
 * regular file instead of fmemopen(). */
static void read_all(const uint8_t *buf, size_t len, bool regular, struct got *g)
{
	struct pd_source *s;
	char err[512];
	FILE *fp;
	int rc;

	memset(g, 0, sizeof(*g));
	if (regular) {
		fp = tmpfile();
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, len, fp), len);
		rewind(fp);
	} else {
		fp = fmemopen((void *)(uintptr_t)buf, len, "rb");
		assert_non_null(fp);
	}
	g->open_rc = pd_source_open_stream(&s, fp, "test.pcapng", err, sizeof(err));
	if (g->open_rc) {
		snprintf(g->err, sizeof(g->err), "%s", err);
		return;
	}
	g->linktype = pd_source_linktype(s);
	assert_string_equal(pd_source_format(s), "pcapng");
	while ((rc = pd_source_next(s, &g->f[g->n])) == PD_SRC_FRAME) {
		struct pd_frame *f = &g->f[g->n];

		assert_true(g->n < MAXF - 1);
		if (f->comment) {
			snprintf(g->comment[g->n], sizeof(g->comment[0]), "%s", f->comment);
			f->comment = g->comment[g->n];
		}
		memcpy(g->data[g->n], f->data, f->caplen < 32 ? f->caplen : 32);
		f->data = g->data[g->n];
		g->n++;
	}
	g->end_rc = rc;
	if (rc < 0)
		snprintf(g->err, sizeof(g->err), "%s", pd_source_error(s, &g->err_off));
	pd_source_close(s);
}

/* Both read paths must agree. */
static void read_both(const struct bld *x, struct got *g)
{
	static struct got g2;

	read_all(x->b, x->len, true, &g2);
	read_all(x->b, x->len, false, g);
	assert_int_equal(g->n, g2.n);
	assert_int_equal(g->end_rc, g2.end_rc);
	assert_string_equal(g->err, g2.err);
	for (int i = 0; i < g->n; i++) {
		assert_int_equal(g->f[i].ts_ns, g2.f[i].ts_ns);
		assert_int_equal(g->f[i].caplen, g2.f[i].caplen);
	}
}

static struct bld X;
static struct got G;

/* ---- tests -------------------------------------------------------------- */

static void basic(bool be)
{
	memset(&X, 0, sizeof(X));
	b_shb(&X, be);
	b_idb(&X, 1, 65535, -1, 0, "eth0");
	b_epb(&X, 0, 1700000000123456ull, 20, 60, PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY,
	      "first comment");
	b_epb(&X, 0, 1700000000223456ull, 14, 14, -1, 0);
	read_both(&X, &G);
	assert_int_equal(G.open_rc, 0);
	assert_int_equal(G.linktype, 1);
	assert_int_equal(G.n, 2);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.f[0].kind, PD_FRAME_PACKET);
	assert_int_equal(G.f[0].linktype, 1);
	assert_int_equal(G.f[0].caplen, 20);
	assert_int_equal(G.f[0].wirelen, 60);
	assert_memory_equal(G.f[0].data, pkt, 20);
	/* default resolution: microseconds */
	assert_int_equal(G.f[0].ts_ns, 1700000000123456000ll);
	assert_true(G.f[0].has_epb_flags);
	assert_int_equal(G.f[0].epb_flags, PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY);
	assert_string_equal(G.f[0].comment, "first comment");
	assert_false(G.f[1].has_epb_flags);
	assert_null(G.f[1].comment);
	assert_int_equal(G.f[1].caplen, 14);
}

static void test_basic_le(void **state)
{
	(void)state;
	basic(false);
}

static void test_basic_be(void **state)
{
	(void)state;
	basic(true);
}

/* Two sections, different byte orders; interface ids are per section in
 * the file and over the whole file in pd_frame.ifid. */
static void test_sections(void **state)
{
	(void)state;
	memset(&X, 0, sizeof(X));
	b_shb(&X, false);
	b_idb(&X, 1, 0, -1, 0, "eth0");
	b_idb(&X, 0, 0, -1, 0, "lo");
	b_epb(&X, 1, 1000000, 4, 4, -1, 0);
	b_shb(&X, true);
	b_idb(&X, 113, 0, 9, 0, "any");
	b_epb(&X, 0, 5000000000ull, 20, 20, PD_EPB_DIR_IN, "s2");
	read_both(&X, &G);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.n, 2);
	assert_int_equal(G.linktype, 1);
	assert_int_equal(G.f[0].linktype, 0);
	assert_int_equal(G.f[0].ifid, 1);
	assert_int_equal(G.f[0].ts_ns, 1000000000ll);
	assert_int_equal(G.f[1].linktype, 113);
	assert_int_equal(G.f[1].ifid, 2);
	assert_int_equal(G.f[1].ts_ns, 5000000000ll);
	assert_int_equal(G.f[1].epb_flags, PD_EPB_DIR_IN);
	assert_string_equal(G.f[1].comment, "s2");

	/* interface 1 of the second section does not exist */
	b_epb(&X, 1, 0, 4, 4, -1, 0);
	read_both(&X, &G);
	assert_int_equal(G.n, 2);
	assert_int_equal(G.end_rc, -PD_EFORMAT);
	assert_non_null(strstr(G.err, "names interface 1, but this section defines only 1 interface"));
	assert_non_null(strstr(G.err, "block 8 (Enhanced Packet Block"));
	assert_non_null(strstr(G.err, "test.pcapng"));
}

/* if_tsresol 10^-9, 2^-10, 10^-12 and if_tsoffset. */
static void test_tsresol(void **state)
{
	(void)state;
	memset(&X, 0, sizeof(X));
	b_shb(&X, false);
	b_idb(&X, 1, 0, 9, 0, 0);
	b_idb(&X, 1, 0, 0x80 | 10, 0, 0);
	b_idb(&X, 1, 0, 12, 0, 0);
	b_idb(&X, 1, 0, 6, 100, 0);
	b_idb(&X, 1, 0, 0x80 | 0, 0, 0);
	b_epb(&X, 0, 1234567891ull, 4, 4, -1, 0);
	b_epb(&X, 1, 5 * 1024 + 512, 4, 4, -1, 0);        /* 5.5 s */
	b_epb(&X, 2, 7000000000123ull, 4, 4, -1, 0);      /* 7.000000000123 s */
	b_epb(&X, 3, 2500000, 4, 4, -1, 0);               /* 2.5 s + 100 s */
	b_epb(&X, 4, 3, 4, 4, -1, 0);                     /* 3 s */
	b_epb(&X, 1, 1, 4, 4, -1, 0);                     /* 1/1024 s, rounded down */
	read_both(&X, &G);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.n, 6);
	assert_int_equal(G.f[0].ts_ns, 1234567891ll);
	assert_int_equal(G.f[1].ts_ns, 5500000000ll);
	assert_int_equal(G.f[2].ts_ns, 7000000000ll);
	assert_int_equal(G.f[3].ts_ns, 102500000000ll);
	assert_int_equal(G.f[4].ts_ns, 3000000000ll);
	assert_int_equal(G.f[5].ts_ns, 976562ll);
}

/* SPB: interface 0, wirelen from the block, caplen bounded by snaplen,
 * the previous packet's time; obsolete PB with pack_flags. */
static void test_spb_pb(void **state)
{
	(void)state;
	memset(&X, 0, sizeof(X));
	b_shb(&X, true);
	b_idb(&X, 1, 16, 9, 0, 0);
	b_epb(&X, 0, 42, 14, 14, -1, 0);
	b_begin(&X, 3);
	b32(&X, 60);
	b_bytes(&X, pkt, 16);
	b_end(&X);
	b_begin(&X, 2);
	b16(&X, 0);
	b16(&X, 0); /* drops */
	b32(&X, 0);
	b32(&X, 77);
	b32(&X, 12);
	b32(&X, 12);
	b_bytes(&X, pkt, 12);
	b_opt(&X, 2, "\0\0\0\x01", 4); /* pack_flags, big-endian: inbound */
	b16(&X, 0);
	b16(&X, 0);
	b_end(&X);
	read_both(&X, &G);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.n, 3);
	assert_int_equal(G.f[1].caplen, 16);
	assert_int_equal(G.f[1].wirelen, 60);
	assert_int_equal(G.f[1].ts_ns, 42);
	assert_memory_equal(G.f[1].data, pkt, 16);
	assert_int_equal(G.f[2].ts_ns, 77);
	assert_int_equal(G.f[2].caplen, 12);
	assert_true(G.f[2].has_epb_flags);
	assert_int_equal(G.f[2].epb_flags, PD_EPB_DIR_IN);

	/* an SPB too short for min(original length, snaplen) is an error,
	 * as in tshark */
	b_begin(&X, 3);
	b32(&X, 60);
	b_bytes(&X, pkt, 12);
	b_end(&X);
	read_both(&X, &G);
	assert_int_equal(G.n, 3);
	assert_int_equal(G.end_rc, -PD_EFORMAT);
	assert_non_null(strstr(G.err, "too small for 16 bytes of packet data"));
}

/* Custom blocks are numbered records (as tshark numbers them); NRB, ISB,
 * DSB and unknown types are skipped. */
static void test_other_blocks(void **state)
{
	(void)state;
	memset(&X, 0, sizeof(X));
	b_shb(&X, false);
	b_begin(&X, 4); /* NRB before any IDB */
	b16(&X, 0);
	b16(&X, 0);
	b_end(&X);
	b_idb(&X, 1, 0, -1, 0, 0);
	b_begin(&X, 0xbad);
	b32(&X, 32473);
	b_bytes(&X, "abcd", 4);
	b_end(&X);
	b_begin(&X, 5); /* ISB */
	b32(&X, 0);
	b32(&X, 0);
	b32(&X, 0);
	b_end(&X);
	b_begin(&X, 0x0a); /* DSB */
	b32(&X, 0x544c534b);
	b32(&X, 4);
	b_bytes(&X, "keys", 4);
	b_end(&X);
	b_begin(&X, 0x12345); /* unknown */
	b_end(&X);
	b_epb(&X, 0, 1, 4, 4, -1, 0);
	b_begin(&X, 0x40000bad);
	b32(&X, 32473);
	b_end(&X);
	read_both(&X, &G);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.n, 3);
	assert_int_equal(G.f[0].kind, PD_FRAME_OTHER);
	assert_int_equal(G.f[0].caplen, 4);
	assert_memory_equal(G.f[0].data, "abcd", 4);
	assert_int_equal(G.f[1].kind, PD_FRAME_PACKET);
	assert_int_equal(G.f[2].kind, PD_FRAME_OTHER);
	assert_int_equal(G.f[2].caplen, 0);
}

/* A good file, then one bad block: @setup appends it.  The frame before
 * it is delivered and the error names the reason. */
static void bad_tail(void (*setup)(struct bld *), const char *why)
{
	size_t good;

	memset(&X, 0, sizeof(X));
	b_shb(&X, false);
	b_idb(&X, 1, 0, -1, 0, 0);
	b_epb(&X, 0, 1, 4, 4, -1, 0);
	good = X.len;
	setup(&X);
	read_both(&X, &G);
	assert_int_equal(G.open_rc, 0);
	assert_int_equal(G.n, 1);
	assert_int_equal(G.end_rc, -PD_EFORMAT);
	if (!strstr(G.err, why))
		fail_msg("error \"%s\" lacks \"%s\"", G.err, why);
	assert_non_null(strstr(G.err, "block 4"));
	/* the offset given is where the last good block ended */
	assert_int_equal(G.err_off, (int64_t)good);
	assert_int_equal(good, 88);
}

static void s_not4(struct bld *x)
{
	size_t at = x->len;

	b_epb(x, 0, 1, 4, 4, -1, 0);
	x->b[at + 4] = 38; /* leading length 38 (little-endian): not a multiple of 4 */
}

static void s_small(struct bld *x)
{
	b_begin(x, 6);
	b32(x, 0);
	b_end(x); /* 16 bytes: below the EPB minimum of 32 */
}

static void s_trail(struct bld *x)
{
	b_begin(x, 6);
	for (int i = 0; i < 5; i++)
		b32(x, 0);
	b_end2(x, 0, 4);
}

static void s_optpast(struct bld *x)
{
	b_begin(x, 6);
	b32(x, 0);
	b32(x, 0);
	b32(x, 0);
	b32(x, 0);
	b32(x, 0);
	b16(x, 1);
	b16(x, 200); /* comment of 200 bytes in a 4-byte space */
	b32(x, 0);
	b_end(x);
}

static void s_caplen(struct bld *x)
{
	b_begin(x, 6);
	b32(x, 0);
	b32(x, 0);
	b32(x, 0);
	b32(x, 1000); /* caplen 1000 in a 32-byte block */
	b32(x, 1000);
	b_end(x);
}

static void s_cut(struct bld *x)
{
	b_epb(x, 0, 1, 4, 4, -1, 0);
	x->len -= 6;
}

static void s_cuthdr(struct bld *x)
{
	b32(x, 6);
	b16(x, 40);
}

static void s_huge(struct bld *x)
{
	b32(x, 6);
	b32(x, 0x7ffffff0);
	b32(x, 0);
}

static void test_bad_blocks(void **state)
{
	(void)state;
	bad_tail(s_not4, "is not a multiple of 4");
	bad_tail(s_small, "below the minimum of 32");
	bad_tail(s_trail, "trailing block length 36 differs from the leading 32");
	bad_tail(s_optpast, "option 1 of length 200");
	bad_tail(s_caplen, "captured length 1000 does not fit");
	bad_tail(s_cut, "ends inside the block (30 of 36 bytes");
	bad_tail(s_cuthdr, "ends inside a block header (6 of 12");
	bad_tail(s_huge, "exceeds pktdoctor's limit of 16777216 bytes");
}

/* A bad section header is refused at open, with the file named. */
static void test_bad_shb(void **state)
{
	(void)state;
	memset(&X, 0, sizeof(X));
	b_shb(&X, false);
	X.b[12] = 2; /* version 2.0 */
	read_all(X.b, X.len, false, &G);
	assert_int_equal(G.open_rc, -PD_EFORMAT);
	assert_non_null(strstr(G.err, "test.pcapng: pcapng block 1"));
	assert_non_null(strstr(G.err, "unsupported pcapng version 2.0"));
	X.b[12] = 1;
	X.b[8] = 0x77; /* byte-order magic */
	read_all(X.b, X.len, false, &G);
	assert_int_equal(G.open_rc, -PD_EFORMAT);
	assert_non_null(strstr(G.err, "bad byte-order magic"));
	read_all(X.b, 6, false, &G);
	assert_int_equal(G.open_rc, -PD_EFORMAT);
}

/* ---- the writer --------------------------------------------------------- */

static void roundtrip(bool be, bool regular)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 9};
	static const struct pd_pcapng_ipv4 v4 = {{192, 0, 2, 1}, {255, 255, 255, 0}};
	static const struct pd_pcapng_ipv6 v6 = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 64};
	struct pd_pcapng_section sec = {"hw", "Linux", 0, "host1", be};
	struct pd_pcapng_iface e = {1, 262144, "eth0", "tso on", mac, &v4, 1, &v6, 1, 0};
	struct pd_pcapng_iface r = {101, 1500, "tun0", 0, 0, 0, 0, 0, 0, 0x80 | 20};
	struct pd_pcapng_iface u = {113, 0, "any", 0, 0, 0, 0, 0, 0, PD_PCAPNG_TSRESOL_US};
	struct pd_pcapng_writer *w;
	char *buf = 0;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(pd_pcapng_writer_open(&w, fp, &sec), 0);
	assert_int_equal(pd_pcapng_add_interface(w, &e), 0);
	assert_int_equal(pd_pcapng_add_interface(w, &r), 1);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 1795318013684245211ll, pkt, 20, 20,
						PD_EPB_DIR_OUT | PD_EPB_TSO, true, "hello"), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 1, 1000000000ll + 1048576, pkt + 14, 6, 6, 0,
						false, 0), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 2, 0, pkt, 4, 4, 0, false, 0), -PD_EUSAGE);
	sec.big_endian = !be;
	assert_int_equal(pd_pcapng_new_section(w, &sec), 0);
	assert_int_equal(pd_pcapng_add_interface(w, &u), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 2000000123456ll, pkt, 16, 100,
						PD_EPB_CSUM_VALID, true, ""), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 1, 0, pkt, 4, 4, 0, false, 0), -PD_EUSAGE);
	assert_int_equal(pd_pcapng_writer_close(w), 0);
	assert_int_equal(fclose(fp), 0);

	read_all((const uint8_t *)buf, len, regular, &G);
	free(buf);
	assert_int_equal(G.open_rc, 0);
	assert_int_equal(G.end_rc, PD_SRC_END);
	assert_int_equal(G.n, 3);
	assert_int_equal(G.linktype, 1);
	assert_int_equal(G.f[0].linktype, 1);
	assert_int_equal(G.f[0].ifid, 0);
	assert_int_equal(G.f[0].ts_ns, 1795318013684245211ll);
	assert_int_equal(G.f[0].caplen, 20);
	assert_memory_equal(G.f[0].data, pkt, 20);
	assert_int_equal(G.f[0].epb_flags, PD_EPB_DIR_OUT | PD_EPB_TSO);
	assert_string_equal(G.f[0].comment, "hello");
	assert_int_equal(G.f[1].linktype, pd_pcapng_linktype_to_dlt(101)); /* DLT_RAW */
	assert_int_not_equal(pd_pcapng_linktype_to_dlt(101), 101);
	assert_int_equal(G.f[1].ifid, 1);
	/* 2^-20 s ticks: 1.001048576 s is 1049675.9... ticks, written as
	 * 1049675 (rounded down) and read back as 1.001048088 s */
	assert_int_equal(G.f[1].ts_ns, 1001048088ll);
	assert_false(G.f[1].has_epb_flags);
	assert_memory_equal(G.f[1].data, pkt + 14, 6);
	assert_int_equal(G.f[2].linktype, 113);
	assert_int_equal(G.f[2].ifid, 2);
	assert_int_equal(G.f[2].ts_ns, 2000000123000ll); /* microseconds */
	assert_int_equal(G.f[2].caplen, 16);
	assert_int_equal(G.f[2].wirelen, 100);
	assert_int_equal(G.f[2].epb_flags, PD_EPB_CSUM_VALID);
	assert_null(G.f[2].comment);
}

static void test_writer_roundtrip(void **state)
{
	(void)state;
	roundtrip(false, false);
	roundtrip(true, false);
	roundtrip(false, true);
}

/* Every write is checked: a full disk is reported. */
static void test_writer_full(void **state)
{
	struct pd_pcapng_iface e = {1, 0, "eth0", 0, 0, 0, 0, 0, 0, 0};
	struct pd_pcapng_writer *w;
	uint8_t big[4096];
	FILE *fp = fopen("/dev/full", "wb");
	int rc = 0;

	(void)state;
	if (!fp)
		skip();
	memset(big, 0, sizeof(big));
	assert_int_equal(pd_pcapng_writer_open(&w, fp, 0), 0);
	assert_int_equal(pd_pcapng_add_interface(w, &e), 0);
	for (int i = 0; i < 64 && !rc; i++)
		rc = pd_pcapng_write_packet(w, 0, i, big, sizeof(big), sizeof(big), 0, false, 0);
	assert_int_equal(rc, -PD_EWRITE);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 0, big, 4, 4, 0, false, 0), -PD_EWRITE);
	assert_int_equal(pd_pcapng_writer_close(w), -PD_EWRITE);
	fclose(fp);
	assert_int_equal(pd_pcapng_writer_open_path(&w, "/nonexistent-dir/x.pcapng", 0),
			 -PD_EOPEN);
}

/* Read a writer's output from memory to the end; return the first error
 * (0 at the end) with the records counted in @n and the message in @err. */
static int read_mem(const char *buf, size_t len, bool regular, int *n, uint32_t *caplen_max,
		    char *err, size_t errlen)
{
	struct pd_source *s;
	struct pd_frame f;
	FILE *fp;
	int rc;

	if (regular) {
		fp = tmpfile();
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, len, fp), len);
		rewind(fp);
	} else {
		fp = fmemopen((void *)(uintptr_t)buf, len, "rb");
	}
	assert_non_null(fp);
	rc = pd_source_open_stream(&s, fp, "big.pcapng", err, errlen);
	if (rc)
		return rc;
	*n = 0;
	*caplen_max = 0;
	while ((rc = pd_source_next(s, &f)) == PD_SRC_FRAME) {
		(*n)++;
		if (f.caplen > *caplen_max)
			*caplen_max = f.caplen;
		/* the last byte of a large packet is where the writer put it */
		if (f.caplen > 1000)
			assert_int_equal(f.data[f.caplen - 1], (uint8_t)(f.caplen & 0xff));
	}
	snprintf(err, errlen, "%s", rc < 0 ? pd_source_error(s, 0) : "");
	pd_source_close(s);
	return rc;
}

/* A packet larger than the reader's first buffer (256 KiB) grows it; the
 * interface limit (65536 per file) is reported, not an endless table. */
static void test_limits(void **state)
{
	struct pd_pcapng_iface e = {1, 0, "eth0", 0, 0, 0, 0, 0, 0, 0};
	struct pd_pcapng_writer *w;
	char *buf = 0, err[512];
	size_t len = 0;
	uint32_t big = 3 * 1024 * 1024 + 5, capmax;
	uint8_t *data = calloc(1, big);
	FILE *fp = open_memstream(&buf, &len);
	int n, rc;

	(void)state;
	assert_non_null(data);
	assert_non_null(fp);
	data[big - 1] = (uint8_t)(big & 0xff);
	data[1999] = (uint8_t)(2000 & 0xff);
	assert_int_equal(pd_pcapng_writer_open(&w, fp, 0), 0);
	assert_int_equal(pd_pcapng_add_interface(w, &e), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 1, data, 2000, 2000, 0, false, 0), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 2, data, big, big, 0, false, 0), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 3, data, 2000, 2000, 0, false, 0), 0);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 4, data, PD_PCAPNG_MAX_PACKET + 1, 0, 0,
						false, 0), -PD_EUSAGE);
	for (int i = 1; i <= 65536; i++)
		assert_int_equal(pd_pcapng_add_interface(w, &e), i);
	assert_int_equal(pd_pcapng_write_packet(w, 0, 5, data, 4, 4, 0, false, 0), 0);
	assert_int_equal(pd_pcapng_writer_close(w), 0);
	assert_int_equal(fclose(fp), 0);
	for (int regular = 0; regular < 2; regular++) {
		rc = read_mem(buf, len, regular, &n, &capmax, err, sizeof(err));
		assert_int_equal(rc, -PD_EFORMAT);
		assert_int_equal(n, 3);
		assert_int_equal(capmax, big);
		if (!strstr(err, "more than 65536 interfaces in the file (pktdoctor's limit)"))
			fail_msg("error: %s", err);
	}
	free(buf);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_le),
		cmocka_unit_test(test_basic_be),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_tsresol),
		cmocka_unit_test(test_spb_pb),
		cmocka_unit_test(test_other_blocks),
		cmocka_unit_test(test_bad_blocks),
		cmocka_unit_test(test_bad_shb),
		cmocka_unit_test(test_writer_roundtrip),
		cmocka_unit_test(test_writer_full),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
