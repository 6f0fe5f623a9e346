// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file adopted.c
 * @brief FSAL UNIFIED: another node took over lock records of a client of
 * this node (ULM_EVENT_ADOPTED): let go of the kernel locks that mirror
 * them here, so that the new node can take them below.
 *
 * An NFSv4 client whose service address moved to another node (a planned
 * move) locks anew there with the same lock-owner, and libulm hands its
 * records over to that node (engine/recovery.h, handover_asked). This
 * node's Ganesha still holds the client's old clientid and its locks in
 * the sub-FSAL until the client expires here, one lease later: a kernel
 * (OFD) lock would refuse the new node's. So its locks of that identity
 * over the range taken are unlocked below; Ganesha keeps its state, and
 * its later expiry releases nothing of the store's (the records are the
 * other node's owner now: libulm's owners include the node). Events are
 * hints: nothing is let go while this node still holds a record of that
 * identity over the range.
 */
#include <string.h>

#include "sal_data.h"
#include "stats.h"
#include "ulmfsal.h"

static bool is_lock(enum ulm_record_type type)
{
	return type == ULM_REC_LOCK_READ || type == ULM_REC_LOCK_WRITE;
}

static bool same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool same_client_owner(const struct ulm_owner *o,
			      const struct ulm_lock_info *r)
{
	return o->protocol == r->protocol &&
	       same_bytes(o->client, o->client_len, r->client, r->client_len) &&
	       same_bytes(o->owner, o->owner_len, r->owner, r->owner_len);
}

/* A lock of this node, of the taken record's identity, over its range. */
static int still_ours(const struct ulm_key *file,
		      const struct ulm_lock_info *info, void *arg)
{
	const struct ulm_lock_info *taken = arg;
	struct ulm_owner held = {
		.protocol = info->protocol,
		.client = info->client,
		.client_len = info->client_len,
		.owner = info->owner,
		.owner_len = info->owner_len,
	};

	(void)file;
	return is_lock(info->type) && info->node == ULMFSAL.config.node_id &&
	       info->start <= taken->end && taken->start <= info->end &&
	       same_client_owner(&held, taken);
}

/* Ganesha's lock of the taken identity, narrowed to the range taken. */
static bool pick_taken(const void *state_owner, fsal_lock_param_t *range,
		       void *arg)
{
	const struct ulm_lock_info *taken = arg;
	struct ulmfsal_owner owner;
	uint64_t start, end;

	if (ulmfsal_owner_init(&owner, state_owner, ULMFSAL.config.node_id,
			       ULM_OWNER_LOCK) != 0 ||
	    !same_client_owner(&owner.id, taken))
		return false;
	ulm_range_from_length(range->lock_start, range->lock_length, &start,
			      &end);
	if (start > taken->end || taken->start > end)
		return false;
	start = start > taken->start ? start : taken->start;
	end = end < taken->end ? end : taken->end;
	range->lock_start = start;
	range->lock_length = end == ULM_EOF ? 0 : end - start + 1;
	return true;
}

/**
 * @brief Another node took over @p record (as it was) on @p file: unlock
 * below what this node's Ganesha holds of it.
 */
void ulmfsal_adopted(const struct ulm_key *file,
		     const struct ulm_lock_info *record)
{
	struct ulmfsal_below_pick pick = {pick_taken, (void *)record};
	int rc;
	size_t n;

	if (!is_lock(record->type))
		return;
	rc = ULMFSAL_STORE(
		ulm_lock_list(ulmfsal_env(), file, still_ours, (void *)record));
	if (rc != 0) {
		if (rc < 0)
			LogMajor(COMPONENT_FSAL,
				 "UNIFIED: a lock of a client of this node "
				 "was taken over by another node, but this "
				 "node cannot read the file's records: %s; "
				 "its kernel lock stays until the client "
				 "expires here",
				 ulm_strerror(rc));
		return;
	}
	n = ulmfsal_below_let_go(file, &pick);
	/* An NLM client forgotten at the move held nothing here any more. */
	if (n == 0)
		return;
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: [%" PRIu64 ", %" PRIu64
		 "] of a client of this node was taken over through another "
		 "node (the client moved with its service address): %zu of "
		 "its locks let go in the sub-FSAL; Ganesha keeps its state "
		 "until the client expires here",
		 record->start, record->end, n);
}
