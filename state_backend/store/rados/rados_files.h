/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The node-side cache of watched file objects (rados_files.c). It knows
 * nothing of tokens but the state it keeps for them: what it needs of
 * them, it asks through struct rados_file_hooks.
 */
#ifndef ULM_RADOS_FILES_H
#define ULM_RADOS_FILES_H

#include "rados_io.h"

/* What the token layer above does for the files here (rados_tokens.c
 * fills it): files call up only through it. */
struct rados_file_hooks {
	/** librados's thread: another node asks for our changes of @p f
	 *  written (@p drop: and the token given back). @return true: acked
	 *  later */
	bool (*request)(struct rados_file *f, uint64_t notify_id,
			uint64_t cookie, bool drop);
	/** Give back the token of @p f. @pre bucket locked */
	void (*drop_locked)(struct rados_file *f);
	/** Free what the token state holds of @p f. */
	void (*release)(struct rados_file *f);
};

void rados_files_init(struct rados_store *s,
		      const struct rados_file_hooks *hooks);
/** Close: unwatch every file, waiting until @p deadline at most. */
void rados_files_unwatch(struct rados_store *s, uint64_t deadline);
/** Free every file (no callback may come any more). */
void rados_files_fini(struct rados_store *s);
/** The file's entry, created (unwatched, unknown) if new, in use until
 *  rados_file_put(). @return NULL: out of memory */
struct rados_file *rados_file_get(struct rados_store *s,
				  const struct ulm_key *file);
void rados_file_put(struct rados_file *f);
/** The bucket whose mutex guards @p f. */
struct rados_file_bucket *rados_file_bucket(struct rados_file *f);
/** Unwatch and free files unused for watch_idle_ms, and the least
 *  recently used beyond watch_max; a held token is given back first. */
void rados_files_trim(struct rados_store *s);
/** Make @p f watched if its object exists. @return 0 (also when it does
 *  not exist yet), or a librados error */
int rados_file_watch(struct rados_file *f);
/** The invalidation count now (snapshot before a read or write). */
uint64_t rados_file_gen(struct rados_file *f);
/**
 * Record what a read or our own write found: the object is at @p version
 * with @p n_records records (-1: not known) and @p token (NULL: as it
 * was). Kept only if the file is watched and nothing invalidated it since
 * @p gen; else left unknown.
 */
void rados_file_learn(struct rados_file *f, uint64_t gen, uint64_t version,
		      int64_t n_records, const struct rados_token *token);
/** Forget what is known (a write lost a race). */
void rados_file_forget(struct rados_file *f);
/** Known version (the engine's: see rados_tokens.c), record count and
 *  token of a healthy watched file. @return false: a read is needed */
bool rados_file_known(struct rados_file *f, uint64_t *version,
		      int64_t *n_records, struct rados_token *token);
/** Another node showed itself on @p f (a notify of it): notify our
 *  changes from now on. @pre bucket locked */
void rados_file_others_locked(struct rados_file *f);
/** Tell other watchers that @p f changed, if there are any, and wait
 *  until they know (or CHANGE_TIMEOUT_MS); learn whether any still
 *  watches. */
void rados_file_changed(struct rados_file *f);
/** A write made to @p file without its entry (a purge's): forget what
 *  this node knows of it. */
void rados_file_written(struct rados_store *s, const struct ulm_key *file);

#endif /* ULM_RADOS_FILES_H */
