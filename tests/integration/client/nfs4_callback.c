/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 callback service: CB_NULL and CB_COMPOUND { CB_RECALL }. */
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
	char queued[MAX_QUEUED][NFS4_STATEID_OTHER_SIZE];
	unsigned int nqueued;
} cb;

static nfsstat4 recall(const CB_RECALL4args *args)
{
	cb.recalls++;
	fprintf(stderr, "CB_RECALL %u truncate=%d\n", args->stateid.seqid,
		args->truncate ? 1 : 0);
	if (cb.autoreturn && cb.nqueued < MAX_QUEUED)
		memcpy(cb.queued[cb.nqueued++], args->stateid.other,
		       NFS4_STATEID_OTHER_SIZE);
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
	const CB_COMPOUND4args *args = call->body.cbody.args;
	nfs_cb_resop4 results[CB_MAX_OPS];
	CB_COMPOUND4res res = {.status = NFS4_OK, .tag = args->tag};
	unsigned int i = 0;

	while (i < args->argarray.argarray_len && i < CB_MAX_OPS &&
	       res.status == NFS4_OK) {
		nfs_cb_argop4 op;

		/* libnfs decodes into 4-byte aligned memory: copy first. */
		memcpy(&op,
		       (const char *)args->argarray.argarray_val +
			       i * sizeof(op),
		       sizeof(op));
		res.status = run_op(&op, &results[i++]);
	}
	res.resarray.resarray_len = i;
	res.resarray.resarray_val = results;
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
