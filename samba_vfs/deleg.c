/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: SMB access meets NFSv4 delegations. Before an SMB open for
 * data, a rename or a delete, libulm is asked whether another client's
 * delegation is in its way (a write delegation: any access; a read
 * delegation: writing, renaming, deleting); if one is, libulm sends its
 * recall to the Ganesha node that granted it (CB_RECALL reaches the NFS
 * client) and the access is refused for now:
 * - an open fails with EWOULDBLOCK, which smbd takes for a kernel oplock
 *   being broken (NT_STATUS_NETWORK_BUSY, source3/smbd/open.c:3902): the
 *   client is told STATUS_PENDING and smbd retries the open once a
 *   second for up to 70 s (setup_poll_open, :3950), as Windows waits for
 *   an oplock break; after DELEGRETURN it succeeds;
 * - a rename or delete fails with ETXTBSY: STATUS_SHARING_VIOLATION
 *   (source3/smbd/smb2_reply.c:1784, close.c:479), Windows' answer for a
 *   file in use; the client's retry after DELEGRETURN succeeds.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/*
 * May @p owner access the file open as @p fd so (ULM_SHARE_*)? 0, or the
 * errno to fail the access with: @p busy while a delegation is recalled
 * or the store cannot answer now (retry), EIO when it cannot answer.
 */
static int vfs_ulm_deleg_gate(struct vfs_ulm_conn *c, const char *name,
			      const char *what, int fd,
			      const struct ulm_owner *owner, unsigned access,
			      int busy)
{
	uint8_t keybuf[ULM_KEY_MAX];
	struct ulm_lock_info conflict;
	struct ulm_key key;
	int rc = vfs_ulm_key(c, fd, keybuf, &key);

	if (rc == 0)
		rc = ulm_deleg_check(c->env, &key, owner, access, &conflict);
	if (rc == 0)
		return 0;
	if (rc == ULM_EDELEG) {
		DBG_NOTICE("%s: %s: recalling a delegation of %.*s (node %u)\n",
			   name, what, (int)conflict.client_len,
			   (const char *)conflict.client, conflict.node);
		return busy;
	}
	DBG_ERR("%s: %s: lock store: %s\n", name, what, ulm_strerror(rc));
	return rc == ULM_EGRACE || rc == ULM_EBUSY || rc == -ETIMEDOUT ? busy
								       : EIO;
}

int vfs_ulm_openat(vfs_handle_struct *handle, const struct files_struct *dirfsp,
		   const struct smb_filename *smb_fname, files_struct *fsp,
		   const struct vfs_open_how *how)
{
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_owner owner;
	struct vfs_ulm_conn *c;
	int fd = SMB_VFS_NEXT_OPENAT(handle, dirfsp, smb_fname, fsp, how);
	int err = EIO;

	/* Path references (smbd's name lookups: O_RDONLY, or O_PATH) and
	 * streams carry no data access of their own. smbd opens without
	 * O_TRUNC (open.c:1500), so nothing was changed yet. */
	if (fd < 0 || fsp->fsp_flags.is_pathref || is_named_stream(smb_fname))
		return fd;
	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, goto refuse);
	vfs_ulm_owner(c, fsp, ULM_OWNER_OPEN, ownbuf, &owner);
	err = vfs_ulm_deleg_gate(c, fsp_str_dbg(fsp), "open waits", fd, &owner,
				 (how->flags & O_ACCMODE) == O_RDONLY
					 ? ULM_SHARE_READ
					 : ULM_SHARE_WRITE,
				 EWOULDBLOCK);
	if (err == 0)
		return fd;
refuse:
	close(fd);
	errno = err;
	return -1;
}

/* A rename or delete of @p name in @p dirfsp by this SMB client: 0, or
 * the errno to refuse it with. A name that is not there is the next
 * module's to answer. */
static int vfs_ulm_name_gate(vfs_handle_struct *handle, files_struct *dirfsp,
			     const struct smb_filename *name, const char *what)
{
	struct ulm_owner owner;
	struct vfs_ulm_conn *c;
	int fd, err;

	if (is_named_stream(name))
		return 0;
	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return EIO);
	fd = openat(fsp_get_pathref_fd(dirfsp), name->base_name,
		    O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	vfs_ulm_client_owner(c, &owner);
	err = vfs_ulm_deleg_gate(c, name->base_name, what, fd, &owner,
				 ULM_SHARE_WRITE, ETXTBSY);
	close(fd);
	return err;
}

int vfs_ulm_renameat(vfs_handle_struct *handle, files_struct *srcdir_fsp,
		     const struct smb_filename *smb_fname_src,
		     files_struct *dstdir_fsp,
		     const struct smb_filename *smb_fname_dst)
{
	/* The target, if there, is replaced: removed. */
	int err = vfs_ulm_name_gate(handle, srcdir_fsp, smb_fname_src,
				    "rename refused");

	if (err == 0)
		err = vfs_ulm_name_gate(handle, dstdir_fsp, smb_fname_dst,
					"rename refused");
	if (err == 0)
		return SMB_VFS_NEXT_RENAMEAT(handle, srcdir_fsp, smb_fname_src,
					     dstdir_fsp, smb_fname_dst);
	errno = err;
	return -1;
}

int vfs_ulm_unlinkat(vfs_handle_struct *handle, files_struct *dirfsp,
		     const struct smb_filename *smb_fname, int flags)
{
	int err = flags & AT_REMOVEDIR
			  ? 0
			  : vfs_ulm_name_gate(handle, dirfsp, smb_fname,
					      "delete refused");

	if (err == 0)
		return SMB_VFS_NEXT_UNLINKAT(handle, dirfsp, smb_fname, flags);
	errno = err;
	return -1;
}
