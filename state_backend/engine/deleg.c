/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Delegations: at most one per client per file. Granting one never
 * recalls anything; what conflicts with one (another client's lock, open
 * or I/O) sends its recall to the node that granted it. */
#include <errno.h>
#include "engine.h"

struct deleg_request {
	const struct ulm_owner *owner; /* NULL: I/O with no client state */
	bool write;
	unsigned flags;
	struct ulm_lock_info *conflict;
};

static void deleg_view(ulm_env *env, const struct ulm_table *t,
		       const struct deleg_request *req, enum request_kind kind,
		       struct conflict_req *c)
{
	*c = (struct conflict_req){
		.kind = kind,
		.owner = req->owner,
		.self = req->owner ? owner_set_find(&t->owners, req->owner)
				   : NULL,
		.start = 0,
		.end = ULM_EOF,
		.write = req->write,
		.queued = UINT64_MAX,
		.now_ms = clock_now_ms(),
		.recovering = &env->recovering,
	};
}

static int deleg_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct deleg_request *req = arg;
	struct ulm_record rec;
	struct conflict_req c;
	int rc;

	rc = frozen_gate(env, t,
			 recovery_flags(env, t, req->owner, TYPES_DELEG, 0,
					ULM_EOF, req->flags));
	if (!rc && (req->flags & ULM_FLAG_RECLAIM))
		rc = recovery_reclaimable(env, t, req->owner, TYPES_DELEG, 0,
					  ULM_EOF, false);
	if (rc)
		return rc;
	deleg_view(env, t, req, REQ_DELEG, &c);
	rc = conflict_answer(env, t, &c, req->conflict);
	if (rc)
		return rc;
	record_init(&rec, env,
		    req->write ? ULM_REC_DELEG_WRITE : ULM_REC_DELEG_READ, 0,
		    ULM_EOF);
	rec.flags = req->flags & ULM_FLAG_RECLAIM;
	return whole_record_set(env, t, req->owner, TYPES_DELEG, &rec, false);
}

static int client_validate(const struct ulm_key *file,
			   const struct ulm_owner *owner)
{
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc && owner->kind != ULM_OWNER_CLIENT)
		rc = -EINVAL;
	return rc;
}

int ulm_deleg_acquire(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner, enum ulm_deleg_type type,
		      unsigned flags, struct ulm_lock_info *conflict)
{
	struct deleg_request req = {owner, type == ULM_DELEG_WRITE, flags,
				    conflict};
	int rc = client_validate(file, owner);

	if (!rc && ((type != ULM_DELEG_READ && type != ULM_DELEG_WRITE) ||
		    (flags & ~ULM_FLAG_RECLAIM)))
		rc = -EINVAL;
	if (!rc)
		rc = with_grantable_table(env, file, deleg_op, &req);
	return rc;
}

static int undeleg_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	return whole_record_drop(env, t, arg, TYPES_DELEG);
}

static int undeleg_now(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner,
		       const struct release_range *range)
{
	int rc = env_writable(env);

	(void)range; /* the whole file */
	return rc ? rc : with_table(env, file, undeleg_op, (void *)owner);
}

int ulm_deleg_release(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner)
{
	int rc = client_validate(file, owner);

	return rc ? rc
		  : release_or_keep(env, undeleg_now, file, owner, &WHOLE_FILE);
}

int deleg_access_answer(ulm_env *env, const struct ulm_table *t,
			const struct ulm_owner *owner, bool write,
			struct ulm_lock_info *conflict)
{
	struct deleg_request req = {owner, write, 0, conflict};
	struct conflict_req c;

	deleg_view(env, t, &req, REQ_ACCESS, &c);
	return conflict_answer(env, t, &c, conflict);
}

static int check_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct deleg_request *req = arg;
	int rc = frozen_gate(env, t, 0);

	return rc ? rc
		  : deleg_access_answer(env, t, req->owner, req->write,
					req->conflict);
}

int ulm_deleg_check(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_owner *owner, unsigned access,
		    struct ulm_lock_info *conflict)
{
	struct deleg_request req = {owner, access & ULM_SHARE_WRITE, 0,
				    conflict};
	int rc = key_validate(file);

	if (!rc && owner)
		rc = owner_validate(owner);
	if (!rc && (access < 1 || access > ULM_SHARE_BOTH))
		rc = -EINVAL;
	if (!rc)
		rc = with_grantable_table(env, file, check_op, &req);
	return rc;
}
