// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file main.c
 * @brief FSAL UNIFIED: module registration and the UNIFIED { } block (the
 * shared state, the lock store among it, is state.c's).
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>

#include "FSAL/fsal_init.h"
#include "config_parsing.h"
#include "metrics.h"
#include "ulmfsal.h"

static const char module_name[] = "UNIFIED";

#define ULMFSAL_DEFAULT_STORE_PATH "/var/lib/ganesha/ulm"
#define ULMFSAL_MIN_MAP_SIZE	   (1ULL << 20) /* 1 MiB */
#define ULMFSAL_MAX_MAP_SIZE	   (1ULL << 40) /* 1 TiB */
#define ULMFSAL_DEFAULT_MAP_SIZE   (1ULL << 30)
/* RADOS_KV's default pool; our own namespace keeps clear of its objects */
#define ULMFSAL_DEFAULT_POOL	     "nfs-ganesha"
#define ULMFSAL_DEFAULT_NAMESPACE    "ulm"
#define ULMFSAL_RADOS_NAME_MAX	     256
#define ULMFSAL_MIN_LEASE_MS	     500
#define ULMFSAL_MAX_LEASE_MS	     3600000
#define ULMFSAL_DEFAULT_LEASE_MS     15000
#define ULMFSAL_MAX_OP_TIMEOUT_S     3600
#define ULMFSAL_MAX_REVOKE_MARGIN_S  60
#define ULMFSAL_MAX_PEER_WAIT_S	     60
#define ULMFSAL_DEFAULT_PEER_WAIT_S  1
#define ULMFSAL_MAX_TOKEN_IDLE_S     3600
#define ULMFSAL_DEFAULT_TOKEN_IDLE_S 5
/* A worker waits at most this for RADOS, then its client retries. */
#define ULMFSAL_DEFAULT_OP_TIMEOUT_S 5
/* Courteous server: an expired client's records are kept a day at most,
 * as Linux knfsd keeps a courtesy client (NFSD_COURTESY_CLIENT_TIMEOUT). */
#define ULMFSAL_DEFAULT_COURTESY_AGE_S	 86400
#define ULMFSAL_MAX_COURTESY_AGE_S	 (7 * 86400)
#define ULMFSAL_DEFAULT_COURTESY_RECORDS 1024
#define ULMFSAL_MAX_COURTESY_RECORDS	 1000000
/* Off unless Metrics_Port is set; then on every address of the host. */
#define ULMFSAL_DEFAULT_METRICS_ADDRESS "0.0.0.0"

static struct config_item_list store_kinds[] = {
	CONFIG_LIST_TOK("lmdb", ULM_STORE_LMDB),
	CONFIG_LIST_TOK("memory", ULM_STORE_MEMORY),
	CONFIG_LIST_TOK("rados", ULM_STORE_RADOS),
	CONFIG_LIST_EOL,
};

static struct config_item unified_items[] = {
	CONF_ITEM_TOKEN("Store", ULM_STORE_LMDB, store_kinds, ulmfsal_config,
			store),
	CONF_ITEM_PATH("Store_Path", 1, PATH_MAX, ULMFSAL_DEFAULT_STORE_PATH,
		       ulmfsal_config, store_path),
	CONF_ITEM_UI64("Map_Size", ULMFSAL_MIN_MAP_SIZE, ULMFSAL_MAX_MAP_SIZE,
		       ULMFSAL_DEFAULT_MAP_SIZE, ulmfsal_config, map_size),
	CONF_ITEM_BOOL("Sync", false, ulmfsal_config, sync),
	CONF_ITEM_UI32("Node_Id", 1, ULM_NODE_PROCESS_MIN - 1, 1,
		       ulmfsal_config, node_id),
	CONF_ITEM_PATH("Ceph_Conf", 1, PATH_MAX, NULL, ulmfsal_config,
		       ceph_conf),
	CONF_ITEM_STR("UserId", 1, ULMFSAL_RADOS_NAME_MAX, NULL, ulmfsal_config,
		      userid),
	CONF_ITEM_PATH("Keyring", 1, PATH_MAX, NULL, ulmfsal_config, keyring),
	CONF_ITEM_STR("Pool", 1, ULMFSAL_RADOS_NAME_MAX, ULMFSAL_DEFAULT_POOL,
		      ulmfsal_config, pool),
	CONF_ITEM_STR("Namespace", 0, ULMFSAL_RADOS_NAME_MAX,
		      ULMFSAL_DEFAULT_NAMESPACE, ulmfsal_config,
		      rados_namespace),
	CONF_ITEM_UI32("Rados_Lease_Ms", ULMFSAL_MIN_LEASE_MS,
		       ULMFSAL_MAX_LEASE_MS, ULMFSAL_DEFAULT_LEASE_MS,
		       ulmfsal_config, lease_ms),
	CONF_ITEM_BOOL("Rados_Tokens", true, ulmfsal_config, tokens),
	CONF_ITEM_UI32("Rados_Op_Timeout", 0, ULMFSAL_MAX_OP_TIMEOUT_S,
		       ULMFSAL_DEFAULT_OP_TIMEOUT_S, ulmfsal_config,
		       op_timeout_s),
	CONF_ITEM_UI32("Rados_Peer_Wait", 1, ULMFSAL_MAX_PEER_WAIT_S,
		       ULMFSAL_DEFAULT_PEER_WAIT_S, ulmfsal_config,
		       peer_wait_s),
	CONF_ITEM_UI32("Rados_Token_Idle", 1, ULMFSAL_MAX_TOKEN_IDLE_S,
		       ULMFSAL_DEFAULT_TOKEN_IDLE_S, ulmfsal_config,
		       token_idle_s),
	CONF_ITEM_UI32("Delegation_Revoke_Margin", 1,
		       ULMFSAL_MAX_REVOKE_MARGIN_S, 1, ulmfsal_config,
		       deleg_revoke_margin_s),
	CONF_ITEM_BOOL("Delegations_Unwatched", false, ulmfsal_config,
		       deleg_unwatched),
	CONF_ITEM_STR("Metrics_Address", 1, INET6_ADDRSTRLEN,
		      ULMFSAL_DEFAULT_METRICS_ADDRESS, ulmfsal_config,
		      metrics_address),
	CONF_ITEM_UI16("Metrics_Port", 0, UINT16_MAX, 0, ulmfsal_config,
		       metrics_port),
	CONF_ITEM_UI32("Courtesy_Max_Age", 0, ULMFSAL_MAX_COURTESY_AGE_S,
		       ULMFSAL_DEFAULT_COURTESY_AGE_S, ulmfsal_config,
		       courtesy_max_age_s),
	CONF_ITEM_UI32("Courtesy_Max_Records", 1, ULMFSAL_MAX_COURTESY_RECORDS,
		       ULMFSAL_DEFAULT_COURTESY_RECORDS, ulmfsal_config,
		       courtesy_max_records),
	CONFIG_EOL,
};

/* Ganesha's RADOS_KV block, item for item (an unknown item would be a
 * config error), read for the grace database rados_cluster uses. */
static struct config_item rados_kv_items[] = {
	CONF_ITEM_PATH("ceph_conf", 1, PATH_MAX, NULL, ulmfsal_config,
		       rados_kv.ceph_conf),
	CONF_ITEM_STR("userid", 1, PATH_MAX, NULL, ulmfsal_config,
		      rados_kv.userid),
	CONF_ITEM_STR("pool", 1, PATH_MAX, ULMFSAL_DEFAULT_POOL, ulmfsal_config,
		      rados_kv.pool),
	CONF_ITEM_STR("namespace", 1, NI_MAXHOST, NULL, ulmfsal_config,
		      rados_kv.rados_namespace),
	CONF_ITEM_STR("grace_oid", 1, NI_MAXHOST, "grace", ulmfsal_config,
		      rados_kv.grace_oid),
	CONF_ITEM_STR("nodeid", 1, NI_MAXHOST, NULL, ulmfsal_config,
		      rados_kv.nodeid),
	CONFIG_EOL,
};

/* A block read into ULMFSAL.config at init, with nothing to commit. */
#define ULMFSAL_CONFIG_BLOCK(block, dbus, items)                         \
	{                                                                \
		.dbus_interface_name = (dbus), .blk_desc.name = (block), \
		.blk_desc.type = CONFIG_BLOCK,                           \
		.blk_desc.u.blk.init = noop_conf_init,                   \
		.blk_desc.u.blk.params = (items),                        \
		.blk_desc.u.blk.commit = noop_conf_commit,               \
	}

static struct config_block rados_kv_block = ULMFSAL_CONFIG_BLOCK(
	"RADOS_KV", "org.ganesha.nfsd.config.fsal.unified.rados_kv",
	rados_kv_items);

static struct config_block unified_block = ULMFSAL_CONFIG_BLOCK(
	"UNIFIED", "org.ganesha.nfsd.config.fsal.unified", unified_items);

/* Metrics_Address must be a numeric address: no name is looked up. */
static bool metrics_address_valid(const struct ulmfsal_config *cfg)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int rc = ulmfsal_metrics_address(cfg->metrics_address,
					 cfg->metrics_port, &addr, &len);

	if (rc != 0)
		LogCrit(COMPONENT_CONFIG,
			"UNIFIED: Metrics_Address = \"%s\" is no IPv4 or IPv6 "
			"address: %s",
			cfg->metrics_address, gai_strerror(rc));
	return rc == 0;
}

/* One environment per process: LMDB forbids opening one twice. */
static fsal_status_t init_config(struct fsal_module *module,
				 config_file_t config_struct,
				 struct config_error_type *err_type)
{
	struct ulmfsal_module *self =
		container_of(module, struct ulmfsal_module, module);
	struct ulmfsal_config *cfg = &self->config;

	uint32_t errors_before = err_type->errors;

	(void)load_config_from_parse(config_struct, &unified_block, cfg, true,
				     err_type);
	(void)load_config_from_parse(config_struct, &rados_kv_block, cfg, true,
				     err_type);
	/* Ganesha calls an unknown token or parameter harmless and uses the
	 * default; a lock store is no place to guess: refuse. */
	self->config_valid = config_error_is_harmless(err_type) &&
			     err_type->errors == errors_before &&
			     metrics_address_valid(cfg);
	if (!self->config_valid) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: invalid UNIFIED block (see the config errors "
			"above); valid: Store = lmdb|memory|rados, Store_Path "
			"= <directory>, Map_Size = %llu..%llu, Sync = "
			"true|false, Node_Id = 1..%u, Ceph_Conf = <file>, "
			"UserId = <name>, Keyring = <file>, Pool = <pool>, "
			"Namespace = <name>, Rados_Lease_Ms = %u..%u, "
			"Rados_Tokens = true|false, Rados_Op_Timeout = 0..%u, "
			"Rados_Peer_Wait = 1..%u, "
			"Delegation_Revoke_Margin = 1..%u, "
			"Delegations_Unwatched = true|false, "
			"Metrics_Address = <IPv4 or IPv6 address>, "
			"Metrics_Port = 0..65535 (0: off), "
			"Courtesy_Max_Age = 0..%u (0: off), "
			"Courtesy_Max_Records = 1..%u. "
			"Exports using FSAL UNIFIED "
			"are refused until it is fixed.",
			ULMFSAL_MIN_MAP_SIZE, ULMFSAL_MAX_MAP_SIZE,
			ULM_NODE_PROCESS_MIN - 1, ULMFSAL_MIN_LEASE_MS,
			ULMFSAL_MAX_LEASE_MS, ULMFSAL_MAX_OP_TIMEOUT_S,
			ULMFSAL_MAX_PEER_WAIT_S, ULMFSAL_MAX_REVOKE_MARGIN_S,
			ULMFSAL_MAX_COURTESY_AGE_S,
			ULMFSAL_MAX_COURTESY_RECORDS);
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}

	LogInfo(COMPONENT_FSAL,
		"UNIFIED: Store = %s, Store_Path = %s, Map_Size = %" PRIu64
		", Sync = %s, Node_Id = %" PRIu32
		", Delegations_Unwatched = %s, Courtesy_Max_Age = %" PRIu32
		", Courtesy_Max_Records = %" PRIu32,
		ulmfsal_store_name(cfg->store), cfg->store_path, cfg->map_size,
		cfg->sync ? "true" : "false", cfg->node_id,
		cfg->deleg_unwatched ? "true" : "false",
		cfg->courtesy_max_age_s, cfg->courtesy_max_records);
	if (cfg->store == ULM_STORE_RADOS)
		LogInfo(COMPONENT_FSAL,
			"UNIFIED: Ceph_Conf = %s, UserId = %s, Keyring = %s, "
			"Pool = %s, Namespace = %s, Rados_Lease_Ms = %" PRIu32
			", Rados_Tokens = %s, Rados_Op_Timeout = %" PRIu32
			", Rados_Peer_Wait = %" PRIu32
			", Rados_Token_Idle = %" PRIu32,
			ulmfsal_or_default(cfg->ceph_conf),
			ulmfsal_or_default(cfg->userid),
			ulmfsal_or_default(cfg->keyring), cfg->pool,
			cfg->rados_namespace, cfg->lease_ms,
			cfg->tokens ? "true" : "false", cfg->op_timeout_s,
			cfg->peer_wait_s, cfg->token_idle_s);
	display_fsinfo(module);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

MODULE_INIT void ulmfsal_init(void)
{
	struct fsal_module *myself = &ULMFSAL.module;

	if (register_fsal(myself, module_name, FSAL_MAJOR_VERSION,
			  FSAL_MINOR_VERSION, FSAL_ID_NO_PNFS) != 0) {
		LogCrit(COMPONENT_FSAL, "UNIFIED: register_fsal failed");
		return;
	}
	myself->m_ops.create_export = ulmfsal_create_export;
	myself->m_ops.update_export = ulmfsal_update_export;
	myself->m_ops.init_config = init_config;
	ulmfsal_handle_ops_init(&ULMFSAL.handle_ops);
}

MODULE_FINI void ulmfsal_unload(void)
{
	ulmfsal_metrics_http_stop();
	ulmfsal_dbus_stop();
	ulmfsal_revoke_stop();
	ulmfsal_watch_shutdown();
	ulmfsal_grace_stop();
	ulmfsal_events_stop();
	ulmfsal_fence_watch_stop();
	ulmfsal_courtesy_stop();
	ulmfsal_process_purge_stop();
	ulmfsal_env_close();
	if (unregister_fsal(&ULMFSAL.module) != 0)
		LogCrit(COMPONENT_FSAL, "UNIFIED: unregister_fsal failed: "
					"exports still in use");
	gsh_free(ULMFSAL.config.store_path);
	ULMFSAL.config.store_path = NULL;
	gsh_free(ULMFSAL.config.ceph_conf);
	gsh_free(ULMFSAL.config.userid);
	gsh_free(ULMFSAL.config.keyring);
	gsh_free(ULMFSAL.config.pool);
	gsh_free(ULMFSAL.config.rados_namespace);
	gsh_free(ULMFSAL.config.metrics_address);
	gsh_free(ULMFSAL.config.rados_kv.ceph_conf);
	gsh_free(ULMFSAL.config.rados_kv.userid);
	gsh_free(ULMFSAL.config.rados_kv.pool);
	gsh_free(ULMFSAL.config.rados_kv.rados_namespace);
	gsh_free(ULMFSAL.config.rados_kv.grace_oid);
	gsh_free(ULMFSAL.config.rados_kv.nodeid);
}
