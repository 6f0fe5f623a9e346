/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The rados store's liveness lease: one live process per node, a dead
 * process's lease lapses, a node that cannot renew is fenced and others
 * see it dead, and it comes back when it renews again. Runs inside the
 * test cluster's namespace (ctest: unit.rados.live). */
#include <errno.h>
#include <rados/librados.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include "clock.h"
#include "env.h"
#include "rados_ops.h"
#include "ulm_test.h"

#define W	 ULM_LOCK_WRITE
#define LEASE_MS 1000
/* How long a lease change may take to show: a lapse, a renewal. */
#define SETTLE_MS (4 * LEASE_MS)

static struct fixture *fix(void **state)
{
	return *state;
}

static bool env_becomes(ulm_env *env, bool live)
{
	for (int64_t end = test_now_ms() + SETTLE_MS; test_now_ms() < end;
	     test_sleep_ms(20))
		if (ulm_env_live(env) == live)
			return true;
	return false;
}

/* The fixture's node 1 again, with a short lease. */
static void reopen_with_lease(struct fixture *f, uint32_t lease_ms)
{
	ulm_env_close(f->env);
	f->lease_ms = lease_ms;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
}

static void test_live_second_open_of_node_busy(void **state)
{
	struct fixture *f = fix(state);
	int64_t start = test_now_ms();
	ulm_env *again;

	/* It waits one of its own leases for the holder's to lapse; the
	 * holder (default lease) renews and keeps it. */
	f->lease_ms = LEASE_MS / 2;
	assert_int_equal(fixture_open(f, 1, false, &again), -EBUSY);
	assert_true(test_now_ms() - start >= LEASE_MS / 2);
	assert_int_equal(fixture_open(f, 1, true, &again), 0);
	assert_false(ulm_env_live(again)); /* read-only holds no lease */
	ulm_env_close(again);
	assert_true(ulm_env_live(f->env));
}

static void test_live_dead_process_lease_lapses(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_node_info seen;
	ulm_env *env7;
	int64_t start;
	pid_t pid;

	f->lease_ms = LEASE_MS;
	pid = fixture_spawn_holder(f, 7, "held");
	seen = test_node(f->env, 7);
	assert_int_equal(seen.epoch, 1);
	assert_true(seen.live);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	start = test_now_ms();
	assert_int_equal(fixture_open(f, 7, false, &env7), 0);
	assert_true(test_now_ms() - start < SETTLE_MS);
	assert_int_equal(ulm_env_epoch(env7), 2);
	assert_true(test_node(f->env, 7).live);
	ulm_env_close(env7);
	/* Closing gives the lease back at once. */
	assert_false(test_node(f->env, 7).live);
}

static void test_live_nodes_listed_with_epochs(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_node_info seen;
	uint64_t before;
	ulm_env *env2;

	assert_int_equal(fixture_open(f, 2, false, &env2), 0);
	assert_int_equal(test_node(f->env, 1).epoch, 1);
	assert_int_equal(test_node(f->env, 2).epoch, 1);
	assert_true(test_node(env2, 1).live);
	assert_true(test_node(f->env, 2).live);
	assert_int_equal(test_node(f->env, 3).epoch, 0);
	/* A live node's lease ends ahead; a closed one's when it closed. */
	before = clock_wall_ms();
	assert_true(test_node(f->env, 2).lease_end_ms > before);
	ulm_env_close(env2);
	seen = test_node(f->env, 2);
	assert_false(seen.live);
	assert_in_range(seen.lease_end_ms, before, clock_wall_ms());
}

/* No renewal gets through (a partition): fenced before the others see
 * the lease lapse, and live again once a renewal succeeds. */
static void test_live_fenced_without_renewals_then_back(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_key k = test_key("f");
	struct ulm_env_stats st;
	uint64_t paused;
	ulm_env *env2;

	/* A fifth of it (the margin) parts the fence from the lapse: room
	 * for a loaded machine to look in between. */
	reopen_with_lease(f, 3 * LEASE_MS);
	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	paused = clock_wall_ms();
	rados_live_pause(f->env->store, true);
	assert_true(env_becomes(f->env, false));
	/* The others still count it live: it stopped first, and knows its
	 * lease has not ended yet. */
	assert_true(test_node(env2, 1).live);
	ulm_env_stats(f->env, &st);
	assert_false(st.lapsed);
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL),
			 ULM_EFENCED);
	assert_int_equal(ulm_lock_test(f->env, &k, &b, W, 0, 0, NULL), -EAGAIN);
	assert_true(test_node_becomes(env2, 1, false, SETTLE_MS));
	/* By its own count its lease ended no later than the others saw. */
	ulm_env_stats(f->env, &st);
	assert_true(st.lapsed);
	/* Dead since its last renewal's lease ended: after the pause began,
	 * at most one lease (renewed every third of it) after. */
	assert_in_range(test_node(env2, 1).lease_end_ms, paused,
			paused + 3 * LEASE_MS);
	assert_true(test_node(env2, 1).lease_end_ms <= clock_wall_ms());
	assert_int_not_equal(try_lock(env2, "f", &b, W, 0, 0, NULL), 0);
	rados_live_pause(f->env->store, false);
	assert_true(env_becomes(f->env, true));
	assert_true(test_node(env2, 1).live);
	ulm_env_stats(f->env, &st);
	assert_false(st.lapsed);
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL), 0);
}

static bool replayed_becomes(ulm_env *env, uint64_t replayed)
{
	struct ulm_env_stats st;

	for (int64_t end = test_now_ms() + SETTLE_MS; test_now_ms() < end;
	     test_sleep_ms(20)) {
		ulm_env_stats(env, &st);
		if (st.releases_replayed == replayed && !st.releases_pending)
			return true;
	}
	return false;
}

/* An unlock, a close and a delegation return while fenced are kept and
 * reported done; the records stay (refused to others, never granted
 * twice) until the node is live again, which writes them at once,
 * unasked: the other node gets the ranges. */
static void test_live_releases_kept_while_fenced(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner o = test_open_owner(ULM_PROTO_NFS4, "c1", "o");
	struct ulm_owner c1 = test_client(ULM_PROTO_NFS4, "c1");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_owner ob = test_open_owner(ULM_PROTO_NFS4, "c2", "ob");
	struct ulm_key k = test_key("f"), g = test_key("g"), d = test_key("d");
	struct ulm_env_stats st;
	ulm_env *env2;

	reopen_with_lease(f, 3 * LEASE_MS);
	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_share(f->env, "g", &o, ULM_SHARE_BOTH,
				   ULM_SHARE_BOTH, NULL),
			 0);
	assert_int_equal(try_deleg(f->env, "d", &c1, ULM_DELEG_WRITE, NULL), 0);
	rados_live_pause(f->env->store, true);
	assert_true(env_becomes(f->env, false));
	assert_int_equal(drop_lock(f->env, "f", &a, 0, 9), 0);
	assert_int_equal(ulm_share_release(f->env, &g, &o), 0);
	assert_int_equal(ulm_deleg_release(f->env, &d, &c1), 0);
	ulm_env_stats(f->env, &st);
	assert_true(st.fenced);
	assert_int_equal(st.fences, 1);
	assert_int_equal(st.releases_kept, 3);
	assert_int_equal(st.releases_pending, 3);
	/* Still in the store: refused here and there, granted nowhere. */
	assert_int_equal(ulm_lock_test(f->env, &k, &b, W, 0, 0, NULL), -EAGAIN);
	assert_int_equal(try_lock(f->env, "f", &b, W, 0, 0, NULL), ULM_EFENCED);
	assert_int_not_equal(try_lock(env2, "f", &b, W, 0, 0, NULL), 0);
	assert_int_not_equal(try_share(env2, "g", &ob, ULM_SHARE_READ, 0, NULL),
			     0);
	test_sleep_ms(LEASE_MS / 2);
	rados_live_pause(f->env->store, false);
	assert_true(replayed_becomes(f->env, 3));
	assert_int_equal(try_lock(env2, "f", &b, W, 0, 9, NULL), 0);
	assert_int_equal(try_share(env2, "g", &ob, ULM_SHARE_READ, 0, NULL), 0);
	assert_int_equal(try_access(env2, "d", &ob, ULM_SHARE_WRITE, NULL), 0);
	ulm_env_stats(f->env, &st);
	assert_false(st.fenced);
	assert_int_equal(st.fences, 1);
	assert_true(st.fenced_ms >= LEASE_MS / 2);
}

/* Taken for dead while fenced: the others purge its records and grant
 * the range again; its kept release then finds nothing of its own and
 * removes nothing of theirs. */
static void test_live_kept_release_after_purge_changes_nothing(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct test_lock seen[4];
	ulm_env *env2;

	reopen_with_lease(f, 3 * LEASE_MS);
	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	rados_live_pause(f->env->store, true);
	assert_true(env_becomes(f->env, false));
	assert_int_equal(drop_lock(f->env, "f", &a, 0, 9), 0);
	assert_true(test_node_becomes(env2, 1, false, SETTLE_MS));
	assert_int_equal(
		ulm_node_purge(env2, 1, ulm_env_epoch(f->env) + 1, NULL), 0);
	assert_int_equal(try_lock(env2, "f", &b, W, 0, 9, NULL), 0);
	rados_live_pause(f->env->store, false);
	assert_true(replayed_becomes(f->env, 1));
	assert_int_equal(test_list(env2, "f", seen, 4), 1);
	assert_int_equal(seen[0].start, 0);
	assert_int_equal(seen[0].end, 9);
	assert_int_equal(seen[0].node, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 5, 5, NULL), -EAGAIN);
}

/* Blocklist @client's address through @by's client. */
static void blocklist(struct rados_store *by, rados_t client)
{
	char *addrs = NULL;

	assert_int_equal(rados_getaddrs(client, &addrs), 0);
	assert_int_equal(rados_blocklist_add(by->cluster, addrs, 600), 0);
	rados_buffer_free(addrs);
}

/* Ceph's own fence: the OSDs refuse a blocklisted client, so its lease
 * cannot be renewed; it stops granting and the others see it dead. A
 * fence blocklists both of the store's clients (data, lease), as
 * ulmrec_fence_node() does with the addresses the node recorded. */
static void test_live_blocklisted_node_fenced(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct rados_store *s1, *s2;
	ulm_env *env2;

	reopen_with_lease(f, LEASE_MS);
	assert_int_equal(fixture_open(f, 2, false, &env2), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	s1 = (struct rados_store *)f->env->store;
	s2 = (struct rados_store *)env2->store;
	blocklist(s2, s1->cluster);
	blocklist(s2, s1->live_cluster);
	assert_true(env_becomes(f->env, false));
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL),
			 ULM_EFENCED);
	assert_true(test_node_becomes(env2, 1, false, SETTLE_MS));
	assert_int_not_equal(try_lock(env2, "f", &b, W, 0, 0, NULL), 0);
	ulm_env_close(f->env); /* returns, though its client is refused */
	f->env = NULL;
	ulm_env_close(env2);
}

/* The file is shared (the other node opened it) when its lock is
 * released during the fence. */
static void test_live_kept_release_on_shared_file(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner oa = test_open_owner(ULM_PROTO_NFS4, "c1", "oa");
	struct ulm_owner ob = test_open_owner(ULM_PROTO_NFS4, "c2", "ob");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	ulm_env *env2;

	reopen_with_lease(f, 3 * LEASE_MS);
	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_share(f->env, "p", &oa, ULM_SHARE_BOTH, 0, NULL),
			 0);
	assert_int_equal(try_lock(f->env, "p", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_share(env2, "p", &ob, ULM_SHARE_BOTH, 0, NULL), 0);
	rados_live_pause(f->env->store, true);
	assert_true(test_node_becomes(env2, 1, false, SETTLE_MS));
	assert_int_not_equal(try_lock(env2, "p", &b, W, 0, 9, NULL), 0);
	assert_int_equal(drop_lock(f->env, "p", &a, 0, 9), 0);
	rados_live_pause(f->env->store, false);
	assert_true(replayed_becomes(f->env, 1));
	assert_int_equal(try_lock(env2, "p", &b, W, 0, 9, NULL), 0);
}

/* A live token holder that does not answer (paused) is waited for at
 * most peer_wait_s twice (its join, then its handover): ULM_EBUSY,
 * nothing granted, where the wait was 5 s per notify before. Once it
 * answers, the request goes through. */
static void test_live_silent_holder_wait_bounded(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	int64_t start, took;
	int paused_rc, resumed_rc, held_rc;
	pid_t pid;

	f->lease_ms = 20 * LEASE_MS; /* live all along */
	f->peer_wait_s = 1;
	pid = fixture_spawn_holder(f, 7, "held");
	reopen_with_lease(f, 20 * LEASE_MS);
	/* The holder is resumed and killed before any check: a failed one
	 * must leave no stopped process behind (ctest would wait on it). */
	kill(pid, SIGSTOP);
	start = test_now_ms();
	paused_rc = try_lock(f->env, "held", &b, W, 20, 29, NULL);
	took = test_now_ms() - start;
	kill(pid, SIGCONT);
	resumed_rc = try_lock(f->env, "held", &b, W, 20, 29, NULL);
	held_rc = try_lock(f->env, "held", &b, W, 5, 5, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	print_message("silent holder: %s after %lld ms\n",
		      ulm_strerror(paused_rc), (long long)took);
	assert_int_equal(paused_rc, ULM_EBUSY);
	assert_true(took < 4000);
	assert_int_equal(resumed_rc, 0);
	assert_int_equal(held_rc, -EAGAIN);
}

/* A release that meets another node's token whose holder does not answer
 * (paused, cut off: ULM_EBUSY after peer_wait_s) is kept like a fenced
 * one: Ganesha drops its own lock whatever the unlock returns (a retried
 * LOCKU is answered OK), so a refused release would leave the record
 * refusing everyone for good. Here node 1's watch of the file was trimmed
 * while its lock stayed, so the holder, alone on the file, took its
 * token. */
static void test_live_release_meeting_silent_holder_kept(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct rados_store *s;
	struct ulm_env_stats st;
	int released_rc, refused_rc, granted_rc;
	bool replayed;
	pid_t pid;

	f->lease_ms = 20 * LEASE_MS; /* live all along */
	f->peer_wait_s = 1;
	reopen_with_lease(f, 20 * LEASE_MS);
	s = (struct rados_store *)f->env->store;
	assert_int_equal(try_lock(f->env, "held", &a, W, 20, 29, NULL), 0);
	s->trim_every_ms = 20;
	s->watch_idle_ms = 50;
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     s->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(s->n_watched, 0);
	s->watch_idle_ms = 60000;
	pid = fixture_spawn_holder(f, 7, "held");
	/* Resumed and killed before any check (see the test above). */
	kill(pid, SIGSTOP);
	released_rc = drop_lock(f->env, "held", &a, 20, 29);
	refused_rc = try_lock(f->env, "held", &b, W, 20, 29, NULL);
	ulm_env_stats(f->env, &st);
	kill(pid, SIGCONT);
	replayed = replayed_becomes(f->env, 1);
	granted_rc = try_lock(f->env, "held", &b, W, 20, 29, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	print_message("release meeting a silent holder: %s\n",
		      ulm_strerror(released_rc));
	assert_int_equal(released_rc, 0);
	assert_int_equal(st.releases_kept, 1);
	assert_int_not_equal(refused_rc, 0); /* the record is still there */
	assert_true(replayed);
	assert_int_equal(granted_rc, 0);
}

#define LIVE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_rados, teardown_env)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		LIVE_TEST(test_live_second_open_of_node_busy),
		LIVE_TEST(test_live_dead_process_lease_lapses),
		LIVE_TEST(test_live_nodes_listed_with_epochs),
		LIVE_TEST(test_live_fenced_without_renewals_then_back),
		LIVE_TEST(test_live_blocklisted_node_fenced),
		LIVE_TEST(test_live_releases_kept_while_fenced),
		LIVE_TEST(test_live_kept_release_after_purge_changes_nothing),
		LIVE_TEST(test_live_silent_holder_wait_bounded),
		LIVE_TEST(test_live_kept_release_on_shared_file),
		LIVE_TEST(test_live_release_meeting_silent_holder_kept),
	};

	fixture_holder_main(argc, argv);
	return cmocka_run_group_tests_name("rados_live", tests, NULL, NULL);
}
