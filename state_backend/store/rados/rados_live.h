/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * This node's liveness lease and every node's state (rados_live.c).
 */
#ifndef ULM_RADOS_LIVE_H
#define ULM_RADOS_LIVE_H

#include "rados_io.h"

/** Set up the lease's lock and condition (every open). */
void rados_live_init(struct rados_store *s);
/** Take this node's lease (waiting one lease for a dead holder's to
 *  lapse), register the node, and renew from a thread.
 *  @return 0, -EBUSY (another live process holds it), -ENOMEM, -EIO */
int rados_live_start(struct rados_store *s, uint32_t lease_ms);
/** Stop renewing and give the lease back. */
void rados_live_fini(struct rados_store *s);
/** Does this node hold its lease, margin included? */
bool rados_live_ok(struct rados_store *s);
/** The store op: rados_live_ok(). */
bool rados_live(struct ulm_store *store);
/** The store op: the lease ended too, not only its margin. */
bool rados_lapsed(struct ulm_store *store);
/** The store op: times fenced and time spent fenced. */
void rados_fence_stats(struct ulm_store *store, uint64_t *fences,
		       uint64_t *fenced_ms);
/** Tests: stop (true) or resume renewals, as a partition would. */
void rados_live_pause(struct ulm_store *store, bool paused);
/** A node's current epoch (0: never opened) and whether its lease is
 *  held now. @return 0, -ENOMEM, -EIO, ULM_ECORRUPT */
int rados_node_state(struct rados_store *s, uint32_t node, uint32_t *epoch,
		     bool *live);
/** The store op: every registered node. */
int rados_node_list(struct ulm_store *store, store_node_fn fn, void *arg);

#endif /* ULM_RADOS_LIVE_H */
