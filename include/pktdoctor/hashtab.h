/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hashtab.h - the one hash table: an open-addressing index from a
 * caller-computed hash to the caller's uint32 item number.
 *
 * The table stores no keys and no records.  The caller keeps its items
 * where it likes (flow chunks, a dense vector) and names each by a
 * uint32 index; the table maps a 32-bit hash to candidate indices and the
 * caller compares keys itself.  Each slot is 8 bytes: the item's hash
 * tag beside its index, so that growth and deletion never call back into
 * the caller and a probe skips items whose tag differs without touching
 * them.
 *
 * Linear probing over a power-of-two number of slots, home slot = tag &
 * mask; deletion shifts the following entries back (Knuth 6.4
 * algorithm R), so there are no tombstones and probe sequences never
 * lengthen with churn.  The table doubles before an insert would fill
 * more than 3/4 of the slots (PD_HASHTAB_LOAD_NUM / PD_HASHTAB_LOAD_DEN):
 * while it grows the load stays between 3/8 and 3/4 (it never shrinks,
 * so after removals it can be lower), where linear probing with
 * tag filtering costs about 1.5 (hit) and 8 (miss) slot reads of one
 * cache line or two (docs/ARCHITECTURE.md "Hash tables").
 *
 * Not thread safe; no allocation except when the table grows.
 */
#ifndef PKTDOCTOR_HASHTAB_H
#define PKTDOCTOR_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** The item number of an empty slot, and "not found". */
#define PD_HASHTAB_NONE UINT32_MAX

/** Growth threshold: at most NUM/DEN of the slots are in use. */
#define PD_HASHTAB_LOAD_NUM 3
#define PD_HASHTAB_LOAD_DEN 4

/** Fewest slots a table has once it holds anything. */
#define PD_HASHTAB_MIN_SLOTS 16

/** One slot: the item's hash and its number (PD_HASHTAB_NONE = empty). */
struct pd_hashtab_slot {
	uint32_t tag;
	uint32_t item;
};

/**
 * struct pd_hashtab - the index.  Zero-initialised ({0} or memset) it is
 * an empty table with no slots; the first insert allocates.
 * @slots: @mask + 1 slots, or NULL before the first insert.
 * @mask: number of slots - 1 (a power of two minus one), 0 with no slots.
 * @count: items in the table.
 */
struct pd_hashtab {
	struct pd_hashtab_slot *slots;
	uint32_t mask;
	uint32_t count;
};

/**
 * pd_hash_bytes() - the shared hash for byte keys: the key taken 8 bytes
 * at a time (a tail of 1..7 bytes read as one more word), each word
 * mixed into the state by a multiply and a shift, finished by an
 * xor-shift and a multiply.  About 1 ns per word.  The starting state
 * holds a random per-process seed (pd_hash_seed_init()), so keys chosen
 * to share one slot for one run (a flood of spoofed SYNs against the
 * monitor) do not for another; it is no cryptographic MAC (SipHash would
 * be, at several times the cost), and every table using it is bounded.
 * @key: the key's bytes (padding inside a struct key must be zeroed).
 * @len: its length in bytes.
 * Return: a 32-bit hash, all bits mixed (for pd_hashtab_*() @hash).
 *
 * Inline so that a constant @len (a struct key) unrolls on the per-packet
 * path.
 */
/**
 * pd_hash_mix() - one 64-bit word into a hash state: xor, multiply by an
 * odd constant, fold the high half down (the step of pd_hash_bytes(), for
 * callers that build their own words, as the duplicate-frame fingerprint).
 * Return: the new state.
 */
static inline uint64_t pd_hash_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* The per-process seed of pd_hash_bytes(); 0 until pd_hash_seed_init(). */
extern uint64_t pd_hash_seed;

/**
 * pd_hash_seed_init() - draw pd_hash_seed from getrandom(2) once per
 * process (the time and the PID when that fails).  Call it before the
 * first table is filled: the pipeline does, in pd_pipeline_open().
 */
void pd_hash_seed_init(void);

static inline uint32_t pd_hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ pd_hash_seed ^ len;
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = pd_hash_mix(h, w);
		p += 8;
		len -= 8;
	}
	if (len) {
		/* the tail without a store to a stack word and a wider load
		 * of it (a store-forwarding stall of ~12 cycles): 4..7 bytes
		 * as two overlapping 4-byte loads, 1..3 bytes as three byte
		 * loads; either way every byte is read and, for one @len,
		 * different tails give different words */
		if (len >= 4) {
			uint32_t lo, hi;

			memcpy(&lo, p, 4);
			memcpy(&hi, p + len - 4, 4);
			w = (uint64_t)hi << 32 | lo;
		} else {
			w = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
		}
		h = pd_hash_mix(h, w);
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h >> 32);
}

/**
 * pd_hashtab_init() - empty a table, with room for @expect items before
 * it first grows.
 * @h: the table (its old contents are not freed).
 * @expect: items to make room for; 0 allocates nothing.
 * Return: 0, -PD_ENOMEM (the table is left empty, usable), -PD_ELIMIT
 * when @expect needs more than 2^31 slots.
 */
int pd_hashtab_init(struct pd_hashtab *h, uint32_t expect);

/** pd_hashtab_free() - free the slots; @h is left empty and usable. */
void pd_hashtab_free(struct pd_hashtab *h);

/**
 * pd_hashtab_insert() - add @item under @hash.  Duplicates are not
 * checked: look the key up first.  Grows the table (doubling, the old
 * slots freed) when the insert would pass the load limit.
 * @h: the table.
 * @hash: the item's hash (pd_hash_bytes() or any well-mixed 32 bits).
 * @item: the caller's item number, below PD_HASHTAB_NONE.
 * Return: 0; -PD_ENOMEM when growing failed (the table is unchanged and
 * @item not added); -PD_ELIMIT when the table already has 2^31 slots at
 * its load limit; -PD_EUSAGE when @item is PD_HASHTAB_NONE.
 */
int pd_hashtab_insert(struct pd_hashtab *h, uint32_t hash, uint32_t item);

/**
 * pd_hashtab_remove() - remove @item, filed under @hash; the entries
 * after it in its cluster are shifted back so no lookup is broken.
 * Return: 0, or -PD_EUSAGE when @item is not in the table under @hash.
 */
int pd_hashtab_remove(struct pd_hashtab *h, uint32_t hash, uint32_t item);

/**
 * pd_hashtab_rename() - the item filed under @hash as @old is now called
 * @item (the caller moved it, e.g. the last element of a dense vector
 * into a hole).  Return: 0, or -PD_EUSAGE when @old is not there.
 */
int pd_hashtab_rename(struct pd_hashtab *h, uint32_t hash, uint32_t old, uint32_t item);

/** Does item number @item hold the key the caller looks for? */
typedef bool (*pd_hashtab_eq_fn)(const void *ctx, uint32_t item);

/**
 * struct pd_hashtab_cursor - the candidates for one hash, for callers
 * that compare keys inline (the flow table's per-packet lookup):
 *
 *	struct pd_hashtab_cursor c;
 *	uint32_t i;
 *	for (pd_hashtab_cursor_init(h, hash, &c);
 *	     (i = pd_hashtab_cursor_next(h, &c)) != PD_HASHTAB_NONE;)
 *		if (key_of(i) == key) break;
 *
 * The table must not change while a cursor is in use.
 */
struct pd_hashtab_cursor {
	uint32_t pos;  /* next slot to read */
	uint32_t tag;  /* the hash looked for */
};

static inline void pd_hashtab_cursor_init(const struct pd_hashtab *h, uint32_t hash,
					  struct pd_hashtab_cursor *c)
{
	c->pos = hash & h->mask;
	c->tag = hash;
}

/**
 * pd_hashtab_cursor_next() - the next item whose stored hash equals the
 * cursor's.  Return: its number, or PD_HASHTAB_NONE at the end of the
 * cluster (there are no more).
 */
static inline uint32_t pd_hashtab_cursor_next(const struct pd_hashtab *h,
					      struct pd_hashtab_cursor *c)
{
	if (!h->slots)
		return PD_HASHTAB_NONE;
	for (;;) {
		const struct pd_hashtab_slot *s = &h->slots[c->pos];

		if (s->item == PD_HASHTAB_NONE)
			return PD_HASHTAB_NONE;
		c->pos = (c->pos + 1) & h->mask;
		if (s->tag == c->tag)
			return s->item;
	}
}

/**
 * pd_hashtab_find() - the item under @hash for which @eq says yes.
 * @eq is called only for items whose stored hash equals @hash.
 * Return: its number, or PD_HASHTAB_NONE.
 *
 * Inline, so that a caller's static @eq is inlined into the probe loop
 * (no indirect call per candidate on a per-packet path).
 */
static inline uint32_t pd_hashtab_find(const struct pd_hashtab *h, uint32_t hash,
				       pd_hashtab_eq_fn eq, const void *ctx)
{
	struct pd_hashtab_cursor c;
	uint32_t i;

	pd_hashtab_cursor_init(h, hash, &c);
	while ((i = pd_hashtab_cursor_next(h, &c)) != PD_HASHTAB_NONE)
		if (eq(ctx, i))
			return i;
	return PD_HASHTAB_NONE;
}

#endif
