// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file below.c
 * @brief FSAL UNIFIED: a node cut off from RADOS lets go of the locks it
 * mirrored into the sub-FSAL once its liveness lease ended, and takes
 * them again, before it grants anything, if it is live again.
 *
 * Once the lease ended another node may take this node over at any
 * moment, and its clients' reclaims there reach the same filesystem: a
 * kernel (OFD) lock this node's Ganesha still holds would refuse them,
 * and Ganesha 4.3 answers that refusal as a conflict
 * (SAL/state_misc.c:194-199), so the client would lose its lock. So at
 * the lease's end the fence watch (service/fence.c) unlocks below, with
 * its own state and owner, every granted lock of Ganesha's lists on the
 * files this node holds lock records on. Not at the fence, a fifth of a
 * lease before: a node that renews in time has lost nothing. The lock
 * store keeps the records (the takeover's to recover) and Ganesha its
 * state: its clients still hold their locks here and may unlock them.
 *
 * A node taken over is blocklisted and never live again. One that is
 * live again without a takeover had its records refuse every other
 * request meanwhile, through every node, so nothing of Ganesha's took
 * those ranges: it locks them below again, and grants nothing on those
 * files until that is done (a lock there answers as while fenced), so no
 * new lock is mirrored beside a missing old one; other files grant as
 * soon as the node is live. A range a local process took in
 * between cannot be had back: logged; the records still refuse it to
 * every NFS and SMB client.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "nfs_core.h"
#include "sal_data.h"
#include "sal_functions.h"
#include "ulmfsal.h"

/* A file whose locks were let go below. */
struct below_file {
	size_t len;
	uint8_t key[ULM_KEY_MAX];
};

/* Changed by the fence watch thread only, under the lock; workers
 * look at the files while the flag says some are let go. */
static struct {
	atomic_bool released;
	pthread_rwlock_t lock;
	struct below_file *files;
	size_t count, cap;
} below = {.lock = PTHREAD_RWLOCK_INITIALIZER};

struct below_count {
	size_t done, refused;
};

static bool same_file(const struct below_file *f, const struct ulm_key *key)
{
	return f->len == key->len && memcmp(f->key, key->data, key->len) == 0;
}

/**
 * @brief Are the file's locks let go below and not taken again yet? Then
 * no lock may be granted on it.
 */
bool ulmfsal_below_released(const struct ulm_key *key)
{
	bool found = false;

	if (!atomic_load(&below.released))
		return false;
	PTHREAD_RWLOCK_rdlock(&below.lock);
	for (size_t i = 0; i < below.count && !found; i++)
		found = same_file(&below.files[i], key);
	PTHREAD_RWLOCK_unlock(&below.lock);
	return found;
}

/* A file this node holds locks on in its current epoch. The records of
 * one file come one after another: compare with the last file only. */
static int note_file(const struct ulm_key *file,
		     const struct ulm_lock_info *info, void *arg)
{
	uint32_t epoch = *(const uint32_t *)arg;

	if ((info->type != ULM_REC_LOCK_READ &&
	     info->type != ULM_REC_LOCK_WRITE) ||
	    info->node != ULMFSAL.config.node_id || info->epoch != epoch ||
	    (below.count && same_file(&below.files[below.count - 1], file)))
		return 0;
	if (below.count == below.cap) {
		below.cap = below.cap ? 2 * below.cap : 64;
		below.files = gsh_realloc(below.files,
					  below.cap * sizeof(*below.files));
	}
	below.files[below.count].len = file->len;
	memcpy(below.files[below.count].key, file->data, file->len);
	below.count++;
	return 0;
}

/* Ganesha's granted locks on @p obj taken through this export (those
 * @p pick keeps, narrowed by it, when given), each unlocked or locked
 * again in the sub-FSAL through @p ours (our handle of the same file).
 * Under the file's state lock, as Ganesha's own lock calls: no request
 * changes the list meanwhile. */
static void walk_entries(struct ulmfsal_admin_export *ax,
			 struct fsal_obj_handle *obj,
			 struct fsal_obj_handle *ours, fsal_lock_op_t op,
			 const struct ulmfsal_below_pick *pick,
			 struct below_count *n)
{
	struct fsal_obj_handle *sub = ulmfsal_sub(ours);
	struct glist_head *glist;
	state_lock_entry_t *sle;
	fsal_lock_param_t range;
	fsal_status_t status;

	STATELOCK_lock(obj);
	glist_for_each(glist, &obj->state_hdl->file.lock_list)
	{
		sle = glist_entry(glist, state_lock_entry_t, sle_list);
		if (sle->sle_export != op_ctx->ctx_export ||
		    sle->sle_blocked != STATE_NON_BLOCKING)
			continue;
		range = sle->sle_lock;
		if (pick && !pick->fn(sle->sle_owner, &range, pick->arg))
			continue;
		status = ULMFSAL_CALL_IN(
			ax->ours->sub_export,
			sub->obj_ops->lock_op2(sub, sle->sle_state,
					       sle->sle_owner, op, &range,
					       NULL));
		if (!FSAL_IS_ERROR(status)) {
			n->done++;
			continue;
		}
		n->refused++;
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: the sub-FSAL refused to %s [%" PRIu64
			", +%" PRIu64 "] of a client of this node: %s%s",
			op == FSAL_OP_LOCK ? "lock again" : "unlock",
			sle->sle_lock.lock_start, sle->sle_lock.lock_length,
			msg_fsal_err(status.major),
			op == FSAL_OP_LOCK
				? " (a local process took it meanwhile); the "
				  "lock store still refuses it to every NFS "
				  "and SMB client"
				: "");
	}
	STATELOCK_unlock(obj);
}

/* The file's Ganesha object and our handle of it in the entered export:
 * create_handle may rewrite the key in place, so each gets a copy. */
static void walk_export(struct ulmfsal_admin_export *ax,
			const struct below_file *f, fsal_lock_op_t op,
			const struct ulmfsal_below_pick *pick,
			struct below_count *n)
{
	struct fsal_obj_handle *obj = NULL, *ours = NULL;
	uint8_t key[ULM_KEY_MAX];
	struct gsh_buffdesc desc = {.addr = key, .len = f->len};
	fsal_status_t status;

	memcpy(key, f->key, f->len);
	status = op_ctx->fsal_export->exp_ops.create_handle(op_ctx->fsal_export,
							    &desc, &obj, NULL);
	if (FSAL_IS_ERROR(status))
		return;
	memcpy(key, f->key, f->len);
	desc.len = f->len;
	status = ULMFSAL_CALL_IN(
		ax->ours,
		ax->ours->exp_ops.create_handle(ax->ours, &desc, &ours, NULL));
	if (!FSAL_IS_ERROR(status)) {
		walk_entries(ax, obj, ours, op, pick, n);
		ULMFSAL_CALL_IN_VOID(ax->ours, ours->obj_ops->release(ours));
	}
	obj->obj_ops->put_ref(obj);
}

static struct below_count walk_files(const struct below_file *files,
				     size_t count, fsal_lock_op_t op,
				     const struct ulmfsal_below_pick *pick)
{
	uint16_t ids[ULMFSAL_ADMIN_EXPORTS_MAX];
	size_t n = ulmfsal_admin_export_ids(ids, ULMFSAL_ADMIN_EXPORTS_MAX);
	struct ulmfsal_admin_export ax;
	struct below_count done = {0, 0};

	for (size_t i = 0; i < n; i++) {
		if (ulmfsal_admin_enter(ids[i], &ax) != 0)
			continue;
		for (size_t f = 0; f < count; f++)
			walk_export(&ax, &files[f], op, pick, &done);
		ulmfsal_admin_leave(&ax);
	}
	return done;
}

/**
 * @brief Unlock in the sub-FSAL the locks of Ganesha's lists on @p file
 * that @p pick keeps (and narrows), Ganesha's state kept.
 * @return how many were unlocked
 */
size_t ulmfsal_below_let_go(const struct ulm_key *file,
			    const struct ulmfsal_below_pick *pick)
{
	struct below_file f = {.len = file->len};

	memcpy(f.key, file->data, file->len);
	return walk_files(&f, 1, FSAL_OP_UNLOCK, pick).done;
}

/**
 * @brief This node's lease ended: let go of its locks below. From now
 * on, until ulmfsal_below_retake(), it grants no lock on those files.
 */
void ulmfsal_below_release(void)
{
	uint32_t epoch = ulm_env_epoch(ulmfsal_env());
	struct below_count n;

	if (admin_shutdown || atomic_load(&below.released))
		return;
	/* The files first: a lock on one of them is refused from now on. */
	PTHREAD_RWLOCK_wrlock(&below.lock);
	below.count = 0;
	(void)ulm_lock_list_cached(ulmfsal_env(), note_file, &epoch);
	atomic_store(&below.released, true);
	PTHREAD_RWLOCK_unlock(&below.lock);
	n = walk_files(below.files, below.count, FSAL_OP_UNLOCK, NULL);
	LogMajor(COMPONENT_FSAL,
		 "UNIFIED: this node's liveness lease ended: another node may "
		 "take it over now; %zu locks of its clients on %zu files let "
		 "go in the sub-FSAL for their reclaims there (%zu refused); "
		 "the lock store and Ganesha keep them",
		 n.done, below.count, n.refused);
}

/**
 * @brief This node is live again after its lease ended, not taken over:
 * lock below again what its clients still hold, then grant again.
 */
void ulmfsal_below_retake(void)
{
	struct below_count n;

	if (!atomic_load(&below.released))
		return;
	n = walk_files(below.files, below.count, FSAL_OP_LOCK, NULL);
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: live again without a takeover: %zu locks of its "
		 "clients on %zu files taken again in the sub-FSAL (%zu "
		 "refused); granting again",
		 n.done, below.count, n.refused);
	PTHREAD_RWLOCK_wrlock(&below.lock);
	atomic_store(&below.released, false);
	below.count = 0;
	PTHREAD_RWLOCK_unlock(&below.lock);
}
