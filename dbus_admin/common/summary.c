// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file summary.c
 * @brief Clients and nodes counted from the records of a listing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "summary.h"

int ulmv_family(enum ulm_record_type type)
{
	switch (type) {
	case ULM_REC_LOCK_READ:
	case ULM_REC_LOCK_WRITE:
		return ULMV_FAMILY_LOCK;
	case ULM_REC_SHARE:
		return ULMV_FAMILY_SHARE;
	case ULM_REC_DELEG_READ:
	case ULM_REC_DELEG_WRITE:
		return ULMV_FAMILY_DELEG;
	case ULM_REC_WAIT_READ:
	case ULM_REC_WAIT_WRITE:
		return ULMV_FAMILY_WAIT;
	}
	return -1;
}

static void count(uint32_t *counts, const struct ulmv_record *r)
{
	int family = ulmv_family(r->type);

	if (family >= 0)
		counts[family]++;
}

static struct ulmv_client *client_get(struct ulmv_clients *set,
				      const struct ulmv_record *r)
{
	struct ulmv_client *c;

	for (size_t i = 0; i < set->n; i++) {
		c = &set->v[i];
		if (c->protocol == r->protocol && c->node == r->node &&
		    strcmp(c->client, r->client) == 0)
			return c;
	}
	if (!ulmv_grow((void **)&set->v, set->n, &set->cap, sizeof(*c)))
		return NULL;
	c = &set->v[set->n];
	memset(c, 0, sizeof(*c));
	c->client = strdup(r->client);
	if (!c->client)
		return NULL;
	c->protocol = r->protocol;
	c->node = r->node;
	set->n++;
	return c;
}

int ulmv_clients_add(struct ulmv_clients *set, const struct ulmv_record *r)
{
	struct ulmv_client *c = client_get(set, r);

	if (!c)
		return -ENOMEM;
	count(c->count, r);
	return 0;
}

static int client_order(const void *a, const void *b)
{
	const struct ulmv_client *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	return strcmp(x->client, y->client);
}

static void clients_sort(struct ulmv_clients *set)
{
	if (set->n)
		qsort(set->v, set->n, sizeof(set->v[0]), client_order);
}

int ulmv_clients_count(struct ulmv_clients *set,
		       const struct ulmv_records *records)
{
	for (size_t i = 0; i < records->n; i++)
		if (ulmv_clients_add(set, &records->v[i]) != 0)
			return -ENOMEM;
	clients_sort(set);
	return 0;
}

void ulmv_clients_free(struct ulmv_clients *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].client);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

struct ulmv_node *ulmv_nodes_get(struct ulmv_nodes *set, uint32_t node)
{
	struct ulmv_node *n;

	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].node == node)
			return &set->v[i];
	if (!ulmv_grow((void **)&set->v, set->n, &set->cap, sizeof(*n)))
		return NULL;
	n = &set->v[set->n++];
	memset(n, 0, sizeof(*n));
	n->node = node;
	return n;
}

int ulmv_nodes_add(struct ulmv_nodes *set, const struct ulmv_record *r)
{
	struct ulmv_node *n = ulmv_nodes_get(set, r->node);

	if (!n)
		return -ENOMEM;
	if (r->epoch > n->epoch)
		n->epoch = r->epoch;
	count(n->count, r);
	return 0;
}

static int node_order(const void *a, const void *b)
{
	const struct ulmv_node *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

static void nodes_sort(struct ulmv_nodes *set)
{
	if (set->n)
		qsort(set->v, set->n, sizeof(set->v[0]), node_order);
}

int ulmv_nodes_count(struct ulmv_nodes *set, const struct ulmv_records *records)
{
	for (size_t i = 0; i < records->n; i++)
		if (ulmv_nodes_add(set, &records->v[i]) != 0)
			return -ENOMEM;
	nodes_sort(set);
	return 0;
}

void ulmv_nodes_free(struct ulmv_nodes *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

struct lease_visit {
	struct ulmv_nodes *set;
	ulm_env *env;
	uint32_t self;
};

static int lease_of(const struct ulm_node_info *info, void *arg)
{
	struct lease_visit *v = arg;
	struct ulmv_node *n = ulmv_nodes_get(v->set, info->node);

	if (!n)
		return -ENOMEM;
	if (info->epoch > n->epoch)
		n->epoch = info->epoch;
	n->lease_end_ms = info->lease_end_ms;
	if (info->node == v->self && !ulm_env_live(v->env))
		n->lease = ULMV_LEASE_FENCED;
	else
		n->lease = info->live ? ULMV_LEASE_LIVE : ULMV_LEASE_DEAD;
	return 0;
}

int ulmv_nodes_leases(struct ulmv_nodes *set, ulm_env *env, uint32_t self)
{
	struct lease_visit v = {set, env, self};
	int rc = ulm_node_list(env, lease_of, &v);

	nodes_sort(set);
	return rc;
}

const char *ulmv_lease_name(uint32_t lease)
{
	switch (lease) {
	case ULMV_LEASE_LIVE:
		return "live";
	case ULMV_LEASE_FENCED:
		return "fenced";
	case ULMV_LEASE_DEAD:
		return "dead";
	}
	return "unknown";
}
