// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file fence.c
 * @brief FSAL UNIFIED: say when this node fences itself (its liveness
 * lease in RADOS could not be renewed in time) and when it is live
 * again, once each, not once per refused call. A thread of its own
 * looks every FENCE_LOOK_MS: the event thread may wait for RADOS. It
 * also lets go of this node's locks in the sub-FSAL once the lease
 * ended, and takes them again when the node is live (lock/below.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "ulmfsal.h"

#define FENCE_LOOK_MS 100

static pthread_t fence_thread;
static atomic_bool fence_running;

static void say_fenced(const struct ulm_env_stats *st)
{
	LogMajor(COMPONENT_FSAL,
		 "UNIFIED: this node lost its liveness lease in RADOS and "
		 "fenced itself (fence %llu): no renewal got through in time "
		 "(cut off from the cluster, or the process was paused). It "
		 "grants nothing (clients are told to retry: NFS4ERR_GRACE, "
		 "NLM4_DENIED_GRACE_PERIOD); unlocks, closes and delegation "
		 "returns are kept and written once it is live again",
		 (unsigned long long)st->fences);
}

static void say_live(const struct ulm_env_stats *st)
{
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: this node is live again (fenced %llu times, "
		 "%llu ms in all); releases kept while fenced: %llu, "
		 "written: %llu, pending: %llu",
		 (unsigned long long)st->fences,
		 (unsigned long long)st->fenced_ms,
		 (unsigned long long)st->releases_kept,
		 (unsigned long long)st->releases_replayed,
		 (unsigned long long)st->releases_pending);
}

static void *fence_loop(void *arg)
{
	ulm_env *env = arg;
	struct ulm_env_stats st;
	bool was_fenced = false;

	SetNameFunction("ulm_fence");
	while (atomic_load(&fence_running)) {
		ulm_env_stats(env, &st);
		if (st.fenced != was_fenced) {
			if (st.fenced)
				say_fenced(&st);
			else
				say_live(&st);
			was_fenced = st.fenced;
		}
		if (st.lapsed)
			ulmfsal_below_release();
		else if (!st.fenced)
			ulmfsal_below_retake();
		usleep(FENCE_LOOK_MS * 1000);
	}
	return NULL;
}

void ulmfsal_fence_watch_start(ulm_env *env)
{
	atomic_store(&fence_running, true);
	if (pthread_create(&fence_thread, NULL, fence_loop, env) != 0) {
		atomic_store(&fence_running, false);
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the fence watch thread: this "
			"node's fences will not be logged");
	}
}

void ulmfsal_fence_watch_stop(void)
{
	if (!atomic_exchange(&fence_running, false))
		return;
	pthread_join(fence_thread, NULL);
}
