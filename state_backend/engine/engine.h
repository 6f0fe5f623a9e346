/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The engine's common path: validate at the boundary, plan against the
 * file's table, write the plan to the store as one op, and apply it to
 * the table only once the store took it. */
#ifndef ULM_ENGINE_H
#define ULM_ENGINE_H

#include "conflict.h"
#include "env.h"

typedef int (*table_op_fn)(ulm_env *env, struct ulm_table *table, void *arg);

/** Run @p fn on the file's fresh table, again while it returns
 *  -ECANCELED (the store moved under its plan), all within the store's
 *  call bound (struct ulm_store.call_ms). @return @p fn's result, an
 *  error of the store, or -ETIMEDOUT (the bound passed: retry) */
int with_table(ulm_env *env, const struct ulm_key *file, table_op_fn fn,
	       void *arg);

/** with_table() for anything that may grant on @p file: env_writable()
 *  first, and the file's kept releases written (backlog.c) within the
 *  same bound. */
int with_grantable_table(ulm_env *env, const struct ulm_key *file,
			 table_op_fn fn, void *arg);

/** A change of one file: records to delete (any owners) and records of
 *  one owner to add, or of owners already in the table. */
struct change {
	const struct ulm_owner *owner;
	struct ulm_lock **del;
	size_t n_del;
	struct ulm_record *put;
	size_t n_put;
	/** NULL, or per put: NULL for @p owner, else the interned owner of
	 *  the table that put[i] belongs to (the remnant of a past record a
	 *  recovering owner's request cut; it keeps its owner). */
	struct ulm_towner **put_owner;
};

/** Write @p c to the store, then to the table; on success c->put[].id
 *  holds the new ids. */
int commit(ulm_env *env, struct ulm_table *t, struct change *c);

/** A new record of this node, now, with no share or queue fields. */
void record_init(struct ulm_record *rec, const ulm_env *env,
		 enum ulm_record_type type, uint64_t start, uint64_t end);

/** ULM_EGRACE unless the request (@p flags) is a reclaim or the file may
 *  grant: a dead node's token freezes it (RADOS, docs/rados.md). */
int frozen_gate(ulm_env *env, const struct ulm_table *t, unsigned flags);

/** -EINVAL, -EROFS for a read-only env, ULM_EFENCED for a node that
 *  lost its liveness lease, before any change. */
int env_writable(const ulm_env *env);

/** Tell the node holding @p rec about it (event.c). Best effort: a lost
 *  event is logged by no one and retried by the next conflict. */
void event_post(ulm_env *env, enum ulm_event_kind kind,
		const struct ulm_table *t, const struct ulm_lock *rec);
/** The same for a record as stored (@p rec->node is told). */
void event_post_record(ulm_env *env, enum ulm_event_kind kind,
		       const struct ulm_table *t, const struct ulm_record *rec);

/** Wake the queued requests overlapping [start, end] that could now be
 *  granted (after records went away). */
void queue_wake(ulm_env *env, struct ulm_table *t, uint64_t start,
		uint64_t end);

/** Fill @p info from @p lock if @p info is not NULL. */
void conflict_report(const struct ulm_lock *lock, struct ulm_lock_info *info);

/** deleg.c: do other clients' delegations on @p t stand in the way of
 * @p owner's (NULL: no client's) access? They are recalled: ULM_EDELEG
 * (@p conflict filled if not NULL); else 0. */
int deleg_access_answer(ulm_env *env, const struct ulm_table *t,
			const struct ulm_owner *owner, bool write,
			struct ulm_lock_info *conflict);

/** Resolve a conflict found for a request: report it, send the recall
 *  of a delegation. @return 0 (none), -EAGAIN, ULM_EGRACE, ULM_EDELEG */
int conflict_answer(ulm_env *env, const struct ulm_table *t,
		    const struct conflict_req *req,
		    struct ulm_lock_info *conflict);

/** Replace the owner's whole-file record of a type in @p types (share,
 *  delegation) with @p rec; nothing is written if it is the same. With
 *  @p handover it also takes over its identity's records of other nodes
 *  (recovery.h, lock_handed_over). */
int whole_record_set(ulm_env *env, struct ulm_table *t,
		     const struct ulm_owner *owner, unsigned types,
		     struct ulm_record *rec, bool handover);

/** Delete the owner's whole-file record of a type in @p types, if any. */
int whole_record_drop(ulm_env *env, struct ulm_table *t,
		      const struct ulm_owner *owner, unsigned types);

#endif /* ULM_ENGINE_H */
