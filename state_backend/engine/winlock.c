/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Windows byte-range locks (SMB2 LOCK, MS-FSA 2.1.5.7 and 2.1.5.8), in the
 * one table beside POSIX ones: each lock is a record of its own, marked
 * ULM_FLAG_WINDOWS, that stacks rather than merges and goes only by an
 * unlock of exactly its range. The conflict rules are conflict.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include "engine.h"

struct winlock_request {
	const struct ulm_owner *owner;
	enum ulm_lock_type type;
	uint64_t start;
	uint64_t end;
	uint8_t flags; /* ULM_FLAG_WINDOWS, and ULM_FLAG_EMPTY for length 0 */
	struct ulm_lock_info *conflict;
};

/* [offset, offset + length) as the table keeps it: a length of 0 is the
 * point at offset, marked empty. */
static int winlock_range(uint64_t offset, uint64_t length,
			 struct winlock_request *req)
{
	req->start = offset;
	req->flags = ULM_FLAG_WINDOWS;
	if (length == 0) {
		req->end = offset;
		req->flags |= ULM_FLAG_EMPTY;
		return 0;
	}
	if (length - 1 > ULM_EOF - offset)
		return -EINVAL; /* past the last byte of 64-bit space */
	req->end = offset + (length - 1);
	return 0;
}

static int winlock_validate(const struct ulm_key *file,
			    const struct ulm_owner *owner, uint64_t offset,
			    uint64_t length, struct winlock_request *req)
{
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc)
		rc = winlock_range(offset, length, req);
	return rc;
}

static int acquire_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct winlock_request *req = arg;
	struct conflict_req c = {
		.kind = REQ_LOCK,
		.owner = req->owner,
		.self = owner_set_find(&t->owners, req->owner),
		.start = req->start,
		.end = req->end,
		.write = req->type == ULM_LOCK_WRITE,
		.windows = true,
		.empty = req->flags & ULM_FLAG_EMPTY,
		.queued = UINT64_MAX, /* behind every queued request */
		.now_ms = clock_now_ms(),
		.recovering = &env->recovering,
	};
	struct ulm_record rec;
	struct change change = {req->owner, NULL, 0, &rec, 1, NULL};
	int rc = frozen_gate(env, t, 0);

	if (!rc)
		rc = conflict_answer(env, t, &c, req->conflict);
	if (rc)
		return rc;
	record_init(&rec, env,
		    req->type == ULM_LOCK_WRITE ? ULM_REC_LOCK_WRITE
						: ULM_REC_LOCK_READ,
		    req->start, req->end);
	rec.flags = req->flags;
	return commit(env, t, &change);
}

int ulm_winlock_acquire(ulm_env *env, const struct ulm_key *file,
			const struct ulm_owner *owner, enum ulm_lock_type type,
			uint64_t offset, uint64_t length, unsigned flags,
			struct ulm_lock_info *conflict)
{
	struct winlock_request req = {owner, type, 0, 0, 0, conflict};
	int rc = winlock_validate(file, owner, offset, length, &req);

	if (!rc && ((type != ULM_LOCK_READ && type != ULM_LOCK_WRITE) ||
		    flags || !env))
		rc = -EINVAL;
	if (!rc)
		rc = with_grantable_table(env, file, acquire_op, &req);
	return rc;
}

/* The owner's Windows lock of exactly the range, an exclusive one first
 * where both kinds stack (as Samba's brl_unlock_windows()). */
static struct ulm_lock *exact_lock(struct ulm_lock **mine, size_t n,
				   const struct release_range *range)
{
	struct ulm_lock *found = NULL;

	for (size_t i = 0; i < n; i++) {
		struct ulm_lock *l = mine[i];

		if (!(l->flags & ULM_FLAG_WINDOWS) ||
		    (l->flags & ULM_FLAG_EMPTY) !=
			    (range->flags & ULM_FLAG_EMPTY) ||
		    l->key.start != range->start || l->key.end != range->end)
			continue;
		if (!found || l->type == ULM_REC_LOCK_WRITE)
			found = l;
	}
	return found;
}

struct winlock_release {
	const struct ulm_owner *owner;
	const struct release_range *range;
};

static int release_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct winlock_release *req = arg;
	const struct ulm_towner *self = owner_set_find(&t->owners, req->owner);
	struct ulm_lock **mine, *del[1];
	struct change c = {req->owner, del, 1, NULL, 0, NULL};
	size_t n;
	int rc = table_owner_records(self, TYPES_LOCK, req->range->start,
				     req->range->end, &mine, &n);

	if (rc)
		return rc;
	del[0] = exact_lock(mine, n, req->range);
	free(mine);
	if (!del[0])
		return -ENOENT;
	rc = commit(env, t, &c);
	if (!rc)
		queue_wake(env, t, req->range->start, req->range->end);
	return rc;
}

static int release_now(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner,
		       const struct release_range *range)
{
	struct winlock_release req = {owner, range};
	int rc = env_writable(env);

	return rc ? rc : with_table(env, file, release_op, &req);
}

int ulm_winlock_release(ulm_env *env, const struct ulm_key *file,
			const struct ulm_owner *owner, uint64_t offset,
			uint64_t length)
{
	struct winlock_request req = {0};
	struct release_range range;
	int rc = winlock_validate(file, owner, offset, length, &req);

	if (rc)
		return rc;
	range = (struct release_range){req.start, req.end, req.flags};
	return release_or_keep(env, release_now, file, owner, &range);
}
