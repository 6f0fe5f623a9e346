/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 FREE_STATEID and TEST_STATEID of a delegation: what a client does
 * with one the server revoked (RFC 8881 8.2.3, 18.38, 18.48). */
#include "nfs41_internal.h"

#include <string.h>

/* The file holding a delegation: @p file if it does, else any. */
static struct nfs4_file *deleg_file(struct nfs4_session *session,
				    struct nfs4_file *file)
{
	if (file && file->deleg != NFS4_DELEG_NONE)
		return file;
	for (file = session->files; file; file = file->next)
		if (file->deleg != NFS4_DELEG_NONE)
			return file;
	return NULL;
}

static bool put_stateid(ZDR *zdr, void *arg)
{
	return zdr_stateid4(zdr, arg);
}

int nfs4_free_stateid(struct nfs4_session *session, struct nfs4_file *file)
{
	int status;

	if (!session->minor)
		return NFS4ERR_MINOR_VERS_MISMATCH;
	file = deleg_file(session, file);
	if (!file)
		return NFS4ERR_BAD_STATEID;
	status = nfs41_call_op(session, OP41_FREE_STATEID, put_stateid, NULL,
			       &file->deleg_stateid);
	if (status == NFS4_OK || status == NFS4ERR_BAD_STATEID)
		file->deleg = NFS4_DELEG_NONE;
	return status;
}

struct test_stateid {
	stateid4 *stateid;
	uint32_t code;
};

static bool put_test_stateid(ZDR *zdr, void *arg)
{
	struct test_stateid *test = arg;
	uint32_t one = 1;

	return zdr_u_int(zdr, &one) && zdr_stateid4(zdr, test->stateid);
}

static bool get_test_stateid(ZDR *zdr, void *arg)
{
	struct test_stateid *test = arg;
	uint32_t count;

	return zdr_u_int(zdr, &count) && count == 1 &&
	       zdr_u_int(zdr, &test->code);
}

int nfs4_test_stateid(struct nfs4_session *session, struct nfs4_file *file,
		      int *code)
{
	struct test_stateid test;
	int status;

	if (!session->minor)
		return NFS4ERR_MINOR_VERS_MISMATCH;
	file = deleg_file(session, file);
	if (!file)
		return NFS4ERR_BAD_STATEID;
	test.stateid = &file->deleg_stateid;
	status = nfs41_call_op(session, OP41_TEST_STATEID, put_test_stateid,
			       get_test_stateid, &test);
	*code = test.code;
	return status;
}
