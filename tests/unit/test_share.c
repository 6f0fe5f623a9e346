/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Share reservations (OPEN access/deny, NLM_SHARE), on every store, and a
 * deny seen across two nodes of one LMDB store. */
#include <errno.h>
#include <string.h>
#include "ulm_test.h"

#define RD   ULM_SHARE_READ
#define WR   ULM_SHARE_WRITE
#define BOTH ULM_SHARE_BOTH
#define DEL  ULM_SHARE_DELETE

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

static void assert_share(const struct test_lock *l, const char *owner,
			 unsigned access, unsigned deny)
{
	assert_int_equal(l->type, ULM_REC_SHARE);
	assert_true(l->start == 0 && l->end == ULM_EOF);
	assert_string_equal(l->owner, owner);
	assert_int_equal(l->access, access);
	assert_int_equal(l->deny, deny);
}

/* @p holder's share refuses @p asker's: -EAGAIN naming the holder's. */
static void expect_refused(ulm_env *env, const struct ulm_owner *asker,
			   unsigned access, unsigned deny, const char *holder)
{
	struct ulm_lock_info info;
	struct test_lock l[4];
	int n = test_list(env, "f", l, 4);

	memset(&info, 0, sizeof(info));
	assert_int_equal(try_share(env, "f", asker, access, deny, &info),
			 -EAGAIN);
	assert_int_equal(info.type, ULM_REC_SHARE);
	assert_int_equal(info.owner_len, strlen(holder));
	assert_memory_equal(info.owner, holder, info.owner_len);
	/* Nothing changed. */
	assert_int_equal(test_list(env, "f", l, 4), n);
}

static void test_share_deny_write_refuses_later_write_open(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");

	assert_int_equal(try_share(env, "f", &a, RD, WR, NULL), 0);
	expect_refused(env, &b, WR, 0, "a");
	expect_refused(env, &b, BOTH, 0, "a");
	/* A read open meets no deny. */
	assert_int_equal(try_share(env, "f", &b, RD, 0, NULL), 0);
}

static void test_share_deny_write_refused_over_earlier_write_open(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_owner c = test_open_owner(ULM_PROTO_NFS4, "c3", "c");

	assert_int_equal(try_share(env, "f", &b, WR, 0, NULL), 0);
	expect_refused(env, &a, RD, WR, "b");
	/* A deny of read does not meet a write-only open. */
	assert_int_equal(try_share(env, "f", &c, RD, RD, NULL), 0);
}

static void test_share_deny_read_against_read_access(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_owner c = test_open_owner(ULM_PROTO_NFS4, "c3", "c");

	assert_int_equal(try_share(env, "f", &a, WR, RD, NULL), 0);
	expect_refused(env, &b, RD, 0, "a");
	assert_int_equal(try_share(env, "f", &b, WR, 0, NULL), 0);
	/* And the other order: c's deny of read meets nobody's read. */
	expect_refused(env, &c, WR, WR, "a");
	assert_int_equal(try_share(env, "f", &c, WR, RD, NULL), 0);
}

static void test_share_same_owner_replaces_its_record(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");
	struct test_lock l[4];

	assert_int_equal(try_share(env, "f", &a, RD, 0, NULL), 0);
	/* Upgrade: its own read access does not meet its new deny. */
	assert_int_equal(try_share(env, "f", &a, BOTH, BOTH, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_share(&l[0], "a", BOTH, BOTH);
	expect_refused(env, &b, RD, 0, "a");
	/* Downgrade lets b in. */
	assert_int_equal(try_share(env, "f", &a, RD, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_share(&l[0], "a", RD, 0);
	assert_int_equal(try_share(env, "f", &b, BOTH, 0, NULL), 0);
}

static void test_share_release_frees_only_that_owner(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner a_lock = test_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c1", "b");
	struct ulm_owner c = test_open_owner(ULM_PROTO_NFS4, "c3", "c");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_share(env, "f", &a, WR, 0, NULL), 0);
	assert_int_equal(try_share(env, "f", &b, RD, 0, NULL), 0);
	assert_int_equal(try_lock(env, "f", &a, ULM_LOCK_WRITE, 0, 9, NULL), 0);
	/* Releasing an owner that holds no share is not an error. */
	assert_int_equal(ulm_share_release(env, &k, &a_lock), 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	expect_refused(env, &c, RD, WR, "a");
	assert_int_equal(ulm_share_release(env, &k, &a), 0);
	/* b's share and a's byte-range lock stay (listed in id order). */
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_share(&l[0], "b", RD, 0);
	assert_int_equal(l[1].type, ULM_REC_LOCK_WRITE);
	assert_string_equal(l[1].owner, "a");
	assert_int_equal(try_share(env, "f", &c, RD, WR, NULL), 0);
}

static void test_share_invalid_modes(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_share(env, "f", &a, 0, 0, NULL), -EINVAL);
	assert_int_equal(try_share(env, "f", &a, 8, 0, NULL), -EINVAL);
	assert_int_equal(try_share(env, "f", &a, RD | 8, 0, NULL), -EINVAL);
	assert_int_equal(try_share(env, "f", &a, RD, 8, NULL), -EINVAL);
	assert_int_equal(
		ulm_share_acquire(env, &k, &a, RD, 0, ULM_FLAG_WAIT, NULL),
		-EINVAL);
	assert_int_equal(ulm_share_acquire(env, &k, NULL, RD, 0, 0, NULL),
			 -EINVAL);
	assert_int_equal(ulm_share_release(env, NULL, &a), -EINVAL);
	assert_int_equal(test_list(env, "f", l, 4), 0);
}

static void test_share_reclaim_flag_listed(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "c2", "b");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	/* A reclaim of nothing is refused; of what the owner holds, kept. */
	assert_int_equal(
		ulm_share_acquire(env, &k, &a, RD, WR, ULM_FLAG_RECLAIM, NULL),
		-ENOENT);
	assert_int_equal(try_share(env, "f", &a, RD, 0, NULL), 0);
	assert_int_equal(
		ulm_share_acquire(env, &k, &a, RD, WR, ULM_FLAG_RECLAIM, NULL),
		0);
	assert_int_equal(try_share(env, "f", &b, RD, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_int_equal(l[0].flags, ULM_FLAG_RECLAIM);
	assert_share(&l[0], "a", RD, WR);
	assert_int_equal(l[1].flags, 0);
}

static void test_share_never_meets_byte_range_locks(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner b = test_owner(ULM_PROTO_NLM, "host2", "b");
	struct ulm_owner c = test_open_owner(ULM_PROTO_SMB, "c3", "c");
	struct ulm_key k = test_key("f");

	assert_int_equal(
		try_lock(env, "f", &b, ULM_LOCK_WRITE, 0, ULM_EOF, NULL), 0);
	assert_int_equal(try_share(env, "f", &a, BOTH, BOTH, NULL), 0);
	assert_int_equal(drop_lock(env, "f", &b, 0, ULM_EOF), 0);
	assert_int_equal(
		try_lock(env, "f", &b, ULM_LOCK_WRITE, 0, ULM_EOF, NULL), 0);
	assert_int_equal(ulm_lock_test(env, &k, &c, ULM_LOCK_READ, 0, 0, NULL),
			 -EAGAIN); /* b's lock, not a's share */
	expect_refused(env, &c, RD, 0, "a");
}

static int io_check(ulm_env *env, const struct ulm_owner *who, unsigned access,
		    unsigned flags, struct ulm_lock_info *holder)
{
	struct ulm_key key = test_key("f");

	return ulm_share_io_check(env, &key, who, access, flags, holder);
}

static void test_share_io_refused_by_deny(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_key key = test_key("f");
	struct ulm_lock_info holder;

	assert_int_equal(io_check(env, NULL, WR, 0, NULL), 0);
	assert_int_equal(try_share(env, "f", &a, RD, WR, NULL), 0);
	memset(&holder, 0, sizeof(holder));
	assert_int_equal(io_check(env, NULL, WR, 0, &holder), -EAGAIN);
	assert_int_equal(holder.type, ULM_REC_SHARE);
	assert_int_equal(holder.deny, WR);
	assert_memory_equal(holder.owner, "a", 1);
	/* A mandatory deny of write holds against bypass too. */
	assert_int_equal(io_check(env, NULL, WR, ULM_IO_BYPASS, NULL), -EAGAIN);
	assert_int_equal(io_check(env, NULL, RD, 0, NULL), 0);
	/* The holder's own I/O passes its deny. */
	assert_int_equal(io_check(env, &a, WR, 0, NULL), 0);
	assert_int_equal(ulm_share_release(env, &key, &a), 0);
	assert_int_equal(io_check(env, NULL, WR, 0, NULL), 0);
}

static void test_share_io_bypass_passes_advisory_denies(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_owner dos = test_open_owner(ULM_PROTO_NLM, "pc", "dos");
	struct ulm_key key = test_key("f");

	assert_int_equal(try_share(env, "f", &a, WR, RD, NULL), 0);
	assert_int_equal(io_check(env, NULL, RD, 0, NULL), -EAGAIN);
	assert_int_equal(io_check(env, NULL, RD, ULM_IO_BYPASS, NULL), 0);
	assert_int_equal(io_check(env, NULL, WR, 0, NULL), 0);
	assert_int_equal(ulm_share_release(env, &key, &a), 0);
	assert_int_equal(try_share(env, "f", &dos, BOTH, BOTH, NULL), 0);
	assert_int_equal(io_check(env, NULL, WR, 0, NULL), -EAGAIN);
	assert_int_equal(io_check(env, NULL, RD, 0, NULL), -EAGAIN);
	assert_int_equal(io_check(env, NULL, BOTH, ULM_IO_BYPASS, NULL), 0);
}

/* An SMB open without FILE_SHARE_DELETE refuses a REMOVE or RENAME (an
 * I/O check for delete) and another open for DELETE; never an NFS open,
 * a read or a write, nor its own handle's delete. */
static void test_share_delete_deny(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner s = test_open_owner(ULM_PROTO_SMB, "ipv4:pc1", "s");
	struct ulm_owner t = test_open_owner(ULM_PROTO_SMB, "ipv4:pc2", "t");
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct ulm_key key = test_key("f");
	struct ulm_lock_info holder;
	struct test_lock l[4];

	assert_int_equal(io_check(env, NULL, DEL, 0, NULL), 0);
	assert_int_equal(try_share(env, "f", &s, BOTH, DEL, NULL), 0);
	memset(&holder, 0, sizeof(holder));
	assert_int_equal(io_check(env, NULL, DEL, 0, &holder), -EAGAIN);
	assert_int_equal(holder.type, ULM_REC_SHARE);
	assert_int_equal(holder.deny, DEL);
	assert_memory_equal(holder.owner, "s", 1);
	assert_int_equal(io_check(env, NULL, BOTH, 0, NULL), 0);
	assert_int_equal(io_check(env, &s, DEL, 0, NULL), 0);
	assert_int_equal(try_share(env, "f", &a, BOTH, 0, NULL), 0);
	expect_refused(env, &t, DEL, 0, "s");
	expect_refused(env, &t, RD | DEL, 0, "s");
	assert_int_equal(try_share(env, "f", &t, RD, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	assert_share(&l[0], "s", BOTH, DEL);
	assert_int_equal(ulm_share_release(env, &key, &s), 0);
	assert_int_equal(io_check(env, NULL, DEL, 0, NULL), 0);
	/* An open for DELETE alone is a record: it meets a deny of delete. */
	assert_int_equal(try_share(env, "f", &t, DEL, 0, NULL), 0);
	expect_refused(env, &s, RD, DEL, "t");
}

/* A deny of delete stands in no delegation's way: NFS delegations do not
 * cover REMOVE or RENAME, which recall them themselves. */
static void test_share_delete_deny_meets_no_delegation(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner s = test_open_owner(ULM_PROTO_SMB, "ipv4:pc1", "s");
	struct ulm_owner c1 = test_client(ULM_PROTO_NFS4, "c1");
	struct ulm_owner c2 = test_client(ULM_PROTO_NFS4, "c2");
	struct ulm_key key = test_key("f");

	assert_int_equal(try_share(env, "f", &s, RD, DEL, NULL), 0);
	assert_int_equal(
		ulm_deleg_acquire(env, &key, &c1, ULM_DELEG_READ, 0, NULL), 0);
	assert_int_equal(ulm_share_release(env, &key, &s), 0);
	assert_int_equal(try_share(env, "f", &s, RD, DEL, NULL), 0);
	assert_int_equal(
		ulm_deleg_acquire(env, &key, &c2, ULM_DELEG_READ, 0, NULL), 0);
}

static void test_share_io_invalid(void **state)
{
	ulm_env *env = env_of(state);

	assert_int_equal(io_check(env, NULL, 0, 0, NULL), -EINVAL);
	assert_int_equal(io_check(env, NULL, 8, 0, NULL), -EINVAL);
	assert_int_equal(io_check(env, NULL, RD, 0x80, NULL), -EINVAL);
	assert_int_equal(io_check(NULL, NULL, RD, 0, NULL), -EINVAL);
}

/* LMDB, node 2 in a child process: node 1's deny refuses its open and
 * its I/O. */
static int node2_open_refused(ulm_env *env, void *arg)
{
	struct ulm_owner b = test_open_owner(ULM_PROTO_SMB, "host2", "b");
	struct ulm_lock_info info;

	(void)arg;
	NODE_EXPECT(try_share(env, "f", &b, WR, 0, &info) == -EAGAIN);
	NODE_EXPECT(info.type == ULM_REC_SHARE && info.node == 1);
	NODE_EXPECT(info.deny == WR);
	NODE_EXPECT(try_share(env, "f", &b, RD, 0, NULL) == 0);
	NODE_EXPECT(io_check(env, NULL, WR, 0, &info) == -EAGAIN);
	NODE_EXPECT(info.node == 1 && info.deny == WR);
	NODE_EXPECT(io_check(env, NULL, RD, 0, NULL) == 0);
	return 0;
}

static void test_share_deny_across_nodes(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_open_owner(ULM_PROTO_NFS4, "c1", "a");
	struct test_lock l[4];

	assert_int_equal(try_share(f->env, "f", &a, RD, WR, NULL), 0);
	assert_int_equal(fixture_run_node(f, 2, node2_open_refused, NULL), 0);
	assert_int_equal(test_list(f->env, "f", l, 4), 2);
	assert_int_equal(l[1].node, 2);
	assert_int_equal(l[1].protocol, ULM_PROTO_SMB);
}

int main(void)
{
	const struct CMUnitTest both[] = {
		cmocka_unit_test(
			test_share_deny_write_refuses_later_write_open),
		cmocka_unit_test(
			test_share_deny_write_refused_over_earlier_write_open),
		cmocka_unit_test(test_share_deny_read_against_read_access),
		cmocka_unit_test(test_share_same_owner_replaces_its_record),
		cmocka_unit_test(test_share_release_frees_only_that_owner),
		cmocka_unit_test(test_share_invalid_modes),
		cmocka_unit_test(test_share_reclaim_flag_listed),
		cmocka_unit_test(test_share_never_meets_byte_range_locks),
		cmocka_unit_test(test_share_io_refused_by_deny),
		cmocka_unit_test(test_share_io_bypass_passes_advisory_denies),
		cmocka_unit_test(test_share_io_invalid),
		cmocka_unit_test(test_share_delete_deny),
		cmocka_unit_test(test_share_delete_deny_meets_no_delegation),
	};
	const struct CMUnitTest lmdb[] = {
		cmocka_unit_test_setup_teardown(test_share_deny_across_nodes,
						setup_lmdb, teardown_env),
	};

	return RUN_ON_BOTH_STORES("share", both) +
	       cmocka_run_group_tests_name("share/two-nodes", lmdb, NULL, NULL);
}
