/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Node addresses (omap "addr.<8 hex>" of "recovery") and fencing: a node
 * declared dead is blocklisted, so that none of its writes lands after the
 * takeover began, even if it was only cut off and comes back, and the OSDs
 * drop its watches at once (a dead watcher makes every notifier wait for
 * it until its watch times out).
 *
 * A node has three RADOS clients: libulm's lock store's two and ours. The
 * store's lease client is the holder of its liveness lease (cls_lock
 * "ulm.live" on object "live.<8 hex>", rados_live.c), read while the node
 * lives: the lease lapses before a takeover, and its locker with it. Its
 * data client's address is omap "io_addr" of that object (a store of
 * before the lease had a client of its own has none: one client did
 * both). Our own address is learnt from a lock we take for a moment. The
 * value is the addresses, separated by spaces.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define ADDR_KEY_LEN 14 /* "addr." + 8 hex + NUL */
#define LIVE_LOCK    "ulm.live"
#define SELF_LOCK    "ulm.self"
#define LOCKERS_BUF  4096
#define IO_ADDR_KEY  "io_addr"

/* Where an omap value is copied, NUL-terminated. */
struct value_buf {
	char *buf;
	size_t cap;
};

static void addr_key(char *key, uint32_t node)
{
	snprintf(key, ADDR_KEY_LEN, "addr.%08x", node);
}

/* The address of the one holder of lock @p name on @p oid. */
static int locker_addr(ulmrec *rec, const char *oid, const char *name,
		       char *addr, size_t len)
{
	char tag[64], clients[LOCKERS_BUF], cookies[LOCKERS_BUF],
		addrs[LOCKERS_BUF];
	size_t tag_len = sizeof(tag), clients_len = sizeof(clients),
	       cookies_len = sizeof(cookies), addrs_len = sizeof(addrs);
	int exclusive;
	ssize_t n = rados_list_lockers(rec->io, oid, name, &exclusive, tag,
				       &tag_len, clients, &clients_len, cookies,
				       &cookies_len, addrs, &addrs_len);

	if (n < 0)
		return ulmrec_errno((int)n);
	if (n != 1 || strlen(addrs) >= len)
		return -ENOENT;
	/* One locker: its address is the first NUL-terminated string. */
	snprintf(addr, len, "%s", addrs);
	return 0;
}

/* Our own client's address: lock, look, unlock. */
static int own_addr(ulmrec *rec, uint32_t node, char *addr, size_t len)
{
	struct timeval hold = {10, 0};
	char cookie[16];
	int rc;

	snprintf(cookie, sizeof(cookie), "%08x", node);
	rc = rados_lock_exclusive(rec->io, ULMREC_OID, SELF_LOCK, cookie,
				  "address of a node's recovery client", &hold,
				  0);
	if (rc)
		return ulmrec_errno(rc);
	rc = locker_addr(rec, ULMREC_OID, SELF_LOCK, addr, len);
	rados_unlock(rec->io, ULMREC_OID, SELF_LOCK, cookie);
	return rc;
}

static int value_visit(const char *key, const char *val, size_t len, void *arg)
{
	struct value_buf *out = arg;

	(void)key;
	if (len >= out->cap)
		return -EBADMSG;
	memcpy(out->buf, val, len);
	out->buf[len] = '\0';
	return 0;
}

/* One omap value of @p oid, "" if it has no such key. */
static int value_read(ulmrec *rec, const char *oid, const char *key, char *buf,
		      size_t cap)
{
	struct value_buf out = {buf, cap};

	buf[0] = '\0';
	/* The prefix is the whole key: it matches that one entry. */
	return omap_each(rec->io, oid, key, value_visit, &out);
}

int ulmrec_addr_record(ulmrec *rec, uint32_t node, const char *also)
{
	char oid[32], lease[ULMREC_ADDR_MAX], io[ULMREC_ADDR_MAX];
	char self[ULMREC_ADDR_MAX], key[ADDR_KEY_LEN];
	char val[ULMREC_NODE_ADDRS_MAX];
	int rc;

	if (!rec || (also && (!*also || strchr(also, ' ') ||
			      strlen(also) >= ULMREC_ADDR_MAX)))
		return -EINVAL;
	snprintf(oid, sizeof(oid), "live.%08x", node);
	rc = locker_addr(rec, oid, LIVE_LOCK, lease, sizeof(lease));
	if (!rc)
		rc = ulmrec_errno(
			value_read(rec, oid, IO_ADDR_KEY, io, sizeof(io)));
	if (!rc)
		rc = own_addr(rec, node, self, sizeof(self));
	if (rc)
		return rc;
	snprintf(val, sizeof(val), "%s%s%s %s%s%s", lease, io[0] ? " " : "", io,
		 self, also ? " " : "", also ? also : "");
	addr_key(key, node);
	return ulmrec_errno(
		omap_put(rec->io, ULMREC_OID, key, val, strlen(val)));
}

int ulmrec_fence_node(ulmrec *rec, uint32_t node, uint32_t expire_secs,
		      char *fenced, size_t len)
{
	char key[ADDR_KEY_LEN], addrs[ULMREC_NODE_ADDRS_MAX];
	char *save, *addr;
	int rc;

	if (!rec || !fenced || !len)
		return -EINVAL;
	fenced[0] = '\0';
	addr_key(key, node);
	rc = value_read(rec, ULMREC_OID, key, addrs, sizeof(addrs));
	if (!rc && !addrs[0])
		rc = -ENOENT;
	for (addr = strtok_r(addrs, " ", &save); !rc && addr;
	     addr = strtok_r(NULL, " ", &save)) {
		rc = rados_blocklist_add(rec->cluster, addr, expire_secs);
		if (!rc)
			snprintf(fenced + strlen(fenced), len - strlen(fenced),
				 "%s%s", fenced[0] ? " " : "", addr);
	}
	return ulmrec_errno(rc);
}
