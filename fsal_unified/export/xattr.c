// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file xattr.c
 * @brief FSAL UNIFIED: extended attributes (9P-style by id/name, and
 * NFSv4.2 xattrs), forwarded to the sub-FSAL.
 */
#include "ulmfsal.h"

static fsal_status_t list_ext_attrs(struct fsal_obj_handle *obj_hdl,
				    unsigned int cookie,
				    struct fsal_xattrent *xattrs_tab,
				    unsigned int xattrs_tabsize,
				    unsigned int *nb_returned, int *end_of_list)
{
	return ULMFSAL_SUB(obj_hdl, list_ext_attrs, cookie, xattrs_tab,
			   xattrs_tabsize, nb_returned, end_of_list);
}

static fsal_status_t getextattr_id_by_name(struct fsal_obj_handle *obj_hdl,
					   const char *xattr_name,
					   unsigned int *xattr_id)
{
	return ULMFSAL_SUB(obj_hdl, getextattr_id_by_name, xattr_name,
			   xattr_id);
}

static fsal_status_t getextattr_value_by_name(struct fsal_obj_handle *obj_hdl,
					      const char *xattr_name,
					      void *buffer_addr,
					      size_t buffer_size,
					      size_t *output_size)
{
	return ULMFSAL_SUB(obj_hdl, getextattr_value_by_name, xattr_name,
			   buffer_addr, buffer_size, output_size);
}

static fsal_status_t getextattr_value_by_id(struct fsal_obj_handle *obj_hdl,
					    unsigned int xattr_id,
					    void *buffer_addr,
					    size_t buffer_size,
					    size_t *output_size)
{
	return ULMFSAL_SUB(obj_hdl, getextattr_value_by_id, xattr_id,
			   buffer_addr, buffer_size, output_size);
}

static fsal_status_t setextattr_value(struct fsal_obj_handle *obj_hdl,
				      const char *xattr_name, void *buffer_addr,
				      size_t buffer_size, int create)
{
	return ULMFSAL_SUB(obj_hdl, setextattr_value, xattr_name, buffer_addr,
			   buffer_size, create);
}

static fsal_status_t setextattr_value_by_id(struct fsal_obj_handle *obj_hdl,
					    unsigned int xattr_id,
					    void *buffer_addr,
					    size_t buffer_size)
{
	return ULMFSAL_SUB(obj_hdl, setextattr_value_by_id, xattr_id,
			   buffer_addr, buffer_size);
}

static fsal_status_t remove_extattr_by_id(struct fsal_obj_handle *obj_hdl,
					  unsigned int xattr_id)
{
	return ULMFSAL_SUB(obj_hdl, remove_extattr_by_id, xattr_id);
}

static fsal_status_t remove_extattr_by_name(struct fsal_obj_handle *obj_hdl,
					    const char *xattr_name)
{
	return ULMFSAL_SUB(obj_hdl, remove_extattr_by_name, xattr_name);
}

static fsal_status_t getxattrs(struct fsal_obj_handle *obj_hdl,
			       xattrkey4 *xa_name, xattrvalue4 *xa_value)
{
	return ULMFSAL_SUB(obj_hdl, getxattrs, xa_name, xa_value);
}

static fsal_status_t setxattrs(struct fsal_obj_handle *obj_hdl,
			       setxattr_option4 option, xattrkey4 *xa_name,
			       xattrvalue4 *xa_value)
{
	return ULMFSAL_SUB(obj_hdl, setxattrs, option, xa_name, xa_value);
}

static fsal_status_t removexattrs(struct fsal_obj_handle *obj_hdl,
				  xattrkey4 *xa_name)
{
	return ULMFSAL_SUB(obj_hdl, removexattrs, xa_name);
}

static fsal_status_t listxattrs(struct fsal_obj_handle *obj_hdl,
				count4 la_maxcount, nfs_cookie4 *la_cookie,
				bool_t *lr_eof, xattrlist4 *lr_names)
{
	return ULMFSAL_SUB(obj_hdl, listxattrs, la_maxcount, la_cookie, lr_eof,
			   lr_names);
}

void ulmfsal_xattr_ops_init(struct fsal_obj_ops *ops)
{
	ops->list_ext_attrs = list_ext_attrs;
	ops->getextattr_id_by_name = getextattr_id_by_name;
	ops->getextattr_value_by_name = getextattr_value_by_name;
	ops->getextattr_value_by_id = getextattr_value_by_id;
	ops->setextattr_value = setextattr_value;
	ops->setextattr_value_by_id = setextattr_value_by_id;
	ops->remove_extattr_by_id = remove_extattr_by_id;
	ops->remove_extattr_by_name = remove_extattr_by_name;
	ops->getxattrs = getxattrs;
	ops->setxattrs = setxattrs;
	ops->removexattrs = removexattrs;
	ops->listxattrs = listxattrs;
}
