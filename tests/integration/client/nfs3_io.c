/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Raw NFSv3 I/O for the tests: what the server answers, unretried. */
#include "nfs3_io.h"
#include "nlm_client.h"
#include "rpc_wait.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>

/* One call in flight: its status, and where a reply's payload goes. */
struct v3_call {
	bool done;
	int status; /* nfsstat3, or -EIO if the RPC failed */
	char *buf;  /* READ: the caller's buffer */
	uint32_t cap;
	uint32_t got;
	uint64_t size; /* GETATTR */
};

static struct v3_call *call_done(int rpc_status, void *data, void *private)
{
	struct v3_call *call = private;

	call->done = true;
	call->status = rpc_status == RPC_STATUS_SUCCESS && data ? 0 : -EIO;
	return call->status ? NULL : call;
}

static void write_cb(struct rpc_context *rpc, int status, void *data,
		     void *private)
{
	struct v3_call *call = call_done(status, data, private);

	(void)rpc;
	if (call)
		call->status = ((WRITE3res *)data)->status;
}

static void read_cb(struct rpc_context *rpc, int status, void *data,
		    void *private)
{
	struct v3_call *call = call_done(status, data, private);
	READ3res *res = data;

	(void)rpc;
	if (!call)
		return;
	call->status = res->status;
	if (res->status != NFS3_OK)
		return;
	call->got = res->READ3res_u.resok.data.data_len;
	if (call->got > call->cap)
		call->got = call->cap;
	memcpy(call->buf, res->READ3res_u.resok.data.data_val, call->got);
}

static void setattr_cb(struct rpc_context *rpc, int status, void *data,
		       void *private)
{
	struct v3_call *call = call_done(status, data, private);

	(void)rpc;
	if (call)
		call->status = ((SETATTR3res *)data)->status;
}

static void getattr_cb(struct rpc_context *rpc, int status, void *data,
		       void *private)
{
	struct v3_call *call = call_done(status, data, private);
	GETATTR3res *res = data;

	(void)rpc;
	if (!call)
		return;
	call->status = res->status;
	if (res->status == NFS3_OK)
		call->size = res->GETATTR3res_u.resok.obj_attributes.size;
}

/* Wait for a call that @p queued (0) or failed to queue. */
static int v3_wait(struct rpc_context *rpc, int queued,
		   const struct v3_call *call)
{
	int rc = queued;

	if (rc == 0)
		rc = rpc_wait_done(rpc, &call->done);
	else
		fprintf(stderr, "nfs3: %s\n", rpc_get_error(rpc));
	return rc < 0 ? rc : call->status;
}

int nfs3_io_write(struct nlm_client *client, const char *path, uint64_t offset,
		  const char *data, uint32_t len)
{
	struct v3_call call = {0};
	struct rpc_context *rpc;
	WRITE3args args;
	int rc;

	memset(&args, 0, sizeof(args));
	rc = nlm_client_v3_file(client, path, &args.file, &rpc);
	if (rc)
		return rc;
	args.offset = offset;
	args.count = len;
	args.stable = FILE_SYNC;
	args.data.data_len = len;
	args.data.data_val = (char *)data;
	return v3_wait(rpc, rpc_nfs3_write_async(rpc, write_cb, &args, &call),
		       &call);
}

int nfs3_io_read(struct nlm_client *client, const char *path, uint64_t offset,
		 char *buf, uint32_t cap, uint32_t *got)
{
	struct v3_call call = {.buf = buf, .cap = cap};
	struct rpc_context *rpc;
	READ3args args;
	int rc;

	memset(&args, 0, sizeof(args));
	rc = nlm_client_v3_file(client, path, &args.file, &rpc);
	if (rc)
		return rc;
	args.offset = offset;
	args.count = cap;
	rc = v3_wait(rpc, rpc_nfs3_read_async(rpc, read_cb, &args, &call),
		     &call);
	*got = call.got;
	return rc;
}

int nfs3_io_truncate(struct nlm_client *client, const char *path, uint64_t size)
{
	struct v3_call call = {0};
	struct rpc_context *rpc;
	SETATTR3args args;
	int rc;

	memset(&args, 0, sizeof(args));
	rc = nlm_client_v3_file(client, path, &args.object, &rpc);
	if (rc)
		return rc;
	args.new_attributes.size.set_it = 1;
	args.new_attributes.size.set_size3_u.size = size;
	return v3_wait(rpc,
		       rpc_nfs3_setattr_async(rpc, setattr_cb, &args, &call),
		       &call);
}

int nfs3_io_size(struct nlm_client *client, const char *path, uint64_t *size)
{
	struct v3_call call = {0};
	struct rpc_context *rpc;
	GETATTR3args args;
	int rc;

	memset(&args, 0, sizeof(args));
	rc = nlm_client_v3_file(client, path, &args.object, &rpc);
	if (rc)
		return rc;
	rc = v3_wait(rpc, rpc_nfs3_getattr_async(rpc, getattr_cb, &args, &call),
		     &call);
	*size = call.size;
	return rc;
}

const char *nfs3_status_name(int status)
{
	static const struct {
		int status;
		const char *name;
	} names[] = {
		{NFS3_OK, "NFS3_OK"},
		{NFS3ERR_PERM, "NFS3ERR_PERM"},
		{NFS3ERR_NOENT, "NFS3ERR_NOENT"},
		{NFS3ERR_IO, "NFS3ERR_IO"},
		{NFS3ERR_ACCES, "NFS3ERR_ACCES"},
		{NFS3ERR_INVAL, "NFS3ERR_INVAL"},
		{NFS3ERR_FBIG, "NFS3ERR_FBIG"},
		{NFS3ERR_ROFS, "NFS3ERR_ROFS"},
		{NFS3ERR_STALE, "NFS3ERR_STALE"},
		{NFS3ERR_BADHANDLE, "NFS3ERR_BADHANDLE"},
		{NFS3ERR_NOTSUPP, "NFS3ERR_NOTSUPP"},
		{NFS3ERR_SERVERFAULT, "NFS3ERR_SERVERFAULT"},
		{NFS3ERR_JUKEBOX, "NFS3ERR_JUKEBOX"},
		{-ETIMEDOUT, "RPC_TIMEOUT"},
		{-ENOENT, "NFS3_LOOKUP_FAILED"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == status)
			return names[i].name;
	return status < 0 ? "RPC_ERROR" : "NFS3ERR_OTHER";
}
