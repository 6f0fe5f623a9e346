/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "call_bound.h"
#include "clock.h"

/* clock_now_ns() by which the thread's current call answers; 0: none. */
static __thread uint64_t call_deadline_ns;

uint64_t call_bound_begin(uint32_t ms)
{
	uint64_t saved = call_deadline_ns;

	if (!saved && ms)
		call_deadline_ns = clock_now_ns() + ms * NS_PER_MS;
	return saved;
}

void call_bound_end(uint64_t saved)
{
	call_deadline_ns = saved;
}

uint64_t call_bound_clip(uint64_t deadline_ns)
{
	uint64_t call = call_deadline_ns;

	return call && call < deadline_ns ? call : deadline_ns;
}

bool call_bound_passed(void)
{
	return call_deadline_ns && clock_now_ns() >= call_deadline_ns;
}

bool call_bound_lock(pthread_mutex_t *mutex)
{
	uint64_t call = call_deadline_ns;

	if (!call)
		return !pthread_mutex_lock(mutex);
	return clock_mutex_lock_until(mutex, call);
}
