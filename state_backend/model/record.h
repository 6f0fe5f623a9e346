/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A record (lock, share, delegation, queued request) as every store keeps
 * it: a format byte, then big-endian fixed fields, then the owner's bytes. */
#ifndef ULM_RECORD_H
#define ULM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ulm.h"

#define RECORD_FORMAT	  4
#define RECORD_HEADER_LEN 56
/* Format 3 is format 4 without ULM_SHARE_DELETE, format 2 format 3
 * without Windows locks (ULM_FLAG_WINDOWS): read as they are. Format 1
 * (locks only) is too: its header ends before flags. */
#define RECORD_FORMAT_V3     3
#define RECORD_FORMAT_V2     2
#define RECORD_FORMAT_V1     1
#define RECORD_HEADER_LEN_V1 36

struct ulm_record {
	uint64_t id; /**< unique within the file; kept beside, not inside */
	enum ulm_record_type type;
	uint64_t start;
	uint64_t end;
	uint32_t node;	  /**< node that made the record */
	uint32_t epoch;	  /**< that node's epoch then */
	uint8_t flags;	  /**< ULM_FLAG_RECLAIM */
	uint8_t access;	  /**< shares */
	uint8_t deny;	  /**< shares */
	uint64_t expires; /**< queued requests: lapse time, 0 never */
	uint64_t ticket;  /**< queued requests: place in the queue, 0: own id */
	struct ulm_owner owner;
};

/** May a store whose records are of @p format be read (and, written to,
 *  upgraded to RECORD_FORMAT)? */
bool record_format_known(uint32_t format);

/** Is a record of this type well formed? */
int record_validate(const struct ulm_record *rec);

size_t record_encoded_len(const struct ulm_record *rec);
/** Encode into @p buf of record_encoded_len() bytes. */
void record_encode(const struct ulm_record *rec, uint8_t *buf);
/**
 * Decode and validate every field. The owner's bytes point into @p buf;
 * the id is left alone.
 * @return 0 or ULM_ECORRUPT
 */
int record_decode(const void *buf, size_t len, struct ulm_record *rec);

#endif /* ULM_RECORD_H */
