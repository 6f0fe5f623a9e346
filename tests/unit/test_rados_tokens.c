/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* File tokens on the rados store: a node alone on a file grants from
 * memory and writes behind; another node gets the file back on request;
 * a reader sees what the holder granted; a dead holder freezes the file
 * until purge, reclaims allowed; a fenced holder writes back; idle and
 * surplus watches are trimmed and give their tokens back. Runs inside
 * the test cluster's namespace (ctest: unit.rados.tokens). */
#include <errno.h>
#include <rados/librados.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "env.h"
#include "rados_ops.h"
#include "ulm_test.h"

#define R	  ULM_LOCK_READ
#define W	  ULM_LOCK_WRITE
#define LEASE_MS  1000
#define SETTLE_MS (3 * LEASE_MS)
#define HOLDER	  5

static struct fixture *fix(void **state)
{
	return *state;
}

static struct rados_store *rs(ulm_env *env)
{
	return (struct rados_store *)env->store;
}

/* A file's object as a client of the test's own reads it. */
struct object_view {
	uint64_t version; /* 0: no object */
	int records;
	struct rados_token token;
};

static struct object_view object_of(struct fixture *f, const char *file)
{
	struct object_view v = {0};
	char oid[RADOS_OID_MAX] = "f.", *key, *val;
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter;
	unsigned char more = 0;
	size_t key_len, val_len;
	rados_ioctx_t io;
	rados_t cluster;
	int prval = 0, rc;

	for (size_t i = 0; file[i]; i++)
		snprintf(oid + 2 + 2 * i, 3, "%02x", (unsigned char)file[i]);
	io = test_rados_open(f, &cluster);
	rados_read_op_omap_get_vals2(op, "", "", 4096, &iter, &more, &prval);
	rc = rados_read_op_operate(op, io, oid, 0);
	if (!rc) {
		v.version = rados_get_last_version(io);
		while (!rados_omap_get_next2(iter, &key, &val, &key_len,
					     &val_len) &&
		       key) {
			if (key_len == RADOS_ID_KEY_LEN)
				v.records++;
			else
				assert_int_equal(rados_token_decode(val,
								    val_len,
								    &v.token),
						 0);
		}
	}
	rados_omap_get_end(iter);
	rados_release_read_op(op);
	rados_ioctx_destroy(io);
	rados_shutdown(cluster);
	return v;
}

/* Poll until the object holds @records records and a token of @node
 * (0: none). */
static bool object_becomes(struct fixture *f, const char *file, int records,
			   uint32_t node)
{
	for (int64_t end = test_now_ms() + SETTLE_MS; test_now_ms() < end;
	     test_sleep_ms(20)) {
		struct object_view v = object_of(f, file);

		if (v.records == records &&
		    (node ? v.token.present && v.token.node == node
			  : !v.token.present))
			return true;
	}
	return false;
}

static void test_tokens_alone_grants_from_memory(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct object_view before, after;

	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	assert_true(object_becomes(f, "f", 1, 1));
	before = object_of(f, "f");
	assert_int_equal(before.token.epoch, ulm_env_epoch(f->env));
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(try_lock(f->env, "f", &a, W, 100, 109, NULL),
				 0);
		assert_int_equal(drop_lock(f->env, "f", &a, 100, 109), 0);
	}
	assert_int_equal(drop_lock(f->env, "f", &a, 0, 9), 0);
	/* Written behind: the lock and its release reach the object, in
	 * far fewer writes than the 4001 changes. */
	assert_true(object_becomes(f, "f", 0, 1));
	after = object_of(f, "f");
	assert_true(after.token.seq - before.token.seq < 400);
	assert_int_equal(rs(f->env)->tokens_taken, 1);
}

static void test_tokens_handed_over_on_request(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "c2", "b");
	struct ulm_store_stats st1, st2;
	struct ulm_lock_info info;
	ulm_env *env2;

	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	/* At once: node 1's grant is in its memory only, and still seen. */
	assert_int_equal(try_lock(env2, "f", &b, W, 5, 5, &info), -EAGAIN);
	assert_int_equal(info.node, 1);
	assert_int_equal(info.end, 9);
	assert_true(object_becomes(f, "f", 1, 0));
	assert_int_equal(try_lock(env2, "f", &b, W, 20, 29, NULL), 0);
	assert_int_equal(try_lock(f->env, "f", &a, R, 25, 25, &info), -EAGAIN);
	assert_int_equal(info.node, 2);
	assert_int_equal(drop_lock(f->env, "f", &a, 0, 9), 0);
	assert_int_equal(try_lock(env2, "f", &b, W, 5, 5, NULL), 0);
	assert_int_equal(rs(env2)->tokens_taken, 0);
	/* What the metrics show: node 1 took one and gave it back when
	 * node 2 asked, node 2's asks were timed. */
	ulm_store_stats(f->env, &st1);
	ulm_store_stats(env2, &st2);
	assert_string_equal(st1.backend, "rados");
	assert_int_equal(st1.tokens.taken, 1);
	assert_int_equal(st1.tokens.given, 1);
	assert_int_equal(st2.tokens.taken, 0);
	assert_true(st2.tokens.asked.count >= 1);
	assert_true(st2.call[ULM_STORE_CALL_WRITE].time.count >= 1);
}

/* A deny in node 1's memory under its token refuses node 2's I/O check
 * at once; once released, the check passes. */
static void test_tokens_deny_seen_by_io_check(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;
	ulm_env *env2;

	env2 = fixture_add_node(f, 2);
	assert_int_equal(
		ulm_share_io_check(env2, &k, NULL, ULM_SHARE_WRITE, 0, NULL),
		0);
	assert_int_equal(try_share(f->env, "f", &a, ULM_SHARE_READ,
				   ULM_SHARE_WRITE, NULL),
			 0);
	assert_int_equal(
		ulm_share_io_check(env2, &k, NULL, ULM_SHARE_WRITE, 0, &info),
		-EAGAIN);
	assert_int_equal(info.node, 1);
	assert_int_equal(info.deny, ULM_SHARE_WRITE);
	assert_int_equal(
		ulm_share_io_check(env2, &k, NULL, ULM_SHARE_READ, 0, NULL), 0);
	assert_int_equal(ulm_share_release(f->env, &k, &a), 0);
	assert_int_equal(
		ulm_share_io_check(env2, &k, NULL, ULM_SHARE_WRITE, 0, NULL),
		0);
}

/* A read-only env asks the holder to write, not to give the token up. */
static void test_tokens_reader_sees_holders_grants(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct test_lock l[4];
	ulm_env *ro;

	assert_int_equal(fixture_open(f, 1, true, &ro), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_lock(f->env, "f", &a, R, 20, 29, NULL), 0);
	assert_int_equal(test_list(ro, "f", l, 4), 2);
	assert_true(object_of(f, "f").token.present);
	ulm_env_close(ro);
}

/* The idle node unwatches, so the other one takes the token back. */
static void test_tokens_return_after_trim(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	ulm_env *env2;

	env2 = fixture_add_node(f, 2);
	rs(f->env)->trim_every_ms = 20;
	rs(f->env)->watch_idle_ms = 100;
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_lock(env2, "f", &b, W, 20, 29, NULL), 0);
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     rs(f->env)->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(rs(f->env)->n_watched, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(try_lock(env2, "f", &b, R, 40, 49, NULL), 0);
		assert_int_equal(drop_lock(env2, "f", &b, 40, 49), 0);
	}
	assert_int_equal(rs(env2)->tokens_taken, 1);
	assert_true(object_becomes(f, "f", 2, 2));
}

/* ulm_env_config.token_idle_ms: how long an unused file keeps this
 * node's watch and token (0: 5 s). Here 100 ms: the token is back in the
 * object, the lock record stays. */
static void test_tokens_idle_from_config(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");

	assert_int_equal(rs(f->env)->watch_idle_ms, 5000);
	ulm_env_close(f->env);
	f->token_idle_ms = 100;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(rs(f->env)->watch_idle_ms, 100);
	rs(f->env)->trim_every_ms = 20;
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     rs(f->env)->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(rs(f->env)->n_watched, 0);
	assert_false(object_of(f, "f").token.present);
	assert_int_equal(object_of(f, "f").records, 1);
}

/* The node that starts watching in test_tokens_join_during_notify. */
static ulm_env *joiner;

static void join_now(struct rados_file *file)
{
	struct ulm_owner c = test_owner(ULM_PROTO_NFS4, "c3", "c");
	struct ulm_key k = test_key("f");

	file->store->change_replied = NULL;
	assert_int_equal(ulm_lock_test(joiner, &k, &c, W, 100, 109, NULL), 0);
}

/* A node that starts watching while a writer's change notify is out is
 * not in its reply, yet it read the file: the writer must still tell it
 * of its next change, not take the token behind its back. */
static void test_tokens_join_during_notify(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;

	assert_int_equal(fixture_open(f, 2, false, &joiner), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	assert_int_equal(try_lock(joiner, "f", &b, W, 20, 29, NULL), 0);
	/* Node 2 unwatches; node 1 still counts it as a watcher. */
	test_trim_often(&joiner, 1, 20, 50);
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     rs(joiner)->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(rs(joiner)->n_watched, 0);
	test_trim_often(&joiner, 1, 20, 60000);
	/* Node 2 joins once node 1's notify of this change was answered
	 * without it. */
	rs(f->env)->change_replied = join_now;
	assert_int_equal(try_lock(f->env, "f", &a, W, 40, 49, NULL), 0);
	assert_null(rs(f->env)->change_replied);
	assert_int_equal(try_lock(f->env, "f", &a, W, 60, 69, NULL), 0);
	assert_int_equal(ulm_lock_test(joiner, &k, &b, W, 60, 69, &info),
			 -EAGAIN);
	assert_int_equal(info.node, 1);
	assert_int_equal(info.start, 60);
	ulm_env_close(joiner);
}

/* Wait until @env watches no file. */
static void unwatched(ulm_env *env)
{
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     rs(env)->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(rs(env)->n_watched, 0);
}

/* A token taken while the file's record count is not known (its version
 * only was read: the table in memory was current) keeps it unknown: the
 * table is read again in full once the token is back, never taken for
 * empty. */
static void test_tokens_taken_with_count_unknown(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_key k = test_key("f");
	ulm_env *env2;

	assert_int_equal(fixture_open(f, 2, false, &env2), 0);
	test_trim_often(&f->env, 1, 20, 50);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	unwatched(f->env);
	/* Read in full at the object's version, then unwatched again. */
	assert_int_equal(ulm_lock_test(f->env, &k, &b, W, 100, 109, NULL), 0);
	unwatched(f->env);
	test_trim_often(&f->env, 1, 20, 60000);
	/* The version alone is read: the table is current. */
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 40, 49, NULL), 0);
	assert_true(rs(f->env)->tokens_taken >= 2);
	/* Node 2 has the token handed over: node 1 reads the file again. */
	assert_int_equal(ulm_lock_test(env2, &k, &b, W, 100, 109, NULL), 0);
	assert_int_equal(try_lock(f->env, "f", &b, W, 0, 9, NULL), -EAGAIN);
	assert_int_equal(try_lock(f->env, "f", &b, W, 40, 49, NULL), -EAGAIN);
	ulm_env_close(env2);
}

/* The holder dies with its grants in memory: nobody may grant on the
 * file but reclaims, until its node is purged. */
static void test_tokens_dead_holder_freezes_until_purge(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner held = test_owner(ULM_PROTO_NFS4, "holder", "h");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_lock_req reclaim = {W, 0, 9, ULM_FLAG_RECLAIM, 0};
	struct ulm_key k = test_key("held");
	uint64_t purged;
	pid_t pid;

	f->lease_ms = LEASE_MS;
	pid = fixture_spawn_holder(f, HOLDER, "held");
	held.node = HOLDER;
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_true(test_node_becomes(f->env, HOLDER, false, SETTLE_MS));
	assert_int_equal(try_lock(f->env, "held", &b, W, 20, 29, NULL),
			 ULM_EGRACE);
	assert_int_equal(ulm_lock_test(f->env, &k, &b, R, 20, 29, NULL),
			 ULM_EGRACE);
	assert_int_equal(try_share(f->env, "held", &b, ULM_SHARE_READ, 0, NULL),
			 ULM_EGRACE);
	assert_int_equal(try_access(f->env, "held", NULL, ULM_SHARE_READ, NULL),
			 ULM_EGRACE);
	/* The holder's client reclaims through this (takeover) node. */
	assert_int_equal(
		ulm_lock_request(f->env, &k, &held, &reclaim, NULL, NULL), 0);
	assert_int_equal(try_lock(f->env, "held", &b, W, 20, 29, NULL),
			 ULM_EGRACE);
	assert_int_equal(ulm_node_purge(f->env, HOLDER, 2, &purged), 0);
	assert_false(object_of(f, "held").token.present);
	assert_int_equal(try_lock(f->env, "held", &b, W, 20, 29, NULL), 0);
	assert_int_equal(try_lock(f->env, "held", &b, W, 5, 5, NULL), -EAGAIN);
}

/* A fenced holder grants nothing more and writes what it granted back,
 * so the others see every lock it granted: no double grant. */
static void test_tokens_fenced_holder_writes_back(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	ulm_env *env2;

	ulm_env_close(f->env);
	f->lease_ms = LEASE_MS;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	rados_live_pause(f->env->store, true);
	assert_true(test_node_becomes(env2, 1, false, SETTLE_MS));
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL),
			 ULM_EFENCED);
	assert_true(object_becomes(f, "f", 1, 0));
	assert_int_equal(try_lock(env2, "f", &b, W, 5, 5, NULL), -EAGAIN);
	assert_int_equal(try_lock(env2, "f", &b, W, 40, 49, NULL), 0);
	rados_live_pause(f->env->store, false);
	assert_true(test_node_becomes(env2, 1, true, SETTLE_MS));
	assert_int_equal(try_lock(f->env, "f", &a, W, 41, 41, NULL), -EAGAIN);
	assert_int_equal(try_lock(f->env, "f", &a, W, 20, 29, NULL), 0);
}

/* Watches stay bounded; trimmed files give their tokens back and still
 * work afterwards. */
static void test_tokens_watches_trimmed(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct rados_store *s = rs(f->env);
	struct test_lock l[16];
	char name[16];

	s->watch_max = 4;
	s->trim_every_ms = 20;
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		assert_int_equal(try_lock(f->env, name, &a, W, 0, 9, NULL), 0);
	}
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     s->n_watched > 4 && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_true(s->n_watched <= 4);
	assert_true(object_becomes(f, "t0", 1, 0));
	s->watch_idle_ms = 50;
	for (int64_t end = test_now_ms() + SETTLE_MS;
	     s->n_watched && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_int_equal(s->n_watched, 0);
	assert_true(object_becomes(f, "t11", 1, 0));
	assert_int_equal(try_lock(f->env, "t0", &a, W, 5, 5, NULL), 0);
	assert_int_equal(test_list(f->env, NULL, l, 16), 12);
}

/* Ids come in segments of 65535 per flush: many changes roll over. */
static void test_tokens_id_segments_roll_over(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c2", "b");
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "f", &b, R, 0, 0, NULL), 0);
	for (int i = 0; i < 70000; i++) {
		assert_int_equal(try_lock(f->env, "f", &a, R, 10, 19, NULL), 0);
		assert_int_equal(drop_lock(f->env, "f", &a, 10, 19), 0);
	}
	assert_int_equal(try_lock(f->env, "f", &a, R, 10, 19, NULL), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 2);
	assert_true(object_becomes(f, "f", 2, 1));
}

static void test_tokens_off_writes_through(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct object_view v;

	ulm_env_close(f->env);
	f->tokens = ULM_TOKENS_OFF;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	v = object_of(f, "f");
	assert_int_equal(v.records, 1);
	assert_false(v.token.present);
	assert_int_equal(rs(f->env)->tokens_taken, 0);
}

#define TOKEN_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_rados, teardown_env)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TOKEN_TEST(test_tokens_alone_grants_from_memory),
		TOKEN_TEST(test_tokens_handed_over_on_request),
		TOKEN_TEST(test_tokens_deny_seen_by_io_check),
		TOKEN_TEST(test_tokens_reader_sees_holders_grants),
		TOKEN_TEST(test_tokens_return_after_trim),
		TOKEN_TEST(test_tokens_idle_from_config),
		TOKEN_TEST(test_tokens_join_during_notify),
		TOKEN_TEST(test_tokens_taken_with_count_unknown),
		TOKEN_TEST(test_tokens_dead_holder_freezes_until_purge),
		TOKEN_TEST(test_tokens_fenced_holder_writes_back),
		TOKEN_TEST(test_tokens_watches_trimmed),
		TOKEN_TEST(test_tokens_id_segments_roll_over),
		TOKEN_TEST(test_tokens_off_writes_through),
	};

	fixture_holder_main(argc, argv);
	return cmocka_run_group_tests_name("rados_tokens", tests, NULL, NULL);
}
