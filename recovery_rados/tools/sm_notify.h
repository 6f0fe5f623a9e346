/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* SM_NOTIFY, sent from a chosen local address (the service address taken
 * over), as `sm-notify -v ADDR` does: the client's statd matches it to the
 * server it monitors by that address and name. */
#ifndef ULM_SM_NOTIFY_H
#define ULM_SM_NOTIFY_H

/**
 * @brief Tell the statd of @p client_addr that host @p mon_name (sent
 * from @p from_addr) restarted with NSM state @p state. Asks the client's
 * portmapper for statd's TCP port first; both calls go out of
 * @p from_addr. IPv4 only.
 * @return 0, -EINVAL (address), -EHOSTUNREACH/-ECONNREFUSED/-ETIMEDOUT
 *         (no answer), -ENOENT (no statd registered), -EIO
 */
int sm_notify_send(const char *from_addr, const char *client_addr,
		   const char *mon_name, int state);

/**
 * @brief Does this host's NLM server (Ganesha's) answer a NULL call over
 * the loopback? @return 0, or as sm_notify_send
 */
int nlm_local_ping(void);

/**
 * @brief Tell this host's NLM server, as its statd would, that host
 * @p mon_name rebooted with NSM state @p state: it drops every lock and
 * share that host holds there, except locks taken in state @p state.
 * @return 0, or as sm_notify_send
 */
int nlm_local_sm_notify(const char *mon_name, int state);

#endif /* ULM_SM_NOTIFY_H */
