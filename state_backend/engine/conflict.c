/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The rules. "Same owner" is the interned owner; "same client" is the
 * protocol and client bytes, so a client's own opens, locks and I/O never
 * recall its own delegation.
 *
 *   held \ request  LOCK             SHARE            DELEG       ACCESS
 *   lock            POSIX, Windows   -                any W *     -
 *   queued request  POSIX, if ahead  -                any W *     -
 *   share           -                deny meets acc.  W, acc W,   -
 *                                                     deny R/W *
 *   delegation      any W: recall *  W, acc W, deny:  any W *     W or
 *                                    recall *                     writes:
 *                                                                 recall *
 * (* only between different clients; "any W": either side is write.)
 * Delete (SMB: an open for DELETE, one without FILE_SHARE_DELETE) is
 * between shares, and I/O that removes or renames; never delegations.
 * IO meets what it is asked to. Shares (I/O with no open of its own):
 * another owner's deny that meets its access; with bypass, only a deny
 * of write that is mandatory, not an NLM share's (DOS share modes bind
 * the clients that ask for them). Windows locks (any I/O, the mandatory
 * bridge): another owner's lock in its range, exclusive for a read, any
 * for a write (MS-FSA 2.1.4.10); bypass passes none.
 *
 * An unreclaimed record (its node is recovering, see recovery.h) refuses
 * what it would refuse live, with "grace" rather than "held", except a
 * request of its own identity, which is recovering it; an unreclaimed
 * queued request refuses nothing. No delegation of a past life is
 * recalled: its client reclaims it or grace ends.
 */
#include <string.h>
#include <time.h>
#include "conflict.h"

uint64_t clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum ulm_lock_type record_lock_type(uint8_t type)
{
	return type == ULM_REC_LOCK_WRITE || type == ULM_REC_WAIT_WRITE
		       ? ULM_LOCK_WRITE
		       : ULM_LOCK_READ;
}

uint64_t waiter_place(const struct ulm_lock *w)
{
	return w->ticket ? w->ticket : w->key.id;
}

bool waiter_live(const struct ulm_lock *w, uint64_t now_ms)
{
	return w->expires == 0 || w->expires > now_ms;
}

static bool same_client(const struct ulm_towner *held,
			const struct ulm_owner *req)
{
	return req && held->protocol == req->protocol &&
	       held->client_len == req->client_len &&
	       memcmp(held->id, req->client, req->client_len) == 0;
}

/* Another owner's lock clashes where either is a write. Of its own
 * locks, POSIX merges; a Windows request stacks on them, unless it is
 * exclusive (MS-FSA 2.1.5.7). A Windows lock of length 0 clashes with
 * nothing. */
static bool locks_clash(const struct ulm_lock *held,
			const struct conflict_req *req)
{
	if ((held->flags & ULM_FLAG_EMPTY) || req->empty ||
	    !range_overlap(held->key.start, held->key.end, req->start,
			   req->end))
		return false;
	if (held->owner != req->self)
		return req->write ||
		       record_lock_type(held->type) == ULM_LOCK_WRITE;
	return req->windows && req->write;
}

static bool is_write(uint8_t type)
{
	return type == ULM_REC_LOCK_WRITE || type == ULM_REC_WAIT_WRITE ||
	       type == ULM_REC_DELEG_WRITE;
}

/* A delegation request against any other client's record. */
static enum conflict_result
against_deleg_request(const struct ulm_lock *held,
		      const struct conflict_req *req)
{
	bool clash = req->write || is_write(held->type);

	if (held->type == ULM_REC_SHARE)
		clash = req->write || (held->access & ULM_SHARE_WRITE) ||
			(held->deny & ULM_SHARE_BOTH);
	/* A lapsed queued request stands in nobody's way. */
	if ((TYPES_WAIT & TYPE_BIT(held->type)) &&
	    !waiter_live(held, req->now_ms))
		clash = false;
	return clash ? CONFLICT_HELD : CONFLICT_NONE;
}

/* Another client's delegation against a lock, share or access. */
static enum conflict_result against_deleg(const struct ulm_lock *held,
					  const struct conflict_req *req)
{
	bool clash = held->type == ULM_REC_DELEG_WRITE || req->write;

	if (req->kind == REQ_SHARE)
		clash = held->type == ULM_REC_DELEG_WRITE ||
			(req->access & ULM_SHARE_WRITE) ||
			(req->deny & ULM_SHARE_BOTH);
	return clash ? CONFLICT_RECALL : CONFLICT_NONE;
}

/* The denies of a share that refuse an I/O request. */
static uint8_t io_deny(const struct ulm_lock *held,
		       const struct conflict_req *req)
{
	if (!req->bypass)
		return held->deny;
	return held->owner->protocol == ULM_PROTO_NLM
		       ? 0
		       : held->deny & ULM_SHARE_WRITE;
}

static enum conflict_result against_share(const struct ulm_lock *held,
					  const struct conflict_req *req)
{
	bool clash = false;

	if (held->owner == req->self)
		return CONFLICT_NONE;
	if (req->kind == REQ_SHARE)
		clash = (req->access & held->deny) ||
			(req->deny & held->access);
	else if (req->kind == REQ_IO && req->shares)
		clash = req->access & io_deny(held, req);
	return clash ? CONFLICT_HELD : CONFLICT_NONE;
}

/* I/O into another owner's Windows lock. */
static bool io_meets_winlock(const struct ulm_lock *held,
			     const struct conflict_req *req)
{
	return req->winlocks &&
	       (held->flags & (ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY)) ==
		       ULM_FLAG_WINDOWS &&
	       held->owner != req->self &&
	       range_overlap(held->key.start, held->key.end, req->start,
			     req->end) &&
	       ((req->access & ULM_SHARE_WRITE) ||
		held->type == ULM_REC_LOCK_WRITE);
}

static enum conflict_result judge_live(const struct ulm_lock *held,
				       const struct conflict_req *req)
{
	bool other_client = !same_client(held->owner, req->owner);

	if (req->kind == REQ_DELEG)
		return other_client ? against_deleg_request(held, req)
				    : CONFLICT_NONE;
	switch (held->type) {
	case ULM_REC_LOCK_READ:
	case ULM_REC_LOCK_WRITE:
		if (req->kind == REQ_IO)
			return io_meets_winlock(held, req) ? CONFLICT_HELD
							   : CONFLICT_NONE;
		return req->kind == REQ_LOCK && locks_clash(held, req)
			       ? CONFLICT_HELD
			       : CONFLICT_NONE;
	case ULM_REC_WAIT_READ:
	case ULM_REC_WAIT_WRITE:
		return req->kind == REQ_LOCK &&
				       waiter_place(held) < req->queued &&
				       waiter_live(held, req->now_ms) &&
				       locks_clash(held, req)
			       ? CONFLICT_HELD
			       : CONFLICT_NONE;
	case ULM_REC_SHARE:
		return against_share(held, req);
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		return other_client && req->kind != REQ_IO
			       ? against_deleg(held, req)
			       : CONFLICT_NONE;
	}
	return CONFLICT_NONE;
}

static enum conflict_result judge(const struct ulm_lock *held,
				  const struct conflict_req *req)
{
	if (lock_handed_over(held, req->owner, req->handover))
		return CONFLICT_NONE;
	if (!lock_unreclaimed(req->recovering, held))
		return judge_live(held, req);
	if ((TYPES_WAIT & TYPE_BIT(held->type)) ||
	    same_identity(held->owner, req->owner))
		return CONFLICT_NONE;
	return judge_live(held, req) == CONFLICT_NONE ? CONFLICT_NONE
						      : CONFLICT_GRACE;
}

struct search {
	const struct conflict_req *req;
	const struct ulm_lock *held;
	const struct ulm_lock *grace;
	const struct ulm_lock *recall;
};

static int search_visit(struct ulm_lock *lock, void *arg)
{
	struct search *s = arg;

	switch (judge(lock, s->req)) {
	case CONFLICT_HELD:
		s->held = lock;
		return 1;
	case CONFLICT_GRACE:
		if (!s->grace)
			s->grace = lock;
		break;
	case CONFLICT_RECALL:
		if (!s->recall)
			s->recall = lock;
		break;
	case CONFLICT_NONE:
		break;
	}
	return 0;
}

const struct ulm_lock *conflict_find(const struct ulm_table *t,
				     const struct conflict_req *req,
				     enum conflict_result *why)
{
	struct search s = {req, NULL, NULL, NULL};

	table_walk_range(t, req->start, req->end, search_visit, &s);
	if (s.held) {
		*why = CONFLICT_HELD;
		return s.held;
	}
	if (s.grace) {
		*why = CONFLICT_GRACE;
		return s.grace;
	}
	*why = s.recall ? CONFLICT_RECALL : CONFLICT_NONE;
	return s.recall;
}

struct recall_walk {
	const struct conflict_req *req;
	void (*fn)(const struct ulm_lock *deleg, void *arg);
	void *arg;
};

static int recall_visit(struct ulm_lock *lock, void *arg)
{
	struct recall_walk *w = arg;

	if (judge(lock, w->req) == CONFLICT_RECALL)
		w->fn(lock, w->arg);
	return 0;
}

void conflict_each_recall(const struct ulm_table *t,
			  const struct conflict_req *req,
			  void (*fn)(const struct ulm_lock *deleg, void *arg),
			  void *arg)
{
	struct recall_walk w = {req, fn, arg};

	table_walk_range(t, req->start, req->end, recall_visit, &w);
}
