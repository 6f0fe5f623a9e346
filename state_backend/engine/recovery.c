/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "env.h"
#include "recovery.h"

void recovery_set_init(struct recovery_set *set)
{
	pthread_rwlock_init(&set->lock, NULL);
	set->n = 0;
	set->cap = 0;
	set->entries = NULL;
}

void recovery_set_fini(struct recovery_set *set)
{
	pthread_rwlock_destroy(&set->lock);
	free(set->entries);
	set->entries = NULL;
}

/* @pre set->lock held */
static struct recovery_entry *entry_find(const struct recovery_set *set,
					 uint32_t node)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->entries[i].node == node)
			return &set->entries[i];
	return NULL;
}

bool recovery_unreclaimed(struct recovery_set *set, uint32_t node,
			  uint32_t epoch)
{
	const struct recovery_entry *e;
	bool old;

	if (__atomic_load_n(&set->n, __ATOMIC_ACQUIRE) == 0)
		return false;
	pthread_rwlock_rdlock(&set->lock);
	e = entry_find(set, node);
	old = e && epoch < e->before_epoch;
	pthread_rwlock_unlock(&set->lock);
	return old;
}

bool lock_unreclaimed(struct recovery_set *set, const struct ulm_lock *lock)
{
	return set && recovery_unreclaimed(set, lock->node, lock->epoch);
}

bool same_identity(const struct ulm_towner *held, const struct ulm_owner *owner)
{
	return owner && held->protocol == owner->protocol &&
	       held->kind == owner->kind &&
	       held->client_len == owner->client_len &&
	       held->owner_len == owner->owner_len &&
	       (!owner->client_len ||
		memcmp(held->id, owner->client, owner->client_len) == 0) &&
	       (!owner->owner_len ||
		memcmp(held->id + held->client_len, owner->owner,
		       owner->owner_len) == 0);
}

bool handover_asked(const struct ulm_owner *owner, unsigned flags)
{
	return owner->protocol == ULM_PROTO_NFS4 ||
	       (owner->protocol == ULM_PROTO_NLM && (flags & ULM_FLAG_RECLAIM));
}

bool lock_handed_over(const struct ulm_lock *held,
		      const struct ulm_owner *owner, bool handover)
{
	return handover && held->owner->node != owner->node &&
	       same_identity(held->owner, owner);
}

struct past_search {
	struct recovery_set *set;
	const struct ulm_owner *owner;
	unsigned types;
	bool handover;
	struct ulm_lock **found;
	size_t n;
};

static int past_visit(struct ulm_lock *lock, void *arg)
{
	struct past_search *s = arg;

	if ((s->types & TYPE_BIT(lock->type)) &&
	    same_identity(lock->owner, s->owner) &&
	    (lock_unreclaimed(s->set, lock) ||
	     lock_handed_over(lock, s->owner, s->handover)))
		s->found[s->n++] = lock;
	return 0;
}

int recovery_past(struct recovery_set *set, const struct ulm_table *t,
		  const struct ulm_owner *owner, unsigned types, uint64_t start,
		  uint64_t end, bool handover, struct ulm_lock ***out,
		  size_t *n)
{
	struct past_search s = {set, owner, types, handover, NULL, 0};

	*out = NULL;
	*n = 0;
	if ((__atomic_load_n(&set->n, __ATOMIC_ACQUIRE) == 0 && !handover) ||
	    !t->count)
		return 0;
	s.found = malloc(t->count * sizeof(*s.found));
	if (!s.found)
		return -ENOMEM;
	table_walk_range(t, start, end, past_visit, &s);
	if (!s.n) {
		free(s.found);
		s.found = NULL;
	}
	*out = s.found;
	*n = s.n;
	return 0;
}

void recovery_drop_unreclaimed(struct recovery_set *set,
			       struct ulm_lock **locks, size_t *n)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++)
		if (!lock_unreclaimed(set, locks[i]))
			locks[kept++] = locks[i];
	*n = kept;
}

static int by_start(const void *a, const void *b)
{
	const struct ulm_lock *x = *(struct ulm_lock *const *)a;
	const struct ulm_lock *y = *(struct ulm_lock *const *)b;

	return (x->key.start > y->key.start) - (x->key.start < y->key.start);
}

/* Sort by start, then sweep: every byte of [start, end] must be in one.
 * @p next only moves past a lock that ends before @p end: no wrap. */
static bool locks_cover(struct ulm_lock **locks, size_t n, uint64_t start,
			uint64_t end)
{
	uint64_t next = start; /* first byte not yet covered */

	qsort(locks, n, sizeof(*locks), by_start);
	for (size_t i = 0; i < n; i++) {
		if (locks[i]->key.start > next)
			return false;
		if (locks[i]->key.end >= end)
			return true;
		if (locks[i]->key.end >= next)
			next = locks[i]->key.end + 1;
	}
	return false;
}

int recovery_file_frozen(ulm_env *env, const struct ulm_table *t)
{
	struct ulm_key file;

	if (!env->ops->file_frozen)
		return 0;
	table_key(t, &file);
	return env->ops->file_frozen(env->store, &file);
}

unsigned recovery_flags(ulm_env *env, const struct ulm_table *t,
			const struct ulm_owner *owner, unsigned types,
			uint64_t start, uint64_t end, unsigned flags)
{
	struct ulm_lock **past;
	size_t n = 0;

	if (!(flags & ULM_FLAG_RECLAIM) &&
	    !recovery_past(&env->recovering, t, owner, types, start, end, false,
			   &past, &n))
		free(past);
	return n ? flags | ULM_FLAG_RECLAIM : flags;
}

int recovery_reclaimable(ulm_env *env, const struct ulm_table *t,
			 const struct ulm_owner *owner, unsigned types,
			 uint64_t start, uint64_t end, bool handover)
{
	const struct ulm_towner *self = owner_set_find(&t->owners, owner);
	struct ulm_lock **past = NULL, **held = NULL, **all;
	size_t n_past = 0, n_held = 0;
	int rc = recovery_file_frozen(env, t);

	if (rc)
		return rc > 0 ? 0 : rc;
	rc = recovery_past(&env->recovering, t, owner, types, start, end,
			   handover, &past, &n_past);

	if (!rc)
		rc = table_owner_records(self, types, start, end, &held,
					 &n_held);
	all = rc ? NULL : malloc((n_past + n_held + 1) * sizeof(*all));
	if (!rc && !all)
		rc = -ENOMEM;
	if (!rc) {
		for (size_t i = 0; i < n_past; i++)
			all[i] = past[i];
		for (size_t i = 0; i < n_held; i++)
			all[n_past + i] = held[i];
		if (!locks_cover(all, n_past + n_held, start, end))
			rc = -ENOENT;
	}
	free(all);
	free(held);
	free(past);
	return rc;
}

int ulm_recovery_begin(ulm_env *env, uint32_t node, uint32_t before_epoch)
{
	struct recovery_set *set;
	struct recovery_entry *e, *grown;
	int rc = 0;

	if (!env)
		return -EINVAL;
	set = &env->recovering;
	pthread_rwlock_wrlock(&set->lock);
	e = entry_find(set, node);
	if (!e && set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 4;

		grown = realloc(set->entries, cap * sizeof(*grown));
		if (grown) {
			set->entries = grown;
			set->cap = cap;
		} else {
			rc = -ENOMEM;
		}
	}
	if (!rc && !e) {
		e = &set->entries[set->n];
		e->node = node;
		__atomic_store_n(&set->n, set->n + 1, __ATOMIC_RELEASE);
	}
	if (!rc)
		e->before_epoch = before_epoch;
	pthread_rwlock_unlock(&set->lock);
	return rc;
}

int ulm_recovery_end(ulm_env *env, uint32_t node)
{
	struct recovery_set *set;
	struct recovery_entry *e;

	if (!env)
		return -EINVAL;
	set = &env->recovering;
	pthread_rwlock_wrlock(&set->lock);
	e = entry_find(set, node);
	if (e) {
		*e = set->entries[set->n - 1];
		__atomic_store_n(&set->n, set->n - 1, __ATOMIC_RELEASE);
	}
	pthread_rwlock_unlock(&set->lock);
	return 0;
}

bool ulm_recovery_epoch(ulm_env *env, uint32_t node, uint32_t *before_epoch)
{
	const struct recovery_entry *e;

	if (!env)
		return false;
	pthread_rwlock_rdlock(&env->recovering.lock);
	e = entry_find(&env->recovering, node);
	if (e && before_epoch)
		*before_epoch = e->before_epoch;
	pthread_rwlock_unlock(&env->recovering.lock);
	return e != NULL;
}

int ulm_recovery_list(ulm_env *env, ulm_recovery_visit_fn visit, void *arg)
{
	int rc = 0;

	if (!env || !visit)
		return -EINVAL;
	pthread_rwlock_rdlock(&env->recovering.lock);
	for (size_t i = 0; !rc && i < env->recovering.n; i++)
		rc = visit(env->recovering.entries[i].node,
			   env->recovering.entries[i].before_epoch, arg);
	pthread_rwlock_unlock(&env->recovering.lock);
	return rc;
}
