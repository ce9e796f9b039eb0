/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.c - bounded, bidirectional flow table keyed by the 5-tuple, the
 * VLAN kept per direction (include/pktdoctor/flow.h).  Open hashing with chains; an LRU list
 * gives the expiry order; records come from chunks and are recycled
 * through a free list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/flow.h"

#define CHUNK_FLOWS 1024

/* CHUNK_FLOWS records of rec_size bytes each: a struct pd_flow followed
 * by the analyzers' reserved storage (Suricata's flow storage). */
struct chunk {
	struct chunk *next;
	_Alignas(8) unsigned char mem[];
};

struct pd_flow_table {
	struct pd_flow **buckets;
	size_t nbuckets;           /* power of two */
	size_t max_flows;
	int64_t idle_ns;
	struct pd_flow *free_list;
	struct chunk *chunks;
	size_t carved;             /* flows carved from the newest chunk */
	size_t storage;            /* bytes of analyzer storage per flow (8-aligned) */
	size_t rec_size;           /* sizeof(struct pd_flow) + storage */
	struct pd_flow *lru_head;  /* least recently seen */
	struct pd_flow *lru_tail;
	uint64_t next_id;
	struct pd_flow_stats st;
};

struct pd_flow_table *pd_flow_table_new(const struct pd_flow_limits *lim)
{
	struct pd_flow_table *t = calloc(1, sizeof(*t));
	size_t nb = 1;

	if (!t)
		return 0;
	t->max_flows = lim && lim->max_flows ? lim->max_flows : 262144;
	t->idle_ns = lim && lim->idle_ns ? lim->idle_ns : 300LL * 1000000000LL;
	while (nb < t->max_flows / 2 && nb < (1u << 20))
		nb <<= 1;
	if (nb < 64)
		nb = 64;
	t->nbuckets = nb;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return 0;
	}
	t->carved = CHUNK_FLOWS;
	t->rec_size = sizeof(struct pd_flow);
	t->next_id = 1;
	t->st.max_flows = t->max_flows;
	return t;
}

void pd_flow_table_free(struct pd_flow_table *t)
{
	struct chunk *c, *n;

	if (!t)
		return;
	for (c = t->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	free(t->buckets);
	free(t);
}

static uint64_t hash_key(const struct pd_flow_key *k)
{
	/* the key's bytes (it is memset before filling, so padding is 0)
	 * taken 8 at a time, each word mixed with a multiply and a shift:
	 * a tenth of the cost of bytewise FNV-1a on this path */
	uint64_t words[(sizeof(*k) + 7) / 8] = {0};
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	memcpy(words, k, sizeof(*k));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		h ^= words[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h ^ (h >> 29);
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
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = 0;
}

static void lru_append(struct pd_flow_table *t, struct pd_flow *f)
{
	f->lru_prev = t->lru_tail;
	f->lru_next = 0;
	if (t->lru_tail)
		t->lru_tail->lru_next = f;
	else
		t->lru_head = f;
	t->lru_tail = f;
}

static void remove_flow(struct pd_flow_table *t, struct pd_flow *f,
			pd_flow_end_fn on_end, void *arg)
{
	size_t b = (size_t)hash_key(&f->key) & (t->nbuckets - 1);
	struct pd_flow **pp = &t->buckets[b];

	if (on_end)
		on_end(arg, f);
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(t, f);
	f->hnext = t->free_list;
	t->free_list = f;
	t->st.live--;
}

static struct pd_flow *alloc_flow(struct pd_flow_table *t)
{
	struct pd_flow *f;

	if (t->free_list) {
		f = t->free_list;
		t->free_list = f->hnext;
		return f;
	}
	if (t->carved == CHUNK_FLOWS) {
		struct chunk *c = malloc(sizeof(*c) + CHUNK_FLOWS * t->rec_size);

		if (!c)
			return 0;
		c->next = t->chunks;
		t->chunks = c;
		t->carved = 0;
	}
	return (struct pd_flow *)(void *)(t->chunks->mem + t->rec_size * t->carved++);
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
	size_t n = 0;

	while (t->lru_head && t->lru_head->last_ns + t->idle_ns < now_ns) {
		remove_flow(t, t->lru_head, on_end, arg);
		t->st.expired++;
		n++;
	}
	return n;
}

size_t pd_flow_foreach(const struct pd_flow_table *t, pd_flow_visit_fn fn, void *arg,
		       size_t max)
{
	size_t n = 0;

	for (const struct pd_flow *f = t->lru_tail; f && n < max; f = f->lru_prev, n++)
		fn(arg, f);
	return n;
}

void pd_flow_drain(struct pd_flow_table *t, pd_flow_end_fn on_end, void *arg)
{
	while (t->lru_head)
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
	struct pd_flow *f;
	size_t b;

	if (make_key(p, &k, dir) != 0)
		return 0;
	b = (size_t)hash_key(&k) & (t->nbuckets - 1);
	for (f = t->buckets[b]; f; f = f->hnext)
		if (!memcmp(&f->key, &k, sizeof(k)))
			break;
	if (f) {
		if (f != t->lru_tail) {
			lru_unlink(t, f);
			lru_append(t, f);
		}
		f->last_ns = p->ts_ns > f->last_ns ? p->ts_ns : f->last_ns;
		f->last_frame = p->frame;
		note_vlan(f, *dir, p);
		return f;
	}
	pd_flow_expire(t, p->ts_ns, on_end, arg);
	if (t->st.live >= t->max_flows || !(f = alloc_flow(t))) {
		if (!t->st.overflow++)
			t->st.overflow_first = p->frame;
		return 0;
	}
	memset(f, 0, t->rec_size);
	f->key = k;
	f->id = t->next_id++;
	f->init_is_a = *dir == 0;
	f->first_ns = f->last_ns = p->ts_ns;
	f->first_frame = f->last_frame = p->frame;
	f->dir[0].wscale = f->dir[1].wscale = -1;
	note_vlan(f, *dir, p);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_append(t, f);
	t->st.created++;
	t->st.live++;
	if (t->st.live > t->st.peak)
		t->st.peak = t->st.live;
	return f;
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
