// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file share_io.c
 * @brief FSAL UNIFIED: I/O without an open of its own (NFSv3 READ, WRITE
 * and SETATTR of the size; NFSv4 ones with a special stateid) breaks
 * other clients' delegations and meets the share reservations of every
 * node, not only the sub-FSAL's of this one: one look at the file's
 * table (libulm's ulm_share_io_check with ULM_IO_RECALL).
 *
 * A delegation in the way is recalled and the I/O answered
 * ERR_FSAL_DELAY (NFS4ERR_DELAY, NFS3ERR_JUKEBOX).
 * The answer is the sub-FSAL's own for a local deny: ERR_FSAL_SHARE_DENIED,
 * which Ganesha turns into NFS4ERR_LOCKED (READ, WRITE) or
 * NFS4ERR_SHARE_DENIED (SETATTR) and NFS3ERR_JUKEBOX. Ganesha's bypass
 * (NFSv3 I/O, READ with the all-ones stateid) passes advisory denies as
 * it does on the holder's node. I/O under an open was checked when it
 * opened.
 */
#include <errno.h>

#include "stats.h"
#include "ulmfsal.h"

static void log_refusal(const struct ulm_lock_info *holder, const char *what)
{
	LogDebug(COMPONENT_FSAL,
		 "UNIFIED: %s refused by a share access %u deny %u of node "
		 "%" PRIu32,
		 what, holder->access, holder->deny, holder->node);
}

fsal_status_t ulmfsal_io_check(struct fsal_obj_handle *obj, bool bypass,
			       unsigned access, const char *what)
{
	struct ulm_lock_info *holder = NULL;
	struct ulm_key key;
	int rc;

	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	if (ulmfsal_file_key(obj, &key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	/* The holder is worth its 2 KiB only when it is logged. */
	if (isDebug(COMPONENT_FSAL))
		holder = gsh_malloc(sizeof(*holder));
	rc = ULMFSAL_STORE(ulm_share_io_check(
		ulmfsal_env(), &key, NULL, access,
		ULM_IO_RECALL | (bypass ? ULM_IO_BYPASS : 0), holder));
	if (rc == -EAGAIN && holder != NULL)
		log_refusal(holder, what);
	gsh_free(holder);
	if (rc == -EAGAIN)
		return fsalstat(ERR_FSAL_SHARE_DENIED, EAGAIN);
	return ulmfsal_status(rc, what);
}
