/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Watch and notify with a deadline (rados_bounded.c): a caller gets
 * -ETIMEDOUT at its deadline, and the op given up on finishes alone: a
 * notify's reply is freed when the OSD answers (ASan sees a leak or a use
 * after free), a watch that registered late is taken down, its argument
 * handed back once, and no notify reaches it after. Runs inside the test
 * cluster's namespace (ctest: unit.rados.bounded).
 */
#include <errno.h>
#include <rados/librados.h>
#include <stdatomic.h>
#include "env.h"
#include "rados_ops.h"
#include "ulm_test.h"

#define OID	    "bounded.test"
#define ACK_MS	    2000 /* whole seconds: librados's notify timeout */
#define GIVE_UP_MS  300
#define SETTLE_MS   10000
#define LATE_MARGIN 700 /* a deadline kept: scheduling on a loaded box */

struct watcher {
	atomic_int notified;
	atomic_int released;
};

static struct rados_store *rs(void **state)
{
	return (struct rados_store *)((struct fixture *)*state)->env->store;
}

static uint64_t ms_from_now(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec +
	       (uint64_t)ms * 1000000ULL;
}

/* Counts notifies and never acks them: the notifier waits its timeout. */
static void silent(void *arg, uint64_t notify_id, uint64_t cookie,
		   uint64_t notifier, void *data, size_t len)
{
	struct watcher *w = arg;

	(void)notify_id, (void)cookie, (void)notifier, (void)data, (void)len;
	atomic_fetch_add(&w->notified, 1);
}

static void failed(void *arg, uint64_t cookie, int err)
{
	(void)arg, (void)cookie, (void)err;
}

static void released(void *arg)
{
	atomic_fetch_add(&((struct watcher *)arg)->released, 1);
}

static unsigned int pending(struct rados_store *s)
{
	unsigned int n;

	pthread_mutex_lock(&s->pending_mutex);
	n = s->pending;
	pthread_mutex_unlock(&s->pending_mutex);
	return n;
}

/* Every op given up on finished alone within SETTLE_MS. */
static void expect_settled(struct rados_store *s)
{
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     pending(s) && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(pending(s), 0);
}

static void object_create(struct rados_store *s)
{
	assert_int_equal(rados_write_full(s->io, OID, "x", 1), 0);
}

/* Watchers that never ack: given up on at the deadline, answered later. */
static void test_notify_given_up(void **state)
{
	struct rados_store *s = rs(state);
	struct watcher w = {0};
	uint64_t cookie;
	char *reply = (char *)1;
	size_t len = 0;
	int64_t began;

	object_create(s);
	assert_int_equal(
		rados_watch3(s->io, OID, &cookie, silent, failed, 30, &w), 0);
	began = test_now_ms();
	assert_int_equal(rados_notify_bounded(s, OID, "n", 1, ACK_MS,
					      ms_from_now(GIVE_UP_MS), &reply,
					      &len),
			 -ETIMEDOUT);
	assert_true(test_now_ms() - began < GIVE_UP_MS + LATE_MARGIN);
	assert_null(reply);
	assert_int_equal(s->given_up[RADOS_BOUNDED_NOTIFY], 1);
	expect_settled(s); /* the OSD answers after ACK_MS: reply freed */
	assert_int_equal(w.notified, 1);
	rados_unwatch2(s->io, cookie);
	rados_watch_flush(s->cluster);
}

/* A deadline past the notify's own timeout: the OSD's answer, which
 * names the watcher that did not ack. */
static void test_notify_answered(void **state)
{
	struct rados_store *s = rs(state);
	struct notify_ack_t *acks = NULL;
	struct notify_timeout_t *timeouts = NULL;
	size_t n_acks = 0, n_timeouts = 0, len = 0;
	struct watcher w = {0};
	uint64_t cookie;
	char *reply = NULL;

	object_create(s);
	assert_int_equal(
		rados_watch3(s->io, OID, &cookie, silent, failed, 30, &w), 0);
	assert_int_equal(rados_notify_bounded(s, OID, "n", 1, ACK_MS,
					      rados_deadline(s, ACK_MS), &reply,
					      &len),
			 -ETIMEDOUT);
	assert_non_null(reply);
	assert_int_equal(rados_decode_notify_response(reply, len, &acks,
						      &n_acks, &timeouts,
						      &n_timeouts),
			 0);
	assert_int_equal(n_timeouts, 1);
	rados_free_notify_response(acks, n_acks, timeouts);
	rados_buffer_free(reply);
	assert_int_equal(s->given_up[RADOS_BOUNDED_NOTIFY], 0);
	rados_unwatch2(s->io, cookie);
	rados_watch_flush(s->cluster);
}

/* Not waited for at all: the watch registers after the caller left. It is
 * taken down, its argument handed back once, and a notify finds no one. */
static void test_watch_given_up(void **state)
{
	struct rados_store *s = rs(state);
	struct watcher w = {0};
	uint64_t cookie = 0;
	char *reply = NULL;
	size_t len = 0;

	object_create(s);
	assert_int_equal(rados_watch_bounded(s, OID, silent, failed, 30, &w,
					     released, 0, &cookie),
			 -ETIMEDOUT);
	assert_int_equal(cookie, 0);
	expect_settled(s);
	assert_int_equal(w.released, 1);
	rados_watch_flush(s->cluster);
	assert_int_equal(rados_notify_bounded(s, OID, "n", 1, ACK_MS,
					      rados_deadline(s, ACK_MS), &reply,
					      &len),
			 0);
	rados_buffer_free(reply);
	assert_int_equal(w.notified, 0);
	assert_int_equal(w.released, 1);
}

/* In time: the watch is the caller's, its argument handed back at once. */
static void test_watch_in_time(void **state)
{
	struct rados_store *s = rs(state);
	struct watcher w = {0};
	uint64_t cookie = 0;

	object_create(s);
	assert_int_equal(rados_watch_bounded(s, OID, silent, failed, 30, &w,
					     released, rados_deadline(s, 0),
					     &cookie),
			 0);
	assert_int_not_equal(cookie, 0);
	assert_int_equal(w.released, 1);
	rados_unwatch_bounded(s, cookie, released, &w, rados_deadline(s, 0));
	assert_int_equal(w.released, 2);
	assert_int_equal(pending(s), 0);
	rados_watch_flush(s->cluster);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_given_up,
						setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(test_notify_answered,
						setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(test_watch_given_up,
						setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(test_watch_in_time, setup_rados,
						teardown_env),
	};

	return cmocka_run_group_tests_name("rados_bounded", tests, NULL, NULL);
}
