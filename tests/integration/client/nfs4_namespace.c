/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 paths, and the changes by path that break other clients'
 * delegations: SETATTR size (anonymous stateid), REMOVE, RENAME. */
#include "nfs4_internal.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

int nfs4_path_ops(const struct nfs4_session *session, const char *path,
		  char *buf, size_t buflen, nfs_argop4 *ops, const char **name)
{
	char *names[NFS4_PATH_MAX_COMPONENTS];
	unsigned int n = 0, i;
	char *save, *word;

	if ((size_t)snprintf(buf, buflen, "%s/%s", session->export, path) >=
	    buflen)
		return -EINVAL;
	for (word = strtok_r(buf, "/", &save); word;
	     word = strtok_r(NULL, "/", &save)) {
		if (n == NFS4_PATH_MAX_COMPONENTS)
			return -EINVAL;
		names[n++] = word;
	}
	if (n == 0)
		return -EINVAL;
	ops[0].argop = OP_PUTROOTFH;
	for (i = 0; i + 1 < n; i++) {
		ops[i + 1].argop = OP_LOOKUP;
		ops[i + 1].nfs_argop4_u.oplookup.objname.utf8string_len =
			strlen(names[i]);
		ops[i + 1].nfs_argop4_u.oplookup.objname.utf8string_val =
			names[i];
	}
	*name = names[n - 1];
	return n;
}

static void set_component(component4 *c, const char *name)
{
	c->utf8string_len = strlen(name);
	c->utf8string_val = (char *)name;
}

int nfs4_truncate(struct nfs4_session *session, const char *path, uint64_t size)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	uint32_t bitmap[1] = {1u << FATTR4_SIZE};
	uint64_t wire_size = htobe64(size); /* XDR */
	char buf[PATH_MAX];
	const char *name;
	SETATTR4args *set;
	int n;

	memset(ops, 0, sizeof(ops));
	n = nfs4_path_ops(session, path, buf, sizeof(buf), ops, &name);
	if (n < 0)
		return NFS4ERR_INVAL;
	ops[n].argop = OP_LOOKUP;
	set_component(&ops[n++].nfs_argop4_u.oplookup.objname, name);
	ops[n].argop = OP_SETATTR;
	set = &ops[n++].nfs_argop4_u.opsetattr;
	/* The all-zero (anonymous) stateid: no open of ours. */
	set->obj_attributes.attrmask.bitmap4_len = 1;
	set->obj_attributes.attrmask.bitmap4_val = bitmap;
	set->obj_attributes.attr_vals.attrlist4_len = sizeof(wire_size);
	set->obj_attributes.attr_vals.attrlist4_val = (char *)&wire_size;
	return nfs4_compound(session, ops, n, NULL, NULL, NULL);
}

int nfs4_remove(struct nfs4_session *session, const char *path)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 1];
	char buf[PATH_MAX];
	const char *name;
	int n;

	memset(ops, 0, sizeof(ops));
	n = nfs4_path_ops(session, path, buf, sizeof(buf), ops, &name);
	if (n < 0)
		return NFS4ERR_INVAL;
	ops[n].argop = OP_REMOVE;
	set_component(&ops[n++].nfs_argop4_u.opremove.target, name);
	return nfs4_compound(session, ops, n, NULL, NULL, NULL);
}

/* Source directory, SAVEFH, target directory, RENAME. */
int nfs4_rename(struct nfs4_session *session, const char *from, const char *to)
{
	nfs_argop4 ops[2 * NFS4_PATH_MAX_COMPONENTS + 2];
	char from_buf[PATH_MAX], to_buf[PATH_MAX];
	const char *from_name, *to_name;
	RENAME4args *rename;
	int n, m;

	memset(ops, 0, sizeof(ops));
	n = nfs4_path_ops(session, from, from_buf, sizeof(from_buf), ops,
			  &from_name);
	if (n < 0)
		return NFS4ERR_INVAL;
	ops[n++].argop = OP_SAVEFH;
	m = nfs4_path_ops(session, to, to_buf, sizeof(to_buf), ops + n,
			  &to_name);
	if (m < 0)
		return NFS4ERR_INVAL;
	n += m;
	ops[n].argop = OP_RENAME;
	rename = &ops[n++].nfs_argop4_u.oprename;
	set_component(&rename->oldname, from_name);
	set_component(&rename->newname, to_name);
	return nfs4_compound(session, ops, n, NULL, NULL, NULL);
}
