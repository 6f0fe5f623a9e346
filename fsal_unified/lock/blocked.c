// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file blocked.c
 * @brief FSAL UNIFIED: the NLM requests this node answered "blocked".
 *
 * Such a request waits in libulm's queue for the file. When locks go away
 * (on any node), libulm wakes this node with the waiter's record; this
 * file finds Ganesha's blocked request and says "lock available", and
 * Ganesha asks lock_op2 (LOCKB) again and sends NLM_GRANTED. Ganesha treats
 * an up-call for a request it no longer has as fatal, so an entry lives
 * from the first try until the grant or CANCEL, and the up-call is made
 * under the same mutex those take.
 *
 * One up-call per wait: Ganesha 4.3 runs every up-call it got as a retry
 * (SAL/state_lock.c find_blocked_lock_upcall), even for a request already
 * granted, and each sends one more NLM_GRANTED (a client that answers the
 * extra one "denied" makes Ganesha drop the lock it holds). A wake that
 * comes while Ganesha retries is remembered instead, and the retry tries
 * again at once if it met a conflict: no wake is lost.
 */
#include <string.h>

#include "nfs_core.h"
#include "sal_functions.h"
#include "ulmfsal.h"

enum blocked_phase {
	BLOCKED_TRYING,	 /**< in lock_op2: wakes are remembered */
	BLOCKED_WAITING, /**< queued: the next wake makes the up-call */
	BLOCKED_WOKEN,	 /**< up-call made, Ganesha's retry pending */
};

struct blocked_request {
	struct blocked_request *next;
	const struct fsal_up_vector *up_ops;
	void *owner; /**< Ganesha's, held by its blocked lock entry */
	fsal_lock_param_t lock;
	enum blocked_phase phase;
	bool missed; /**< a wake came while not waiting */
	uint8_t protocol;
	uint16_t key_len;
	uint16_t client_len;
	uint16_t owner_len;
	uint8_t bytes[]; /**< key, client, owner */
};

static pthread_mutex_t blocked_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct blocked_request *blocked_list;

static bool same_key(const struct blocked_request *b, const struct ulm_key *k)
{
	return b->key_len == k->len && memcmp(b->bytes, k->data, k->len) == 0;
}

static bool same_lock(const fsal_lock_param_t *a, const fsal_lock_param_t *b)
{
	return a->lock_start == b->lock_start &&
	       a->lock_length == b->lock_length;
}

static struct blocked_request *
blocked_new(const struct ulm_key *key, void *owner, const struct ulm_owner *id,
	    const fsal_lock_param_t *lock, const struct fsal_up_vector *up_ops)
{
	struct blocked_request *b = gsh_malloc(sizeof(*b) + key->len +
					       id->client_len + id->owner_len);

	b->up_ops = up_ops;
	b->owner = owner;
	b->lock = *lock;
	b->phase = BLOCKED_TRYING;
	b->missed = false;
	b->protocol = id->protocol;
	b->key_len = key->len;
	b->client_len = id->client_len;
	b->owner_len = id->owner_len;
	memcpy(b->bytes, key->data, key->len);
	memcpy(b->bytes + key->len, id->client, id->client_len);
	memcpy(b->bytes + key->len + id->client_len, id->owner, id->owner_len);
	return b;
}

/* The slot of Ganesha's request (@p owner, @p lock) on @p key.
 * @pre blocked_mutex held */
static struct blocked_request **blocked_slot(const struct ulm_key *key,
					     void *owner,
					     const fsal_lock_param_t *lock)
{
	struct blocked_request **b = &blocked_list;

	while (*b && !((*b)->owner == owner && same_key(*b, key) &&
		       same_lock(&(*b)->lock, lock)))
		b = &(*b)->next;
	return b;
}

void ulmfsal_blocked_try(const struct ulm_key *key, void *owner,
			 const struct ulm_owner *id,
			 const fsal_lock_param_t *lock,
			 const struct fsal_up_vector *up_ops)
{
	struct blocked_request *fresh =
		blocked_new(key, owner, id, lock, up_ops);
	struct blocked_request **b;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	b = blocked_slot(key, owner, lock);
	if (*b) {
		(*b)->phase = BLOCKED_TRYING;
		(*b)->missed = false;
	} else {
		fresh->next = blocked_list;
		blocked_list = fresh;
		fresh = NULL;
	}
	PTHREAD_MUTEX_unlock(&blocked_mutex);
	gsh_free(fresh);
}

bool ulmfsal_blocked_wait(const struct ulm_key *key, void *owner,
			  const fsal_lock_param_t *lock)
{
	struct blocked_request *b;
	bool again = false;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	b = *blocked_slot(key, owner, lock);
	if (b && b->missed)
		again = true;
	else if (b)
		b->phase = BLOCKED_WAITING;
	if (b)
		b->missed = false;
	PTHREAD_MUTEX_unlock(&blocked_mutex);
	return again;
}

bool ulmfsal_blocked_remove(const struct ulm_key *key, void *owner,
			    const fsal_lock_param_t *lock)
{
	struct blocked_request **b, *gone;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	b = blocked_slot(key, owner, lock);
	gone = *b;
	if (gone)
		*b = gone->next;
	PTHREAD_MUTEX_unlock(&blocked_mutex);
	gsh_free(gone);
	return gone != NULL;
}

size_t ulmfsal_blocked_count(void)
{
	const struct blocked_request *b;
	size_t n = 0;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	for (b = blocked_list; b; b = b->next)
		n++;
	PTHREAD_MUTEX_unlock(&blocked_mutex);
	return n;
}

void ulmfsal_blocked_forget_export(const struct fsal_up_vector *up_ops)
{
	struct blocked_request **b, *gone;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	for (b = &blocked_list; *b;) {
		if ((*b)->up_ops != up_ops) {
			b = &(*b)->next;
			continue;
		}
		gone = *b;
		*b = gone->next;
		gsh_free(gone);
	}
	PTHREAD_MUTEX_unlock(&blocked_mutex);
}

/* Is @b the request libulm's queued record @w stands for? */
static bool is_waiter(const struct blocked_request *b,
		      const struct ulm_lock_info *w)
{
	const uint8_t *client = b->bytes + b->key_len;
	uint64_t start, end;

	ulm_range_from_length(b->lock.lock_start, b->lock.lock_length, &start,
			      &end);
	return b->protocol == w->protocol && b->client_len == w->client_len &&
	       b->owner_len == w->owner_len && start == w->start &&
	       end == w->end && memcmp(client, w->client, w->client_len) == 0 &&
	       memcmp(client + b->client_len, w->owner, w->owner_len) == 0;
}

void ulmfsal_blocked_wake(const struct ulm_key *key,
			  const struct ulm_lock_info *waiter)
{
	struct blocked_request *b;
	struct gsh_buffdesc desc;
	state_status_t rc;

	PTHREAD_MUTEX_lock(&blocked_mutex);
	for (b = blocked_list; b; b = b->next) {
		if (!same_key(b, key) || !is_waiter(b, waiter))
			continue;
		if (b->phase != BLOCKED_WAITING) {
			b->missed = true;
			break;
		}
		b->phase = BLOCKED_WOKEN;
		desc.addr = b->bytes;
		desc.len = b->key_len;
		rc = b->up_ops->lock_avail(b->up_ops, &desc, b->owner,
					   &b->lock);
		if (rc != STATE_SUCCESS)
			LogMajor(COMPONENT_FSAL,
				 "UNIFIED: Ganesha refused a lock-available "
				 "up-call: %s",
				 state_err_str(rc));
		break;
	}
	PTHREAD_MUTEX_unlock(&blocked_mutex);
}
