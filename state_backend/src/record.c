/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Layout, format 1 (big-endian):
 *   0 u8 format   1 u8 type   2 u8 protocol   3 u8 owner kind
 *   4 u32 owner node   8 u32 record node   12 u32 epoch
 *   16 u64 start   24 u64 end   32 u16 client_len   34 u16 owner_len
 *   36 client bytes, then owner bytes; nothing after them.
 */
#include "bytes.h"
#include "owner.h"
#include "range.h"
#include "record.h"
#include <string.h>

size_t record_encoded_len(const struct ulm_record *rec)
{
	return RECORD_HEADER_LEN + rec->owner.client_len + rec->owner.owner_len;
}

void record_encode(const struct ulm_record *rec, uint8_t *buf)
{
	const struct ulm_owner *o = &rec->owner;

	buf[0] = RECORD_FORMAT;
	buf[1] = rec->type;
	buf[2] = o->protocol;
	buf[3] = o->kind;
	put_be32(buf + 4, o->node);
	put_be32(buf + 8, rec->node);
	put_be32(buf + 12, rec->epoch);
	put_be64(buf + 16, rec->start);
	put_be64(buf + 24, rec->end);
	put_be16(buf + 32, o->client_len);
	put_be16(buf + 34, o->owner_len);
	if (o->client_len)
		memcpy(buf + RECORD_HEADER_LEN, o->client, o->client_len);
	if (o->owner_len)
		memcpy(buf + RECORD_HEADER_LEN + o->client_len, o->owner,
		       o->owner_len);
}

int record_decode(const void *data, size_t len, struct ulm_record *rec)
{
	const uint8_t *buf = data;
	struct ulm_owner *o = &rec->owner;

	if (len < RECORD_HEADER_LEN || buf[0] != RECORD_FORMAT)
		return ULM_ECORRUPT;
	rec->type = buf[1];
	o->protocol = buf[2];
	o->kind = buf[3];
	o->node = get_be32(buf + 4);
	rec->node = get_be32(buf + 8);
	rec->epoch = get_be32(buf + 12);
	rec->start = get_be64(buf + 16);
	rec->end = get_be64(buf + 24);
	o->client_len = get_be16(buf + 32);
	o->owner_len = get_be16(buf + 34);
	if (len != RECORD_HEADER_LEN + o->client_len + o->owner_len)
		return ULM_ECORRUPT;
	o->client = buf + RECORD_HEADER_LEN;
	o->owner = buf + RECORD_HEADER_LEN + o->client_len;
	if ((rec->type != ULM_LOCK_READ && rec->type != ULM_LOCK_WRITE) ||
	    range_validate(rec->start, rec->end) || owner_validate(o))
		return ULM_ECORRUPT;
	return 0;
}
