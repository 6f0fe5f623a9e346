/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NLM clients per service address: object "nsm.<address>", omap
 * "c.<caller name>" -> the client's address, and "state" -> the last NSM
 * state announced for the address (decimal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define NSM_OID_MAX    (4 + ULMREC_ADDR_MAX)
#define NSM_CALLER_MAX 1024 /* LM_MAXSTRLEN */
#define NSM_STATE_KEY  "state"

static int nsm_oid(char *oid, const char *server_addr)
{
	if (!server_addr || !*server_addr ||
	    strlen(server_addr) >= ULMREC_ADDR_MAX)
		return -EINVAL;
	snprintf(oid, NSM_OID_MAX, "nsm.%s", server_addr);
	return 0;
}

int ulmrec_nsm_add(ulmrec *rec, const char *server_addr, const char *caller,
		   const char *client_addr)
{
	char oid[NSM_OID_MAX], key[2 + NSM_CALLER_MAX + 1];
	int rc = rec ? nsm_oid(oid, server_addr) : -EINVAL;

	if (!rc && (!caller || !*caller || strlen(caller) > NSM_CALLER_MAX ||
		    !client_addr || !*client_addr ||
		    strlen(client_addr) >= ULMREC_ADDR_MAX))
		rc = -EINVAL;
	if (rc)
		return rc;
	snprintf(key, sizeof(key), "c.%s", caller);
	return ulmrec_errno(
		omap_put(rec->io, oid, key, client_addr, strlen(client_addr)));
}

struct nsm_visit {
	ulmrec_nsm_fn fn;
	void *arg;
};

static int nsm_client_visit(const char *key, const char *val, size_t len,
			    void *arg)
{
	struct nsm_visit *v = arg;
	char addr[ULMREC_ADDR_MAX];

	if (len >= sizeof(addr))
		return -EBADMSG;
	memcpy(addr, val, len);
	addr[len] = '\0';
	return v->fn(key + 2, addr, v->arg);
}

int ulmrec_nsm_list(ulmrec *rec, const char *server_addr, ulmrec_nsm_fn fn,
		    void *arg)
{
	struct nsm_visit v = {fn, arg};
	char oid[NSM_OID_MAX];
	int rc = rec && fn ? nsm_oid(oid, server_addr) : -EINVAL;

	if (!rc)
		rc = omap_each(rec->io, oid, "c.", nsm_client_visit, &v);
	return rc;
}

static int state_visit(const char *key, const char *val, size_t len, void *arg)
{
	char digits[16];

	(void)key;
	if (len >= sizeof(digits))
		return -EBADMSG;
	memcpy(digits, val, len);
	digits[len] = '\0';
	*(uint32_t *)arg = (uint32_t)strtoul(digits, NULL, 10);
	return 0;
}

/* Read, then write guarded by omap_cmp: two takeovers never announce one
 * state twice. */
int ulmrec_nsm_next_state(ulmrec *rec, const char *server_addr, uint32_t *state)
{
	char oid[NSM_OID_MAX], old[16], val[16];
	const char *keys[1] = {NSM_STATE_KEY}, *vals[1] = {val};
	size_t key_lens[1] = {strlen(NSM_STATE_KEY)}, val_lens[1];
	int rc = rec && state ? nsm_oid(oid, server_addr) : -EINVAL;

	while (!rc) {
		uint32_t cur = 0;
		rados_write_op_t op;
		int prval = 0;

		rc = omap_each(rec->io, oid, NSM_STATE_KEY, state_visit, &cur);
		if (rc)
			break;
		snprintf(old, sizeof(old), "%u", cur);
		/* Odd: the host is up (after a restart). */
		*state = (cur + 1) | 1;
		val_lens[0] = snprintf(val, sizeof(val), "%u", *state);
		op = rados_create_write_op();
		if (!op)
			return -ENOMEM;
		if (cur)
			rados_write_op_omap_cmp(op, NSM_STATE_KEY,
						LIBRADOS_CMPXATTR_OP_EQ, old,
						strlen(old), &prval);
		rados_write_op_omap_set2(op, keys, vals, key_lens, val_lens, 1);
		rc = rados_write_op_operate(op, rec->io, oid, NULL, 0);
		rados_release_write_op(op);
		if (rc == -ECANCELED || prval)
			rc = 0; /* another takeover moved it: again */
		else
			break;
	}
	return ulmrec_errno(rc);
}
