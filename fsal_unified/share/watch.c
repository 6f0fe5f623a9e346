// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file watch.c
 * @brief FSAL UNIFIED: changes made outside Ganesha recall this node's
 * delegations.
 *
 * libulm recalls a delegation before a conflicting NFS or NLM operation
 * reaches the sub-FSAL; a local process, Samba or knfsd never asks it.
 * So, while this node has a delegation out on a file of a VFS export,
 * UNIFIED holds a kernel read lease on it (fcntl F_SETLEASE): a local
 * open for write or truncate breaks the lease, the opener waits in the
 * kernel (up to /proc/sys/fs/lease-break-time) and we recall; the lease
 * goes once the delegation is returned or revoked. A read lease is not
 * broken by unlink, rename or chmod (those break only knfsd's own
 * delegation leases), so an inotify watch on the file recalls on
 * IN_ATTRIB (chmod, chown, utimes, link count: ln, rm, mv over it),
 * IN_MOVE_SELF and IN_DELETE_SELF, just after the change.
 *
 * Over another sub-FSAL with its own delegations (FSAL_CEPH: libcephfs),
 * we stack on them. Where no watch can be had, no delegation is granted,
 * unless UNIFIED { Delegations_Unwatched = true } says that only Ganesha
 * changes the exports: then nothing is watched.
 *
 * One thread waits for lease breaks and inotify events. A lease break is
 * a signal (F_SETSIG) sent to that thread (F_SETOWN_EX); its handler only
 * writes the lease's fd into a pipe the thread reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "FSAL/fsal_commonlib.h"
#include "nfs_core.h"
#include "ulmfsal.h"

#define WATCH_EVENTS (IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
/* Once the lease is yielded, writes too: nobody but an outside writer
 * can write a file with a read delegation out (Ganesha recalls first). */
#define WATCH_YIELDED_EVENTS (WATCH_EVENTS | IN_MODIFY)
#define WATCH_STOP_FD	     (-1) /**< written into the pipe: the thread ends */
/* A lease broken just after the grant is recalled before Ganesha has
 * created the delegation's state: that recall finds nothing. Sent again
 * this much later; Ganesha ignores a delegation already being recalled
 * (src/FSAL_UP/fsal_up_top.c:1495). */
#define WATCH_RESEND_MS 1000

struct watch {
	struct watch *next;
	unsigned holders;   /**< delegations granted on this file here */
	int lease_fd;	    /**< holds the read lease; -1 once yielded */
	int wd;		    /**< inotify watch */
	bool recalled;	    /**< since the last holder came */
	uint64_t resend_at; /**< lease broken: recall once more then (ms) */
	uint16_t key_len;
	uint8_t key[ULM_KEY_MAX];
};

static pthread_mutex_t watch_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watches;
static pthread_t watch_thread;
static pid_t watch_tid;	 /**< receives the lease-break signals */
static bool watch_ready; /**< the thread runs: under watch_mutex */
static int watch_inotify = -1;
static int watch_pipe[2] = {-1, -1};
static int watch_signal;

static struct watch **watch_find(const struct ulm_key *key)
{
	struct watch **w = &watches;

	for (; *w; w = &(*w)->next)
		if ((*w)->key_len == key->len &&
		    memcmp((*w)->key, key->data, key->len) == 0)
			return w;
	return w;
}

/* Async-signal-safe: the lease's fd goes to the thread through the pipe. */
static void lease_break_signal(int sig, siginfo_t *info, void *context)
{
	int saved_errno = errno;
	int fd = info->si_fd;

	(void)sig;
	(void)context;
	/* Full only with thousands of breaks pending, each to be recalled. */
	(void)!write(watch_pipe[1], &fd, sizeof(fd));
	errno = saved_errno;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Recall once per event burst: a chmod or rm is several events. Takes
 * and drops the mutex; Ganesha's recall runs without it (recall.c).
 * @return whether a watch matched
 */
static bool recall_one(bool (*match)(const struct watch *, int), int arg,
		       bool resend)
{
	struct ulm_key key;
	uint8_t key_buf[ULM_KEY_MAX];
	struct watch *w;
	bool first = false;

	PTHREAD_MUTEX_lock(&watch_mutex);
	for (w = watches; w; w = w->next)
		if (match(w, arg))
			break;
	if (w != NULL) {
		first = !w->recalled;
		w->recalled = true;
		w->resend_at = resend ? now_ms() + WATCH_RESEND_MS : 0;
		memcpy(key_buf, w->key, w->key_len);
		key.data = key_buf;
		key.len = w->key_len;
	}
	PTHREAD_MUTEX_unlock(&watch_mutex);
	if (w == NULL)
		return false;
	if (first)
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: a file with delegations out was opened for "
			 "write, changed or moved outside Ganesha: recalling");
	ulmfsal_recall_send(&key);
	return true;
}

static void recall_matching(bool (*match)(const struct watch *, int), int arg,
			    bool resend)
{
	while (recall_one(match, arg, resend))
		;
}

/* A lease is being broken when F_GETLEASE no longer says F_RDLCK. */
static bool breaking(const struct watch *w)
{
	return w->lease_fd >= 0 && fcntl(w->lease_fd, F_GETLEASE) != F_RDLCK;
}

/* A stale fd number in the pipe (lease since closed, fd reused) is told
 * apart by the lease's state. */
static bool lease_broken(const struct watch *w, int fd)
{
	return !w->recalled && w->lease_fd == fd && breaking(w);
}

static bool resend_due(const struct watch *w, int unused)
{
	(void)unused;
	return w->resend_at != 0 && now_ms() >= w->resend_at;
}

static bool watches_inode(const struct watch *w, int wd)
{
	return !w->recalled && w->wd == wd;
}

/* The kernel dropped events (IN_Q_OVERFLOW): any file may have changed. */
static bool any_watch(const struct watch *w, int unused)
{
	(void)unused;
	return !w->recalled;
}

static bool resend_pending(void)
{
	struct watch *w;

	PTHREAD_MUTEX_lock(&watch_mutex);
	for (w = watches; w && w->resend_at == 0; w = w->next)
		;
	PTHREAD_MUTEX_unlock(&watch_mutex);
	return w != NULL;
}

/* @return false when asked to stop */
static bool read_breaks(void)
{
	int fds[64];
	ssize_t n = read(watch_pipe[0], fds, sizeof(fds));

	for (ssize_t i = 0; i < n / (ssize_t)sizeof(fds[0]); i++) {
		if (fds[i] == WATCH_STOP_FD)
			return false;
		recall_matching(lease_broken, fds[i], true);
	}
	return true;
}

static void read_inotify(void)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(watch_inotify, buf, sizeof(buf));
	const struct inotify_event *ev;

	for (char *p = buf; n > 0 && p < buf + n; p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)p;
		if (ev->mask & IN_Q_OVERFLOW)
			recall_matching(any_watch, 0, false);
		else if (ev->mask & WATCH_YIELDED_EVENTS)
			recall_matching(watches_inode, ev->wd, false);
	}
}

static void *watch_loop(void *arg)
{
	struct pollfd fds[2] = {{.fd = watch_pipe[0], .events = POLLIN},
				{.fd = watch_inotify, .events = POLLIN}};

	(void)arg;
	SetNameFunction("ulm_watch");
	__atomic_store_n(&watch_tid, gettid(), __ATOMIC_RELEASE);
	for (;;) {
		int n = poll(fds, 2,
			     resend_pending() ? WATCH_RESEND_MS / 4 : -1);

		recall_matching(resend_due, 0, false);
		if (n <= 0)
			continue; /* or EINTR: our own lease-break signal */
		if ((fds[0].revents & POLLIN) && !read_breaks())
			return NULL;
		if (fds[1].revents & POLLIN)
			read_inotify();
	}
}

/* Ours, or a signal nobody else in Ganesha has taken. Not one of the
 * first real-time signals, which glibc and others (Samba: +1) use. */
static int signal_install(void)
{
	struct sigaction old, sa = {.sa_sigaction = lease_break_signal,
				    .sa_flags = SA_SIGINFO | SA_RESTART};

	watch_signal = SIGRTMIN + 6;
	sigemptyset(&sa.sa_mask);
	if (sigaction(watch_signal, NULL, &old) != 0 ||
	    (old.sa_handler != SIG_DFL &&
	     old.sa_sigaction != lease_break_signal)) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: signal %d is taken in this process: "
			"no kernel leases, so no delegations over VFS",
			watch_signal);
		return -EBUSY;
	}
	return sigaction(watch_signal, &sa, NULL) == 0 ? 0 : -errno;
}

/* The kernel lets a local opener through after lease-break-time whatever
 * we do: a holder slower than that meets a file changed under it. */
static void lease_break_time_check(void)
{
	FILE *f = fopen("/proc/sys/fs/lease-break-time", "r");
	unsigned seconds = 0;

	if (f == NULL)
		return;
	if (fscanf(f, "%u", &seconds) == 1 &&
	    seconds < nfs_param.nfsv4_param.lease_lifetime)
		LogWarn(COMPONENT_FSAL,
			"UNIFIED: /proc/sys/fs/lease-break-time is %u s, "
			"shorter than Lease_Lifetime (%u s): a local writer "
			"may go ahead before a slow delegation holder returns "
			"or is revoked; raise it",
			seconds, nfs_param.nfsv4_param.lease_lifetime);
	fclose(f);
}

/* Under watch_mutex. */
static int watch_thread_start(void)
{
	int rc;

	if (watch_ready)
		return 0;
	rc = signal_install();
	if (rc != 0)
		return rc;
	if (watch_inotify < 0)
		watch_inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (watch_pipe[0] < 0 && pipe2(watch_pipe, O_CLOEXEC | O_NONBLOCK))
		watch_pipe[0] = -1;
	if (watch_inotify < 0 || watch_pipe[0] < 0) {
		rc = -errno;
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot watch files for outside changes: "
			"%s; no delegations over VFS",
			strerror(-rc));
		return rc;
	}
	rc = -pthread_create(&watch_thread, NULL, watch_loop, NULL);
	if (rc != 0)
		return rc;
	/* The thread's id, for F_SETOWN_EX: it is its first step. */
	while (__atomic_load_n(&watch_tid, __ATOMIC_ACQUIRE) == 0)
		usleep(1000);
	lease_break_time_check();
	watch_ready = true;
	return 0;
}

/* The lease, its break signal to our thread, and the inotify watch. */
static int vfs_watch_add(struct watch *w)
{
	struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = watch_tid};
	char path[64];

	if (fcntl(w->lease_fd, F_SETSIG, watch_signal) != 0 ||
	    fcntl(w->lease_fd, F_SETLEASE, F_RDLCK) != 0 ||
	    fcntl(w->lease_fd, F_SETOWN_EX, &owner) != 0)
		return -errno;
	/* Already being broken (a writer opened meanwhile): no delegation;
	 * its signal, to whichever thread, finds no watch for the fd. */
	if (fcntl(w->lease_fd, F_GETLEASE) != F_RDLCK)
		return -EAGAIN;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->lease_fd);
	w->wd = inotify_add_watch(watch_inotify, path, WATCH_EVENTS);
	return w->wd < 0 ? -errno : 0;
}

static void watch_disarm(struct watch *w)
{
	if (w->wd >= 0)
		inotify_rm_watch(watch_inotify, w->wd); /* EINVAL if deleted */
	if (w->lease_fd >= 0)
		close(w->lease_fd); /* drops the lease: a waiting opener goes */
	w->wd = -1;
	w->lease_fd = -1;
}

/* Under watch_mutex. */
static int vfs_watch_start(struct fsal_obj_handle *obj,
			   const struct ulm_key *key)
{
	struct watch **slot = watch_find(key), *w = *slot;
	int rc;

	if (w != NULL) {
		if (w->lease_fd >= 0 &&
		    fcntl(w->lease_fd, F_GETLEASE) != F_RDLCK)
			return -EAGAIN; /* being broken: a recall is out */
		w->holders++;
		w->recalled = false;
		return 0;
	}
	rc = watch_thread_start();
	if (rc != 0)
		return rc;
	w = gsh_calloc(1, sizeof(*w));
	w->wd = -1;
	w->holders = 1;
	w->key_len = key->len;
	memcpy(w->key, key->data, key->len);
	w->lease_fd = ulmfsal_vfs_open(obj, key);
	rc = w->lease_fd < 0 ? w->lease_fd : vfs_watch_add(w);
	if (rc != 0) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: no kernel lease on the file (%s: open for "
			 "write, by Ganesha or a local process?)",
			 strerror(-rc));
		watch_disarm(w);
		gsh_free(w);
		return rc;
	}
	*slot = w;
	return 0;
}

static bool sub_is_vfs(void)
{
	return strcmp(op_ctx->fsal_export->sub_export->fsal->name, "VFS") == 0;
}

static struct fsal_obj_ops default_ops;

static void default_ops_fill(void)
{
	fsal_default_obj_ops_init(&default_ops);
}

/* The sub-FSAL's own lease_op2, if it has one (FSAL_CEPH: libcephfs); the
 * default one only logs "Invoking unsupported FSAL operation". */
static bool sub_has_leases(struct fsal_obj_handle *obj)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, default_ops_fill);
	return ulmfsal_sub(obj)->obj_ops->lease_op2 != default_ops.lease_op2;
}

static int no_watch(const char *why)
{
	LogDebug(COMPONENT_FSAL, "UNIFIED: no delegation: %s", why);
	return -EOPNOTSUPP;
}

/* Delegations_Unwatched = true: granted as if only Ganesha changed the
 * export, nothing watched. */
int ulmfsal_watch_start(struct fsal_obj_handle *obj, struct state_t *state,
			void *owner, const struct ulm_key *key, bool write)
{
	fsal_status_t st;
	int rc;

	if (ULMFSAL.config.deleg_unwatched)
		return 0;
	if (sub_is_vfs()) {
		if (write)
			return no_watch("a write delegation needs a write "
					"lease, which Ganesha's own open fd "
					"forbids");
		PTHREAD_MUTEX_lock(&watch_mutex);
		rc = vfs_watch_start(obj, key);
		PTHREAD_MUTEX_unlock(&watch_mutex);
		return rc == 0 ? 0 : no_watch("no kernel lease on the file");
	}
	if (!sub_has_leases(obj))
		return no_watch("the sub-FSAL cannot tell outside changes");
	st = ULMFSAL_SUB(obj, lease_op2, state, owner,
			 write ? FSAL_DELEG_WR : FSAL_DELEG_RD);
	return FSAL_IS_ERROR(st) ? -(int)(st.minor ? st.minor : EAGAIN) : 0;
}

void ulmfsal_watch_stop(struct fsal_obj_handle *obj, struct state_t *state,
			void *owner, const struct ulm_key *key)
{
	struct watch **slot, *gone = NULL;

	if (ULMFSAL.config.deleg_unwatched)
		return;
	if (!sub_is_vfs()) {
		if (sub_has_leases(obj))
			(void)ULMFSAL_SUB(obj, lease_op2, state, owner,
					  FSAL_DELEG_NONE);
		return;
	}
	PTHREAD_MUTEX_lock(&watch_mutex);
	slot = watch_find(key);
	if (*slot && --(*slot)->holders == 0) {
		gone = *slot;
		*slot = gone->next;
		watch_disarm(gone);
		gsh_free(gone);
	}
	PTHREAD_MUTEX_unlock(&watch_mutex);
}

void ulmfsal_watch_yield(const struct ulm_key *key)
{
	struct watch *w;

	PTHREAD_MUTEX_lock(&watch_mutex);
	w = *watch_find(key);
	if (w != NULL && w->lease_fd >= 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", w->lease_fd);
		if (inotify_add_watch(watch_inotify, path,
				      WATCH_YIELDED_EVENTS | IN_MASK_ADD) < 0)
			LogWarn(COMPONENT_FSAL,
				"UNIFIED: cannot watch a delegated file for "
				"writes: %s; a local write to it may go "
				"unrecalled",
				strerror(errno));
		close(w->lease_fd);
		w->lease_fd = -1;
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: kernel lease dropped for Ganesha's own "
			 "write open; local writes and metadata changes are "
			 "recalled just after they happen");
	}
	PTHREAD_MUTEX_unlock(&watch_mutex);
}

void ulmfsal_watch_shutdown(void)
{
	int stop = WATCH_STOP_FD;

	PTHREAD_MUTEX_lock(&watch_mutex);
	if (!watch_ready) {
		PTHREAD_MUTEX_unlock(&watch_mutex);
		return;
	}
	watch_ready = false;
	PTHREAD_MUTEX_unlock(&watch_mutex);
	if (write(watch_pipe[1], &stop, sizeof(stop)) == sizeof(stop))
		pthread_join(watch_thread, NULL);
	/* Left by a shutdown that keeps delegation records for reclaim. */
	while (watches != NULL) {
		struct watch *w = watches;

		watches = w->next;
		watch_disarm(w);
		gsh_free(w);
	}
}
