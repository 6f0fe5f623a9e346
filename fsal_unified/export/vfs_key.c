// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file vfs_key.c
 * @brief FSAL UNIFIED: a file of a VFS export opened from its handle key
 * (the key libulm knows it by), for the kernel lease of share/watch.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "FSAL/fsal_localfs.h"
#include "ulmfsal.h"

/*
 * FSAL_VFS's handle key is its vfs_file_handle_t's handle_data (Ganesha
 * 4.3: src/FSAL/FSAL_VFS/handle.c:74 handle_to_key), built by
 * vfs_map_name_to_handle_at (src/FSAL/FSAL_VFS/os/linux/
 * handle_syscalls.c:178, format at :38-60, read back by vfs_open_by_handle
 * at :266): one flags byte (fsid type in the low bits, the width of the
 * kernel handle type in the top two, 0x20 a dummy handle), the fsid
 * (sizeof_fsid bytes), the kernel handle type (1, 2 or 4 bytes), then the
 * opaque kernel handle (struct file_handle's f_handle, at most
 * VFS_MAX_HANDLE = 48 bytes, the whole at most VFS_HANDLE_LEN = 59:
 * src/include/fsal_handle_syscalls.h:55).
 */
#define VFS_KEY_TYPE_8	  0x40
#define VFS_KEY_TYPE_16	  0x80
#define VFS_KEY_TYPE_32	  0xC0
#define VFS_KEY_TYPE_MASK 0xC0
#define VFS_KEY_DUMMY	  0x20
#define VFS_KEY_FSID_MASK 0x1F
#define VFS_KEY_MAX	  59 /* VFS_HANDLE_LEN */
#define VFS_KERNEL_FH_MIN 4
#define VFS_KERNEL_FH_MAX 48 /* VFS_MAX_HANDLE */

/*
 * The kernel file handle inside FSAL_VFS's key, checked against the
 * format above and the file system the object is on.
 * @return bytes of the kernel handle, or -EINVAL
 */
static int vfs_key_to_kernel_fh(const struct ulm_key *key,
				const struct fsal_filesystem *fs,
				struct file_handle *fh)
{
	const uint8_t *data = key->data;
	uint8_t flags = data[0];
	size_t cursor = 1 + sizeof_fsid(fs->fsid_type), type_len;
	int32_t type32 = 0;
	int16_t type16;

	switch (flags & VFS_KEY_TYPE_MASK) {
	case VFS_KEY_TYPE_8:
		type_len = 1;
		break;
	case VFS_KEY_TYPE_16:
		type_len = sizeof(int16_t);
		break;
	case VFS_KEY_TYPE_32:
		type_len = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if ((flags & VFS_KEY_DUMMY) ||
	    (flags & VFS_KEY_FSID_MASK) != fs->fsid_type ||
	    key->len > VFS_KEY_MAX ||
	    key->len < cursor + type_len + VFS_KERNEL_FH_MIN ||
	    key->len > cursor + type_len + VFS_KERNEL_FH_MAX)
		return -EINVAL;
	if (type_len == sizeof(int16_t)) {
		memcpy(&type16, data + cursor, sizeof(type16));
		type32 = type16;
	} else if (type_len == sizeof(int32_t)) {
		memcpy(&type32, data + cursor, sizeof(type32));
	} else {
		type32 = data[cursor];
	}
	cursor += type_len;
	fh->handle_type = type32;
	fh->handle_bytes = key->len - cursor;
	memcpy(fh->f_handle, data + cursor, fh->handle_bytes);
	return fh->handle_bytes;
}

/* An O_RDONLY fd of our own on the file. O_NONBLOCK: a lease someone else
 * holds (Samba's) fails the open instead of parking this worker. */
int ulmfsal_vfs_open(struct fsal_obj_handle *obj, const struct ulm_key *key)
{
	union {
		struct file_handle fh;
		uint8_t buf[sizeof(struct file_handle) + VFS_KERNEL_FH_MAX];
	} kernel;
	struct stat st;
	int mount_fd, fd, rc;

	if (obj->fs == NULL || obj->type != REGULAR_FILE ||
	    vfs_key_to_kernel_fh(key, obj->fs, &kernel.fh) < 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: a VFS handle key not as Ganesha 4.3 makes "
			"them: no delegation");
		return -EINVAL;
	}
	mount_fd = open(obj->fs->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return -errno;
	fd = open_by_handle_at(mount_fd, &kernel.fh,
			       O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	rc = fd < 0 ? -errno : 0;
	close(mount_fd);
	if (rc == 0 && (fstat(fd, &st) != 0 || st.st_ino != obj->fileid)) {
		LogCrit(COMPONENT_FSAL, "UNIFIED: a VFS handle key opened "
					"another file: no delegation");
		close(fd);
		rc = -EINVAL;
	}
	return rc == 0 ? fd : rc;
}
