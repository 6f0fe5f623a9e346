/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Threads hammer one env (on rados also three envs, one per node): each thread
 * is one owner holding at most one lock per file at a time, on a few files of
 * 32 bytes. Every granted lock is checked in, byte by byte, against what the
 * others hold: a conflicting pair granted at once fails the test.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "grant_board.h"
#include "ulm_test.h"

#define NTHREADS    6
#define NFILES	    3
#define SPACE	    BOARD_SPACE
#define ROUNDS	    3000
#define HOLD_US_MAX 200

struct board {
	struct grant_board held;
	atomic_int error; /* the first failed call's; stops every thread */
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

/* The first failure stops every thread: the test fails once all joined. */
static void board_fail(struct board *b, int rc)
{
	int none = 0;

	atomic_compare_exchange_strong(&b->error, &none, rc);
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	char name[16];
	struct ulm_owner o;

	snprintf(name, sizeof(name), "t%d", w->index);
	o = test_owner(w->index % 2 ? ULM_PROTO_NLM : ULM_PROTO_NFS4, "host",
		       name);
	for (int r = 0; r < w->rounds && !atomic_load(&w->board->error); r++) {
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
		if (!rc) {
			struct timespec hold = {
				0, 1000L * (rand_r(&w->seed) % HOLD_US_MAX)};

			grant_board_mark(&w->board->held, f, type, start, end,
					 1);
			/* Held a while: a conflicting grant to another
			 * thread meanwhile is seen by the board. */
			nanosleep(&hold, NULL);
			grant_board_mark(&w->board->held, f, type, start, end,
					 -1);
			rc = ulm_lock_release(w->env, &k, &o, start, end);
		}
		if (rc) {
			board_fail(w->board, rc);
			break;
		}
		if (w->pause_every && r % w->pause_every == 0)
			test_sleep_ms(PAUSE_MS);
	}
	return NULL;
}

/* Thread i works through envs[i % n_envs] for @rounds, pausing every
 * @pause_every rounds (0: never). Nothing is asserted until every thread
 * joined (a failed call stops them all), so that the envs are closed
 * under no running thread. */
static void run_threads(ulm_env **envs, int n_envs, int rounds, int pause_every,
			struct board *board)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	int started = 0;

	for (; started < NTHREADS; started++) {
		int i = started;

		w[i] = (struct worker){envs[i % n_envs], board,
				       1234u + i,	 i,
				       rounds,		 pause_every};
		if (pthread_create(&t[i], NULL, hammer, &w[i])) {
			board_fail(board, -EAGAIN);
			break;
		}
	}
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	printf("granted %d, violations %d, error %s\n", board->held.granted,
	       board->held.violations, ulm_strerror(board->error));
}

/* How many records a full listing shows once the other nodes' write-behind
 * has landed: a full RADOS listing reads each file's object as last written
 * (docs/rados.md, "Listings"), and a token holder writes its last releases
 * back within milliseconds of the run's end. */
static int records_left(ulm_env *env)
{
	int n = test_list(env, NULL, NULL, 0);

	for (int waited_ms = 0; n == -ENOSPC && waited_ms < 5000;
	     waited_ms += 10) {
		usleep(10000);
		n = test_list(env, NULL, NULL, 0);
	}
	return n;
}

/* What every run must show: no call failed, no conflicting pair was
 * granted, and nothing is left held. */
static void expect_clean_run(struct fixture *f, const struct board *board,
			     int rounds)
{
	assert_int_equal(board->error, 0);
	assert_int_equal(board->held.violations, 0);
	assert_true(board->held.granted > rounds);
	assert_int_equal(records_left(f->env), 0);
}

static void test_threads_never_grant_conflicts(void **state)
{
	struct fixture *f = *state;
	struct board board = {.held = GRANT_BOARD_INIT};

	run_threads(&f->env, 1, ROUNDS, 0, &board);
	expect_clean_run(f, &board, ROUNDS);
}

/* Three nodes on one shared store, two threads each: every node's cache
 * may be stale, and still no conflicting pair is ever granted. */
static void test_threads_nodes_never_grant_conflicts(void **state)
{
	struct fixture *f = *state;
	struct board board = {.held = GRANT_BOARD_INIT};
	ulm_env *envs[3] = {f->env, fixture_add_node(f, 2),
			    fixture_add_node(f, 3)};

	run_threads(envs, 3, ROUNDS, 0, &board);
	expect_clean_run(f, &board, ROUNDS);
}

/* Two nodes whose threads pause now and then, with watches trimmed after
 * 5 ms: file tokens are taken, handed over and given back all along,
 * under contention, and still no conflicting pair is granted. */
static void test_threads_tokens_move_under_contention(void **state)
{
	struct fixture *f = *state;
	struct board board = {.held = GRANT_BOARD_INIT};
	ulm_env *envs[2] = {f->env, fixture_add_node(f, 2)};

	test_trim_often(envs, 2, 5, 5);
	run_threads(envs, 2, ROUNDS / 4, 25, &board);
	expect_clean_run(f, &board, ROUNDS / 4);
	test_expect_tokens_taken(envs, 2, 10);
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
