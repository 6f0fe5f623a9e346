/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 COMPOUNDs: SEQUENCE first (one slot), then libnfs's 4.0
 * operations or one 4.1 operation; RECLAIM_COMPLETE when reclaims end. */
#include "nfs41_internal.h"

#include <stdio.h>
#include <stdlib.h>

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

static bool put_sequence(ZDR *zdr, struct nfs4_session *session)
{
	struct nfs41_state *v41 = &session->v41;

	return nfs41_put_u32(zdr, OP41_SEQUENCE) &&
	       zdr_opaque(zdr, v41->sessionid, NFS41_SESSIONID_SIZE) &&
	       nfs41_put_u32(zdr, v41->slot_seqid) &&
	       nfs41_put_u32(zdr, 0) /* slot */ &&
	       nfs41_put_u32(zdr, 0) /* highest slot */ &&
	       nfs41_put_u32(zdr, 0) /* cachethis: a resend is rare */;
}

static bool put_call(ZDR *zdr, void *arg)
{
	struct call41 *call = arg;
	uint32_t nops = call->op41 ? 1 : call->args->argarray.argarray_len;
	uint32_t i;

	if (!nfs41_put_u32(zdr, 0) /* tag */ ||
	    !nfs41_put_u32(zdr, 1) /* minor */ ||
	    !nfs41_put_u32(zdr, call->sequenced + nops) ||
	    (call->sequenced && !put_sequence(zdr, call->session)))
		return false;
	if (call->op41)
		return nfs41_put_u32(zdr, call->op41) &&
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
	uint32_t op, seqid, slot, highest, target, flags;

	if (!zdr_u_int(zdr, &op) || !zdr_u_int(zdr, status))
		return false;
	if (*status != NFS4_OK)
		return true;
	if (!zdr_opaque(zdr, sessionid, sizeof(sessionid)) ||
	    !zdr_u_int(zdr, &seqid) || !zdr_u_int(zdr, &slot) ||
	    !zdr_u_int(zdr, &highest) || !zdr_u_int(zdr, &target) ||
	    !zdr_u_int(zdr, &flags))
		return false;
	session->v41.slot_seqid++;
	/* Logged as they change: when the server saw the back channel go
	 * down, or revoked state, shows in the client's log. */
	if (flags != session->v41.status_flags)
		fprintf(stderr, "nfs41: SEQUENCE status flags 0x%x\n", flags);
	session->v41.status_flags = flags;
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

int nfs41_call(struct nfs4_session *session, bool sequenced, uint32_t op,
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
	return nfs41_put_u32(zdr, 0); /* rca_one_fs: all of them */
}

int nfs41_reclaim_complete(struct nfs4_session *session)
{
	int status = nfs41_call(session, true, OP41_RECLAIM_COMPLETE,
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
		status = nfs41_reclaim_complete(session);
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
		status = nfs41_call(session, true, op, put, get, arg);
	if (nfs4_server_forgot_us(status))
		session->have_clientid = false;
	return status;
}
