/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"

#define FILE_LINK_TO_KEY \
	(offsetof(struct ulm_lock, in_file) - offsetof(struct ulm_lock, key))
#define OWNER_LINK_TO_KEY \
	(offsetof(struct ulm_lock, in_owner) - offsetof(struct ulm_lock, key))

static struct ulm_lock *file_lock(struct itree_link *link)
{
	return (struct ulm_lock *)((char *)link -
				   offsetof(struct ulm_lock, in_file));
}

static struct ulm_lock *owner_lock(struct itree_link *link)
{
	return (struct ulm_lock *)((char *)link -
				   offsetof(struct ulm_lock, in_owner));
}

struct ulm_table *table_create(const struct ulm_key *file, uint64_t hash)
{
	struct ulm_table *t = malloc(sizeof(*t) + file->len);

	if (!t)
		return NULL;
	if (owner_set_init(&t->owners)) {
		free(t);
		return NULL;
	}
	t->next = NULL;
	t->hash = hash;
	t->version = 0;
	t->stale = true;
	t->count = 0;
	itree_init(&t->locks, FILE_LINK_TO_KEY);
	t->key_len = file->len;
	memcpy(t->key, file->data, file->len);
	return t;
}

static int delete_visit(struct ulm_lock *lock, void *arg)
{
	table_delete(arg, lock);
	return 0;
}

void table_clear(struct ulm_table *table)
{
	/* Deleting re-shapes the tree, so take the root until none is
	 * left rather than walking it. */
	while (table->locks.root)
		delete_visit(file_lock(table->locks.root), table);
}

void table_destroy(struct ulm_table *table)
{
	if (!table)
		return;
	table_clear(table);
	owner_set_fini(&table->owners);
	free(table);
}

bool table_has_key(const struct ulm_table *table, const struct ulm_key *file)
{
	return table->key_len == file->len &&
	       memcmp(table->key, file->data, file->len) == 0;
}

void table_key(const struct ulm_table *table, struct ulm_key *out)
{
	out->data = table->key;
	out->len = table->key_len;
}

void lock_span(const struct ulm_lock *lock, struct ulm_span *span)
{
	span->start = lock->key.start;
	span->end = lock->key.end;
	span->type = lock->type;
}

struct conflict_search {
	const struct ulm_towner *self;
	const struct ulm_span *req;
	const struct ulm_lock *found;
};

static int conflict_visit(struct itree_link *link, void *arg)
{
	struct conflict_search *s = arg;
	struct ulm_lock *lock = file_lock(link);
	struct ulm_span span;

	lock_span(lock, &span);
	if (lock->owner == s->self || !range_conflict(&span, s->req))
		return 0;
	s->found = lock;
	return 1;
}

const struct ulm_lock *table_first_conflict(const struct ulm_table *table,
					    const struct ulm_towner *self,
					    const struct ulm_span *req)
{
	struct conflict_search s = {.self = self, .req = req};

	/* In-order visiting: the first conflict found has the lowest start. */
	itree_overlapping(&table->locks, req->start, req->end, conflict_visit,
			  &s);
	return s.found;
}

struct lock_array {
	struct ulm_lock **locks;
	size_t n;
	size_t cap;
};

static int collect_visit(struct itree_link *link, void *arg)
{
	struct lock_array *a = arg;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct ulm_lock **l = realloc(a->locks, cap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		a->locks = l;
		a->cap = cap;
	}
	a->locks[a->n++] = owner_lock(link);
	return 0;
}

int table_owner_locks(const struct ulm_towner *towner, uint64_t start,
		      uint64_t end, struct ulm_lock ***out, size_t *n)
{
	struct lock_array a = {0};
	int rc = 0;

	if (towner)
		rc = itree_overlapping(&towner->locks, start, end,
				       collect_visit, &a);
	if (rc) {
		free(a.locks);
		return rc;
	}
	*out = a.locks;
	*n = a.n;
	return 0;
}

struct ulm_lock *lock_alloc(void)
{
	return malloc(sizeof(struct ulm_lock));
}

struct ulm_towner *table_towner_create(const struct ulm_owner *owner)
{
	return towner_create(owner, OWNER_LINK_TO_KEY);
}

void table_insert(struct ulm_table *table, struct ulm_lock *lock)
{
	if (lock->owner->nlocks == 0)
		owner_set_insert(&table->owners, lock->owner);
	itree_insert(&table->locks, &lock->in_file);
	itree_insert(&lock->owner->locks, &lock->in_owner);
	lock->owner->nlocks++;
	table->count++;
}

void table_delete(struct ulm_table *table, struct ulm_lock *lock)
{
	struct ulm_towner *owner = lock->owner;

	itree_remove(&table->locks, &lock->in_file);
	itree_remove(&owner->locks, &lock->in_owner);
	table->count--;
	if (--owner->nlocks == 0) {
		owner_set_remove(&table->owners, owner);
		free(owner);
	}
	free(lock);
}

void lock_to_info(const struct ulm_lock *lock, struct ulm_lock_info *info)
{
	const struct ulm_towner *o = lock->owner;

	info->type = lock->type;
	info->start = lock->key.start;
	info->end = lock->key.end;
	info->protocol = o->protocol;
	info->kind = o->kind;
	info->node = lock->node;
	info->epoch = lock->epoch;
	info->client_len = o->client_len;
	info->owner_len = o->owner_len;
	memcpy(info->client, o->id, o->client_len);
	memcpy(info->owner, o->id + o->client_len, o->owner_len);
}

struct walk_ctx {
	table_visit_fn visit;
	void *arg;
};

static int walk_visit(struct itree_link *link, void *arg)
{
	struct walk_ctx *w = arg;

	return w->visit(file_lock(link), w->arg);
}

int table_walk(const struct ulm_table *table, table_visit_fn visit, void *arg)
{
	struct walk_ctx w = {visit, arg};

	return itree_walk(&table->locks, walk_visit, &w);
}
