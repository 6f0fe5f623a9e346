/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "owner.h"

#define OWNER_SET_MIN_BUCKETS 4

static bool bytes_valid(const void *data, size_t len)
{
	return len <= ULM_ID_MAX && (len == 0 || data);
}

int owner_validate(const struct ulm_owner *owner)
{
	if (!owner || owner->protocol < ULM_PROTO_NLM ||
	    owner->protocol > ULM_PROTO_9P || owner->kind < ULM_OWNER_LOCK ||
	    owner->kind > ULM_OWNER_CLIENT ||
	    !bytes_valid(owner->client, owner->client_len) ||
	    !bytes_valid(owner->owner, owner->owner_len))
		return -EINVAL;
	return 0;
}

uint64_t owner_hash(const struct ulm_owner *owner)
{
	uint64_t h = mix64((uint64_t)owner->protocol << 40 ^
			   (uint64_t)owner->kind << 32 ^ owner->node);

	/* The lengths go in too: "ab"+"c" and "a"+"bc" are distinct. */
	h = hash_bytes(h ^ owner->client_len, owner->client, owner->client_len);
	return hash_bytes(h ^ owner->owner_len, owner->owner, owner->owner_len);
}

static bool bytes_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

bool owner_same(const struct ulm_owner *a, const struct ulm_owner *b)
{
	return a->protocol == b->protocol && a->kind == b->kind &&
	       a->node == b->node &&
	       bytes_equal(a->client, a->client_len, b->client,
			   b->client_len) &&
	       bytes_equal(a->owner, a->owner_len, b->owner, b->owner_len);
}

struct ulm_towner *towner_create(const struct ulm_owner *owner,
				 size_t link_to_key)
{
	struct ulm_towner *t =
		malloc(sizeof(*t) + owner->client_len + owner->owner_len);

	if (!t)
		return NULL;
	t->next = NULL;
	t->hash = owner_hash(owner);
	t->nlocks = 0;
	itree_init(&t->locks, link_to_key);
	t->node = owner->node;
	t->protocol = owner->protocol;
	t->kind = owner->kind;
	t->client_len = owner->client_len;
	t->owner_len = owner->owner_len;
	if (owner->client_len)
		memcpy(t->id, owner->client, owner->client_len);
	if (owner->owner_len)
		memcpy(t->id + owner->client_len, owner->owner,
		       owner->owner_len);
	return t;
}

void towner_view(const struct ulm_towner *towner, struct ulm_owner *out)
{
	out->protocol = towner->protocol;
	out->kind = towner->kind;
	out->node = towner->node;
	out->client = towner->id;
	out->client_len = towner->client_len;
	out->owner = towner->id + towner->client_len;
	out->owner_len = towner->owner_len;
}

int owner_set_init(struct owner_set *set)
{
	set->buckets = calloc(OWNER_SET_MIN_BUCKETS, sizeof(*set->buckets));
	set->nbuckets = OWNER_SET_MIN_BUCKETS;
	set->count = 0;
	return set->buckets ? 0 : -ENOMEM;
}

void owner_set_fini(struct owner_set *set)
{
	free(set->buckets);
	set->buckets = NULL;
}

struct ulm_towner *owner_set_find(const struct owner_set *set,
				  const struct ulm_owner *owner)
{
	uint64_t h = owner_hash(owner);
	struct ulm_owner view;

	for (struct ulm_towner *t = set->buckets[h % set->nbuckets]; t;
	     t = t->next) {
		if (t->hash != h)
			continue;
		towner_view(t, &view);
		if (owner_same(&view, owner))
			return t;
	}
	return NULL;
}

/* Double the buckets; on no memory keep the old ones: chains just get
 * longer, so inserting never fails. */
static void owner_set_grow(struct owner_set *set)
{
	size_t n = set->nbuckets * 2;
	struct ulm_towner **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < set->nbuckets; i++) {
		struct ulm_towner *t = set->buckets[i], *next;

		for (; t; t = next) {
			next = t->next;
			t->next = b[t->hash % n];
			b[t->hash % n] = t;
		}
	}
	free(set->buckets);
	set->buckets = b;
	set->nbuckets = n;
}

void owner_set_insert(struct owner_set *set, struct ulm_towner *towner)
{
	struct ulm_towner **head;

	if (set->count >= set->nbuckets)
		owner_set_grow(set);
	head = &set->buckets[towner->hash % set->nbuckets];
	towner->next = *head;
	*head = towner;
	set->count++;
}

void owner_set_remove(struct owner_set *set, struct ulm_towner *towner)
{
	struct ulm_towner **p = &set->buckets[towner->hash % set->nbuckets];

	while (*p != towner)
		p = &(*p)->next;
	*p = towner->next;
	set->count--;
}
