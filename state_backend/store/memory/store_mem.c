/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The memory store keeps no copy of its own: nothing but this env writes
 * it, so the engine's tables are the records. Executing an op only checks
 * the version the engine planned against and hands out ids and the next
 * version, which keeps the engine's path the same for every store. Its
 * mailbox is a queue in memory: every record it holds is this node's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "store.h"

struct mem_event {
	struct mem_event *next;
	size_t len;
	uint8_t msg[];
};

struct mem_store {
	struct ulm_store base;
	/* Ids are unique in the whole store, so an id never comes back
	 * after a file empties and is locked again. */
	atomic_uint_fast64_t next_id;
	uint32_t node_id;
	pthread_mutex_t mutex;
	pthread_cond_t posted;
	struct mem_event *head;
	struct mem_event **tail;
};

static int mem_open(const struct ulm_env_config *cfg, struct ulm_store **store,
		    uint32_t *epoch)
{
	struct mem_store *m = malloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->base.ops = &ulm_store_mem_ops;
	atomic_init(&m->next_id, 1);
	m->node_id = cfg->node_id;
	pthread_mutex_init(&m->mutex, NULL);
	pthread_cond_init(&m->posted, NULL);
	m->head = NULL;
	m->tail = &m->head;
	*store = &m->base;
	*epoch = 1; /* every open starts an empty store */
	return 0;
}

static void mem_close(struct ulm_store *store)
{
	struct mem_store *m = (struct mem_store *)store;

	while (m->head) {
		struct mem_event *e = m->head;

		m->head = e->next;
		free(e);
	}
	pthread_cond_destroy(&m->posted);
	pthread_mutex_destroy(&m->mutex);
	free(m);
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

static int mem_event_post(struct ulm_store *store, uint32_t node,
			  const void *msg, size_t len)
{
	struct mem_store *m = (struct mem_store *)store;
	struct mem_event *e;

	if (len > STORE_EVENT_MAX)
		return -EINVAL;
	if (node != m->node_id)
		return 0; /* no other node shares a memory store */
	e = malloc(sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->len = len;
	memcpy(e->msg, msg, len);
	pthread_mutex_lock(&m->mutex);
	*m->tail = e;
	m->tail = &e->next;
	pthread_cond_signal(&m->posted);
	pthread_mutex_unlock(&m->mutex);
	return 0;
}

static int mem_event_take(struct ulm_store *store, store_event_fn fn, void *arg,
			  int timeout_ms)
{
	struct mem_store *m = (struct mem_store *)store;
	struct mem_event *list;
	struct timespec deadline = clock_realtime_after(timeout_ms);
	int rc = 0;

	pthread_mutex_lock(&m->mutex);
	while (!m->head && timeout_ms > 0 &&
	       pthread_cond_timedwait(&m->posted, &m->mutex, &deadline) == 0)
		;
	list = m->head;
	m->head = NULL;
	m->tail = &m->head;
	pthread_mutex_unlock(&m->mutex);
	while (list) {
		struct mem_event *e = list;

		list = e->next;
		if (!rc)
			rc = fn(e->msg, e->len, arg);
		free(e);
	}
	return rc;
}

/* A memory store is this node's alone, and lives as long as its env. */
static int mem_node_list(struct ulm_store *store, store_node_fn fn, void *arg)
{
	struct mem_store *m = (struct mem_store *)store;
	struct ulm_node_info self = {m->node_id, 1, true, 0};

	return fn(&self, arg);
}

const struct ulm_store_ops ulm_store_mem_ops = {
	.name = "memory",
	.shared = false,
	.open = mem_open,
	.close = mem_close,
	.op_execute = mem_op_execute,
	.event_post = mem_event_post,
	.event_take = mem_event_take,
	.node_list = mem_node_list,
};
