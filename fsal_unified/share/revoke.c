// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file revoke.c
 * @brief FSAL UNIFIED: delegations not returned in time are revoked one
 * lease (+ Delegation_Revoke_Margin) after the first recall attempt, and
 * Ganesha survives revoking them.
 *
 * Ganesha 4.3 recalls and revokes; UNIFIED keeps two of its promises:
 *
 * - It must not crash. When a recall cannot be sent (the callback channel
 *   is down), Ganesha retries from delegrecall_task() and, two leases
 *   after the first attempt, revokes from there; that task then drops its
 *   reference on the state after release_op_context()
 *   (FSAL_UP/fsal_up_top.c:1429-1431). The reference is the last one, and
 *   dec_nfs4_state_ref() frees the state through op_ctx->fsal_export
 *   (SAL/nfs4_state_id.c:514) with op_ctx NULL: SIGSEGV at offset 0x98.
 *   So this file holds a reference on every delegation this node granted,
 *   and drops it a few seconds after the delegation ended, with an op
 *   context of its own: Ganesha's reference is then never the last.
 *   (SAL's reference helpers are not exported from libganesha_nfsd.so;
 *   the drop below is dec_nfs4_state_ref()'s, for the last reference.)
 *
 * - It must revoke in time. Ganesha revokes one lease after the holder
 *   answered CB_RECALL, but two leases after the first attempt when no
 *   recall got through (eval_deleg_revoke()). RFC 7530/8881 10.4.6 and
 *   knfsd count from the recall: here the recall counts as answered at the
 *   first attempt + the margin, whatever came back, so both cases end one
 *   lease + the margin after the recall began.
 */
#include <errno.h>

#include "nfs_core.h"
#include "sal_data.h"
#include "sal_functions.h"
#include "stats.h"
#include "ulmfsal.h"

#include "export_mgr.h"

/* How long a reference outlives its delegation: longer than Ganesha's
 * delegrecall_task() holds its own (it takes it, runs, drops it). */
#define HOLD_AFTER_END_S 5
#define TICK_MS		 500

struct held_deleg {
	struct held_deleg *next;
	struct state_t *state;	      /**< one reference is ours */
	struct gsh_export *export;    /**< referenced: the state's free goes */
	struct fsal_export *fsal_exp; /**< through its fsal export */
	time_t ended;		      /**< returned or revoked; 0: still out */
	bool recalled;		      /**< counted as recalled */
};

static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_wake = PTHREAD_COND_INITIALIZER;
static struct held_deleg *held;
static pthread_t revoke_thread;
static bool revoke_running, revoke_stopping;

/* Make Ganesha's revoke check count from the first attempt + margin. */
static void revoke_on_time(struct held_deleg *d)
{
	struct state_deleg *deleg = &d->state->state_data.deleg;
	time_t first = deleg->sd_clfile_stats.cfd_r_time;
	time_t answered = deleg->sd_clfile_stats.cfd_rs_time;
	time_t due;

	if (deleg->sd_state != DELEG_RECALL_WIP || first == 0)
		return;
	if (!d->recalled) {
		d->recalled = true;
		ulmfsal_stats_count(ULMFSAL_STAT_DELEG_RECALLED);
	}
	/* eval_deleg_revoke(): revoked once now - cfd_rs_time > lease */
	due = first + (time_t)ULMFSAL.config.deleg_revoke_margin_s - 1;
	if (answered == 0 || answered > due)
		deleg->sd_clfile_stats.cfd_rs_time = due;
}

/* Drop our reference; free the state if it was the last. The op context
 * takes over our export reference (release_op_context() puts it). */
static void held_release(struct held_deleg *d)
{
	struct req_op_context ctx;

	init_op_context(&ctx, d->export, d->fsal_exp, NULL, 0, 0,
			UNKNOWN_REQUEST);
	if (atomic_dec_int32_t(&d->state->state_refcount) == 0) {
		PTHREAD_MUTEX_destroy(&d->state->state_mutex);
		d->fsal_exp->exp_ops.free_state(d->fsal_exp, d->state);
	}
	release_op_context();
	gsh_free(d);
}

/* One pass: watch recalls, take out what ended long enough ago. */
static struct held_deleg *revoke_tick(time_t now)
{
	struct held_deleg **link = &held, *done = NULL, *d;

	while ((d = *link) != NULL) {
		if (d->ended == 0) {
			revoke_on_time(d);
		} else if (now - d->ended >= HOLD_AFTER_END_S) {
			*link = d->next;
			d->next = done;
			done = d;
			continue;
		}
		link = &d->next;
	}
	return done;
}

static void *revoke_main(void *arg)
{
	struct held_deleg *done;
	struct timespec at;

	(void)arg;
	SetNameFunction("ulm_revoke");
	PTHREAD_MUTEX_lock(&held_mutex);
	while (!revoke_stopping) {
		done = revoke_tick(time(NULL));
		PTHREAD_MUTEX_unlock(&held_mutex);
		while (done != NULL) {
			struct held_deleg *next = done->next;

			held_release(done);
			done = next;
		}
		PTHREAD_MUTEX_lock(&held_mutex);
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_nsec += TICK_MS * 1000000L;
		at.tv_sec += at.tv_nsec / 1000000000L;
		at.tv_nsec %= 1000000000L;
		if (!revoke_stopping)
			pthread_cond_timedwait(&held_wake, &held_mutex, &at);
	}
	PTHREAD_MUTEX_unlock(&held_mutex);
	return NULL;
}

/* Under held_mutex. */
static void revoke_thread_start(void)
{
	int rc;

	if (revoke_running || revoke_stopping)
		return;
	rc = pthread_create(&revoke_thread, NULL, revoke_main, NULL);
	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the delegation revoke thread: "
			"%s; delegations not returned are revoked by Ganesha "
			"alone (two leases, and it may crash doing so)",
			strerror(rc));
		return;
	}
	revoke_running = true;
}

void ulmfsal_revoke_track(struct state_t *state)
{
	struct held_deleg *d = gsh_calloc(1, sizeof(*d));

	inc_state_t_ref(state);
	get_gsh_export_ref(op_ctx->ctx_export);
	d->state = state;
	d->export = op_ctx->ctx_export;
	d->fsal_exp = op_ctx->fsal_export;
	PTHREAD_MUTEX_lock(&held_mutex);
	d->next = held;
	held = d;
	revoke_thread_start();
	PTHREAD_MUTEX_unlock(&held_mutex);
	ulmfsal_stats_count(ULMFSAL_STAT_DELEG_GRANTED);
}

void ulmfsal_revoke_end(struct state_t *state, bool returned)
{
	bool found = false, recalled = false;
	time_t asked = state->state_data.deleg.sd_clfile_stats.cfd_r_time;
	struct held_deleg *d;

	PTHREAD_MUTEX_lock(&held_mutex);
	for (d = held; d != NULL && !found; d = d->next)
		if (d->state == state && d->ended == 0) {
			d->ended = time(NULL);
			recalled = d->recalled;
			found = true;
		}
	PTHREAD_MUTEX_unlock(&held_mutex);
	if (!found || admin_shutdown)
		return;
	ulmfsal_stats_count(returned ? ULMFSAL_STAT_DELEG_RETURNED
				     : ULMFSAL_STAT_DELEG_REVOKED);
	/* cfd_r_time: Ganesha's first recall attempt (seconds) */
	if (returned && asked != 0)
		ulmfsal_stats_recall_returned((
			uint64_t)(time(NULL) > asked ? time(NULL) - asked : 0));
	if (!returned)
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: a delegation was revoked (%s)",
			 recalled ? "recalled, not returned within the lease"
				  : "its client's state was dropped");
}

/* At unload: Ganesha has dropped its states; ours are not freed (no
 * export is left to free them through), only forgotten. */
void ulmfsal_revoke_stop(void)
{
	PTHREAD_MUTEX_lock(&held_mutex);
	revoke_stopping = true;
	pthread_cond_broadcast(&held_wake);
	PTHREAD_MUTEX_unlock(&held_mutex);
	if (revoke_running)
		pthread_join(revoke_thread, NULL);
	revoke_running = false;
}
