/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "latency.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define LATENCY_LOG_FIRST 4096

uint64_t latency_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int latency_log_add(struct latency_log *log, uint64_t us)
{
	if (log->count == log->capacity) {
		size_t capacity =
			log->capacity ? log->capacity * 2 : LATENCY_LOG_FIRST;
		uint64_t *grown = realloc(log->us, capacity * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		log->us = grown;
		log->capacity = capacity;
	}
	log->us[log->count++] = us;
	return 0;
}

void latency_log_free(struct latency_log *log)
{
	free(log->us);
	*log = (struct latency_log){0};
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void latency_sort(uint64_t *us, size_t count)
{
	qsort(us, count, sizeof(*us), compare_u64);
}

uint64_t latency_percentile(const uint64_t *sorted, size_t count, double pct)
{
	size_t rank;

	if (count == 0)
		return 0;
	rank = (size_t)(pct / 100.0 * (double)(count - 1) + 0.5);
	return sorted[rank];
}
