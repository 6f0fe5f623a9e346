/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Record encoding: round trip, and every malformed input refused. */
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "ulm_test.h"

static struct ulm_record sample(void)
{
	struct ulm_record r = {
		.type = ULM_REC_LOCK_WRITE,
		.start = 0x0102030405060708ULL,
		.end = ULM_EOF,
		.node = 7,
		.epoch = 3,
		.owner = {.protocol = ULM_PROTO_NFS4,
			  .kind = ULM_OWNER_LOCK,
			  .node = 9,
			  .client = "client",
			  .client_len = 6,
			  .owner = "own",
			  .owner_len = 3},
	};
	return r;
}

static void test_record_round_trip(void **state)
{
	struct ulm_record in = sample(), out;
	uint8_t buf[128];

	(void)state;
	assert_int_equal(record_encoded_len(&in), RECORD_HEADER_LEN + 9);
	record_encode(&in, buf);
	assert_int_equal(buf[0], RECORD_FORMAT);
	assert_int_equal(buf[16], 0x01); /* big-endian start */
	assert_int_equal(record_decode(buf, record_encoded_len(&in), &out), 0);
	assert_true(out.start == in.start && out.end == in.end);
	assert_int_equal(out.type, in.type);
	assert_int_equal(out.node, 7);
	assert_int_equal(out.epoch, 3);
	assert_int_equal(out.owner.node, 9);
	assert_int_equal(out.owner.protocol, ULM_PROTO_NFS4);
	assert_memory_equal(out.owner.client, "client", 6);
	assert_memory_equal(out.owner.owner, "own", 3);
}

static void test_record_truncated_is_corrupt(void **state)
{
	struct ulm_record in = sample(), out;
	size_t len = record_encoded_len(&in);
	uint8_t buf[128];

	(void)state;
	record_encode(&in, buf);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(record_decode(buf, n, &out), ULM_ECORRUPT);
	assert_int_equal(record_decode(buf, len + 1, &out), ULM_ECORRUPT);
}

static void expect_corrupt_with(size_t offset, uint8_t value)
{
	struct ulm_record in = sample(), out;
	uint8_t buf[128];

	record_encode(&in, buf);
	buf[offset] = value;
	assert_int_equal(record_decode(buf, record_encoded_len(&in), &out),
			 ULM_ECORRUPT);
}

static void test_record_bad_fields_are_corrupt(void **state)
{
	(void)state;
	expect_corrupt_with(0, 3);     /* unknown format version */
	expect_corrupt_with(1, 9);     /* record type */
	expect_corrupt_with(2, 0);     /* protocol */
	expect_corrupt_with(3, 9);     /* owner kind */
	expect_corrupt_with(24, 0);    /* end < start */
	expect_corrupt_with(32, 0xff); /* client length */
}

static void test_record_garbage_never_crashes(void **state)
{
	struct ulm_record out;
	uint8_t buf[256];

	(void)state;
	srand(1);
	for (int i = 0; i < 10000; i++) {
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand();
		buf[0] = RECORD_FORMAT;
		/* Almost all are refused; none may read out of bounds. */
		(void)record_decode(buf, len, &out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_truncated_is_corrupt),
		cmocka_unit_test(test_record_bad_fields_are_corrupt),
		cmocka_unit_test(test_record_garbage_never_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
