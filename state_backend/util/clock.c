/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include "clock.h"

uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

struct timespec clock_realtime_after(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ms <= 0)
		return ts;
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void clock_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

static struct timespec monotonic_at(uint64_t deadline_ns)
{
	return (struct timespec){(time_t)(deadline_ns / NS_PER_S),
				 (long)(deadline_ns % NS_PER_S)};
}

bool clock_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex,
			   uint64_t deadline_ns)
{
	struct timespec ts = monotonic_at(deadline_ns);

	return pthread_cond_timedwait(cond, mutex, &ts) != ETIMEDOUT;
}

bool clock_mutex_lock_until(pthread_mutex_t *mutex, uint64_t deadline_ns)
{
	struct timespec ts = monotonic_at(deadline_ns);

	return !pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, &ts);
}
