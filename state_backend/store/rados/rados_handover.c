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
#include "rados_store.h"

#define ASK_TIMEOUT_MS 5000
#define PURGE_TRIES    100

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
	char *reply = NULL;
	size_t len = 0;

	/* Acked once done; a holder that died meanwhile times out, and the
	 * next look finds it dead. Given up on (a hung OSD): looked again. */
	rados_notify_bounded(f->store, f->oid, &kind, 1, ASK_TIMEOUT_MS,
			     rados_deadline(f->store, ASK_TIMEOUT_MS), &reply,
			     &len);
	rados_buffer_free(reply);
}

/* Remove the token the object holds at @version. @return 0, 1 (the
 * object moved: look again), or an error */
static int token_clear(struct rados_file *f, uint64_t version)
{
	struct rados_store *s = f->store;
	rados_write_op_t w = rados_create_write_op();
	const char *key = RADOS_TOKEN_KEY;
	size_t key_len = strlen(RADOS_TOKEN_KEY);
	struct rados_token none = {0};
	uint64_t gen = rados_file_gen(f);
	int rc;

	if (!w)
		return -ENOMEM;
	rados_write_op_assert_version(w, version);
	rados_write_op_omap_rm_keys2(w, &key, &key_len, 1);
	rc = rados_write_run(s, w, f->oid, &version);
	rados_release_write_op(w);
	if (rc == -ERANGE || rc == -EOVERFLOW || rc == -ENOENT) {
		rados_file_forget(f);
		return 1;
	}
	if (rc)
		return rados_errno(rc);
	rados_file_learn(f, gen, version, -1, &none);
	rados_file_changed(f);
	return 0;
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
		rc = token_clear(f, version);
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

/* Remove the file's token if it is of @node and an epoch in
 * [@min_epoch, @before_epoch) and this env does not hold it.
 * @return 1 removed, 0 no such token, or an error */
static int token_remove(struct rados_file *f, uint32_t node, uint32_t min_epoch,
			uint32_t before_epoch)
{
	int rc = 1;

	for (int i = 0; rc == 1 && i < PURGE_TRIES; i++) {
		struct rados_token t;
		uint64_t version;

		rc = rados_file_state(f, &version, &t);
		if (rc)
			return rc;
		if (rados_token_held(f) || !t.present || t.node != node ||
		    t.epoch < min_epoch || t.epoch >= before_epoch)
			return 0;
		rc = token_clear(f, version);
		if (!rc)
			return 1;
	}
	return rc == 1 ? -EIO : rc;
}

int rados_token_clear_own(struct rados_file *f)
{
	struct rados_store *s = f->store;
	int rc = token_remove(f, s->node_id, s->epoch, s->epoch + 1);

	return rc < 0 ? rc : 0;
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
		rc = token_remove(f, node, 0, before_epoch);
	else
		rc = rados_errno(rc);
	rados_file_put(f);
	return rc;
}
