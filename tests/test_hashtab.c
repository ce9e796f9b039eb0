/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hashtab.c - the open-addressing index (include/pktdoctor/hashtab.h):
 * insert, find, remove with the backward shift across the end of the
 * slot array, growth keeping every item, items sharing one hash, and the
 * shared byte hash.  Items are numbers into an array of keys held here,
 * as a user of the table holds them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"

#define NKEYS 5000

/* The caller's items: key i lives at keys[i]. */
static uint64_t keys[NKEYS];

static bool key_eq(const void *ctx, uint32_t item)
{
	return keys[item] == *(const uint64_t *)ctx;
}

static uint32_t key_hash(uint64_t k)
{
	return pd_hash_bytes(&k, sizeof(k));
}

static uint32_t find(const struct pd_hashtab *h, uint64_t k, uint32_t hash)
{
	return pd_hashtab_find(h, hash, key_eq, &k);
}

static void test_empty(void **state)
{
	struct pd_hashtab h = {0};
	uint64_t k = 7;

	(void)state;
	assert_int_equal(pd_hashtab_find(&h, 1, key_eq, &k), PD_HASHTAB_NONE);
	assert_int_equal(pd_hashtab_remove(&h, 1, 0), -PD_EUSAGE);
	assert_int_equal(pd_hashtab_insert(&h, 1, PD_HASHTAB_NONE), -PD_EUSAGE);
	assert_int_equal(h.count, 0);
	pd_hashtab_free(&h);
	assert_int_equal(pd_hashtab_init(&h, 0), 0);
	assert_null(h.slots);
	assert_int_equal(pd_hashtab_init(&h, 100), 0);
	/* room for 100 within the 3/4 load: 256 slots */
	assert_int_equal(h.mask + 1, 256);
	pd_hashtab_free(&h);
}

static void test_insert_find_remove(void **state)
{
	struct pd_hashtab h = {0};

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		keys[i] = 1000 + i * 7919;
		assert_int_equal(pd_hashtab_insert(&h, key_hash(keys[i]), i), 0);
	}
	assert_int_equal(h.count, 100);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(find(&h, keys[i], key_hash(keys[i])), i);
	assert_int_equal(find(&h, 3, key_hash(3)), PD_HASHTAB_NONE);
	/* remove the even ones; the odd ones are still found */
	for (uint32_t i = 0; i < 100; i += 2)
		assert_int_equal(pd_hashtab_remove(&h, key_hash(keys[i]), i), 0);
	assert_int_equal(h.count, 50);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(find(&h, keys[i], key_hash(keys[i])),
				 i % 2 ? i : PD_HASHTAB_NONE);
	/* removing twice, or under the wrong hash, is refused */
	assert_int_equal(pd_hashtab_remove(&h, key_hash(keys[0]), 0), -PD_EUSAGE);
	assert_int_equal(pd_hashtab_remove(&h, key_hash(keys[1]) + 1, 1), -PD_EUSAGE);
	assert_int_equal(h.count, 50);
	/* rename: item 1 moved to number 0 */
	keys[0] = keys[1];
	assert_int_equal(pd_hashtab_rename(&h, key_hash(keys[1]), 1, 0), 0);
	assert_int_equal(find(&h, keys[0], key_hash(keys[0])), 0);
	assert_int_equal(pd_hashtab_rename(&h, key_hash(keys[1]), 1, 0), -PD_EUSAGE);
	pd_hashtab_free(&h);
	assert_null(h.slots);
	assert_int_equal(h.count, 0);
}

/* Hashes chosen to fill the last slots and wrap to the first: in a
 * 16-slot table, homes 14, 14, 15, 15, 0 occupy slots 14, 15, 0, 1, 2.
 * Removing the first must shift each later entry back along its probe
 * path, across the wrap, and none before its home. */
static void test_backward_shift_wraps(void **state)
{
	struct pd_hashtab h = {0};
	/* tag & 15 is the home; the high bits tell the items apart */
	const uint32_t hash[5] = {0x10e, 0x20e, 0x30f, 0x40f, 0x500};

	(void)state;
	for (uint32_t i = 0; i < 5; i++) {
		keys[i] = 50 + i;
		assert_int_equal(pd_hashtab_insert(&h, hash[i], i), 0);
	}
	assert_int_equal(h.mask, 15);
	assert_int_equal(h.slots[14].item, 0);
	assert_int_equal(h.slots[15].item, 1);
	assert_int_equal(h.slots[0].item, 2);
	assert_int_equal(h.slots[1].item, 3);
	assert_int_equal(h.slots[2].item, 4);

	assert_int_equal(pd_hashtab_remove(&h, hash[0], 0), 0);
	/* 1 moves home to 14; 2 (home 15) to 15; 3 (home 15) to 0; 4 (home 0)
	 * to 1; slot 2 is empty */
	assert_int_equal(h.slots[14].item, 1);
	assert_int_equal(h.slots[15].item, 2);
	assert_int_equal(h.slots[0].item, 3);
	assert_int_equal(h.slots[1].item, 4);
	assert_int_equal(h.slots[2].item, PD_HASHTAB_NONE);
	for (uint32_t i = 1; i < 5; i++)
		assert_int_equal(find(&h, keys[i], hash[i]), i);

	/* an entry already at its home does not move back past it: remove
	 * 3 (slot 0); 4 (home 0) moves into slot 0 */
	assert_int_equal(pd_hashtab_remove(&h, hash[3], 3), 0);
	assert_int_equal(h.slots[0].item, 4);
	assert_int_equal(h.slots[1].item, PD_HASHTAB_NONE);
	assert_int_equal(find(&h, keys[4], hash[4]), 4);
	assert_int_equal(find(&h, keys[2], hash[2]), 2);
	assert_int_equal(find(&h, keys[1], hash[1]), 1);
	assert_int_equal(h.count, 3);
	pd_hashtab_free(&h);
}

/* Growth keeps every item and the load at or below 3/4. */
static void test_growth(void **state)
{
	struct pd_hashtab h = {0};

	(void)state;
	for (uint32_t i = 0; i < NKEYS; i++) {
		keys[i] = (uint64_t)i * 0x100000001ULL + 17;
		assert_int_equal(pd_hashtab_insert(&h, key_hash(keys[i]), i), 0);
		assert_true((uint64_t)h.count * 4 <= ((uint64_t)h.mask + 1) * 3);
	}
	/* 5000 items: 8192 slots (6144 at 3/4 is the first that holds them) */
	assert_int_equal(h.mask + 1, 8192);
	for (uint32_t i = 0; i < NKEYS; i++)
		assert_int_equal(find(&h, keys[i], key_hash(keys[i])), i);
	/* churn: remove and re-add every third; all still found */
	for (uint32_t i = 0; i < NKEYS; i += 3)
		assert_int_equal(pd_hashtab_remove(&h, key_hash(keys[i]), i), 0);
	for (uint32_t i = 0; i < NKEYS; i += 3)
		assert_int_equal(pd_hashtab_insert(&h, key_hash(keys[i]), i), 0);
	assert_int_equal(h.count, NKEYS);
	for (uint32_t i = 0; i < NKEYS; i++)
		assert_int_equal(find(&h, keys[i], key_hash(keys[i])), i);
	pd_hashtab_free(&h);
}

/* Many items with the same hash: each is found through the equality
 * callback, the cursor yields exactly them, and removals in any order
 * leave the others reachable. */
static void test_colliding_tags(void **state)
{
	struct pd_hashtab h = {0};
	const uint32_t same = 0xdeadbeef;
	struct pd_hashtab_cursor c;
	uint32_t i, n;

	(void)state;
	for (i = 0; i < 200; i++) {
		keys[i] = 9000 + i;
		assert_int_equal(pd_hashtab_insert(&h, same, i), 0);
	}
	/* and some others nearby, with other tags */
	for (; i < 400; i++) {
		keys[i] = 9000 + i;
		assert_int_equal(pd_hashtab_insert(&h, key_hash(keys[i]), i), 0);
	}
	for (i = 0; i < 200; i++)
		assert_int_equal(find(&h, keys[i], same), i);
	n = 0;
	for (pd_hashtab_cursor_init(&h, same, &c); pd_hashtab_cursor_next(&h, &c) != PD_HASHTAB_NONE;)
		n++;
	assert_int_equal(n, 200);
	for (i = 0; i < 200; i += 2)
		assert_int_equal(pd_hashtab_remove(&h, same, 199 - i), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(find(&h, keys[i], same), i % 2 ? PD_HASHTAB_NONE : i);
	for (i = 200; i < 400; i++)
		assert_int_equal(find(&h, keys[i], key_hash(keys[i])), i);
	pd_hashtab_free(&h);
}

static void test_hash_bytes(void **state)
{
	const char a[] = "10.0.0.1:80", b[] = "10.0.0.1:81";
	const unsigned char zeros[16] = {0};
	uint32_t seen[64];

	(void)state;
	assert_int_equal(pd_hash_bytes(a, sizeof(a)), pd_hash_bytes(a, sizeof(a)));
	assert_int_not_equal(pd_hash_bytes(a, sizeof(a)), pd_hash_bytes(b, sizeof(b)));
	/* the length is part of the key: 8 and 9 zero bytes differ */
	assert_int_not_equal(pd_hash_bytes(zeros, 8), pd_hash_bytes(zeros, 9));
	/* every byte of a short tail counts: changing any one of 1..15
	 * bytes changes the hash */
	for (size_t len = 1; len < 16; len++)
		for (size_t i = 0; i < len; i++) {
			unsigned char k[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
			uint32_t h0 = pd_hash_bytes(k, len);

			k[i] ^= 0x40;
			assert_int_not_equal(pd_hash_bytes(k, len), h0);
		}
	/* 64 consecutive integers spread over the low 6 bits (home slots)
	 * with few repeats */
	memset(seen, 0, sizeof(seen));
	for (uint64_t k = 0; k < 64; k++)
		seen[pd_hash_bytes(&k, sizeof(k)) & 63]++;
	for (int i = 0; i < 64; i++)
		assert_true(seen[i] <= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_insert_find_remove),
		cmocka_unit_test(test_backward_shift_wraps),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_colliding_tags),
		cmocka_unit_test(test_hash_bytes),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
