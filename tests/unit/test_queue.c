/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The per-file FIFO queue of blocked requests (ULM_FLAG_WAIT), on every
 * store: queued records, no starvation of a writer, wake-ups in queue
 * order, renewal, lapse, cancel, purge; and wake-ups across two nodes of
 * one LMDB store.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "conflict.h"
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE

/* Lapse times of the tests that wait for a lapse, in ms. */
#define LAPSE_MS       200
#define AFTER_LAPSE_US ((LAPSE_MS + 100) * 1000)

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

/* One owner per client: "A" holds, the others queue. */
static struct ulm_owner owner_of(const char *client)
{
	return test_owner(ULM_PROTO_NLM, client, "svid");
}

/* @p client's request on [0, 9] of "f" is refused by a record of
 * @p type held by @p holder; with @p wait it stays queued. */
static void expect_blocked(ulm_env *env, const char *client,
			   enum ulm_lock_type type, bool wait,
			   enum ulm_record_type by, const char *holder)
{
	struct ulm_owner o = owner_of(client);
	struct ulm_lock_info info;

	memset(&info, 0, sizeof(info));
	if (wait)
		assert_int_equal(try_wait(env, "f", &o, type, 0, 9, 0, &info),
				 -EAGAIN);
	else
		assert_int_equal(try_lock(env, "f", &o, type, 0, 9, &info),
				 -EAGAIN);
	assert_int_equal(info.type, by);
	assert_int_equal(info.client_len, strlen(holder));
	assert_memory_equal(info.client, holder, info.client_len);
}

static void take(ulm_env *env, const char *client, enum ulm_lock_type type)
{
	struct ulm_owner o = owner_of(client);

	assert_int_equal(try_lock(env, "f", &o, type, 0, 9, NULL), 0);
}

static void queue(ulm_env *env, const char *client, enum ulm_lock_type type,
		  uint64_t wait_expires)
{
	struct ulm_owner o = owner_of(client);

	assert_int_equal(try_wait(env, "f", &o, type, 0, 9, wait_expires, NULL),
			 -EAGAIN);
}

static void give_back(ulm_env *env, const char *client)
{
	struct ulm_owner o = owner_of(client);

	assert_int_equal(drop_lock(env, "f", &o, 0, ULM_EOF), 0);
}

static void expect_wake(ulm_env *env, enum ulm_lock_type type,
			const char *client)
{
	expect_one_event(env, ULM_EVENT_WAKE, "f",
			 type == W ? ULM_REC_WAIT_WRITE : ULM_REC_WAIT_READ,
			 client, NULL);
}

static void test_queue_blocked_wait_is_listed(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner d = owner_of("D");
	struct test_lock l[8];

	take(env, "A", W);
	expect_blocked(env, "B", W, true, ULM_REC_LOCK_WRITE, "A");
	expect_blocked(env, "C", R, false, ULM_REC_LOCK_WRITE, "A");
	queue(env, "C", R, 0);
	/* A waiting request that nothing blocks is simply granted. */
	assert_int_equal(try_wait(env, "f", &d, W, 100, 109, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 8), 4);
	assert_int_equal(l[0].type, ULM_REC_LOCK_WRITE);
	assert_int_equal(l[1].type, ULM_REC_WAIT_WRITE);
	assert_string_equal(l[1].client, "B");
	assert_true(l[1].start == 0 && l[1].end == 9 && l[1].expires == 0);
	assert_int_equal(l[2].type, ULM_REC_WAIT_READ);
	assert_string_equal(l[2].client, "C");
	assert_int_equal(l[3].type, ULM_REC_LOCK_WRITE);
	assert_string_equal(l[3].client, "D");
	expect_no_event(env);
}

static void test_queue_writer_not_starved_by_readers(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner c = owner_of("C");
	struct ulm_key k = test_key("f");

	take(env, "A", R);
	queue(env, "B", W, 0);
	/* Only a read lock is held, yet the queued writer refuses them. */
	expect_blocked(env, "C", R, false, ULM_REC_WAIT_WRITE, "B");
	assert_int_equal(ulm_lock_test(env, &k, &c, R, 5, 5, NULL), -EAGAIN);
	expect_blocked(env, "C", R, true, ULM_REC_WAIT_WRITE, "B");
	/* Beside the queued range all is free. */
	assert_int_equal(try_lock(env, "f", &c, R, 10, 19, NULL), 0);
}

static void test_queue_release_wakes_waiter_who_gets_it(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner b = owner_of("B");
	struct test_lock l[4];

	take(env, "A", W);
	queue(env, "B", W, 0);
	expect_no_event(env);
	give_back(env, "A");
	expect_wake(env, W, "B");
	assert_int_equal(test_list(env, "f", l, 4), 1);
	queue(env, "C", W, 0); /* behind B: refused while B waits */
	/* Asked again (waiting still) B is granted and leaves the queue. */
	assert_int_equal(try_wait(env, "f", &b, W, 0, 9, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_int_equal(l[0].type, ULM_REC_WAIT_WRITE);
	assert_string_equal(l[0].client, "C");
	assert_int_equal(l[1].type, ULM_REC_LOCK_WRITE);
	assert_string_equal(l[1].client, "B");
}

static void test_queue_fifo_wakes_first_waiter_only(void **state)
{
	ulm_env *env = env_of(state);

	take(env, "A", W);
	queue(env, "B", W, 0);
	queue(env, "C", W, 0);
	give_back(env, "A");
	expect_wake(env, W, "B");
	expect_blocked(env, "C", W, false, ULM_REC_WAIT_WRITE, "B");
	take(env, "B", W);
	expect_no_event(env);
	give_back(env, "B");
	expect_wake(env, W, "C");
	take(env, "C", W);
}

static void test_queue_compatible_waiters_all_woken(void **state)
{
	ulm_env *env = env_of(state);
	struct test_event ev[4];

	take(env, "A", W);
	queue(env, "B", R, 0);
	queue(env, "C", R, 0);
	give_back(env, "A");
	assert_int_equal(test_events(env, 0, ev, 4), 2);
	assert_int_equal(ev[0].kind, ULM_EVENT_WAKE);
	assert_string_equal(ev[0].record.client, "B");
	assert_int_equal(ev[1].kind, ULM_EVENT_WAKE);
	assert_string_equal(ev[1].record.client, "C");
	take(env, "C", R);
	take(env, "B", R);
}

static void test_queue_renewal_keeps_place(void **state)
{
	ulm_env *env = env_of(state);
	uint64_t now = clock_now_ms();
	struct test_lock l[4];

	take(env, "A", W);
	queue(env, "B", W, now + 60000);
	queue(env, "C", W, 0);
	queue(env, "B", W, now + 120000);
	/* Listed in queue order: B, renewed, still before C. */
	assert_int_equal(test_list(env, "f", l, 4), 3);
	assert_string_equal(l[1].client, "B");
	assert_true(l[1].expires == now + 120000);
	assert_string_equal(l[2].client, "C");
	give_back(env, "A");
	expect_wake(env, W, "B");
	expect_blocked(env, "C", W, false, ULM_REC_WAIT_WRITE, "B");
	take(env, "B", W);
}

static void test_queue_lapsed_request_blocks_nobody(void **state)
{
	ulm_env *env = env_of(state);

	take(env, "A", R);
	queue(env, "B", W, clock_now_ms() + LAPSE_MS);
	expect_blocked(env, "C", R, false, ULM_REC_WAIT_WRITE, "B");
	usleep(AFTER_LAPSE_US);
	take(env, "C", R);
	give_back(env, "A");
	give_back(env, "C");
	expect_no_event(env); /* a lapsed request is not woken */
}

static void test_queue_lapsed_owner_rejoins_at_end(void **state)
{
	ulm_env *env = env_of(state);
	struct test_lock l[4];

	take(env, "A", W);
	queue(env, "B", W, clock_now_ms() + LAPSE_MS);
	usleep(AFTER_LAPSE_US);
	queue(env, "C", W, 0);
	queue(env, "B", W, 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	give_back(env, "A");
	expect_wake(env, W, "C");
	expect_blocked(env, "B", W, false, ULM_REC_WAIT_WRITE, "C");
}

static void test_queue_cancel_removes_and_wakes_behind(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner b = owner_of("B");
	struct ulm_owner d = owner_of("D");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	take(env, "A", R);
	queue(env, "B", W, 0);
	queue(env, "C", R, 0); /* behind B's write, not A's read */
	/* Cancelling what does not wait changes nothing. */
	assert_int_equal(ulm_lock_cancel(env, &k, &d, 0, ULM_EOF), 0);
	assert_int_equal(ulm_lock_cancel(env, &k, &b, 10, ULM_EOF), 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	expect_no_event(env);
	assert_int_equal(ulm_lock_cancel(env, &k, &b, 0, 0), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_int_equal(l[1].type, ULM_REC_WAIT_READ);
	expect_wake(env, R, "C");
	take(env, "C", R);
}

static void test_queue_purge_removes_queued_requests(void **state)
{
	ulm_env *env = env_of(state);
	uint32_t epoch = ulm_env_epoch(env);
	uint64_t purged;
	struct test_lock l[4];

	take(env, "A", W);
	queue(env, "B", W, 0);
	assert_int_equal(ulm_node_purge(env, 1, epoch + 1, &purged), 0);
	assert_int_equal(purged, 2);
	assert_int_equal(test_list(env, "f", l, 4), 0);
}

static void test_queue_request_invalid_arguments(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner b = owner_of("B");
	struct ulm_key k = test_key("f");
	struct ulm_lock_req bad_flags = {W, 0, 9, 0x80, 0};
	struct ulm_lock_req bad_type = {3, 0, 9, ULM_FLAG_WAIT, 0};
	struct ulm_lock_req bad_range = {W, 9, 0, ULM_FLAG_WAIT, 0};
	ulm_undo *undo;

	assert_int_equal(ulm_lock_request(env, &k, &b, NULL, NULL, &undo),
			 -EINVAL);
	assert_null(undo);
	assert_int_equal(ulm_lock_request(env, &k, &b, &bad_flags, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ulm_lock_request(env, &k, &b, &bad_type, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ulm_lock_request(env, &k, &b, &bad_range, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ulm_lock_cancel(env, &k, &b, 9, 0), -EINVAL);
}

/* LMDB, two nodes: node 2's queued request is woken on node 2. */
static int node2_queue(ulm_env *env, void *arg)
{
	struct ulm_owner b = owner_of("B");

	(void)arg;
	NODE_EXPECT(try_wait(env, "f", &b, W, 0, 9, 0, NULL) == -EAGAIN);
	return 0;
}

static int node2_woken_then_granted(ulm_env *env, void *arg)
{
	struct ulm_owner b = owner_of("B");
	struct test_event ev[4];

	(void)arg;
	NODE_EXPECT(test_events(env, 0, ev, 4) == 1);
	NODE_EXPECT(ev[0].kind == ULM_EVENT_WAKE);
	NODE_EXPECT(ev[0].record.type == ULM_REC_WAIT_WRITE);
	NODE_EXPECT(ev[0].record.node == 2);
	NODE_EXPECT(strcmp(ev[0].record.client, "B") == 0);
	NODE_EXPECT(try_lock(env, "f", &b, W, 0, 9, NULL) == 0);
	return 0;
}

static void test_queue_wake_goes_to_waiting_node(void **state)
{
	struct fixture *f = *state;
	struct test_lock l[4];

	take(f->env, "A", W);
	assert_int_equal(fixture_run_node(f, 2, node2_queue, NULL), 0);
	expect_blocked(f->env, "C", W, false, ULM_REC_LOCK_WRITE, "A");
	give_back(f->env, "A");
	expect_no_event(f->env);
	expect_blocked(f->env, "C", W, false, ULM_REC_WAIT_WRITE, "B");
	assert_int_equal(fixture_run_node(f, 2, node2_woken_then_granted, NULL),
			 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 1);
	assert_int_equal(l[0].type, ULM_REC_LOCK_WRITE);
	assert_int_equal(l[0].node, 2);
}

/* Node 2 takes [0, 9] and queues for [20, 29], then goes away. */
static int node2_lock_and_queue(ulm_env *env, void *arg)
{
	struct ulm_owner x = owner_of("X");

	(void)arg;
	NODE_EXPECT(try_lock(env, "f", &x, W, 0, 9, NULL) == 0);
	NODE_EXPECT(try_wait(env, "f", &x, W, 20, 29, 0, NULL) == -EAGAIN);
	return 0;
}

static void test_queue_purge_of_node_wakes_and_unblocks(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = owner_of("A");
	struct ulm_owner c = owner_of("C");
	uint64_t purged;

	assert_int_equal(try_lock(f->env, "f", &a, R, 20, 29, NULL), 0);
	assert_int_equal(fixture_run_node(f, 2, node2_lock_and_queue, NULL), 0);
	queue(f->env, "B", W, 0);
	assert_int_equal(try_lock(f->env, "f", &c, R, 25, 25, NULL), -EAGAIN);
	assert_int_equal(ulm_node_purge(f->env, 2, 2, &purged), 0);
	assert_int_equal(purged, 2);
	expect_wake(f->env, W, "B");
	assert_int_equal(try_lock(f->env, "f", &c, R, 25, 25, NULL), 0);
	take(f->env, "B", W);
}

#define LMDB_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_lmdb, teardown_env)

int main(void)
{
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_queue_blocked_wait_is_listed),
		cmocka_unit_test(test_queue_writer_not_starved_by_readers),
		cmocka_unit_test(test_queue_release_wakes_waiter_who_gets_it),
		cmocka_unit_test(test_queue_fifo_wakes_first_waiter_only),
		cmocka_unit_test(test_queue_compatible_waiters_all_woken),
		cmocka_unit_test(test_queue_renewal_keeps_place),
		cmocka_unit_test(test_queue_lapsed_request_blocks_nobody),
		cmocka_unit_test(test_queue_lapsed_owner_rejoins_at_end),
		cmocka_unit_test(test_queue_cancel_removes_and_wakes_behind),
		cmocka_unit_test(test_queue_purge_removes_queued_requests),
		cmocka_unit_test(test_queue_request_invalid_arguments),
	};
	const struct CMUnitTest lmdb[] = {
		LMDB_TEST(test_queue_wake_goes_to_waiting_node),
		LMDB_TEST(test_queue_purge_of_node_wakes_and_unblocks),
	};

	return RUN_ON_BOTH_STORES("queue", both) +
	       cmocka_run_group_tests_name("queue/two-nodes", lmdb, NULL, NULL);
}
