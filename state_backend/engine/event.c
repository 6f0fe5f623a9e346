/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Events between nodes, through the store's per-node mailbox.
 * Message: u8 kind, u16 key length, key, then the record as stored
 * (record.c's layout), so a node decodes what another node encoded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "engine.h"

#define EVENT_HEADER_LEN 3

void event_post_record(ulm_env *env, enum ulm_event_kind kind,
		       const struct ulm_table *t, const struct ulm_record *rec)
{
	uint8_t msg[STORE_EVENT_MAX];
	size_t len = EVENT_HEADER_LEN + t->key_len + record_encoded_len(rec);

	if (len > sizeof(msg))
		return; /* cannot happen: key and identities are bounded */
	msg[0] = kind;
	put_be16(msg + 1, t->key_len);
	memcpy(msg + EVENT_HEADER_LEN, t->key, t->key_len);
	record_encode(rec, msg + EVENT_HEADER_LEN + t->key_len);
	env->ops->event_post(env->store, rec->node, msg, len);
}

void event_post(ulm_env *env, enum ulm_event_kind kind,
		const struct ulm_table *t, const struct ulm_lock *rec)
{
	struct ulm_record r;

	lock_to_record(rec, &r);
	event_post_record(env, kind, t, &r);
}

struct event_batch {
	uint8_t **msgs;
	size_t *lens;
	size_t n;
	size_t cap;
};

/* The store hands events over inside its own transaction: copy them out,
 * so the caller's handler runs outside it and may call libulm. */
static int batch_add(const void *msg, size_t len, void *arg)
{
	struct event_batch *b = arg;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		uint8_t **msgs = realloc(b->msgs, cap * sizeof(*msgs));
		size_t *lens =
			msgs ? realloc(b->lens, cap * sizeof(*lens)) : NULL;

		if (msgs)
			b->msgs = msgs;
		if (!lens)
			return -ENOMEM;
		b->lens = lens;
		b->cap = cap;
	}
	b->msgs[b->n] = malloc(len ? len : 1);
	if (!b->msgs[b->n])
		return -ENOMEM;
	memcpy(b->msgs[b->n], msg, len);
	b->lens[b->n++] = len;
	return 0;
}

static void event_deliver(const uint8_t *msg, size_t len, ulm_event_fn fn,
			  void *arg, struct ulm_lock_info *info)
{
	struct ulm_event ev;
	struct ulm_record r;
	size_t key_len;

	if (len < EVENT_HEADER_LEN)
		return;
	key_len = get_be16(msg + 1);
	if (key_len < 1 || key_len > ULM_KEY_MAX ||
	    len < EVENT_HEADER_LEN + key_len || msg[0] < ULM_EVENT_RECALL ||
	    msg[0] > ULM_EVENT_ADOPTED ||
	    record_decode(msg + EVENT_HEADER_LEN + key_len,
			  len - EVENT_HEADER_LEN - key_len, &r))
		return; /* a damaged hint is dropped: the table stays right */
	record_to_info(&r, info);
	ev.kind = msg[0];
	ev.file.data = msg + EVENT_HEADER_LEN;
	ev.file.len = key_len;
	ev.record = info;
	fn(&ev, arg);
}

int ulm_event_wait(ulm_env *env, ulm_event_fn fn, void *arg, int timeout_ms)
{
	struct event_batch b = {0};
	struct ulm_lock_info *info;
	int rc = env_writable(env);

	if (!rc && !fn)
		rc = -EINVAL;
	if (rc)
		return rc;
	rc = env->ops->event_take(env->store, batch_add, &b, timeout_ms);
	info = malloc(sizeof(*info));
	if (!info && b.n)
		rc = -ENOMEM;
	for (size_t i = 0; i < b.n; i++) {
		if (info)
			event_deliver(b.msgs[i], b.lens[i], fn, arg, info);
		free(b.msgs[i]);
	}
	free(info);
	free(b.msgs);
	free(b.lens);
	return rc;
}

struct break_find {
	const struct ulm_lock_info *want;
	struct ulm_lock_info seen;
	const struct ulm_lock *found;
};

static bool same_record(const struct ulm_lock_info *a,
			const struct ulm_lock_info *b)
{
	return a->type == b->type && a->start == b->start && a->end == b->end &&
	       a->node == b->node && a->epoch == b->epoch &&
	       a->protocol == b->protocol && a->kind == b->kind &&
	       a->client_len == b->client_len && a->owner_len == b->owner_len &&
	       memcmp(a->client, b->client, a->client_len) == 0 &&
	       memcmp(a->owner, b->owner, a->owner_len) == 0;
}

static int break_find_visit(struct ulm_lock *lock, void *arg)
{
	struct break_find *f = arg;

	lock_to_info(lock, &f->seen);
	if (!same_record(&f->seen, f->want))
		return 0;
	f->found = lock;
	return 1;
}

static int break_op(ulm_env *env, struct ulm_table *t, void *arg)
{
	struct break_find *f = arg;

	table_walk(t, break_find_visit, f);
	if (!f->found)
		return -ENOENT;
	event_post(env, ULM_EVENT_BREAK, t, f->found);
	return 0;
}

int ulm_event_break(ulm_env *env, const struct ulm_key *file,
		    const struct ulm_lock_info *record)
{
	struct break_find f = {.want = record};
	int rc = key_validate(file);

	if (!rc && (!record || record->client_len > ULM_ID_MAX ||
		    record->owner_len > ULM_ID_MAX))
		rc = -EINVAL;
	if (!rc)
		rc = env_writable(env);
	return rc ? rc : with_table(env, file, break_op, &f);
}
