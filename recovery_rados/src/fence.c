/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Node addresses (omap "addr.<8 hex>" of "recovery") and fencing: a node
 * declared dead is blocklisted, so that none of its writes lands after the
 * takeover began, even if it was only cut off and comes back, and the OSDs
 * drop its watches at once (a dead watcher makes every notifier wait for
 * it until its watch times out).
 *
 * A node has two RADOS clients: libulm's lock store and ours. The store's
 * address is the holder of its liveness lease (cls_lock "ulm.live" on
 * object "live.<8 hex>", rados_live.c), read while the node lives: the
 * lease lapses before a takeover, and its locker with it. Our own address
 * is learnt the same way, from a lock we take for a moment. The value is
 * both addresses, separated by a space.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define ADDR_KEY_LEN 14 /* "addr." + 8 hex + NUL */
#define LIVE_LOCK    "ulm.live"
#define SELF_LOCK    "ulm.self"
#define LOCKERS_BUF  4096

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

int ulmrec_addr_record(ulmrec *rec, uint32_t node)
{
	char oid[32], store[ULMREC_ADDR_MAX], self[ULMREC_ADDR_MAX];
	char key[ADDR_KEY_LEN], val[2 * ULMREC_ADDR_MAX];
	int rc;

	if (!rec)
		return -EINVAL;
	snprintf(oid, sizeof(oid), "live.%08x", node);
	rc = locker_addr(rec, oid, LIVE_LOCK, store, sizeof(store));
	if (!rc)
		rc = own_addr(rec, node, self, sizeof(self));
	if (rc)
		return rc;
	snprintf(val, sizeof(val), "%s %s", store, self);
	addr_key(key, node);
	return ulmrec_errno(
		omap_put(rec->io, ULMREC_OID, key, val, strlen(val)));
}

static int addr_visit(const char *key, const char *val, size_t len, void *arg)
{
	char *out = arg;

	(void)key;
	if (len >= 2 * ULMREC_ADDR_MAX)
		return -EBADMSG;
	memcpy(out, val, len);
	out[len] = '\0';
	return 0;
}

int ulmrec_fence_node(ulmrec *rec, uint32_t node, uint32_t expire_secs,
		      char *fenced, size_t len)
{
	char key[ADDR_KEY_LEN], addrs[2 * ULMREC_ADDR_MAX] = "";
	char *save, *addr;
	int rc;

	if (!rec || !fenced || !len)
		return -EINVAL;
	fenced[0] = '\0';
	addr_key(key, node);
	/* The prefix is the whole key: it matches that one entry. */
	rc = omap_each(rec->io, ULMREC_OID, key, addr_visit, addrs);
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
