/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Watch, unwatch and notify with a deadline. librados gives reads and
 * writes up after rados_osd_op_timeout, but not watches and notifies
 * (linger ops): against a hung OSD, rados_watch3() and rados_notify2()
 * wait as long as it hangs, and so would the Ganesha thread in them. So
 * they run async here, and the caller waits until a deadline only.
 *
 * An op the caller gave up on is left to its completion, which frees what
 * it holds: a notify's reply; a watch registered late is unwatched. What
 * librados may still call back into (a watch's argument: a file, the
 * store) is handed back through release() only once no callback can use
 * it any more but those rados_watch_flush() waits for. Close waits for
 * these ops a while (rados_bounded_drain()); past that, rados_shutdown()
 * drops them, and their few bytes are not freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "call_bound.h"
#include "clock.h"
#include "rados_io.h"

/* A notify's answer comes this long after its own timeout at most, on an
 * OSD that answers. */
#define NOTIFY_MARGIN_MS 500

struct bounded_op {
	struct rados_store *store;
	enum rados_bounded_kind kind;
	rados_completion_t completion;
	rados_release_fn release; /* NULL: nothing to hand back */
	void *arg;
	uint64_t cookie; /* watch: the handle librados gave it */
	char *reply;	 /* notify: the acks and timeouts */
	size_t reply_len;
	/* Under the store's pending_mutex; cond: signalled when done. */
	pthread_cond_t cond;
	int rc;
	bool done;
	bool abandoned; /* the caller gave up: the completion cleans up */
};

void rados_bounded_init(struct rados_store *s)
{
	clock_cond_init(&s->pending_cond);
	pthread_mutex_init(&s->pending_mutex, NULL);
}

void rados_bounded_fini(struct rados_store *s)
{
	pthread_cond_destroy(&s->pending_cond);
	pthread_mutex_destroy(&s->pending_mutex);
}

/* Past the op timeout, a read or write is given up on: so is a watch or
 * an unwatch. A notify gets as long, or its own timeout and a margin if
 * longer. Neither outlasts the call it serves (util/call_bound.h). Giving up
 * early never changes an answer, only its cost: a join counts others, a change
 * stays made, an ask is followed by a new look. */
uint64_t rados_deadline(const struct rados_store *s, uint32_t wait_ms)
{
	uint64_t ms = wait_ms ? wait_ms + NOTIFY_MARGIN_MS : 0;

	if (ms < s->op_timeout_ms)
		ms = s->op_timeout_ms;
	return call_bound_clip(clock_now_ns() + ms * NS_PER_MS);
}

static void op_complete(rados_completion_t c, void *arg);

static struct bounded_op *op_new(struct rados_store *s,
				 enum rados_bounded_kind kind,
				 rados_release_fn release, void *arg)
{
	struct bounded_op *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	if (rados_aio_create_completion2(op, op_complete, &op->completion)) {
		free(op);
		return NULL;
	}
	clock_cond_init(&op->cond);
	op->store = s;
	op->kind = kind;
	op->release = release;
	op->arg = arg;
	pthread_mutex_lock(&s->pending_mutex);
	s->pending++;
	pthread_mutex_unlock(&s->pending_mutex);
	return op;
}

/* The op is over: hand @arg back and free what is left. */
static void op_end(struct bounded_op *op)
{
	struct rados_store *s = op->store;

	if (op->release)
		op->release(op->arg);
	rados_buffer_free(op->reply);
	rados_aio_release(op->completion);
	pthread_cond_destroy(&op->cond);
	free(op);
	pthread_mutex_lock(&s->pending_mutex);
	if (--s->pending == 0)
		pthread_cond_broadcast(&s->pending_cond);
	pthread_mutex_unlock(&s->pending_mutex);
}

/* Remove the watch @cookie; release(@arg) once it is gone. @return the
 * op, not waited for yet (@waited: the caller waits for it; else it is
 * the completion's at once); NULL: it ended already (closing: the store's
 * shutdown takes the watch down), or no memory: the watch and @arg stay
 * until close */
static struct bounded_op *unwatch_start(struct rados_store *s, uint64_t cookie,
					rados_release_fn release, void *arg,
					bool waited)
{
	struct bounded_op *op = op_new(s, RADOS_BOUNDED_UNWATCH, release, arg);
	int rc = -ESHUTDOWN;

	if (!op)
		return NULL;
	/* After the drain the ioctx may be going: start nothing. */
	pthread_mutex_lock(&s->pending_mutex);
	op->abandoned = !waited;
	if (!s->closing)
		rc = rados_aio_unwatch(s->io, cookie, op->completion);
	pthread_mutex_unlock(&s->pending_mutex);
	if (rc) {
		op_end(op);
		return NULL;
	}
	return op;
}

/* A watch the caller gave up on: once it is answered, take it down (an
 * unwatch, or librados itself when it failed) before its argument goes
 * back. */
static void abandoned_watch_end(struct bounded_op *op)
{
	if (!op->rc) {
		unwatch_start(op->store, op->cookie, op->release, op->arg,
			      false);
		op->release = NULL; /* the unwatch's now */
	}
	op_end(op);
}

/* librados's thread. */
static void op_complete(rados_completion_t c, void *arg)
{
	struct bounded_op *op = arg;
	struct rados_store *s = op->store;
	bool abandoned;

	pthread_mutex_lock(&s->pending_mutex);
	op->rc = rados_aio_get_return_value(c);
	op->done = true;
	abandoned = op->abandoned;
	pthread_cond_signal(&op->cond);
	pthread_mutex_unlock(&s->pending_mutex);
	if (!abandoned)
		return; /* the caller's now */
	if (op->kind == RADOS_BOUNDED_WATCH)
		abandoned_watch_end(op);
	else
		op_end(op);
}

/* Wait for @op until @deadline. @return true: done, *@rc is its result
 * and the op the caller's to end; false: it is the completion's now */
static bool op_wait(struct bounded_op *op, uint64_t deadline, int *rc)
{
	struct rados_store *s = op->store;
	bool done;

	pthread_mutex_lock(&s->pending_mutex);
	while (!op->done &&
	       clock_cond_wait_until(&op->cond, &s->pending_mutex, deadline))
		;
	done = op->done;
	op->abandoned = !done;
	if (!done && deadline)
		atomic_fetch_add(&s->given_up[op->kind], 1);
	*rc = done ? op->rc : -ETIMEDOUT;
	pthread_mutex_unlock(&s->pending_mutex);
	return done;
}

/* The op was not started: it ends at once with @rc. */
static int op_refused(struct bounded_op *op, int rc)
{
	op_end(op);
	return rc;
}

int rados_watch_bounded(struct rados_store *s, const char *oid,
			rados_watchcb2_t notified, rados_watcherrcb_t failed,
			uint32_t timeout_s, void *arg, rados_release_fn release,
			uint64_t deadline, uint64_t *cookie)
{
	struct bounded_op *op = op_new(s, RADOS_BOUNDED_WATCH, release, arg);
	int rc;

	if (!op) {
		if (release)
			release(arg);
		return -ENOMEM;
	}
	rc = rados_aio_watch2(s->io, oid, op->completion, &op->cookie, notified,
			      failed, timeout_s, arg);
	if (rc)
		return op_refused(op, rc);
	if (!op_wait(op, deadline, &rc))
		return rc;
	if (!rc)
		*cookie = op->cookie;
	op_end(op);
	return rc;
}

void rados_unwatch_bounded(struct rados_store *s, uint64_t cookie,
			   rados_release_fn release, void *arg,
			   uint64_t deadline)
{
	struct bounded_op *op = unwatch_start(s, cookie, release, arg, true);
	int rc;

	if (op && op_wait(op, deadline, &rc))
		op_end(op);
}

struct bounded_op *rados_notify_start(struct rados_store *s, const char *oid,
				      const void *msg, size_t len,
				      uint32_t timeout_ms)
{
	struct bounded_op *op = op_new(s, RADOS_BOUNDED_NOTIFY, NULL, NULL);
	int rc;

	if (!op)
		return NULL;
	rc = rados_aio_notify(s->io, oid, op->completion, msg, (int)len,
			      timeout_ms, &op->reply, &op->reply_len);
	if (rc) {
		op_refused(op, rc);
		return NULL;
	}
	return op;
}

int rados_notify_finish(struct bounded_op *op, uint64_t deadline, char **reply,
			size_t *reply_len)
{
	int rc;

	if (reply)
		*reply = NULL;
	if (!op_wait(op, deadline, &rc))
		return rc;
	if (reply) {
		/* Set even on failure: who acked, who timed out. */
		*reply = op->reply;
		*reply_len = op->reply_len;
		op->reply = NULL;
	}
	op_end(op);
	return rc;
}

int rados_notify_bounded(struct rados_store *s, const char *oid,
			 const void *msg, size_t len, uint32_t timeout_ms,
			 uint64_t deadline, char **reply, size_t *reply_len)
{
	struct bounded_op *op =
		rados_notify_start(s, oid, msg, len, timeout_ms);

	if (reply)
		*reply = NULL;
	return op ? rados_notify_finish(op, deadline, reply, reply_len)
		  : -ENOMEM;
}

void rados_notify_async(struct rados_store *s, const char *oid, const void *msg,
			size_t len, uint32_t timeout_ms)
{
	/* Nobody waits: a watcher that misses it re-reads at the latest
	 * when its next write is refused by the version guard. */
	rados_notify_bounded(s, oid, msg, len, timeout_ms, 0, NULL, NULL);
}

bool rados_bounded_drain(struct rados_store *s, uint64_t deadline)
{
	bool drained;

	pthread_mutex_lock(&s->pending_mutex);
	while (s->pending && clock_cond_wait_until(&s->pending_cond,
						   &s->pending_mutex, deadline))
		;
	drained = !s->pending;
	s->closing = true;
	pthread_mutex_unlock(&s->pending_mutex);
	return drained;
}
