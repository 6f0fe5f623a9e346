// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file grace.c
 * @brief ulmctl grace --store: who is in grace in the whole cluster, read
 * from RADOS with no Ganesha (grace.h makes the rows): ULM's recovery entries
 * (whose records are being reclaimed, by whom, until when), the service
 * addresses ulm-takeover recorded, the records themselves (what is left,
 * whose), and Ganesha's own grace database (rados_cluster's NEED and
 * ENFORCING).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ulmctl.h"
#include "ulmrec.h"

#define DEFAULT_GRACE_OID "grace"

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

static int read_cluster(const struct ulmctl_args *a, ulmrec *rec,
			struct ulmv_grace_source *src, struct ulmv_grace *out)
{
	int rc = ulmv_grace_source_read(rec, src);

	if (rc != 0)
		return ulmctl_fail("reading the recovery state in %s: %s",
				   a->store, strerror(-rc));
	/* Records only matter while a node's are being recovered. */
	rc = ulmctl_store_read(a, src->n_entries ? &src->records : NULL,
			       &src->nodes);
	if (rc == ULMCTL_EXIT_OK && ulmv_grace_rows(src, out) == 0)
		return ULMCTL_EXIT_OK;
	return rc == ULMCTL_EXIT_OK ? ulmctl_fail("out of memory") : rc;
}

static int read_grace_db(const struct ulmctl_args *a, ulmrec *rec,
			 struct ulmv_grace *out)
{
	int rc;

	if (a->grace_db == NULL)
		return ULMCTL_EXIT_OK;
	rc = ulmv_grace_db(rec, out);
	if (rc == -ENOMEM)
		return ulmctl_fail("out of memory");
	if (rc != 0)
		return ulmctl_fail(
			"reading Ganesha's grace database %s: %s", a->grace_db,
			rc == -ENOENT ? "no such object" : strerror(-rc));
	return ULMCTL_EXIT_OK;
}

int ulmctl_grace_read(const struct ulmctl_args *a, struct ulmv_grace *out)
{
	struct ulmv_grace_source src = {0};
	ulmrec *rec = NULL;
	int rc = connect_rados(a, &rec);

	if (rc == ULMCTL_EXIT_OK)
		rc = read_cluster(a, rec, &src, out);
	if (rc == ULMCTL_EXIT_OK)
		rc = read_grace_db(a, rec, out);
	ulmrec_close(rec);
	ulmv_grace_source_free(&src);
	return rc;
}
