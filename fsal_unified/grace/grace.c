// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file grace.c
 * @brief FSAL UNIFIED: recovery of lock state after a restart or a
 * takeover; grace that blocks only what conflicts.
 *
 * Opening the store started a new epoch for this node: its records of
 * earlier epochs are unreclaimed (libulm's recovery) until their clients
 * reclaim them or the recovery ends. Ganesha leaves grace to us for our
 * exports (fso_grace_method): libulm refuses only what conflicts with an
 * unreclaimed record (NFS4ERR_GRACE, NLM4_DENIED_GRACE_PERIOD) and grants
 * the rest at once.
 *
 * With Store = rados every node follows every recovery of the cluster:
 * each is an entry in RADOS (recovery_rados), begun by a restarting node
 * for itself or by ulm-takeover for a dead node whose address moved here.
 * The node an entry names ends it: as soon as nothing is left to reclaim,
 * at the latest Grace_Period after it began (after this server serves,
 * for its own restart). Ending purges the unreclaimed records, removes
 * the entry (every node then forgets it) and clears the node's NEED in
 * Ganesha's grace database when RecoveryBackend = rados_cluster. An entry
 * whose ender died is ended by any node once long overdue.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gsh_config.h"
#include "nfs_init.h"
#include "ulmfsal.h"

#define GRACE_TICK_MS	     500
#define GRACE_RESYNC_TICKS   10 /* read every entry again every 5 s */
#define GRACE_ORPHAN_FACTOR  3	/* end others' entries 3 graces overdue */
#define GRACE_LIFT_RETRY_MAX 8
#define GRACE_FENCE_SECS     3600

static struct {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	bool stopping;
	bool running;
	bool resync; /* a change may have been missed */
	pthread_t thread;
	ulm_env *env;
	uint32_t node;
	ulmrec *cluster;	 /* NULL: a store of one node */
	struct ulmrec_entry own; /* this node's own recovery */
	bool own_open;
	/* Nodes whose NEED could not be cleared yet (a member that does
	 * not enforce yet): retried every tick. */
	char lift[GRACE_LIFT_RETRY_MAX][ULMREC_NODEID_MAX];
	size_t n_lift;
} grace = {
	.mutex = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep one tick unless asked to stop; true if asked to stop. */
static bool tick_unless_stopped(void)
{
	struct timespec deadline;
	bool stopping;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += GRACE_TICK_MS * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	PTHREAD_MUTEX_lock(&grace.mutex);
	while (!grace.stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&grace.cond, &grace.mutex,
					    &deadline);
	stopping = grace.stopping;
	PTHREAD_MUTEX_unlock(&grace.mutex);
	return stopping;
}

/* Read every entry again on the next tick. */
static void set_resync(void)
{
	PTHREAD_MUTEX_lock(&grace.mutex);
	grace.resync = true;
	PTHREAD_MUTEX_unlock(&grace.mutex);
}

/* librados's thread: another node began or ended a recovery. */
static void entry_changed(const struct ulmrec_change *change, void *arg)
{
	(void)arg;
	if (change == NULL) {
		set_resync();
	} else if (change->removed) {
		ulm_recovery_end(grace.env, change->entry.node);
	} else {
		ulm_recovery_begin(grace.env, change->entry.node,
				   change->entry.before_epoch);
	}
}

static void lift_later(const char *nodeid)
{
	if (grace.n_lift < GRACE_LIFT_RETRY_MAX)
		strlcpy(grace.lift[grace.n_lift++], nodeid, ULMREC_NODEID_MAX);
	else
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot clear NEED of %s in the grace "
			"database; clear it with ganesha-rados-grace lift %s",
			nodeid, nodeid);
}

/* Clear NEED of the nodes waiting for it; keep those refused again. */
static void lift_pending(void)
{
	size_t n = grace.n_lift;
	char(*ids)[ULMREC_NODEID_MAX] = grace.lift;

	grace.n_lift = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = ulmrec_grace_lift(grace.cluster, ids[i]);

		if (rc == -EAGAIN)
			lift_later(ids[i]);
		else if (rc != 0)
			LogMajor(COMPONENT_FSAL,
				 "UNIFIED: clearing NEED of %s in the grace "
				 "database failed: %s; clear it with "
				 "ganesha-rados-grace lift %s",
				 ids[i], strerror(-rc), ids[i]);
		else
			LogEvent(COMPONENT_FSAL,
				 "UNIFIED: %s needs no grace any more (grace "
				 "database)",
				 ids[i]);
	}
}

/* Grace over for @p e: purge what was not reclaimed, forget it here and
 * everywhere, and say so in Ganesha's grace database. */
static void recovery_finish(const struct ulmrec_entry *e, const char *why)
{
	uint64_t purged = 0;
	int rc = ulm_node_purge(grace.env, e->node, e->before_epoch, &purged);

	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: purging the unreclaimed records of node "
			"%" PRIu32 " failed: %s; retrying",
			e->node, ulm_strerror(rc));
		return;
	}
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: grace over for node %" PRIu32
		 " (%s): purged %" PRIu64
		 " unreclaimed lock records from epochs before %" PRIu32,
		 e->node, why, purged, e->before_epoch);
	if (grace.cluster != NULL) {
		rc = ulmrec_entry_remove(grace.cluster, e);
		if (rc != 0 && rc != -ECANCELED)
			LogMajor(COMPONENT_FSAL,
				 "UNIFIED: removing the recovery entry of node "
				 "%" PRIu32 " failed: %s",
				 e->node, strerror(-rc));
		if (e->grace_nodeid[0] != '\0')
			lift_later(e->grace_nodeid);
	}
	/* A newer recovery of the node replaced this one: it goes on. */
	if (rc == -ECANCELED)
		set_resync();
	else
		ulm_recovery_end(grace.env, e->node);
	if (e->node == grace.node && e->before_epoch == grace.own.before_epoch)
		grace.own_open = false;
}

/* Does this env follow the entry's recovery, of that very epoch? */
static bool following(const struct ulmrec_entry *e)
{
	uint32_t before_epoch;

	return ulm_recovery_epoch(grace.env, e->node, &before_epoch) &&
	       before_epoch == e->before_epoch;
}

/* Ours to end now? Early when nothing is left to reclaim. */
static const char *due(const struct ulmrec_entry *e, uint64_t now,
		       uint64_t serving_ms)
{
	uint64_t grace_ms = (uint64_t)e->grace_secs * 1000;
	uint64_t start = e->started_ms;
	uint64_t left = 1;
	int rc;

	if (e->by != grace.node)
		return now > start + GRACE_ORPHAN_FACTOR * grace_ms
			       ? "its ender is gone"
			       : NULL;
	/* Clients of a restarted server reclaim once it serves. */
	if (e->node == grace.node && serving_ms > start)
		start = serving_ms;
	if (serving_ms && now >= start + grace_ms)
		return "grace period elapsed";
	/* libulm counts only what this env follows: an entry it does not
	 * follow yet would look fully reclaimed, and its purge would free
	 * every record still to be reclaimed. */
	if (!following(e))
		return NULL;
	rc = ulm_recovery_pending(grace.env, e->node, &left);
	if (rc == 0 && left == 0)
		return "everything reclaimed";
	return NULL;
}

/* The nodes this env follows (a cluster has fewer; more are not ended
 * here until the next resync). */
struct followed {
	uint32_t nodes[64];
	size_t n;
};

static int follow_visit(uint32_t node, uint32_t before_epoch, void *arg)
{
	struct followed *f = arg;

	(void)before_epoch;
	if (f->n == sizeof(f->nodes) / sizeof(f->nodes[0]))
		return 1;
	f->nodes[f->n++] = node;
	return 0;
}

static bool listed(const struct ulmrec_entry *entries, size_t n, uint32_t node)
{
	for (size_t i = 0; i < n; i++)
		if (entries[i].node == node)
			return true;
	return false;
}

/* Follow the cluster's entries: begin what we miss, end what is gone
 * (but our own, which may not be written yet). */
static void resync(const struct ulmrec_entry *entries, size_t n)
{
	struct followed f = {.n = 0};

	for (size_t i = 0; i < n; i++)
		ulm_recovery_begin(grace.env, entries[i].node,
				   entries[i].before_epoch);
	ulm_recovery_list(grace.env, follow_visit, &f);
	for (size_t i = 0; i < f.n; i++)
		if (!listed(entries, n, f.nodes[i]) &&
		    !(f.nodes[i] == grace.node && grace.own_open))
			ulm_recovery_end(grace.env, f.nodes[i]);
}

static void cluster_tick(unsigned ticks, uint64_t now, uint64_t serving_ms)
{
	struct ulmrec_entry *entries = NULL;
	bool again;
	size_t n = 0;

	PTHREAD_MUTEX_lock(&grace.mutex);
	again = grace.resync || ticks % GRACE_RESYNC_TICKS == 0;
	grace.resync = false;
	PTHREAD_MUTEX_unlock(&grace.mutex);
	ulmrec_watch_renew(grace.cluster);
	if (ulmrec_entry_list(grace.cluster, &entries, &n) != 0) {
		set_resync();
		return;
	}
	/* A new entry is followed at once, not at the next resync: its
	 * notify may come after this listing, and meanwhile its node's
	 * records would refuse the reclaims they are waiting for. */
	for (size_t i = 0; !again && i < n; i++)
		if (!following(&entries[i]))
			ulm_recovery_begin(grace.env, entries[i].node,
					   entries[i].before_epoch);
	if (again)
		resync(entries, n);
	for (size_t i = 0; i < n; i++) {
		const char *why = due(&entries[i], now, serving_ms);

		if (why != NULL)
			recovery_finish(&entries[i], why);
	}
	free(entries);
	lift_pending();
}

static void *grace_main(void *arg)
{
	uint64_t serving_ms = 0;
	unsigned ticks = 0;
	const char *why;

	(void)arg;
	do {
		uint64_t now = now_ms();

		if (!serving_ms && nfs_init_wait_timeout(0) == 0)
			serving_ms = now;
		if (grace.cluster != NULL)
			cluster_tick(ticks, now, serving_ms);
		else if (grace.own_open &&
			 (why = due(&grace.own, now, serving_ms)) != NULL)
			recovery_finish(&grace.own, why);
		ticks++;
	} while (!tick_unless_stopped());
	return NULL;
}

/* The node's name in Ganesha's grace database, as rados_cluster takes
 * it: RADOS_KV { nodeid }, else the host name. */
static void grace_nodeid(const struct ulmfsal_config *cfg, char *out)
{
	out[0] = '\0';
	if (nfs_param.nfsv4_param.recovery_backend !=
	    RECOVERY_BACKEND_RADOS_CLUSTER)
		return;
	if (cfg->rados_kv.nodeid != NULL)
		strlcpy(out, cfg->rados_kv.nodeid, ULMREC_NODEID_MAX);
	else if (gethostname(out, ULMREC_NODEID_MAX) != 0)
		out[0] = '\0';
}

/*
 * This node's previous run died (its lease lapsed: the store could open).
 * Blocklist its RADOS client: nothing it had in flight lands now, and the
 * OSDs drop its watches at once instead of making every writer of a file
 * it watched wait for its acknowledgement until they time out.
 */
static void fence_previous_life(ulmrec *rec, uint32_t node)
{
	char fenced[ULMREC_NODE_ADDRS_MAX];
	int rc = ulmrec_fence_node(rec, node, GRACE_FENCE_SECS, fenced,
				   sizeof(fenced));

	if (rc == -ENOENT)
		return;
	if (rc != 0)
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: cannot blocklist this node's previous RADOS "
			 "clients: %s",
			 strerror(-rc));
	else
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: blocklisted this node's previous RADOS "
			 "clients %s",
			 fenced);
}

/* Record what a takeover blocklists if this node is declared dead: our
 * RADOS clients, and Ganesha's recovery client with rados_cluster. */
static void addr_record(ulmrec *rec, const struct ulmfsal_config *cfg)
{
	char ganesha[ULMREC_ADDR_MAX];
	const char *also = NULL;

	if (nfs_param.nfsv4_param.recovery_backend ==
	    RECOVERY_BACKEND_RADOS_CLUSTER) {
		if (ulmfsal_ganesha_recovery_addr(ganesha, sizeof(ganesha)))
			also = ganesha;
		else
			LogMajor(
				COMPONENT_FSAL,
				"UNIFIED: Ganesha's rados_cluster RADOS client "
				"not found; a takeover of node %" PRIu32
				" will not blocklist it, and its grace "
				"database writes in flight may land after",
				cfg->node_id);
	}
	if (ulmrec_addr_record(rec, cfg->node_id, also) != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot record this node's RADOS address for "
			"fencing; a takeover of node %" PRIu32
			" will not be able to blocklist it",
			cfg->node_id);
}

static ulmrec *cluster_open(const struct ulmfsal_config *cfg)
{
	struct ulmrec_config rc_cfg = {
		.ceph_conf = cfg->ceph_conf,
		.userid = cfg->userid,
		.keyring = cfg->keyring,
		.pool = cfg->pool,
		.rados_namespace = cfg->rados_namespace,
	};
	ulmrec *rec = NULL;
	int rc;

	if (nfs_param.nfsv4_param.recovery_backend ==
	    RECOVERY_BACKEND_RADOS_CLUSTER) {
		rc_cfg.grace_pool = cfg->rados_kv.pool;
		rc_cfg.grace_namespace = cfg->rados_kv.rados_namespace;
		rc_cfg.grace_oid = cfg->rados_kv.grace_oid;
	}
	rc = ulmrec_open(&rc_cfg, &rec);
	if (rc == 0)
		rc = ulmrec_watch(rec, entry_changed, NULL);
	if (rc == 0)
		fence_previous_life(rec, cfg->node_id);
	if (rc == 0)
		addr_record(rec, cfg);
	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot reach the cluster's recovery state "
			"in RADOS (pool %s, namespace %s): %s; other nodes' "
			"recoveries are not followed (their unreclaimed locks "
			"answer \"denied\", not \"grace\")",
			cfg->pool, cfg->rados_namespace, strerror(-rc));
		ulmrec_close(rec);
		return NULL;
	}
	return rec;
}

/* Say cluster-wide that this node's records of earlier epochs are being
 * recovered; ours to end. */
static void own_begin(ulm_env *env, const struct ulmfsal_config *cfg)
{
	struct ulmrec_entry *e = &grace.own;
	int rc;

	memset(e, 0, sizeof(*e));
	e->node = cfg->node_id;
	e->before_epoch = ulm_env_epoch(env);
	e->by = cfg->node_id;
	e->started_ms = now_ms();
	e->grace_secs = nfs_param.nfsv4_param.graceless
				? 0
				: nfs_param.nfsv4_param.grace_period;
	grace_nodeid(cfg, e->grace_nodeid);
	rc = ulm_recovery_begin(env, e->node, e->before_epoch);
	if (rc == 0 && grace.cluster != NULL)
		rc = ulmrec_entry_put(grace.cluster, e);
	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot begin recovering the locks of node "
			"%" PRIu32 "'s earlier runs: %s; they conflict as if "
			"held until purged",
			e->node, strerror(-rc));
	grace.own_open = true;
}

/**
 * @brief Begin this node's recovery and follow the cluster's, once.
 * @pre the store was just opened (called once per process)
 */
void ulmfsal_grace_start(ulm_env *env, const struct ulmfsal_config *cfg)
{
	struct ulmrec_entry *entries = NULL;
	size_t n = 0;
	int rc;

	grace.env = env;
	grace.node = cfg->node_id;
	if (cfg->store == ULM_STORE_RADOS)
		grace.cluster = cluster_open(cfg);
	own_begin(env, cfg);
	if (grace.cluster != NULL &&
	    ulmrec_entry_list(grace.cluster, &entries, &n) == 0)
		resync(entries, n);
	free(entries);
	rc = pthread_create(&grace.thread, NULL, grace_main, NULL);
	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the grace thread: %s; "
			"unreclaimed locks are kept until the next restart",
			strerror(rc));
		return;
	}
	grace.running = true;
}

/** @brief The cluster's recovery state (NULL: a store of one node). */
ulmrec *ulmfsal_cluster(void)
{
	return grace.cluster;
}

/** @brief Stop following recoveries; what is unfinished stays in RADOS
 *  for the next start (or another node) to finish. */
void ulmfsal_grace_stop(void)
{
	if (grace.running) {
		PTHREAD_MUTEX_lock(&grace.mutex);
		grace.stopping = true;
		pthread_cond_broadcast(&grace.cond);
		PTHREAD_MUTEX_unlock(&grace.mutex);
		pthread_join(grace.thread, NULL);
		grace.running = false;
	}
	ulmrec_close(grace.cluster);
	grace.cluster = NULL;
	ulmfsal_host_addrs_close();
}
