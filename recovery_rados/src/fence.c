/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Node addresses (omap "addr.<8 hex>" of "recovery") and fencing: a node
 * declared dead is blocklisted, so that none of its writes lands after
 * the takeover began, even if it was only cut off and comes back.
 *
 * The address is the one libulm's RADOS store holds its liveness lease
 * with (cls_lock "ulm.live" on object "live.<8 hex>", rados_live.c): the
 * very client whose writes must stop. It is read from the lock while the
 * node lives; the lease lapses before a takeover, and with it the
 * locker's address. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define ADDR_KEY_LEN 14 /* "addr." + 8 hex + NUL */

static void addr_key(char *key, uint32_t node)
{
	snprintf(key, ADDR_KEY_LEN, "addr.%08x", node);
}

int ulmrec_addr_put(ulmrec *rec, uint32_t node, const char *addr)
{
	char key[ADDR_KEY_LEN];

	if (!rec || !addr || !*addr || strlen(addr) >= ULMREC_ADDR_MAX)
		return -EINVAL;
	addr_key(key, node);
	return ulmrec_errno(
		omap_put(rec->io, ULMREC_OID, key, addr, strlen(addr)));
}

struct addr_out {
	char *addr;
	size_t len;
	bool found;
};

static int addr_visit(const char *key, const char *val, size_t len, void *arg)
{
	struct addr_out *out = arg;

	(void)key;
	if (len >= out->len || len >= ULMREC_ADDR_MAX)
		return -EBADMSG;
	memcpy(out->addr, val, len);
	out->addr[len] = '\0';
	out->found = true;
	return 0;
}

int ulmrec_addr_get(ulmrec *rec, uint32_t node, char *addr, size_t len)
{
	struct addr_out out = {addr, len, false};
	char key[ADDR_KEY_LEN];
	int rc;

	if (!rec || !addr || !len)
		return -EINVAL;
	addr_key(key, node);
	/* The prefix is the whole key: it matches that one entry. */
	rc = omap_each(rec->io, ULMREC_OID, key, addr_visit, &out);
	if (!rc && !out.found)
		rc = -ENOENT;
	return ulmrec_errno(rc);
}

#define LIVE_LOCK   "ulm.live"
#define LOCKERS_BUF 4096

int ulmrec_addr_record(ulmrec *rec, uint32_t node)
{
	char oid[32], tag[64], clients[LOCKERS_BUF], cookies[LOCKERS_BUF],
		addrs[LOCKERS_BUF];
	size_t tag_len = sizeof(tag), clients_len = sizeof(clients),
	       cookies_len = sizeof(cookies), addrs_len = sizeof(addrs);
	int exclusive;
	ssize_t n;

	if (!rec)
		return -EINVAL;
	snprintf(oid, sizeof(oid), "live.%08x", node);
	n = rados_list_lockers(rec->io, oid, LIVE_LOCK, &exclusive, tag,
			       &tag_len, clients, &clients_len, cookies,
			       &cookies_len, addrs, &addrs_len);
	if (n < 0)
		return ulmrec_errno((int)n);
	if (n != 1)
		return -ENOENT;
	/* One locker: its address is the first NUL-terminated string. */
	return ulmrec_addr_put(rec, node, addrs);
}

int ulmrec_fence(ulmrec *rec, const char *addr, uint32_t expire_secs)
{
	int rc;

	if (!rec || !addr || !*addr)
		return -EINVAL;
	rc = rados_blocklist_add(rec->cluster, (char *)addr, expire_secs);
	return rc == -EINVAL || rc == -EPERM ? rc : ulmrec_errno(rc);
}
