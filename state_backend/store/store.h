/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The store interface. Reads return one file's records with the file's
 * version; writes are built, then executed, as librados write ops: an op
 * asserts the version the engine planned against, deletes and puts
 * records, and bumps the version, all or nothing. A lost race returns
 * -ECANCELED: the engine re-reads the file and plans again.
 */
#ifndef ULM_STORE_H
#define ULM_STORE_H

#include <stdbool.h>
#include "record.h"
#include "ulm.h"

/** Every store's handle starts with this. */
struct ulm_store {
	const struct ulm_store_ops *ops;
	/** How long one libulm call may wait on the store in all, in ms
	 *  (util/call_bound.h); 0: unbounded (a store of this host). */
	uint32_t call_ms;
};

struct ulm_store_op {
	const struct ulm_key *file;
	/** Asserted: the file's version now (0: the file has no records). */
	uint64_t version;
	size_t n_del;
	uint64_t *del; /**< ids of records to delete */
	size_t n_put;
	struct ulm_record *put; /**< records to add; execute sets their ids */
	uint64_t new_version;	/**< set by a successful execute */
};

typedef int (*store_record_fn)(const struct ulm_record *rec, void *arg);
typedef int (*store_event_fn)(const void *msg, size_t len, void *arg);
typedef int (*store_file_fn)(const struct ulm_key *file, void *arg);
typedef int (*store_node_fn)(const struct ulm_node_info *node, void *arg);
/** One file of a scan: its @p n records, all of one version (owner
 *  bytes borrowed for the call); @p recs NULL: the store cannot show it
 *  alone (its token is this node's, it has more records than one read,
 *  a record failed to decode): the engine reads it as a lock call does.
 *  @p frozen: a dead node's token is on it (store_ops.file_frozen). */
typedef int (*store_scan_fn)(const struct ulm_key *file,
			     const struct ulm_record *recs, size_t n,
			     bool frozen, void *arg);
/** One file of a purge's scan: put the ids of the records to remove in
 *  @p del (room for @p n) and return how many; @p token: the store
 *  removes the purged node's token with them. -ECANCELED: the engine
 *  purges the file itself (called again with @p recs NULL). @p recs
 *  NULL: the store cannot write the file alone: the engine purges it as
 *  a lock call does and returns 0 or an error. */
typedef int (*store_purge_fn)(const struct ulm_key *file,
			      const struct ulm_record *recs, size_t n,
			      bool token, uint64_t *del, void *arg);

struct ulm_store_ops {
	const char *name;
	/**
	 * Others (processes, nodes) may change the store: the engine then
	 * checks its cached table against file_version() on every use.
	 * When false the engine's tables are the whole truth and
	 * file_version, file_load and file_walk are never called.
	 */
	bool shared;
	/** Open; sets this node's epoch for the session. */
	int (*open)(const struct ulm_env_config *cfg, struct ulm_store **store,
		    uint32_t *epoch);
	void (*close)(struct ulm_store *store);
	int (*file_version)(struct ulm_store *store, const struct ulm_key *file,
			    uint64_t *version);
	/** Every record of one file, and the version they are of. */
	int (*file_load)(struct ulm_store *store, const struct ulm_key *file,
			 store_record_fn fn, void *arg, uint64_t *version);
	/** Every file that has records, outside any transaction. */
	int (*file_walk)(struct ulm_store *store, store_file_fn fn, void *arg);
	/** Every file that has records, for a listing: read without joining
	 *  the file (records under another node's token as that node last
	 *  wrote them back). NULL: listings use file_walk. */
	int (*file_scan)(struct ulm_store *store, store_scan_fn fn, void *arg);
	/** The recovery count's scan (ulm_recovery_pending()): file_scan,
	 *  which also keeps what a purge of @p node before @p before_epoch
	 *  would write, as @p plan picks it from each file read (@p plan is
	 *  never called without records here), for node_purge_scan to send
	 *  without reading again. NULL: the count uses file_scan. */
	int (*recovery_scan)(struct ulm_store *store, uint32_t node,
			     uint32_t before_epoch, store_scan_fn fn, void *arg,
			     store_purge_fn plan, void *plan_arg);
	/** Purge @p node's records of epochs before @p before_epoch, and
	 *  its tokens of those epochs, reading the files as file_scan does
	 *  and writing many at once, each write guarded by the version
	 *  read; @p plan picks the records (store_purge_fn). *@p purged:
	 *  the records removed by the store's own writes. NULL: the purge
	 *  walks the files (file_walk) and commits each. */
	int (*node_purge_scan)(struct ulm_store *store, uint32_t node,
			       uint32_t before_epoch, store_purge_fn plan,
			       void *arg, uint64_t *purged);
	/** Run the op atomically. @return 0, -ECANCELED (version moved),
	 *  -EROFS, -ENOLCK (full), -ENOMEM, -EIO, ULM_ECORRUPT */
	int (*op_execute)(struct ulm_store *store, struct ulm_store_op *op);
	/** Queue @p msg (<= STORE_EVENT_MAX bytes) for node @p node: a
	 *  delegation recall or a waiter wake-up.
	 *  @return 0, -EINVAL, -ENOMEM, -EIO */
	int (*event_post)(struct ulm_store *store, uint32_t node,
			  const void *msg, size_t len);
	/** Hand this node's queued events to @p fn oldest first and remove
	 *  them; if none is queued, wait up to @p timeout_ms for one.
	 *  @return 0, -ENOMEM, -EIO */
	int (*event_take)(struct ulm_store *store, store_event_fn fn, void *arg,
			  int timeout_ms);
	/** Every node registered in the store, ascending.
	 *  @return 0, @p fn's non-zero result, -ENOMEM, -EIO, ULM_ECORRUPT */
	int (*node_list)(struct ulm_store *store, store_node_fn fn, void *arg);
	/** May this node grant now (it holds its liveness lease)? NULL:
	 *  always (a store no other node shares a lease with). */
	bool (*live)(struct ulm_store *store);
	/** How often this node fenced itself and for how long in all (ms,
	 *  the current fence included). NULL: never fenced. */
	void (*fence_stats)(struct ulm_store *store, uint64_t *fences,
			    uint64_t *fenced_ms);
	/** Has this node's lease ended by its own count (its last renewal's
	 *  send time plus one lease, the margin past its fence)? From then
	 *  another node may count it dead and take it over. NULL: never. */
	bool (*lapsed)(struct ulm_store *store);
	/** Is the file frozen by a dead node's token (docs/rados.md)? Then
	 *  only reclaims may grant on it. NULL: no tokens in this store.
	 *  @return 1, 0, -ENOMEM */
	int (*file_frozen)(struct ulm_store *store, const struct ulm_key *file);
	/** Remove the file's token if @p node holds it from an epoch before
	 *  @p before_epoch (ulm_node_purge()). NULL: no tokens.
	 *  @return 1 removed, 0 none, -EROFS, -ENOMEM, -EIO */
	int (*token_purge)(struct ulm_store *store, const struct ulm_key *file,
			   uint32_t node, uint32_t before_epoch);
	/** Tokens taken, given back and asked for. NULL: no tokens. */
	void (*token_stats)(struct ulm_store *store,
			    struct ulm_token_stats *st);
};

/** Largest event message. */
#define STORE_EVENT_MAX 4096

extern const struct ulm_store_ops ulm_store_mem_ops;
extern const struct ulm_store_ops ulm_store_lmdb_ops;
extern const struct ulm_store_ops ulm_store_rados_ops;

/** Room for @p max_del deletes and @p max_put puts. @return 0, -ENOMEM */
int store_op_init(struct ulm_store_op *op, const struct ulm_key *file,
		  uint64_t version, size_t max_del, size_t max_put);
void store_op_delete(struct ulm_store_op *op, uint64_t id);
/** Queue a copy of @p rec (its owner bytes stay borrowed). */
void store_op_put(struct ulm_store_op *op, const struct ulm_record *rec);
void store_op_fini(struct ulm_store_op *op);

#endif /* ULM_STORE_H */
