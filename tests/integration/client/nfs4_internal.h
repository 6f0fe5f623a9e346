/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* State shared by the NFSv4 session and file operations. */
#ifndef ULM_NFS4_INTERNAL_H
#define ULM_NFS4_INTERNAL_H

#include "nfs4_client.h"

#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#define NFS4_FHSIZE 128

/* An open- or lock-owner: its seqid is per owner, across all files (RFC
 * 7530 9.1.7). */
struct nfs4_lock_owner {
	char *name;
	uint32_t seqid;
	struct nfs4_lock_owner *next;
};

/* The lock stateid of one (file, lock-owner) pair. */
struct nfs4_lock_state {
	struct nfs4_lock_owner *owner;
	stateid4 stateid;
	struct nfs4_lock_state *next;
};

struct nfs4_file {
	char *path;
	struct nfs4_lock_owner *open_owner; /* the open's owner */
	char fh[NFS4_FHSIZE];
	unsigned int fh_len;
	stateid4 open_stateid;
	uint32_t access;
	uint32_t deny;
	enum nfs4_deleg deleg;
	stateid4 deleg_stateid;
	/* Session epoch of the open: an older one needs reclaiming. */
	unsigned int epoch;
	struct nfs4_lock_state *locks;
	struct nfs4_file *next;
};

#define NFS41_SESSIONID_SIZE 16

/* NFSv4.1: one TCP connection carrying the fore channel and the back
 * channel, and a session of one slot on it. */
struct nfs41_state {
	int fd; /* -1 when not connected */
	uint32_t xid;
	bool back_channel; /* asked for (callbacks wanted) */
	bool have_session;
	bool reclaim_pending; /* RECLAIM_COMPLETE not sent yet */
	char sessionid[NFS41_SESSIONID_SIZE];
	uint32_t slot_seqid;   /* of slot 0, the only one */
	uint32_t status_flags; /* sr_status_flags of the last SEQUENCE */
};

struct nfs4_session {
	unsigned int minor; /* NFSv4 minor version, 0 or 1 */
	struct nfs41_state v41;
	/* The 4.0 connection: rpc for AUTH_SYS, gss for Kerberos; NULL after
	 * a transport failure. */
	struct rpc_context *rpc;
	struct gss_rpc *gss;
	struct nfs4_security sec;
	char *server;
	char *export;
	char *name;
	verifier4 verifier; /* same for the process: the server sees a reboot
			       of the client only when the process restarts */
	clientid4 clientid;
	bool have_clientid;
	int callback_port;  /* 0: no callback service announced */
	unsigned int epoch; /* bumped by every new clientid */
	struct nfs4_lock_owner *open_owners;
	struct nfs4_lock_owner *open_owner; /* of the next new open */
	struct nfs4_lock_owner *owners;	    /* lock-owners */
	struct nfs4_file *files;
};

/* The first open-owner's name; unique per clientid. */
#define NFS4_OPEN_OWNER "ulm-open-owner"

/* The owner named @p name in @p list, added if new; NULL if out of memory. */
struct nfs4_lock_owner *nfs4_owner_get(struct nfs4_lock_owner **list,
				       const char *name);
/* Free every owner of @p list. */
void nfs4_owners_free(struct nfs4_lock_owner **list);

/* Called from the reply callback, with the reply still alive. */
typedef void (*nfs4_reply_fn)(const COMPOUND4res *res, void *arg);

/**
 * Send one COMPOUND, reconnecting and re-establishing the clientid first
 * if needed.  @p nres receives the number of operation results (how far
 * the server got).  Returns the compound status or a negative errno.
 */
int nfs4_compound(struct nfs4_session *session, nfs_argop4 *ops,
		  unsigned int nops, nfs4_reply_fn on_reply, void *arg,
		  unsigned int *nres);

/**
 * Copy result @p index of @p res into @p op; false if the server did not
 * get that far.  libnfs 4.0 decodes results into memory aligned to 4 bytes
 * only: read them through an aligned copy (UBSan rejects the original).
 */
bool nfs4_result(const COMPOUND4res *res, unsigned int index, nfs_resop4 *op);

/* Whether @p status says the server lost our clientid (restart, expiry);
 * the next nfs4_compound() then establishes a new one. */
bool nfs4_server_forgot_us(int status);

/* Reconnect and re-establish the clientid if needed (a new epoch). */
int nfs4_session_recover(struct nfs4_session *session);

/* nfs4_gss.c: the RPCSEC_GSS transport (sec.flavour is not SYS).  Both
 * return 0 or a negative errno; the compound returns its nfsstat4. */
int nfs4_gss_connect(struct nfs4_session *session);
void nfs4_gss_drop(struct nfs4_session *session);
int nfs4_gss_compound(struct nfs4_session *session, COMPOUND4args *args,
		      nfs4_reply_fn on_reply, void *arg, unsigned int *nres);

/* Largest number of components of a path (export and file included). */
#define NFS4_PATH_MAX_COMPONENTS 32

/*
 * PUTROOTFH and a LOOKUP of every directory of "export/path" into @p ops
 * the components kept in @p buf; @p name is the last
 * component (in @p buf). @p ops has room for
 * NFS4_PATH_MAX_COMPONENTS. Returns the op count, or -EINVAL for an empty or
 * too deep path.
 */
int nfs4_path_ops(const struct nfs4_session *session, const char *path,
		  char *buf, size_t buflen, nfs_argop4 *ops, const char **name);

/* Free @p file and its lock states; the caller unlinks it. */
void nfs4_file_free(struct nfs4_file *file);

/* Whether the seqid-bearing op at @p op_index consumed its seqid. */
bool nfs4_seqid_advanced(int status, unsigned int nres, unsigned int op_index);

#endif /* ULM_NFS4_INTERNAL_H */
