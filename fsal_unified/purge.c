// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file purge.c
 * @brief FSAL UNIFIED: remove this node's orphan locks once grace is over.
 *
 * Opening the store started a new epoch for this node. Records of earlier
 * epochs are locks held before Ganesha restarted: they keep conflicting
 * while clients reclaim during grace (a reclaim by the same owner replaces
 * its old record), and are purged when grace ends. Ganesha 4.3 exports no
 * "grace is over" hook to modules, so we wait for the server to start
 * (grace starts before it serves) and then for Grace_Period seconds.
 * Interim: the recovery work replaces this with real grace tracking.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "gsh_config.h"
#include "nfs_init.h"
#include "ulmfsal.h"

static pthread_mutex_t purge_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t purge_cond = PTHREAD_COND_INITIALIZER;
static bool purge_stopping;
static bool purge_running;
static pthread_t purge_thread;

struct purge_target {
	ulm_env *env;
	uint32_t node;
	uint32_t epoch;
};

static struct purge_target target;

/* Sleep @p seconds unless asked to stop; true if asked to stop. */
static bool sleep_unless_stopped(time_t seconds)
{
	struct timespec deadline;
	bool stopping;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	PTHREAD_MUTEX_lock(&purge_mutex);
	while (!purge_stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&purge_cond, &purge_mutex,
					    &deadline);
	stopping = purge_stopping;
	PTHREAD_MUTEX_unlock(&purge_mutex);
	return stopping;
}

static void *purge_main(void *arg)
{
	const struct purge_target *t = arg;
	uint64_t purged = 0;
	int rc;

	while (nfs_init_wait_timeout(1) != 0)
		if (sleep_unless_stopped(0))
			return NULL;
	if (sleep_unless_stopped(nfs_param.nfsv4_param.grace_period))
		return NULL;

	rc = ulm_node_purge(t->env, t->node, t->epoch, &purged);
	if (rc != 0)
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: purging orphan locks of node %" PRIu32
			" failed: %s; they keep conflicting until purged",
			t->node, ulm_strerror(rc));
	else
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: grace over: purged %" PRIu64
			 " orphan lock records of node %" PRIu32
			 " from epochs before %" PRIu32,
			 purged, t->node, t->epoch);
	return NULL;
}

/**
 * @brief Purge @p node's records of earlier epochs after grace, once.
 * @pre the store was just opened (called once per process)
 */
void ulmfsal_purge_schedule(ulm_env *env, uint32_t node)
{
	int rc;

	target.env = env;
	target.node = node;
	target.epoch = ulm_env_epoch(env);
	rc = pthread_create(&purge_thread, NULL, purge_main, &target);
	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the orphan purge thread: %s; "
			"orphan locks of earlier runs stay until the next "
			"restart",
			strerror(rc));
		return;
	}
	purge_running = true;
}

/** @brief Stop the purge (if it has not run) and wait for its thread. */
void ulmfsal_purge_stop(void)
{
	if (!purge_running)
		return;
	PTHREAD_MUTEX_lock(&purge_mutex);
	purge_stopping = true;
	pthread_cond_broadcast(&purge_cond);
	PTHREAD_MUTEX_unlock(&purge_mutex);
	pthread_join(purge_thread, NULL);
	purge_running = false;
}
