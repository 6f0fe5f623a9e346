/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A release must never be lost: once Ganesha dropped a lock, a share or
 * a delegation (an unlock, a close, a return, a client's expiry), the
 * store must drop it too, or the record blocks everyone for good. While
 * this node is fenced, its write failed, or the node holding the file's
 * token does not answer, the store cannot take it now: the release is
 * kept here and the caller told it is done. The record
 * stays in the store until the replay, so the range is refused to others
 * meanwhile (never granted twice); this node replays every kept release,
 * oldest first, before it grants anything again (backlog_settle()) and
 * from a thread as soon as it is live, so the other nodes get the range
 * without waiting for a request here. A grant waits only for the kept
 * releases of its own file, which are all its table still differs by.
 *
 * A replay releases by owner, and an owner names its node: if this node
 * was taken for dead meanwhile and its records purged or taken over by
 * another node, the replay finds nothing and writes nothing. If the
 * process dies with releases kept, its next start's grace purge removes
 * every record of its earlier epoch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "backlog.h"
#include "call_bound.h"
#include "clock.h"
#include "env.h"

#define REPLAY_RETRY_MS 100

struct kept_release {
	struct kept_release *next;
	release_fn fn;
	struct ulm_key file;
	struct ulm_owner owner;
	struct release_range range;
	unsigned char bytes[]; /* file key, client, owner */
};

void backlog_init(struct release_backlog *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->mutex, NULL);
	pthread_mutex_init(&b->replay, NULL);
	clock_cond_init(&b->cond);
	b->tail = &b->head;
}

static struct kept_release *kept_new(release_fn fn, const struct ulm_key *file,
				     const struct ulm_owner *owner,
				     const struct release_range *range)
{
	size_t len = file->len + owner->client_len + owner->owner_len;
	struct kept_release *k = malloc(sizeof(*k) + len);
	unsigned char *p;

	if (!k)
		return NULL;
	k->next = NULL;
	k->fn = fn;
	k->range = *range;
	k->owner = *owner;
	p = k->bytes;
	memcpy(p, file->data, file->len);
	k->file = (struct ulm_key){p, file->len};
	p += file->len;
	if (owner->client_len)
		memcpy(p, owner->client, owner->client_len);
	k->owner.client = p;
	p += owner->client_len;
	if (owner->owner_len)
		memcpy(p, owner->owner, owner->owner_len);
	k->owner.owner = p;
	return k;
}

/* Can the store take it later? Anything else would fail again. A node
 * holding the file that does not answer (ULM_EBUSY) will, or its lease
 * lapses and its records go with its purge. A release that timed out
 * may have landed: replayed, it finds nothing to release. */
static bool worth_keeping(int rc)
{
	return rc == ULM_EFENCED || rc == ULM_EBUSY || rc == -ETIMEDOUT ||
	       rc == -EIO || rc == -ENOMEM || rc == -ENOLCK;
}

static void *replay_main(void *arg);

/* @pre b->mutex held */
static void thread_wake(ulm_env *env)
{
	struct release_backlog *b = &env->backlog;

	if (!b->running && !b->stop)
		b->running =
			!pthread_create(&b->thread, NULL, replay_main, env);
	pthread_cond_signal(&b->cond);
}

static int keep(ulm_env *env, struct kept_release *k)
{
	struct release_backlog *b = &env->backlog;

	pthread_mutex_lock(&b->mutex);
	*b->tail = k;
	b->tail = &k->next;
	b->kept++;
	atomic_fetch_add(&b->pending, 1);
	thread_wake(env);
	pthread_mutex_unlock(&b->mutex);
	return 0;
}

int release_or_keep(ulm_env *env, release_fn fn, const struct ulm_key *file,
		    const struct ulm_owner *owner,
		    const struct release_range *range)
{
	struct kept_release *k;
	int rc = fn(env, file, owner, range);

	if (!worth_keeping(rc) || !env || env->read_only)
		return rc;
	k = kept_new(fn, file, owner, range);
	return k ? keep(env, k) : rc;
}

static bool key_equal(const struct ulm_key *a, const struct ulm_key *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* The oldest kept release of @file (NULL: of any file), or NULL.
 * @pre b->mutex held */
static struct kept_release **oldest(struct release_backlog *b,
				    const struct ulm_key *file)
{
	struct kept_release **at = &b->head;

	while (*at && file && !key_equal(&(*at)->file, file))
		at = &(*at)->next;
	return *at ? at : NULL;
}

/* A kept release is done with (written, or refused for good). Only a
 * replay unlinks, under b->replay: @k is still where it was found. */
static void done(struct release_backlog *b, struct kept_release *k,
		 bool written)
{
	struct kept_release **at;

	pthread_mutex_lock(&b->mutex);
	for (at = &b->head; *at != k; at = &(*at)->next)
		;
	*at = k->next;
	if (b->tail == &k->next)
		b->tail = at;
	if (written)
		b->replayed++;
	else
		b->dropped++;
	atomic_fetch_sub(&b->pending, 1);
	pthread_mutex_unlock(&b->mutex);
	free(k);
}

static struct kept_release *next_of(struct release_backlog *b,
				    const struct ulm_key *file)
{
	struct kept_release **at;

	pthread_mutex_lock(&b->mutex);
	at = oldest(b, file);
	pthread_mutex_unlock(&b->mutex);
	return at ? *at : NULL;
}

/* Replay the oldest kept release of @file (NULL: any).
 * @return 1 done, 0 none left, or the error that keeps it */
static int replay_one(ulm_env *env, const struct ulm_key *file)
{
	struct release_backlog *b = &env->backlog;
	struct kept_release *k;
	int rc = 0;

	/* The replay thread's release may be waiting on the store. */
	if (!call_bound_lock(&b->replay))
		return -ETIMEDOUT;
	k = next_of(b, file);
	if (k) {
		rc = k->fn(env, &k->file, &k->owner, &k->range);
		if (!worth_keeping(rc)) {
			done(b, k, rc == 0);
			rc = 1;
		}
	}
	pthread_mutex_unlock(&b->replay);
	return rc;
}

/* One at a time: a grant on another file waits for one release at most. */
static int replay(ulm_env *env, const struct ulm_key *file)
{
	int rc;

	do
		rc = replay_one(env, file);
	while (rc == 1);
	return rc;
}

/* Only the file's own kept releases stand in a grant's way: they are
 * what its table still holds and this node already gave up. */
int backlog_settle(ulm_env *env, const struct ulm_key *file)
{
	if (!atomic_load(&env->backlog.pending) ||
	    !next_of(&env->backlog, file))
		return 0;
	return replay(env, file);
}

static void *replay_main(void *arg)
{
	ulm_env *env = arg;
	struct release_backlog *b = &env->backlog;

	pthread_mutex_lock(&b->mutex);
	while (!b->stop) {
		if (b->head && ulm_env_live(env)) {
			pthread_mutex_unlock(&b->mutex);
			replay(env, NULL);
			pthread_mutex_lock(&b->mutex);
		}
		if (b->stop)
			break;
		if (b->head)
			clock_cond_wait_until(
				&b->cond, &b->mutex,
				clock_now_ns() + REPLAY_RETRY_MS * NS_PER_MS);
		else
			pthread_cond_wait(&b->cond, &b->mutex);
	}
	pthread_mutex_unlock(&b->mutex);
	return NULL;
}

void backlog_fini(ulm_env *env)
{
	struct release_backlog *b = &env->backlog;
	bool running;

	pthread_mutex_lock(&b->mutex);
	b->stop = true;
	running = b->running;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->mutex);
	if (running)
		pthread_join(b->thread, NULL);
	if (ulm_env_live(env))
		replay(env, NULL);
	while (b->head)
		done(b, b->head, false);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->replay);
	pthread_mutex_destroy(&b->mutex);
}

void backlog_stats(ulm_env *env, struct ulm_env_stats *st)
{
	struct release_backlog *b = &env->backlog;

	pthread_mutex_lock(&b->mutex);
	st->releases_kept = b->kept;
	st->releases_replayed = b->replayed;
	st->releases_dropped = b->dropped;
	st->releases_pending = atomic_load(&b->pending);
	pthread_mutex_unlock(&b->mutex);
}
