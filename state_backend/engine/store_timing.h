/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The engine's calls of its store, timed into fixed buckets (relaxed
 * atomic adds: cheap enough for every lock call). */
#ifndef ULM_STORE_TIMING_H
#define ULM_STORE_TIMING_H

#include "latency.h"

struct store_call_timing {
	struct latency_histogram time;
	atomic_uint_fast64_t errors;
	atomic_uint_fast64_t timeouts;
};

struct store_timing {
	struct store_call_timing call[ULM_STORE_CALLS];
};

/** A clock_now_ns() reading to pass to store_timed(). */
uint64_t store_timing_start(void);
/** Account one call of kind @p call started at @p started. @return @p rc */
int store_timed(struct store_timing *t, enum ulm_store_call call,
		uint64_t started, int rc);

/** Evaluate a store call (an int result) of env @p env, timed. */
#define STORE_TIMED(env, kind, expr)                                         \
	({                                                                   \
		uint64_t store_started_ = store_timing_start();              \
		store_timed(&(env)->timing, (kind), store_started_, (expr)); \
	})

#endif /* ULM_STORE_TIMING_H */
