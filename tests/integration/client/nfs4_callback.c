/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 callback service: CB_NULL and CB_COMPOUND { CB_RECALL }; and
 * what the client does with the recalls of either minor version. */
#include "nfs4_callback.h"
#include "nfs4_client.h"
#include "rpc_server.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#define CB_MAX_OPS	 16
#define MAX_QUEUED	 16
#define NFS4_CB_VERSION	 1
#define CB_NULL_PROC	 0
#define CB_COMPOUND_PROC 1

static struct {
	unsigned int recalls;
	bool autoreturn;
	enum nfs4_callback_mode mode;
	bool last_reply; /* "once": the next reply is the last one */
	bool silenced;	 /* "once": that reply went */
	char queued[MAX_QUEUED][NFS4_STATEID_OTHER_SIZE];
	unsigned int nqueued;
} cb;

void nfs4_callback_recalled(const char *other, uint32_t seqid, bool truncate)
{
	cb.recalls++;
	fprintf(stderr, "CB_RECALL %u truncate=%d\n", seqid, truncate ? 1 : 0);
	if (cb.autoreturn && cb.nqueued < MAX_QUEUED)
		memcpy(cb.queued[cb.nqueued++], other, NFS4_STATEID_OTHER_SIZE);
	if (cb.mode == NFS4_CB_ONCE)
		cb.last_reply = true;
}

void nfs4_callback_set_mode(enum nfs4_callback_mode mode)
{
	cb.mode = mode;
}

bool nfs4_callback_may_reply(void)
{
	if (cb.mode == NFS4_CB_MUTE || cb.silenced)
		return false;
	cb.silenced = cb.last_reply;
	return true;
}

bool nfs4_callback_silenced(void)
{
	return cb.silenced;
}

static nfsstat4 recall(const CB_RECALL4args *args)
{
	nfs4_callback_recalled(args->stateid.other, args->stateid.seqid,
			       args->truncate);
	return NFS4_OK;
}

/* Run one operation into @p res; returns its status. */
static nfsstat4 run_op(const nfs_cb_argop4 *op, nfs_cb_resop4 *res)
{
	memset(res, 0, sizeof(*res));
	if (op->argop != OP_CB_RECALL) {
		res->resop = OP_CB_ILLEGAL;
		res->nfs_cb_resop4_u.opcbillegal.status = NFS4ERR_OP_ILLEGAL;
		return NFS4ERR_OP_ILLEGAL;
	}
	res->resop = OP_CB_RECALL;
	res->nfs_cb_resop4_u.opcbrecall.status =
		recall(&op->nfs_cb_argop4_u.opcbrecall);
	return res->nfs_cb_resop4_u.opcbrecall.status;
}

static int cb_null(struct rpc_context *rpc, struct rpc_msg *call)
{
	if (!nfs4_callback_may_reply())
		return 0;
	return rpc_send_reply(rpc, call, NULL, (zdrproc_t)zdr_void, 0);
}

/* libnfs 4.0 decodes a call into memory it does not clear, and its
 * zdr_bytes copies into any non-NULL pointer found there (the tag, the
 * ops array): start from zeros, so that it allocates. */
static uint32_t zdr_cb_compound_args(ZDR *zdrs, CB_COMPOUND4args *args)
{
	memset(args, 0, sizeof(*args));
	return zdr_CB_COMPOUND4args(zdrs, args);
}

static int cb_compound(struct rpc_context *rpc, struct rpc_msg *call)
{
	nfs_cb_resop4 results[CB_MAX_OPS];
	CB_COMPOUND4res res = {.status = NFS4_OK};
	CB_COMPOUND4args args;
	unsigned int i = 0;

	/* libnfs decodes into 4-byte aligned memory: copy first. */
	memcpy(&args, call->body.cbody.args, sizeof(args));
	res.tag = args.tag;
	while (i < args.argarray.argarray_len && i < CB_MAX_OPS &&
	       res.status == NFS4_OK) {
		nfs_cb_argop4 op;

		memcpy(&op,
		       (const char *)args.argarray.argarray_val +
			       i * sizeof(op),
		       sizeof(op));
		res.status = run_op(&op, &results[i++]);
	}
	res.resarray.resarray_len = i;
	res.resarray.resarray_val = results;
	if (!nfs4_callback_may_reply())
		return 0;
	return rpc_send_reply(rpc, call, &res, (zdrproc_t)zdr_CB_COMPOUND4res,
			      sizeof(res));
}

static struct service_proc cb_procs[] = {
	{CB_NULL_PROC, cb_null, (zdrproc_t)zdr_void, 0},
	{CB_COMPOUND_PROC, cb_compound, (zdrproc_t)zdr_cb_compound_args,
	 sizeof(CB_COMPOUND4args)},
};

int nfs4_callback_start(void)
{
	return rpc_server_start(NFS4_CALLBACK, NFS4_CB_VERSION, cb_procs,
				sizeof(cb_procs) / sizeof(cb_procs[0]));
}

void nfs4_callback_stop(void)
{
	rpc_server_stop(NFS4_CALLBACK);
}

unsigned int nfs4_callback_recalls(void)
{
	return cb.recalls;
}

void nfs4_callback_set_autoreturn(bool on)
{
	cb.autoreturn = on;
}

bool nfs4_callback_take_recall(char *other)
{
	if (!cb.nqueued)
		return false;
	memcpy(other, cb.queued[0], NFS4_STATEID_OTHER_SIZE);
	memmove(cb.queued[0], cb.queued[1],
		--cb.nqueued * NFS4_STATEID_OTHER_SIZE);
	return true;
}
