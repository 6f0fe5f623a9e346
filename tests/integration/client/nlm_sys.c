/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NLM SHARE/UNSHARE/FREE_ALL/GRANTED_RES: libnfs XDR over sys_rpc. */
#include "nlm_sys.h"
#include "sys_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define NLM4_GRANTED_RES_PROC 15
#define NLM4_SHARE_PROC	      20
#define NLM4_UNSHARE_PROC     21
#define NLM4_FREE_ALL_PROC    23
#define CALL_MAX_BYTES	      2048

/* nlm4_shareargs and nlm4_shareres (RFC 1813 / XNFS), which libnfs 4.0
 * lacks, built from the pieces it has. */
struct nlm4_shareargs {
	nlm_cookie cookie;
	nlm4_share share;
	bool_t reclaim;
};

struct nlm4_shareres {
	nlm_cookie cookie;
	nlmstat4 stat;
	int32_t sequence;
};

/* nlm4_notify, the argument of FREE_ALL. */
struct nlm4_notify {
	char *name;
	int32_t state;
};

static uint32_t zdr_nlm4_shareargs(ZDR *zdrs, struct nlm4_shareargs *args)
{
	return zdr_nlm_cookie(zdrs, &args->cookie) &&
	       zdr_nlm4_share(zdrs, &args->share) &&
	       zdr_bool(zdrs, &args->reclaim);
}

static uint32_t zdr_nlm4_shareres(ZDR *zdrs, struct nlm4_shareres *res)
{
	return zdr_nlm_cookie(zdrs, &res->cookie) &&
	       zdr_nlmstat4(zdrs, &res->stat) && zdr_int(zdrs, &res->sequence);
}

static uint32_t zdr_nlm4_notify(ZDR *zdrs, struct nlm4_notify *args)
{
	return zdr_string(zdrs, &args->name, NLM_MAXNAME) &&
	       zdr_int(zdrs, &args->state);
}

/* A decoder of the reply, run while the reply's bytes are alive. */
typedef void (*nlm_sys_decode_fn)(ZDR *zdrs, void *result);

/* One call of NLM v4 @p proc: @p args encoded by @p encode; the reply
 * given to @p decode (none for a void result). */
static int call(const char *server, uint32_t proc, zdrproc_t encode, void *args,
		nlm_sys_decode_fn decode, void *result)
{
	char buf[CALL_MAX_BYTES];
	struct sys_rpc *rpc;
	void *reply = NULL;
	size_t reply_len = 0;
	ZDR zdr;
	int rc;

	zdrmem_create(&zdr, buf, sizeof(buf), ZDR_ENCODE);
	if (!encode(&zdr, args)) {
		fprintf(stderr, "nlm: arguments of procedure %u do not fit\n",
			proc);
		return -EMSGSIZE;
	}
	rc = sys_rpc_create(server, NLM_PROGRAM, NLM_V4, &rpc);
	if (rc < 0)
		return rc;
	rc = sys_rpc_call(rpc, proc, buf, zdr_getpos(&zdr), &reply, &reply_len);
	sys_rpc_destroy(rpc);
	if (rc == 0 && decode) {
		zdrmem_create(&zdr, reply, reply_len, ZDR_DECODE);
		decode(&zdr, result);
		/* Frees what the decoder allocated (the cookie). */
		zdr_destroy(&zdr);
	}
	free(reply);
	return rc;
}

/* The share status, or -EBADMSG for an undecodable reply. */
static void decode_shareres(ZDR *zdrs, void *result)
{
	struct nlm4_shareres res = {0};
	int *status = result;

	*status = zdr_nlm4_shareres(zdrs, &res) ? (int)res.stat : -EBADMSG;
}

int nlm_sys_share(const char *server, nlm4_share *share, bool unshare)
{
	static uint64_t cookie;
	struct nlm4_shareargs args = {.share = *share};
	int status = -EIO, rc;

	cookie++;
	args.cookie.data.data_len = sizeof(cookie);
	args.cookie.data.data_val = (char *)&cookie;
	rc = call(server, unshare ? NLM4_UNSHARE_PROC : NLM4_SHARE_PROC,
		  (zdrproc_t)zdr_nlm4_shareargs, &args, decode_shareres,
		  &status);
	return rc < 0 ? rc : status;
}

int nlm_sys_free_all(const char *server, const char *name, int state)
{
	struct nlm4_notify args = {.name = (char *)name, .state = state};

	return call(server, NLM4_FREE_ALL_PROC, (zdrproc_t)zdr_nlm4_notify,
		    &args, NULL, NULL);
}

int nlm_sys_granted_res(const char *server, const nlm_cookie *cookie,
			nlmstat4 status)
{
	/* nlm4_res is { cookie, stat }: libnfs names it NLM4_GRANTEDres. */
	NLM4_GRANTEDres args = {.cookie = *cookie, .status = status};

	return call(server, NLM4_GRANTED_RES_PROC,
		    (zdrproc_t)zdr_NLM4_GRANTEDres, &args, NULL, NULL);
}
