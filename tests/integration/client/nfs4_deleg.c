/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 delegations: which one a file holds, and DELEGRETURN. */
#include "nfs4_internal.h"

#include <string.h>

enum nfs4_deleg nfs4_file_deleg(const struct nfs4_file *file)
{
	return file->deleg;
}

static int send_delegreturn(struct nfs4_session *session,
			    struct nfs4_file *file)
{
	nfs_argop4 ops[2];
	int status;

	memset(ops, 0, sizeof(ops));
	ops[0].argop = OP_PUTFH;
	ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_len = file->fh_len;
	ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_val = file->fh;
	ops[1].argop = OP_DELEGRETURN;
	ops[1].nfs_argop4_u.opdelegreturn.deleg_stateid = file->deleg_stateid;
	status = nfs4_compound(session, ops, 2, NULL, NULL, NULL);
	/* A stateid the server no longer knows is gone either way. */
	if (status == NFS4_OK || status == NFS4ERR_BAD_STATEID ||
	    nfs4_server_forgot_us(status))
		file->deleg = NFS4_DELEG_NONE;
	return status;
}

int nfs4_delegreturn(struct nfs4_session *session, struct nfs4_file *file)
{
	if (!file || file->deleg == NFS4_DELEG_NONE)
		for (file = session->files; file; file = file->next)
			if (file->deleg != NFS4_DELEG_NONE)
				break;
	if (!file)
		return NFS4ERR_BAD_STATEID;
	return send_delegreturn(session, file);
}

int nfs4_delegreturn_other(struct nfs4_session *session, const char *other)
{
	struct nfs4_file *file;

	for (file = session->files; file; file = file->next)
		if (file->deleg != NFS4_DELEG_NONE &&
		    memcmp(file->deleg_stateid.other, other,
			   NFS4_STATEID_OTHER_SIZE) == 0)
			return send_delegreturn(session, file);
	return NFS4ERR_BAD_STATEID;
}
