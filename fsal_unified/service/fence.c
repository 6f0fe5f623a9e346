// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file fence.c
 * @brief FSAL UNIFIED: say when this node fences itself (its liveness
 * lease in RADOS could not be renewed in time) and when it is live
 * again, once each, not once per refused call.
 */
#include <stdbool.h>

#include "ulmfsal.h"

static bool was_fenced;

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

bool ulmfsal_fence_watch(ulm_env *env)
{
	struct ulm_env_stats st;

	ulm_env_stats(env, &st);
	if (st.fenced != was_fenced) {
		if (st.fenced)
			say_fenced(&st);
		else
			say_live(&st);
		was_fenced = st.fenced;
	}
	return st.fenced;
}
