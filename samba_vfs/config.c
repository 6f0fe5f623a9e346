/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: the lock store smb.conf's [global] "ulm:" parameters name,
 * checked: a value that is not understood refuses the tree connect (a
 * lock store is no place to guess, and nothing is served unlocked).
 * The RADOS keys are UNIFIED's (docs/fsal-unified.md), with its
 * defaults and ranges.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

#define VFS_ULM_DEFAULT_POOL	   "nfs-ganesha"
#define VFS_ULM_DEFAULT_NAMESPACE  "ulm"
#define VFS_ULM_MIN_LEASE_MS	   500
#define VFS_ULM_MAX_LEASE_MS	   3600000
#define VFS_ULM_DEFAULT_LEASE_MS   15000
#define VFS_ULM_MAX_OP_TIMEOUT_S   3600
#define VFS_ULM_DEFAULT_OP_TIMEOUT 5
#define VFS_ULM_MAX_PEER_WAIT_S	   60
/* The last base whose span of pids still fits in a node id. */
#define VFS_ULM_MAX_NODE_BASE (UINT32_MAX - VFS_ULM_PID_SPAN + 1)

static const char *vfs_ulm_parm(const char *name, const char *def)
{
	return lp_parm_const_string(GLOBAL_SECTION_SNUM, VFS_ULM_MODULE, name,
				    def);
}

/* "ulm:NAME" as a number in [min, max], or @p def if unset. */
static bool vfs_ulm_parm_u32(const char *name, uint32_t def, uint32_t min,
			     uint32_t max, uint32_t *out)
{
	const char *text = vfs_ulm_parm(name, NULL);
	unsigned long long v;
	char *end;

	if (text == NULL) {
		*out = def;
		return true;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min ||
	    v > max) {
		DBG_ERR("\"ulm:%s = %s\": not a number in %u..%u\n", name, text,
			min, max);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool vfs_ulm_config_store(struct ulm_env_config *cfg)
{
	const char *store = vfs_ulm_parm("store", "lmdb");

	if (strcmp(store, "lmdb") == 0)
		cfg->store = ULM_STORE_LMDB;
	else if (strcmp(store, "rados") == 0)
		cfg->store = ULM_STORE_RADOS;
	else {
		DBG_ERR("\"ulm:store = %s\": lmdb or rados\n", store);
		return false;
	}
	if (cfg->store == ULM_STORE_LMDB && cfg->path == NULL) {
		DBG_ERR("no lock store: set \"ulm:store path\" to the "
			"directory of Ganesha's UNIFIED Store_Path\n");
		return false;
	}
	return true;
}

static bool vfs_ulm_config_rados(struct ulm_env_config *cfg)
{
	cfg->ceph_conf = vfs_ulm_parm("ceph conf", NULL);
	cfg->userid = vfs_ulm_parm("userid", NULL);
	cfg->keyring = vfs_ulm_parm("keyring", NULL);
	cfg->pool = vfs_ulm_parm("pool", VFS_ULM_DEFAULT_POOL);
	cfg->rados_namespace =
		vfs_ulm_parm("namespace", VFS_ULM_DEFAULT_NAMESPACE);
	cfg->tokens = lp_parm_bool(GLOBAL_SECTION_SNUM, VFS_ULM_MODULE,
				   "rados tokens", true)
			      ? ULM_TOKENS_ON
			      : ULM_TOKENS_OFF;
	return vfs_ulm_parm_u32("rados lease ms", VFS_ULM_DEFAULT_LEASE_MS,
				VFS_ULM_MIN_LEASE_MS, VFS_ULM_MAX_LEASE_MS,
				&cfg->lease_ms) &&
	       vfs_ulm_parm_u32("rados op timeout", VFS_ULM_DEFAULT_OP_TIMEOUT,
				0, VFS_ULM_MAX_OP_TIMEOUT_S,
				&cfg->op_timeout_s) &&
	       vfs_ulm_parm_u32("rados peer wait", 1, 1,
				VFS_ULM_MAX_PEER_WAIT_S, &cfg->peer_wait_s);
}

/* Node ids of smbd processes: base + pid. Bases are whole spans of pids
 * from ULM_NODE_PROCESS_MIN up (above every Ganesha's Node_Id), so two
 * machines with different bases never share a node id. */
static bool vfs_ulm_config_base(uint32_t *base)
{
	if (!vfs_ulm_parm_u32("node base", ULM_NODE_PROCESS_MIN,
			      ULM_NODE_PROCESS_MIN, VFS_ULM_MAX_NODE_BASE,
			      base))
		return false;
	if (*base % VFS_ULM_PID_SPAN) {
		DBG_ERR("\"ulm:node base = %u\": not a multiple of %u (a "
			"machine's smbd nodes are base + pid, pid < %u)\n",
			*base, VFS_ULM_PID_SPAN, VFS_ULM_PID_SPAN);
		return false;
	}
	return true;
}

int vfs_ulm_config(struct ulm_env_config *cfg, uint32_t *base)
{
	*cfg = (struct ulm_env_config){
		.path = vfs_ulm_parm("store path", NULL),
		.sync = lp_parm_bool(GLOBAL_SECTION_SNUM, VFS_ULM_MODULE,
				     "sync", false),
	};
	if (!vfs_ulm_config_store(cfg) || !vfs_ulm_config_base(base) ||
	    (cfg->store == ULM_STORE_RADOS && !vfs_ulm_config_rados(cfg)))
		return -EINVAL;
	return 0;
}

/* What was opened, for the log. */
const char *vfs_ulm_config_where(const struct ulm_env_config *cfg, char *buf,
				 size_t len)
{
	if (cfg->store == ULM_STORE_LMDB)
		return cfg->path;
	snprintf(buf, len, "rados pool %s namespace %s (ceph.conf %s)",
		 cfg->pool, cfg->rados_namespace,
		 cfg->ceph_conf ? cfg->ceph_conf : "Ceph's default");
	return buf;
}
