/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Synchronous waiting on libnfs asynchronous RPC contexts.
 *
 * The test client and the benchmark issue one call at a time, so each
 * call is queued with a libnfs *_async function and then driven to
 * completion here by polling the context's socket.
 */
#ifndef ULM_RPC_WAIT_H
#define ULM_RPC_WAIT_H

#include <stdbool.h>

struct rpc_context;

/** How long one RPC may take before it is abandoned. */
#define RPC_WAIT_TIMEOUT_MS 15000

/**
 * @brief Service @p rpc until @p *done turns true.
 *
 * @return 0 once @p *done is true, -ETIMEDOUT if the call took longer than
 *         RPC_WAIT_TIMEOUT_MS (the connection is then dropped, which fails
 *         the pending callback), -ECONNRESET if the socket failed.
 */
int rpc_wait_done(struct rpc_context *rpc, const bool *done);

/**
 * @brief Connect @p rpc to @p program / @p version on @p server.
 *
 * @param[in] port  TCP port, or 0 to ask the server's portmapper.
 * @return 0, or a negative errno; the reason is printed on stderr.
 */
int rpc_wait_connect(struct rpc_context *rpc, const char *server, int port,
		     int program, int version);

#endif /* ULM_RPC_WAIT_H */
