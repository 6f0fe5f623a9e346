/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The per-node mailbox: events for node N are omap entries of its node
 * object "node.<N>", keyed "e" + 16 hex digits of the poster's clock (ns)
 * + 8 of the poster's node + 8 of its sequence, so keys sort oldest first
 * and never collide. A post is one write and a notify that wakes the
 * node's watch; event_take reads, hands over and removes in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "rados_events.h"

#define EVENT_MSG_MAX	4096
#define EVENT_KEY_LEN	33 /* "e" + 16 + 8 + 8 hex digits */
#define EVENT_PREFIX	"e"
#define EVENTS_PER_READ 256
/* A post's wake-up waits this long for the taker's ack. */
#define WAKE_TIMEOUT_MS 5000

static void node_oid(char *oid, size_t cap, uint32_t node)
{
	snprintf(oid, cap, "node.%08x", node);
}

/* librados's thread: an event was posted to us. */
static void events_notified(void *arg, uint64_t notify_id, uint64_t cookie,
			    uint64_t notifier, void *data, size_t len)
{
	struct rados_store *s = arg;

	(void)notifier;
	if (len == 1 && *(const char *)data == RADOS_NOTIFY_PURGED) {
		s->files_forget(s);
		rados_notify_ack(s->io, s->node_oid, notify_id, cookie, NULL,
				 0);
		return;
	}
	pthread_mutex_lock(&s->event_mutex);
	s->event_gen++;
	pthread_cond_broadcast(&s->event_cond);
	pthread_mutex_unlock(&s->event_mutex);
	rados_notify_ack(s->io, s->node_oid, notify_id, cookie, NULL, 0);
}

/* A lost watch may have lost a wake-up: wake the taker to read; and a
 * purge's word: forget every file. */
static void events_watch_failed(void *arg, uint64_t cookie, int err)
{
	struct rados_store *s = arg;

	s->files_forget(s);
	events_notified(arg, 0, cookie, 0, NULL, 0);
	(void)err;
}

/* A lost watch is replaced; the store outlives both (close drains). */
static int events_watch(struct rados_store *s)
{
	if (s->node_watch && rados_watch_check(s->io, s->node_watch) >= 0)
		return 0;
	if (s->node_watch)
		rados_unwatch_bounded(s, s->node_watch, NULL, NULL, 0);
	s->node_watch = 0;
	return rados_watch_bounded(s, s->node_oid, events_notified,
				   events_watch_failed, 0, s, NULL,
				   rados_deadline(s, 0), &s->node_watch);
}

int rados_events_init(struct rados_store *s)
{
	node_oid(s->node_oid, sizeof(s->node_oid), s->node_id);
	return rados_errno(events_watch(s));
}

void rados_events_fini(struct rados_store *s, uint64_t deadline)
{
	if (s->node_watch)
		rados_unwatch_bounded(s, s->node_watch, NULL, NULL, deadline);
	s->node_watch = 0;
}

static void event_key(struct rados_store *s, char *key)
{
	struct timespec now;
	uint32_t seq;

	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&s->event_mutex);
	seq = s->event_seq++;
	pthread_mutex_unlock(&s->event_mutex);
	snprintf(key, EVENT_KEY_LEN + 1, EVENT_PREFIX "%016llx%08x%08x",
		 (unsigned long long)now.tv_sec * 1000000000ULL +
			 (unsigned long long)now.tv_nsec,
		 s->node_id, seq);
}

int rados_event_post(struct ulm_store *store, uint32_t node, const void *msg,
		     size_t len)
{
	struct rados_store *s = (struct rados_store *)store;
	char oid[32], key[EVENT_KEY_LEN + 1];
	const char *keys[1] = {key}, *vals[1] = {msg};
	size_t key_lens[1] = {EVENT_KEY_LEN}, val_lens[1] = {len};
	rados_write_op_t op;
	int rc;

	if (!msg || len == 0 || len > EVENT_MSG_MAX)
		return -EINVAL;
	if (s->read_only)
		return -EROFS;
	node_oid(oid, sizeof(oid), node);
	event_key(s, key);
	op = rados_create_write_op();
	if (!op)
		return -ENOMEM;
	rados_write_op_omap_set2(op, keys, vals, key_lens, val_lens, 1);
	rc = rados_write_run(s, op, oid, NULL);
	rados_release_write_op(op);
	if (!rc)
		rados_notify_async(s, oid, "E", 1, WAKE_TIMEOUT_MS);
	return rados_errno(rc);
}

struct taken {
	size_t n;
	char keys[EVENTS_PER_READ][EVENT_KEY_LEN + 1];
};

/* Hand the queued events to @fn in order; stop at its first failure. */
static int hand_over(struct rados_store *s, store_event_fn fn, void *arg,
		     struct taken *t)
{
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter;
	unsigned char more = 0;
	char *key, *val;
	size_t key_len, val_len;
	int prval = 0, rc;

	if (!op)
		return -ENOMEM;
	rados_read_op_omap_get_vals2(op, "", EVENT_PREFIX, EVENTS_PER_READ,
				     &iter, &more, &prval);
	rc = rados_read_run(s, op, s->node_oid, NULL);
	rados_release_read_op(op);
	if (rc || prval) {
		rados_omap_get_end(iter); /* exists whatever the op returned */
		return rados_errno(rc ? rc : prval);
	}
	while (!rc &&
	       !rados_omap_get_next2(iter, &key, &val, &key_len, &val_len) &&
	       key) {
		if (key_len != EVENT_KEY_LEN)
			continue; /* not ours to hand over */
		rc = fn(val, val_len, arg);
		if (!rc)
			memcpy(t->keys[t->n++], key, key_len + 1);
	}
	rados_omap_get_end(iter);
	return rc;
}

static int remove_taken(struct rados_store *s, const struct taken *t)
{
	const char *keys[EVENTS_PER_READ];
	size_t lens[EVENTS_PER_READ];
	rados_write_op_t op;
	int rc;

	if (!t->n)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		keys[i] = t->keys[i];
		lens[i] = EVENT_KEY_LEN;
	}
	op = rados_create_write_op();
	if (!op)
		return -ENOMEM;
	rados_write_op_omap_rm_keys2(op, keys, lens, t->n);
	rc = rados_write_run(s, op, s->node_oid, NULL);
	rados_release_write_op(op);
	return rados_errno(rc);
}

static void wait_for_post(struct rados_store *s, uint64_t gen, int timeout_ms)
{
	struct timespec until = clock_realtime_after(timeout_ms);

	pthread_mutex_lock(&s->event_mutex);
	while (s->event_gen == gen &&
	       pthread_cond_timedwait(&s->event_cond, &s->event_mutex,
				      &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&s->event_mutex);
}

int rados_event_take(struct ulm_store *store, store_event_fn fn, void *arg,
		     int timeout_ms)
{
	struct rados_store *s = (struct rados_store *)store;
	struct taken *t;
	uint64_t gen;
	int rc, rm;

	if (s->read_only)
		return -EROFS;
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (bool waited = false;; waited = true) {
		rc = rados_errno(events_watch(s));
		pthread_mutex_lock(&s->event_mutex);
		gen = s->event_gen;
		pthread_mutex_unlock(&s->event_mutex);
		t->n = 0;
		if (!rc)
			rc = hand_over(s, fn, arg, t);
		rm = remove_taken(s, t);
		if (!rc)
			rc = rm;
		if (rc || t->n || waited || timeout_ms <= 0)
			break;
		wait_for_post(s, gen, timeout_ms);
	}
	free(t);
	return rc;
}
