// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file deleg.c
 * @brief FSAL UNIFIED: delegations are libulm records, granted only when
 * no other client anywhere holds what they would break.
 *
 * Ganesha decides whether to offer a delegation (export and NFSV4
 * options, its own per-node checks) and asks lease_op2; libulm answers
 * for every node. Any other client's conflicting open or lock, on any
 * node or protocol, sends a recall to this node (recall.c). Ganesha then
 * recalls, and revokes what is not returned within the lease (on time and
 * safely: revoke.c); both end in lease_op2(FSAL_DELEG_NONE). The
 * sub-FSAL is not asked: FSAL VFS grants no delegations.
 */
#include <errno.h>

#include "nfs_core.h"
#include "sal_data.h"
#include "stats.h"
#include "ulmfsal.h"

static fsal_status_t deleg_grant(const struct ulm_key *key,
				 struct state_t *state,
				 const struct ulmfsal_owner *client,
				 fsal_deleg_t deleg)
{
	enum ulm_deleg_type type =
		deleg == FSAL_DELEG_WR ? ULM_DELEG_WRITE : ULM_DELEG_READ;
	int rc = ULMFSAL_STORE(ulm_deleg_acquire(
		ulmfsal_env(), key, &client->id, type,
		ulmfsal_nfs4_open_reclaims() ? ULM_FLAG_RECLAIM : 0, NULL));

	if (rc == 0) {
		ulmfsal_recall_add(key, op_ctx->fsal_export->up_ops);
		ulmfsal_revoke_track(state);
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	}
	if (rc == -EAGAIN || rc == ULM_EDELEG || rc == ULM_EGRACE) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: no delegation: another client holds (or "
			 "may reclaim) conflicting state");
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	}
	return ulmfsal_status(rc, "delegation");
}

/* Returned or revoked. At shutdown the record stays for reclaim. */
static fsal_status_t deleg_end(const struct ulm_key *key, struct state_t *state,
			       const struct ulmfsal_owner *client)
{
	int rc = 0;

	ulmfsal_revoke_end(state,
			   ulmfsal_nfs4_op(NFS4_OP_DELEGRETURN, NULL) != NULL);
	if (!admin_shutdown)
		rc = ULMFSAL_STORE(
			ulm_deleg_release(ulmfsal_env(), key, &client->id));
	ulmfsal_recall_remove(key);
	return ulmfsal_status(rc, "DELEGRETURN");
}

static fsal_status_t lease_op2(struct fsal_obj_handle *obj,
			       struct state_t *state, void *owner,
			       fsal_deleg_t deleg)
{
	struct ulmfsal_owner client;
	struct ulm_key key;

	if (state == NULL || owner == NULL ||
	    ulmfsal_owner_init(&client, owner, ULMFSAL.config.node_id,
			       ULM_OWNER_CLIENT) != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: delegation for an owner that is not an "
			"NFSv4 client");
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	if (ulmfsal_file_key(obj, &key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	switch (deleg) {
	case FSAL_DELEG_RD:
	case FSAL_DELEG_WR:
		return deleg_grant(&key, state, &client, deleg);
	case FSAL_DELEG_NONE:
		return deleg_end(&key, state, &client);
	}
	return fsalstat(ERR_FSAL_INVAL, EINVAL);
}

fsal_status_t ulmfsal_deleg_check(struct fsal_obj_handle *obj,
				  struct state_t *state, unsigned access,
				  const char *what)
{
	struct ulmfsal_owner client;
	const struct ulm_owner *who = NULL;
	struct ulm_key key;
	int rc;

	if (ulmfsal_file_key(obj, &key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	if (state != NULL && state->state_owner != NULL &&
	    ulmfsal_owner_init(&client, state->state_owner,
			       ULMFSAL.config.node_id, ULM_OWNER_CLIENT) == 0)
		who = &client.id;
	rc = ULMFSAL_STORE(
		ulm_deleg_check(ulmfsal_env(), &key, who, access, NULL));
	return ulmfsal_status(rc, what);
}

void ulmfsal_deleg_ops_init(struct fsal_obj_ops *ops)
{
	ops->lease_op2 = lease_op2;
}
