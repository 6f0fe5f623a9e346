// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file lock.c
 * @brief FSAL UNIFIED: byte-range locks are decided by libulm, then
 * mirrored into the sub-FSAL so local users of the filesystem see them.
 *
 * Ganesha 4.3 (do_lock_op) reports a conflict, for LOCK and TEST alike,
 * only when lock_op2 fails with an error it maps to STATE_LOCK_CONFLICT
 * and fills the conflicting lock: we answer ERR_FSAL_DELAY, as FSAL VFS
 * does for EAGAIN. A store failure is an error, never a grant.
 *
 * Blocked requests wait in libulm's per-file queue, so a writer is not
 * starved by readers on any node: NLM blocking locks (LOCKB, answered
 * ERR_FSAL_BLOCKED and granted through a lock-available up-call, see
 * blocked.c) and NFSv4 READW/WRITEW (queued for one lease; the client
 * polls, and the lock is kept for it meanwhile).
 */
#include <errno.h>

#include "nfs_core.h"
#include "nfs_proto_data.h"
#include "sal_data.h"
#include "stats.h"
#include "ulmfsal.h"

/* How long a worker waits for another node to let go below of a lock
 * this node took over (rule: never park a worker long). */
#define ADOPTED_BELOW_WAIT_MS 1000
#define ADOPTED_BELOW_POLL_MS 20

/* One lock request, in libulm's terms. Borrows Ganesha's bytes. */
struct lock_call {
	struct ulm_key key;
	struct ulmfsal_owner owner;
	enum ulm_lock_type type;
	uint64_t start;
	uint64_t end; /* inclusive */
};

static const char *lock_op_name(fsal_lock_op_t lock_op)
{
	static const char *const names[] = {
		[FSAL_OP_LOCKT] = "LOCKT",   [FSAL_OP_LOCK] = "LOCK",
		[FSAL_OP_LOCKB] = "LOCKB",   [FSAL_OP_UNLOCK] = "UNLOCK",
		[FSAL_OP_CANCEL] = "CANCEL",
	};

	return (size_t)lock_op < sizeof(names) / sizeof(names[0])
		       ? names[lock_op]
		       : "unknown lock op";
}

static fsal_status_t sub_lock_op2(struct fsal_obj_handle *obj_hdl,
				  struct state_t *state, void *owner,
				  fsal_lock_op_t lock_op,
				  fsal_lock_param_t *request,
				  fsal_lock_param_t *conflicting_lock)
{
	return ULMFSAL_SUB(obj_hdl, lock_op2, state, owner, lock_op, request,
			   conflicting_lock);
}

static int lock_type_from_fsal(fsal_lock_t type, enum ulm_lock_type *out)
{
	switch (type) {
	case FSAL_LOCK_R:
		*out = ULM_LOCK_READ;
		return 0;
	case FSAL_LOCK_W:
		*out = ULM_LOCK_WRITE;
		return 0;
	default:
		return -EINVAL;
	}
}

static fsal_status_t prepare_call(struct fsal_obj_handle *obj_hdl, void *owner,
				  fsal_lock_op_t lock_op,
				  const fsal_lock_param_t *request,
				  struct lock_call *call)
{
	if (ulmfsal_owner_init(&call->owner, owner, ULMFSAL.config.node_id,
			       ULM_OWNER_LOCK) != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: %s with an owner of type %d, which cannot "
			"hold byte-range locks",
			lock_op_name(lock_op),
			((const state_owner_t *)owner)->so_type);
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	if (ulmfsal_file_key(obj_hdl, &call->key) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	/* UNLOCK carries no meaningful type; libulm ignores it there. */
	if (lock_type_from_fsal(request->lock_type, &call->type) != 0 &&
	    lock_op != FSAL_OP_UNLOCK) {
		LogMajor(COMPONENT_FSAL, "UNIFIED: %s with lock type %d",
			 lock_op_name(lock_op), request->lock_type);
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	ulm_range_from_length(request->lock_start, request->lock_length,
			      &call->start, &call->end);
	LogFullDebug(COMPONENT_FSAL,
		     "UNIFIED: %s %s [%" PRIu64 ", %" PRIu64
		     "] protocol %d node %" PRIu32 " key %zu bytes",
		     lock_op_name(lock_op),
		     call->type == ULM_LOCK_WRITE ? "write" : "read",
		     call->start, call->end, call->owner.id.protocol,
		     call->owner.id.node, call->key.len);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static bool holds_write(const struct ulm_lock_info *holder)
{
	return holder->type == ULM_REC_LOCK_WRITE ||
	       holder->type == ULM_REC_WAIT_WRITE ||
	       holder->type == ULM_REC_DELEG_WRITE;
}

/* Tell Ganesha who holds the range: a conflict without details is lost.
 * The holder may be a queued request or a delegation being recalled. */
static fsal_status_t conflict(const struct lock_call *call,
			      const struct ulm_lock_info *holder,
			      fsal_lock_param_t *conflicting_lock)
{
	LogDebug(COMPONENT_FSAL,
		 "UNIFIED: [%" PRIu64 ", %" PRIu64
		 "] conflicts with a record of type %d [%" PRIu64 ", %" PRIu64
		 "] of protocol %d on node %" PRIu32 " epoch %" PRIu32,
		 call->start, call->end, holder->type, holder->start,
		 holder->end, holder->protocol, holder->node, holder->epoch);
	if (conflicting_lock != NULL) {
		conflicting_lock->lock_sle_type = FSAL_POSIX_LOCK;
		conflicting_lock->lock_type =
			holds_write(holder) ? FSAL_LOCK_W : FSAL_LOCK_R;
		conflicting_lock->lock_start = holder->start;
		conflicting_lock->lock_length =
			holder->end == ULM_EOF
				? 0
				: holder->end - holder->start + 1;
		conflicting_lock->lock_reclaim = false;
	}
	return fsalstat(ERR_FSAL_DELAY, EAGAIN);
}

/*
 * Free in libulm; a local process may still hold a kernel lock. FSAL VFS
 * answers such a TEST with success and the holder filled in, which
 * Ganesha 4.3 drops: turn it into the conflict Ganesha reports.
 */
static fsal_status_t test_local_lock(struct fsal_obj_handle *obj_hdl,
				     struct state_t *state, void *owner,
				     fsal_lock_param_t *request,
				     fsal_lock_param_t *conflicting_lock)
{
	fsal_lock_param_t local = {.lock_type = FSAL_NO_LOCK};
	fsal_lock_param_t *holder =
		conflicting_lock ? conflicting_lock : &local;
	fsal_status_t status;

	holder->lock_type = FSAL_NO_LOCK;
	status = sub_lock_op2(obj_hdl, state, owner, FSAL_OP_LOCKT, request,
			      holder);
	if (!FSAL_IS_ERROR(status) && holder->lock_type != FSAL_NO_LOCK) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: LOCKT conflicts with a local lock at "
			 "%" PRIu64,
			 holder->lock_start);
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	}
	return status;
}

static fsal_status_t test_lock(struct fsal_obj_handle *obj_hdl,
			       struct state_t *state, void *owner,
			       fsal_lock_param_t *request,
			       fsal_lock_param_t *conflicting_lock,
			       const struct lock_call *call)
{
	struct ulm_lock_info holder;
	unsigned drops = 0;
	int rc;

	do {
		rc = ULMFSAL_STORE(ulm_lock_test(
			ulmfsal_env(), &call->key, &call->owner.id, call->type,
			call->start, call->end, &holder));
	} while (rc == -EAGAIN &&
		 ulmfsal_courtesy_drop(&call->key, &holder, &drops));
	if (rc == -EAGAIN || rc == ULM_EDELEG)
		return conflict(call, &holder, conflicting_lock);
	if (rc != 0)
		return ulmfsal_lock_status(rc, "LOCKT");
	return test_local_lock(obj_hdl, state, owner, request,
			       conflicting_lock);
}

/* Take back a grant the sub-FSAL refused, so the table matches it. */
static void revert_grant(ulm_undo *undo)
{
	int rc = ULMFSAL_STORE(ulm_undo_apply(ulmfsal_env(), undo));

	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: could not revert a lock the sub-FSAL "
			"refused: %s; the lock store keeps it until its owner "
			"unlocks",
			ulm_strerror(rc));
}

/* Ganesha 4.3 passes NFSv4 READW/WRITEW to lock_op2 as plain LOCK; the
 * type is in the LOCK operation being processed. */
static bool nfs4_blocking_lock(void)
{
	const nfs_argop4 *op = ulmfsal_nfs4_op(NFS4_OP_LOCK, NULL);
	nfs_lock_type4 type;

	if (op == NULL)
		return false;
	type = op->nfs_argop4_u.oplock.locktype;
	return type == READW_LT || type == WRITEW_LT;
}

/* How long a queued request waits unasked: NLM's until granted or
 * cancelled; an NFSv4 client's one lease past its last try. */
static void queue_request(fsal_lock_op_t lock_op, struct ulm_lock_req *req)
{
	struct timespec now;

	if (lock_op == FSAL_OP_LOCKB) {
		req->flags |= ULM_FLAG_WAIT;
		req->wait_expires = 0;
	} else if (nfs4_blocking_lock()) {
		clock_gettime(CLOCK_REALTIME, &now);
		req->flags |= ULM_FLAG_WAIT;
		req->wait_expires = ((uint64_t)now.tv_sec +
				     nfs_param.nfsv4_param.lease_lifetime) *
					    1000 +
				    (uint64_t)now.tv_nsec / 1000000;
	}
}

/*
 * The request in libulm. A blocking one (LOCKB) that meets a conflict
 * stays queued there (-EAGAIN: Ganesha is told "blocked"), or is tried
 * again at once if a wake for it came meanwhile (blocked.c).
 */
static int request_lock(fsal_lock_op_t lock_op, void *owner,
			fsal_lock_param_t *request,
			const struct lock_call *call, struct ulm_lock_req *req,
			struct ulm_lock_info *holder, ulm_undo **undo)
{
	int rc;

	if (lock_op == FSAL_OP_LOCKB)
		ulmfsal_blocked_try(&call->key, owner, &call->owner.id, request,
				    op_ctx->fsal_export->up_ops);
	do {
		rc = ULMFSAL_STORE(ulm_lock_request(ulmfsal_env(), &call->key,
						    &call->owner.id, req,
						    holder, undo));
	} while (rc == -EAGAIN && lock_op == FSAL_OP_LOCKB &&
		 ulmfsal_blocked_wait(&call->key, owner, request));
	if (lock_op == FSAL_OP_LOCKB && rc != -EAGAIN)
		ulmfsal_blocked_remove(&call->key, owner, request);
	return rc;
}

/*
 * A reclaim of nothing its owner held (never granted, or purged when
 * grace ended). NLM: denied for the grace period, as Ganesha answers a
 * late reclaim. NFSv4: Ganesha 4.3 lets an FSAL answer neither
 * NFS4ERR_RECLAIM_BAD nor NO_GRACE, so the lock is denied.
 */
static fsal_status_t refuse_reclaim(const struct lock_call *call,
				    const fsal_lock_param_t *request,
				    fsal_lock_param_t *conflicting_lock)
{
	LogInfo(COMPONENT_FSAL,
		"UNIFIED: reclaim of [%" PRIu64 ", %" PRIu64
		"] refused: its owner has no record there to reclaim",
		call->start, call->end);
	if (call->owner.id.protocol == ULM_PROTO_NLM)
		return fsalstat(ERR_FSAL_IN_GRACE, ENOENT);
	if (conflicting_lock != NULL)
		*conflicting_lock = *request;
	return fsalstat(ERR_FSAL_DELAY, ENOENT);
}

/* The sub-FSAL refused a lock as held (FSAL VFS: EAGAIN, EACCES). */
static bool held_below(fsal_status_t status)
{
	return status.major == ERR_FSAL_DELAY ||
	       status.major == ERR_FSAL_ACCESS ||
	       status.major == ERR_FSAL_LOCKED;
}

/*
 * The grant took over records of this owner's identity from another node
 * (its client moved with its service address): that node still holds the
 * kernel lock until it lets go of it (ULM_EVENT_ADOPTED, lock/adopted.c),
 * at once in the common case. Retried for a short while; past it the
 * records stay this node's (they are the owner's either way: an undo
 * would not give them back) and the client is told to retry: Ganesha 4.3
 * turns an FSAL's "delay" from a lock call into a conflict
 * (SAL/state_misc.c:194-199), so that is said as grace.
 */
static fsal_status_t lock_adopted_below(struct fsal_obj_handle *obj_hdl,
					struct state_t *state, void *owner,
					fsal_lock_param_t *request,
					fsal_lock_param_t *conflicting_lock,
					ulm_undo *undo)
{
	fsal_status_t status = fsalstat(ERR_FSAL_DELAY, EAGAIN);

	ulm_undo_free(undo);
	for (unsigned waited = 0;
	     FSAL_IS_ERROR(status) && waited < ADOPTED_BELOW_WAIT_MS;
	     waited += ADOPTED_BELOW_POLL_MS) {
		usleep(ADOPTED_BELOW_POLL_MS * 1000);
		status = sub_lock_op2(obj_hdl, state, owner, FSAL_OP_LOCK,
				      request, conflicting_lock);
	}
	if (!FSAL_IS_ERROR(status))
		return status;
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: a lock taken over from another node is still "
		 "held below there after %u ms: the client retries (its "
		 "records stay this node's)",
		 ADOPTED_BELOW_WAIT_MS);
	return ulmfsal_lock_status(ULM_EBUSY, "LOCK");
}

static fsal_status_t
acquire_lock(struct fsal_obj_handle *obj_hdl, struct state_t *state,
	     void *owner, fsal_lock_op_t lock_op, fsal_lock_param_t *request,
	     fsal_lock_param_t *conflicting_lock, const struct lock_call *call)
{
	struct ulm_lock_req req = {call->type, call->start, call->end,
				   request->lock_reclaim ? ULM_FLAG_RECLAIM : 0,
				   0};
	struct ulm_lock_info holder;
	ulm_undo *undo = NULL;
	fsal_status_t status;
	unsigned drops = 0;
	int rc;

	/* The file's locks below let go at this node's lease's end and not
	 * taken again yet (below.c): refused as while fenced. */
	if (ulmfsal_below_released(&call->key))
		return ulmfsal_lock_status(ULM_EFENCED, "LOCK");
	queue_request(lock_op, &req);
	do {
		rc = request_lock(lock_op, owner, request, call, &req, &holder,
				  &undo);
	} while (rc == -EAGAIN &&
		 ulmfsal_courtesy_drop(&call->key, &holder, &drops));
	if (rc == -EAGAIN && lock_op == FSAL_OP_LOCKB)
		return fsalstat(ERR_FSAL_BLOCKED, EAGAIN);
	if (rc == -EAGAIN || rc == ULM_EDELEG)
		return conflict(call, &holder, conflicting_lock);
	if (rc == -ENOENT && (req.flags & ULM_FLAG_RECLAIM))
		return refuse_reclaim(call, request, conflicting_lock);
	if (rc != 0)
		return ulmfsal_lock_status(rc, "LOCK");

	/* Granted cluster-wide: never block a thread on local holders. A
	 * lock state's first lock opens the file read/write (FSAL commonlib's
	 * open_for_locks, src/FSAL/commonlib.c:1715), which would wait on a
	 * delegation's kernel lease while Ganesha holds the file's state lock
	 * that the recall needs. */
	ulmfsal_watch_yield(&call->key);
	status = sub_lock_op2(obj_hdl, state, owner, FSAL_OP_LOCK, request,
			      conflicting_lock);
	if (held_below(status) && ulm_undo_adopted(undo))
		return lock_adopted_below(obj_hdl, state, owner, request,
					  conflicting_lock, undo);
	if (FSAL_IS_ERROR(status)) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: sub-FSAL refused a lock libulm granted: %s",
			 msg_fsal_err(status.major));
		revert_grant(undo);
		return status;
	}
	ulm_undo_free(undo);
	if (call->owner.id.protocol == ULM_PROTO_NLM)
		ulmfsal_nsm_note(owner);
	return status;
}

/* Ganesha drops a blocked request (NLM_CANCEL, client gone): take it out
 * of the queue. Nothing of ours is granted asynchronously, so no grant
 * up-call can follow: CANCEL always succeeds. */
static fsal_status_t cancel_lock(void *owner, fsal_lock_param_t *request,
				 const struct lock_call *call)
{
	int rc = ULMFSAL_STORE(ulm_lock_cancel(ulmfsal_env(), &call->key,
					       &call->owner.id, call->start,
					       call->end));

	ulmfsal_blocked_remove(&call->key, owner, request);
	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: could not take a cancelled request out of "
			"the "
			"queue: %s; it lapses when its node's records are "
			"purged",
			ulm_strerror(rc));
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static bool left_with_address(const struct lock_call *call, void *owner)
{
	if (call->owner.id.protocol != ULM_PROTO_NLM ||
	    !ulmfsal_nsm_left(owner))
		return false;
	LogDebug(COMPONENT_FSAL,
		 "UNIFIED: UNLOCK [%" PRIu64 ", %" PRIu64
		 "] of an NLM client that left with its service address: "
		 "its records stay (the new node's)",
		 call->start, call->end);
	return true;
}

static fsal_status_t release_lock(struct fsal_obj_handle *obj_hdl,
				  struct state_t *state, void *owner,
				  fsal_lock_param_t *request,
				  const struct lock_call *call)
{
	int rc = 0;
	fsal_status_t sub_status;

	/*
	 * At shutdown Ganesha removes every export and unlocks every lock
	 * on the way. The records must outlive this process: its clients
	 * reclaim them after a restart, and other nodes keep respecting
	 * them meanwhile. Only the kernel locks go. So too when the owner
	 * is an NLM client that left with its service address (planned
	 * move): it reclaimed its locks on the address's new node, which
	 * holds the records now.
	 */
	if (admin_shutdown || left_with_address(call, owner))
		rc = 0;
	else if (ulmfsal_courtesy_due(owner))
		rc = ulmfsal_courtesy_release_locks(&call->key, &call->owner.id,
						    call->start, call->end);
	else
		rc = ULMFSAL_STORE(ulm_lock_release(ulmfsal_env(), &call->key,
						    &call->owner.id,
						    call->start, call->end));
	sub_status = sub_lock_op2(obj_hdl, state, owner, FSAL_OP_UNLOCK,
				  request, NULL);

	/* Release the local lock even when the store failed. */
	if (rc != 0)
		return ulmfsal_lock_status(rc, "UNLOCK");
	if (FSAL_IS_ERROR(sub_status))
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: sub-FSAL failed to unlock [%" PRIu64
			 ", %" PRIu64 "]: %s",
			 call->start, call->end,
			 msg_fsal_err(sub_status.major));
	return sub_status;
}

static fsal_status_t
dispatch(struct fsal_obj_handle *obj_hdl, struct state_t *state, void *owner,
	 fsal_lock_op_t lock_op, fsal_lock_param_t *request,
	 fsal_lock_param_t *conflicting_lock, struct lock_call *call)
{
	fsal_status_t status;

	if (owner == NULL || request == NULL) {
		LogCrit(COMPONENT_FSAL, "UNIFIED: %s without %s",
			lock_op_name(lock_op),
			owner == NULL ? "owner" : "lock");
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	status = prepare_call(obj_hdl, owner, lock_op, request, call);
	if (FSAL_IS_ERROR(status))
		return status;

	switch (lock_op) {
	case FSAL_OP_LOCKT:
		return test_lock(obj_hdl, state, owner, request,
				 conflicting_lock, call);
	case FSAL_OP_LOCK:
	case FSAL_OP_LOCKB:
		return acquire_lock(obj_hdl, state, owner, lock_op, request,
				    conflicting_lock, call);
	case FSAL_OP_UNLOCK:
		return release_lock(obj_hdl, state, owner, request, call);
	case FSAL_OP_CANCEL:
		return cancel_lock(owner, request, call);
	default:
		LogCrit(COMPONENT_FSAL, "UNIFIED: unknown lock operation %d",
			lock_op);
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	}
}

static enum ulmfsal_op counted_op(fsal_lock_op_t lock_op)
{
	switch (lock_op) {
	case FSAL_OP_LOCKT:
		return ULMFSAL_OP_LOCKT;
	case FSAL_OP_UNLOCK:
		return ULMFSAL_OP_UNLOCK;
	case FSAL_OP_CANCEL:
		return ULMFSAL_OP_CANCEL;
	default:
		return ULMFSAL_OP_LOCK;
	}
}

fsal_status_t ulmfsal_lock_op2(struct fsal_obj_handle *obj_hdl,
			       struct state_t *state, void *owner,
			       fsal_lock_op_t lock_op,
			       fsal_lock_param_t *request,
			       fsal_lock_param_t *conflicting_lock)
{
	struct lock_call call = {0};
	fsal_status_t status = dispatch(obj_hdl, state, owner, lock_op, request,
					conflicting_lock, &call);

	ulmfsal_stats_op(counted_op(lock_op), call.owner.id.protocol, status);
	if (request != NULL && request->lock_reclaim &&
	    counted_op(lock_op) == ULMFSAL_OP_LOCK)
		ulmfsal_stats_reclaim(ULMFSAL_OP_LOCK, status);
	return status;
}
