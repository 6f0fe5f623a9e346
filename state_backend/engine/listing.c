/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Whole-table walks: listing every record, purging a node's orphans,
 * counting what a recovering node has left to reclaim. */
#include <errno.h>
#include <stdlib.h>
#include "engine.h"

struct list_ctx {
	ulm_env *env;
	ulm_lock_visit_fn visit;
	void *arg;
	const struct ulm_key *file;
	struct ulm_lock_info *info;
	int corrupt; /* a file that failed to load, when listing all */
};

struct gather {
	struct ulm_lock **locks;
	size_t n;
};

static int gather_visit(struct ulm_lock *lock, void *arg)
{
	struct gather *g = arg;

	g->locks[g->n++] = lock;
	return 0;
}

/* A queued request lists at its place in the queue (a renewed one keeps
 * its place but not its id); any other record at its id. */
static uint64_t list_place(const struct ulm_lock *l)
{
	return (TYPES_WAIT & TYPE_BIT(l->type)) ? waiter_place(l) : l->key.id;
}

static int list_order(const void *a, const void *b)
{
	const struct ulm_lock *x = *(struct ulm_lock *const *)a;
	const struct ulm_lock *y = *(struct ulm_lock *const *)b;
	uint64_t px = list_place(x), py = list_place(y);

	if (x->key.start != y->key.start)
		return x->key.start < y->key.start ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return (x->key.id > y->key.id) - (x->key.id < y->key.id);
}

/* Ascending start; queued requests of one start in queue order. */
static int list_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct list_ctx *ctx = arg;
	struct gather g = {malloc((t->count ? t->count : 1) * sizeof(*g.locks)),
			   0};
	struct ulm_key file;
	int rc = 0;

	(void)env;
	if (!g.locks)
		return -ENOMEM;
	table_key(t, &file);
	ctx->file = &file;
	table_walk(t, gather_visit, &g);
	qsort(g.locks, g.n, sizeof(*g.locks), list_order);
	for (size_t i = 0; !rc && i < g.n; i++) {
		lock_to_info(g.locks[i], ctx->info);
		rc = ctx->visit(ctx->file, ctx->info, ctx->arg);
	}
	free(g.locks);
	return rc;
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

/* @p op on a table of a file's records as a scan read them. */
static int scanned_op(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_record *recs, size_t n, table_op_fn op,
		      void *arg)
{
	struct ulm_table *t = cache_table_of(file, recs, n);
	int rc;

	if (!t)
		return -ENOMEM;
	rc = op(env, t, arg);
	table_destroy(t);
	return rc;
}

/* A file as the store's scan read it, or, if it could not, as a lock
 * call reads it. */
static int list_scanned(const struct ulm_key *file,
			const struct ulm_record *recs, size_t n, bool frozen,
			void *arg)
{
	struct list_ctx *ctx = arg;

	(void)frozen;
	if (!recs)
		return list_file(file, arg);
	return scanned_op(ctx->env, file, recs, n, list_op, ctx);
}

/* A whole listing reads each file once, without joining it: a scan if
 * the store has one. */
static int list_all(ulm_env *env, struct list_ctx *ctx)
{
	if (env->ops->file_scan)
		return env->ops->file_scan(env->store, list_scanned, ctx);
	return cache_for_each_file(env, list_file, ctx);
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
		rc = list_all(env, &ctx);
	free(ctx.info);
	return rc ? rc : ctx.corrupt;
}

int ulm_lock_list_cached(ulm_env *env, ulm_lock_visit_fn visit, void *arg)
{
	struct list_ctx ctx = {env, visit, arg, NULL, NULL, 0};
	int rc;

	if (!env || !visit)
		return -EINVAL;
	ctx.info = malloc(sizeof(*ctx.info));
	if (!ctx.info)
		return -ENOMEM;
	rc = cache_each_table(env, list_op, &ctx);
	free(ctx.info);
	return rc;
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

/* The node's stale token goes with its records, unfreezing the file;
 * its waiters are woken as after a purge of records (*woken += 1). */
static int purge_token(ulm_env *env, const struct ulm_table *t,
		       const struct purge_ctx *ctx, size_t *woken)
{
	struct ulm_key file;
	int rc;

	if (!env->ops->token_purge)
		return 0;
	table_key(t, &file);
	rc = env->ops->token_purge(env->store, &file, ctx->node,
				   ctx->before_epoch);
	*woken += rc > 0;
	return rc < 0 ? rc : 0;
}

static int purge_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct purge_ctx *ctx = arg;
	struct change c = {NULL, NULL, 0, NULL, 0, NULL};
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
	if (!rc)
		rc = purge_token(env, t, ctx, &c.n_del);
	/* Requests queued behind the orphans may now go. */
	if (!rc && c.n_del)
		queue_wake(env, t, 0, ULM_EOF);
	free(ctx->del);
	return rc;
}

static int purge_file(const struct ulm_key *file, void *arg)
{
	struct purge_ctx *ctx = arg;

	return with_table(ctx->env, file, purge_op, ctx);
}

/* A file as the store's purge scan read it: the node's orphans to remove.
 * Requests queued behind them (or behind the token going) are woken by
 * the engine's own purge of the file; so is a file the store cannot
 * write alone (recs NULL). */
static int purge_plan(const struct ulm_key *file, const struct ulm_record *recs,
		      size_t n, bool token, uint64_t *del, void *arg)
{
	struct purge_ctx *ctx = arg;
	bool queued = false;
	int n_del = 0;

	if (!recs)
		return purge_file(file, arg);
	for (size_t i = 0; i < n; i++)
		if (recs[i].node == ctx->node &&
		    recs[i].epoch < ctx->before_epoch)
			del[n_del++] = recs[i].id;
		else
			queued |= (TYPES_WAIT & TYPE_BIT(recs[i].type)) != 0;
	return (n_del || token) && queued ? -ECANCELED : n_del;
}

int ulm_node_purge(ulm_env *env, uint32_t node, uint32_t before_epoch,
		   uint64_t *purged)
{
	struct purge_ctx ctx = {env, node, before_epoch, 0, NULL, 0};
	uint64_t by_store = 0;
	int rc;

	if (purged)
		*purged = 0;
	rc = env_writable(env);
	if (rc)
		return rc;
	if (env->ops->node_purge_scan)
		rc = env->ops->node_purge_scan(env->store, node, before_epoch,
					       purge_plan, &ctx, &by_store);
	else
		rc = cache_for_each_file(env, purge_file, &ctx);
	if (purged)
		*purged = ctx.purged + by_store;
	return rc;
}

struct pending_ctx {
	ulm_env *env;
	uint32_t node;
	uint64_t records;
};

static int pending_visit(struct ulm_lock *lock, void *arg)
{
	struct pending_ctx *ctx = arg;

	if (lock->node == ctx->node && !(TYPES_WAIT & TYPE_BIT(lock->type)) &&
	    lock_unreclaimed(&ctx->env->recovering, lock))
		ctx->records++;
	return 0;
}

static int pending_count(ulm_env *env, struct ulm_table *t, void *arg)
{
	(void)env;
	return table_walk(t, pending_visit, arg);
}

/* A frozen file counts too: a dead node's token may hide grants it made
 * in memory, which its clients have yet to reclaim (no early end). */
static int pending_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct pending_ctx *ctx = arg;
	int frozen = recovery_file_frozen(env, t);

	if (frozen < 0)
		return frozen;
	ctx->records += (uint64_t)frozen;
	return pending_count(env, t, arg);
}

static int pending_file(const struct ulm_key *file, void *arg)
{
	struct pending_ctx *ctx = arg;

	return with_table(ctx->env, file, pending_op, ctx);
}

/* A file as the store's scan read it, or, if it could not, as a lock
 * call reads it. */
static int pending_scanned(const struct ulm_key *file,
			   const struct ulm_record *recs, size_t n, bool frozen,
			   void *arg)
{
	struct pending_ctx *ctx = arg;

	if (!recs)
		return pending_file(file, arg);
	ctx->records += frozen;
	return scanned_op(ctx->env, file, recs, n, pending_count, ctx);
}

/* A scan reads each file once without joining it: what another live
 * node's token holds back can only be records it took over or cut
 * (reclaims), never new unreclaimed ones out of none, so the count is
 * never 0 while some are left. */
int ulm_recovery_pending(ulm_env *env, uint32_t node, uint64_t *records)
{
	struct pending_ctx ctx = {env, node, 0};
	struct purge_ctx plan = {env, node, 0, 0, NULL, 0};
	int rc;

	if (!env || !records)
		return -EINVAL;
	*records = 0;
	if (!ulm_recovery_epoch(env, node, &plan.before_epoch))
		return 0;
	/* The store may keep the purge's plan from this scan's reads. */
	if (env->ops->recovery_scan)
		rc = env->ops->recovery_scan(env->store, node,
					     plan.before_epoch, pending_scanned,
					     &ctx, purge_plan, &plan);
	else if (env->ops->file_scan)
		rc = env->ops->file_scan(env->store, pending_scanned, &ctx);
	else
		rc = cache_for_each_file(env, pending_file, &ctx);
	*records = ctx.records;
	return rc;
}
