/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Latency bookkeeping shared by the NFS benches: a growing log of
 * microsecond samples, and percentiles of a sorted log.
 */
#ifndef ULM_BENCH_LATENCY_H
#define ULM_BENCH_LATENCY_H

#include <stddef.h>
#include <stdint.h>

struct latency_log {
	uint64_t *us; /* one sample per completed operation */
	size_t count;
	size_t capacity;
};

/** Monotonic clock, in microseconds. */
uint64_t latency_now_us(void);

/** Append @p us to @p log: 0, or -ENOMEM. */
int latency_log_add(struct latency_log *log, uint64_t us);

/** Free the samples of @p log and empty it. */
void latency_log_free(struct latency_log *log);

/** Sort @p count samples in place, ascending. */
void latency_sort(uint64_t *us, size_t count);

/** The @p pct percentile (0..100) of @p count sorted samples; 0 if none. */
uint64_t latency_percentile(const uint64_t *sorted, size_t count, double pct);

#endif /* ULM_BENCH_LATENCY_H */
