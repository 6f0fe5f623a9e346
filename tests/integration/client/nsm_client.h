/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NSM (rpc.statd) calls a rebooted NFSv3 client's statd makes. */
#ifndef ULM_NSM_CLIENT_H
#define ULM_NSM_CLIENT_H

/**
 * @brief SM_NOTIFY the statd of @p server that host @p mon_name rebooted
 *        into state @p state.
 * @return 0, or a negative errno when no reply arrived.
 */
int nsm_notify(const char *server, const char *mon_name, int state);

#endif /* ULM_NSM_CLIENT_H */
