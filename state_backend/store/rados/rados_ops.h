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

/* The flusher (rados_flusher.c). */
void rados_flusher_init(struct rados_store *s);
int rados_flusher_start(struct rados_store *s);
/** Give every token back (written through) and stop. */
void rados_flusher_fini(struct rados_store *s);

#endif /* ULM_RADOS_OPS_H */
