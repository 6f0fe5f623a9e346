/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Record changes of one file object, encoded: the records a write op puts
 * (omap key: the id in 16 hex digits, value: record_encode()) and the ids
 * it removes. A synchronous change is one batch; under a token, the
 * changes of many engine ops pile up in one until the flusher writes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rados_io.h"

/* The op's keys and the arrays librados takes; values point into the
 * batch, which must outlive the op. */
struct batch_bufs {
	char (*keys)[RADOS_ID_KEY_LEN + 1];
	const char **del;
	const char **put;
	const char **vals;
	size_t *del_lens;
	size_t *put_lens;
	size_t *val_lens;
};

const char *rados_id_key(char *buf, uint64_t id)
{
	snprintf(buf, RADOS_ID_KEY_LEN + 1, "%016llx", (unsigned long long)id);
	return buf;
}

bool rados_batch_empty(const struct rados_batch *b)
{
	return !b->n_put && !b->n_del;
}

void rados_batch_clear(struct rados_batch *b)
{
	for (size_t i = 0; i < b->n_put; i++)
		free(b->put[i].bytes);
	b->n_put = 0;
	b->n_del = 0;
}

void rados_batch_free(struct rados_batch *b)
{
	rados_batch_clear(b);
	free(b->put);
	free(b->del);
	memset(b, 0, sizeof(*b));
}

static int batch_reserve(struct rados_batch *b, size_t n_put, size_t n_del)
{
	if (b->n_put + n_put > b->cap_put) {
		size_t cap = 2 * (b->n_put + n_put);
		struct batch_put *p = realloc(b->put, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		b->put = p;
		b->cap_put = cap;
	}
	if (b->n_del + n_del > b->cap_del) {
		size_t cap = 2 * (b->n_del + n_del);
		uint64_t *d = realloc(b->del, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		b->del = d;
		b->cap_del = cap;
	}
	return 0;
}

/* A record put and deleted before the batch is written never is. */
static bool put_cancel(struct rados_batch *b, uint64_t id)
{
	for (size_t i = b->n_put; i-- > 0;) {
		if (b->put[i].id != id)
			continue;
		free(b->put[i].bytes);
		b->put[i] = b->put[--b->n_put];
		return true;
	}
	return false;
}

static void free_encodings(uint8_t **bytes, size_t n)
{
	for (size_t i = 0; bytes && i < n; i++)
		free(bytes[i]);
	free(bytes);
}

int rados_batch_add(struct rados_batch *b, struct ulm_store_op *op,
		    uint64_t base, uint32_t next)
{
	uint8_t **bytes = calloc(op->n_put ? op->n_put : 1, sizeof(*bytes));
	int rc = bytes ? batch_reserve(b, op->n_put, op->n_del) : -ENOMEM;

	for (size_t i = 0; !rc && i < op->n_put; i++) {
		bytes[i] = malloc(record_encoded_len(&op->put[i]));
		if (!bytes[i])
			rc = -ENOMEM;
		else
			record_encode(&op->put[i], bytes[i]);
	}
	if (rc) {
		free_encodings(bytes, op->n_put);
		return rc;
	}
	/* Point of no return. */
	for (size_t i = 0; i < op->n_del; i++)
		if (!put_cancel(b, op->del[i]))
			b->del[b->n_del++] = op->del[i];
	for (size_t i = 0; i < op->n_put; i++) {
		op->put[i].id = (base << 16) + next + i;
		b->put[b->n_put++] = (struct batch_put){
			op->put[i].id, record_encoded_len(&op->put[i]),
			bytes[i]};
	}
	free(bytes);
	return 0;
}

void rados_batch_bufs_free(struct batch_bufs *bb)
{
	if (!bb)
		return;
	free(bb->keys);
	free(bb->del);
	free(bb->put);
	free(bb->vals);
	free(bb->del_lens);
	free(bb->put_lens);
	free(bb->val_lens);
	free(bb);
}

static struct batch_bufs *bufs_alloc(size_t nd, size_t np)
{
	struct batch_bufs *bb = calloc(1, sizeof(*bb));

	if (!bb)
		return NULL;
	bb->keys = malloc((nd + np) * sizeof(*bb->keys));
	bb->del = malloc(nd * sizeof(*bb->del));
	bb->put = malloc(np * sizeof(*bb->put));
	bb->vals = malloc(np * sizeof(*bb->vals));
	bb->del_lens = malloc(nd * sizeof(*bb->del_lens));
	bb->put_lens = malloc(np * sizeof(*bb->put_lens));
	bb->val_lens = malloc(np * sizeof(*bb->val_lens));
	if (bb->keys && bb->del && bb->put && bb->vals && bb->del_lens &&
	    bb->put_lens && bb->val_lens)
		return bb;
	rados_batch_bufs_free(bb);
	return NULL;
}

struct batch_bufs *rados_batch_write(const struct rados_batch *b,
				     rados_write_op_t w)
{
	size_t nd = b->n_del + 1, np = b->n_put + 1;
	struct batch_bufs *bb = bufs_alloc(nd, np);

	if (!bb)
		return NULL;
	for (size_t i = 0; i < b->n_del; i++) {
		bb->del[i] = rados_id_key(bb->keys[i], b->del[i]);
		bb->del_lens[i] = RADOS_ID_KEY_LEN;
	}
	for (size_t i = 0; i < b->n_put; i++) {
		bb->put[i] = rados_id_key(bb->keys[nd + i], b->put[i].id);
		bb->put_lens[i] = RADOS_ID_KEY_LEN;
		bb->vals[i] = (const char *)b->put[i].bytes;
		bb->val_lens[i] = b->put[i].len;
	}
	if (b->n_del)
		rados_write_op_omap_rm_keys2(w, bb->del, bb->del_lens,
					     b->n_del);
	if (b->n_put)
		rados_write_op_omap_set2(w, bb->put, bb->vals, bb->put_lens,
					 bb->val_lens, b->n_put);
	return bb;
}
