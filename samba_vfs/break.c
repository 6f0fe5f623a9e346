/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: an administrator's break of an SMB record. "ulmctl break
 * lock|share|delegation ID" through any Ganesha of the store sends
 * ULM_EVENT_BREAK to the smbd node that made the record
 * (fsal_unified/dbus/dbus_break.c); this process then closes the handle
 * holding it, as smbd closes a file an administrator closes
 * (msg_close_file, source3/smbd/close.c:1587): its locks, share mode and
 * oplock go with it, and the SMB client's next use of the handle gets
 * STATUS_FILE_CLOSED.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include "smbd/globals.h"
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* The handle a record's owner names: "user@share#fnum" (owner.c). */
static bool vfs_ulm_record_fnum(const struct ulm_lock_info *record,
				uint64_t *fnum)
{
	char text[VFS_ULM_OWNER_MAX];
	const char *hash;
	char *end;

	if (record->owner_len == 0 || record->owner_len >= sizeof(text))
		return false;
	memcpy(text, record->owner, record->owner_len);
	text[record->owner_len] = '\0';
	hash = strrchr(text, '#');
	if (hash == NULL)
		return false;
	errno = 0;
	*fnum = strtoull(hash + 1, &end, 10);
	return errno == 0 && end != hash + 1 && *end == '\0';
}

/* A record of the same owner, node and life: the handle still holds it
 * (a handle closed since left none, and its fnum may be another's). */
static int vfs_ulm_still_held(const struct ulm_key *file,
			      const struct ulm_lock_info *info, void *arg)
{
	const struct ulm_lock_info *want = arg;

	(void)file;
	return info->node == want->node && info->epoch == want->epoch &&
	       info->owner_len == want->owner_len &&
	       memcmp(info->owner, want->owner, want->owner_len) == 0;
}

static const char *vfs_ulm_record_kind(const struct ulm_lock_info *record)
{
	switch (record->type) {
	case ULM_REC_SHARE:
		return "share mode";
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		return "oplock";
	default:
		return "lock";
	}
}

static struct files_struct *vfs_ulm_fnum_is(struct files_struct *fsp, void *arg)
{
	return fsp->fnum == *(const uint64_t *)arg ? fsp : NULL;
}

void vfs_ulm_break(ulm_env *env, const struct ulm_key *file,
		   const struct ulm_lock_info *record)
{
	struct files_struct *fsp;
	uint64_t fnum;

	if (record->protocol != ULM_PROTO_SMB ||
	    !vfs_ulm_record_fnum(record, &fnum) ||
	    ulm_lock_list(env, file, vfs_ulm_still_held, (void *)record) != 1)
		return;
	fsp = files_forall(global_smbXsrv_client->sconn, vfs_ulm_fnum_is,
			   &fnum);
	if (fsp == NULL)
		return;
	DBG_WARNING("%s: closed: an administrator broke its %s [%llu, "
		    "%llu] (ulmctl break)\n",
		    fsp_str_dbg(fsp), vfs_ulm_record_kind(record),
		    (unsigned long long)record->start,
		    (unsigned long long)record->end);
	close_file_free(NULL, &fsp, NORMAL_CLOSE);
}
