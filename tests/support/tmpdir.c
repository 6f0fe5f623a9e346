/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "tmpdir.h"

#include <ftw.h>
#include <stdio.h>

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int ulm_tmpdir_remove(const char *path)
{
	/* Depth first, so a directory is empty when its turn comes. */
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
