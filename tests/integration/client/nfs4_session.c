/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4 session: connection, clientid, lease, and COMPOUND transport
 * (NFSv4.1's in nfs41_*.c). */
#include "nfs41_internal.h"
#include "rpc_wait.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NFS4_PORT 2049
#define UADDR_MAX 64 /* "a.b.c.d.p1.p2" */

struct compound_wait {
	bool done;
	int status;
	unsigned int nres;
	nfs4_reply_fn on_reply;
	void *arg;
};

static void compound_cb(struct rpc_context *rpc, int status, void *data,
			void *private_data)
{
	struct compound_wait *wait = private_data;
	const COMPOUND4res *res = data;

	(void)rpc;
	wait->done = true;
	if (status != RPC_STATUS_SUCCESS) {
		fprintf(stderr, "nfs4: %s\n",
			status == RPC_STATUS_ERROR ? (const char *)data
						   : "cancelled");
		wait->status = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
		return;
	}
	wait->status = res->status;
	wait->nres = res->resarray.resarray_len;
	if (wait->on_reply)
		wait->on_reply(res, wait->arg);
}

static bool connected(const struct nfs4_session *session)
{
	return session->rpc || session->gss || session->v41.fd >= 0;
}

static void drop_connection(struct nfs4_session *session)
{
	nfs41_rpc_drop(session);
	if (session->gss)
		nfs4_gss_drop(session);
	if (session->rpc)
		rpc_destroy_context(session->rpc);
	session->rpc = NULL;
}

static int libnfs_compound(struct nfs4_session *session, COMPOUND4args *args,
			   nfs4_reply_fn on_reply, void *arg,
			   unsigned int *nres)
{
	struct compound_wait wait = {
		.status = -EIO, .on_reply = on_reply, .arg = arg};
	int rc;

	if (rpc_nfs4_compound_async(session->rpc, compound_cb, args, &wait)) {
		fprintf(stderr, "nfs4: %s\n", rpc_get_error(session->rpc));
		return -EIO;
	}
	rc = rpc_wait_done(session->rpc, &wait.done);
	if (rc < 0)
		return rc;
	*nres = wait.nres;
	return wait.status;
}

static int compound_send(struct nfs4_session *session, nfs_argop4 *ops,
			 unsigned int nops, nfs4_reply_fn on_reply, void *arg,
			 unsigned int *nres)
{
	COMPOUND4args args = {.minorversion = 0};
	unsigned int count = 0;
	int status;

	args.argarray.argarray_len = nops;
	args.argarray.argarray_val = ops;
	if (session->minor)
		status = nfs41_compound(session, &args, on_reply, arg, &count);
	else if (session->gss)
		status = nfs4_gss_compound(session, &args, on_reply, arg,
					   &count);
	else
		status = libnfs_compound(session, &args, on_reply, arg, &count);
	if (status < 0) {
		drop_connection(session);
		return status;
	}
	if (nres)
		*nres = count;
	return status;
}

struct setclientid_reply {
	clientid4 clientid;
	verifier4 confirm;
};

static void setclientid_parse(const COMPOUND4res *res, void *arg)
{
	struct setclientid_reply *reply = arg;
	const SETCLIENTID4resok *ok;
	nfs_resop4 op;

	if (res->status != NFS4_OK || !nfs4_result(res, 0, &op))
		return;
	ok = &op.nfs_resop4_u.opsetclientid.SETCLIENTID4res_u.resok4;
	reply->clientid = ok->clientid;
	memcpy(reply->confirm, ok->setclientid_confirm, NFS4_VERIFIER_SIZE);
}

/* The callback's universal address: our end of the connection to the
 * server (an address the server can reach), port callback_port. */
static int callback_uaddr(struct nfs4_session *session, char *uaddr,
			  size_t size)
{
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	char host[INET_ADDRSTRLEN];
	int port = session->callback_port;

	if (!port ||
	    getsockname(rpc_get_fd(session->rpc), (struct sockaddr *)&local,
			&len) < 0 ||
	    local.sin_family != AF_INET ||
	    !inet_ntop(AF_INET, &local.sin_addr, host, sizeof(host)))
		return -1;
	snprintf(uaddr, size, "%s.%d.%d", host, port >> 8, port & 0xff);
	return 0;
}

/* SETCLIENTID + SETCLIENTID_CONFIRM; a new clientid starts a new epoch. */
static int establish_clientid(struct nfs4_session *session)
{
	struct setclientid_reply reply = {0};
	nfs_argop4 op = {.argop = OP_SETCLIENTID};
	SETCLIENTID4args *set = &op.nfs_argop4_u.opsetclientid;
	SETCLIENTID_CONFIRM4args *confirm;
	char uaddr[UADDR_MAX];
	int status;

	memcpy(set->client.verifier, session->verifier, NFS4_VERIFIER_SIZE);
	set->client.id.id_len = strlen(session->name);
	set->client.id.id_val = session->name;
	/* Without a callback service the server grants no delegations. */
	set->callback.cb_program = NFS4_CALLBACK;
	set->callback.cb_location.r_netid = "tcp";
	set->callback.cb_location.r_addr = uaddr;
	if (callback_uaddr(session, uaddr, sizeof(uaddr)) < 0)
		strcpy(uaddr, "0.0.0.0.0.0");
	status =
		compound_send(session, &op, 1, setclientid_parse, &reply, NULL);
	if (status != NFS4_OK)
		return status;

	op.argop = OP_SETCLIENTID_CONFIRM;
	confirm = &op.nfs_argop4_u.opsetclientid_confirm;
	confirm->clientid = reply.clientid;
	memcpy(confirm->setclientid_confirm, reply.confirm, NFS4_VERIFIER_SIZE);
	status = compound_send(session, &op, 1, NULL, NULL, NULL);
	if (status != NFS4_OK)
		return status;
	session->clientid = reply.clientid;
	session->have_clientid = true;
	session->epoch++;
	return NFS4_OK;
}

static int connect_session(struct nfs4_session *session)
{
	int rc;

	if (session->minor)
		return nfs41_rpc_connect(session);
	if (session->sec.flavour != NFS4_SEC_SYS)
		return nfs4_gss_connect(session);
	session->rpc = rpc_init_context();
	if (!session->rpc)
		return -ENOMEM;
	rc = rpc_wait_connect(session->rpc, session->server, NFS4_PORT,
			      NFS4_PROGRAM, NFS_V4);
	if (rc < 0)
		drop_connection(session);
	return rc;
}

/* The server keeps a clientid across connections: ask for a new one only
 * when it said it forgot ours. */
int nfs4_session_recover(struct nfs4_session *session)
{
	bool new_connection = !connected(session);
	int status = NFS4_OK;

	if (new_connection)
		status = connect_session(session);
	if (status == NFS4_OK && session->minor)
		return nfs41_establish(session, new_connection);
	if (status == NFS4_OK && !session->have_clientid)
		status = establish_clientid(session);
	return status;
}

bool nfs4_server_forgot_us(int status)
{
	/* A stale stateid is from before a server restart: the clientid
	 * went with it. */
	return status == NFS4ERR_STALE_CLIENTID ||
	       status == NFS4ERR_STALE_STATEID || status == NFS4ERR_EXPIRED ||
	       nfs41_session_lost(status);
}

int nfs4_compound(struct nfs4_session *session, nfs_argop4 *ops,
		  unsigned int nops, nfs4_reply_fn on_reply, void *arg,
		  unsigned int *nres)
{
	int status = nfs4_session_recover(session);

	if (status != NFS4_OK)
		return status;
	status = compound_send(session, ops, nops, on_reply, arg, nres);
	if (status < 0) {
		/* Resend once on a new connection: a dead connection is often
		 * only noticed when sending, and an op the server did run is
		 * answered from its seqid replay cache, not run twice. */
		status = nfs4_session_recover(session);
		if (status == NFS4_OK)
			status = compound_send(session, ops, nops, on_reply,
					       arg, nres);
	}
	if (nfs4_server_forgot_us(status))
		session->have_clientid = false;
	return status;
}

bool nfs4_result(const COMPOUND4res *res, unsigned int index, nfs_resop4 *op)
{
	if (index >= res->resarray.resarray_len)
		return false;
	memcpy(op,
	       (const char *)res->resarray.resarray_val + index * sizeof(*op),
	       sizeof(*op));
	return true;
}

bool nfs4_seqid_advanced(int status, unsigned int nres, unsigned int op_index)
{
	/* An op the server never reached consumed nothing. */
	if (status < 0 || nres <= op_index)
		return false;
	/* RFC 7530 9.1.7: these errors leave the seqid unchanged. */
	switch (status) {
	case NFS4ERR_STALE_CLIENTID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_BAD_SEQID:
	case NFS4ERR_BADZDR:
	case NFS4ERR_RESOURCE:
	case NFS4ERR_NOFILEHANDLE:
	case NFS4ERR_MOVED:
		return false;
	default:
		return true;
	}
}

static void make_verifier(verifier4 verifier)
{
	struct timespec ts;
	uint32_t words[2];

	clock_gettime(CLOCK_REALTIME, &ts);
	words[0] = (uint32_t)getpid();
	words[1] = (uint32_t)(ts.tv_sec ^ ts.tv_nsec);
	memcpy(verifier, words, NFS4_VERIFIER_SIZE);
}

int nfs4_session_create(const char *server, const char *export,
			const char *client_name, struct nfs4_session **session)
{
	const struct nfs4_security sys = {.flavour = NFS4_SEC_SYS};

	return nfs4_session_create_sec(server, export, client_name, &sys, 0, 0,
				       session);
}

int nfs4_session_create_sec(const char *server, const char *export,
			    const char *client_name,
			    const struct nfs4_security *sec, unsigned int minor,
			    int callback_port, struct nfs4_session **session)
{
	struct nfs4_session *s;
	int status;

	if (minor > 1 || (minor && sec->flavour != NFS4_SEC_SYS))
		return -EPROTONOSUPPORT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->minor = minor;
	s->v41.fd = -1;
	s->v41.back_channel = callback_port != 0;
	s->callback_port = callback_port;
	s->server = strdup(server);
	s->export = strdup(export);
	s->name = strdup(client_name);
	s->sec.flavour = sec->flavour;
	s->sec.service = sec->service ? strdup(sec->service) : NULL;
	s->open_owner = nfs4_owner_get(&s->open_owners, NFS4_OPEN_OWNER);
	if (!s->server || !s->export || !s->name || !s->open_owner ||
	    (sec->service && !s->sec.service)) {
		nfs4_session_destroy(s);
		return -ENOMEM;
	}
	make_verifier(s->verifier);
	status = nfs4_session_recover(s);
	if (status != NFS4_OK) {
		nfs4_session_destroy(s);
		return status;
	}
	*session = s;
	return NFS4_OK;
}

int nfs4_session_renew(struct nfs4_session *session)
{
	nfs_argop4 op = {.argop = OP_RENEW};
	int status;

	status = nfs4_session_recover(session);
	if (status != NFS4_OK)
		return status;
	op.nfs_argop4_u.oprenew.clientid = session->clientid;
	/* NFSv4.1: the SEQUENCE every compound starts with renews. */
	status = nfs4_compound(session, &op, session->minor ? 0 : 1, NULL, NULL,
			       NULL);
	if (nfs4_server_forgot_us(status)) {
		fprintf(stderr, "nfs4: lease lost (%s), new clientid\n",
			nfs4_status_name(status));
		status = nfs4_session_recover(session);
	}
	return status;
}

void nfs4_session_release(struct nfs4_session *session)
{
	if (session->minor)
		nfs41_release(session);
}

unsigned int nfs4_session_minor(const struct nfs4_session *session)
{
	return session->minor;
}

int nfs4_session_fd(const struct nfs4_session *session)
{
	return session->v41.fd;
}

int nfs4_session_service(struct nfs4_session *session)
{
	return session->v41.fd >= 0 ? nfs41_rpc_serve(session) : 0;
}

void nfs4_session_destroy(struct nfs4_session *session)
{
	while (session->files) {
		struct nfs4_file *next = session->files->next;

		nfs4_file_free(session->files);
		session->files = next;
	}
	nfs4_owners_free(&session->owners);
	nfs4_owners_free(&session->open_owners);
	drop_connection(session);
	free((char *)session->sec.service);
	free(session->server);
	free(session->export);
	free(session->name);
	free(session);
}

const char *nfs4_status_name(int status)
{
	static __thread char unknown[32];
	const char *name;

	if (status == -ETIMEDOUT)
		return "RPC_TIMEOUT";
	if (status == -EACCES)
		return "RPC_AUTHERROR";
	if (status < 0)
		return "RPC_ERROR";
	name = nfs41_status_name(status);
	if (name)
		return name;
	name = nfsstat4_to_str(status);
	if (strncmp(name, "NFS4", 4) == 0)
		return name;
	/* Keep the answer one token, as the command protocol needs. */
	snprintf(unknown, sizeof(unknown), "NFS4ERR_%d", status);
	return unknown;
}
