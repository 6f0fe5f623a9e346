/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: an NFSv4 client that went away without a word leaves courtesy
 * records (UNIFIED's courteous server, docs/fsal-unified.md); an SMB
 * request never stops at one: it drops it and asks again, as NFS does.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* Records one request may drop before it is answered as it stands. */
#define VFS_ULM_COURTESY_DROPS_MAX 16

bool vfs_ulm_courtesy_drop(ulm_env *env, const struct ulm_key *key,
			   const struct ulm_lock_info *holder, unsigned *drops)
{
	int rc;

	if (!ulm_is_courtesy(holder) || *drops >= VFS_ULM_COURTESY_DROPS_MAX)
		return false;
	(*drops)++;
	rc = ulm_courtesy_drop(env, key, holder);
	DBG_NOTICE("dropped a courtesy record of %.*s (node %u) in the way: "
		   "%s\n",
		   (int)holder->client_len, (const char *)holder->client,
		   holder->node, rc ? ulm_strerror(rc) : "ok");
	return rc == 0;
}
