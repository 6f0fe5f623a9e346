/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file ulmfsal.h
 * @brief FSAL UNIFIED: private declarations shared by its files.
 *
 * UNIFIED is a stackable FSAL: every operation is forwarded to the
 * sub-FSAL named in the export's nested FSAL block, except that byte-range
 * locks are first decided by libulm, so that every protocol and every node
 * sharing the lock store sees the same locks.
 */
#ifndef ULMFSAL_H
#define ULMFSAL_H

#include "config.h"

#include "fsal.h"
#include "fsal_api.h"
#include "ulm.h"

/** Settings of the module-level UNIFIED { } block. */
struct ulmfsal_config {
	uint32_t store;	  /**< enum ulm_store_kind */
	char *store_path; /**< LMDB directory */
	uint64_t map_size;
	bool sync;
	uint32_t node_id;
	/* Store = rados; names as in Ganesha's RADOS_KV block */
	char *ceph_conf; /**< NULL: Ceph's default search */
	char *userid;	 /**< NULL: Ceph's default user */
	char *keyring;	 /**< NULL: as ceph.conf says */
	char *pool;
	char *rados_namespace;
};

struct ulmfsal_module {
	struct fsal_module module;
	struct fsal_obj_ops handle_ops;
	struct ulmfsal_config config;
	/** false when the UNIFIED block failed to parse: exports are refused,
	 *  since Ganesha keeps a module loaded even if its init_config
	 *  failed. */
	bool config_valid;
};

extern struct ulmfsal_module ULMFSAL;

/** Our object handle: a wrapper around the sub-FSAL's. */
struct ulmfsal_handle {
	struct fsal_obj_handle obj_handle;
	struct fsal_obj_handle *sub_handle;
};

static inline struct fsal_obj_handle *ulmfsal_sub(struct fsal_obj_handle *obj)
{
	return container_of(obj, struct ulmfsal_handle, obj_handle)->sub_handle;
}

/*
 * Stacking: while the sub-FSAL runs, op_ctx->fsal_export must be the sub
 * export, and ours again once it returns (the sub-FSAL and everything it
 * calls look at op_ctx). These evaluate @call with op_ctx switched to
 * @sub_exp and restore whatever export was current before.
 */
#define ULMFSAL_CALL_IN(sub_exp, call)                                    \
	({                                                                \
		struct fsal_export *ulmfsal_saved_ = op_ctx->fsal_export; \
		op_ctx->fsal_export = (sub_exp);                          \
		__typeof__(call) ulmfsal_rv_ = (call);                    \
		op_ctx->fsal_export = ulmfsal_saved_;                     \
		ulmfsal_rv_;                                              \
	})

#define ULMFSAL_CALL_IN_VOID(sub_exp, call)                               \
	do {                                                              \
		struct fsal_export *ulmfsal_saved_ = op_ctx->fsal_export; \
		op_ctx->fsal_export = (sub_exp);                          \
		(call);                                                   \
		op_ctx->fsal_export = ulmfsal_saved_;                     \
	} while (0)

/* Object ops run with our export current: call one op of the sub handle. */
#define ULMFSAL_SUB(obj, op, ...)                                       \
	ULMFSAL_CALL_IN(op_ctx->fsal_export->sub_export,                \
			ulmfsal_sub(obj)->obj_ops->op(ulmfsal_sub(obj), \
						      ##__VA_ARGS__))
#define ULMFSAL_SUB_VOID(obj, op, ...)                                       \
	ULMFSAL_CALL_IN_VOID(op_ctx->fsal_export->sub_export,                \
			     ulmfsal_sub(obj)->obj_ops->op(ulmfsal_sub(obj), \
							   ##__VA_ARGS__))

/* Export ops: call the same op on the sub export of @exp. */
#define ULMFSAL_EXP(exp, op, ...)                                        \
	ULMFSAL_CALL_IN((exp)->sub_export,                               \
			(exp)->sub_export->exp_ops.op((exp)->sub_export, \
						      ##__VA_ARGS__))
#define ULMFSAL_EXP_VOID(exp, op, ...)                                        \
	ULMFSAL_CALL_IN_VOID((exp)->sub_export,                               \
			     (exp)->sub_export->exp_ops.op((exp)->sub_export, \
							   ##__VA_ARGS__))

/* main.c */
int ulmfsal_env_open_once(void);
ulm_env *ulmfsal_env(void);

/* export.c */
fsal_status_t ulmfsal_create_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    const struct fsal_up_vector *up_ops);
fsal_status_t ulmfsal_update_export(struct fsal_module *fsal_hdl,
				    void *parse_node,
				    struct config_error_type *err_type,
				    struct fsal_export *original,
				    struct fsal_module *updated_super);

/* handle.c */
void ulmfsal_handle_ops_init(struct fsal_obj_ops *ops);
fsal_status_t ulmfsal_wrap_handle(struct fsal_export *exp,
				  fsal_status_t sub_status,
				  struct fsal_obj_handle *sub_handle,
				  struct fsal_obj_handle **handle);
fsal_status_t ulmfsal_lookup_path(struct fsal_export *exp_hdl, const char *path,
				  struct fsal_obj_handle **handle,
				  struct fsal_attrlist *attrs_out);
fsal_status_t ulmfsal_create_handle(struct fsal_export *exp_hdl,
				    struct gsh_buffdesc *fh_desc,
				    struct fsal_obj_handle **handle,
				    struct fsal_attrlist *attrs_out);

/* file.c and xattr.c: fill their part of the object ops */
void ulmfsal_file_ops_init(struct fsal_obj_ops *ops);
void ulmfsal_xattr_ops_init(struct fsal_obj_ops *ops);

/* lock.c */
fsal_status_t ulmfsal_lock_op2(struct fsal_obj_handle *obj_hdl,
			       struct state_t *state, void *owner,
			       fsal_lock_op_t lock_op,
			       fsal_lock_param_t *request,
			       fsal_lock_param_t *conflicting_lock);

/* owner.c */
/** A libulm owner and the bytes it borrows that Ganesha does not store. */
struct ulmfsal_owner {
	struct ulm_owner id;
	uint8_t number[4]; /**< NLM svid or 9P pid, big-endian */
};
int ulmfsal_owner_init(struct ulmfsal_owner *owner, const void *state_owner,
		       uint32_t node);

/* purge.c */
void ulmfsal_purge_schedule(ulm_env *env, uint32_t node);
void ulmfsal_purge_stop(void);

#endif /* ULMFSAL_H */
