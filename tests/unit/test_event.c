/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm_event_wait(), on every store: the timeout, delivery once and oldest
 * first, a wait ended by an event another thread causes, a handler that
 * calls libulm, and the refusals; ulm_event_break() to a record's node.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ulm_test.h"

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

static struct ulm_owner holder(void)
{
	return test_client(ULM_PROTO_NFS4, "A");
}

static struct ulm_owner intruder(void)
{
	return test_owner(ULM_PROTO_NLM, "B", "svid");
}

/* Client A's read delegation on @p file, then B's write lock, which
 * recalls it. */
static void cause_recall(ulm_env *env, const char *file)
{
	struct ulm_owner a = holder();
	struct ulm_owner b = intruder();

	assert_int_equal(try_deleg(env, file, &a, ULM_DELEG_READ, NULL), 0);
	assert_int_equal(try_lock(env, file, &b, ULM_LOCK_WRITE, 0, 0, NULL),
			 ULM_EDELEG);
}

static void test_event_wait_times_out_without_events(void **state)
{
	ulm_env *env = env_of(state);
	struct test_event ev[1];
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(test_events(env, 0, ev, 1), 0);
	assert_true(elapsed_ms(&t0) < 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(test_events(env, 100, ev, 1), 0);
	assert_true(elapsed_ms(&t0) >= 90);
	assert_true(elapsed_ms(&t0) < 2000);
}

static void test_event_delivered_once_oldest_first(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner b = intruder();
	struct test_event ev[4];

	cause_recall(env, "f1");
	cause_recall(env, "f2");
	/* Every conflict sends the recall again: events are hints. */
	assert_int_equal(try_lock(env, "f1", &b, ULM_LOCK_WRITE, 0, 0, NULL),
			 ULM_EDELEG);
	assert_int_equal(test_events(env, 1000, ev, 4), 3);
	assert_string_equal(ev[0].record.file, "f1");
	assert_string_equal(ev[1].record.file, "f2");
	assert_string_equal(ev[2].record.file, "f1");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ev[i].kind, ULM_EVENT_RECALL);
		assert_int_equal(ev[i].record.type, ULM_REC_DELEG_READ);
	}
	expect_no_event(env);
}

struct late_recall {
	ulm_env *env;
	int rc;
};

static void *recall_later(void *arg)
{
	struct late_recall *late = arg;
	struct ulm_owner b = intruder();

	usleep(50 * 1000);
	late->rc = try_lock(late->env, "f", &b, ULM_LOCK_WRITE, 0, 0, NULL);
	return NULL;
}

static void test_event_wait_ends_when_event_comes(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = holder();
	struct late_recall late = {env, 0};
	struct test_event ev[1];
	struct timespec t0;
	pthread_t thread;
	int n;
	long waited;

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&thread, NULL, recall_later, &late), 0);
	n = test_events(env, 10000, ev, 1);
	waited = elapsed_ms(&t0);
	/* Joined before any assertion: the thread uses the env. */
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(n, 1);
	/* It waited for the event, sent 50 ms after the wait began. */
	assert_true(waited >= 45);
	assert_true(waited < 5000);
	assert_int_equal(late.rc, ULM_EDELEG);
	assert_int_equal(ev[0].kind, ULM_EVENT_RECALL);
}

struct returner {
	ulm_env *env;
	int calls;
	int rc;
};

/* A recall handler that returns the delegation at once. */
static void return_delegation(const struct ulm_event *event, void *arg)
{
	struct returner *r = arg;
	const struct ulm_lock_info *rec = event->record;
	struct ulm_owner client = {
		.protocol = rec->protocol,
		.kind = rec->kind,
		.node = 1,
		.client = rec->client,
		.client_len = rec->client_len,
		.owner = rec->owner,
		.owner_len = rec->owner_len,
	};

	r->calls++;
	r->rc = ulm_deleg_release(r->env, &event->file, &client);
}

static void test_event_handler_may_call_libulm(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner b = intruder();
	struct returner r = {env, 0, -1};
	struct test_lock l[4];

	cause_recall(env, "f");
	assert_int_equal(ulm_event_wait(env, return_delegation, &r, 1000), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 0, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
}

static void ignore_event(const struct ulm_event *event, void *arg)
{
	(void)event;
	(void)arg;
}

static void test_event_refused_without_handler_or_env(void **state)
{
	ulm_env *env = env_of(state);

	assert_int_equal(ulm_event_wait(env, NULL, NULL, 0), -EINVAL);
	assert_int_equal(ulm_event_wait(NULL, ignore_event, NULL, 0), -EINVAL);
}

static void test_event_read_only_env_is_erofs(void **state)
{
	struct fixture *f = *state;
	ulm_env *ro;

	/* LMDB: one env per directory per process. */
	ulm_env_close(f->env);
	f->env = NULL;
	assert_int_equal(fixture_open(f, 1, true, &ro), 0);
	assert_int_equal(ulm_event_wait(ro, ignore_event, NULL, 0), -EROFS);
	ulm_env_close(ro);
}

static int keep_record(const struct ulm_key *file,
		       const struct ulm_lock_info *info, void *arg)
{
	(void)file;
	*(struct ulm_lock_info *)arg = *info;
	return 1;
}

/* An administrator's break goes to the node that made the record, for
 * that record only; a record not (or no longer) there is -ENOENT. */
static void test_event_break_reaches_the_record_node(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner s = test_owner(ULM_PROTO_SMB, "S", "handle");
	struct ulm_key key = test_key("f");
	struct ulm_lock_info rec;
	struct test_event ev;

	assert_int_equal(try_lock(env, "f", &s, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	assert_int_equal(ulm_lock_list(env, &key, keep_record, &rec), 1);
	assert_int_equal(ulm_event_break(env, &key, &rec), 0);
	expect_one_event(env, ULM_EVENT_BREAK, "f", ULM_REC_LOCK_WRITE, "S",
			 &ev);
	assert_int_equal(ev.record.end, 99);
	assert_string_equal(ev.record.owner, "handle");
	/* It changed nothing. */
	assert_int_equal(ulm_lock_list(env, &key, keep_record, &rec), 1);
	rec.end = 98;
	assert_int_equal(ulm_event_break(env, &key, &rec), -ENOENT);
	rec.end = 99;
	assert_int_equal(drop_lock(env, "f", &s, 0, 99), 0);
	assert_int_equal(ulm_event_break(env, &key, &rec), -ENOENT);
	assert_int_equal(ulm_event_break(env, &key, NULL), -EINVAL);
	expect_no_event(env);
}

int main(void)
{
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_event_wait_times_out_without_events),
		cmocka_unit_test(test_event_delivered_once_oldest_first),
		cmocka_unit_test(test_event_wait_ends_when_event_comes),
		cmocka_unit_test(test_event_handler_may_call_libulm),
		cmocka_unit_test(test_event_refused_without_handler_or_env),
		cmocka_unit_test(test_event_read_only_env_is_erofs),
		cmocka_unit_test(test_event_break_reaches_the_record_node),
	};

	return RUN_ON_BOTH_STORES("event", both);
}
