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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "rados_store.h"

#define NOTIFY_JOIN   'J'
#define NOTIFY_CHANGE 'C'
/* A join waits this long for every watcher's ack; one that does not ack
 * in time is counted as another node. */
#define JOIN_TIMEOUT_MS	  5000
#define CHANGE_TIMEOUT_MS 1000
/* The OSD forgets the watch of a client silent this long (Ceph: 30). */
#define WATCH_TIMEOUT_S 10

static struct rados_file_bucket *bucket_of(struct rados_store *s, uint64_t hash)
{
	return &s->buckets[mix64(hash) % RADOS_FILE_BUCKETS];
}

void rados_files_init(struct rados_store *s)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		pthread_mutex_init(&s->buckets[i].mutex, NULL);
		s->buckets[i].files = NULL;
	}
}

void rados_files_fini(struct rados_store *s)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++)
		for (struct rados_file *f = s->buckets[i].files; f; f = f->next)
			if (f->watch)
				rados_unwatch2(s->io, f->watch);
	/* No callback may run on a file we are about to free. */
	if (s->io)
		rados_watch_flush(s->cluster);
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		struct rados_file *f = s->buckets[i].files, *next;

		for (; f; f = next) {
			next = f->next;
			free(f);
		}
		pthread_mutex_destroy(&s->buckets[i].mutex);
	}
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
	pthread_mutex_unlock(&b->mutex);
	return f;
}

static void forget_locked(struct rados_file *f)
{
	f->known = false;
	f->gen++;
}

/* librados's thread: another node changed the file, or joined it. */
static void file_notified(void *arg, uint64_t notify_id, uint64_t cookie,
			  uint64_t notifier, void *data, size_t len)
{
	struct rados_file *f = arg;
	struct rados_store *s = f->store;
	struct rados_file_bucket *b = bucket_of(s, f->hash);

	if (notifier != s->instance) {
		pthread_mutex_lock(&b->mutex);
		f->others = true;
		if (len != 1 || *(const char *)data != NOTIFY_JOIN)
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

	if (!rados_notify2(s->io, f->oid, &msg, 1, JOIN_TIMEOUT_MS, &reply,
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
	uint64_t cookie;
	bool others;
	int rc;

	if (watch_healthy(f))
		return 0;
	if (f->watch)
		rados_unwatch2(s->io, f->watch);
	pthread_mutex_lock(&b->mutex);
	f->watch = 0;
	f->broken = false;
	forget_locked(f);
	pthread_mutex_unlock(&b->mutex);
	rc = rados_watch3(s->io, f->oid, &cookie, file_notified,
			  file_watch_failed, WATCH_TIMEOUT_S, f);
	if (rc)
		return rc;
	others = join(f);
	pthread_mutex_lock(&b->mutex);
	f->watch = cookie;
	f->others |= others;
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
		      int64_t n_records)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);

	pthread_mutex_lock(&b->mutex);
	if (f->watch && !f->broken && f->gen == gen) {
		f->known = true;
		f->version = version;
		f->n_records = n_records;
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
		      int64_t *n_records)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	bool known;

	pthread_mutex_lock(&b->mutex);
	known = f->known && f->watch && !f->broken;
	*version = f->version;
	*n_records = known ? f->n_records : -1;
	pthread_mutex_unlock(&b->mutex);
	return known;
}

void rados_file_changed(struct rados_file *f)
{
	struct rados_file_bucket *b = bucket_of(f->store, f->hash);
	const char msg = NOTIFY_CHANGE;
	char *reply = NULL;
	size_t len = 0;
	bool others;

	pthread_mutex_lock(&b->mutex);
	others = f->others;
	pthread_mutex_unlock(&b->mutex);
	/* The change is made whatever the notify returns: a watcher that
	 * missed it has a failed or lapsed watch, and re-reads. */
	if (others)
		rados_notify2(f->store->io, f->oid, &msg, 1, CHANGE_TIMEOUT_MS,
			      &reply, &len);
	rados_buffer_free(reply);
}
