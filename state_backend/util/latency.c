/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Latency histograms: the bounds every libulm histogram shares. */
#include "latency.h"

/* From a local LMDB read (tens of us) to a RADOS op near its bound. */
const uint64_t ulm_store_bucket_us[ULM_STORE_BUCKETS] = {
	25,   50,    100,   250,    500,    1000,    2500,
	5000, 10000, 25000, 100000, 500000, 1000000, 5000000,
};

static unsigned bucket_of(uint64_t us)
{
	unsigned i = 0;

	while (i < ULM_STORE_BUCKETS && us > ulm_store_bucket_us[i])
		i++;
	return i;
}

static void add(atomic_uint_fast64_t *counter, uint64_t n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

void latency_add(struct latency_histogram *h, uint64_t us)
{
	add(&h->count, 1);
	add(&h->sum_us, us);
	add(&h->buckets[bucket_of(us)], 1);
}

static uint64_t get(const atomic_uint_fast64_t *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

void latency_read(const struct latency_histogram *h, struct ulm_latency *out)
{
	out->count = get(&h->count);
	out->sum_us = get(&h->sum_us);
	for (int b = 0; b <= ULM_STORE_BUCKETS; b++)
		out->buckets[b] = get(&h->buckets[b]);
}
