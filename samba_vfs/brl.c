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

/* Where a Samba lock lands in libulm: the file, and the handle as owner. */
struct vfs_ulm_target {
	uint8_t keybuf[ULM_KEY_MAX];
	char ownbuf[VFS_ULM_OWNER_MAX];
	struct ulm_key key;
	struct ulm_owner owner;
};

static int vfs_ulm_target(struct vfs_ulm_conn *c, files_struct *fsp,
			  struct vfs_ulm_target *t)
{
	int rc = vfs_ulm_key(c, fsp_get_io_fd(fsp), t->keybuf, &t->key);

	if (rc) {
		DBG_ERR("%s: no file key: %s\n", fsp_str_dbg(fsp),
			strerror(-rc));
		return rc;
	}
	vfs_ulm_owner(c, fsp, ULM_OWNER_LOCK, t->ownbuf, &t->owner);
	return 0;
}

static enum ulm_lock_type vfs_ulm_type(enum brl_type type)
{
	return type == WRITE_LOCK ? ULM_LOCK_WRITE : ULM_LOCK_READ;
}

/*
 * What smbd answers for a lock libulm refused. A holder outside Samba is
 * what brl_lock_windows_default() answers for a POSIX lock in the way
 * (source3/locking/brlock.c:483): LOCK_NOT_GRANTED with the blocker
 * "smblctx" UINT64_MAX, so that a blocking lock polls
 * (source3/smbd/smb2_lock.c:678). A store that cannot decide now (grace,
 * busy, timeout) is a holder too; a broken one refuses the lock.
 */
static NTSTATUS vfs_ulm_refusal(int rc, files_struct *fsp,
				struct lock_struct *plock,
				const struct ulm_lock_info *holder)
{
	plock->context.smblctx = UINT64_MAX;
	if (rc == -EAGAIN || rc == ULM_EDELEG) {
		DBG_NOTICE("%s: refused by a lock of %.*s (node %u)\n",
			   fsp_str_dbg(fsp), (int)holder->client_len,
			   (const char *)holder->client, holder->node);
		return NT_STATUS_LOCK_NOT_GRANTED;
	}
	DBG_ERR("%s: lock refused: lock store: %s\n", fsp_str_dbg(fsp),
		ulm_strerror(rc));
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
	unsigned drops = 0;
	struct vfs_ulm_target t;
	struct vfs_ulm_conn *c;
	NTSTATUS status;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn,
				return NT_STATUS_INTERNAL_ERROR);
	/* A range past the 64-bit end: Samba's STATUS_INVALID_LOCK_RANGE
	 * (MS-FSA 2.1.5.7, source3/locking/brlock.c:440). */
	if (!byte_range_valid(plock->start, plock->size))
		return SMB_VFS_NEXT_BRL_LOCK_WINDOWS(handle, br_lck, plock);
	rc = vfs_ulm_target(c, fsp, &t);
	if (rc)
		return map_nt_error_from_unix(-rc);
	do {
		rc = ulm_winlock_acquire(c->env, &t.key, &t.owner,
					 vfs_ulm_type(plock->lock_type),
					 plock->start, plock->size, 0, &holder);
	} while (rc == -EAGAIN &&
		 vfs_ulm_courtesy_drop(c->env, &t.key, &holder, &drops));
	if (rc)
		return vfs_ulm_refusal(rc, fsp, plock, &holder);
	status = SMB_VFS_NEXT_BRL_LOCK_WINDOWS(handle, br_lck, plock);
	if (NT_STATUS_IS_OK(status))
		return status;
	rc = ulm_winlock_release(c->env, &t.key, &t.owner, plock->start,
				 plock->size);
	if (rc)
		DBG_ERR("%s: a lock Samba refused stays in the lock store: "
			"%s\n",
			fsp_str_dbg(fsp), ulm_strerror(rc));
	return status;
}

/* Samba first: it knows whether the handle holds that very lock. */
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
	rc = vfs_ulm_target(c, fsp, &t);
	if (rc == 0)
		rc = ulm_winlock_release(c->env, &t.key, &t.owner, plock->start,
					 plock->size);
	if (rc)
		DBG_ERR("%s: unlock of [%llu, +%llu) in the lock store: %s\n",
			fsp_str_dbg(fsp), (unsigned long long)plock->start,
			(unsigned long long)plock->size, ulm_strerror(rc));
	return true;
}

/*
 * SMB READ/WRITE into a range another owner's lock excludes (an NFS or
 * NLM lock, an SMB lock of another node): a read under an exclusive lock,
 * a write under any, as a lock of that type would meet it. smbd answers
 * false with STATUS_FILE_LOCK_CONFLICT (source3/smbd/smb2_read.c:560,
 * smb2_write.c:366). A store error refuses the I/O too: never pass it
 * unchecked.
 */
bool vfs_ulm_strict_lock_check(vfs_handle_struct *handle, files_struct *fsp,
			       struct lock_struct *plock)
{
	struct ulm_lock_info holder;
	unsigned drops = 0;
	struct vfs_ulm_target t;
	struct vfs_ulm_conn *c;
	uint64_t start, end;
	int rc;

	SMB_VFS_HANDLE_GET_DATA(handle, c, struct vfs_ulm_conn, return false);
	/* As strict_lock_check_default: nothing to check. */
	if (plock->size == 0 || !lp_locking(fsp->conn->params) ||
	    !lp_strict_locking(fsp->conn->params))
		return true;
	if (vfs_ulm_target(c, fsp, &t) != 0)
		return false;
	ulm_range_from_length(plock->start, plock->size, &start, &end);
	do {
		rc = ulm_lock_test(c->env, &t.key, &t.owner,
				   vfs_ulm_type(plock->lock_type), start, end,
				   &holder);
	} while (rc == -EAGAIN &&
		 vfs_ulm_courtesy_drop(c->env, &t.key, &holder, &drops));
	if (rc == -EAGAIN)
		DBG_NOTICE("%s: %s of [%llu, +%llu) refused by a lock of %.*s "
			   "(node %u)\n",
			   fsp_str_dbg(fsp),
			   plock->lock_type == WRITE_LOCK ? "write" : "read",
			   (unsigned long long)plock->start,
			   (unsigned long long)plock->size,
			   (int)holder.client_len, (const char *)holder.client,
			   holder.node);
	else if (rc)
		DBG_ERR("%s: I/O refused: lock store: %s\n", fsp_str_dbg(fsp),
			ulm_strerror(rc));
	/* Then Samba's own: its locks, and the kernel's ("posix locking"). */
	return rc == 0 && SMB_VFS_NEXT_STRICT_LOCK_CHECK(handle, fsp, plock);
}
