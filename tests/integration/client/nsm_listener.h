/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NSM (statd) service of a client host, as far as a failover test
 * needs it: SM_NOTIFY from a server that restarted or whose address moved
 * (ulm-takeover sends it), kept for nsm_listener_take(). It registers
 * itself with the host's rpcbind, where the notifier looks for statd. One
 * per process (per client host).
 */
#ifndef ULM_NSM_LISTENER_H
#define ULM_NSM_LISTENER_H

#include <stdbool.h>

#define NSM_NOTICE_NAME_MAX 128

/** One SM_NOTIFY received. */
struct nsm_notice {
	char mon_name[NSM_NOTICE_NAME_MAX]; /* the restarted host's name */
	int state;			    /* its new NSM state */
	char from[64];			    /* the address it came from */
};

/** @brief Start the service and register it with this host's rpcbind.
 *  @return 0, or a negative errno (reason on stderr) */
int nsm_listener_start(void);

/** @brief Take the oldest notice not taken yet. @return false if none */
bool nsm_listener_take(struct nsm_notice *notice);

#endif /* ULM_NSM_LISTENER_H */
