/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 back channel: CB_NULL and CB_COMPOUND { CB_SEQUENCE, CB_RECALL }
 * arriving on the session's connection, answered as nfs4_callback says. */
#include "nfs41_internal.h"
#include "nfs4_callback.h"

#include <stdio.h>
#include <string.h>

#define CB_NULL_PROC	 0
#define CB_COMPOUND_PROC 1
#define CB_MAX_OPS	 16

struct cb_result {
	uint32_t op;
	uint32_t status;
	/* CB_SEQUENCE: what the reply echoes */
	char sessionid[NFS41_SESSIONID_SIZE];
	uint32_t seqid, slotid, highest_slotid;
};

struct cb_reply {
	uint32_t status;
	char *tag;
	uint32_t tag_len;
	uint32_t nres;
	struct cb_result res[CB_MAX_OPS];
};

/* csa_referring_call_lists: only skipped, the client keeps no slots. */
static bool skip_referring_calls(ZDR *zdr)
{
	char sessionid[NFS41_SESSIONID_SIZE];
	uint32_t lists, calls;

	if (!zdr_u_int(zdr, &lists))
		return false;
	while (lists--)
		if (!zdr_opaque(zdr, sessionid, sizeof(sessionid)) ||
		    !zdr_u_int(zdr, &calls) ||
		    !zdr_setpos(zdr, zdr_getpos(zdr) + 8 * calls))
			return false;
	return true;
}

static bool cb_sequence(const struct nfs4_session *session, ZDR *zdr,
			struct cb_result *res)
{
	uint32_t cachethis;

	if (!zdr_opaque(zdr, res->sessionid, NFS41_SESSIONID_SIZE) ||
	    !zdr_u_int(zdr, &res->seqid) || !zdr_u_int(zdr, &res->slotid) ||
	    !zdr_u_int(zdr, &res->highest_slotid) ||
	    !zdr_u_int(zdr, &cachethis) || !skip_referring_calls(zdr))
		return false;
	res->status = memcmp(res->sessionid, session->v41.sessionid,
			     NFS41_SESSIONID_SIZE) == 0
			      ? NFS4_OK
			      : NFS4ERR41_BADSESSION;
	return true;
}

static bool cb_recall(ZDR *zdr, struct cb_result *res)
{
	CB_RECALL4args args;

	/* Zeros: libnfs's decoder copies into any non-NULL pointer. */
	memset(&args, 0, sizeof(args));
	if (!zdr_CB_RECALL4args(zdr, &args))
		return false;
	nfs4_callback_recalled(args.stateid.other, args.stateid.seqid,
			       args.truncate);
	res->status = NFS4_OK;
	return true;
}

/* Decode and run one operation into @p res; one that cannot be decoded
 * (unknown to this client) is illegal and ends the compound. */
static void run_op(const struct nfs4_session *session, ZDR *zdr,
		   struct cb_result *res)
{
	bool decoded = false;

	if (zdr_u_int(zdr, &res->op)) {
		if (res->op == OP41_CB_SEQUENCE)
			decoded = cb_sequence(session, zdr, res);
		else if (res->op == OP_CB_RECALL)
			decoded = cb_recall(zdr, res);
	}
	if (!decoded) {
		res->op = OP_CB_ILLEGAL;
		res->status = NFS4ERR_OP_ILLEGAL;
	}
}

static bool put_result(ZDR *zdr, struct cb_result *res)
{
	uint32_t target = res->highest_slotid;

	if (!zdr_u_int(zdr, &res->op) || !zdr_u_int(zdr, &res->status))
		return false;
	if (res->op != OP41_CB_SEQUENCE || res->status != NFS4_OK)
		return true;
	return zdr_opaque(zdr, res->sessionid, NFS41_SESSIONID_SIZE) &&
	       zdr_u_int(zdr, &res->seqid) && zdr_u_int(zdr, &res->slotid) &&
	       zdr_u_int(zdr, &res->highest_slotid) && zdr_u_int(zdr, &target);
}

static bool put_compound_reply(ZDR *zdr, void *arg)
{
	struct cb_reply *reply = arg;
	uint32_t i;

	if (!zdr_u_int(zdr, &reply->status) ||
	    !zdr_bytes(zdr, &reply->tag, &reply->tag_len, NFS4_OPAQUE_LIMIT) ||
	    !zdr_u_int(zdr, &reply->nres))
		return false;
	for (i = 0; i < reply->nres; i++)
		if (!put_result(zdr, &reply->res[i]))
			return false;
	return true;
}

static bool put_nothing(ZDR *zdr, void *arg)
{
	(void)zdr;
	(void)arg;
	return true;
}

static void cb_compound(struct nfs4_session *session, uint32_t xid, ZDR *zdr)
{
	struct cb_reply reply = {.status = NFS4_OK};
	uint32_t minor, ident, nops;

	if (!zdr_bytes(zdr, &reply.tag, &reply.tag_len, NFS4_OPAQUE_LIMIT) ||
	    !zdr_u_int(zdr, &minor) || !zdr_u_int(zdr, &ident) ||
	    !zdr_u_int(zdr, &nops)) {
		fprintf(stderr, "nfs41: undecodable CB_COMPOUND\n");
		return;
	}
	while (reply.nres < nops && reply.nres < CB_MAX_OPS &&
	       reply.status == NFS4_OK) {
		struct cb_result *res = &reply.res[reply.nres++];

		run_op(session, zdr, res);
		reply.status = res->status;
	}
	if (nfs4_callback_may_reply())
		nfs41_rpc_reply(session, xid, put_compound_reply, &reply);
}

void nfs41_callback_call(struct nfs4_session *session, uint32_t xid,
			 uint32_t proc, ZDR *zdr)
{
	switch (proc) {
	case CB_NULL_PROC:
		if (nfs4_callback_may_reply())
			nfs41_rpc_reply(session, xid, put_nothing, NULL);
		break;
	case CB_COMPOUND_PROC:
		cb_compound(session, xid, zdr);
		break;
	default:
		nfs41_rpc_reply(session, xid, NULL, NULL);
	}
}
