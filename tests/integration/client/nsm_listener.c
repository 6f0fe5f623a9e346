/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* SM_NOTIFY received over libnfs's server side, registered with rpcbind
 * through libnfs's portmapper client. */
#include "nsm_listener.h"
#include "rpc_server.h"
#include "rpc_wait.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nsm.h>
#include <nfsc/libnfs-raw-portmap.h>

#define MAX_NOTICES   64
#define PMAP_PORT     111
#define NSM_NULL_PROC 0

static struct {
	struct nsm_notice notices[MAX_NOTICES];
	unsigned int n;
} nsm;

static int nsm_null(struct rpc_context *rpc, struct rpc_msg *call)
{
	return rpc_send_reply(rpc, call, NULL, (zdrproc_t)zdr_void, 0);
}

static void peer_address(struct rpc_context *rpc, char *out, size_t len)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);

	snprintf(out, len, "?");
	if (getpeername(rpc_get_fd(rpc), (struct sockaddr *)&peer, &plen) ==
		    0 &&
	    peer.sin_family == AF_INET)
		inet_ntop(AF_INET, &peer.sin_addr, out, len);
}

static int nsm_notify(struct rpc_context *rpc, struct rpc_msg *call)
{
	NSM1_NOTIFYargs args;

	/* libnfs decodes into 4-byte aligned memory: copy first. */
	memcpy(&args, call->body.cbody.args, sizeof(args));
	if (nsm.n < MAX_NOTICES) {
		struct nsm_notice *n = &nsm.notices[nsm.n++];

		snprintf(n->mon_name, sizeof(n->mon_name), "%s", args.mon_name);
		n->state = args.state;
		peer_address(rpc, n->from, sizeof(n->from));
	}
	return rpc_send_reply(rpc, call, NULL, (zdrproc_t)zdr_void, 0);
}

/* libnfs 4.0 hands a server's decoder uninitialized memory, and its
 * string decoder writes through any non-NULL pointer it finds there. */
static uint32_t decode_notify(ZDR *zdrs, void *args)
{
	memset(args, 0, sizeof(NSM1_NOTIFYargs));
	return zdr_NSM1_NOTIFYargs(zdrs, args);
}

static struct service_proc nsm_procs[] = {
	{NSM_NULL_PROC, nsm_null, (zdrproc_t)zdr_void, 0},
	{NSM1_NOTIFY, nsm_notify, (zdrproc_t)decode_notify,
	 sizeof(NSM1_NOTIFYargs)},
};

struct set_wait {
	bool done;
	bool ok;
};

static void set_cb(struct rpc_context *rpc, int status, void *data,
		   void *private_data)
{
	struct set_wait *w = private_data;

	(void)rpc;
	w->done = true;
	w->ok = status == RPC_STATUS_SUCCESS && data && *(uint32_t *)data;
}

/* PMAPPROC_UNSET (a statd of this host that died), then PMAPPROC_SET,
 * over TCP to the local portmapper. */
static int register_port(int port)
{
	struct rpc_context *rpc = rpc_init_context();
	struct set_wait unset = {false, false}, w = {false, false};
	int rc;

	if (!rpc)
		return -ENOMEM;
	rc = rpc_wait_connect(rpc, "127.0.0.1", PMAP_PORT, PMAP_PROGRAM,
			      PMAP_V2);
	if (rc == 0)
		rc = rpc_pmap2_unset_async(rpc, NSM_PROGRAM, NSM_V1,
					   IPPROTO_TCP, 0, set_cb, &unset)
			     ? -EIO
			     : rpc_wait_done(rpc, &unset.done);
	if (rc == 0)
		rc = rpc_pmap2_set_async(rpc, NSM_PROGRAM, NSM_V1, IPPROTO_TCP,
					 port, set_cb, &w)
			     ? -EIO
			     : rpc_wait_done(rpc, &w.done);
	rpc_destroy_context(rpc);
	if (rc == 0 && !w.ok) {
		fprintf(stderr, "nsm: rpcbind refused to register statd\n");
		rc = -EIO;
	}
	return rc;
}

int nsm_listener_start(void)
{
	int port = rpc_server_start(NSM_PROGRAM, NSM_V1, nsm_procs,
				    sizeof(nsm_procs) / sizeof(nsm_procs[0]));

	return port < 0 ? port : register_port(port);
}

bool nsm_listener_take(struct nsm_notice *notice)
{
	if (!nsm.n)
		return false;
	*notice = nsm.notices[0];
	memmove(&nsm.notices[0], &nsm.notices[1], --nsm.n * sizeof(*notice));
	return true;
}
