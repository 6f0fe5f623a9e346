/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NFSv4.0 callback service (program NFS4_CALLBACK, version 1): answers
 * CB_NULL and CB_COMPOUND { CB_RECALL }, logs each recall on stderr as
 * "CB_RECALL <stateid-seqid> truncate=<0|1>" and counts them.  One per
 * process.  The NFSv4.1 back channel (nfs41_callback.c) reports its
 * recalls here too, and answers as the mode says.
 */
#ifndef ULM_NFS4_CALLBACK_H
#define ULM_NFS4_CALLBACK_H

#include <stdbool.h>
#include <stdint.h>

/** How the client answers the server's callbacks. */
enum nfs4_callback_mode {
	NFS4_CB_ANSWER, /**< every one (the default) */
	NFS4_CB_ONCE,	/**< up to the first CB_RECALL, then none: the
			     client then also stops renewing its lease */
	NFS4_CB_MUTE,	/**< none: calls are received, never answered */
};

/** Start the service; returns its TCP port or a negative errno. */
int nfs4_callback_start(void);

/** Close the service's listener and connections. */
void nfs4_callback_stop(void);

void nfs4_callback_set_mode(enum nfs4_callback_mode mode);

/** A CB_RECALL of the delegation whose stateid is @p seqid / @p other
 *  (NFS4_STATEID_OTHER_SIZE bytes): counted, logged, queued if
 *  autoreturn is on. */
void nfs4_callback_recalled(const char *other, uint32_t seqid, bool truncate);

/** Whether to send the reply to the callback just run (the mode's
 *  choice; in "once" mode, a reply to a recall is the last one). */
bool nfs4_callback_may_reply(void);

/** "once" mode: whether the last reply went (the client goes silent). */
bool nfs4_callback_silenced(void);

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
