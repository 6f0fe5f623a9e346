// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file request.c
 * @brief FSAL UNIFIED: the NFSv4 operation this thread is processing.
 *
 * Ganesha 4.3 passes some facts to the FSAL only in the request itself:
 * that a LOCK is a blocking type (READW/WRITEW), the owner of a new OPEN,
 * and whether an OPEN reclaims (CLAIM_PREVIOUS). The op context of an
 * NFSv4 request is part of that request.
 */
#include "nfs_core.h"
#include "nfs_proto_data.h"
#include "ulmfsal.h"

const struct nfs_argop4 *ulmfsal_nfs4_op(int opcode,
					 const struct compound_data **compound)
{
	const nfs_request_t *req;
	const compound_data_t *data;

	if (op_ctx == NULL || op_ctx->req_type != NFS_REQUEST ||
	    op_ctx->nfs_vers != NFS_V4)
		return NULL;
	req = container_of(op_ctx, nfs_request_t, op_context);
	data = req->proc_data;
	if (data == NULL || (int)data->opcode != opcode ||
	    data->argarray == NULL || data->oppos >= data->argarray_len)
		return NULL;
	if (compound != NULL)
		*compound = data;
	return &data->argarray[data->oppos];
}

bool ulmfsal_in_nfs4_request(void)
{
	return op_ctx != NULL && op_ctx->req_type == NFS_REQUEST &&
	       op_ctx->nfs_vers == NFS_V4;
}

bool ulmfsal_nfs4_open_reclaims(void)
{
	const nfs_argop4 *op = ulmfsal_nfs4_op(NFS4_OP_OPEN, NULL);

	return op != NULL &&
	       op->nfs_argop4_u.opopen.claim.claim == CLAIM_PREVIOUS;
}
