/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Record encoding: round trip, and every malformed input refused. */
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
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
	expect_corrupt_with(0, RECORD_FORMAT + 1); /* unknown format version */
	expect_corrupt_with(1, 0);		   /* record type */
	expect_corrupt_with(1, 8);
	expect_corrupt_with(2, 0);     /* protocol */
	expect_corrupt_with(3, 9);     /* owner kind */
	expect_corrupt_with(24, 0);    /* end < start */
	expect_corrupt_with(32, 0xff); /* client length */
}

/* A well-formed record of each type, every format 2 field set. */
static struct ulm_record sample_of(enum ulm_record_type type)
{
	struct ulm_record r = sample();

	r.type = type;
	r.flags = ULM_FLAG_RECLAIM;
	switch (type) {
	case ULM_REC_SHARE:
		r.start = 0;
		r.access = ULM_SHARE_BOTH;
		r.deny = ULM_SHARE_READ;
		r.owner.kind = ULM_OWNER_OPEN;
		break;
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		r.start = 0;
		r.owner.kind = ULM_OWNER_CLIENT;
		break;
	case ULM_REC_WAIT_READ:
	case ULM_REC_WAIT_WRITE:
		r.end = r.start + 99;
		r.expires = 0x1112131415161718ULL;
		r.ticket = 0x2122232425262728ULL;
		break;
	default:
		break;
	}
	return r;
}

static void assert_same_record(const struct ulm_record *a,
			       const struct ulm_record *b)
{
	assert_int_equal(a->type, b->type);
	assert_true(a->start == b->start && a->end == b->end);
	assert_int_equal(a->node, b->node);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->access, b->access);
	assert_int_equal(a->deny, b->deny);
	assert_true(a->expires == b->expires && a->ticket == b->ticket);
	assert_int_equal(a->owner.protocol, b->owner.protocol);
	assert_int_equal(a->owner.kind, b->owner.kind);
	assert_int_equal(a->owner.node, b->owner.node);
	assert_int_equal(a->owner.client_len, b->owner.client_len);
	assert_memory_equal(a->owner.client, b->owner.client,
			    a->owner.client_len);
	assert_int_equal(a->owner.owner_len, b->owner.owner_len);
	assert_memory_equal(a->owner.owner, b->owner.owner, a->owner.owner_len);
}

static void test_record_format2_round_trip_every_type(void **state)
{
	(void)state;
	for (int type = ULM_REC_LOCK_READ; type <= ULM_REC_WAIT_WRITE; type++) {
		struct ulm_record in = sample_of(type), out;
		uint8_t buf[128];

		record_encode(&in, buf);
		assert_int_equal(buf[36], in.flags);
		assert_int_equal(buf[37], in.access);
		assert_int_equal(buf[38], in.deny);
		assert_int_equal(buf[39], 0);
		assert_true(get_be64(buf + 40) == in.expires);
		assert_true(get_be64(buf + 48) == in.ticket);
		out.id = 77;
		assert_int_equal(
			record_decode(buf, record_encoded_len(&in), &out), 0);
		assert_same_record(&in, &out);
		assert_int_equal(out.id, 77); /* kept beside, not inside */
	}
}

/* What decode may say of any bytes: ULM_ECORRUPT, or a record that is
 * valid and whose encoding is exactly those bytes (nothing ignored). */
static void expect_corrupt_or_exact(const uint8_t *buf, size_t len)
{
	struct ulm_record out;
	uint8_t again[256];
	int rc = record_decode(buf, len, &out);

	if (rc == ULM_ECORRUPT)
		return;
	assert_int_equal(rc, 0);
	assert_int_equal(record_validate(&out), 0);
	assert_int_equal(record_encoded_len(&out), len);
	record_encode(&out, again);
	assert_memory_equal(again, buf, len);
}

static void test_record_garbage_never_crashes(void **state)
{
	uint8_t buf[256];

	(void)state;
	srand(1);
	for (int i = 0; i < 10000; i++) {
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand();
		if (len)
			buf[0] = RECORD_FORMAT;
		/* Almost all are refused; none may read out of bounds. */
		expect_corrupt_or_exact(buf, len);
	}
}

/* Records of every type with a few bytes changed: many still decode,
 * and each of those must be a valid record of exactly those bytes. */
static void test_record_mutations_decode_exactly_or_not(void **state)
{
	int decoded = 0, tried = 0;

	(void)state;
	srand(2);
	for (int type = ULM_REC_LOCK_READ; type <= ULM_REC_WAIT_WRITE; type++) {
		struct ulm_record in = sample_of(type), out;
		uint8_t clean[256], buf[256];
		size_t len = record_encoded_len(&in);

		record_encode(&in, clean);
		for (int i = 0; i < 2000; i++, tried++) {
			memcpy(buf, clean, len);
			for (int n = 1 + rand() % 3; n > 0; n--)
				buf[1 + (size_t)rand() % (len - 1)] =
					(uint8_t)rand();
			expect_corrupt_or_exact(buf, len);
			decoded += record_decode(buf, len, &out) == 0;
		}
	}
	/* The check above ran on real records, not only on refusals. */
	assert_true(decoded > tried / 4);
}

static int decode_of(const struct ulm_record *in, uint8_t format)
{
	struct ulm_record out;
	uint8_t buf[128];

	record_encode(in, buf);
	buf[0] = format;
	return record_decode(buf, record_encoded_len(in), &out);
}

/* Windows locks (format 3): their flags on locks only, an empty one a
 * point; format 2 records are read as they are, without them. */
static void test_record_windows_flags(void **state)
{
	struct ulm_record win = sample(), out;
	uint8_t buf[128];

	(void)state;
	win.flags = ULM_FLAG_WINDOWS;
	record_encode(&win, buf);
	assert_int_equal(record_decode(buf, record_encoded_len(&win), &out), 0);
	assert_same_record(&win, &out);
	assert_int_equal(decode_of(&win, RECORD_FORMAT_V2), ULM_ECORRUPT);
	win.flags = 0;
	assert_int_equal(decode_of(&win, RECORD_FORMAT_V2), 0);
	win.flags = ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY;
	assert_int_equal(decode_of(&win, RECORD_FORMAT), ULM_ECORRUPT);
	win.end = win.start;
	assert_int_equal(decode_of(&win, RECORD_FORMAT), 0);
	win.flags = ULM_FLAG_EMPTY;
	assert_int_equal(decode_of(&win, RECORD_FORMAT), ULM_ECORRUPT);
	win = sample_of(ULM_REC_SHARE);
	win.flags |= ULM_FLAG_WINDOWS;
	assert_int_equal(decode_of(&win, RECORD_FORMAT), ULM_ECORRUPT);
	win.flags = 0x10;
	assert_int_equal(decode_of(&win, RECORD_FORMAT), ULM_ECORRUPT);
	assert_true(record_format_known(RECORD_FORMAT_V2));
	assert_false(record_format_known(RECORD_FORMAT + 1));
}

/* The format 1 bytes of @p rec: format 2's first 36 bytes, then the
 * owner's bytes. @return the length */
static size_t encode_format1(const struct ulm_record *rec, uint8_t *buf)
{
	size_t ids = rec->owner.client_len + rec->owner.owner_len;

	record_encode(rec, buf);
	buf[0] = RECORD_FORMAT_V1;
	memmove(buf + RECORD_HEADER_LEN_V1, buf + RECORD_HEADER_LEN, ids);
	return RECORD_HEADER_LEN_V1 + ids;
}

static void test_record_format1_still_decodes_as_lock(void **state)
{
	struct ulm_record in = sample(), out;
	uint8_t buf[128];
	size_t len = encode_format1(&in, buf);

	(void)state;
	assert_int_equal(len, 36 + 9);
	assert_int_equal(record_decode(buf, len, &out), 0);
	assert_same_record(&in, &out);
	assert_int_equal(out.flags, 0);
	assert_true(out.expires == 0 && out.ticket == 0);
	assert_int_equal(record_decode(buf, len - 1, &out), ULM_ECORRUPT);
	assert_int_equal(record_decode(buf, len + 1, &out), ULM_ECORRUPT);
	/* Format 1 held locks only. */
	in = sample_of(ULM_REC_DELEG_WRITE);
	len = encode_format1(&in, buf);
	assert_int_equal(record_decode(buf, len, &out), ULM_ECORRUPT);
}

static void expect_record_corrupt(const struct ulm_record *rec)
{
	struct ulm_record out;
	uint8_t buf[128];

	record_encode(rec, buf);
	assert_int_equal(record_decode(buf, record_encoded_len(rec), &out),
			 ULM_ECORRUPT);
}

static void test_record_malformed_share_is_corrupt(void **state)
{
	static const struct {
		uint64_t start, end;
		uint8_t access, deny, flags;
		uint64_t expires, ticket;
	} bad[] = {
		{1, ULM_EOF, 1, 0, 0, 0, 0}, /* not the whole file */
		{0, 9, 1, 0, 0, 0, 0},	     {0, ULM_EOF, 0, 0, 0, 0, 0},
		{0, ULM_EOF, 8, 0, 0, 0, 0}, {0, ULM_EOF, 1, 8, 0, 0, 0},
		{0, ULM_EOF, 1, 0, 2, 0, 0}, /* ULM_FLAG_WAIT */
		{0, ULM_EOF, 1, 0, 0, 5, 0}, /* queue fields */
		{0, ULM_EOF, 1, 0, 0, 0, 5},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ulm_record r = sample_of(ULM_REC_SHARE);

		r.start = bad[i].start;
		r.end = bad[i].end;
		r.access = bad[i].access;
		r.deny = bad[i].deny;
		r.flags = bad[i].flags;
		r.expires = bad[i].expires;
		r.ticket = bad[i].ticket;
		expect_record_corrupt(&r);
	}
}

/* Delete access and deny (format 4, SMB shares); formats 3 and 2 are read
 * as they are, without them. */
static void test_record_share_delete(void **state)
{
	struct ulm_record del = sample_of(ULM_REC_SHARE), out;
	uint8_t buf[128];

	(void)state;
	del.access = ULM_SHARE_ALL;
	del.deny = ULM_SHARE_DELETE;
	record_encode(&del, buf);
	assert_int_equal(record_decode(buf, record_encoded_len(&del), &out), 0);
	assert_same_record(&del, &out);
	assert_int_equal(decode_of(&del, RECORD_FORMAT_V3), ULM_ECORRUPT);
	assert_int_equal(decode_of(&del, RECORD_FORMAT_V2), ULM_ECORRUPT);
	del.deny = ULM_SHARE_READ;
	assert_int_equal(decode_of(&del, RECORD_FORMAT_V3), ULM_ECORRUPT);
	del.access = ULM_SHARE_BOTH;
	assert_int_equal(decode_of(&del, RECORD_FORMAT_V3), 0);
	assert_int_equal(decode_of(&del, RECORD_FORMAT_V2), 0);
	assert_true(record_format_known(RECORD_FORMAT_V3));
}

static void test_record_malformed_deleg_is_corrupt(void **state)
{
	(void)state;
	for (int type = ULM_REC_DELEG_READ; type <= ULM_REC_DELEG_WRITE;
	     type++) {
		struct ulm_record r = sample_of(type);

		r.end = 9;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.start = 1;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.access = ULM_SHARE_READ;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.deny = ULM_SHARE_READ;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.expires = 5;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.ticket = 5;
		expect_record_corrupt(&r);
	}
}

static void test_record_malformed_wait_and_lock_are_corrupt(void **state)
{
	static const enum ulm_record_type types[] = {
		ULM_REC_LOCK_READ,
		ULM_REC_LOCK_WRITE,
		ULM_REC_WAIT_READ,
		ULM_REC_WAIT_WRITE,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		enum ulm_record_type type = types[i];
		struct ulm_record r = sample_of(type);
		bool lock = type <= ULM_REC_LOCK_WRITE;

		r.access = ULM_SHARE_READ;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.deny = ULM_SHARE_WRITE;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.flags = ULM_FLAG_WAIT;
		expect_record_corrupt(&r);
		if (!lock)
			continue;
		r = sample_of(type);
		r.expires = 5;
		expect_record_corrupt(&r);
		r = sample_of(type);
		r.ticket = 5;
		expect_record_corrupt(&r);
	}
}

static void test_record_padding_byte_must_be_zero(void **state)
{
	struct ulm_record in = sample_of(ULM_REC_WAIT_WRITE), out;
	uint8_t buf[128];

	(void)state;
	record_encode(&in, buf);
	buf[39] = 1;
	assert_int_equal(record_decode(buf, record_encoded_len(&in), &out),
			 ULM_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_truncated_is_corrupt),
		cmocka_unit_test(test_record_bad_fields_are_corrupt),
		cmocka_unit_test(test_record_garbage_never_crashes),
		cmocka_unit_test(test_record_mutations_decode_exactly_or_not),
		cmocka_unit_test(test_record_format2_round_trip_every_type),
		cmocka_unit_test(test_record_format1_still_decodes_as_lock),
		cmocka_unit_test(test_record_windows_flags),
		cmocka_unit_test(test_record_malformed_share_is_corrupt),
		cmocka_unit_test(test_record_share_delete),
		cmocka_unit_test(test_record_malformed_deleg_is_corrupt),
		cmocka_unit_test(
			test_record_malformed_wait_and_lock_are_corrupt),
		cmocka_unit_test(test_record_padding_byte_must_be_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
