/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "call_bound.h"
#include "engine.h"

int key_validate(const struct ulm_key *file)
{
	return file && file->data && file->len >= 1 && file->len <= ULM_KEY_MAX
		       ? 0
		       : -EINVAL;
}

/* A fenced node refuses at once: the store may be out of its reach, and
 * a change would wait on it only to be refused. */
int env_writable(const ulm_env *env)
{
	if (!env)
		return -EINVAL;
	if (env->read_only)
		return -EROFS;
	return ulm_env_live(env) ? 0 : ULM_EFENCED;
}

int frozen_gate(ulm_env *env, const struct ulm_table *t, unsigned flags)
{
	struct ulm_key file;
	int frozen;

	if ((flags & ULM_FLAG_RECLAIM) || !env->ops->file_frozen)
		return 0;
	table_key(t, &file);
	frozen = env->ops->file_frozen(env->store, &file);
	return frozen > 0 ? ULM_EGRACE : frozen;
}

/* Every lost race means another writer's op went through, so the retry
 * loop ends. The call answers within the store's bound: past it, a lost
 * race or a file busy with another call here is not waited for. */
int with_table(ulm_env *env, const struct ulm_key *file, table_op_fn fn,
	       void *arg)
{
	uint64_t hash = cache_key_hash(file);
	uint64_t outer = call_bound_begin(env->store->call_ms);
	struct cache_bucket *bucket = cache_lock(env, hash);
	struct ulm_table *table = NULL;
	int rc = bucket ? 0 : -ETIMEDOUT;

	while (bucket) {
		rc = cache_table(env, bucket, file, hash, &table);
		if (!rc) {
			rc = fn(env, table, arg);
			if (rc == -ECANCELED)
				table->stale = true;
		}
		if (rc != -ECANCELED)
			break;
		if (call_bound_passed()) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	if (table)
		cache_put(bucket, table);
	if (bucket)
		cache_unlock(bucket);
	call_bound_end(outer);
	return rc;
}

/* A grant waits for the file's kept releases first, within one bound. */
int with_grantable_table(ulm_env *env, const struct ulm_key *file,
			 table_op_fn fn, void *arg)
{
	uint64_t outer;
	int rc = env_writable(env);

	if (rc)
		return rc;
	outer = call_bound_begin(env->store->call_ms);
	rc = backlog_settle(env, file);
	if (!rc)
		rc = with_table(env, file, fn, arg);
	call_bound_end(outer);
	return rc;
}

static void free_locks(struct ulm_lock **locks, size_t n)
{
	for (size_t i = 0; locks && i < n; i++)
		free(locks[i]);
	free(locks);
}

static struct ulm_lock **alloc_locks(size_t n)
{
	struct ulm_lock **locks = calloc(n ? n : 1, sizeof(*locks));

	for (size_t i = 0; locks && i < n; i++) {
		locks[i] = lock_alloc();
		if (!locks[i]) {
			free_locks(locks, i);
			return NULL;
		}
	}
	return locks;
}

static struct ulm_towner *put_towner(const struct change *c, size_t i,
				     struct ulm_towner *owner)
{
	return c->put_owner && c->put_owner[i] ? c->put_owner[i] : owner;
}

static void apply_change(struct ulm_table *t, const struct change *c,
			 struct ulm_towner *owner, struct ulm_lock **fresh)
{
	/* Insert before deleting: the owner lives while it has a record. */
	for (size_t i = 0; i < c->n_put; i++) {
		lock_from_record(fresh[i], &c->put[i]);
		fresh[i]->owner = put_towner(c, i, owner);
		table_insert(t, fresh[i]);
	}
	for (size_t i = 0; i < c->n_del; i++)
		table_delete(t, c->del[i]);
}

/* Everything that can fail is done before the op runs; once the store
 * took it, applying cannot fail. */
int commit(ulm_env *env, struct ulm_table *t, struct change *c)
{
	struct ulm_towner *owner = NULL, *new_owner = NULL;
	struct ulm_lock **fresh = alloc_locks(c->n_put);
	struct ulm_store_op op;
	struct ulm_key file;
	int rc = -ENOMEM;

	if (!fresh)
		return rc;
	if (c->n_put) {
		owner = owner_set_find(&t->owners, c->owner);
		if (!owner)
			owner = new_owner = table_towner_create(c->owner);
		if (!owner)
			goto out;
	}
	table_key(t, &file);
	rc = store_op_init(&op, &file, t->version, c->n_del, c->n_put);
	if (rc)
		goto out;
	for (size_t i = 0; i < c->n_del; i++)
		store_op_delete(&op, c->del[i]->key.id);
	for (size_t i = 0; i < c->n_put; i++) {
		if (put_towner(c, i, NULL))
			towner_view(c->put_owner[i], &c->put[i].owner);
		else
			c->put[i].owner = *c->owner;
		store_op_put(&op, &c->put[i]);
	}
	rc = STORE_TIMED(env, ULM_STORE_CALL_WRITE,
			 env->ops->op_execute(env->store, &op));
	if (!rc) {
		/* Point of no return. */
		for (size_t i = 0; i < c->n_put; i++)
			c->put[i].id = op.put[i].id;
		apply_change(t, c, owner, fresh);
		t->version = op.new_version;
		free(fresh); /* the records now belong to the table */
		fresh = NULL;
		new_owner = NULL;
	}
	store_op_fini(&op);
out:
	free_locks(fresh, c->n_put);
	free(new_owner);
	return rc;
}

void record_init(struct ulm_record *rec, const ulm_env *env,
		 enum ulm_record_type type, uint64_t start, uint64_t end)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	rec->start = start;
	rec->end = end;
	rec->node = env->node_id;
	rec->epoch = env->epoch;
}

void conflict_report(const struct ulm_lock *lock, struct ulm_lock_info *info)
{
	if (info)
		lock_to_info(lock, info);
}

struct recall_ctx {
	ulm_env *env;
	const struct ulm_table *t;
};

static void recall_post(const struct ulm_lock *deleg, void *arg)
{
	const struct recall_ctx *ctx = arg;

	event_post(ctx->env, ULM_EVENT_RECALL, ctx->t, deleg);
}

int conflict_answer(ulm_env *env, const struct ulm_table *t,
		    const struct conflict_req *req,
		    struct ulm_lock_info *conflict)
{
	struct recall_ctx ctx;
	enum conflict_result why;
	const struct ulm_lock *l = conflict_find(t, req, &why);

	if (!l)
		return 0;
	conflict_report(l, conflict);
	if (why == CONFLICT_HELD)
		return -EAGAIN;
	if (why == CONFLICT_GRACE)
		return ULM_EGRACE;
	ctx.env = env;
	ctx.t = t;
	conflict_each_recall(t, req, recall_post, &ctx);
	return ULM_EDELEG;
}

int whole_record_set(ulm_env *env, struct ulm_table *t,
		     const struct ulm_owner *owner, unsigned types,
		     struct ulm_record *rec, bool handover)
{
	const struct ulm_towner *self = owner_set_find(&t->owners, owner);
	struct ulm_lock *mine = table_owner_whole(self, types);
	struct change c = {owner, NULL, 0, rec, 1, NULL};
	struct ulm_lock **past;
	size_t n_past;
	int rc;

	/* Unchanged: nothing to write. A reclaim after a restart is a
	 * change: the record must move to the new epoch (or the purge after
	 * grace takes it) and say it was reclaimed. */
	if (mine && mine->type == rec->type && mine->access == rec->access &&
	    mine->deny == rec->deny && mine->node == rec->node &&
	    mine->epoch == rec->epoch && mine->flags == rec->flags &&
	    !lock_unreclaimed(&env->recovering, mine))
		return 0;
	rc = recovery_past(&env->recovering, t, owner, types, 0, ULM_EOF,
			   handover, &past, &n_past);
	if (rc)
		return rc;
	/* The owner's own record goes, and so does its identity's past on
	 * any node (its own record is among them if unreclaimed) and, with
	 * @p handover, what it takes over. */
	c.del = malloc((n_past + 1) * sizeof(*c.del));
	if (!c.del) {
		free(past);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_past; i++)
		c.del[c.n_del++] = past[i];
	if (mine && !lock_unreclaimed(&env->recovering, mine))
		c.del[c.n_del++] = mine;
	rc = commit(env, t, &c);
	free(c.del);
	free(past);
	return rc;
}

int whole_record_drop(ulm_env *env, struct ulm_table *t,
		      const struct ulm_owner *owner, unsigned types)
{
	const struct ulm_towner *self = owner_set_find(&t->owners, owner);
	struct ulm_lock *del[1] = {table_owner_whole(self, types)};
	struct change c = {owner, del, 1, NULL, 0, NULL};

	return del[0] ? commit(env, t, &c) : 0;
}
