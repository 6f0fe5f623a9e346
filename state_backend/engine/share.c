/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Share reservations: at most one per owner per file, over the whole file.
 * The owner's next reservation replaces it (OPEN upgrade, OPEN_DOWNGRADE,
 * NLM_SHARE after NLM_SHARE), so the caller passes the union it holds. */
#include <errno.h>
#include "engine.h"

struct share_request {
	const struct ulm_owner *owner;
	uint8_t access;
	uint8_t deny;
	unsigned flags;
	struct ulm_lock_info *conflict;
};

static int share_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct share_request *req = arg;
	struct conflict_req c = {
		.kind = REQ_SHARE,
		.owner = req->owner,
		.self = owner_set_find(&t->owners, req->owner),
		.start = 0,
		.end = ULM_EOF,
		.access = req->access,
		.deny = req->deny,
		.queued = UINT64_MAX,
		.now_ms = clock_now_ms(),
		.recovering = &env->recovering,
		.handover = handover_asked(req->owner, req->flags),
	};
	struct ulm_record rec;
	int rc = frozen_gate(env, t,
			     recovery_flags(env, t, req->owner, TYPES_SHARE, 0,
					    ULM_EOF, req->flags));

	if (!rc && (req->flags & ULM_FLAG_RECLAIM))
		rc = recovery_reclaimable(env, t, req->owner, TYPES_SHARE, 0,
					  ULM_EOF, c.handover);
	if (!rc)
		rc = conflict_answer(env, t, &c, req->conflict);
	if (rc)
		return rc;
	record_init(&rec, env, ULM_REC_SHARE, 0, ULM_EOF);
	rec.access = req->access;
	rec.deny = req->deny;
	rec.flags = req->flags & ULM_FLAG_RECLAIM;
	return whole_record_set(env, t, req->owner, TYPES_SHARE, &rec,
				c.handover);
}

int ulm_share_acquire(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner, unsigned access,
		      unsigned deny, unsigned flags,
		      struct ulm_lock_info *conflict)
{
	struct share_request req = {owner, access, deny, flags, conflict};
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc && (access < 1 || access > ULM_SHARE_ALL ||
		    deny > ULM_SHARE_ALL || (flags & ~ULM_FLAG_RECLAIM)))
		rc = -EINVAL;
	if (!rc)
		rc = with_grantable_table(env, file, share_op, &req);
	return rc;
}

static int unshare_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	return whole_record_drop(env, t, arg, TYPES_SHARE);
}

static int unshare_now(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner,
		       const struct release_range *range)
{
	int rc = env_writable(env);

	(void)range; /* the whole file */
	return rc ? rc : with_table(env, file, unshare_op, (void *)owner);
}

int ulm_share_release(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner)
{
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	return rc ? rc
		  : release_or_keep(env, unshare_now, file, owner, &WHOLE_FILE);
}

struct share_query {
	const struct ulm_owner *owner;
	unsigned *access;
	unsigned *deny;
};

static int get_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct share_query *q = arg;
	const struct ulm_lock *mine = table_owner_whole(
		owner_set_find(&t->owners, q->owner), TYPES_SHARE);

	(void)env;
	if (!mine)
		return -ENOENT;
	*q->access = mine->access;
	*q->deny = mine->deny;
	return 0;
}

int ulm_share_get(ulm_env *env, const struct ulm_key *file,
		  const struct ulm_owner *owner, unsigned *access,
		  unsigned *deny)
{
	struct share_query q = {owner, access, deny};
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc && (!env || !access || !deny))
		rc = -EINVAL;
	if (!rc)
		rc = with_table(env, file, get_op, &q);
	return rc;
}

struct io_request {
	const struct ulm_owner *owner; /* NULL: I/O of no owner */
	uint8_t access;
	uint64_t start, end;
	unsigned flags; /* ULM_IO_* */
	struct ulm_lock_info *holder;
};

static int io_check_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct io_request *req = arg;
	struct conflict_req c = {
		.kind = REQ_IO,
		.owner = req->owner,
		.self = req->owner ? owner_set_find(&t->owners, req->owner)
				   : NULL,
		.start = req->start,
		.end = req->end,
		.access = req->access,
		.bypass = req->flags & ULM_IO_BYPASS,
		.shares = (req->flags & ULM_IO_SHARES) && t->denies,
		.winlocks = (req->flags & ULM_IO_LOCKS) && t->windows,
		.queued = UINT64_MAX,
		.now_ms = clock_now_ms(),
		.recovering = &env->recovering,
	};
	int rc = frozen_gate(env, t, 0);

	/* Delegations first: a recall makes the client retry anyway. */
	if (!rc && (req->flags & ULM_IO_RECALL))
		rc = deleg_access_answer(env, t, req->owner,
					 req->access & ULM_SHARE_WRITE,
					 req->holder);
	/* No deny and no Windows lock (the common case): no walk. */
	if (rc || (!c.shares && !c.winlocks))
		return rc;
	return conflict_answer(env, t, &c, req->holder);
}

int ulm_io_check(ulm_env *env, const struct ulm_key *file,
		 const struct ulm_owner *owner, unsigned access, uint64_t start,
		 uint64_t end, unsigned flags, struct ulm_lock_info *holder)
{
	struct io_request req = {owner, access, start, end, flags, holder};
	int rc = key_validate(file);

	if (!rc && owner)
		rc = owner_validate(owner);
	if (!rc)
		rc = range_validate(start, end);
	if (!rc && (!env || access < 1 || access > ULM_SHARE_ALL ||
		    (flags & ~(ULM_IO_BYPASS | ULM_IO_RECALL | ULM_IO_SHARES |
			       ULM_IO_LOCKS))))
		rc = -EINVAL;
	/* A recall is an event to send: as ulm_deleg_check(). */
	if (!rc)
		rc = (flags & ULM_IO_RECALL)
			     ? with_grantable_table(env, file, io_check_op,
						    &req)
			     : with_table(env, file, io_check_op, &req);
	return rc;
}

int ulm_share_io_check(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner, unsigned access,
		       unsigned flags, struct ulm_lock_info *holder)
{
	if (flags & ~(ULM_IO_BYPASS | ULM_IO_RECALL))
		return -EINVAL;
	return ulm_io_check(env, file, owner, access, 0, ULM_EOF,
			    flags | ULM_IO_SHARES, holder);
}
