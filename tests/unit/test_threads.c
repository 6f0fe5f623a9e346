/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Threads hammer one env (on rados also three envs, one per node): each thread
 * is one owner holding at most one lock per file at a time, on a few files of
 * 32 bytes. Every granted lock is checked in, byte by byte, against what the
 * others hold: a conflicting pair granted at once fails the test.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include "ulm_test.h"

#define NTHREADS 6
#define NFILES	 3
#define SPACE	 32
#define ROUNDS	 3000

struct board {
	pthread_mutex_t mutex;
	int readers[NFILES][SPACE];
	int writers[NFILES][SPACE];
	int violations;
	int granted;
};

struct worker {
	ulm_env *env;
	struct board *board;
	unsigned int seed;
	int index;
	int rounds;
	int pause_every; /* rounds between pauses of PAUSE_MS; 0: none */
};

#define PAUSE_MS 15

static const char *const files[NFILES] = {"t0", "t1", "t2"};

/* Check a granted lock in (+1) or out (-1). */
static void board_mark(struct board *b, int f, enum ulm_lock_type type,
		       int start, int end, int delta)
{
	pthread_mutex_lock(&b->mutex);
	for (int i = start; i <= end; i++) {
		if (delta > 0 && (b->writers[f][i] ||
				  (type == ULM_LOCK_WRITE && b->readers[f][i])))
			b->violations++;
		if (type == ULM_LOCK_WRITE)
			b->writers[f][i] += delta;
		else
			b->readers[f][i] += delta;
	}
	b->granted += delta > 0;
	pthread_mutex_unlock(&b->mutex);
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	char name[16];
	struct ulm_owner o;

	snprintf(name, sizeof(name), "t%d", w->index);
	o = test_owner(w->index % 2 ? ULM_PROTO_NLM : ULM_PROTO_NFS4, "host",
		       name);
	for (int r = 0; r < w->rounds; r++) {
		int f = rand_r(&w->seed) % NFILES;
		int start = rand_r(&w->seed) % SPACE;
		int end = start + rand_r(&w->seed) % (SPACE - start);
		enum ulm_lock_type type =
			rand_r(&w->seed) % 3 ? ULM_LOCK_READ : ULM_LOCK_WRITE;
		struct ulm_key k = test_key(files[f]);
		int rc = ulm_lock_acquire(w->env, &k, &o, type, start, end,
					  NULL, NULL);

		if (rc == -EAGAIN)
			continue;
		if (rc)
			return (void *)(long)rc;
		board_mark(w->board, f, type, start, end, 1);
		sched_yield();
		board_mark(w->board, f, type, start, end, -1);
		rc = ulm_lock_release(w->env, &k, &o, start, end);
		if (rc)
			return (void *)(long)rc;
		if (w->pause_every && r % w->pause_every == 0)
			test_sleep_ms(PAUSE_MS);
	}
	return NULL;
}

/* Thread i works through envs[i % n_envs] for @rounds, pausing every
 * @pause_every rounds (0: never). */
static void run_threads(struct fixture *f, ulm_env **envs, int n_envs,
			int rounds, int pause_every)
{
	struct board board = {.mutex = PTHREAD_MUTEX_INITIALIZER};
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	void *result;

	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){envs[i % n_envs], &board,
				       1234u + i,	 i,
				       rounds,		 pause_every};
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], &result), 0);
		assert_null(result);
	}
	printf("granted %d, violations %d\n", board.granted, board.violations);
	assert_int_equal(board.violations, 0);
	assert_true(board.granted > rounds);
	assert_int_equal(test_list(f->env, NULL, NULL, 0), 0);
}

static void test_threads_never_grant_conflicts(void **state)
{
	struct fixture *f = *state;

	run_threads(f, &f->env, 1, ROUNDS, 0);
}

/* Three nodes on one shared store, two threads each: every node's cache
 * may be stale, and still no conflicting pair is ever granted. */
static void test_threads_nodes_never_grant_conflicts(void **state)
{
	struct fixture *f = *state;
	ulm_env *envs[3] = {f->env};

	assert_int_equal(fixture_open(f, 2, false, &envs[1]), 0);
	assert_int_equal(fixture_open(f, 3, false, &envs[2]), 0);
	run_threads(f, envs, 3, ROUNDS, 0);
	ulm_env_close(envs[1]);
	ulm_env_close(envs[2]);
}

/* Two nodes whose threads pause now and then, with watches trimmed after
 * 5 ms: file tokens are taken, handed over and given back all along,
 * under contention, and still no conflicting pair is granted. */
static void test_threads_tokens_move_under_contention(void **state)
{
	struct fixture *f = *state;
	ulm_env *envs[2] = {f->env};

	assert_int_equal(fixture_open(f, 2, false, &envs[1]), 0);
	test_trim_often(envs, 2, 5, 5);
	run_threads(f, envs, 2, ROUNDS / 4, 25);
	test_expect_tokens_taken(envs, 2, 10);
	ulm_env_close(envs[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest memory[] = {
		cmocka_unit_test_setup_teardown(
			test_threads_never_grant_conflicts, setup_memory,
			teardown_env),
	};
	const struct CMUnitTest lmdb[] = {
		cmocka_unit_test_setup_teardown(
			test_threads_never_grant_conflicts, setup_lmdb,
			teardown_env),
	};
	const struct CMUnitTest rados[] = {
		cmocka_unit_test_setup_teardown(
			test_threads_never_grant_conflicts, setup_rados,
			teardown_env),
		cmocka_unit_test_setup_teardown(
			test_threads_nodes_never_grant_conflicts, setup_rados,
			teardown_env),
		cmocka_unit_test_setup_teardown(
			test_threads_tokens_move_under_contention, setup_rados,
			teardown_env),
	};

	return RUN_STORE_GROUPS(argc, argv, memory, lmdb, rados);
}
