/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv3 READ, WRITE, SETATTR of the size and GETATTR, raw (one call each,
 * no retry: NFS3ERR_JUKEBOX is answered as such), on the handles of the
 * NLM client's v3 mount. Results are an nfsstat3 (>= 0) or a negative
 * errno when no reply arrived or the file could not be looked up.
 */
#ifndef ULM_NFS3_IO_H
#define ULM_NFS3_IO_H

#include <stddef.h>
#include <stdint.h>

struct nlm_client;

/** NFS3_OK, for callers that do not include libnfs's NFSv3 header. */
#define NFS3_IO_OK 0

/** WRITE (FILE_SYNC) of @p len bytes at @p offset. */
int nfs3_io_write(struct nlm_client *client, const char *path, uint64_t offset,
		  const char *data, uint32_t len);
/** READ of up to @p cap bytes at @p offset into @p buf; *@p got read. */
int nfs3_io_read(struct nlm_client *client, const char *path, uint64_t offset,
		 char *buf, uint32_t cap, uint32_t *got);
/** SETATTR of the size alone (a truncate or an extension). */
int nfs3_io_truncate(struct nlm_client *client, const char *path,
		     uint64_t size);
/** GETATTR: the file's size. */
int nfs3_io_size(struct nlm_client *client, const char *path, uint64_t *size);
/** "NFS3_OK", "NFS3ERR_JUKEBOX", ..., "RPC_TIMEOUT", "NFS3_LOOKUP_FAILED". */
const char *nfs3_status_name(int status);

#endif /* ULM_NFS3_IO_H */
