/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.c - BOOTP (RFC 951) and DHCPv4 (RFC 2131) over UDP ports 67/68:
 * the fixed header, the magic cookie, and the options (RFC 2132), which
 * are located in the frame as spans (first instance of each code), not
 * copied.  Option overload (option 52, RFC 2131 4.1) is followed: the
 * options carried in 'file' and then 'sname' are walked too.  Values are
 * only interpreted for option 53 (message type) and option 52; everything
 * else is left to the analyzers (src/analyzers/dhcp.c).
 *
 * Header (RFC 2131 2, 236 bytes before the options):
 *   op htype hlen hops | xid | secs flags | ciaddr | yiaddr | siaddr |
 *   giaddr | chaddr[16] | sname[64] | file[128] | cookie 99.130.83.99 | options
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

#define BOOTP_FIXED 236u       /* bytes before the magic cookie */
#define SNAME_OFF 44u
#define SNAME_LEN 64u
#define FILE_OFF 108u
#define FILE_LEN 128u
#define DHCP_COOKIE 0x63825363u /* 99.130.83.99 (RFC 2131 3) */

#define OPT_PAD 0
#define OPT_OVERLOAD 52
#define OPT_MSG_TYPE 53
#define OPT_END 255

/* Overload values (RFC 2132 9.3). */
#define OVERLOAD_FILE 1u
#define OVERLOAD_SNAME 2u

/* Position of cursor offset @at in the frame, as a span offset. */
static struct pd_span span_at(const struct pd_packet *p, const struct pd_cursor *c, size_t at,
			      size_t len)
{
	struct pd_span s;
	size_t off = (size_t)(c->base - p->frame_data) + at;

	s.off = (uint16_t)(off > 0xffff ? 0xffff : off);
	s.len = (uint16_t)(len > 0xffff ? 0xffff : len);
	return s;
}

/* A NUL-terminated string in a fixed field of @n bytes (sname, file):
 * the span of its bytes before the first NUL. */
static struct pd_span fixed_str(const struct pd_packet *p, struct pd_cursor *c, size_t n)
{
	size_t start = c->off, len = 0;
	bool nul = false;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = pd_cur_u8(c);

		if (b == 0)
			nul = true;
		if (!nul)
			len++;
	}
	return span_at(p, c, start, len);
}

/* Stop on an option that breaks the TLV walk: malformed when the bytes
 * are on the wire, nothing to say when snaplen cut them. */
static int opt_stop(struct pd_packet *p, const struct pd_cursor *c, size_t need)
{
	if (need <= pd_cur_wire_remaining(c))
		return -PD_ETRUNC;
	pd_dissect_event_at(p, c, PD_EV_APP_MALFORMED, 1);
	return -PD_EMALFORMED;
}

/*
 * Walk one options area (RFC 2132 2): code, length, value; pad (0) and
 * end (255) are one byte.  Checks, as iPXE's tcp_rx_opts does: the length
 * byte is there (truncated), the value fits (too long), and the options
 * whose value is read here have their fixed size (too short / too long).
 * Return: 0 at END or at the end of the area; -PD_EMALFORMED (event
 * recorded) or -PD_ETRUNC (snaplen) when the walk had to stop.
 */
static int walk_options(struct pd_packet *p, struct pd_cursor *c, uint8_t *overload)
{
	struct pd_dhcp *d = &p->dhcp;

	while (pd_cur_wire_remaining(c) > 0) {
		size_t at = c->off, len;
		uint8_t code;

		if (!pd_cur_has(c, 1))
			return -PD_ETRUNC; /* snaplen: more on the wire */
		code = pd_cur_u8(c);
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END) {
			if (!pd_dhcp_has(d, OPT_END)) {
				d->present[OPT_END >> 3] |= (uint8_t)(1u << (OPT_END & 7));
				d->opt[OPT_END] = span_at(p, c, at, 0);
			}
			return 0;
		}
		if (!pd_cur_has(c, 1)) {
			c->off = at;
			return opt_stop(p, c, 2);
		}
		len = pd_cur_u8(c);
		if (!pd_cur_has(c, len)) {
			c->off = at;
			return opt_stop(p, c, 2 + len);
		}
		if ((code == OPT_MSG_TYPE || code == OPT_OVERLOAD) && len != 1) {
			c->off = at;
			pd_dissect_event_at(p, c, PD_EV_APP_MALFORMED, 1);
			return -PD_EMALFORMED;
		}
		if (!pd_dhcp_has(d, code)) {
			d->present[code >> 3] |= (uint8_t)(1u << (code & 7));
			d->opt[code] = span_at(p, c, c->off, len);
			if (code == OPT_MSG_TYPE)
				d->msg_type = pd_cur_peek_u8(c);
			else if (code == OPT_OVERLOAD)
				*overload = pd_cur_peek_u8(c);
		}
		pd_cur_skip(c, len);
	}
	return 0;
}

int pd_dissect_dhcp(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_dhcp *d = &p->dhcp;
	struct pd_cursor hdr, field;
	size_t start = c->off;
	uint8_t overload = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!pd_cur_sub(c, BOOTP_FIXED, &hdr)) {
		c->off = start;
		if (pd_cur_wire_remaining(c) < BOOTP_FIXED)
			pd_dissect_event_at(p, c, PD_EV_APP_MALFORMED, 1);
		return 0;
	}
	d->op = pd_cur_u8(&hdr);
	d->htype = pd_cur_u8(&hdr);
	d->hlen = pd_cur_u8(&hdr);
	d->hops = pd_cur_u8(&hdr);
	d->xid = pd_cur_be32(&hdr);
	d->secs = pd_cur_be16(&hdr);
	d->flags = pd_cur_be16(&hdr);
	pd_cur_copy(&hdr, d->ciaddr, 4);
	pd_cur_copy(&hdr, d->yiaddr, 4);
	pd_cur_copy(&hdr, d->siaddr, 4);
	pd_cur_copy(&hdr, d->giaddr, 4);
	pd_cur_copy(&hdr, d->chaddr, 16);
	d->sname = fixed_str(p, &hdr, SNAME_LEN);
	d->file = fixed_str(p, &hdr, FILE_LEN);
	p->layers |= PD_L_DHCP | PD_L_APP;

	/* plain BOOTP: no cookie (or a vend area too short for one) */
	if (!pd_cur_has(c, 4))
		return 0;
	if (pd_cur_be32(c) != DHCP_COOKIE) {
		c->off -= 4;
		return 0;
	}
	d->cookie = true;
	rc = walk_options(p, c, &overload);
	if (rc)
		return 0;

	/* RFC 2131 4.1: options go on in 'file', then in 'sname' */
	if (overload & OVERLOAD_FILE) {
		hdr.off = FILE_OFF;
		pd_cur_sub(&hdr, FILE_LEN, &field);
		d->file.len = 0;
		if (walk_options(p, &field, &overload))
			return 0;
	}
	if (overload & OVERLOAD_SNAME) {
		hdr.off = SNAME_OFF;
		pd_cur_sub(&hdr, SNAME_LEN, &field);
		d->sname.len = 0;
		walk_options(p, &field, &overload);
	}
	return 0;
}
