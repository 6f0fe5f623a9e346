// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file events.c
 * @brief FSAL UNIFIED: one thread takes the events libulm addresses to
 * this node (from any node sharing the store) and turns them into
 * Ganesha up-calls: delegation recalls and blocked-lock wake-ups; and
 * lets go below of locks another node took over (lock/adopted.c).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "ulmfsal.h"

#define EVENT_WAIT_MS 200

static pthread_t events_thread;
static atomic_bool events_running;

static void handle_event(const struct ulm_event *event, void *arg)
{
	(void)arg;
	switch (event->kind) {
	case ULM_EVENT_RECALL:
		ulmfsal_recall_send(&event->file);
		break;
	case ULM_EVENT_WAKE:
		/* NFSv4 waiters poll: only NLM requests are called back. */
		if (event->record->protocol == ULM_PROTO_NLM)
			ulmfsal_blocked_wake(&event->file, event->record);
		break;
	case ULM_EVENT_ADOPTED:
		ulmfsal_adopted(&event->file, event->record);
		break;
	case ULM_EVENT_BREAK:
		/* Sent to smbd nodes only (dbus_break.c): a Ganesha breaks
		 * its own records itself. */
		break;
	}
}

static void *events_loop(void *arg)
{
	ulm_env *env = arg;
	int rc;

	SetNameFunction("ulm_events");
	while (atomic_load(&events_running)) {
		/* A fenced node reads no events: it would fail each time. */
		if (!ulm_env_live(env)) {
			usleep(EVENT_WAIT_MS * 1000);
			continue;
		}
		rc = ulm_event_wait(env, handle_event, NULL, EVENT_WAIT_MS);
		if (rc != 0) {
			LogMajor(COMPONENT_FSAL,
				 "UNIFIED: reading this node's lock events "
				 "failed: %s; retrying",
				 ulm_strerror(rc));
			usleep(EVENT_WAIT_MS * 1000);
		}
	}
	return NULL;
}

void ulmfsal_events_start(ulm_env *env)
{
	atomic_store(&events_running, true);
	if (pthread_create(&events_thread, NULL, events_loop, env) != 0) {
		atomic_store(&events_running, false);
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the lock event thread: "
			"delegation recalls and NLM grants from other nodes "
			"will not arrive");
	}
}

void ulmfsal_events_stop(void)
{
	if (!atomic_exchange(&events_running, false))
		return;
	pthread_join(events_thread, NULL);
}
