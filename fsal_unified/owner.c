// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file owner.c
 * @brief FSAL UNIFIED: translate a Ganesha lock owner into a libulm owner.
 *
 * The identity must be the same after a Ganesha restart, so a reclaim by
 * the same owner matches (and replaces) the record persisted before it.
 */
#include <errno.h>
#include <string.h>

#include "sal_data.h"
#include "ulmfsal.h"

/* Debian's Ganesha is built with RPCSEC_GSS, which changes the layout of
 * the client records we read: config.h must say so too. */
#ifndef _HAVE_GSSAPI
#error "Ganesha's config.h lacks _HAVE_GSSAPI: configure it with USE_GSS=ON"
#endif
#include <rpc/gss_internal.h>

static void put_be32(uint8_t out[4], uint32_t value)
{
	out[0] = value >> 24;
	out[1] = value >> 16;
	out[2] = value >> 8;
	out[3] = value;
}

/* NLM: the client's caller name and the svid (the client's pid). */
static void nlm_owner(struct ulmfsal_owner *owner, const state_owner_t *so)
{
	const state_nlm_owner_t *nlm = &so->so_owner.so_nlm_owner;

	owner->id.protocol = ULM_PROTO_NLM;
	owner->id.client = nlm->so_client->slc_nlm_caller_name;
	owner->id.client_len = nlm->so_client->slc_nlm_caller_name_len;
	put_be32(owner->number, nlm->so_nlm_svid);
	owner->id.owner = owner->number;
	owner->id.owner_len = sizeof(owner->number);
}

/*
 * The Kerberos principal the clientid was established with, a NUL, then
 * the co_ownerid: the record names its principal, and two principals
 * reusing one co_ownerid (possible across nodes, each of which checks only
 * its own clients) stay distinct owners. Ganesha keeps the GSS data of a
 * clientid alive as long as the clientid. The bytes live in a per-thread
 * buffer, valid until the next ulmfsal_owner_init() on this thread, which
 * covers the lock_op2 call that made them. NULL (the co_ownerid alone, as
 * for AUTH_SYS) when the client is not Kerberos or the id would not fit.
 */
static const uint8_t *gss_client_id(const nfs_client_id_t *clientid,
				    const nfs_client_record_t *record,
				    size_t *len)
{
	static __thread uint8_t id[ULM_ID_MAX];
	const nfs_client_cred_t *cred = &clientid->cid_credential;
	const struct svc_rpc_gss_data *gd = cred->auth_union.auth_gss.gd;
	size_t principal_len;

	if (cred->flavor != RPCSEC_GSS || gd == NULL || gd->cname.length == 0)
		return NULL;
	principal_len = gd->cname.length;
	if (principal_len + 1 + record->cr_client_val_len > sizeof(id))
		return NULL;
	memcpy(id, gd->cname.value, principal_len);
	id[principal_len] = '\0';
	memcpy(id + principal_len + 1, record->cr_client_val,
	       record->cr_client_val_len);
	*len = principal_len + 1 + record->cr_client_val_len;
	return id;
}

/* NFSv4: the co_ownerid of the client (after its Kerberos principal, if
 * any) and the lock-owner bytes. */
static void nfs4_owner(struct ulmfsal_owner *owner, const state_owner_t *so)
{
	const nfs_client_id_t *clientid =
		so->so_owner.so_nfs4_owner.so_clientrec;
	const nfs_client_record_t *record = clientid->cid_client_record;

	owner->id.protocol = ULM_PROTO_NFS4;
	owner->id.client =
		gss_client_id(clientid, record, &owner->id.client_len);
	if (owner->id.client == NULL) {
		owner->id.client = record->cr_client_val;
		owner->id.client_len = record->cr_client_val_len;
	}
	owner->id.owner = so->so_owner_val;
	owner->id.owner_len = so->so_owner_len;
}

/* 9P: the client's address and its process id. */
static void p9_owner(struct ulmfsal_owner *owner, const state_owner_t *so)
{
	const state_9p_owner_t *p9 = &so->so_owner.so_9p_owner;

	owner->id.protocol = ULM_PROTO_9P;
	owner->id.client = &p9->client_addr;
	owner->id.client_len = sizeof(p9->client_addr);
	put_be32(owner->number, p9->proc_id);
	owner->id.owner = owner->number;
	owner->id.owner_len = sizeof(owner->number);
}

/**
 * @brief Fill @p owner from a Ganesha state_owner_t.
 *
 * @p owner borrows bytes of @p state_owner: use it while Ganesha holds
 * the owner (the whole lock_op2 call).
 * @return 0, or -EINVAL for an owner that cannot hold byte-range locks
 */
int ulmfsal_owner_init(struct ulmfsal_owner *owner, const void *state_owner,
		       uint32_t node)
{
	const state_owner_t *so = state_owner;

	memset(owner, 0, sizeof(*owner));
	owner->id.kind = ULM_OWNER_LOCK;
	owner->id.node = node;
	switch (so->so_type) {
	case STATE_LOCK_OWNER_NLM:
		if (so->so_owner.so_nlm_owner.so_client == NULL)
			return -EINVAL;
		nlm_owner(owner, so);
		return 0;
	case STATE_LOCK_OWNER_NFSV4:
		if (so->so_owner.so_nfs4_owner.so_clientrec == NULL ||
		    so->so_owner.so_nfs4_owner.so_clientrec
				    ->cid_client_record == NULL)
			return -EINVAL;
		nfs4_owner(owner, so);
		return 0;
	case STATE_LOCK_OWNER_9P:
		p9_owner(owner, so);
		return 0;
	default:
		return -EINVAL;
	}
}
