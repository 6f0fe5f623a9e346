/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 session: EXCHANGE_ID, CREATE_SESSION with a back channel,
 * SEQUENCE before every compound (one slot), RECLAIM_COMPLETE,
 * BIND_CONN_TO_SESSION after a reconnection, DESTROY_* at the end. */
#include "nfs41_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* One compound: SEQUENCE (if @p sequenced), then either one 4.1
 * operation (op41) or libnfs's 4.0 operations (args). */
struct call41 {
	struct nfs4_session *session;
	bool sequenced;
	uint32_t op41;
	nfs41_xdr_fn put_op41, get_op41;
	void *arg41;
	COMPOUND4args *args;
	nfs4_reply_fn on_reply;
	void *reply_arg;
	/* results */
	int status;
	unsigned int nres;
};

static bool put_u32(ZDR *zdr, uint32_t value)
{
	return zdr_u_int(zdr, &value);
}

static bool put_sequence(ZDR *zdr, struct nfs4_session *session)
{
	struct nfs41_state *v41 = &session->v41;

	return put_u32(zdr, OP41_SEQUENCE) &&
	       zdr_opaque(zdr, v41->sessionid, NFS41_SESSIONID_SIZE) &&
	       put_u32(zdr, v41->slot_seqid) && put_u32(zdr, 0) /* slot */ &&
	       put_u32(zdr, 0) /* highest slot */ &&
	       put_u32(zdr, 0) /* cachethis: a resend is rare */;
}

static bool put_call(ZDR *zdr, void *arg)
{
	struct call41 *call = arg;
	uint32_t nops = call->op41 ? 1 : call->args->argarray.argarray_len;
	uint32_t i;

	if (!put_u32(zdr, 0) /* tag */ || !put_u32(zdr, 1) /* minor */ ||
	    !put_u32(zdr, call->sequenced + nops) ||
	    (call->sequenced && !put_sequence(zdr, call->session)))
		return false;
	if (call->op41)
		return put_u32(zdr, call->op41) &&
		       call->put_op41(zdr, call->arg41);
	for (i = 0; i < nops; i++)
		if (!zdr_nfs_argop4(zdr, &call->args->argarray.argarray_val[i]))
			return false;
	return true;
}

/* The SEQUENCE result: a success moves the slot on. */
static bool get_sequence(ZDR *zdr, struct nfs4_session *session,
			 uint32_t *status)
{
	char sessionid[NFS41_SESSIONID_SIZE];
	uint32_t op, seqid, slot, highest, target;

	if (!zdr_u_int(zdr, &op) || !zdr_u_int(zdr, status))
		return false;
	if (*status != NFS4_OK)
		return true;
	if (!zdr_opaque(zdr, sessionid, sizeof(sessionid)) ||
	    !zdr_u_int(zdr, &seqid) || !zdr_u_int(zdr, &slot) ||
	    !zdr_u_int(zdr, &highest) || !zdr_u_int(zdr, &target) ||
	    !zdr_u_int(zdr, &session->v41.status_flags))
		return false;
	session->v41.slot_seqid++;
	return true;
}

/* libnfs's results, handed to on_reply as a 4.0 COMPOUND4res. */
static bool get_libnfs_results(ZDR *zdr, struct call41 *call, char *tag,
			       uint32_t tag_len, uint32_t nres)
{
	COMPOUND4res res = {.status = call->status};
	nfs_resop4 *ops = calloc(nres ? nres : 1, sizeof(*ops));
	uint32_t i;
	bool ok = ops != NULL;

	for (i = 0; ok && i < nres; i++)
		ok = zdr_nfs_resop4(zdr, &ops[i]);
	if (ok && call->on_reply) {
		res.tag.utf8string_len = tag_len;
		res.tag.utf8string_val = tag;
		res.resarray.resarray_len = nres;
		res.resarray.resarray_val = ops;
		call->on_reply(&res, call->reply_arg);
	}
	free(ops);
	return ok;
}

static bool get_call(ZDR *zdr, void *arg)
{
	struct call41 *call = arg;
	uint32_t status, tag_len, nres, op, op_status;
	char *tag = NULL;

	if (!zdr_u_int(zdr, &status) ||
	    !zdr_bytes(zdr, &tag, &tag_len, NFS4_OPAQUE_LIMIT) ||
	    !zdr_u_int(zdr, &nres))
		return false;
	call->status = status;
	if (call->sequenced) {
		if (!nres || !get_sequence(zdr, call->session, &op_status))
			return false;
		nres--;
	}
	call->nres = nres;
	if (!nres)
		return true;
	if (!call->op41)
		return get_libnfs_results(zdr, call, tag, tag_len, nres);
	if (!zdr_u_int(zdr, &op) || !zdr_u_int(zdr, &op_status))
		return false;
	return op_status != NFS4_OK || !call->get_op41 ||
	       call->get_op41(zdr, call->arg41);
}

static int run_call(struct call41 *call)
{
	int rc = nfs41_rpc_call(call->session, put_call, call, get_call, call);

	return rc < 0 ? rc : call->status;
}

/* One 4.1 operation, after a SEQUENCE if @p sequenced. */
static int call_op41(struct nfs4_session *session, bool sequenced, uint32_t op,
		     nfs41_xdr_fn put, nfs41_xdr_fn get, void *arg)
{
	struct call41 call = {.session = session,
			      .sequenced = sequenced,
			      .op41 = op,
			      .put_op41 = put,
			      .get_op41 = get,
			      .arg41 = arg};

	return run_call(&call);
}

static bool put_reclaim_complete(ZDR *zdr, void *arg)
{
	(void)arg;
	return put_u32(zdr, 0); /* rca_one_fs: all of them */
}

/* RECLAIM_COMPLETE: no more reclaims from this client. */
static int reclaim_complete(struct nfs4_session *session)
{
	int status = call_op41(session, true, OP41_RECLAIM_COMPLETE,
			       put_reclaim_complete, NULL, session);

	if (status == NFS4ERR41_COMPLETE_ALREADY)
		status = NFS4_OK;
	if (status >= 0)
		session->v41.reclaim_pending = false;
	return status;
}

/* Whether @p args reclaims (an OPEN CLAIM_PREVIOUS or a reclaiming LOCK). */
static bool reclaims(const COMPOUND4args *args)
{
	uint32_t i;

	for (i = 0; i < args->argarray.argarray_len; i++) {
		const nfs_argop4 *op = &args->argarray.argarray_val[i];

		if ((op->argop == OP_OPEN &&
		     op->nfs_argop4_u.opopen.claim.claim == CLAIM_PREVIOUS) ||
		    (op->argop == OP_LOCK && op->nfs_argop4_u.oplock.reclaim))
			return true;
	}
	return false;
}

int nfs41_compound(struct nfs4_session *session, COMPOUND4args *args,
		   nfs4_reply_fn on_reply, void *arg, unsigned int *nres)
{
	struct call41 call = {.session = session,
			      .sequenced = true,
			      .args = args,
			      .on_reply = on_reply,
			      .reply_arg = arg};
	int status;

	/* The reclaims of a new client ID come first (RFC 8881 18.51.3):
	 * its first other operation ends them (a lone SEQUENCE does not). */
	if (session->v41.reclaim_pending && args->argarray.argarray_len &&
	    !reclaims(args)) {
		status = reclaim_complete(session);
		if (status != NFS4_OK)
			return status;
	}
	status = run_call(&call);
	*nres = call.nres;
	return status;
}

int nfs41_call_op(struct nfs4_session *session, uint32_t op, nfs41_xdr_fn put,
		  nfs41_xdr_fn get, void *arg)
{
	int status = nfs4_session_recover(session);

	if (status == NFS4_OK)
		status = call_op41(session, true, op, put, get, arg);
	if (nfs4_server_forgot_us(status))
		session->have_clientid = false;
	return status;
}

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
	       put_u32(zdr, EXCHGID4_FLAG_USE_NON_PNFS) &&
	       put_u32(zdr, SP4_NONE) && put_u32(zdr, 0) /* no impl id */;
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
	return put_u32(zdr, 0) /* header pad */ && put_u32(zdr, max_msg) &&
	       put_u32(zdr, max_msg) && put_u32(zdr, max_msg) /* cached */ &&
	       put_u32(zdr, max_ops) && put_u32(zdr, 1) /* one slot */ &&
	       put_u32(zdr, 0) /* no RDMA ird */;
}

static bool put_create_session(ZDR *zdr, void *arg)
{
	struct create_session *cs = arg;
	bool back = cs->session->v41.back_channel;

	return zdr_uint64_t(zdr, &cs->clientid) &&
	       put_u32(zdr, cs->sequenceid) &&
	       put_u32(zdr, back ? CREATE_SESSION4_FLAG_CONN_BACK_CHAN : 0) &&
	       put_channel(zdr, FORE_MAX_MSG, FORE_MAX_OPS) &&
	       put_channel(zdr, BACK_MAX_MSG, BACK_MAX_OPS) &&
	       put_u32(zdr, NFS4_CALLBACK) && put_u32(zdr, 1) &&
	       put_u32(zdr, RPC_AUTH_NONE);
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
	return put_sessionid(zdr, arg) && put_u32(zdr, CDFC4_FORE_OR_BOTH) &&
	       put_u32(zdr, 0) /* not RDMA */;
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
	status = call_op41(session, false, OP41_EXCHANGE_ID, put_exchange_id,
			   get_exchange_id, &ex);
	if (status != NFS4_OK)
		return status;
	cs.clientid = ex.clientid;
	cs.sequenceid = ex.sequenceid;
	status = call_op41(session, false, OP41_CREATE_SESSION,
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
	return session->files ? NFS4_OK : reclaim_complete(session);
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
		status = call_op41(session, false, OP41_BIND_CONN_TO_SESSION,
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

void nfs41_release(struct nfs4_session *session)
{
	if (session->v41.fd < 0 || !session->v41.have_session)
		return;
	call_op41(session, false, OP41_DESTROY_SESSION, put_sessionid, NULL,
		  session);
	session->v41.have_session = false;
	if (session->v41.fd >= 0)
		call_op41(session, false, OP41_DESTROY_CLIENTID, put_clientid,
			  NULL, session);
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

const char *nfs4_seqflag_name(unsigned int bit)
{
	static const char *const names[] = {
		"CB_PATH_DOWN",
		"CB_GSS_CONTEXTS_EXPIRING",
		"CB_GSS_CONTEXTS_EXPIRED",
		"EXPIRED_ALL_STATE_REVOKED",
		"EXPIRED_SOME_STATE_REVOKED",
		"ADMIN_STATE_REVOKED",
		"RECALLABLE_STATE_REVOKED",
		"LEASE_MOVED",
		"RESTART_RECLAIM_NEEDED",
		"CB_PATH_DOWN_SESSION",
		"BACKCHANNEL_FAULT",
		"DEVID_CHANGED",
		"DEVID_DELETED",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

const char *nfs41_status_name(int status)
{
	static const struct {
		int status;
		const char *name;
	} names[] = {
		{10052, "NFS4ERR_BADSESSION"},
		{10053, "NFS4ERR_BADSLOT"},
		{10054, "NFS4ERR_COMPLETE_ALREADY"},
		{10055, "NFS4ERR_CONN_NOT_BOUND_TO_SESSION"},
		{10056, "NFS4ERR_DELEG_ALREADY_WANTED"},
		{10057, "NFS4ERR_BACK_CHAN_BUSY"},
		{10063, "NFS4ERR_SEQ_MISORDERED"},
		{10064, "NFS4ERR_SEQUENCE_POS"},
		{10065, "NFS4ERR_REQ_TOO_BIG"},
		{10066, "NFS4ERR_REP_TOO_BIG"},
		{10067, "NFS4ERR_REP_TOO_BIG_TO_CACHE"},
		{10068, "NFS4ERR_RETRY_UNCACHED_REP"},
		{10071, "NFS4ERR_OP_NOT_IN_SESSION"},
		{10074, "NFS4ERR_CLIENTID_BUSY"},
		{10077, "NFS4ERR_BAD_HIGH_SLOT"},
		{10078, "NFS4ERR_DEADSESSION"},
		{10081, "NFS4ERR_NOT_ONLY_OP"},
		{10082, "NFS4ERR_WRONG_CRED"},
		{10085, "NFS4ERR_REJECT_DELEG"},
		{10086, "NFS4ERR_RETURNCONFLICT"},
		{10087, "NFS4ERR_DELEG_REVOKED"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return NULL;
}
