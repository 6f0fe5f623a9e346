/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: SMB share modes as libulm share reservations. smbd calls
 * filesystem_sharemode once an open passed its own share-mode check
 * ("kernel share modes = yes", source3/smbd/open.c:4138), and again
 * with 0/0 when the handle closes (source3/smbd/close.c:455, :518);
 * -1 fails the open with NT_STATUS_SHARING_VIOLATION.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* Data and delete access the open asks for. Attribute-only opens meet no
 * share mode (as in Samba's share_conflict(), source3/smbd/open.c). */
static unsigned vfs_ulm_access(uint32_t access_mask)
{
	unsigned access = 0;

	if (access_mask & (SEC_FILE_READ_DATA | SEC_FILE_EXECUTE))
		access |= ULM_SHARE_READ;
	if (access_mask & (SEC_FILE_WRITE_DATA | SEC_FILE_APPEND_DATA))
		access |= ULM_SHARE_WRITE;
	if (access_mask & SEC_STD_DELETE)
		access |= ULM_SHARE_DELETE;
	return access;
}

/* What the open denies others: what its share access leaves out. */
static unsigned vfs_ulm_deny(uint32_t share_access)
{
	unsigned deny = 0;

	if (!(share_access & FILE_SHARE_READ))
		deny |= ULM_SHARE_READ;
	if (!(share_access & FILE_SHARE_WRITE))
		deny |= ULM_SHARE_WRITE;
	/* NFS REMOVE and RENAME meet it (UNIFIED), and SMB opens for
	 * DELETE on other nodes. */
	if (!(share_access & FILE_SHARE_DELETE))
		deny |= ULM_SHARE_DELETE;
	return deny;
}

static int vfs_ulm_share_set(struct vfs_ulm_conn *c, files_struct *fsp,
			     unsigned access, unsigned deny)
{
	uint8_t keybuf[ULM_KEY_MAX];
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_lock_info conflict;
	unsigned drops = 0;
	struct ulm_owner owner;
	struct ulm_key key;
	int rc = vfs_ulm_key(c, fsp_get_io_fd(fsp), keybuf, &key);

	if (rc) {
		DBG_ERR("%s: no file key: %s\n", fsp_str_dbg(fsp),
			strerror(-rc));
		return rc;
	}
	vfs_ulm_owner(c, fsp, ULM_OWNER_OPEN, ownbuf, &owner);
	if (access == 0)
		return ulm_share_release(c->env, &key, &owner);
	do {
		rc = ulm_share_acquire(c->env, &key, &owner, access, deny, 0,
				       &conflict);
	} while (rc == -EAGAIN &&
		 vfs_ulm_courtesy_drop(c->env, &key, &conflict, &drops));
	if (rc == -EAGAIN || rc == ULM_EDELEG)
		DBG_NOTICE("%s: refused by a %s record of node %u\n",
			   fsp_str_dbg(fsp),
			   rc == -EAGAIN ? "share" : "delegation",
			   conflict.node);
	else if (rc)
		DBG_ERR("%s: share mode: %s\n", fsp_str_dbg(fsp),
			ulm_strerror(rc));
	return rc;
}

int vfs_ulm_filesystem_sharemode(vfs_handle_struct *handle, files_struct *fsp,
				 uint32_t share_access, uint32_t access_mask)
{
	struct vfs_ulm_conn *c;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return -1);
	/* A stream shares its base file's descriptor (vfs_gpfs does
	 * likewise): its share mode is Samba's alone. */
	if (fsp_is_alternate_stream(fsp))
		return 0;
	rc = vfs_ulm_share_set(c, fsp, vfs_ulm_access(access_mask),
			       vfs_ulm_deny(share_access));
	if (rc == 0)
		return 0;
	errno = rc == -EAGAIN || rc == ULM_EDELEG ? EACCES : EIO;
	return -1;
}
