/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A minimal NLM v4 client (TEST, LOCK, CANCEL, UNLOCK, SHARE, UNSHARE,
 * FREE_ALL).  Each owner (svid) has the owner handle "SVID@CALLER".  File
 * handles are NFSv3 handles looked up through a libnfs v3 mount.
 * Results are an nlm4_stats value (>= 0) or a negative errno when no
 * reply arrived or the file could not be looked up.
 */
#ifndef ULM_NLM_CLIENT_H
#define ULM_NLM_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct nlm_client;

/** A byte range as NLM sends it: length 0 means "to EOF". */
struct nlm_range {
	uint64_t offset;
	uint64_t length;
	bool write;
	uint32_t svid; /* of the holder, in a denial */
};

/**
 * @brief Prepare an NLM client; connects lazily, on the first call.
 * @param[in] caller_name  NLM caller name (also the owner handle).
 * @return NULL on allocation failure; free with nlm_client_destroy().
 */
struct nlm_client *nlm_client_create(const char *server, const char *export,
				     const char *caller_name);
void nlm_client_destroy(struct nlm_client *client);

/** NLM4_TEST; on NLM4_DENIED @p holder receives the holder's lock. */
int nlm_client_test(struct nlm_client *client, const char *path, uint32_t svid,
		    const struct nlm_range *range, struct nlm_range *holder);

/** NLM4_LOCK, not a reclaim; with @p block the server may answer
 *  NLM4_BLOCKED and queue the request. */
int nlm_client_lock(struct nlm_client *client, const char *path, uint32_t svid,
		    const struct nlm_range *range, bool block);

/** NLM4_LOCK with reclaim set: take back a lock held before the server
 *  restarted (or its address moved), after its SM_NOTIFY. */
int nlm_client_reclaim(struct nlm_client *client, const char *path,
		       uint32_t svid, const struct nlm_range *range);

/** NLM4_CANCEL of a blocked NLM4_LOCK of @p range. */
int nlm_client_cancel(struct nlm_client *client, const char *path,
		      uint32_t svid, const struct nlm_range *range);

/**
 * @brief NLM4_SHARE, or NLM4_UNSHARE when @p unshare, of @p path by owner
 *        @p svid: @p access 1 read, 2 write, 3 both; @p deny 0 none,
 *        1 read, 2 write, 3 both (NLM's fsh4 values, NFSv4 OPEN's too).
 */
int nlm_client_share(struct nlm_client *client, const char *path, uint32_t svid,
		     uint32_t access, uint32_t deny, bool unshare);

/** NLM4_FREE_ALL for this client's caller name (it "rebooted" into
 *  @p state); 0 once the server answered. */
int nlm_client_free_all(struct nlm_client *client, int state);

/** The NLM caller name (also the NSM mon_name of this client). */
const char *nlm_client_caller_name(const struct nlm_client *client);

/** NLM4_UNLOCK of @p range (its type is ignored). */
int nlm_client_unlock(struct nlm_client *client, const char *path,
		      uint32_t svid, const struct nlm_range *range);

struct nfs_fh3;
struct rpc_context;
/** The NFSv3 handle of @p path (created if missing; valid while the
 *  client lives) and the RPC context of the v3 mount, for raw NFSv3
 *  calls. @return 0 or a negative errno */
int nlm_client_v3_file(struct nlm_client *client, const char *path,
		       struct nfs_fh3 *fh, struct rpc_context **rpc);

/** NFSv3 REMOVE of @p path through libnfs, as rm does it. @return 0 or
 *  the negative errno libnfs maps the server's status to (NFS3ERR_ACCES:
 *  -EACCES, NFS3ERR_JUKEBOX: -EAGAIN) */
int nlm_client_v3_remove(struct nlm_client *client, const char *path);

/** "NLM4_GRANTED", "NLM4_DENIED", ..., "RPC_TIMEOUT", "NFS3_LOOKUP_FAILED". */
const char *nlm_status_name(int status);

#endif /* ULM_NLM_CLIENT_H */
