/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_iscsi.c - the iSCSI BHS dissector (dissectors/iscsi.c), the iSCSI
 * analyzer (src/analyzers/iscsi.c) and CRC32C (src/core/crc32c.c).
 *
 * Expected values come from the RFCs, not from the code under test:
 *   - CRC32C: the four vectors of RFC 3720 appendix B.4 (repeated in
 *     RFC 7143), the byte order the same appendix shows ("aa 36 91 8a" in
 *     order of transmission for 0x8A9136AA), the CRC-32C check value
 *     0xE3069283 of "123456789" (Castagnoli's CRC catalogue entry), and a
 *     bitwise implementation written here from the polynomial;
 *   - negotiation: RFC 7143 6.2 (list, numeric Minimum/Maximum, Boolean
 *     AND/OR) and the ranges and defaults of section 13;
 *   - PDUs: the BHS layouts of RFC 7143 section 11, built here byte by
 *     byte; digests computed with the bitwise CRC above; frames are
 *     Ethernet/IPv4/TCP with checksums from a plain RFC 1071 sum, fed
 *     through pd_dissect_frame(), the flow table and the analyzer's ops
 *     exactly as src/core/analyze.c does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pd_test_frames.h"

#include "pktdoctor/analyzer.h"
#include "pktdoctor/bus.h"
#include "pktdoctor/crc32c.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "pktdoctor/flow.h"
#include "pktdoctor/iscsi.h"
#include "pktdoctor/iscsi_pdu.h"
#include "pktdoctor/pipeline.h"
#include "pktdoctor/rootpath.h"

/* ---- reference CRC32C: bit by bit from the reflected polynomial ---- */

static uint32_t ref_crc32c(const uint8_t *b, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= b[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return ~c;
}

static void test_crc32c_rfc_vectors(void **state)
{
	uint8_t b[32];

	(void)state;
	/* RFC 3720 B.4: 32 bytes of zeroes -> "aa 36 91 8a" */
	memset(b, 0, sizeof(b));
	assert_int_equal(pd_crc32c(b, 32), 0x8A9136AAu);
	/* 32 bytes of ones -> "43 ab a8 62" */
	memset(b, 0xff, sizeof(b));
	assert_int_equal(pd_crc32c(b, 32), 0x62A8AB43u);
	/* 32 bytes incrementing 00..1f -> "4e 79 dd 46" */
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	assert_int_equal(pd_crc32c(b, 32), 0x46DD794Eu);
	/* 32 bytes decrementing 1f..00 -> "5c db 3f 11" */
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	assert_int_equal(pd_crc32c(b, 32), 0x113FDB5Cu);
	/* CRC-32C check value */
	assert_int_equal(pd_crc32c("123456789", 9), 0xE3069283u);
	assert_int_equal(pd_crc32c(0, 0), 0);
}

static void test_crc32c_wire_order(void **state)
{
	/* RFC 3720 B.4 lists the digest bytes in order of transmission */
	static const uint8_t zeros_wire[4] = {0xaa, 0x36, 0x91, 0x8a};
	uint8_t b[4];

	(void)state;
	assert_int_equal(pd_crc32c_get_wire(zeros_wire), 0x8A9136AAu);
	pd_crc32c_put_wire(b, 0x113FDB5Cu);
	assert_memory_equal(b, ((const uint8_t[]){0x5c, 0xdb, 0x3f, 0x11}), 4);
}

static void test_crc32c_incremental(void **state)
{
	uint8_t buf[301];
	uint32_t seed = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	/* every split point, and an unaligned start, agree with the reference */
	for (size_t cut = 0; cut <= sizeof(buf); cut += 7) {
		uint32_t r = PD_CRC32C_INIT;

		r = pd_crc32c_update(r, buf, cut);
		r = pd_crc32c_update(r, buf + cut, sizeof(buf) - cut);
		assert_int_equal(pd_crc32c_final(r), ref_crc32c(buf, sizeof(buf)));
	}
	assert_int_equal(pd_crc32c(buf + 1, 299), ref_crc32c(buf + 1, 299));
}

/* ---- key=value text (RFC 7143 6.1) ---- */

static void test_text_parse(void **state)
{
	static const char t[] = "InitiatorName=iqn.2024-01.test:a\0\0HeaderDigest=CRC32C,None\0"
				"broken\0=nokey\0X-com.example.k=a=b\0Last=1";
	struct pd_iscsi_kv kv;
	size_t off = 0;

	(void)state;
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv), 1);
	assert_int_equal(kv.key_len, 13);
	assert_memory_equal(kv.key, "InitiatorName", 13);
	assert_int_equal(kv.value_len, strlen("iqn.2024-01.test:a"));
	assert_memory_equal(kv.value, "iqn.2024-01.test:a", kv.value_len);
	/* the empty string between two NULs is skipped */
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv), 1);
	assert_memory_equal(kv.key, "HeaderDigest", 12);
	assert_memory_equal(kv.value, "CRC32C,None", 11);
	/* no '=' and an empty key are malformed; parsing goes on after them */
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv),
			 -PD_EMALFORMED);
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv),
			 -PD_EMALFORMED);
	/* the value is everything after the first '=' */
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv), 1);
	assert_int_equal(kv.key_len, strlen("X-com.example.k"));
	assert_int_equal(kv.value_len, 3);
	assert_memory_equal(kv.value, "a=b", 3);
	/* a last pair without its NUL still counts */
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv), 1);
	assert_memory_equal(kv.key, "Last", 4);
	assert_int_equal(kv.value_len, 1);
	assert_int_equal(pd_iscsi_text_next((const uint8_t *)t, sizeof(t) - 1, &off, &kv), 0);
}

/* ---- negotiation rules (RFC 7143 6.2, 13) ---- */

static void test_negotiate_list(void **state)
{
	char r[64];

	(void)state;
	/* 6.2.1: the acceptor picks one value of the offered list */
	assert_int_equal(pd_iscsi_negotiate("HeaderDigest", "CRC32C,None", "None", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "None");
	assert_int_equal(pd_iscsi_negotiate("DataDigest", "CRC32C,None", "CRC32C", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "CRC32C");
	/* a value that was not offered */
	assert_int_equal(pd_iscsi_negotiate("HeaderDigest", "None", "CRC32C", r, sizeof(r)),
			 PD_ISCSI_NEG_NOT_OFFERED);
	assert_string_equal(r, "None"); /* default, 13.1 */
	/* values are case-sensitive (6.1) */
	assert_int_equal(pd_iscsi_negotiate("HeaderDigest", "CRC32C,None", "crc32c", r, sizeof(r)),
			 PD_ISCSI_NEG_NOT_OFFERED);
	/* an answer is one value, not a list */
	assert_int_equal(pd_iscsi_negotiate("DataDigest", "CRC32C,None", "CRC32C,None", r, sizeof(r)),
			 PD_ISCSI_NEG_LIST_ANSWER);
	/* Reject is a legal answer; the key keeps its default */
	assert_int_equal(pd_iscsi_negotiate("HeaderDigest", "CRC32C", "Reject", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "None");
}

static void test_negotiate_numeric(void **state)
{
	char r[64];

	(void)state;
	/* Minimum (13.13): the answer is at most the offer, result the answer */
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "262144", "65536", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "65536");
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "65536", "262144", r, sizeof(r)),
			 PD_ISCSI_NEG_ABOVE_OFFER);
	assert_string_equal(r, "65536");
	/* range 512 .. 2^24-1 */
	assert_int_equal(pd_iscsi_negotiate("FirstBurstLength", "65536", "511", r, sizeof(r)),
			 PD_ISCSI_NEG_RANGE);
	assert_int_equal(pd_iscsi_negotiate("FirstBurstLength", "65536", "512", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "16777215", "16777216", r, sizeof(r)),
			 PD_ISCSI_NEG_RANGE);
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "16777216", "8192", r, sizeof(r)),
			 PD_ISCSI_NEG_BAD_OFFER);
	/* hexadecimal numbers (6.1): 0x2000 = 8192 */
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "0x10000", "0x2000", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_int_equal(pd_iscsi_negotiate("MaxBurstLength", "8192", "lots", r, sizeof(r)),
			 PD_ISCSI_NEG_RANGE);
	/* Maximum (13.15 DefaultTime2Wait): the answer is at least the offer */
	assert_int_equal(pd_iscsi_negotiate("DefaultTime2Wait", "2", "1", r, sizeof(r)),
			 PD_ISCSI_NEG_BELOW_OFFER);
	assert_int_equal(pd_iscsi_negotiate("DefaultTime2Wait", "2", "5", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "5");
	/* ErrorRecoveryLevel 0..2 (13.20) */
	assert_int_equal(pd_iscsi_negotiate("ErrorRecoveryLevel", "2", "3", r, sizeof(r)),
			 PD_ISCSI_NEG_RANGE);
	/* MaxRecvDataSegmentLength is declarative: checked by range only */
	assert_int_equal(pd_iscsi_check_value("MaxRecvDataSegmentLength", "511"), PD_ISCSI_NEG_RANGE);
	assert_int_equal(pd_iscsi_check_value("MaxRecvDataSegmentLength", "512"), PD_ISCSI_NEG_OK);
	assert_int_equal(pd_iscsi_check_value("MaxRecvDataSegmentLength", "16777215"), PD_ISCSI_NEG_OK);
	assert_int_equal(pd_iscsi_check_value("MaxRecvDataSegmentLength", "16777216"),
			 PD_ISCSI_NEG_RANGE);
	assert_int_equal(pd_iscsi_check_value("X-vendor.key", "1"), PD_ISCSI_NEG_UNKNOWN_KEY);
}

static void test_negotiate_boolean(void **state)
{
	char r[64];

	(void)state;
	/* ImmediateData: AND (13.11) */
	assert_int_equal(pd_iscsi_negotiate("ImmediateData", "Yes", "No", r, sizeof(r)),
			 PD_ISCSI_NEG_OK);
	assert_string_equal(r, "No");
	/* offer No fixes the AND result: an acceptor answering Yes breaks 6.2.2 */
	assert_int_equal(pd_iscsi_negotiate("ImmediateData", "No", "Yes", r, sizeof(r)),
			 PD_ISCSI_NEG_BOOL_RESULT);
	assert_string_equal(r, "No");
	/* ... and the answer may be left out */
	assert_int_equal(pd_iscsi_negotiate("ImmediateData", "No", 0, r, sizeof(r)), PD_ISCSI_NEG_OK);
	assert_string_equal(r, "No");
	/* InitialR2T: OR (13.10) */
	assert_int_equal(pd_iscsi_negotiate("InitialR2T", "No", "Yes", r, sizeof(r)), PD_ISCSI_NEG_OK);
	assert_string_equal(r, "Yes");
	assert_int_equal(pd_iscsi_negotiate("InitialR2T", "No", "No", r, sizeof(r)), PD_ISCSI_NEG_OK);
	assert_string_equal(r, "No");
	assert_int_equal(pd_iscsi_negotiate("InitialR2T", "Yes", "No", r, sizeof(r)),
			 PD_ISCSI_NEG_BOOL_RESULT);
	assert_string_equal(r, "Yes");
	/* only "Yes" and "No" */
	assert_int_equal(pd_iscsi_negotiate("InitialR2T", "No", "yes", r, sizeof(r)),
			 PD_ISCSI_NEG_NOT_BOOL);
	assert_int_equal(pd_iscsi_negotiate("DataPDUInOrder", "Maybe", "Yes", r, sizeof(r)),
			 PD_ISCSI_NEG_BAD_OFFER);
}

static void test_lun_decode(void **state)
{
	struct pd_iscsi_lun l;

	(void)state;
	/* SAM peripheral device addressing, bus 0: LUN in byte 1 */
	pd_iscsi_lun_decode((const uint8_t[8]){0x00, 0xff, 0, 0, 0, 0, 0, 0}, &l);
	assert_int_equal(l.method, 0);
	assert_true(l.single_level);
	assert_int_equal(l.lun, 255);
	/* flat space addressing 01b: 14-bit LUN; 0x40ff = LUN 255, 0x4100 = 256 */
	pd_iscsi_lun_decode((const uint8_t[8]){0x40, 0xff, 0, 0, 0, 0, 0, 0}, &l);
	assert_int_equal(l.method, 1);
	assert_int_equal(l.lun, 255);
	pd_iscsi_lun_decode((const uint8_t[8]){0x41, 0x00, 0, 0, 0, 0, 0, 0}, &l);
	assert_int_equal(l.lun, 256);
	/* a second level makes it not single-level */
	pd_iscsi_lun_decode((const uint8_t[8]){0x00, 0xff, 0x00, 0x01, 0, 0, 0, 0}, &l);
	assert_false(l.single_level);
	/* peripheral with bus 1: a path, not LUN 255 here */
	pd_iscsi_lun_decode((const uint8_t[8]){0x01, 0xff, 0, 0, 0, 0, 0, 0}, &l);
	assert_false(l.single_level);
}

/* ---- frames through the pipeline ---- */

#define INI 0
#define TGT 1

/* Frames go through the whole pipeline API, as the monitor feeds it. */
struct harness {
	struct pd_analysis a;
	struct pd_analysis_opts opts;
	struct pd_pipeline *pipe;
	uint32_t seq[2];      /* next sequence number each side sends */
	uint64_t frame;
	int64_t ns;
	uint16_t port[2];
	uint64_t last_frame;  /* frame number of the last segment sent */
};

static uint8_t g_frame[70000];

/* @timeout_ns: --iscsi-timeout, 0 for the default. */
static void h_init_timeout(struct harness *h, uint16_t tport, int64_t timeout_ns)
{
	memset(h, 0, sizeof(*h));
	h->opts.iscsi_timeout_ns = timeout_ns;
	pd_analysis_begin(&h->a, &h->opts, 0, "test");
	assert_int_equal(pd_pipeline_open(&h->pipe, &h->a, 0), 0);
	h->seq[INI] = 1000;
	h->seq[TGT] = 500000;
	h->ns = 1700000000LL * 1000000000LL;
	h->port[INI] = 40000;
	h->port[TGT] = tport;
}

static void h_init(struct harness *h, uint16_t tport)
{
	h_init_timeout(h, tport, 0);
}

/* One Ethernet/IPv4/TCP segment from @side at sequence @seq. */
static void h_seg_at(struct harness *h, int side, uint32_t seq, const uint8_t *data, size_t len,
		     uint8_t flags)
{
	static struct pd_packet p;
	struct pd_frame fr;
	uint8_t *f = g_frame, *ip = f + 14, *tcp = ip + 20, ph[12];
	uint8_t src[4] = {10, 0, 0, (uint8_t)(side == INI ? 1 : 2)};
	uint8_t dst[4] = {10, 0, 0, (uint8_t)(side == INI ? 2 : 1)};
	size_t tlen = 20 + len;

	assert_true(len + 54 <= sizeof(g_frame));
	memset(f, 0, 54);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	ip[0] = 0x45;
	pd_test_be16(ip + 2, (uint32_t)(20 + tlen));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	pd_test_be16(ip + 10, (uint16_t)~pd_test_sum(ip, 20, 0));
	pd_test_be16(tcp, h->port[side]);
	pd_test_be16(tcp + 2, h->port[1 - side]);
	pd_test_be32(tcp + 4, seq);
	pd_test_be32(tcp + 8, (flags & 0x10) ? h->seq[1 - side] : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	pd_test_be16(tcp + 14, 65535);
	if (len)
		memcpy(tcp + 20, data, len);
	memcpy(ph, src, 4);
	memcpy(ph + 4, dst, 4);
	ph[8] = 0;
	ph[9] = 6;
	pd_test_be16(ph + 10, (uint32_t)tlen);
	pd_test_be16(tcp + 16, (uint16_t)~pd_test_sum(tcp, tlen, pd_test_sum(ph, 12, 0)));

	memset(&p, 0, sizeof(p));
	p.frame = ++h->frame;
	h->ns += 1000000; /* 1 ms per frame */
	p.ts_ns = h->ns;
	p.caplen = p.wirelen = (uint32_t)(54 + len);
	p.linktype = PD_LINKTYPE_EN10MB;
	assert_int_equal(pd_dissect_frame(&p, f), 0);
	assert_true(p.layers & PD_L_TCP);
	assert_int_equal(p.tcp.csum.verdict, PD_CSUM_VALID);
	memset(&fr, 0, sizeof(fr));
	fr.data = f;
	fr.caplen = fr.wirelen = p.caplen;
	fr.ts_ns = p.ts_ns;
	fr.linktype = PD_LINKTYPE_EN10MB;
	assert_int_equal(pd_pipeline_feed(h->pipe, &fr), p.frame);
	h->last_frame = p.frame;
}

/* The next in-order segment from @side. */
static void h_seg(struct harness *h, int side, const uint8_t *data, size_t len)
{
	h_seg_at(h, side, h->seq[side], data, len, 0x18);
	h->seq[side] += (uint32_t)len;
}

static void h_handshake(struct harness *h)
{
	h_seg_at(h, INI, h->seq[INI]++, 0, 0, 0x02);
	h_seg_at(h, TGT, h->seq[TGT]++, 0, 0, 0x12);
	h_seg_at(h, INI, h->seq[INI], 0, 0, 0x10);
}

/* The state of the pipeline's analyzer called @name. */
static void *h_state(struct harness *h, const char *name)
{
	for (int i = 0; pd_analyzers[i]; i++)
		if (!strcmp(pd_analyzers[i]->name, name))
			return h->a.state[i];
	fail_msg("no analyzer %s", name);
	return 0;
}

static void h_end(struct harness *h)
{
	assert_int_equal(pd_pipeline_finish(h->pipe), 0);
}

static void h_free(struct harness *h)
{
	pd_pipeline_close(h->pipe);
	pd_analysis_free(&h->a);
}

static const struct pd_finding *find_n(const struct harness *h, const char *id, int *n)
{
	const struct pd_finding *first = 0;

	*n = 0;
	for (size_t i = 0; i < h->a.findings.n; i++)
		if (!strcmp(h->a.findings.v[i].id, id)) {
			if (!first)
				first = &h->a.findings.v[i];
			(*n)++;
		}
	return first;
}

static const struct pd_finding *find1(const struct harness *h, const char *id)
{
	int n;
	const struct pd_finding *f = find_n(h, id, &n);

	if (n != 1)
		fail_msg("%s: %d findings, want 1", id, n);
	return f;
}

static int count(const struct harness *h, const char *id)
{
	int n;

	find_n(h, id, &n);
	return n;
}

static const struct pd_evidence *ev(const struct pd_finding *f, const char *key)
{
	for (unsigned i = 0; i < f->n_evidence; i++)
		if (!strcmp(f->evidence[i].key, key))
			return &f->evidence[i];
	fail_msg("%s: evidence %s missing", f->id, key);
	return 0;
}

/* ---- PDU builder (RFC 7143 section 11) ---- */

struct pdu {
	uint8_t b[48];
};

static void bhs_init(struct pdu *h, uint8_t op0, uint8_t flags, uint32_t itt)
{
	memset(h, 0, sizeof(*h));
	h->b[0] = op0;
	h->b[1] = flags;
	pd_test_be32(h->b + 16, itt);
}

/* BHS + data (+ padding), digests by the reference CRC, LSB first (B.4). */
static size_t pdu_build(uint8_t *out, const struct pdu *h, const void *data, size_t dlen,
			int hd, int dd)
{
	size_t pos = 48, pad = (4 - (dlen & 3)) & 3;

	memcpy(out, h->b, 48);
	out[5] = (uint8_t)(dlen >> 16);
	out[6] = (uint8_t)(dlen >> 8);
	out[7] = (uint8_t)dlen;
	if (hd) {
		pd_crc32c_put_wire(out + pos, ref_crc32c(out, 48));
		pos += 4;
	}
	if (dlen)
		memcpy(out + pos, data, dlen);
	memset(out + pos + dlen, 0, pad);
	if (dd && dlen) {
		pd_crc32c_put_wire(out + pos + dlen + pad, ref_crc32c(out + pos, dlen + pad));
		pos += 4;
	}
	return pos + dlen + pad;
}

static const char ini_keys[] =
	"InitiatorName=iqn.2024-01.test:ini\0TargetName=iqn.2024-01.test:disk\0"
	"SessionType=Normal\0HeaderDigest=None\0DataDigest=None\0"
	"MaxRecvDataSegmentLength=262144\0FirstBurstLength=65536\0MaxBurstLength=262144\0"
	"ImmediateData=Yes\0InitialR2T=No\0";

static const char tgt_keys[] =
	"TargetPortalGroupTag=1\0HeaderDigest=None\0DataDigest=None\0"
	"MaxRecvDataSegmentLength=8192\0FirstBurstLength=65536\0MaxBurstLength=262144\0"
	"ImmediateData=Yes\0InitialR2T=Yes\0";

/* Login Request: I bit + opcode 0x03, T=1 CSG=1 NSG=3 (11.12). */
static size_t login_req(uint8_t *out, const char *keys, size_t klen)
{
	struct pdu h;

	bhs_init(&h, 0x43, 0x87, 0x1);
	pd_test_be32(h.b + 24, 1);   /* CmdSN */
	return pdu_build(out, &h, keys, klen, 0, 0);
}

/* Login Response 0x23, T=1 CSG=1 NSG=3, StatSN 100, ExpCmdSN 1, MaxCmdSN 32 (11.13). */
static size_t login_rsp(uint8_t *out, const char *keys, size_t klen, uint16_t status)
{
	struct pdu h;

	bhs_init(&h, 0x23, status ? 0x00 : 0x87, 0x1);
	pd_test_be32(h.b + 24, 100);
	pd_test_be32(h.b + 28, 1);
	pd_test_be32(h.b + 32, 32);
	h.b[36] = (uint8_t)(status >> 8);
	h.b[37] = (uint8_t)status;
	return pdu_build(out, &h, keys, klen, 0, 0);
}

/* SCSI Command 0x01, F+R, LUN, CDB READ(10) unless @cdb0 says otherwise (11.3). */
static void scsi_cmd(struct pdu *h, uint32_t itt, uint32_t cmdsn, const uint8_t lun[8],
		     uint8_t cdb0)
{
	bhs_init(h, 0x01, 0xc1, itt);
	memcpy(h->b + 8, lun, 8);
	pd_test_be32(h->b + 20, 4096);
	pd_test_be32(h->b + 24, cmdsn);
	h->b[32] = cdb0;
}

/* A target response carrying StatSN/ExpCmdSN/MaxCmdSN (11.4, 11.7, 11.19). */
static void tgt_rsp(struct pdu *h, uint8_t op, uint8_t flags, uint32_t itt, uint32_t statsn,
		    uint32_t exp, uint32_t max)
{
	bhs_init(h, op, flags, itt);
	pd_test_be32(h->b + 24, statsn);
	pd_test_be32(h->b + 28, exp);
	pd_test_be32(h->b + 32, max);
}

static const uint8_t lun0[8] = {0};

/* ---- the BHS dissector (dissectors/iscsi.c), RFC 7143 section 11 ---- */

/* Login Request (11.12): I bit + 0x03; T=1, C=0, CSG=1, NSG=3;
 * Version-max 0, Version-min 0; ISID 80 12 34 56 00 01, TSIH 0; ITT 7;
 * CID 1; CmdSN 0x10; ExpStatSN 0x20; 29 bytes of text. */
static const uint8_t bhs_login_req[48] = {
	0x43, 0x87, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d,
	0x80, 0x12, 0x34, 0x56, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20,
};

static void test_bhs_login(void **state)
{
	/* Login Response (11.13): T=1, CSG=0, NSG=1;
	 * Version-max 0, Version-active 0, TSIH 0x0102, StatSN 5, ExpCmdSN 0x11,
	 * MaxCmdSN 0x30, Status-Class 2, Status-Detail 1 (authentication) */
	static const uint8_t rsp[48] = {
		0x23, 0x81, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x80, 0x12, 0x34, 0x56, 0x00, 0x01, 0x01, 0x02,
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x11,
		0x00, 0x00, 0x00, 0x30, 0x02, 0x01, 0x00, 0x00,
	};
	struct pd_iscsi_bhs b;

	(void)state;
	assert_int_equal(pd_iscsi_bhs_decode(bhs_login_req, sizeof(bhs_login_req), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_LOGIN_REQ);
	assert_true(b.immediate);
	assert_false(b.reserved_bit);
	assert_true(b.transit);
	assert_false(b.cont);
	assert_int_equal(b.csg, 1);
	assert_int_equal(b.nsg, 3);
	assert_int_equal(b.data_segment_length, 29);
	assert_int_equal(b.total_ahs_length, 0);
	assert_memory_equal(b.isid, ((const uint8_t[6]){0x80, 0x12, 0x34, 0x56, 0x00, 0x01}), 6);
	assert_int_equal(b.tsih, 0);
	assert_int_equal(b.initiator_task_tag, 7);
	assert_int_equal(b.cid, 1);
	assert_int_equal(b.cmdsn, 0x10);
	assert_int_equal(b.expstatsn, 0x20);
	assert_string_equal(pd_iscsi_opcode_name(b.opcode), "Login Request");

	assert_int_equal(pd_iscsi_bhs_decode(rsp, sizeof(rsp), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_LOGIN_RSP);
	assert_false(b.immediate);
	assert_true(b.transit);
	assert_int_equal(b.csg, 0);
	assert_int_equal(b.nsg, 1);
	assert_int_equal(b.data_segment_length, 0x100);
	assert_int_equal(b.tsih, 0x0102);
	assert_int_equal(b.statsn, 5);
	assert_int_equal(b.expcmdsn, 0x11);
	assert_int_equal(b.maxcmdsn, 0x30);
	assert_int_equal(b.status_class, 2);
	assert_int_equal(b.status_detail, 1);
	/* bytes 8-15 are ISID and TSIH, not a LUN */
	assert_memory_equal(b.lun, lun0, 8);
}

static void test_bhs_scsi_command(void **state)
{
	/* SCSI Command (11.3): F, R, ATTR simple (1); LUN 0x0001...; ITT
	 * 0xdeadbeef; Expected Data Transfer Length 4096; CmdSN 9; ExpStatSN 3;
	 * CDB READ(10) LBA 0x00000800, transfer length 8 (SBC-3 5.11) */
	static const uint8_t cmd[48] = {
		0x01, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x10, 0x00,
		0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x03,
		0x28, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct pd_iscsi_bhs b;

	(void)state;
	assert_int_equal(pd_iscsi_bhs_decode(cmd, sizeof(cmd), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_SCSI_CMD);
	assert_false(b.immediate);
	assert_true(b.final);
	assert_true(b.read);
	assert_false(b.write);
	assert_int_equal(b.task_attr, 1);
	assert_memory_equal(b.lun, ((const uint8_t[8]){0, 1, 0, 0, 0, 0, 0, 0}), 8);
	assert_int_equal(b.initiator_task_tag, 0xdeadbeefu);
	assert_int_equal(b.expected_data_transfer_length, 4096);
	assert_int_equal(b.cmdsn, 9);
	assert_int_equal(b.expstatsn, 3);
	assert_int_equal(b.cdb[0], 0x28);
	assert_int_equal((uint32_t)b.cdb[2] << 24 | (uint32_t)b.cdb[3] << 16 |
			 (uint32_t)b.cdb[4] << 8 | b.cdb[5], 0x800);
	assert_int_equal(b.cdb[7] << 8 | b.cdb[8], 8);
	/* requests carry no target numbering */
	assert_int_equal(b.statsn, 0);
	assert_int_equal(b.maxcmdsn, 0);
}

static void test_bhs_data_in_r2t(void **state)
{
	/* SCSI Data-In (11.7): F and S, status GOOD; 512 bytes; ITT 0x10; TTT
	 * reserved; StatSN 0x101, ExpCmdSN 0x0a, MaxCmdSN 0x29; DataSN 2;
	 * Buffer Offset 1024; Residual Count 0 */
	static const uint8_t din[48] = {
		0x25, 0x81, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	/* R2T (11.8): ITT 0x11, TTT 0x55, StatSN 0x102 (not advanced), R2TSN
	 * 1, Buffer Offset 65536, Desired Data Transfer Length 8192 */
	static const uint8_t r2t[48] = {
		0x31, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x55,
		0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,
	};
	struct pd_iscsi_bhs b;

	(void)state;
	assert_int_equal(pd_iscsi_bhs_decode(din, sizeof(din), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_DATA_IN);
	assert_true(b.final);
	assert_true(b.status_present);
	assert_false(b.acknowledge);
	assert_int_equal(b.status, 0);
	assert_int_equal(b.data_segment_length, 512);
	assert_int_equal(b.initiator_task_tag, 0x10);
	assert_int_equal(b.target_transfer_tag, 0xffffffffu);
	assert_int_equal(b.statsn, 0x101);
	assert_int_equal(b.expcmdsn, 0x0a);
	assert_int_equal(b.maxcmdsn, 0x29);
	assert_int_equal(b.datasn, 2);
	assert_int_equal(b.buffer_offset, 1024);
	assert_int_equal(b.residual_count, 0);

	assert_int_equal(pd_iscsi_bhs_decode(r2t, sizeof(r2t), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_R2T);
	assert_int_equal(b.initiator_task_tag, 0x11);
	assert_int_equal(b.target_transfer_tag, 0x55);
	assert_int_equal(b.statsn, 0x102);
	assert_int_equal(b.r2tsn, 1);
	assert_int_equal(b.datasn, 0); /* bytes 36-39 are R2TSN here */
	assert_int_equal(b.buffer_offset, 65536);
	assert_int_equal(b.desired_data_transfer_length, 8192);
}

static void test_bhs_nop(void **state)
{
	/* NOP-Out (11.18): I bit, a ping (ITT 0x30, TTT reserved), CmdSN 4,
	 * ExpStatSN 0x101, 5 bytes of ping data */
	static const uint8_t out[48] = {
		0x40, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x30, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x01,
	};
	/* NOP-In (11.19): unsolicited (ITT reserved), TTT 0x77, StatSN 0x102 */
	static const uint8_t in[48] = {
		0x20, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x77,
		0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x24,
	};
	struct pd_iscsi_bhs b;

	(void)state;
	assert_int_equal(pd_iscsi_bhs_decode(out, sizeof(out), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_NOP_OUT);
	assert_true(b.immediate);
	assert_int_equal(b.data_segment_length, 5);
	assert_int_equal(b.initiator_task_tag, 0x30);
	assert_int_equal(b.target_transfer_tag, PD_ISCSI_RESERVED_TAG);
	assert_int_equal(b.cmdsn, 4);
	assert_int_equal(b.expstatsn, 0x101);
	assert_int_equal(pd_iscsi_bhs_decode(in, sizeof(in), &b), 0);
	assert_int_equal(b.opcode, PD_ISCSI_OP_NOP_IN);
	assert_false(b.immediate);
	assert_int_equal(b.initiator_task_tag, PD_ISCSI_RESERVED_TAG);
	assert_int_equal(b.target_transfer_tag, 0x77);
	assert_int_equal(b.statsn, 0x102);
	assert_int_equal(b.expcmdsn, 5);
	assert_int_equal(b.maxcmdsn, 0x24);
	assert_string_equal(pd_iscsi_opcode_name(b.opcode), "NOP-In");
}

static void test_bhs_truncated(void **state)
{
	struct pd_iscsi_bhs b;

	(void)state;
	/* 47 bytes are no BHS: nothing is read, the result is zeroed */
	memset(&b, 0xaa, sizeof(b));
	assert_int_equal(pd_iscsi_bhs_decode(bhs_login_req, 47, &b), -PD_ETRUNC);
	assert_int_equal(b.opcode, 0);
	assert_int_equal(b.initiator_task_tag, 0);
	assert_int_equal(pd_iscsi_bhs_decode(bhs_login_req, 0, &b), -PD_ETRUNC);
	assert_int_equal(pd_iscsi_bhs_decode(0, 48, &b), -PD_EUSAGE);
	/* byte 0 bit 7 is reserved: reported, the rest still decoded */
	{
		uint8_t x[48];

		memcpy(x, bhs_login_req, sizeof(x));
		x[0] |= 0x80;
		assert_int_equal(pd_iscsi_bhs_decode(x, sizeof(x), &b), 0);
		assert_true(b.reserved_bit);
		assert_int_equal(b.opcode, PD_ISCSI_OP_LOGIN_REQ);
	}
}

/* Handshake + one Login exchange with the given key texts. */
static void do_login(struct harness *h, const char *ik, size_t ilen, const char *tk, size_t tlen,
		     uint16_t status)
{
	static uint8_t b[20000];
	size_t n;

	h_handshake(h);
	n = login_req(b, ik, ilen);
	h_seg(h, INI, b, n);
	n = login_rsp(b, tk, tlen, status);
	h_seg(h, TGT, b, n);
}

/* A Login Request split in two segments (inside the BHS and inside the
 * data), then two PDUs in one segment each way. */
static void test_reassembly_login_split(void **state)
{
	struct harness h;
	uint8_t b[4096], two[512];
	size_t n, m;
	struct pdu c1, c2, r1, r2;
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	h_handshake(&h);
	n = login_req(b, ini_keys, sizeof(ini_keys) - 1);
	h_seg(&h, INI, b, 20);          /* the BHS cut at byte 20 */
	h_seg(&h, INI, b + 20, 80);     /* the rest of the BHS and 52 data bytes */
	h_seg(&h, INI, b + 100, n - 100);
	n = login_rsp(b, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_seg(&h, TGT, b, n);
	/* READ(10) and a NOP-Out ping in one segment */
	scsi_cmd(&c1, 0x10, 1, lun0, 0x28);
	bhs_init(&c2, 0x40, 0x80, 0x11); /* NOP-Out, I bit, ITT 0x11 */
	pd_test_be32(c2.b + 20, 0xffffffffu);
	m = pdu_build(two, &c1, 0, 0, 0, 0);
	m += pdu_build(two + m, &c2, 0, 0, 0, 0);
	h_seg(&h, INI, two, m);
	uint64_t read_frame = h.last_frame;
	/* SCSI Data-In with status (S) and the NOP-In in one segment; StatSN
	 * goes on from the login response's 100 */
	tgt_rsp(&r1, 0x25, 0x81, 0x10, 101, 2, 33);
	tgt_rsp(&r2, 0x20, 0x80, 0x11, 102, 2, 33);
	m = pdu_build(two, &r1, "data", 4, 0, 0);
	m += pdu_build(two + m, &r2, 0, 0, 0, 0);
	h_seg(&h, TGT, two, m);
	h.ns += 30LL * 1000000000LL; /* 30 s later the capture ends */
	h_seg(&h, INI, 0, 0);
	h_end(&h);

	f = find1(&h, "iscsi.login");
	assert_string_equal(ev(f, "initiator_name")->s, "iqn.2024-01.test:ini");
	assert_string_equal(ev(f, "target_name")->s, "iqn.2024-01.test:disk");
	assert_string_equal(ev(f, "result")->s, "ok");
	assert_string_equal(ev(f, "session_type")->s, "normal");
	/* declarations (13.12): each side's own value */
	assert_int_equal(ev(f, "mrdsl_initiator")->v.u, 262144);
	assert_int_equal(ev(f, "mrdsl_target")->v.u, 8192);
	/* InitialR2T is OR: No from the initiator, Yes from the target -> Yes */
	assert_true(ev(f, "initial_r2t")->v.b);
	assert_true(ev(f, "immediate_data")->v.b);
	assert_int_equal(ev(f, "first_read_frame")->v.u, read_frame);
	/* SYN 1, SYN/ACK 2, ACK 3, bytes 0-19 in 4, the BHS completes in 5 */
	assert_int_equal(ev(f, "login_frame")->v.u, 5);
	assert_string_equal(ev(f, "framing")->s, "ok");
	/* the answered command and ping did not time out, StatSN 101, 102 ok */
	assert_int_equal(count(&h, "iscsi.timeout"), 0);
	assert_int_equal(count(&h, "iscsi.statsn_gap"), 0);
	assert_int_equal(count(&h, "iscsi.negotiation_invalid"), 0);
	assert_int_equal(h.a.findings.n, 1);
	/* the published summary the boot report reads */
	assert_non_null(h.a.iscsi);
	assert_int_equal(h.a.iscsi->n, 1);
	{
		const struct pd_iscsi_conn *c = &h.a.iscsi->v[0];
		char ip[48];

		assert_int_equal(c->state, PD_ISCSI_LOGIN_OK);
		pd_addr_format(&c->addr[0], ip, sizeof(ip));
		assert_string_equal(ip, "10.0.0.1");
		assert_int_equal(c->port[1], 3260);
		assert_int_equal(c->login_frame, 5);
		assert_int_equal(c->login_done_frame, 7);  /* the Login Response */
		assert_int_equal(c->first_read_frame, read_frame);
		assert_int_equal(c->first_read_cdb, 0x28);
		assert_string_equal(c->target_name, "iqn.2024-01.test:disk");
		assert_int_equal(c->mrdsl[0], 262144);
		assert_int_equal(c->pdus[0], 3); /* login, READ, NOP-Out */
		assert_int_equal(c->pdus[1], 3); /* login response, Data-In, NOP-In */
		assert_int_equal(c->commands, 1);
		assert_int_equal(c->end, PD_END_OPEN);
	}
	h_free(&h);
}

/* Retransmitted bytes are parsed once; a partial overlap adds only the new part. */
static void test_reassembly_retransmission(void **state)
{
	struct harness h;
	uint8_t b[4096];
	size_t n;
	struct pdu r;
	uint32_t seq;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	tgt_rsp(&r, 0x20, 0x80, 0xffffffffu, 101, 2, 33); /* unsolicited NOP-In: StatSN not advanced */
	n = pdu_build(b, &r, 0, 0, 0, 0);
	tgt_rsp(&r, 0x21, 0x80, 0x10, 101, 2, 33);          /* SCSI Response, StatSN 101 */
	n += pdu_build(b + n, &r, 0, 0, 0, 0);
	seq = h.seq[TGT];
	h_seg_at(&h, TGT, seq, b, 60, 0x18);                /* NOP-In + 12 bytes */
	h_seg_at(&h, TGT, seq, b, 60, 0x18);                /* the same again */
	h_seg_at(&h, TGT, seq + 30, b + 30, n - 30, 0x18);  /* overlap + the rest */
	h.seq[TGT] = seq + (uint32_t)n;
	tgt_rsp(&r, 0x21, 0x80, 0x12, 102, 2, 33);
	n = pdu_build(b, &r, 0, 0, 0, 0);
	h_seg(&h, TGT, b, n);
	h_end(&h);
	/* parsed twice, the SCSI Response would repeat StatSN 101 */
	assert_int_equal(count(&h, "iscsi.statsn_gap"), 0);
	assert_string_equal(ev(find1(&h, "iscsi.login"), "framing")->s, "ok");
	h_free(&h);
}

/* A sequence gap stops parsing that direction, and says so. */
static void test_reassembly_gap(void **state)
{
	struct harness h;
	uint8_t b[4096];
	size_t n;
	struct pdu r;
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	tgt_rsp(&r, 0x21, 0x80, 0x10, 101, 2, 33);
	n = pdu_build(b, &r, 0, 0, 0, 0);
	h.seq[TGT] += 1000;             /* 1000 bytes never captured */
	h_seg(&h, TGT, b, n);
	uint64_t gap_frame = h.last_frame;
	tgt_rsp(&r, 0x21, 0x80, 0x11, 200, 2, 1); /* would be a StatSN gap and a bad window */
	n = pdu_build(b, &r, 0, 0, 0, 0);
	h_seg(&h, TGT, b, n);
	h_end(&h);
	f = find1(&h, "iscsi.login");
	assert_non_null(strstr(ev(f, "framing")->s, "target->initiator lost at frame"));
	assert_non_null(strstr(ev(f, "framing")->s, "sequence gap"));
	char want[32];
	snprintf(want, sizeof(want), "frame %llu:", (unsigned long long)gap_frame);
	assert_non_null(strstr(ev(f, "framing")->s, want));
	assert_int_equal(count(&h, "iscsi.statsn_gap"), 0);
	assert_int_equal(count(&h, "iscsi.cmdsn_window"), 0);
	h_free(&h);
}

static void test_login_failed(void **state)
{
	struct harness h;
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	/* 11.13.5: 0x0202 authorization failure */
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, "", 0, 0x0202);
	h_end(&h);
	f = find1(&h, "iscsi.login_failed");
	assert_int_equal(f->severity, PD_SEV_ERROR);
	assert_int_equal(ev(f, "status_class")->v.u, 2);
	assert_int_equal(ev(f, "status_detail")->v.u, 2);
	assert_string_equal(ev(f, "status_text")->s, "authorization failure");
	assert_string_equal(ev(f, "target_name")->s, "iqn.2024-01.test:disk");
	assert_int_equal(f->frames[0], 5); /* SYN, SYN/ACK, ACK, request, response */
	assert_string_equal(ev(find1(&h, "iscsi.login"), "result")->s, "failed");
	h_free(&h);

	/* 0x0101 target moved temporarily: a redirection to TargetAddress,
	 * reported as a warning (the initiator is expected to follow it) */
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, "TargetAddress=10.0.0.9:3260,1",
		 sizeof("TargetAddress=10.0.0.9:3260,1"), 0x0101);
	h_end(&h);
	f = find1(&h, "iscsi.login_failed");
	assert_int_equal(f->severity, PD_SEV_WARNING);
	assert_string_equal(ev(f, "status_text")->s, "target moved temporarily");
	assert_string_equal(ev(f, "target_address")->s, "10.0.0.9:3260,1");
	h_free(&h);
}

/* A connection whose SYN was not captured: parsing starts only at a
 * segment that begins with a plausible BHS, and its sequence-number
 * checks wait for five headers. */
static void test_midstream(void **state)
{
	static const uint32_t statsn[] = {50, 60, 61, 62, 63, 70};
	struct harness h;
	struct pdu r;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	/* the middle of a Data-In: 0xff cannot start a BHS (bit 7 reserved) */
	memset(b, 0xff, 100);
	h_seg(&h, TGT, b, 100);
	tgt_rsp(&r, 0x21, 0x80, 0x10, 101, 2, 1); /* never parsed */
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	h_seg(&h, INI, 0, 0);
	h_end(&h);
	f = find1(&h, "iscsi.login");
	assert_string_equal(ev(f, "result")->s, "not captured");
	/* 100 bytes of Data-In + the 48-byte response were not parsed */
	assert_string_equal(ev(f, "framing")->s, "target->initiator lost at frame 1: capture "
						 "began inside the stream, 148 bytes not parsed");
	assert_int_equal(count(&h, "iscsi.cmdsn_window"), 0);
	h_free(&h);

	h_init(&h, 3260);
	for (unsigned i = 0; i < sizeof(statsn) / sizeof(statsn[0]); i++) {
		/* the second also has a negative window: not judged yet */
		tgt_rsp(&r, 0x21, 0x80, 0x10 + i, statsn[i], 5, i == 1 ? 1 : 40);
		h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	}
	h_end(&h);
	f = find1(&h, "iscsi.statsn_gap");
	assert_int_equal(ev(f, "count")->v.u, 1);
	assert_int_equal(ev(f, "expected")->v.u, 64);
	assert_int_equal(ev(f, "got")->v.u, 70);
	assert_int_equal(count(&h, "iscsi.cmdsn_window"), 0);
	h_free(&h);

	/* with the SYN captured the first PDU must be a Login Request (RFC
	 * 7143 6.3): a SCSI Command first is not iSCSI, and not reported */
	h_init(&h, 3260);
	h_handshake(&h);
	scsi_cmd(&r, 0x10, 1, (const uint8_t[8]){0, 0xff}, 0x28);
	h_seg(&h, INI, b, pdu_build(b, &r, 0, 0, 0, 0));
	for (unsigned i = 0; i < 2; i++) {
		tgt_rsp(&r, 0x21, 0x80, 0x10 + i, statsn[i], 5, 1);
		h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	}
	h_end(&h);
	assert_int_equal(h.a.findings.n, 0);
	assert_int_equal(h.a.iscsi->n, 0);
	h_free(&h);
}

static void test_negotiation_invalid(void **state)
{
	static const char ik[] = "InitiatorName=iqn.2024-01.test:ini\0TargetName=t\0"
				 "HeaderDigest=None\0MaxBurstLength=65536\0";
	/* CRC32C was not offered; 262144 is above the Minimum-key offer */
	static const char tk[] = "HeaderDigest=CRC32C\0MaxBurstLength=262144\0";
	struct harness h;
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ik, sizeof(ik) - 1, tk, sizeof(tk) - 1, 0);
	h_end(&h);
	f = find1(&h, "iscsi.negotiation_invalid");
	assert_int_equal(ev(f, "count")->v.u, 2);
	assert_string_equal(ev(f, "key")->s, "HeaderDigest");
	assert_string_equal(ev(f, "offered")->s, "None");
	assert_string_equal(ev(f, "answered")->s, "CRC32C");
	assert_string_equal(ev(f, "by")->s, "target");
	assert_string_equal(ev(f, "keys")->s, "HeaderDigest,MaxBurstLength");
	h_free(&h);
}

static void test_burst_order(void **state)
{
	static const char ik[] = "InitiatorName=iqn.2024-01.test:ini\0TargetName=t\0"
				 "FirstBurstLength=262144\0MaxBurstLength=65536\0";
	static const char tk[] = "FirstBurstLength=262144\0MaxBurstLength=65536\0";
	static const char ok[] = "InitiatorName=iqn.2024-01.test:ini\0TargetName=t\0"
				 "FirstBurstLength=65536\0MaxBurstLength=65536\0";
	static const char ok_answer[] = "MaxBurstLength=65536\0";
	struct harness h;
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ik, sizeof(ik) - 1, tk, sizeof(tk) - 1, 0);
	h_end(&h);
	/* 13.14: FirstBurstLength MUST NOT exceed MaxBurstLength; offered by
	 * the initiator, answered by the target, and so negotiated: one
	 * finding for the connection */
	f = find1(&h, "iscsi.burst_order");
	assert_int_equal(ev(f, "first_burst")->v.u, 262144);
	assert_int_equal(ev(f, "max_burst")->v.u, 65536);
	assert_string_equal(ev(f, "source")->s, "offered by the initiator");
	assert_true(ev(f, "count")->v.u >= 2);
	h_free(&h);
	/* equal is allowed */
	h_init(&h, 3260);
	do_login(&h, ok, sizeof(ok) - 1, ok_answer, sizeof(ok_answer) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.burst_order"), 0);
	h_free(&h);
}

static void test_mrdsl_exceeded(void **state)
{
	static uint8_t data[16384], b[20000];
	struct harness h;
	struct pdu r;
	size_t n;
	const struct pd_finding *f;
	/* the initiator declares 8192; the target 262144 */
	static const char ik[] = "InitiatorName=i\0TargetName=t\0MaxRecvDataSegmentLength=8192\0";
	static const char tk[] = "MaxRecvDataSegmentLength=262144\0";

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ik, sizeof(ik) - 1, tk, sizeof(tk) - 1, 0);
	/* Data-In of exactly 8192 bytes: allowed */
	tgt_rsp(&r, 0x25, 0x00, 0x10, 0, 2, 33);
	n = pdu_build(b, &r, data, 8192, 0, 0);
	h_seg(&h, TGT, b, n);
	/* 8193 bytes: one too many (13.12: the initiator's declaration limits
	 * what the target sends) */
	tgt_rsp(&r, 0x25, 0x00, 0x10, 0, 2, 33);
	n = pdu_build(b, &r, data, 8193, 0, 0);
	h_seg(&h, TGT, b, n);
	uint64_t bad_frame = h.last_frame;
	/* the initiator may send up to the target's 262144: 16384 is fine */
	bhs_init(&r, 0x05, 0x80, 0x10);
	n = pdu_build(b, &r, data, 16384, 0, 0);
	h_seg(&h, INI, b, n);
	h_end(&h);
	f = find1(&h, "iscsi.mrdsl_exceeded");
	assert_int_equal(f->frames[0], bad_frame);
	assert_int_equal(ev(f, "limit")->v.u, 8192);
	assert_int_equal(ev(f, "data_segment_length")->v.u, 8193);
	assert_string_equal(ev(f, "sender")->s, "target");
	assert_int_equal(ev(f, "initiator_to_target")->v.u, 0);
	assert_int_equal(ev(f, "target_to_initiator")->v.u, 1);
	h_free(&h);
}

static void test_mrdsl_login_default(void **state)
{
	static char big[9000];
	struct harness h;
	const struct pd_finding *f;

	(void)state;
	/* RFC 7143 6.3: "The default MaxRecvDataSegmentLength is used during
	 * Login": a 9000-byte Login Request is over 8192 */
	memset(big, 'a', sizeof(big));
	memcpy(big, "X-test.pad=", 11);
	big[sizeof(big) - 1] = 0;
	h_init(&h, 3260);
	do_login(&h, big, sizeof(big), "", 0, 0);
	h_end(&h);
	f = find1(&h, "iscsi.mrdsl_exceeded");
	assert_int_equal(ev(f, "limit")->v.u, 8192);
	assert_string_equal(ev(f, "limit_source")->s, "default (login phase)");
	h_free(&h);
}

static void test_cmdsn_window(void **state)
{
	struct harness h;
	struct pdu r;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	/* 4.2.2.1: MaxCmdSN = ExpCmdSN - 1 is a closed window, allowed */
	tgt_rsp(&r, 0x21, 0x80, 0x10, 101, 10, 9);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	/* serial arithmetic across the wrap: ExpCmdSN 0, MaxCmdSN 2^32-1 = 0 - 1 */
	tgt_rsp(&r, 0x21, 0x80, 0x11, 102, 0, 0xffffffffu);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	/* a window of 0x21 commands that wraps: ExpCmdSN 2^32-16, MaxCmdSN 16
	 * (RFC 1982: 16 is "greater" than 2^32-17 though smaller as an integer) */
	tgt_rsp(&r, 0x21, 0x80, 0x14, 103, 0xfffffff0u, 0x10);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	assert_int_equal(count(&h, "iscsi.cmdsn_window"), 0);
	/* MaxCmdSN 8 < ExpCmdSN - 1 = 9 */
	tgt_rsp(&r, 0x21, 0x80, 0x12, 104, 10, 8);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	uint64_t bad = h.last_frame;
	/* across the wrap: ExpCmdSN 0, MaxCmdSN 2^32-2 */
	tgt_rsp(&r, 0x21, 0x80, 0x13, 105, 0, 0xfffffffeu);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	h_end(&h);
	f = find1(&h, "iscsi.cmdsn_window");
	assert_int_equal(f->frames[0], bad);
	assert_int_equal(ev(f, "count")->v.u, 2);
	assert_int_equal(ev(f, "exp_cmdsn")->v.u, 10);
	assert_int_equal(ev(f, "max_cmdsn")->v.u, 8);
	assert_int_equal(ev(f, "window")->v.i, -1);
	assert_int_equal(count(&h, "iscsi.statsn_gap"), 0);
	h_free(&h);
}

static void test_statsn_gap(void **state)
{
	struct harness h;
	struct pdu r;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	/* login response had StatSN 100: 101 is next, then 103 skips 102 */
	tgt_rsp(&r, 0x21, 0x80, 0x10, 101, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	/* R2T carries the next StatSN without advancing it (11.8) */
	tgt_rsp(&r, 0x31, 0x80, 0x11, 102, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	tgt_rsp(&r, 0x21, 0x80, 0x11, 103, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &r, 0, 0, 0, 0));
	h_end(&h);
	f = find1(&h, "iscsi.statsn_gap");
	assert_int_equal(f->severity, PD_SEV_WARNING);
	assert_int_equal(ev(f, "expected")->v.u, 102);
	assert_int_equal(ev(f, "got")->v.u, 103);
	h_free(&h);
}

static void test_lun_255(void **state)
{
	static const uint8_t l255[8] = {0x00, 0xff, 0, 0, 0, 0, 0, 0};
	static const uint8_t l255f[8] = {0x40, 0xff, 0, 0, 0, 0, 0, 0};
	static const uint8_t l1[8] = {0x00, 0x01, 0, 0, 0, 0, 0, 0};
	struct harness h;
	struct pdu c;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x10, 1, l1, 0x12);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	assert_int_equal(count(&h, "iscsi.lun_255"), 0);
	scsi_cmd(&c, 0x11, 2, l255, 0x12);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	uint64_t first = h.last_frame;
	/* emitted at the command that shows it, not when the connection ends */
	f = find1(&h, "iscsi.lun_255");
	uint64_t key = f->key;
	assert_int_equal(f->frames[0], first);
	assert_int_equal(ev(f, "count")->v.u, 1);
	assert_non_null(strstr(f->flow, ":3260"));
	scsi_cmd(&c, 0x12, 3, l255f, 0x28);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	h_end(&h);
	/* ... and updated in place with the count when it ends */
	f = find1(&h, "iscsi.lun_255");
	assert_int_equal(f->key, key);
	assert_int_equal(f->frames[0], first);
	assert_int_equal(ev(f, "count")->v.u, 2);
	assert_non_null(strstr(f->message, "(2 times in this connection)"));
	assert_int_equal(ev(f, "lun")->v.u, 255);
	assert_string_equal(ev(f, "lun_field")->s, "00ff000000000000");
	assert_string_equal(ev(f, "addressing")->s, "peripheral device");
	h_free(&h);
}

static void test_timeout(void **state)
{
	struct harness h;
	struct pdu c;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x20, 1, lun0, 0x28);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	uint64_t cmd = h.last_frame;
	int64_t t0 = h.ns;
	/* 12 s of silence, then an ABORT TASK (function 1, 11.5.1) */
	h.ns += 12LL * 1000000000LL;
	bhs_init(&c, 0x42, 0x81, 0x21);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	uint64_t tmf = h.last_frame;
	h.ns += 8LL * 1000000000LL;
	h_seg(&h, INI, 0, 0);
	h_end(&h);
	f = find1(&h, "iscsi.timeout");
	assert_int_equal(f->frames[0], cmd);
	assert_int_equal(ev(f, "command_frame")->v.u, cmd);
	assert_string_equal(ev(f, "cdb_opcode")->s, "0x28 READ(10)");
	assert_false(ev(f, "answered")->v.b);
	assert_string_equal(ev(f, "next_action")->s, "task management request");
	assert_int_equal(ev(f, "next_action_frame")->v.u, tmf);
	/* the connection stayed open: waited until the end of the capture */
	assert_true(ev(f, "wait_s")->v.d >= (double)(h.ns - t0) / 1e9 - 0.001);
	assert_false(ev(f, "reconnected")->v.b);
	h_free(&h);

	/* answered after 2 s with a 1 s timeout: late, answered */
	h_init_timeout(&h, 3260, 1000000000LL);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x20, 1, lun0, 0x00);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	h.ns += 2LL * 1000000000LL;
	tgt_rsp(&c, 0x21, 0x80, 0x20, 101, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &c, 0, 0, 0, 0));
	uint64_t rsp = h.last_frame;
	h_end(&h);
	f = find1(&h, "iscsi.timeout");
	assert_true(ev(f, "answered")->v.b);
	assert_int_equal(ev(f, "response_frame")->v.u, rsp);
	assert_int_equal(ev(f, "answered_late")->v.u, 1);
	h_free(&h);

	/* no answer; after 15 s the initiator resets the connection and logs
	 * in again on a new one */
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x40, 1, lun0, 0x28);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	h.ns += 15LL * 1000000000LL;
	h_seg_at(&h, INI, h.seq[INI], 0, 0, 0x14); /* RST/ACK */
	uint64_t rst = h.last_frame;
	h.port[INI] = 40001;
	h.seq[INI] = 7000;
	h.seq[TGT] = 900000;
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	uint64_t relogin = h.last_frame - 1; /* the new Login Request */
	h_end(&h);
	f = find1(&h, "iscsi.timeout");
	assert_false(ev(f, "answered")->v.b);
	assert_string_equal(ev(f, "next_action")->s, "RST (reset the connection)");
	assert_int_equal(ev(f, "next_action_frame")->v.u, rst);
	assert_string_equal(ev(f, "connection_end")->s, "rst");
	assert_true(ev(f, "reconnected")->v.b);
	assert_int_equal(ev(f, "reconnect_frame")->v.u, relogin);
	/* 15 s until the reset; the connection ended there */
	assert_true(ev(f, "wait_s")->v.d > 14.9 && ev(f, "wait_s")->v.d < 15.1);
	assert_int_equal(count(&h, "iscsi.login"), 2);
	h_free(&h);

	/* the same answered within 10 s (the default): nothing */
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x20, 1, lun0, 0x00);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	h.ns += 2LL * 1000000000LL;
	tgt_rsp(&c, 0x21, 0x80, 0x20, 101, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &c, 0, 0, 0, 0));
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.timeout"), 0);
	h_free(&h);
}

/* iscsi.timeout is emitted when a tick passes the deadline, while the
 * connection goes on, and updated as the story goes on: here a NOP-Out
 * ping that the target never answers, then the initiator's reset. */
static void test_timeout_on_tick(void **state)
{
	struct harness h;
	struct pdu c;
	uint8_t b[256];
	const struct pd_finding *f;
	uint64_t ping, key;

	(void)state;
	h_init_timeout(&h, 3260, 5LL * 1000000000LL);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	bhs_init(&c, 0x40, 0x80, 0x50); /* NOP-Out ping, ITT 0x50 */
	pd_test_be32(c.b + 20, 0xffffffffu);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	ping = h.last_frame;
	/* 4.9 s: not yet */
	pd_pipeline_tick(h.pipe, h.ns + 4900000000LL);
	assert_int_equal(count(&h, "iscsi.timeout"), 0);
	/* 5.1 s: the ping timed out, known now */
	pd_pipeline_tick(h.pipe, h.ns + 5100000000LL);
	f = find1(&h, "iscsi.timeout");
	key = f->key;
	assert_int_equal(f->frames[0], ping);
	assert_int_equal(f->n_frames, 1);
	assert_false(ev(f, "answered")->v.b);
	assert_int_equal(ev(f, "unanswered")->v.u, 1);
	assert_string_equal(ev(f, "next_action")->s, "nothing");
	assert_string_equal(ev(f, "connection_end")->s, "open");
	assert_true(ev(f, "wait_s")->v.d > 5.0);
	/* a later tick does not emit it again */
	pd_pipeline_tick(h.pipe, h.ns + 7000000000LL);
	assert_int_equal(count(&h, "iscsi.timeout"), 1);
	/* the initiator resets the connection: the same finding learns it */
	h.ns += 8LL * 1000000000LL;
	h_seg_at(&h, INI, h.seq[INI], 0, 0, 0x14);
	f = find1(&h, "iscsi.timeout");
	assert_int_equal(f->key, key);
	assert_string_equal(ev(f, "next_action")->s, "RST (reset the connection)");
	assert_int_equal(ev(f, "next_action_frame")->v.u, h.last_frame);
	h_end(&h);
	f = find1(&h, "iscsi.timeout");
	assert_string_equal(ev(f, "connection_end")->s, "rst");
	assert_int_equal(ev(f, "unanswered")->v.u, 1);
	assert_false(ev(f, "reconnected")->v.b);
	h_free(&h);
}

static void test_digests(void **state)
{
	static const char ik[] = "InitiatorName=i\0TargetName=t\0HeaderDigest=CRC32C,None\0"
				 "DataDigest=CRC32C,None\0";
	static const char tk[] = "HeaderDigest=CRC32C\0DataDigest=CRC32C\0";
	struct harness h;
	struct pdu c;
	uint8_t b[256];
	size_t n;
	const struct pd_finding *f;
	char want[16];

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ik, sizeof(ik) - 1, tk, sizeof(tk) - 1, 0);
	/* NOP-Out ping with 5 data bytes: BHS, HD, data, 3 pad, DD */
	bhs_init(&c, 0x40, 0x80, 0x30);
	pd_test_be32(c.b + 20, 0xffffffffu);
	n = pdu_build(b, &c, "hello", 5, 1, 1);
	assert_int_equal(n, 48 + 4 + 8 + 4);
	h_seg(&h, INI, b, n);
	tgt_rsp(&c, 0x20, 0x80, 0x30, 101, 2, 33);
	n = pdu_build(b, &c, "hello", 5, 1, 1);
	h_seg(&h, TGT, b, n);
	/* PDUs without data carry no DataDigest (11.2): a READ and its
	 * response, 48 + 4 bytes each */
	scsi_cmd(&c, 0x32, 1, lun0, 0x28);
	n = pdu_build(b, &c, 0, 0, 1, 1);
	assert_int_equal(n, 52);
	h_seg(&h, INI, b, n);
	tgt_rsp(&c, 0x21, 0x80, 0x32, 102, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &c, 0, 0, 1, 1));
	assert_int_equal(count(&h, "iscsi.digest_bad"), 0);
	/* a second ping whose data changed after the digest was computed */
	bhs_init(&c, 0x40, 0x80, 0x31);
	pd_test_be32(c.b + 20, 0xffffffffu);
	n = pdu_build(b, &c, "hello", 5, 1, 1);
	b[52] = 'j';
	h_seg(&h, INI, b, n);
	uint64_t bad = h.last_frame;
	tgt_rsp(&c, 0x20, 0x80, 0x31, 103, 2, 33);
	h_seg(&h, TGT, b, pdu_build(b, &c, "hello", 5, 1, 1));
	h_end(&h);
	f = find1(&h, "iscsi.digest_bad");
	assert_int_equal(f->frames[0], bad);
	assert_string_equal(ev(f, "kind")->s, "data");
	assert_string_equal(ev(f, "sender")->s, "initiator");
	snprintf(want, sizeof(want), "0x%08x", ref_crc32c((const uint8_t *)"jello\0\0\0", 8));
	assert_string_equal(ev(f, "should")->s, want);
	snprintf(want, sizeof(want), "0x%08x", ref_crc32c((const uint8_t *)"hello\0\0\0", 8));
	assert_string_equal(ev(f, "is")->s, want);
	f = find1(&h, "iscsi.login");
	/* no SessionType key: Normal is the default (RFC 7143 13.21) */
	assert_string_equal(ev(f, "session_type")->s, "normal");
	assert_true(ev(f, "header_digest")->v.b);
	assert_true(ev(f, "data_digest")->v.b);
	assert_string_equal(ev(f, "framing")->s, "ok");
	assert_int_equal(count(&h, "iscsi.statsn_gap"), 0);
	h_free(&h);
}

/* A port a root path names is analysed; other ports are not. */
static void test_other_port(void **state)
{
	struct harness h;

	(void)state;
	h_init(&h, 3261);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.login"), 0);
	h_free(&h);
	h_init(&h, 3261);
	assert_int_equal(pd_iscsi_add_port(h_state(&h, "iscsi"), 3261), 0);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.login"), 1);
	h_free(&h);
}

/* ---- root paths from the DHCP analyzer (include/pktdoctor/bus.h) ---- */

/* A DHCPACK (RFC 2131) from 10.0.0.2:67 to 10.0.0.1:68 carrying @rootpath
 * as option 17 (RFC 2132 3.19); UDP checksum 0 (none, RFC 768). */
static void h_dhcp_ack(struct harness *h, const char *rootpath)
{
	static uint8_t f[600];
	uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8, *o = bp + 236;
	size_t rl = strlen(rootpath), olen, ulen;
	struct pd_frame fr;

	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	bp[0] = 2;                      /* op BOOTREPLY */
	bp[1] = 1;                      /* htype Ethernet */
	bp[2] = 6;                      /* hlen */
	pd_test_be32(bp + 4, 0x1234);           /* xid */
	memcpy(bp + 16, "\x0a\0\0\x01", 4); /* yiaddr */
	memcpy(bp + 28, "\x02\0\0\0\0\x01", 6); /* chaddr */
	memcpy(o, "\x63\x82\x53\x63", 4); /* magic cookie */
	o += 4;
	memcpy(o, "\x35\x01\x05", 3);   /* option 53: DHCPACK */
	o += 3;
	memcpy(o, "\x36\x04\x0a\0\0\x02", 6); /* option 54: server identifier */
	o += 6;
	*o++ = 17;
	*o++ = (uint8_t)rl;
	memcpy(o, rootpath, rl);
	o += rl;
	*o++ = 255;
	olen = (size_t)(o - (bp + 236));
	ulen = 8 + 236 + olen;
	ip[0] = 0x45;
	pd_test_be16(ip + 2, (uint32_t)(20 + ulen));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\0\0\x02", 4);
	memcpy(ip + 16, "\x0a\0\0\x01", 4);
	pd_test_be16(ip + 10, (uint16_t)~pd_test_sum(ip, 20, 0));
	pd_test_be16(udp, 67);
	pd_test_be16(udp + 2, 68);
	pd_test_be16(udp + 4, (uint32_t)ulen);
	memset(&fr, 0, sizeof(fr));
	fr.data = f;
	fr.caplen = fr.wirelen = (uint32_t)(14 + 20 + ulen);
	h->ns += 1000000;
	fr.ts_ns = h->ns;
	fr.linktype = PD_LINKTYPE_EN10MB;
	h->frame++;
	assert_int_equal(pd_pipeline_feed(h->pipe, &fr), h->frame);
}

/* The port a DHCP root path names is followed: the DHCP analyzer parses
 * the root path once and publishes it; the iSCSI analyzer reads the port
 * from that.  A root path whose port is bad names no port. */
static void test_root_path_port(void **state)
{
	struct harness h;

	(void)state;
	h_init(&h, 3261);
	h_dhcp_ack(&h, "iscsi:10.0.0.2::3261:0:iqn.2024-01.test:disk");
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "dhcp.rootpath"), 1);
	assert_int_equal(count(&h, "iscsi.login"), 1);
	assert_int_equal(h.a.iscsi->n, 1);
	assert_int_equal(h.a.iscsi->v[0].port[1], 3261);
	h_free(&h);

	h_init(&h, 3261);
	h_dhcp_ack(&h, "iscsi:10.0.0.2::99999:0:iqn.2024-01.test:disk");
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "dhcp.rootpath_invalid"), 1);
	assert_int_equal(count(&h, "iscsi.login"), 0);
	h_free(&h);
}

static unsigned bus_calls[2];

static void bus_count0(void *arg, struct pd_analysis *a, const struct pd_bus_event *ev)
{
	(void)a;
	assert_int_equal(ev->type, PD_BUS_ROOT_PATH);
	assert_ptr_equal(arg, &bus_calls[0]);
	bus_calls[0]++;
}

static void bus_count1(void *arg, struct pd_analysis *a, const struct pd_bus_event *ev)
{
	(void)a;
	(void)ev;
	(void)arg;
	assert_int_equal(bus_calls[0], bus_calls[1] + 1); /* in order of subscription */
	bus_calls[1]++;
}

/* The bus itself: delivery to every subscriber of the type while a
 * pipeline runs, bounds, and a root path event from anyone. */
static void test_bus(void **state)
{
	struct harness h;
	struct pd_rootpath rp;
	struct pd_bus_event ev;
	const char *text = "iscsi:10.0.0.2::3262:0:iqn.2024-01.test:disk";

	(void)state;
	h_init(&h, 3262);
	memset(bus_calls, 0, sizeof(bus_calls));
	assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS_ROOT_PATH, bus_count0, &bus_calls[0]), 0);
	assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS_ROOT_PATH, bus_count1, 0), 0);
	assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS__COUNT, bus_count1, 0), -PD_EUSAGE);
	assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS_ROOT_PATH, 0, 0), -PD_EUSAGE);
	memset(&ev, 0, sizeof(ev));
	ev.type = PD_BUS_ROOT_PATH;
	ev.u.root_path.text = text;
	ev.u.root_path.len = strlen(text);
	ev.u.root_path.option = 17;
	ev.u.root_path.rc = pd_rootpath_parse(text, strlen(text), &rp);
	ev.u.root_path.rp = &rp;
	assert_int_equal(ev.u.root_path.rc, 0);
	pd_bus_publish(&h.a, &ev);
	assert_int_equal(bus_calls[0], 1);
	assert_int_equal(bus_calls[1], 1);
	/* the iSCSI analyzer, a subscriber too, now follows port 3262 */
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.login"), 1);
	/* the table is bounded */
	while (h.a.bus.n < PD_BUS_MAX_SUBS)
		assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS_ROOT_PATH, bus_count0,
						  &bus_calls[0]), 0);
	assert_int_equal(pd_bus_subscribe(&h.a, PD_BUS_ROOT_PATH, bus_count0, &bus_calls[0]),
			 -PD_ELIMIT);
	h_free(&h);
	/* no pipeline, no delivery (the subscribers' states are gone) */
	pd_bus_publish(&h.a, &ev);
	assert_int_equal(bus_calls[0], 1);
}

/* The timeout-then-reset case of test_timeout, but the initiator logs in
 * again from the same port (boot firmware after a reboot; the TCP stream
 * layer sees the 5-tuple reused, and iSCSI starts a new connection record
 * in the same flow): it reconnected all the same. */
static void test_timeout_reconnect_same_port(void **state)
{
	struct harness h;
	struct pdu c;
	uint8_t b[256];
	const struct pd_finding *f;

	(void)state;
	h_init(&h, 3260);
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	scsi_cmd(&c, 0x40, 1, lun0, 0x28);
	h_seg(&h, INI, b, pdu_build(b, &c, 0, 0, 0, 0));
	h.ns += 15LL * 1000000000LL;
	h_seg_at(&h, INI, h.seq[INI], 0, 0, 0x14); /* RST/ACK */
	h.seq[INI] = 7000;                         /* same port, a new ISN */
	h.seq[TGT] = 900000;
	do_login(&h, ini_keys, sizeof(ini_keys) - 1, tgt_keys, sizeof(tgt_keys) - 1, 0);
	uint64_t relogin = h.last_frame - 1; /* the new Login Request */
	h_end(&h);
	assert_int_equal(count(&h, "iscsi.login"), 2);
	assert_int_equal(h.a.iscsi->n, 2);
	f = find1(&h, "iscsi.timeout");
	assert_true(ev(f, "reconnected")->v.b);
	assert_int_equal(ev(f, "reconnect_frame")->v.u, relogin);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_rfc_vectors),
		cmocka_unit_test(test_crc32c_wire_order),
		cmocka_unit_test(test_crc32c_incremental),
		cmocka_unit_test(test_text_parse),
		cmocka_unit_test(test_negotiate_list),
		cmocka_unit_test(test_negotiate_numeric),
		cmocka_unit_test(test_negotiate_boolean),
		cmocka_unit_test(test_lun_decode),
		cmocka_unit_test(test_bhs_login),
		cmocka_unit_test(test_bhs_scsi_command),
		cmocka_unit_test(test_bhs_data_in_r2t),
		cmocka_unit_test(test_bhs_nop),
		cmocka_unit_test(test_bhs_truncated),
		cmocka_unit_test(test_reassembly_login_split),
		cmocka_unit_test(test_reassembly_retransmission),
		cmocka_unit_test(test_reassembly_gap),
		cmocka_unit_test(test_login_failed),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_negotiation_invalid),
		cmocka_unit_test(test_burst_order),
		cmocka_unit_test(test_mrdsl_exceeded),
		cmocka_unit_test(test_mrdsl_login_default),
		cmocka_unit_test(test_cmdsn_window),
		cmocka_unit_test(test_statsn_gap),
		cmocka_unit_test(test_lun_255),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_on_tick),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_other_port),
		cmocka_unit_test(test_root_path_port),
		cmocka_unit_test(test_bus),
		cmocka_unit_test(test_timeout_reconnect_same_port),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
