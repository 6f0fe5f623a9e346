/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: the smbd process's lock store environment.
 *
 * smbd forks one process per SMB connection, and libulm wants a node id
 * of its own for every process that opens a store (LMDB registers the
 * opener's pid under its node id). So each smbd process is a node of
 * its own: "ulm:node base" + its pid. Its records then go with it: Samba
 * releases them as the client's handles close; a process that died
 * leaves them to vfs_ulm_purge_dead() of the next connection.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* Highest Linux pid (PID_MAX_LIMIT): node ids base .. base + this. */
#define VFS_ULM_PID_SPAN  (1U << 22)
#define VFS_ULM_NODE_BASE (1U << 24)

static struct {
	ulm_env *env;
	unsigned users;
	uint32_t base;
} vfs_ulm_proc;

/* Nodes to purge, gathered first: a node visitor must not change the
 * store it walks. A connection purges at most this many; the next ones
 * purge the rest. */
#define VFS_ULM_PURGE_MAX 64

struct vfs_ulm_purge {
	uint32_t self;
	uint32_t self_epoch;
	uint32_t base;
	size_t n;
	uint32_t node[VFS_ULM_PURGE_MAX];
	uint32_t before[VFS_ULM_PURGE_MAX];
};

/* Gather this store's smbd nodes whose process is gone (an smbd killed
 * before it could close its handles), and this node's earlier lives (a
 * process that had this pid before). */
static int vfs_ulm_dead_node(const struct ulm_node_info *node, void *arg)
{
	struct vfs_ulm_purge *p = arg;
	bool self = node->node == p->self;

	if (node->node < p->base || node->node - p->base >= VFS_ULM_PID_SPAN ||
	    (node->live && !self))
		return 0;
	p->node[p->n] = node->node;
	p->before[p->n] = self ? p->self_epoch : node->epoch + 1;
	return ++p->n == VFS_ULM_PURGE_MAX;
}

static void vfs_ulm_purge_dead(ulm_env *env, uint32_t self, uint32_t base)
{
	struct vfs_ulm_purge p = {
		.self = self, .self_epoch = ulm_env_epoch(env), .base = base};
	uint64_t purged;
	int rc;

	ulm_node_list(env, vfs_ulm_dead_node, &p);
	for (size_t i = 0; i < p.n; i++) {
		purged = 0;
		rc = ulm_node_purge(env, p.node[i], p.before[i], &purged);
		if (rc)
			DBG_ERR("purging smbd node %u: %s\n", p.node[i],
				ulm_strerror(rc));
		else if (purged)
			DBG_NOTICE("purged %llu records of gone smbd node %u\n",
				   (unsigned long long)purged, p.node[i]);
	}
}

static int vfs_ulm_env_open(void)
{
	struct ulm_env_config cfg = {
		.store = ULM_STORE_LMDB,
		.path = lp_parm_const_string(GLOBAL_SECTION_SNUM,
					     VFS_ULM_MODULE, "store path",
					     NULL),
		.sync = lp_parm_bool(GLOBAL_SECTION_SNUM, VFS_ULM_MODULE,
				     "sync", false),
	};
	int rc;

	vfs_ulm_proc.base = lp_parm_ulong(GLOBAL_SECTION_SNUM, VFS_ULM_MODULE,
					  "node base", VFS_ULM_NODE_BASE);
	cfg.node_id = vfs_ulm_proc.base + (uint32_t)getpid();
	if (cfg.path == NULL) {
		DBG_ERR("no lock store: set \"ulm:store path\" to the "
			"directory of Ganesha's UNIFIED Store_Path\n");
		return -EINVAL;
	}
	rc = ulm_env_open(&cfg, &vfs_ulm_proc.env);
	if (rc) {
		DBG_ERR("opening lock store %s as node %u: %s\n", cfg.path,
			cfg.node_id, ulm_strerror(rc));
		return rc;
	}
	DBG_NOTICE("node %u opened lock store %s (epoch %u)\n", cfg.node_id,
		   cfg.path, ulm_env_epoch(vfs_ulm_proc.env));
	vfs_ulm_purge_dead(vfs_ulm_proc.env, cfg.node_id, vfs_ulm_proc.base);
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
	*node = vfs_ulm_proc.base + (uint32_t)getpid();
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
