/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The nodes sharing a store: this node's liveness, and the list of all. */
#include <errno.h>
#include <string.h>
#include "env.h"

bool ulm_env_live(const ulm_env *env)
{
	if (!env || env->read_only)
		return false;
	return !env->ops->live || env->ops->live(env->store);
}

int ulm_node_list(ulm_env *env, ulm_node_visit_fn visit, void *arg)
{
	if (!env || !visit)
		return -EINVAL;
	return env->ops->node_list(env->store, visit, arg);
}

void ulm_env_stats(ulm_env *env, struct ulm_env_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->fenced = !ulm_env_live(env);
	if (!env || env->read_only)
		return;
	if (env->ops->fence_stats)
		env->ops->fence_stats(env->store, &st->fences, &st->fenced_ms);
	st->lapsed =
		st->fenced && env->ops->lapsed && env->ops->lapsed(env->store);
	backlog_stats(env, st);
}
