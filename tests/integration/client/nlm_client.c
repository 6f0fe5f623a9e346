/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NLM v4 TEST/LOCK/CANCEL/UNLOCK over libnfs raw calls; SHARE/UNSHARE
 * through nlm_sys. */
#include "nlm_client.h"
#include "nlm_sys.h"
#include "rpc_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs.h>
#include <nfsc/libnfs-raw-nlm.h>

#define CREATE_MODE 0644
/* Our result for "no NFSv3 handle for this path". */
#define NLM_ERR_LOOKUP (-ENOENT)
/* Room for an owner handle "SVID@CALLER". */
#define OH_MAX (NLM_MAXNAME + 16)

/* libnfs 4.0 declares struct nfs_fh but keeps its layout private; this is
 * that layout (libnfs-private.h), needed to hand the handle to NLM. */
struct libnfs_fh_layout {
	int len;
	char *val;
};

struct nlm_file {
	char *path;
	struct nfsfh *nfsfh;
	struct nlm_file *next;
};

struct nlm_client {
	char *server;
	char *export;
	char *caller_name;
	struct rpc_context *rpc;  /* NLM connection, NULL until needed */
	struct nfs_context *nfs3; /* v3 mount for handles, NULL until needed */
	struct nlm_file *files;
	uint64_t cookie;
};

struct nlm_client *nlm_client_create(const char *server, const char *export,
				     const char *caller_name)
{
	struct nlm_client *client = calloc(1, sizeof(*client));

	if (!client)
		return NULL;
	client->server = strdup(server);
	client->export = strdup(export);
	client->caller_name = strdup(caller_name);
	if (!client->server || !client->export || !client->caller_name) {
		nlm_client_destroy(client);
		return NULL;
	}
	return client;
}

void nlm_client_destroy(struct nlm_client *client)
{
	while (client->files) {
		struct nlm_file *next = client->files->next;

		nfs_close(client->nfs3, client->files->nfsfh);
		free(client->files->path);
		free(client->files);
		client->files = next;
	}
	if (client->nfs3)
		nfs_destroy_context(client->nfs3);
	if (client->rpc)
		rpc_destroy_context(client->rpc);
	free(client->server);
	free(client->export);
	free(client->caller_name);
	free(client);
}

static int mount_v3(struct nlm_client *client)
{
	client->nfs3 = nfs_init_context();
	if (!client->nfs3)
		return -ENOMEM;
	nfs_set_version(client->nfs3, NFS_V3);
	if (nfs_mount(client->nfs3, client->server, client->export) == 0)
		return 0;
	fprintf(stderr, "nlm: v3 mount: %s\n", nfs_get_error(client->nfs3));
	nfs_destroy_context(client->nfs3);
	client->nfs3 = NULL;
	return NLM_ERR_LOOKUP;
}

/* The NFSv3 handle of @p path, created if missing, cached per path. */
static int lookup_fh(struct nlm_client *client, const char *path,
		     struct nlm_fh4 *fh)
{
	struct nlm_file *file;
	const struct libnfs_fh_layout *handle;
	char abspath[4096];
	int rc;

	for (file = client->files; file; file = file->next)
		if (strcmp(file->path, path) == 0)
			goto found;
	if (!client->nfs3 && (rc = mount_v3(client)) < 0)
		return rc;
	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	snprintf(abspath, sizeof(abspath), "/%s", path);
	if (nfs_open2(client->nfs3, abspath, O_RDWR | O_CREAT, CREATE_MODE,
		      &file->nfsfh) < 0) {
		fprintf(stderr, "nlm: open %s: %s\n", path,
			nfs_get_error(client->nfs3));
		free(file);
		return NLM_ERR_LOOKUP;
	}
	file->path = strdup(path);
	if (!file->path) {
		nfs_close(client->nfs3, file->nfsfh);
		free(file);
		return -ENOMEM;
	}
	file->next = client->files;
	client->files = file;
found:
	handle = (const struct libnfs_fh_layout *)nfs_get_fh(file->nfsfh);
	fh->data.data_len = handle->len;
	fh->data.data_val = handle->val;
	return 0;
}

/* Drop @p path's cached handle (the file is gone). */
static void forget_file(struct nlm_client *client, const char *path)
{
	struct nlm_file **at = &client->files, *file;

	while (*at && strcmp((*at)->path, path) != 0)
		at = &(*at)->next;
	file = *at;
	if (!file)
		return;
	*at = file->next;
	nfs_close(client->nfs3, file->nfsfh);
	free(file->path);
	free(file);
}

int nlm_client_v3_remove(struct nlm_client *client, const char *path)
{
	char abspath[4096];
	int rc = client->nfs3 ? 0 : mount_v3(client);

	if (rc < 0)
		return rc;
	snprintf(abspath, sizeof(abspath), "/%s", path);
	rc = nfs_unlink(client->nfs3, abspath);
	if (rc == 0)
		forget_file(client, path);
	return rc;
}

int nlm_client_v3_file(struct nlm_client *client, const char *path,
		       struct nfs_fh3 *fh, struct rpc_context **rpc)
{
	struct nlm_fh4 handle;
	int rc = lookup_fh(client, path, &handle);

	if (rc)
		return rc;
	fh->data.data_len = handle.data.data_len;
	fh->data.data_val = handle.data.data_val;
	*rpc = nfs_get_rpc_context(client->nfs3);
	return 0;
}

static int ensure_connected(struct nlm_client *client)
{
	int rc;

	if (client->rpc)
		return 0;
	client->rpc = rpc_init_context();
	if (!client->rpc)
		return -ENOMEM;
	/* NLM has no fixed port: ask the portmapper. */
	rc = rpc_wait_connect(client->rpc, client->server, 0, NLM_PROGRAM,
			      NLM_V4);
	if (rc < 0) {
		rpc_destroy_context(client->rpc);
		client->rpc = NULL;
	}
	return rc;
}

/* Everything a call needs that must outlive the request: the cookie and
 * the lock description. */
struct nlm_call {
	uint64_t cookie;
	char oh[OH_MAX];
	struct nlm4_lock lock;
	bool done;
	int status;
	struct nlm_range *holder;
};

/* The owner handle of @p svid, "SVID@CALLER" as Linux's lockd makes
 * "PID@HOST": each owner of the client has its own. */
static char *owner_handle(const struct nlm_client *client, uint32_t svid,
			  char *buf)
{
	snprintf(buf, OH_MAX, "%u@%s", svid, client->caller_name);
	return buf;
}

static int prepare_call(struct nlm_client *client, const char *path,
			uint32_t svid, const struct nlm_range *range,
			struct nlm_call *call)
{
	int rc = lookup_fh(client, path, &call->lock.fh);

	if (rc < 0)
		return rc;
	rc = ensure_connected(client);
	if (rc < 0)
		return rc;
	call->cookie = ++client->cookie;
	call->status = -EIO;
	call->lock.caller_name = client->caller_name;
	call->lock.oh = owner_handle(client, svid, call->oh);
	call->lock.svid = svid;
	call->lock.l_offset = range->offset;
	call->lock.l_len = range->length;
	return 0;
}

static void set_cookie(struct nlm_call *call, nlm_cookie *cookie)
{
	cookie->data.data_len = sizeof(call->cookie);
	cookie->data.data_val = (char *)&call->cookie;
}

static bool reply_ok(int status, void *data, struct nlm_call *call)
{
	call->done = true;
	if (status == RPC_STATUS_SUCCESS)
		return true;
	fprintf(stderr, "nlm: %s\n",
		status == RPC_STATUS_ERROR ? (const char *)data : "cancelled");
	call->status = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
	return false;
}

static void test_cb(struct rpc_context *rpc, int status, void *data,
		    void *private_data)
{
	struct nlm_call *call = private_data;
	const NLM4_TESTres *res = data;
	const nlm4_holder *holder;

	(void)rpc;
	if (!reply_ok(status, data, call))
		return;
	call->status = res->reply.status;
	if (res->reply.status != NLM4_DENIED || !call->holder)
		return;
	holder = &res->reply.nlm4_testreply_u.lock.holder;
	call->holder->offset = holder->l_offset;
	call->holder->length = holder->l_len;
	call->holder->write = holder->exclusive;
	call->holder->svid = holder->svid;
}

static void lock_cb(struct rpc_context *rpc, int status, void *data,
		    void *private_data)
{
	struct nlm_call *call = private_data;

	(void)rpc;
	if (reply_ok(status, data, call))
		call->status = ((const NLM4_LOCKres *)data)->status;
}

static void unlock_cb(struct rpc_context *rpc, int status, void *data,
		      void *private_data)
{
	struct nlm_call *call = private_data;

	(void)rpc;
	if (reply_ok(status, data, call))
		call->status = ((const NLM4_UNLOCKres *)data)->status;
}

/* Wait for a queued call (@p queued is the *_async result). */
static int finish_call(struct nlm_client *client, int queued,
		       struct nlm_call *call)
{
	int rc = queued;

	if (rc == 0)
		rc = rpc_wait_done(client->rpc, &call->done);
	else
		fprintf(stderr, "nlm: %s\n", rpc_get_error(client->rpc));
	if (rc < 0 || call->status < 0) {
		rpc_destroy_context(client->rpc);
		client->rpc = NULL;
		return rc < 0 ? rc : call->status;
	}
	return call->status;
}

int nlm_client_test(struct nlm_client *client, const char *path, uint32_t svid,
		    const struct nlm_range *range, struct nlm_range *holder)
{
	struct nlm_call call = {.holder = holder};
	NLM4_TESTargs args = {.exclusive = range->write};
	int rc = prepare_call(client, path, svid, range, &call);

	if (rc < 0)
		return rc;
	set_cookie(&call, &args.cookie);
	args.lock = call.lock;
	return finish_call(
		client, rpc_nlm4_test_async(client->rpc, test_cb, &args, &call),
		&call);
}

static int lock_once(struct nlm_client *client, const char *path, uint32_t svid,
		     const struct nlm_range *range, bool block, bool reclaim)
{
	struct nlm_call call = {0};
	NLM4_LOCKargs args = {
		.block = block, .exclusive = range->write, .reclaim = reclaim};
	int rc = prepare_call(client, path, svid, range, &call);

	if (rc < 0)
		return rc;
	set_cookie(&call, &args.cookie);
	args.lock = call.lock;
	return finish_call(
		client, rpc_nlm4_lock_async(client->rpc, lock_cb, &args, &call),
		&call);
}

/* A connection to a server that died fails the call at once: a server
 * that came back (or took the address over) gets it on a new one. The
 * first connection after libnfs gave up reconnecting may fail too. */
#define LOCK_TRIES    3
#define LOCK_RETRY_US 200000

static int send_lock(struct nlm_client *client, const char *path, uint32_t svid,
		     const struct nlm_range *range, bool block, bool reclaim)
{
	int rc = -EIO;

	for (int i = 0; i < LOCK_TRIES && (rc == -EIO || rc == -ECONNRESET);
	     i++) {
		if (i)
			usleep(LOCK_RETRY_US);
		rc = lock_once(client, path, svid, range, block, reclaim);
	}
	return rc;
}

int nlm_client_lock(struct nlm_client *client, const char *path, uint32_t svid,
		    const struct nlm_range *range, bool block)
{
	return send_lock(client, path, svid, range, block, false);
}

int nlm_client_reclaim(struct nlm_client *client, const char *path,
		       uint32_t svid, const struct nlm_range *range)
{
	return send_lock(client, path, svid, range, false, true);
}

static void cancel_cb(struct rpc_context *rpc, int status, void *data,
		      void *private_data)
{
	struct nlm_call *call = private_data;

	(void)rpc;
	if (reply_ok(status, data, call))
		call->status = ((const NLM4_CANCres *)data)->status;
}

int nlm_client_cancel(struct nlm_client *client, const char *path,
		      uint32_t svid, const struct nlm_range *range)
{
	struct nlm_call call = {0};
	NLM4_CANCargs args = {.block = 1, .exclusive = range->write};
	int rc = prepare_call(client, path, svid, range, &call);

	if (rc < 0)
		return rc;
	set_cookie(&call, &args.cookie);
	args.lock = call.lock;
	return finish_call(
		client,
		rpc_nlm4_cancel_async(client->rpc, cancel_cb, &args, &call),
		&call);
}

int nlm_client_share(struct nlm_client *client, const char *path, uint32_t svid,
		     uint32_t access, uint32_t deny, bool unshare)
{
	char oh[OH_MAX];
	nlm4_share share = {.caller_name = client->caller_name,
			    .oh = owner_handle(client, svid, oh),
			    .mode = deny,
			    .access = access};
	int rc = lookup_fh(client, path, &share.fh);

	return rc < 0 ? rc : nlm_sys_share(client->server, &share, unshare);
}

int nlm_client_free_all(struct nlm_client *client, int state)
{
	return nlm_sys_free_all(client->server, client->caller_name, state);
}

const char *nlm_client_caller_name(const struct nlm_client *client)
{
	return client->caller_name;
}

int nlm_client_unlock(struct nlm_client *client, const char *path,
		      uint32_t svid, const struct nlm_range *range)
{
	struct nlm_call call = {0};
	NLM4_UNLOCKargs args = {0};
	int rc = prepare_call(client, path, svid, range, &call);

	if (rc < 0)
		return rc;
	set_cookie(&call, &args.cookie);
	args.lock = call.lock;
	return finish_call(
		client,
		rpc_nlm4_unlock_async(client->rpc, unlock_cb, &args, &call),
		&call);
}

const char *nlm_status_name(int status)
{
	static char unknown[32];
	const char *name;

	if (status == NLM_ERR_LOOKUP)
		return "NFS3_LOOKUP_FAILED";
	if (status == -ETIMEDOUT)
		return "RPC_TIMEOUT";
	if (status < 0)
		return "RPC_ERROR";
	name = nlmstat4_to_str(status);
	if (strncmp(name, "NLM4_", 5) == 0)
		return name;
	snprintf(unknown, sizeof(unknown), "NLM4_%d", status);
	return unknown;
}
