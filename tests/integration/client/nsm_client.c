/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* SM_NOTIFY over libnfs raw calls, on a connection of its own. */
#include "nsm_client.h"
#include "rpc_wait.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nsm.h>

struct notify_wait {
	bool done;
	int status;
};

static void notify_cb(struct rpc_context *rpc, int status, void *data,
		      void *private_data)
{
	struct notify_wait *wait = private_data;

	(void)rpc;
	wait->done = true;
	if (status == RPC_STATUS_SUCCESS)
		return;
	fprintf(stderr, "nsm: %s\n",
		status == RPC_STATUS_ERROR ? (const char *)data : "cancelled");
	wait->status = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
}

int nsm_notify(const char *server, const char *mon_name, int state)
{
	NSM1_NOTIFYargs args = {.mon_name = (char *)mon_name, .state = state};
	struct notify_wait wait = {0};
	struct rpc_context *rpc = rpc_init_context();
	int rc;

	if (!rpc)
		return -ENOMEM;
	/* statd has no fixed port: ask the portmapper. */
	rc = rpc_wait_connect(rpc, server, 0, NSM_PROGRAM, NSM_V1);
	if (rc == 0) {
		rc = rpc_nsm1_notify_async(rpc, notify_cb, &args, &wait);
		if (rc == 0)
			rc = rpc_wait_done(rpc, &wait.done);
		else
			rc = -EIO;
	}
	rpc_destroy_context(rpc);
	return rc < 0 ? rc : wait.status;
}
