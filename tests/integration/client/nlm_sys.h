/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NLM v4 procedures libnfs 4.0 has no call for: SHARE (20), UNSHARE
 * (21), FREE_ALL (23) and GRANTED_RES (15).  Arguments and results are
 * encoded with libnfs's own NLM XDR routines (nlm4_share, nlm_cookie,
 * ...) and carried over an AUTH_SYS connection of sys_rpc.
 */
#ifndef ULM_NLM_SYS_H
#define ULM_NLM_SYS_H

#include <stdbool.h>
#include <sys/time.h> /* libnfs.h needs struct timeval */

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nlm.h>

/**
 * @brief NLM4_SHARE, or NLM4_UNSHARE when @p unshare, of @p share.
 * @return An nlm4_stats value (>= 0), or a negative errno when no reply
 *         arrived.
 */
int nlm_sys_share(const char *server, nlm4_share *share, bool unshare);

/**
 * @brief NLM4_FREE_ALL: host @p name (state @p state) rebooted; the
 *        server drops every lock and share of that host.
 * @return 0, or a negative errno when no reply arrived.
 */
int nlm_sys_free_all(const char *server, const char *name, int state);

/**
 * @brief NLM4_GRANTED_RES: our answer @p status to the server's
 *        NLM4_GRANTED_MSG with @p cookie.
 * @return 0, or a negative errno when no reply arrived.
 */
int nlm_sys_granted_res(const char *server, const nlm_cookie *cookie,
			nlmstat4 status);

#endif /* ULM_NLM_SYS_H */
