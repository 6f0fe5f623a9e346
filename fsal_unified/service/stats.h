/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file stats.h
 * @brief FSAL UNIFIED: counters of lock activity and the latency of the
 * lock store, shown by the lockmgr DBus method ShowStats.
 */
#ifndef ULMFSAL_STATS_H
#define ULMFSAL_STATS_H

#include <stdint.h>

#include <time.h>

#include "fsal_types.h"
#include "ulm.h"

enum ulmfsal_counter {
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

/** What a client asked of UNIFIED (lock_op2's ops, and share takes). */
enum ulmfsal_op {
	ULMFSAL_OP_LOCK, /**< LOCK, NLM LOCK (blocking or not) */
	ULMFSAL_OP_LOCKT,
	ULMFSAL_OP_UNLOCK,
	ULMFSAL_OP_CANCEL,
	ULMFSAL_OP_SHARE, /**< an open's share reservation */
	ULMFSAL_OPS
};

/** How UNIFIED answered it (from the fsal_status_t Ganesha is given). */
enum ulmfsal_result {
	ULMFSAL_RESULT_OK,
	ULMFSAL_RESULT_CONFLICT, /**< held by another (a lock) */
	ULMFSAL_RESULT_BLOCKED,	 /**< queued: NLM is told "blocked" */
	ULMFSAL_RESULT_GRACE,	 /**< retry after grace or a fence */
	ULMFSAL_RESULT_DENIED,	 /**< a share reservation's deny */
	ULMFSAL_RESULT_ERROR,
	ULMFSAL_RESULTS
};

/** libulm's protocol numbers (ULM_PROTO_*); 0: not known yet. */
#define ULMFSAL_PROTOCOLS (ULM_PROTO_9P + 1)

/* FSAL store calls: bucket i counts calls under 2^i us (bucket 0: under
 * 1 us); the last one every slower call (over 2^22 us, about 4 s). */
#define ULMFSAL_LATENCY_BUCKETS 24
/* Recalled delegations' time to return, seconds (the last: longer). */
#define ULMFSAL_RECALL_BUCKETS 8
extern const uint64_t ulmfsal_recall_bucket_s[ULMFSAL_RECALL_BUCKETS - 1];

/** Everything counted here, read at once (relaxed: may be mid-update). */
struct ulmfsal_stats_snapshot {
	struct timespec since; /**< CLOCK_REALTIME of the start */
	uint64_t counters[ULMFSAL_STATS];
	uint64_t ops[ULMFSAL_OPS][ULMFSAL_PROTOCOLS][ULMFSAL_RESULTS];
	uint64_t reclaims[ULMFSAL_OPS][ULMFSAL_RESULTS]; /**< of ops */
	uint64_t latency[ULMFSAL_LATENCY_BUCKETS];
	uint64_t latency_sum_ns;
	uint64_t recall[ULMFSAL_RECALL_BUCKETS];
	uint64_t recall_sum_s;
};

/** @brief Start counting: ShowStats counts from now on. */
void ulmfsal_stats_start(void);
void ulmfsal_stats_count(enum ulmfsal_counter counter);
/** @brief Count one request and its answer; @p protocol: ULM_PROTO_*. */
void ulmfsal_stats_op(enum ulmfsal_op op, uint32_t protocol,
		      fsal_status_t answer);
/** @brief Count a reclaim (a lock or share after a restart) too. */
void ulmfsal_stats_reclaim(enum ulmfsal_op op, fsal_status_t answer);
/** @brief A recalled delegation came back after @p seconds. */
void ulmfsal_stats_recall_returned(uint64_t seconds);
void ulmfsal_stats_snapshot(struct ulmfsal_stats_snapshot *snap);
const char *ulmfsal_op_name(enum ulmfsal_op op);
const char *ulmfsal_result_name(enum ulmfsal_result result);
const char *ulmfsal_counter_name(enum ulmfsal_counter counter);
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
