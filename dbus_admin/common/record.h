/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file record.h
 * @brief One record of the lock table as administrators see it: the model
 * shared by the lockmgr DBus interface (inside Ganesha) and ulmctl (over
 * DBus, or reading the store itself).
 *
 * Identities are shown as text: printable ASCII as it is, any other byte
 * (and '\') as \xNN. A record's id is a hash of everything that names it,
 * the same wherever it is computed, so an id listed by one tool can be
 * given to another.
 */
#ifndef ULMV_RECORD_H
#define ULMV_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ulm.h"

/** Hex digits of a record id. */
#define ULMV_ID_LEN 12

/** Record types by family, as bits of (1 << enum ulm_record_type). */
#define ULMV_TYPE_BIT(t) (1u << (t))
#define ULMV_LOCKS \
	(ULMV_TYPE_BIT(ULM_REC_LOCK_READ) | ULMV_TYPE_BIT(ULM_REC_LOCK_WRITE))
#define ULMV_SHARES ULMV_TYPE_BIT(ULM_REC_SHARE)
#define ULMV_DELEGATIONS \
	(ULMV_TYPE_BIT(ULM_REC_DELEG_READ) | ULMV_TYPE_BIT(ULM_REC_DELEG_WRITE))
#define ULMV_WAITERS \
	(ULMV_TYPE_BIT(ULM_REC_WAIT_READ) | ULMV_TYPE_BIT(ULM_REC_WAIT_WRITE))
#define ULMV_ALL (ULMV_LOCKS | ULMV_SHARES | ULMV_DELEGATIONS | ULMV_WAITERS)

struct ulmv_record {
	char id[ULMV_ID_LEN + 1];
	char *file;	    /**< the file key, in hex */
	char *path;	    /**< path on the server; "" if not known */
	uint16_t export_id; /**< export the path is in; 0 if not known */
	enum ulm_record_type type;
	uint64_t start;
	uint64_t end; /**< inclusive; ULM_EOF: to end of file */
	unsigned access;
	unsigned deny;
	uint64_t expires_ms; /**< waiters: CLOCK_REALTIME ms; 0: never */
	bool reclaim;
	enum ulm_protocol protocol;
	enum ulm_owner_kind kind;
	uint32_t node;
	uint32_t epoch;
	char *client; /**< text */
	char *owner;  /**< text */
};

/** A growing array of records. Zero-initialise; free with _free(). */
struct ulmv_records {
	struct ulmv_record *v;
	size_t n;
	size_t cap;
};

/**
 * @brief Fill @p r from a record of libulm (strings are allocated; path
 * "" and export 0 until known).
 * @return 0 or -ENOMEM (then @p r holds nothing to free)
 */
int ulmv_record_from_info(struct ulmv_record *r, const struct ulm_key *file,
			  const struct ulm_lock_info *info);

/** @brief Replace the record's path (copied) and export. @return 0, -ENOMEM */
int ulmv_record_set_path(struct ulmv_record *r, const char *path,
			 uint16_t export_id);

/** @brief Free the record's strings. */
void ulmv_record_clear(struct ulmv_record *r);

/** @brief A new zeroed record at the end of @p set, or NULL (no memory). */
struct ulmv_record *ulmv_records_add(struct ulmv_records *set);

/** @brief Free every record, keep the array. */
void ulmv_records_empty(struct ulmv_records *set);

/** @brief Free every record and the array. */
void ulmv_records_free(struct ulmv_records *set);

/** @brief The id of a record of libulm (ULMV_ID_LEN hex digits). */
void ulmv_record_id(const struct ulm_key *file,
		    const struct ulm_lock_info *info,
		    char out[ULMV_ID_LEN + 1]);

/* Names of enumerations, and back; parsers return -1 for an unknown
 * name. Unknown values print as "unknown". */
const char *ulmv_type_name(enum ulm_record_type type);
int ulmv_type_parse(const char *name);
const char *ulmv_protocol_name(enum ulm_protocol protocol);
int ulmv_protocol_parse(const char *name);
const char *ulmv_kind_name(enum ulm_owner_kind kind);
int ulmv_kind_parse(const char *name);
/** "none", "r", "w", "rw", and with delete (SMB) "d", "rd", "wd", "rwd"
 *  for share bits. */
const char *ulmv_share_name(unsigned bits);
int ulmv_share_parse(const char *name);

/** @brief Bytes as lower-case hex (malloc'd), or NULL (no memory). */
char *ulmv_hex(const void *bytes, size_t len);

/**
 * @brief Hex to bytes.
 * @return 0, or -EINVAL (empty, odd length, not hex, longer than @p max)
 */
int ulmv_unhex(const char *hex, uint8_t *out, size_t max, size_t *len);

/**
 * @brief Bytes as text (malloc'd), or NULL (no memory): printable ASCII and
 * ' ' as they are, other bytes and '\' as \xNN.
 */
char *ulmv_text(const void *bytes, size_t len);

/**
 * @brief Text of ulmv_text() as one word of a KEY=VALUE line (malloc'd),
 * or NULL (no memory): ' ' and '=' become \x20 and \x3d too.
 */
char *ulmv_word(const char *text);

#endif /* ULMV_RECORD_H */
