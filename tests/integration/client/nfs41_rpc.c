/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 transport: RPC records both ways on the session's connection. */
#include "nfs41_internal.h"
#include "rpc_wait.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NFS4_PORT	   2049
#define NFS4_COMPOUND_PROC 1
#define RPC_CALL	   0
#define RPC_REPLY	   1
#define RPC_VERSION	   2
#define RPC_AUTH_NONE	   0
#define RPC_AUTH_SYS	   1
#define RPC_LAST_FRAGMENT  0x80000000u
#define MACHINE_NAME	   "ulm-nfs-client"
/* A WRITE of 1 MiB and its headers. */
#define CALL_BUFFER_SIZE    ((1u << 20) + 65536)
#define RECORD_MAX	    (4u << 20)
#define ACCEPT_SUCCESS	    0
#define ACCEPT_PROC_UNAVAIL 3
#define REPLY_MSG_ACCEPTED  0

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nfs41_rpc_connect(struct nfs4_session *session)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *addr;
	char port[8];
	int fd, rc;

	snprintf(port, sizeof(port), "%d", NFS4_PORT);
	rc = getaddrinfo(session->server, port, &hints, &addr);
	if (rc) {
		fprintf(stderr, "nfs41: %s: %s\n", session->server,
			gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, addr->ai_addr, addr->ai_addrlen) < 0) {
		rc = -errno;
		fprintf(stderr, "nfs41: connect: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(addr);
		return rc;
	}
	freeaddrinfo(addr);
	session->v41.fd = fd;
	return 0;
}

void nfs41_rpc_drop(struct nfs4_session *session)
{
	if (session->v41.fd >= 0)
		close(session->v41.fd);
	session->v41.fd = -1;
}

/* Read exactly @p len bytes before @p deadline (ms, CLOCK_MONOTONIC). */
static int read_full(int fd, char *buf, size_t len, int64_t deadline)
{
	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		if (!pfd.revents)
			continue;
		n = read(fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		buf += n;
		len -= n;
	}
	return 0;
}

/* One whole record (all its fragments) into a malloc'd *@p rec. */
static int read_record(int fd, char **rec, size_t *len, int64_t deadline)
{
	bool last = false;
	char *buf = NULL;
	size_t have = 0;
	int rc = 0;

	while (!last && rc == 0) {
		uint32_t mark;
		size_t frag;
		char *grown;

		rc = read_full(fd, (char *)&mark, sizeof(mark), deadline);
		if (rc < 0)
			break;
		mark = ntohl(mark);
		last = mark & RPC_LAST_FRAGMENT;
		frag = mark & ~RPC_LAST_FRAGMENT;
		if (have + frag > RECORD_MAX ||
		    !(grown = realloc(buf, have + frag + 1))) {
			rc = -EMSGSIZE;
			break;
		}
		buf = grown;
		rc = read_full(fd, buf + have, frag, deadline);
		have += frag;
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*rec = buf;
	*len = have;
	return 0;
}

static int write_record(int fd, char *buf, size_t len)
{
	uint32_t mark = htonl(RPC_LAST_FRAGMENT | (len - 4));

	/* The first 4 bytes of @p buf were kept for the record mark. */
	memcpy(buf, &mark, sizeof(mark));
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* AUTH_SYS as root of "ulm-nfs-client", no supplementary groups. */
static bool put_auth_sys(ZDR *zdr)
{
	char *machine = MACHINE_NAME;
	uint32_t name_len = strlen(machine);
	uint32_t body_len = 4 + 4 + ((name_len + 3) & ~3u) + 4 + 4 + 4;

	return nfs41_put_u32(zdr, RPC_AUTH_SYS) &&
	       nfs41_put_u32(zdr, body_len) &&
	       nfs41_put_u32(zdr, (uint32_t)time(NULL)) &&
	       zdr_string(zdr, &machine, 255) && nfs41_put_u32(zdr, getuid()) &&
	       nfs41_put_u32(zdr, getgid()) && nfs41_put_u32(zdr, 0);
}

static bool put_call_header(ZDR *zdr, uint32_t xid)
{
	return nfs41_put_u32(zdr, 0) /* record mark */ &&
	       nfs41_put_u32(zdr, xid) && nfs41_put_u32(zdr, RPC_CALL) &&
	       nfs41_put_u32(zdr, RPC_VERSION) &&
	       nfs41_put_u32(zdr, NFS4_PROGRAM) && nfs41_put_u32(zdr, NFS_V4) &&
	       nfs41_put_u32(zdr, NFS4_COMPOUND_PROC) && put_auth_sys(zdr) &&
	       nfs41_put_u32(zdr, RPC_AUTH_NONE) && nfs41_put_u32(zdr, 0);
}

/* Skip an opaque_auth (flavour and body). */
static bool skip_auth(ZDR *zdr)
{
	uint32_t flavour, len;

	return zdr_u_int(zdr, &flavour) && zdr_u_int(zdr, &len) &&
	       zdr_setpos(zdr, zdr_getpos(zdr) + ((len + 3) & ~3u));
}

/* A call of the server on the back channel: header, then the service. */
static void serve_call(struct nfs4_session *session, uint32_t xid, ZDR *zdr)
{
	uint32_t rpcvers, prog, vers, proc;

	if (!zdr_u_int(zdr, &rpcvers) || !zdr_u_int(zdr, &prog) ||
	    !zdr_u_int(zdr, &vers) || !zdr_u_int(zdr, &proc) ||
	    !skip_auth(zdr) || !skip_auth(zdr)) {
		fprintf(stderr, "nfs41: undecodable back-channel call\n");
		return;
	}
	nfs41_callback_call(session, xid, proc, zdr);
}

/* The accepted reply's results, or why there are none. */
static int reply_body(ZDR *zdr, nfs41_xdr_fn decode, void *darg)
{
	uint32_t stat, accept;

	if (!zdr_u_int(zdr, &stat))
		return -EIO;
	if (stat != REPLY_MSG_ACCEPTED)
		return -EACCES;
	if (!skip_auth(zdr) || !zdr_u_int(zdr, &accept))
		return -EIO;
	if (accept != ACCEPT_SUCCESS) {
		fprintf(stderr, "nfs41: call not accepted (%u)\n", accept);
		return -EIO;
	}
	return decode(zdr, darg) ? 0 : -EIO;
}

/* Read records until the reply to @p xid (0: none awaited, serve what
 * came and return), serving the calls among them. */
static int receive(struct nfs4_session *session, uint32_t xid,
		   nfs41_xdr_fn decode, void *darg, int64_t deadline)
{
	for (;;) {
		uint32_t rxid, type;
		bool answered = false;
		size_t len;
		char *rec;
		ZDR zdr;
		int rc = read_record(session->v41.fd, &rec, &len, deadline);

		if (rc < 0)
			return rc;
		zdrmem_create(&zdr, rec, len, ZDR_DECODE);
		if (zdr_u_int(&zdr, &rxid) && zdr_u_int(&zdr, &type)) {
			if (type == RPC_CALL)
				serve_call(session, rxid, &zdr);
			else if (xid && rxid == xid) {
				rc = reply_body(&zdr, decode, darg);
				answered = true;
			}
		}
		zdr_destroy(&zdr);
		free(rec);
		if (answered || !xid)
			return rc;
	}
}

/* Different from those of an earlier run of the client, which the
 * server's duplicate request cache may still hold; never 0 (no call). */
static uint32_t next_xid(struct nfs4_session *session)
{
	if (!session->v41.xid)
		session->v41.xid =
			(uint32_t)now_ms() ^ ((uint32_t)getpid() << 16);
	if (!++session->v41.xid)
		++session->v41.xid;
	return session->v41.xid;
}

int nfs41_rpc_call(struct nfs4_session *session, nfs41_xdr_fn encode,
		   void *earg, nfs41_xdr_fn decode, void *darg)
{
	uint32_t xid = next_xid(session);
	char *buf = malloc(CALL_BUFFER_SIZE);
	ZDR zdr;
	int rc = -EMSGSIZE;

	if (!buf)
		return -ENOMEM;
	zdrmem_create(&zdr, buf, CALL_BUFFER_SIZE, ZDR_ENCODE);
	if (put_call_header(&zdr, xid) && encode(&zdr, earg))
		rc = write_record(session->v41.fd, buf, zdr_getpos(&zdr));
	zdr_destroy(&zdr);
	free(buf);
	if (rc == 0)
		rc = receive(session, xid, decode, darg,
			     now_ms() + RPC_WAIT_TIMEOUT_MS);
	if (rc < 0 && rc != -EIO && rc != -EACCES && rc != -EMSGSIZE) {
		fprintf(stderr, "nfs41: %s\n", strerror(-rc));
		nfs41_rpc_drop(session);
	}
	return rc;
}

int nfs41_rpc_serve(struct nfs4_session *session)
{
	/* Called when the socket is readable: a whole record follows. */
	int rc =
		receive(session, 0, NULL, NULL, now_ms() + RPC_WAIT_TIMEOUT_MS);

	if (rc < 0) {
		fprintf(stderr, "nfs41: back channel: %s\n", strerror(-rc));
		nfs41_rpc_drop(session);
	}
	return rc;
}

int nfs41_rpc_reply(struct nfs4_session *session, uint32_t xid,
		    nfs41_xdr_fn encode, void *arg)
{
	char buf[4096];
	ZDR zdr;
	bool ok;
	int rc = -EMSGSIZE;

	zdrmem_create(&zdr, buf, sizeof(buf), ZDR_ENCODE);
	ok = nfs41_put_u32(&zdr, 0) /* record mark */ &&
	     nfs41_put_u32(&zdr, xid) && nfs41_put_u32(&zdr, RPC_REPLY) &&
	     nfs41_put_u32(&zdr, REPLY_MSG_ACCEPTED) &&
	     nfs41_put_u32(&zdr, RPC_AUTH_NONE) && nfs41_put_u32(&zdr, 0) &&
	     nfs41_put_u32(&zdr,
			   encode ? ACCEPT_SUCCESS : ACCEPT_PROC_UNAVAIL) &&
	     (!encode || encode(&zdr, arg));
	if (ok)
		rc = write_record(session->v41.fd, buf, zdr_getpos(&zdr));
	zdr_destroy(&zdr);
	return rc;
}
