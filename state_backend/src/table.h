/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* One file's locks in memory: an interval tree of all locks (conflicts)
 * and one per owner (the owner's own ranges), both O(log n + k). */
#ifndef ULM_TABLE_H
#define ULM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "itree.h"
#include "owner.h"
#include "range.h"
#include "ulm.h"

struct ulm_lock {
	struct itree_key key; /**< start, end, record id */
	struct itree_link in_file;
	struct itree_link in_owner;
	struct ulm_towner *owner;
	uint32_t node;	/**< node that made the record */
	uint32_t epoch; /**< that node's epoch then */
	uint8_t type;
};

struct ulm_table {
	struct ulm_table *next; /**< chain in the cache bucket */
	uint64_t hash;
	uint64_t version; /**< the store's version these locks are of */
	bool stale;	  /**< must be re-read from the store */
	size_t count;
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

/** The conflicting lock of another owner with the lowest start, or NULL. */
const struct ulm_lock *table_first_conflict(const struct ulm_table *table,
					    const struct ulm_towner *self,
					    const struct ulm_span *req);

/**
 * The owner's locks overlapping [start, end], ascending.
 * @return 0 and a malloc'd array in @p out (NULL when @p n is 0), or
 *         -ENOMEM
 */
int table_owner_locks(const struct ulm_towner *towner, uint64_t start,
		      uint64_t end, struct ulm_lock ***out, size_t *n);

/** Insert a lock; its owner, if new here (no locks yet), is interned. */
void table_insert(struct ulm_table *table, struct ulm_lock *lock);
/** Remove and free a lock; its owner goes with its last lock. */
void table_delete(struct ulm_table *table, struct ulm_lock *lock);

struct ulm_lock *lock_alloc(void);
struct ulm_towner *table_towner_create(const struct ulm_owner *owner);
void lock_span(const struct ulm_lock *lock, struct ulm_span *span);
void lock_to_info(const struct ulm_lock *lock, struct ulm_lock_info *info);

typedef int (*table_visit_fn)(struct ulm_lock *lock, void *arg);
/** Visit every lock in ascending start. */
int table_walk(const struct ulm_table *table, table_visit_fn visit, void *arg);

#endif /* ULM_TABLE_H */
