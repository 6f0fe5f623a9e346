/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: Windows byte-range locks in libulm, beside Samba's own brlock
 * database. Samba keeps deciding SMB against SMB (the next module); libulm
 * adds the locks of every other protocol and node. A lock is asked of
 * libulm first and undone there if Samba then refuses it; an unlock is
 * made in libulm once Samba made it (close and disconnect unlock through
 * here too: source3/locking/brlock.c:1432 brl_close_fnum).
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "locking/proto.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* Where a Samba lock lands in libulm. */
struct vfs_ulm_target {
	uint8_t keybuf[ULM_KEY_MAX];
	uint8_t ownbuf[8];
	struct ulm_key key;
	struct ulm_owner owner;
	uint64_t start;
	uint64_t end;
};

/*
 * The one mapping of an SMB lock onto libulm's (POSIX) locks: the handle
 * is the owner, the range is [start, start + size - 1] clamped at the
 * last byte. Windows stacking (a handle's overlapping locks, unlocked one
 * by one) is not expressible yet: see docs/smb.md.
 * @return 0, or -ENOENT for a zero-length lock (it conflicts with no
 *         lock of another protocol: Samba alone keeps it), or -errno
 */
static int vfs_ulm_target(const struct vfs_ulm_conn *c, files_struct *fsp,
			  const struct lock_struct *plock,
			  struct vfs_ulm_target *t)
{
	int rc;

	if (plock->size == 0)
		return -ENOENT;
	rc = vfs_ulm_key(fsp_get_io_fd(fsp), c->fsid_device, t->keybuf,
			 &t->key);
	if (rc) {
		DBG_ERR("%s: no file key: %s\n", fsp_str_dbg(fsp),
			strerror(-rc));
		return rc;
	}
	vfs_ulm_owner(c, fsp, ULM_OWNER_LOCK, t->ownbuf, &t->owner);
	ulm_range_from_length(plock->start, plock->size, &t->start, &t->end);
	return 0;
}

static enum ulm_lock_type vfs_ulm_type(enum brl_type type)
{
	return type == WRITE_LOCK ? ULM_LOCK_WRITE : ULM_LOCK_READ;
}

/* What Windows answers for a lock another owner holds. */
static NTSTATUS vfs_ulm_refusal(int rc, files_struct *fsp,
				const struct ulm_lock_info *holder)
{
	if (rc == -EAGAIN || rc == ULM_EDELEG) {
		DBG_INFO("%s: refused by a lock of node %u\n", fsp_str_dbg(fsp),
			 holder->node);
		return NT_STATUS_LOCK_NOT_GRANTED;
	}
	DBG_ERR("%s: lock store: %s\n", fsp_str_dbg(fsp), ulm_strerror(rc));
	return rc == ULM_EGRACE || rc == ULM_EBUSY || rc == -ETIMEDOUT
		       ? NT_STATUS_LOCK_NOT_GRANTED
		       : NT_STATUS_INTERNAL_ERROR;
}

NTSTATUS vfs_ulm_brl_lock_windows(vfs_handle_struct *handle,
				  struct byte_range_lock *br_lck,
				  struct lock_struct *plock)
{
	files_struct *fsp = brl_fsp(br_lck);
	struct ulm_lock_info holder;
	struct vfs_ulm_target t;
	struct ulm_lock_req req;
	struct vfs_ulm_conn *c;
	ulm_undo *undo = NULL;
	NTSTATUS status;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn,
				return NT_STATUS_INTERNAL_ERROR);
	rc = vfs_ulm_target(c, fsp, plock, &t);
	if (rc == -ENOENT)
		return SMB_VFS_NEXT_BRL_LOCK_WINDOWS(handle, br_lck, plock);
	if (rc)
		return map_nt_error_from_unix(-rc);
	req = (struct ulm_lock_req){vfs_ulm_type(plock->lock_type), t.start,
				    t.end, 0, 0};
	rc = ulm_lock_request(c->env, &t.key, &t.owner, &req, &holder, &undo);
	if (rc)
		return vfs_ulm_refusal(rc, fsp, &holder);
	status = SMB_VFS_NEXT_BRL_LOCK_WINDOWS(handle, br_lck, plock);
	if (NT_STATUS_IS_OK(status)) {
		ulm_undo_free(undo);
		return status;
	}
	rc = ulm_undo_apply(c->env, undo);
	if (rc)
		DBG_ERR("%s: lock Samba refused stays in the lock store: %s\n",
			fsp_str_dbg(fsp), ulm_strerror(rc));
	return status;
}

bool vfs_ulm_brl_unlock_windows(vfs_handle_struct *handle,
				struct byte_range_lock *br_lck,
				const struct lock_struct *plock)
{
	files_struct *fsp = brl_fsp(br_lck);
	struct vfs_ulm_target t;
	struct vfs_ulm_conn *c;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return false);
	if (!SMB_VFS_NEXT_BRL_UNLOCK_WINDOWS(handle, br_lck, plock))
		return false;
	rc = vfs_ulm_target(c, fsp, plock, &t);
	if (rc == 0)
		rc = ulm_lock_release(c->env, &t.key, &t.owner, t.start, t.end);
	if (rc && rc != -ENOENT)
		DBG_ERR("%s: unlock in the lock store: %s\n", fsp_str_dbg(fsp),
			ulm_strerror(rc));
	return true;
}

/* SMB READ/WRITE into a range another protocol's lock excludes. */
bool vfs_ulm_strict_lock_check(vfs_handle_struct *handle, files_struct *fsp,
			       struct lock_struct *plock)
{
	struct ulm_lock_info holder;
	struct vfs_ulm_target t;
	struct vfs_ulm_conn *c;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return false);
	if (!SMB_VFS_NEXT_STRICT_LOCK_CHECK(handle, fsp, plock))
		return false;
	if (!lp_locking(fsp->conn->params) ||
	    !lp_strict_locking(fsp->conn->params) ||
	    vfs_ulm_target(c, fsp, plock, &t) != 0)
		return true;
	rc = ulm_lock_test(c->env, &t.key, &t.owner,
			   vfs_ulm_type(plock->lock_type), t.start, t.end,
			   &holder);
	if (rc == -EAGAIN)
		DBG_INFO("%s: I/O refused by a lock of node %u\n",
			 fsp_str_dbg(fsp), holder.node);
	return rc != -EAGAIN;
}
