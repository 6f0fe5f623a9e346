/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Calls over a libtirpc CLIENT whose arguments are already XDR-encoded and
 * whose results come back as XDR bytes, so that callers may encode with
 * any XDR library (here libnfs's).  For libtirpc-side files only: this
 * header includes libtirpc's, which cannot meet libnfs's in one file.
 */
#ifndef ULM_TIRPC_OPAQUE_H
#define ULM_TIRPC_OPAQUE_H

#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

/** How long a call may take before it fails with RPC_TIMEDOUT. */
#define TIRPC_OPAQUE_TIMEOUT_SECS 10

/**
 * @brief Call @p procedure of @p clnt with @p args (XDR bytes, a multiple
 *        of 4 long).
 * @param[out] reply  On RPC_SUCCESS, the results as XDR bytes (unwrapped
 *                    by the CLIENT's auth); free() it.
 * @return libtirpc's status of the call.
 */
enum clnt_stat tirpc_opaque_call(CLIENT *clnt, uint32_t procedure,
				 const void *args, size_t args_len,
				 void **reply, size_t *reply_len);

/** 0 for RPC_SUCCESS; -EACCES (an authentication error), -ETIMEDOUT or
 *  -EIO for a failed call. */
int tirpc_opaque_errno(enum clnt_stat stat);

#endif /* ULM_TIRPC_OPAQUE_H */
