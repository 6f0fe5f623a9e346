/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* AUTH_SYS connections over libtirpc, carrying opaque calls. */
#include "sys_rpc.h"
#include "tirpc_opaque.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include <rpc/pmap_clnt.h>

struct sys_rpc {
	CLIENT *clnt;
};

int sys_rpc_create(const char *server, uint32_t program, uint32_t version,
		   struct sys_rpc **out)
{
	struct sys_rpc *rpc = calloc(1, sizeof(*rpc));

	if (!rpc)
		return -ENOMEM;
	/* clnt_create asks the server's portmapper for the port. */
	rpc->clnt = clnt_create(server, program, version, "tcp");
	if (!rpc->clnt) {
		fprintf(stderr, "sys_rpc: %s\n", clnt_spcreateerror(server));
		free(rpc);
		return -ECONNREFUSED;
	}
	auth_destroy(rpc->clnt->cl_auth);
	rpc->clnt->cl_auth = authunix_create_default();
	if (!rpc->clnt->cl_auth) {
		clnt_destroy(rpc->clnt);
		free(rpc);
		return -ENOMEM;
	}
	*out = rpc;
	return 0;
}

int sys_rpc_call(struct sys_rpc *rpc, uint32_t procedure, const void *args,
		 size_t args_len, void **reply, size_t *reply_len)
{
	enum clnt_stat stat = tirpc_opaque_call(rpc->clnt, procedure, args,
						args_len, reply, reply_len);

	if (stat != RPC_SUCCESS)
		fprintf(stderr, "sys_rpc: %s\n",
			clnt_sperror(rpc->clnt, "call"));
	return tirpc_opaque_errno(stat);
}

void sys_rpc_destroy(struct sys_rpc *rpc)
{
	auth_destroy(rpc->clnt->cl_auth);
	clnt_destroy(rpc->clnt);
	free(rpc);
}

int sys_rpc_register(uint32_t program, uint32_t version, uint16_t port)
{
	pmap_unset(program, version);
	if (pmap_set(program, version, IPPROTO_TCP, port))
		return 0;
	fprintf(stderr, "sys_rpc: rpcbind refused program %u version %u\n",
		program, version);
	return -EIO;
}
