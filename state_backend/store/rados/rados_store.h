/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's state, shared by all its files: the store, its file
 * cache entries, their tokens, its threads. What each part does is in
 * the header of its layer; a file includes only its own layer's header
 * and those below (README.md, tests/check_layers.sh):
 *
 *   store_rados.c                         the store ops: open, close
 *   rados_ops.h      rados_read.c rados_write.c rados_flusher.c
 *                    rados_scan.c rados_purge.c  reads, writes, walks
 *                    rados_purge_plan.c
 *   rados_handover.h rados_handover.c     other nodes' tokens
 *   rados_tokens.h   rados_tokens.c       our tokens: write-behind
 *   rados_files.h    rados_files.c        the cache of watched files
 *   rados_live.h rados_events.h           the lease, the mailbox
 *   rados_io.h       rados_io.c rados_batch.c rados_bounded.c
 *                    rados_thread.c       ops, bounded watch/notify
 *   rados_store.h    (this)               the data
 *
 * Layout of the objects: docs/rados.md.
 */
#ifndef ULM_RADOS_STORE_H
#define ULM_RADOS_STORE_H

#include <pthread.h>
#include <rados/librados.h>
#include <stdatomic.h>
#include "latency.h"
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
	struct rados_batch batch;   /* changes not sent yet */
	struct rados_batch sending; /* sent, or to send again */
	bool sending_drop;	/* and the token with it: see flush_prepare() */
	bool resend;		/* the last flush failed: send it again as is */
	bool flushing;		/* a flush of this file is in flight */
	struct token_ack *acks; /* requests waiting for the next flush */
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

struct rados_file_hooks;

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
	uint32_t peer_wait_ms;	/* ulm_env_config.peer_wait_s, in ms */
	struct rados_file_bucket buckets[RADOS_FILE_BUCKETS];
	const struct rados_file_hooks *file_hooks; /* rados_files.h */
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
	/* The liveness lease (rados_live.c), on a client of its own: no
	 * burst of this node's ops or watch pings queues ahead of it. */
	rados_t live_cluster;
	rados_ioctx_t live_io;
	char live_oid[32];
	char live_cookie[48];
	uint32_t lease_ms;
	_Atomic uint64_t live_until; /* CLOCK_MONOTONIC ns: fenced from then */
	struct rados_thread live;
	bool live_paused; /* under live.mutex */
	/* Fences seen by the lease thread, under live.mutex: how many, the
	 * time spent in those that ended, the start of the current one. */
	uint64_t fences, fenced_ns, fence_start;
	bool fence_open;
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
	atomic_uint tokens_taken; /* ulm_store_stats(), tests, benchmarks */
	atomic_uint tokens_given; /* ... given back to a node that asked */
	struct latency_histogram handover_asked; /* our asks: their wait */
	/* Forget what is known of every file not under our token (another
	 * node purged files without telling their watchers one by one:
	 * rados_purge.c); set by rados_files_init(). */
	void (*files_forget)(struct rados_store *s);
	/* Tests: run between a change notify's reply and its use. */
	void (*change_replied)(struct rados_file *f);
	/* The plan of a purge, kept by the last recovery count
	 * (rados_purge_plan.c). */
	pthread_mutex_t memo_mutex;
	struct purge_memo *memo;
	/* Tests: run between a purged file's read and its write; non-zero
	 * ends the purge with it (rados_purge.c). */
	int (*purge_planned)(struct rados_store *s, const struct ulm_key *file);
};

/** The omap key of a file's token, and its encoded length. */
#define RADOS_TOKEN_KEY "~token"
#define RADOS_TOKEN_LEN 16
/** Notifies of other nodes asking for a file we hold the token of:
 *  write it and give the token back, or write it only (a reader). */
#define RADOS_NOTIFY_HANDOVER 'H'
#define RADOS_NOTIFY_FLUSH    'F'
/** Notify on a node object: files were purged (rados_purge.c); forget
 *  what you know of them before you ack. */
#define RADOS_NOTIFY_PURGED 'P'

#endif /* ULM_RADOS_STORE_H */
