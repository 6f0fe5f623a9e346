/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Delegations, on every store: when one is granted, what refuses it,
 * what recalls it (ULM_EDELEG and a ULM_EVENT_RECALL to its node), what
 * never does (its own client), and the recall sent across two nodes of
 * one LMDB store.
 */
#include <errno.h>
#include <string.h>
#include "ulm_test.h"

#define RD   ULM_SHARE_READ
#define WR   ULM_SHARE_WRITE
#define BOTH ULM_SHARE_BOTH

static ulm_env *env_of(void **state)
{
	return ((struct fixture *)*state)->env;
}

/* Client A holds the delegations; client B does the rest. */
static struct ulm_owner client_a(void)
{
	return test_client(ULM_PROTO_NFS4, "A");
}

/* What another client may hold on a file. */
enum held {
	HELD_READ_LOCK,
	HELD_WRITE_LOCK,
	HELD_READ_OPEN,
	HELD_WRITE_OPEN,
	HELD_DENY,
	HELD_READ_DELEG,
	HELD_WRITE_DELEG,
	HELD_WRITE_WAIT,
};

/* @p client's lock-owner "lo" and open-owner "oo" take @p what on @p file;
 * the record it makes is the one at the lowest start (a queued write
 * starts before the read lock of the client's other owner it waits for). */
static void hold(ulm_env *env, const char *file, const char *client,
		 enum held what)
{
	struct ulm_owner lo = test_owner(ULM_PROTO_NFS4, client, "lo");
	struct ulm_owner oo = test_open_owner(ULM_PROTO_NFS4, client, "oo");
	struct ulm_owner cl = test_client(ULM_PROTO_NFS4, client);
	struct ulm_owner blocker = test_owner(ULM_PROTO_NFS4, client, "x");

	switch (what) {
	case HELD_READ_LOCK:
	case HELD_WRITE_LOCK:
		assert_int_equal(try_lock(env, file, &lo,
					  what == HELD_READ_LOCK
						  ? ULM_LOCK_READ
						  : ULM_LOCK_WRITE,
					  0, 9, NULL),
				 0);
		break;
	case HELD_READ_OPEN:
	case HELD_WRITE_OPEN:
	case HELD_DENY:
		assert_int_equal(try_share(env, file, &oo,
					   what == HELD_WRITE_OPEN ? WR : RD,
					   what == HELD_DENY ? RD : 0, NULL),
				 0);
		break;
	case HELD_READ_DELEG:
	case HELD_WRITE_DELEG:
		assert_int_equal(try_deleg(env, file, &cl,
					   what == HELD_READ_DELEG
						   ? ULM_DELEG_READ
						   : ULM_DELEG_WRITE,
					   NULL),
				 0);
		break;
	case HELD_WRITE_WAIT:
		assert_int_equal(try_lock(env, file, &blocker, ULM_LOCK_READ,
					  100, 199, NULL),
				 0);
		assert_int_equal(try_wait(env, file, &lo, ULM_LOCK_WRITE, 0,
					  199, 0, NULL),
				 -EAGAIN);
		break;
	}
}

static const enum ulm_record_type held_type[] = {
	[HELD_READ_LOCK] = ULM_REC_LOCK_READ,
	[HELD_WRITE_LOCK] = ULM_REC_LOCK_WRITE,
	[HELD_READ_OPEN] = ULM_REC_SHARE,
	[HELD_WRITE_OPEN] = ULM_REC_SHARE,
	[HELD_DENY] = ULM_REC_SHARE,
	[HELD_READ_DELEG] = ULM_REC_DELEG_READ,
	[HELD_WRITE_DELEG] = ULM_REC_DELEG_WRITE,
	[HELD_WRITE_WAIT] = ULM_REC_WAIT_WRITE,
};

static const char *const held_file[] = {
	"read-lock", "write-lock", "read-open",	  "write-open",
	"deny",	     "read-deleg", "write-deleg", "write-wait",
};

#define N_HELD (sizeof(held_type) / sizeof(held_type[0]))

/* Client A asks for @p type over each thing B holds; @p refused[what]
 * says whether it must be refused (-EAGAIN naming B's record, no recall
 * sent) or granted. */
static void deleg_over_each(ulm_env *env, enum ulm_deleg_type type,
			    const bool *refused)
{
	struct ulm_owner a = client_a();

	for (size_t what = 0; what < N_HELD; what++) {
		const char *file = held_file[what];
		struct ulm_lock_info info;

		hold(env, file, "B", (enum held)what);
		memset(&info, 0, sizeof(info));
		if (!refused[what]) {
			assert_int_equal(try_deleg(env, file, &a, type, NULL),
					 0);
			continue;
		}
		assert_int_equal(try_deleg(env, file, &a, type, &info),
				 -EAGAIN);
		assert_int_equal(info.type, held_type[what]);
		assert_memory_equal(info.client, "B", 1);
		expect_no_event(env);
	}
}

static void test_deleg_read_refused_by_writes_and_denies(void **state)
{
	static const bool refused[N_HELD] = {
		[HELD_WRITE_LOCK] = true, [HELD_WRITE_OPEN] = true,
		[HELD_DENY] = true,	  [HELD_WRITE_DELEG] = true,
		[HELD_WRITE_WAIT] = true,
	};

	deleg_over_each(env_of(state), ULM_DELEG_READ, refused);
}

static void test_deleg_write_refused_by_anything(void **state)
{
	static const bool refused[N_HELD] = {
		true, true, true, true, true, true, true, true,
	};

	deleg_over_each(env_of(state), ULM_DELEG_WRITE, refused);
}

static void test_deleg_own_client_never_refused(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();

	for (size_t what = 0; what < N_HELD; what++) {
		if (what == HELD_READ_DELEG || what == HELD_WRITE_DELEG)
			continue; /* those are a's own, replaced below */
		hold(env, held_file[what], "A", (enum held)what);
		assert_int_equal(try_deleg(env, held_file[what], &a,
					   ULM_DELEG_WRITE, NULL),
				 0);
	}
	expect_no_event(env);
}

static void test_deleg_granted_and_listed(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(l[0].type, ULM_REC_DELEG_READ);
	assert_int_equal(l[0].kind, ULM_OWNER_CLIENT);
	assert_true(l[0].start == 0 && l[0].end == ULM_EOF);
	assert_string_equal(l[0].client, "A");
	/* The same client's next delegation replaces it. */
	assert_int_equal(ulm_deleg_acquire(env, &k, &a, ULM_DELEG_WRITE,
					   ULM_FLAG_RECLAIM, NULL),
			 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(l[0].type, ULM_REC_DELEG_WRITE);
	assert_int_equal(l[0].flags, ULM_FLAG_RECLAIM);
}

/* What client B (or no client: NFSv3) tries against A's delegation. */
enum attempt {
	TRY_READ_LOCK,
	TRY_WRITE_LOCK,
	TRY_READ_OPEN,
	TRY_WRITE_OPEN,
	TRY_DENY,
	TRY_READ_ACCESS,
	TRY_WRITE_ACCESS,
	TRY_NFS3_READ,
	TRY_NFS3_WRITE,
	TRY_IO_READ, /* the I/O check: delegations and denies at once */
	TRY_IO_WRITE,
};

#define N_ATTEMPTS (TRY_IO_WRITE + 1)

static int try_io(ulm_env *env, const char *file, unsigned access,
		  struct ulm_lock_info *conflict)
{
	struct ulm_key key = test_key(file);

	return ulm_share_io_check(env, &key, NULL, access, ULM_IO_RECALL,
				  conflict);
}

static int attempt(ulm_env *env, const char *file, enum attempt what,
		   struct ulm_lock_info *conflict)
{
	struct ulm_owner lo = test_owner(ULM_PROTO_NFS4, "B", "lo");
	struct ulm_owner oo = test_open_owner(ULM_PROTO_NFS4, "B", "oo");

	switch (what) {
	case TRY_READ_LOCK:
		return try_lock(env, file, &lo, ULM_LOCK_READ, 5, 5, conflict);
	case TRY_WRITE_LOCK:
		return try_lock(env, file, &lo, ULM_LOCK_WRITE, 5, 5, conflict);
	case TRY_READ_OPEN:
		return try_share(env, file, &oo, RD, 0, conflict);
	case TRY_WRITE_OPEN:
		return try_share(env, file, &oo, WR, 0, conflict);
	case TRY_DENY:
		return try_share(env, file, &oo, RD, RD, conflict);
	case TRY_READ_ACCESS:
		return try_access(env, file, &lo, RD, conflict);
	case TRY_WRITE_ACCESS:
		return try_access(env, file, &lo, WR, conflict);
	case TRY_NFS3_READ:
		return try_access(env, file, NULL, RD, conflict);
	case TRY_NFS3_WRITE:
		return try_access(env, file, NULL, WR, conflict);
	case TRY_IO_READ:
		return try_io(env, file, RD, conflict);
	case TRY_IO_WRITE:
		return try_io(env, file, WR, conflict);
	}
	return -EINVAL;
}

/* Each attempt on a fresh file holding A's delegation of @p type: a
 * recall gives ULM_EDELEG naming the delegation, sends exactly one
 * RECALL carrying the file and the delegation, and grants nothing. */
static void attempts_against(ulm_env *env, enum ulm_deleg_type type,
			     const bool *recalls)
{
	enum ulm_record_type rec = type == ULM_DELEG_READ ? ULM_REC_DELEG_READ
							  : ULM_REC_DELEG_WRITE;
	struct ulm_owner a = client_a();

	for (int what = 0; what < N_ATTEMPTS; what++) {
		char file[32];
		struct ulm_lock_info info;
		struct test_event ev;
		struct test_lock l[4];

		snprintf(file, sizeof(file), "f%d", what);
		assert_int_equal(try_deleg(env, file, &a, type, NULL), 0);
		if (!recalls[what]) {
			assert_int_equal(attempt(env, file, what, NULL), 0);
			expect_no_event(env);
			continue;
		}
		assert_int_equal(attempt(env, file, what, &info), ULM_EDELEG);
		assert_int_equal(info.type, rec);
		assert_int_equal(info.kind, ULM_OWNER_CLIENT);
		assert_memory_equal(info.client, "A", 1);
		expect_one_event(env, ULM_EVENT_RECALL, file, rec, "A", &ev);
		assert_int_equal(ev.record.kind, ULM_OWNER_CLIENT);
		assert_true(ev.record.start == 0 && ev.record.end == ULM_EOF);
		assert_int_equal(ev.record.node, 1);
		assert_int_equal(test_list(env, file, l, 4), 1);
	}
}

static void test_deleg_read_recalled_by_writes_and_denies(void **state)
{
	static const bool recalls[N_ATTEMPTS] = {
		[TRY_WRITE_LOCK] = true, [TRY_WRITE_OPEN] = true,
		[TRY_DENY] = true,	 [TRY_WRITE_ACCESS] = true,
		[TRY_NFS3_WRITE] = true, [TRY_IO_WRITE] = true,
	};

	attempts_against(env_of(state), ULM_DELEG_READ, recalls);
}

static void test_deleg_write_recalled_by_anything(void **state)
{
	static const bool recalls[N_ATTEMPTS] = {
		true, true, true, true, true, true,
		true, true, true, true, true,
	};

	attempts_against(env_of(state), ULM_DELEG_WRITE, recalls);
}

static void test_deleg_own_client_never_recalled(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner lo = test_owner(ULM_PROTO_NFS4, "A", "lo");
	struct ulm_owner oo = test_open_owner(ULM_PROTO_NFS4, "A", "oo");

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_WRITE, NULL), 0);
	assert_int_equal(
		try_lock(env, "f", &lo, ULM_LOCK_WRITE, 0, ULM_EOF, NULL), 0);
	assert_int_equal(try_share(env, "f", &oo, BOTH, BOTH, NULL), 0);
	assert_int_equal(try_access(env, "f", &lo, BOTH, NULL), 0);
	assert_int_equal(try_access(env, "f", &a, WR, NULL), 0);
	expect_no_event(env);
}

static void test_deleg_other_protocol_is_another_client(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner smb = test_owner(ULM_PROTO_SMB, "A", "lo");

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL), 0);
	assert_int_equal(try_lock(env, "f", &smb, ULM_LOCK_WRITE, 0, 0, NULL),
			 ULM_EDELEG);
	expect_one_event(env, ULM_EVENT_RECALL, "f", ULM_REC_DELEG_READ, "A",
			 NULL);
}

/* Two clients' read delegations: one conflicting open recalls both at
 * once, so the request waits for one recall round, not one per holder. */
static void test_deleg_every_holder_recalled(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner c = test_client(ULM_PROTO_NFS4, "C");
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "B", "oo");
	struct test_event ev[4];

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL), 0);
	assert_int_equal(try_deleg(env, "f", &c, ULM_DELEG_READ, NULL), 0);
	assert_int_equal(try_share(env, "f", &b, WR, 0, NULL), ULM_EDELEG);
	assert_int_equal(test_events(env, 0, ev, 4), 2);
	assert_int_equal(ev[0].kind, ULM_EVENT_RECALL);
	assert_int_equal(ev[1].kind, ULM_EVENT_RECALL);
	assert_true((strcmp(ev[0].record.client, "A") == 0 &&
		     strcmp(ev[1].record.client, "C") == 0) ||
		    (strcmp(ev[0].record.client, "C") == 0 &&
		     strcmp(ev[1].record.client, "A") == 0));
}

static void test_deleg_release_lets_conflict_in(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "B", "lo");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_WRITE, NULL), 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_READ, 0, 9, NULL),
			 ULM_EDELEG);
	assert_int_equal(ulm_deleg_release(env, &k, &a), 0);
	assert_int_equal(try_lock(env, "f", &b, ULM_LOCK_READ, 0, 9, NULL), 0);
	assert_int_equal(test_list(env, "f", l, 4), 1);
	assert_int_equal(l[0].type, ULM_REC_LOCK_READ);
	/* Releasing what is not held is not an error. */
	assert_int_equal(ulm_deleg_release(env, &k, &a), 0);
}

static void test_deleg_invalid_arguments(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner lo = test_owner(ULM_PROTO_NFS4, "A", "lo");
	struct ulm_owner oo = test_open_owner(ULM_PROTO_NFS4, "A", "oo");
	struct ulm_key k = test_key("f");
	struct test_lock l[4];

	assert_int_equal(try_deleg(env, "f", &lo, ULM_DELEG_READ, NULL),
			 -EINVAL);
	assert_int_equal(try_deleg(env, "f", &oo, ULM_DELEG_READ, NULL),
			 -EINVAL);
	assert_int_equal(try_deleg(env, "f", &a, 3, NULL), -EINVAL);
	assert_int_equal(ulm_deleg_acquire(env, &k, &a, ULM_DELEG_READ,
					   ULM_FLAG_WAIT, NULL),
			 -EINVAL);
	assert_int_equal(ulm_deleg_release(env, &k, &oo), -EINVAL);
	assert_int_equal(try_access(env, "f", &a, 0, NULL), -EINVAL);
	assert_int_equal(try_access(env, "f", &a, 4, NULL), -EINVAL);
	assert_int_equal(test_list(env, "f", l, 4), 0);
}

static void test_deleg_lapsed_request_does_not_refuse(void **state)
{
	ulm_env *env = env_of(state);
	struct ulm_owner a = client_a();
	struct ulm_owner b = test_owner(ULM_PROTO_NFS4, "B", "lo");
	struct ulm_owner x = test_owner(ULM_PROTO_NLM, "other", "x");

	assert_int_equal(try_lock(env, "f", &x, ULM_LOCK_READ, 100, 199, NULL),
			 0);
	/* Lapsed already: it lapses 1 ms after the epoch. */
	assert_int_equal(
		try_wait(env, "f", &b, ULM_LOCK_WRITE, 0, 199, 1, NULL),
		-EAGAIN);
	assert_int_equal(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL), 0);
}

/* LMDB, two nodes: a delegation granted on node 2 is recalled there. */
static int node2_grant(ulm_env *env, void *arg)
{
	struct ulm_owner a = client_a();

	(void)arg;
	NODE_EXPECT(try_deleg(env, "f", &a, ULM_DELEG_READ, NULL) == 0);
	return 0;
}

static int node2_take_recall(ulm_env *env, void *arg)
{
	struct test_event ev[4];

	(void)arg;
	NODE_EXPECT(test_events(env, 0, ev, 4) == 1);
	NODE_EXPECT(ev[0].kind == ULM_EVENT_RECALL);
	NODE_EXPECT(strcmp(ev[0].record.file, "f") == 0);
	NODE_EXPECT(ev[0].record.type == ULM_REC_DELEG_READ);
	NODE_EXPECT(strcmp(ev[0].record.client, "A") == 0);
	NODE_EXPECT(ev[0].record.node == 2);
	/* Delivered once. */
	NODE_EXPECT(test_events(env, 0, ev, 4) == 0);
	return 0;
}

static void test_deleg_recall_goes_to_granting_node(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner b = test_open_owner(ULM_PROTO_NFS4, "B", "oo");
	struct ulm_lock_info info;

	assert_int_equal(fixture_run_node(f, 2, node2_grant, NULL), 0);
	assert_int_equal(try_share(f->env, "f", &b, WR, 0, &info), ULM_EDELEG);
	assert_int_equal(info.node, 2);
	expect_no_event(f->env);
	assert_int_equal(fixture_run_node(f, 2, node2_take_recall, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_deleg_granted_and_listed),
		cmocka_unit_test(test_deleg_read_refused_by_writes_and_denies),
		cmocka_unit_test(test_deleg_write_refused_by_anything),
		cmocka_unit_test(test_deleg_own_client_never_refused),
		cmocka_unit_test(test_deleg_read_recalled_by_writes_and_denies),
		cmocka_unit_test(test_deleg_write_recalled_by_anything),
		cmocka_unit_test(test_deleg_own_client_never_recalled),
		cmocka_unit_test(test_deleg_other_protocol_is_another_client),
		cmocka_unit_test(test_deleg_every_holder_recalled),
		cmocka_unit_test(test_deleg_release_lets_conflict_in),
		cmocka_unit_test(test_deleg_invalid_arguments),
		cmocka_unit_test(test_deleg_lapsed_request_does_not_refuse),
	};
	const struct CMUnitTest lmdb[] = {
		cmocka_unit_test_setup_teardown(
			test_deleg_recall_goes_to_granting_node, setup_lmdb,
			teardown_env),
	};

	return RUN_ON_BOTH_STORES("deleg", both) +
	       cmocka_run_group_tests_name("deleg/two-nodes", lmdb, NULL, NULL);
}
