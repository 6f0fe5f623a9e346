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

/** Whose token a scanned file carries (as rados_token_settle() judges). */
enum scan_holder {
	SCAN_HOLDER_NONE,
	SCAN_HOLDER_MINE, /* this life's of this node: memory may be ahead */
	SCAN_HOLDER_LIVE, /* another live node's, of its current epoch */
	SCAN_HOLDER_DEAD, /* a dead node's or an earlier life's: frozen */
};
/** One file object as a scan read it (owner bytes borrowed for the
 *  call). */
struct scan_file {
	const struct ulm_key *key;
	const char *oid;
	uint64_t version; /* of the object read */
	bool whole;	  /* recs holds all its records: one read, decoded */
	const struct ulm_record *recs;
	size_t n;
	const struct rados_token *token; /* as read */
	enum scan_holder holder;
};
typedef int (*scan_take_fn)(const struct scan_file *file, void *arg);
/** Read every file object, SCAN_IN_FLIGHT at once, and hand each to
 *  @p take in turn. @return 0, @p take's error, -ENOMEM, -EIO */
int rados_pool_scan(struct rados_store *s, scan_take_fn take, void *arg);
/** Token holders as a walk last saw them (each read again past 100 ms). */
struct node_view {
	struct rados_store *s;
	struct scan_node {
		uint32_t node;
		uint32_t epoch;
		bool live;
		uint64_t seen_ns;
	} * nodes;
	size_t n;
};
/** Whose token @p t is, as rados_token_settle() would judge it.
 *  @return 0, -ENOMEM, -EIO */
int rados_holder_of(struct node_view *v, const struct rados_token *t,
		    enum scan_holder *holder);
void rados_node_view_fini(struct node_view *v);
/** A listing's scan_take_fn: hands each file to the store_scan_fn. */
struct scan_listing {
	store_scan_fn fn;
	void *arg;
};
int rados_scan_show(const struct scan_file *file, void *arg);
/** Store op: every file object's records, read in batches. */
int rados_file_scan(struct ulm_store *store, store_scan_fn fn, void *arg);

/* A node's purge (rados_purge.c), planned by the recovery count's scan
 * (rados_purge_plan.c). */
/** Whose records a purge removes, and the engine's pick of them. */
struct purge_of {
	uint32_t node;
	uint32_t before_epoch;
	store_purge_fn plan;
	void *arg;
};
/** What a purge does with a file as a scan read it. */
struct purge_pick {
	bool engine;  /* the store cannot write it alone: the engine's way */
	bool token;   /* the purged node's token goes */
	size_t n_del; /* records to remove: their ids in del */
	uint64_t *del;
	size_t cap; /* room in del, grown as needed */
};
/** Pick (never calls @p who->plan without records). @return 0, the
 *  plan's error, -ENOMEM */
int rados_purge_pick(const struct scan_file *file, const struct purge_of *who,
		     struct purge_pick *pick);
/** A file as the count read it: what its purge would write. */
struct planned_file {
	char *oid;
	uint64_t version;	  /* the write asserts it */
	struct rados_token token; /* as read: its holder judged again */
	bool engine;
	bool token_go;
	size_t n_del;
	uint64_t *del;
};
/** The plan of a node's purge, made by its last recovery count. */
struct purge_memo {
	uint32_t node;
	uint32_t before_epoch;
	size_t n;
	size_t cap;
	struct planned_file *files;
};
/** Store op: the recovery count's scan (as rados_file_scan()), which
 *  keeps the plan of @p node's purge for rados_node_purge_scan(). */
int rados_recovery_scan(struct ulm_store *store, uint32_t node,
			uint32_t before_epoch, store_scan_fn fn, void *arg,
			store_purge_fn plan, void *plan_arg);
/** The plan kept for this purge, if the last count made it (the caller
 *  frees it); NULL: none (the purge scans). */
struct purge_memo *rados_purge_memo_take(struct rados_store *s, uint32_t node,
					 uint32_t before_epoch);
void rados_purge_memo_free(struct purge_memo *m);
/** Store op: a node's purge, by guarded writes in flight: of the plan
 *  its count made, else of a scan. */
int rados_node_purge_scan(struct ulm_store *store, uint32_t node,
			  uint32_t before_epoch, store_purge_fn plan, void *arg,
			  uint64_t *purged);

/* The flusher (rados_flusher.c). */
void rados_flusher_init(struct rados_store *s);
int rados_flusher_start(struct rados_store *s);
/** Give every token back (written through) and stop. */
void rados_flusher_fini(struct rados_store *s);

#endif /* ULM_RADOS_OPS_H */
