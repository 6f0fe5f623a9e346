/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The lock engine: validate at the boundary, plan against the file's
 * table, then write the plan to the store as one op and apply it to the
 * table only once the store took it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "env.h"

struct undo_rec {
	uint64_t start;
	uint64_t end;
	uint64_t id;
	uint32_t node;
	uint32_t epoch;
	enum ulm_lock_type type;
};

struct ulm_undo {
	struct ulm_key file;
	struct ulm_owner owner;
	size_t n_added;
	struct undo_rec added[RANGE_PLAN_MAX_ADD];
	size_t n_removed;
	struct undo_rec *removed;
	uint8_t bytes[]; /* removed[], file key, client, owner */
};

int key_validate(const struct ulm_key *file)
{
	return file && file->data && file->len >= 1 && file->len <= ULM_KEY_MAX
		       ? 0
		       : -EINVAL;
}

static int request_validate(const struct ulm_key *file,
			    const struct ulm_owner *owner, uint64_t start,
			    uint64_t end)
{
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc)
		rc = range_validate(start, end);
	return rc;
}

static int type_validate(enum ulm_lock_type type)
{
	return type == ULM_LOCK_READ || type == ULM_LOCK_WRITE ? 0 : -EINVAL;
}

typedef int (*table_op_fn)(ulm_env *env, struct ulm_table *table, void *arg);

/* Run @fn on the file's fresh table; when the store moved under the plan
 * (-ECANCELED), re-read and plan again. That ends: every lost race means
 * another writer's op went through. */
static int with_table(ulm_env *env, const struct ulm_key *file, table_op_fn fn,
		      void *arg)
{
	uint64_t hash = cache_key_hash(file);
	struct cache_bucket *bucket = cache_lock(env, hash);
	struct ulm_table *table = NULL;
	int rc;

	do {
		rc = cache_table(env, bucket, file, hash, &table);
		if (!rc) {
			rc = fn(env, table, arg);
			if (rc == -ECANCELED)
				table->stale = true;
		}
	} while (rc == -ECANCELED);
	if (table)
		cache_put(bucket, table);
	cache_unlock(bucket);
	return rc;
}

/* A change of one file by one owner (no puts: any owners). */
struct change {
	const struct ulm_owner *owner;
	struct ulm_lock **del;
	size_t n_del;
	struct ulm_record *put;
	size_t n_put;
};

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

static void apply_change(struct ulm_table *t, const struct change *c,
			 struct ulm_towner *owner, struct ulm_lock **fresh)
{
	/* Insert before deleting: the owner lives while it has a lock. */
	for (size_t i = 0; i < c->n_put; i++) {
		struct ulm_lock *l = fresh[i];
		const struct ulm_record *r = &c->put[i];

		l->key.start = r->start;
		l->key.end = r->end;
		l->key.id = r->id;
		l->owner = owner;
		l->node = r->node;
		l->epoch = r->epoch;
		l->type = r->type;
		table_insert(t, l);
	}
	for (size_t i = 0; i < c->n_del; i++)
		table_delete(t, c->del[i]);
}

/* Write @c to the store, then to the table. Everything that can fail is
 * done before the op runs; once the store took it, applying cannot fail.
 * On success c->put[].id holds the new ids. */
static int commit(ulm_env *env, struct ulm_table *t, struct change *c)
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
		c->put[i].owner = *c->owner;
		store_op_put(&op, &c->put[i]);
	}
	rc = env->ops->op_execute(env->store, &op);
	if (!rc) {
		/* Point of no return. */
		for (size_t i = 0; i < c->n_put; i++)
			c->put[i].id = op.put[i].id;
		apply_change(t, c, owner, fresh);
		t->version = op.new_version;
		free(fresh); /* the locks now belong to the table */
		fresh = NULL;
		new_owner = NULL;
	}
	store_op_fini(&op);
out:
	free_locks(fresh, c->n_put);
	free(new_owner);
	return rc;
}

static void record_from_span(struct ulm_record *rec,
			     const struct ulm_span *span, uint32_t node,
			     uint32_t epoch)
{
	rec->id = 0;
	rec->type = span->type;
	rec->start = span->start;
	rec->end = span->end;
	rec->node = node;
	rec->epoch = epoch;
}

static void undo_rec_from_lock(struct undo_rec *u, const struct ulm_lock *l)
{
	u->start = l->key.start;
	u->end = l->key.end;
	u->id = l->key.id;
	u->node = l->node;
	u->epoch = l->epoch;
	u->type = l->type;
}

static struct ulm_undo *undo_alloc(const struct ulm_table *t,
				   const struct ulm_owner *owner,
				   size_t n_removed)
{
	size_t rec_bytes = n_removed * sizeof(struct undo_rec);
	struct ulm_undo *u = malloc(sizeof(*u) + rec_bytes + t->key_len +
				    owner->client_len + owner->owner_len);
	uint8_t *p;

	if (!u)
		return NULL;
	u->n_added = 0;
	u->n_removed = n_removed;
	u->removed = (struct undo_rec *)u->bytes;
	p = u->bytes + rec_bytes;
	u->file.data = memcpy(p, t->key, t->key_len);
	u->file.len = t->key_len;
	p += t->key_len;
	u->owner = *owner;
	u->owner.client = memcpy(p, owner->client, owner->client_len);
	p += owner->client_len;
	u->owner.owner = memcpy(p, owner->owner, owner->owner_len);
	return u;
}

struct lock_request {
	const struct ulm_owner *owner;
	struct ulm_span span;
	struct ulm_lock_info *conflict;
	ulm_undo **undo;
};

static int check_conflict(const struct ulm_table *t,
			  const struct lock_request *req)
{
	const struct ulm_towner *self = owner_set_find(&t->owners, req->owner);
	const struct ulm_lock *c = table_first_conflict(t, self, &req->span);

	if (!c)
		return 0;
	if (req->conflict)
		lock_to_info(c, req->conflict);
	return -EAGAIN;
}

static int test_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	(void)env;
	return check_conflict(t, arg);
}

/* An owner's change of [start, end]: its locks near the range, the plan,
 * and the change that carries the plan out. */
struct owner_change {
	struct ulm_lock **near;
	struct ulm_span *spans;
	bool *remove;
	size_t n;
	struct range_plan plan;
	struct ulm_record put[RANGE_PLAN_MAX_ADD];
	struct change change;
};

static int owner_change_prepare(struct owner_change *oc,
				const struct ulm_table *t,
				const struct ulm_owner *owner, uint64_t start,
				uint64_t end)
{
	const struct ulm_towner *towner = owner_set_find(&t->owners, owner);
	int rc;

	memset(oc, 0, sizeof(*oc));
	oc->change.owner = owner;
	rc = table_owner_locks(towner, start, end, &oc->near, &oc->n);
	if (rc)
		return rc;
	oc->spans = malloc((oc->n ? oc->n : 1) * sizeof(*oc->spans));
	oc->remove = malloc((oc->n ? oc->n : 1) * sizeof(*oc->remove));
	oc->change.del = malloc((oc->n ? oc->n : 1) * sizeof(*oc->near));
	if (!oc->spans || !oc->remove || !oc->change.del)
		return -ENOMEM;
	for (size_t i = 0; i < oc->n; i++)
		lock_span(oc->near[i], &oc->spans[i]);
	return 0;
}

/* Turn the plan into the change: deletes, then the added pieces with
 * their provenance (a remnant keeps the node and epoch it was made in). */
static void owner_change_build(struct owner_change *oc, const ulm_env *env)
{
	struct change *c = &oc->change;

	for (size_t i = 0; i < oc->n; i++)
		if (oc->remove[i])
			c->del[c->n_del++] = oc->near[i];
	for (size_t i = 0; i < oc->plan.n_add; i++) {
		const struct range_piece *p = &oc->plan.add[i];
		const struct ulm_lock *src =
			p->source < 0 ? NULL : oc->near[p->source];

		record_from_span(&oc->put[i], &p->span,
				 src ? src->node : env->node_id,
				 src ? src->epoch : env->epoch);
	}
	c->put = oc->put;
	c->n_put = oc->plan.n_add;
}

static void owner_change_fini(struct owner_change *oc)
{
	free(oc->near);
	free(oc->spans);
	free(oc->remove);
	free(oc->change.del);
}

static int undo_prepare(const struct ulm_table *t,
			const struct lock_request *req, const struct change *c,
			struct ulm_undo **out)
{
	struct ulm_undo *u;

	*out = NULL;
	if (!req->undo)
		return 0;
	u = undo_alloc(t, req->owner, c->n_del);
	if (!u)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_del; i++)
		undo_rec_from_lock(&u->removed[i], c->del[i]);
	*out = u;
	return 0;
}

static void undo_finish(struct ulm_undo *u, const struct change *c)
{
	u->n_added = c->n_put;
	for (size_t i = 0; i < c->n_put; i++) {
		const struct ulm_record *r = &c->put[i];

		u->added[i] = (struct undo_rec){r->start, r->end,   r->id,
						r->node,  r->epoch, r->type};
	}
}

static int acquire_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct lock_request *req = arg;
	struct ulm_undo *undo = NULL;
	struct owner_change oc;
	uint64_t wstart, wend;
	int rc = check_conflict(t, req);

	if (rc)
		return rc;
	range_widen(req->span.start, req->span.end, &wstart, &wend);
	rc = owner_change_prepare(&oc, t, req->owner, wstart, wend);
	if (!rc) {
		range_plan_acquire(&req->span, oc.spans, oc.n, oc.remove,
				   &oc.plan);
		owner_change_build(&oc, env);
		rc = undo_prepare(t, req, &oc.change, &undo);
	}
	if (!rc)
		rc = commit(env, t, &oc.change);
	if (!rc && undo) {
		undo_finish(undo, &oc.change);
		*req->undo = undo;
		undo = NULL;
	}
	ulm_undo_free(undo);
	owner_change_fini(&oc);
	return rc;
}

int ulm_lock_acquire(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, enum ulm_lock_type type,
		     uint64_t start, uint64_t end,
		     struct ulm_lock_info *conflict, ulm_undo **undo)
{
	struct lock_request req = {owner, {start, end, type}, conflict, undo};
	int rc = request_validate(file, owner, start, end);

	if (undo)
		*undo = NULL;
	if (!rc)
		rc = type_validate(type);
	if (!rc && (!env || env->read_only))
		rc = env ? -EROFS : -EINVAL;
	if (!rc)
		rc = with_table(env, file, acquire_op, &req);
	return rc;
}

int ulm_lock_test(ulm_env *env, const struct ulm_key *file,
		  const struct ulm_owner *owner, enum ulm_lock_type type,
		  uint64_t start, uint64_t end, struct ulm_lock_info *conflict)
{
	struct lock_request req = {owner, {start, end, type}, conflict, NULL};
	int rc = request_validate(file, owner, start, end);

	if (!rc)
		rc = type_validate(type);
	if (!rc && !env)
		rc = -EINVAL;
	if (!rc)
		rc = with_table(env, file, test_op, &req);
	return rc;
}

static int release_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct lock_request *req = arg;
	struct owner_change oc;
	int rc = owner_change_prepare(&oc, t, req->owner, req->span.start,
				      req->span.end);

	if (!rc) {
		range_plan_release(req->span.start, req->span.end, oc.spans,
				   oc.n, oc.remove, &oc.plan);
		owner_change_build(&oc, env);
		/* Releasing what is not held writes nothing. */
		if (oc.change.n_del)
			rc = commit(env, t, &oc.change);
	}
	owner_change_fini(&oc);
	return rc;
}

int ulm_lock_release(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, uint64_t start,
		     uint64_t end)
{
	struct lock_request req = {
		owner, {start, end, ULM_LOCK_READ}, NULL, NULL};
	int rc = request_validate(file, owner, start, end);

	if (!rc && (!env || env->read_only))
		rc = env ? -EROFS : -EINVAL;
	if (!rc)
		rc = with_table(env, file, release_op, &req);
	return rc;
}

/* The owner's current lock that an undo added, or NULL if it changed. */
static struct ulm_lock *find_added(const struct ulm_towner *towner,
				   const struct undo_rec *a)
{
	struct ulm_lock **locks, *found = NULL;
	size_t n;

	if (table_owner_locks(towner, a->start, a->start, &locks, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (locks[i]->key.id == a->id && locks[i]->key.end == a->end &&
		    locks[i]->type == a->type)
			found = locks[i];
	free(locks);
	return found;
}

static bool is_added(const struct ulm_undo *u, const struct ulm_lock *l)
{
	for (size_t i = 0; i < u->n_added; i++)
		if (u->added[i].id == l->key.id)
			return true;
	return false;
}

/* May @r come back? Not over another owner's conflicting lock, and not
 * over or beside a same-type lock the owner took since. */
static int undo_restorable(const struct ulm_table *t,
			   const struct ulm_towner *towner,
			   const struct ulm_undo *u, const struct undo_rec *r)
{
	struct ulm_span span = {r->start, r->end, r->type};
	struct ulm_lock **near;
	uint64_t wstart, wend;
	size_t n;
	int rc;

	if (table_first_conflict(t, towner, &span))
		return -EAGAIN;
	range_widen(r->start, r->end, &wstart, &wend);
	rc = table_owner_locks(towner, wstart, wend, &near, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct ulm_lock *l = near[i];

		if (!is_added(u, l) &&
		    (l->type == r->type ||
		     range_overlap(l->key.start, l->key.end, r->start, r->end)))
			rc = -EAGAIN;
	}
	free(near);
	return rc;
}

static int undo_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct ulm_undo *u = arg;
	const struct ulm_towner *towner = owner_set_find(&t->owners, &u->owner);
	struct ulm_lock *del[RANGE_PLAN_MAX_ADD];
	struct change c = {&u->owner, del, u->n_added, NULL, u->n_removed};
	int rc = 0;

	for (size_t i = 0; !rc && i < u->n_added; i++) {
		del[i] = find_added(towner, &u->added[i]);
		if (!del[i])
			rc = -EAGAIN;
	}
	for (size_t i = 0; !rc && i < u->n_removed; i++)
		rc = undo_restorable(t, towner, u, &u->removed[i]);
	if (rc)
		return rc;
	c.put = malloc((u->n_removed ? u->n_removed : 1) * sizeof(*c.put));
	if (!c.put)
		return -ENOMEM;
	for (size_t i = 0; i < u->n_removed; i++) {
		const struct undo_rec *r = &u->removed[i];
		struct ulm_span span = {r->start, r->end, r->type};

		record_from_span(&c.put[i], &span, r->node, r->epoch);
	}
	rc = commit(env, t, &c);
	free(c.put);
	return rc;
}

int ulm_undo_apply(ulm_env *env, ulm_undo *undo)
{
	int rc = -EINVAL;

	if (env && undo)
		rc = env->read_only
			     ? -EROFS
			     : with_table(env, &undo->file, undo_op, undo);
	ulm_undo_free(undo);
	return rc;
}

void ulm_undo_free(ulm_undo *undo)
{
	free(undo);
}

struct list_ctx {
	ulm_env *env;
	ulm_lock_visit_fn visit;
	void *arg;
	const struct ulm_key *file;
	struct ulm_lock_info *info;
	int corrupt; /* a file that failed to load, when listing all */
};

static int list_visit(struct ulm_lock *lock, void *arg)
{
	struct list_ctx *ctx = arg;

	lock_to_info(lock, ctx->info);
	return ctx->visit(ctx->file, ctx->info, ctx->arg);
}

static int list_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct list_ctx *ctx = arg;
	struct ulm_key file;

	(void)env;
	table_key(t, &file);
	ctx->file = &file;
	return table_walk(t, list_visit, ctx);
}

/* Listing every file goes on past a corrupt one, and says so at the end. */
static int list_file(const struct ulm_key *file, void *arg)
{
	struct list_ctx *ctx = arg;
	int rc = with_table(ctx->env, file, list_op, ctx);

	if (rc == ULM_ECORRUPT) {
		ctx->corrupt = rc;
		rc = 0;
	}
	return rc;
}

int ulm_lock_list(ulm_env *env, const struct ulm_key *file,
		  ulm_lock_visit_fn visit, void *arg)
{
	struct list_ctx ctx = {env, visit, arg, NULL, NULL, 0};
	int rc;

	if (!env || !visit || (file && key_validate(file)))
		return -EINVAL;
	/* One lock_info is over 2 KiB: not on the caller's stack. */
	ctx.info = malloc(sizeof(*ctx.info));
	if (!ctx.info)
		return -ENOMEM;
	if (file)
		rc = with_table(env, file, list_op, &ctx);
	else
		rc = cache_for_each_file(env, list_file, &ctx);
	free(ctx.info);
	return rc ? rc : ctx.corrupt;
}

struct purge_ctx {
	ulm_env *env;
	uint32_t node;
	uint32_t before_epoch;
	uint64_t purged;
	struct ulm_lock **del;
	size_t n_del;
};

static int purge_collect(struct ulm_lock *lock, void *arg)
{
	struct purge_ctx *ctx = arg;

	if (lock->node == ctx->node && lock->epoch < ctx->before_epoch)
		ctx->del[ctx->n_del++] = lock;
	return 0;
}

static int purge_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct purge_ctx *ctx = arg;
	struct change c = {NULL, NULL, 0, NULL, 0};
	int rc = 0;

	ctx->del = malloc((t->count ? t->count : 1) * sizeof(*ctx->del));
	if (!ctx->del)
		return -ENOMEM;
	ctx->n_del = 0;
	table_walk(t, purge_collect, ctx);
	c.del = ctx->del;
	c.n_del = ctx->n_del;
	if (c.n_del)
		rc = commit(env, t, &c);
	if (!rc)
		ctx->purged += c.n_del;
	free(ctx->del);
	return rc;
}

static int purge_file(const struct ulm_key *file, void *arg)
{
	struct purge_ctx *ctx = arg;

	return with_table(ctx->env, file, purge_op, ctx);
}

int ulm_node_purge(ulm_env *env, uint32_t node, uint32_t before_epoch,
		   uint64_t *purged)
{
	struct purge_ctx ctx = {env, node, before_epoch, 0, NULL, 0};
	int rc;

	if (purged)
		*purged = 0;
	if (!env)
		return -EINVAL;
	if (env->read_only)
		return -EROFS;
	rc = cache_for_each_file(env, purge_file, &ctx);
	if (purged)
		*purged = ctx.purged;
	return rc;
}
