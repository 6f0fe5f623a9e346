// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file process_purge.c
 * @brief FSAL UNIFIED: the records of dead per-process nodes (smbd
 * processes with vfs_ulm, node ids from ULM_NODE_PROCESS_MIN) go within
 * about one lease, whichever machine they ran on.
 *
 * An smbd killed with -9 released nothing, and nobody reclaims for it
 * (docs/smb.md). Ganesha runs on every node for as long as the store is
 * in use, whereas an smbd process lives only as long as its SMB
 * connection, so this thread, not smbd, purges them: every scan lists the
 * store's nodes and purges, once per (node, epoch), each per-process node
 * that is not live (RADOS: its lease lapsed; LMDB: its process is gone).
 * A live node is never purged.
 */
#include <errno.h>
#include <stdlib.h>

#include "ulmfsal.h"

/* Purges per scan: the rest wait for the next scan. */
#define PROCESS_PURGE_MAX 64

/* A dead per-process node seen, and purged if epoch != 0. */
struct dead_node {
	uint32_t node;
	uint32_t epoch;
};

/* Dead nodes already purged, ascending (ulm_node_list()'s order). */
static struct {
	struct dead_node *node;
	size_t n;
} purged;

struct scan {
	size_t cursor; /* into purged */
	struct dead_node *seen;
	size_t n_seen, cap;
	size_t to_purge[PROCESS_PURGE_MAX]; /* indexes into seen */
	size_t n_purge;
};

static bool purged_before(struct scan *s, const struct ulm_node_info *info)
{
	while (s->cursor < purged.n && purged.node[s->cursor].node < info->node)
		s->cursor++;
	return s->cursor < purged.n &&
	       purged.node[s->cursor].node == info->node &&
	       purged.node[s->cursor].epoch == info->epoch;
}

static int seen_add(struct scan *s, const struct ulm_node_info *info)
{
	if (s->n_seen == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct dead_node *seen = realloc(s->seen, cap * sizeof(*seen));

		if (seen == NULL)
			return -ENOMEM;
		s->seen = seen;
		s->cap = cap;
	}
	s->seen[s->n_seen++] = (struct dead_node){info->node, info->epoch};
	return 0;
}

/* A visitor may not change the store: gather, purge after the walk. */
static int dead_visit(const struct ulm_node_info *info, void *arg)
{
	struct scan *s = arg;
	bool known;

	if (info->node < ULM_NODE_PROCESS_MIN || info->live)
		return 0;
	known = purged_before(s, info);
	if (!known && s->n_purge == PROCESS_PURGE_MAX)
		return 0;
	if (seen_add(s, info) != 0)
		return -ENOMEM;
	if (!known)
		s->to_purge[s->n_purge++] = s->n_seen - 1;
	return 0;
}

static void purge_one(ulm_env *env, struct dead_node *dead)
{
	uint64_t n = 0;
	int rc = ulm_node_purge(env, dead->node, dead->epoch + 1, &n);

	if (rc != 0) {
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: purging the records of dead smbd node "
			 "%" PRIu32 ": %s; retried at the next scan",
			 dead->node, ulm_strerror(rc));
		dead->epoch = 0; /* no epoch is 0: not purged */
	} else if (n != 0) {
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: purged %" PRIu64
			 " records of dead smbd node %" PRIu32
			 " (epoch %" PRIu32 ")",
			 n, dead->node, dead->epoch);
	}
}

/**
 * @brief Purge the records of per-process nodes that died since the last
 * scan (all dead ones at the first scan). Grace thread only.
 */
void ulmfsal_process_purge(ulm_env *env)
{
	struct scan s = {0};
	int rc = ulm_node_list(env, dead_visit, &s);

	if (rc != 0) {
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: listing the store's nodes: %s",
			 ulm_strerror(rc));
		free(s.seen);
		return;
	}
	for (size_t i = 0; i < s.n_purge; i++)
		purge_one(env, &s.seen[s.to_purge[i]]);
	/* Nodes no longer listed dead (gone, or live again in a new epoch)
	 * drop out: the set stays as large as the dead nodes in the store. */
	free(purged.node);
	purged.node = s.seen;
	purged.n = s.n_seen;
}

/** @brief Forget what was purged (the grace thread stopped). */
void ulmfsal_process_purge_stop(void)
{
	free(purged.node);
	purged.node = NULL;
	purged.n = 0;
}
