/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Scratch directories for tests and benchmarks. */
#ifndef ULM_TMPDIR_H
#define ULM_TMPDIR_H

/** @brief Remove @p path and everything below it (no links followed).
 *  @return 0 or -1 with errno set */
int ulm_tmpdir_remove(const char *path);

#endif
