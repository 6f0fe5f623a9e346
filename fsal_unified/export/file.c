// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file file.c
 * @brief FSAL UNIFIED: I/O and layouts, forwarded to the sub-FSAL (which
 * owns the file descriptors, inside its states), after the delegation
 * check of stateless I/O. Opens and closes are in share.c, byte-range
 * locks in lock.c, delegations in deleg.c.
 */
#include "ulmfsal.h"

static bool check_verifier(struct fsal_obj_handle *obj_hdl,
			   fsal_verifier_t verifier)
{
	return ULMFSAL_SUB(obj_hdl, check_verifier, verifier);
}

static fsal_openflags_t status2(struct fsal_obj_handle *obj_hdl,
				struct state_t *state)
{
	return ULMFSAL_SUB(obj_hdl, status2, state);
}

/* What the sub-FSAL's I/O completion needs to call our caller back. */
struct io_done_arg {
	struct fsal_obj_handle *obj_hdl; /**< ours */
	fsal_async_cb done_cb;		 /**< the caller's */
	void *caller_arg;		 /**< the caller's */
};

/* Called by the sub-FSAL with its export current: switch up, call up. */
static void io_done(struct fsal_obj_handle *sub_obj, fsal_status_t ret,
		    void *obj_data, void *caller_data)
{
	struct io_done_arg *arg = caller_data;
	struct fsal_export *sub_export = op_ctx->fsal_export;

	(void)sub_obj;
	op_ctx->fsal_export = sub_export->super_export;
	arg->done_cb(arg->obj_hdl, ret, obj_data, arg->caller_arg);
	op_ctx->fsal_export = sub_export;
	gsh_free(arg);
}

static struct io_done_arg *io_done_arg(struct fsal_obj_handle *obj_hdl,
				       fsal_async_cb done_cb, void *caller_arg)
{
	struct io_done_arg *arg = gsh_malloc(sizeof(*arg));

	arg->obj_hdl = obj_hdl;
	arg->done_cb = done_cb;
	arg->caller_arg = caller_arg;
	return arg;
}

/* The bytes an I/O covers (a read of nothing: its first byte). */
static void io_range(const struct fsal_io_arg *arg, uint64_t *start,
		     uint64_t *end)
{
	uint64_t len = 0;

	for (int i = 0; i < arg->iov_count; i++)
		len += arg->iov[i].iov_len;
	ulm_range_from_length(arg->offset, len ? len : 1, start, end);
}

/*
 * I/O with no state (NFSv3, NFSv4's anonymous stateids) breaks other
 * clients' delegations, granted on any node: a write any delegation, a
 * read a write delegation. They are recalled and the I/O answered
 * ERR_FSAL_DELAY. It is refused by a share reservation, taken on any
 * node, that denies its access. I/O under an open needs neither check: no
 * other client can hold a delegation or a deny that open conflicts with.
 * Any I/O, under an open or not, is refused by an SMB byte-range lock
 * that excludes it where the export says so (Smb_Locks_Mandatory).
 * @return whether the I/O was answered so
 */
static bool io_stopped(struct fsal_obj_handle *obj_hdl, bool bypass,
		       struct fsal_io_arg *arg, unsigned access,
		       fsal_async_cb done_cb, void *caller_arg)
{
	const char *what = access == ULM_SHARE_WRITE ? "WRITE" : "READ";
	unsigned flags = ulmfsal_smb_locks_mandatory(op_ctx->fsal_export)
				 ? ULM_IO_LOCKS
				 : 0;
	fsal_status_t status;
	uint64_t start, end;

	if (arg->state == NULL)
		flags |= ULM_IO_SHARES | ULM_IO_RECALL |
			 (bypass ? ULM_IO_BYPASS : 0);
	io_range(arg, &start, &end);
	status = ulmfsal_io_check(obj_hdl, flags, access, start, end, what);
	if (!FSAL_IS_ERROR(status))
		return false;
	done_cb(obj_hdl, status, arg, caller_arg);
	return true;
}

static void read2(struct fsal_obj_handle *obj_hdl, bool bypass,
		  fsal_async_cb done_cb, struct fsal_io_arg *read_arg,
		  void *caller_arg)
{
	if (io_stopped(obj_hdl, bypass, read_arg, ULM_SHARE_READ, done_cb,
		       caller_arg))
		return;
	ULMFSAL_SUB_VOID(obj_hdl, read2, bypass, io_done, read_arg,
			 io_done_arg(obj_hdl, done_cb, caller_arg));
}

static void write2(struct fsal_obj_handle *obj_hdl, bool bypass,
		   fsal_async_cb done_cb, struct fsal_io_arg *write_arg,
		   void *caller_arg)
{
	if (io_stopped(obj_hdl, bypass, write_arg, ULM_SHARE_WRITE, done_cb,
		       caller_arg))
		return;
	ULMFSAL_SUB_VOID(obj_hdl, write2, bypass, io_done, write_arg,
			 io_done_arg(obj_hdl, done_cb, caller_arg));
}

static fsal_status_t seek(struct fsal_obj_handle *obj_hdl, struct io_info *info)
{
	return ULMFSAL_SUB(obj_hdl, seek, info);
}

static fsal_status_t seek2(struct fsal_obj_handle *obj_hdl,
			   struct state_t *state, struct io_info *info)
{
	return ULMFSAL_SUB(obj_hdl, seek2, state, info);
}

static fsal_status_t io_advise(struct fsal_obj_handle *obj_hdl,
			       struct io_hints *hints)
{
	return ULMFSAL_SUB(obj_hdl, io_advise, hints);
}

static fsal_status_t io_advise2(struct fsal_obj_handle *obj_hdl,
				struct state_t *state, struct io_hints *hints)
{
	return ULMFSAL_SUB(obj_hdl, io_advise2, state, hints);
}

static fsal_status_t commit2(struct fsal_obj_handle *obj_hdl, off_t offset,
			     size_t len)
{
	return ULMFSAL_SUB(obj_hdl, commit2, offset, len);
}

static fsal_status_t fallocate_(struct fsal_obj_handle *obj_hdl,
				struct state_t *state, uint64_t offset,
				uint64_t length, bool allocate)
{
	return ULMFSAL_SUB(obj_hdl, fallocate, state, offset, length, allocate);
}

static fsal_status_t close_(struct fsal_obj_handle *obj_hdl)
{
	return ULMFSAL_SUB(obj_hdl, close);
}

static nfsstat4 layoutget(struct fsal_obj_handle *obj_hdl, XDR *loc_body,
			  const struct fsal_layoutget_arg *arg,
			  struct fsal_layoutget_res *res)
{
	return ULMFSAL_SUB(obj_hdl, layoutget, loc_body, arg, res);
}

static nfsstat4 layoutreturn(struct fsal_obj_handle *obj_hdl, XDR *lrf_body,
			     const struct fsal_layoutreturn_arg *arg)
{
	return ULMFSAL_SUB(obj_hdl, layoutreturn, lrf_body, arg);
}

static nfsstat4 layoutcommit(struct fsal_obj_handle *obj_hdl, XDR *lou_body,
			     const struct fsal_layoutcommit_arg *arg,
			     struct fsal_layoutcommit_res *res)
{
	return ULMFSAL_SUB(obj_hdl, layoutcommit, lou_body, arg, res);
}

void ulmfsal_file_ops_init(struct fsal_obj_ops *ops)
{
	ops->check_verifier = check_verifier;
	ops->status2 = status2;
	ops->read2 = read2;
	ops->write2 = write2;
	ops->seek = seek;
	ops->seek2 = seek2;
	ops->io_advise = io_advise;
	ops->io_advise2 = io_advise2;
	ops->commit2 = commit2;
	ops->fallocate = fallocate_;
	ops->lock_op2 = ulmfsal_lock_op2;
	ops->close = close_;
	ops->layoutget = layoutget;
	ops->layoutreturn = layoutreturn;
	ops->layoutcommit = layoutcommit;
}
