/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Our file tokens (rados_tokens.c): a node alone on a file holds its
 * table in memory and writes behind.
 */
#ifndef ULM_RADOS_TOKENS_H
#define ULM_RADOS_TOKENS_H

#include "rados_files.h"
#include "rados_live.h"

void rados_token_encode(const struct rados_token *t, uint8_t *buf);
/** @return 0 or ULM_ECORRUPT */
int rados_token_decode(const void *buf, size_t len, struct rados_token *t);
/** May the synchronous write @p op take the file's token? */
bool rados_token_may_take(struct rados_file *f, const struct ulm_store_op *op);
/** Add the token's entry (this node, seq 1) to the write. */
void rados_token_add(struct rados_store *s, rados_write_op_t w, uint8_t *buf);
/** The write @p op, with the token, made the object @p version, with
 *  @p n_records records. */
void rados_token_taken(struct rados_file *f, const struct ulm_store_op *op,
		       uint64_t version, int64_t n_records);
/** Make @p op in memory under our token. @return 0, 1 (the token is not
 *  ours: write synchronously), -ECANCELED, ULM_EFENCED, -ENOMEM, -EIO */
int rados_token_execute(struct rados_file *f, struct ulm_store_op *op);
/** Librados's thread: another node asks for our changes of @p f written
 *  (@p drop: and the token given back). @return true: acked later */
bool rados_token_request(struct rados_file *f, uint64_t notify_id,
			 uint64_t cookie, bool drop);
/** Give back the token of @p f (fence, watch lost, trim, close). @pre
 *  bucket locked */
void rados_token_drop_locked(struct rados_file *f);
void rados_token_drop(struct rados_file *f);

/** One flush of one file: built and sent, then waited for. */
struct flush_job {
	struct rados_file *f;
	rados_write_op_t op;
	rados_completion_t done;
	uint64_t asserted;	 /* the version it asserts */
	struct rados_token sent; /* what it sets ~token to */
	struct batch_bufs *bufs; /* what it points into */
	uint8_t token_buf[RADOS_TOKEN_LEN];
};
/** Send the file's pending changes (and give the token back if asked;
 *  @p force: even if nothing is pending, to start a new id segment).
 *  @return 1 sent (finish it with rados_flush_end()), 0 nothing to send,
 *  or an error */
int rados_flush_begin(struct rados_file *f, bool force, struct flush_job *job);
/** Wait for it and learn what happened. @return 0 or an error (the
 *  changes stay pending: try again) */
int rados_flush_end(struct flush_job *job);
/** Flush @p f now, even if nothing is pending, and wait. @return 0 or an
 *  error */
int rados_flush_now(struct rados_file *f);
/** Free what a file's token state holds (the store is closing). */
void rados_tokens_free(struct rados_file *f);
/** The object's version (0: none) and token, in one read. @return 0,
 *  -ENOMEM, -EIO, ULM_ECORRUPT */
int rados_token_read(struct rados_store *s, const char *oid, uint64_t *version,
		     struct rados_token *token);

/** The object was read at @p version right after a flush under our
 *  token: it is the table in memory, and the engine's version now. @pre
 *  the engine's lock on the file is held */
void rados_token_loaded(struct rados_file *f, uint64_t version);
/** Does this env hold the token of @p f? */
bool rados_token_held(struct rados_file *f);
/** The verdict on the token last read: a dead node's (or not). */
void rados_token_frozen_set(struct rados_file *f, bool frozen);
bool rados_token_frozen(struct rados_file *f);

/** The file's version (the engine's) and token, read only if not known.
 *  @return 0, -ENOMEM, -EIO, ULM_ECORRUPT */
int rados_file_state(struct rados_file *f, uint64_t *version,
		     struct rados_token *t);

/** Queue @p f for the flusher: changes to write, or its token to give
 *  back. @pre bucket locked */
void rados_token_queue(struct rados_file *f);
/** Remove the token the object holds at @p version. @return 0, 1 (the
 *  object moved: look again), or an error */
int rados_token_clear(struct rados_file *f, uint64_t version);
/** Remove the file's token if it is of @p node and an epoch in
 *  [@p min_epoch, @p before_epoch) and this env does not hold it.
 *  @return 1 removed, 0 no such token, or an error */
int rados_token_remove(struct rados_file *f, uint32_t node, uint32_t min_epoch,
		       uint32_t before_epoch);
/** Remove this env's own token from the object of @p f, whose state in
 *  memory was lost. @return 0 or an error */
int rados_token_clear_own(struct rados_file *f);
/** The token layer's calls for the files below (rados_files_init()). */
extern const struct rados_file_hooks rados_token_hooks;

#endif /* ULM_RADOS_TOKENS_H */
