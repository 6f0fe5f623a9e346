/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The node-side cache of file objects: one watch per file object this
 * node used, so a lock op costs one round trip (the guarded write), not a
 * version read and a write.
 *
 * Coherence. After each write to a file that other nodes watch, the
 * writer notifies them and waits for their acks before its op returns; a
 * notify from another node makes the file's state unknown here until it
 * is read again. So once a change returned to its client, no node answers
 * from the state before it: every op is linearizable, refusals and
 * LOCKT answers included. Grants never depend on the cache at all: every
 * write asserts the version it was planned against. Writers know whether
 * other watchers exist because a node that starts watching says so first
 * (a "join" notify, acknowledged by every watcher before it reads the
 * object): a write that completes after that read is notified. A file
 * used by one node only costs no notify.
 *
 * A watcher that does not ack within CHANGE_TIMEOUT_MS (a node that
 * crashed; the OSD drops its watch after WATCH_TIMEOUT_S) delays writers
 * by that much; a live node whose watch failed re-reads anyway.
 *
 * Watches and notifies wait for a hung OSD no longer than an op does
 * (rados_bounded.c). A file stays in memory while a watch of it may still
 * call back: an op given up on holds a reference until its watch is gone,
 * and a trimmed file is freed once its unwatch ended and a watch flush
 * passed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bytes.h"
#include "clock.h"
#include "rados_files.h"

#define NOTIFY_JOIN   'J'
#define NOTIFY_CHANGE 'C'
/* Every second, unwatch files unused for 5 s, and the least recently
 * used beyond 8192 (a node holding a token gives it back first). */
#define TRIM_EVERY_MS 1000
#define WATCH_IDLE_MS 5000
#define WATCH_MAX     8192
/* A join waits this long for every watcher's ack; one that does not ack
 * in time is counted as another node. */
#define CHANGE_TIMEOUT_MS 1000
/* The OSD forgets the watch of a client silent this long (Ceph: 30). */
#define WATCH_TIMEOUT_S 10

static struct rados_file_bucket *bucket_of(struct rados_store *s, uint64_t hash)
{
	return &s->buckets[mix64(hash) % RADOS_FILE_BUCKETS];
}

struct rados_file_bucket *rados_file_bucket(struct rados_file *f)
{
	return bucket_of(f->store, f->hash);
}

static void files_forget(struct rados_store *s);

void rados_files_init(struct rados_store *s,
		      const struct rados_file_hooks *hooks)
{
	s->file_hooks = hooks;
	s->files_forget = files_forget;
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		pthread_mutex_init(&s->buckets[i].mutex, NULL);
		clock_cond_init(&s->buckets[i].cond);
		s->buckets[i].files = NULL;
	}
	pthread_mutex_init(&s->retired_mutex, NULL);
	s->trim_every_ms = TRIM_EVERY_MS;
	s->watch_idle_ms = WATCH_IDLE_MS;
	s->watch_max = WATCH_MAX;
}

static void file_free(struct rados_file *f)
{
	f->store->file_hooks->release(f);
	free(f);
}

void rados_files_unwatch(struct rados_store *s, uint64_t deadline)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++)
		for (struct rados_file *f = s->buckets[i].files; f; f = f->next)
			if (f->watch)
				rados_unwatch_bounded(s, f->watch, NULL, NULL,
						      deadline);
}

static void files_free(struct rados_file *f)
{
	for (struct rados_file *next; f; f = next) {
		next = f->next;
		file_free(f);
	}
}

void rados_files_fini(struct rados_store *s)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		files_free(s->buckets[i].files);
		pthread_cond_destroy(&s->buckets[i].cond);
		pthread_mutex_destroy(&s->buckets[i].mutex);
	}
	files_free(s->retired);
	pthread_mutex_destroy(&s->retired_mutex);
}

static void oid_of(char *oid, const struct ulm_key *file)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = file->data;
	char *o = oid + strlen(RADOS_FILE_PREFIX);

	memcpy(oid, RADOS_FILE_PREFIX, strlen(RADOS_FILE_PREFIX));
	for (size_t i = 0; i < file->len; i++) {
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o = '\0';
}

struct rados_file *rados_file_get(struct rados_store *s,
				  const struct ulm_key *file)
{
	uint64_t hash = hash_bytes(HASH_SEED, file->data, file->len);
	struct rados_file_bucket *b = bucket_of(s, hash);
	char oid[RADOS_OID_MAX];
	struct rados_file *f;

	oid_of(oid, file);
	pthread_mutex_lock(&b->mutex);
	for (f = b->files; f; f = f->next)
		if (f->hash == hash && !strcmp(f->oid, oid))
			break;
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (f) {
			f->store = s;
			f->hash = hash;
			f->n_records = -1;
			strcpy(f->oid, oid);
			f->next = b->files;
			b->files = f;
		}
	}
	if (f) {
		f->refs++;
		f->used_ns = clock_now_ns();
	}
	pthread_mutex_unlock(&b->mutex);
	return f;
}

void rados_file_put(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	f->refs--;
	pthread_mutex_unlock(&b->mutex);
}

/* A watch op's reference, given back once its watch is gone. */
static void file_unref(void *arg)
{
	rados_file_put(arg);
}

/* What we know may be wrong now. Under our token that means another node
 * wrote the object, or we may have missed its request: give it back (the
 * flusher's guarded write finds out which). */
static void forget_locked(struct rados_file *f)
{
	if (f->tstate != TOKEN_NONE) {
		f->store->file_hooks->drop_locked(f);
		return;
	}
	f->known = false;
	f->gen++;
}

void rados_file_others_locked(struct rados_file *f)
{
	f->others = true;
	f->others_gen++;
}

/* librados's thread: another node changed the file, joined it, or asks
 * for it (our token). */
static void file_notified(void *arg, uint64_t notify_id, uint64_t cookie,
			  uint64_t notifier, void *data, size_t len)
{
	struct rados_file *f = arg;
	struct rados_store *s = f->store;
	struct rados_file_bucket *b = bucket_of(s, f->hash);
	char kind = len == 1 ? *(const char *)data : NOTIFY_CHANGE;

	if (notifier != s->instance &&
	    (kind == RADOS_NOTIFY_HANDOVER || kind == RADOS_NOTIFY_FLUSH) &&
	    s->file_hooks->request(f, notify_id, cookie,
				   kind == RADOS_NOTIFY_HANDOVER))
		return; /* acked once done */
	if (notifier != s->instance) {
		pthread_mutex_lock(&b->mutex);
		rados_file_others_locked(f);
		if (kind != NOTIFY_JOIN && kind != RADOS_NOTIFY_HANDOVER &&
		    kind != RADOS_NOTIFY_FLUSH)
			forget_locked(f);
		pthread_mutex_unlock(&b->mutex);
	}
	rados_notify_ack(s->io, f->oid, notify_id, cookie, NULL, 0);
}

/* librados's thread: notifies may have been lost. */
static void file_watch_failed(void *arg, uint64_t cookie, int err)
{
	struct rados_file *f = arg;
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);

	(void)cookie;
	(void)err;
	pthread_mutex_lock(&b->mutex);
	f->broken = true;
	forget_locked(f);
	pthread_mutex_unlock(&b->mutex);
}

/* Does the join's reply name a watcher other than us? */
static bool others_in_reply(struct rados_store *s, char *reply, size_t len)
{
	struct notify_ack_t *acks = NULL;
	struct notify_timeout_t *timeouts = NULL;
	size_t n_acks = 0, n_timeouts = 0;
	bool others = true;

	if (!rados_decode_notify_response(reply, len, &acks, &n_acks, &timeouts,
					  &n_timeouts)) {
		others = n_timeouts > 0;
		for (size_t i = 0; i < n_acks; i++)
			others |= acks[i].notifier_id != s->instance;
		rados_free_notify_response(acks, n_acks, timeouts);
	}
	return others;
}

/* Tell every watcher that we watch too; true if there is any other. */
static bool join(struct rados_file *f)
{
	struct rados_store *s = f->store;
	const char msg = NOTIFY_JOIN;
	char *reply = NULL;
	size_t len = 0;
	bool others = true;

	/* Given up on (a hung OSD): counted as another node. */
	if (!rados_notify_bounded(s, f->oid, &msg, 1, s->peer_wait_ms,
				  rados_deadline(s, s->peer_wait_ms), &reply,
				  &len) &&
	    reply)
		others = others_in_reply(s, reply, len);
	rados_buffer_free(reply);
	return others;
}

static bool watch_healthy(struct rados_file *f)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	bool healthy;

	pthread_mutex_lock(&b->mutex);
	healthy = f->watch && !f->broken;
	pthread_mutex_unlock(&b->mutex);
	return healthy && rados_watch_check(f->store->io, f->watch) >= 0;
}

int rados_file_watch(struct rados_file *f)
{
	struct rados_store *s = f->store;
	struct rados_file_bucket *b = bucket_of(s, f->hash);
	uint64_t cookie, broken;
	bool others;
	int rc;

	if (watch_healthy(f))
		return 0;
	pthread_mutex_lock(&b->mutex);
	broken = f->watch;
	if (f->watch)
		s->n_watched--;
	f->watch = 0;
	f->broken = false;
	/* A token taken with the object it created: nobody else wrote. */
	if (f->tstate == TOKEN_NONE)
		forget_locked(f);
	f->refs += 1 + (broken != 0); /* the ops': see file_unref() */
	pthread_mutex_unlock(&b->mutex);
	/* Nothing waits for a broken watch to go. */
	if (broken)
		rados_unwatch_bounded(s, broken, file_unref, f, 0);
	rc = rados_watch_bounded(s, f->oid, file_notified, file_watch_failed,
				 WATCH_TIMEOUT_S, f, file_unref,
				 rados_deadline(s, 0), &cookie);
	if (rc)
		return rc;
	others = join(f);
	pthread_mutex_lock(&b->mutex);
	f->watch = cookie;
	f->others |= others;
	s->n_watched++;
	pthread_mutex_unlock(&b->mutex);
	return 0;
}

uint64_t rados_file_gen(struct rados_file *f)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	uint64_t gen;

	pthread_mutex_lock(&b->mutex);
	gen = f->gen;
	pthread_mutex_unlock(&b->mutex);
	return gen;
}

void rados_file_learn(struct rados_file *f, uint64_t gen, uint64_t version,
		      int64_t n_records, const struct rados_token *token)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);

	pthread_mutex_lock(&b->mutex);
	/* Under our token, memory is ahead of the object. */
	if (f->watch && !f->broken && f->gen == gen &&
	    f->tstate == TOKEN_NONE) {
		f->known = true;
		f->version = version;
		f->n_records = n_records;
		if (token)
			f->token = *token;
	}
	pthread_mutex_unlock(&b->mutex);
}

void rados_file_forget(struct rados_file *f)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);

	pthread_mutex_lock(&b->mutex);
	forget_locked(f);
	pthread_mutex_unlock(&b->mutex);
}

bool rados_file_known(struct rados_file *f, uint64_t *version,
		      int64_t *n_records, struct rados_token *token)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	bool known;

	pthread_mutex_lock(&b->mutex);
	known = f->tstate != TOKEN_NONE || (f->known && f->watch && !f->broken);
	*version = f->tstate != TOKEN_NONE ? f->view : f->version;
	*n_records = known ? f->n_records : -1;
	*token = f->token;
	pthread_mutex_unlock(&b->mutex);
	return known;
}

void rados_file_changed(struct rados_file *f)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	const char msg = NOTIFY_CHANGE;
	char *reply = NULL;
	size_t len = 0;
	uint64_t others_gen;
	bool others;

	pthread_mutex_lock(&b->mutex);
	others = f->others;
	others_gen = f->others_gen;
	pthread_mutex_unlock(&b->mutex);
	/* The change is made whatever the notify returns: a watcher that
	 * missed it has a failed or lapsed watch, and re-reads. Who acked
	 * tells whether others still watch (they unwatch when idle). */
	if (others &&
	    !rados_notify_bounded(f->store, f->oid, &msg, 1, CHANGE_TIMEOUT_MS,
				  rados_deadline(f->store, CHANGE_TIMEOUT_MS),
				  &reply, &len) &&
	    reply) {
		others = others_in_reply(f->store, reply, len);
		if (f->store->change_replied)
			f->store->change_replied(f);
		pthread_mutex_lock(&b->mutex);
		/* A node that joined while the notify was out is not in its
		 * reply, yet watches: it read the object before our next
		 * change, which it must be told of (no token taken). */
		if (f->others_gen == others_gen)
			f->others = others;
		pthread_mutex_unlock(&b->mutex);
	}
	rados_buffer_free(reply);
}

void rados_file_written(struct rados_store *s, const struct ulm_key *file)
{
	uint64_t hash = hash_bytes(HASH_SEED, file->data, file->len);
	struct rados_file_bucket *b = bucket_of(s, hash);
	char oid[RADOS_OID_MAX];

	oid_of(oid, file);
	pthread_mutex_lock(&b->mutex);
	for (struct rados_file *f = b->files; f; f = f->next)
		if (f->hash == hash && !strcmp(f->oid, oid))
			forget_locked(f);
	pthread_mutex_unlock(&b->mutex);
}

/* Our token's files stay: nobody writes them past us. */
static void files_forget(struct rados_store *s)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		pthread_mutex_lock(&s->buckets[i].mutex);
		for (struct rados_file *f = s->buckets[i].files; f; f = f->next)
			if (f->tstate == TOKEN_NONE)
				forget_locked(f);
		pthread_mutex_unlock(&s->buckets[i].mutex);
	}
}

/* A file nobody uses, as it was when the trimmer looked. */
struct trim_pick {
	struct rados_file *f;
	uint64_t used_ns;
};

struct trim_list {
	size_t n;
	struct trim_pick *v;
};

static int by_last_use(const void *a, const void *b)
{
	const struct trim_pick *x = a, *y = b;

	return (x->used_ns > y->used_ns) - (x->used_ns < y->used_ns);
}

static size_t files_count(struct rados_store *s)
{
	size_t n = 0;

	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		pthread_mutex_lock(&s->buckets[i].mutex);
		for (struct rados_file *f = s->buckets[i].files; f; f = f->next)
			n++;
		pthread_mutex_unlock(&s->buckets[i].mutex);
	}
	return n;
}

/* Files no caller uses and no flush waits on, least recently used first.
 * Only the trimmer frees files, so the pointers stay valid. */
static int trim_candidates(struct rados_store *s, struct trim_list *l)
{
	size_t cap = files_count(s);

	l->v = malloc((cap ? cap : 1) * sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		pthread_mutex_lock(&s->buckets[i].mutex);
		for (struct rados_file *f = s->buckets[i].files;
		     f && l->n < cap; f = f->next)
			if (!f->refs && !f->dirty && !f->flushing)
				l->v[l->n++] =
					(struct trim_pick){f, f->used_ns};
		pthread_mutex_unlock(&s->buckets[i].mutex);
	}
	qsort(l->v, l->n, sizeof(*l->v), by_last_use);
	return 0;
}

/* Take @f out of the cache if still unused since @used_ns, or give its
 * token back first (it goes next time). @return true: unlinked, to
 * unwatch (*watch) and free */
static bool trim_one(struct rados_file *f, uint64_t used_ns, uint64_t *watch)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	struct rados_file **p;
	bool unlinked = false;

	pthread_mutex_lock(&b->mutex);
	if (f->used_ns != used_ns || f->refs) {
		/* used since: keep it */
	} else if (f->tstate != TOKEN_NONE) {
		f->store->file_hooks->drop_locked(f);
	} else if (!f->dirty && !f->flushing) {
		for (p = &b->files; *p != f; p = &(*p)->next)
			;
		*p = f->next;
		*watch = f->watch;
		if (f->watch)
			f->store->n_watched--;
		unlinked = true;
	}
	pthread_mutex_unlock(&b->mutex);
	return unlinked;
}

/* A trimmed file whose watch is gone: freed by the next retired_free(). */
static void retire(void *arg)
{
	struct rados_file *f = arg;
	struct rados_store *s = f->store;

	pthread_mutex_lock(&s->retired_mutex);
	f->next = s->retired;
	s->retired = f;
	pthread_mutex_unlock(&s->retired_mutex);
}

static void retired_free(struct rados_store *s)
{
	struct rados_file *list;

	pthread_mutex_lock(&s->retired_mutex);
	list = s->retired;
	s->retired = NULL;
	pthread_mutex_unlock(&s->retired_mutex);
	/* No callback may run on a file we are about to free. */
	if (list)
		rados_watch_flush(s->cluster);
	files_free(list);
}

/* Unwatches still going at the deadline (a hung OSD) retire their files
 * when they end, for a later pass to free. */
void rados_files_trim(struct rados_store *s)
{
	uint64_t now = clock_now_ns(),
		 idle = (uint64_t)s->watch_idle_ms * 1000000;
	uint64_t deadline = rados_deadline(s, 0);
	struct trim_list l = {0};
	unsigned int watched, excess, max = s->watch_max;

	if (trim_candidates(s, &l))
		return;
	watched = s->n_watched;
	excess = watched > max ? watched - max : 0;
	for (size_t i = 0; i < l.n; i++) {
		struct rados_file *f = l.v[i].f;
		uint64_t watch = 0;

		if (now - l.v[i].used_ns < idle && !excess)
			break;
		if (!trim_one(f, l.v[i].used_ns, &watch))
			continue;
		if (watch) {
			rados_unwatch_bounded(s, watch, retire, f, deadline);
			excess -= excess > 0;
		} else {
			retire(f);
		}
	}
	retired_free(s);
	free(l.v);
}
