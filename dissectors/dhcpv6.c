/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcpv6.c - DHCPv6 (RFC 8415) over UDP ports 546/547: message type,
 * 24-bit transaction id, and the options walk (16-bit code, 16-bit
 * length, RFC 8415 21.1).  The options a network boot depends on are
 * located as spans (first instance): 16 vendor class, 17 vendor-specific
 * information (RFC 8415 21.16/21.17; iSCSI HBAs put their root paths in
 * its sub-options 201/202), 59 boot file URL and 60 boot file parameters
 * (RFC 5970).  Relay-forward/relay-reply (12/13) messages are recognised
 * but not walked.
 */
#include "pktdoctor/dissect.h"
#include "pktdoctor/error.h"

#define MSG_RELAY_FORW 12
#define MSG_RELAY_REPL 13

#define OPT_VENDOR_CLASS 16
#define OPT_VENDOR_OPTS 17
#define OPT_BOOTFILE_URL 59
#define OPT_BOOTFILE_PARAM 60

static struct pd_span span_at(const struct pd_packet *p, const struct pd_cursor *c, size_t at,
			      size_t len)
{
	struct pd_span s;
	size_t off = (size_t)(c->base - p->frame_data) + at;

	s.off = (uint16_t)(off > 0xffff ? 0xffff : off);
	s.len = (uint16_t)(len > 0xffff ? 0xffff : len);
	return s;
}

/* The span slot for an option code, or NULL if it is not recorded. */
static struct pd_span *slot(struct pd_dhcpv6 *d, uint16_t code)
{
	switch (code) {
	case OPT_VENDOR_CLASS:
		return &d->vendor_class;
	case OPT_VENDOR_OPTS:
		return &d->vendor_opts;
	case OPT_BOOTFILE_URL:
		return &d->boot_url;
	case OPT_BOOTFILE_PARAM:
		return &d->boot_params;
	default:
		return 0;
	}
}

/* Malformed when the missing bytes are not on the wire either; a snaplen
 * cut stops the walk without an event. */
static void stop(struct pd_packet *p, const struct pd_cursor *c, size_t need)
{
	if (need > pd_cur_wire_remaining(c))
		pd_dissect_event_at(p, c, PD_EV_APP_MALFORMED, 1);
}

int pd_dissect_dhcpv6(struct pd_packet *p, struct pd_cursor *c)
{
	struct pd_dhcpv6 *d = &p->dhcpv6;

	memset(d, 0, sizeof(*d));
	if (!pd_cur_has(c, 4)) {
		stop(p, c, 4);
		return 0;
	}
	d->msg_type = pd_cur_u8(c);
	p->layers |= PD_L_DHCPV6 | PD_L_APP;
	if (d->msg_type == MSG_RELAY_FORW || d->msg_type == MSG_RELAY_REPL)
		return 0; /* hop-count, link and peer addresses, then options: not walked */
	d->xid = (uint32_t)pd_cur_u8(c) << 16;
	d->xid |= (uint32_t)pd_cur_be16(c);

	while (pd_cur_wire_remaining(c) > 0) {
		size_t at = c->off;
		uint16_t code, len;
		struct pd_span *s;

		if (!pd_cur_has(c, 4)) {
			stop(p, c, 4); /* truncated option header */
			return 0;
		}
		code = pd_cur_be16(c);
		len = pd_cur_be16(c);
		if (!pd_cur_has(c, len)) {
			c->off = at;
			stop(p, c, 4u + len); /* too long for the message */
			return 0;
		}
		/* 16 and 17 begin with a 4-byte enterprise number (too short) */
		if ((code == OPT_VENDOR_CLASS || code == OPT_VENDOR_OPTS) && len < 4) {
			c->off = at;
			pd_dissect_event_at(p, c, PD_EV_APP_MALFORMED, 1);
			return 0;
		}
		s = slot(d, code);
		if (s && s->off == 0) /* first instance (an option is never at frame offset 0) */
			*s = span_at(p, c, c->off, len);
		pd_cur_skip(c, len);
	}
	return 0;
}
