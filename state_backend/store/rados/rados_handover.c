/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * File tokens, the other nodes' side (the holder's: rados_tokens.c). A
 * node reads a file's token with its object. When another node holds it,
 * the object may be behind that node's memory, so nothing read from it
 * is used yet:
 *  - a live holder (its lease held, the token of its current epoch) is
 *    asked to write what it holds and give the token back: an 'H' notify
 *    on the file's object, acked once done; the asker then reads again.
 *    A read-only env asks 'F' instead: write it all, keep the token.
 *  - a dead holder (its lease lapsed, or the token is of an earlier
 *    epoch: it restarted) cannot be asked, and what it granted may be
 *    nowhere but in its clients' hands. The file is frozen: only
 *    reclaims may grant on it (the engine answers ULM_EGRACE), until
 *    ulm_node_purge() of that node removes the token.
 *  - a token of this very node and epoch that this process does not hold
 *    (its state there was lost: see rados_tokens.c) is removed.
 */
#include <errno.h>
#include <string.h>
#include "clock.h"
#include "rados_handover.h"

enum verdict {
	VERDICT_FREE,	/* no token */
	VERDICT_MINE,	/* ours, in memory */
	VERDICT_LIVE,	/* another live node's */
	VERDICT_DEAD,	/* a dead node's: frozen */
	VERDICT_ORPHAN, /* ours, lost from memory */
};

static int verdict_of(struct rados_file *f, const struct rados_token *t,
		      enum verdict *v)
{
	struct rados_store *s = f->store;
	uint32_t epoch;
	bool live;
	int rc;

	*v = VERDICT_FREE;
	if (rados_token_held(f))
		*v = VERDICT_MINE;
	if (*v == VERDICT_MINE || !t->present)
		return 0;
	if (!s->read_only && t->node == s->node_id && t->epoch == s->epoch) {
		*v = VERDICT_ORPHAN;
		return 0;
	}
	rc = rados_node_state(s, t->node, &epoch, &live);
	if (rc)
		return rc; /* nothing was learnt (an OSD hang) */
	*v = live && epoch == t->epoch ? VERDICT_LIVE : VERDICT_DEAD;
	return 0;
}

static void ask(struct rados_file *f, char kind)
{
	uint64_t started = clock_now_ns();
	char *reply = NULL;
	size_t len = 0;

	/* Acked once done; a holder that died meanwhile times out, and the
	 * next look finds it dead. Given up on (a hung OSD): looked again. */
	rados_notify_bounded(f->store, f->oid, &kind, 1, f->store->peer_wait_ms,
			     rados_deadline(f->store, f->store->peer_wait_ms),
			     &reply, &len);
	rados_buffer_free(reply);
	if (kind == RADOS_NOTIFY_HANDOVER)
		latency_add(&f->store->handover_asked,
			    (clock_now_ns() - started) / 1000);
}

void rados_token_stats(struct ulm_store *store, struct ulm_token_stats *st)
{
	struct rados_store *s = (struct rados_store *)store;

	st->taken = atomic_load(&s->tokens_taken);
	st->given = atomic_load(&s->tokens_given);
	latency_read(&s->handover_asked, &st->asked);
}

int rados_token_settle(struct rados_file *f, const struct rados_token *t,
		       uint64_t version, unsigned int attempt)
{
	bool read_only = f->store->read_only;
	enum verdict v;
	int rc = verdict_of(f, t, &v);

	if (rc)
		return rc;
	rados_token_frozen_set(f, v == VERDICT_DEAD);
	if (v == VERDICT_ORPHAN) {
		rc = rados_token_clear(f, version);
		return rc ? rc : 1;
	}
	if (v != VERDICT_LIVE || (read_only && attempt))
		return 0; /* a reader takes what its flush request wrote */
	ask(f, read_only ? RADOS_NOTIFY_FLUSH : RADOS_NOTIFY_HANDOVER);
	rados_file_forget(f);
	return 1;
}

int rados_file_frozen(struct ulm_store *store, const struct ulm_key *file)
{
	struct rados_file *f =
		rados_file_get((struct rados_store *)store, file);
	int frozen;

	if (!f)
		return -ENOMEM;
	frozen = rados_token_frozen(f);
	rados_file_put(f);
	return frozen;
}

int rados_token_purge(struct ulm_store *store, const struct ulm_key *file,
		      uint32_t node, uint32_t before_epoch)
{
	struct rados_store *s = (struct rados_store *)store;
	struct rados_file *f;
	int rc;

	if (s->read_only)
		return -EROFS;
	f = rados_file_get(s, file);
	if (!f)
		return -ENOMEM;
	rc = rados_file_watch(f);
	if (rc == -ENOENT)
		rc = 0; /* no object, no token */
	else if (!rc)
		rc = rados_token_remove(f, node, 0, before_epoch);
	else
		rc = rados_errno(rc);
	rados_file_put(f);
	return rc;
}
