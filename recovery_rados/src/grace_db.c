/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Ganesha's grace database, read and changed as Ganesha's own rados_grace.c
 * (4.3) does, so that both agree: the object's data is two little-endian
 * u64, the current epoch C and the recovery epoch R (0: no grace period in
 * force); each member is an omap key (its nodeid) whose one-byte value
 * holds NEED (0x1) and ENFORCING (0x2). A change is a read, then a write
 * guarded by the object's version, retried if it moved; then a notify,
 * which makes every Ganesha re-check (rados_cluster watches the object).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define GRACE_MAX_MEMBERS 1024
#define GRACE_NOTIFY_MS	  3000

struct grace_state {
	uint64_t cur;
	uint64_t rec;
	uint64_t version;
	bool member;	/* the node asked about is a member */
	uint8_t flags;	/* its flags */
	int need;	/* members needing grace */
	bool enforcing; /* every member enforces */
};

static void grace_notify(ulmrec *rec)
{
	char *reply = NULL;
	size_t len = 0;

	rados_notify2(rec->grace_io, rec->grace_oid, "", 0, GRACE_NOTIFY_MS,
		      &reply, &len);
	rados_buffer_free(reply);
}

/* One read of epochs and members; @p nodeid's flags, and visit all. */
static int grace_load(ulmrec *rec, const char *nodeid, struct grace_state *st,
		      ulmrec_grace_fn fn, void *arg)
{
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter = NULL;
	unsigned char more = 0;
	char buf[16], *key, *val;
	size_t len = 0, vlen;
	int rc, prval = 0;

	if (!op)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	st->enforcing = true;
	rados_read_op_read(op, 0, sizeof(buf), buf, &len, NULL);
	rados_read_op_omap_get_vals2(op, "", "", GRACE_MAX_MEMBERS, &iter,
				     &more, &prval);
	rc = rados_read_op_operate(op, rec->grace_io, rec->grace_oid, 0);
	if (!rc && (prval || more || len != sizeof(buf)))
		rc = -EBADMSG;
	if (!rc) {
		st->version = rados_get_last_version(rec->grace_io);
		st->cur = le64toh(*(uint64_t *)buf);
		st->rec = le64toh(*(uint64_t *)(buf + 8));
	}
	while (!rc && !rados_omap_get_next(iter, &key, &val, &vlen) && key) {
		uint8_t flags = vlen ? (uint8_t)val[0] : 0;

		if (flags & ULMREC_GRACE_NEED)
			st->need++;
		if (!(flags & ULMREC_GRACE_ENFORCING))
			st->enforcing = false;
		if (nodeid && !strcmp(key, nodeid)) {
			st->member = true;
			st->flags = flags;
		}
		if (fn)
			rc = fn(key, flags, arg);
	}
	if (iter)
		rados_omap_get_end(iter);
	rados_release_read_op(op);
	return rc;
}

/* Write @p nodeid's flags (and the epochs if @p epochs) unless the object
 * moved since @p st was read: -ERANGE then. */
static int grace_store(ulmrec *rec, const char *nodeid,
		       const struct grace_state *st, uint8_t flags, bool epochs)
{
	rados_write_op_t op = rados_create_write_op();
	const char *keys[1] = {nodeid}, *vals[1] = {(const char *)&flags};
	size_t key_lens[1] = {strlen(nodeid)}, val_lens[1] = {1};
	uint64_t data[2] = {htole64(st->cur), htole64(st->rec)};
	int rc;

	if (!op)
		return -ENOMEM;
	rados_write_op_assert_version(op, st->version);
	if (epochs)
		rados_write_op_write_full(op, (const char *)data, sizeof(data));
	rados_write_op_omap_set2(op, keys, vals, key_lens, val_lens, 1);
	rc = rados_write_op_operate(op, rec->grace_io, rec->grace_oid, NULL, 0);
	rados_release_write_op(op);
	return rc;
}

int ulmrec_grace_read(ulmrec *rec, uint64_t *cur, uint64_t *recovery,
		      ulmrec_grace_fn fn, void *arg)
{
	struct grace_state st;
	int rc;

	if (!rec || !cur || !recovery)
		return -EINVAL;
	if (!rec->grace_io)
		return -ENOENT;
	rc = grace_load(rec, NULL, &st, fn, arg);
	*cur = st.cur;
	*recovery = st.rec;
	return ulmrec_errno(rc);
}

/* Read-modify-write until it lands; @p change sets the new state and
 * returns 0 (write), 1 (nothing to write) or an error. */
typedef int (*grace_change_fn)(struct grace_state *st, uint8_t *flags,
			       bool *epochs);

static int grace_update(ulmrec *rec, const char *nodeid, grace_change_fn change)
{
	struct grace_state st;
	uint8_t flags;
	bool epochs;
	int rc;

	if (!rec || !nodeid || !*nodeid)
		return -EINVAL;
	if (!rec->grace_io)
		return -ENOENT;
	do {
		rc = grace_load(rec, nodeid, &st, NULL, NULL);
		if (!rc && !st.member)
			rc = -ENOKEY;
		flags = st.flags;
		epochs = false;
		if (!rc)
			rc = change(&st, &flags, &epochs);
		if (!rc)
			rc = grace_store(rec, nodeid, &st, flags, epochs);
	} while (rc == -ERANGE);
	if (!rc)
		grace_notify(rec);
	return rc == 1 ? 0 : ulmrec_errno(rc);
}

/* A new epoch unless a grace period is in force (R = C, C = C + 1). */
static int start_change(struct grace_state *st, uint8_t *flags, bool *epochs)
{
	if (st->rec == 0) {
		st->rec = st->cur;
		st->cur++;
		*epochs = true;
	}
	*flags |= ULMREC_GRACE_NEED | ULMREC_GRACE_ENFORCING;
	return 0;
}

int ulmrec_grace_start(ulmrec *rec, const char *nodeid)
{
	return grace_update(rec, nodeid, start_change);
}

/* As Ganesha: no lifting while a member does not enforce yet; the last
 * NEED cleared ends the grace period (R = 0). */
static int lift_change(struct grace_state *st, uint8_t *flags, bool *epochs)
{
	if (!(*flags & ULMREC_GRACE_NEED))
		return 1;
	if (st->rec && !st->enforcing)
		return -EAGAIN;
	*flags &= ~ULMREC_GRACE_NEED;
	if (st->need == 1) {
		st->rec = 0;
		*epochs = true;
	}
	return 0;
}

int ulmrec_grace_lift(ulmrec *rec, const char *nodeid)
{
	return grace_update(rec, nodeid, lift_change);
}
