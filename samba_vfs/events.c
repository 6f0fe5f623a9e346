/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: the lock store's events for this smbd node, into smbd's main
 * loop. smbd is one thread around a tevent loop that must never wait on
 * another node; so a thread of the module waits in ulm_event_wait() and
 * hands each recall or break through a pipe the loop watches, and the
 * oplock break (oplock.c) or the handle's close (break.c) runs on smbd's
 * own thread. Started with the store environment,
 * stopped and joined before it closes (env.c).
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "lib/global_contexts.h"
#include <pthread.h>
#include <stdatomic.h>
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* How long one wait lasts: the bound of a stop. */
#define VFS_ULM_EVENT_WAIT_MS 200

/* One event through the pipe, under PIPE_BUF: written and read whole. */
struct vfs_ulm_event_msg {
	enum ulm_event_kind kind;
	uint16_t len;
	uint8_t key[ULM_KEY_MAX];
	struct ulm_lock_info record;
};

static struct {
	pid_t pid; /* the process whose thread runs; 0: none */
	pthread_t thread;
	atomic_bool running;
	int pipe[2];
	struct tevent_fd *fde;
	ulm_env *env;
} vfs_ulm_events = {.pipe = {-1, -1}};

/* On the event thread. A full pipe drops the event: events are hints;
 * the NFS request that sent a recall is answered NFS4ERR_DELAY and sends
 * it again when it retries, and a break can be asked again. */
static void vfs_ulm_event_post(const struct ulm_event *event, void *arg)
{
	struct vfs_ulm_event_msg msg = {.kind = event->kind,
					.len = (uint16_t)event->file.len,
					.record = *event->record};

	(void)arg;
	if ((event->kind != ULM_EVENT_RECALL &&
	     event->kind != ULM_EVENT_BREAK) ||
	    event->file.len > ULM_KEY_MAX)
		return;
	memcpy(msg.key, event->file.data, event->file.len);
	if (write(vfs_ulm_events.pipe[1], &msg, sizeof(msg)) != sizeof(msg))
		DBG_WARNING("lock store event dropped (%s): a recall is sent "
			    "again by the NFS retry, a break may be asked "
			    "again\n",
			    strerror(errno));
}

static void *vfs_ulm_event_loop(void *arg)
{
	ulm_env *env = arg;
	int rc;

	while (atomic_load(&vfs_ulm_events.running)) {
		rc = ulm_event_wait(env, vfs_ulm_event_post, NULL,
				    VFS_ULM_EVENT_WAIT_MS);
		if (rc) {
			DBG_ERR("reading this node's lock events: %s\n",
				ulm_strerror(rc));
			usleep(VFS_ULM_EVENT_WAIT_MS * 1000);
		}
	}
	return NULL;
}

/* On smbd's main thread: the events the event thread passed on. */
static void vfs_ulm_events_ready(struct tevent_context *ev _UNUSED_,
				 struct tevent_fd *fde _UNUSED_,
				 uint16_t flags _UNUSED_,
				 void *private_data _UNUSED_)
{
	struct vfs_ulm_event_msg msg;

	while (read(vfs_ulm_events.pipe[0], &msg, sizeof(msg)) == sizeof(msg)) {
		struct ulm_key key = {msg.key, msg.len};

		if (msg.kind == ULM_EVENT_RECALL)
			vfs_ulm_oplock_recall(&key);
		else
			vfs_ulm_break(vfs_ulm_events.env, &key, &msg.record);
	}
}

static void vfs_ulm_events_close(void)
{
	TALLOC_FREE(vfs_ulm_events.fde);
	for (int i = 0; i < 2; i++) {
		if (vfs_ulm_events.pipe[i] >= 0)
			close(vfs_ulm_events.pipe[i]);
		vfs_ulm_events.pipe[i] = -1;
	}
	vfs_ulm_events.pid = 0;
}

int vfs_ulm_events_start(ulm_env *env)
{
	sigset_t all, before;
	int rc;

	if (pipe2(vfs_ulm_events.pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return -errno;
	vfs_ulm_events.pid = getpid();
	vfs_ulm_events.env = env;
	vfs_ulm_events.fde = tevent_add_fd(
		global_event_context(), NULL, vfs_ulm_events.pipe[0],
		TEVENT_FD_READ, vfs_ulm_events_ready, NULL);
	if (vfs_ulm_events.fde == NULL) {
		vfs_ulm_events_close();
		return -ENOMEM;
	}
	atomic_store(&vfs_ulm_events.running, true);
	/* Signals stay smbd's main thread's: the thread starts with all
	 * blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);
	rc = pthread_create(&vfs_ulm_events.thread, NULL, vfs_ulm_event_loop,
			    env);
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	if (rc) {
		atomic_store(&vfs_ulm_events.running, false);
		vfs_ulm_events_close();
		return -rc;
	}
	return 0;
}

void vfs_ulm_events_stop(void)
{
	if (vfs_ulm_events.pid == 0)
		return;
	/* A process forked from the one that started it has no thread. */
	if (vfs_ulm_events.pid == getpid()) {
		atomic_store(&vfs_ulm_events.running, false);
		pthread_join(vfs_ulm_events.thread, NULL);
	}
	vfs_ulm_events_close();
}
