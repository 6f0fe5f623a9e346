// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file state.c
 * @brief FSAL UNIFIED: the state every part of the FSAL shares: the module
 * (its description, its UNIFIED { } configuration, the handle ops) and the
 * process-wide lock store, opened on first use.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>

#include "metrics.h"
#include "ulmfsal.h"

struct ulmfsal_module ULMFSAL = {
	.module =
		{
			.fs_info =
				{
					.maxfilesize = UINT64_MAX,
					.maxlink = _POSIX_LINK_MAX,
					.maxnamelen = 1024,
					.maxpathlen = 1024,
					.no_trunc = true,
					.chown_restricted = true,
					.case_preserving = true,
					.link_support = true,
					.symlink_support = true,
					.lock_support = true,
					/* Blocking locks are polled by Ganesha:
					 * libulm has no waiters to wake us yet.
					 */
					.lock_support_async_block = false,
					.named_attr = true,
					.unique_handles = true,
					.acl_support = FSAL_ACLSUPPORT_ALLOW,
					.cansettime = true,
					.homogenous = true,
					.supported_attrs = ALL_ATTRIBUTES,
					.maxread = FSAL_MAXIOSIZE,
					.maxwrite = FSAL_MAXIOSIZE,
					.link_supports_permission_checks = true,
					.expire_time_parent = -1,
				},
		},
};

static pthread_mutex_t env_mutex = PTHREAD_MUTEX_INITIALIZER;
static ulm_env *env;

const char *ulmfsal_store_name(uint32_t store)
{
	switch (store) {
	case ULM_STORE_MEMORY:
		return "memory";
	case ULM_STORE_RADOS:
		return "rados";
	}
	return "lmdb";
}

const char *ulmfsal_or_default(const char *value)
{
	return value ? value : "(Ceph's default)";
}

/* RADOS: name what was tried and the usual fix. */
static void log_rados_open_error(const struct ulmfsal_config *cfg, int rc)
{
	const char *fix;

	switch (rc) {
	case -ENOENT:
		fix = "create the pool (ceph osd pool create POOL) or point "
		      "UNIFIED { Ceph_Conf } at an existing ceph.conf";
		break;
	case -EIO:
		fix = "no monitor or OSD answered: check the cluster (ceph -s) "
		      "and the mon addresses in ceph.conf";
		break;
	case ULM_EFORMAT:
		fix = "this namespace was written by another version of ULM: "
		      "upgrade, or set UNIFIED { Namespace } to a new one";
		break;
	default:
		fix = "check UNIFIED { Ceph_Conf, UserId, Keyring } and the "
		      "user's caps on the pool";
		break;
	}
	LogCrit(COMPONENT_FSAL,
		"UNIFIED: cannot open rados lock store (Pool %s, Namespace "
		"%s, Ceph_Conf %s, UserId %s): %s; %s. Exports using FSAL "
		"UNIFIED are refused; others are served.",
		cfg->pool, cfg->rados_namespace,
		ulmfsal_or_default(cfg->ceph_conf),
		ulmfsal_or_default(cfg->userid), ulm_strerror(rc), fix);
}

/* Say what went wrong and what the admin can do about it. */
static void log_env_open_error(const struct ulmfsal_config *cfg, int rc)
{
	if (cfg->store == ULM_STORE_RADOS) {
		log_rados_open_error(cfg, rc);
		return;
	}
	switch (rc) {
	case -EBUSY:
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: another running Ganesha already uses Node_Id "
			"%" PRIu32
			" on the lock store at %s; give every Ganesha sharing "
			"a store its own UNIFIED { Node_Id }",
			cfg->node_id, cfg->store_path);
		break;
	case -EACCES:
	case -EPERM:
	case -ENOENT:
	case -ENOTDIR:
	case -EROFS:
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot open lock store at %s: %s; set "
			"UNIFIED { Store_Path } to a writable directory",
			cfg->store_path, ulm_strerror(rc));
		break;
	case ULM_EFORMAT:
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot open lock store at %s: %s; this store "
			"was written by another version of ULM: upgrade, or "
			"set UNIFIED { Store_Path } to a new directory",
			cfg->store_path, ulm_strerror(rc));
		break;
	default:
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot open %s lock store at %s (Map_Size "
			"%" PRIu64 "): %s",
			ulmfsal_store_name(cfg->store), cfg->store_path,
			cfg->map_size, ulm_strerror(rc));
		break;
	}
}

static int env_open_locked(const struct ulmfsal_config *cfg)
{
	struct ulm_env_config env_cfg = {
		.store = cfg->store,
		.path = cfg->store_path,
		.map_size = cfg->map_size,
		.sync = cfg->sync,
		.node_id = cfg->node_id,
		.ceph_conf = cfg->ceph_conf,
		.userid = cfg->userid,
		.keyring = cfg->keyring,
		.pool = cfg->pool,
		.rados_namespace = cfg->rados_namespace,
		.lease_ms = cfg->lease_ms,
		.tokens = cfg->tokens ? ULM_TOKENS_ON : ULM_TOKENS_OFF,
		.op_timeout_s = cfg->op_timeout_s,
		.peer_wait_s = cfg->peer_wait_s,
		.token_idle_ms = cfg->token_idle_s * 1000,
	};
	int rc = ulm_env_open(&env_cfg, &env);

	if (rc != 0) {
		env = NULL;
		log_env_open_error(cfg, rc);
		return rc;
	}
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: %s lock store open (%s), node %" PRIu32
		 " epoch %" PRIu32,
		 ulmfsal_store_name(cfg->store),
		 cfg->store == ULM_STORE_LMDB	 ? cfg->store_path
		 : cfg->store == ULM_STORE_RADOS ? cfg->pool
						 : "no path",
		 cfg->node_id, ulm_env_epoch(env));
	ulmfsal_grace_start(env, cfg);
	ulmfsal_events_start(env);
	ulmfsal_fence_watch_start(env);
	ulmfsal_courtesy_start();
	ulmfsal_process_purge_start(env, cfg);
	ulmfsal_dbus_start();
	ulmfsal_metrics_http_start();
	return 0;
}

/**
 * @brief Open the lock store on first use; later calls reuse it.
 * @return 0 or the negative error of ulm_env_open(), already logged
 */
int ulmfsal_env_open_once(void)
{
	int rc = 0;

	PTHREAD_MUTEX_lock(&env_mutex);
	if (env == NULL)
		rc = env_open_locked(&ULMFSAL.config);
	PTHREAD_MUTEX_unlock(&env_mutex);
	return rc;
}

/* Exports exist only once the store is open, so object ops see it set. */
ulm_env *ulmfsal_env(void)
{
	return env;
}

/** @brief Close the lock store (at unload, once nothing uses it). */
void ulmfsal_env_close(void)
{
	if (env != NULL) {
		ulm_env_close(env);
		env = NULL;
	}
}
