// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file recall.c
 * @brief FSAL UNIFIED: which export's up-calls reach the holders of the
 * delegations this node granted, so that a recall libulm sends here
 * (from any node) becomes Ganesha's own recall (CB_RECALL, then revoke
 * if the client does not return it within the lease).
 */
#include <string.h>

#include "nfs_core.h"
#include "sal_functions.h"
#include "stats.h"
#include "ulmfsal.h"

struct recall_target {
	struct recall_target *next;
	const struct fsal_up_vector *up_ops;
	unsigned holders; /**< delegations granted on this file here */
	uint16_t key_len;
	uint8_t key[ULM_KEY_MAX];
};

static pthread_mutex_t recall_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t recall_idle = PTHREAD_COND_INITIALIZER;
static unsigned recalls_in_flight; /**< up-calls running, under the mutex */
static struct recall_target *recall_targets;

static struct recall_target **target_find(const struct ulm_key *key)
{
	struct recall_target **t = &recall_targets;

	for (; *t; t = &(*t)->next)
		if ((*t)->key_len == key->len &&
		    memcmp((*t)->key, key->data, key->len) == 0)
			return t;
	return t;
}

void ulmfsal_recall_add(const struct ulm_key *key,
			const struct fsal_up_vector *up_ops)
{
	struct recall_target **t;

	PTHREAD_MUTEX_lock(&recall_mutex);
	t = target_find(key);
	if (*t == NULL) {
		*t = gsh_calloc(1, sizeof(**t));
		(*t)->key_len = key->len;
		memcpy((*t)->key, key->data, key->len);
	}
	(*t)->up_ops = up_ops;
	(*t)->holders++;
	PTHREAD_MUTEX_unlock(&recall_mutex);
}

void ulmfsal_recall_remove(const struct ulm_key *key)
{
	struct recall_target **t, *gone = NULL;

	PTHREAD_MUTEX_lock(&recall_mutex);
	t = target_find(key);
	if (*t && --(*t)->holders == 0) {
		gone = *t;
		*t = gone->next;
	}
	PTHREAD_MUTEX_unlock(&recall_mutex);
	gsh_free(gone);
}

void ulmfsal_recall_forget_export(const struct fsal_up_vector *up_ops)
{
	struct recall_target **t, *gone;

	PTHREAD_MUTEX_lock(&recall_mutex);
	while (recalls_in_flight)
		pthread_cond_wait(&recall_idle, &recall_mutex);
	for (t = &recall_targets; *t;) {
		if ((*t)->up_ops != up_ops) {
			t = &(*t)->next;
			continue;
		}
		gone = *t;
		*t = gone->next;
		gsh_free(gone);
	}
	PTHREAD_MUTEX_unlock(&recall_mutex);
}

/*
 * Not under the mutex: Ganesha's delegrecall takes the file's state lock,
 * which DELEGRETURN holds while it calls lease_op2 (and so
 * ulmfsal_recall_remove). An export going away waits in
 * ulmfsal_recall_forget_export until no up-call is in flight. True if
 * Ganesha took the recall.
 */
bool ulmfsal_recall_send(const struct ulm_key *key)
{
	const struct fsal_up_vector *up_ops = NULL;
	uint8_t handle_key[ULM_KEY_MAX];
	struct gsh_buffdesc desc = {.addr = handle_key, .len = key->len};
	struct recall_target *t;
	state_status_t rc;

	memcpy(handle_key, key->data, key->len);
	PTHREAD_MUTEX_lock(&recall_mutex);
	t = *target_find(key);
	if (t != NULL) {
		up_ops = t->up_ops;
		recalls_in_flight++;
	}
	PTHREAD_MUTEX_unlock(&recall_mutex);
	if (up_ops == NULL) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: recall for a file with no delegation here "
			 "(already returned)");
		return false;
	}
	rc = up_ops->delegrecall(up_ops, &desc);
	PTHREAD_MUTEX_lock(&recall_mutex);
	if (--recalls_in_flight == 0)
		pthread_cond_broadcast(&recall_idle);
	PTHREAD_MUTEX_unlock(&recall_mutex);
	if (rc != STATE_SUCCESS) {
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: Ganesha refused to recall a delegation: %s",
			 state_err_str(rc));
		return false;
	}
	ulmfsal_stats_count(ULMFSAL_STAT_RECALL);
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: recalling the delegations of a file");
	return true;
}
