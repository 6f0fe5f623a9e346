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

void event_post(ulm_env *env, enum ulm_event_kind kind,
		const struct ulm_table *t, const struct ulm_lock *rec)
{
	uint8_t msg[STORE_EVENT_MAX];
	struct ulm_record r;
	size_t len;

	lock_to_record(rec, &r);
	len = EVENT_HEADER_LEN + t->key_len + record_encoded_len(&r);
	if (len > sizeof(msg))
		return; /* cannot happen: key and identities are bounded */
	msg[0] = kind;
	put_be16(msg + 1, t->key_len);
	memcpy(msg + EVENT_HEADER_LEN, t->key, t->key_len);
	record_encode(&r, msg + EVENT_HEADER_LEN + t->key_len);
	env->ops->event_post(env->store, rec->node, msg, len);
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
	    len < EVENT_HEADER_LEN + key_len ||
	    (msg[0] != ULM_EVENT_RECALL && msg[0] != ULM_EVENT_WAKE) ||
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
