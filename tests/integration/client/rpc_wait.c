/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Drive libnfs asynchronous calls to completion, one at a time. */
#include "rpc_wait.h"
#include "rpc_server.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */
#include <time.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rpc_wait_done(struct rpc_context *rpc, const bool *done)
{
	int64_t deadline = now_ms() + RPC_WAIT_TIMEOUT_MS;

	while (!*done) {
		/* Our own services too: the server may call us back (CB_NULL
		 * probe) before it answers. */
		struct pollfd fds[1 + RPC_SERVERS_MAX_FDS];
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0) {
			/* Fails the pending callback, which sets *done. */
			rpc_disconnect(rpc, "timed out");
			return -ETIMEDOUT;
		}
		fds[0] = (struct pollfd){.fd = rpc_get_fd(rpc),
					 .events = rpc_which_events(rpc)};
		n = 1 + rpc_servers_fill(fds + 1);
		if (poll(fds, n, (int)left) < 0 && errno != EINTR)
			return -errno;
		rpc_servers_service(fds + 1, n - 1);
		if (rpc_service(rpc, fds[0].revents) < 0) {
			fprintf(stderr, "rpc: %s\n", rpc_get_error(rpc));
			if (*done)
				return 0;
			/* Fail the pending callback while its data lives. */
			rpc_disconnect(rpc, "connection lost");
			return -ECONNRESET;
		}
	}
	return 0;
}

struct connect_wait {
	bool done;
	int status;
};

static void connect_cb(struct rpc_context *rpc, int status, void *data,
		       void *private_data)
{
	struct connect_wait *wait = private_data;

	(void)rpc;
	if (status != RPC_STATUS_SUCCESS)
		fprintf(stderr, "rpc connect: %s\n",
			data ? (const char *)data : "cancelled");
	wait->status = status;
	wait->done = true;
}

int rpc_wait_connect(struct rpc_context *rpc, const char *server, int port,
		     int program, int version)
{
	struct connect_wait wait = {0};
	int rc;

	if (port)
		rc = rpc_connect_port_async(rpc, server, port, program, version,
					    connect_cb, &wait);
	else
		rc = rpc_connect_program_async(rpc, server, program, version,
					       connect_cb, &wait);
	if (rc < 0) {
		fprintf(stderr, "rpc connect: %s\n", rpc_get_error(rpc));
		return -ECONNREFUSED;
	}
	rc = rpc_wait_done(rpc, &wait.done);
	if (rc < 0)
		return rc;
	return wait.status == RPC_STATUS_SUCCESS ? 0 : -ECONNREFUSED;
}
