/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Other nodes' tokens (rados_handover.c): asking a live holder, freezing
 * the files of a dead one, purging its tokens.
 */
#ifndef ULM_RADOS_HANDOVER_H
#define ULM_RADOS_HANDOVER_H

#include "rados_tokens.h"

/** May what was read of @p f (@p version, token @p t) be used? Not while
 *  another live node holds the token: it is asked for it (a read-only env
 *  asks it to write only, once: @p attempt 0). A dead node's token
 *  freezes the file. @return 0, 1 (read the object again), or an error */
int rados_token_settle(struct rados_file *f, const struct rados_token *t,
		       uint64_t version, unsigned int attempt);
/** Store ops: is the file frozen by a dead node's token (1, 0, -ENOMEM);
 *  remove a dead node's token (ulm_node_purge()). */
int rados_file_frozen(struct ulm_store *store, const struct ulm_key *file);
int rados_token_purge(struct ulm_store *store, const struct ulm_key *file,
		      uint32_t node, uint32_t before_epoch);

/** Store op: tokens taken, given back, asked for (ulm_store_stats()). */
void rados_token_stats(struct ulm_store *store, struct ulm_token_stats *st);

#endif /* ULM_RADOS_HANDOVER_H */
