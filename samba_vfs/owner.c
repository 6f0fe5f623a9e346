/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: who holds an SMB record. The node is the smbd process (env.c),
 * the client the SMB client's address, the owner the open handle: the
 * tree connect's user and share, and its fnum, unique within the
 * process. Share modes and Windows byte-range locks both belong to a
 * handle.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "vfs_ulm.h"

void vfs_ulm_client_owner(const struct vfs_ulm_conn *c, struct ulm_owner *owner)
{
	*owner = (struct ulm_owner){
		.protocol = ULM_PROTO_SMB,
		.kind = ULM_OWNER_OPEN,
		.node = c->node,
		.client = c->client,
		.client_len = c->client_len,
		.owner = c->who,
		.owner_len = strnlen(c->who, sizeof(c->who)),
	};
}

void vfs_ulm_owner(const struct vfs_ulm_conn *c, const files_struct *fsp,
		   enum ulm_owner_kind kind, char buf[VFS_ULM_OWNER_MAX],
		   struct ulm_owner *owner)
{
	int len = snprintf(buf, VFS_ULM_OWNER_MAX, "%s#%llu", c->who,
			   (unsigned long long)fsp->fnum);

	vfs_ulm_client_owner(c, owner);
	owner->kind = kind;
	owner->owner = buf;
	owner->owner_len = MIN((size_t)MAX(len, 0), VFS_ULM_OWNER_MAX - 1);
}
