/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: an SMB open meets NFSv4 delegations. An open for data access
 * asks libulm whether another client's delegation is in its way (an NFS
 * write delegation: any open; a read delegation: an open for write); if
 * one is, libulm sends its recall to the Ganesha node that granted it
 * (CB_RECALL reaches the NFS client) and the open fails with EWOULDBLOCK.
 * smbd takes that for a kernel oplock being broken (NT_STATUS_NETWORK_BUSY,
 * source3/smbd/open.c:3902): the client is told STATUS_PENDING and smbd
 * retries the open once a second for up to 70 s (setup_poll_open, :3950),
 * as Windows waits for an oplock break; after DELEGRETURN it succeeds.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

static unsigned vfs_ulm_open_access(int flags)
{
	return (flags & O_ACCMODE) == O_RDONLY ? ULM_SHARE_READ
					       : ULM_SHARE_WRITE;
}

/* 0, or -1 with errno: EWOULDBLOCK (recalled: retry), EIO. */
static int vfs_ulm_open_check(struct vfs_ulm_conn *c, files_struct *fsp, int fd,
			      int flags)
{
	uint8_t keybuf[ULM_KEY_MAX];
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_lock_info conflict;
	struct ulm_owner owner;
	struct ulm_key key;
	int rc = vfs_ulm_key(c, fd, keybuf, &key);

	if (rc == 0) {
		vfs_ulm_owner(c, fsp, ULM_OWNER_OPEN, ownbuf, &owner);
		rc = ulm_deleg_check(c->env, &key, &owner,
				     vfs_ulm_open_access(flags), &conflict);
	}
	if (rc == 0)
		return 0;
	if (rc == ULM_EDELEG) {
		DBG_NOTICE("%s: open waits: recalling a delegation of %.*s "
			   "(node %u)\n",
			   fsp_str_dbg(fsp), (int)conflict.client_len,
			   (const char *)conflict.client, conflict.node);
		errno = EWOULDBLOCK;
		return -1;
	}
	DBG_ERR("%s: open refused: lock store: %s\n", fsp_str_dbg(fsp),
		ulm_strerror(rc));
	errno = rc == ULM_EGRACE || rc == ULM_EBUSY || rc == -ETIMEDOUT
			? EWOULDBLOCK
			: EIO;
	return -1;
}

int vfs_ulm_openat(vfs_handle_struct *handle, const struct files_struct *dirfsp,
		   const struct smb_filename *smb_fname, files_struct *fsp,
		   const struct vfs_open_how *how)
{
	struct vfs_ulm_conn *c;
	int fd = SMB_VFS_NEXT_OPENAT(handle, dirfsp, smb_fname, fsp, how);
	int saved_errno;

	/* Path references (smbd's name lookups: O_RDONLY, or O_PATH) and
	 * streams carry no data access of their own. smbd opens without
	 * O_TRUNC (open.c:1500), so nothing was changed yet. */
	if (fd < 0 || fsp->fsp_flags.is_pathref || is_named_stream(smb_fname))
		return fd;
	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, goto refuse);
	if (vfs_ulm_open_check(c, fsp, fd, how->flags) == 0)
		return fd;
refuse:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return -1;
}
