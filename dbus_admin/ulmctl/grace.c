// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file grace.c
 * @brief ulmctl grace: who is in grace in the whole cluster, read from
 * RADOS with no Ganesha: ULM's recovery entries (whose records are being
 * reclaimed, by whom, until when), the service addresses ulm-takeover
 * recorded, the records themselves (what is left, whose), and Ganesha's
 * own grace database (rados_cluster's NEED and ENFORCING).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "ulmctl.h"
#include "ulmrec.h"

#define DEFAULT_GRACE_OID "grace"

void ulmctl_grace_free(struct ulmctl_grace *grace)
{
	for (size_t i = 0; i < grace->n; i++) {
		free(grace->v[i].name);
		free(grace->v[i].member);
		free(grace->v[i].clients);
	}
	free(grace->v);
	memset(grace, 0, sizeof(*grace));
}

/* What was read from RADOS, before it becomes rows. */
struct cluster {
	ulmrec *rec;
	struct ulmrec_entry *entries;
	size_t n_entries;
	struct ulmrec_service *services;
	size_t n_services;
	struct ulmv_records records;
	struct ulmv_nodes nodes;
	struct ulmctl_grace *out;
};

static struct ulmctl_grace_row *row_add(struct ulmctl_grace *g,
					const char *kind, char *name)
{
	struct ulmctl_grace_row *r;

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
	for (size_t i = 0; i < c->n_entries; i++)
		if (c->entries[i].node == node)
			return &c->entries[i];
	return NULL;
}

static uint32_t epoch_of(const struct cluster *c, uint32_t node)
{
	for (size_t i = 0; i < c->nodes.n; i++)
		if (c->nodes.v[i].node == node)
			return c->nodes.v[i].epoch;
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
			 struct ulmctl_grace_row *r)
{
	uint32_t ender_epoch = epoch_of(c, e->by);
	char **names = malloc((c->records.n + 1) * sizeof(*names));
	size_t n = 0;

	if (names == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->records.n; i++) {
		const struct ulmv_record *rec = &c->records.v[i];

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
	for (size_t i = 0; i < c->n_services; i++)
		if (c->services[i].node == node && *c->services[i].grace_nodeid)
			return c->services[i].grace_nodeid;
	return "";
}

static int node_rows(struct cluster *c)
{
	struct ulmctl_grace_row *r;
	const struct ulmrec_entry *e;

	/* A recovery of a node no longer registered is still shown. */
	for (size_t i = 0; i < c->n_entries; i++)
		if (ulmv_nodes_get(&c->nodes, c->entries[i].node) == NULL)
			return -ENOMEM;
	for (size_t i = 0; i < c->nodes.n; i++) {
		uint32_t node = c->nodes.v[i].node;

		r = row_add(c->out, "node", ulmctl_text("%" PRIu32, node));
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
	struct ulmctl_grace_row *r, *owner;

	for (size_t i = 0; i < c->n_services; i++) {
		const struct ulmrec_service *s = &c->services[i];

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
	struct ulmctl_grace *g = arg;
	struct ulmctl_grace_row *r;
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

/* --grace-db POOL[/NAMESPACE[/OID]] into @p cfg; @p buf: free() it. */
static int grace_db_config(const char *spec, struct ulmrec_config *cfg,
			   char **buf)
{
	char *slash;

	*buf = strdup(spec);
	if (*buf == NULL)
		return -ENOMEM;
	cfg->grace_pool = *buf;
	cfg->grace_oid = DEFAULT_GRACE_OID;
	slash = strchr(*buf, '/');
	if (slash) {
		*slash++ = '\0';
		cfg->grace_namespace = slash;
		slash = strchr(slash, '/');
	}
	if (slash) {
		*slash++ = '\0';
		cfg->grace_oid = slash;
	}
	return **buf && *cfg->grace_oid ? 0 : -EINVAL;
}

static int connect_rados(const struct ulmctl_args *a, ulmrec **rec)
{
	struct ulm_env_config env;
	struct ulmrec_config cfg = {0};
	char *pool = NULL, *db = NULL;
	int rc = ulmctl_store_config(a, &env, &pool);

	if (rc == 0 && a->grace_db)
		rc = grace_db_config(a->grace_db, &cfg, &db);
	if (rc == -EINVAL) {
		rc = ulmctl_fail("--grace-db '%s': give POOL[/NAMESPACE[/OID]]",
				 a->grace_db);
	} else if (rc == 0) {
		cfg.ceph_conf = env.ceph_conf;
		cfg.userid = env.userid;
		cfg.keyring = env.keyring;
		cfg.pool = env.pool;
		cfg.rados_namespace = env.rados_namespace;
		rc = ulmrec_open(&cfg, rec);
		if (rc != 0)
			rc = ulmctl_fail("cannot reach RADOS (pool %s): %s",
					 env.pool, strerror(-rc));
	} else {
		rc = ulmctl_fail("out of memory");
	}
	free(pool);
	free(db);
	return rc;
}

static int read_cluster(const struct ulmctl_args *a, struct cluster *c)
{
	int rc = ulmrec_entry_list(c->rec, &c->entries, &c->n_entries);

	if (rc == 0)
		rc = ulmrec_service_list(c->rec, &c->services, &c->n_services);
	if (rc != 0)
		return ulmctl_fail("reading the recovery state in %s: %s",
				   a->store, strerror(-rc));
	/* Records only matter while a node's are being recovered. */
	rc = ulmctl_store_read(a, c->n_entries ? &c->records : NULL, &c->nodes);
	if (rc == ULMCTL_EXIT_OK && node_rows(c) == 0 && address_rows(c) == 0)
		return ULMCTL_EXIT_OK;
	return rc == ULMCTL_EXIT_OK ? ulmctl_fail("out of memory") : rc;
}

static int read_grace_db(const struct ulmctl_args *a, struct cluster *c)
{
	int rc;

	if (a->grace_db == NULL)
		return ULMCTL_EXIT_OK;
	rc = ulmrec_grace_read(c->rec, &c->out->cur, &c->out->rec, member_flags,
			       c->out);
	if (rc == -ENOMEM)
		return ulmctl_fail("out of memory");
	if (rc != 0)
		return ulmctl_fail(
			"reading Ganesha's grace database %s: %s", a->grace_db,
			rc == -ENOENT ? "no such object" : strerror(-rc));
	c->out->have_db = true;
	return ULMCTL_EXIT_OK;
}

int ulmctl_grace_read(const struct ulmctl_args *a, struct ulmctl_grace *out)
{
	struct cluster c = {.out = out};
	int rc = connect_rados(a, &c.rec);

	if (rc == ULMCTL_EXIT_OK)
		rc = read_cluster(a, &c);
	if (rc == ULMCTL_EXIT_OK)
		rc = read_grace_db(a, &c);
	ulmrec_close(c.rec);
	free(c.entries);
	free(c.services);
	ulmv_records_free(&c.records);
	ulmv_nodes_free(&c.nodes);
	return rc;
}
