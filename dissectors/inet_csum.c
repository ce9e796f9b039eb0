/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inet_csum.c - checksum verdicts for transport headers that cover an IP
 * pseudo-header (TCP RFC 9293 3.1, UDP RFC 768, ICMPv6 RFC 4443 2.3 with
 * the RFC 8200 8.1 IPv6 pseudo-header) and for ICMP (RFC 792), which
 * covers only its own message.
 *
 * A transmitting Linux host with checksum offload (CHECKSUM_PARTIAL)
 * leaves the folded pseudo-header sum, with the L4 length, in the field;
 * Windows LSO leaves the sum with length 0.  Both are "partial".
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

/*
 * Folded pseudo-header sum for @len (0 gives the LSO form).  The length
 * is added as a 32-bit quantity for IPv4 too: a BIG TCP super-segment
 * (IPv4 total length 0) is longer than 65535, and Linux sums the whole
 * length (csum_tcpudp_magic takes a 32-bit length).
 */
static uint16_t pseudo_sum(const struct pd_ip *ip, uint8_t proto, uint32_t len)
{
	uint8_t ph[40];
	struct pd_csum_buf b[1];
	uint16_t sum;
	/* RFC 6275 6.3: with a Home Address option, the pseudo-header
	 * source is the home address, not the care-of address in the IPv6
	 * header */
	const struct pd_addr *src = ip->pseudo_src.family ? &ip->pseudo_src : &ip->src;

	if (ip->version == 4) {
		/* src(4) dst(4) zero(1) proto(1) length(2, added below) */
		memcpy(ph, src->a, 4);
		memcpy(ph + 4, ip->pseudo_dst.a, 4);
		ph[8] = 0;
		ph[9] = proto;
		b[0].data = ph;
		b[0].len = 10;
		sum = pd_csum_sum(b, 1);
		sum = pd_csum_add16(sum, (uint16_t)(len & 0xffff));
		return pd_csum_add16(sum, (uint16_t)(len >> 16));
	}
	/* src(16) dst(16) length(4) zero(3) next header(1) */
	memcpy(ph, src->a, 16);
	memcpy(ph + 16, ip->pseudo_dst.a, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	b[0].data = ph;
	b[0].len = 40;
	return pd_csum_sum(b, 1);
}

void pd_l4_checksum(const struct pd_packet *p, const struct pd_cursor *c,
		    size_t field_off, uint8_t proto, uint32_t l4_len,
		    struct pd_csum *out)
{
	const struct pd_ip *ip = &p->ip;
	struct pd_csum_buf b;
	uint16_t field = pd_cur_peek_be16_at(c, field_off);
	uint16_t data_sum, sum_all, ps_len = 0, ps_zero = 0;

	out->is = field;
	out->should = 0;
	out->form = PD_PARTIAL_NONE;
	if (ip->is_fragment) {
		/* the checksum covers the reassembled datagram */
		out->verdict = PD_CSUM_NONE;
		return;
	}
	if (c->cap < c->wire) {
		out->verdict = PD_CSUM_UNVERIFIABLE;
		return;
	}
	b.data = c->base;
	b.len = c->cap;
	data_sum = pd_csum_sum(&b, 1);
	if (proto) {
		ps_len = pseudo_sum(ip, proto, l4_len);
		ps_zero = pseudo_sum(ip, proto, 0);
		sum_all = pd_csum_add16(data_sum, ps_len);
	} else {
		sum_all = data_sum;
	}
	pd_csum_judge(sum_all, field, ps_len, ps_zero, proto != 0, out);
}
