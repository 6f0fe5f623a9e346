/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4 COMPOUNDs over RPCSEC_GSS: libnfs's exported XDR encoders build
 * and parse the COMPOUND, gss_rpc (libtirpc's authgss) carries the bytes.
 */
#include "gss_rpc.h"
#include "nfs4_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define NFS4_PORT	   2049
#define NFSPROC4_COMPOUND  1
#define COMPOUND_MAX_BYTES 8192

static const enum gss_rpc_service gss_levels[] = {
	[NFS4_SEC_KRB5] = GSS_RPC_AUTH,
	[NFS4_SEC_KRB5I] = GSS_RPC_INTEGRITY,
	[NFS4_SEC_KRB5P] = GSS_RPC_PRIVACY,
};

int nfs4_gss_connect(struct nfs4_session *session)
{
	char why[512] = "";
	int rc;

	rc = gss_rpc_create(session->server, NFS4_PORT, NFS4_PROGRAM, NFS_V4,
			    session->sec.service,
			    gss_levels[session->sec.flavour], &session->gss,
			    why, sizeof(why));
	if (rc < 0)
		fprintf(stderr, "nfs4: %s\n", why);
	return rc;
}

void nfs4_gss_drop(struct nfs4_session *session)
{
	gss_rpc_destroy(session->gss);
	session->gss = NULL;
}

static int decode_reply(char *reply, size_t len, nfs4_reply_fn on_reply,
			void *arg, unsigned int *nres)
{
	COMPOUND4res res = {0};
	ZDR zdr;
	int status;

	zdrmem_create(&zdr, reply, len, ZDR_DECODE);
	if (!zdr_COMPOUND4res(&zdr, &res)) {
		fprintf(stderr, "nfs4: undecodable COMPOUND reply\n");
		zdr_destroy(&zdr);
		return -EBADMSG;
	}
	status = res.status;
	*nres = res.resarray.resarray_len;
	if (on_reply)
		on_reply(&res, arg);
	/* Frees everything the decoder allocated. */
	zdr_destroy(&zdr);
	return status;
}

int nfs4_gss_compound(struct nfs4_session *session, COMPOUND4args *args,
		      nfs4_reply_fn on_reply, void *arg, unsigned int *nres)
{
	char call[COMPOUND_MAX_BYTES];
	void *reply;
	size_t reply_len;
	ZDR zdr;
	int rc;

	zdrmem_create(&zdr, call, sizeof(call), ZDR_ENCODE);
	if (!zdr_COMPOUND4args(&zdr, args)) {
		fprintf(stderr, "nfs4: COMPOUND larger than %d bytes\n",
			COMPOUND_MAX_BYTES);
		return -EMSGSIZE;
	}
	rc = gss_rpc_call(session->gss, NFSPROC4_COMPOUND, call,
			  zdr_getpos(&zdr), &reply, &reply_len);
	if (rc < 0)
		return rc;
	rc = decode_reply(reply, reply_len, on_reply, arg, nres);
	free(reply);
	return rc;
}
