// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus_stats.c
 * @brief FSAL UNIFIED: the lockmgr DBus methods ShowStats (counters and
 * the latency histogram of libulm calls, for ulmctl stats) and
 * ShowMetrics (the metrics' text, for ulmctl metrics).
 */
#include <stdlib.h>

#include "dbus_admin.h"
#include "metrics.h"
#include "stats.h"

/* ShowStats's first counters: requests of each kind, any protocol. */
static const enum ulmfsal_op request_ops[] = {
	ULMFSAL_OP_LOCK,
	ULMFSAL_OP_LOCKT,
	ULMFSAL_OP_UNLOCK,
	ULMFSAL_OP_CANCEL,
};
#define REQUEST_OPS (sizeof(request_ops) / sizeof(request_ops[0]))

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

#define ALL_COUNTERS (REQUEST_OPS + ULMFSAL_STATS + ENV_COUNTERS)

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

static uint64_t requests(const struct ulmfsal_stats_snapshot *snap,
			 enum ulmfsal_op op)
{
	uint64_t n = 0;

	for (int p = 0; p < ULMFSAL_PROTOCOLS; p++)
		for (int r = 0; r < ULMFSAL_RESULTS; r++)
			n += snap->ops[op][p][r];
	return n;
}

/* A snapshot of the counters, on the wire. */
static bool put_counters(DBusMessageIter *it,
			 const struct ulmfsal_stats_snapshot *snap)
{
	const char *names[ALL_COUNTERS];
	uint64_t values[ALL_COUNTERS];
	size_t n = 0;

	for (size_t i = 0; i < REQUEST_OPS; i++, n++) {
		names[n] = ulmfsal_op_name(request_ops[i]);
		values[n] = requests(snap, request_ops[i]);
	}
	for (int i = 0; i < ULMFSAL_STATS; i++, n++) {
		names[n] = ulmfsal_counter_name(i);
		values[n] = snap->counters[i];
	}
	if (ulmfsal_env()) {
		for (int i = 0; i < ENV_COUNTERS; i++)
			names[n + i] = env_counter_names[i];
		env_counters(values + n);
		n += ENV_COUNTERS;
	}
	return ulmv_wire_put_counters(it, names, values, n);
}

static bool put_latency(DBusMessageIter *it,
			const struct ulmfsal_stats_snapshot *snap)
{
	uint64_t bounds[ULMFSAL_LATENCY_BUCKETS];

	for (int i = 0; i < ULMFSAL_LATENCY_BUCKETS; i++)
		bounds[i] = i < ULMFSAL_LATENCY_BUCKETS - 1 ? 1ULL << i
							    : UINT64_MAX;
	return ulmv_wire_put_buckets(it, bounds, snap->latency,
				     ULMFSAL_LATENCY_BUCKETS);
}

static bool show_stats(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	struct ulmfsal_stats_snapshot snap;
	DBusMessageIter iter;
	struct timespec now;

	if (args != NULL)
		return ulmfsal_dbus_invalid(error, "ShowStats takes no "
						   "arguments");
	ulmfsal_stats_snapshot(&snap);
	clock_gettime(CLOCK_REALTIME, &now);
	dbus_message_iter_init_append(reply, &iter);
	gsh_dbus_append_timestamp(&iter, &now);
	gsh_dbus_append_timestamp(&iter, &snap.since);
	return put_counters(&iter, &snap) && put_latency(&iter, &snap);
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

static bool show_metrics(DBusMessageIter *args, DBusMessage *reply,
			 DBusError *error)
{
	DBusMessageIter iter;
	char *text;
	bool ok;

	if (args != NULL)
		return ulmfsal_dbus_invalid(error, "ShowMetrics takes no "
						   "arguments");
	text = ulmfsal_metrics_render(NULL);
	if (text == NULL) {
		dbus_set_error(error, DBUS_ERROR_NO_MEMORY,
			       "no memory for the metrics");
		return false;
	}
	dbus_message_iter_init_append(reply, &iter);
	ok = dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &text);
	free(text);
	return ok;
}

struct gsh_dbus_method ulmfsal_dbus_show_metrics = {
	.name = "ShowMetrics",
	.method = show_metrics,
	.args = {ULMFSAL_DBUS_ARG("metrics", "s", "out"), END_ARG_LIST},
};
