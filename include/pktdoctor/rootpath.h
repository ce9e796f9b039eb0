/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rootpath.h - the iSCSI root path of RFC 4173 section 5, as DHCP option
 * 17 (RFC 2132 3.19) or the iSCSI HBA sub-options 201/202 of option 43
 * carry it:
 *
 *     "iscsi:" <servername> ":" <protocol> ":" <port> ":" <LUN> ":" <targetname>
 *
 * Empty <protocol>, <port> and <LUN> take their defaults (6 = TCP, 3260,
 * LUN 0).  An IPv6 <servername> is written in brackets.  <targetname>
 * is everything after the fifth separator and may itself contain ':'
 * ("iqn.2026-11.lab:disk1").  <LUN> is hexadecimal (RFC 4173 5, the SAM
 * LUN representation, optionally in '-' separated 16-bit groups), which
 * is the trap this parser exists for: vendor boot guides warn that LUN
 * 64 must be written "40", so a root path with "64" boots LUN 100.
 *
 * The parser is pure: no allocation, no I/O, no packet access.
 */
#ifndef PKTDOCTOR_ROOTPATH_H
#define PKTDOCTOR_ROOTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PD_ROOTPATH_PROTOCOL_DEFAULT 6u  /* TCP, the only protocol RFC 4173 defines */
#define PD_ROOTPATH_PORT_DEFAULT 3260u   /* iSCSI well-known port (RFC 7143 13) */
#define PD_ROOTPATH_LUN_MAX 255u         /* highest LUN boot firmware is expected to use */
#define PD_ISCSI_NAME_MAX 223u           /* longest iSCSI name, bytes (RFC 3720 3.2.6.1) */

/* Problems found in a root path (bits of pd_rootpath.problems).  Any of
 * them makes pd_rootpath_parse() return -PD_EMALFORMED. */
enum pd_rootpath_problem {
	PD_RP_NO_PREFIX = 1u << 0,      /* does not start with "iscsi:" */
	PD_RP_TOO_FEW_FIELDS = 1u << 1, /* fewer than the six ':'-separated fields */
	PD_RP_NO_SERVER = 1u << 2,      /* <servername> empty */
	PD_RP_BAD_SERVER = 1u << 3,     /* '[' without ']', or text between ']' and ':' */
	PD_RP_BAD_PROTOCOL = 1u << 4,   /* not a decimal number, or not 6 (TCP) */
	PD_RP_BAD_PORT = 1u << 5,       /* not a decimal number, 0, or above 65535 */
	PD_RP_BAD_LUN = 1u << 6,        /* not hexadecimal (digits, '-' separated groups) */
	PD_RP_LUN_RANGE = 1u << 7,      /* hexadecimal value above PD_ROOTPATH_LUN_MAX */
	PD_RP_NO_TARGET = 1u << 8,      /* <targetname> empty */
	PD_RP_BAD_TARGET = 1u << 9,     /* neither "iqn.", "eui." nor "naa." form, or too long */
	PD_RP_BAD_CHAR = 1u << 10,      /* a NUL, control character or space in the string */
};

/** A parsed RFC 4173 root path.  Fields the string did not reach are left
 * at their defaults, so a partly bad root path still shows what it said. */
struct pd_rootpath {
	char server[256];       /* <servername>: DNS name, IPv4, or IPv6 without its brackets */
	bool server_ipv6;       /* <servername> was written in brackets (an IPv6 literal) */
	uint32_t protocol;      /* <protocol>: IP protocol number, 6 when empty */
	uint32_t port;          /* <port>: TCP port, 3260 when empty (as written, even if out
				 * of range: 99999 stays 99999, capped at UINT32_MAX) */
	uint64_t lun;           /* <LUN> read as hexadecimal, as the boot firmware reads it;
				 * '-' groups are 16-bit fields, the first the most significant */
	char lun_text[40];      /* <LUN> as written ("" when empty; cut at 39 bytes) */
	bool lun_ambiguous;     /* <LUN> is decimal digits only and reads differently in
				 * decimal (lun_if_decimal) than in hex (lun): value >= 10 */
	uint64_t lun_if_decimal;/* <LUN> read as decimal, when it is digits only */
	char target[256];       /* <targetname>, may contain ':' */
	bool protocol_default;  /* <protocol> was empty */
	bool port_default;      /* <port> was empty */
	bool lun_default;       /* <LUN> was empty */
	unsigned problems;      /* enum pd_rootpath_problem bits; 0 = valid */
	char why[96];           /* the first problem in words, "" when valid */
};

/**
 * pd_rootpath_parse() - parse an iSCSI root path (RFC 4173 section 5).
 * @s: the root path bytes (need not be NUL-terminated; a NUL inside is a
 *     problem, so strip a trailing NUL terminator before calling).
 * @len: length of @s in bytes.
 * @out: result; always filled as far as the string goes.
 *
 * Checks: the "iscsi:" prefix (case-insensitive, as a URI scheme), six
 * fields, a non-empty <servername> (IPv6 in brackets), <protocol> 6,
 * <port> 1-65535, <LUN> hexadecimal (1-16 digits, or up to four '-'
 * separated groups of 1-4 digits) and at most PD_ROOTPATH_LUN_MAX,
 * <targetname> an iSCSI name of at most 223 bytes in "iqn.YYYY-MM.<naming
 * authority>[:...]", "eui.<16 hex>" or "naa.<16 or 32 hex>" form (RFC
 * 3720 3.2.6.3, RFC 3980), checked loosely.  A decimal-looking LUN of 10
 * or more is not a problem but sets @out->lun_ambiguous.
 *
 * Return: 0 when the root path is valid; -PD_EMALFORMED when it has at
 * least one problem (@out->problems says which, @out->why the first one);
 * -PD_EUSAGE when @out is NULL or @s is NULL with a non-zero @len.
 */
int pd_rootpath_parse(const char *s, size_t len, struct pd_rootpath *out);

/**
 * pd_rootpath_problem_name() - a stable short name for one problem bit,
 * e.g. "bad_port" (for JSON evidence); "unknown" for anything else.
 */
const char *pd_rootpath_problem_name(unsigned bit);

#endif
