/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A minimal NFSv4.0 client over libnfs raw compounds, for tests and the
 * lock benchmark: one SETCLIENTID per session, one open-owner, any number
 * of lock-owners, and the seqid bookkeeping NFSv4.0 requires.
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
 * @brief As nfs4_session_create(), authenticating every RPC as @p sec says.
 *
 * With a Kerberos flavour, a refused GSS context (no or expired ticket,
 * unknown service principal) fails with -EACCES; the reason is printed on
 * stderr in Kerberos's words. @p sec is copied.
 */
int nfs4_session_create_sec(const char *server, const char *export,
			    const char *client_name,
			    const struct nfs4_security *sec,
			    struct nfs4_session **session);

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

/**
 * @brief LOCK @p range for lock-owner @p owner.
 *
 * Uses open_to_lock_owner the first time for (file, owner), the lock
 * stateid after.  With @p reclaim on a file opened before the current
 * epoch, the open is first reclaimed (CLAIM_PREVIOUS).
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

/** CLOSE @p file; on NFS4_OK @p file is freed. */
int nfs4_file_close(struct nfs4_session *session, struct nfs4_file *file);

/** Name of an nfs4_* result: "NFS4_OK", "NFS4ERR_DENIED", "RPC_TIMEOUT",
 *  "RPC_AUTHERROR"... */
const char *nfs4_status_name(int status);

#endif /* ULM_NFS4_CLIENT_H */
