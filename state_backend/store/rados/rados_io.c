/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's I/O primitives, under every other part of it: run a
 * read or write op and wait, read one omap value, and map librados's
 * results to libulm's errors.
 */
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "call_bound.h"
#include "rados_io.h"

int rados_errno(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case -ENOMEM:
		return -ENOMEM;
	case -ENOSPC:
	case -EDQUOT:
		return -ENOLCK;
	case -ETIMEDOUT: /* no answer in time: a write may still land */
		return -ETIMEDOUT;
	}
	/* Lost connections, refused caps: the store failed. */
	return -EIO;
}

/* No op starts past the deadline of the call it serves
 * (util/call_bound.h): the call answers now. */
static int completion_new(rados_completion_t *c)
{
	return call_bound_passed()
		       ? -ETIMEDOUT
		       : rados_aio_create_completion2(NULL, NULL, c);
}

static int run_and_wait(rados_completion_t c, uint64_t *version, int rc)
{
	if (!rc) {
		rados_aio_wait_for_complete(c);
		rc = rados_aio_get_return_value(c);
	}
	if (!rc && version)
		*version = rados_aio_get_version(c);
	rados_aio_release(c);
	return rc;
}

/* The async forms report the object's version per op; the ioctx's
 * last-version slot would race between threads. */
int rados_write_run(struct rados_store *s, rados_write_op_t op, const char *oid,
		    uint64_t *version)
{
	rados_completion_t c;
	int rc = completion_new(&c);

	if (rc)
		return rc;
	return run_and_wait(
		c, version,
		rados_aio_write_op_operate(op, s->io, c, oid, NULL, 0));
}

int rados_read_run(struct rados_store *s, rados_read_op_t op, const char *oid,
		   uint64_t *version)
{
	rados_completion_t c;
	int rc = completion_new(&c);

	if (rc)
		return rc;
	return run_and_wait(c, version,
			    rados_aio_read_op_operate(op, s->io, c, oid, 0));
}

int rados_value_get(struct rados_store *s, const char *oid, const char *key,
		    void *buf, size_t *len, uint64_t *version)
{
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter;
	char *k, *v;
	size_t k_len, v_len, cap = *len;
	int prval = 0, rc;

	if (!op)
		return -ENOMEM;
	*len = 0;
	*version = 0;
	rados_read_op_omap_get_vals_by_keys(op, &key, 1, &iter, &prval);
	rc = rados_read_run(s, op, oid, version);
	rados_release_read_op(op);
	rc = rc ? rc : prval;
	if (!rc && !rados_omap_get_next2(iter, &k, &v, &k_len, &v_len) && k) {
		*len = v_len;
		if (v_len > cap)
			rc = ULM_ECORRUPT;
		else
			memcpy(buf, v, v_len);
	}
	/* The iterator exists whatever the op returned. */
	rados_omap_get_end(iter);
	if (rc == -ENOENT)
		return 0;
	return rc == ULM_ECORRUPT ? rc : rados_errno(rc);
}

int rados_u32_get(struct rados_store *s, const char *oid, const char *key,
		  uint32_t *value, uint64_t *version)
{
	uint8_t buf[4];
	size_t len = sizeof(buf);
	int rc = rados_value_get(s, oid, key, buf, &len, version);

	*value = 0;
	if (rc || !len)
		return rc;
	if (len != sizeof(buf))
		return ULM_ECORRUPT;
	*value = get_be32(buf);
	return 0;
}
