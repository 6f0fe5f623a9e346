/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* recovery_rados's private parts, shared by its files. */
#ifndef ULMREC_INTERNAL_H
#define ULMREC_INTERNAL_H

#include <pthread.h>
#include <rados/librados.h>
#include "ulmrec.h"

#define ULMREC_OID	    "recovery"
#define ULMREC_NOTIFY_MS    5000
#define ULMREC_WATCH_SECS   5
#define ULMREC_OMAP_PER_GET 512

struct ulmrec {
	rados_t cluster;
	rados_ioctx_t io;	/* the lock store's pool and namespace */
	rados_ioctx_t grace_io; /* Ganesha's grace database; NULL: none */
	char *grace_oid;
	uint64_t watch;
	ulmrec_change_fn watch_fn;
	void *watch_arg;
};

/** Map a librados result to ours: timeouts and lost connections are
 *  -EIO, so a caller never mistakes them for an answer. */
int ulmrec_errno(int rc);

typedef int (*omap_visit_fn)(const char *key, const char *val, size_t len,
			     void *arg);
/** Visit every omap entry of @p oid whose key starts with @p prefix, in
 *  key order. A missing object has none. @return 0, the visitor's
 *  non-zero result, or a librados error */
int omap_each(rados_ioctx_t io, const char *oid, const char *prefix,
	      omap_visit_fn fn, void *arg);

/** Set one omap entry of @p oid (creating it). @return librados's result */
int omap_put(rados_ioctx_t io, const char *oid, const char *key,
	     const void *val, size_t len);

/* Big-endian integers of @p bytes bytes, as our omap values hold them. */
static inline void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t get_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

#endif /* ULMREC_INTERNAL_H */
