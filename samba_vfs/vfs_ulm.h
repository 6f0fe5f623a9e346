/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: Samba's share modes and byte-range locks in libulm, so that
 * SMB opens and locks meet NFS ones (Ganesha's UNIFIED FSAL) in one table.
 * Included after Samba's "includes.h" and "smbd/smbd.h".
 */
#ifndef VFS_ULM_H
#define VFS_ULM_H

#include "ulm.h"

#define VFS_ULM_MODULE "ulm"
/* "user@share" (truncated), then "#" and the handle's fnum. */
#define VFS_ULM_WHO_MAX	  96
#define VFS_ULM_OWNER_MAX (VFS_ULM_WHO_MAX + 24)

/* The flags byte and fsid of a file system's keys (key.c), kept for the
 * device last seen: finding a UUID through blkid costs ~150 us. */
struct vfs_ulm_fsid {
	dev_t dev;
	size_t len; /* 0: none kept */
	uint8_t bytes[1 + 16];
};

/* A tree connect's view of the store: one per share, made at connect. */
struct vfs_ulm_conn {
	ulm_env *env; /* the process's one environment (env.c) */
	uint32_t node;
	bool fsid_device; /* Ganesha's NFS_CORE_PARAM Fsid_Device */
	struct vfs_ulm_fsid fsid;
	size_t client_len;
	char client[ULM_ID_MAX];   /* the SMB client's address */
	char who[VFS_ULM_WHO_MAX]; /* "user@share" of the tree connect */
};

/* Highest Linux pid (PID_MAX_LIMIT): an smbd node is base + pid. */
#define VFS_ULM_PID_SPAN (1U << 22)

/* The store [global]'s "ulm:" parameters name (config.c), all but the
 * node id, and the node base; -EINVAL (logged) if one is not understood.
 * The strings are smb.conf's. */
int vfs_ulm_config(struct ulm_env_config *cfg, uint32_t *base);
/* The store @p cfg names, for the log, in @p buf if need be. */
const char *vfs_ulm_config_where(const struct ulm_env_config *cfg, char *buf,
				 size_t len);

/* The smbd process's environment, opened by the first tree connect and
 * closed by the last disconnect (LMDB: one open per process), with the
 * [global] section's "ulm:" parameters. */
int vfs_ulm_env_get(ulm_env **env, uint32_t *node);
void vfs_ulm_env_put(void);

/* The key of the file open as @p fd, as FSAL_VFS under UNIFIED names it
 * (key.c), in @p buf (ULM_KEY_MAX bytes). */
int vfs_ulm_key(struct vfs_ulm_conn *c, int fd, uint8_t *buf,
		struct ulm_key *key);

/* The SMB client of the tree connect, as an owner with no handle: what
 * a rename or delete by name is done by. */
void vfs_ulm_client_owner(const struct vfs_ulm_conn *c,
			  struct ulm_owner *owner);

/* The owner of an open's share mode (ULM_OWNER_OPEN) or byte-range locks
 * (ULM_OWNER_LOCK): the open handle of this smbd (node), as the text
 * "user@share#fnum" that ulmctl shows. @p buf holds the owner bytes and
 * must outlive @p owner. */
void vfs_ulm_owner(const struct vfs_ulm_conn *c, const files_struct *fsp,
		   enum ulm_owner_kind kind, char buf[VFS_ULM_OWNER_MAX],
		   struct ulm_owner *owner);

int vfs_ulm_filesystem_sharemode(vfs_handle_struct *handle, files_struct *fsp,
				 uint32_t share_access, uint32_t access_mask);

NTSTATUS vfs_ulm_brl_lock_windows(vfs_handle_struct *handle,
				  struct byte_range_lock *br_lck,
				  struct lock_struct *plock);
bool vfs_ulm_brl_unlock_windows(vfs_handle_struct *handle,
				struct byte_range_lock *br_lck,
				const struct lock_struct *plock);
bool vfs_ulm_strict_lock_check(vfs_handle_struct *handle, files_struct *fsp,
			       struct lock_struct *plock);

/* Oplocks as delegations (oplock.c), broken on the store's recalls. */
int vfs_ulm_linux_setlease(vfs_handle_struct *handle, files_struct *fsp,
			   int leasetype);
void vfs_ulm_oplock_recall(const struct ulm_key *file);

/* An administrator's break of @p record (ulmctl break lock): close the
 * handle of this process that holds it (break.c). */
void vfs_ulm_break(ulm_env *env, const struct ulm_key *file,
		   const struct ulm_lock_info *record);

/* Opens, renames and deletes recall NFS delegations in their way
 * (deleg.c). */
int vfs_ulm_openat(vfs_handle_struct *handle, const struct files_struct *dirfsp,
		   const struct smb_filename *smb_fname, files_struct *fsp,
		   const struct vfs_open_how *how);
int vfs_ulm_renameat(vfs_handle_struct *handle, files_struct *srcdir_fsp,
		     const struct smb_filename *smb_fname_src,
		     files_struct *dstdir_fsp,
		     const struct smb_filename *smb_fname_dst);
int vfs_ulm_unlinkat(vfs_handle_struct *handle, files_struct *dirfsp,
		     const struct smb_filename *smb_fname, int flags);

/* The thread passing this node's recalls into smbd's loop (events.c). */
int vfs_ulm_events_start(ulm_env *env);
void vfs_ulm_events_stop(void);

/* A courtesy record (of an expired NFSv4 client) in the way of a request:
 * dropped, true: ask again (courtesy.c). @p drops counts per request. */
bool vfs_ulm_courtesy_drop(ulm_env *env, const struct ulm_key *key,
			   const struct ulm_lock_info *holder, unsigned *drops);

#endif /* VFS_ULM_H */
