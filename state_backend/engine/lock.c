/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Byte-range locks (POSIX semantics for one owner) and the per-file FIFO
 * queue of blocked requests. A queued request is a record too, so every
 * node sees the queue and a reader arriving after a queued writer is
 * refused rather than let in ahead of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

struct undo_rec {
	uint64_t start;
	uint64_t end;
	uint64_t id;
	uint32_t node;
	uint32_t epoch;
	enum ulm_lock_type type;
	uint8_t flags;
};

struct ulm_undo {
	struct ulm_key file;
	struct ulm_owner owner;
	bool adopted; /* the grant took over records of another node */
	size_t n_added;
	struct undo_rec added[RANGE_PLAN_MAX_ADD];
	size_t n_removed;
	struct undo_rec *removed;
	uint8_t bytes[]; /* removed[], file key, client, owner */
};

static int request_validate(const struct ulm_key *file,
			    const struct ulm_owner *owner, uint64_t start,
			    uint64_t end)
{
	int rc = key_validate(file);

	if (!rc)
		rc = owner_validate(owner);
	if (!rc)
		rc = range_validate(start, end);
	return rc;
}

static int type_validate(enum ulm_lock_type type)
{
	return type == ULM_LOCK_READ || type == ULM_LOCK_WRITE ? 0 : -EINVAL;
}

static void undo_rec_from_lock(struct undo_rec *u, const struct ulm_lock *l)
{
	u->start = l->key.start;
	u->end = l->key.end;
	u->id = l->key.id;
	u->node = l->node;
	u->epoch = l->epoch;
	u->type = l->type;
	u->flags = l->flags;
}

static struct ulm_undo *undo_alloc(const struct ulm_table *t,
				   const struct ulm_owner *owner,
				   size_t n_removed)
{
	size_t rec_bytes = n_removed * sizeof(struct undo_rec);
	struct ulm_undo *u = malloc(sizeof(*u) + rec_bytes + t->key_len +
				    owner->client_len + owner->owner_len);
	uint8_t *p;

	if (!u)
		return NULL;
	u->n_added = 0;
	u->adopted = false;
	u->n_removed = n_removed;
	u->removed = (struct undo_rec *)u->bytes;
	p = u->bytes + rec_bytes;
	u->file.data = memcpy(p, t->key, t->key_len);
	u->file.len = t->key_len;
	p += t->key_len;
	u->owner = *owner;
	u->owner.client = memcpy(p, owner->client, owner->client_len);
	p += owner->client_len;
	u->owner.owner = memcpy(p, owner->owner, owner->owner_len);
	return u;
}

struct lock_request {
	const struct ulm_owner *owner;
	struct ulm_span span;
	unsigned flags;
	uint64_t wait_expires;
	struct ulm_lock_info *conflict;
	ulm_undo **undo;
};

/* Takes over its identity's locks held through another node?
 * (recovery.h, handover_asked) */
static bool lock_handover(const struct lock_request *req)
{
	return handover_asked(req->owner, req->flags);
}

static enum ulm_record_type wait_type(enum ulm_lock_type type)
{
	return type == ULM_LOCK_WRITE ? ULM_REC_WAIT_WRITE : ULM_REC_WAIT_READ;
}

/* The request's view for the conflict rules. @p queued: the requester's
 * place in the queue (UINT64_MAX: not queued; 0: ahead of every queued
 * request). */
static void lock_view(ulm_env *env, const struct ulm_table *t,
		      const struct ulm_owner *owner,
		      const struct ulm_span *span, uint64_t queued,
		      uint64_t now, struct conflict_req *c)
{
	*c = (struct conflict_req){
		.kind = REQ_LOCK,
		.owner = owner,
		.self = owner_set_find(&t->owners, owner),
		.start = span->start,
		.end = span->end,
		.write = span->type == ULM_LOCK_WRITE,
		.queued = queued,
		.now_ms = now,
		.recovering = &env->recovering,
	};
}

/* Refused by a lock or an earlier queued request: -EAGAIN; by another
 * client's delegation: its recall goes out and ULM_EDELEG. */
static int lock_conflict(ulm_env *env, const struct ulm_table *t,
			 const struct lock_request *req, uint64_t queued,
			 uint64_t now)
{
	struct conflict_req c;
	int rc = frozen_gate(env, t,
			     recovery_flags(env, t, req->owner, TYPES_LOCK,
					    req->span.start, req->span.end,
					    req->flags));

	if (rc)
		return rc;
	lock_view(env, t, req->owner, &req->span, queued, now, &c);
	c.handover = lock_handover(req);
	return conflict_answer(env, t, &c, req->conflict);
}

/* Where the owner already waits for this span: its earliest live place
 * among its queued requests overlapping it, and the one for exactly this
 * span and type (live or lapsed) in @p mine. */
static uint64_t own_place(const struct ulm_table *t,
			  const struct lock_request *req, uint64_t now,
			  struct ulm_lock **mine)
{
	const struct ulm_towner *self = owner_set_find(&t->owners, req->owner);
	uint64_t place = UINT64_MAX;
	struct ulm_lock **waits;
	size_t n;

	*mine = NULL;
	if (table_owner_records(self, TYPES_WAIT, req->span.start,
				req->span.end, &waits, &n))
		return place; /* no memory: as if not queued, the safe side */
	for (size_t i = 0; i < n; i++) {
		struct ulm_lock *w = waits[i];

		if (waiter_live(w, now) && waiter_place(w) < place)
			place = waiter_place(w);
		if (w->key.start == req->span.start &&
		    w->key.end == req->span.end &&
		    w->type == wait_type(req->span.type))
			*mine = w;
	}
	free(waits);
	return place;
}

/* Queue the request, or renew the owner's queued one in its place. */
static int queue_join(ulm_env *env, struct ulm_table *t,
		      const struct lock_request *req, struct ulm_lock *mine,
		      uint64_t now)
{
	struct ulm_lock *del[1] = {mine};
	struct ulm_record rec;
	struct change c = {req->owner, del, mine ? 1 : 0, &rec, 1, NULL};
	bool live = mine && waiter_live(mine, now);

	if (live && mine->expires == req->wait_expires)
		return 0;
	record_init(&rec, env, wait_type(req->span.type), req->span.start,
		    req->span.end);
	rec.flags = req->flags & ULM_FLAG_RECLAIM;
	rec.expires = req->wait_expires;
	/* A lapsed request lost its place: it joins at the end. */
	rec.ticket = live ? waiter_place(mine) : 0;
	return commit(env, t, &c);
}

static int test_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct lock_request *req = arg;
	uint64_t now = clock_now_ms();
	struct ulm_lock *mine;

	return lock_conflict(env, t, req, own_place(t, req, now, &mine), now);
}

/* An owner's change of [start, end]: its locks near the range, the past
 * records of its identity the range cuts (recovery.h), its queued
 * requests the change ends, the plan, and the change that carries it. */
struct owner_change {
	struct ulm_lock **near;
	struct ulm_span *spans;
	bool *remove;
	size_t n;
	struct ulm_lock **past;
	size_t n_past;
	struct ulm_record *adopted; /* live past of other nodes, as it was */
	size_t n_adopted;
	struct ulm_lock **waits;
	size_t n_waits;
	struct range_plan plan;
	size_t n_own_del; /* the owner's own locks deleted: undo restores */
	struct ulm_record *put;
	struct ulm_towner **put_owner;
	struct change change;
};

/* Each past record cut leaves at most a left and a right remnant. */
#define PAST_MAX_ADD(n) (RANGE_PLAN_MAX_ADD + 2 * (n))

static int owner_change_alloc(struct owner_change *oc)
{
	size_t n = oc->n ? oc->n : 1;

	oc->spans = malloc(n * sizeof(*oc->spans));
	oc->remove = malloc(n * sizeof(*oc->remove));
	oc->change.del = malloc((oc->n + oc->n_past + oc->n_waits + 1) *
				sizeof(*oc->change.del));
	oc->put = calloc(PAST_MAX_ADD(oc->n_past), sizeof(*oc->put));
	oc->put_owner =
		calloc(PAST_MAX_ADD(oc->n_past), sizeof(*oc->put_owner));
	/* Only a change with a past may take records over (the hot path
	 * has none: no allocation for it). */
	oc->adopted =
		oc->n_past ? malloc(oc->n_past * sizeof(*oc->adopted)) : NULL;
	if (!oc->spans || !oc->remove || !oc->change.del || !oc->put ||
	    !oc->put_owner || (oc->n_past && !oc->adopted))
		return -ENOMEM;
	return 0;
}

/* The owner's Windows locks (winlock.c) are never merged, split or
 * converted by its POSIX changes: a release takes those wholly within
 * its range. */
static void windows_keep_whole(struct ulm_lock **near, size_t *n,
			       const struct ulm_span *cut, bool release)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		const struct ulm_lock *l = near[i];

		if (!(l->flags & ULM_FLAG_WINDOWS) ||
		    (release && l->key.start >= cut->start &&
		     l->key.end <= cut->end))
			near[kept++] = near[i];
	}
	*n = kept;
}

/* [start, end] is what the owner's locks are looked up in (one byte
 * wider for an acquire, to merge); @p cut is what the change replaces
 * (@p handover: also what it takes over). */
static int owner_change_prepare(struct owner_change *oc, ulm_env *env,
				const struct ulm_table *t,
				const struct ulm_owner *owner, uint64_t start,
				uint64_t end, const struct ulm_span *cut,
				bool granted, bool handover)
{
	const struct ulm_towner *towner = owner_set_find(&t->owners, owner);
	int rc;

	memset(oc, 0, sizeof(*oc));
	oc->change.owner = owner;
	rc = table_owner_records(towner, TYPES_LOCK, start, end, &oc->near,
				 &oc->n);
	/* Unreclaimed locks of the owner are its past, not merged with. */
	if (!rc)
		recovery_drop_unreclaimed(&env->recovering, oc->near, &oc->n);
	if (!rc)
		windows_keep_whole(oc->near, &oc->n, cut, !granted);
	if (!rc)
		rc = recovery_past(&env->recovering, t, owner, TYPES_LOCK,
				   cut->start, cut->end, handover, &oc->past,
				   &oc->n_past);
	if (!rc && granted)
		rc = table_owner_records(towner, TYPES_WAIT, cut->start,
					 cut->end, &oc->waits, &oc->n_waits);
	if (!rc)
		rc = owner_change_alloc(oc);
	for (size_t i = 0; !rc && i < oc->n; i++)
		lock_span(oc->near[i], &oc->spans[i]);
	return rc;
}

/* A remnant of past record @p p outside the cut keeps its owner, node,
 * epoch and flags: it is still unreclaimed. */
static void past_remnant(struct owner_change *oc, const ulm_env *env,
			 const struct ulm_lock *p, uint64_t start, uint64_t end)
{
	struct change *c = &oc->change;
	struct ulm_record *r = &oc->put[c->n_put];

	record_init(r, env, (enum ulm_record_type)p->type, start, end);
	r->node = p->node;
	r->epoch = p->epoch;
	r->flags = p->flags;
	oc->put_owner[c->n_put++] = p->owner;
}

/* A record of another node the change takes over, kept as it was for
 * the event to that node: its owner is the request's identity with that
 * node (the interned copy may go with the record). */
static void adopted_note(struct owner_change *oc, const struct ulm_lock *p)
{
	struct ulm_record *r = &oc->adopted[oc->n_adopted++];

	lock_to_record(p, r);
	r->owner = *oc->change.owner;
	r->owner.node = p->owner->node;
}

/* Tell each node whose records were taken over (ULM_EVENT_ADOPTED). */
static void adopted_announce(ulm_env *env, const struct ulm_table *t,
			     const struct owner_change *oc)
{
	for (size_t i = 0; i < oc->n_adopted; i++)
		event_post_record(env, ULM_EVENT_ADOPTED, t, &oc->adopted[i]);
}

/* Turn the plan into the change: deletes, then the added pieces with
 * their provenance (a remnant keeps the node, epoch and reclaim flag of
 * the lock it remains of); then the past records the cut replaces, with
 * their remnants; the owner's ended queued requests go last. */
static void owner_change_build(struct owner_change *oc, ulm_env *env,
			       unsigned flags, const struct ulm_span *cut)
{
	struct change *c = &oc->change;

	for (size_t i = 0; i < oc->n; i++)
		if (oc->remove[i])
			c->del[c->n_del++] = oc->near[i];
	oc->n_own_del = c->n_del;
	for (size_t i = 0; i < oc->plan.n_add; i++) {
		const struct range_piece *p = &oc->plan.add[i];
		const struct ulm_lock *src =
			p->source < 0 ? NULL : oc->near[p->source];
		struct ulm_record *r = &oc->put[i];

		record_init(r, env, (enum ulm_record_type)p->span.type,
			    p->span.start, p->span.end);
		if (src) {
			r->node = src->node;
			r->epoch = src->epoch;
			r->flags = src->flags;
		} else {
			r->flags = flags & ULM_FLAG_RECLAIM;
		}
	}
	c->put = oc->put;
	c->put_owner = oc->put_owner;
	c->n_put = oc->plan.n_add;
	for (size_t i = 0; i < oc->n_past; i++) {
		const struct ulm_lock *p = oc->past[i];

		if (!lock_unreclaimed(&env->recovering, p))
			adopted_note(oc, p);
		c->del[c->n_del++] = oc->past[i];
		if (p->key.start < cut->start)
			past_remnant(oc, env, p, p->key.start, cut->start - 1);
		if (p->key.end > cut->end)
			past_remnant(oc, env, p, cut->end + 1, p->key.end);
	}
	for (size_t i = 0; i < oc->n_waits; i++)
		c->del[c->n_del++] = oc->waits[i];
}

static void owner_change_fini(struct owner_change *oc)
{
	free(oc->near);
	free(oc->spans);
	free(oc->remove);
	free(oc->past);
	free(oc->waits);
	free(oc->put);
	free(oc->put_owner);
	free(oc->adopted);
	free(oc->change.del);
}

/* The undo restores the owner's own locks the change deleted, not the
 * queued requests it ended (those were this very request) nor the past
 * it adopted (a refused reclaim is refused: its record is not given
 * back). */
static int undo_prepare(const struct ulm_table *t,
			const struct lock_request *req,
			const struct owner_change *oc, struct ulm_undo **out)
{
	struct ulm_undo *u;

	*out = NULL;
	if (!req->undo)
		return 0;
	u = undo_alloc(t, req->owner, oc->n_own_del);
	if (!u)
		return -ENOMEM;
	for (size_t i = 0; i < oc->n_own_del; i++)
		undo_rec_from_lock(&u->removed[i], oc->change.del[i]);
	*out = u;
	return 0;
}

static void undo_finish(struct ulm_undo *u, const struct owner_change *oc)
{
	u->adopted = oc->n_adopted > 0;
	u->n_added = oc->plan.n_add;
	for (size_t i = 0; i < oc->plan.n_add; i++) {
		const struct ulm_record *r = &oc->put[i];

		u->added[i] = (struct undo_rec){
			r->start, r->end,   r->id,
			r->node,  r->epoch, (enum ulm_lock_type)r->type,
			r->flags};
	}
}

static int grant(ulm_env *env, struct ulm_table *t,
		 const struct lock_request *req)
{
	struct ulm_undo *undo = NULL;
	struct owner_change oc;
	uint64_t wstart, wend;
	int rc;

	range_widen(req->span.start, req->span.end, &wstart, &wend);
	rc = owner_change_prepare(&oc, env, t, req->owner, wstart, wend,
				  &req->span, true, lock_handover(req));
	if (!rc) {
		range_plan_acquire(&req->span, oc.spans, oc.n, oc.remove,
				   &oc.plan);
		owner_change_build(&oc, env, req->flags, &req->span);
		rc = undo_prepare(t, req, &oc, &undo);
	}
	if (!rc)
		rc = commit(env, t, &oc.change);
	if (!rc)
		adopted_announce(env, t, &oc);
	if (!rc && undo) {
		undo_finish(undo, &oc);
		*req->undo = undo;
		undo = NULL;
	}
	ulm_undo_free(undo);
	owner_change_fini(&oc);
	return rc;
}

/* A reclaim is of a lock held before the queue formed: it goes ahead of
 * every queued request, but only over what its owner's past (or its own
 * present) covers. */
static int reclaim_op(ulm_env *env, struct ulm_table *t,
		      const struct lock_request *req, uint64_t now)
{
	int rc = recovery_reclaimable(env, t, req->owner, TYPES_LOCK,
				      req->span.start, req->span.end,
				      lock_handover(req));

	if (!rc)
		rc = lock_conflict(env, t, req, 0, now);
	return rc ? rc : grant(env, t, req);
}

static int acquire_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct lock_request *req = arg;
	uint64_t now = clock_now_ms();
	struct ulm_lock *mine;
	uint64_t place;
	int rc;

	if (req->flags & ULM_FLAG_RECLAIM)
		return reclaim_op(env, t, req, now);
	place = own_place(t, req, now, &mine);
	rc = lock_conflict(env, t, req, place, now);

	if (rc == -EAGAIN && (req->flags & ULM_FLAG_WAIT)) {
		int qrc = queue_join(env, t, req, mine, now);

		return qrc ? qrc : -EAGAIN;
	}
	return rc ? rc : grant(env, t, req);
}

static int request_run(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner,
		       const struct ulm_lock_req *r,
		       struct ulm_lock_info *conflict, ulm_undo **undo)
{
	struct lock_request req = {owner, {0, 0, ULM_LOCK_READ}, 0, 0, conflict,
				   undo};
	int rc;

	if (undo)
		*undo = NULL;
	if (!r)
		return -EINVAL;
	req.span = (struct ulm_span){r->start, r->end, r->type};
	req.flags = r->flags;
	req.wait_expires = r->wait_expires;
	rc = request_validate(file, owner, r->start, r->end);
	if (!rc)
		rc = type_validate(r->type);
	if (!rc && (r->flags & ~(ULM_FLAG_RECLAIM | ULM_FLAG_WAIT)))
		rc = -EINVAL;
	if (!rc)
		rc = with_grantable_table(env, file, acquire_op, &req);
	return rc;
}

int ulm_lock_request(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner,
		     const struct ulm_lock_req *req,
		     struct ulm_lock_info *conflict, ulm_undo **undo)
{
	return request_run(env, file, owner, req, conflict, undo);
}

int ulm_lock_acquire(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, enum ulm_lock_type type,
		     uint64_t start, uint64_t end,
		     struct ulm_lock_info *conflict, ulm_undo **undo)
{
	struct ulm_lock_req req = {type, start, end, 0, 0};

	return request_run(env, file, owner, &req, conflict, undo);
}

int ulm_lock_test(ulm_env *env, const struct ulm_key *file,
		  const struct ulm_owner *owner, enum ulm_lock_type type,
		  uint64_t start, uint64_t end, struct ulm_lock_info *conflict)
{
	struct lock_request req = {owner, {start, end, type}, 0,
				   0,	  conflict,	      NULL};
	int rc = request_validate(file, owner, start, end);

	if (!rc)
		rc = type_validate(type);
	if (!rc && !env)
		rc = -EINVAL;
	if (!rc)
		rc = with_table(env, file, test_op, &req);
	return rc;
}

static int release_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct lock_request *req = arg;
	struct owner_change oc;
	int rc = owner_change_prepare(&oc, env, t, req->owner, req->span.start,
				      req->span.end, &req->span, false, false);

	if (!rc) {
		range_plan_release(req->span.start, req->span.end, oc.spans,
				   oc.n, oc.remove, &oc.plan);
		owner_change_build(&oc, env, 0, &req->span);
		/* Releasing what is not held writes nothing. */
		if (oc.change.n_del)
			rc = commit(env, t, &oc.change);
		if (!rc && oc.change.n_del)
			queue_wake(env, t, req->span.start, req->span.end);
	}
	owner_change_fini(&oc);
	return rc;
}

/* Release or cancel: a change of the owner's records in a range. */
static int owner_range_change(ulm_env *env, const struct ulm_key *file,
			      const struct ulm_owner *owner, uint64_t start,
			      uint64_t end, table_op_fn op)
{
	struct lock_request req = {
		owner, {start, end, ULM_LOCK_READ}, 0, 0, NULL, NULL};
	int rc = env_writable(env);

	if (!rc)
		rc = with_table(env, file, op, &req);
	return rc;
}

static int release_now(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner,
		       const struct release_range *range)
{
	return owner_range_change(env, file, owner, range->start, range->end,
				  release_op);
}

/* Valid requests only are kept: a replay must not fail for good. */
static int range_release(ulm_env *env, const struct ulm_key *file,
			 const struct ulm_owner *owner, uint64_t start,
			 uint64_t end, release_fn now)
{
	struct release_range range = {start, end, 0};
	int rc = request_validate(file, owner, start, end);

	return rc ? rc : release_or_keep(env, now, file, owner, &range);
}

int ulm_lock_release(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, uint64_t start,
		     uint64_t end)
{
	return range_release(env, file, owner, start, end, release_now);
}

static int cancel_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	const struct lock_request *req = arg;
	const struct ulm_towner *self = owner_set_find(&t->owners, req->owner);
	struct change c = {req->owner, NULL, 0, NULL, 0, NULL};
	int rc = table_owner_records(self, TYPES_WAIT, req->span.start,
				     req->span.end, &c.del, &c.n_del);

	if (!rc && c.n_del)
		rc = commit(env, t, &c);
	/* Requests behind the cancelled one may now go. */
	if (!rc && c.n_del)
		queue_wake(env, t, req->span.start, req->span.end);
	free(c.del);
	return rc;
}

static int cancel_now(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner,
		      const struct release_range *range)
{
	return owner_range_change(env, file, owner, range->start, range->end,
				  cancel_op);
}

int ulm_lock_cancel(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_owner *owner, uint64_t start, uint64_t end)
{
	return range_release(env, file, owner, start, end, cancel_now);
}

struct wake_ctx {
	ulm_env *env;
	struct ulm_table *t;
	uint64_t now;
};

static int wake_visit(struct ulm_lock *w, void *arg)
{
	struct wake_ctx *ctx = arg;
	struct ulm_span span = {w->key.start, w->key.end,
				record_lock_type(w->type)};
	struct conflict_req c;
	struct ulm_owner owner;
	enum conflict_result why;

	if (!(TYPES_WAIT & TYPE_BIT(w->type)) || !waiter_live(w, ctx->now))
		return 0;
	towner_view(w->owner, &owner);
	lock_view(ctx->env, ctx->t, &owner, &span, waiter_place(w), ctx->now,
		  &c);
	if (!conflict_find(ctx->t, &c, &why))
		event_post(ctx->env, ULM_EVENT_WAKE, ctx->t, w);
	return 0;
}

void queue_wake(ulm_env *env, struct ulm_table *t, uint64_t start, uint64_t end)
{
	struct wake_ctx ctx = {env, t, clock_now_ms()};

	table_walk_range(t, start, end, wake_visit, &ctx);
}

/* The owner's current lock that an undo added, or NULL if it changed. */
static struct ulm_lock *find_added(const struct ulm_towner *towner,
				   const struct undo_rec *a)
{
	struct ulm_lock **locks, *found = NULL;
	size_t n;

	if (table_owner_records(towner, TYPES_LOCK, a->start, a->start, &locks,
				&n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (locks[i]->key.id == a->id && locks[i]->key.end == a->end &&
		    locks[i]->type == a->type)
			found = locks[i];
	free(locks);
	return found;
}

static bool is_added(const struct ulm_undo *u, const struct ulm_lock *l)
{
	for (size_t i = 0; i < u->n_added; i++)
		if (u->added[i].id == l->key.id)
			return true;
	return false;
}

/* May @r come back? Not over another owner's conflicting lock, and not
 * over or beside a same-type lock the owner took since. */
static int undo_restorable(ulm_env *env, const struct ulm_table *t,
			   const struct ulm_towner *towner,
			   const struct ulm_undo *u, const struct undo_rec *r)
{
	struct ulm_span span = {r->start, r->end, r->type};
	struct conflict_req c;
	enum conflict_result why;
	struct ulm_lock **near;
	uint64_t wstart, wend;
	size_t n;
	int rc;

	/* Queued requests do not stand in the way of a restore (place 0):
	 * it gives back what the owner held before they queued. */
	lock_view(env, t, &u->owner, &span, 0, clock_now_ms(), &c);
	if (conflict_find(t, &c, &why))
		return -EAGAIN;
	range_widen(r->start, r->end, &wstart, &wend);
	rc = table_owner_records(towner, TYPES_LOCK, wstart, wend, &near, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct ulm_lock *l = near[i];

		if (!is_added(u, l) &&
		    (l->type == r->type ||
		     range_overlap(l->key.start, l->key.end, r->start, r->end)))
			rc = -EAGAIN;
	}
	free(near);
	return rc;
}

static int undo_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct ulm_undo *u = arg;
	const struct ulm_towner *towner = owner_set_find(&t->owners, &u->owner);
	struct ulm_lock *del[RANGE_PLAN_MAX_ADD];
	struct change c = {&u->owner, del,	    u->n_added,
			   NULL,      u->n_removed, NULL};
	int rc = 0;

	for (size_t i = 0; !rc && i < u->n_added; i++) {
		del[i] = find_added(towner, &u->added[i]);
		if (!del[i])
			rc = -EAGAIN;
	}
	for (size_t i = 0; !rc && i < u->n_removed; i++)
		rc = undo_restorable(env, t, towner, u, &u->removed[i]);
	if (rc)
		return rc;
	c.put = malloc((u->n_removed ? u->n_removed : 1) * sizeof(*c.put));
	if (!c.put)
		return -ENOMEM;
	for (size_t i = 0; i < u->n_removed; i++) {
		const struct undo_rec *r = &u->removed[i];

		record_init(&c.put[i], env, (enum ulm_record_type)r->type,
			    r->start, r->end);
		c.put[i].node = r->node;
		c.put[i].epoch = r->epoch;
		c.put[i].flags = r->flags;
	}
	rc = commit(env, t, &c);
	free(c.put);
	for (size_t i = 0; !rc && i < u->n_added; i++)
		queue_wake(env, t, u->added[i].start, u->added[i].end);
	return rc;
}

int ulm_undo_apply(ulm_env *env, ulm_undo *undo)
{
	int rc = -EINVAL;

	if (env && undo)
		rc = env->read_only ? -EROFS : backlog_settle(env, &undo->file);
	if (!rc)
		rc = with_table(env, &undo->file, undo_op, undo);
	ulm_undo_free(undo);
	return rc;
}

bool ulm_undo_adopted(const ulm_undo *undo)
{
	return undo && undo->adopted;
}

void ulm_undo_free(ulm_undo *undo)
{
	free(undo);
}
