// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file store.c
 * @brief ulmctl without Ganesha: the lock store itself, opened read-only
 * (LMDB directory, or RADOS pool and namespace), every node's records.
 * Paths are Ganesha's to know: files show by key.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "ulmctl.h"

int ulmctl_store_config(const struct ulmctl_args *a, struct ulm_env_config *cfg,
			char **pool_buf)
{
	const char *spec = a->store;
	char *slash;

	memset(cfg, 0, sizeof(*cfg));
	cfg->read_only = true;
	*pool_buf = NULL;
	if (strncmp(spec, "rados:", 6) != 0) {
		cfg->store = ULM_STORE_LMDB;
		cfg->path = strncmp(spec, "lmdb:", 5) == 0 ? spec + 5 : spec;
		return *cfg->path ? 0 : -EINVAL;
	}
	*pool_buf = strdup(spec + 6);
	if (*pool_buf == NULL)
		return -ENOMEM;
	slash = strchr(*pool_buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	cfg->store = ULM_STORE_RADOS;
	cfg->pool = *pool_buf;
	cfg->rados_namespace = slash;
	cfg->ceph_conf = a->ceph_conf;
	cfg->userid = a->user;
	cfg->keyring = a->keyring;
	return **pool_buf ? 0 : -EINVAL;
}

static int open_store(const struct ulmctl_args *a, ulm_env **env)
{
	struct ulm_env_config cfg;
	char *pool;
	int rc = ulmctl_store_config(a, &cfg, &pool);

	if (rc == -EINVAL)
		rc = ulmctl_fail("--store %s: give lmdb:DIR or "
				 "rados:POOL[/NAMESPACE]",
				 a->store);
	else if (rc == 0 && (rc = ulm_env_open(&cfg, env)) != 0)
		rc = ulmctl_fail("cannot open the lock store %s: %s%s",
				 a->store, ulm_strerror(rc),
				 rc == -ENOENT ? " (no store there?)" : "");
	free(pool);
	return rc;
}

/* The listing's filter, and the store opened. @return ULMCTL_EXIT_OK, or
 * the exit code once said why (then nothing is left to free). */
static int open_filtered(const struct ulmctl_args *a, struct ulmv_filter *f,
			 ulm_env **env)
{
	char why[256];

	if (ulmctl_filter(a, ulmctl_types(a->command->listing), f, why,
			  sizeof(why)) != 0)
		return ulmctl_fail("%s", why);
	if (open_store(a, env) != 0) {
		ulmv_filter_free(f);
		return ULMCTL_EXIT_ERROR;
	}
	return ULMCTL_EXIT_OK;
}

int ulmctl_store_read(const struct ulmctl_args *a, struct ulmv_records *out,
		      struct ulmv_nodes *nodes)
{
	struct ulmv_filter f;
	ulm_env *env;
	int rc = open_filtered(a, &f, &env);

	if (rc != ULMCTL_EXIT_OK)
		return rc;
	rc = out ? ulmv_collect(env, &f, out) : 0;
	if (rc == 0 && nodes && out)
		rc = ulmv_nodes_count(nodes, out);
	if (rc == 0 && nodes)
		rc = ulmv_nodes_leases(nodes, env, 0);
	ulm_env_close(env);
	if (rc != 0)
		rc = ulmctl_fail("reading the lock store %s: %s", a->store,
				 ulm_strerror(rc));
	ulmv_filter_free(&f);
	return rc ? ULMCTL_EXIT_ERROR : ULMCTL_EXIT_OK;
}

/* Records in memory at a time, whatever the store's size. */
#define STREAM_CHUNK 4096

struct streaming {
	const struct ulmctl_args *a;
	struct ulmctl_chunks chunks;
	bool last;
	int exit; /* the printer's exit code, once it failed */
};

static int print_taken(struct ulmv_records *set, void *arg)
{
	struct streaming *st = arg;

	st->exit = ulmctl_print_chunk(st->a, &st->chunks, set, st->last);
	ulmv_records_empty(set);
	return st->exit == ULMCTL_EXIT_OK ? 0 : -EPIPE;
}

/* The end of the listing: what is left, then the table's closing. */
static int print_last(struct ulmv_records *set, void *arg)
{
	((struct streaming *)arg)->last = true;
	return print_taken(set, arg);
}

int ulmctl_store_stream(const struct ulmctl_args *a)
{
	struct streaming st = {a, {0}, false, ULMCTL_EXIT_OK};
	struct ulmv_records set = {0};
	struct ulmv_filter f;
	ulm_env *env;
	int rc = open_filtered(a, &f, &env);

	if (rc != ULMCTL_EXIT_OK)
		return rc;
	rc = ulmv_collect_chunks(env, &f, &set, STREAM_CHUNK, print_taken,
				 print_last, &st);
	ulm_env_close(env);
	if (rc != 0 && st.exit == ULMCTL_EXIT_OK)
		rc = ulmctl_fail("reading the lock store %s: %s", a->store,
				 ulm_strerror(rc));
	ulmv_records_free(&set);
	free(st.chunks.close);
	ulmv_filter_free(&f);
	if (st.exit != ULMCTL_EXIT_OK)
		return st.exit;
	return rc ? ULMCTL_EXIT_ERROR : ULMCTL_EXIT_OK;
}

int ulmctl_store_records(const struct ulmctl_args *a, struct ulmv_records *out)
{
	return ulmctl_store_read(a, out, NULL);
}

int ulmctl_store_nodes(const struct ulmctl_args *a, struct ulmv_nodes *out)
{
	struct ulmv_records records = {0};
	int rc = ulmctl_store_read(a, &records, out);

	ulmv_records_free(&records);
	return rc;
}

int ulmctl_store_file(const struct ulmctl_args *a, struct ulmctl_file *out)
{
	struct ulmctl_args by_key = *a;
	const char *names[] = {"file"}, *values[] = {a->operand};
	uint8_t key[ULM_KEY_MAX];
	size_t len;

	if (ulmv_unhex(a->operand, key, sizeof(key), &len) != 0)
		return ulmctl_fail("'%s' is not a file key (hex); with --store "
				   "a file is named by its key",
				   a->operand);
	by_key.n_filters = 1;
	memcpy(by_key.filter_names, names, sizeof(names));
	memcpy(by_key.filter_values, values, sizeof(values));
	out->key = strdup(a->operand);
	out->path = strdup("");
	if (out->key == NULL || out->path == NULL)
		return ulmctl_fail("out of memory");
	return ulmctl_store_records(&by_key, &out->records);
}

/*
 * A node is live while it holds its liveness lease (RADOS: its cls_lock
 * on live.<node> has not lapsed at the OSD; LMDB: the process that opened
 * the store as that node runs). Opening the store as that node, for
 * writing, takes its lease: a live holder keeps it and the open fails
 * with -EBUSY after one lease. Once it is ours, the node cannot come back
 * meanwhile; its new epoch's purge removes all it made before, tokens
 * included (what a restart of the node does at the end of its grace).
 * Its own lease is short: a live node is refused after BREAK_LEASE_MS.
 */
#define BREAK_LEASE_MS 2000

int ulmctl_store_break_node(const struct ulmctl_args *a)
{
	struct ulm_env_config cfg;
	uint64_t purged = 0;
	char *pool, *end;
	unsigned long node = strtoul(a->operand, &end, 10);
	ulm_env *env = NULL;
	int rc;

	if (*end || node == 0 || node > UINT32_MAX)
		return ulmctl_fail("'%s' is not a node id (1..%u)", a->operand,
				   UINT32_MAX);
	rc = ulmctl_store_config(a, &cfg, &pool);
	cfg.read_only = false;
	cfg.node_id = (uint32_t)node;
	cfg.lease_ms = BREAK_LEASE_MS;
	if (rc == 0)
		rc = ulm_env_open(&cfg, &env);
	if (rc == 0)
		rc = ulm_node_purge(env, cfg.node_id, ulm_env_epoch(env),
				    &purged);
	if (rc == 0)
		printf("node %lu: %" PRIu64 " records removed (epochs before "
		       "%u); its liveness lease had lapsed\n",
		       node, purged, ulm_env_epoch(env));
	if (env)
		ulm_env_close(env);
	free(pool);
	if (rc == -EBUSY)
		return ulmctl_fail("node %lu is live: it holds its liveness "
				   "lease (its Ganesha runs and renews it); "
				   "nothing removed. Stop it first, or let "
				   "ulm-takeover recover its clients",
				   node);
	if (rc != 0)
		return ulmctl_fail("break node %lu in %s: %s", node, a->store,
				   ulm_strerror(rc));
	return ULMCTL_EXIT_OK;
}
