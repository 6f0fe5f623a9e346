/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Service addresses: omap "ip.<address>" of object "recovery", written by
 * ulm-takeover each time an address starts somewhere. Value (big-endian):
 * u8 format 1, u32 node (whose clients use it), u32 at (who serves it),
 * u64 since_ms, u16 nodeid length, nodeid. Nobody acts on them: they
 * tell an operator (ulmctl grace) where each address is and whose grace
 * holds its clients.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define SERVICE_FORMAT	   1
#define SERVICE_HEADER_LEN 19
#define SERVICE_MAX	   (SERVICE_HEADER_LEN + ULMREC_NODEID_MAX)
#define SERVICE_PREFIX	   "ip."
#define SERVICE_KEY_MAX	   (3 + ULMREC_ADDR_MAX)

int ulmrec_service_put(ulmrec *rec, const struct ulmrec_service *s)
{
	uint8_t val[SERVICE_MAX];
	char key[SERVICE_KEY_MAX];
	size_t id_len;

	if (!rec || !s || !*s->addr || strlen(s->addr) >= ULMREC_ADDR_MAX)
		return -EINVAL;
	snprintf(key, sizeof(key), SERVICE_PREFIX "%s", s->addr);
	id_len = strnlen(s->grace_nodeid, ULMREC_NODEID_MAX - 1);
	val[0] = SERVICE_FORMAT;
	put_be(val + 1, s->node, 4);
	put_be(val + 5, s->at, 4);
	put_be(val + 9, s->since_ms, 8);
	put_be(val + 17, id_len, 2);
	memcpy(val + SERVICE_HEADER_LEN, s->grace_nodeid, id_len);
	return ulmrec_errno(omap_put(rec->io, ULMREC_OID, key, val,
				     SERVICE_HEADER_LEN + id_len));
}

struct service_list {
	struct ulmrec_service *v;
	size_t n;
	size_t cap;
};

static int service_decode(const char *key, const uint8_t *buf, size_t len,
			  struct ulmrec_service *s)
{
	size_t id_len;

	if (len < SERVICE_HEADER_LEN || buf[0] != SERVICE_FORMAT)
		return -EBADMSG;
	id_len = get_be(buf + 17, 2);
	if (len != SERVICE_HEADER_LEN + id_len || id_len >= ULMREC_NODEID_MAX ||
	    strlen(key) - 3 >= ULMREC_ADDR_MAX)
		return -EBADMSG;
	snprintf(s->addr, sizeof(s->addr), "%s", key + 3);
	s->node = get_be(buf + 1, 4);
	s->at = get_be(buf + 5, 4);
	s->since_ms = get_be(buf + 9, 8);
	memcpy(s->grace_nodeid, buf + SERVICE_HEADER_LEN, id_len);
	s->grace_nodeid[id_len] = '\0';
	return 0;
}

static int service_visit(const char *key, const char *val, size_t len,
			 void *arg)
{
	struct service_list *l = arg;
	struct ulmrec_service *grown;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = realloc(l->v, l->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->v = grown;
	}
	return service_decode(key, (const uint8_t *)val, len, &l->v[l->n++]);
}

int ulmrec_service_list(ulmrec *rec, struct ulmrec_service **services,
			size_t *n)
{
	struct service_list l = {NULL, 0, 0};
	int rc;

	if (!rec || !services || !n)
		return -EINVAL;
	rc = omap_each(rec->io, ULMREC_OID, SERVICE_PREFIX, service_visit, &l);
	if (rc) {
		free(l.v);
		l.v = NULL;
		l.n = 0;
	}
	*services = l.v;
	*n = l.n;
	return ulmrec_errno(rc);
}
