/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NLM v4 GRANTED_MSG service of the client host. */
#include "nlm_callback.h"
#include "nlm_sys.h"
#include "rpc_server.h"
#include "sys_rpc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_GRANTS	      16
#define NLM4_GRANTED_MSG_PROC 10

static struct {
	const char *server;
	struct nlm_grant grants[MAX_GRANTS];
	unsigned int ngrants;
} cb;

static void keep_grant(const NLM4_GRANTEDargs *args)
{
	struct nlm_grant grant = {.write = args->exclusive,
				  .offset = args->lock.l_offset,
				  .length = args->lock.l_len,
				  .svid = args->lock.svid};

	fprintf(stderr, "NLM GRANTED_MSG svid %u %s %llu %llu\n", grant.svid,
		grant.write ? "write" : "read",
		(unsigned long long)grant.offset,
		(unsigned long long)grant.length);
	if (cb.ngrants < MAX_GRANTS)
		cb.grants[cb.ngrants++] = grant;
}

/* libnfs 4.0 decodes a call into memory it does not clear, and its
 * zdr_bytes copies into any non-NULL pointer found there: start from
 * zeros, so that it allocates. */
static uint32_t zdr_granted_args(ZDR *zdrs, NLM4_GRANTEDargs *args)
{
	memset(args, 0, sizeof(*args));
	return zdr_NLM4_GRANTEDargs(zdrs, args);
}

/* A message: no RPC reply; the answer is a GRANTED_RES call of ours. */
static int granted_msg(struct rpc_context *rpc, struct rpc_msg *call)
{
	const NLM4_GRANTEDargs *args = call->body.cbody.args;
	int rc;

	(void)rpc;
	keep_grant(args);
	rc = nlm_sys_granted_res(cb.server, &args->cookie, NLM4_GRANTED);
	if (rc < 0)
		fprintf(stderr, "NLM GRANTED_RES: %s\n", strerror(-rc));
	return 0;
}

static struct service_proc nlm_procs[] = {
	{NLM4_GRANTED_MSG_PROC, granted_msg, (zdrproc_t)zdr_granted_args,
	 sizeof(NLM4_GRANTEDargs)},
};

int nlm_callback_start(const char *server)
{
	int port = rpc_server_start(NLM_PROGRAM, NLM_V4, nlm_procs,
				    sizeof(nlm_procs) / sizeof(nlm_procs[0]));

	if (port < 0)
		return port;
	cb.server = server;
	return sys_rpc_register(NLM_PROGRAM, NLM_V4, port);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool nlm_callback_take_grant(struct nlm_grant *grant, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (!cb.ngrants) {
		struct pollfd fds[RPC_SERVERS_MAX_FDS];
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return false;
		n = rpc_servers_fill(fds);
		if (poll(fds, n, (int)left) < 0 && errno != EINTR)
			return false;
		rpc_servers_service(fds, n);
	}
	*grant = cb.grants[0];
	memmove(cb.grants, cb.grants + 1, --cb.ngrants * sizeof(*grant));
	return true;
}
