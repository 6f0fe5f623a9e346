/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Which record stands in the way of a request: the rules between locks,
 * queued requests, share reservations and delegations, in one place. */
#ifndef ULM_CONFLICT_H
#define ULM_CONFLICT_H

#include <stdbool.h>
#include <stdint.h>
#include "recovery.h"
#include "table.h"

enum request_kind {
	REQ_LOCK,   /**< a byte-range lock */
	REQ_SHARE,  /**< a share reservation */
	REQ_DELEG,  /**< a delegation */
	REQ_ACCESS, /**< I/O or a namespace change, checked for delegations */
	REQ_IO,	    /**< I/O with no open, checked for share denies */
};

struct conflict_req {
	enum request_kind kind;
	const struct ulm_owner *owner; /**< NULL: access with no client */
	const struct ulm_towner *self; /**< owner as interned here, or NULL */
	uint64_t start;
	uint64_t end;
	bool write;	 /**< LOCK, DELEG: write type; ACCESS: writes */
	bool windows;	 /**< LOCK: a Windows lock (stacks on its own) */
	bool empty;	 /**< LOCK: a Windows lock of length 0 */
	uint8_t access;	 /**< SHARE */
	uint8_t deny;	 /**< SHARE */
	bool bypass;	 /**< IO: advisory denies let it pass */
	bool shares;	 /**< IO: meets share denies */
	bool winlocks;	 /**< IO: meets Windows locks in [start, end] */
	uint64_t queued; /**< LOCK: own place in the queue; UINT64_MAX none */
	uint64_t now_ms; /**< to tell lapsed queued requests */
	/** whose records are unreclaimed; NULL: none */
	struct recovery_set *recovering;
};

enum conflict_result {
	CONFLICT_NONE = 0,
	CONFLICT_HELD,	 /**< refuse: -EAGAIN */
	CONFLICT_RECALL, /**< a delegation to recall: ULM_EDELEG */
	CONFLICT_GRACE,	 /**< an unreclaimed record refuses: ULM_EGRACE */
};

/**
 * The record in the way of @p req: the lowest-start live one that refuses
 * it, else the lowest-start unreclaimed one that would, else the
 * lowest-start delegation to recall, else NULL (@p why says which).
 */
const struct ulm_lock *conflict_find(const struct ulm_table *t,
				     const struct conflict_req *req,
				     enum conflict_result *why);

/** Call @p fn for every delegation @p req must recall (every holder is
 *  recalled at once, not one per retry). */
void conflict_each_recall(const struct ulm_table *t,
			  const struct conflict_req *req,
			  void (*fn)(const struct ulm_lock *deleg, void *arg),
			  void *arg);

/** The lock type a lock or queued request is for. */
enum ulm_lock_type record_lock_type(uint8_t type);
/** A queued request's place in the file's queue (lower: ahead). */
uint64_t waiter_place(const struct ulm_lock *w);
/** Is a queued request still waiting at @p now_ms? */
bool waiter_live(const struct ulm_lock *w, uint64_t now_ms);
/** CLOCK_REALTIME in ms: lapse times are compared across nodes. */
uint64_t clock_now_ms(void);

#endif /* ULM_CONFLICT_H */
