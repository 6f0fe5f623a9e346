/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A latency histogram in fixed buckets (ulm_store_bucket_us), added to
 * with relaxed atomics: cheap enough for every lock call, lock-free. */
#ifndef ULM_LATENCY_H
#define ULM_LATENCY_H

#include <stdatomic.h>
#include <stdint.h>
#include "ulm.h"

struct latency_histogram {
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t buckets[ULM_STORE_BUCKETS + 1];
};

/** Count one event of @p us microseconds. */
void latency_add(struct latency_histogram *h, uint64_t us);
/** What @p h counted so far. */
void latency_read(const struct latency_histogram *h, struct ulm_latency *out);

#endif /* ULM_LATENCY_H */
