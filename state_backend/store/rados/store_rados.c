/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store: one object per file, "f." + the key in hex, holding
 * the file's records as omap entries (key: the record id as 16 hex
 * digits, value: the encoded record). A change is one write op guarded
 * by the object's version (assert_version; exclusive create for a file
 * without an object), so independent files never contend and a lost race
 * is -ERANGE/-EEXIST, returned as -ECANCELED for the engine to re-plan.
 *
 * Objects are kept when their last record goes: object versions only
 * grow, so a version is never reused, and ids derive from them: a record
 * put by the op that moved the object from version V gets id
 * V * 65536 + its index + 1, which grows with every op on the file and is
 * never handed out twice for it.
 *
 * "ulm.meta" holds the record format, "node.<N>" node N's epoch and its
 * mailbox (rados_events.c). Layout and inspection: docs/rados.md.
 *
 * This file: connecting, node registration and the store ops. Reads are
 * in rados_read.c, writes in rados_write.c, the cache of watched files
 * in rados_files.c, file tokens in rados_tokens.c (holder),
 * rados_handover.c (others) and rados_flusher.c (write-behind).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "rados_events.h"
#include "rados_ops.h"

#define PEER_WAIT_DEFAULT_S 1
#define META_OID	    "ulm.meta"
#define REGISTER_TRIES	    100

static struct rados_store *to_rados(struct ulm_store *store)
{
	return (struct rados_store *)store;
}

/* Set it if the object is still at @version. @return 0, -ECANCELED */
static int u32_put(struct rados_store *s, const char *oid, const char *key,
		   uint32_t value, uint64_t version)
{
	rados_write_op_t op = rados_create_write_op();
	uint8_t buf[4];
	const char *val = (const char *)buf;
	size_t key_len = strlen(key), val_len = 4;
	int rc;

	if (!op)
		return -ENOMEM;
	put_be32(buf, value);
	if (version)
		rados_write_op_assert_version(op, version);
	else
		rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
	rados_write_op_omap_set2(op, &key, &val, &key_len, &val_len, 1);
	rc = rados_write_run(s, op, oid, NULL);
	rados_release_write_op(op);
	if (rc == -ERANGE || rc == -EOVERFLOW || rc == -EEXIST)
		return -ECANCELED;
	return rados_errno(rc);
}

/* A store of an older format is read as it is, and upgraded by the first
 * node that writes to it: nodes that could not read the new records then
 * refuse it at open (ULM_EFORMAT) rather than meet them. */
static int format_check(struct rados_store *s)
{
	uint32_t format = 0;
	uint64_t version;
	int rc = 0;

	for (int i = 0; i < REGISTER_TRIES; i++) {
		rc = rados_u32_get(s, META_OID, "format", &format, &version);
		if (rc || format == RECORD_FORMAT || s->read_only ||
		    (format && !record_format_known(format)))
			break;
		rc = u32_put(s, META_OID, "format", RECORD_FORMAT, version);
		if (rc != -ECANCELED)
			return rc;
	}
	if (!rc && format && !record_format_known(format))
		rc = ULM_EFORMAT;
	return rc;
}

/* Take this node's next epoch (read-only: report the current one). */
static int node_register(struct rados_store *s, uint32_t *epoch)
{
	char oid[32];
	uint64_t version;
	int rc = -ECANCELED;

	snprintf(oid, sizeof(oid), "node.%08x", s->node_id);
	for (int i = 0; i < REGISTER_TRIES && rc == -ECANCELED; i++) {
		rc = rados_u32_get(s, oid, "epoch", epoch, &version);
		if (rc || s->read_only)
			break;
		rc = u32_put(s, oid, "epoch", *epoch + 1, version);
		if (!rc)
			++*epoch;
	}
	return rc;
}

/* A client of a cluster that is down must fail, not hang: bound what
 * ceph.conf left at Ceph's defaults (wait forever, 300 s to mount), or
 * set the op timeout the config asks for. */
static int bound_timeouts(rados_t cluster, uint32_t op_timeout_s)
{
	char buf[64];
	int rc = 0;

	if (op_timeout_s) {
		snprintf(buf, sizeof(buf), "%u", op_timeout_s);
		rc = rados_conf_set(cluster, "rados_osd_op_timeout", buf);
	} else if (!rados_conf_get(cluster, "rados_osd_op_timeout", buf,
				   sizeof(buf)) &&
		   strtod(buf, NULL) == 0) {
		rc = rados_conf_set(cluster, "rados_osd_op_timeout", "30");
	}
	if (!rc &&
	    !rados_conf_get(cluster, "client_mount_timeout", buf,
			    sizeof(buf)) &&
	    strtod(buf, NULL) == 300)
		rc = rados_conf_set(cluster, "client_mount_timeout", "30");
	return rc;
}

/* What librados gives a read or write: watches and notifies get as long
 * (rados_bounded.c). */
static uint32_t op_timeout_ms(rados_t cluster)
{
	char buf[64];

	if (rados_conf_get(cluster, "rados_osd_op_timeout", buf, sizeof(buf)))
		return 30000;
	return (uint32_t)(strtod(buf, NULL) * 1000);
}

/* A client of the cluster, configured and connected, and its ioctx on
 * the store's pool and namespace. */
static int client_connect(const struct ulm_env_config *cfg, rados_t *cluster,
			  rados_ioctx_t *io)
{
	int rc = rados_create(cluster, cfg->userid);

	if (rc)
		return rados_errno(rc);
	rc = rados_conf_read_file(*cluster, cfg->ceph_conf);
	if (rc)
		return rc == -ENOENT || rc == -EACCES ? rc : -EINVAL;
	if (cfg->keyring && rados_conf_set(*cluster, "keyring", cfg->keyring))
		return -EINVAL;
	if (bound_timeouts(*cluster, cfg->op_timeout_s))
		return -EINVAL;
	rc = rados_connect(*cluster);
	if (rc)
		return -EIO;
	rc = rados_ioctx_create(*cluster, cfg->pool, io);
	if (rc)
		return rc == -ENOENT ? -ENOENT : rados_errno(rc);
	if (cfg->rados_namespace)
		rados_ioctx_set_namespace(*io, cfg->rados_namespace);
	return 0;
}

static int connect_cluster(struct rados_store *s,
			   const struct ulm_env_config *cfg)
{
	int rc = client_connect(cfg, &s->cluster, &s->io);

	if (rc)
		return rc;
	s->op_timeout_ms = op_timeout_ms(s->cluster);
	s->peer_wait_ms =
		(cfg->peer_wait_s ? cfg->peer_wait_s : PEER_WAIT_DEFAULT_S) *
		1000;
	s->instance = rados_get_instance_id(s->cluster);
	/* A reader holds no lease. */
	return s->read_only
		       ? 0
		       : client_connect(cfg, &s->live_cluster, &s->live_io);
}

/* Nothing waits on the OSD longer than an op: a hung one leaves its ops
 * to rados_shutdown(), the ioctx they use too. */
static void rados_close(struct ulm_store *store)
{
	struct rados_store *s = to_rados(store);
	uint64_t deadline = rados_deadline(s, 0);
	bool drained;

	/* Tokens go back while the lease still vouches for this node. */
	rados_flusher_fini(s);
	if (s->io)
		rados_events_fini(s, deadline);
	rados_live_fini(s);
	if (s->live_io)
		rados_ioctx_destroy(s->live_io);
	if (s->live_cluster)
		rados_shutdown(s->live_cluster);
	if (s->io)
		rados_files_unwatch(s, deadline);
	drained = rados_bounded_drain(s, deadline);
	if (s->io && drained) {
		/* No callback may use the ioctx once it is gone. */
		rados_watch_flush(s->cluster);
		rados_ioctx_destroy(s->io);
	}
	if (s->cluster)
		rados_shutdown(s->cluster);
	rados_files_fini(s);
	rados_bounded_fini(s);
	pthread_mutex_destroy(&s->event_mutex);
	pthread_cond_destroy(&s->event_cond);
	rados_purge_memo_free(s->memo);
	pthread_mutex_destroy(&s->memo_mutex);
	free(s);
}

static int rados_open(const struct ulm_env_config *cfg,
		      struct ulm_store **store, uint32_t *epoch)
{
	struct rados_store *s;
	int rc;

	if (!cfg->pool || !cfg->pool[0])
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &ulm_store_rados_ops;
	s->node_id = cfg->node_id;
	s->read_only = cfg->read_only;
	s->tokens = !cfg->read_only && cfg->tokens != ULM_TOKENS_OFF;
	rados_bounded_init(s);
	pthread_mutex_init(&s->event_mutex, NULL);
	pthread_cond_init(&s->event_cond, NULL);
	pthread_mutex_init(&s->memo_mutex, NULL);
	rados_files_init(s, &rados_token_hooks);
	if (cfg->token_idle_ms)
		s->watch_idle_ms = cfg->token_idle_ms;
	rados_live_init(s);
	rados_flusher_init(s);
	rc = connect_cluster(s, cfg);
	/* A call waits one op timeout and one peer wait in all; nothing
	 * new starts later, so it answers within one more op timeout (an op
	 * begun just before). An inspector asks a silent holder longer. */
	if (!s->read_only)
		s->base.call_ms = s->op_timeout_ms + s->peer_wait_ms;
	if (!rc)
		rc = format_check(s);
	/* The lease first: two processes must not both take an epoch. */
	if (!rc && !s->read_only)
		rc = rados_live_start(s, cfg->lease_ms);
	if (!rc)
		rc = node_register(s, epoch);
	if (!rc)
		s->epoch = *epoch;
	if (!rc && !s->read_only)
		rc = rados_events_init(s);
	if (!rc && !s->read_only)
		rc = rados_flusher_start(s);
	if (rc) {
		rados_close(&s->base);
		return rc;
	}
	*store = &s->base;
	return 0;
}

const struct ulm_store_ops ulm_store_rados_ops = {
	.name = "rados",
	.shared = true,
	.open = rados_open,
	.close = rados_close,
	.file_version = rados_file_version,
	.file_load = rados_file_load,
	.file_walk = rados_file_walk,
	.file_scan = rados_file_scan,
	.recovery_scan = rados_recovery_scan,
	.node_purge_scan = rados_node_purge_scan,
	.op_execute = rados_op_execute,
	.event_post = rados_event_post,
	.event_take = rados_event_take,
	.node_list = rados_node_list,
	.live = rados_live,
	.fence_stats = rados_fence_stats,
	.lapsed = rados_lapsed,
	.file_frozen = rados_file_frozen,
	.token_purge = rados_token_purge,
	.token_stats = rados_token_stats,
};
