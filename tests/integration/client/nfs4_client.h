/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A minimal NFSv4.0 client over libnfs raw compounds, for tests and the
 * lock benchmark: one SETCLIENTID per session, one open-owner, any number
 * of lock-owners, and the seqid bookkeeping NFSv4.0 requires.  The same
 * operations also run over NFSv4.1 (EXCHANGE_ID, a session of one slot
 * whose connection carries the back channel, SEQUENCE first in every
 * compound), chosen when the session is created.
 *
 * Every operation returns an nfsstat4 (>= 0, NFS4_OK on success) or a
 * negative errno when no reply arrived (timeout, connection lost).  A call
 * whose connection died is resent once on a new one (the server's seqid
 * replay cache makes that safe).  When the server forgets the clientid
 * (restart, expiry) a new one is established: a new epoch, whose opens
 * must be reclaimed or redone.  Not thread-safe: one session per thread.
 */
#ifndef ULM_NFS4_CLIENT_H
#define ULM_NFS4_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct nfs4_session;
struct nfs4_file;

/** A byte range as NFSv4 sends it: length UINT64_MAX means "to EOF". */
struct nfs4_range {
	uint64_t offset;
	uint64_t length;
	bool write;
	bool wait; /* a blocking lock type (READW_LT, WRITEW_LT) */
};

/** The delegation an OPEN granted. */
enum nfs4_deleg {
	NFS4_DELEG_NONE,
	NFS4_DELEG_READ,
	NFS4_DELEG_WRITE,
};

/** How the session authenticates its RPCs. */
enum nfs4_sec_flavour {
	NFS4_SEC_SYS,	/**< AUTH_SYS, through libnfs */
	NFS4_SEC_KRB5,	/**< RPCSEC_GSS Kerberos, authentication only */
	NFS4_SEC_KRB5I, /**< ... and integrity (every message checksummed) */
	NFS4_SEC_KRB5P, /**< ... and privacy (every message encrypted) */
};

struct nfs4_security {
	enum nfs4_sec_flavour flavour;
	/** GSS host-based service of the server, e.g. "nfs@server.example";
	 *  the caller's tickets come from KRB5CCNAME. Unused for SYS. */
	const char *service;
};

/**
 * @brief Connect to @p server and establish a confirmed clientid.
 *
 * @param[in] export       Pseudo path of the export, e.g. "/data".
 * @param[in] client_name  Client id string; unique per simulated client.
 * @param[out] session     Free with nfs4_session_destroy().
 * @return NFS4_OK, an nfsstat4 or a negative errno.
 */
int nfs4_session_create(const char *server, const char *export,
			const char *client_name, struct nfs4_session **session);

/**
 * @brief As nfs4_session_create(), authenticating every RPC as @p sec says,
 * in NFSv4 minor version @p minor, and announcing a callback service.
 *
 * With a Kerberos flavour, a refused GSS context (no or expired ticket,
 * unknown service principal) fails with -EACCES; the reason is printed on
 * stderr in Kerberos's words. @p sec is copied.  NFSv4.1 is AUTH_SYS
 * only (else -EPROTONOSUPPORT).
 * @param[in] minor          0 or 1.
 * @param[in] callback_port  4.0: TCP port of the client's NFSv4 callback
 *                           service (program NFS4_CALLBACK), on the local
 *                           address of the connection to the server.
 *                           4.1: NFS4_BACK_CHANNEL asks for a back
 *                           channel on the session's own connection
 *                           (served by nfs4_session_service()).  0 for
 *                           none: the server then grants no delegations.
 */
#define NFS4_BACK_CHANNEL (-1)
int nfs4_session_create_sec(const char *server, const char *export,
			    const char *client_name,
			    const struct nfs4_security *sec, unsigned int minor,
			    int callback_port, struct nfs4_session **session);

/** NFSv4 minor version of @p session. */
unsigned int nfs4_session_minor(const struct nfs4_session *session);

/**
 * @brief The socket on which NFSv4.1 callbacks arrive between calls (-1
 *        for none, e.g. in 4.0): when poll() says it is readable, call
 *        nfs4_session_service(), which serves them.
 */
int nfs4_session_fd(const struct nfs4_session *session);
int nfs4_session_service(struct nfs4_session *session);

/** NFSv4.1: DESTROY_SESSION and DESTROY_CLIENTID (the server drops what
 *  the client holds); nothing in 4.0. */
void nfs4_session_release(struct nfs4_session *session);

/**
 * @brief NFSv4.1: send a SEQUENCE (it renews the lease) and give its
 *        sr_status_flags (SEQ4_STATUS_*); NFS4ERR_MINOR_VERS_MISMATCH in
 *        4.0.
 */
int nfs4_session_sequence(struct nfs4_session *session, uint32_t *flags);

/** Name of SEQ4_STATUS_ bit @p bit without its prefix ("CB_PATH_DOWN"),
 *  NULL past the last. */
const char *nfs4_seqflag_name(unsigned int bit);

/**
 * @brief NFSv4.1: FREE_STATEID / TEST_STATEID the delegation of @p file,
 *        or of any file holding one when @p file holds none (as
 *        nfs4_delegreturn()).
 *
 * FREE_STATEID forgets the delegation on NFS4_OK.  TEST_STATEID gives the
 * stateid's own status in @p code (NFS4_OK, NFS4ERR_DELEG_REVOKED...).
 * Both answer NFS4ERR_MINOR_VERS_MISMATCH in 4.0.
 */
int nfs4_free_stateid(struct nfs4_session *session, struct nfs4_file *file);
int nfs4_test_stateid(struct nfs4_session *session, struct nfs4_file *file,
		      int *code);

/** Close the connection and free every file of @p session (no CLOSE sent). */
void nfs4_session_destroy(struct nfs4_session *session);

/**
 * @brief RENEW the lease; re-establishes the clientid when the server has
 *        forgotten it (restart, expiry), which starts a new epoch.
 */
int nfs4_session_renew(struct nfs4_session *session);

/**
 * @brief OPEN (creating if missing) @p path, relative to the export root.
 *
 * Opening a path this session already has open upgrades or changes the
 * existing open and returns the same @p file.
 *
 * @param[in] access  OPEN4_SHARE_ACCESS_*.
 * @param[in] deny    OPEN4_SHARE_DENY_*.
 * @param[out] file   Owned by @p session; valid until nfs4_file_close()
 *                    succeeds or the session is destroyed.
 */
int nfs4_file_open(struct nfs4_session *session, const char *path,
		   uint32_t access, uint32_t deny, struct nfs4_file **file);

/** Make @p name the open-owner of this session's next OPENs (the first is
 *  NFS4_OPEN_OWNER). Each open-owner has its own open of a file. */
int nfs4_open_owner_use(struct nfs4_session *session, const char *name);

/** The file the current open-owner opened at @p path (in any epoch), or
 *  NULL. */
struct nfs4_file *nfs4_file_get(struct nfs4_session *session, const char *path);

/**
 * @brief LOCK @p range for lock-owner @p owner.
 *
 * Uses open_to_lock_owner the first time for (file, owner), the lock
 * stateid after.  With @p reclaim on a file opened before the current
 * epoch, the open is first reclaimed (CLAIM_PREVIOUS); if the server
 * answers NFS4ERR_NO_GRACE (it has no record of this client: it took the
 * address of the one that had), the file is opened anew and locked
 * without reclaim, as Linux's "nograce" recovery does.
 *
 * @param[out] denied  Filled with the holder's range on NFS4ERR_DENIED.
 */
int nfs4_file_lock(struct nfs4_session *session, struct nfs4_file *file,
		   const char *owner, const struct nfs4_range *range,
		   bool reclaim, struct nfs4_range *denied);

/** LOCKT @p range for @p owner; @p denied as for nfs4_file_lock(). */
int nfs4_file_lockt(struct nfs4_session *session, struct nfs4_file *file,
		    const char *owner, const struct nfs4_range *range,
		    struct nfs4_range *denied);

/** LOCKU the range of @p range (its type is ignored) held by @p owner. */
int nfs4_file_unlock(struct nfs4_session *session, struct nfs4_file *file,
		     const char *owner, const struct nfs4_range *range);

/** OPEN_DOWNGRADE @p file to @p access / @p deny (OPEN4_SHARE_*). */
int nfs4_file_downgrade(struct nfs4_session *session, struct nfs4_file *file,
			uint32_t access, uint32_t deny);

/**
 * @brief RELEASE_LOCKOWNER @p owner; on NFS4_OK the session forgets the
 *        owner's lock stateids and seqid (a later LOCK starts afresh).
 */
int nfs4_release_lockowner(struct nfs4_session *session, const char *owner);

/** The delegation held on @p file (from its last OPEN). */
enum nfs4_deleg nfs4_file_deleg(const struct nfs4_file *file);

/**
 * @brief DELEGRETURN the delegation of @p file, or of any file of
 *        @p session when @p file is NULL or holds none.
 * @return NFS4ERR_BAD_STATEID when no file holds a delegation.
 */
int nfs4_delegreturn(struct nfs4_session *session, struct nfs4_file *file);

/** Size of the "other" part of a stateid, which names a delegation. */
#define NFS4_STATEID_OTHER_SIZE 12

/** DELEGRETURN the delegation whose stateid has @p other, e.g. one the
 *  server recalled; NFS4ERR_BAD_STATEID if no file holds it. */
int nfs4_delegreturn_other(struct nfs4_session *session, const char *other);

/** READ (@p write false) or WRITE @p length zero bytes of @p file at
 *  @p offset under its open stateid. */
int nfs4_file_io(struct nfs4_session *session, struct nfs4_file *file,
		 bool write, uint64_t offset, uint32_t length);

/** CLOSE @p file; on NFS4_OK @p file is freed unless it holds a
 *  delegation (kept for DELEGRETURN, and reused by a new OPEN). */
int nfs4_file_close(struct nfs4_session *session, struct nfs4_file *file);

/**
 * @brief Operations by path, with no open state of this client: what breaks
 *        other clients' delegations on the file (the server recalls them
 *        and answers NFS4ERR_DELAY until they are returned or revoked).
 *
 * nfs4_truncate() sets the size of @p path, nfs4_write_anonymous() writes
 * @p length zero bytes and nfs4_read_anonymous() reads, all with the
 * anonymous stateid; nfs4_read_bypass() reads with the all-ones stateid
 * (READ bypass); nfs4_rename() moves @p from to @p to (paths
 * relative to the export).
 */
int nfs4_truncate(struct nfs4_session *session, const char *path,
		  uint64_t size);
int nfs4_write_anonymous(struct nfs4_session *session, const char *path,
			 uint64_t offset, uint32_t length);
int nfs4_read_anonymous(struct nfs4_session *session, const char *path,
			uint64_t offset, uint32_t length);
int nfs4_read_bypass(struct nfs4_session *session, const char *path,
		     uint64_t offset, uint32_t length);
int nfs4_remove(struct nfs4_session *session, const char *path);
int nfs4_rename(struct nfs4_session *session, const char *from, const char *to);

/** Name of an nfs4_* result: "NFS4_OK", "NFS4ERR_DENIED", "RPC_TIMEOUT",
 *  "RPC_AUTHERROR"... */
const char *nfs4_status_name(int status);

#endif /* ULM_NFS4_CLIENT_H */
