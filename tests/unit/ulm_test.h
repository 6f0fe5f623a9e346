/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Shared fixtures for libulm's unit tests. */
#ifndef ULM_TEST_H
#define ULM_TEST_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ulm.h"

struct fixture {
	char dir[64];  /* mkdtemp() directory, removed at teardown */
	char path[80]; /* LMDB environment inside it */
	char ns[64];   /* RADOS: a namespace of this test case's own */
	enum ulm_store_kind store;
	ulm_env *env;
};

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

struct ulm_key test_key(const char *name);
struct ulm_owner test_owner(enum ulm_protocol protocol, const char *client,
			    const char *owner);

/** A lock as the tests compare them. */
struct test_lock {
	enum ulm_lock_type type;
	uint64_t start;
	uint64_t end;
	enum ulm_protocol protocol;
	enum ulm_owner_kind kind;
	uint32_t node;
	uint32_t epoch;
	char client[64];
	char owner[64];
	char file[64];
};

/** List @p file (NULL: all files) into @p out. @return count or -errno */
int test_list(ulm_env *env, const char *file, struct test_lock *out, int max);

#endif /* ULM_TEST_H */
