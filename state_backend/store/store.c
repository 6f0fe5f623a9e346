/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Building store ops; the room is taken up front so queuing never fails. */
#include <errno.h>
#include <stdlib.h>
#include "store.h"

int store_op_init(struct ulm_store_op *op, const struct ulm_key *file,
		  uint64_t version, size_t max_del, size_t max_put)
{
	op->file = file;
	op->version = version;
	op->n_del = 0;
	op->n_put = 0;
	op->new_version = 0;
	op->del = malloc((max_del ? max_del : 1) * sizeof(*op->del));
	op->put = malloc((max_put ? max_put : 1) * sizeof(*op->put));
	if (op->del && op->put)
		return 0;
	store_op_fini(op);
	return -ENOMEM;
}

void store_op_delete(struct ulm_store_op *op, uint64_t id)
{
	op->del[op->n_del++] = id;
}

void store_op_put(struct ulm_store_op *op, const struct ulm_record *rec)
{
	op->put[op->n_put++] = *rec;
}

void store_op_fini(struct ulm_store_op *op)
{
	free(op->del);
	free(op->put);
	op->del = NULL;
	op->put = NULL;
}
