/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Names of what NFSv4.1 adds and libnfs 4.0 cannot name: errors and
 * SEQUENCE status flags. */
#include "nfs41_internal.h"

const char *nfs4_seqflag_name(unsigned int bit)
{
	static const char *const names[] = {
		"CB_PATH_DOWN",
		"CB_GSS_CONTEXTS_EXPIRING",
		"CB_GSS_CONTEXTS_EXPIRED",
		"EXPIRED_ALL_STATE_REVOKED",
		"EXPIRED_SOME_STATE_REVOKED",
		"ADMIN_STATE_REVOKED",
		"RECALLABLE_STATE_REVOKED",
		"LEASE_MOVED",
		"RESTART_RECLAIM_NEEDED",
		"CB_PATH_DOWN_SESSION",
		"BACKCHANNEL_FAULT",
		"DEVID_CHANGED",
		"DEVID_DELETED",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

const char *nfs41_status_name(int status)
{
	static const struct {
		int status;
		const char *name;
	} names[] = {
		{10052, "NFS4ERR_BADSESSION"},
		{10053, "NFS4ERR_BADSLOT"},
		{10054, "NFS4ERR_COMPLETE_ALREADY"},
		{10055, "NFS4ERR_CONN_NOT_BOUND_TO_SESSION"},
		{10056, "NFS4ERR_DELEG_ALREADY_WANTED"},
		{10057, "NFS4ERR_BACK_CHAN_BUSY"},
		{10063, "NFS4ERR_SEQ_MISORDERED"},
		{10064, "NFS4ERR_SEQUENCE_POS"},
		{10065, "NFS4ERR_REQ_TOO_BIG"},
		{10066, "NFS4ERR_REP_TOO_BIG"},
		{10067, "NFS4ERR_REP_TOO_BIG_TO_CACHE"},
		{10068, "NFS4ERR_RETRY_UNCACHED_REP"},
		{10071, "NFS4ERR_OP_NOT_IN_SESSION"},
		{10074, "NFS4ERR_CLIENTID_BUSY"},
		{10077, "NFS4ERR_BAD_HIGH_SLOT"},
		{10078, "NFS4ERR_DEADSESSION"},
		{10081, "NFS4ERR_NOT_ONLY_OP"},
		{10082, "NFS4ERR_WRONG_CRED"},
		{10085, "NFS4ERR_REJECT_DELEG"},
		{10086, "NFS4ERR_RETURNCONFLICT"},
		{10087, "NFS4ERR_DELEG_REVOKED"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return NULL;
}
