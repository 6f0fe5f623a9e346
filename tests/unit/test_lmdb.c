/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The LMDB store: persistence, epochs, several processes on one
 * environment, read-only opens, corrupt records, a full map. */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bytes.h"
#include "record.h"
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE

static struct fixture *fix(void **state)
{
	return *state;
}

/* Child side of a two-process test: plain exits, no cmocka. */
static void child_wait(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(90);
}

static void signal_peer(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(91);
}

static void run_second_node(struct fixture *f, int to_parent, int from_parent)
{
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	ulm_env *env;

	if (fixture_open(f, 2, false, &env))
		_exit(10);
	if (try_lock(env, "shared", &b, W, 0, 9, NULL))
		_exit(11);
	signal_peer(to_parent);
	child_wait(from_parent);
	/* The parent's read lock on [100, 199] is visible here. */
	if (try_lock(env, "shared", &b, W, 150, 150, NULL) != -EAGAIN)
		_exit(12);
	ulm_env_close(env);
	_exit(0);
}

static int wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void test_lmdb_two_processes_share_locks(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_lock_info info;
	int up[2], down[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		run_second_node(f, up[1], down[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(try_lock(f->env, "shared", &a, R, 5, 5, &info),
			 -EAGAIN);
	assert_int_equal(info.node, 2);
	assert_int_equal(info.protocol, ULM_PROTO_NLM);
	assert_int_equal(try_lock(f->env, "shared", &a, R, 100, 199, NULL), 0);
	assert_int_equal(write(down[1], "x", 1), 1);
	assert_int_equal(wait_child(pid), 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

static void test_lmdb_same_node_busy_while_alive(void **state)
{
	struct fixture *f = fix(state);
	ulm_env *env;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fixture_open(f, 1, false, &env) == -EBUSY ? 0 : 1);
	assert_int_equal(wait_child(pid), 0);
}

static void test_lmdb_dead_holder_frees_node(void **state)
{
	struct fixture *f = fix(state);
	ulm_env *env;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) /* opens node 3 and dies without closing */
		_exit(fixture_open(f, 3, false, &env) ? 1 : 0);
	assert_int_equal(wait_child(pid), 0);
	/* LMDB forbids one process opening an environment twice at once. */
	ulm_env_close(f->env);
	f->env = NULL;
	assert_int_equal(fixture_open(f, 3, false, &f->env), 0);
	assert_int_equal(ulm_env_epoch(f->env), 2);
}

/* A holder killed by kill -9 stays a zombie until its parent reaps it;
 * its node id must be free already. */
static void test_lmdb_zombie_holder_frees_node(void **state)
{
	struct fixture *f = fix(state);
	ulm_env *env;
	pid_t pid;

	ulm_env_close(f->env);
	f->env = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fixture_open(f, 4, false, &env) ? 1 : 0);
	/* Not reaped yet: wait until the child is a zombie. */
	assert_int_equal(waitid(P_PID, pid, NULL, WEXITED | WNOWAIT), 0);
	assert_int_equal(fixture_open(f, 4, false, &f->env), 0);
	assert_int_equal(wait_child(pid), 0);
}

static void test_lmdb_path_is_a_file(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB, .node_id = 1};
	char path[4096];
	FILE *file;
	ulm_env *env;

	snprintf(path, sizeof(path), "%s/a-file", f->dir);
	file = fopen(path, "w");
	assert_non_null(file);
	fclose(file);
	cfg.path = path;
	assert_int_equal(ulm_env_open(&cfg, &env), -ENOTDIR);
}

static void test_lmdb_read_only_missing_env(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB,
				     .path = "/nonexistent/ulm-env",
				     .node_id = 1,
				     .read_only = true};
	ulm_env *env;

	(void)f;
	assert_int_equal(ulm_env_open(&cfg, &env), -ENOENT);
	cfg.read_only = false;
	assert_int_equal(ulm_env_open(&cfg, &env), -ENOENT);
	cfg.path = "/proc/version/env"; /* parent is not a directory */
	assert_true(ulm_env_open(&cfg, &env) < 0);
	assert_null(env);
}

/* A write transaction on the store's database @p db, through LMDB itself
 * (behind libulm's back); raw_commit() ends it. */
static MDB_txn *raw_begin(const char *path, const char *db, MDB_dbi *dbi)
{
	MDB_env *menv;
	MDB_txn *txn;

	assert_int_equal(mdb_env_create(&menv), 0);
	assert_int_equal(mdb_env_set_maxdbs(menv, 4), 0);
	assert_int_equal(mdb_env_set_mapsize(menv, 64 << 20), 0);
	assert_int_equal(mdb_env_open(menv, path, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(menv, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, dbi), 0);
	return txn;
}

static void raw_commit(MDB_txn *txn)
{
	MDB_env *menv = mdb_txn_env(txn);

	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(menv);
}

/* Overwrite the first record (of the file with the shortest key) with
 * bytes that do not decode. */
static void corrupt_first_record(const char *path)
{
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(path, "records", &dbi);
	MDB_cursor *cur;
	MDB_val k, v = {5, "junk!"};

	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	assert_int_equal(mdb_cursor_get(cur, &k, NULL, MDB_FIRST), 0);
	assert_int_equal(mdb_cursor_put(cur, &k, &v, MDB_CURRENT), 0);
	mdb_cursor_close(cur);
	raw_commit(txn);
}

/* The store's record format as its meta database holds it; @p set, when
 * not 0, written first. */
static uint32_t raw_format(const char *path, uint32_t set)
{
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(path, "meta", &dbi);
	uint8_t buf[4];
	MDB_val k = {6, "format"}, v = {sizeof(buf), buf};
	uint32_t format;

	put_be32(buf, set);
	if (set)
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_int_equal(v.mv_size, 4);
	format = get_be32(v.mv_data);
	raw_commit(txn);
	return format;
}

/* A store of an earlier format (3: no delete deny; 2: no Windows locks
 * either) is read as it is by a read-only open and upgraded by the first
 * writable one, its records kept; a store of a later format is refused
 * either way. */
static void test_lmdb_format_upgraded_or_refused(void **state)
{
	static const uint32_t before[] = {RECORD_FORMAT_V3, RECORD_FORMAT_V2};
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct test_lock l[2];
	ulm_env *env;

	assert_int_equal(try_lock(f->env, "kept", &a, W, 0, 9, NULL), 0);
	ulm_env_close(f->env);
	f->env = NULL;
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		assert_int_equal(raw_format(f->path, 0), RECORD_FORMAT);
		raw_format(f->path, before[i]);
		assert_int_equal(fixture_open(f, 2, true, &env), 0);
		assert_int_equal(test_list(env, "kept", l, 2), 1);
		ulm_env_close(env);
		assert_int_equal(raw_format(f->path, 0), before[i]);
		assert_int_equal(fixture_open(f, 1, false, &env), 0);
		assert_int_equal(test_list(env, "kept", l, 2), 1);
		ulm_env_close(env);
	}
	assert_int_equal(raw_format(f->path, 0), RECORD_FORMAT);
	raw_format(f->path, 9);
	assert_int_equal(fixture_open(f, 1, false, &env), ULM_EFORMAT);
	assert_int_equal(fixture_open(f, 2, true, &env), ULM_EFORMAT);
}

static void test_lmdb_corrupt_record_reported(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_key bad = test_key("bad");
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "bad", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_lock(f->env, "good1", &a, W, 0, 9, NULL), 0);
	ulm_env_close(f->env);
	corrupt_first_record(f->path);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(try_lock(f->env, "bad", &a, W, 20, 29, NULL),
			 ULM_ECORRUPT);
	assert_int_equal(ulm_lock_test(f->env, &bad, &a, R, 0, 0, NULL),
			 ULM_ECORRUPT);
	assert_int_equal(ulm_lock_release(f->env, &bad, &a, 0, ULM_EOF),
			 ULM_ECORRUPT);
	assert_int_equal(try_lock(f->env, "good1", &a, W, 20, 29, NULL), 0);
	assert_int_equal(test_list(f->env, "good1", l, 4), 2);
	/* Listing all goes on past the bad file and says so at the end. */
	assert_int_equal(test_list(f->env, NULL, l, 4), ULM_ECORRUPT);
}

static void test_lmdb_purge_only_older_epochs(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	struct test_lock l[8];
	uint64_t purged;
	ulm_env *env2;

	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	ulm_env_close(f->env);
	assert_int_equal(fixture_open(f, 2, false, &env2), 0);
	assert_int_equal(try_lock(env2, "f", &b, W, 100, 109, NULL), 0);
	ulm_env_close(env2);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 50, 59, NULL), 0);
	assert_int_equal(ulm_node_purge(f->env, 1, 2, &purged), 0);
	assert_int_equal(purged, 1);
	assert_int_equal(test_list(f->env, "f", l, 8), 2);
	assert_int_equal(l[0].start, 50);
	assert_int_equal(l[0].epoch, 2);
	assert_int_equal(l[1].start, 100);
	assert_int_equal(l[1].node, 2);
}

/* A share and a delegation reclaimed unchanged after a restart move to
 * the new epoch with the reclaim flag, so the purge keeps them. */
static void test_lmdb_reclaim_renews_share_and_deleg(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner oo = test_open_owner(ULM_PROTO_NFS4, "c", "oo");
	struct ulm_owner cl = test_client(ULM_PROTO_NFS4, "c");
	struct ulm_key key = test_key("f");
	struct test_lock l[4];
	uint64_t purged;

	assert_int_equal(try_share(f->env, "f", &oo, ULM_SHARE_BOTH, 0, NULL),
			 0);
	assert_int_equal(try_deleg(f->env, "f", &cl, ULM_DELEG_WRITE, NULL), 0);
	ulm_env_close(f->env);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(ulm_share_acquire(f->env, &key, &oo, ULM_SHARE_BOTH, 0,
					   ULM_FLAG_RECLAIM, NULL),
			 0);
	assert_int_equal(ulm_deleg_acquire(f->env, &key, &cl, ULM_DELEG_WRITE,
					   ULM_FLAG_RECLAIM, NULL),
			 0);
	assert_int_equal(ulm_node_purge(f->env, 1, 2, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(l[i].epoch, 2);
		assert_int_equal(l[i].flags, ULM_FLAG_RECLAIM);
	}
}

static void test_lmdb_full_map_is_enolck(void **state)
{
	struct fixture *f = fix(state);
	static char id[ULM_ID_MAX];
	char path[128];
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB,
				     .path = path,
				     .node_id = 1,
				     .map_size = 256 << 10};
	struct ulm_owner o = test_owner(ULM_PROTO_NFS4, "c", "o");
	struct test_lock *l = calloc(1000, sizeof(*l));
	ulm_env *env;
	struct ulm_store_stats st;
	int granted = 0, rc = 0;

	snprintf(path, sizeof(path), "%s/small", f->dir);
	memset(id, 'x', sizeof(id));
	o.owner = id;
	o.owner_len = sizeof(id);
	assert_int_equal(ulm_env_open(&cfg, &env), 0);
	while (!rc && granted < 1000) {
		rc = try_lock(env, "f", &o, W, granted * 2, granted * 2, NULL);
		granted += rc == 0;
	}
	assert_int_equal(rc, -ENOLCK);
	assert_int_equal(test_list(env, "f", l, 1000), granted);
	/* What the metrics show: every write timed, the refused one an
	 * error, none a timeout. */
	ulm_store_stats(env, &st);
	assert_string_equal(st.backend, "lmdb");
	assert_int_equal(st.call[ULM_STORE_CALL_WRITE].time.count, granted + 1);
	assert_int_equal(st.call[ULM_STORE_CALL_WRITE].errors, 1);
	assert_int_equal(st.call[ULM_STORE_CALL_WRITE].timeouts, 0);
	assert_int_equal(st.tokens.taken, 0);
	ulm_env_close(env);
	free(l);
}

#define LMDB_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_lmdb, teardown_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		LMDB_TEST(test_lmdb_two_processes_share_locks),
		LMDB_TEST(test_lmdb_same_node_busy_while_alive),
		LMDB_TEST(test_lmdb_dead_holder_frees_node),
		LMDB_TEST(test_lmdb_zombie_holder_frees_node),
		LMDB_TEST(test_lmdb_path_is_a_file),
		LMDB_TEST(test_lmdb_read_only_missing_env),
		LMDB_TEST(test_lmdb_corrupt_record_reported),
		LMDB_TEST(test_lmdb_format_upgraded_or_refused),
		LMDB_TEST(test_lmdb_purge_only_older_epochs),
		LMDB_TEST(test_lmdb_reclaim_renews_share_and_deleg),
		LMDB_TEST(test_lmdb_full_map_is_enolck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
