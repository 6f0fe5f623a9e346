// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file metrics.c
 * @brief FSAL UNIFIED: every metric in Prometheus' text exposition format
 * (docs/metrics.md), one renderer for /metrics and ulmctl metrics. It reads
 * counters in memory only: no store call, so a scrape never waits on a
 * store or a lock call.
 */
#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"
#include "stats.h"
#include "ulmfsal.h"

static const char *const protocol_names[ULMFSAL_PROTOCOLS] = {
	[0] = "unknown",
	[ULM_PROTO_NLM] = "nlm",
	[ULM_PROTO_NFS4] = "nfs4",
	[ULM_PROTO_SMB] = "smb",
	[ULM_PROTO_LOCAL] = "local",
	[ULM_PROTO_9P] = "9p",
};

/* The protocols a client of Ganesha speaks: always rendered, zero or not. */
static bool served(int protocol)
{
	return protocol == ULM_PROTO_NLM || protocol == ULM_PROTO_NFS4 ||
	       protocol == ULM_PROTO_9P;
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *out, const char *name, const char *type, const char *help,
		uint64_t value)
{
	family(out, name, type, help);
	fprintf(out, "%s %" PRIu64 "\n", name, value);
}

/* One histogram's series: @p bucket_s[i] bounds bucket i (seconds), the
 * last of @p counts (n + 1 of them) is +Inf. */
static void histogram(FILE *out, const char *name, const char *labels,
		      const double *bound_s, const uint64_t *counts, size_t n,
		      double sum_s)
{
	const char *sep = labels[0] ? "," : "";
	uint64_t below = 0;

	for (size_t i = 0; i < n; i++) {
		below += counts[i];
		fprintf(out, "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name,
			labels, sep, bound_s[i], below);
	}
	below += counts[n];
	fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels,
		sep, below);
	fprintf(out, "%s_sum%s%s%s %.9f\n", name, labels[0] ? "{" : "", labels,
		labels[0] ? "}" : "", sum_s);
	fprintf(out, "%s_count%s%s%s %" PRIu64 "\n", name, labels[0] ? "{" : "",
		labels, labels[0] ? "}" : "", below);
}

static void node_metrics(FILE *out)
{
	const struct ulmfsal_config *cfg = &ULMFSAL.config;
	ulm_env *env = ulmfsal_env();
	struct ulm_env_stats st;

	ulm_env_stats(env, &st);
	family(out, "ulm_node_info", "gauge",
	       "This node: its id, lock store and epoch (value 1).");
	fprintf(out,
		"ulm_node_info{node=\"%" PRIu32
		"\",store=\"%s\",epoch=\"%" PRIu32 "\"} 1\n",
		cfg->node_id, ulmfsal_store_name(cfg->store),
		env ? ulm_env_epoch(env) : 0);
	one(out, "ulm_node_live", "gauge",
	    "1 while this node may grant (it holds its liveness lease).",
	    !st.fenced);
	one(out, "ulm_node_fences_total", "counter",
	    "Times this node fenced itself (lost its liveness lease).",
	    st.fences);
	family(out, "ulm_node_fenced_seconds_total", "counter",
	       "Time spent fenced, the current fence included.");
	fprintf(out, "ulm_node_fenced_seconds_total %.3f\n",
		st.fenced_ms / 1000.0);
	one(out, "ulm_releases_kept_total", "counter",
	    "Releases the store could not take when asked, kept to replay.",
	    st.releases_kept);
	one(out, "ulm_releases_replayed_total", "counter",
	    "Kept releases written since.", st.releases_replayed);
	one(out, "ulm_releases_dropped_total", "counter",
	    "Kept releases the store refused for good at replay.",
	    st.releases_dropped);
	one(out, "ulm_releases_pending", "gauge",
	    "Kept releases not written yet.", st.releases_pending);
}

static int recovering_visit(uint32_t node, uint32_t before_epoch, void *arg)
{
	fprintf(arg,
		"ulm_recovery_in_progress{node=\"%" PRIu32
		"\",before_epoch=\"%" PRIu32 "\"} 1\n",
		node, before_epoch);
	return 0;
}

static void recovery_metrics(FILE *out)
{
	family(out, "ulm_recovery_in_progress", "gauge",
	       "Nodes whose records from before an epoch are being reclaimed "
	       "here (their grace).");
	if (ulmfsal_env())
		ulm_recovery_list(ulmfsal_env(), recovering_visit, out);
}

static void op_metrics(FILE *out, const struct ulmfsal_stats_snapshot *snap)
{
	/* what a client may reclaim after a restart */
	static const enum ulmfsal_op reclaimed[] = {ULMFSAL_OP_LOCK,
						    ULMFSAL_OP_SHARE};

	family(out, "ulm_operations_total", "counter",
	       "Requests UNIFIED answered, by operation, client protocol and "
	       "result.");
	for (int o = 0; o < ULMFSAL_OPS; o++)
		for (int p = 0; p < ULMFSAL_PROTOCOLS; p++)
			for (int r = 0; r < ULMFSAL_RESULTS; r++)
				if (served(p) || snap->ops[o][p][r])
					fprintf(out,
						"ulm_operations_total{op=\"%"
						"s\","
						"protocol=\"%s\",result=\"%s\"}"
						" "
						"%" PRIu64 "\n",
						ulmfsal_op_name(o),
						protocol_names[p],
						ulmfsal_result_name(r),
						snap->ops[o][p][r]);
	family(out, "ulm_reclaims_total", "counter",
	       "Reclaims after a restart (locks, share reservations), by "
	       "result; ok: adopted.");
	for (size_t i = 0; i < sizeof(reclaimed) / sizeof(reclaimed[0]); i++)
		for (int r = 0; r < ULMFSAL_RESULTS; r++)
			fprintf(out,
				"ulm_reclaims_total{op=\"%s\",result=\"%s\"} "
				"%" PRIu64 "\n",
				ulmfsal_op_name(reclaimed[i]),
				ulmfsal_result_name(r),
				snap->reclaims[reclaimed[i]][r]);
	one(out, "ulm_conflicts_total", "counter",
	    "libulm calls answered \"held by another\" (a lock, share or "
	    "delegation in the way).",
	    snap->counters[ULMFSAL_STAT_CONFLICT]);
	one(out, "ulm_blocked_waiters", "gauge",
	    "NLM blocking requests waiting for a lock.",
	    ulmfsal_blocked_count());
	one(out, "ulm_admin_actions_total", "counter",
	    "Locks broken, shares revoked, delegations recalled or revoked "
	    "over DBus.",
	    snap->counters[ULMFSAL_STAT_BREAK]);
}

static void deleg_metrics(FILE *out, const struct ulmfsal_stats_snapshot *snap)
{
	static const struct {
		const char *event;
		enum ulmfsal_counter counter;
	} events[] = {
		{"granted", ULMFSAL_STAT_DELEG_GRANTED},
		{"recalled", ULMFSAL_STAT_DELEG_RECALLED},
		{"returned", ULMFSAL_STAT_DELEG_RETURNED},
		{"revoked", ULMFSAL_STAT_DELEG_REVOKED},
	};
	double bounds[ULMFSAL_RECALL_BUCKETS - 1];

	family(out, "ulm_delegations_total", "counter",
	       "Delegations granted here and what became of them.");
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		fprintf(out,
			"ulm_delegations_total{event=\"%s\"} %" PRIu64 "\n",
			events[i].event, snap->counters[events[i].counter]);
	one(out, "ulm_recalls_sent_total", "counter",
	    "Recalls this node sent for conflicts on any node.",
	    snap->counters[ULMFSAL_STAT_RECALL]);
	for (int i = 0; i < ULMFSAL_RECALL_BUCKETS - 1; i++)
		bounds[i] = (double)ulmfsal_recall_bucket_s[i];
	family(out, "ulm_delegation_recall_return_seconds", "histogram",
	       "From a delegation's recall to its return (1 s resolution).");
	histogram(out, "ulm_delegation_recall_return_seconds", "", bounds,
		  snap->recall, ULMFSAL_RECALL_BUCKETS - 1,
		  (double)snap->recall_sum_s);
}

static void fsal_store_metrics(FILE *out,
			       const struct ulmfsal_stats_snapshot *snap)
{
	double bounds[ULMFSAL_LATENCY_BUCKETS - 1];

	one(out, "ulm_lock_calls_total", "counter",
	    "libulm calls made by UNIFIED.",
	    snap->counters[ULMFSAL_STAT_STORE_CALL]);
	one(out, "ulm_lock_call_errors_total", "counter",
	    "... that failed (neither granted, \"none\" nor a conflict).",
	    snap->counters[ULMFSAL_STAT_STORE_ERROR]);
	for (int i = 0; i < ULMFSAL_LATENCY_BUCKETS - 1; i++)
		bounds[i] = (double)(1ULL << i) / 1e6;
	family(out, "ulm_lock_call_duration_seconds", "histogram",
	       "Time of one libulm call made by UNIFIED, store calls and "
	       "waits on other nodes included.");
	histogram(out, "ulm_lock_call_duration_seconds", "", bounds,
		  snap->latency, ULMFSAL_LATENCY_BUCKETS - 1,
		  snap->latency_sum_ns / 1e9);
}

/* A libulm latency histogram (ulm_store_bucket_us bounds). */
static void latency(FILE *out, const char *name, const char *labels,
		    const struct ulm_latency *l)
{
	double bounds[ULM_STORE_BUCKETS];

	for (int i = 0; i < ULM_STORE_BUCKETS; i++)
		bounds[i] = ulm_store_bucket_us[i] / 1e6;
	histogram(out, name, labels, bounds, l->buckets, ULM_STORE_BUCKETS,
		  l->sum_us / 1e6);
}

/* One counter family with a series per store call. */
static void per_call(FILE *out, const char *name, const char *help,
		     const char *backend, const uint64_t *values)
{
	family(out, name, "counter", help);
	for (int k = 0; k < ULM_STORE_CALLS; k++)
		fprintf(out, "%s{backend=\"%s\",call=\"%s\"} %" PRIu64 "\n",
			name, backend, ulm_store_call_name(k), values[k]);
}

static void token_metrics(FILE *out, const struct ulm_store_stats *st)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "backend=\"%s\"", st->backend);
	family(out, "ulm_store_tokens_taken_total", "counter",
	       "RADOS file tokens this node took, alone on a file.");
	fprintf(out, "ulm_store_tokens_taken_total{%s} %" PRIu64 "\n", labels,
		st->tokens.taken);
	family(out, "ulm_store_tokens_given_total", "counter",
	       "RADOS file tokens this node gave back because another node "
	       "asked.");
	fprintf(out, "ulm_store_tokens_given_total{%s} %" PRIu64 "\n", labels,
		st->tokens.given);
	family(out, "ulm_store_token_handover_seconds", "histogram",
	       "This node asking another for a file's token: the wait.");
	latency(out, "ulm_store_token_handover_seconds", labels,
		&st->tokens.asked);
}

static void store_metrics(FILE *out)
{
	uint64_t errors[ULM_STORE_CALLS], timeouts[ULM_STORE_CALLS];
	struct ulm_store_stats st;
	char labels[64];

	ulm_store_stats(ulmfsal_env(), &st);
	if (st.backend == NULL)
		return;
	family(out, "ulm_store_call_duration_seconds", "histogram",
	       "Time of one call of the lock store (LMDB, RADOS) by libulm.");
	for (int k = 0; k < ULM_STORE_CALLS; k++) {
		snprintf(labels, sizeof(labels), "backend=\"%s\",call=\"%s\"",
			 st.backend, ulm_store_call_name(k));
		latency(out, "ulm_store_call_duration_seconds", labels,
			&st.call[k].time);
	}
	for (int k = 0; k < ULM_STORE_CALLS; k++) {
		errors[k] = st.call[k].errors;
		timeouts[k] = st.call[k].timeouts;
	}
	per_call(out, "ulm_store_call_errors_total",
		 "Store calls that failed (a lost race is none).", st.backend,
		 errors);
	per_call(out, "ulm_store_call_timeouts_total",
		 "Store calls cut at the lock call's bound.", st.backend,
		 timeouts);
	token_metrics(out, &st);
}

char *ulmfsal_metrics_render(size_t *len)
{
	struct ulmfsal_stats_snapshot snap;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (out == NULL)
		return NULL;
	ulmfsal_stats_snapshot(&snap);
	family(out, "ulm_counters_start_time_seconds", "gauge",
	       "When the counters started (Unix time).");
	fprintf(out, "ulm_counters_start_time_seconds %lld\n",
		(long long)snap.since.tv_sec);
	node_metrics(out);
	recovery_metrics(out);
	op_metrics(out, &snap);
	deleg_metrics(out, &snap);
	fsal_store_metrics(out, &snap);
	store_metrics(out);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	if (len != NULL)
		*len = size;
	return text;
}
