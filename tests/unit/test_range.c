/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Range algebra: offsets and lengths, overlap and adjacency at the edges
 * of the 64-bit space, and the plans of one owner's changes. */
#include <errno.h>
#include "range.h"
#include "ulm_test.h"

#define R ULM_LOCK_READ
#define W ULM_LOCK_WRITE

static void assert_piece(const struct range_piece *p, uint64_t start,
			 uint64_t end, enum ulm_lock_type type, int source)
{
	assert_int_equal(p->span.start, start);
	assert_int_equal(p->span.end, end);
	assert_int_equal(p->span.type, type);
	assert_int_equal(p->source, source);
}

static void test_range_length_zero_is_eof(void **state)
{
	uint64_t s, e;

	(void)state;
	ulm_range_from_length(100, 0, &s, &e);
	assert_int_equal(s, 100);
	assert_true(e == ULM_EOF);
}

static void test_range_length_one_is_one_byte(void **state)
{
	uint64_t s, e;

	(void)state;
	ulm_range_from_length(7, 1, &s, &e);
	assert_int_equal(s, 7);
	assert_int_equal(e, 7);
}

static void test_range_length_overflow_clamps(void **state)
{
	uint64_t s, e;

	(void)state;
	ulm_range_from_length(UINT64_MAX - 10, 100, &s, &e);
	assert_true(e == ULM_EOF);
	ulm_range_from_length(UINT64_MAX, 1, &s, &e);
	assert_true(s == UINT64_MAX && e == UINT64_MAX);
	ulm_range_from_length(1, UINT64_MAX, &s, &e);
	assert_true(e == ULM_EOF);
	ulm_range_from_length(0, UINT64_MAX, &s, &e);
	assert_true(e == UINT64_MAX - 1);
}

static void test_range_start_after_end_rejected(void **state)
{
	(void)state;
	assert_int_equal(range_validate(5, 4), -EINVAL);
	assert_int_equal(range_validate(4, 4), 0);
	assert_int_equal(range_validate(0, ULM_EOF), 0);
}

static void test_range_touch_at_limits(void **state)
{
	(void)state;
	assert_true(range_touch(0, 9, 10, 19));
	assert_false(range_touch(0, 9, 11, 19));
	assert_true(range_touch(0, UINT64_MAX, 0, 0));
	assert_true(range_touch(UINT64_MAX, UINT64_MAX, 0, UINT64_MAX - 1));
	assert_false(range_touch(UINT64_MAX, UINT64_MAX, 0, UINT64_MAX - 2));
	assert_false(range_overlap(0, 9, 10, 19));
	assert_true(range_overlap(5, ULM_EOF, ULM_EOF, ULM_EOF));
}

static void test_range_conflict_needs_a_writer(void **state)
{
	struct ulm_span r1 = {0, 9, R}, r2 = {5, 15, R}, w = {9, 9, W};
	struct ulm_span far = {10, 20, W};

	(void)state;
	assert_false(range_conflict(&r1, &r2));
	assert_true(range_conflict(&r1, &w));
	assert_true(range_conflict(&w, &r2));
	assert_false(range_conflict(&r1, &far));
}

static void test_range_widen_clamps(void **state)
{
	uint64_t s, e;

	(void)state;
	range_widen(0, ULM_EOF, &s, &e);
	assert_true(s == 0 && e == ULM_EOF);
	range_widen(5, 9, &s, &e);
	assert_true(s == 4 && e == 10);
}

static void test_range_acquire_merges_adjacent(void **state)
{
	struct ulm_span held[] = {{0, 9, R}, {20, 29, R}};
	struct ulm_span req = {10, 19, R};
	bool remove[2];
	struct range_plan plan;

	(void)state;
	range_plan_acquire(&req, held, 2, remove, &plan);
	assert_true(remove[0] && remove[1]);
	assert_int_equal(plan.n_add, 1);
	assert_piece(&plan.add[0], 0, 29, R, -1);
}

static void test_range_acquire_merges_overlap(void **state)
{
	struct ulm_span held[] = {{5, 15, W}};
	struct ulm_span req = {10, 30, W};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_acquire(&req, held, 1, remove, &plan);
	assert_true(remove[0]);
	assert_int_equal(plan.n_add, 1);
	assert_piece(&plan.add[0], 5, 30, W, -1);
}

static void test_range_acquire_keeps_adjacent_other_type(void **state)
{
	struct ulm_span held[] = {{0, 9, W}};
	struct ulm_span req = {10, 19, R};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_acquire(&req, held, 1, remove, &plan);
	assert_false(remove[0]);
	assert_int_equal(plan.n_add, 1);
	assert_piece(&plan.add[0], 10, 19, R, -1);
}

static void test_range_downgrade_splits_atomically(void **state)
{
	struct ulm_span held[] = {{0, 99, W}};
	struct ulm_span req = {40, 59, R};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_acquire(&req, held, 1, remove, &plan);
	assert_true(remove[0]);
	assert_int_equal(plan.n_add, 3);
	assert_piece(&plan.add[0], 0, 39, W, 0);
	assert_piece(&plan.add[1], 60, 99, W, 0);
	assert_piece(&plan.add[2], 40, 59, R, -1);
}

static void test_range_upgrade_replaces_and_merges(void **state)
{
	/* R[0,9] W[10,19] R[20,29]; W over [5,24]: one W[5,24] plus the
	 * outer read remnants, with W[10,19] merged in. */
	struct ulm_span held[] = {{0, 9, R}, {10, 19, W}, {20, 29, R}};
	struct ulm_span req = {5, 24, W};
	bool remove[3];
	struct range_plan plan;

	(void)state;
	range_plan_acquire(&req, held, 3, remove, &plan);
	assert_true(remove[0] && remove[1] && remove[2]);
	assert_int_equal(plan.n_add, 3);
	assert_piece(&plan.add[0], 0, 4, R, 0);
	assert_piece(&plan.add[1], 25, 29, R, 2);
	assert_piece(&plan.add[2], 5, 24, W, -1);
}

static void test_range_release_splits(void **state)
{
	struct ulm_span held[] = {{0, ULM_EOF, W}};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_release(10, 19, held, 1, remove, &plan);
	assert_true(remove[0]);
	assert_int_equal(plan.n_add, 2);
	assert_piece(&plan.add[0], 0, 9, W, 0);
	assert_piece(&plan.add[1], 20, ULM_EOF, W, 0);
}

static void test_range_release_at_uint64_max(void **state)
{
	struct ulm_span held[] = {{0, ULM_EOF, R}};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_release(ULM_EOF, ULM_EOF, held, 1, remove, &plan);
	assert_int_equal(plan.n_add, 1);
	assert_piece(&plan.add[0], 0, UINT64_MAX - 1, R, 0);
	range_plan_release(0, 0, held, 1, remove, &plan);
	assert_int_equal(plan.n_add, 1);
	assert_piece(&plan.add[0], 1, ULM_EOF, R, 0);
}

static void test_range_release_untouched_keeps(void **state)
{
	struct ulm_span held[] = {{0, 9, R}};
	bool remove[1];
	struct range_plan plan;

	(void)state;
	range_plan_release(10, 19, held, 1, remove, &plan);
	assert_false(remove[0]);
	assert_int_equal(plan.n_add, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_length_zero_is_eof),
		cmocka_unit_test(test_range_length_one_is_one_byte),
		cmocka_unit_test(test_range_length_overflow_clamps),
		cmocka_unit_test(test_range_start_after_end_rejected),
		cmocka_unit_test(test_range_touch_at_limits),
		cmocka_unit_test(test_range_conflict_needs_a_writer),
		cmocka_unit_test(test_range_widen_clamps),
		cmocka_unit_test(test_range_acquire_merges_adjacent),
		cmocka_unit_test(test_range_acquire_merges_overlap),
		cmocka_unit_test(test_range_acquire_keeps_adjacent_other_type),
		cmocka_unit_test(test_range_downgrade_splits_atomically),
		cmocka_unit_test(test_range_upgrade_replaces_and_merges),
		cmocka_unit_test(test_range_release_splits),
		cmocka_unit_test(test_range_release_at_uint64_max),
		cmocka_unit_test(test_range_release_untouched_keeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
