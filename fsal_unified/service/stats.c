// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file stats.c
 * @brief FSAL UNIFIED: lock counters and a histogram of lock store
 * latency (log2 buckets of microseconds), and the DBus method showing
 * them. Counters are relaxed atomics: a reader may see one call counted
 * and not yet timed.
 */
#include <stdatomic.h>
#include <time.h>

#include "dbus_admin.h"
#include "stats.h"

/* Bucket i counts calls of [2^(i-1), 2^i) us (bucket 0: under 1 us); the
 * last one every slower call (over 2^22 us, about 4 s). */
#define LATENCY_BUCKETS 24

static atomic_uint_fast64_t counters[ULMFSAL_STATS];
static atomic_uint_fast64_t latency[LATENCY_BUCKETS];
static struct timespec since;
static pthread_once_t since_once = PTHREAD_ONCE_INIT;

static const char *const counter_names[ULMFSAL_STATS] = {
	[ULMFSAL_STAT_LOCK] = "lock",
	[ULMFSAL_STAT_LOCKT] = "lockt",
	[ULMFSAL_STAT_UNLOCK] = "unlock",
	[ULMFSAL_STAT_CANCEL] = "cancel",
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

static void set_since(void)
{
	clock_gettime(CLOCK_REALTIME, &since);
}

void ulmfsal_stats_start(void)
{
	pthread_once(&since_once, set_since);
}

void ulmfsal_stats_count(enum ulmfsal_counter counter)
{
	atomic_fetch_add_explicit(&counters[counter], 1, memory_order_relaxed);
}

void ulmfsal_stats_lock_op(fsal_lock_op_t lock_op)
{
	switch (lock_op) {
	case FSAL_OP_LOCK:
	case FSAL_OP_LOCKB:
		ulmfsal_stats_count(ULMFSAL_STAT_LOCK);
		break;
	case FSAL_OP_LOCKT:
		ulmfsal_stats_count(ULMFSAL_STAT_LOCKT);
		break;
	case FSAL_OP_UNLOCK:
		ulmfsal_stats_count(ULMFSAL_STAT_UNLOCK);
		break;
	case FSAL_OP_CANCEL:
		ulmfsal_stats_count(ULMFSAL_STAT_CANCEL);
		break;
	}
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

	return bucket < LATENCY_BUCKETS ? bucket : LATENCY_BUCKETS - 1;
}

int ulmfsal_stats_store(uint64_t started, int rc)
{
	uint64_t us = (ulmfsal_stats_clock() - started) / 1000;

	ulmfsal_stats_count(ULMFSAL_STAT_STORE_CALL);
	if (rc == -EAGAIN || rc == ULM_EDELEG)
		ulmfsal_stats_count(ULMFSAL_STAT_CONFLICT);
	else if (rc != 0 && rc != -ENOENT) /* -ENOENT: "none" */
		ulmfsal_stats_count(ULMFSAL_STAT_STORE_ERROR);
	atomic_fetch_add_explicit(&latency[bucket_of(us)], 1,
				  memory_order_relaxed);
	return rc;
}

/* What libulm counts of this node's fences, after the counters. */
enum env_counter {
	ENV_FENCED_NOW,
	ENV_FENCES,
	ENV_FENCED_SECONDS,
	ENV_RELEASES_KEPT,
	ENV_RELEASES_REPLAYED,
	ENV_RELEASES_PENDING,
	ENV_COUNTERS
};

static const char *const env_counter_names[ENV_COUNTERS] = {
	[ENV_FENCED_NOW] = "fenced_now",
	[ENV_FENCES] = "fences",
	[ENV_FENCED_SECONDS] = "fenced_seconds",
	[ENV_RELEASES_KEPT] = "releases_kept",
	[ENV_RELEASES_REPLAYED] = "releases_replayed",
	[ENV_RELEASES_PENDING] = "releases_pending",
};

static void env_counters(uint64_t *values)
{
	struct ulm_env_stats st;

	ulm_env_stats(ulmfsal_env(), &st);
	values[ENV_FENCED_NOW] = st.fenced;
	values[ENV_FENCES] = st.fences;
	values[ENV_FENCED_SECONDS] = st.fenced_ms / 1000;
	values[ENV_RELEASES_KEPT] = st.releases_kept;
	values[ENV_RELEASES_REPLAYED] = st.releases_replayed;
	values[ENV_RELEASES_PENDING] = st.releases_pending;
}

/* A snapshot of the counters and of the latency histogram, on the wire. */
static bool put_counters(DBusMessageIter *it)
{
	const char *names[ULMFSAL_STATS + ENV_COUNTERS];
	uint64_t values[ULMFSAL_STATS + ENV_COUNTERS];
	size_t n = ULMFSAL_STATS;

	for (int i = 0; i < ULMFSAL_STATS; i++) {
		names[i] = counter_names[i];
		values[i] = atomic_load(&counters[i]);
	}
	if (ulmfsal_env()) {
		for (int i = 0; i < ENV_COUNTERS; i++)
			names[n + i] = env_counter_names[i];
		env_counters(values + n);
		n += ENV_COUNTERS;
	}
	return ulmv_wire_put_counters(it, names, values, n);
}

static bool put_latency(DBusMessageIter *it)
{
	uint64_t bounds[LATENCY_BUCKETS], calls[LATENCY_BUCKETS];

	for (int i = 0; i < LATENCY_BUCKETS; i++) {
		bounds[i] = i < LATENCY_BUCKETS - 1 ? 1ULL << i : UINT64_MAX;
		calls[i] = atomic_load(&latency[i]);
	}
	return ulmv_wire_put_buckets(it, bounds, calls, LATENCY_BUCKETS);
}

static bool show_stats(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	DBusMessageIter iter;
	struct timespec now;

	if (args != NULL)
		return ulmfsal_dbus_invalid(error, "ShowStats takes no "
						   "arguments");
	ulmfsal_stats_start();
	clock_gettime(CLOCK_REALTIME, &now);
	dbus_message_iter_init_append(reply, &iter);
	gsh_dbus_append_timestamp(&iter, &now);
	gsh_dbus_append_timestamp(&iter, &since);
	return put_counters(&iter) && put_latency(&iter);
}

struct gsh_dbus_method ulmfsal_dbus_show_stats = {
	.name = "ShowStats",
	.method = show_stats,
	.args = {ULMFSAL_DBUS_TIME_REPLY,
		 ULMFSAL_DBUS_ARG("since", ULMV_TIME_SIG, "out"),
		 ULMFSAL_DBUS_ARG("counters", "a" ULMV_COUNTER_SIG, "out"),
		 ULMFSAL_DBUS_ARG("latency", "a" ULMV_BUCKET_SIG, "out"),
		 END_ARG_LIST},
};
