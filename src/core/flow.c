/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.c - bounded, bidirectional flow table keyed by the 5-tuple, the
 * VLAN kept per direction (include/pktdoctor/flow.h).  Records come from
 * chunks of CHUNK_FLOWS and are recycled through a free list; each has a
 * number (chunk * CHUNK_FLOWS + place) that the shared open-addressing
 * index (include/pktdoctor/hashtab.h) maps the key's hash to.  An LRU
 * list gives the expiry order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/flow.h"
#include "pktdoctor/hashtab.h"
#include "pktdoctor/vec.h"

#define CHUNK_FLOWS 1024u
#define NONE PD_HASHTAB_NONE  /* no record: the end of a list */

/* Each chunk holds CHUNK_FLOWS records of rec_size bytes: a struct
 * pd_flow followed by the analyzers' reserved storage (Suricata's flow
 * storage).  Records never move: analyzers keep pointers to flows. */
struct pd_flow_table {
	struct pd_hashtab index;   /* hash of the key -> record number */
	unsigned char **chunks;    /* chunk i holds records i*CHUNK_FLOWS... */
	size_t nchunks, chunks_cap;
	size_t max_flows;
	int64_t idle_ns;
	uint32_t free_list;        /* through lru_next; NONE: empty */
	size_t carved;             /* flows carved from the newest chunk */
	size_t storage;            /* bytes of analyzer storage per flow (8-aligned) */
	size_t rec_size;           /* sizeof(struct pd_flow) + storage */
	uint32_t lru_head;         /* least recently seen; NONE: no flows */
	uint32_t lru_tail;
	uint64_t next_id;
	struct pd_flow_stats st;
};

struct pd_flow_table *pd_flow_table_new(const struct pd_flow_limits *lim)
{
	struct pd_flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return 0;
	t->max_flows = lim && lim->max_flows ? lim->max_flows : 262144;
	/* record numbers are uint32 (the index's items) */
	if (t->max_flows > (size_t)1 << 31)
		t->max_flows = (size_t)1 << 31;
	t->idle_ns = lim && lim->idle_ns ? lim->idle_ns : 300LL * 1000000000LL;
	/* the index starts empty and doubles as flows come */
	t->free_list = t->lru_head = t->lru_tail = NONE;
	t->carved = CHUNK_FLOWS;
	t->rec_size = sizeof(struct pd_flow);
	t->next_id = 1;
	t->st.max_flows = t->max_flows;
	return t;
}

void pd_flow_table_free(struct pd_flow_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	pd_hashtab_free(&t->index);
	free(t);
}

static uint32_t hash_key(const struct pd_flow_key *k)
{
	/* Field by field into words, then the shared hash: a key just built
	 * by make_key() is a handful of 1-, 2-, 4- and 16-byte stores, and
	 * loading its bytes as 8-byte words would stall on every word that
	 * spans two of them (store forwarding); each field's own load does
	 * not.  The words stay in registers. */
	uint64_t w[5];
	size_t n;

	w[0] = (uint64_t)k->family | (uint64_t)k->proto << 8 | (uint64_t)k->port_a << 16 |
	       (uint64_t)k->port_b << 32;
	if (k->family == 4) {
		uint32_t a, b;

		memcpy(&a, k->addr_a, 4);
		memcpy(&b, k->addr_b, 4);
		w[1] = (uint64_t)a | (uint64_t)b << 32;
		n = 2;
	} else {
		memcpy(&w[1], k->addr_a, 16);
		memcpy(&w[3], k->addr_b, 16);
		n = 5;
	}
	return pd_hash_bytes(w, n * sizeof(w[0]));
}

/* Record number @i. */
static inline struct pd_flow *flow_at(const struct pd_flow_table *t, uint32_t i)
{
	return (struct pd_flow *)(void *)(t->chunks[i / CHUNK_FLOWS] +
					  t->rec_size * (i % CHUNK_FLOWS));
}

static int make_key(const struct pd_packet *p, struct pd_flow_key *k, int *dir)
{
	uint16_t sport, dport;
	size_t alen;
	int c;

	if (!(p->layers & (PD_L_IPV4 | PD_L_IPV6)))
		return -1;
	if (p->layers & PD_L_TCP) {
		sport = p->tcp.sport;
		dport = p->tcp.dport;
	} else if (p->layers & PD_L_UDP) {
		sport = p->udp.sport;
		dport = p->udp.dport;
	} else {
		return -1;
	}
	memset(k, 0, sizeof(*k));
	/* no VLAN in the key: a connection whose directions carry different
	 * tags is one conversation (Wireshark's TCP conversations ignore the
	 * VLAN too); the tags are kept per direction by note_vlan() */
	k->family = p->ip.version;
	k->proto = (p->layers & PD_L_TCP) ? 6 : 17;
	alen = k->family == 4 ? 4 : 16;
	c = memcmp(p->ip.src.a, p->ip.dst.a, alen);
	if (c < 0 || (c == 0 && sport <= dport)) {
		memcpy(k->addr_a, p->ip.src.a, alen);
		memcpy(k->addr_b, p->ip.dst.a, alen);
		k->port_a = sport;
		k->port_b = dport;
		*dir = 0;
	} else {
		memcpy(k->addr_a, p->ip.dst.a, alen);
		memcpy(k->addr_b, p->ip.src.a, alen);
		k->port_a = dport;
		k->port_b = sport;
		*dir = 1;
	}
	return 0;
}

static void lru_unlink(struct pd_flow_table *t, struct pd_flow *f)
{
	if (f->lru_prev != NONE)
		flow_at(t, f->lru_prev)->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next != NONE)
		flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NONE;
}

/* Flow @f, record number @i, becomes the most recently seen. */
static void lru_append(struct pd_flow_table *t, struct pd_flow *f, uint32_t i)
{
	f->lru_prev = t->lru_tail;
	f->lru_next = NONE;
	if (t->lru_tail != NONE)
		flow_at(t, t->lru_tail)->lru_next = i;
	else
		t->lru_head = i;
	t->lru_tail = i;
}

/* End record number @i: the record keeps no number of its own (4 bytes
 * a flow), every caller knows it. */
static void remove_flow(struct pd_flow_table *t, uint32_t i, pd_flow_end_fn on_end, void *arg)
{
	struct pd_flow *f = flow_at(t, i);

	if (on_end)
		on_end(arg, f);
	pd_hashtab_remove(&t->index, hash_key(&f->key), i);
	lru_unlink(t, f);
	f->lru_next = t->free_list;
	t->free_list = i;
	t->st.live--;
}

/* A free record, its number in @i; NULL when out of memory. */
static struct pd_flow *alloc_flow(struct pd_flow_table *t, uint32_t *i)
{
	struct pd_flow *f;

	if (t->free_list != NONE) {
		*i = t->free_list;
		f = flow_at(t, *i);
		t->free_list = f->lru_next;
		return f;
	}
	if (t->carved == CHUNK_FLOWS) {
		unsigned char *c;

		if (pd_vec_reserve(&t->chunks, &t->chunks_cap, t->nchunks,
				   sizeof(*t->chunks), 0) < 0)
			return 0;
		/* malloc's alignment suits struct pd_flow; rec_size keeps
		 * every record 8-aligned */
		if (!(c = malloc(CHUNK_FLOWS * t->rec_size)))
			return 0;
		t->chunks[t->nchunks++] = c;
		t->carved = 0;
	}
	*i = (uint32_t)((t->nchunks - 1) * CHUNK_FLOWS + t->carved++);
	return flow_at(t, *i);
}

int pd_flow_storage_reserve(struct pd_flow_table *t, size_t size)
{
	size_t off = t->storage;

	if (t->chunks)
		return -PD_EUSAGE; /* records exist already: too late to grow them */
	size = (size + 7) & ~(size_t)7;
	if (size == 0 || size > PD_FLOW_STORAGE_MAX - off)
		return -PD_ELIMIT;
	t->storage += size;
	t->rec_size = sizeof(struct pd_flow) + t->storage;
	return (int)off;
}

void *pd_flow_storage(const struct pd_flow *f, int handle)
{
	return (unsigned char *)(uintptr_t)(const void *)(f + 1) + handle;
}

size_t pd_flow_expire(struct pd_flow_table *t, int64_t now_ns,
		      pd_flow_end_fn on_end, void *arg)
{
	size_t n = 0, moved = 0;

	while (t->lru_head != NONE) {
		uint32_t i = t->lru_head;
		struct pd_flow *f = flow_at(t, i);

		if (f->last_ns > now_ns && moved < t->st.live) {
			/* stamped after now (a bad clock, a corrupt record): not
			 * idle, and it must not hold back the flows behind it */
			lru_unlink(t, f);
			lru_append(t, f, i);
			moved++;
			continue;
		}
		if (f->last_ns + t->idle_ns >= now_ns)
			break;
		remove_flow(t, i, on_end, arg);
		t->st.expired++;
		n++;
	}
	return n;
}

size_t pd_flow_foreach(const struct pd_flow_table *t, pd_flow_visit_fn fn, void *arg,
		       size_t max)
{
	size_t n = 0;

	for (uint32_t i = t->lru_tail; i != NONE && n < max; i = flow_at(t, i)->lru_prev, n++)
		fn(arg, flow_at(t, i));
	return n;
}

void pd_flow_drain(struct pd_flow_table *t, pd_flow_end_fn on_end, void *arg)
{
	while (t->lru_head != NONE)
		remove_flow(t, t->lru_head, on_end, arg);
}

/* The tag this direction is seen with: the first one, and whether it
 * ever changes. */
static void note_vlan(struct pd_flow *f, int dir, const struct pd_packet *p)
{
	struct pd_flow_dir *d = &f->dir[dir];
	uint16_t v = p->eth.vlan_count ? p->eth.vlan_id[0] : 0;

	if (!d->vlan_seen) {
		d->vlan = v;
		d->vlan_seen = true;
	} else if (d->vlan != v) {
		d->vlan_changed = true;
	}
}

struct pd_flow *pd_flow_lookup(struct pd_flow_table *t, const struct pd_packet *p,
			       int *dir, pd_flow_end_fn on_end, void *arg)
{
	struct pd_flow_key k;
	struct pd_flow *f = 0;
	struct pd_hashtab_cursor c;
	uint32_t h, i;

	if (make_key(p, &k, dir) != 0)
		return 0;
	h = hash_key(&k);
	pd_hashtab_cursor_init(&t->index, h, &c);
	while ((i = pd_hashtab_cursor_next(&t->index, &c)) != PD_HASHTAB_NONE) {
		f = flow_at(t, i);
		if (!memcmp(&f->key, &k, sizeof(k)))
			break;
		f = 0;
	}
	if (f) {
		if (i != t->lru_tail) {
			lru_unlink(t, f);
			lru_append(t, f, i);
		}
		f->last_ns = p->ts_ns > f->last_ns ? p->ts_ns : f->last_ns;
		f->last_frame = p->frame;
		note_vlan(f, *dir, p);
		return f;
	}
	pd_flow_expire(t, p->ts_ns, on_end, arg);
	if (t->st.live >= t->max_flows || !(f = alloc_flow(t, &i)))
		goto overflow;
	if (pd_hashtab_insert(&t->index, h, i) < 0) {
		/* the index could not grow: the record goes back */
		f->lru_next = t->free_list;
		t->free_list = i;
		goto overflow;
	}
	memset(f, 0, t->rec_size);
	f->key = k;
	f->id = t->next_id++;
	f->init_is_a = *dir == 0;
	f->first_ns = f->last_ns = p->ts_ns;
	f->first_frame = f->last_frame = p->frame;
	f->dir[0].wscale = f->dir[1].wscale = -1;
	note_vlan(f, *dir, p);
	lru_append(t, f, i);
	t->st.created++;
	t->st.live++;
	if (t->st.live > t->st.peak)
		t->st.peak = t->st.live;
	return f;
overflow:
	if (!t->st.overflow++)
		t->st.overflow_first = p->frame;
	return 0;
}

void pd_flow_table_stats(const struct pd_flow_table *t, struct pd_flow_stats *out)
{
	*out = t->st;
}

void pd_flow_endpoint(const struct pd_flow *f, int side, struct pd_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = f->key.family;
	memcpy(out->a, side == 0 ? f->key.addr_a : f->key.addr_b,
	       f->key.family == 4 ? 4 : 16);
}

bool pd_flow_vlan_asymmetric(const struct pd_flow *f)
{
	return f->dir[0].vlan_seen && f->dir[1].vlan_seen && f->dir[0].vlan != f->dir[1].vlan;
}

char *pd_flow_format(const struct pd_flow *f, char *buf, size_t len)
{
	struct pd_addr a, b;
	char sa[48], sb[48], vl[24] = "";
	int ia = f->init_is_a ? 0 : 1;
	const char *proto = f->key.proto == 6 ? "TCP" : "UDP";
	uint16_t pa = ia == 0 ? f->key.port_a : f->key.port_b;
	uint16_t pb = ia == 0 ? f->key.port_b : f->key.port_a;
	int v6 = f->key.family == 6;

	pd_flow_endpoint(f, ia, &a);
	pd_flow_endpoint(f, 1 - ia, &b);
	pd_addr_format(&a, sa, sizeof(sa));
	pd_addr_format(&b, sb, sizeof(sb));
	if (pd_flow_vlan_asymmetric(f))
		snprintf(vl, sizeof(vl), " vlan %u/%u", f->dir[ia].vlan, f->dir[1 - ia].vlan);
	else if (f->dir[ia].vlan)
		snprintf(vl, sizeof(vl), " vlan %u", f->dir[ia].vlan);
	else if (f->dir[1 - ia].vlan)
		snprintf(vl, sizeof(vl), " vlan %u", f->dir[1 - ia].vlan);
	snprintf(buf, len, "%s %s%s%s:%u -> %s%s%s:%u%s", proto,
		 v6 ? "[" : "", sa, v6 ? "]" : "", pa,
		 v6 ? "[" : "", sb, v6 ? "]" : "", pb, vl);
	return buf;
}
