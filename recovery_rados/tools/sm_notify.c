/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>

#include "sm_notify.h"

#define NSM_PROGRAM   100024
#define NSM_VERSION   1
#define NSM_NOTIFY    6
#define NSM_NAME_MAX  1024 /* SM_MAXSTRLEN */
#define RPC_WAIT_SECS 5

struct stat_chge {
	char *mon_name;
	int state;
};

/* SM_NOTIFY returns nothing. */
static bool_t xdr_nothing(XDR *xdrs, void *res)
{
	(void)xdrs;
	(void)res;
	return TRUE;
}

static bool_t xdr_stat_chge(XDR *xdrs, struct stat_chge *args)
{
	return xdr_string(xdrs, &args->mon_name, NSM_NAME_MAX) &&
	       xdr_int(xdrs, &args->state);
}

/* A TCP connection to @p to:@p port out of @p from. @return fd or -errno */
static int connect_from(const struct in_addr *from, const struct in_addr *to,
			unsigned short port, struct sockaddr_in *peer)
{
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr = *from};
	struct timeval tv = {RPC_WAIT_SECS, 0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	*peer = (struct sockaddr_in){.sin_family = AF_INET,
				     .sin_port = htons(port),
				     .sin_addr = *to};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    connect(fd, (struct sockaddr *)peer, sizeof(*peer)) != 0)
		rc = errno == EINPROGRESS ? -ETIMEDOUT : -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* One call over a fresh connection; the client handle owns the fd. */
static int call_from(const struct in_addr *from, const struct in_addr *to,
		     unsigned short port, rpcprog_t prog, rpcvers_t vers,
		     rpcproc_t proc, xdrproc_t xargs, void *args,
		     xdrproc_t xres, void *res)
{
	struct timeval wait = {RPC_WAIT_SECS, 0};
	struct sockaddr_in peer;
	struct netbuf nb;
	enum clnt_stat st;
	CLIENT *clnt;
	int fd = connect_from(from, to, port, &peer);

	if (fd < 0)
		return fd;
	nb.buf = &peer;
	nb.len = nb.maxlen = sizeof(peer);
	clnt = clnt_vc_create(fd, &nb, prog, vers, 0, 0);
	if (clnt == NULL) {
		close(fd);
		return -EIO;
	}
	clnt_control(clnt, CLSET_FD_CLOSE, NULL);
	st = clnt_call(clnt, proc, xargs, args, xres, res, wait);
	clnt_destroy(clnt);
	return st == RPC_SUCCESS ? 0 : st == RPC_TIMEDOUT ? -ETIMEDOUT : -EIO;
}

int sm_notify_send(const char *from_addr, const char *client_addr,
		   const char *mon_name, int state)
{
	struct pmap map = {NSM_PROGRAM, NSM_VERSION, IPPROTO_TCP, 0};
	struct stat_chge args = {(char *)mon_name, state};
	struct in_addr from, to;
	u_long port = 0;
	int rc;

	if (inet_pton(AF_INET, from_addr, &from) != 1 ||
	    inet_pton(AF_INET, client_addr, &to) != 1 || !mon_name ||
	    strlen(mon_name) > NSM_NAME_MAX)
		return -EINVAL;
	rc = call_from(&from, &to, PMAPPORT, PMAPPROG, PMAPVERS,
		       PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &map,
		       (xdrproc_t)xdr_u_long, &port);
	if (!rc && (port == 0 || port > 65535))
		rc = -ENOENT;
	if (!rc)
		rc = call_from(&from, &to, (unsigned short)port, NSM_PROGRAM,
			       NSM_VERSION, NSM_NOTIFY,
			       (xdrproc_t)xdr_stat_chge, &args,
			       (xdrproc_t)xdr_nothing, NULL);
	return rc;
}
