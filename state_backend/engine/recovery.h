/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Recovery: the nodes whose earlier records are being reclaimed (their
 * grace), which records that makes "unreclaimed", and how a recovering
 * owner's request takes over its own past records.
 *
 * A record is unreclaimed while its node is in recovery and the record is
 * of an epoch before the one recovery started for. An unreclaimed record
 * belongs to whoever has the same identity (protocol, kind, client and
 * owner bytes) on any node: the client reclaims it through the restarted
 * node or through the node that took over its address.
 */
#ifndef ULM_RECOVERY_H
#define ULM_RECOVERY_H

#include <pthread.h>
#include <stdbool.h>
#include "table.h"

struct recovery_entry {
	uint32_t node;
	uint32_t before_epoch;
};

/* Read on every conflict check, changed at a node's restart or death and
 * at the end of its grace: a read-write lock, and a count read without it
 * so that a cluster with nothing to recover pays nothing. */
struct recovery_set {
	pthread_rwlock_t lock;
	size_t n; /* atomic */
	size_t cap;
	struct recovery_entry *entries;
};

void recovery_set_init(struct recovery_set *set);
void recovery_set_fini(struct recovery_set *set);

/** Is a record made by @p node in @p epoch unreclaimed? */
bool recovery_unreclaimed(struct recovery_set *set, uint32_t node,
			  uint32_t epoch);

/** Is @p lock unreclaimed? (@p set may be NULL: nothing is.) */
bool lock_unreclaimed(struct recovery_set *set, const struct ulm_lock *lock);

/** Do @p held and @p owner name one owner, whatever node it used? */
bool same_identity(const struct ulm_towner *held,
		   const struct ulm_owner *owner);

/**
 * Does a request of @p owner with @p flags take over its identity's
 * records held through other nodes? An NLM reclaim (its client followed
 * its service address to this node, a planned move, and reclaims there
 * what it holds; the node it left forgot it), and any NFSv4 lock or open
 * request: after such a move a client finds its clientid stale, gets a
 * new one and, refused a reclaim (no grace), opens and locks anew with
 * the same open- and lock-owner (Linux's "nograce" recovery). The same
 * client bytes (principal and co_ownerid) and owner bytes name the same
 * owner to the protocol (RFC 7530 9.1.1, 16.16), whatever clientid and
 * node it used: never another owner.
 */
bool handover_asked(const struct ulm_owner *owner, unsigned flags);

/**
 * Does a request of @p owner take over @p held, a record of its identity
 * made through another node (@p handover: handover_asked())?
 */
bool lock_handed_over(const struct ulm_lock *held,
		      const struct ulm_owner *owner, bool handover);

/**
 * The unreclaimed records of @p owner's identity (any node) whose type is
 * in @p types and that overlap [start, end], and with @p handover the
 * live ones it takes over (lock_handed_over): its past, which a request
 * of the owner supersedes.
 * @return 0 and a malloc'd array in @p out (NULL when @p n is 0), -ENOMEM
 */
int recovery_past(struct recovery_set *set, const struct ulm_table *t,
		  const struct ulm_owner *owner, unsigned types, uint64_t start,
		  uint64_t end, bool handover, struct ulm_lock ***out,
		  size_t *n);

/** Drop the unreclaimed records from @p locks (kept in order). */
void recovery_drop_unreclaimed(struct recovery_set *set,
			       struct ulm_lock **locks, size_t *n);

struct ulm_env;

/** Did a dead node's token freeze the file (its table may lack grants
 *  that node made in memory)? @return 1, 0, or a store error */
int recovery_file_frozen(struct ulm_env *env, const struct ulm_table *t);

/**
 * May @p owner reclaim [start, end] in records of @p types? Only if its
 * identity's past and what it holds now cover it: a reclaim of what the
 * store never granted (or purged after grace) is refused. On a file a
 * dead node's token froze, the table may lack grants that node had not
 * written yet: any reclaim may go on (conflicts still decide). With
 * @p handover the past includes what it takes over (recovery_past).
 * @return 0, -ENOENT (nothing to reclaim there), -ENOMEM, store errors
 */
int recovery_reclaimable(struct ulm_env *env, const struct ulm_table *t,
			 const struct ulm_owner *owner, unsigned types,
			 uint64_t start, uint64_t end, bool handover);

/**
 * @p flags, with ULM_FLAG_RECLAIM added when @p owner has a past in
 * [start, end] (unreclaimed records of its identity): a request of the
 * owner recovering its own state, which a frozen file lets through like a
 * reclaim (a client that opens anew after a takeover).
 */
unsigned recovery_flags(struct ulm_env *env, const struct ulm_table *t,
			const struct ulm_owner *owner, unsigned types,
			uint64_t start, uint64_t end, unsigned flags);

#endif /* ULM_RECOVERY_H */
