/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The environment and its cache of file tables. */
#ifndef ULM_ENV_H
#define ULM_ENV_H

#include <pthread.h>
#include "backlog.h"
#include "recovery.h"
#include "store.h"
#include "store_timing.h"
#include "table.h"

/* Files hash to buckets; a bucket's mutex guards its tables for a whole
 * operation, so two files rarely share one and no lock is global. A grant
 * walks its bucket's chain: 16,384 buckets keep it about 6 tables long at
 * 100,000 files with records (1,024 made it 98, and a grant on a fresh
 * file 40 times slower than on an empty store: bench/scale-curve.sh). */
#define CACHE_BUCKETS_DEFAULT 16384

struct cache_bucket {
	pthread_mutex_t mutex;
	struct ulm_table *tables;
};

struct ulm_env {
	struct ulm_store *store;
	const struct ulm_store_ops *ops;
	uint32_t node_id;
	uint32_t epoch;
	bool read_only;
	/** Nodes whose earlier records are being reclaimed (their grace). */
	struct recovery_set recovering;
	/** Releases the store could not take yet (backlog.c). */
	struct release_backlog backlog;
	/** The store calls' latency (ulm_store_stats()). */
	struct store_timing timing;
	size_t nbuckets;
	struct cache_bucket *buckets;
};

int key_validate(const struct ulm_key *file);

/** @p nbuckets buckets (0: CACHE_BUCKETS_DEFAULT). @return 0, -ENOMEM */
int cache_init(ulm_env *env, uint32_t nbuckets);
void cache_fini(ulm_env *env);
uint64_t cache_key_hash(const struct ulm_key *file);
/** Lock the bucket of a file's table. @return NULL: the call's bound
 *  (util/call_bound.h) passed first */
struct cache_bucket *cache_lock(ulm_env *env, uint64_t hash);
void cache_unlock(struct cache_bucket *bucket);

/**
 * The file's table, up to date with the store.
 * @pre the bucket is locked (cache_lock())
 * @return 0, or an error from the store (the table is then left stale)
 */
int cache_table(ulm_env *env, struct cache_bucket *bucket,
		const struct ulm_key *file, uint64_t hash,
		struct ulm_table **out);
/** Done with a table: an empty one is dropped. @pre bucket locked */
void cache_put(struct cache_bucket *bucket, struct ulm_table *table);

/** Call @p fn for every file that has locks, with no bucket locked. */
int cache_for_each_file(ulm_env *env, store_file_fn fn, void *arg);
typedef int (*cache_table_fn)(ulm_env *env, struct ulm_table *t, void *arg);
/** @p fn on every table in memory that has records, as last read (no
 *  store access), its bucket locked. @return 0 or @p fn's non-zero */
int cache_each_table(ulm_env *env, cache_table_fn fn, void *arg);
/** A table of @p file holding @p recs, outside the cache (a copy to
 *  list); table_destroy() it. @return NULL: out of memory */
struct ulm_table *cache_table_of(const struct ulm_key *file,
				 const struct ulm_record *recs, size_t n);

#endif /* ULM_ENV_H */
