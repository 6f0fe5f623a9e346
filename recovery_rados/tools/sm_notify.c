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
/* NLM's private procedure by which the local statd tells lockd that a
 * monitored host rebooted (Ganesha: accepted from the loopback only). */
#define NLM_PROGRAM   100021
#define NLM_VERSION   4
#define NLM_NULL      0
#define NLM_SM_NOTIFY 16
#define NLM_PRIV_LEN  16

struct stat_chge {
	char *mon_name;
	int state;
};

struct nlm_sm_notify {
	char *mon_name;
	int state;
	char priv[NLM_PRIV_LEN];
};

/* SM_NOTIFY returns nothing; NULL takes nothing. */
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

static bool_t xdr_nlm_sm_notify(XDR *xdrs, struct nlm_sm_notify *args)
{
	return xdr_string(xdrs, &args->mon_name, NSM_NAME_MAX) &&
	       xdr_int(xdrs, &args->state) &&
	       xdr_opaque(xdrs, args->priv, NLM_PRIV_LEN);
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

/* Ask @p to's portmapper for @p prog's TCP port, then call @p proc there;
 * both out of @p from. */
static int call_program(const struct in_addr *from, const struct in_addr *to,
			rpcprog_t prog, rpcvers_t vers, rpcproc_t proc,
			xdrproc_t xargs, void *args)
{
	struct pmap map = {prog, vers, IPPROTO_TCP, 0};
	u_long port = 0;
	int rc = call_from(from, to, PMAPPORT, PMAPPROG, PMAPVERS,
			   PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &map,
			   (xdrproc_t)xdr_u_long, &port);

	if (!rc && (port == 0 || port > 65535))
		rc = -ENOENT;
	if (!rc)
		rc = call_from(from, to, (unsigned short)port, prog, vers, proc,
			       xargs, args, (xdrproc_t)xdr_nothing, NULL);
	return rc;
}

int sm_notify_send(const char *from_addr, const char *client_addr,
		   const char *mon_name, int state)
{
	struct stat_chge args = {(char *)mon_name, state};
	struct in_addr from, to;

	if (inet_pton(AF_INET, from_addr, &from) != 1 ||
	    inet_pton(AF_INET, client_addr, &to) != 1 || !mon_name ||
	    strlen(mon_name) > NSM_NAME_MAX)
		return -EINVAL;
	return call_program(&from, &to, NSM_PROGRAM, NSM_VERSION, NSM_NOTIFY,
			    (xdrproc_t)xdr_stat_chge, &args);
}

int nlm_local_ping(void)
{
	struct in_addr lo = {htonl(INADDR_LOOPBACK)};

	return call_program(&lo, &lo, NLM_PROGRAM, NLM_VERSION, NLM_NULL,
			    (xdrproc_t)xdr_nothing, NULL);
}

int nlm_local_sm_notify(const char *mon_name, int state)
{
	struct nlm_sm_notify args = {(char *)mon_name, state, {0}};
	struct in_addr lo = {htonl(INADDR_LOOPBACK)};

	if (!mon_name || strlen(mon_name) > NSM_NAME_MAX)
		return -EINVAL;
	return call_program(&lo, &lo, NLM_PROGRAM, NLM_VERSION, NLM_SM_NOTIFY,
			    (xdrproc_t)xdr_nlm_sm_notify, &args);
}
