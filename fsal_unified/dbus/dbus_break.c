// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus_break.c
 * @brief FSAL UNIFIED: the methods of org.ganesha.nfsd.lockmgr that take
 * a record away from its holder: BreakLock, RevokeShare,
 * RecallDelegation, RevokeDelegation. Each names one record by the id the
 * listings show and touches nothing else.
 *
 * Where the record is decides what can be done (docs/dbus.md):
 *  - made by this node in its current epoch: its holder is a client of
 *    this Ganesha. A lock is unlocked through the FSAL on behalf of its
 *    owner (the lock store and the sub-FSAL's lock both go; queued
 *    waiters are woken); Ganesha 4.3 gives an FSAL no way to revoke its
 *    own lock state, so the holder is not told and this node keeps
 *    refusing conflicting locks of its other clients until the holder
 *    unlocks. A delegation is recalled the way Ganesha recalls it; an
 *    unanswered recall ends in Ganesha's revoke (CB_RECALL, then revoked
 *    after one or two leases), which drops the record.
 *  - made by this node in an earlier epoch (an orphan of a previous run,
 *    waiting for reclaim or the post-grace purge): no Ganesha holds state
 *    for it; the record is dropped.
 *  - made by another node: only that node's Ganesha can reach the holder;
 *    the call is refused and names the node. An SMB lock (of an smbd
 *    node, vfs_ulm) is the exception: a ULM_EVENT_BREAK asks that smbd to
 *    close the handle holding it.
 */
#include <errno.h>
#include <string.h>

#include "sal_data.h"
#include "sal_functions.h"
#include "dbus_admin.h"
#include "stats.h"

/* The record an id names, copied out of the table. */
struct target {
	char id[ULMV_ID_LEN + 1];
	bool found;
	struct ulm_key key;
	uint8_t key_bytes[ULM_KEY_MAX];
	struct ulm_lock_info info;
};

static int find_visit(const struct ulm_key *file,
		      const struct ulm_lock_info *info, void *arg)
{
	struct target *t = arg;
	char id[ULMV_ID_LEN + 1];

	ulmv_record_id(file, info, id);
	if (strcmp(id, t->id) != 0)
		return 0;
	memcpy(t->key_bytes, file->data, file->len);
	t->key.data = t->key_bytes;
	t->key.len = file->len;
	t->info = *info;
	t->found = true;
	return 1;
}

/* A record of this node is in its memory: looked for there first, then
 * confirmed by a read of its file; any other needs the whole table read
 * (docs/dbus.md). @return ulm_lock_list()'s */
static int find_record(struct target *t)
{
	ulm_env *env = ulmfsal_env();
	int rc = ulm_lock_list_cached(env, find_visit, t);

	if (rc >= 0 && t->found) {
		struct ulm_key file = t->key;

		t->found = false;
		rc = ulm_lock_list(env, &file, find_visit, t);
	}
	if (rc >= 0 && !t->found)
		rc = ulm_lock_list(env, NULL, find_visit, t);
	return rc;
}

static bool valid_id(const char *id)
{
	return strlen(id) == ULMV_ID_LEN &&
	       strspn(id, "0123456789abcdef") == ULMV_ID_LEN;
}

/* Read the id argument and find its record, of one of @p types. */
static bool find_target(DBusMessageIter *args, unsigned types, const char *use,
			struct target *t, DBusError *error)
{
	const char *id;
	int rc;

	if (args == NULL ||
	    dbus_message_iter_get_arg_type(args) != DBUS_TYPE_STRING)
		return ulmfsal_dbus_invalid(
			error, "expected one argument of type s (a record id)");
	dbus_message_iter_get_basic(args, &id);
	if (dbus_message_iter_next(args))
		return ulmfsal_dbus_invalid(error,
					    "expected one argument only");
	if (!valid_id(id))
		return ulmfsal_dbus_invalid(
			error,
			"'%s' is not a record id (%d hex digits, as listed by "
			"ShowLocks, ShowShares, ShowDelegations)",
			id, ULMV_ID_LEN);
	memcpy(t->id, id, ULMV_ID_LEN + 1);
	rc = find_record(t);
	if (rc < 0) {
		dbus_set_error(error, DBUS_ERROR_FAILED,
			       "reading the lock store: %s", ulm_strerror(rc));
		return false;
	}
	if (!t->found)
		return ulmfsal_dbus_invalid(error,
					    "no record with id %s (gone, or "
					    "never there)",
					    id);
	if (!(types & ULMV_TYPE_BIT(t->info.type)))
		return ulmfsal_dbus_invalid(
			error, "record %s is a %s record: use %s", id,
			ulmv_type_name(t->info.type), use);
	return true;
}

enum place {
	PLACE_LIVE,   /**< this node, this epoch: a client of this Ganesha */
	PLACE_ORPHAN, /**< this node, an earlier epoch */
	PLACE_REMOTE, /**< another node */
};

static enum place place_of(const struct ulm_lock_info *info)
{
	if (info->node != ULMFSAL.config.node_id)
		return PLACE_REMOTE;
	return info->epoch < ulm_env_epoch(ulmfsal_env()) ? PLACE_ORPHAN
							  : PLACE_LIVE;
}

static struct ulm_owner owner_of(const struct ulm_lock_info *info)
{
	return (struct ulm_owner){
		.protocol = info->protocol,
		.kind = info->kind,
		.node = info->node,
		.client = info->client,
		.client_len = info->client_len,
		.owner = info->owner,
		.owner_len = info->owner_len,
	};
}

static void reply_status(DBusMessage *reply, bool ok, const char *message)
{
	DBusMessageIter iter;

	dbus_message_iter_init_append(reply, &iter);
	gsh_dbus_status_reply(&iter, ok, (char *)message);
}

static bool refuse_remote(const struct target *t, DBusMessage *reply,
			  const char *method)
{
	char message[256];

	snprintf(message, sizeof(message),
		 "record %s was made through node %" PRIu32 " (epoch %" PRIu32
		 "); this Ganesha is node %" PRIu32 ": call %s on node %" PRIu32
		 "'s Ganesha",
		 t->id, t->info.node, t->info.epoch, ULMFSAL.config.node_id,
		 method, t->info.node);
	reply_status(reply, false, message);
	return true;
}

/* Report a libulm result of an admin change, logged and counted. */
static bool reply_change(const struct target *t, DBusMessage *reply,
			 const char *what, int rc, const char *done)
{
	char message[256];

	if (rc != 0) {
		snprintf(message, sizeof(message), "%s %s: %s", what, t->id,
			 ulm_strerror(rc));
		reply_status(reply, false, message);
		return true;
	}
	ulmfsal_stats_count(ULMFSAL_STAT_BREAK);
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: DBus: %s %s: %s record of node %" PRIu32
		 " epoch %" PRIu32 " [%" PRIu64 ", %" PRIu64 "]: %s",
		 what, t->id, ulmv_type_name(t->info.type), t->info.node,
		 t->info.epoch, t->info.start, t->info.end, done);
	reply_status(reply, true, done);
	return true;
}

/* Does Ganesha's lock entry @p sle stand for the record @p info? */
static bool entry_is(const state_lock_entry_t *sle,
		     const struct ulm_lock_info *info)
{
	struct ulmfsal_owner o;
	uint64_t end = sle->sle_lock.lock_length
			       ? sle->sle_lock.lock_start +
					 sle->sle_lock.lock_length - 1
			       : ULM_EOF;

	return sle->sle_blocked == STATE_NON_BLOCKING &&
	       sle->sle_lock.lock_start <= info->end && info->start <= end &&
	       ulmfsal_owner_init(&o, sle->sle_owner, info->node,
				  ULM_OWNER_LOCK) == 0 &&
	       o.id.protocol == info->protocol && o.id.kind == info->kind &&
	       o.id.client_len == info->client_len &&
	       o.id.owner_len == info->owner_len &&
	       memcmp(o.id.client, info->client, info->client_len) == 0 &&
	       memcmp(o.id.owner, info->owner, info->owner_len) == 0;
}

/*
 * Unlock the record's range on behalf of its owner through the FSAL
 * stack (our lock_op2: the lock store, then the sub-FSAL's lock), with
 * the state and owner of Ganesha's lock entry. Under the file's state
 * lock, as Ganesha's own lock calls. @return -ENOENT if this export has
 * no such entry.
 */
static int unlock_entry(struct fsal_obj_handle *obj,
			const struct ulm_lock_info *info)
{
	fsal_lock_param_t range = {
		.lock_sle_type = FSAL_POSIX_LOCK,
		.lock_type = info->type == ULM_REC_LOCK_WRITE ? FSAL_LOCK_W
							      : FSAL_LOCK_R,
		.lock_start = info->start,
		.lock_length =
			info->end == ULM_EOF ? 0 : info->end - info->start + 1,
	};
	struct glist_head *glist;
	state_lock_entry_t *sle;
	fsal_status_t status;
	bool found = false;

	STATELOCK_lock(obj);
	glist_for_each(glist, &obj->state_hdl->file.lock_list)
	{
		sle = glist_entry(glist, state_lock_entry_t, sle_list);
		if (sle->sle_export != op_ctx->ctx_export ||
		    !entry_is(sle, info))
			continue;
		status = obj->obj_ops->lock_op2(obj, sle->sle_state,
						sle->sle_owner, FSAL_OP_UNLOCK,
						&range, NULL);
		found = true;
		break;
	}
	STATELOCK_unlock(obj);
	if (!found)
		return -ENOENT;
	return FSAL_IS_ERROR(status) ? -EIO : 0;
}

/* Break a lock of a client of this Ganesha, in the export it was taken
 * through. @return -ENOENT if Ganesha holds no such lock. */
static int break_in_ganesha(const struct target *t)
{
	uint16_t ids[ULMFSAL_ADMIN_EXPORTS_MAX];
	size_t n = ulmfsal_admin_export_ids(ids, ULMFSAL_ADMIN_EXPORTS_MAX);
	struct ulmfsal_admin_export ax;
	struct fsal_obj_handle *obj;
	struct gsh_buffdesc desc;
	uint8_t key[ULM_KEY_MAX];
	fsal_status_t status;
	int rc = -ENOENT;

	for (size_t i = 0; i < n && rc == -ENOENT; i++) {
		if (ulmfsal_admin_enter(ids[i], &ax) != 0)
			continue;
		/* create_handle may rewrite the key in place: a copy. */
		memcpy(key, t->key.data, t->key.len);
		desc.addr = key;
		desc.len = t->key.len;
		obj = NULL;
		status = op_ctx->fsal_export->exp_ops.create_handle(
			op_ctx->fsal_export, &desc, &obj, NULL);
		if (!FSAL_IS_ERROR(status)) {
			rc = unlock_entry(obj, &t->info);
			obj->obj_ops->put_ref(obj);
		}
		ulmfsal_admin_leave(&ax);
	}
	return rc;
}

/* A record of a live smbd node (another node of the store): that smbd
 * closes the SMB handle holding it (ULM_EVENT_BREAK), which takes the
 * handle's locks, share mode and oplock with it. */
static bool is_smb_remote(const struct target *t)
{
	return place_of(&t->info) == PLACE_REMOTE &&
	       t->info.protocol == ULM_PROTO_SMB;
}

static bool break_smb(const struct target *t, DBusMessage *reply,
		      const char *method)
{
	return reply_change(t, reply, method,
			    ULMFSAL_STORE(ulm_event_break(ulmfsal_env(),
							  &t->key, &t->info)),
			    "break sent to the smbd node that holds it: it "
			    "closes the SMB handle, which releases it");
}

static bool break_lock(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	struct target *t = gsh_calloc(1, sizeof(*t));
	struct ulm_owner owner;
	const char *done = "lock released; waiters woken; its holder is not "
			   "told (see docs/dbus.md)";
	int rc = -ENOENT;
	bool ok = find_target(args, ULMV_LOCKS,
			      "RevokeShare, RecallDelegation or "
			      "RevokeDelegation",
			      t, error);

	if (ok && is_smb_remote(t)) {
		ok = break_smb(t, reply, "BreakLock");
	} else if (ok && place_of(&t->info) == PLACE_REMOTE) {
		ok = refuse_remote(t, reply, "BreakLock");
	} else if (ok) {
		if (place_of(&t->info) == PLACE_LIVE)
			rc = break_in_ganesha(t);
		/* No lock of Ganesha's stands for it: the record alone. */
		if (rc == -ENOENT) {
			owner = owner_of(&t->info);
			rc = ULMFSAL_STORE(
				ulm_lock_release(ulmfsal_env(), &t->key, &owner,
						 t->info.start, t->info.end));
			done = "lock record dropped (no client of this Ganesha "
			       "held it); waiters woken";
		}
		ok = reply_change(t, reply, "BreakLock", rc, done);
	}
	gsh_free(t);
	return ok;
}

static bool revoke_share(DBusMessageIter *args, DBusMessage *reply,
			 DBusError *error)
{
	struct target *t = gsh_calloc(1, sizeof(*t));
	struct ulm_owner owner;
	bool ok = find_target(args, ULMV_SHARES,
			      "BreakLock, RecallDelegation or "
			      "RevokeDelegation",
			      t, error);

	if (ok && is_smb_remote(t)) {
		ok = break_smb(t, reply, "RevokeShare");
	} else if (ok && place_of(&t->info) == PLACE_REMOTE) {
		ok = refuse_remote(t, reply, "RevokeShare");
	} else if (ok) {
		owner = owner_of(&t->info);
		ok = reply_change(
			t, reply, "RevokeShare",
			ULMFSAL_STORE(ulm_share_release(ulmfsal_env(), &t->key,
							&owner)),
			"share reservation dropped: its access and deny no "
			"longer bind other clients; the open itself stays "
			"(see docs/dbus.md)");
	}
	gsh_free(t);
	return ok;
}

/* Recall through Ganesha (its CB_RECALL, then its revoke). */
static bool recall(const struct target *t, DBusMessage *reply,
		   const char *method, const char *done)
{
	char message[256];

	if (!ulmfsal_recall_send(&t->key)) {
		snprintf(message, sizeof(message),
			 "%s %s: Ganesha has no delegation on that file to "
			 "recall (being returned?)",
			 method, t->id);
		reply_status(reply, false, message);
		return true;
	}
	return reply_change(t, reply, method, 0, done);
}

static bool recall_delegation(DBusMessageIter *args, DBusMessage *reply,
			      DBusError *error)
{
	struct target *t = gsh_calloc(1, sizeof(*t));
	bool ok = find_target(args, ULMV_DELEGATIONS,
			      "BreakLock or RevokeShare", t, error);

	if (ok && place_of(&t->info) == PLACE_REMOTE)
		ok = refuse_remote(t, reply, "RecallDelegation");
	else if (ok && place_of(&t->info) == PLACE_ORPHAN)
		reply_status(reply, false,
			     "the delegation is an orphan of an earlier run "
			     "of this node: no client can be recalled; "
			     "RevokeDelegation drops it");
	else if (ok)
		ok = recall(t, reply, "RecallDelegation",
			    "recall sent to the holders of the file's "
			    "delegations on this node");
	gsh_free(t);
	return ok;
}

static bool revoke_delegation(DBusMessageIter *args, DBusMessage *reply,
			      DBusError *error)
{
	struct target *t = gsh_calloc(1, sizeof(*t));
	struct ulm_owner owner;
	bool ok = find_target(args, ULMV_DELEGATIONS,
			      "BreakLock or RevokeShare", t, error);

	if (ok && is_smb_remote(t)) {
		ok = break_smb(t, reply, "RevokeDelegation");
	} else if (ok && place_of(&t->info) == PLACE_REMOTE) {
		ok = refuse_remote(t, reply, "RevokeDelegation");
	} else if (ok && place_of(&t->info) == PLACE_ORPHAN) {
		owner = owner_of(&t->info);
		ok = reply_change(t, reply, "RevokeDelegation",
				  ULMFSAL_STORE(ulm_deleg_release(
					  ulmfsal_env(), &t->key, &owner)),
				  "orphan delegation dropped");
	} else if (ok) {
		ok = recall(t, reply, "RevokeDelegation",
			    "recalled; Ganesha revokes it unless it is "
			    "returned within two leases");
	}
	gsh_free(t);
	return ok;
}

#define ID_ARG_IN ULMFSAL_DBUS_ARG("id", "s", "in")

struct gsh_dbus_method ulmfsal_dbus_break_lock = {
	.name = "BreakLock",
	.method = break_lock,
	.args = {ID_ARG_IN, STATUS_REPLY, END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_revoke_share = {
	.name = "RevokeShare",
	.method = revoke_share,
	.args = {ID_ARG_IN, STATUS_REPLY, END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_recall_delegation = {
	.name = "RecallDelegation",
	.method = recall_delegation,
	.args = {ID_ARG_IN, STATUS_REPLY, END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_revoke_delegation = {
	.name = "RevokeDelegation",
	.method = revoke_delegation,
	.args = {ID_ARG_IN, STATUS_REPLY, END_ARG_LIST},
};
