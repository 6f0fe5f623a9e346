// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file handle.c
 * @brief FSAL UNIFIED: object handles and the namespace ops, forwarded to
 * the sub-FSAL. Every handle the sub-FSAL hands out is wrapped in ours.
 */
#include "FSAL/fsal_commonlib.h"
#include "ulmfsal.h"

static struct fsal_obj_handle *wrap(struct fsal_export *exp,
				    struct fsal_obj_handle *sub_handle)
{
	struct ulmfsal_handle *h = gsh_calloc(1, sizeof(*h));

	fsal_obj_handle_init(&h->obj_handle, exp, sub_handle->type);
	h->obj_handle.obj_ops = &ULMFSAL.handle_ops;
	h->obj_handle.fsid = sub_handle->fsid;
	h->obj_handle.fileid = sub_handle->fileid;
	h->obj_handle.fs = sub_handle->fs;
	h->obj_handle.state_hdl = sub_handle->state_hdl;
	h->sub_handle = sub_handle;
	return &h->obj_handle;
}

/**
 * @brief Wrap the handle a sub-FSAL call produced, if it succeeded.
 * @param[out] handle our handle, or NULL when the call failed
 * @return @p sub_status
 */
fsal_status_t ulmfsal_wrap_handle(struct fsal_export *exp,
				  fsal_status_t sub_status,
				  struct fsal_obj_handle *sub_handle,
				  struct fsal_obj_handle **handle)
{
	*handle = NULL;
	if (!FSAL_IS_ERROR(sub_status) && sub_handle != NULL)
		*handle = wrap(exp, sub_handle);
	return sub_status;
}

static void release(struct fsal_obj_handle *obj_hdl)
{
	struct ulmfsal_handle *h =
		container_of(obj_hdl, struct ulmfsal_handle, obj_handle);

	/* Ganesha's shutdown releases the handles still left with no request
	 * context (src/FSAL/fsal_destroyer.c, shutdown_handles): no export to
	 * switch to. */
	if (op_ctx == NULL)
		h->sub_handle->obj_ops->release(h->sub_handle);
	else
		ULMFSAL_SUB_VOID(obj_hdl, release);
	fsal_obj_handle_fini(&h->obj_handle);
	gsh_free(h);
}

static fsal_status_t merge(struct fsal_obj_handle *orig_hdl,
			   struct fsal_obj_handle *dupe_hdl)
{
	return ULMFSAL_SUB(orig_hdl, merge, ulmfsal_sub(dupe_hdl));
}

static fsal_status_t lookup(struct fsal_obj_handle *dir_hdl, const char *path,
			    struct fsal_obj_handle **handle,
			    struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status =
		ULMFSAL_SUB(dir_hdl, lookup, path, &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(op_ctx->fsal_export, status, sub_handle,
				   handle);
}

/* readdir hands the sub-FSAL's entries up through this context. */
struct readdir_ctx {
	struct fsal_export *exp; /**< ours */
	fsal_readdir_cb cb;	 /**< the caller's */
	void *dir_state;	 /**< the caller's */
};

static enum fsal_dir_result readdir_entry(const char *name,
					  struct fsal_obj_handle *sub_handle,
					  struct fsal_attrlist *attrs,
					  void *dir_state, fsal_cookie_t cookie)
{
	struct readdir_ctx *ctx = dir_state;
	struct fsal_obj_handle *entry = wrap(ctx->exp, sub_handle);
	struct fsal_export *sub_export = op_ctx->fsal_export;
	enum fsal_dir_result result;

	/* The caller is above us: it runs with our export current. */
	op_ctx->fsal_export = ctx->exp;
	result = ctx->cb(name, entry, attrs, ctx->dir_state, cookie);
	op_ctx->fsal_export = sub_export;
	return result;
}

static fsal_status_t readdir_(struct fsal_obj_handle *dir_hdl,
			      fsal_cookie_t *whence, void *dir_state,
			      fsal_readdir_cb cb, attrmask_t attrmask,
			      bool *eof)
{
	struct readdir_ctx ctx = {
		.exp = op_ctx->fsal_export,
		.cb = cb,
		.dir_state = dir_state,
	};

	return ULMFSAL_SUB(dir_hdl, readdir, whence, &ctx, readdir_entry,
			   attrmask, eof);
}

static fsal_cookie_t compute_readdir_cookie(struct fsal_obj_handle *parent,
					    const char *name)
{
	return ULMFSAL_SUB(parent, compute_readdir_cookie, name);
}

static int dirent_cmp(struct fsal_obj_handle *parent, const char *name1,
		      fsal_cookie_t cookie1, const char *name2,
		      fsal_cookie_t cookie2)
{
	return ULMFSAL_SUB(parent, dirent_cmp, name1, cookie1, name2, cookie2);
}

static fsal_status_t mkdir_(struct fsal_obj_handle *dir_hdl, const char *name,
			    struct fsal_attrlist *attrs_in,
			    struct fsal_obj_handle **new_obj,
			    struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_SUB(dir_hdl, mkdir, name, attrs_in,
					   &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(op_ctx->fsal_export, status, sub_handle,
				   new_obj);
}

static fsal_status_t mknode(struct fsal_obj_handle *dir_hdl, const char *name,
			    object_file_type_t nodetype,
			    struct fsal_attrlist *attrs_in,
			    struct fsal_obj_handle **new_obj,
			    struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_SUB(dir_hdl, mknode, name, nodetype,
					   attrs_in, &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(op_ctx->fsal_export, status, sub_handle,
				   new_obj);
}

static fsal_status_t symlink_(struct fsal_obj_handle *dir_hdl, const char *name,
			      const char *link_path,
			      struct fsal_attrlist *attrs_in,
			      struct fsal_obj_handle **new_obj,
			      struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_SUB(dir_hdl, symlink, name, link_path,
					   attrs_in, &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(op_ctx->fsal_export, status, sub_handle,
				   new_obj);
}

static fsal_status_t readlink_(struct fsal_obj_handle *obj_hdl,
			       struct gsh_buffdesc *link_content, bool refresh)
{
	return ULMFSAL_SUB(obj_hdl, readlink, link_content, refresh);
}

static fsal_status_t test_access(struct fsal_obj_handle *obj_hdl,
				 fsal_accessflags_t access_type,
				 fsal_accessflags_t *allowed,
				 fsal_accessflags_t *denied, bool owner_skip)
{
	return ULMFSAL_SUB(obj_hdl, test_access, access_type, allowed, denied,
			   owner_skip);
}

static fsal_status_t getattrs(struct fsal_obj_handle *obj_hdl,
			      struct fsal_attrlist *attrs_out)
{
	return ULMFSAL_SUB(obj_hdl, getattrs, attrs_out);
}

/* Truncating, renaming or removing a file breaks other clients'
 * delegations on it, wherever they were granted: recall them first. */
static fsal_status_t recall_for_change(struct fsal_obj_handle *obj,
				       struct state_t *state, const char *what)
{
	if (obj->type != REGULAR_FILE)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	return ulmfsal_deleg_check(obj, state, ULM_SHARE_WRITE, what);
}

static fsal_status_t setattr2(struct fsal_obj_handle *obj_hdl, bool bypass,
			      struct state_t *state,
			      struct fsal_attrlist *attrib_set)
{
	fsal_status_t status = fsalstat(ERR_FSAL_NO_ERROR, 0);

	/* A truncate under no open also meets every node's denies of
	 * write. */
	if (FSAL_TEST_MASK(attrib_set->valid_mask, ATTR_SIZE))
		status = state == NULL && obj_hdl->type == REGULAR_FILE
				 ? ulmfsal_io_check(
					   obj_hdl,
					   ULM_IO_SHARES | ULM_IO_RECALL |
						   (bypass ? ULM_IO_BYPASS : 0),
					   ULM_SHARE_WRITE, 0, ULM_EOF,
					   "SETATTR size")
				 : recall_for_change(obj_hdl, state,
						     "SETATTR size");
	/* What it cuts off or adds meets SMB byte-range locks. */
	if (!FSAL_IS_ERROR(status) &&
	    FSAL_TEST_MASK(attrib_set->valid_mask, ATTR_SIZE) &&
	    ulmfsal_smb_locks_mandatory(op_ctx->fsal_export))
		status = ulmfsal_io_check(obj_hdl, ULM_IO_LOCKS,
					  ULM_SHARE_WRITE, attrib_set->filesize,
					  ULM_EOF, "SETATTR size");
	if (FSAL_IS_ERROR(status))
		return status;
	return ULMFSAL_SUB(obj_hdl, setattr2, bypass, state, attrib_set);
}

static fsal_status_t link_(struct fsal_obj_handle *obj_hdl,
			   struct fsal_obj_handle *destdir_hdl,
			   const char *name)
{
	return ULMFSAL_SUB(obj_hdl, link, ulmfsal_sub(destdir_hdl), name);
}

static fsal_status_t rename_(struct fsal_obj_handle *obj_hdl,
			     struct fsal_obj_handle *olddir_hdl,
			     const char *old_name,
			     struct fsal_obj_handle *newdir_hdl,
			     const char *new_name)
{
	fsal_status_t status = ulmfsal_delete_check(obj_hdl, "RENAME");

	if (!FSAL_IS_ERROR(status))
		status = recall_for_change(obj_hdl, NULL, "RENAME");
	if (FSAL_IS_ERROR(status))
		return status;
	return ULMFSAL_SUB(obj_hdl, rename, ulmfsal_sub(olddir_hdl), old_name,
			   ulmfsal_sub(newdir_hdl), new_name);
}

static fsal_status_t unlink_(struct fsal_obj_handle *dir_hdl,
			     struct fsal_obj_handle *obj_hdl, const char *name)
{
	fsal_status_t status = ulmfsal_delete_check(obj_hdl, "REMOVE");

	if (!FSAL_IS_ERROR(status))
		status = recall_for_change(obj_hdl, NULL, "REMOVE");
	if (FSAL_IS_ERROR(status))
		return status;
	return ULMFSAL_SUB(dir_hdl, unlink, ulmfsal_sub(obj_hdl), name);
}

static fsal_status_t handle_to_wire(const struct fsal_obj_handle *obj_hdl,
				    fsal_digesttype_t output_type,
				    struct gsh_buffdesc *fh_desc)
{
	/* The API passes a const handle; ours is never changed here. */
	struct fsal_obj_handle *obj = (struct fsal_obj_handle *)obj_hdl;

	return ULMFSAL_SUB(obj, handle_to_wire, output_type, fh_desc);
}

static void handle_to_key(struct fsal_obj_handle *obj_hdl,
			  struct gsh_buffdesc *fh_desc)
{
	ULMFSAL_SUB_VOID(obj_hdl, handle_to_key, fh_desc);
}

static bool handle_cmp(struct fsal_obj_handle *obj_hdl1,
		       struct fsal_obj_handle *obj_hdl2)
{
	return ULMFSAL_SUB(obj_hdl1, handle_cmp, ulmfsal_sub(obj_hdl2));
}

static bool is_referral(struct fsal_obj_handle *obj_hdl,
			struct fsal_attrlist *attrs, bool cache_attrs)
{
	return ULMFSAL_SUB(obj_hdl, is_referral, attrs, cache_attrs);
}

void ulmfsal_handle_ops_init(struct fsal_obj_ops *ops)
{
	fsal_default_obj_ops_init(ops);

	ops->release = release;
	ops->merge = merge;
	ops->lookup = lookup;
	ops->readdir = readdir_;
	ops->compute_readdir_cookie = compute_readdir_cookie;
	ops->dirent_cmp = dirent_cmp;
	ops->mkdir = mkdir_;
	ops->mknode = mknode;
	ops->symlink = symlink_;
	ops->readlink = readlink_;
	ops->test_access = test_access;
	ops->getattrs = getattrs;
	ops->setattr2 = setattr2;
	ops->link = link_;
	ops->rename = rename_;
	ops->unlink = unlink_;
	ops->handle_to_wire = handle_to_wire;
	ops->handle_to_key = handle_to_key;
	ops->handle_cmp = handle_cmp;
	ops->is_referral = is_referral;

	ulmfsal_file_ops_init(ops);
	ulmfsal_share_ops_init(ops);
	ulmfsal_deleg_ops_init(ops);
	ulmfsal_xattr_ops_init(ops);
}

/* Export ops that create handles. */

fsal_status_t ulmfsal_lookup_path(struct fsal_export *exp_hdl, const char *path,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status =
		ULMFSAL_EXP(exp_hdl, lookup_path, path, &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(exp_hdl, status, sub_handle, handle);
}

fsal_status_t ulmfsal_create_handle(struct fsal_export *exp_hdl,
				    struct gsh_buffdesc *fh_desc,
				    struct fsal_obj_handle **handle,
				    struct fsal_attrlist *attrs_out)
{
	struct fsal_obj_handle *sub_handle = NULL;
	fsal_status_t status = ULMFSAL_EXP(exp_hdl, create_handle, fh_desc,
					   &sub_handle, attrs_out);

	return ulmfsal_wrap_handle(exp_hdl, status, sub_handle, handle);
}
