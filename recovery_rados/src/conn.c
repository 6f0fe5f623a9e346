/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The connection, and the omap helpers every object of ours uses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int ulmrec_errno(int rc)
{
	switch (rc) {
	case 0:
	case -ENOENT:
	case -ECANCELED:
	case -EINVAL:
	case -ENOMEM:
	case -EPERM:
	case -ENOKEY:
	case -EAGAIN:
	case -EBADMSG:
		return rc;
	}
	return -EIO;
}

/* Bounded waits: a node cut off from its OSDs must get an error, not
 * hang a Ganesha thread forever. */
static int bound_timeouts(rados_t cluster)
{
	int rc = rados_conf_set(cluster, "rados_osd_op_timeout", "30");

	if (!rc)
		rc = rados_conf_set(cluster, "rados_mon_op_timeout", "30");
	if (!rc)
		rc = rados_conf_set(cluster, "client_mount_timeout", "30");
	return rc;
}

static int ioctx_open(rados_t cluster, const char *pool, const char *ns,
		      rados_ioctx_t *io)
{
	int rc = rados_ioctx_create(cluster, pool, io);

	if (rc)
		return rc == -ENOENT ? -ENOENT : -EIO;
	rados_ioctx_set_namespace(*io, ns && *ns ? ns : NULL);
	return 0;
}

static int connect_cluster(ulmrec *rec, const struct ulmrec_config *cfg)
{
	int rc = rados_create(&rec->cluster, cfg->userid);

	if (rc)
		return ulmrec_errno(rc);
	rc = rados_conf_read_file(rec->cluster, cfg->ceph_conf);
	if (rc)
		return rc == -ENOENT || rc == -EACCES ? rc : -EINVAL;
	/* CEPH_ARGS and the like, as the ceph tools honour them. */
	rados_conf_parse_env(rec->cluster, NULL);
	if (cfg->keyring &&
	    rados_conf_set(rec->cluster, "keyring", cfg->keyring))
		return -EINVAL;
	if (bound_timeouts(rec->cluster))
		return -EINVAL;
	if (rados_connect(rec->cluster))
		return -EIO;
	rc = ioctx_open(rec->cluster, cfg->pool, cfg->rados_namespace,
			&rec->io);
	if (!rc && cfg->grace_oid) {
		rec->grace_oid = strdup(cfg->grace_oid);
		rc = rec->grace_oid
			     ? ioctx_open(rec->cluster, cfg->grace_pool,
					  cfg->grace_namespace, &rec->grace_io)
			     : -ENOMEM;
	}
	return rc;
}

int ulmrec_open(const struct ulmrec_config *cfg, ulmrec **out)
{
	ulmrec *rec;
	int rc;

	if (!cfg || !out || !cfg->pool || (cfg->grace_oid && !cfg->grace_pool))
		return -EINVAL;
	*out = NULL;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rc = connect_cluster(rec, cfg);
	if (rc) {
		ulmrec_close(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

void ulmrec_close(ulmrec *rec)
{
	if (!rec)
		return;
	if (rec->watch)
		rados_unwatch2(rec->io, rec->watch);
	if (rec->grace_io)
		rados_ioctx_destroy(rec->grace_io);
	if (rec->io)
		rados_ioctx_destroy(rec->io);
	if (rec->cluster)
		rados_shutdown(rec->cluster);
	free(rec->grace_oid);
	free(rec);
}

int omap_each(rados_ioctx_t io, const char *oid, const char *prefix,
	      omap_visit_fn fn, void *arg)
{
	char after[1100] = ""; /* keys: "c." + an NLM caller name (<= 1024) */
	unsigned char more = 1;
	int rc = 0;

	while (!rc && more) {
		rados_read_op_t op = rados_create_read_op();
		rados_omap_iter_t iter = NULL;
		char *key, *val;
		size_t len;
		int prval = 0;

		if (!op)
			return -ENOMEM;
		rados_read_op_omap_get_vals2(op, after, prefix,
					     ULMREC_OMAP_PER_GET, &iter, &more,
					     &prval);
		rc = rados_read_op_operate(op, io, oid, 0);
		if (!rc)
			rc = prval;
		if (rc == -ENOENT)
			rc = more = 0;
		while (!rc && iter &&
		       !rados_omap_get_next(iter, &key, &val, &len) && key) {
			rc = fn(key, val, len, arg);
			snprintf(after, sizeof(after), "%s", key);
		}
		if (iter)
			rados_omap_get_end(iter);
		rados_release_read_op(op);
	}
	return rc;
}

int omap_put(rados_ioctx_t io, const char *oid, const char *key,
	     const void *val, size_t len)
{
	rados_write_op_t op = rados_create_write_op();
	const char *keys[1] = {key};
	const char *vals[1] = {val};
	size_t key_lens[1] = {strlen(key)}, val_lens[1] = {len};
	int rc;

	if (!op)
		return -ENOMEM;
	rados_write_op_omap_set2(op, keys, vals, key_lens, val_lens, 1);
	rc = rados_write_op_operate(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	return rc;
}
