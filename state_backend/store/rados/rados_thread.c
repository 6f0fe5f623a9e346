/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A store's service thread (the lease renewer, the flusher): a mutex, a
 * condition on CLOCK_MONOTONIC, and a stop flag, both under the mutex. */
#include "clock.h"
#include "rados_io.h"

void rados_thread_init(struct rados_thread *t)
{
	pthread_mutex_init(&t->mutex, NULL);
	clock_cond_init(&t->cond);
}

int rados_thread_start(struct rados_thread *t, void *(*fn)(void *), void *arg)
{
	int rc = -pthread_create(&t->id, NULL, fn, arg);

	t->running = !rc;
	return rc;
}

bool rados_thread_wait(struct rados_thread *t, uint64_t deadline_ns)
{
	return clock_cond_wait_until(&t->cond, &t->mutex, deadline_ns);
}

void rados_thread_fini(struct rados_thread *t)
{
	if (t->running) {
		pthread_mutex_lock(&t->mutex);
		t->stop = true;
		pthread_cond_broadcast(&t->cond);
		pthread_mutex_unlock(&t->mutex);
		pthread_join(t->id, NULL);
		t->running = false;
	}
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->mutex);
}
