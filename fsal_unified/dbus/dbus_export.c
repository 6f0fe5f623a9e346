// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus_export.c
 * @brief FSAL UNIFIED: exports entered by admin calls, and file keys of
 * paths and back.
 *
 * A file key is the sub-FSAL's handle key: nothing in it says where the
 * file is. A path is looked up component by component in the sub-FSAL;
 * a key's path is found by walking the trees of the UNIFIED exports
 * (breadth first, at most ADMIN_WALK_MAX entries per export and call), so
 * a listing names the files it can find and shows the others by key.
 */
#include <errno.h>
#include <string.h>

#include "export_mgr.h"
#include "dbus_admin.h"

#define ADMIN_WALK_MAX 10000

size_t ulmfsal_admin_export_ids(uint16_t *ids, size_t max)
{
	struct glist_head *glist;
	struct fsal_export *e;
	size_t n = 0, i, j;
	uint16_t id;

	PTHREAD_RWLOCK_rdlock(&ULMFSAL.module.lock);
	glist_for_each(glist, &ULMFSAL.module.exports)
	{
		e = glist_entry(glist, struct fsal_export, exports);
		if (n < max)
			ids[n++] = e->export_id;
	}
	PTHREAD_RWLOCK_unlock(&ULMFSAL.module.lock);
	/* Ascending, for listings in a stable order (insertion sort). */
	for (i = 1; i < n; i++) {
		id = ids[i];
		for (j = i; j > 0 && ids[j - 1] > id; j--)
			ids[j] = ids[j - 1];
		ids[j] = id;
	}
	return n;
}

int ulmfsal_admin_enter(uint16_t export_id, struct ulmfsal_admin_export *ax)
{
	struct gsh_export *gsh = get_gsh_export(export_id);
	struct fsal_export *e;

	if (gsh == NULL)
		return -ENOENT;
	e = export_ready(gsh) ? gsh->fsal_export : NULL;
	while (e != NULL && e->fsal != &ULMFSAL.module)
		e = e->sub_export;
	if (e == NULL) {
		put_gsh_export(gsh);
		return -ENOENT;
	}
	ax->gsh = gsh;
	ax->ours = e;
	/* The op context takes over the reference. */
	init_op_context_simple(&ax->ctx, gsh, gsh->fsal_export);
	return 0;
}

void ulmfsal_admin_leave(struct ulmfsal_admin_export *ax)
{
	release_op_context();
	ax->gsh = NULL;
	ax->ours = NULL;
}

/* The sub-FSAL's handle of the export's root, or NULL. */
static struct fsal_obj_handle *sub_root(struct ulmfsal_admin_export *ax)
{
	struct fsal_obj_handle *root = NULL;
	fsal_status_t status = ULMFSAL_EXP(ax->ours, lookup_path,
					   CTX_FULLPATH(op_ctx), &root, NULL);

	return FSAL_IS_ERROR(status) ? NULL : root;
}

/* The sub-FSAL's ops run with its export current, not ours or MDCACHE's
 * (it makes handles of op_ctx's export). */
static void sub_release(struct ulmfsal_admin_export *ax,
			struct fsal_obj_handle *sub)
{
	ULMFSAL_CALL_IN_VOID(ax->ours->sub_export, sub->obj_ops->release(sub));
}

static void sub_key(struct ulmfsal_admin_export *ax,
		    struct fsal_obj_handle *sub, struct gsh_buffdesc *key)
{
	ULMFSAL_CALL_IN_VOID(ax->ours->sub_export,
			     sub->obj_ops->handle_to_key(sub, key));
}

/* Length of the export path that contains @p path, or 0. */
static size_t prefix_of(const char *path, const char *export_path)
{
	size_t len = strlen(export_path);

	if (strcmp(export_path, "/") == 0)
		return 1;
	if (strncmp(path, export_path, len) != 0 ||
	    (path[len] != '/' && path[len] != '\0'))
		return 0;
	return len;
}

/* The UNIFIED export whose path is the longest prefix of @p path. */
static int export_of_path(const char *path, uint16_t *export_id, size_t *prefix)
{
	uint16_t ids[ULMFSAL_ADMIN_EXPORTS_MAX];
	size_t n = ulmfsal_admin_export_ids(ids, ULMFSAL_ADMIN_EXPORTS_MAX),
	       len;
	struct ulmfsal_admin_export ax;

	*prefix = 0;
	for (size_t i = 0; i < n; i++) {
		if (ulmfsal_admin_enter(ids[i], &ax) != 0)
			continue;
		len = prefix_of(path, CTX_FULLPATH(op_ctx));
		if (len > *prefix) {
			*prefix = len;
			*export_id = ids[i];
		}
		ulmfsal_admin_leave(&ax);
	}
	return *prefix ? 0 : -ENOENT;
}

/* No "." or ".." components: a path must not leave its export. */
static bool clean_path(const char *path)
{
	const char *p = path;
	size_t len;

	if (*path != '/')
		return false;
	while (*p) {
		p += strspn(p, "/");
		len = strcspn(p, "/");
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
	}
	return true;
}

/* Look @p rel up from the export's root, one component at a time. */
static struct fsal_obj_handle *sub_lookup(struct ulmfsal_admin_export *ax,
					  const char *rel)
{
	struct fsal_obj_handle *dir = sub_root(ax), *child;
	char name[NAME_MAX + 1];
	fsal_status_t status;
	size_t len;

	while (dir != NULL && *(rel += strspn(rel, "/"))) {
		len = strcspn(rel, "/");
		if (len > NAME_MAX) {
			sub_release(ax, dir);
			return NULL;
		}
		memcpy(name, rel, len);
		name[len] = '\0';
		rel += len;
		child = NULL;
		status = ULMFSAL_CALL_IN(
			ax->ours->sub_export,
			dir->obj_ops->lookup(dir, name, &child, NULL));
		sub_release(ax, dir);
		dir = FSAL_IS_ERROR(status) ? NULL : child;
	}
	return dir;
}

int ulmfsal_admin_path_key(const char *path, uint8_t *key, size_t *key_len,
			   uint16_t *export_id)
{
	struct ulmfsal_admin_export ax;
	struct fsal_obj_handle *sub;
	struct gsh_buffdesc desc = {0};
	size_t prefix;
	int rc = -ENOENT;

	if (!clean_path(path))
		return -EINVAL;
	if (export_of_path(path, export_id, &prefix) != 0 ||
	    ulmfsal_admin_enter(*export_id, &ax) != 0)
		return -ENOENT;
	sub = sub_lookup(&ax, path + prefix);
	if (sub != NULL) {
		sub_key(&ax, sub, &desc);
		if (desc.len > 0 && desc.len <= ULM_KEY_MAX) {
			memcpy(key, desc.addr, desc.len);
			*key_len = desc.len;
			rc = 0;
		}
		sub_release(&ax, sub);
	}
	ulmfsal_admin_leave(&ax);
	return rc;
}

/* A directory waiting to be read, and its path. */
struct walk_dir {
	struct fsal_obj_handle *sub;
	char *path;
};

/* Breadth-first walk of one export, naming the records' files. */
struct walk {
	struct ulmfsal_admin_export *ax;
	struct ulmv_records *set;
	uint16_t export_id;
	size_t unnamed; /* records of the set without a path */
	size_t budget;	/* entries the walk may still visit */
	struct walk_dir *queue;
	size_t head, tail, cap;
	const char *dir_path;
	int rc;
};

static void walk_push(struct walk *w, struct fsal_obj_handle *sub, char *path)
{
	if (w->tail == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->queue = gsh_realloc(w->queue, w->cap * sizeof(*w->queue));
	}
	w->queue[w->tail].sub = sub;
	w->queue[w->tail++].path = path;
}

/* Name every unnamed record of the file @p sub is. */
static void walk_name(struct walk *w, struct fsal_obj_handle *sub,
		      const char *path)
{
	struct gsh_buffdesc desc = {0};
	char *hex;

	sub_key(w->ax, sub, &desc);
	hex = ulmv_hex(desc.addr, desc.len);
	if (hex == NULL) {
		w->rc = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < w->set->n && w->rc == 0; i++) {
		struct ulmv_record *r = &w->set->v[i];

		if (*r->path || strcmp(r->file, hex) != 0)
			continue;
		w->rc = ulmv_record_set_path(r, path, w->export_id);
		w->unnamed--;
	}
	free(hex);
}

static enum fsal_dir_result walk_entry(const char *name,
				       struct fsal_obj_handle *sub,
				       struct fsal_attrlist *attrs,
				       void *dir_state, fsal_cookie_t cookie)
{
	struct walk *w = dir_state;
	char *path = gsh_concat_sep(w->dir_path, '/', name);

	(void)attrs;
	(void)cookie;
	walk_name(w, sub, path);
	if (sub->type == DIRECTORY && w->budget > 0) {
		walk_push(w, sub, path);
	} else {
		sub->obj_ops->release(sub);
		gsh_free(path);
	}
	if (w->budget > 0)
		w->budget--;
	return w->budget == 0 || w->unnamed == 0 || w->rc != 0 ? DIR_TERMINATE
							       : DIR_CONTINUE;
}

static void walk_dir(struct walk *w, struct walk_dir *d)
{
	bool eof = false;

	w->dir_path = strcmp(d->path, "/") == 0 ? "" : d->path;
	if (w->budget > 0 && w->unnamed > 0 && w->rc == 0)
		(void)ULMFSAL_CALL_IN(w->ax->ours->sub_export,
				      d->sub->obj_ops->readdir(d->sub, NULL, w,
							       walk_entry, 0,
							       &eof));
	sub_release(w->ax, d->sub);
	gsh_free(d->path);
}

static size_t count_unnamed(const struct ulmv_records *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++)
		n += *set->v[i].path == '\0';
	return n;
}

static int walk_export(struct ulmv_records *set, uint16_t export_id)
{
	struct ulmfsal_admin_export ax;
	struct walk w = {.ax = &ax,
			 .set = set,
			 .export_id = export_id,
			 .unnamed = count_unnamed(set),
			 .budget = ADMIN_WALK_MAX};
	struct fsal_obj_handle *root;

	if (w.unnamed == 0 || ulmfsal_admin_enter(export_id, &ax) != 0)
		return 0;
	root = sub_root(&ax);
	if (root != NULL) {
		walk_name(&w, root, CTX_FULLPATH(op_ctx));
		walk_push(&w, root, gsh_strdup(CTX_FULLPATH(op_ctx)));
	}
	while (w.head < w.tail)
		walk_dir(&w, &w.queue[w.head++]);
	gsh_free(w.queue);
	ulmfsal_admin_leave(&ax);
	return w.rc;
}

int ulmfsal_admin_resolve_paths(struct ulmv_records *set, uint16_t export_id)
{
	uint16_t ids[ULMFSAL_ADMIN_EXPORTS_MAX];
	size_t n = ulmfsal_admin_export_ids(ids, ULMFSAL_ADMIN_EXPORTS_MAX);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		if (export_id == 0 || ids[i] == export_id)
			rc = walk_export(set, ids[i]);
	return rc;
}
