/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A libulm call's deadline. One call may wait on its store several times
 * (a watch, another node's handover, a read, a write), each wait bounded
 * on its own; the call as a whole answers by its deadline: past it no new
 * wait begins and the waits under way are cut short (-ETIMEDOUT, retry).
 * Kept per thread, so the store sees the deadline of the call it serves
 * without every signature carrying it. */
#ifndef ULM_CALL_BOUND_H
#define ULM_CALL_BOUND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/** Begin a call that answers within @ms (0: unbounded); a call made
 *  within a call keeps the outer one's deadline.
 *  @return what call_bound_end() takes back */
uint64_t call_bound_begin(uint32_t ms);

/** End the call begun by the call_bound_begin() that returned @saved. */
void call_bound_end(uint64_t saved);

/** @deadline_ns (a clock_now_ns() value), or the call's deadline if that
 *  is earlier. */
uint64_t call_bound_clip(uint64_t deadline_ns);

/** Is there a call deadline and is it past? */
bool call_bound_passed(void);

/** Lock @mutex, held by another call meanwhile, waiting until the call's
 *  deadline at most (for ever outside a bounded call).
 *  @return false: the deadline passed first */
bool call_bound_lock(pthread_mutex_t *mutex);

#endif
