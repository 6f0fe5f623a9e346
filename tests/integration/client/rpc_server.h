/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RPC services the client offers the server (the NFSv4 callback, NLM
 * GRANTED): a TCP listener whose connections are libnfs server contexts.
 * Every service is polled from the client's waits (see rpc_servers_fill).
 */
#ifndef ULM_RPC_SERVER_H
#define ULM_RPC_SERVER_H

#include <poll.h>

struct service_proc;

/** Upper bound of the pollfds all services need together. */
#define RPC_SERVERS_MAX_FDS 32

/**
 * @brief Listen on a free TCP port of every address and serve @p procs
 *        of @p program / @p version on each connection.
 * @return The port, or a negative errno.
 */
int rpc_server_start(int program, int version, struct service_proc *procs,
		     int nprocs);

/** Close the listener and the connections of @p program's service. */
void rpc_server_stop(int program);

/** Fill @p fds (room for RPC_SERVERS_MAX_FDS) with every service's
 *  sockets; returns how many. */
int rpc_servers_fill(struct pollfd *fds);

/** Accept, read calls and send replies for the @p n @p fds that
 *  rpc_servers_fill() gave, after poll() set their revents. */
void rpc_servers_service(const struct pollfd *fds, int n);

#endif /* ULM_RPC_SERVER_H */
