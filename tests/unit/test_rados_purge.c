/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A node's purge and recovery count on the rados store, by a scan of the
 * pool and guarded writes many files at once (rados_purge.c): exactly the
 * node's records of the epochs asked go, across more files than one scan
 * batch; a file changed by a live node between the purge's read and its
 * write keeps that change; a purge planned by the recovery count writes
 * without reading again, and a file changed since the count keeps its
 * change; a purge cut off halfway is finished by the next; other nodes
 * see the purge at once; a restarted node purges its earlier life's
 * token. Runs inside the test
 * cluster's namespace (ctest: unit.rados.purge). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "env.h"
#include "rados_ops.h"
#include "ulm_test.h"

#define W	  ULM_LOCK_WRITE
#define FILES	  100 /* > 32: more than one scan batch, writes in flight */
#define DEAD	  3
#define LIVE	  4
#define MAX_LIST  (8 * FILES)
#define LEASE_MS  1000
#define SETTLE_MS (3 * LEASE_MS)

static struct fixture *fix(void **state)
{
	return *state;
}

static struct rados_store *rs(ulm_env *env)
{
	return (struct rados_store *)env->store;
}

static void file_name(char *name, int i)
{
	snprintf(name, 16, "p%03d", i);
}

/* An owner of node @p node, one per file. */
static struct ulm_owner owner_of(uint32_t node, const char *client,
				 const char *file)
{
	struct ulm_owner o = test_owner(ULM_PROTO_NFS4, client, file);

	o.node = node;
	return o;
}

/* Node DEAD's first life: two locks on every file. @return its epoch */
static uint32_t first_life(struct fixture *f)
{
	ulm_env *env;
	uint32_t epoch;
	char name[16];

	assert_int_equal(fixture_open(f, DEAD, false, &env), 0);
	epoch = ulm_env_epoch(env);
	for (int i = 0; i < FILES; i++) {
		struct ulm_owner o;

		file_name(name, i);
		o = owner_of(DEAD, "old", name);
		assert_int_equal(try_lock(env, name, &o, W, 0, 9, NULL), 0);
		assert_int_equal(try_lock(env, name, &o, W, 20, 29, NULL), 0);
	}
	ulm_env_close(env); /* its records stay, of that epoch */
	return epoch;
}

/* How many records of @p node (of @p epoch, or any if 0) are listed. */
static int records_of(ulm_env *env, uint32_t node, uint32_t epoch)
{
	static struct test_lock all[MAX_LIST];
	int n = test_list(env, NULL, all, MAX_LIST), count = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		count += all[i].node == node &&
			 (!epoch || all[i].epoch == epoch);
	return count;
}

/* After node DEAD's restart: its new life holds [40, 49] on every other
 * file, node LIVE [60, 69] on every file (the others watch them). */
static void live_records(ulm_env *dead, ulm_env *live)
{
	char name[16];

	for (int i = 0; i < FILES; i++) {
		struct ulm_owner d, l;

		file_name(name, i);
		d = owner_of(DEAD, "new", name);
		l = owner_of(LIVE, "live", name);
		if (i % 2 == 0)
			assert_int_equal(
				try_lock(dead, name, &d, W, 40, 49, NULL), 0);
		assert_int_equal(try_lock(live, name, &l, W, 60, 69, NULL), 0);
	}
}

/* The purge of DEAD's first life removes exactly its records, on every
 * file, and counts them; its new life's and node LIVE's stay; node LIVE,
 * which had read every file, sees the ranges free at once. */
static void test_purge_removes_exactly_the_epochs_asked(void **state)
{
	struct fixture *f = fix(state);
	uint32_t old = first_life(f);
	ulm_env *dead = fixture_add_node(f, DEAD);
	ulm_env *live = fixture_add_node(f, LIVE);
	uint64_t pending, purged;
	char name[16];

	live_records(dead, live);
	assert_int_equal(ulm_recovery_begin(f->env, DEAD, old + 1), 0);
	assert_int_equal(ulm_recovery_pending(f->env, DEAD, &pending), 0);
	assert_int_equal(pending, 2 * FILES);
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &purged), 0);
	assert_int_equal(purged, 2 * FILES);
	assert_int_equal(ulm_recovery_pending(f->env, DEAD, &pending), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(records_of(f->env, DEAD, old), 0);
	assert_int_equal(records_of(f->env, DEAD, old + 1), FILES / 2);
	assert_int_equal(records_of(f->env, LIVE, 0), FILES);
	for (int i = 0; i < FILES; i++) {
		struct ulm_owner l;

		file_name(name, i);
		l = owner_of(LIVE, "other", name);
		assert_int_equal(try_lock(live, name, &l, W, 0, 9, NULL), 0);
		assert_int_equal(try_lock(live, name, &l, W, 60, 60, NULL),
				 -EAGAIN);
	}
	/* Again: nothing left, nothing removed. */
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(records_of(f->env, LIVE, 0), 2 * FILES);
	ulm_recovery_end(f->env, DEAD);
}

struct meddler {
	ulm_env *live;
	int calls;
	int cut_after; /* 0: never */
	const char *reclaim_file;
};

static struct meddler meddler;

/* Between the purge's read of the file and its write, node LIVE's client
 * reclaims the old [0, 9] of it (adopted: rewritten as LIVE's); or the
 * purge is cut off. */
static int meddle(struct rados_store *s, const struct ulm_key *file)
{
	struct meddler *m = &meddler;
	struct ulm_lock_req reclaim = {W, 0, 9, ULM_FLAG_RECLAIM, 0};
	struct ulm_owner o;
	struct ulm_key key;

	(void)s;
	if (m->cut_after && ++m->calls > m->cut_after)
		return -ETIMEDOUT;
	if (!m->reclaim_file)
		return 0;
	key = test_key(m->reclaim_file);
	if (file->len != key.len || memcmp(file->data, key.data, key.len))
		return 0;
	o = owner_of(LIVE, "old", m->reclaim_file);
	return ulm_lock_request(m->live, &key, &o, &reclaim, NULL, NULL);
}

static bool record_is(ulm_env *env, const char *file, uint64_t start,
		      uint32_t node)
{
	struct test_lock l[8];
	int n = test_list(env, file, l, 8);

	for (int i = 0; i < n; i++)
		if (l[i].start == start)
			return l[i].node == node;
	return false;
}

/* A file changed between the purge's read and its write: the version
 * guard refuses the write, the engine purges the file as a lock call
 * does; the record node LIVE's client reclaimed in between stays. */
static void test_purge_keeps_a_change_made_meanwhile(void **state)
{
	struct fixture *f = fix(state);
	uint32_t old = first_life(f);
	ulm_env *live = fixture_add_node(f, LIVE);
	uint64_t purged;

	assert_int_equal(ulm_recovery_begin(live, DEAD, old + 1), 0);
	assert_int_equal(ulm_recovery_begin(f->env, DEAD, old + 1), 0);
	meddler = (struct meddler){live, 0, 0, "p042"};
	rs(f->env)->purge_planned = meddle;
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &purged), 0);
	rs(f->env)->purge_planned = NULL;
	assert_int_equal(purged, 2 * FILES - 1);
	assert_true(record_is(f->env, "p042", 0, LIVE));
	assert_false(record_is(f->env, "p042", 20, DEAD));
	assert_int_equal(records_of(f->env, DEAD, 0), 0);
	assert_int_equal(records_of(f->env, LIVE, 0), 1);
}

/* The count plans the purge (every file); between them node LIVE's
 * client reclaims the old [0, 9] of p042, and node LIVE locks [60, 69] of
 * p010 under its token. Their writes fail the purge's version guard:
 * those two files are read again and purged the engine's way (p010 handed
 * over by node LIVE first), the others by the count's reads alone. Node
 * LIVE's records stay, and it goes on granting on p010. */
static void test_purge_planned_by_the_count(void **state)
{
	struct fixture *f = fix(state);
	uint32_t old = first_life(f);
	ulm_env *live = fixture_add_node(f, LIVE);
	struct ulm_owner l10 = owner_of(LIVE, "live", "p010");
	struct ulm_key k42 = test_key("p042");
	uint64_t pending, purged;

	assert_int_equal(ulm_recovery_begin(live, DEAD, old + 1), 0);
	assert_int_equal(ulm_recovery_begin(f->env, DEAD, old + 1), 0);
	assert_int_equal(ulm_recovery_pending(f->env, DEAD, &pending), 0);
	assert_int_equal(pending, 2 * FILES);
	assert_non_null(rs(f->env)->memo);
	assert_int_equal(rs(f->env)->memo->n, FILES);
	meddler = (struct meddler){live, 0, 0, "p042"};
	assert_int_equal(meddle(rs(f->env), &k42), 0);
	assert_int_equal(try_lock(live, "p010", &l10, W, 60, 69, NULL), 0);
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &purged), 0);
	assert_null(rs(f->env)->memo); /* taken by the purge */
	assert_int_equal(purged, 2 * FILES - 1);
	assert_true(record_is(f->env, "p042", 0, LIVE));
	assert_false(record_is(f->env, "p042", 20, DEAD));
	assert_true(record_is(f->env, "p010", 60, LIVE));
	assert_int_equal(try_lock(live, "p010", &l10, W, 80, 89, NULL), 0);
	assert_true(record_is(f->env, "p010", 80, LIVE));
	assert_int_equal(records_of(f->env, DEAD, 0), 0);
	assert_int_equal(records_of(f->env, LIVE, 0), 3);
}

/* A purge the count planned, cut off after some files, left the others
 * whole; the next one (a scan: the plan went with the first) finds and
 * removes exactly what is left. */
static void test_purge_cut_off_then_finished(void **state)
{
	struct fixture *f = fix(state);
	uint32_t old = first_life(f);
	uint64_t first = 0, second = 0, pending;

	assert_int_equal(ulm_recovery_begin(f->env, DEAD, old + 1), 0);
	assert_int_equal(ulm_recovery_pending(f->env, DEAD, &pending), 0);
	assert_non_null(rs(f->env)->memo);
	meddler = (struct meddler){NULL, 0, FILES / 2, NULL};
	rs(f->env)->purge_planned = meddle;
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &first),
			 -ETIMEDOUT);
	rs(f->env)->purge_planned = NULL;
	assert_true(first > 0 && first < 2 * FILES);
	assert_int_equal(first % 2, 0); /* whole files only */
	assert_int_equal(records_of(f->env, DEAD, old), 2 * FILES - first);
	assert_null(rs(f->env)->memo);
	assert_int_equal(ulm_node_purge(f->env, DEAD, old + 1, &second), 0);
	assert_int_equal(first + second, 2 * FILES);
	assert_int_equal(records_of(f->env, DEAD, 0), 0);
}

/* A holder killed with its token on a file, restarted in place: its new
 * life counts its old record and the frozen file, and its purge of its
 * earlier life removes both (a token of an earlier life of this very
 * node is a dead node's); the file grants again. */
static void test_purge_restarted_holders_token(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	uint64_t pending, purged;
	uint32_t epoch;
	ulm_env *again;
	pid_t pid;

	f->lease_ms = LEASE_MS;
	pid = fixture_spawn_holder(f, DEAD, "held");
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	again = fixture_add_node(f, DEAD);
	epoch = ulm_env_epoch(again);
	assert_int_equal(try_lock(f->env, "held", &b, W, 20, 29, NULL),
			 ULM_EGRACE);
	assert_int_equal(ulm_recovery_begin(again, DEAD, epoch), 0);
	assert_int_equal(ulm_recovery_pending(again, DEAD, &pending), 0);
	assert_int_equal(pending, 2); /* its lock, and the frozen file */
	assert_int_equal(ulm_node_purge(again, DEAD, epoch, &purged), 0);
	assert_int_equal(purged, 1);
	assert_int_equal(ulm_recovery_pending(again, DEAD, &pending), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(try_lock(f->env, "held", &b, W, 0, 29, NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest rados[] = {
		cmocka_unit_test_setup_teardown(
			test_purge_removes_exactly_the_epochs_asked,
			setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(
			test_purge_keeps_a_change_made_meanwhile, setup_rados,
			teardown_env),
		cmocka_unit_test_setup_teardown(test_purge_planned_by_the_count,
						setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(
			test_purge_cut_off_then_finished, setup_rados,
			teardown_env),
		cmocka_unit_test_setup_teardown(
			test_purge_restarted_holders_token, setup_rados,
			teardown_env),
	};

	fixture_holder_main(argc, argv);
	return cmocka_run_group_tests_name("rados", rados, NULL, NULL);
}
