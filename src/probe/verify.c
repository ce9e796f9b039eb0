/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify.c - every frame the prober builds is checked by pktdoctor's own
 * dissector and RFC 1071 routine before it may be sent: a case that asks
 * for a valid checksum must carry one, a case that asks for a wrong one
 * must carry exactly that, and fragments must reassemble to a datagram
 * whose checksum is right.  The builder (frame.c) uses libnet, whose
 * 1.1.6 release gets the 0xffff encoding wrong; this check is what makes
 * the suite's bytes trustworthy.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/cursor.h"
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"
#include "probe.h"

/* The verdict the case asks for on its L4 checksum. */
static int wanted_l4(const struct pd_probe_case *c)
{
	if (c->flags & PD_PF_GSO)
		return PD_CSUM_PARTIAL;
	switch (c->csum) {
	case PD_CS_WRONG:
		return PD_CSUM_BAD;
	case PD_CS_ZERO:
	case PD_CS_ZERO_COMPUTED_ZERO:
		/* "none" over IPv4 (RFC 768); wrong over IPv6 (RFC 8200 8.1) */
		return c->family == 4 ? PD_CSUM_ZERO : PD_CSUM_BAD;
	default:
		return PD_CSUM_VALID;
	}
}

static int check_pad(const struct pd_probe_case *c, const struct pd_packet *p, const uint8_t *f,
		     uint32_t len, char *err, size_t errlen)
{
	struct pd_cursor cur;
	size_t end = 14u + (p->eth.vlan_count ? 4u : 0u) + p->ip.total_len;

	if (c->pad == PD_PAD_NONE || end >= len)
		return 0;
	pd_cur_init(&cur, f, len, len);
	pd_cur_skip(&cur, end);
	while (pd_cur_remaining(&cur)) {
		uint8_t b = pd_cur_u8(&cur);

		if (b != (c->pad == PD_PAD_ZERO ? 0x00 : 0xa5)) {
			snprintf(err, errlen, "pad byte at %zu is 0x%02x", cur.off - 1, b);
			return -PD_EMALFORMED;
		}
	}
	return 0;
}

/* No malformation below the application: a probe's payload is a pattern,
 * not DHCP or syslog, and the application dissectors may say so. */
static bool headers_clean(const struct pd_packet *p)
{
	for (unsigned i = 0; i < p->n_events; i++)
		if (p->events[i].code != PD_EV_APP_MALFORMED &&
		    !pd_event_is_anomaly(p->events[i].code))
			return false;
	return true;
}

int pd_probe_verify(const struct pd_probe_case *c, const struct pd_probe_built *b, char *err,
		    size_t errlen)
{
	static struct pd_packet p;
	static uint8_t dgram[PD_PROBE_FRAME_MAX];
	uint32_t have = 0; /* reassembled bytes: highest end seen */
	bool got_first = false;
	int want = wanted_l4(c);

	for (unsigned i = 0; i < b->n; i++) {
		const uint8_t *f = b->frame[i];
		const struct pd_csum *cs;

		memset(&p, 0, sizeof(p));
		p.frame = i + 1;
		p.caplen = p.wirelen = b->len[i];
		p.linktype = PD_LINKTYPE_EN10MB;
		if (pd_dissect_frame(&p, f) != 0 || !headers_clean(&p)) {
			snprintf(err, errlen, "frame %u does not dissect cleanly (%s)", i + 1,
				 p.n_events ? pd_event_name(p.events[0].code) : "no IP layer");
			return -PD_EMALFORMED;
		}
		if (!(p.layers & (c->family == 4 ? PD_L_IPV4 : PD_L_IPV6))) {
			snprintf(err, errlen, "frame %u has no IPv%u layer", i + 1, c->family);
			return -PD_EMALFORMED;
		}
		if (c->family == 4) {
			int iw = (c->flags & PD_PF_IPCSUM_BAD) ? PD_CSUM_BAD : PD_CSUM_VALID;

			if (p.ip.hdr_csum.verdict != iw) {
				snprintf(err, errlen, "IPv4 header checksum is 0x%04x, should be "
					 "0x%04x (%s, the case wants %s)", p.ip.hdr_csum.is,
					 p.ip.hdr_csum.should,
					 pd_csum_verdict_name(p.ip.hdr_csum.verdict),
					 pd_csum_verdict_name(iw));
				return -PD_EMALFORMED;
			}
		}
		if (check_pad(c, &p, f, b->len[i], err, errlen))
			return -PD_EMALFORMED;
		if (p.ip.is_fragment) {
			struct pd_cursor cur;
			/* IPv6: the fixed header and the one fragment header */
			uint32_t hl = c->family == 6 ? 48u : p.ip.hdr_len;
			uint32_t n = p.ip.total_len - hl;

			if (p.ip.frag_off + n > sizeof(dgram)) {
				snprintf(err, errlen, "fragment beyond the datagram");
				return -PD_EMALFORMED;
			}
			pd_cur_init(&cur, f, b->len[i], b->len[i]);
			pd_cur_skip(&cur, 14u + hl);
			if (!pd_cur_copy(&cur, dgram + p.ip.frag_off, n)) {
				snprintf(err, errlen, "fragment %u is cut short", i + 1);
				return -PD_EMALFORMED;
			}
			if (p.ip.frag_off == 0)
				got_first = true;
			if (p.ip.frag_off + n > have)
				have = p.ip.frag_off + n;
			continue;
		}
		cs = c->proto == 17 ? &p.udp.csum : &p.tcp.csum;
		if (!(p.layers & (c->proto == 17 ? PD_L_UDP : PD_L_TCP))) {
			snprintf(err, errlen, "frame %u has no %s layer", i + 1,
				 c->proto == 17 ? "UDP" : "TCP");
			return -PD_EMALFORMED;
		}
		if (c->family == 6 && want == PD_CSUM_BAD && c->csum != PD_CS_WRONG) {
			/* IPv6 zero: the field must be 0x0000 (invalid whatever the sum) */
			if (cs->is != 0) {
				snprintf(err, errlen, "UDP checksum is 0x%04x, should be 0x0000 for "
					 "this case", cs->is);
				return -PD_EMALFORMED;
			}
			continue;
		}
		if (cs->verdict != want || (want == PD_CSUM_BAD && cs->is == cs->should)) {
			snprintf(err, errlen, "%s checksum is 0x%04x, should be 0x%04x: %s, the "
				 "case wants %s", c->proto == 17 ? "UDP" : "TCP", cs->is, cs->should,
				 pd_csum_verdict_name(cs->verdict), pd_csum_verdict_name(want));
			return -PD_EMALFORMED;
		}
		if (c->csum == PD_CS_FFFF_COMPUTED_ZERO && cs->is != 0xffff) {
			snprintf(err, errlen, "UDP checksum is 0x%04x, should be 0xffff "
				 "(a computed 0, RFC 768)", cs->is);
			return -PD_EMALFORMED;
		}
	}
	/* whole datagram from the fragments: its L4 checksum must be right */
	if (c->frag && c->frag != PD_FRAG_FIRST && c->frag != PD_FRAG_LAST) {
		uint8_t ph[40];
		struct pd_csum_buf bufs[2] = {{ph, 12}, {dgram, have}};

		if (!got_first || have != b->l4_len) {
			snprintf(err, errlen, "fragments reassemble to %u bytes, should be %u", have,
				 b->l4_len);
			return -PD_EMALFORMED;
		}
		if (c->family == 4) {
			memcpy(ph, p.ip.src.a, 4);
			memcpy(ph + 4, p.ip.dst.a, 4);
			ph[8] = 0;
			ph[9] = c->proto;
			ph[10] = (uint8_t)(have >> 8);
			ph[11] = (uint8_t)have;
		} else {
			memcpy(ph, p.ip.src.a, 16);
			memcpy(ph + 16, p.ip.dst.a, 16);
			ph[32] = (uint8_t)(have >> 24);
			ph[33] = (uint8_t)(have >> 16);
			ph[34] = (uint8_t)(have >> 8);
			ph[35] = (uint8_t)have;
			ph[36] = ph[37] = ph[38] = 0;
			ph[39] = c->proto;
			bufs[0].len = 40;
		}
		if (pd_csum_sum(bufs, 2) != 0xffff) {
			snprintf(err, errlen, "reassembled datagram: checksum 0x%04x, should be 0x%04x",
				 b->l4_csum, b->l4_csum_correct);
			return -PD_EMALFORMED;
		}
	}
	return 0;
}
