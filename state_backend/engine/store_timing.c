/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Latency, errors and timeouts of the store calls made under lock calls
 * (ulm_store_stats()), counted per kind of call, and the store's tokens. */
#include <errno.h>
#include <string.h>
#include "clock.h"
#include "env.h"

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

int store_timed(struct store_timing *t, enum ulm_store_call call,
		uint64_t started, int rc)
{
	struct store_call_timing *c = &t->call[call];

	latency_add(&c->time, (clock_now_ns() - started) / 1000);
	if (rc != 0 && rc != -ECANCELED)
		atomic_fetch_add_explicit(&c->errors, 1, memory_order_relaxed);
	if (rc == -ETIMEDOUT)
		atomic_fetch_add_explicit(&c->timeouts, 1,
					  memory_order_relaxed);
	return rc;
}

void ulm_store_stats(ulm_env *env, struct ulm_store_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!env)
		return;
	st->backend = env->ops->name;
	for (int k = 0; k < ULM_STORE_CALLS; k++) {
		const struct store_call_timing *c = &env->timing.call[k];

		latency_read(&c->time, &st->call[k].time);
		st->call[k].errors = atomic_load(&c->errors);
		st->call[k].timeouts = atomic_load(&c->timeouts);
	}
	if (env->ops->token_stats)
		env->ops->token_stats(env->store, &st->tokens);
}
