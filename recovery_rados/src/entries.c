/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Recovery entries: omap "node.<8 hex>" of object "recovery", one per
 * recovering node. Value (big-endian): u8 format 1, u32 before_epoch,
 * u32 by, u64 started_ms, u32 grace_secs, u16 nodeid length, nodeid.
 * A change is written, then notified with its value (and a leading "+"
 * or "-"), so watchers apply it without reading RADOS in their callback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define ENTRY_FORMAT	 1
#define ENTRY_HEADER_LEN 23
#define ENTRY_MAX	 (ENTRY_HEADER_LEN + ULMREC_NODEID_MAX)
#define ENTRY_PREFIX	 "node."
#define ENTRY_KEY_LEN	 14 /* "node." + 8 hex + NUL */

static void entry_key(char *key, uint32_t node)
{
	snprintf(key, ENTRY_KEY_LEN, ENTRY_PREFIX "%08x", node);
}

static size_t entry_encode(const struct ulmrec_entry *e, uint8_t *buf)
{
	size_t id_len = strnlen(e->grace_nodeid, ULMREC_NODEID_MAX - 1);

	buf[0] = ENTRY_FORMAT;
	put_be(buf + 1, e->before_epoch, 4);
	put_be(buf + 5, e->by, 4);
	put_be(buf + 9, e->started_ms, 8);
	put_be(buf + 17, e->grace_secs, 4);
	put_be(buf + 21, id_len, 2);
	memcpy(buf + ENTRY_HEADER_LEN, e->grace_nodeid, id_len);
	return ENTRY_HEADER_LEN + id_len;
}

static int entry_decode(uint32_t node, const uint8_t *buf, size_t len,
			struct ulmrec_entry *e)
{
	size_t id_len;

	if (len < ENTRY_HEADER_LEN || buf[0] != ENTRY_FORMAT)
		return -EBADMSG;
	id_len = get_be(buf + 21, 2);
	if (len != ENTRY_HEADER_LEN + id_len || id_len >= ULMREC_NODEID_MAX)
		return -EBADMSG;
	e->node = node;
	e->before_epoch = get_be(buf + 1, 4);
	e->by = get_be(buf + 5, 4);
	e->started_ms = get_be(buf + 9, 8);
	e->grace_secs = get_be(buf + 17, 4);
	memcpy(e->grace_nodeid, buf + ENTRY_HEADER_LEN, id_len);
	e->grace_nodeid[id_len] = '\0';
	return 0;
}

/* Tell every watcher, and wait for their acks: "+" or "-", u32 node, then
 * the entry's value. A watcher that does not ack in time (a node that
 * just died keeps its watch a few seconds) is not waited for longer. */
static void entry_notify(ulmrec *rec, char sign, uint32_t node,
			 const uint8_t *val, size_t len)
{
	uint8_t msg[1 + 4 + ENTRY_MAX];
	char *reply = NULL;
	size_t reply_len = 0;

	msg[0] = (uint8_t)sign;
	put_be(msg + 1, node, 4);
	memcpy(msg + 5, val, len);
	rados_notify2(rec->io, ULMREC_OID, (const char *)msg, 5 + len,
		      ULMREC_NOTIFY_MS, &reply, &reply_len);
	rados_buffer_free(reply);
}

int ulmrec_entry_put(ulmrec *rec, const struct ulmrec_entry *e)
{
	uint8_t val[ENTRY_MAX];
	char key[ENTRY_KEY_LEN];
	size_t len;
	int rc;

	if (!rec || !e)
		return -EINVAL;
	entry_key(key, e->node);
	len = entry_encode(e, val);
	rc = omap_put(rec->io, ULMREC_OID, key, val, len);
	if (!rc)
		entry_notify(rec, '+', e->node, val, len);
	return ulmrec_errno(rc);
}

int ulmrec_entry_remove(ulmrec *rec, const struct ulmrec_entry *e)
{
	uint8_t val[ENTRY_MAX];
	char key[ENTRY_KEY_LEN];
	const char *keys[1] = {key};
	rados_write_op_t op;
	size_t len;
	int rc, prval = 0;

	if (!rec || !e)
		return -EINVAL;
	entry_key(key, e->node);
	len = entry_encode(e, val);
	op = rados_create_write_op();
	if (!op)
		return -ENOMEM;
	/* Only this very recovery: the node may have begun a newer one. */
	rados_write_op_omap_cmp(op, key, LIBRADOS_CMPXATTR_OP_EQ,
				(const char *)val, len, &prval);
	rados_write_op_omap_rm_keys(op, keys, 1);
	rc = rados_write_op_operate(op, rec->io, ULMREC_OID, NULL, 0);
	rados_release_write_op(op);
	if (!rc)
		entry_notify(rec, '-', e->node, val, len);
	return rc == -ECANCELED || prval ? -ECANCELED : ulmrec_errno(rc);
}

struct list_ctx {
	struct ulmrec_entry *entries;
	size_t n;
	size_t cap;
};

static int list_visit(const char *key, const char *val, size_t len, void *arg)
{
	struct list_ctx *l = arg;
	struct ulmrec_entry *grown;
	unsigned node;

	if (sscanf(key, ENTRY_PREFIX "%8x", &node) != 1)
		return -EBADMSG;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = realloc(l->entries, l->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->entries = grown;
	}
	return entry_decode(node, (const uint8_t *)val, len,
			    &l->entries[l->n++]);
}

int ulmrec_entry_list(ulmrec *rec, struct ulmrec_entry **entries, size_t *n)
{
	struct list_ctx l = {NULL, 0, 0};
	int rc;

	if (!rec || !entries || !n)
		return -EINVAL;
	rc = omap_each(rec->io, ULMREC_OID, ENTRY_PREFIX, list_visit, &l);
	if (rc) {
		free(l.entries);
		l.entries = NULL;
		l.n = 0;
	}
	*entries = l.entries;
	*n = l.n;
	return ulmrec_errno(rc);
}

/* librados's thread: apply, then ack (the notifier waits for it). */
static void entry_notified(void *arg, uint64_t notify_id, uint64_t cookie,
			   uint64_t notifier, void *data, size_t len)
{
	ulmrec *rec = arg;
	const uint8_t *msg = data;
	struct ulmrec_change change;

	(void)notifier;
	if (len >= 5 && (msg[0] == '+' || msg[0] == '-') &&
	    !entry_decode(get_be(msg + 1, 4), msg + 5, len - 5,
			  &change.entry)) {
		change.removed = msg[0] == '-';
		rec->watch_fn(&change, rec->watch_arg);
	} else {
		rec->watch_fn(NULL, rec->watch_arg);
	}
	rados_notify_ack(rec->io, ULMREC_OID, notify_id, cookie, NULL, 0);
}

/* A lost watch may have lost changes: say so (ulmrec_watch_renew()
 * watches again, outside librados's thread). */
static void entry_watch_failed(void *arg, uint64_t cookie, int err)
{
	ulmrec *rec = arg;

	(void)cookie;
	(void)err;
	rec->watch_fn(NULL, rec->watch_arg);
}

static int entry_watch(ulmrec *rec)
{
	rados_write_op_t op = rados_create_write_op();
	int rc;

	/* A watch needs the object. */
	if (!op)
		return -ENOMEM;
	rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
	rc = rados_write_op_operate(op, rec->io, ULMREC_OID, NULL, 0);
	rados_release_write_op(op);
	if (!rc)
		rc = rados_watch3(rec->io, ULMREC_OID, &rec->watch,
				  entry_notified, entry_watch_failed,
				  ULMREC_WATCH_SECS, rec);
	if (rc)
		rec->watch = 0;
	return ulmrec_errno(rc);
}

int ulmrec_watch(ulmrec *rec, ulmrec_change_fn fn, void *arg)
{
	if (!rec || !fn || rec->watch_fn)
		return -EINVAL;
	rec->watch_fn = fn;
	rec->watch_arg = arg;
	return entry_watch(rec);
}

int ulmrec_watch_renew(ulmrec *rec)
{
	if (!rec || !rec->watch_fn)
		return -EINVAL;
	if (rec->watch && rados_watch_check(rec->io, rec->watch) >= 0)
		return 0;
	if (rec->watch)
		rados_unwatch2(rec->io, rec->watch);
	rec->watch = 0;
	return entry_watch(rec);
}
