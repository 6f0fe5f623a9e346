/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * vfs_ulm: a file's key, as Ganesha's FSAL_VFS under UNIFIED makes it, so
 * that an SMB record and an NFS record of one file meet in one table.
 *
 * FSAL_VFS's handle key (Ganesha 4.3, src/FSAL/FSAL_VFS/os/linux/
 * handle_syscalls.c:178 vfs_map_name_to_handle_at, format at :38-60): one
 * flags byte (the fsid type, and the width of the kernel handle type in
 * the top two bits), the fsid (src/FSAL/commonlib.c:512 encode_fsid),
 * the kernel handle type in 1, 2 or 4 bytes, then the kernel handle.
 * The fsid is chosen as src/FSAL/localfs.c:474-530 does: the device
 * numbers with NFS_CORE_PARAM Fsid_Device, else the file system's UUID
 * from blkid, else statfs()'s f_fsid.
 */
#include "includes.h"
#include "smbd/smbd.h"
#include <blkid/blkid.h>
#include <sys/statfs.h>
#include <uuid/uuid.h>
#include "vfs_ulm.h"

#undef DBGC_CLASS
#define DBGC_CLASS DBGC_VFS

/* Ganesha's enum fsid_type (src/include/fsal_api.h:1385). */
#define VFS_FSID_TWO_UINT64 3
#define VFS_FSID_TWO_UINT32 4
#define VFS_FSID_DEVICE	    5
#define VFS_HANDLE_TYPE_8   0x40
#define VFS_HANDLE_TYPE_16  0x80
#define VFS_HANDLE_TYPE_32  0xC0
#define VFS_MAX_HANDLE	    48

static size_t vfs_ulm_put_u32_pair(uint8_t *buf, uint32_t major, uint32_t minor)
{
	memcpy(buf, &major, sizeof(major));
	memcpy(buf + sizeof(major), &minor, sizeof(minor));
	return 2 * sizeof(uint32_t);
}

/* The file system's UUID as blkid reads it, or false if it has none
 * (tmpfs, overlay: Ganesha falls back to f_fsid then). */
static bool vfs_ulm_fs_uuid(dev_t dev, uint8_t uuid[16])
{
	blkid_cache cache = NULL;
	char *name = NULL, *tag = NULL;
	bool found = false;

	if (blkid_get_cache(&cache, NULL) != 0)
		return false;
	name = blkid_devno_to_devname(dev);
	if (name && blkid_get_dev(cache, name, BLKID_DEV_NORMAL))
		tag = blkid_get_tag_value(cache, "UUID", name);
	found = tag && uuid_parse(tag, uuid) == 0;
	free(tag);
	free(name);
	blkid_put_cache(cache);
	return found;
}

/* Flags byte and fsid of the file system @p fd (on device @p st) is on;
 * @return bytes, 0 on error (errno). */
static size_t vfs_ulm_fsid(int fd, const struct stat *st, bool fsid_device,
			   uint8_t *buf)
{
	struct statfs sfs;

	if (fsid_device) {
		buf[0] = VFS_FSID_DEVICE;
		return 1 + vfs_ulm_put_u32_pair(buf + 1, major(st->st_dev),
						minor(st->st_dev));
	}
	if (vfs_ulm_fs_uuid(st->st_dev, buf + 1)) {
		buf[0] = VFS_FSID_TWO_UINT64;
		return 1 + 16;
	}
	if (fstatfs(fd, &sfs) != 0)
		return 0;
	buf[0] = VFS_FSID_TWO_UINT32;
	return 1 + vfs_ulm_put_u32_pair(buf + 1, (uint32_t)sfs.f_fsid.__val[0],
					(uint32_t)sfs.f_fsid.__val[1]);
}

/* The fsid of @p fd's file system, from @p c's when on its device. */
static size_t vfs_ulm_fsid_cached(struct vfs_ulm_conn *c, int fd, uint8_t *buf)
{
	struct vfs_ulm_fsid *f = &c->fsid;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return 0;
	if (f->len == 0 || f->dev != st.st_dev) {
		f->len = vfs_ulm_fsid(fd, &st, c->fsid_device, f->bytes);
		f->dev = st.st_dev;
	}
	memcpy(buf, f->bytes, f->len);
	return f->len;
}

/* The kernel handle type as vfs_map_name_to_handle_at packs it. */
static size_t vfs_ulm_handle_type(int type, uint8_t *flags, uint8_t *buf)
{
	int16_t t16 = (int16_t)type;

	if (type <= UINT8_MAX) {
		*flags |= VFS_HANDLE_TYPE_8;
		buf[0] = (uint8_t)type;
		return 1;
	}
	if (type <= INT16_MAX) {
		*flags |= VFS_HANDLE_TYPE_16;
		memcpy(buf, &t16, sizeof(t16));
		return sizeof(t16);
	}
	*flags |= VFS_HANDLE_TYPE_32;
	memcpy(buf, &type, sizeof(type));
	return sizeof(type);
}

int vfs_ulm_key(struct vfs_ulm_conn *c, int fd, uint8_t *buf,
		struct ulm_key *key)
{
	union {
		struct file_handle fh;
		uint8_t space[sizeof(struct file_handle) + VFS_MAX_HANDLE];
	} kernel = {.fh.handle_bytes = VFS_MAX_HANDLE};
	size_t len;
	int mount_id;

	if (name_to_handle_at(fd, "", &kernel.fh, &mount_id, AT_EMPTY_PATH))
		return -errno;
	len = vfs_ulm_fsid_cached(c, fd, buf);
	if (len == 0)
		return -errno;
	len += vfs_ulm_handle_type(kernel.fh.handle_type, &buf[0], buf + len);
	memcpy(buf + len, kernel.fh.f_handle, kernel.fh.handle_bytes);
	*key = (struct ulm_key){buf, len + kernel.fh.handle_bytes};
	return 0;
}
