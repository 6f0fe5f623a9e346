// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file share.c
 * @brief FSAL UNIFIED: share reservations of NFSv4 OPEN and NLM_SHARE
 * are libulm records, so a deny holds across protocols and nodes.
 *
 * open2, reopen2 and close2 carry the reservation of their state (an
 * NFSv4 open or an NLM share): libulm decides first, then the sub-FSAL
 * opens with its own descriptors and its own (local) share check; if the
 * sub-FSAL refuses, the libulm change is undone. Opens without a share
 * state (NFSv3 I/O, internal opens) make no record.
 */
#include <errno.h>
#include <string.h>

#include "nfs_core.h"
#include "sal_data.h"
#include "stats.h"
#include "ulmfsal.h"

/* The reservation an open asks for, in libulm's terms. */
struct share_call {
	struct ulm_key key;
	struct ulmfsal_owner owner;
	unsigned access;
	unsigned deny;
	unsigned flags;
};

/*
 * Ganesha detaches a state from its owner before close2, so each share
 * state's identity is remembered here from open2 to close2.
 */
struct share_state {
	struct share_state *next;
	const struct state_t *state;
	state_owner_t
		*held_owner; /* an NLM share's owner, see nlm_owner_hold */
	struct ulm_owner owner;
	uint64_t clientid; /* NFSv4: the owner's clientid4, else 0 */
	struct ulm_key key;
	uint8_t bytes[]; /* key, client, owner */
};

#define SHARE_BUCKETS 1024

static pthread_mutex_t share_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct share_state *share_states[SHARE_BUCKETS];

/*
 * Ganesha 4.3 takes no reference on the owner of an NLM share state
 * (nfs-ganesha issue #1110): the owner, and the NLM client it holds, are
 * freed when the NLM_SHARE request ends. NLM_UNSHARE then finds no client
 * and does nothing, and FREE_ALL or SM_NOTIFY follow the freed owner and
 * crash. So the share state holds its owner here, from the first grant
 * to close2. Ganesha exports no way to free an owner: the hold is dropped
 * only while another reference remains, so an owner keeps at most one
 * (and its client) after its last share; its next share reuses it.
 */
static state_owner_t *nlm_owner_hold(struct state_t *state)
{
	if (state->state_type != STATE_TYPE_NLM_SHARE ||
	    state->state_owner == NULL)
		return NULL;
	atomic_inc_int32_t(&state->state_owner->so_refcount);
	return state->state_owner;
}

static void nlm_owner_release(state_owner_t *owner)
{
	int32_t refs = atomic_fetch_int32_t(&owner->so_refcount);

	while (refs > 1 && !__atomic_compare_exchange_n(
				   &owner->so_refcount, &refs, refs - 1, false,
				   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

static struct share_state **share_slot(const struct state_t *state)
{
	struct share_state **s =
		&share_states[((uintptr_t)state >> 4) % SHARE_BUCKETS];

	while (*s && (*s)->state != state)
		s = &(*s)->next;
	return s;
}

static struct share_state *share_state_new(const struct state_t *state,
					   const struct share_call *call)
{
	const struct ulm_owner *o = &call->owner.id;
	struct share_state *s = gsh_malloc(sizeof(*s) + call->key.len +
					   o->client_len + o->owner_len);
	uint8_t *p = s->bytes;

	s->next = NULL;
	s->state = state;
	s->owner = *o;
	s->clientid = call->owner.clientid;
	s->key.data = memcpy(p, call->key.data, call->key.len);
	s->key.len = call->key.len;
	p += call->key.len;
	s->owner.client = memcpy(p, o->client, o->client_len);
	p += o->client_len;
	s->owner.owner = memcpy(p, o->owner, o->owner_len);
	return s;
}

static void share_remember(struct state_t *state, const struct share_call *call)
{
	struct share_state *fresh = share_state_new(state, call), **slot;

	PTHREAD_MUTEX_lock(&share_mutex);
	slot = share_slot(state);
	if (*slot) {
		fresh->next = (*slot)->next;
		fresh->held_owner = (*slot)->held_owner;
		gsh_free(*slot);
	} else {
		fresh->held_owner = nlm_owner_hold(state);
	}
	*slot = fresh;
	PTHREAD_MUTEX_unlock(&share_mutex);
}

/* Take the state's remembered identity out of the table, or NULL. */
static struct share_state *share_forget(const struct state_t *state)
{
	struct share_state **slot, *gone;

	PTHREAD_MUTEX_lock(&share_mutex);
	slot = share_slot(state);
	gone = *slot;
	if (gone)
		*slot = gone->next;
	PTHREAD_MUTEX_unlock(&share_mutex);
	return gone;
}

static bool has_share(const struct state_t *state)
{
	return state != NULL && (state->state_type == STATE_TYPE_SHARE ||
				 state->state_type == STATE_TYPE_NLM_SHARE);
}

static void modes_from_openflags(fsal_openflags_t openflags,
				 struct share_call *call)
{
	call->access = ((openflags & FSAL_O_READ) ? ULM_SHARE_READ : 0) |
		       ((openflags & FSAL_O_WRITE) ? ULM_SHARE_WRITE : 0);
	call->deny = ((openflags & FSAL_O_DENY_READ) ? ULM_SHARE_READ : 0) |
		     ((openflags & (FSAL_O_DENY_WRITE | FSAL_O_DENY_WRITE_MAND))
			      ? ULM_SHARE_WRITE
			      : 0);
	call->flags = (openflags & FSAL_O_RECLAIM) ? ULM_FLAG_RECLAIM : 0;
}

static fsal_status_t share_call_init(struct fsal_obj_handle *obj,
				     struct state_t *state,
				     fsal_openflags_t openflags,
				     struct share_call *call)
{
	int rc = state->state_owner != NULL
			 ? ulmfsal_owner_init(&call->owner, state->state_owner,
					      ULMFSAL.config.node_id,
					      ULM_OWNER_OPEN)
			 : ulmfsal_open_owner_from_request(
				   &call->owner, ULMFSAL.config.node_id);

	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: open with no owner that can hold a share "
			"reservation");
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	if (ulmfsal_file_key(obj, &call->key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	modes_from_openflags(openflags, call);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/* A deny is NFS4ERR_SHARE_DENIED (NLM: denied); a recall, a retry. */
static fsal_status_t share_acquire(const struct share_call *call)
{
	struct ulm_lock_info *holder = gsh_malloc(sizeof(*holder));
	unsigned drops = 0;
	int rc;

	do {
		rc = ULMFSAL_STORE(ulm_share_acquire(
			ulmfsal_env(), &call->key, &call->owner.id,
			call->access, call->deny, call->flags, holder));
	} while (rc == -EAGAIN &&
		 ulmfsal_courtesy_drop(&call->key, holder, &drops));

	if (rc == -EAGAIN)
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: open access %u deny %u refused by a share "
			 "access %u deny %u of node %" PRIu32,
			 call->access, call->deny, holder->access, holder->deny,
			 holder->node);
	gsh_free(holder);
	if (rc == -EAGAIN)
		return fsalstat(ERR_FSAL_SHARE_DENIED, EAGAIN);
	/* A reclaim of no reservation of its owner's (never granted, or
	 * purged after grace). Ganesha 4.3 lets an FSAL answer neither
	 * NFS4ERR_RECLAIM_BAD nor NO_GRACE: the reservation is denied. */
	if (rc == -ENOENT && (call->flags & ULM_FLAG_RECLAIM)) {
		LogInfo(COMPONENT_FSAL,
			"UNIFIED: OPEN reclaim refused: no reservation of this "
			"open-owner is left to reclaim");
		return fsalstat(ERR_FSAL_SHARE_DENIED, ENOENT);
	}
	return ulmfsal_status(rc, "OPEN share reservation");
}

static fsal_status_t share_take(const struct share_call *call)
{
	fsal_status_t status = share_acquire(call);

	ulmfsal_stats_op(ULMFSAL_OP_SHARE, call->owner.id.protocol, status);
	if (call->flags & ULM_FLAG_RECLAIM)
		ulmfsal_stats_reclaim(ULMFSAL_OP_SHARE, status);
	return status;
}

/* Put back what the owner held before (or nothing), after the sub-FSAL
 * refused the change libulm made. */
static void share_restore(const struct share_call *call, bool had,
			  unsigned access, unsigned deny)
{
	int rc = ULMFSAL_STORE(
		had ? ulm_share_acquire(ulmfsal_env(), &call->key,
					&call->owner.id, access, deny, 0, NULL)
		    : ulm_share_release(ulmfsal_env(), &call->key,
					&call->owner.id));

	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: could not take back a share reservation the "
			"sub-FSAL refused: %s; it stays until the owner "
			"closes",
			ulm_strerror(rc));
}

/* Granted for write: a delegation still out on the file is the opener's
 * own, and the sub-FSAL's write open must not wait on its kernel lease. */
static void write_yield(const struct share_call *call)
{
	if (call->access & ULM_SHARE_WRITE)
		ulmfsal_watch_yield(&call->key);
}

static fsal_status_t
sub_open2(struct fsal_obj_handle *obj, struct state_t *state,
	  fsal_openflags_t openflags, enum fsal_create_mode createmode,
	  const char *name, struct fsal_attrlist *attrs_in,
	  fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
	  struct fsal_attrlist *attrs_out, bool *caller_perm_check)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_SUB(
		obj, open2, state, openflags, createmode, name, attrs_in,
		verifier, &sub_handle, attrs_out, caller_perm_check);

	return ulmfsal_wrap_handle(op_ctx->fsal_export, status, sub_handle,
				   new_obj);
}

/* The file an open by name will open, if it exists already: its share
 * check must come before the sub-FSAL opens (and maybe truncates) it. */
static struct fsal_obj_handle *existing_child(struct fsal_obj_handle *dir,
					      const char *name)
{
	struct fsal_obj_handle *child = NULL;
	fsal_status_t status = dir->obj_ops->lookup(dir, name, &child, NULL);

	return FSAL_IS_ERROR(status) ? NULL : child;
}

/* Take the reservation on @obj, then let the sub-FSAL open. */
static fsal_status_t
open_checked(struct fsal_obj_handle *target, struct fsal_obj_handle *obj,
	     struct state_t *state, fsal_openflags_t openflags,
	     enum fsal_create_mode createmode, const char *name,
	     struct fsal_attrlist *attrs_in, fsal_verifier_t verifier,
	     struct fsal_obj_handle **new_obj, struct fsal_attrlist *attrs_out,
	     bool *caller_perm_check)
{
	struct share_call call;
	fsal_status_t status = share_call_init(target, state, openflags, &call);

	if (!FSAL_IS_ERROR(status))
		status = share_take(&call);
	if (FSAL_IS_ERROR(status))
		return status;
	write_yield(&call);
	status = sub_open2(obj, state, openflags, createmode, name, attrs_in,
			   verifier, new_obj, attrs_out, caller_perm_check);
	if (FSAL_IS_ERROR(status))
		share_restore(&call, false, 0, 0);
	else
		share_remember(state, &call);
	return status;
}

/* A file this open created: nobody else can hold a share on it yet, but
 * the reservation is recorded like any other, and a lost race undone. */
static fsal_status_t share_created(struct fsal_obj_handle *new_obj,
				   struct state_t *state,
				   fsal_openflags_t openflags)
{
	struct share_call call;
	fsal_status_t status =
		share_call_init(new_obj, state, openflags, &call);

	if (!FSAL_IS_ERROR(status))
		status = share_take(&call);
	if (FSAL_IS_ERROR(status)) {
		ULMFSAL_SUB(new_obj, close2, state);
		new_obj->obj_ops->release(new_obj);
	} else {
		share_remember(state, &call);
	}
	return status;
}

static fsal_status_t
open2(struct fsal_obj_handle *obj, struct state_t *state,
      fsal_openflags_t openflags, enum fsal_create_mode createmode,
      const char *name, struct fsal_attrlist *attrs_in,
      fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
      struct fsal_attrlist *attrs_out, bool *caller_perm_check)
{
	struct fsal_obj_handle *child;
	fsal_status_t status;

	if (!has_share(state))
		return sub_open2(obj, state, openflags, createmode, name,
				 attrs_in, verifier, new_obj, attrs_out,
				 caller_perm_check);
	if (name == NULL)
		return open_checked(obj, obj, state, openflags, createmode,
				    name, attrs_in, verifier, new_obj,
				    attrs_out, caller_perm_check);
	child = existing_child(obj, name);
	if (child != NULL) {
		status = open_checked(child, obj, state, openflags, createmode,
				      name, attrs_in, verifier, new_obj,
				      attrs_out, caller_perm_check);
		child->obj_ops->release(child);
		return status;
	}
	status = sub_open2(obj, state, openflags, createmode, name, attrs_in,
			   verifier, new_obj, attrs_out, caller_perm_check);
	if (!FSAL_IS_ERROR(status) && *new_obj != NULL)
		status = share_created(*new_obj, state, openflags);
	return status;
}

/* OPEN upgrade, OPEN_DOWNGRADE, NLM_SHARE/UNSHARE: the new union. */
static fsal_status_t reopen2(struct fsal_obj_handle *obj, struct state_t *state,
			     fsal_openflags_t openflags)
{
	unsigned old_access = 0, old_deny = 0;
	struct share_call call;
	fsal_status_t status;
	bool had;

	if (!has_share(state))
		return ULMFSAL_SUB(obj, reopen2, state, openflags);
	status = share_call_init(obj, state, openflags, &call);
	if (FSAL_IS_ERROR(status))
		return status;
	had = ULMFSAL_STORE(ulm_share_get(ulmfsal_env(), &call.key,
					  &call.owner.id, &old_access,
					  &old_deny)) == 0;
	status = share_take(&call);
	if (FSAL_IS_ERROR(status))
		return status;
	write_yield(&call);
	status = ULMFSAL_SUB(obj, reopen2, state, openflags);
	if (FSAL_IS_ERROR(status))
		share_restore(&call, had, old_access, old_deny);
	else
		share_remember(state, &call);
	return status;
}

/*
 * CLOSE, or the last NLM_UNSHARE. At shutdown Ganesha closes every state:
 * the records then stay for the clients to reclaim (as locks do).
 */
static fsal_status_t close2(struct fsal_obj_handle *obj, struct state_t *state)
{
	struct share_state *s = has_share(state) ? share_forget(state) : NULL;
	int rc = 0;

	if (s != NULL && !admin_shutdown)
		rc = ulmfsal_courtesy_close_due(s->clientid)
			     ? ulmfsal_courtesy_release_share(&s->key,
							      &s->owner)
			     : ULMFSAL_STORE(ulm_share_release(
				       ulmfsal_env(), &s->key, &s->owner));
	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: CLOSE could not drop the share reservation: "
			"%s",
			ulm_strerror(rc));
	if (s != NULL && s->held_owner != NULL)
		nlm_owner_release(s->held_owner);
	gsh_free(s);
	return ULMFSAL_SUB(obj, close2, state);
}

void ulmfsal_share_ops_init(struct fsal_obj_ops *ops)
{
	ops->open2 = open2;
	ops->reopen2 = reopen2;
	ops->close2 = close2;
}
