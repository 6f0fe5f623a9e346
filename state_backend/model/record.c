/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Layout, format 4 (big-endian):
 *   0 u8 format   1 u8 type   2 u8 protocol   3 u8 owner kind
 *   4 u32 owner node   8 u32 record node   12 u32 epoch
 *   16 u64 start   24 u64 end   32 u16 client_len   34 u16 owner_len
 *   36 u8 flags   37 u8 share access   38 u8 share deny   39 u8 zero
 *   40 u64 expires (queued requests: CLOCK_REALTIME ms; 0: never)
 *   48 u64 ticket (queued requests: place in the file's queue, kept when
 *      the request is renewed; 0: the record's own id)
 *   56 client bytes, then owner bytes; nothing after them.
 * Format 3 is the same but for shares: no ULM_SHARE_DELETE. Format 2 is
 * format 3 but for flags: no ULM_FLAG_WINDOWS or _EMPTY.
 * Format 1 is format 2's first 36 bytes then the owner's bytes, and held
 * byte-range locks only. Both are still read, never written.
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
	buf[36] = rec->flags;
	buf[37] = rec->access;
	buf[38] = rec->deny;
	buf[39] = 0;
	put_be64(buf + 40, rec->expires);
	put_be64(buf + 48, rec->ticket);
	if (o->client_len)
		memcpy(buf + RECORD_HEADER_LEN, o->client, o->client_len);
	if (o->owner_len)
		memcpy(buf + RECORD_HEADER_LEN + o->client_len, o->owner,
		       o->owner_len);
}

static bool whole_file(const struct ulm_record *rec)
{
	return rec->start == 0 && rec->end == ULM_EOF;
}

/* Lapse time and queue place belong to queued requests only. */
static bool no_queue_fields(const struct ulm_record *rec)
{
	return rec->expires == 0 && rec->ticket == 0;
}

bool record_format_known(uint32_t format)
{
	return format == RECORD_FORMAT || format == RECORD_FORMAT_V3 ||
	       format == RECORD_FORMAT_V2 || format == RECORD_FORMAT_V1;
}

/* Windows flags belong to locks; an empty lock is a Windows one, a
 * single point (its start). */
static bool flags_valid(const struct ulm_record *rec)
{
	uint8_t windows = rec->flags & (ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY);

	if (rec->flags &
	    ~(ULM_FLAG_RECLAIM | ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY))
		return false;
	if (windows && rec->type != ULM_REC_LOCK_READ &&
	    rec->type != ULM_REC_LOCK_WRITE)
		return false;
	return !(windows & ULM_FLAG_EMPTY) ||
	       ((windows & ULM_FLAG_WINDOWS) && rec->start == rec->end);
}

int record_validate(const struct ulm_record *rec)
{
	bool ok = range_validate(rec->start, rec->end) == 0 &&
		  owner_validate(&rec->owner) == 0 && flags_valid(rec);

	switch (rec->type) {
	case ULM_REC_WAIT_READ:
	case ULM_REC_WAIT_WRITE:
		ok = ok && rec->access == 0 && rec->deny == 0;
		break;
	case ULM_REC_LOCK_READ:
	case ULM_REC_LOCK_WRITE:
		ok = ok && rec->access == 0 && rec->deny == 0 &&
		     no_queue_fields(rec);
		break;
	case ULM_REC_SHARE:
		ok = ok && whole_file(rec) && no_queue_fields(rec) &&
		     rec->access >= 1 && rec->access <= ULM_SHARE_ALL &&
		     rec->deny <= ULM_SHARE_ALL;
		break;
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		ok = ok && whole_file(rec) && no_queue_fields(rec) &&
		     rec->access == 0 && rec->deny == 0;
		break;
	default:
		ok = false;
	}
	return ok ? 0 : ULM_ECORRUPT;
}

int record_decode(const void *data, size_t len, struct ulm_record *rec)
{
	const uint8_t *buf = data;
	struct ulm_owner *o = &rec->owner;
	size_t header;

	if (len < RECORD_HEADER_LEN_V1)
		return ULM_ECORRUPT;
	if (buf[0] == RECORD_FORMAT || buf[0] == RECORD_FORMAT_V3 ||
	    buf[0] == RECORD_FORMAT_V2)
		header = RECORD_HEADER_LEN;
	else if (buf[0] == RECORD_FORMAT_V1)
		header = RECORD_HEADER_LEN_V1;
	else
		return ULM_ECORRUPT;
	if (len < header)
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
	rec->flags = header == RECORD_HEADER_LEN ? buf[36] : 0;
	rec->access = header == RECORD_HEADER_LEN ? buf[37] : 0;
	rec->deny = header == RECORD_HEADER_LEN ? buf[38] : 0;
	rec->expires = header == RECORD_HEADER_LEN ? get_be64(buf + 40) : 0;
	rec->ticket = header == RECORD_HEADER_LEN ? get_be64(buf + 48) : 0;
	if (len != header + o->client_len + o->owner_len ||
	    (header == RECORD_HEADER_LEN && buf[39] != 0) ||
	    (buf[0] == RECORD_FORMAT_V2 &&
	     (rec->flags & (ULM_FLAG_WINDOWS | ULM_FLAG_EMPTY))) ||
	    (buf[0] != RECORD_FORMAT &&
	     ((rec->access | rec->deny) & ULM_SHARE_DELETE)) ||
	    (header == RECORD_HEADER_LEN_V1 && rec->type != ULM_REC_LOCK_READ &&
	     rec->type != ULM_REC_LOCK_WRITE))
		return ULM_ECORRUPT;
	o->client = buf + header;
	o->owner = buf + header + o->client_len;
	return record_validate(rec);
}
