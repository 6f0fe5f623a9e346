/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: registration and tree connects. "vfs objects = ulm" on a share
 * exported by Ganesha's UNIFIED FSAL too; [global] names the lock store
 * (docs/smb.md, config_samples/smb.conf).
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "smbd/globals.h"
#include "lib/tsocket/tsocket.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* The SMB client's address ("ipv4:10.0.0.2:49152"), its identity in
 * the store: ulmctl shows it as the records' client. */
static void vfs_ulm_client(struct vfs_ulm_conn *c, connection_struct *conn)
{
	char *addr = tsocket_address_string(conn->sconn->remote_address,
					    talloc_tos());

	int len = snprintf(c->client, sizeof(c->client), "%s",
			   addr ? addr : "unknown");

	c->client_len = MIN((size_t)MAX(len, 0), sizeof(c->client) - 1);
	TALLOC_FREE(addr);
}

static void vfs_ulm_conn_free(void **data)
{
	TALLOC_FREE(*data);
	vfs_ulm_env_put();
}

static int vfs_ulm_connect(vfs_handle_struct *handle, const char *service,
			   const char *user)
{
	int snum = SNUM(handle->conn);
	struct vfs_ulm_conn *c;
	int rc = SMB_VFS_NEXT_CONNECT(handle, service, user);

	if (rc < 0)
		return rc;
	c = talloc_zero(handle->conn, struct vfs_ulm_conn);
	if (c == NULL) {
		SMB_VFS_NEXT_DISCONNECT(handle);
		errno = ENOMEM;
		return -1;
	}
	rc = vfs_ulm_env_get(&c->env, &c->node);
	if (rc) {
		TALLOC_FREE(c);
		SMB_VFS_NEXT_DISCONNECT(handle);
		errno = EIO;
		return -1;
	}
	c->fsid_device =
		lp_parm_bool(snum, VFS_ULM_MODULE, "fsid device", false);
	vfs_ulm_client(c, handle->conn);
	snprintf(c->who, sizeof(c->who), "%s@%s", user, service);
	/* Share modes reach this module only through the file system share
	 * mode call, which smbd makes with "kernel share modes" only. */
	lp_do_parameter(snum, "kernel share modes", "yes");
	SMB_VFS_HANDLE_SET_DATA(handle, c, vfs_ulm_conn_free,
				struct vfs_ulm_conn, return -1);
	DBG_NOTICE("share %s: client %s is node %u in the lock store\n",
		   service, c->client, c->node);
	return 0;
}

static struct vfs_fn_pointers vfs_ulm_fns = {
	.connect_fn = vfs_ulm_connect,
	.filesystem_sharemode_fn = vfs_ulm_filesystem_sharemode,
	.brl_lock_windows_fn = vfs_ulm_brl_lock_windows,
	.brl_unlock_windows_fn = vfs_ulm_brl_unlock_windows,
	.strict_lock_check_fn = vfs_ulm_strict_lock_check,
	.linux_setlease_fn = vfs_ulm_linux_setlease,
	.openat_fn = vfs_ulm_openat,
	.renameat_fn = vfs_ulm_renameat,
	.unlinkat_fn = vfs_ulm_unlinkat,
};

/* smbd loads "vfs objects = ulm" from MODULESDIR/vfs/ulm.so and calls this. */
NTSTATUS samba_init_module(TALLOC_CTX *ctx);
NTSTATUS samba_init_module(TALLOC_CTX *ctx _UNUSED_)
{
	return smb_register_vfs(SMB_VFS_INTERFACE_VERSION, VFS_ULM_MODULE,
				&vfs_ulm_fns);
}
