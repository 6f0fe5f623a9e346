/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* One file's records in memory: an interval tree of all records
 * (conflicts) and one per owner (the owner's own ranges), both
 * O(log n + k). Shares and delegations span the whole file. */
#ifndef ULM_TABLE_H
#define ULM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "itree.h"
#include "owner.h"
#include "range.h"
#include "record.h"
#include "ulm.h"

struct ulm_lock {
	struct itree_key key; /**< start, end, record id */
	struct itree_link in_file;
	struct itree_link in_owner;
	struct ulm_towner *owner;
	uint32_t node;	/**< node that made the record */
	uint32_t epoch; /**< that node's epoch then */
	uint8_t type;	/**< enum ulm_record_type */
	uint8_t flags;
	uint8_t access;
	uint8_t deny;
	uint64_t expires;
	uint64_t ticket;
};

struct ulm_table {
	struct ulm_table *next; /**< chain in the cache bucket */
	uint64_t hash;
	uint64_t version; /**< the store's version these locks are of */
	bool stale;	  /**< must be re-read from the store */
	size_t count;
	/** share records that deny something: I/O checks walk only if any */
	size_t denies;
	/** Windows locks of some length: the mandatory I/O check walks only
	 *  if any */
	size_t windows;
	struct itree locks;
	struct owner_set owners;
	uint16_t key_len;
	uint8_t key[];
};

struct ulm_table *table_create(const struct ulm_key *file, uint64_t hash);
void table_destroy(struct ulm_table *table);
/** Drop every lock (before a reload). */
void table_clear(struct ulm_table *table);
bool table_has_key(const struct ulm_table *table, const struct ulm_key *file);
void table_key(const struct ulm_table *table, struct ulm_key *out);

/** Bit of a record type, for masks of types. */
#define TYPE_BIT(t) (1u << (t))
#define TYPES_LOCK  (TYPE_BIT(ULM_REC_LOCK_READ) | TYPE_BIT(ULM_REC_LOCK_WRITE))
#define TYPES_WAIT  (TYPE_BIT(ULM_REC_WAIT_READ) | TYPE_BIT(ULM_REC_WAIT_WRITE))
#define TYPES_DELEG \
	(TYPE_BIT(ULM_REC_DELEG_READ) | TYPE_BIT(ULM_REC_DELEG_WRITE))
#define TYPES_SHARE TYPE_BIT(ULM_REC_SHARE)

/**
 * The owner's records of a type in @p types overlapping [start, end],
 * ascending.
 * @return 0 and a malloc'd array in @p out (NULL when @p n is 0), or
 *         -ENOMEM
 */
int table_owner_records(const struct ulm_towner *towner, unsigned types,
			uint64_t start, uint64_t end, struct ulm_lock ***out,
			size_t *n);

/** The owner's one record of a type in @p types, or NULL. */
struct ulm_lock *table_owner_whole(const struct ulm_towner *towner,
				   unsigned types);

/** Insert a lock; its owner, if new here (no locks yet), is interned. */
void table_insert(struct ulm_table *table, struct ulm_lock *lock);
/** Remove and free a lock; its owner goes with its last lock. */
void table_delete(struct ulm_table *table, struct ulm_lock *lock);

struct ulm_lock *lock_alloc(void);
struct ulm_towner *table_towner_create(const struct ulm_owner *owner);
void lock_span(const struct ulm_lock *lock, struct ulm_span *span);
void lock_to_info(const struct ulm_lock *lock, struct ulm_lock_info *info);
/** Fill @p info from a record (owner bytes copied). */
void record_to_info(const struct ulm_record *rec, struct ulm_lock_info *info);
/** Fill the record fields of @p lock from @p rec (not the owner). */
void lock_from_record(struct ulm_lock *lock, const struct ulm_record *rec);
/** Fill @p rec from @p lock (the owner's bytes stay borrowed). */
void lock_to_record(const struct ulm_lock *lock, struct ulm_record *rec);

typedef int (*table_visit_fn)(struct ulm_lock *lock, void *arg);
/** Visit every record in ascending (start, id). */
int table_walk(const struct ulm_table *table, table_visit_fn visit, void *arg);
/** Visit the records overlapping [start, end] in ascending (start, id). */
int table_walk_range(const struct ulm_table *table, uint64_t start,
		     uint64_t end, table_visit_fn visit, void *arg);

#endif /* ULM_TABLE_H */
