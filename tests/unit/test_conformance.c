/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* One suite of lock semantics, run against every store. */
#include <errno.h>
#include <string.h>
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

static int acquire(void **state, const char *file, const struct ulm_owner *o,
		   enum ulm_lock_type type, uint64_t start, uint64_t end)
{
	struct ulm_key k = test_key(file);

	return ulm_lock_acquire(env_of(state), &k, o, type, start, end, NULL,
				NULL);
}

static int release(void **state, const char *file, const struct ulm_owner *o,
		   uint64_t start, uint64_t end)
{
	struct ulm_key k = test_key(file);

	return ulm_lock_release(env_of(state), &k, o, start, end);
}

static void assert_lock(const struct test_lock *l, enum ulm_lock_type type,
			uint64_t start, uint64_t end, const char *owner)
{
	assert_int_equal(l->type, type);
	assert_true(l->start == start);
	assert_true(l->end == end);
	assert_string_equal(l->owner, owner);
}

static void test_lock_free_range_granted(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 1);
	assert_lock(&l[0], W, 0, 9, "a");
	assert_int_equal(l[0].node, 1);
	assert_int_equal(l[0].epoch, ulm_env_epoch(env_of(state)));
}

static void test_lock_write_conflict_reports_holder(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;

	assert_int_equal(acquire(state, "f", &a, R, 50, 59), 0);
	assert_int_equal(acquire(state, "f", &a, W, 20, 29), 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(
		ulm_lock_acquire(env_of(state), &k, &b, W, 0, 100, &info, NULL),
		-EAGAIN);
	/* The conflicting lock with the lowest start. */
	assert_int_equal(info.type, W);
	assert_int_equal(info.start, 20);
	assert_int_equal(info.end, 29);
	assert_int_equal(info.protocol, ULM_PROTO_NFS4);
	assert_int_equal(info.client_len, 2);
	assert_memory_equal(info.client, "c1", 2);
	assert_int_equal(info.owner_len, 1);
	assert_memory_equal(info.owner, "a", 1);
	assert_int_equal(ulm_lock_test(env_of(state), &k, &b, R, 25, 55, &info),
			 -EAGAIN);
	assert_int_equal(info.start, 20);
	assert_int_equal(ulm_lock_test(env_of(state), &k, &b, R, 30, 59, NULL),
			 0);
}

static void test_lock_readers_share(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, R, 0, ULM_EOF), 0);
	assert_int_equal(acquire(state, "f", &b, R, 10, 19), 0);
	assert_int_equal(acquire(state, "f", &b, W, 10, 19), -EAGAIN);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 2);
}

static void test_lock_own_locks_never_conflict(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_key k = test_key("f");

	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	assert_int_equal(acquire(state, "f", &a, W, 5, 15), 0);
	assert_int_equal(ulm_lock_test(env_of(state), &k, &a, W, 0, 20, NULL),
			 0);
}

/* Of an NLM lock (not a reclaim): an NFSv4 owner of another node takes
 * over its identity's records instead (unit.recovery). */
static void test_lock_owner_fields_all_count(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "c", "o");
	struct ulm_owner other[5];

	for (int i = 0; i < 5; i++)
		other[i] = a;
	other[0].protocol = ULM_PROTO_NFS4;
	other[1].kind = ULM_OWNER_OPEN;
	other[2].node = 2;
	other[3].client = "d";
	other[4].owner = "p";
	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(acquire(state, "f", &other[i], R, 5, 5),
				 -EAGAIN);
}

static void test_lock_merge_adjacent_and_overlapping(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "h", "a");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, R, 0, 9), 0);
	assert_int_equal(acquire(state, "f", &a, R, 20, 29), 0);
	assert_int_equal(acquire(state, "f", &a, R, 10, 19), 0);
	assert_int_equal(acquire(state, "f", &a, R, 25, 40), 0);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 1);
	assert_lock(&l[0], R, 0, 40, "a");
}

static void test_lock_adjacent_other_type_not_merged(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "h", "a");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, R, 0, 9), 0);
	assert_int_equal(acquire(state, "f", &a, W, 10, 19), 0);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 2);
	assert_lock(&l[0], R, 0, 9, "a");
	assert_lock(&l[1], W, 10, 19, "a");
}

static void test_lock_downgrade_splits(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, W, 0, 99), 0);
	assert_int_equal(acquire(state, "f", &a, R, 40, 59), 0);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 3);
	assert_lock(&l[0], W, 0, 39, "a");
	assert_lock(&l[1], R, 40, 59, "a");
	assert_lock(&l[2], W, 60, 99, "a");
	assert_int_equal(acquire(state, "f", &b, R, 45, 50), 0);
	assert_int_equal(acquire(state, "f", &b, R, 39, 45), -EAGAIN);
}

static void test_lock_upgrade_blocked_changes_nothing(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, R, 0, 99), 0);
	assert_int_equal(acquire(state, "f", &b, R, 50, 50), 0);
	assert_int_equal(acquire(state, "f", &a, W, 0, 99), -EAGAIN);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 2);
	assert_lock(&l[0], R, 0, 99, "a");
	assert_int_equal(acquire(state, "f", &a, W, 0, 49), 0);
}

static void test_lock_release_splits(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	struct test_lock l[4];

	assert_int_equal(acquire(state, "f", &a, W, 0, ULM_EOF), 0);
	assert_int_equal(release(state, "f", &a, 100, 199), 0);
	assert_int_equal(test_list(env_of(state), "f", l, 4), 2);
	assert_lock(&l[0], W, 0, 99, "a");
	assert_lock(&l[1], W, 200, ULM_EOF, "a");
	assert_int_equal(acquire(state, "f", &b, W, 100, 199), 0);
	assert_int_equal(acquire(state, "f", &b, W, 100, 200), -EAGAIN);
}

static void test_lock_release_unheld_is_ok(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");

	assert_int_equal(release(state, "f", &a, 0, ULM_EOF), 0);
	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	assert_int_equal(release(state, "f", &b, 0, ULM_EOF), 0);
	assert_int_equal(acquire(state, "f", &b, W, 0, 9), -EAGAIN);
	assert_int_equal(release(state, "f", &a, 0, ULM_EOF), 0);
	assert_int_equal(test_list(env_of(state), "f", NULL, 0), 0);
	assert_int_equal(acquire(state, "f", &b, W, 0, 9), 0);
}

static void test_lock_eof_range(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	uint64_t s, e;

	ulm_range_from_length(1000, 0, &s, &e);
	assert_int_equal(acquire(state, "f", &a, W, s, e), 0);
	assert_int_equal(acquire(state, "f", &b, R, ULM_EOF, ULM_EOF), -EAGAIN);
	assert_int_equal(acquire(state, "f", &b, R, 0, 999), 0);
}

static void test_lock_files_independent(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");

	assert_int_equal(acquire(state, "f1", &a, W, 0, ULM_EOF), 0);
	assert_int_equal(acquire(state, "f2", &b, W, 0, ULM_EOF), 0);
}

static void test_lock_invalid_arguments(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a"), bad;
	struct ulm_key k = test_key("f"), empty = {"", 0};
	char big[ULM_KEY_MAX + 1] = {0};
	struct ulm_key long_key = {big, sizeof(big)};
	ulm_undo *undo = (ulm_undo *)&undo;

	assert_int_equal(ulm_lock_acquire(env, &k, &a, W, 5, 4, NULL, &undo),
			 -EINVAL);
	assert_null(undo);
	assert_int_equal(ulm_lock_acquire(env, &empty, &a, W, 0, 1, NULL, NULL),
			 -EINVAL);
	assert_int_equal(
		ulm_lock_acquire(env, &long_key, &a, W, 0, 1, NULL, NULL),
		-EINVAL);
	assert_int_equal(ulm_lock_acquire(env, &k, &a, 3, 0, 1, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ulm_lock_acquire(env, &k, NULL, W, 0, 1, NULL, NULL),
			 -EINVAL);
	bad = a;
	bad.owner_len = ULM_ID_MAX + 1;
	assert_int_equal(ulm_lock_acquire(env, &k, &bad, W, 0, 1, NULL, NULL),
			 -EINVAL);
	bad = a;
	bad.protocol = 0;
	assert_int_equal(ulm_lock_test(env, &k, &bad, W, 0, 1, NULL), -EINVAL);
	assert_int_equal(ulm_lock_release(env, &k, &a, 2, 1), -EINVAL);
	assert_int_equal(test_list(env, NULL, NULL, 0), 0);
}

static void test_undo_restores_replaced_locks(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];
	ulm_undo *undo;

	assert_int_equal(acquire(state, "f", &a, R, 0, 9), 0);
	assert_int_equal(acquire(state, "f", &a, W, 20, 29), 0);
	assert_int_equal(ulm_lock_acquire(env, &k, &a, W, 5, 24, NULL, &undo),
			 0);
	assert_non_null(undo);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_int_equal(ulm_undo_apply(env, undo), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_lock(&l[0], R, 0, 9, "a");
	assert_lock(&l[1], W, 20, 29, "a");
}

static void test_undo_of_new_lock_removes_it(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NLM, "h", "a");
	struct ulm_key k = test_key("f");
	ulm_undo *undo;

	assert_int_equal(ulm_lock_acquire(env, &k, &a, W, 0, 9, NULL, &undo),
			 0);
	assert_int_equal(ulm_undo_apply(env, undo), 0);
	assert_int_equal(test_list(env, "f", NULL, 0), 0);
}

static void test_undo_refused_after_reader_got_in(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "h", "b");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];
	ulm_undo *undo;

	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	assert_int_equal(ulm_lock_acquire(env, &k, &a, R, 0, 9, NULL, &undo),
			 0);
	assert_int_equal(acquire(state, "f", &b, R, 5, 5), 0);
	assert_int_equal(ulm_undo_apply(env, undo), -EAGAIN);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_lock(&l[0], R, 0, 9, "a");
}

static void test_undo_refused_after_owner_changed(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];
	ulm_undo *undo;

	assert_int_equal(ulm_lock_acquire(env, &k, &a, W, 0, 9, NULL, &undo),
			 0);
	assert_int_equal(acquire(state, "f", &a, W, 10, 19), 0);
	assert_int_equal(ulm_undo_apply(env, undo), -EAGAIN);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_lock(&l[0], W, 0, 19, "a");
}

static void test_undo_null_on_conflict(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "c", "b");
	struct ulm_key k = test_key("f");
	ulm_undo *undo = (ulm_undo *)&undo;

	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	assert_int_equal(ulm_lock_acquire(env, &k, &b, W, 0, 9, NULL, &undo),
			 -EAGAIN);
	assert_null(undo);
	ulm_undo_free(NULL);
}

static int stop_at_second(const struct ulm_key *file,
			  const struct ulm_lock_info *lock, void *arg)
{
	int *seen = arg;

	(void)file;
	(void)lock;
	return ++*seen == 2 ? 42 : 0;
}

static void test_list_all_files_in_order(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct test_lock l[8];
	int seen = 0, n;

	assert_int_equal(acquire(state, "f1", &a, W, 50, 59), 0);
	assert_int_equal(acquire(state, "f1", &a, W, 10, 19), 0);
	assert_int_equal(acquire(state, "f2", &a, R, 0, 0), 0);
	n = test_list(env, NULL, l, 8);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].file, "f1") && l[i].start == 50)
			assert_true(i > 0 && l[i - 1].start == 10);
	assert_int_equal(ulm_lock_list(env, NULL, stop_at_second, &seen), 42);
	assert_int_equal(seen, 2);
}

static int count_visit(const struct ulm_key *file,
		       const struct ulm_lock_info *lock, void *arg)
{
	int *seen = arg;

	(void)file;
	*seen += lock->start == 10 ? 10 : 1;
	return 0;
}

/* What this env holds is in its memory: listed without the store. */
static void test_list_cached_has_own_records(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	int seen = 0;

	assert_int_equal(acquire(state, "f1", &a, W, 10, 19), 0);
	assert_int_equal(acquire(state, "f2", &a, R, 0, 0), 0);
	assert_int_equal(ulm_lock_list_cached(env, count_visit, &seen), 0);
	assert_int_equal(seen, 11);
	assert_int_equal(ulm_lock_release(env, &(struct ulm_key){"f1", 2}, &a,
					  0, ULM_EOF),
			 0);
	seen = 0;
	assert_int_equal(ulm_lock_list_cached(env, count_visit, &seen), 0);
	assert_int_equal(seen, 1);
	assert_int_equal(ulm_lock_list_cached(NULL, count_visit, &seen),
			 -EINVAL);
}

static void test_purge_removes_older_epochs_of_node(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	uint32_t epoch = ulm_env_epoch(env);
	uint64_t purged = 99;

	assert_int_equal(acquire(state, "f1", &a, W, 0, 9), 0);
	assert_int_equal(acquire(state, "f2", &a, W, 0, 9), 0);
	assert_int_equal(ulm_node_purge(env, 1, epoch, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(ulm_node_purge(env, 2, epoch + 1, &purged), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(ulm_node_purge(env, 1, epoch + 1, &purged), 0);
	assert_int_equal(purged, 2);
	assert_int_equal(test_list(env, NULL, NULL, 0), 0);
}

static int collect_node(const struct ulm_node_info *node, void *arg)
{
	struct ulm_node_info *seen = arg;

	if (seen->node)
		return -EEXIST; /* one node was expected */
	*seen = *node;
	return 0;
}

static void test_node_list_shows_this_node_live(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_node_info seen = {0};

	assert_true(ulm_env_live(env));
	assert_int_equal(ulm_node_list(env, collect_node, &seen), 0);
	assert_int_equal(seen.node, 1);
	assert_int_equal(seen.epoch, ulm_env_epoch(env));
	assert_true(seen.live);
	assert_int_equal(ulm_node_list(NULL, collect_node, &seen), -EINVAL);
	assert_int_equal(ulm_node_list(env, NULL, NULL), -EINVAL);
	assert_false(ulm_env_live(NULL));
}

/* A courtesy owner's records (kept for a client that went away without a
 * word) conflict as any record does, say what they are, and give way when
 * dropped; a live record is never dropped as one. */
static void test_courtesy_records_give_way(void **state)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner ao = test_open_owner(ULM_PROTO_NFS4, "c1", "o");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct ulm_owner bo = test_open_owner(ULM_PROTO_NFS4, "c2", "o");
	struct ulm_owner ca, cao, big = a;
	uint8_t buf[ULM_ID_MAX], sbuf[ULM_ID_MAX], name[ULM_ID_MAX] = {0};
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;

	assert_int_equal(ulm_courtesy_owner(&a, buf, &ca), 0);
	assert_int_equal(ulm_courtesy_owner(&ao, sbuf, &cao), 0);
	assert_int_equal(acquire(state, "f", &ca, W, 0, 9), 0);
	assert_int_equal(ulm_share_acquire(env_of(state), &k, &cao,
					   ULM_SHARE_READ, ULM_SHARE_WRITE, 0,
					   NULL),
			 0);
	assert_int_equal(
		ulm_lock_acquire(env_of(state), &k, &b, W, 5, 5, &info, NULL),
		-EAGAIN);
	assert_true(ulm_is_courtesy(&info));
	assert_int_equal(info.client_len, strlen("courtesy:c1"));
	assert_memory_equal(info.client, "courtesy:c1", info.client_len);
	assert_int_equal(ulm_courtesy_drop(env_of(state), &k, &info), 0);
	assert_int_equal(
		ulm_lock_acquire(env_of(state), &k, &b, W, 5, 5, NULL, NULL),
		0);
	assert_int_equal(ulm_share_acquire(env_of(state), &k, &bo,
					   ULM_SHARE_WRITE, 0, 0, &info),
			 -EAGAIN);
	assert_true(ulm_is_courtesy(&info));
	assert_int_equal(ulm_courtesy_drop(env_of(state), &k, &info), 0);
	assert_int_equal(ulm_share_acquire(env_of(state), &k, &bo,
					   ULM_SHARE_WRITE, 0, 0, NULL),
			 0);
	/* The courtesy lock went whole; a live holder is no courtesy record,
	 * and is not dropped as one. */
	assert_int_equal(ulm_lock_test(env_of(state), &k, &a, W, 0, 9, &info),
			 -EAGAIN);
	assert_int_equal(info.start, 5);
	assert_false(ulm_is_courtesy(&info));
	assert_int_equal(ulm_courtesy_drop(env_of(state), &k, &info), -EINVAL);
	assert_int_equal(ulm_lock_test(env_of(state), &k, &a, W, 5, 5, NULL),
			 -EAGAIN);
	big.client = name;
	big.client_len = ULM_ID_MAX;
	assert_int_equal(ulm_courtesy_owner(&big, buf, &ca), -ENAMETOOLONG);
}

static void test_strerror_covers_codes(void **state)
{
	(void)state;
	assert_string_equal(ulm_strerror(ULM_ECORRUPT),
			    "a stored lock record failed to decode");
	assert_non_null(strstr(ulm_strerror(ULM_EFORMAT), "format"));
	assert_string_equal(ulm_strerror(-EAGAIN),
			    "conflicting lock, share or queued request held");
	assert_non_null(ulm_strerror(-EINVAL));
	assert_string_equal(ulm_strerror(-99999), "unknown error");
}

/* Persistent stores (LMDB, RADOS) only. A node that opens again finds
 * its locks, made in its earlier epoch, and makes new ones in the next. */
static void test_locks_survive_reopen_in_new_epoch(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct test_lock l[4];

	assert_int_equal(ulm_env_epoch(f->env), 1);
	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	ulm_env_close(f->env);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(ulm_env_epoch(f->env), 2);
	assert_int_equal(test_list(f->env, "f", l, 4), 1);
	assert_int_equal(l[0].epoch, 1);
	assert_int_equal(l[0].node, 1);
	assert_int_equal(acquire(state, "f", &a, W, 20, 29), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 2);
	assert_int_equal(l[1].epoch, 2);
}

/* A read-only env (an inspector) lists and tests, changes nothing and
 * registers nothing: the node's next open is its next epoch. */
static void test_read_only_lists_but_cannot_write(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c", "a");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];
	ulm_env *ro;

	assert_int_equal(acquire(state, "f", &a, W, 0, 9), 0);
	ulm_env_close(f->env);
	f->env = NULL;
	assert_int_equal(fixture_open(f, 1, true, &ro), 0);
	assert_int_equal(ulm_env_epoch(ro), 1);
	assert_int_equal(test_list(ro, NULL, l, 4), 1);
	assert_int_equal(ulm_lock_test(ro, &k, &a, W, 0, 9, NULL), 0);
	assert_int_equal(ulm_lock_acquire(ro, &k, &a, W, 20, 29, NULL, NULL),
			 -EROFS);
	assert_int_equal(ulm_lock_release(ro, &k, &a, 0, 9), -EROFS);
	assert_int_equal(ulm_node_purge(ro, 1, 99, NULL), -EROFS);
	ulm_env_close(ro);
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(ulm_env_epoch(f->env), 2);
}

#define PERSISTENT(setup)                                                     \
	cmocka_unit_test_setup_teardown(                                      \
		test_locks_survive_reopen_in_new_epoch, setup, teardown_env), \
		cmocka_unit_test_setup_teardown(                              \
			test_read_only_lists_but_cannot_write, setup,         \
			teardown_env)

#define CONFORMANCE(setup)                                                    \
	cmocka_unit_test_setup_teardown(test_lock_free_range_granted, setup,  \
					teardown_env),                        \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_write_conflict_reports_holder, setup,       \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(test_lock_readers_share,      \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_own_locks_never_conflict, setup,            \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_owner_fields_all_count, setup,              \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_merge_adjacent_and_overlapping, setup,      \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_adjacent_other_type_not_merged, setup,      \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(test_lock_downgrade_splits,   \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_upgrade_blocked_changes_nothing, setup,     \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(test_lock_release_splits,     \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(                              \
			test_lock_release_unheld_is_ok, setup, teardown_env), \
		cmocka_unit_test_setup_teardown(test_lock_eof_range, setup,   \
						teardown_env),                \
		cmocka_unit_test_setup_teardown(test_lock_files_independent,  \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(test_lock_invalid_arguments,  \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(                              \
			test_undo_restores_replaced_locks, setup,             \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_undo_of_new_lock_removes_it, setup,              \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_undo_refused_after_reader_got_in, setup,         \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_undo_refused_after_owner_changed, setup,         \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(test_undo_null_on_conflict,   \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(test_list_all_files_in_order, \
						setup, teardown_env),         \
		cmocka_unit_test_setup_teardown(                              \
			test_list_cached_has_own_records, setup,              \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_purge_removes_older_epochs_of_node, setup,       \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_node_list_shows_this_node_live, setup,           \
			teardown_env),                                        \
		cmocka_unit_test_setup_teardown(                              \
			test_courtesy_records_give_way, setup, teardown_env), \
		cmocka_unit_test_setup_teardown(test_strerror_covers_codes,   \
						setup, teardown_env)

int main(int argc, char **argv)
{
	const struct CMUnitTest memory[] = {CONFORMANCE(setup_memory)};
	const struct CMUnitTest lmdb[] = {CONFORMANCE(setup_lmdb),
					  PERSISTENT(setup_lmdb)};
	const struct CMUnitTest rados[] = {CONFORMANCE(setup_rados),
					   PERSISTENT(setup_rados)};

	return RUN_STORE_GROUPS(argc, argv, memory, lmdb, rados);
}
