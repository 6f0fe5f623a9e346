/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: the smbd process's lock store environment.
 *
 * smbd forks one process per SMB connection, and libulm wants a node id
 * of its own for every process that opens a store (LMDB registers the
 * opener's pid under its node id; RADOS gives it a liveness lease). So
 * each smbd process is a node of its own: "ulm:node base" + its pid
 * (config.c). Its records then go with it: Samba releases them as the
 * client's handles close, and closing the store gives the lease back. A
 * process that died leaves them to Ganesha's UNIFIED, which purges dead
 * smbd nodes within about one lease (fsal_unified/grace/process_purge.c).
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

/* The tables of files in memory: buckets (ulm_env_config.cache_buckets). */
#define VFS_ULM_CACHE_BUCKETS 256

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

static struct {
	ulm_env *env;
	unsigned users;
	uint32_t node;
} vfs_ulm_proc;

/* An earlier process with this pid, killed before UNIFIED purged it,
 * left records of an earlier epoch of this node: they are dead. A first
 * open (epoch 1) has none, and costs nothing. */
static void vfs_ulm_purge_earlier_lives(ulm_env *env, uint32_t node)
{
	uint32_t epoch = ulm_env_epoch(env);
	uint64_t purged = 0;
	int rc;

	if (epoch <= 1)
		return;
	rc = ulm_node_purge(env, node, epoch, &purged);
	if (rc)
		DBG_ERR("purging earlier lives of node %u: %s\n", node,
			ulm_strerror(rc));
	else if (purged)
		DBG_NOTICE("purged %llu records of an earlier smbd node %u\n",
			   (unsigned long long)purged, node);
}

static int vfs_ulm_env_open(void)
{
	struct ulm_env_config cfg;
	struct timespec t0, t1;
	char where[512];
	uint32_t base;
	int rc = vfs_ulm_config(&cfg, &base);

	if (rc)
		return rc;
	cfg.node_id = base + (uint32_t)getpid();
	/* One smbd serves one client: a few files, not a node's thousands. */
	cfg.cache_buckets = VFS_ULM_CACHE_BUCKETS;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ulm_env_open(&cfg, &vfs_ulm_proc.env);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		DBG_ERR("opening lock store %s as node %u: %s\n",
			vfs_ulm_config_where(&cfg, where, sizeof(where)),
			cfg.node_id, ulm_strerror(rc));
		return rc;
	}
	vfs_ulm_proc.node = cfg.node_id;
	/* What a tree connect pays for it (RADOS: the lease, the epoch). */
	DBG_NOTICE("node %u opened lock store %s (epoch %u) in %.1f ms\n",
		   cfg.node_id,
		   vfs_ulm_config_where(&cfg, where, sizeof(where)),
		   ulm_env_epoch(vfs_ulm_proc.env),
		   (t1.tv_sec - t0.tv_sec) * 1e3 +
			   (t1.tv_nsec - t0.tv_nsec) / 1e6);
	vfs_ulm_purge_earlier_lives(vfs_ulm_proc.env, cfg.node_id);
	rc = vfs_ulm_events_start(vfs_ulm_proc.env);
	if (rc) {
		/* Without recalls no oplock could be broken: none is had. */
		DBG_ERR("node %u: no lock events: %s\n", cfg.node_id,
			strerror(-rc));
		ulm_env_close(vfs_ulm_proc.env);
		vfs_ulm_proc.env = NULL;
	}
	return rc;
}

int vfs_ulm_env_get(ulm_env **env, uint32_t *node)
{
	int rc = 0;

	if (vfs_ulm_proc.users == 0)
		rc = vfs_ulm_env_open();
	if (rc)
		return rc;
	vfs_ulm_proc.users++;
	*env = vfs_ulm_proc.env;
	*node = vfs_ulm_proc.node;
	return 0;
}

void vfs_ulm_env_put(void)
{
	/* Every put pairs with a get that succeeded (vfs_ulm_conn_free). */
	if (--vfs_ulm_proc.users == 0) {
		vfs_ulm_events_stop();
		ulm_env_close(vfs_ulm_proc.env);
		vfs_ulm_proc.env = NULL;
	}
}
