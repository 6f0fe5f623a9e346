// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file share_io.c
 * @brief FSAL UNIFIED: what NFS I/O meets on every node, not only the
 * sub-FSAL's of this one, in one look at the file's table (libulm's
 * ulm_io_check). I/O without an open of its own (NFSv3 READ, WRITE and
 * SETATTR of the size; NFSv4 ones with a special stateid) breaks other
 * clients' delegations and meets share reservations; any I/O meets SMB
 * byte-range locks where the export makes them mandatory.
 *
 * A delegation in the way is recalled and the I/O answered
 * ERR_FSAL_DELAY (NFS4ERR_DELAY, NFS3ERR_JUKEBOX).
 * The answer is the sub-FSAL's own for a local deny: ERR_FSAL_SHARE_DENIED,
 * which Ganesha turns into NFS4ERR_LOCKED (READ, WRITE) or
 * NFS4ERR_SHARE_DENIED (SETATTR) and NFS3ERR_JUKEBOX. Ganesha's bypass
 * (NFSv3 I/O, READ with the all-ones stateid) passes advisory denies as
 * it does on the holder's node, never an SMB lock: ERR_FSAL_LOCKED
 * (NFS4ERR_LOCKED, NFS3ERR_JUKEBOX). I/O under an open met the denies and
 * delegations when it opened.
 */
#include <errno.h>

#include "stats.h"
#include "ulmfsal.h"

/* A share's deny, or an SMB byte-range lock (the holder's type says). */
static fsal_status_t refusal(const struct ulm_lock_info *holder,
			     const char *what)
{
	if (holder->type == ULM_REC_SHARE) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: %s refused by a share access %u deny %u "
			 "of node %" PRIu32,
			 what, holder->access, holder->deny, holder->node);
		return fsalstat(ERR_FSAL_SHARE_DENIED, EAGAIN);
	}
	LogDebug(COMPONENT_FSAL,
		 "UNIFIED: %s refused by an SMB %s lock %" PRIu64 "-%" PRIu64
		 " of node %" PRIu32,
		 what,
		 holder->type == ULM_REC_LOCK_WRITE ? "exclusive" : "shared",
		 holder->start, holder->end, holder->node);
	return fsalstat(ERR_FSAL_LOCKED, EAGAIN);
}

fsal_status_t ulmfsal_io_check(struct fsal_obj_handle *obj, unsigned flags,
			       unsigned access, uint64_t start, uint64_t end,
			       const char *what)
{
	struct ulm_lock_info holder;
	unsigned drops = 0;
	struct ulm_key key;
	int rc;

	if (obj->type != REGULAR_FILE || flags == 0)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	if (ulmfsal_file_key(obj, &key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	do {
		rc = ULMFSAL_STORE(ulm_io_check(ulmfsal_env(), &key, NULL,
						access, start, end, flags,
						&holder));
	} while (rc == -EAGAIN && ulmfsal_courtesy_drop(&key, &holder, &drops));
	if (rc == -EAGAIN)
		return refusal(&holder, what);
	return ulmfsal_status(rc, what);
}

/*
 * An SMB open without FILE_SHARE_DELETE, on any node, forbids removing or
 * renaming its file while it is open: NFSv4 NFS4ERR_FILE_OPEN (RFC 7530
 * 15.1.4.8), NFSv3 NFS3ERR_ACCES (the REMOVE fails, as ONTAP's rm and mv
 * fail on such files; NFS3ERR_JUKEBOX would have the client retry for as
 * long as the handle stays open). A file no share reservation denies
 * anything is answered from its cached table, as for I/O.
 */
fsal_status_t ulmfsal_delete_check(struct fsal_obj_handle *obj,
				   const char *what)
{
	fsal_status_t status = ulmfsal_io_check(
		obj, ULM_IO_SHARES, ULM_SHARE_DELETE, 0, ULM_EOF, what);

	if (status.major != ERR_FSAL_SHARE_DENIED)
		return status;
	return fsalstat(op_ctx->nfs_vers == NFS_V3 ? ERR_FSAL_ACCESS
						   : ERR_FSAL_FILE_OPEN,
			EBUSY);
}
