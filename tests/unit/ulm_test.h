/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Shared fixtures for libulm's unit tests. */
#ifndef ULM_TEST_H
#define ULM_TEST_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <setjmp.h>
#include <cmocka.h>
#include <rados/librados.h>
#include "ulm.h"

#define FIXTURE_NODES 4

#define FIXTURE_PEER_WAIT_S 5

struct fixture {
	char dir[64];  /* mkdtemp() directory, removed at teardown */
	char path[80]; /* LMDB environment inside it */
	char ns[64];   /* RADOS: a namespace of this test case's own */
	enum ulm_store_kind store;
	/* RADOS: the liveness lease of envs opened (0: default) */
	uint32_t lease_ms;
	/* RADOS: file tokens of envs opened; default: $ULM_TEST_TOKENS
	 * ("off": ULM_TOKENS_OFF), else on */
	enum ulm_tokens tokens;
	/* RADOS: the op timeout of envs opened (0: default) */
	uint32_t op_timeout_s;
	/* RADOS: how long envs opened wait for another node (0:
	 * FIXTURE_PEER_WAIT_S: suites that load two cores shared with
	 * others must not take a slow handover for a silent node) */
	uint32_t peer_wait_s;
	/* RADOS: token_idle_ms of envs opened (0: default) */
	uint32_t token_idle_ms;
	ulm_env *env;
	/* Envs of other nodes, closed at teardown (before env), so that a
	 * failed assertion leaves none open. */
	ulm_env *nodes[FIXTURE_NODES];
	int n_nodes;
};

/* RADOS: a bare client of the test cluster (not libulm's), on the
 * fixture's pool and namespace; the caller shuts @p cluster down. */
rados_ioctx_t test_rados_open(const struct fixture *f, rados_t *cluster);

/* cmocka setups: a fresh env of one store, in a fresh directory. */
int setup_memory(void **state);
int setup_lmdb(void **state);
/* The pool "ulm" of the cluster $CEPH_CONF names (ctest runs these tests
 * inside the namespace of the cluster scripts/ceph-cluster.sh started). */
int setup_rados(void **state);
int teardown_env(void **state);

/** Run the groups of the stores this test binary was asked for: "rados"
 *  as the only argument runs @p rados, else @p memory and @p lmdb. */
#define RUN_STORE_GROUPS(argc, argv, memory, lmdb, rados)                      \
	((argc) == 2 && !strcmp((argv)[1], "rados")                            \
		 ? cmocka_run_group_tests_name("rados", rados, NULL, NULL)     \
		 : cmocka_run_group_tests_name("memory", memory, NULL, NULL) + \
			   cmocka_run_group_tests_name("lmdb", lmdb, NULL,     \
						       NULL))

/** Open an env on the fixture's store. */
int fixture_open(struct fixture *f, uint32_t node, bool read_only,
		 ulm_env **env);

/** Open node @p node on the fixture's store beside its env; teardown
 *  closes it. Fails the test if it cannot. */
ulm_env *fixture_add_node(struct fixture *f, uint32_t node);

/** Run @p tests once on each store (memory, then LMDB), each test with a
 *  fresh env; @p suite names the groups. @return failures */
int run_on_both_stores(const char *suite, const struct CMUnitTest *tests,
		       size_t n);
#define RUN_ON_BOTH_STORES(suite, tests) \
	run_on_both_stores(suite, tests, sizeof(tests) / sizeof((tests)[0]))

/** Code run as another node, in a child process (no cmocka there):
 *  return 0, or non-zero naming the failed step (NODE_EXPECT). */
typedef int (*node_fn)(ulm_env *env, void *arg);
#define NODE_EXPECT(cond)                                                 \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: node check failed: %s\n", \
				__FILE__, __LINE__, #cond);               \
			return __LINE__;                                  \
		}                                                         \
	} while (0)

/** Fork, open node @p node on the fixture's (LMDB) store in the child,
 *  run @p fn there and close. @return 0 if fn returned 0, else not 0 */
int fixture_run_node(struct fixture *f, uint32_t node, node_fn fn, void *arg);

/**
 * Start another process (this test binary again, as a RADOS node): it
 * opens node @p node on the fixture's namespace with the fixture's lease,
 * takes a write lock on [0, 9] of @p file, and waits to be killed.
 * @return its pid once it holds the lock (kill it with SIGKILL)
 */
pid_t fixture_spawn_holder(struct fixture *f, uint32_t node, const char *file);
/** In main(): run as such a holder if asked to (argv[1] "hold"); never
 *  returns then. */
void fixture_holder_main(int argc, char **argv);

void test_sleep_ms(int ms);
/** CLOCK_MONOTONIC in ms. */
int64_t test_now_ms(void);
/** Node @p node as @p env's ulm_node_list() shows it (epoch 0: not
 *  listed). */
struct ulm_node_info test_node(ulm_env *env, uint32_t node);
/** Poll until @p env lists @p node with live == @p live; false if not
 *  within @p ms. */
bool test_node_becomes(ulm_env *env, uint32_t node, bool live, int ms);

/** RADOS: trim the envs' watches every @p trim_ms after @p idle_ms
 *  unused, so that file tokens move between them within a test. */
void test_trim_often(ulm_env **envs, int n, unsigned int trim_ms,
		     unsigned int idle_ms);
/** RADOS: the envs took at least @p min file tokens in all (if tokens
 *  are on); prints how many. */
void test_expect_tokens_taken(ulm_env **envs, int n, unsigned int min);

struct ulm_key test_key(const char *name);
/** A lock-owner (ULM_OWNER_LOCK) of node 1. */
struct ulm_owner test_owner(enum ulm_protocol protocol, const char *client,
			    const char *owner);
/** An open-owner (ULM_OWNER_OPEN) of node 1. */
struct ulm_owner test_open_owner(enum ulm_protocol protocol, const char *client,
				 const char *owner);
/** A whole client (ULM_OWNER_CLIENT, no owner bytes) of node 1. */
struct ulm_owner test_client(enum ulm_protocol protocol, const char *client);

/* The calls on a file named by a C string; conflict may be NULL. */
int try_lock(ulm_env *env, const char *file, const struct ulm_owner *o,
	     enum ulm_lock_type type, uint64_t start, uint64_t end,
	     struct ulm_lock_info *conflict);
/** ulm_lock_request() with ULM_FLAG_WAIT. */
int try_wait(ulm_env *env, const char *file, const struct ulm_owner *o,
	     enum ulm_lock_type type, uint64_t start, uint64_t end,
	     uint64_t wait_expires, struct ulm_lock_info *conflict);
int drop_lock(ulm_env *env, const char *file, const struct ulm_owner *o,
	      uint64_t start, uint64_t end);
int try_share(ulm_env *env, const char *file, const struct ulm_owner *o,
	      unsigned access, unsigned deny, struct ulm_lock_info *conflict);
int try_deleg(ulm_env *env, const char *file, const struct ulm_owner *client,
	      enum ulm_deleg_type type, struct ulm_lock_info *conflict);
int try_access(ulm_env *env, const char *file, const struct ulm_owner *o,
	       unsigned access, struct ulm_lock_info *conflict);

/** A lock as the tests compare them. */
struct test_lock {
	enum ulm_record_type type;
	uint64_t start;
	uint64_t end;
	enum ulm_protocol protocol;
	enum ulm_owner_kind kind;
	uint32_t node;
	uint32_t epoch;
	unsigned flags;
	unsigned access;
	unsigned deny;
	uint64_t expires;
	char client[64];
	char owner[64];
	char file[64];
};

/** List @p file (NULL: all files) into @p out. @return count or -errno */
int test_list(ulm_env *env, const char *file, struct test_lock *out, int max);

/** An event as the tests compare them (record.file is the event's). */
struct test_event {
	enum ulm_event_kind kind;
	struct test_lock record;
};

/** Take the env's pending events, waiting up to @p timeout_ms for one.
 *  @return count, -ENOSPC if more than @p max, or -errno */
int test_events(ulm_env *env, int timeout_ms, struct test_event *out, int max);

/** Exactly one event is pending on @p env: of @p kind, on @p file, for a
 *  record of @p type held by @p client; returned in @p out if not NULL. */
void expect_one_event(ulm_env *env, enum ulm_event_kind kind, const char *file,
		      enum ulm_record_type type, const char *client,
		      struct test_event *out);
/** No event is pending on @p env. */
void expect_no_event(ulm_env *env);

#endif /* ULM_TEST_H */
