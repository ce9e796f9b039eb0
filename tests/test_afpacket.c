/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_afpacket.c - unit tests for the AF_PACKET backend's pure parts
 * (src/sources/live.h) and the live-open errors that need no privilege:
 *   - tp_status + sll_pkttype -> pcapng epb_flags (direction in bits 0-1,
 *     checksum not ready / valid / TSO in bits 9-11);
 *   - 802.1Q reinsertion from tp_vlan_tci/tp_vlan_tpid into a buffer
 *     (this kernel has no 802.1Q devices, so it is tested here), also
 *     with a too short frame and a too small buffer;
 *   - ARPHRD -> link type and the LINUX_SLL cooked header;
 *   - opening a missing interface, a missing namespace or a bad name
 *     fails with -PD_EOPEN / -PD_EUSAGE and a message naming it;
 *   - the wait used by both live backends.
 *
 * Expected values come from linux/if_packet.h (TP_STATUS_CSUMNOTREADY
 * 1<<3, TP_STATUS_CSUM_VALID 1<<7, TP_STATUS_GSO_TCP 1<<8; PACKET_HOST 0,
 * PACKET_OUTGOING 4) and IEEE 802.1Q (TPID after the MAC addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../src/sources/live.h"
#include "pktdoctor/error.h"
#include "pktdoctor/netns.h"
#include "pktdoctor/source.h"

#define ST_CSUMNOTREADY (1u << 3)
#define ST_VLAN_VALID (1u << 4)
#define ST_CSUM_VALID (1u << 7)
#define ST_GSO_TCP (1u << 8)
#define ST_USER 1u

/* Outbound with TX checksum offload: the capturing host's NIC completes
 * the checksum, so "not ready" + outbound. */
static void flags_outgoing_partial(void **state)
{
	(void)state;
	assert_int_equal(pd_afpacket_epb_flags(ST_USER | ST_CSUMNOTREADY, 4),
			 PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY);
	assert_int_equal(pd_afpacket_epb_flags(ST_USER | ST_CSUMNOTREADY | ST_GSO_TCP, 4),
			 PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY | PD_EPB_TSO);
	assert_int_equal(PD_EPB_DIR_OUT | PD_EPB_CSUM_NOT_READY, 0x202u);
}

/* Inbound: host, broadcast, multicast and other-host are all "in";
 * a GRO packet is inbound + TSO; a verified checksum is "valid". */
static void flags_incoming(void **state)
{
	(void)state;
	for (unsigned t = 0; t <= 3; t++)
		assert_int_equal(pd_afpacket_epb_flags(ST_USER, t), PD_EPB_DIR_IN);
	assert_int_equal(pd_afpacket_epb_flags(ST_USER | ST_CSUM_VALID | ST_GSO_TCP, 0),
			 PD_EPB_DIR_IN | PD_EPB_CSUM_VALID | PD_EPB_TSO);
	assert_int_equal(pd_afpacket_epb_flags(ST_USER | ST_CSUMNOTREADY, 0),
			 PD_EPB_DIR_IN | PD_EPB_CSUM_NOT_READY);
	assert_int_equal(PD_EPB_DIR_IN | PD_EPB_CSUM_VALID | PD_EPB_TSO, 0xc01u);
}

/* Bits that are not offload bits (VLAN, user, losing) map to nothing;
 * an unknown packet type leaves the direction unknown. */
static void flags_other_bits(void **state)
{
	(void)state;
	assert_int_equal(pd_afpacket_epb_flags(ST_USER | ST_VLAN_VALID | (1u << 2) | (1u << 6),
					       0),
			 PD_EPB_DIR_IN);
	assert_int_equal(pd_afpacket_epb_flags(0, 5), 0);
	assert_int_equal(pd_afpacket_epb_flags(ST_CSUM_VALID, 7), PD_EPB_CSUM_VALID);
}

/* An untagged ARP frame (dst ff.., src 02:..:01, type 0806, 4 payload
 * bytes) gets the tag back after the addresses. */
static const uint8_t untagged[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0xde, 0xad, 0xbe, 0xef,
};

static void vlan_insert_8021q(void **state)
{
	uint8_t *dst = malloc(64);
	const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x81, 0x00, 0xa0, 0x64, /* TPID 0x8100, PCP 5, VID 100 */
		0x08, 0x06, 0xde, 0xad, 0xbe, 0xef,
	};

	(void)state;
	assert_non_null(dst);
	assert_int_equal(pd_afpacket_vlan_insert(dst, 64, untagged, sizeof(untagged), 0xa064,
						 0x8100),
			 sizeof(want));
	assert_memory_equal(dst, want, sizeof(want));
	free(dst);
}

/* 802.1ad outer tag (TPID 0x88a8 from tp_vlan_tpid) and a priority tag
 * (VID 0) are put back as given. */
static void vlan_insert_qinq_and_priority(void **state)
{
	uint8_t dst[32];

	(void)state;
	assert_int_equal(pd_afpacket_vlan_insert(dst, sizeof(dst), untagged, sizeof(untagged),
						 0x0fff, 0x88a8),
			 sizeof(untagged) + 4);
	assert_int_equal(dst[12], 0x88);
	assert_int_equal(dst[13], 0xa8);
	assert_int_equal(dst[14], 0x0f);
	assert_int_equal(dst[15], 0xff);
	assert_int_equal(dst[16], 0x08);
	assert_int_equal(dst[17], 0x06);
	assert_int_equal(pd_afpacket_vlan_insert(dst, sizeof(dst), untagged, sizeof(untagged),
						 0x6000, 0x8100),
			 sizeof(untagged) + 4);
	assert_int_equal(dst[14], 0x60);
	assert_int_equal(dst[15], 0x00);
}

/* Too short for the MAC addresses, or no room: 0, nothing written past
 * the buffer (ASan checks the exact-size heap buffers). */
static void vlan_insert_bounds(void **state)
{
	uint8_t *small = malloc(16), *cut = malloc(20);

	(void)state;
	assert_non_null(small);
	assert_non_null(cut);
	assert_int_equal(pd_afpacket_vlan_insert(small, 16, untagged, 11, 1, 0x8100), 0);
	assert_int_equal(pd_afpacket_vlan_insert(small, 15, untagged, sizeof(untagged), 1,
						 0x8100),
			 0);
	/* exactly the addresses + tag: the frame's type field is cut */
	assert_int_equal(pd_afpacket_vlan_insert(small, 16, untagged, sizeof(untagged), 1,
						 0x8100),
			 16);
	assert_int_equal(small[15], 0x01);
	/* 20 bytes: 12 + 4 + 4 of the 6 remaining */
	assert_int_equal(pd_afpacket_vlan_insert(cut, 20, untagged, sizeof(untagged), 1,
						 0x8100),
			 20);
	assert_int_equal(cut[16], 0x08);
	assert_int_equal(cut[19], 0xad);
	/* a frame of only the addresses gets the tag and nothing else */
	assert_int_equal(pd_afpacket_vlan_insert(cut, 20, untagged, 12, 2, 0x8100), 16);
	free(small);
	free(cut);
}

static void linktypes(void **state)
{
	(void)state;
	assert_int_equal(pd_afpacket_linktype(1), 1);     /* ARPHRD_ETHER -> EN10MB */
	assert_int_equal(pd_afpacket_linktype(772), 1);   /* ARPHRD_LOOPBACK -> EN10MB */
	assert_int_equal(pd_afpacket_linktype(65534), 113); /* ARPHRD_NONE (tun) -> SLL */
	assert_int_equal(pd_afpacket_linktype(768), 113); /* ARPHRD_TUNNEL -> SLL */
}

/* The cooked header: outgoing (4), ARPHRD_ETHER, 6-byte address,
 * protocol 0x0800 given in network byte order. */
static void sll_header(void **state)
{
	const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	const uint8_t proto_be[2] = {0x08, 0x00};
	const uint8_t want[16] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x11,
				  0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x08, 0x00};
	uint8_t h[16];
	uint16_t p;

	(void)state;
	memcpy(&p, proto_be, 2);
	pd_afpacket_sll_header(h, 4, 1, mac, 6, p);
	assert_memory_equal(h, want, 16);
	/* an address longer than 8 bytes keeps its first 8 */
	pd_afpacket_sll_header(h, 0, 65534, (const uint8_t *)"ABCDEFGHIJ", 10, p);
	assert_int_equal(h[5], 10);
	assert_memory_equal(h + 6, "ABCDEFGH", 8);
	assert_int_equal(h[14], 0x08);
}

/* Opening errors a user meets first, without any privilege: the message
 * names what is missing. */
static void open_errors(void **state)
{
	struct pd_live_opts o;
	struct pd_source *s = (struct pd_source *)&o; /* must be reset to NULL */
	char err[512];
	int rc;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.iface = "pdl-nosuch0";
	for (int b = PD_LIVE_AUTO; b <= PD_LIVE_AFPACKET; b++) {
		o.backend = b;
		err[0] = 0;
		rc = pd_source_open_live(&s, &o, err, sizeof(err));
		assert_int_equal(rc, -PD_EOPEN);
		assert_null(s);
		assert_non_null(strstr(err, "no such interface: pdl-nosuch0"));
	}
	o.backend = PD_LIVE_AUTO;
	o.netns = "pdl-nosuch-ns";
	rc = pd_source_open_live(&s, &o, err, sizeof(err));
	assert_int_equal(rc, -PD_EOPEN);
	assert_non_null(strstr(err, "no such network namespace: pdl-nosuch-ns"));
	o.netns = "../etc";
	assert_int_equal(pd_source_open_live(&s, &o, err, sizeof(err)), -PD_EUSAGE);
	o.netns = 0;
	o.iface = "a-name-longer-than-15";
	assert_int_equal(pd_source_open_live(&s, &o, err, sizeof(err)), -PD_EUSAGE);
	assert_non_null(strstr(err, "not an interface name"));
	o.iface = "";
	assert_int_equal(pd_source_open_live(&s, &o, err, sizeof(err)), -PD_EUSAGE);
}

/* pd_live_wait(): nothing to read times out (0), data is 1, a negative
 * timeout does not wait, a hung-up descriptor is an error. */
static void live_wait(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pd_live_wait(p[0], 10), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(pd_live_wait(p[0], 1000), 1);
	assert_int_equal(pd_live_wait(p[0], -1), 0);
	close(p[1]);
	assert_int_equal(pd_live_wait(p[0], 10), 1); /* the byte is still there */
	{
		char c;

		assert_int_equal(read(p[0], &c, 1), 1);
	}
	assert_true(pd_live_wait(p[0], 10) < 0); /* writer gone: POLLHUP */
	close(p[0]);
}

/* Entering no namespace is a no-op that leaves nothing to undo. */
static void netns_none(void **state)
{
	struct pd_netns_saved sv;
	char err[128];

	(void)state;
	assert_int_equal(pd_netns_enter(0, &sv, err, sizeof(err)), 0);
	assert_int_equal(sv.fd, -1);
	assert_int_equal(pd_netns_leave(&sv), 0);
	assert_int_equal(pd_netns_enter("", &sv, err, sizeof(err)), 0);
	assert_int_equal(pd_netns_leave(&sv), 0);
	/* by descriptor (the prober's way): none is a no-op as well */
	assert_int_equal(pd_netns_enter_fd(-1, "", &sv, err, sizeof(err)), 0);
	assert_int_equal(sv.fd, -1);
	assert_int_equal(pd_netns_leave(&sv), 0);
}

/* Opening a namespace by name: nothing for none, the name and where to
 * look for a missing one, a refusal for names that are paths. */
static void netns_open_errors(void **state)
{
	char err[256];
	int fd = 7;

	(void)state;
	assert_int_equal(pd_netns_open(0, &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(pd_netns_open("", &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(pd_netns_open("pdsf-nosuch-ns", &fd, err, sizeof(err)), -PD_EOPEN);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err, "no such network namespace: pdsf-nosuch-ns"));
	assert_non_null(strstr(err, "ip netns list"));
	for (int k = 0; k < 3; k++) {
		static const char *const bad[] = {"a/b", ".", ".."};

		assert_int_equal(pd_netns_open(bad[k], &fd, err, sizeof(err)), -PD_EUSAGE);
		assert_int_equal(fd, -1);
		assert_non_null(strstr(err, "not a namespace name"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flags_outgoing_partial),
		cmocka_unit_test(flags_incoming),
		cmocka_unit_test(flags_other_bits),
		cmocka_unit_test(vlan_insert_8021q),
		cmocka_unit_test(vlan_insert_qinq_and_priority),
		cmocka_unit_test(vlan_insert_bounds),
		cmocka_unit_test(linktypes),
		cmocka_unit_test(sll_header),
		cmocka_unit_test(open_errors),
		cmocka_unit_test(netns_none),
		cmocka_unit_test(netns_open_errors),
		cmocka_unit_test(live_wait),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
