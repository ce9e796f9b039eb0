/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_monitor.c - unit tests of the monitor's parts that need no
 * terminal: the display filter (what is valid, what matches), splitting
 * a finding's flow into the event stream's fields, matching packets to a
 * finding's flow, the key table, and the findings model (an update
 * replaces its row; the table is bounded and counts what it drops).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "../src/ui/ui.h"
#include "pktdoctor/eve.h"

static void filter_valid_and_invalid(void **state)
{
	struct pd_ui_filter f;

	(void)state;
	assert_int_equal(pd_ui_filter_parse(&f, ""), 0);
	assert_true(f.valid);
	assert_int_equal(f.n, 0);
	assert_int_equal(pd_ui_filter_parse(&f, "port:3260 host:10.0.0.5 id:tcp. sev:warning"), 0);
	assert_int_equal(f.n, 4);
	assert_int_equal(pd_ui_filter_parse(&f, "host:fe80::1 blackhole"), 0);
	/* each invalid form is refused with a reason */
	assert_int_not_equal(pd_ui_filter_parse(&f, "port:99999"), 0);
	assert_false(f.valid);
	assert_non_null(strstr(f.error, "1-65535"));
	assert_int_not_equal(pd_ui_filter_parse(&f, "port:0"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "port:80x"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "host:10.0.0.300"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "sev:fatal"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "id:TCP"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "proto:tcp"), 0);
	assert_non_null(strstr(f.error, "unknown field"));
	assert_int_not_equal(pd_ui_filter_parse(&f, "port:"), 0);
	assert_int_not_equal(pd_ui_filter_parse(&f, "a b c d e f g h i"), 0); /* 9 terms */
}

static void filter_match(void **state)
{
	struct pd_ui_filter f;
	struct pd_ui_row r;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "error + tcp.oversize_blackhole 2 segments");
	snprintf(r.match, sizeof(r.match), "TCP 10.78.3.1:48854 -> 10.78.3.2:3260");
	snprintf(r.addr[0], sizeof(r.addr[0]), "10.78.3.1");
	snprintf(r.addr[1], sizeof(r.addr[1]), "10.78.3.2");
	r.port[0] = 48854;
	r.port[1] = 3260;
	r.id = "tcp.oversize_blackhole";
	r.sev = 2;
	pd_ui_filter_parse(&f, "port:3260");
	assert_true(pd_ui_filter_match(&f, &r));
	pd_ui_filter_parse(&f, "port:3261");
	assert_false(pd_ui_filter_match(&f, &r));
	pd_ui_filter_parse(&f, "host:10.78.3.2 id:tcp.over sev:warning");
	assert_true(pd_ui_filter_match(&f, &r));
	pd_ui_filter_parse(&f, "id:dhcp");
	assert_false(pd_ui_filter_match(&f, &r));
	pd_ui_filter_parse(&f, "BLACKHOLE");     /* words: case-insensitive, in the text */
	assert_true(pd_ui_filter_match(&f, &r));
	pd_ui_filter_parse(&f, "48854");         /* or in the flow */
	assert_true(pd_ui_filter_match(&f, &r));
	r.sev = 0;
	pd_ui_filter_parse(&f, "sev:warning");
	assert_false(pd_ui_filter_match(&f, &r));
	/* an invalid filter hides nothing */
	pd_ui_filter_parse(&f, "port:99999");
	assert_true(pd_ui_filter_match(&f, &r));
}

static void parse_flow(void **state)
{
	char proto[16], src[64], dst[64];
	uint16_t sp, dp;

	(void)state;
	pd_eve_parse_flow("TCP 10.0.0.1:80 -> 10.0.0.2:5000 vlan 7", proto, sizeof(proto), src,
			  sizeof(src), &sp, dst, sizeof(dst), &dp);
	assert_string_equal(proto, "TCP");
	assert_string_equal(src, "10.0.0.1");
	assert_int_equal(sp, 80);
	assert_string_equal(dst, "10.0.0.2");
	assert_int_equal(dp, 5000);
	pd_eve_parse_flow("UDP [2001:db8::1]:547 -> [ff02::1:2]:546", proto, sizeof(proto), src,
			  sizeof(src), &sp, dst, sizeof(dst), &dp);
	assert_string_equal(src, "2001:db8::1");
	assert_int_equal(sp, 547);
	assert_string_equal(dst, "ff02::1:2");
	assert_int_equal(dp, 546);
	pd_eve_parse_flow("host 10.79.0.50", proto, sizeof(proto), src, sizeof(src), &sp, dst,
			  sizeof(dst), &dp);
	assert_string_equal(proto, "");
	assert_string_equal(src, "10.79.0.50");
	assert_string_equal(dst, "");
	pd_eve_parse_flow("ICMP 10.0.0.1 -> 10.0.0.2", proto, sizeof(proto), src, sizeof(src), &sp,
			  dst, sizeof(dst), &dp);
	assert_string_equal(proto, "ICMP");
	assert_string_equal(dst, "10.0.0.2");
	assert_int_equal(sp, 0);
	pd_eve_parse_flow("", proto, sizeof(proto), src, sizeof(src), &sp, dst, sizeof(dst), &dp);
	assert_string_equal(src, "");
}

static void packet_in_flow(void **state)
{
	struct pd_ui_pkt k;

	(void)state;
	memset(&k, 0, sizeof(k));
	snprintf(k.src, sizeof(k.src), "10.78.3.2");
	snprintf(k.dst, sizeof(k.dst), "10.78.3.1");
	k.sport = 3260;
	k.dport = 48854;
	/* either direction of the finding's flow */
	assert_true(pd_ui_pkt_in_flow(&k, "TCP 10.78.3.1:48854 -> 10.78.3.2:3260"));
	assert_false(pd_ui_pkt_in_flow(&k, "TCP 10.78.3.1:48868 -> 10.78.3.2:3260"));
	assert_true(pd_ui_pkt_in_flow(&k, "host 10.78.3.1"));
	assert_false(pd_ui_pkt_in_flow(&k, "host 10.78.3.9"));
	assert_false(pd_ui_pkt_in_flow(&k, ""));
}

static void key_table(void **state)
{
	(void)state;
	assert_int_equal(pd_ui_key_action('q'), PD_ACT_QUIT);
	assert_int_equal(pd_ui_key_action(KEY_F(10)), PD_ACT_QUIT);
	assert_int_equal(pd_ui_key_action('\t'), PD_ACT_NEXT_PANE);
	assert_int_equal(pd_ui_key_action('p'), PD_ACT_PAUSE);
	assert_int_equal(pd_ui_key_action(KEY_END), PD_ACT_END);
	assert_int_equal(pd_ui_key_action('/'), PD_ACT_FILTER);
	assert_int_equal(pd_ui_key_action('\r'), PD_ACT_DETAIL);
	assert_int_equal(pd_ui_key_action('Z'), PD_ACT_NONE);
	/* one action per key, and every key documented */
	for (size_t i = 0; i < pd_ui_nkeys; i++) {
		assert_non_null(pd_ui_keys[i].help);
		assert_true(strlen(pd_ui_keys[i].help) > 0);
		for (size_t j = i + 1; j < pd_ui_nkeys; j++)
			assert_int_not_equal(pd_ui_keys[i].key, pd_ui_keys[j].key);
	}
}

static void model_updates_in_place(void **state)
{
	struct pd_ui_model m;
	struct pd_finding f;

	(void)state;
	assert_int_equal(pd_ui_model_init(&m), 0);
	pd_finding_init(&f, "tcp.retransmission_storm", PD_SEV_ERROR);
	f.key = 1;
	pd_finding_ev_u64(&f, "copies", 4);
	pd_ui_model_finding(&m, &f, 0);
	f.evidence[0].v.u = 9;
	pd_ui_model_finding(&m, &f, 1);
	assert_int_equal(m.fn, 1);
	assert_int_equal(pd_ui_model_find(&m, 1)->updates, 1);
	assert_int_equal(pd_ui_model_find(&m, 1)->f.evidence[0].v.u, 9);
	/* bounded: past PD_UI_MAX_FINDINGS distinct findings, they are counted */
	for (uint64_t k = 2; k <= PD_UI_MAX_FINDINGS + 5; k++) {
		f.key = k;
		pd_ui_model_finding(&m, &f, 0);
	}
	assert_int_equal(m.fn, PD_UI_MAX_FINDINGS);
	assert_int_equal(m.findings_dropped, 5);
	pd_ui_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter_valid_and_invalid),
		cmocka_unit_test(filter_match),
		cmocka_unit_test(parse_flow),
		cmocka_unit_test(packet_in_flow),
		cmocka_unit_test(key_table),
		cmocka_unit_test(model_updates_in_place),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
