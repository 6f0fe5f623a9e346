/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Time for libulm's waits: a monotonic clock for intervals and deadlines
 * of its own, and the realtime deadline that a condition variable on the
 * default clock takes. */
#ifndef ULM_CLOCK_H
#define ULM_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define NS_PER_MS 1000000ULL
#define NS_PER_S  1000000000ULL

/** CLOCK_MONOTONIC, in nanoseconds. */
uint64_t clock_now_ns(void);

/** CLOCK_REALTIME, in milliseconds: a time to show, or to compare across
 *  hosts. */
uint64_t clock_wall_ms(void);

/** CLOCK_REALTIME @ms milliseconds from now (@ms < 0: now), for
 *  pthread_cond_timedwait() on a default condition variable. */
struct timespec clock_realtime_after(int ms);

/** A condition variable whose timed waits count on CLOCK_MONOTONIC. */
void clock_cond_init(pthread_cond_t *cond);

/** One wait on @cond (from clock_cond_init()) until @deadline_ns, a
 *  clock_now_ns() value. @return false: the deadline passed */
bool clock_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
			   uint64_t deadline_ns);

/** Lock @mutex, waiting until @deadline_ns (a clock_now_ns() value) at
 *  most. @return false: the deadline passed first */
bool clock_mutex_lock_until(pthread_mutex_t *mutex, uint64_t deadline_ns);

#endif
