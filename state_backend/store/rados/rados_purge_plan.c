/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The plan of a dead node's purge, made by its recovery count. A takeover
 * counts the node's records (ulm_recovery_pending(), again and again
 * during grace) before it purges them at grace end, and both read every
 * file object: the count's scan also keeps, of each file the purge would
 * write, the version read and the ids of the records to remove, so that
 * the purge sends its guarded writes without reading again
 * (rados_purge.c). A file changed since (a reclaim, a grant) fails the
 * version guard and is purged the engine's way, which reads it again;
 * nothing new of the dead node can appear in between (it writes nothing
 * in the epochs purged), so a file the count saw without its records
 * needs no write. The last count's plan only, for the node and epochs it
 * counted; the purge takes it, any other count replaces it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rados_ops.h"

struct memo_scan {
	struct scan_listing show;
	struct purge_of who;
	struct purge_pick pick;
	struct purge_memo *memo;
};

static void planned_free(struct planned_file *f)
{
	free(f->oid);
	free(f->del);
}

void rados_purge_memo_free(struct purge_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		planned_free(&m->files[i]);
	free(m->files);
	free(m);
}

/* Keep what the purge would do with the file, if anything. */
static int memo_add(struct memo_scan *ms, const struct scan_file *file)
{
	struct purge_memo *m = ms->memo;
	const struct purge_pick *pick = &ms->pick;
	struct planned_file *f;

	if (!pick->engine && !pick->token && !pick->n_del)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;

		f = realloc(m->files, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		m->files = f;
		m->cap = cap;
	}
	f = &m->files[m->n];
	*f = (struct planned_file){.oid = strdup(file->oid),
				   .version = file->version,
				   .token = *file->token,
				   .engine = pick->engine,
				   .token_go = pick->token,
				   .n_del = pick->n_del};
	if (pick->n_del)
		f->del = malloc(pick->n_del * sizeof(*f->del));
	if (!f->oid || (pick->n_del && !f->del)) {
		planned_free(f);
		return -ENOMEM;
	}
	if (pick->n_del)
		memcpy(f->del, pick->del, pick->n_del * sizeof(*f->del));
	m->n++;
	return 0;
}

static int memo_take(const struct scan_file *file, void *arg)
{
	struct memo_scan *ms = arg;
	int rc = rados_scan_show(file, &ms->show);

	if (!rc)
		rc = rados_purge_pick(file, &ms->who, &ms->pick);
	return rc ? rc : memo_add(ms, file);
}

/* The new plan replaces the last one; a count that failed keeps none. */
static void memo_keep(struct rados_store *s, struct purge_memo *m)
{
	struct purge_memo *old;

	pthread_mutex_lock(&s->memo_mutex);
	old = s->memo;
	s->memo = m;
	pthread_mutex_unlock(&s->memo_mutex);
	rados_purge_memo_free(old);
}

int rados_recovery_scan(struct ulm_store *store, uint32_t node,
			uint32_t before_epoch, store_scan_fn fn, void *arg,
			store_purge_fn plan, void *plan_arg)
{
	struct rados_store *s = (struct rados_store *)store;
	struct memo_scan ms = {.show = {fn, arg},
			       .who = {node, before_epoch, plan, plan_arg},
			       .memo = calloc(1, sizeof(*ms.memo))};
	int rc;

	if (!ms.memo)
		return -ENOMEM;
	ms.memo->node = node;
	ms.memo->before_epoch = before_epoch;
	rc = rados_pool_scan(s, memo_take, &ms);
	free(ms.pick.del);
	if (rc) {
		rados_purge_memo_free(ms.memo);
		ms.memo = NULL;
	}
	memo_keep(s, ms.memo);
	return rc;
}

struct purge_memo *rados_purge_memo_take(struct rados_store *s, uint32_t node,
					 uint32_t before_epoch)
{
	struct purge_memo *m;

	pthread_mutex_lock(&s->memo_mutex);
	m = s->memo;
	s->memo = NULL;
	pthread_mutex_unlock(&s->memo_mutex);
	if (m && (m->node != node || m->before_epoch != before_epoch)) {
		rados_purge_memo_free(m);
		m = NULL;
	}
	return m;
}
