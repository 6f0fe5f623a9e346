/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's private parts, shared by its files: store_rados.c
 * (connect, node registration, the store ops), rados_files.c (the
 * node-side cache of watched file objects), rados_events.c (the per-node
 * mailbox) and rados_live.c (the liveness lease). Layout: docs/rados.md.
 */
#ifndef ULM_RADOS_STORE_H
#define ULM_RADOS_STORE_H

#include <pthread.h>
#include <rados/librados.h>
#include <stdatomic.h>
#include "store.h"

/* "f." + two hex digits per key byte + NUL */
#define RADOS_OID_MAX	   (2 + 2 * ULM_KEY_MAX + 1)
#define RADOS_FILE_PREFIX  "f."
#define RADOS_FILE_BUCKETS 256

/*
 * What this node knows of one file object. A watched file's version is
 * known without a round trip: our own writes set it, and a notify from
 * another writer makes it unknown (gen moves on) until the next read.
 */
struct rados_file {
	struct rados_file *next;
	struct rados_store *store;
	uint64_t hash;
	char oid[RADOS_OID_MAX];
	uint64_t watch;	   /* cookie; 0: not watched */
	bool broken;	   /* the watch reported an error: watch again */
	bool known;	   /* version and n_records are the object's */
	bool others;	   /* another node watches: notify our changes */
	uint64_t gen;	   /* bumped by every invalidation */
	uint64_t version;  /* object version (0: no object) */
	int64_t n_records; /* -1: not known */
};

struct rados_file_bucket {
	pthread_mutex_t mutex;
	struct rados_file *files;
};

struct rados_store {
	struct ulm_store base;
	rados_t cluster;
	rados_ioctx_t io;
	uint64_t instance; /* our watch/notify identity */
	uint32_t node_id;
	bool read_only;
	struct rados_file_bucket buckets[RADOS_FILE_BUCKETS];
	/* Fire-and-forget notifies still in flight (close waits for them). */
	pthread_mutex_t inflight_mutex;
	pthread_cond_t inflight_cond;
	unsigned int inflight;
	/* The mailbox: the watch on our node object wakes event_take. */
	char node_oid[32];
	uint64_t node_watch;
	pthread_mutex_t event_mutex;
	pthread_cond_t event_cond;
	uint64_t event_gen;
	uint32_t event_seq;
	/* The liveness lease (rados_live.c). */
	char live_oid[32];
	char live_cookie[48];
	uint32_t lease_ms;
	_Atomic uint64_t live_until; /* CLOCK_MONOTONIC ns: fenced from then */
	pthread_t live_thread;
	bool live_running;
	pthread_mutex_t live_mutex;
	pthread_cond_t live_cond;
	bool live_stop;
	bool live_paused;
};

/** One big-endian u32 omap value, and the version of its object (0: no
 *  object; *value 0: no such key). */
int rados_u32_get(struct rados_store *s, const char *oid, const char *key,
		  uint32_t *value, uint64_t *version);

/** Map a librados result to libulm's errors: never a silent success. */
int rados_errno(int rc);

/** Run @p op on @p oid and wait. @return librados's raw result; on
 *  success *@p version (if not NULL) is the object's new version. */
int rados_write_run(struct rados_store *s, rados_write_op_t op, const char *oid,
		    uint64_t *version);
/** As rados_write_run for a read op; *@p version is the version read. */
int rados_read_run(struct rados_store *s, rados_read_op_t op, const char *oid,
		   uint64_t *version);

/** Send @p msg to @p oid's watchers without waiting for their acks. */
void rados_notify_async(struct rados_store *s, const char *oid, const void *msg,
			size_t len);

void rados_files_init(struct rados_store *s);
/** Unwatch and free every file. */
void rados_files_fini(struct rados_store *s);
/** The file's entry, created (unwatched, unknown) if new. @return NULL:
 *  out of memory */
struct rados_file *rados_file_get(struct rados_store *s,
				  const struct ulm_key *file);
/** Make @p f watched if its object exists. @return 0 (also when it does
 *  not exist yet), or a librados error */
int rados_file_watch(struct rados_file *f);
/** The invalidation count now (snapshot before a read or write). */
uint64_t rados_file_gen(struct rados_file *f);
/**
 * Record what a read or our own write found: the object is at @p version
 * with @p n_records records (-1: not known). Kept only if the file is
 * watched and nothing invalidated it since @p gen; else left unknown.
 */
void rados_file_learn(struct rados_file *f, uint64_t gen, uint64_t version,
		      int64_t n_records);
/** Forget what is known (a write lost a race). */
void rados_file_forget(struct rados_file *f);
/** Known version and record count of a healthy watched file. @return
 *  false: a read is needed */
bool rados_file_known(struct rados_file *f, uint64_t *version,
		      int64_t *n_records);
/** Tell other watchers that @p f changed, if there are any, and wait
 *  until they know (or CHANGE_TIMEOUT_MS). */
void rados_file_changed(struct rados_file *f);

/** Watch our node object and take this node's next epoch. */
int rados_events_init(struct rados_store *s);
void rados_events_fini(struct rados_store *s);
int rados_event_post(struct ulm_store *store, uint32_t node, const void *msg,
		     size_t len);
int rados_event_take(struct ulm_store *store, store_event_fn fn, void *arg,
		     int timeout_ms);

/** Set up the lease's lock and condition (every open). */
void rados_live_init(struct rados_store *s);
/** Take this node's lease (waiting one lease for a dead holder's to
 *  lapse), register the node, and renew from a thread.
 *  @return 0, -EBUSY (another live process holds it), -ENOMEM, -EIO */
int rados_live_start(struct rados_store *s, uint32_t lease_ms);
/** Stop renewing and give the lease back. */
void rados_live_fini(struct rados_store *s);
/** Does this node hold its lease, margin included? */
bool rados_live_ok(struct rados_store *s);
/** The store op: rados_live_ok(). */
bool rados_live(struct ulm_store *store);
/** Tests: stop (true) or resume renewals, as a partition would. */
void rados_live_pause(struct ulm_store *store, bool paused);
/** A node's current epoch (0: never opened) and whether its lease is
 *  held now. @return 0, -ENOMEM, -EIO, ULM_ECORRUPT */
int rados_node_state(struct rados_store *s, uint32_t node, uint32_t *epoch,
		     bool *live);
/** The store op: every registered node. */
int rados_node_list(struct ulm_store *store, store_node_fn fn, void *arg);

#endif /* ULM_RADOS_STORE_H */
