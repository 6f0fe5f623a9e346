/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's writes. A change of a file whose token this node
 * holds is made in memory and written behind (rados_tokens.c). Any other
 * change is one write op guarded by the version the engine planned
 * against (assert_version; an exclusive create for a file without an
 * object): a lost race is -ECANCELED, and the engine plans again. A write
 * to a file no other node watches takes the file's token too.
 */
#include <errno.h>
#include "rados_ops.h"

#define IDS_PER_OP 65535

/* The object's record count after @op, if known now. */
static int64_t records_after(struct rados_file *f,
			     const struct ulm_store_op *op)
{
	struct rados_token t;
	uint64_t version;
	int64_t n;

	if (!op->version)
		return (int64_t)op->n_put;
	if (!rados_file_known(f, &version, &n, &t) || version != op->version ||
	    n < 0)
		return -1;
	return n + (int64_t)op->n_put - (int64_t)op->n_del;
}

/* A lost race: the object moved past the asserted version, was made by
 * another node first, or was removed by an operator. */
static bool race_lost(int rc, const struct ulm_store_op *op)
{
	return rc == -ERANGE || rc == -EOVERFLOW || rc == -EEXIST ||
	       (rc == -ENOENT && op->version);
}

/* Build the write of @b for @op; NULL: no memory. */
static rados_write_op_t write_build(const struct ulm_store_op *op,
				    const struct rados_batch *b,
				    struct batch_bufs **bufs)
{
	rados_write_op_t w = rados_create_write_op();

	if (!w)
		return NULL;
	if (op->version)
		rados_write_op_assert_version(w, op->version);
	else
		rados_write_op_create(w, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	*bufs = rados_batch_write(b, w);
	if (*bufs)
		return w;
	rados_release_write_op(w);
	return NULL;
}

static int write_sync(struct rados_file *f, struct ulm_store_op *op)
{
	struct rados_store *s = f->store;
	bool take = rados_token_may_take(f, op);
	int64_t n_after = records_after(f, op);
	uint64_t gen = rados_file_gen(f);
	uint8_t token[RADOS_TOKEN_LEN];
	struct batch_bufs *bufs = NULL;
	struct rados_batch b = {0};
	rados_write_op_t w = NULL;
	int rc = rados_batch_add(&b, op, op->version, 1);

	if (!rc)
		w = write_build(op, &b, &bufs);
	if (!rc && !w)
		rc = -ENOMEM;
	if (!rc) {
		if (take)
			rados_token_add(s, w, token);
		rc = rados_write_run(s, w, f->oid, &op->new_version);
		rados_release_write_op(w);
	}
	rados_batch_bufs_free(bufs);
	rados_batch_free(&b);
	if (rc) {
		/* A failed write may still have happened (a timeout): the
		 * file's state here is unknown either way. */
		rados_file_forget(f);
		return race_lost(rc, op) ? -ECANCELED : rados_errno(rc);
	}
	rados_file_learn(f, gen, op->new_version, n_after, NULL);
	if (take)
		rados_token_taken(f, op, op->new_version, n_after);
	/* A new object: watch it from now on; a token nobody can ask us
	 * for (no watch) goes back at once. */
	if (!op->version && rados_file_watch(f))
		rados_token_drop(f);
	rados_file_changed(f);
	return 0;
}

int rados_op_execute(struct ulm_store *store, struct ulm_store_op *op)
{
	struct rados_store *s = (struct rados_store *)store;
	struct rados_file *f;
	int rc;

	if (s->read_only)
		return -EROFS;
	if (!rados_live_ok(s))
		return ULM_EFENCED;
	if (op->n_put > IDS_PER_OP)
		return -ENOLCK;
	f = rados_file_get(s, op->file);
	if (!f)
		return -ENOMEM;
	rc = rados_token_execute(f, op);
	if (rc == 1)
		rc = write_sync(f, op);
	rados_file_put(f);
	return rc;
}
