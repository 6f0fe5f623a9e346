/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * One ONC RPC connection with AUTH_SYS, from libtirpc, for procedures
 * libnfs 4.0 has no call for (NLM SHARE, UNSHARE, FREE_ALL, GRANTED_RES).
 * It carries opaque, already XDR-encoded arguments and hands back the raw
 * results, so that the caller encodes with libnfs's XDR routines without
 * libnfs's headers meeting libtirpc's.  Also registers a service of ours
 * with the local rpcbind.
 */
#ifndef ULM_SYS_RPC_H
#define ULM_SYS_RPC_H

#include <stddef.h>
#include <stdint.h>

struct sys_rpc;

/**
 * @brief Connect over TCP to @p program / @p version on @p server, at the
 *        port the server's portmapper gives.
 * @param[out] rpc  Free with sys_rpc_destroy().
 * @return 0, -ECONNREFUSED (reason on stderr) or -ENOMEM.
 */
int sys_rpc_create(const char *server, uint32_t program, uint32_t version,
		   struct sys_rpc **rpc);

/**
 * @brief Call @p procedure with @p args (XDR bytes, a multiple of 4 long).
 * @param[out] reply  The procedure's results as XDR bytes; free() it.
 * @return 0, -EACCES (refused credentials), -ETIMEDOUT or -EIO (reason on
 *         stderr).
 */
int sys_rpc_call(struct sys_rpc *rpc, uint32_t procedure, const void *args,
		 size_t args_len, void **reply, size_t *reply_len);

void sys_rpc_destroy(struct sys_rpc *rpc);

/**
 * @brief Register @p program / @p version at TCP @p port with this host's
 *        rpcbind (over its local socket), replacing an older entry.
 * @return 0, or -EIO when rpcbind refused or does not run.
 */
int sys_rpc_register(uint32_t program, uint32_t version, uint16_t port);

#endif /* ULM_SYS_RPC_H */
