/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The nodes sharing a store: this node's liveness, and the list of all. */
#include <errno.h>
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
