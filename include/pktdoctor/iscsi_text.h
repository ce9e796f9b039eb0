/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iscsi_text.h - iSCSI text keys and their negotiation (RFC 7143 6.1,
 * 6.2, section 13), implemented in src/core/iscsi_text.c: the key=value
 * parser of Login and Text data segments, the table of operational keys
 * (result function, range, default), and the judgment of an answer to
 * an offer.  The iSCSI analyzer applies them to the login it follows.
 */
#ifndef PKTDOCTOR_ISCSI_TEXT_H
#define PKTDOCTOR_ISCSI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** How a key is negotiated (RFC 7143 6.2), in struct pd_iscsi_keydef.type. */
enum pd_iscsi_key_type {
	PD_ISCSI_KT_LIST,      /* list of values, the answer picks one (6.2.1) */
	PD_ISCSI_KT_MIN,       /* numeric, result function Minimum (6.2.2) */
	PD_ISCSI_KT_MAX,       /* numeric, result function Maximum */
	PD_ISCSI_KT_AND,       /* Boolean, result function AND */
	PD_ISCSI_KT_OR,        /* Boolean, result function OR */
	PD_ISCSI_KT_DECL_NUM,  /* numeric declaration, not negotiated */
};

/** One operational key of RFC 7143 section 13. */
struct pd_iscsi_keydef {
	const char *name;      /* key name, case-sensitive (6.1) */
	uint8_t type;          /* enum pd_iscsi_key_type */
	uint32_t lo, hi;       /* numeric range, inclusive */
	const char *def;       /* default value (the result when not negotiated) */
};

/** The keys the analyzer follows: indices into pd_iscsi_keydefs[]. */
enum pd_iscsi_key {
	PD_ISCSI_KEY_HEADER_DIGEST, PD_ISCSI_KEY_DATA_DIGEST, PD_ISCSI_KEY_AUTH_METHOD,
	PD_ISCSI_KEY_MAX_CONNECTIONS, PD_ISCSI_KEY_INITIAL_R2T, PD_ISCSI_KEY_IMMEDIATE_DATA,
	PD_ISCSI_KEY_MAX_BURST, PD_ISCSI_KEY_FIRST_BURST, PD_ISCSI_KEY_TIME2WAIT,
	PD_ISCSI_KEY_TIME2RETAIN, PD_ISCSI_KEY_MAX_OUT_R2T, PD_ISCSI_KEY_DATA_PDU_IN_ORDER,
	PD_ISCSI_KEY_DATA_SEQ_IN_ORDER, PD_ISCSI_KEY_ERL,
	PD_ISCSI_KEY__NEGOTIATED,                           /* keys above: offered and answered */
	PD_ISCSI_KEY_MRDSL = PD_ISCSI_KEY__NEGOTIATED,      /* declarative, kept apart (13.12) */
	PD_ISCSI_KEY__COUNT
};

/** The key table, indexed by enum pd_iscsi_key. */
extern const struct pd_iscsi_keydef pd_iscsi_keydefs[PD_ISCSI_KEY__COUNT];

/**
 * pd_iscsi_key_find() - the table entry of key @name.
 * @name: key name, not necessarily NUL-terminated.
 * @len: its length in bytes.
 * @idx: set to its enum pd_iscsi_key index when found; may be NULL.
 * Return: the entry, or NULL for a key this code does not judge.
 */
const struct pd_iscsi_keydef *pd_iscsi_key_find(const char *name, size_t len, int *idx);

/** One key=value pair of an iSCSI text data segment, pointing into it. */
struct pd_iscsi_kv {
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

/**
 * pd_iscsi_text_next() - the next key=value pair of a Login or Text data
 * segment: pairs separated by NUL bytes (RFC 7143 section 6.1).
 * @buf: the data segment (the data only, no padding); need not end in NUL.
 * @len: its length in bytes.
 * @off: position, 0 to start; advanced past the pair.
 * @kv: the pair.
 * Return: 1 with @kv filled; 0 at the end; -PD_EMALFORMED for a pair
 * without '=' or with an empty key (@off is advanced past it, so the
 * caller may go on).  Empty strings between NULs are skipped.
 */
int pd_iscsi_text_next(const uint8_t *buf, size_t len, size_t *off, struct pd_iscsi_kv *kv);

/** The verdict on one negotiated value (pd_iscsi_negotiate()). */
enum pd_iscsi_neg {
	PD_ISCSI_NEG_OK = 0,
	PD_ISCSI_NEG_UNKNOWN_KEY,  /* a key this code does not judge */
	PD_ISCSI_NEG_NOT_OFFERED,  /* list key answered with a value the offer did not list */
	PD_ISCSI_NEG_RANGE,        /* number outside the key's range, or not a number */
	PD_ISCSI_NEG_ABOVE_OFFER,  /* "Minimum" key answered above the offer */
	PD_ISCSI_NEG_BELOW_OFFER,  /* "Maximum" key answered below the offer */
	PD_ISCSI_NEG_NOT_BOOL,     /* Boolean key answered with neither Yes nor No */
	PD_ISCSI_NEG_BOOL_RESULT,  /* Boolean answer contradicts the result the offer fixed */
	PD_ISCSI_NEG_LIST_ANSWER,  /* list key answered with a list */
	PD_ISCSI_NEG_BAD_OFFER,    /* the offer itself is out of range or malformed */
};

/** pd_iscsi_neg_name() - stable text of an enum pd_iscsi_neg value. */
const char *pd_iscsi_neg_name(int verdict);

/**
 * pd_iscsi_check_value() - is @value allowed for @key at all (the range
 * of a numeric key, Yes/No for a Boolean, a non-empty list)?  Used for
 * offers and declarations (RFC 7143 section 13).
 * Return: PD_ISCSI_NEG_OK, PD_ISCSI_NEG_UNKNOWN_KEY, PD_ISCSI_NEG_RANGE,
 * PD_ISCSI_NEG_NOT_BOOL.
 */
int pd_iscsi_check_value(const char *key, const char *value);

/**
 * pd_iscsi_negotiate() - judge the answer to an offer and compute the
 * result, by RFC 7143 section 6.2 (list: the answer is one of the
 * offered values; numeric "Minimum"/"Maximum": the answer is within
 * range and not above/below the offer, result min/max; Boolean AND/OR:
 * the answer is Yes or No, and equals the offer when the offer alone
 * decides the result) and the key definitions of section 13.
 * @key: key name, e.g. "MaxBurstLength".
 * @offer: offered value (NUL-terminated).
 * @answer: answered value; NULL when no answer was seen (the result is
 *          then the offer where the offer decides it, else the default).
 *          "Reject", "Irrelevant" and "NotUnderstood" are valid answers
 *          whose result is the key's default.
 * @result: negotiated value as text, or NULL.
 * @rlen: size of @result in bytes.
 * Return: enum pd_iscsi_neg.
 */
int pd_iscsi_negotiate(const char *key, const char *offer, const char *answer,
		       char *result, size_t rlen);

/**
 * pd_iscsi_parse_number() - an iSCSI numerical value (RFC 7143 6.1:
 * decimal, or hexadecimal with 0x) into @out.
 * Return: 0, or -PD_EMALFORMED for anything else or a value above 2^64-1.
 */
int pd_iscsi_parse_number(const char *s, uint64_t *out);

#endif
