/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file ulmfsal.h
 * @brief FSAL UNIFIED: private declarations shared by its files.
 *
 * UNIFIED is a stackable FSAL: every operation is forwarded to the
 * sub-FSAL named in the export's nested FSAL block, except that byte-range
 * locks are first decided by libulm, so that every protocol and every node
 * sharing the lock store sees the same locks.
 */
#ifndef ULMFSAL_H
#define ULMFSAL_H

#include "config.h"

#include "fsal.h"
#include "fsal_api.h"
#include "ulm.h"
#include "ulmrec.h"

/** Settings of the module-level UNIFIED { } block. */
struct ulmfsal_config {
	uint32_t store;	  /**< enum ulm_store_kind */
	char *store_path; /**< LMDB directory */
	uint64_t map_size;
	bool sync;
	uint32_t node_id;
	/* Store = rados; names as in Ganesha's RADOS_KV block */
	char *ceph_conf; /**< NULL: Ceph's default search */
	char *userid;	 /**< NULL: Ceph's default user */
	char *keyring;	 /**< NULL: as ceph.conf says */
	char *pool;
	char *rados_namespace;
	uint32_t lease_ms; /**< liveness lease (libulm: lease_ms) */
	bool tokens;	   /**< file tokens, write-behind (libulm: tokens) */
	uint32_t op_timeout_s; /**< one RADOS op's bound (libulm: op_timeout_s)
				*/
	uint32_t peer_wait_s;  /**< wait for another node (libulm:
				    peer_wait_s) */
	uint32_t token_idle_s; /**< a file's token kept unused (libulm:
				    token_idle_ms) */
	/** A recalled delegation is revoked this long after one lease */
	uint32_t deleg_revoke_margin_s;

	bool deleg_unwatched;  /**< grant delegations no watch can cover */
	char *metrics_address; /**< where /metrics listens */
	uint16_t metrics_port; /**< 0: no /metrics */
	/** An expired client's courtesy records go after this (0: none
	 *  are kept) */
	uint32_t courtesy_max_age_s;
	uint32_t courtesy_max_records; /**< kept per expired client */
	/* Ganesha's own RADOS_KV block (RecoveryBackend = rados_cluster),
	 * read too: where its grace database is, and this node's name. */
	struct {
		char *ceph_conf;
		char *userid;
		char *pool;
		char *rados_namespace;
		char *grace_oid;
		char *nodeid;
	} rados_kv;
};

struct ulmfsal_module {
	struct fsal_module module;
	struct fsal_obj_ops handle_ops;
	struct ulmfsal_config config;
	/** false when the UNIFIED block failed to parse: exports are refused,
	 *  since Ganesha keeps a module loaded even if its init_config
	 *  failed. */
	bool config_valid;
};

extern struct ulmfsal_module ULMFSAL;

/** Our object handle: a wrapper around the sub-FSAL's. */
struct ulmfsal_handle {
	struct fsal_obj_handle obj_handle;
	struct fsal_obj_handle *sub_handle;
};

static inline struct fsal_obj_handle *ulmfsal_sub(struct fsal_obj_handle *obj)
{
	return container_of(obj, struct ulmfsal_handle, obj_handle)->sub_handle;
}

/*
 * Stacking: while the sub-FSAL runs, op_ctx->fsal_export must be the sub
 * export, and ours again once it returns (the sub-FSAL and everything it
 * calls look at op_ctx). These evaluate @call with op_ctx switched to
 * @sub_exp and restore whatever export was current before.
 */
#define ULMFSAL_CALL_IN(sub_exp, call)                                    \
	({                                                                \
		struct fsal_export *ulmfsal_saved_ = op_ctx->fsal_export; \
		op_ctx->fsal_export = (sub_exp);                          \
		__typeof__(call) ulmfsal_rv_ = (call);                    \
		op_ctx->fsal_export = ulmfsal_saved_;                     \
		ulmfsal_rv_;                                              \
	})

#define ULMFSAL_CALL_IN_VOID(sub_exp, call)                               \
	do {                                                              \
		struct fsal_export *ulmfsal_saved_ = op_ctx->fsal_export; \
		op_ctx->fsal_export = (sub_exp);                          \
		(call);                                                   \
		op_ctx->fsal_export = ulmfsal_saved_;                     \
	} while (0)

/* Object ops run with our export current: call one op of the sub handle. */
#define ULMFSAL_SUB(obj, op, ...)                                       \
	ULMFSAL_CALL_IN(op_ctx->fsal_export->sub_export,                \
			ulmfsal_sub(obj)->obj_ops->op(ulmfsal_sub(obj), \
						      ##__VA_ARGS__))
#define ULMFSAL_SUB_VOID(obj, op, ...)                                       \
	ULMFSAL_CALL_IN_VOID(op_ctx->fsal_export->sub_export,                \
			     ulmfsal_sub(obj)->obj_ops->op(ulmfsal_sub(obj), \
							   ##__VA_ARGS__))

/* Export ops: call the same op on the sub export of @exp. */
#define ULMFSAL_EXP(exp, op, ...)                                        \
	ULMFSAL_CALL_IN((exp)->sub_export,                               \
			(exp)->sub_export->exp_ops.op((exp)->sub_export, \
						      ##__VA_ARGS__))
#define ULMFSAL_EXP_VOID(exp, op, ...)                                        \
	ULMFSAL_CALL_IN_VOID((exp)->sub_export,                               \
			     (exp)->sub_export->exp_ops.op((exp)->sub_export, \
							   ##__VA_ARGS__))

/* module/state.c: the shared state (ULMFSAL above) and the lock store */
int ulmfsal_env_open_once(void);
ulm_env *ulmfsal_env(void);
void ulmfsal_env_close(void);
const char *ulmfsal_store_name(uint32_t store);
const char *ulmfsal_or_default(const char *value);

/* export/export.c */
fsal_status_t ulmfsal_create_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    const struct fsal_up_vector *up_ops);
fsal_status_t ulmfsal_update_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    struct fsal_export *original,
				    struct fsal_module *updated_super);

/* export/handle.c */
void ulmfsal_handle_ops_init(struct fsal_obj_ops *ops);
fsal_status_t ulmfsal_wrap_handle(struct fsal_export *exp,
				  fsal_status_t sub_status,
				  struct fsal_obj_handle *sub_handle,
				  struct fsal_obj_handle **handle);
fsal_status_t ulmfsal_lookup_path(struct fsal_export *exp_hdl, const char *path,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out);
fsal_status_t ulmfsal_create_handle(struct fsal_export *exp_hdl,
				    struct gsh_buffdesc *fh_desc,
				    struct fsal_obj_handle **handle,
				    struct fsal_attrlist *attrs_out);

/* export/vfs_key.c */
/** An O_RDONLY|O_NONBLOCK fd of our own on a regular file of a VFS export,
 *  from its handle key (checked against Ganesha 4.3's format and the
 *  file's inode). @return the fd, or -errno */
int ulmfsal_vfs_open(struct fsal_obj_handle *obj, const struct ulm_key *key);

/* export/file.c and export/xattr.c: fill their part of the object ops */
void ulmfsal_file_ops_init(struct fsal_obj_ops *ops);
void ulmfsal_xattr_ops_init(struct fsal_obj_ops *ops);

/* share/share.c, share/deleg.c: fill their part of the object ops */
void ulmfsal_share_ops_init(struct fsal_obj_ops *ops);
void ulmfsal_deleg_ops_init(struct fsal_obj_ops *ops);
/** May the client of @p state (none: NFSv3) access the file so
 *  (ULM_SHARE_READ, ULM_SHARE_WRITE)? Another client's delegation in the
 *  way is recalled and ERR_FSAL_DELAY returned. */
fsal_status_t ulmfsal_deleg_check(struct fsal_obj_handle *obj,
				  struct state_t *state, unsigned access,
				  const char *what);

/* export/export.c: a UNIFIED export, Ganesha's and its own settings */
struct ulmfsal_export {
	struct fsal_export export;
	/** Smb_Locks_Mandatory: NFS I/O meets SMB byte-range locks */
	bool smb_locks_mandatory;
};

/** Does NFS I/O through @p exp meet SMB (Windows) byte-range locks? */
bool ulmfsal_smb_locks_mandatory(const struct fsal_export *exp);

/* share/share_io.c */
/** May I/O of [start, end] access the file so (ULM_SHARE_READ,
 *  ULM_SHARE_WRITE)? What @p flags (ULM_IO_*) ask, in one look at the
 *  file's table: another client's delegation in the way, on any node, is
 *  recalled (ERR_FSAL_DELAY); a share reservation on any node that denies
 *  it is ERR_FSAL_SHARE_DENIED, as the sub-FSAL answers for its own; an
 *  SMB byte-range lock that excludes it is ERR_FSAL_LOCKED (NFS4ERR_LOCKED,
 *  NFS3ERR_JUKEBOX). */
fsal_status_t ulmfsal_io_check(struct fsal_obj_handle *obj, unsigned flags,
			       unsigned access, uint64_t start, uint64_t end,
			       const char *what);
/** May the file be removed or renamed? Not while an SMB open on any node
 *  denies delete: ERR_FSAL_FILE_OPEN (NFSv4), ERR_FSAL_ACCESS (NFSv3). */
fsal_status_t ulmfsal_delete_check(struct fsal_obj_handle *obj,
				   const char *what);

/* share/recall.c: the up-calls that reach this node's delegation holders */
void ulmfsal_recall_add(const struct ulm_key *key,
			const struct fsal_up_vector *up_ops);
void ulmfsal_recall_remove(const struct ulm_key *key);
void ulmfsal_recall_forget_export(const struct fsal_up_vector *up_ops);
/** @return whether Ganesha took the recall of the file's delegations */
bool ulmfsal_recall_send(const struct ulm_key *key);

/* share/revoke.c: delegations revoked in time, without crashing Ganesha */
/** Granted: hold a reference on the delegation's @p state (lease_op2). */
void ulmfsal_revoke_track(struct state_t *state);
/** Ended, by DELEGRETURN (@p returned) or revocation. */
void ulmfsal_revoke_end(struct state_t *state, bool returned);
void ulmfsal_revoke_stop(void);

/* share/watch.c: outside changes (local processes, Samba, knfsd) recall
 * this node's delegations: kernel lease + inotify over VFS, the sub-FSAL's
 * own delegation over CEPH, else Delegations_Unwatched decides. */
/** Before granting: @return 0, or -errno: grant no delegation. */
int ulmfsal_watch_start(struct fsal_obj_handle *obj, struct state_t *state,
			void *owner, const struct ulm_key *key, bool write);
/** The delegation was returned or revoked. */
void ulmfsal_watch_stop(struct fsal_obj_handle *obj, struct state_t *state,
			void *owner, const struct ulm_key *key);
/** Ganesha is about to open the file for write itself (a lock's fd, which
 *  FSAL commonlib opens read/write; the holder's own write open): drop the
 *  kernel lease its open would wait on. Local writes and metadata changes
 *  are then recalled just after they happen (inotify), write opens and
 *  truncates no longer before. */
void ulmfsal_watch_yield(const struct ulm_key *key);
void ulmfsal_watch_shutdown(void);

/* lock/blocked.c: NLM requests this node told Ganesha are blocked */
/** Ganesha tries a blocking request (LOCKB): until ulmfsal_blocked_wait()
 *  or _remove(), a wake for it is remembered, not called up. */
void ulmfsal_blocked_try(const struct ulm_key *key, void *owner,
			 const struct ulm_owner *id,
			 const fsal_lock_param_t *lock,
			 const struct fsal_up_vector *up_ops);
/** The try met a conflict. @return true if a wake came meanwhile (try
 *  again now); else the request waits for the next wake's up-call. */
bool ulmfsal_blocked_wait(const struct ulm_key *key, void *owner,
			  const fsal_lock_param_t *lock);
/** Granted, refused or cancelled: no up-call any more.
 *  @return whether it was there */
bool ulmfsal_blocked_remove(const struct ulm_key *key, void *owner,
			    const fsal_lock_param_t *lock);
void ulmfsal_blocked_forget_export(const struct fsal_up_vector *up_ops);
/** How many requests wait (the metrics' blocked waiters). */
size_t ulmfsal_blocked_count(void);
void ulmfsal_blocked_wake(const struct ulm_key *key,
			  const struct ulm_lock_info *waiter);

/* service/events.c: the thread that takes this node's libulm events */
void ulmfsal_events_start(ulm_env *env);
void ulmfsal_events_stop(void);
/* service/fence.c: log this node's fences, once each way; at its
 * lease's end and when it is live again, its locks below (lock/below.c) */
void ulmfsal_fence_watch_start(ulm_env *env);
void ulmfsal_fence_watch_stop(void);

/* lock/below.c: this node's locks in the sub-FSAL while its lease lapsed */
void ulmfsal_below_release(void);
void ulmfsal_below_retake(void);
bool ulmfsal_below_released(const struct ulm_key *key);
/** Which of Ganesha's locks a walk below takes: @p fn keeps one (a
 *  state_owner_t's) and may narrow @p range to the part to act on. */
struct ulmfsal_below_pick {
	bool (*fn)(const void *state_owner, fsal_lock_param_t *range,
		   void *arg);
	void *arg;
};
size_t ulmfsal_below_let_go(const struct ulm_key *file,
			    const struct ulmfsal_below_pick *pick);

/* lock/adopted.c: another node took over records of this node's clients
 * (ULM_EVENT_ADOPTED) */
void ulmfsal_adopted(const struct ulm_key *file,
		     const struct ulm_lock_info *record);

/* dbus/dbus_export.c: UNIFIED exports entered from a thread of our own
 * (DBus methods, lock/below.c), outside any request */

/** An export entered: a reference on it and op_ctx set to it. */
struct ulmfsal_admin_export {
	struct req_op_context ctx;
	struct gsh_export *gsh;
	struct fsal_export *ours; /**< UNIFIED's export in its stack */
};

/** Most UNIFIED exports an admin call looks at. */
#define ULMFSAL_ADMIN_EXPORTS_MAX 1024

/** @brief Ids of the UNIFIED exports, ascending. @return how many */
size_t ulmfsal_admin_export_ids(uint16_t *ids, size_t max);
/** @return 0, or -ENOENT (no such UNIFIED export) */
int ulmfsal_admin_enter(uint16_t export_id, struct ulmfsal_admin_export *ax);
void ulmfsal_admin_leave(struct ulmfsal_admin_export *ax);

/* lock/lock.c */
fsal_status_t ulmfsal_lock_op2(struct fsal_obj_handle *obj_hdl,
			       struct state_t *state, void *owner,
			       fsal_lock_op_t lock_op,
			       fsal_lock_param_t *request,
			       fsal_lock_param_t *conflicting_lock);

/* module/status.c */
/** An FSAL status for a libulm result; store failures are logged. A
 *  conflict (-EAGAIN) or a pending recall (ULM_EDELEG) is ERR_FSAL_DELAY. */
fsal_status_t ulmfsal_status(int rc, const char *what);
/** As ulmfsal_status(), for lock_op2 (retry-later as grace). */
fsal_status_t ulmfsal_lock_status(int rc, const char *what);
/** The file's key in libulm: the sub-FSAL's handle key, the same on
 *  every node. @return 0, or -EINVAL (logged) if it does not fit. */
int ulmfsal_file_key(struct fsal_obj_handle *obj_hdl, struct ulm_key *key);

/* lock/owner.c */
/** A libulm owner and the bytes it borrows that Ganesha does not store. */
struct ulmfsal_owner {
	struct ulm_owner id;
	uint8_t number[4];		/**< NLM svid or 9P pid, big-endian */
	uint8_t client_buf[ULM_ID_MAX]; /**< client bytes copied out */
	uint64_t clientid; /**< NFSv4: Ganesha's clientid4, else 0 */
};
int ulmfsal_owner_init(struct ulmfsal_owner *owner, const void *state_owner,
		       uint32_t node, enum ulm_owner_kind kind);
int ulmfsal_open_owner_from_request(struct ulmfsal_owner *owner, uint32_t node);

/* dbus/dbus.c: the org.ganesha.nfsd.lockmgr interface */
void ulmfsal_dbus_start(void);
void ulmfsal_dbus_stop(void);

/* module/request.c: the NFSv4 operation being processed */
struct compound_data;
struct nfs_argop4;
/** The arguments of the NFSv4 operation this thread is processing if it
 *  is @p opcode (NFS4_OP_*), else NULL; @p compound (may be NULL) gets its
 *  compound. Valid while the FSAL call lasts. */
const struct nfs_argop4 *ulmfsal_nfs4_op(int opcode,
					 const struct compound_data **compound);
/** Is this an NFSv4 OPEN reclaiming after a restart (CLAIM_PREVIOUS)? */
bool ulmfsal_nfs4_open_reclaims(void);
/** Is an NFSv4 compound (a client's request) being processed? */
bool ulmfsal_in_nfs4_request(void);

/* grace/grace.c: recovery of lock state; the cluster's recovery state */
void ulmfsal_grace_start(ulm_env *env, const struct ulmfsal_config *cfg);
void ulmfsal_grace_stop(void);
/* grace/ganesha_recovery_client.c: the address of the RADOS client
 * Ganesha's rados_cluster backend writes its grace database with; false
 * if there is none (another RecoveryBackend) or it is too long. */
bool ulmfsal_ganesha_recovery_addr(char *buf, size_t len);
/* grace/process_purge.c: records of dead smbd nodes, by a thread of its own */
void ulmfsal_process_purge_start(ulm_env *env,
				 const struct ulmfsal_config *cfg);
void ulmfsal_process_purge_stop(void);
ulmrec *ulmfsal_cluster(void);

/* grace/nsm.c: NLM clients per service address, for notification on takeover */
void ulmfsal_nsm_note(const void *state_owner);
bool ulmfsal_nsm_left(const void *state_owner);

/* lock/courtesy.c: a courteous server (an expired client's records kept
 * until someone conflicts with them) */
bool ulmfsal_courtesy_due(const void *state_owner);
int ulmfsal_courtesy_release_locks(const struct ulm_key *key,
				   const struct ulm_owner *owner,
				   uint64_t start, uint64_t end);
int ulmfsal_courtesy_release_share(const struct ulm_key *key,
				   const struct ulm_owner *owner);
bool ulmfsal_courtesy_close_due(uint64_t clientid);
bool ulmfsal_courtesy_drop(const struct ulm_key *key,
			   const struct ulm_lock_info *holder, unsigned *drops);
void ulmfsal_courtesy_start(void);
void ulmfsal_courtesy_stop(void);

/* grace/host_addrs.c: this host's addresses, followed through netlink */
bool ulmfsal_host_has_address(const sockaddr_t *sa);
void ulmfsal_host_addrs_close(void);

#endif /* ULMFSAL_H */
