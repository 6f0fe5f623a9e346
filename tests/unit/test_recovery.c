/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Recovery (grace that blocks only conflicts, reclaim adoption, purge) on
 * an LMDB store: node 1 restarts in-process (a new epoch), or node 2 in a
 * child process takes over node 1's records. */
#include <errno.h>
#include <string.h>
#include "ulm_test.h"

#define RD ULM_SHARE_READ
#define WR ULM_SHARE_WRITE

/* Node 1 comes back in its next epoch and recovers its earlier records. */
static ulm_env *restart(void **state)
{
	struct fixture *f = *state;

	ulm_env_close(f->env);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(ulm_recovery_begin(f->env, 1, ulm_env_epoch(f->env)),
			 0);
	return f->env;
}

/* Client c1's NFSv4 lock-owner a and an NLM owner b, both of node 1. */
static struct ulm_owner owner_a(void)
{
	return test_owner(ULM_PROTO_NFS4, "c1", "a");
}

static struct ulm_owner owner_b(void)
{
	return test_owner(ULM_PROTO_NLM, "host2", "b");
}

/* a holds write [0, 99] of f when node 1 restarts. */
static ulm_env *a_holds_then_restart(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = owner_a();

	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	return restart(state);
}

static int reclaim(ulm_env *env, const char *file, const struct ulm_owner *o,
		   enum ulm_lock_type type, uint64_t start, uint64_t end)
{
	struct ulm_key k = test_key(file);
	struct ulm_lock_req req = {type, start, end, ULM_FLAG_RECLAIM, 0};

	return ulm_lock_request(env, &k, o, &req, NULL, NULL);
}

static uint64_t pending(ulm_env *env, uint32_t node)
{
	uint64_t n = 99;

	assert_int_equal(ulm_recovery_pending(env, node, &n), 0);
	return n;
}

/* Grace over: node's unreclaimed records go, and recovery ends. */
static uint64_t end_grace(ulm_env *env, uint32_t node)
{
	uint32_t before = 0;
	uint64_t purged = 0;

	assert_true(ulm_recovery_epoch(env, node, &before));
	assert_int_equal(ulm_node_purge(env, node, before, &purged), 0);
	assert_int_equal(ulm_recovery_end(env, node), 0);
	return purged;
}

static void test_recovery_conflict_is_grace_rest_granted(void **state)
{
	struct ulm_owner a = owner_a();
	struct ulm_owner b = owner_b();
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;
	ulm_env *env = a_holds_then_restart(state);

	memset(&info, 0, sizeof(info));
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 50, 59, &info),
			 ULM_EGRACE);
	assert_true(info.node == 1 && info.epoch == 1 && info.end == 99);
	assert_int_equal(ulm_lock_test(env, &k, &b, ULM_LOCK_READ, 0, 0, NULL),
			 ULM_EGRACE);
	/* What conflicts with nothing is granted at once. */
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 100, 199, NULL),
			 0);
	assert_int_equal(try_lock(env, "g", &b, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	/* A live lock still answers "held", even beside an unreclaimed one. */
	assert_int_equal(try_lock(env, "f", &a, ULM_LOCK_WRITE, 150, 150, NULL),
			 -EAGAIN);
	assert_int_equal(pending(env, 1), 1);
}

static void test_recovery_reclaim_adopts_record(void **state)
{
	struct ulm_owner a = owner_a();
	struct ulm_owner b = owner_b();
	struct test_lock l[4];
	ulm_env *env = a_holds_then_restart(state);

	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 99), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(l[0].epoch, 2);
	assert_int_equal(l[0].flags, ULM_FLAG_RECLAIM);
	assert_true(l[0].start == 0 && l[0].end == 99);
	assert_int_equal(pending(env, 1), 0);
	/* Reclaimed: a conflict is a plain conflict again. */
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 50, 59, NULL),
			 -EAGAIN);
	/* Asking again (a lost reply) is granted and changes nothing. */
	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 99), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(end_grace(env, 1), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
}

static void test_recovery_partial_reclaim_keeps_rest_unreclaimed(void **state)
{
	struct ulm_owner a = owner_a();
	struct ulm_owner b = owner_b();
	struct test_lock l[4];
	ulm_env *env = a_holds_then_restart(state);

	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 49), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_true(l[0].start == 0 && l[0].end == 49 && l[0].epoch == 2);
	assert_true(l[1].start == 50 && l[1].end == 99 && l[1].epoch == 1);
	assert_int_equal(l[1].flags, 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 60, 60, NULL),
			 ULM_EGRACE);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 10, 10, NULL),
			 -EAGAIN);
	assert_int_equal(pending(env, 1), 1);
	/* Not reclaimed by the end of grace: purged, and free. */
	assert_int_equal(end_grace(env, 1), 1);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 60, 60, NULL),
			 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_WRITE, 10, 10, NULL),
			 -EAGAIN);
}

static void test_recovery_reclaim_of_nothing_refused(void **state)
{
	struct ulm_owner a = owner_a();
	struct ulm_owner b = owner_b();
	struct ulm_owner a_read_twin = test_owner(ULM_PROTO_NFS4, "c1", "a2");
	ulm_env *env = a_holds_then_restart(state);

	/* Beyond the record, another owner's, another file: nothing. */
	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 90, 150),
			 -ENOENT);
	assert_int_equal(reclaim(env, "f", &b, ULM_LOCK_WRITE, 0, 99), -ENOENT);
	assert_int_equal(reclaim(env, "f", &a_read_twin, ULM_LOCK_READ, 0, 9),
			 -ENOENT);
	assert_int_equal(reclaim(env, "g", &a, ULM_LOCK_WRITE, 0, 99), -ENOENT);
	assert_int_equal(pending(env, 1), 1);
	/* After grace nothing is left to reclaim. */
	assert_int_equal(end_grace(env, 1), 1);
	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 99), -ENOENT);
}

static void test_recovery_new_request_of_owner_supersedes(void **state)
{
	struct ulm_owner a = owner_a();
	struct ulm_owner b = owner_b();
	struct test_lock l[4];
	ulm_env *env = a_holds_then_restart(state);

	/* The owner's own past is no conflict; the new lock replaces what
	 * it overlaps, the rest stays unreclaimed. */
	assert_int_equal(try_lock(env, "f", &a, ULM_LOCK_READ, 50, 149, NULL),
			 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_true(l[0].type == ULM_REC_LOCK_WRITE && l[0].end == 49 &&
		    l[0].epoch == 1);
	assert_true(l[1].type == ULM_REC_LOCK_READ && l[1].start == 50 &&
		    l[1].end == 149 && l[1].epoch == 2);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_READ, 60, 60, NULL),
			 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_READ, 10, 10, NULL),
			 ULM_EGRACE);
	/* Its release frees its past too. */
	assert_int_equal(drop_lock(env, "f", &a, 0, ULM_EOF), 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_READ, 10, 10, NULL),
			 0);
	assert_int_equal(pending(env, 1), 0);
}

static void test_recovery_past_waiter_blocks_nobody(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct ulm_owner c = test_owner(ULM_PROTO_NLM, "host3", "c");
	ulm_env *env;

	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 9, NULL),
			 0);
	assert_int_equal(
		try_wait(f->env, "f", &b, ULM_LOCK_WRITE, 0, 99, 0, NULL),
		-EAGAIN);
	/* b's request, queued ahead of c, refuses c's overlapping lock. */
	assert_int_equal(
		try_lock(f->env, "f", &c, ULM_LOCK_WRITE, 50, 59, NULL),
		-EAGAIN);
	env = restart(state);
	assert_int_equal(try_lock(env, "f", &c, ULM_LOCK_WRITE, 50, 59, NULL),
			 0);
	assert_int_equal(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 9), 0);
	assert_int_equal(pending(env, 1), 0);
}

static void test_recovery_shares_and_delegations(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_owner d = test_client(ULM_PROTO_NFS4, "D");
	struct ulm_owner e = test_client(ULM_PROTO_NFS4, "E");
	struct ulm_key f_key = test_key("f"), g_key = test_key("g");
	ulm_env *env;

	assert_int_equal(try_share(f->env, "f", &a, RD, WR, NULL), 0);
	assert_int_equal(try_deleg(f->env, "g", &d, ULM_DELEG_READ, NULL), 0);
	env = restart(state);
	assert_int_equal(try_share(env, "f", &b, WR, 0, NULL), ULM_EGRACE);
	assert_int_equal(try_share(env, "f", &b, RD, 0, NULL), 0);
	/* I/O without an open waits for the deny's reclaim too. */
	assert_int_equal(ulm_share_io_check(env, &f_key, NULL, WR, 0, NULL),
			 ULM_EGRACE);
	assert_int_equal(ulm_share_io_check(env, &f_key, NULL, RD, 0, NULL), 0);
	/* A past delegation is not recalled: its client may reclaim it. */
	assert_int_equal(try_access(env, "g", &e, WR, NULL), ULM_EGRACE);
	expect_no_event(env);
	assert_int_equal(ulm_share_acquire(env, &f_key, &a, RD, WR,
					   ULM_FLAG_RECLAIM, NULL),
			 0);
	assert_int_equal(ulm_share_acquire(env, &f_key, &b, RD, WR,
					   ULM_FLAG_RECLAIM, NULL),
			 0); /* b holds a share now: a reclaim of it */
	assert_int_equal(try_share(env, "f", &b, WR, 0, NULL), -EAGAIN);
	assert_int_equal(ulm_share_io_check(env, &f_key, NULL, WR, 0, NULL),
			 -EAGAIN);
	assert_int_equal(ulm_deleg_acquire(env, &g_key, &d, ULM_DELEG_READ,
					   ULM_FLAG_RECLAIM, NULL),
			 0);
	assert_int_equal(ulm_deleg_acquire(env, &g_key, &e, ULM_DELEG_READ,
					   ULM_FLAG_RECLAIM, NULL),
			 -ENOENT);
	assert_int_equal(pending(env, 1), 0);
	assert_int_equal(try_access(env, "g", &e, WR, NULL), ULM_EDELEG);
}

/* Node 2 took over node 1's address: node 1's records are recovered
 * there, by the same clients' owners (now of node 2). */
static int node2_takes_over(ulm_env *env, void *arg)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "host1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct test_lock l[4];

	(void)arg;
	a.node = b.node = 2;
	NODE_EXPECT(ulm_recovery_begin(env, 1, 2) == 0);
	NODE_EXPECT(try_lock(env, "f", &b, ULM_LOCK_READ, 0, 0, NULL) ==
		    ULM_EGRACE);
	NODE_EXPECT(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 99) == 0);
	NODE_EXPECT(test_list(env, "f", l, 4) == 1);
	NODE_EXPECT(l[0].node == 2 && l[0].epoch == ulm_env_epoch(env));
	NODE_EXPECT(try_lock(env, "f", &b, ULM_LOCK_READ, 0, 0, NULL) ==
		    -EAGAIN);
	NODE_EXPECT(reclaim(env, "g", &a, ULM_LOCK_WRITE, 0, 0) == -ENOENT);
	return 0;
}

static void test_recovery_takeover_by_another_node(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "host1", "a");
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	assert_int_equal(fixture_run_node(f, 2, node2_takes_over, NULL), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 1);
	assert_int_equal(l[0].node, 2);
	assert_int_equal(l[0].flags, ULM_FLAG_RECLAIM);
}

/* A planned move: node 1 lives on, its NLM client followed the service
 * address to node 2 and reclaims there: no recovery, the reclaim takes
 * over its own records (an NFSv4 reclaim of another identity does not; a
 * plain NLM lock of the client still meets them). */
static int node2_gets_moved_client(ulm_env *env, void *arg)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "host1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct ulm_owner v4 = test_owner(ULM_PROTO_NFS4, "host1", "a");
	struct test_lock l[4];

	(void)arg;
	a.node = b.node = v4.node = 2;
	NODE_EXPECT(try_lock(env, "f", &a, ULM_LOCK_WRITE, 0, 9, NULL) ==
		    -EAGAIN);
	NODE_EXPECT(reclaim(env, "f", &v4, ULM_LOCK_WRITE, 0, 99) == -ENOENT);
	NODE_EXPECT(reclaim(env, "f", &a, ULM_LOCK_WRITE, 0, 99) == 0);
	NODE_EXPECT(test_list(env, "f", l, 4) == 1);
	NODE_EXPECT(l[0].node == 2 && l[0].start == 0 && l[0].end == 99);
	NODE_EXPECT(try_lock(env, "f", &b, ULM_LOCK_READ, 50, 50, NULL) ==
		    -EAGAIN);
	NODE_EXPECT(reclaim(env, "f", &a, ULM_LOCK_WRITE, 100, 109) == -ENOENT);
	return 0;
}

static void test_recovery_nlm_reclaim_takes_over_moved_client(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "host1", "a");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	assert_int_equal(fixture_run_node(f, 2, node2_gets_moved_client, NULL),
			 0);
	/* Node 1 forgets the client: its release leaves node 2's record. */
	assert_int_equal(ulm_lock_release(f->env, &k, &a, 0, 99), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 1);
	assert_int_equal(l[0].node, 2);
	assert_int_equal(l[0].flags, ULM_FLAG_RECLAIM);
}

/* A planned move of an NFSv4 client: node 1 lives on, the client found
 * its clientid stale on node 2 and, refused a reclaim there (no grace),
 * opens and locks anew with the same open- and lock-owner: those take
 * over its records of node 1; another owner of the client, or another
 * client with the same owner bytes, is still refused. */
static int node2_gets_moved_v4_client(ulm_env *env, void *arg)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner other_owner = test_owner(ULM_PROTO_NFS4, "c1", "b");
	struct ulm_owner other_client = test_owner(ULM_PROTO_NFS4, "c2", "a");
	struct ulm_owner o = test_open_owner(ULM_PROTO_NFS4, "c1", "o");
	struct ulm_owner other_open =
		test_open_owner(ULM_PROTO_NFS4, "c2", "o");
	struct ulm_key k = test_key("f");
	struct ulm_lock_req req = {ULM_LOCK_WRITE, 0, 49, 0, 0};
	struct test_lock l[4];
	ulm_undo *undo = NULL;

	(void)arg;
	a.node = other_owner.node = other_client.node = o.node = 2;
	other_open.node = 2;
	NODE_EXPECT(try_lock(env, "f", &other_owner, ULM_LOCK_READ, 0, 0,
			     NULL) == -EAGAIN);
	NODE_EXPECT(try_lock(env, "f", &other_client, ULM_LOCK_READ, 0, 0,
			     NULL) == -EAGAIN);
	NODE_EXPECT(try_share(env, "g", &other_open, WR, 0, NULL) == -EAGAIN);
	NODE_EXPECT(ulm_lock_request(env, &k, &a, &req, NULL, &undo) == 0);
	NODE_EXPECT(ulm_undo_adopted(undo));
	ulm_undo_free(undo);
	NODE_EXPECT(test_list(env, "f", l, 4) == 2);
	NODE_EXPECT(l[0].node == 2 && l[0].start == 0 && l[0].end == 49);
	NODE_EXPECT(l[1].node == 1 && l[1].start == 50 && l[1].end == 99);
	NODE_EXPECT(try_share(env, "g", &o, RD | WR, RD, NULL) == 0);
	NODE_EXPECT(test_list(env, "g", l, 4) == 1);
	NODE_EXPECT(l[0].node == 2 && l[0].deny == RD);
	NODE_EXPECT(try_lock(env, "f", &other_owner, ULM_LOCK_READ, 0, 0,
			     NULL) == -EAGAIN);
	NODE_EXPECT(try_share(env, "g", &other_open, RD, 0, NULL) == -EAGAIN);
	return 0;
}

static void test_recovery_nfs4_takes_over_moved_client(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner o = test_open_owner(ULM_PROTO_NFS4, "c1", "o");
	struct ulm_key k = test_key("f");
	struct ulm_key g = test_key("g");
	struct test_event ev[4];
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 99, NULL),
			 0);
	assert_int_equal(try_share(f->env, "g", &o, RD | WR, WR, NULL), 0);
	assert_int_equal(
		fixture_run_node(f, 2, node2_gets_moved_v4_client, NULL), 0);
	/* Node 1 is told what was taken over (to let go of it below). */
	assert_int_equal(test_events(f->env, 1000, ev, 4), 1);
	assert_int_equal(ev[0].kind, ULM_EVENT_ADOPTED);
	assert_int_equal(ev[0].record.node, 1);
	assert_int_equal(ev[0].record.start, 0);
	assert_int_equal(ev[0].record.end, 99);
	/* Node 1 expires the old clientid: its unlock and close release
	 * what it still held (the remnant), not what node 2 took over. */
	assert_int_equal(ulm_lock_release(f->env, &k, &a, 0, ULM_EOF), 0);
	assert_int_equal(ulm_share_release(f->env, &g, &o), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 1);
	assert_int_equal(l[0].node, 2);
	assert_int_equal(l[0].end, 49);
	assert_int_equal(test_list(f->env, "g", l, 4), 1);
	assert_int_equal(l[0].node, 2);
}

static void test_recovery_api_checks(void **state)
{
	struct fixture *f = *state;
	uint64_t n;

	assert_int_equal(ulm_recovery_begin(NULL, 1, 2), -EINVAL);
	assert_int_equal(ulm_recovery_end(NULL, 1), -EINVAL);
	assert_int_equal(ulm_recovery_pending(f->env, 1, NULL), -EINVAL);
	assert_false(ulm_recovery_epoch(f->env, 1, NULL));
	assert_int_equal(ulm_recovery_pending(f->env, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ulm_recovery_end(f->env, 5), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_lmdb, teardown_env)
	const struct CMUnitTest tests[] = {
		T(test_recovery_conflict_is_grace_rest_granted),
		T(test_recovery_reclaim_adopts_record),
		T(test_recovery_partial_reclaim_keeps_rest_unreclaimed),
		T(test_recovery_reclaim_of_nothing_refused),
		T(test_recovery_new_request_of_owner_supersedes),
		T(test_recovery_past_waiter_blocks_nobody),
		T(test_recovery_shares_and_delegations),
		T(test_recovery_takeover_by_another_node),
		T(test_recovery_nlm_reclaim_takes_over_moved_client),
		T(test_recovery_nfs4_takes_over_moved_client),
		T(test_recovery_api_checks),
	};
#undef T

	return cmocka_run_group_tests_name("recovery", tests, NULL, NULL);
}
