/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4.1 over one TCP connection that carries both channels: the client's
 * calls (fore channel) and the server's CB_COMPOUNDs (back channel), which
 * libnfs 4.0 can neither encode (it knows no 4.1 operation) nor receive on
 * a client connection.  RPC record marking and the RPC headers are ours;
 * the 4.0 operations inside a compound go through libnfs's XDR.
 */
#ifndef ULM_NFS41_INTERNAL_H
#define ULM_NFS41_INTERNAL_H

#include "nfs4_internal.h"

#include <nfsc/libnfs-zdr.h>

/* NFSv4.1 operation numbers (RFC 8881 18), beyond libnfs's. */
enum {
	OP41_BIND_CONN_TO_SESSION = 41,
	OP41_EXCHANGE_ID = 42,
	OP41_CREATE_SESSION = 43,
	OP41_DESTROY_SESSION = 44,
	OP41_FREE_STATEID = 45,
	OP41_SEQUENCE = 53,
	OP41_TEST_STATEID = 55,
	OP41_DESTROY_CLIENTID = 57,
	OP41_RECLAIM_COMPLETE = 58,
	OP41_CB_SEQUENCE = 11,
};

/* NFSv4.1 errors the client acts on. */
enum {
	NFS4ERR41_BADSESSION = 10052,
	NFS4ERR41_DEADSESSION = 10078,
	NFS4ERR41_COMPLETE_ALREADY = 10054,
};

/* Writes or reads the body of a call or reply; false on an XDR error. */
typedef bool (*nfs41_xdr_fn)(ZDR *zdr, void *arg);

static inline bool nfs41_put_u32(ZDR *zdr, uint32_t value)
{
	return zdr_u_int(zdr, &value);
}

/* nfs41_rpc.c: the connection. */
int nfs41_rpc_connect(struct nfs4_session *session);
void nfs41_rpc_drop(struct nfs4_session *session);

/*
 * Call NFSPROC4_COMPOUND: @p encode writes the arguments, @p decode reads
 * the results of the matching reply (the buffer lives until it returns).
 * Back-channel calls arriving meanwhile are served.  Returns 0, -EIO when
 * @p decode failed, or a negative errno from the transport (the
 * connection is then dropped).
 */
int nfs41_rpc_call(struct nfs4_session *session, nfs41_xdr_fn encode,
		   void *earg, nfs41_xdr_fn decode, void *darg);

/* Serve the back-channel calls that arrived; 0 or a negative errno. */
int nfs41_rpc_serve(struct nfs4_session *session);

/* Send the reply to the call @p xid: its results written by @p encode, or
 * PROC_UNAVAIL when @p encode is NULL.  0 or a negative errno. */
int nfs41_rpc_reply(struct nfs4_session *session, uint32_t xid,
		    nfs41_xdr_fn encode, void *arg);

/* nfs41_callback.c: one back-channel call, its header already read;
 * @p zdr is at its arguments. */
void nfs41_callback_call(struct nfs4_session *session, uint32_t xid,
			 uint32_t proc, ZDR *zdr);

/* nfs41_compound.c */

/* SEQUENCE and libnfs's operations, as nfs4_compound() sends them; the
 * first one after a new client ID's reclaims sends RECLAIM_COMPLETE. */
int nfs41_compound(struct nfs4_session *session, COMPOUND4args *args,
		   nfs4_reply_fn on_reply, void *arg, unsigned int *nres);

/* One 4.1 operation @p op, after a SEQUENCE if @p sequenced: @p put
 * writes its arguments and @p get reads its results on success (NULL:
 * none).  Returns its status or a negative errno. */
int nfs41_call(struct nfs4_session *session, bool sequenced, uint32_t op,
	       nfs41_xdr_fn put, nfs41_xdr_fn get, void *arg);

/* As nfs41_call() with a SEQUENCE, re-establishing the session first if
 * needed (what nfs4_compound() does for 4.0 operations). */
int nfs41_call_op(struct nfs4_session *session, uint32_t op, nfs41_xdr_fn put,
		  nfs41_xdr_fn get, void *arg);

/* RECLAIM_COMPLETE: no more reclaims from this client ID. */
int nfs41_reclaim_complete(struct nfs4_session *session);

/* nfs41_session.c */

/* A client ID and session if there is none; after @p new_connection, bind
 * the connection to the session (both channels). */
int nfs41_establish(struct nfs4_session *session, bool new_connection);

/* DESTROY_SESSION and DESTROY_CLIENTID, if there is a session. */
void nfs41_release(struct nfs4_session *session);

/* Whether @p status says the server lost our session. */
bool nfs41_session_lost(int status);

/* nfs41_names.c: the name of a 4.1 error libnfs does not know, or NULL. */
const char *nfs41_status_name(int status);

#endif /* ULM_NFS41_INTERNAL_H */
