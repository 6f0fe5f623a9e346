/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Windows (SMB) byte-range locks beside POSIX ones, on every store, and
 * an SMB lock seen by another node of one LMDB store. */
#include <errno.h>
#include <string.h>
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

static int win_lock(ulm_env *env, const struct ulm_owner *o,
		    enum ulm_lock_type type, uint64_t offset, uint64_t length,
		    struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key("f");

	return ulm_winlock_acquire(env, &k, o, type, offset, length, 0,
				   conflict);
}

static int win_unlock(ulm_env *env, const struct ulm_owner *o, uint64_t offset,
		      uint64_t length)
{
	struct ulm_key k = test_key("f");

	return ulm_winlock_release(env, &k, o, offset, length);
}

static struct ulm_owner smb(const char *handle)
{
	return test_owner(ULM_PROTO_SMB, "smbclient1", handle);
}

/* Locks of one range stack, and go one unlock at a time. */
static void test_winlock_shared_locks_stack(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1");
	struct test_lock l[4];

	assert_int_equal(win_lock(env, &a, R, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, R, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, R, 5, 10, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	assert_true(l[0].start == 0 && l[0].end == 9 && l[1].end == 9);
	assert_true(l[2].start == 5 && l[2].end == 14);
	assert_int_equal(l[0].flags, ULM_FLAG_WINDOWS);
	assert_int_equal(win_unlock(env, &a, 0, 10), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_int_equal(win_unlock(env, &a, 0, 10), 0);
	assert_int_equal(win_unlock(env, &a, 0, 10), -ENOENT);
	/* Only the exact range unlocks. */
	assert_int_equal(win_unlock(env, &a, 5, 5), -ENOENT);
	assert_int_equal(win_unlock(env, &a, 5, 10), 0);
	assert_int_equal(test_list(env, "f", l, 4), 0);
}

/* An exclusive lock is refused over the owner's own locks too; a shared
 * one stacks on the owner's exclusive one (MS-FSA 2.1.5.7). */
static void test_winlock_own_exclusive_refused(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1");
	struct ulm_lock_info info;

	assert_int_equal(win_lock(env, &a, R, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, W, 5, 1, &info), -EAGAIN);
	assert_true(info.start == 0 && info.end == 9);
	assert_int_equal(win_unlock(env, &a, 0, 10), 0);
	assert_int_equal(win_lock(env, &a, W, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, W, 0, 10, NULL), -EAGAIN);
	assert_int_equal(win_lock(env, &a, R, 2, 2, NULL), 0);
}

/* The unlock of a range where both kinds stack takes the exclusive one:
 * another owner may then share it. */
static void test_winlock_unlock_takes_exclusive_first(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1"), b = smb("h2");
	struct test_lock l[4];

	assert_int_equal(win_lock(env, &a, W, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, R, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &b, R, 0, 10, NULL), -EAGAIN);
	assert_int_equal(win_unlock(env, &a, 0, 10), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(l[0].type, ULM_REC_LOCK_READ);
	assert_int_equal(win_lock(env, &b, R, 0, 10, NULL), 0);
}

/* Other owners, of any protocol: a clash wherever one side is exclusive. */
static void test_winlock_meets_posix_locks(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1"), b = smb("h2");
	struct ulm_owner nfs = test_owner(ULM_PROTO_NFS4, "c1", "lo");
	struct ulm_key k = test_key("f");
	struct ulm_lock_info info;

	assert_int_equal(win_lock(env, &a, R, 100, 10, NULL), 0);
	assert_int_equal(win_lock(env, &b, R, 105, 10, NULL), 0);
	assert_int_equal(try_lock(env, "f", &nfs, R, 0, 200, NULL), 0);
	assert_int_equal(drop_lock(env, "f", &nfs, 0, 200), 0);
	assert_int_equal(try_lock(env, "f", &nfs, W, 109, 109, &info), -EAGAIN);
	assert_int_equal(info.protocol, ULM_PROTO_SMB);
	assert_int_equal(info.flags, ULM_FLAG_WINDOWS);
	assert_int_equal(ulm_lock_test(env, &k, &nfs, W, 0, ULM_EOF, NULL),
			 -EAGAIN);
	assert_int_equal(try_lock(env, "f", &nfs, W, 0, 99, NULL), 0);
	assert_int_equal(win_lock(env, &b, W, 50, 1, &info), -EAGAIN);
	assert_int_equal(info.protocol, ULM_PROTO_NFS4);
	assert_int_equal(win_lock(env, &b, R, 99, 2, NULL), -EAGAIN);
	assert_int_equal(win_lock(env, &b, W, 200, 1, NULL), 0);
}

/* A lock of length 0 clashes with nothing and goes only by an unlock of
 * length 0 at its offset. */
static void test_winlock_zero_length(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1"), b = smb("h2");
	struct test_lock l[4];

	assert_int_equal(win_lock(env, &a, W, 0, 100, NULL), 0);
	assert_int_equal(win_lock(env, &b, W, 10, 0, NULL), 0);
	assert_int_equal(win_lock(env, &a, W, 10, 0, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 3);
	assert_int_equal(l[1].flags, ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY);
	assert_int_equal(win_unlock(env, &a, 0, 100), 0);
	assert_int_equal(win_lock(env, &a, R, 10, 1, NULL), 0);
	assert_int_equal(win_unlock(env, &b, 10, 1), -ENOENT);
	assert_int_equal(win_unlock(env, &b, 10, 0), 0);
	assert_int_equal(win_unlock(env, &b, 10, 0), -ENOENT);
}

/* 64-bit offsets: up to the last byte, not past it. */
static void test_winlock_range_limits(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1");
	struct test_lock l[4];

	assert_int_equal(win_lock(env, &a, W, UINT64_MAX, 1, NULL), 0);
	assert_int_equal(win_lock(env, &a, W, UINT64_MAX, 2, NULL), -EINVAL);
	assert_int_equal(win_lock(env, &a, W, 2, UINT64_MAX, NULL), -EINVAL);
	assert_int_equal(win_lock(env, &a, W, UINT64_MAX - 1, 2, NULL),
			 -EAGAIN);
	assert_int_equal(win_lock(env, &a, W, 0, UINT64_MAX - 1, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_true(l[0].start == 0 && l[0].end == UINT64_MAX - 2);
	assert_true(l[1].start == UINT64_MAX && l[1].end == UINT64_MAX);
	assert_int_equal(win_unlock(env, &a, UINT64_MAX, 1), 0);
}

/* The owner's POSIX release (an SMB handle closed: the whole file) takes
 * its Windows locks whole, and never cuts one. */
static void test_winlock_release_all_never_splits(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1");
	struct test_lock l[4];

	assert_int_equal(win_lock(env, &a, W, 0, 10, NULL), 0);
	assert_int_equal(win_lock(env, &a, R, 20, 10, NULL), 0);
	assert_int_equal(drop_lock(env, "f", &a, 0, 4), 0);
	assert_int_equal(test_list(env, "f", l, 4), 2);
	assert_true(l[0].start == 0 && l[0].end == 9);
	assert_int_equal(drop_lock(env, "f", &a, 0, ULM_EOF), 0);
	assert_int_equal(test_list(env, "f", l, 4), 0);
}

static void test_winlock_invalid(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1");
	struct ulm_key k = test_key("f");

	assert_int_equal(ulm_winlock_acquire(env, &k, &a, W, 0, 1,
					     ULM_FLAG_RECLAIM, NULL),
			 -EINVAL);
	assert_int_equal(ulm_winlock_acquire(env, &k, &a, 7, 0, 1, 0, NULL),
			 -EINVAL);
	assert_int_equal(ulm_winlock_acquire(NULL, &k, &a, W, 0, 1, 0, NULL),
			 -EINVAL);
	assert_int_equal(ulm_winlock_release(env, &k, &a, 2, UINT64_MAX),
			 -EINVAL);
}

static int io(ulm_env *env, const struct ulm_owner *o, unsigned access,
	      uint64_t start, uint64_t end, unsigned flags,
	      struct ulm_lock_info *holder)
{
	struct ulm_key k = test_key("f");

	return ulm_io_check(env, &k, o, access, start, end, flags, holder);
}

/* The mandatory bridge: I/O meets other owners' Windows locks in its
 * range (an exclusive one refuses a read, any a write), never POSIX ones,
 * and only when asked. */
static void test_winlock_io_check(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = smb("h1"), b = smb("h2");
	struct ulm_owner nfs = test_owner(ULM_PROTO_NFS4, "c1", "lo");
	const unsigned rd = ULM_SHARE_READ, wr = ULM_SHARE_WRITE;
	const unsigned locks = ULM_IO_LOCKS;
	struct ulm_lock_info holder;

	assert_int_equal(try_lock(env, "f", &nfs, W, 500, 599, NULL), 0);
	assert_int_equal(io(env, NULL, wr, 500, 599, locks, NULL), 0);
	assert_int_equal(win_lock(env, &a, W, 0, 100, NULL), 0);
	assert_int_equal(win_lock(env, &b, R, 200, 100, NULL), 0);
	assert_int_equal(win_lock(env, &b, W, 150, 0, NULL), 0);
	assert_int_equal(io(env, NULL, rd, 50, 60, locks, &holder), -EAGAIN);
	assert_int_equal(holder.type, ULM_REC_LOCK_WRITE);
	assert_int_equal(holder.flags, ULM_FLAG_WINDOWS);
	assert_true(holder.start == 0 && holder.end == 99);
	assert_int_equal(io(env, NULL, wr, 99, 99, locks, NULL), -EAGAIN);
	assert_int_equal(io(env, NULL, wr, 99, 99, locks | ULM_IO_BYPASS, NULL),
			 -EAGAIN);
	assert_int_equal(io(env, NULL, wr, 99, 99, 0, NULL), 0);
	assert_int_equal(io(env, NULL, wr, 100, 199, locks, NULL), 0);
	assert_int_equal(io(env, NULL, rd, 250, 260, locks, NULL), 0);
	assert_int_equal(io(env, &nfs, wr, 250, 260, locks, &holder), -EAGAIN);
	assert_int_equal(holder.type, ULM_REC_LOCK_READ);
	/* The lock's own open passes its locks. */
	assert_int_equal(io(env, &a, wr, 0, 99, locks, NULL), 0);
	assert_int_equal(win_unlock(env, &a, 0, 100), 0);
	assert_int_equal(io(env, NULL, wr, 0, 99, locks, NULL), 0);
}

static int node2_posix_refused(ulm_env *env, void *arg)
{
	struct ulm_owner nfs = test_owner(ULM_PROTO_NFS4, "c2", "lo");
	struct ulm_lock_info info;

	(void)arg;
	NODE_EXPECT(try_lock(env, "f", &nfs, R, 0, 0, &info) == -EAGAIN);
	NODE_EXPECT(info.node == 1 && info.protocol == ULM_PROTO_SMB);
	NODE_EXPECT(try_lock(env, "f", &nfs, R, 10, 10, NULL) == 0);
	return 0;
}

static void test_winlock_across_nodes(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = smb("h1");

	assert_int_equal(win_lock(f->env, &a, W, 0, 10, NULL), 0);
	assert_int_equal(fixture_run_node(f, 2, node2_posix_refused, NULL), 0);
	assert_int_equal(win_lock(f->env, &a, R, 10, 1, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_winlock_shared_locks_stack),
		cmocka_unit_test(test_winlock_own_exclusive_refused),
		cmocka_unit_test(test_winlock_unlock_takes_exclusive_first),
		cmocka_unit_test(test_winlock_meets_posix_locks),
		cmocka_unit_test(test_winlock_zero_length),
		cmocka_unit_test(test_winlock_range_limits),
		cmocka_unit_test(test_winlock_release_all_never_splits),
		cmocka_unit_test(test_winlock_invalid),
		cmocka_unit_test(test_winlock_io_check),
	};
	const struct CMUnitTest lmdb[] = {
		cmocka_unit_test_setup_teardown(test_winlock_across_nodes,
						setup_lmdb, teardown_env),
	};

	return RUN_ON_BOTH_STORES("winlock", both) +
	       cmocka_run_group_tests_name("winlock/two-nodes", lmdb, NULL,
					   NULL);
}
