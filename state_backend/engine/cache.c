/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Per-file tables in memory. With a shared store, a table is checked
 * against the file's stored version on every use and re-read only when
 * another writer changed the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "call_bound.h"
#include "env.h"

int cache_init(ulm_env *env, uint32_t nbuckets)
{
	env->nbuckets = nbuckets ? nbuckets : CACHE_BUCKETS_DEFAULT;
	env->buckets = calloc(env->nbuckets, sizeof(*env->buckets));
	if (!env->buckets)
		return -ENOMEM;
	for (size_t i = 0; i < env->nbuckets; i++)
		pthread_mutex_init(&env->buckets[i].mutex, NULL);
	return 0;
}

void cache_fini(ulm_env *env)
{
	for (size_t i = 0; env->buckets && i < env->nbuckets; i++) {
		struct ulm_table *t = env->buckets[i].tables, *next;

		for (; t; t = next) {
			next = t->next;
			table_destroy(t);
		}
		pthread_mutex_destroy(&env->buckets[i].mutex);
	}
	free(env->buckets);
}

uint64_t cache_key_hash(const struct ulm_key *file)
{
	return hash_bytes(HASH_SEED, file->data, file->len);
}

/* Another call on a file of the bucket holds it while it waits on the
 * store: waited for until this call's deadline at most. */
struct cache_bucket *cache_lock(ulm_env *env, uint64_t hash)
{
	struct cache_bucket *b = &env->buckets[mix64(hash) % env->nbuckets];

	return call_bound_lock(&b->mutex) ? b : NULL;
}

void cache_unlock(struct cache_bucket *bucket)
{
	pthread_mutex_unlock(&bucket->mutex);
}

static int load_record(const struct ulm_record *rec, void *arg)
{
	struct ulm_table *t = arg;
	struct ulm_towner *owner = owner_set_find(&t->owners, &rec->owner);
	struct ulm_lock *lock = lock_alloc();

	if (!owner)
		owner = table_towner_create(&rec->owner);
	if (!lock || !owner) {
		free(lock);
		if (owner && owner->nlocks == 0)
			free(owner);
		return -ENOMEM;
	}
	lock_from_record(lock, rec);
	lock->owner = owner;
	table_insert(t, lock);
	return 0;
}

struct ulm_table *cache_table_of(const struct ulm_key *file,
				 const struct ulm_record *recs, size_t n)
{
	struct ulm_table *t = table_create(file, cache_key_hash(file));

	for (size_t i = 0; t && i < n; i++)
		if (load_record(&recs[i], t)) {
			table_destroy(t);
			t = NULL;
		}
	return t;
}

static int reload(ulm_env *env, const struct ulm_key *file, struct ulm_table *t)
{
	int rc;

	table_clear(t);
	rc = STORE_TIMED(env, ULM_STORE_CALL_LOAD,
			 env->ops->file_load(env->store, file, load_record, t,
					     &t->version));
	if (rc)
		table_clear(t);
	t->stale = rc != 0;
	return rc;
}

static int refresh(ulm_env *env, const struct ulm_key *file,
		   struct ulm_table *t)
{
	uint64_t version;
	int rc;

	if (!env->ops->shared)
		return 0;
	if (!t->stale) {
		rc = STORE_TIMED(
			env, ULM_STORE_CALL_VERSION,
			env->ops->file_version(env->store, file, &version));
		if (rc || version == t->version)
			return rc;
	}
	return reload(env, file, t);
}

int cache_table(ulm_env *env, struct cache_bucket *bucket,
		const struct ulm_key *file, uint64_t hash,
		struct ulm_table **out)
{
	struct ulm_table *t;

	for (t = bucket->tables; t; t = t->next)
		if (t->hash == hash && table_has_key(t, file))
			break;
	if (!t) {
		t = table_create(file, hash);
		if (!t)
			return -ENOMEM;
		t->stale = env->ops->shared;
		t->next = bucket->tables;
		bucket->tables = t;
	}
	*out = t;
	return refresh(env, file, t);
}

void cache_put(struct cache_bucket *bucket, struct ulm_table *table)
{
	struct ulm_table **p;

	if (table->count)
		return;
	for (p = &bucket->tables; *p != table; p = &(*p)->next)
		;
	*p = table->next;
	table_destroy(table);
}

struct key_list {
	size_t n;
	size_t cap;
	struct key_copy {
		size_t len;
		uint8_t data[ULM_KEY_MAX];
	} * keys;
};

static int key_list_add(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct key_list *l = arg;

	(void)env;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct key_copy *k = realloc(l->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		l->keys = k;
		l->cap = cap;
	}
	l->keys[l->n].len = t->key_len;
	memcpy(l->keys[l->n].data, t->key, t->key_len);
	l->n++;
	return 0;
}

int cache_each_table(ulm_env *env, cache_table_fn fn, void *arg)
{
	int rc = 0;

	for (size_t i = 0; i < env->nbuckets && !rc; i++) {
		struct cache_bucket *b = &env->buckets[i];

		pthread_mutex_lock(&b->mutex);
		for (struct ulm_table *t = b->tables; t && !rc; t = t->next)
			if (t->count && !t->stale)
				rc = fn(env, t, arg);
		pthread_mutex_unlock(&b->mutex);
	}
	return rc;
}

int cache_for_each_file(ulm_env *env, store_file_fn fn, void *arg)
{
	struct key_list l = {0};
	struct ulm_key key;
	int rc;

	if (env->ops->shared)
		return env->ops->file_walk(env->store, fn, arg);
	/* Keys are copied out first: @fn locks buckets itself. */
	rc = cache_each_table(env, key_list_add, &l);
	for (size_t i = 0; i < l.n && !rc; i++) {
		key.data = l.keys[i].data;
		key.len = l.keys[i].len;
		rc = fn(&key, arg);
	}
	free(l.keys);
	return rc;
}
