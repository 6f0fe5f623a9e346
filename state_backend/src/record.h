/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A lock record as every store keeps it: a format byte, then big-endian
 * fixed fields, then the owner's bytes. */
#ifndef ULM_RECORD_H
#define ULM_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "ulm.h"

#define RECORD_FORMAT	  1
#define RECORD_HEADER_LEN 36

struct ulm_record {
	uint64_t id; /**< unique within the file; kept beside, not inside */
	enum ulm_lock_type type;
	uint64_t start;
	uint64_t end;
	uint32_t node;	/**< node that made the record */
	uint32_t epoch; /**< that node's epoch then */
	struct ulm_owner owner;
};

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
