/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NFSv4.0 callback service (program NFS4_CALLBACK, version 1): answers
 * CB_NULL and CB_COMPOUND { CB_RECALL }, logs each recall on stderr as
 * "CB_RECALL <stateid-seqid> truncate=<0|1>" and counts them.  One per
 * process.
 */
#ifndef ULM_NFS4_CALLBACK_H
#define ULM_NFS4_CALLBACK_H

#include <stdbool.h>

/** Start the service; returns its TCP port or a negative errno. */
int nfs4_callback_start(void);

/** CB_RECALLs received so far. */
unsigned int nfs4_callback_recalls(void);

/** Whether recalls are queued for nfs4_callback_take_recall(). */
void nfs4_callback_set_autoreturn(bool on);

/**
 * @brief Take the oldest queued recall.
 * @param[out] other  The recalled stateid's "other" (12 bytes).
 * @return false when none is queued.
 */
bool nfs4_callback_take_recall(char *other);

#endif /* ULM_NFS4_CALLBACK_H */
