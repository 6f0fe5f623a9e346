/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's private parts, shared by its files: store_rados.c
 * (connect, node registration, the store ops), rados_read.c and
 * rados_write.c (the engine's reads and writes), rados_batch.c (encoded
 * changes), rados_files.c (the node-side cache of watched file objects),
 * rados_tokens.c, rados_handover.c and rados_flusher.c (file tokens),
 * rados_events.c (the per-node mailbox), rados_live.c (the liveness
 * lease), rados_thread.c (service threads) and rados_bounded.c (watch,
 * unwatch and notify with a deadline). Layout: docs/rados.md.
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

/* The "~token" entry of a file object: the node whose memory holds the
 * file's table (rados_tokens.c). */
struct rados_token {
	bool present;
	uint32_t node;
	uint32_t epoch;
	uint64_t seq; /* bumped by each flush of the holder */
};

/* Record changes of one file object, encoded (rados_batch.c). */
struct rados_batch {
	size_t n_put;
	size_t cap_put;
	struct batch_put {
		uint64_t id;
		size_t len;
		uint8_t *bytes; /* the encoded record */
	} * put;
	size_t n_del;
	size_t cap_del;
	uint64_t *del; /* ids of records already in the object */
};

/* A handover ('H') or flush ('F') request of another node, acked once
 * done. */
struct token_ack {
	struct token_ack *next;
	uint64_t notify_id;
	uint64_t cookie;
};

enum token_state {
	TOKEN_NONE,	/* not ours: every change is a synchronous write */
	TOKEN_HELD,	/* ours: changes are made in memory, written behind */
	TOKEN_DROPPING, /* ours still: to flush and give back, no changes */
};

/*
 * What this node knows of one file object. A watched file's version is
 * known without a round trip: our own writes set it, and a notify from
 * another writer makes it unknown (gen moves on) until the next read.
 * Guarded by its bucket's mutex.
 */
struct rados_file {
	struct rados_file *next;
	struct rados_store *store;
	uint64_t hash;
	char oid[RADOS_OID_MAX];
	unsigned int refs;   /* callers using it; 0: the trimmer may free it */
	uint64_t used_ns;    /* last use (CLOCK_MONOTONIC), for trimming */
	uint64_t watch;	     /* cookie; 0: not watched */
	bool broken;	     /* the watch reported an error: watch again */
	bool known;	     /* version, n_records and token are the object's */
	bool others;	     /* another node watches: notify our changes */
	uint64_t others_gen; /* bumped each time another node shows up */
	uint64_t gen;	     /* bumped by every invalidation */
	uint64_t version;    /* object version (0: no object) */
	int64_t n_records;   /* -1: not known */
	struct rados_token token; /* the object's token, when known */
	bool frozen; /* token of a dead holder: only reclaims may grant */
	/* Our token (rados_tokens.c). */
	enum token_state tstate;
	uint64_t view; /* the version the engine plans against */
	uint64_t base; /* ids (base << 16) + counter: see rados_tokens.c */
	uint32_t counter;
	struct rados_batch batch;    /* changes not sent yet */
	struct rados_batch sending;  /* sent, or to send again */
	bool flushing;		     /* a flush of this file is in flight */
	struct token_ack *acks;	     /* requests waiting for the next flush */
	struct token_ack *acks_sent; /* requests the flush in flight ends */
	/* The flusher's list (rados_flusher.c). */
	struct rados_file *dirty_next;
	bool dirty;
};

struct rados_file_bucket {
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* a file's token or flush state changed */
	struct rados_file *files;
};

/* A service thread of the store (rados_thread.c). */
struct rados_thread {
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	pthread_t id;
	bool running;
	bool stop; /* under mutex */
};

/* What rados_bounded.c runs. */
enum rados_bounded_kind {
	RADOS_BOUNDED_WATCH,
	RADOS_BOUNDED_UNWATCH,
	RADOS_BOUNDED_NOTIFY,
	RADOS_BOUNDED_KINDS
};

struct rados_store {
	struct ulm_store base;
	rados_t cluster;
	rados_ioctx_t io;
	uint64_t instance; /* our watch/notify identity */
	uint32_t node_id;
	uint32_t epoch;
	bool read_only;
	bool tokens;		/* take file tokens (write-behind) when alone */
	uint32_t op_timeout_ms; /* librados's rados_osd_op_timeout */
	struct rados_file_bucket buckets[RADOS_FILE_BUCKETS];
	/* Trimmed files whose watch is gone: freed after a watch flush. */
	pthread_mutex_t retired_mutex;
	struct rados_file *retired;
	/* Watches, unwatches and notifies in flight (rados_bounded.c): close
	 * waits for them a while, then starts no more (closing). */
	pthread_mutex_t pending_mutex;
	pthread_cond_t pending_cond; /* none left (CLOCK_MONOTONIC) */
	unsigned int pending;
	bool closing;
	atomic_uint given_up[RADOS_BOUNDED_KINDS]; /* for tests */
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
	struct rados_thread live;
	bool live_paused; /* under live.mutex */
	/* The flusher (rados_flusher.c): files with changes to write or a
	 * token to give back, and the watch trimmer. */
	struct rados_thread flusher;
	struct rados_file *dirty; /* under flusher.mutex */
	bool flusher_idle;
	/* Trimming (every trim_every_ms): unwatch files unused for
	 * watch_idle_ms, and the least used beyond watch_max. */
	atomic_uint trim_every_ms; /* tests shorten them */
	atomic_uint watch_idle_ms;
	atomic_uint watch_max;
	atomic_uint n_watched;
	atomic_uint tokens_taken; /* for tests and benchmarks */
	/* Tests: run between a change notify's reply and its use. */
	void (*change_replied)(struct rados_file *f);
};

/** One omap value (at most *@p len bytes; *@p len: its length, 0 if
 *  there is no such key) and the version of its object (0: no object).
 *  @return 0, -ENOMEM, -EIO, ULM_ECORRUPT (longer than *@p len) */
int rados_value_get(struct rados_store *s, const char *oid, const char *key,
		    void *buf, size_t *len, uint64_t *version);
/** One big-endian u32 omap value, and the version of its object (0: no
 *  object; *value 0: no such key). */
int rados_u32_get(struct rados_store *s, const char *oid, const char *key,
		  uint32_t *value, uint64_t *version);

/** A record's omap key: its id in 16 hex digits. */
#define RADOS_ID_KEY_LEN 16
/** Write @p id's key into @p buf (RADOS_ID_KEY_LEN + 1). @return buf */
const char *rados_id_key(char *buf, uint64_t id);

bool rados_batch_empty(const struct rados_batch *b);
/** Drop the changes, keep the room. */
void rados_batch_clear(struct rados_batch *b);
void rados_batch_free(struct rados_batch *b);
/** Add @p op's changes: its puts, encoded, get ids (@p base << 16) +
 *  @p next + i; a delete of a record still in @p b cancels its put.
 *  @return 0, or -ENOMEM and @p b unchanged */
int rados_batch_add(struct rados_batch *b, struct ulm_store_op *op,
		    uint64_t base, uint32_t next);
struct batch_bufs;
/** Add @p b's omap steps to @p w. @return what the steps point into,
 *  to free with rados_batch_bufs_free() once @p w ran (NULL: no memory)*/
struct batch_bufs *rados_batch_write(const struct rados_batch *b,
				     rados_write_op_t w);
void rados_batch_bufs_free(struct batch_bufs *bb);

/** Map a librados result to libulm's errors: never a silent success. */
int rados_errno(int rc);

/** Run @p op on @p oid and wait. @return librados's raw result; on
 *  success *@p version (if not NULL) is the object's new version. */
int rados_write_run(struct rados_store *s, rados_write_op_t op, const char *oid,
		    uint64_t *version);
/** As rados_write_run for a read op; *@p version is the version read. */
int rados_read_run(struct rados_store *s, rados_read_op_t op, const char *oid,
		   uint64_t *version);

/* Watch, unwatch and notify with a deadline (rados_bounded.c): librados
 * bounds none of them by its op timeout. Deadlines are CLOCK_MONOTONIC
 * ns. A timed-out op returns -ETIMEDOUT and is left to finish alone. */
void rados_bounded_init(struct rados_store *s);
void rados_bounded_fini(struct rados_store *s);
/** The deadline of a watch or unwatch (0), or of a notify that waits
 *  @p wait_ms for acks. */
uint64_t rados_deadline(const struct rados_store *s, uint32_t wait_ms);
/** Hands @p arg back: the op, and any watch it left behind, no longer
 *  use it (but for callbacks that rados_watch_flush() waits for). */
typedef void (*rados_release_fn)(void *arg);
/** Watch @p oid with callbacks on @p arg; release(@p arg) (if not NULL)
 *  once the op is over: before returning if it ended by @p deadline
 *  (then a watch made, *@p cookie, is the caller's), else once a watch
 *  made late is taken down. @return 0, -ETIMEDOUT, or a librados error */
int rados_watch_bounded(struct rados_store *s, const char *oid,
			rados_watchcb2_t notified, rados_watcherrcb_t failed,
			uint32_t timeout_s, void *arg, rados_release_fn release,
			uint64_t deadline, uint64_t *cookie);
/** Remove watch @p cookie, waiting until @p deadline at most (0: not at
 *  all); release(@p arg) once it is gone (also when closing). */
void rados_unwatch_bounded(struct rados_store *s, uint64_t cookie,
			   rados_release_fn release, void *arg,
			   uint64_t deadline);
/** Notify @p oid's watchers, waiting for their acks @p timeout_ms (whole
 *  seconds) and for the answer until @p deadline. @return 0 or an error;
 *  *@p reply (free with rados_buffer_free()) may be set either way but
 *  for -ETIMEDOUT of the deadline */
int rados_notify_bounded(struct rados_store *s, const char *oid,
			 const void *msg, size_t len, uint32_t timeout_ms,
			 uint64_t deadline, char **reply, size_t *reply_len);
/** Send @p msg to @p oid's watchers without waiting for their acks. */
void rados_notify_async(struct rados_store *s, const char *oid, const void *msg,
			size_t len, uint32_t timeout_ms);
/** Close: wait until @p deadline at most for the ops in flight, then
 *  start no more. @return true: none is left (no callback will come) */
bool rados_bounded_drain(struct rados_store *s, uint64_t deadline);

void rados_files_init(struct rados_store *s);
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
/** Notifies of other nodes asking for a file we hold the token of:
 *  write it and give the token back, or write it only (a reader). */
#define RADOS_NOTIFY_HANDOVER 'H'
#define RADOS_NOTIFY_FLUSH    'F'
/** Tell other watchers that @p f changed, if there are any, and wait
 *  until they know (or CHANGE_TIMEOUT_MS); learn whether any still
 *  watches. */
void rados_file_changed(struct rados_file *f);

/** The file's version (the engine's) and token, read only if not known.
 *  @return 0, -ENOMEM, -EIO, ULM_ECORRUPT */
int rados_file_state(struct rados_file *f, uint64_t *version,
		     struct rados_token *t);

/* The store ops of reads (rados_read.c) and writes (rados_write.c). */
int rados_file_version(struct ulm_store *store, const struct ulm_key *file,
		       uint64_t *version);
int rados_file_load(struct ulm_store *store, const struct ulm_key *file,
		    store_record_fn fn, void *arg, uint64_t *version);
int rados_op_execute(struct ulm_store *store, struct ulm_store_op *op);

/* Tokens (rados_tokens.c): a node alone on a file holds its table in
 * memory and writes behind. */

/** The omap key of a file's token, and its encoded length. */
#define RADOS_TOKEN_KEY "~token"
#define RADOS_TOKEN_LEN 16
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

/** May what was read of @p f (@p version, token @p t) be used? Not while
 *  another live node holds the token: it is asked for it (a read-only env
 *  asks it to write only, once: @p attempt 0). A dead node's token
 *  freezes the file. @return 0, 1 (read the object again), or an error */
int rados_token_settle(struct rados_file *f, const struct rados_token *t,
		       uint64_t version, unsigned int attempt);
/** Remove this env's own token from the object of @p f, whose state in
 *  memory was lost. @return 0 or an error */
int rados_token_clear_own(struct rados_file *f);
/** Store ops: is the file frozen by a dead node's token (1, 0, -ENOMEM);
 *  remove a dead node's token (ulm_node_purge()). */
int rados_file_frozen(struct ulm_store *store, const struct ulm_key *file);
int rados_token_purge(struct ulm_store *store, const struct ulm_key *file,
		      uint32_t node, uint32_t before_epoch);

void rados_thread_init(struct rados_thread *t);
/** @return 0, -EAGAIN */
int rados_thread_start(struct rados_thread *t, void *(*fn)(void *), void *arg);
/** Wait on the condition until CLOCK_MONOTONIC @p deadline_ns. @pre mutex
 *  held. @return false: the deadline passed */
bool rados_thread_wait(struct rados_thread *t, uint64_t deadline_ns);
/** Stop it (if started: stop flag, broadcast, join) and free it. */
void rados_thread_fini(struct rados_thread *t);

/* The flusher (rados_flusher.c). */
void rados_flusher_init(struct rados_store *s);
int rados_flusher_start(struct rados_store *s);
/** Give every token back (written through) and stop. */
void rados_flusher_fini(struct rados_store *s);
/** Queue @p f for the flusher. @pre bucket locked */
void rados_flusher_mark(struct rados_file *f);

/** Watch our node object and take this node's next epoch. */
int rados_events_init(struct rados_store *s);
/** Unwatch the mailbox, waiting until @p deadline at most. */
void rados_events_fini(struct rados_store *s, uint64_t deadline);
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
