// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file ganesha_recovery_client.c
 * @brief FSAL UNIFIED: the address of Ganesha's own recovery RADOS client.
 *
 * With RecoveryBackend = rados_cluster, Ganesha writes its grace database
 * through a RADOS client of its own (rados_recov_io_ctx, exported by
 * libganesha_rados_recov.so, connected by nfs4_recovery_init() before the
 * exports are read). A node cut off from Ceph keeps that client's ops in
 * flight: once it reaches Ceph again they land, and a lift queued before
 * the cut clears its NEED and ENFORCING after another node took it over.
 * So a takeover must blocklist that client with UNIFIED's own.
 */
#include <dlfcn.h>
#include <rados/librados.h>
#include <string.h>

#include "ulmfsal.h"

#define GANESHA_RECOVERY_LIB "libganesha_rados_recov.so"

bool ulmfsal_ganesha_recovery_addr(char *buf, size_t len)
{
	void *lib = dlopen(GANESHA_RECOVERY_LIB, RTLD_LAZY | RTLD_NOLOAD);
	rados_ioctx_t *io_ctx;
	char *addrs = NULL;
	bool found = false;

	if (lib == NULL)
		return false;
	io_ctx = dlsym(lib, "rados_recov_io_ctx");
	if (io_ctx != NULL && *io_ctx != NULL &&
	    rados_getaddrs(rados_ioctx_get_cluster(*io_ctx), &addrs) == 0) {
		found = strlcpy(buf, addrs, len) < len;
		rados_buffer_free(addrs);
	}
	dlclose(lib);
	return found;
}
