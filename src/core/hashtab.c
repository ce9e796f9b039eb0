/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hashtab.c - the open-addressing index (include/pktdoctor/hashtab.h):
 * linear probing, backward-shift deletion, doubling at 3/4 load.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "pktdoctor/hashtab.h"

#define MAX_SLOTS ((uint32_t)1 << 31)

/* Slots for @n items within the load limit: a power of two, at least
 * PD_HASHTAB_MIN_SLOTS; 0 when more than MAX_SLOTS would be needed. */
static uint32_t slots_for(uint32_t n)
{
	uint64_t s = PD_HASHTAB_MIN_SLOTS;

	while ((uint64_t)n * PD_HASHTAB_LOAD_DEN > s * PD_HASHTAB_LOAD_NUM)
		s <<= 1;
	return s > MAX_SLOTS ? 0 : (uint32_t)s;
}

static struct pd_hashtab_slot *slots_new(uint32_t n)
{
	struct pd_hashtab_slot *s = malloc((size_t)n * sizeof(*s));

	/* all 0xff: every item PD_HASHTAB_NONE */
	if (s)
		memset(s, 0xff, (size_t)n * sizeof(*s));
	return s;
}

uint64_t pd_hash_seed;

void pd_hash_seed_init(void)
{
	uint64_t seed = 0;

	if (pd_hash_seed)
		return;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(0) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	pd_hash_seed = seed ? seed : 1;
}

/* Put an entry known to be absent into the first free slot of its
 * cluster (there is one: the load is below 1). */
static void place(struct pd_hashtab_slot *slots, uint32_t mask, struct pd_hashtab_slot e)
{
	uint32_t i = e.tag & mask;

	while (slots[i].item != PD_HASHTAB_NONE)
		i = (i + 1) & mask;
	slots[i] = e;
}

static int resize(struct pd_hashtab *h, uint32_t nslots)
{
	struct pd_hashtab_slot *s = slots_new(nslots);

	if (!s)
		return -PD_ENOMEM;
	if (h->slots) {
		for (uint64_t i = 0; i <= h->mask; i++)
			if (h->slots[i].item != PD_HASHTAB_NONE)
				place(s, nslots - 1, h->slots[i]);
		free(h->slots);
	}
	h->slots = s;
	h->mask = nslots - 1;
	return 0;
}

int pd_hashtab_init(struct pd_hashtab *h, uint32_t expect)
{
	uint32_t n;

	memset(h, 0, sizeof(*h));
	if (!expect)
		return 0;
	n = slots_for(expect);
	if (!n)
		return -PD_ELIMIT;
	return resize(h, n);
}

void pd_hashtab_free(struct pd_hashtab *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

int pd_hashtab_insert(struct pd_hashtab *h, uint32_t hash, uint32_t item)
{
	uint64_t nslots = h->slots ? (uint64_t)h->mask + 1 : 0;
	struct pd_hashtab_slot e = {hash, item};

	if (item == PD_HASHTAB_NONE)
		return -PD_EUSAGE;
	if (((uint64_t)h->count + 1) * PD_HASHTAB_LOAD_DEN > nslots * PD_HASHTAB_LOAD_NUM) {
		uint32_t n = slots_for(h->count + 1);
		int rc;

		if (!n)
			return -PD_ELIMIT;
		if ((rc = resize(h, n)) < 0)
			return rc;
	}
	place(h->slots, h->mask, e);
	h->count++;
	return 0;
}

/* The slot holding @item under @hash, or PD_HASHTAB_NONE. */
static uint32_t slot_of(const struct pd_hashtab *h, uint32_t hash, uint32_t item)
{
	uint32_t i;

	if (!h->slots || item == PD_HASHTAB_NONE)
		return PD_HASHTAB_NONE;
	for (i = hash & h->mask; h->slots[i].item != PD_HASHTAB_NONE; i = (i + 1) & h->mask)
		if (h->slots[i].item == item && h->slots[i].tag == hash)
			return i;
	return PD_HASHTAB_NONE;
}

int pd_hashtab_remove(struct pd_hashtab *h, uint32_t hash, uint32_t item)
{
	uint32_t hole = slot_of(h, hash, item), j, mask = h->mask;

	if (hole == PD_HASHTAB_NONE)
		return -PD_EUSAGE;
	/* Backward shift: an entry at j whose home slot is k may fill the
	 * hole at i when i lies on its probe path, cyclically in [k, j),
	 * i.e. when it is at least as far from home as the hole is from j. */
	for (j = (hole + 1) & mask; h->slots[j].item != PD_HASHTAB_NONE; j = (j + 1) & mask) {
		uint32_t home = h->slots[j].tag & mask;

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			h->slots[hole] = h->slots[j];
			hole = j;
		}
	}
	h->slots[hole].item = PD_HASHTAB_NONE;
	h->slots[hole].tag = UINT32_MAX;
	h->count--;
	return 0;
}

int pd_hashtab_rename(struct pd_hashtab *h, uint32_t hash, uint32_t old, uint32_t item)
{
	uint32_t i = slot_of(h, hash, old);

	if (i == PD_HASHTAB_NONE || item == PD_HASHTAB_NONE)
		return -PD_EUSAGE;
	h->slots[i].item = item;
	return 0;
}
