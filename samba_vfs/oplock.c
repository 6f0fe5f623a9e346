/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: SMB oplocks as libulm delegations. With "kernel oplocks = yes"
 * smbd asks the VFS for every oplock it grants (linux_setlease F_WRLCK,
 * source3/smbd/oplock_linux.c:121) and gives it back the same way
 * (F_UNLCK, :167) once the client acked the break, closed, or let the
 * break time out. An oplock is granted only if libulm grants its handle
 * a delegation; what conflicts with the delegation (an NFS open, write,
 * lock, rename, remove, truncate, on any node) recalls it to this smbd
 * node, and the recall becomes smbd's own kernel oplock break
 * (break_kernel_oplock, source3/smbd/smb2_oplock.c:35): the SMB client
 * gets a real oplock break. The kernel lease itself is not taken: a
 * Ganesha worker opening the file would wait in the kernel for the break.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "smbd/globals.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* An oplock of this process held in the store; freed with its handle. */
struct vfs_ulm_oplock {
	struct vfs_ulm_oplock *prev, *next;
	files_struct *fsp;
	size_t key_len;
	uint8_t key[ULM_KEY_MAX];
};

static struct vfs_ulm_oplock *vfs_ulm_oplocks;

static int vfs_ulm_oplock_unlist(struct vfs_ulm_oplock *o)
{
	DLIST_REMOVE(vfs_ulm_oplocks, o);
	return 0;
}

static struct vfs_ulm_oplock *vfs_ulm_oplock_find(const files_struct *fsp)
{
	struct vfs_ulm_oplock *o;

	for (o = vfs_ulm_oplocks; o != NULL; o = o->next)
		if (o->fsp == fsp)
			return o;
	return NULL;
}

static int vfs_ulm_oplock_take(struct vfs_ulm_conn *c, files_struct *fsp,
			       enum ulm_deleg_type type)
{
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_lock_info conflict;
	struct ulm_owner owner;
	struct ulm_key key;
	struct vfs_ulm_oplock *o = talloc_zero(fsp, struct vfs_ulm_oplock);
	int rc = o ? vfs_ulm_key(c, fsp_get_io_fd(fsp), o->key, &key) : -ENOMEM;

	if (rc == 0) {
		vfs_ulm_owner(c, fsp, ULM_OWNER_CLIENT, ownbuf, &owner);
		rc = ulm_deleg_acquire(c->env, &key, &owner, type, 0,
				       &conflict);
	}
	if (rc) {
		if (rc == -EAGAIN)
			DBG_NOTICE("%s: no oplock: a record of node %u is "
				   "in the way\n",
				   fsp_str_dbg(fsp), conflict.node);
		else
			DBG_ERR("%s: no oplock: lock store: %s\n",
				fsp_str_dbg(fsp), ulm_strerror(rc));
		TALLOC_FREE(o);
		return rc;
	}
	o->fsp = fsp;
	o->key_len = key.len;
	DLIST_ADD(vfs_ulm_oplocks, o);
	talloc_set_destructor(o, vfs_ulm_oplock_unlist);
	DBG_NOTICE("%s: oplock held in the lock store\n", fsp_str_dbg(fsp));
	return 0;
}

static int vfs_ulm_oplock_give(struct vfs_ulm_conn *c, files_struct *fsp)
{
	struct vfs_ulm_oplock *o = vfs_ulm_oplock_find(fsp);
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_owner owner;
	struct ulm_key key;
	int rc;

	if (o == NULL)
		return 0;
	key = (struct ulm_key){o->key, o->key_len};
	vfs_ulm_owner(c, fsp, ULM_OWNER_CLIENT, ownbuf, &owner);
	rc = ulm_deleg_release(c->env, &key, &owner);
	if (rc)
		DBG_ERR("%s: oplock release: lock store: %s\n",
			fsp_str_dbg(fsp), ulm_strerror(rc));
	TALLOC_FREE(o);
	return rc;
}

int vfs_ulm_linux_setlease(vfs_handle_struct *handle, files_struct *fsp,
			   int leasetype)
{
	struct vfs_ulm_conn *c;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return -1);
	switch (leasetype) {
	case F_UNLCK:
		rc = vfs_ulm_oplock_give(c, fsp);
		break;
	case F_RDLCK: /* never asked by Samba 4.17: level II is refused
		       * with kernel oplocks (smb2_oplock.c:64) */
		rc = vfs_ulm_oplock_take(c, fsp, ULM_DELEG_READ);
		break;
	case F_WRLCK:
		rc = vfs_ulm_oplock_take(c, fsp, ULM_DELEG_WRITE);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc == 0)
		return 0;
	/* smbd then grants no oplock, and the open goes on. */
	errno = rc == -EAGAIN ? EAGAIN : rc == -EINVAL ? EINVAL : EIO;
	return -1;
}

void vfs_ulm_oplock_recall(const struct ulm_key *file)
{
	struct vfs_ulm_oplock *o;

	for (o = vfs_ulm_oplocks; o != NULL; o = o->next) {
		if (o->key_len != file->len ||
		    memcmp(o->key, file->data, file->len) != 0)
			continue;
		DBG_NOTICE("%s: oplock recalled through the lock store: "
			   "breaking it\n",
			   fsp_str_dbg(o->fsp));
		break_kernel_oplock(o->fsp->conn->sconn->msg_ctx, o->fsp);
	}
}
