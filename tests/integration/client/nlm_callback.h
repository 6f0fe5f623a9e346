/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NLM v4 service of an NFSv3 client host, through which a server
 * grants a lock it answered NLM4_BLOCKED: procedure GRANTED_MSG (10), the
 * one Ganesha sends.  Each grant is kept for nlm_callback_take_grant() and
 * answered with GRANTED_RES to the server.  The server finds the service
 * through the rpcbind of the client host (its caller name or address):
 * the service registers itself with the local rpcbind.  One per process.
 */
#ifndef ULM_NLM_CALLBACK_H
#define ULM_NLM_CALLBACK_H

#include <stdbool.h>
#include <stdint.h>

/** A lock granted by the server. */
struct nlm_grant {
	bool write;
	uint64_t offset;
	uint64_t length; /* 0: to EOF */
	uint32_t svid;
};

/**
 * @brief Start the service and register it with this host's rpcbind;
 *        GRANTED_RES answers go to @p server's NLM.
 * @return 0, or a negative errno.
 */
int nlm_callback_start(const char *server);

/**
 * @brief Take the oldest grant not taken yet, waiting up to
 *        @p timeout_ms (serving every callback service meanwhile).
 * @return false if none arrived.
 */
bool nlm_callback_take_grant(struct nlm_grant *grant, int timeout_ms);

#endif /* ULM_NLM_CALLBACK_H */
