/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file ulm.h
 * @brief libulm: one lock table for every protocol, in a persistent store.
 *
 * libulm keeps byte-range locks, share reservations, delegations and the
 * queue of blocked lock requests per file, in a store shared by every user
 * of the file:
 * Ganesha's NLM and NFSv4 paths, Samba, local tools. It knows nothing of
 * Ganesha; callers translate their world into ULM's:
 *
 *  - a file is named by a key (opaque bytes, equal on every node that
 *    exports the same file);
 *  - an owner is {protocol, kind, node, client bytes, owner bytes}; two
 *    owners are the same owner iff every field is equal;
 *  - a range is inclusive [start, end]; end == ULM_EOF means "to end of
 *    file". Use ulm_range_from_length() to convert offset/length pairs.
 *
 * Every call returns 0 or a negative errno; ulm_strerror() decodes all of
 * them. libulm's own codes lie below -4096 (ULM_E*).
 *
 * An environment (ulm_env) is safe to use from many threads at once.
 */
#ifndef ULM_H
#define ULM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup version Version */
#define ULM_VERSION_MAJOR 0
#define ULM_VERSION_MINOR 1

/** @defgroup errors Error codes of libulm's own (other errors are -errno).
 *  Any call that waits on a shared store (RADOS) may also answer
 *  -ETIMEDOUT: the store did not answer within the call's bound
 *  (op_timeout_s and peer_wait_s of ulm_env_config, in all); retry. A
 *  change that timed out may still have been made, as with -EIO. (A
 *  release, unshare or delegation return the store cannot take now is
 *  kept, written later, and answers 0.) */
#define ULM_ECORRUPT (-4097) /**< a stored record failed to decode */
#define ULM_EFORMAT  (-4098) /**< store written by an unknown format version */
#define ULM_EDELEG                                              \
	(-4099) /**< another client's delegation conflicts; its \
		     recall was sent to its node: retry later */
#define ULM_EFENCED                                                  \
	(-4100) /**< this node lost its liveness lease in the store: \
		     it must not grant until it has it again */
#define ULM_EGRACE                                                 \
	(-4101) /**< the request meets state still being recovered \
		     (an unreclaimed record or a dead node's file  \
		     token): retry after grace */
#define ULM_EBUSY                                                      \
	(-4102) /**< another node holding the file's state (its token) \
		     did not answer within ulm_env_config.peer_wait_s: \
		     nothing was done, retry */

/** Last byte of a file: a range ending here runs to end of file. */
#define ULM_EOF UINT64_MAX

/** Longest client or owner identity, in bytes (NFSv4 opaque limit). */
#define ULM_ID_MAX 1024

/** Longest file key, in bytes. */
#define ULM_KEY_MAX 256

/** Node ids from here up are short-lived per-process nodes (an smbd
 *  process per SMB connection: docs/smb.md), ids below are long-lived
 *  servers (a Ganesha's Node_Id). A per-process node has no reclaim: once
 *  it is not live, any node of the store may purge its records. */
#define ULM_NODE_PROCESS_MIN (1U << 24)

/** An open environment: one store plus this node's cache of it. */
typedef struct ulm_env ulm_env;

/** What one ulm_lock_acquire() changed, to revert it exactly. */
typedef struct ulm_undo ulm_undo;

enum ulm_store_kind {
	ULM_STORE_MEMORY = 1, /**< process memory; for tests */
	ULM_STORE_LMDB = 2,   /**< LMDB environment on local disk */
	ULM_STORE_RADOS = 3,  /**< Ceph RADOS pool, shared by many nodes */
};

/** RADOS file tokens (ulm_env_config.tokens; docs/rados.md). */
enum ulm_tokens {
	ULM_TOKENS_DEFAULT = 0, /**< on */
	ULM_TOKENS_ON = 1,
	ULM_TOKENS_OFF = 2, /**< every change is a synchronous write */
};

struct ulm_env_config {
	enum ulm_store_kind store;
	/** LMDB: directory of the environment (created if missing). */
	const char *path;
	/** LMDB: maximum size of the map in bytes; 0 means 1 GiB. */
	uint64_t map_size;
	/** LMDB: fsync every commit (else a crash of the OS, not of the
	 *  process, may undo the last commits). */
	bool sync;
	/** This node's id; records made here carry it. Every process
	 *  sharing a store needs its own. */
	uint32_t node_id;
	/** Inspect only: no epoch bump, no node registration, no writes. */
	bool read_only;
	/** RADOS: ceph.conf to read; NULL: Ceph's default search
	 *  ($CEPH_CONF, /etc/ceph/ceph.conf, ...). */
	const char *ceph_conf;
	/** RADOS: cephx user without "client." (e.g. "admin"); NULL: Ceph's
	 *  default. */
	const char *userid;
	/** RADOS: keyring file; NULL: the one ceph.conf names. */
	const char *keyring;
	/** RADOS: pool holding the lock objects (must exist). */
	const char *pool;
	/** RADOS: namespace within the pool; NULL or "": the default one.
	 *  Every node of one cluster uses the same pool and namespace. */
	const char *rados_namespace;
	/** RADOS: this node's liveness lease in ms (0: 15000). A node that
	 *  could not renew it in time is fenced (ULM_EFENCED) until it
	 *  does; other nodes see it dead one lease after its last renewal. */
	uint32_t lease_ms;
	/** RADOS: a node that is the only user of a file takes the file's
	 *  token: it grants from memory and writes the changes behind
	 *  (grouped, within milliseconds); another node that wants the file
	 *  asks for it back first. A grant a client saw may then be in this
	 *  node's memory only until the flush: if the node dies, its token
	 *  freezes the file (ULM_EGRACE) until its clients reclaimed and
	 *  ulm_node_purge() ran. */
	enum ulm_tokens tokens;
	/** RADOS: seconds one RADOS operation may wait for the cluster (an
	 *  OSD that hangs or is down) before it fails with -ETIMEDOUT; 0:
	 *  ceph.conf's rados_osd_op_timeout, or 30 where ceph.conf leaves
	 *  Ceph's default (wait forever). A write that timed out may still
	 *  be applied (docs/rados.md, "Errors"). */
	uint32_t op_timeout_s;
	/** RADOS: seconds a call waits for another node's answer, once
	 *  for the watchers' acks of its join and once for a live token
	 *  holder's handover, before it gives up: ULM_EBUSY, nothing done
	 *  (0: 1; whole seconds: Ceph counts a notify's timeout so). A
	 *  paused or partitioned holder is asked again by the retry, until
	 *  its lease lapses and its files freeze (ULM_EGRACE). */
	uint32_t peer_wait_s;
	/** RADOS: ms a file may go unused before this node stops watching
	 *  it and gives its token back (0: 5000). Longer keeps the files of
	 *  many clients that come back now and then warm (no watch, join
	 *  and read again on their next call); but each watch counts against
	 *  the node's 8,192, and a node that dies freezes every file whose
	 *  token it kept until its clients reclaimed and the purge ran. */
	uint32_t token_idle_ms;
	/** How many buckets the tables of files in memory hash into (0:
	 *  16384, about 6 files a bucket at 100,000 files with records; a
	 *  bucket costs 48 bytes). A process that serves a few files, an
	 *  smbd serving one client, needs far fewer. */
	uint32_t cache_buckets;
};

enum ulm_protocol {
	ULM_PROTO_NLM = 1,
	ULM_PROTO_NFS4 = 2,
	ULM_PROTO_SMB = 3,
	ULM_PROTO_LOCAL = 4,
	ULM_PROTO_9P = 5,
};

enum ulm_owner_kind {
	ULM_OWNER_LOCK = 1,   /**< lock-owner (NFSv4), NLM owner, SMB handle */
	ULM_OWNER_OPEN = 2,   /**< open-owner (NFSv4), NLM share owner */
	ULM_OWNER_CLIENT = 3, /**< a whole client: delegation holder */
};

/** The identity of a lock holder. Borrowed by libulm for the call only. */
struct ulm_owner {
	enum ulm_protocol protocol;
	enum ulm_owner_kind kind;
	uint32_t node;
	const void *client; /**< e.g. NFSv4 co_ownerid, NLM caller name */
	size_t client_len;  /**< <= ULM_ID_MAX */
	const void *owner;  /**< e.g. NFSv4 lock-owner, NLM svid */
	size_t owner_len;   /**< <= ULM_ID_MAX */
};

/** The name of a file, cluster-wide. Borrowed for the call only. */
struct ulm_key {
	const void *data;
	size_t len; /**< 1 .. ULM_KEY_MAX */
};

enum ulm_lock_type {
	ULM_LOCK_READ = 1,
	ULM_LOCK_WRITE = 2,
};

/** What a record is. Byte-range locks keep enum ulm_lock_type's values. */
enum ulm_record_type {
	ULM_REC_LOCK_READ = ULM_LOCK_READ,
	ULM_REC_LOCK_WRITE = ULM_LOCK_WRITE,
	ULM_REC_SHARE = 3,	 /**< share reservation: access + deny */
	ULM_REC_DELEG_READ = 4,	 /**< read delegation (whole file) */
	ULM_REC_DELEG_WRITE = 5, /**< write delegation (whole file) */
	ULM_REC_WAIT_READ = 6,	 /**< a blocked read-lock request, queued */
	ULM_REC_WAIT_WRITE = 7,	 /**< a blocked write-lock request, queued */
};

/** Share access and deny bits (the values of NFSv4's OPEN4_SHARE_*). */
#define ULM_SHARE_READ	1
#define ULM_SHARE_WRITE 2
#define ULM_SHARE_BOTH	(ULM_SHARE_READ | ULM_SHARE_WRITE)
/** SMB only (NFS has no delete deny): access, an open for DELETE; deny,
 *  an open without FILE_SHARE_DELETE, which refuses other owners' opens
 *  for DELETE and a REMOVE or RENAME of the file (ulm_io_check() with
 *  access ULM_SHARE_DELETE). Delegations do not meet it. */
#define ULM_SHARE_DELETE 4
#define ULM_SHARE_ALL	 (ULM_SHARE_BOTH | ULM_SHARE_DELETE)

enum ulm_deleg_type {
	ULM_DELEG_READ = 1,
	ULM_DELEG_WRITE = 2,
};

/** Request and record flags. */
#define ULM_FLAG_RECLAIM 0x01 /**< made by a reclaim after a restart */
#define ULM_FLAG_WAIT	 0x02 /**< request: queue it if it conflicts */
/** record: a Windows (SMB) byte-range lock (ulm_winlock_acquire()) */
#define ULM_FLAG_WINDOWS 0x04
/** record: with ULM_FLAG_WINDOWS, of length 0 at its start: it conflicts
 *  with nothing, and only an unlock of length 0 there removes it */
#define ULM_FLAG_EMPTY 0x08

/** A record as libulm reports it (conflicts, listings). Owns its bytes. */
struct ulm_lock_info {
	enum ulm_record_type type;
	uint64_t start;
	uint64_t end;	  /**< inclusive; ULM_EOF: to end of file */
	unsigned flags;	  /**< ULM_FLAG_RECLAIM, _WINDOWS, _EMPTY */
	unsigned access;  /**< shares: ULM_SHARE_* bits the owner opened */
	unsigned deny;	  /**< shares: ULM_SHARE_* bits it denies others */
	uint64_t expires; /**< waiters: CLOCK_REALTIME ms it lapses; 0 never */
	enum ulm_protocol protocol;
	enum ulm_owner_kind kind;
	uint32_t node;	/**< node that made the record */
	uint32_t epoch; /**< that node's epoch when it made the record */
	size_t client_len;
	size_t owner_len;
	uint8_t client[ULM_ID_MAX];
	uint8_t owner[ULM_ID_MAX];
};

/** @defgroup env Environment */

/**
 * @brief Open a store and this node's view of it.
 *
 * Opening bumps this node's epoch in the store: records made from now on
 * carry the new epoch; records of earlier epochs stay until purged.
 *
 * @param[in]  cfg  store and node; read during the call only
 * @param[out] envp the environment; close it with ulm_env_close()
 * LMDB: one process may open one environment directory only once at a
 * time (an LMDB rule); use one ulm_env per process and share it.
 * RADOS: opening takes this node's liveness lease; if another process
 * holds it, the open waits up to one lease for it to lapse (a process
 * that died leaves it behind) before it gives up with -EBUSY.
 *
 * @return 0, -EINVAL (bad config), -ENOENT/-EACCES/-EROFS (path),
 *         -EBUSY (another live process has this node id open),
 *         -ENOMEM, -EIO, ULM_EFORMAT
 */
int ulm_env_open(const struct ulm_env_config *cfg, ulm_env **envp);

/** @brief Close an environment; held records stay in a persistent store. */
void ulm_env_close(ulm_env *env);

/** @brief The epoch this environment opened in (1 on a node's first open;
 *  a read-only open reports the node's last epoch, 0 if it never opened;
 *  the memory store always starts at 1). */
uint32_t ulm_env_epoch(const ulm_env *env);

/**
 * @brief May this node grant? False while it is fenced: its liveness
 * lease in the store lapsed (RADOS: no renewal succeeded within the
 * lease, minus a margin), so other nodes may already count it dead; every
 * call that would change the table then returns ULM_EFENCED, until a
 * renewal succeeds. Memory and LMDB envs are always live; a read-only
 * env, which holds no lease, never is.
 */
bool ulm_env_live(const ulm_env *env);

/** What this node went through with its store (ulm_env_stats()). */
struct ulm_env_stats {
	bool fenced;	    /**< fenced now (!ulm_env_live()) */
	uint64_t fences;    /**< times this node fenced itself */
	uint64_t fenced_ms; /**< time spent fenced, this fence included */
	/** Fenced, and the lease ended too (by this node's count: its last
	 *  renewal's send time plus one lease, a fifth of a lease after the
	 *  fence): another node may take this node over from now on. Until
	 *  then a renewal that gets through has cost nothing. */
	bool lapsed;
	/** Releases (unlock, cancel, share drop, delegation return) the store
	 *  could not take when asked (fenced, a write failed): kept in
	 *  memory, reported done to the caller, and written before this node
	 *  grants anything again or as soon as it is live. */
	uint64_t releases_kept;
	uint64_t releases_replayed; /**< kept, and written since */
	/** kept, then refused by the store for good at replay */
	uint64_t releases_dropped;
	uint64_t releases_pending; /**< kept, not written yet */
};

/** @brief Fill @p st (a read-only env: all zero but fenced). */
void ulm_env_stats(ulm_env *env, struct ulm_env_stats *st);

/** What the engine asks of its store, timed by ulm_store_stats(). */
enum ulm_store_call {
	ULM_STORE_CALL_VERSION, /**< is a cached file table current? */
	ULM_STORE_CALL_LOAD,	/**< read one file's records */
	ULM_STORE_CALL_WRITE,	/**< write one file's change atomically */
	ULM_STORE_CALLS
};

/** Latency buckets: upper bounds in microseconds, and one more (+Inf). */
#define ULM_STORE_BUCKETS 14
extern const uint64_t ulm_store_bucket_us[ULM_STORE_BUCKETS];

/** A latency histogram since the env opened. */
struct ulm_latency {
	uint64_t count;
	uint64_t sum_us;
	/** events per bucket (not cumulative); the last: over every bound */
	uint64_t buckets[ULM_STORE_BUCKETS + 1];
};

/** One kind of store call since the env opened. */
struct ulm_store_call_stats {
	struct ulm_latency time;
	uint64_t errors;   /**< failed (a lost race, -ECANCELED, is none) */
	uint64_t timeouts; /**< ... of them, cut at the call's bound */
};

/** RADOS file tokens (docs/rados.md); all zero in other stores. */
struct ulm_token_stats {
	uint64_t taken; /**< tokens this node took (alone on a file) */
	uint64_t given; /**< ... given back because another node asked */
	/** this node asking another for a file's token: the wait */
	struct ulm_latency asked;
};

struct ulm_store_stats {
	const char *backend; /**< "lmdb", "rados", "memory" */
	struct ulm_store_call_stats call[ULM_STORE_CALLS];
	struct ulm_token_stats tokens;
};

/** @brief Fill @p st (relaxed counters: cheap, lock-free). */
void ulm_store_stats(ulm_env *env, struct ulm_store_stats *st);
/** @brief "version", "load", "write". */
const char *ulm_store_call_name(enum ulm_store_call call);

/** One node registered in the store (ulm_node_list()). */
struct ulm_node_info {
	uint32_t node;	/**< node id */
	uint32_t epoch; /**< its current (last opened) epoch */
	/** it holds its liveness lease now (RADOS: the lock on its
	 *  "live" object has not lapsed; LMDB: the process that opened it
	 *  runs; memory: always, the store has only this node) */
	bool live;
	/** RADOS: when its lease ends unless renewed, as it last recorded
	 *  (CLOCK_REALTIME ms; 0: unknown): for a node not live, when the
	 *  other nodes could first count it dead (a renewal that could not
	 *  record makes it a little later). */
	uint64_t lease_end_ms;
};

/** Visitor for ulm_node_list(): 0 to go on, anything else stops the walk
 *  and is returned. */
typedef int (*ulm_node_visit_fn)(const struct ulm_node_info *node, void *arg);

/**
 * @brief Visit every node that ever opened the store for writing, in
 * ascending node id.
 * @return 0, the visitor's non-zero result, -EINVAL, -ENOMEM, -EIO,
 *         ULM_ECORRUPT
 */
int ulm_node_list(ulm_env *env, ulm_node_visit_fn visit, void *arg);

/** @defgroup range Ranges */

/**
 * @brief Convert an offset and a length to an inclusive range.
 *
 * A length of 0 means "to end of file", as in fcntl() and Ganesha's FSAL
 * API. A range that would run past the last byte is clamped to ULM_EOF:
 * no byte lies beyond it, so the clamped range covers the same bytes.
 */
void ulm_range_from_length(uint64_t offset, uint64_t length, uint64_t *start,
			   uint64_t *end);

/** @defgroup lock Byte-range locks (POSIX semantics) */

/**
 * @brief Acquire a byte-range lock, or learn who holds it.
 *
 * POSIX semantics for one owner: the new lock replaces whatever the owner
 * held in [start, end] (an atomic upgrade or downgrade), and ranges of one
 * owner and type that touch or overlap are merged. Locks of other owners
 * conflict when they overlap and either is a write lock.
 *
 * @param[out] conflict if not NULL and -EAGAIN is returned: one
 *             conflicting lock
 * @param[out] undo if not NULL and 0 is returned: what to pass to
 *             ulm_undo_apply() or ulm_undo_free(); else set to NULL
 * @return 0 granted; -EAGAIN conflict (a lock, or a request queued
 *         before it: see ulm_lock_request()); ULM_EDELEG another
 *         client's delegation conflicts (its recall was sent); -EINVAL
 *         bad argument (start > end,
 *         empty key or identity too long); -EROFS read-only env; -ENOLCK
 *         store full; -ENOMEM; -EIO store failure; ULM_ECORRUPT. On any
 *         error the table is unchanged.
 */
int ulm_lock_acquire(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, enum ulm_lock_type type,
		     uint64_t start, uint64_t end,
		     struct ulm_lock_info *conflict, ulm_undo **undo);

/** A lock request with options (ulm_lock_request()). */
struct ulm_lock_req {
	enum ulm_lock_type type;
	uint64_t start;
	uint64_t end;
	/** ULM_FLAG_RECLAIM (kept in the record), ULM_FLAG_WAIT */
	unsigned flags;
	/** ULM_FLAG_WAIT: CLOCK_REALTIME ms at which the queued request
	 *  lapses unless asked again (a client that polls); 0: it waits
	 *  until granted or cancelled (a server that calls back). */
	uint64_t wait_expires;
};

/**
 * @brief ulm_lock_acquire() with options.
 *
 * Blocked requests wait in one FIFO queue per file, so that a stream of
 * readers cannot starve a writer: a lock is refused not only over a
 * conflicting lock but also over a conflicting request queued before it
 * (of another owner, not lapsed). With ULM_FLAG_WAIT a refused request
 * joins the queue, or keeps its place and renews its lapse time if the
 * owner already waits for the same range and type; granting it takes it
 * out of the queue. When locks are released, the node of every queued
 * request that could now be granted gets a ULM_EVENT_WAKE.
 *
 * @return as ulm_lock_acquire(); -EAGAIN leaves a ULM_FLAG_WAIT request
 *         queued, and @p conflict (if not NULL) names what it waits for
 */
int ulm_lock_request(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner,
		     const struct ulm_lock_req *req,
		     struct ulm_lock_info *conflict, ulm_undo **undo);

/**
 * @brief Take the owner's queued requests overlapping [start, end] out of
 * the queue (a cancelled NLM request, an NFSv4 client that gave up).
 * Cancelling what does not wait is not an error.
 * @return 0, -EINVAL, -EROFS, -ENOMEM, -EIO, ULM_ECORRUPT
 */
int ulm_lock_cancel(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_owner *owner, uint64_t start,
		    uint64_t end);

/**
 * @brief Revert one granted ulm_lock_acquire(): remove what it added and
 * restore the owner's records it replaced, in one atomic change. Frees
 * @p undo whatever the result.
 * @return 0; -EAGAIN if a restored record would now conflict (possible
 *         only after a downgrade let another reader in), or if the owner's
 *         locks on the file changed since the acquire (the undo no longer
 *         describes them): then nothing is changed; -EINVAL (NULL env or
 *         undo); -EROFS; -ENOLCK; -ENOMEM; -EIO; ULM_ECORRUPT
 */
int ulm_undo_apply(ulm_env *env, ulm_undo *undo);

/**
 * @brief Did the grant take over records of its identity held through
 * another node (an NFSv4 owner, or an NLM reclaim, whose client followed
 * its service address)? Its undo does not give them back: keep such a
 * grant (the records are the owner's either way). NULL: false.
 */
bool ulm_undo_adopted(const ulm_undo *undo);

/** @brief Forget an undo record without applying it. NULL is allowed. */
void ulm_undo_free(ulm_undo *undo);

/**
 * @brief Would ulm_lock_acquire() grant this lock? Changes nothing.
 * @return 0 free; -EAGAIN conflict (as ulm_lock_acquire); other errors
 *         as ulm_lock_acquire.
 */
int ulm_lock_test(ulm_env *env, const struct ulm_key *file,
		  const struct ulm_owner *owner, enum ulm_lock_type type,
		  uint64_t start, uint64_t end, struct ulm_lock_info *conflict);

/**
 * @brief Release the owner's locks within [start, end], splitting ranges
 * that reach beyond it. Releasing what is not held is not an error. The
 * owner's Windows locks (ulm_winlock_acquire()) are never split: those
 * wholly within the range go (an SMB handle closed: 0 to ULM_EOF), the
 * others stay.
 * @return 0; -EINVAL; -EROFS read-only env; -ENOLCK store full (a split
 *         adds a record); -ENOMEM; -EIO; ULM_ECORRUPT
 */
int ulm_lock_release(ulm_env *env, const struct ulm_key *file,
		     const struct ulm_owner *owner, uint64_t start,
		     uint64_t end);

/** @defgroup winlock Byte-range locks (Windows semantics, SMB) */

/**
 * @brief Take a Windows byte-range lock: [@p offset, @p offset +
 * @p length) as one lock of its own, as SMB2 LOCK does (MS-FSA 2.1.5.7).
 * Unlike POSIX locks it never merges with, splits or converts the
 * owner's other locks: a second lock of the same range stacks. It is
 * refused by an overlapping lock of another owner (of any protocol)
 * where either is exclusive (ULM_LOCK_WRITE), and by an overlapping lock
 * of its own owner if it is exclusive itself (a shared lock may stack on
 * the owner's exclusive one). A lock of length 0 conflicts with nothing.
 * POSIX requests of other owners meet these locks as they meet POSIX
 * ones; another client's delegation is recalled as for
 * ulm_lock_acquire().
 * @param owner  the SMB open (ULM_OWNER_LOCK: the client's identity, the
 *               handle as owner bytes)
 * @param flags  0 (no reclaim, no queue: Samba retries blocking locks)
 * @return 0; -EAGAIN (conflict filled); ULM_EDELEG; -EINVAL (a range past
 *         the 64-bit end: offset + length > 2^64); other errors as
 *         ulm_lock_acquire()
 */
int ulm_winlock_acquire(ulm_env *env, const struct ulm_key *file,
			const struct ulm_owner *owner, enum ulm_lock_type type,
			uint64_t offset, uint64_t length, unsigned flags,
			struct ulm_lock_info *conflict);

/**
 * @brief Remove one of the owner's Windows locks of exactly this range,
 * an exclusive one first if both kinds stack there. A release the store
 * cannot take now is kept and written later (as ulm_lock_release()).
 * @return 0; -ENOENT (no such lock: STATUS_RANGE_NOT_LOCKED); -EINVAL;
 *         other errors as ulm_lock_release()
 */
int ulm_winlock_release(ulm_env *env, const struct ulm_key *file,
			const struct ulm_owner *owner, uint64_t offset,
			uint64_t length);

/**
 * @brief Visitor for listings. @p lock is valid during the call only.
 * The visitor runs with the file's table locked: it must not call libulm.
 * @return 0 to go on; anything else stops the walk and is returned.
 */
typedef int (*ulm_lock_visit_fn)(const struct ulm_key *file,
				 const struct ulm_lock_info *lock, void *arg);

/**
 * @brief Walk the records (locks, shares, delegations, queued requests) of
 * one file (@p file != NULL) or of every file, in ascending order of start
 * within a file (queued requests of one start in queue order). Listing every
 * file goes on past a file whose records fail to decode and returns
 * ULM_ECORRUPT at the end. Listing every file reads the store without
 * joining the files or caching them: each file is shown as one version of
 * it, files at different moments (no snapshot of the whole store); on
 * RADOS a file another node holds the token of shows as that node last
 * wrote it back (docs/rados.md, "Listings").
 * @return 0, the visitor's non-zero result, -EINVAL, -ENOMEM, -EIO,
 *         ULM_ECORRUPT
 */
int ulm_lock_list(ulm_env *env, const struct ulm_key *file,
		  ulm_lock_visit_fn visit, void *arg);

/**
 * @brief Walk the records of the files this env has in memory, as it last
 * read or changed them, without reading the store: quick at any store
 * size, but a record another node or process made or removed since may be
 * missing or still shown. Every record this env made and still holds is
 * there. Use it to find a record, then ulm_lock_list() its file to be
 * sure. Files in no particular order.
 * @return 0, the visitor's non-zero result, -EINVAL, -ENOMEM
 */
int ulm_lock_list_cached(ulm_env *env, ulm_lock_visit_fn visit, void *arg);

/** @defgroup share Share reservations (OPEN access/deny, NLM_SHARE) */

/**
 * @brief Set the owner's share reservation on the file: what it opened
 * the file for (@p access) and what it denies everyone else (@p deny).
 * Replaces the owner's previous reservation (an upgrade or a downgrade).
 * Another owner's reservation conflicts if either's deny meets the
 * other's access; another client's delegation conflicts with any access
 * that would break it (recall: ULM_EDELEG).
 * @param access ULM_SHARE_READ, ULM_SHARE_WRITE and/or ULM_SHARE_DELETE,
 *               not 0
 * @param deny   0, or ULM_SHARE_READ, ULM_SHARE_WRITE and/or
 *               ULM_SHARE_DELETE
 * @param flags  0 or ULM_FLAG_RECLAIM
 * @return 0; -EAGAIN (conflict filled); ULM_EDELEG (conflict filled);
 *         -EINVAL; other errors as ulm_lock_acquire()
 */
int ulm_share_acquire(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner, unsigned access,
		      unsigned deny, unsigned flags,
		      struct ulm_lock_info *conflict);

/** @brief The owner's share reservation on the file.
 *  @return 0 (filled), -ENOENT (none), -EINVAL, -ENOMEM, -EIO,
 *          ULM_ECORRUPT */
int ulm_share_get(ulm_env *env, const struct ulm_key *file,
		  const struct ulm_owner *owner, unsigned *access,
		  unsigned *deny);

/** @brief Drop the owner's share reservation on the file, if any.
 *  @return 0, -EINVAL, -EROFS, -ENOMEM, -EIO, ULM_ECORRUPT */
int ulm_share_release(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner);

/** ulm_share_io_check() flag: the I/O may pass advisory denies (a deny
 *  of read, a deny of write by an NLM share), as NFS lets NFSv3 I/O and
 *  NFSv4 READ with the all-ones stateid; an NFSv4 or SMB deny of write
 *  still refuses it. */
#define ULM_IO_BYPASS 0x04
/** ulm_share_io_check() flag: first break other clients' delegations the
 *  I/O conflicts with (a write: any; a read: a write delegation), on any
 *  node, as ulm_deleg_check() does: they are recalled and ULM_EDELEG is
 *  returned. One visit of the file's table decides both. */
#define ULM_IO_RECALL 0x08

/**
 * @brief May I/O with no open of its own read or change the file's data
 * (NFSv3 READ/WRITE/SETATTR of the size, NFSv4 I/O with a special
 * stateid, SMB I/O checked against share modes)? Refused while any other
 * owner's share reservation denies @p access, on any node. Changes
 * nothing. Costs one look at the file's cached table: the store is asked
 * only when the cache cannot tell the table is current (docs/libulm.md).
 * @param owner  NULL: I/O of no owner, which every deny refuses; else the
 *               owner's own reservation is not in its way
 * @param access ULM_SHARE_READ or ULM_SHARE_WRITE (or both); or
 *               ULM_SHARE_DELETE: a REMOVE or RENAME of the file, which
 *               only a deny of delete refuses
 * @param flags  0, ULM_IO_BYPASS, ULM_IO_RECALL
 * @param[out] holder if not NULL and -EAGAIN, or ULM_EGRACE for an
 *             unreclaimed deny, is returned: the reservation in the way
 *             (ULM_EDELEG: a delegation recalled)
 * @return 0; -EAGAIN (a deny refuses it); ULM_EDELEG (ULM_IO_RECALL: a
 *         delegation is recalled, retry); ULM_EGRACE (an unreclaimed
 *         deny, or a dead node's token freezes the file: retry after
 *         grace); -EINVAL; -ENOMEM; -EIO; ULM_ECORRUPT
 */
int ulm_share_io_check(ulm_env *env, const struct ulm_key *file,
		       const struct ulm_owner *owner, unsigned access,
		       unsigned flags, struct ulm_lock_info *holder);

/** ulm_io_check() flag: meet other owners' share denies (I/O with no open
 *  of its own: what ulm_share_io_check() checks). */
#define ULM_IO_SHARES 0x10
/** ulm_io_check() flag: meet other owners' Windows locks in the range
 *  (the mandatory bridge: SMB byte-range locks bind NFS I/O too). */
#define ULM_IO_LOCKS 0x20

/**
 * @brief May I/O of [@p start, @p end] read or change the file's data?
 * What @p flags name, decided in one visit of the file's table:
 * ULM_IO_RECALL as for ulm_share_io_check(); ULM_IO_SHARES: refused by
 * another owner's deny of @p access (ULM_IO_BYPASS passes advisory
 * ones); ULM_IO_LOCKS: refused by another owner's Windows lock
 * (ulm_winlock_acquire()) in the range, an exclusive one for a read, any
 * for a write (MS-FSA 2.1.4.10; ULM_IO_BYPASS passes none). A file with
 * no deny and no Windows lock is answered from its cached table without
 * a walk. Changes nothing.
 * @param[out] holder the share or the Windows lock in the way (its type
 *             tells which), as for ulm_share_io_check()
 * @return as ulm_share_io_check()
 */
int ulm_io_check(ulm_env *env, const struct ulm_key *file,
		 const struct ulm_owner *owner, unsigned access, uint64_t start,
		 uint64_t end, unsigned flags, struct ulm_lock_info *holder);

/** @defgroup deleg Delegations */

/**
 * @brief Grant a delegation to a client (@p owner of kind
 * ULM_OWNER_CLIENT), only if no other client holds anything it would
 * break: a read delegation conflicts with others' write locks, write
 * opens, denies and write delegations; a write delegation with any
 * lock, open or delegation of another client. Never recalls anything.
 * @param flags 0 or ULM_FLAG_RECLAIM
 * @return 0; -EAGAIN (conflict filled); -EINVAL; errors as acquire
 */
int ulm_deleg_acquire(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner, enum ulm_deleg_type type,
		      unsigned flags, struct ulm_lock_info *conflict);

/** @brief Drop the client's delegation on the file (returned, revoked).
 *  @return 0, -EINVAL, -EROFS, -ENOMEM, -EIO, ULM_ECORRUPT */
int ulm_deleg_release(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_owner *owner);

/**
 * @brief May @p owner's client access the file so (ULM_SHARE_READ: read;
 * ULM_SHARE_WRITE: write, truncate, remove, rename) with no other
 * client's delegation in the way? If one is, its recall is sent to its
 * node (ULM_EVENT_RECALL). @p owner NULL: an access with no client
 * state (NFSv3), which every delegation is in the way of.
 * @return 0; ULM_EDELEG (conflict filled); -EINVAL; -ENOMEM; -EIO;
 *         ULM_ECORRUPT
 */
int ulm_deleg_check(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_owner *owner, unsigned access,
		    struct ulm_lock_info *conflict);

/** @defgroup courtesy Courtesy records (a courteous server) */

/** The client name of a courtesy owner begins so (ulmctl shows it). */
#define ULM_COURTESY_PREFIX "courtesy:"

/**
 * @brief The courtesy owner of @p owner: the same owner, its client
 * named ULM_COURTESY_PREFIX + the client's name. Records made under it
 * are a courtesy kept for a client that went away without a word (its
 * lease lapsed): callers that meet one in a conflict drop it
 * (ulm_courtesy_drop()) and ask again, instead of refusing.
 * @param buf ULM_ID_MAX bytes; holds the name, must outlive @p out
 * @return 0; -ENAMETOOLONG (the name would pass ULM_ID_MAX); -EINVAL
 */
int ulm_courtesy_owner(const struct ulm_owner *owner, uint8_t *buf,
		       struct ulm_owner *out);

/** @brief Is @p rec (a conflict, a listed record) a courtesy record? */
bool ulm_is_courtesy(const struct ulm_lock_info *rec);

/**
 * @brief Drop the courtesy record @p rec, as a conflict or a listing
 * reported it, of whichever node made it.
 * @return 0; -EINVAL (not a courtesy record); errors as
 *         ulm_lock_release()
 */
int ulm_courtesy_drop(ulm_env *env, const struct ulm_key *file,
		      const struct ulm_lock_info *rec);

/** @defgroup event Events for this node */

enum ulm_event_kind {
	/** A request conflicted with a delegation this node granted. */
	ULM_EVENT_RECALL = 1,
	/** A request this node queued may now be granted: ask again. */
	ULM_EVENT_WAKE = 2,
	/** An administrator asks this node to end a record it made, by
	 *  ending what holds it (ulm_event_break()). */
	ULM_EVENT_BREAK = 3,
	/** A request of the same NFSv4 (or reclaiming NLM) identity through
	 *  another node took over this lock record of this node (a client
	 *  that followed its service address): let go of what mirrors it
	 *  (a kernel lock), if this node holds no record of that identity
	 *  there any more. */
	ULM_EVENT_ADOPTED = 4,
};

/** An event; valid during the callback only. */
struct ulm_event {
	enum ulm_event_kind kind;
	struct ulm_key file;
	/** The delegation to recall, the queued request to retry, the
	 *  record to break, or the record taken over (as it was). */
	const struct ulm_lock_info *record;
};

typedef void (*ulm_event_fn)(const struct ulm_event *event, void *arg);

/**
 * @brief Hand this node's pending events to @p fn, oldest first; if none
 * is pending, wait up to @p timeout_ms for one. Events are at-least-once
 * hints: act on the current table, not on the event alone. Call it from
 * one thread.
 * @return 0, -EINVAL, -EROFS (read-only env), -ENOMEM, -EIO
 */
int ulm_event_wait(ulm_env *env, ulm_event_fn fn, void *arg, int timeout_ms);

/**
 * @brief Ask the node that made @p record (as a listing reported it: same
 * type, range, node, epoch and owner) to end it: a ULM_EVENT_BREAK to
 * that node, whose holder of the record ends it (an smbd closes the
 * SMB handle). Changes no record.
 * @return 0 (sent); -ENOENT (no such record on the file now); -EINVAL;
 *         -EROFS; -ENOMEM; -EIO; ULM_ECORRUPT
 */
int ulm_event_break(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_lock_info *record);

/**
 * @brief Remove every record made by @p node in an epoch before
 * @p before_epoch (orphans of an earlier life of that node). A record is
 * "made by" the node of the env that wrote it (ulm_lock_info.node); a
 * remnant of a split keeps the node and epoch of the lock it remains of.
 * Each file is changed whole or not at all: a purge cut off (an error) is
 * finished by the next. Once it returns, every env sharing the store sees
 * the records gone (RADOS: many files are written at once, docs/rados.md).
 * @param[out] purged if not NULL: how many records were removed
 * @return 0, -EINVAL, -EROFS, -ENOMEM, -EIO, ULM_ECORRUPT
 */
int ulm_node_purge(ulm_env *env, uint32_t node, uint32_t before_epoch,
		   uint64_t *purged);

/** @defgroup recovery Recovery: grace that blocks only conflicts */

/**
 * @brief Start recovering @p node's records made before @p before_epoch
 * (a restart of the node: its new epoch; a dead node taken over: one past
 * its last epoch). Those records are now unreclaimed. Until
 * ulm_recovery_end():
 *  - a request that conflicts with an unreclaimed record of another owner
 *    (and with no live one) gets ULM_EGRACE, "retry after grace", instead
 *    of -EAGAIN or a recall; a request that conflicts with nothing is
 *    granted at once;
 *  - a request of an owner with the same identity as an unreclaimed
 *    record (protocol, kind, client and owner bytes: the node may differ,
 *    e.g. a takeover node) is not refused by it, and supersedes the part
 *    it overlaps: the owner's past is rewritten as the requesting node's,
 *    in its epoch. With ULM_FLAG_RECLAIM this is the reclaim's adoption of
 *    its record (the flag is kept); a reclaim whose range (or share, or
 *    delegation) is covered neither by such records nor by what the owner
 *    holds already is refused with -ENOENT. Parts of past records outside
 *    the request stay unreclaimed;
 *  - an unreclaimed queued request stands in nobody's way.
 * Affects this environment only: every environment sharing the store must
 * be told (for the RADOS store, recovery_rados does it cluster-wide).
 * Beginning again for the same node replaces its @p before_epoch.
 * @return 0, -EINVAL, -ENOMEM
 */
int ulm_recovery_begin(ulm_env *env, uint32_t node, uint32_t before_epoch);

/**
 * @brief Forget @p node's recovery (its grace is over). Records left from
 * before then conflict like any other: purge them first with
 * ulm_node_purge(). Ending what is not recovering is not an error.
 * @return 0, -EINVAL
 */
int ulm_recovery_end(ulm_env *env, uint32_t node);

/** @brief Is @p node recovering in this environment? If so and
 *  @p before_epoch is not NULL, it is set to the epoch recovery began for. */
bool ulm_recovery_epoch(ulm_env *env, uint32_t node, uint32_t *before_epoch);

/** Visitor of ulm_recovery_list(): must not call libulm. */
typedef int (*ulm_recovery_visit_fn)(uint32_t node, uint32_t before_epoch,
				     void *arg);

/** @brief Visit the nodes recovering in this environment. @return 0, the
 *  visitor's non-zero result, -EINVAL */
int ulm_recovery_list(ulm_env *env, ulm_recovery_visit_fn visit, void *arg);

/**
 * @brief How many of @p node's unreclaimed records (locks, shares,
 * delegations; not queued requests) the store still holds, plus every file
 * a dead node's token freezes (RADOS tokens: such a file may hide grants
 * that were never written): 0 means every client has reclaimed what it
 * will, and grace may end early. Each file is counted as one version of
 * it (RADOS: a scan; a file under another live node's token as that node
 * last wrote it, never 0 while that node's memory still holds some).
 * @return 0 (*@p records is 0 if @p node is not recovering), -EINVAL,
 *         -ENOMEM, -EIO, ULM_ECORRUPT
 */
int ulm_recovery_pending(ulm_env *env, uint32_t node, uint64_t *records);

/** @brief A message for any code libulm returns (static storage). */
const char *ulm_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* ULM_H */
