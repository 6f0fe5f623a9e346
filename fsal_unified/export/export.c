// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file export.c
 * @brief FSAL UNIFIED: export creation and export ops, all forwarded to
 * the sub-FSAL's export.
 */
#include <errno.h>

#include "FSAL/fsal_commonlib.h"
#include "config_parsing.h"
#include "ulmfsal.h"

/*
 * FSAL_CEPH's release puts its root inode through op_ctx's export
 * (deconstruct_handle, src/FSAL/FSAL_CEPH/internal.c:107): that must be
 * its own export, not ours; and Ganesha's shutdown releases an export
 * still referenced with no op_ctx at all (fsal_destroyer.c:120).
 */
static void sub_export_release(struct fsal_export *sub_export)
{
	struct req_op_context ctx;

	if (op_ctx != NULL) {
		ULMFSAL_CALL_IN_VOID(sub_export,
				     sub_export->exp_ops.release(sub_export));
		return;
	}
	init_op_context_simple(&ctx, NULL, sub_export);
	sub_export->exp_ops.release(sub_export);
	release_op_context();
}

static struct ulmfsal_export *unified_export(const struct fsal_export *exp)
{
	return container_of(exp, struct ulmfsal_export, export);
}

bool ulmfsal_smb_locks_mandatory(const struct fsal_export *exp)
{
	return unified_export(exp)->smb_locks_mandatory;
}

static void release(struct fsal_export *exp_hdl)
{
	struct fsal_export *sub_export = exp_hdl->sub_export;
	struct fsal_module *sub_fsal = sub_export->fsal;

	sub_export_release(sub_export);
	fsal_put(sub_fsal);
	fsal_detach_export(exp_hdl->fsal, &exp_hdl->exports);
	free_export_ops(exp_hdl);
	gsh_free(unified_export(exp_hdl));
}

static void prepare_unexport(struct fsal_export *exp_hdl)
{
	ULMFSAL_EXP_VOID(exp_hdl, prepare_unexport);
}

/* Up-calls through this export must stop before it goes. */
static void unexport(struct fsal_export *exp_hdl,
		     struct fsal_obj_handle *root_obj)
{
	ulmfsal_recall_forget_export(exp_hdl->up_ops);
	ulmfsal_blocked_forget_export(exp_hdl->up_ops);
	ULMFSAL_EXP_VOID(exp_hdl, unexport, ulmfsal_sub(root_obj));
}

static fsal_status_t lookup_junction(struct fsal_export *exp_hdl,
				     struct fsal_obj_handle *junction,
				     struct fsal_obj_handle **handle)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_EXP(exp_hdl, lookup_junction,
					   ulmfsal_sub(junction), &sub_handle);

	return ulmfsal_wrap_handle(exp_hdl, status, sub_handle, handle);
}

static fsal_status_t wire_to_host(struct fsal_export *exp_hdl,
				  fsal_digesttype_t in_type,
				  struct gsh_buffdesc *fh_desc, int flags)
{
	return ULMFSAL_EXP(exp_hdl, wire_to_host, in_type, fh_desc, flags);
}

static fsal_status_t host_to_key(struct fsal_export *exp_hdl,
				 struct gsh_buffdesc *fh_desc)
{
	return ULMFSAL_EXP(exp_hdl, host_to_key, fh_desc);
}

static fsal_status_t get_fs_dynamic_info(struct fsal_export *exp_hdl,
					 struct fsal_obj_handle *obj_hdl,
					 fsal_dynamicfsinfo_t *info)
{
	return ULMFSAL_EXP(exp_hdl, get_fs_dynamic_info, ulmfsal_sub(obj_hdl),
			   info);
}

/* libulm grants delegations and queues blocked locks itself, whatever
 * the sub-FSAL can do; Ganesha's export options still decide whether
 * delegations are offered. It keeps grace too (grace.c): Ganesha then
 * lets OPEN, LOCK and NLM LOCK/SHARE through during its grace period and
 * libulm refuses only what conflicts with an unreclaimed record. */
static bool fs_supports(struct fsal_export *exp_hdl,
			fsal_fsinfo_options_t option)
{
	switch (option) {
	case fso_delegations_r:
	case fso_delegations_w:
	case fso_lock_support_async_block:
	case fso_grace_method:
		return true;
	default:
		return ULMFSAL_EXP(exp_hdl, fs_supports, option);
	}
}

static uint64_t fs_maxfilesize(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxfilesize);
}

static uint32_t fs_maxread(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxread);
}

static uint32_t fs_maxwrite(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxwrite);
}

static uint32_t fs_maxlink(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxlink);
}

static uint32_t fs_maxnamelen(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxnamelen);
}

static uint32_t fs_maxpathlen(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maxpathlen);
}

static fsal_aclsupp_t fs_acl_support(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_acl_support);
}

static attrmask_t fs_supported_attrs(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_supported_attrs);
}

static uint32_t fs_umask(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_umask);
}

static int32_t fs_expiretimeparent(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_expiretimeparent);
}

static fsal_status_t check_quota(struct fsal_export *exp_hdl,
				 const char *filepath, int quota_type)
{
	return ULMFSAL_EXP(exp_hdl, check_quota, filepath, quota_type);
}

static fsal_status_t get_quota(struct fsal_export *exp_hdl,
			       const char *filepath, int quota_type,
			       int quota_id, fsal_quota_t *quota)
{
	return ULMFSAL_EXP(exp_hdl, get_quota, filepath, quota_type, quota_id,
			   quota);
}

static fsal_status_t set_quota(struct fsal_export *exp_hdl,
			       const char *filepath, int quota_type,
			       int quota_id, fsal_quota_t *quota,
			       fsal_quota_t *resquota)
{
	return ULMFSAL_EXP(exp_hdl, set_quota, filepath, quota_type, quota_id,
			   quota, resquota);
}

static nfsstat4 getdevicelist(struct fsal_export *exp_hdl, layouttype4 type,
			      void *opaque,
			      bool (*cb)(void *opaque, const uint64_t id),
			      struct fsal_getdevicelist_res *res)
{
	return ULMFSAL_EXP(exp_hdl, getdevicelist, type, opaque, cb, res);
}

static void fs_layouttypes(struct fsal_export *exp_hdl, int32_t *count,
			   const layouttype4 **types)
{
	ULMFSAL_EXP_VOID(exp_hdl, fs_layouttypes, count, types);
}

static uint32_t fs_layout_blocksize(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_layout_blocksize);
}

static uint32_t fs_maximum_segments(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_maximum_segments);
}

static size_t fs_loc_body_size(struct fsal_export *exp_hdl)
{
	return ULMFSAL_EXP(exp_hdl, fs_loc_body_size);
}

static void get_write_verifier(struct fsal_export *exp_hdl,
			       struct gsh_buffdesc *verf_desc)
{
	ULMFSAL_EXP_VOID(exp_hdl, get_write_verifier, verf_desc);
}

/* The sub-FSAL allocates states: they embed its file descriptors. */
static struct state_t *alloc_state(struct fsal_export *exp_hdl,
				   enum state_type state_type,
				   struct state_t *related_state)
{
	return ULMFSAL_EXP(exp_hdl, alloc_state, state_type, related_state);
}

static void free_state(struct fsal_export *exp_hdl, struct state_t *state)
{
	ULMFSAL_EXP_VOID(exp_hdl, free_state, state);
}

static bool is_superuser(struct fsal_export *exp_hdl,
			 const struct user_cred *creds)
{
	return ULMFSAL_EXP(exp_hdl, is_superuser, creds);
}

static void export_ops_init(struct export_ops *ops)
{
	ops->release = release;
	ops->prepare_unexport = prepare_unexport;
	ops->unexport = unexport;
	ops->lookup_path = ulmfsal_lookup_path;
	ops->lookup_junction = lookup_junction;
	ops->wire_to_host = wire_to_host;
	ops->host_to_key = host_to_key;
	ops->create_handle = ulmfsal_create_handle;
	ops->get_fs_dynamic_info = get_fs_dynamic_info;
	ops->fs_supports = fs_supports;
	ops->fs_maxfilesize = fs_maxfilesize;
	ops->fs_maxread = fs_maxread;
	ops->fs_maxwrite = fs_maxwrite;
	ops->fs_maxlink = fs_maxlink;
	ops->fs_maxnamelen = fs_maxnamelen;
	ops->fs_maxpathlen = fs_maxpathlen;
	ops->fs_acl_support = fs_acl_support;
	ops->fs_supported_attrs = fs_supported_attrs;
	ops->fs_umask = fs_umask;
	ops->fs_expiretimeparent = fs_expiretimeparent;
	ops->check_quota = check_quota;
	ops->get_quota = get_quota;
	ops->set_quota = set_quota;
	ops->getdevicelist = getdevicelist;
	ops->fs_layouttypes = fs_layouttypes;
	ops->fs_layout_blocksize = fs_layout_blocksize;
	ops->fs_maximum_segments = fs_maximum_segments;
	ops->fs_loc_body_size = fs_loc_body_size;
	ops->get_write_verifier = get_write_verifier;
	ops->alloc_state = alloc_state;
	ops->free_state = free_state;
	ops->is_superuser = is_superuser;
}

/* The export's FSAL block: FSAL { Name = UNIFIED; FSAL { Name = VFS; } } */
struct ulmfsal_export_args {
	struct subfsal_args subfsal;
	bool smb_locks_mandatory;
};

static struct config_item sub_fsal_items[] = {
	CONF_ITEM_STR("name", 1, 10, NULL, subfsal_args, name),
	CONFIG_EOL,
};

static struct config_item export_items[] = {
	CONF_ITEM_NOOP("name"),
	CONF_ITEM_BOOL("Smb_Locks_Mandatory", true, ulmfsal_export_args,
		       smb_locks_mandatory),
	CONF_RELAX_BLOCK("FSAL", sub_fsal_items, noop_conf_init, subfsal_commit,
			 ulmfsal_export_args, subfsal),
	CONFIG_EOL,
};

static struct config_block export_block = {
	.dbus_interface_name = "org.ganesha.nfsd.config.fsal.unified-export%d",
	.blk_desc.name = "FSAL",
	.blk_desc.type = CONFIG_BLOCK,
	.blk_desc.u.blk.init = noop_conf_init,
	.blk_desc.u.blk.params = export_items,
	.blk_desc.u.blk.commit = noop_conf_commit,
};

/* Parse our FSAL block and find the sub-FSAL (loaded by subfsal_commit). */
static struct fsal_module *find_sub_fsal(void *parse_node,
					 struct config_error_type *err_type,
					 struct ulmfsal_export_args *out)
{
	struct ulmfsal_export_args args = {0};
	struct fsal_module *sub_fsal;

	if (load_config_from_node(parse_node, &export_block, &args, true,
				  err_type) != 0 ||
	    args.subfsal.name == NULL) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: export refused: name the FSAL to stack on in "
			"a nested block, e.g. FSAL { Name = UNIFIED; FSAL { "
			"Name = VFS; } }");
		return NULL;
	}
	sub_fsal = lookup_fsal(args.subfsal.name);
	if (sub_fsal == NULL) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: export refused: sub-FSAL %s cannot be "
			"loaded; check its name and that libfsal%s.so is in "
			"Plugins_Dir",
			args.subfsal.name, args.subfsal.name);
		return NULL;
	}
	*out = args;
	return sub_fsal;
}

fsal_status_t ulmfsal_create_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    const struct fsal_up_vector *up_ops)
{
	struct ulmfsal_export_args args;
	struct fsal_module *sub_fsal;
	struct ulmfsal_export *unified;
	struct fsal_export *myself;
	fsal_status_t status;

	if (!ULMFSAL.config_valid) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: export refused: the UNIFIED block is invalid "
			"(logged at start-up)");
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	}
	if (ulmfsal_env_open_once() != 0)
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);

	sub_fsal = find_sub_fsal(parse_node, err_type, &args);
	if (sub_fsal == NULL)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);

	/* The sub-FSAL's create_export leaves its export in op_ctx. */
	status = sub_fsal->m_ops.create_export(sub_fsal, args.subfsal.fsal_node,
					       err_type, up_ops);
	/* Drop lookup_fsal's reference; the one subfsal_commit took while
	 * parsing is kept by the export and dropped in release(). */
	fsal_put(sub_fsal);
	if (FSAL_IS_ERROR(status)) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: export refused: sub-FSAL %s could not create "
			"it: %s",
			args.subfsal.name, msg_fsal_err(status.major));
		return status;
	}

	unified = gsh_calloc(1, sizeof(*unified));
	unified->smb_locks_mandatory = args.smb_locks_mandatory;
	myself = &unified->export;
	fsal_export_stack(op_ctx->fsal_export, myself);
	fsal_export_init(myself);
	export_ops_init(&myself->exp_ops);
	myself->up_ops = up_ops;
	myself->fsal = fsal_hdl;
	/* The caller holds a reference on fsal_hdl, as attaching needs. */
	(void)fsal_attach_export(fsal_hdl, &myself->exports);
	op_ctx->fsal_export = myself;
	LogInfo(COMPONENT_FSAL,
		"UNIFIED: export %" PRIu16
		" stacked over %s; SMB byte-range locks %s",
		myself->export_id, args.subfsal.name,
		args.smb_locks_mandatory ? "bind NFS I/O" : "advisory for NFS");
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

fsal_status_t ulmfsal_update_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    struct fsal_export *original,
				    struct fsal_module *updated_super)
{
	struct ulmfsal_export_args args;
	struct fsal_module *sub_fsal;
	fsal_status_t status;

	/* The default method refuses a change of FSAL stacking. */
	status = update_export(fsal_hdl, parse_node, err_type, original,
			       updated_super);
	if (FSAL_IS_ERROR(status))
		return status;

	sub_fsal = find_sub_fsal(parse_node, err_type, &args);
	if (sub_fsal == NULL)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	status = sub_fsal->m_ops.update_export(sub_fsal, args.subfsal.fsal_node,
					       err_type, original->sub_export,
					       fsal_hdl);
	fsal_put(sub_fsal);
	if (!FSAL_IS_ERROR(status))
		unified_export(original)->smb_locks_mandatory =
			args.smb_locks_mandatory;
	return status;
}
