/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The per-node mailbox (rados_events.c).
 */
#ifndef ULM_RADOS_EVENTS_H
#define ULM_RADOS_EVENTS_H

#include "rados_io.h"

/** Watch our node object and take this node's next epoch. */
int rados_events_init(struct rados_store *s);
/** Unwatch the mailbox, waiting until @p deadline at most. */
void rados_events_fini(struct rados_store *s, uint64_t deadline);
int rados_event_post(struct ulm_store *store, uint32_t node, const void *msg,
		     size_t len);
int rados_event_take(struct ulm_store *store, store_event_fn fn, void *arg,
		     int timeout_ms);

#endif /* ULM_RADOS_EVENTS_H */
