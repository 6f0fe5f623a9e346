/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include "env.h"

static const struct ulm_store_ops *store_ops(enum ulm_store_kind kind)
{
	switch (kind) {
	case ULM_STORE_MEMORY:
		return &ulm_store_mem_ops;
	case ULM_STORE_LMDB:
		return &ulm_store_lmdb_ops;
	case ULM_STORE_RADOS:
		return &ulm_store_rados_ops;
	}
	return NULL;
}

int ulm_env_open(const struct ulm_env_config *cfg, ulm_env **envp)
{
	const struct ulm_store_ops *ops;
	ulm_env *env;
	int rc;

	if (!cfg || !envp)
		return -EINVAL;
	*envp = NULL;
	ops = store_ops(cfg->store);
	if (!ops)
		return -EINVAL;
	env = calloc(1, sizeof(*env));
	if (!env)
		return -ENOMEM;
	env->ops = ops;
	env->node_id = cfg->node_id;
	env->read_only = cfg->read_only;
	rc = ops->open(cfg, &env->store, &env->epoch);
	if (rc) {
		free(env);
		return rc;
	}
	rc = cache_init(env, cfg->cache_buckets);
	if (rc) {
		cache_fini(env);
		env->ops->close(env->store);
		free(env);
		return rc;
	}
	recovery_set_init(&env->recovering);
	backlog_init(&env->backlog);
	*envp = env;
	return 0;
}

void ulm_env_close(ulm_env *env)
{
	if (!env)
		return;
	backlog_fini(env);
	cache_fini(env);
	recovery_set_fini(&env->recovering);
	env->ops->close(env->store);
	free(env);
}

uint32_t ulm_env_epoch(const ulm_env *env)
{
	return env->epoch;
}
