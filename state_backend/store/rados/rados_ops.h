/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The engine's reads (rados_read.c) and writes (rados_write.c), and the
 * flusher that writes tokens' changes behind (rados_flusher.c): the
 * layer under the store ops of store_rados.c.
 */
#ifndef ULM_RADOS_OPS_H
#define ULM_RADOS_OPS_H

#include "rados_handover.h"

/* The store ops of reads (rados_read.c) and writes (rados_write.c). */
int rados_file_version(struct ulm_store *store, const struct ulm_key *file,
		       uint64_t *version);
int rados_file_load(struct ulm_store *store, const struct ulm_key *file,
		    store_record_fn fn, void *arg, uint64_t *version);
int rados_op_execute(struct ulm_store *store, struct ulm_store_op *op);

/* An object's omap as read (rados_read.c), before the engine sees it:
 * its records, encoded, and its token. */
#define RADOS_OMAP_PER_READ 1024
struct rados_raw {
	size_t n;
	size_t cap;
	struct rados_raw_record {
		uint64_t id;
		size_t len;
		char *bytes;
	} * v;
	struct rados_token token;
};
/** Copy one page of omap out; @p after (RADOS_ID_KEY_LEN + 1) becomes
 *  its last key. @return 0, -ENOMEM, ULM_ECORRUPT */
int rados_raw_page(rados_omap_iter_t iter, struct rados_raw *r, char *after);
/** Record @p i, decoded (its owner bytes point into @p r). */
int rados_raw_decode(const struct rados_raw *r, size_t i,
		     struct ulm_record *rec);
/** Drop the records, keep the room. */
void rados_raw_clear(struct rados_raw *r);
void rados_raw_free(struct rados_raw *r);

/* Whole-pool walks (rados_scan.c). */
/** The file key an object name stands for (free key->data). @return 0,
 *  -ENOMEM, ULM_ECORRUPT (not a file object's name) */
int rados_oid_key(const char *oid, struct ulm_key *key);
int rados_file_walk(struct ulm_store *store, store_file_fn fn, void *arg);
/** Store op: every file object's records, read in batches. */
int rados_file_scan(struct ulm_store *store, store_scan_fn fn, void *arg);

/* The flusher (rados_flusher.c). */
void rados_flusher_init(struct rados_store *s);
int rados_flusher_start(struct rados_store *s);
/** Give every token back (written through) and stop. */
void rados_flusher_fini(struct rados_store *s);

#endif /* ULM_RADOS_OPS_H */
