/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.c - TCP header (RFC 9293 3.1) and options: MSS (RFC 9293 3.2),
 * window scale and timestamps (RFC 7323), SACK-permitted and SACK
 * (RFC 2018).  The option loop checks truncated, too short and too long
 * (iPXE tcp_rx_opts is the model).
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TS 8

/* Decode options from @o; return 0 or -PD_E... on a bad option. */
static int tcp_options(struct pd_tcp *t, struct pd_cursor *o)
{
	while (pd_cur_remaining(o) > 0) {
		uint8_t kind = pd_cur_u8(o);
		uint8_t len;
		struct pd_cursor v;

		if (kind == TCPOPT_EOL)
			return 0;
		if (kind == TCPOPT_NOP)
			continue;
		if (!pd_cur_has(o, 1))
			return -PD_ETRUNC;            /* truncated */
		len = pd_cur_u8(o);
		if (len < 2)
			return -PD_EMALFORMED;        /* too short */
		if ((size_t)(len - 2) > pd_cur_remaining(o))
			return -PD_EMALFORMED;        /* too long */
		pd_cur_sub(o, (size_t)(len - 2), &v);
		switch (kind) {
		case TCPOPT_MSS:
			if (len != 4)
				return -PD_EMALFORMED;
			t->mss = pd_cur_be16(&v);
			break;
		case TCPOPT_WSCALE:
			if (len != 3)
				return -PD_EMALFORMED;
			t->wscale = (int8_t)(pd_cur_u8(&v) & 0x7f);
			break;
		case TCPOPT_SACK_PERM:
			if (len != 2)
				return -PD_EMALFORMED;
			t->sack_permitted = true;
			break;
		case TCPOPT_SACK:
			if ((len - 2) % 8 != 0)
				return -PD_EMALFORMED;
			while (pd_cur_remaining(&v) >= 8) {
				uint32_t l = pd_cur_be32(&v), r = pd_cur_be32(&v);

				if (t->sack_count < PD_MAX_SACK) {
					t->sack_left[t->sack_count] = l;
					t->sack_right[t->sack_count] = r;
					t->sack_count++;
				}
			}
			break;
		case TCPOPT_TS:
			if (len != 10)
				return -PD_EMALFORMED;
			t->ts_val = pd_cur_be32(&v);
			t->ts_ecr = pd_cur_be32(&v);
			t->has_ts = true;
			break;
		default:
			break;
		}
	}
	return 0;
}

int pd_dissect_tcp(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_tcp *t = &p->tcp;
	struct pd_cursor hdr, opts, pay, o;
	size_t start = c->off, doff, l4_wire = pd_cur_wire_remaining(c);
	uint8_t b12;

	if (!pd_cur_has(c, 20)) {
		pd_dissect_event_at(p, c, PD_EV_TCP_TRUNC, 1);
		return 0;
	}
	t->sport = pd_cur_be16(c);
	t->dport = pd_cur_be16(c);
	t->seq = pd_cur_be32(c);
	t->ack = pd_cur_be32(c);
	b12 = pd_cur_u8(c);
	t->flags = pd_cur_u8(c);
	t->window = pd_cur_be16(c);
	p->layers |= PD_L_TCP;
	doff = (size_t)(b12 >> 4) * 4;
	t->csum.is = pd_cur_peek_be16_at(c, start + 16);
	if (doff < 20 || doff > l4_wire) {
		c->off = start;
		pd_dissect_event_at(p, c, PD_EV_TCP_BAD_DOFF, 1);
		return 0;
	}
	t->hdr_len = (uint8_t)doff;
	t->payload_len = (uint32_t)(l4_wire - doff);

	c->off = start;
	{
		struct pd_cursor seg;

		pd_cur_rest(c, &seg);
		pd_l4_checksum(p, &seg, 16, 6, (uint32_t)l4_wire, &t->csum);
	}
	if (!pd_cur_sub(c, doff, &hdr)) {
		pd_dissect_event_at(p, c, PD_EV_TCP_TRUNC, 1);
		return 0;
	}
	if (doff > 20) {
		opts = hdr;
		opts.off = 20;
		pd_cur_rest(&opts, &o);
		if (tcp_options(t, &o) != 0)
			pd_dissect_event_at(p, &hdr, PD_EV_TCP_OPT_BAD, 0);
	}
	pd_cur_rest(c, &pay);
	p->payload = pd_cur_ptr(&pay);
	p->payload_caplen = (uint32_t)pay.cap;
	return 0;
}
