/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 session: EXCHANGE_ID, CREATE_SESSION with a back channel,
 * BIND_CONN_TO_SESSION after a reconnection, DESTROY_* at the end. */
#include "nfs41_internal.h"

#include <stdio.h>
#include <string.h>

#define EXCHGID4_FLAG_USE_NON_PNFS	    0x00010000
#define SP4_NONE			    0
#define CREATE_SESSION4_FLAG_CONN_BACK_CHAN 0x2
#define CDFC4_FORE_OR_BOTH		    0x3
#define RPC_AUTH_NONE			    0
#define FORE_MAX_OPS			    64
#define FORE_MAX_MSG			    ((1u << 20) + 65536)
#define BACK_MAX_OPS			    8
#define BACK_MAX_MSG			    4096

/* ---- EXCHANGE_ID -------------------------------------------------- */

struct exchange_id {
	struct nfs4_session *session;
	uint64_t clientid;
	uint32_t sequenceid;
};

static bool put_exchange_id(ZDR *zdr, void *arg)
{
	struct exchange_id *ex = arg;
	char *owner = ex->session->name;
	uint32_t owner_len = strlen(owner);

	return zdr_opaque(zdr, (char *)ex->session->verifier,
			  NFS4_VERIFIER_SIZE) &&
	       zdr_bytes(zdr, &owner, &owner_len, NFS4_OPAQUE_LIMIT) &&
	       nfs41_put_u32(zdr, EXCHGID4_FLAG_USE_NON_PNFS) &&
	       nfs41_put_u32(zdr, SP4_NONE) &&
	       nfs41_put_u32(zdr, 0) /* no impl id */;
}

static bool get_exchange_id(ZDR *zdr, void *arg)
{
	struct exchange_id *ex = arg;

	/* The rest (flags, server owner and scope) is of no use here. */
	return zdr_uint64_t(zdr, &ex->clientid) &&
	       zdr_u_int(zdr, &ex->sequenceid);
}

/* ---- CREATE_SESSION ----------------------------------------------- */

struct create_session {
	struct nfs4_session *session;
	uint64_t clientid;
	uint32_t sequenceid;
	uint32_t flags; /* granted */
};

static bool put_channel(ZDR *zdr, uint32_t max_msg, uint32_t max_ops)
{
	return nfs41_put_u32(zdr, 0) /* header pad */ &&
	       nfs41_put_u32(zdr, max_msg) && nfs41_put_u32(zdr, max_msg) &&
	       nfs41_put_u32(zdr, max_msg) /* cached */ &&
	       nfs41_put_u32(zdr, max_ops) &&
	       nfs41_put_u32(zdr, 1) /* one slot */ &&
	       nfs41_put_u32(zdr, 0) /* no RDMA ird */;
}

static bool put_create_session(ZDR *zdr, void *arg)
{
	struct create_session *cs = arg;
	bool back = cs->session->v41.back_channel;

	return zdr_uint64_t(zdr, &cs->clientid) &&
	       nfs41_put_u32(zdr, cs->sequenceid) &&
	       nfs41_put_u32(zdr,
			     back ? CREATE_SESSION4_FLAG_CONN_BACK_CHAN : 0) &&
	       put_channel(zdr, FORE_MAX_MSG, FORE_MAX_OPS) &&
	       put_channel(zdr, BACK_MAX_MSG, BACK_MAX_OPS) &&
	       nfs41_put_u32(zdr, NFS4_CALLBACK) && nfs41_put_u32(zdr, 1) &&
	       nfs41_put_u32(zdr, RPC_AUTH_NONE);
}

static bool get_create_session(ZDR *zdr, void *arg)
{
	struct create_session *cs = arg;
	uint32_t sequenceid;

	return zdr_opaque(zdr, cs->session->v41.sessionid,
			  NFS41_SESSIONID_SIZE) &&
	       zdr_u_int(zdr, &sequenceid) && zdr_u_int(zdr, &cs->flags);
}

/* ---- the others --------------------------------------------------- */

static bool put_sessionid(ZDR *zdr, void *arg)
{
	struct nfs4_session *session = arg;

	return zdr_opaque(zdr, session->v41.sessionid, NFS41_SESSIONID_SIZE);
}

static bool put_bind_conn(ZDR *zdr, void *arg)
{
	return put_sessionid(zdr, arg) &&
	       nfs41_put_u32(zdr, CDFC4_FORE_OR_BOTH) &&
	       nfs41_put_u32(zdr, 0) /* not RDMA */;
}

static bool put_clientid(ZDR *zdr, void *arg)
{
	struct nfs4_session *session = arg;

	return zdr_uint64_t(zdr, &session->clientid);
}

/* A new client ID and session; RECLAIM_COMPLETE at once if there is
 * nothing to reclaim (no file of an earlier one), else after the
 * reclaims (see nfs41_compound()). */
static int new_session(struct nfs4_session *session)
{
	struct exchange_id ex = {.session = session};
	struct create_session cs = {.session = session};
	int status;

	session->v41.have_session = false;
	status = nfs41_call(session, false, OP41_EXCHANGE_ID, put_exchange_id,
			    get_exchange_id, &ex);
	if (status != NFS4_OK)
		return status;
	cs.clientid = ex.clientid;
	cs.sequenceid = ex.sequenceid;
	status = nfs41_call(session, false, OP41_CREATE_SESSION,
			    put_create_session, get_create_session, &cs);
	if (status != NFS4_OK)
		return status;
	if (session->v41.back_channel &&
	    !(cs.flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN))
		fprintf(stderr, "nfs41: the server refused the back channel\n");
	session->clientid = ex.clientid;
	session->have_clientid = true;
	session->v41.have_session = true;
	session->v41.slot_seqid = 1;
	session->epoch++;
	session->v41.reclaim_pending = true;
	return session->files ? NFS4_OK : nfs41_reclaim_complete(session);
}

int nfs41_establish(struct nfs4_session *session, bool new_connection)
{
	int status;

	if (session->have_clientid && session->v41.have_session &&
	    !new_connection)
		return NFS4_OK;
	if (session->have_clientid && session->v41.have_session) {
		/* The session outlives the connection: bind the new one, for
		 * callbacks too. */
		status = nfs41_call(session, false, OP41_BIND_CONN_TO_SESSION,
				    put_bind_conn, NULL, session);
		if (status == NFS4_OK || status < 0)
			return status;
		fprintf(stderr, "nfs41: BIND_CONN_TO_SESSION: %s\n",
			nfs4_status_name(status));
	}
	return new_session(session);
}

bool nfs41_session_lost(int status)
{
	return status == NFS4ERR41_BADSESSION ||
	       status == NFS4ERR41_DEADSESSION;
}

/* A DESTROY_* the server refused is logged: the client's state then
 * stays until its lease runs out. */
static void destroy(struct nfs4_session *session, uint32_t op, nfs41_xdr_fn put,
		    const char *name)
{
	int status = nfs41_call(session, false, op, put, NULL, session);

	if (status != NFS4_OK)
		fprintf(stderr, "nfs41: %s: %s\n", name,
			nfs4_status_name(status));
}

void nfs41_release(struct nfs4_session *session)
{
	if (session->v41.fd < 0 || !session->v41.have_session)
		return;
	destroy(session, OP41_DESTROY_SESSION, put_sessionid,
		"DESTROY_SESSION");
	session->v41.have_session = false;
	if (session->v41.fd >= 0)
		destroy(session, OP41_DESTROY_CLIENTID, put_clientid,
			"DESTROY_CLIENTID");
	session->have_clientid = false;
}

int nfs4_session_sequence(struct nfs4_session *session, uint32_t *flags)
{
	int status;

	if (!session->minor)
		return NFS4ERR_MINOR_VERS_MISMATCH;
	status = nfs4_compound(session, NULL, 0, NULL, NULL, NULL);
	*flags = session->v41.status_flags;
	return status;
}
