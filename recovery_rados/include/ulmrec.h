/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file ulmrec.h
 * @brief recovery_rados: the cluster's recovery state in RADOS, beside
 * libulm's lock store.
 *
 *  - recovery entries: which node's records of which epochs are being
 *    reclaimed, who ends that recovery (purges) and when at the latest;
 *    every node follows them (ulm_recovery_begin/end on its env);
 *  - node addresses: the RADOS client of each node's lock store, so that
 *    a takeover can fence (blocklist) a node declared dead;
 *  - NSM lists: per service address, the NLM clients (caller name and
 *    address) to send SM_NOTIFY to when another node takes it over;
 *  - service addresses: which node serves each, whose clients use it
 *    (ulmctl grace shows them);
 *  - Ganesha's grace database (RecoveryBackend = rados_cluster, managed by
 *    ganesha-rados-grace): read, start for a node, lift for a node, so
 *    that one `ganesha-rados-grace dump` tells who is in grace for NFSv4
 *    client records and for lock records alike.
 *
 * Objects live in the lock store's pool and namespace: "recovery" (omap
 * "node.<8 hex>" -> entry, "addr.<8 hex>" -> address, "ip.<service
 * address>" -> service) and "nsm.<address>"
 * (omap "c.<caller>" -> client address, "state" -> NSM state). The grace
 * database is Ganesha's own object (RADOS_KV pool, namespace, grace_oid).
 *
 * Every call returns 0 or a negative errno. A handle is thread-safe.
 */
#ifndef ULMREC_H
#define ULMREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest node name in Ganesha's grace database (RADOS_KV nodeid). */
#define ULMREC_NODEID_MAX 256
/** Longest RADOS client address ("v1:10.0.0.1:0/123456") or IP. */
#define ULMREC_ADDR_MAX 128
/** Room for a node's recorded clients (ulmrec_fence_node's @p fenced). */
#define ULMREC_NODE_ADDRS_MAX (4 * ULMREC_ADDR_MAX)

/** A connection to the cluster's recovery state. */
typedef struct ulmrec ulmrec;

struct ulmrec_config {
	const char *ceph_conf;	     /**< NULL: Ceph's default search */
	const char *userid;	     /**< NULL: Ceph's default user */
	const char *keyring;	     /**< NULL: as ceph.conf says */
	const char *pool;	     /**< the lock store's pool */
	const char *rados_namespace; /**< the lock store's namespace */
	/** Ganesha's grace database; grace_oid NULL: none (no
	 *  rados_cluster), and the grace calls answer -ENOENT. */
	const char *grace_pool;
	const char *grace_namespace; /**< NULL or "": the default one */
	const char *grace_oid;
};

/**
 * @brief Connect. Close with ulmrec_close().
 * @return 0, -EINVAL (config), -ENOENT (pool), -EIO (cluster), -ENOMEM
 */
int ulmrec_open(const struct ulmrec_config *cfg, ulmrec **rec);
void ulmrec_close(ulmrec *rec);

/** @defgroup entries Recovery entries */

/** One node's recovery. */
struct ulmrec_entry {
	uint32_t node;	       /**< whose records */
	uint32_t before_epoch; /**< its records of epochs before this */
	uint32_t by;	       /**< the node that ends it */
	uint64_t started_ms;   /**< CLOCK_REALTIME ms it began */
	uint32_t grace_secs;   /**< it ends at the latest then */
	/** The node's name in the grace database; "" if none. */
	char grace_nodeid[ULMREC_NODEID_MAX];
};

/** @brief Store @p e (replacing the node's entry) and tell every watcher;
 *  returns once they acked (or after a timeout of a few seconds).
 *  @return 0, -EINVAL, -EIO, -ENOMEM */
int ulmrec_entry_put(ulmrec *rec, const struct ulmrec_entry *e);

/** @brief Remove @p e if the store still holds exactly it, and tell every
 *  watcher. @return 0, -ECANCELED (it changed: a newer recovery), -EIO */
int ulmrec_entry_remove(ulmrec *rec, const struct ulmrec_entry *e);

/** @brief Every entry, in a malloc'd array (free() it). @return 0, -EIO,
 *  -ENOMEM, -EBADMSG (an entry failed to decode) */
int ulmrec_entry_list(ulmrec *rec, struct ulmrec_entry **entries, size_t *n);

/** What a watcher is told. */
struct ulmrec_change {
	bool removed; /**< the entry ended; else it began (or changed) */
	struct ulmrec_entry entry;
};

/** Called from a librados thread; must not call librados. @p change is
 *  NULL when a change may have been missed: read the entries again. */
typedef void (*ulmrec_change_fn)(const struct ulmrec_change *change, void *arg);

/** @brief Call @p fn on every change of the entries, until ulmrec_close().
 *  The change is acknowledged once @p fn returns. @return 0, -EINVAL
 *  (already watching), -EIO */
int ulmrec_watch(ulmrec *rec, ulmrec_change_fn fn, void *arg);

/** @brief Watch again if the watch was lost (after @p fn got NULL); call
 *  it from time to time. @return 0, -EINVAL (not watching), -EIO */
int ulmrec_watch_renew(ulmrec *rec);

/** @defgroup fence Node addresses and fencing */

/** @brief Record node @p node's RADOS clients: libulm's lock store's two
 *  (the one that holds its liveness lease now, and the data client whose
 *  address that lease's object keeps), this connection, and @p also if
 *  not NULL (another client of the node that writes shared state: Ganesha's
 *  rados_cluster recovery client). Call it on the node itself, once its
 *  store is open. @return 0, -ENOENT (nobody holds the lease), -EINVAL,
 *  -EIO */
int ulmrec_addr_record(ulmrec *rec, uint32_t node, const char *also);

/** @brief Blocklist node @p node's recorded clients in the OSD map for
 *  @p expire_secs: none of their writes lands after this returns, and
 *  their watches go. @p fenced gets the addresses, space-separated.
 *  @return 0, -ENOENT (none recorded), -EINVAL, -EPERM, -EIO */
int ulmrec_fence_node(ulmrec *rec, uint32_t node, uint32_t expire_secs,
		      char *fenced, size_t len);

/** @defgroup nsm NLM clients per service address */

/** @brief Remember that NLM client @p caller at @p client_addr holds state
 *  through service address @p server_addr. @return 0, -EINVAL, -EIO */
int ulmrec_nsm_add(ulmrec *rec, const char *server_addr, const char *caller,
		   const char *client_addr);

typedef int (*ulmrec_nsm_fn)(const char *caller, const char *client_addr,
			     void *arg);
/** @brief Visit the NLM clients of @p server_addr. @return 0, the
 *  visitor's non-zero result, -EIO, -ENOMEM */
int ulmrec_nsm_list(ulmrec *rec, const char *server_addr, ulmrec_nsm_fn fn,
		    void *arg);

/** @brief The next NSM state of @p server_addr (odd: "up after a
 *  restart"), stored so that it only grows. @return 0, -EIO */
int ulmrec_nsm_next_state(ulmrec *rec, const char *server_addr,
			  uint32_t *state);

/** @defgroup services Service addresses: whose clients use each, where */

/** One service address, as the last ulm-takeover for it left it. */
struct ulmrec_service {
	char addr[ULMREC_ADDR_MAX];
	uint32_t node;	   /**< whose clients reclaim through it */
	uint32_t at;	   /**< the node serving it since since_ms */
	uint64_t since_ms; /**< CLOCK_REALTIME ms */
	/** @p node's name in the grace database; "" if none. */
	char grace_nodeid[ULMREC_NODEID_MAX];
};

/** @brief Store @p s, replacing what its address had. @return 0,
 *  -EINVAL, -EIO */
int ulmrec_service_put(ulmrec *rec, const struct ulmrec_service *s);

/** @brief Every service address, in a malloc'd array (free() it).
 *  @return 0, -EIO, -ENOMEM, -EBADMSG */
int ulmrec_service_list(ulmrec *rec, struct ulmrec_service **services,
			size_t *n);

/** @defgroup grace Ganesha's grace database (rados_cluster) */

/** Grace flags of one node, as ganesha-rados-grace dump shows them. */
#define ULMREC_GRACE_NEED      0x1 /**< "N": needs a grace period */
#define ULMREC_GRACE_ENFORCING 0x2 /**< "E": enforces the grace period */

typedef int (*ulmrec_grace_fn)(const char *nodeid, unsigned flags, void *arg);

/** @brief Read the epochs (@p cur, @p rec: 0 = no grace in force) and
 *  visit every member's flags. @return 0, -ENOENT (no database), -EIO,
 *  -EBADMSG */
int ulmrec_grace_read(ulmrec *rec, uint64_t *cur, uint64_t *recovery,
		      ulmrec_grace_fn fn, void *arg);

/** @brief Start (or join) a grace period for member @p nodeid, as
 *  `ganesha-rados-grace start` does: a new epoch if none is in force, the
 *  member's NEED and ENFORCING set. @return 0, -ENOENT (no database),
 *  -ENOKEY (not a member), -EIO */
int ulmrec_grace_start(ulmrec *rec, const char *nodeid);

/** @brief Clear @p nodeid's NEED; the last one lifts the grace period
 *  (rec = 0), as `ganesha-rados-grace lift` does. @return 0, -EAGAIN (a
 *  member does not enforce the grace period yet: try again later, as
 *  Ganesha does), -ENOENT, -ENOKEY, -EIO */
int ulmrec_grace_lift(ulmrec *rec, const char *nodeid);

#ifdef __cplusplus
}
#endif
#endif /* ULMREC_H */
