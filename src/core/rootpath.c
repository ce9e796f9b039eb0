/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rootpath.c - parser for the RFC 4173 iSCSI root path
 * ("iscsi:<servername>:<protocol>:<port>:<LUN>:<targetname>"), see
 * include/pktdoctor/rootpath.h.  Pure string work: the DHCP analyzer
 * copies the option bytes out of the frame and hands them here.
 */
#include <stdio.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/rootpath.h"

static const char *const problem_names[] = {
	"no_prefix", "too_few_fields", "no_server", "bad_server", "bad_protocol", "bad_port",
	"bad_lun", "lun_range", "no_target", "bad_target", "bad_char",
};

const char *pd_rootpath_problem_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof(problem_names) / sizeof(problem_names[0]); i++)
		if (bit == 1u << i)
			return problem_names[i];
	return "unknown";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does s[0..len) start with the lower-case @prefix, ignoring case? */
static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != prefix[i])
			return false;
	return true;
}

/* Record a problem; the first one also gets its words in out->why. */
static void problem(struct pd_rootpath *out, unsigned bit, const char *why)
{
	if (!out->problems)
		snprintf(out->why, sizeof(out->why), "%s", why);
	out->problems |= bit;
}

/* Copy s[0..n) into a C string buffer of @cap bytes, cut if longer. */
static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* Decimal number of at most 10 digits, saturating at UINT32_MAX.
 * Return: false if the field is not all digits. */
static bool parse_dec32(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
		if (x > UINT32_MAX)
			x = UINT32_MAX; /* stays saturated: x * 10 + 9 fits in 64 bits */
	}
	*v = (uint32_t)x;
	return true;
}

/*
 * <LUN>: 1-16 hex digits, or 2-4 '-' separated groups of 1-4 hex digits
 * (RFC 4173 5 allows dashes between the four 16-bit fields of the SAM
 * LUN).  Return: false when it is not of that form.
 */
static bool parse_lun(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0, group = 0;
	size_t digits = 0, groups = 1;
	bool dashed = memchr(s, '-', n) != NULL;

	for (size_t i = 0; i < n; i++) {
		int h;

		if (s[i] == '-') {
			if (digits == 0 || ++groups > 4)
				return false;
			x = x << 16 | group;
			group = 0;
			digits = 0;
			continue;
		}
		h = hex_val(s[i]);
		if (h < 0 || ++digits > (dashed ? 4u : 16u))
			return false;
		group = group << 4 | (uint64_t)h;
	}
	if (digits == 0)
		return false;
	*v = dashed ? x << 16 | group : group;
	return true;
}

/* iqn.YYYY-MM.<reversed domain>[:<anything>], checked loosely
 * (RFC 3720 3.2.6.3.1). */
static bool iqn_form(const char *t, size_t n)
{
	if (n < 13 || !has_prefix(t, n, "iqn."))
		return false;
	for (size_t i = 4; i < 8; i++)
		if (!is_digit(t[i]))
			return false;
	if (t[8] != '-' || !is_digit(t[9]) || !is_digit(t[10]) || t[11] != '.')
		return false;
	{
		int month = (t[9] - '0') * 10 + (t[10] - '0');

		if (month < 1 || month > 12)
			return false;
	}
	return t[12] != ':' && t[12] != '.';
}

/* eui.<16 hex> (RFC 3720 3.2.6.3.2) or naa.<16 or 32 hex> (RFC 3980). */
static bool hex_name_form(const char *t, size_t n)
{
	size_t digits;

	if (n < 4 || !(has_prefix(t, n, "eui.") || has_prefix(t, n, "naa.")))
		return false;
	digits = n - 4;
	for (size_t i = 4; i < n; i++)
		if (hex_val(t[i]) < 0)
			return false;
	if (has_prefix(t, n, "eui."))
		return digits == 16;
	return digits == 16 || digits == 32;
}

/* Index of the next ':' in s[i..n), or n. */
static size_t next_colon(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != ':')
		i++;
	return i;
}

int pd_rootpath_parse(const char *s, size_t len, struct pd_rootpath *out)
{
	size_t i, e, field_start[4], field_end[4];
	char tmp[40], why[96];

	if (!out || (!s && len))
		return -PD_EUSAGE;
	memset(out, 0, sizeof(*out));
	out->protocol = PD_ROOTPATH_PROTOCOL_DEFAULT;
	out->port = PD_ROOTPATH_PORT_DEFAULT;
	out->protocol_default = out->port_default = out->lun_default = true;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7f) {
			problem(out, PD_RP_BAD_CHAR,
				ch == 0 ? "contains a NUL byte" : "contains a space or control character");
			break;
		}
	}
	if (!has_prefix(s, len, "iscsi:")) {
		problem(out, PD_RP_NO_PREFIX, "does not start with \"iscsi:\"");
		return -PD_EMALFORMED;
	}
	i = 6;

	/* <servername>, an IPv6 literal in brackets */
	if (i < len && s[i] == '[') {
		const char *close = memchr(s + i, ']', len - i);

		if (!close) {
			problem(out, PD_RP_BAD_SERVER, "'[' of the server name is not closed");
			problem(out, PD_RP_TOO_FEW_FIELDS, "");
			return -PD_EMALFORMED;
		}
		e = (size_t)(close - s);
		copy_field(out->server, sizeof(out->server), s + i + 1, e - i - 1);
		out->server_ipv6 = true;
		i = e + 1;
		e = next_colon(s, i, len);
		if (e != i)
			problem(out, PD_RP_BAD_SERVER, "text between ']' and ':' after the server");
	} else {
		e = next_colon(s, i, len);
		copy_field(out->server, sizeof(out->server), s + i, e - i);
	}
	if (!out->server[0])
		problem(out, PD_RP_NO_SERVER, "no server name");
	i = e;

	/* <protocol> <port> <LUN>, each ended by ':', then <targetname> */
	for (int k = 0; k < 4; k++) {
		if (i >= len) {
			problem(out, PD_RP_TOO_FEW_FIELDS,
				"too few fields (want iscsi:server:protocol:port:LUN:target)");
			break;
		}
		i++; /* the ':' */
		field_start[k] = i;
		field_end[k] = k < 3 ? next_colon(s, i, len) : len;
		i = field_end[k];
	}
	/* with a field missing, which one is which is guesswork: judge none */
	if (out->problems & PD_RP_TOO_FEW_FIELDS)
		return -PD_EMALFORMED;

	/* <protocol> */
	if (field_end[0] > field_start[0]) {
		size_t n = field_end[0] - field_start[0];

		out->protocol_default = false;
		copy_field(tmp, sizeof(tmp), s + field_start[0], n);
		if (!parse_dec32(s + field_start[0], n, &out->protocol)) {
			snprintf(why, sizeof(why), "protocol \"%s\" is not a number", tmp);
			problem(out, PD_RP_BAD_PROTOCOL, why);
		} else if (out->protocol != PD_ROOTPATH_PROTOCOL_DEFAULT) {
			snprintf(why, sizeof(why), "protocol %s is not 6 (TCP)", tmp);
			problem(out, PD_RP_BAD_PROTOCOL, why);
		}
	}
	/* <port> */
	if (field_end[1] > field_start[1]) {
		size_t n = field_end[1] - field_start[1];

		out->port_default = false;
		copy_field(tmp, sizeof(tmp), s + field_start[1], n);
		if (!parse_dec32(s + field_start[1], n, &out->port)) {
			snprintf(why, sizeof(why), "port \"%s\" is not a number", tmp);
			problem(out, PD_RP_BAD_PORT, why);
		} else if (out->port == 0 || out->port > 65535) {
			snprintf(why, sizeof(why), "port %s is out of range 1-65535", tmp);
			problem(out, PD_RP_BAD_PORT, why);
		}
	}
	/* <LUN> */
	if (field_end[2] > field_start[2]) {
		const char *l = s + field_start[2];
		size_t n = field_end[2] - field_start[2];
		bool digits_only = true;

		out->lun_default = false;
		copy_field(out->lun_text, sizeof(out->lun_text), l, n);
		if (!parse_lun(l, n, &out->lun)) {
			out->lun = 0;
			snprintf(why, sizeof(why), "LUN \"%s\" is not hexadecimal", out->lun_text);
			problem(out, PD_RP_BAD_LUN, why);
		} else if (out->lun > PD_ROOTPATH_LUN_MAX) {
			snprintf(why, sizeof(why), "LUN \"%s\" read as hex is %llu, above 255",
				 out->lun_text, (unsigned long long)out->lun);
			problem(out, PD_RP_LUN_RANGE, why);
		}
		for (size_t k = 0; k < n; k++)
			if (!is_digit(l[k]))
				digits_only = false;
		if (digits_only) {
			uint64_t d = 0;

			for (size_t k = 0; k < n; k++) {
				d = d * 10 + (uint64_t)(l[k] - '0');
				if (d > UINT32_MAX)
					d = UINT32_MAX; /* saturate; only ">= 10" matters */
			}
			out->lun_if_decimal = d;
			out->lun_ambiguous = d >= 10;
		}
	}
	/* <targetname>: the rest, ':' included */
	{
		const char *t = s + field_start[3];
		size_t n = field_end[3] - field_start[3];

		copy_field(out->target, sizeof(out->target), t, n);
		if (n == 0)
			problem(out, PD_RP_NO_TARGET, "no target name");
		else if (n > PD_ISCSI_NAME_MAX)
			problem(out, PD_RP_BAD_TARGET, "target name longer than 223 bytes");
		else if (!iqn_form(t, n) && !hex_name_form(t, n))
			problem(out, PD_RP_BAD_TARGET,
				"target name is neither iqn.YYYY-MM.authority nor eui.<16 hex>");
	}
	return out->problems ? -PD_EMALFORMED : 0;
}
