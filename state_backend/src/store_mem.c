/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The memory store keeps no copy of its own: nothing but this env writes
 * it, so the engine's tables are the records. Executing an op only checks
 * the version the engine planned against and hands out ids and the next
 * version, which keeps the engine's path the same for every store.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "store.h"

struct mem_store {
	struct ulm_store base;
	/* Ids are unique in the whole store, so an id never comes back
	 * after a file empties and is locked again. */
	atomic_uint_fast64_t next_id;
};

static int mem_open(const struct ulm_env_config *cfg, struct ulm_store **store,
		    uint32_t *epoch)
{
	struct mem_store *m = malloc(sizeof(*m));

	(void)cfg;
	if (!m)
		return -ENOMEM;
	m->base.ops = &ulm_store_mem_ops;
	atomic_init(&m->next_id, 1);
	*store = &m->base;
	*epoch = 1; /* every open starts an empty store */
	return 0;
}

static void mem_close(struct ulm_store *store)
{
	free(store);
}

static int mem_op_execute(struct ulm_store *store, struct ulm_store_op *op)
{
	struct mem_store *m = (struct mem_store *)store;
	uint64_t id = atomic_fetch_add(&m->next_id, op->n_put);

	for (size_t i = 0; i < op->n_put; i++)
		op->put[i].id = id + i;
	op->new_version = op->version + 1;
	return 0;
}

const struct ulm_store_ops ulm_store_mem_ops = {
	.name = "memory",
	.shared = false,
	.open = mem_open,
	.close = mem_close,
	.op_execute = mem_op_execute,
};
