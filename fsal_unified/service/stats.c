// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file stats.c
 * @brief FSAL UNIFIED: what clients asked and how they were answered,
 * delegation events, and the latency of libulm calls (fixed buckets), read
 * by ShowStats and the metrics. Counters are relaxed atomic adds, cheap on
 * the lock path: a reader may see one call counted and not yet timed.
 */
#include <stdatomic.h>

#include "stats.h"

const uint64_t ulmfsal_recall_bucket_s[ULMFSAL_RECALL_BUCKETS - 1] = {
	1, 2, 5, 10, 30, 60, 120,
};

static atomic_uint_fast64_t counters[ULMFSAL_STATS];
static atomic_uint_fast64_t ops[ULMFSAL_OPS][ULMFSAL_PROTOCOLS]
			       [ULMFSAL_RESULTS];
static atomic_uint_fast64_t reclaims[ULMFSAL_OPS][ULMFSAL_RESULTS];
static atomic_uint_fast64_t latency[ULMFSAL_LATENCY_BUCKETS];
static atomic_uint_fast64_t latency_sum_ns;
static atomic_uint_fast64_t recall[ULMFSAL_RECALL_BUCKETS];
static atomic_uint_fast64_t recall_sum_s;
static struct timespec since;
static pthread_once_t since_once = PTHREAD_ONCE_INIT;

static const char *const counter_names[ULMFSAL_STATS] = {
	[ULMFSAL_STAT_CONFLICT] = "conflicts",
	[ULMFSAL_STAT_RECALL] = "recalls",
	[ULMFSAL_STAT_DELEG_GRANTED] = "deleg_granted",
	[ULMFSAL_STAT_DELEG_RECALLED] = "deleg_recalled",
	[ULMFSAL_STAT_DELEG_RETURNED] = "deleg_returned",
	[ULMFSAL_STAT_DELEG_REVOKED] = "deleg_revoked",
	[ULMFSAL_STAT_BREAK] = "admin_actions",
	[ULMFSAL_STAT_STORE_CALL] = "store_calls",
	[ULMFSAL_STAT_STORE_ERROR] = "store_errors",
};

static const char *const op_names[ULMFSAL_OPS] = {
	[ULMFSAL_OP_LOCK] = "lock",	[ULMFSAL_OP_LOCKT] = "lockt",
	[ULMFSAL_OP_UNLOCK] = "unlock", [ULMFSAL_OP_CANCEL] = "cancel",
	[ULMFSAL_OP_SHARE] = "share",
};

static const char *const result_names[ULMFSAL_RESULTS] = {
	[ULMFSAL_RESULT_OK] = "ok",
	[ULMFSAL_RESULT_CONFLICT] = "conflict",
	[ULMFSAL_RESULT_BLOCKED] = "blocked",
	[ULMFSAL_RESULT_GRACE] = "grace",
	[ULMFSAL_RESULT_DENIED] = "denied",
	[ULMFSAL_RESULT_ERROR] = "error",
};

const char *ulmfsal_counter_name(enum ulmfsal_counter counter)
{
	return counter_names[counter];
}

const char *ulmfsal_op_name(enum ulmfsal_op op)
{
	return op_names[op];
}

const char *ulmfsal_result_name(enum ulmfsal_result result)
{
	return result_names[result];
}

static void set_since(void)
{
	clock_gettime(CLOCK_REALTIME, &since);
}

void ulmfsal_stats_start(void)
{
	pthread_once(&since_once, set_since);
}

static void add(atomic_uint_fast64_t *counter, uint64_t n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

void ulmfsal_stats_count(enum ulmfsal_counter counter)
{
	add(&counters[counter], 1);
}

static enum ulmfsal_result result_of(fsal_status_t answer)
{
	switch (answer.major) {
	case ERR_FSAL_NO_ERROR:
		return ULMFSAL_RESULT_OK;
	case ERR_FSAL_DELAY: /* lock_op2: Ganesha reports a conflict */
		return ULMFSAL_RESULT_CONFLICT;
	case ERR_FSAL_BLOCKED:
		return ULMFSAL_RESULT_BLOCKED;
	case ERR_FSAL_IN_GRACE:
		return ULMFSAL_RESULT_GRACE;
	case ERR_FSAL_SHARE_DENIED:
		return ULMFSAL_RESULT_DENIED;
	default:
		return ULMFSAL_RESULT_ERROR;
	}
}

void ulmfsal_stats_op(enum ulmfsal_op op, uint32_t protocol,
		      fsal_status_t answer)
{
	add(&ops[op][protocol < ULMFSAL_PROTOCOLS ? protocol : 0]
		[result_of(answer)],
	    1);
}

void ulmfsal_stats_reclaim(enum ulmfsal_op op, fsal_status_t answer)
{
	add(&reclaims[op][result_of(answer)], 1);
}

void ulmfsal_stats_recall_returned(uint64_t seconds)
{
	unsigned i = 0;

	while (i < ULMFSAL_RECALL_BUCKETS - 1 &&
	       seconds > ulmfsal_recall_bucket_s[i])
		i++;
	add(&recall[i], 1);
	add(&recall_sum_s, seconds);
}

uint64_t ulmfsal_stats_clock(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec;
}

static unsigned bucket_of(uint64_t us)
{
	unsigned bucket = us ? 64 - __builtin_clzll(us) : 0;

	return bucket < ULMFSAL_LATENCY_BUCKETS ? bucket
						: ULMFSAL_LATENCY_BUCKETS - 1;
}

int ulmfsal_stats_store(uint64_t started, int rc)
{
	uint64_t ns = ulmfsal_stats_clock() - started;

	ulmfsal_stats_count(ULMFSAL_STAT_STORE_CALL);
	if (rc == -EAGAIN || rc == ULM_EDELEG)
		ulmfsal_stats_count(ULMFSAL_STAT_CONFLICT);
	else if (rc != 0 && rc != -ENOENT) /* -ENOENT: "none" */
		ulmfsal_stats_count(ULMFSAL_STAT_STORE_ERROR);
	add(&latency[bucket_of(ns / 1000)], 1);
	add(&latency_sum_ns, ns);
	return rc;
}

static uint64_t get(const atomic_uint_fast64_t *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

void ulmfsal_stats_snapshot(struct ulmfsal_stats_snapshot *snap)
{
	ulmfsal_stats_start();
	snap->since = since;
	for (int i = 0; i < ULMFSAL_STATS; i++)
		snap->counters[i] = get(&counters[i]);
	for (int o = 0; o < ULMFSAL_OPS; o++)
		for (int p = 0; p < ULMFSAL_PROTOCOLS; p++)
			for (int r = 0; r < ULMFSAL_RESULTS; r++)
				snap->ops[o][p][r] = get(&ops[o][p][r]);
	for (int o = 0; o < ULMFSAL_OPS; o++)
		for (int r = 0; r < ULMFSAL_RESULTS; r++)
			snap->reclaims[o][r] = get(&reclaims[o][r]);
	for (int i = 0; i < ULMFSAL_LATENCY_BUCKETS; i++)
		snap->latency[i] = get(&latency[i]);
	snap->latency_sum_ns = get(&latency_sum_ns);
	for (int i = 0; i < ULMFSAL_RECALL_BUCKETS; i++)
		snap->recall[i] = get(&recall[i]);
	snap->recall_sum_s = get(&recall_sum_s);
}
