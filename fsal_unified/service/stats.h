/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file stats.h
 * @brief FSAL UNIFIED: counters of lock activity and the latency of the
 * lock store, shown by the lockmgr DBus method ShowStats.
 */
#ifndef ULMFSAL_STATS_H
#define ULMFSAL_STATS_H

#include <stdint.h>

#include "fsal_types.h"

enum ulmfsal_counter {
	ULMFSAL_STAT_LOCK,	     /**< LOCK requests (NLM, NFSv4, 9P) */
	ULMFSAL_STAT_LOCKT,	     /**< LOCKT / NLM TEST */
	ULMFSAL_STAT_UNLOCK,	     /**< LOCKU / NLM UNLOCK */
	ULMFSAL_STAT_CANCEL,	     /**< cancelled blocked requests */
	ULMFSAL_STAT_CONFLICT,	     /**< store answers "held by another" */
	ULMFSAL_STAT_RECALL,	     /**< delegation recalls made here */
	ULMFSAL_STAT_DELEG_GRANTED,  /**< delegations granted here */
	ULMFSAL_STAT_DELEG_RECALLED, /**< ... that Ganesha recalled */
	ULMFSAL_STAT_DELEG_RETURNED, /**< ... returned (DELEGRETURN) */
	ULMFSAL_STAT_DELEG_REVOKED,  /**< ... revoked */
	ULMFSAL_STAT_BREAK,	     /**< breaks, revokes, recalls over DBus */
	ULMFSAL_STAT_STORE_CALL,     /**< calls of libulm */
	ULMFSAL_STAT_STORE_ERROR,    /**< ... that failed (not conflicts) */
	ULMFSAL_STATS
};

/** @brief Start counting: ShowStats counts from now on. */
void ulmfsal_stats_start(void);
void ulmfsal_stats_count(enum ulmfsal_counter counter);
/** @brief Count one lock_op2 call. */
void ulmfsal_stats_lock_op(fsal_lock_op_t lock_op);
/** @brief A monotonic clock in nanoseconds. */
uint64_t ulmfsal_stats_clock(void);
/** @brief Account one libulm call started at @p started. @return @p rc */
int ulmfsal_stats_store(uint64_t started, int rc);

/** Evaluate a libulm call (an int result), timed and counted. */
#define ULMFSAL_STORE(call)                                        \
	({                                                         \
		uint64_t ulmfsal_started_ = ulmfsal_stats_clock(); \
		ulmfsal_stats_store(ulmfsal_started_, (call));     \
	})

#endif /* ULMFSAL_STATS_H */
