/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* TCP listeners whose connections are libnfs server contexts. */
#include "rpc_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>

#define MAX_SERVERS 2
#define MAX_CONNS   ((RPC_SERVERS_MAX_FDS / MAX_SERVERS) - 1)

struct rpc_server {
	int listen_fd;
	int program;
	int version;
	struct service_proc *procs;
	int nprocs;
	struct rpc_context *conns[MAX_CONNS];
	int nconns;
	int filled; /* connections rpc_servers_fill() gave */
};

static struct rpc_server servers[MAX_SERVERS];
static int nservers;

static int listen_any_port(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, MAX_CONNS) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int rpc_server_start(int program, int version, struct service_proc *procs,
		     int nprocs)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	struct rpc_server *server;
	int fd;

	if (nservers == MAX_SERVERS)
		return -ENOSPC;
	fd = listen_any_port();
	if (fd < 0)
		return fd;
	getsockname(fd, (struct sockaddr *)&addr, &len);
	server = &servers[nservers++];
	*server = (struct rpc_server){.listen_fd = fd,
				      .program = program,
				      .version = version,
				      .procs = procs,
				      .nprocs = nprocs};
	return ntohs(addr.sin_port);
}

void rpc_server_stop(int program)
{
	int i, c;

	for (i = 0; i < nservers; i++) {
		struct rpc_server *server = &servers[i];

		if (server->program != program)
			continue;
		for (c = 0; c < server->nconns; c++)
			rpc_destroy_context(server->conns[c]);
		close(server->listen_fd);
		servers[i--] = servers[--nservers];
	}
}

int rpc_servers_fill(struct pollfd *fds)
{
	int i, c, n = 0;

	for (i = 0; i < nservers; i++) {
		struct rpc_server *server = &servers[i];

		fds[n++] = (struct pollfd){.fd = server->listen_fd,
					   .events = POLLIN};
		for (c = 0; c < server->nconns; c++)
			fds[n++] = (struct pollfd){
				.fd = rpc_get_fd(server->conns[c]),
				.events = rpc_which_events(server->conns[c])};
		server->filled = server->nconns;
	}
	return n;
}

static void accept_conn(struct rpc_server *server)
{
	struct rpc_context *rpc;
	int fd = accept(server->listen_fd, NULL, NULL);

	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (server->nconns == MAX_CONNS ||
	    !(rpc = rpc_init_server_context(fd))) {
		close(fd);
		return;
	}
	if (rpc_register_service(rpc, server->program, server->version,
				 server->procs, server->nprocs) < 0) {
		rpc_destroy_context(rpc);
		return;
	}
	server->conns[server->nconns++] = rpc;
}

/* Serve one connection; false once it is closed or broken. */
static bool service_conn(struct rpc_context *rpc, short revents)
{
	if (!revents)
		return true;
	if (rpc_service(rpc, revents) < 0)
		return false;
	/* Send the replies now: the caller may act on them at once. */
	if (rpc_which_events(rpc) & POLLOUT)
		return rpc_service(rpc, POLLOUT) >= 0;
	return true;
}

static const struct pollfd *service_server(struct rpc_server *server,
					   const struct pollfd *fd)
{
	bool accept_new = fd++->revents & POLLIN;
	int c, kept = 0;

	for (c = 0; c < server->nconns; c++) {
		struct rpc_context *rpc = server->conns[c];

		if (c < server->filled && !service_conn(rpc, fd++->revents)) {
			rpc_destroy_context(rpc);
			continue;
		}
		server->conns[kept++] = rpc;
	}
	server->nconns = kept;
	if (accept_new)
		accept_conn(server);
	return fd;
}

void rpc_servers_service(const struct pollfd *fds, int n)
{
	const struct pollfd *fd = fds;
	int i;

	for (i = 0; i < nservers && fd < fds + n; i++)
		fd = service_server(&servers[i], fd);
}
