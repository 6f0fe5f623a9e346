/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Whole-table walks: listing every record, and purging a node's orphans. */
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

int ulm_node_purge(ulm_env *env, uint32_t node, uint32_t before_epoch,
		   uint64_t *purged)
{
	struct purge_ctx ctx = {env, node, before_epoch, 0, NULL, 0};
	int rc;

	if (purged)
		*purged = 0;
	rc = env_writable(env);
	if (rc)
		return rc;
	rc = cache_for_each_file(env, purge_file, &ctx);
	if (purged)
		*purged = ctx.purged;
	return rc;
}
