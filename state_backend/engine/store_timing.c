/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Latency, errors and timeouts of the store calls made under lock calls
 * (ulm_store_stats()), counted per kind of call. */
#include <errno.h>
#include <string.h>
#include "clock.h"
#include "env.h"

/* From a local LMDB read (tens of us) to a RADOS op near its bound. */
const uint64_t ulm_store_bucket_us[ULM_STORE_BUCKETS] = {
	25,   50,    100,   250,    500,    1000,    2500,
	5000, 10000, 25000, 100000, 500000, 1000000, 5000000,
};

static const char *const call_names[ULM_STORE_CALLS] = {
	[ULM_STORE_CALL_VERSION] = "version",
	[ULM_STORE_CALL_LOAD] = "load",
	[ULM_STORE_CALL_WRITE] = "write",
};

const char *ulm_store_call_name(enum ulm_store_call call)
{
	return (unsigned)call < ULM_STORE_CALLS ? call_names[call] : "unknown";
}

uint64_t store_timing_start(void)
{
	return clock_now_ns();
}

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

int store_timed(struct store_timing *t, enum ulm_store_call call,
		uint64_t started, int rc)
{
	struct store_call_timing *c = &t->call[call];
	uint64_t us = (clock_now_ns() - started) / 1000;

	add(&c->calls, 1);
	add(&c->sum_us, us);
	add(&c->buckets[bucket_of(us)], 1);
	if (rc != 0 && rc != -ECANCELED)
		add(&c->errors, 1);
	if (rc == -ETIMEDOUT)
		add(&c->timeouts, 1);
	return rc;
}

static uint64_t get(const atomic_uint_fast64_t *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

void ulm_store_stats(ulm_env *env, struct ulm_store_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!env)
		return;
	st->backend = env->ops->name;
	for (int k = 0; k < ULM_STORE_CALLS; k++) {
		const struct store_call_timing *c = &env->timing.call[k];

		st->call[k].calls = get(&c->calls);
		st->call[k].errors = get(&c->errors);
		st->call[k].timeouts = get(&c->timeouts);
		st->call[k].sum_us = get(&c->sum_us);
		for (int b = 0; b <= ULM_STORE_BUCKETS; b++)
			st->call[k].buckets[b] = get(&c->buckets[b]);
	}
}
