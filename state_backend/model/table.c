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
	t->denies = 0;
	t->windows = 0;
	itree_init(&t->locks, FILE_LINK_TO_KEY);
	t->key_len = file->len;
	memcpy(t->key, file->data, file->len);
	return t;
}

static bool denies(const struct ulm_lock *lock)
{
	return lock->type == ULM_REC_SHARE && lock->deny != 0;
}

static bool windows(const struct ulm_lock *lock)
{
	return (lock->flags & (ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY)) ==
	       ULM_FLAG_WINDOWS;
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

struct lock_array {
	unsigned types;
	struct ulm_lock **locks;
	size_t n;
	size_t cap;
};

static int collect_visit(struct itree_link *link, void *arg)
{
	struct lock_array *a = arg;
	struct ulm_lock *lock = owner_lock(link);

	if (!(a->types & TYPE_BIT(lock->type)))
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct ulm_lock **l = realloc(a->locks, cap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		a->locks = l;
		a->cap = cap;
	}
	a->locks[a->n++] = lock;
	return 0;
}

int table_owner_records(const struct ulm_towner *towner, unsigned types,
			uint64_t start, uint64_t end, struct ulm_lock ***out,
			size_t *n)
{
	struct lock_array a = {.types = types};
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

struct whole_search {
	unsigned types;
	struct ulm_lock *found;
};

static int whole_visit(struct itree_link *link, void *arg)
{
	struct whole_search *w = arg;
	struct ulm_lock *lock = owner_lock(link);

	if (!(w->types & TYPE_BIT(lock->type)))
		return 0;
	w->found = lock;
	return 1;
}

struct ulm_lock *table_owner_whole(const struct ulm_towner *towner,
				   unsigned types)
{
	struct whole_search w = {types, NULL};

	/* Whole-file records start at 0: only the tree's first keys. */
	if (towner)
		itree_overlapping(&towner->locks, 0, 0, whole_visit, &w);
	return w.found;
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
	table->denies += denies(lock);
	table->windows += windows(lock);
}

void table_delete(struct ulm_table *table, struct ulm_lock *lock)
{
	struct ulm_towner *owner = lock->owner;

	itree_remove(&table->locks, &lock->in_file);
	itree_remove(&owner->locks, &lock->in_owner);
	table->count--;
	table->denies -= denies(lock);
	table->windows -= windows(lock);
	if (--owner->nlocks == 0) {
		owner_set_remove(&table->owners, owner);
		free(owner);
	}
	free(lock);
}

void record_to_info(const struct ulm_record *rec, struct ulm_lock_info *info)
{
	const struct ulm_owner *o = &rec->owner;

	info->type = rec->type;
	info->start = rec->start;
	info->end = rec->end;
	info->flags = rec->flags;
	info->access = rec->access;
	info->deny = rec->deny;
	info->expires = rec->expires;
	info->protocol = o->protocol;
	info->kind = o->kind;
	info->node = rec->node;
	info->epoch = rec->epoch;
	info->client_len = o->client_len;
	info->owner_len = o->owner_len;
	memcpy(info->client, o->client, o->client_len);
	memcpy(info->owner, o->owner, o->owner_len);
}

void lock_to_info(const struct ulm_lock *lock, struct ulm_lock_info *info)
{
	struct ulm_record rec;

	lock_to_record(lock, &rec);
	record_to_info(&rec, info);
}

void lock_from_record(struct ulm_lock *lock, const struct ulm_record *rec)
{
	lock->key.start = rec->start;
	lock->key.end = rec->end;
	lock->key.id = rec->id;
	lock->node = rec->node;
	lock->epoch = rec->epoch;
	lock->type = rec->type;
	lock->flags = rec->flags;
	lock->access = rec->access;
	lock->deny = rec->deny;
	lock->expires = rec->expires;
	lock->ticket = rec->ticket;
}

void lock_to_record(const struct ulm_lock *lock, struct ulm_record *rec)
{
	rec->id = lock->key.id;
	rec->type = lock->type;
	rec->start = lock->key.start;
	rec->end = lock->key.end;
	rec->node = lock->node;
	rec->epoch = lock->epoch;
	rec->flags = lock->flags;
	rec->access = lock->access;
	rec->deny = lock->deny;
	rec->expires = lock->expires;
	rec->ticket = lock->ticket;
	towner_view(lock->owner, &rec->owner);
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

int table_walk_range(const struct ulm_table *table, uint64_t start,
		     uint64_t end, table_visit_fn visit, void *arg)
{
	struct walk_ctx w = {visit, arg};

	return itree_overlapping(&table->locks, start, end, walk_visit, &w);
}
