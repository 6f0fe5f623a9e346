// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file process_purge.c
 * @brief FSAL UNIFIED: the records of dead per-process nodes (smbd
 * processes with vfs_ulm, node ids from ULM_NODE_PROCESS_MIN) go within
 * about one lease, whichever machine they ran on.
 *
 * An smbd killed with -9 released nothing, and nobody reclaims for it
 * (docs/smb.md). Ganesha runs on every node for as long as the store is
 * in use, whereas an smbd process lives only as long as its SMB
 * connection, so a thread of Ganesha's, not smbd, purges them: every scan
 * lists the store's nodes and purges, once per (node, epoch), each
 * per-process node that is not live (RADOS: its lease lapsed; LMDB: its
 * process is gone). A live node is never purged. A thread of its own: a
 * scan waits for RADOS and a purge walks every file, which must hold up
 * neither grace nor the fence log; a fenced node does not scan.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "ulmfsal.h"

/* Purges per scan: the rest wait for the next scan. */
#define PROCESS_PURGE_MAX 64
/* Scans: every quarter lease on RADOS (a dead node is seen one lease
 * after its last renewal), every second on LMDB; stop is looked at every
 * step. */
#define PROCESS_PURGE_LEASE_PARTS 4
#define PROCESS_PURGE_LMDB_MS	  1000
#define PROCESS_PURGE_STEP_MS	  100

/* A dead per-process node seen, and purged if epoch != 0. */
struct dead_node {
	uint32_t node;
	uint32_t epoch;
};

/* Dead nodes already purged, ascending (ulm_node_list()'s order). */
static struct {
	struct dead_node *node;
	size_t n;
} purged;

struct scan {
	size_t cursor; /* into purged */
	struct dead_node *seen;
	size_t n_seen, cap;
	size_t to_purge[PROCESS_PURGE_MAX]; /* indexes into seen */
	size_t n_purge;
};

static bool purged_before(struct scan *s, const struct ulm_node_info *info)
{
	while (s->cursor < purged.n && purged.node[s->cursor].node < info->node)
		s->cursor++;
	return s->cursor < purged.n &&
	       purged.node[s->cursor].node == info->node &&
	       purged.node[s->cursor].epoch == info->epoch;
}

static int seen_add(struct scan *s, const struct ulm_node_info *info)
{
	if (s->n_seen == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct dead_node *seen = realloc(s->seen, cap * sizeof(*seen));

		if (seen == NULL)
			return -ENOMEM;
		s->seen = seen;
		s->cap = cap;
	}
	s->seen[s->n_seen++] = (struct dead_node){info->node, info->epoch};
	return 0;
}

/* A visitor may not change the store: gather, purge after the walk. */
static int dead_visit(const struct ulm_node_info *info, void *arg)
{
	struct scan *s = arg;
	bool known;

	if (info->node < ULM_NODE_PROCESS_MIN || info->live)
		return 0;
	known = purged_before(s, info);
	if (!known && s->n_purge == PROCESS_PURGE_MAX)
		return 0;
	if (seen_add(s, info) != 0)
		return -ENOMEM;
	if (!known)
		s->to_purge[s->n_purge++] = s->n_seen - 1;
	return 0;
}

static void purge_one(ulm_env *env, struct dead_node *dead)
{
	uint64_t n = 0;
	int rc = ulm_node_purge(env, dead->node, dead->epoch + 1, &n);

	if (rc != 0) {
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: purging the records of dead smbd node "
			 "%" PRIu32 ": %s; retried at the next scan",
			 dead->node, ulm_strerror(rc));
		dead->epoch = 0; /* no epoch is 0: not purged */
	} else if (n != 0) {
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: purged %" PRIu64
			 " records of dead smbd node %" PRIu32
			 " (epoch %" PRIu32 ")",
			 n, dead->node, dead->epoch);
	}
}

/* Purge the records of per-process nodes that died since the last scan
 * (all dead ones at the first scan). */
static void process_purge(ulm_env *env)
{
	struct scan s = {0};
	int rc = ulm_node_list(env, dead_visit, &s);

	if (rc != 0) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: listing the store's nodes: %s",
			 ulm_strerror(rc));
		free(s.seen);
		return;
	}
	for (size_t i = 0; i < s.n_purge; i++)
		purge_one(env, &s.seen[s.to_purge[i]]);
	/* Nodes no longer listed dead (gone, or live again in a new epoch)
	 * drop out: the set stays as large as the dead nodes in the store. */
	free(purged.node);
	purged.node = s.seen;
	purged.n = s.n_seen;
}

static pthread_t purge_thread;
static atomic_bool purge_running;
static unsigned purge_period_ms;

static void *purge_loop(void *arg)
{
	ulm_env *env = arg;
	unsigned waited = purge_period_ms;

	SetNameFunction("ulm_purge");
	while (atomic_load(&purge_running)) {
		if (waited >= purge_period_ms && ulm_env_live(env)) {
			process_purge(env);
			waited = 0;
		}
		usleep(PROCESS_PURGE_STEP_MS * 1000);
		waited += PROCESS_PURGE_STEP_MS;
	}
	return NULL;
}

/** @brief Purge dead smbd nodes' records from now on (the store is open). */
void ulmfsal_process_purge_start(ulm_env *env, const struct ulmfsal_config *cfg)
{
	purge_period_ms = cfg->store == ULM_STORE_RADOS
				  ? cfg->lease_ms / PROCESS_PURGE_LEASE_PARTS
				  : PROCESS_PURGE_LMDB_MS;
	atomic_store(&purge_running, true);
	if (pthread_create(&purge_thread, NULL, purge_loop, env) != 0) {
		atomic_store(&purge_running, false);
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the thread that purges dead "
			"smbd nodes: a killed smbd's records stay until "
			"ulmctl --store STORE break node N");
	}
}

/** @brief Stop purging; forget what was purged. */
void ulmfsal_process_purge_stop(void)
{
	if (atomic_exchange(&purge_running, false))
		pthread_join(purge_thread, NULL);
	free(purged.node);
	purged.node = NULL;
	purged.n = 0;
}
