// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file grace.c
 * @brief Who is in grace, as rows (grace.h): whose records are being
 * reclaimed, by whom, until when, what is left and whose; the service
 * addresses their clients use; Ganesha's grace database's flags.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grace.h"
#include "grow.h"

void ulmv_grace_free(struct ulmv_grace *grace)
{
	for (size_t i = 0; i < grace->n; i++) {
		free(grace->v[i].name);
		free(grace->v[i].member);
		free(grace->v[i].clients);
	}
	free(grace->v);
	memset(grace, 0, sizeof(*grace));
}

int ulmv_grace_source_read(ulmrec *rec, struct ulmv_grace_source *src)
{
	int rc = ulmrec_entry_list(rec, &src->entries, &src->n_entries);

	return rc ? rc
		  : ulmrec_service_list(rec, &src->services, &src->n_services);
}

void ulmv_grace_source_free(struct ulmv_grace_source *src)
{
	free(src->entries);
	free(src->services);
	ulmv_records_free(&src->records);
	ulmv_nodes_free(&src->nodes);
	memset(src, 0, sizeof(*src));
}

static char *text_of(uint32_t node)
{
	char *s;

	return asprintf(&s, "%" PRIu32, node) < 0 ? NULL : s;
}

/* Rows being made of a source. */
struct cluster {
	struct ulmv_grace_source *src;
	struct ulmv_grace *out;
};

static struct ulmv_grace_row *row_add(struct ulmv_grace *g, const char *kind,
				      char *name)
{
	struct ulmv_grace_row *r;

	if (name == NULL ||
	    !ulmv_grow((void **)&g->v, g->n, &g->cap, sizeof(*r))) {
		free(name);
		return NULL;
	}
	r = &g->v[g->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->name = name;
	r->ganesha = -1;
	return r;
}

static const struct ulmrec_entry *entry_of(const struct cluster *c,
					   uint32_t node)
{
	for (size_t i = 0; i < c->src->n_entries; i++)
		if (c->src->entries[i].node == node)
			return &c->src->entries[i];
	return NULL;
}

static uint32_t epoch_of(const struct cluster *c, uint32_t node)
{
	for (size_t i = 0; i < c->src->nodes.n; i++)
		if (c->src->nodes.v[i].node == node)
			return c->src->nodes.v[i].epoch;
	return 0;
}

static int text_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct clients of @p names (sorted in place), comma-separated. */
static char *join_clients(char **names, size_t n)
{
	size_t len = 1, at = 0;
	char *s;

	qsort(names, n, sizeof(*names), text_order);
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	*s = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(names[i], names[i - 1]) == 0)
			continue;
		at += (size_t)sprintf(s + at, "%s%s", at ? "," : "", names[i]);
	}
	return s;
}

/* A recovering node's row: its recovery entry, what is left of its
 * records (epochs before the entry's) and whose, and the reclaims its
 * ender adopted in its current life (records it made with the reclaim
 * flag). */
static int fill_recovery(const struct cluster *c, const struct ulmrec_entry *e,
			 struct ulmv_grace_row *r)
{
	uint32_t ender_epoch = epoch_of(c, e->by);
	char **names = malloc((c->src->records.n + 1) * sizeof(*names));
	size_t n = 0;

	if (names == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->src->records.n; i++) {
		const struct ulmv_record *rec = &c->src->records.v[i];

		if (rec->node == e->node && rec->epoch < e->before_epoch) {
			r->unreclaimed++;
			names[n++] = rec->client;
		} else if (rec->reclaim && rec->node == e->by &&
			   rec->epoch == ender_epoch) {
			r->reclaimed++;
		}
	}
	r->grace = true;
	r->by = e->by;
	r->since_ms = e->started_ms;
	r->ends_ms = e->started_ms + (uint64_t)e->grace_secs * 1000;
	r->clients = join_clients(names, n);
	free(names);
	if (*e->grace_nodeid && *r->member == '\0') {
		free(r->member);
		r->member = strdup(e->grace_nodeid);
	}
	return r->clients && r->member ? 0 : -ENOMEM;
}

/* The member name a node is known by: a service address of its says. */
static const char *member_of(const struct cluster *c, uint32_t node)
{
	for (size_t i = 0; i < c->src->n_services; i++)
		if (c->src->services[i].node == node &&
		    *c->src->services[i].grace_nodeid)
			return c->src->services[i].grace_nodeid;
	return "";
}

static int node_rows(struct cluster *c)
{
	struct ulmv_grace_row *r;
	const struct ulmrec_entry *e;

	/* A recovery of a node no longer registered is still shown. */
	for (size_t i = 0; i < c->src->n_entries; i++)
		if (ulmv_nodes_get(&c->src->nodes, c->src->entries[i].node) ==
		    NULL)
			return -ENOMEM;
	for (size_t i = 0; i < c->src->nodes.n; i++) {
		uint32_t node = c->src->nodes.v[i].node;

		r = row_add(c->out, "node", text_of(node));
		if (r == NULL)
			return -ENOMEM;
		r->node = node;
		r->member = strdup(member_of(c, node));
		if (r->member == NULL)
			return -ENOMEM;
		e = entry_of(c, node);
		if (e && fill_recovery(c, e, r) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* An address shows the grace of the node whose clients use it. */
static int address_rows(struct cluster *c)
{
	size_t nodes = c->out->n;
	struct ulmv_grace_row *r, *owner;

	for (size_t i = 0; i < c->src->n_services; i++) {
		const struct ulmrec_service *s = &c->src->services[i];

		r = row_add(c->out, "address", strdup(s->addr));
		if (r == NULL)
			return -ENOMEM;
		owner = NULL;
		for (size_t j = 0; j < nodes; j++)
			if (c->out->v[j].node == s->node)
				owner = &c->out->v[j];
		r->node = s->node;
		r->at = s->at;
		r->member = strdup(owner ? owner->member : s->grace_nodeid);
		if (owner) {
			r->grace = owner->grace;
			r->by = owner->by;
			r->since_ms = owner->since_ms;
			r->ends_ms = owner->ends_ms;
			r->reclaimed = owner->reclaimed;
			r->unreclaimed = owner->unreclaimed;
			r->clients =
				owner->clients ? strdup(owner->clients) : NULL;
			if (owner->clients && r->clients == NULL)
				return -ENOMEM;
		}
		if (r->member == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Ganesha's flags go on every row of the member; a member no row names
 * gets its own. */
static int member_flags(const char *nodeid, unsigned flags, void *arg)
{
	struct ulmv_grace *g = arg;
	struct ulmv_grace_row *r;
	size_t n = g->n;
	bool named = false;

	for (size_t i = 0; i < n; i++) {
		r = &g->v[i];
		if (strcmp(r->member, nodeid) != 0)
			continue;
		named = true;
		r->ganesha = (int)flags;
		r->grace |= (flags & ULMREC_GRACE_NEED) != 0;
	}
	if (named)
		return 0;
	r = row_add(g, "member", strdup(nodeid));
	if (r == NULL || (r->member = strdup(nodeid)) == NULL)
		return -ENOMEM;
	r->ganesha = (int)flags;
	r->grace = (flags & ULMREC_GRACE_NEED) != 0;
	return 0;
}

int ulmv_grace_rows(struct ulmv_grace_source *src, struct ulmv_grace *out)
{
	struct cluster c = {.src = src, .out = out};
	int rc = node_rows(&c);

	return rc ? rc : address_rows(&c);
}

int ulmv_grace_db(ulmrec *rec, struct ulmv_grace *out)
{
	int rc =
		ulmrec_grace_read(rec, &out->cur, &out->rec, member_flags, out);

	out->have_db = rc == 0;
	return rc;
}
