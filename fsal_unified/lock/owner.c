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

#include "hashtable.h"
#include "nfs_core.h"
#include "nfs_proto_data.h"
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

/* NLM: the client's caller name, and the svid (the client's pid) of a
 * lock or the owner handle of an NLM_SHARE, which has no svid (Ganesha
 * gives it 0): two share owners of one client stay distinct. */
static void nlm_owner(struct ulmfsal_owner *owner, const state_owner_t *so,
		      enum ulm_owner_kind kind)
{
	const state_nlm_owner_t *nlm = &so->so_owner.so_nlm_owner;

	owner->id.protocol = ULM_PROTO_NLM;
	owner->id.client = nlm->so_client->slc_nlm_caller_name;
	owner->id.client_len = nlm->so_client->slc_nlm_caller_name_len;
	if (kind == ULM_OWNER_OPEN) {
		owner->id.owner = so->so_owner_val;
		owner->id.owner_len = so->so_owner_len;
		return;
	}
	put_be32(owner->number, nlm->so_nlm_svid);
	owner->id.owner = owner->number;
	owner->id.owner_len = sizeof(owner->number);
}

/*
 * The client's bytes: the Kerberos principal the clientid was established
 * with, a NUL, then the co_ownerid, so the record names its principal and
 * two principals reusing one co_ownerid (possible across nodes, each of
 * which checks only its own clients) stay distinct owners; the co_ownerid
 * alone for AUTH_SYS, or when the two would not fit. Copied into @p owner:
 * Ganesha keeps the GSS data as long as the clientid, but an NFSv4.0 OPEN
 * reads the record under a latch only.
 */
static void nfs4_owner_client(struct ulmfsal_owner *owner,
			      const nfs_client_id_t *clientid)
{
	const nfs_client_record_t *record = clientid->cid_client_record;
	const nfs_client_cred_t *cred = &clientid->cid_credential;
	const struct svc_rpc_gss_data *gd =
		cred->flavor == RPCSEC_GSS ? cred->auth_union.auth_gss.gd
					   : NULL;
	size_t principal = gd != NULL ? gd->cname.length : 0;
	uint8_t *p = owner->client_buf;

	if (principal == 0 || principal + 1 + record->cr_client_val_len >
				      sizeof(owner->client_buf))
		principal = 0;
	if (principal) {
		memcpy(p, gd->cname.value, principal);
		p[principal++] = '\0';
	}
	memcpy(p + principal, record->cr_client_val, record->cr_client_val_len);
	owner->clientid = clientid->cid_clientid;
	owner->id.protocol = ULM_PROTO_NFS4;
	owner->id.client = owner->client_buf;
	owner->id.client_len = principal + record->cr_client_val_len;
}

/* NFSv4: the client and the lock- or open-owner bytes. */
static void nfs4_owner(struct ulmfsal_owner *owner, const state_owner_t *so)
{
	nfs4_owner_client(owner, so->so_owner.so_nfs4_owner.so_clientrec);
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

static bool nfs4_owner_valid(const state_owner_t *so)
{
	const nfs_client_id_t *clientid =
		so->so_owner.so_nfs4_owner.so_clientrec;

	return clientid != NULL && clientid->cid_client_record != NULL;
}

/**
 * @brief Fill @p owner from a Ganesha state_owner_t.
 *
 * NFSv4 owners are lock-owners or open-owners by their type; an NLM owner
 * is @p kind (ULM_OWNER_LOCK for locks, ULM_OWNER_OPEN for NLM_SHARE).
 * ULM_OWNER_CLIENT names the owner's whole client (delegations): no owner
 * bytes. @p owner borrows bytes of @p state_owner: use it while Ganesha
 * holds the owner.
 * @return 0, or -EINVAL for an owner that cannot hold this state
 */
int ulmfsal_owner_init(struct ulmfsal_owner *owner, const void *state_owner,
		       uint32_t node, enum ulm_owner_kind kind)
{
	const state_owner_t *so = state_owner;
	int rc = -EINVAL;

	memset(owner, 0, sizeof(*owner));
	owner->id.kind = kind;
	owner->id.node = node;
	switch (so->so_type) {
	case STATE_LOCK_OWNER_NLM:
		if (so->so_owner.so_nlm_owner.so_client == NULL ||
		    kind == ULM_OWNER_CLIENT)
			return -EINVAL;
		nlm_owner(owner, so, kind);
		return 0;
	case STATE_LOCK_OWNER_NFSV4:
	case STATE_OPEN_OWNER_NFSV4:
	case STATE_CLIENTID_OWNER_NFSV4: /* delegations: the client itself */
		if (!nfs4_owner_valid(so))
			return -EINVAL;
		nfs4_owner(owner, so);
		rc = 0;
		break;
	case STATE_LOCK_OWNER_9P:
		if (kind != ULM_OWNER_LOCK)
			return -EINVAL;
		p9_owner(owner, so);
		return 0;
	default:
		return -EINVAL;
	}
	if (kind == ULM_OWNER_CLIENT) {
		owner->id.owner = NULL;
		owner->id.owner_len = 0;
	} else {
		owner->id.kind = so->so_type == STATE_OPEN_OWNER_NFSV4
					 ? ULM_OWNER_OPEN
					 : ULM_OWNER_LOCK;
	}
	return rc;
}

/* NFSv4.0 names the client by clientid in OPEN: its record, briefly
 * latched in Ganesha's table of confirmed clients, gives the co_ownerid. */
static int client_bytes_by_id(struct ulmfsal_owner *owner, clientid4 id)
{
	struct gsh_buffdesc key = {.addr = &id, .len = sizeof(id)}, val;
	const nfs_client_id_t *clientid;
	struct hash_latch latch;
	hash_error_t found = hashtable_getlatch(ht_confirmed_client_id, &key,
						&val, false, &latch);
	int rc = -EINVAL;

	/* Found or not, the partition stays locked until released. */
	if (found == HASHTABLE_ERROR_NO_SUCH_KEY)
		hashtable_releaselatched(ht_confirmed_client_id, &latch);
	if (found != HASHTABLE_SUCCESS)
		return rc;
	clientid = val.addr;
	if (clientid->cid_client_record != NULL &&
	    (size_t)clientid->cid_client_record->cr_client_val_len <=
		    sizeof(owner->client_buf)) {
		nfs4_owner_client(owner, clientid);
		rc = 0;
	}
	hashtable_releaselatched(ht_confirmed_client_id, &latch);
	return rc;
}

/**
 * @brief The open-owner of the NFSv4 OPEN being processed.
 *
 * Ganesha 4.3 attaches the open-owner to a new open state only after
 * open2 returns; the OPEN's arguments name it (client and owner bytes),
 * the same identity the state's owner gives later calls.
 * @return 0, or -EINVAL outside an NFSv4 OPEN
 */
int ulmfsal_open_owner_from_request(struct ulmfsal_owner *owner, uint32_t node)
{
	const compound_data_t *data = NULL;
	const nfs_argop4 *op = ulmfsal_nfs4_op(NFS4_OP_OPEN, &data);
	const OPEN4args *open;

	memset(owner, 0, sizeof(*owner));
	if (op == NULL)
		return -EINVAL;
	open = &op->nfs_argop4_u.opopen;
	owner->id.protocol = ULM_PROTO_NFS4;
	owner->id.kind = ULM_OWNER_OPEN;
	owner->id.node = node;
	owner->id.owner = open->owner.owner.owner_val;
	owner->id.owner_len = open->owner.owner.owner_len;
	if (data->minorversion == 0)
		return client_bytes_by_id(owner, open->owner.clientid);
	if (data->session == NULL || data->session->clientid_record == NULL ||
	    data->session->clientid_record->cid_client_record == NULL)
		return -EINVAL;
	nfs4_owner_client(owner, data->session->clientid_record);
	return 0;
}
