/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The rados store: two nodes on one pool namespace, epochs, the mailbox,
 * corrupt records, and a cluster that cannot be reached. Runs inside the
 * test cluster's namespace (ctest: unit.rados.store). */
#include <errno.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "env.h"
#include "bytes.h"
#include "record.h"
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE
/* Another node's change reaches this node's cache by notify: allow it
 * this long before a refusal counts as stale. */
#define NOTIFY_WAIT_MS 3000

static struct fixture *fix(void **state)
{
	return *state;
}

/* Node 2 caches the file, node 1 changes it: node 2 never grants on its
 * stale cache (the write's version guard), and sees the release soon. */
static void test_rados_two_nodes_coherent(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "c2", "b");
	struct ulm_lock_info info;
	struct ulm_key k = test_key("f");
	ulm_env *env2;
	int rc = -EAGAIN;

	env2 = fixture_add_node(f, 2);
	assert_int_equal(try_lock(env2, "f", &b, R, 100, 109, NULL), 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 9, NULL), 0);
	/* Right away: the grant that env2's cache would allow is refused. */
	assert_int_equal(try_lock(env2, "f", &b, W, 0, 0, &info), -EAGAIN);
	assert_int_equal(info.start, 0);
	assert_int_equal(info.end, 9);
	assert_int_equal(ulm_lock_test(f->env, &k, &a, W, 100, 100, &info),
			 -EAGAIN);
	assert_int_equal(info.start, 100);
	assert_int_equal(drop_lock(f->env, "f", &a, 0, 9), 0);
	for (int ms = 0; rc == -EAGAIN && ms < NOTIFY_WAIT_MS; ms += 10) {
		rc = try_lock(env2, "f", &b, W, 0, 0, NULL);
		if (rc == -EAGAIN)
			test_sleep_ms(10);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(try_lock(f->env, "f", &a, W, 0, 0, &info), -EAGAIN);
	assert_int_equal(info.node, 2);
}

struct events {
	int n;
	char msgs[8][16];
};

static int collect_event(const void *msg, size_t len, void *arg)
{
	struct events *e = arg;

	assert_true(len < sizeof(e->msgs[0]) && e->n < 8);
	memcpy(e->msgs[e->n], msg, len);
	e->msgs[e->n++][len] = '\0';
	return 0;
}

static void test_rados_events_in_order_once(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_store *s1 = f->env->store;
	struct events got = {0};
	ulm_env *env2;

	env2 = fixture_add_node(f, 2);
	assert_int_equal(s1->ops->event_post(s1, 2, "recall", 6), 0);
	assert_int_equal(s1->ops->event_post(s1, 2, "wake", 4), 0);
	assert_int_equal(s1->ops->event_post(s1, 2, "x", 0), -EINVAL);
	assert_int_equal(s1->ops->event_post(s1, 2, "x", 4097), -EINVAL);
	assert_int_equal(
		env2->ops->event_take(env2->store, collect_event, &got, 0), 0);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.msgs[0], "recall");
	assert_string_equal(got.msgs[1], "wake");
	got.n = 0;
	assert_int_equal(
		env2->ops->event_take(env2->store, collect_event, &got, 0), 0);
	assert_int_equal(got.n, 0);
}

struct late_post {
	struct ulm_store *store;
	int delay_ms;
};

static void *post_later(void *arg)
{
	struct late_post *p = arg;

	test_sleep_ms(p->delay_ms);
	return (void *)(intptr_t)p->store->ops->event_post(p->store, 2, "late",
							   4);
}

/* A waiting taker is woken by the post's notify, long before its
 * timeout. */
static void test_rados_event_take_wakes_on_post(void **state)
{
	struct fixture *f = fix(state);
	struct late_post p = {f->env->store, 200};
	struct events got = {0};
	struct timespec t0, t1;
	pthread_t poster;
	ulm_env *env2 = fixture_add_node(f, 2);
	void *posted;
	int taken;

	assert_int_equal(pthread_create(&poster, NULL, post_later, &p), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	taken = env2->ops->event_take(env2->store, collect_event, &got, 20000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Joined before any assertion: the poster uses the fixture's env. */
	assert_int_equal(pthread_join(poster, &posted), 0);
	assert_int_equal(taken, 0);
	assert_null(posted);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.msgs[0], "late");
	assert_true(t1.tv_sec - t0.tv_sec < 10);
}

/* Put raw bytes into an object's omap, as a damaged (or older) store
 * would. */
static void put_raw(struct fixture *f, const char *oid, const char *key,
		    const char *val, size_t val_len)
{
	rados_t cluster;
	rados_ioctx_t io = test_rados_open(f, &cluster);
	rados_write_op_t op = rados_create_write_op();
	size_t key_len = strlen(key);

	rados_write_op_omap_set2(op, &key, &val, &key_len, &val_len, 1);
	assert_int_equal(rados_write_op_operate(op, io, oid, NULL, 0), 0);
	rados_release_write_op(op);
	rados_ioctx_destroy(io);
	rados_shutdown(cluster);
}

/* The store's record format, as ulm.meta holds it. */
static uint32_t format_of(struct fixture *f)
{
	rados_t cluster;
	rados_ioctx_t io = test_rados_open(f, &cluster);
	rados_read_op_t op = rados_create_read_op();
	const char *key = "format";
	rados_omap_iter_t iter;
	char *k, *v;
	size_t k_len, v_len;
	uint32_t format = 0;
	int prval;

	rados_read_op_omap_get_vals_by_keys(op, &key, 1, &iter, &prval);
	assert_int_equal(rados_read_op_operate(op, io, "ulm.meta", 0), 0);
	if (!rados_omap_get_next2(iter, &k, &v, &k_len, &v_len) && k &&
	    v_len == 4)
		format = get_be32((const uint8_t *)v);
	rados_omap_get_end(iter);
	rados_release_read_op(op);
	rados_ioctx_destroy(io);
	rados_shutdown(cluster);
	return format;
}

/* A store of an earlier format (3: no delete deny; 2: no Windows locks
 * either) is read and, by the first node that writes, upgraded; one of a
 * later format is refused. */
static void test_rados_format_upgraded_or_refused(void **state)
{
	static const char before[][4] = {{0, 0, 0, 3}, {0, 0, 0, 2}};
	const char v9[4] = {0, 0, 0, 9};
	struct fixture *f = fix(state);
	ulm_env *env;

	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		assert_int_equal(format_of(f), RECORD_FORMAT);
		put_raw(f, "ulm.meta", "format", before[i], 4);
		assert_int_equal(fixture_open(f, 2, true, &env), 0);
		ulm_env_close(env);
		assert_int_equal(format_of(f), (uint32_t)before[i][3]);
		assert_int_equal(fixture_open(f, 2, false, &env), 0);
		ulm_env_close(env);
	}
	assert_int_equal(format_of(f), RECORD_FORMAT);
	put_raw(f, "ulm.meta", "format", v9, 4);
	assert_int_equal(fixture_open(f, 3, false, &env), ULM_EFORMAT);
	assert_int_equal(fixture_open(f, 3, true, &env), ULM_EFORMAT);
}

static void test_rados_corrupt_record_reported(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_key bad = test_key("bad");
	struct test_lock l[4];

	assert_int_equal(try_lock(f->env, "good", &a, W, 0, 9, NULL), 0);
	put_raw(f, "f.626164", "0000000000000001", "garbage", 7);
	assert_int_equal(ulm_lock_test(f->env, &bad, &a, W, 0, 9, NULL),
			 ULM_ECORRUPT);
	assert_int_equal(try_lock(f->env, "bad", &a, W, 0, 9, NULL),
			 ULM_ECORRUPT);
	assert_int_equal(test_list(f->env, "good", l, 4), 1);
	assert_int_equal(test_list(f->env, NULL, l, 4), ULM_ECORRUPT);
}

static void test_rados_config_errors(void **state)
{
	struct fixture *f = fix(state);
	struct ulm_env_config cfg = {
		.store = ULM_STORE_RADOS,
		.node_id = 3,
		.pool = "ulm",
	};
	ulm_env *env;

	(void)f;
	cfg.pool = NULL;
	assert_int_equal(ulm_env_open(&cfg, &env), -EINVAL);
	cfg.pool = "no-such-pool";
	assert_int_equal(ulm_env_open(&cfg, &env), -ENOENT);
	cfg.pool = "ulm";
	cfg.ceph_conf = "/nonexistent/ceph.conf";
	assert_int_equal(ulm_env_open(&cfg, &env), -ENOENT);
}

/* A cluster that does not answer: a clear -EIO within the mount
 * timeout, no hang, no crash. */
static void test_rados_unreachable_cluster_is_eio(void **state)
{
	struct fixture *f = fix(state);
	char conf[128];
	struct ulm_env_config cfg = {
		.store = ULM_STORE_RADOS,
		.node_id = 3,
		.pool = "ulm",
		.ceph_conf = conf,
	};
	ulm_env *env;
	FILE *fp;

	snprintf(conf, sizeof(conf), "%s/dead.conf", f->dir);
	fp = fopen(conf, "w");
	assert_non_null(fp);
	fprintf(fp, "[global]\nmon host = v2:127.0.0.1:9\n"
		    "auth client required = none\n"
		    "client mount timeout = 1\n");
	fclose(fp);
	assert_int_equal(ulm_env_open(&cfg, &env), -EIO);
}

#define RADOS_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_rados, teardown_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RADOS_TEST(test_rados_two_nodes_coherent),
		RADOS_TEST(test_rados_events_in_order_once),
		RADOS_TEST(test_rados_event_take_wakes_on_post),
		RADOS_TEST(test_rados_corrupt_record_reported),
		RADOS_TEST(test_rados_format_upgraded_or_refused),
		RADOS_TEST(test_rados_config_errors),
		RADOS_TEST(test_rados_unreachable_cluster_is_eio),
	};

	return cmocka_run_group_tests_name("rados", tests, NULL, NULL);
}
