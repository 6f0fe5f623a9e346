/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 operations by path, with no open of this client: what another
 * client's delegation is in the way of. SETATTR size, WRITE and READ use
 * the anonymous stateid; REMOVE, RENAME. */
#include "nfs4_internal.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
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

/* PUTROOTFH, LOOKUPs, then @p op on the file; the op count or -EINVAL. */
static int file_ops(struct nfs4_session *session, const char *path, char *buf,
		    size_t buflen, nfs_argop4 *ops, int op)
{
	const char *name;
	int n = nfs4_path_ops(session, path, buf, buflen, ops, &name);

	if (n < 0)
		return n;
	ops[n].argop = OP_LOOKUP;
	set_component(&ops[n++].nfs_argop4_u.oplookup.objname, name);
	ops[n++].argop = op;
	return n;
}

int nfs4_truncate(struct nfs4_session *session, const char *path, uint64_t size)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	uint32_t bitmap[1] = {1u << FATTR4_SIZE};
	uint64_t wire_size = htobe64(size); /* XDR */
	char buf[PATH_MAX];
	SETATTR4args *set;
	int n;

	memset(ops, 0, sizeof(ops));
	n = file_ops(session, path, buf, sizeof(buf), ops, OP_SETATTR);
	if (n < 0)
		return NFS4ERR_INVAL;
	set = &ops[n - 1].nfs_argop4_u.opsetattr;
	/* The all-zero (anonymous) stateid: no open of ours. */
	set->obj_attributes.attrmask.bitmap4_len = 1;
	set->obj_attributes.attrmask.bitmap4_val = bitmap;
	set->obj_attributes.attr_vals.attrlist4_len = sizeof(wire_size);
	set->obj_attributes.attr_vals.attrlist4_val = (char *)&wire_size;
	return nfs4_compound(session, ops, n, NULL, NULL, NULL);
}

int nfs4_write_anonymous(struct nfs4_session *session, const char *path,
			 uint64_t offset, uint32_t length)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	char buf[PATH_MAX], *data = calloc(1, length ? length : 1);
	WRITE4args *write;
	int n, status;

	if (!data)
		return -ENOMEM;
	memset(ops, 0, sizeof(ops));
	n = file_ops(session, path, buf, sizeof(buf), ops, OP_WRITE);
	if (n < 0) {
		free(data);
		return NFS4ERR_INVAL;
	}
	write = &ops[n - 1].nfs_argop4_u.opwrite;
	write->offset = offset;
	write->stable = FILE_SYNC4;
	write->data.data_len = length;
	write->data.data_val = data;
	status = nfs4_compound(session, ops, n, NULL, NULL, NULL);
	free(data);
	return status;
}

int nfs4_read_anonymous(struct nfs4_session *session, const char *path,
			uint64_t offset, uint32_t length)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	char buf[PATH_MAX];
	READ4args *read;
	int n;

	memset(ops, 0, sizeof(ops));
	n = file_ops(session, path, buf, sizeof(buf), ops, OP_READ);
	if (n < 0)
		return NFS4ERR_INVAL;
	read = &ops[n - 1].nfs_argop4_u.opread;
	read->offset = offset;
	read->count = length;
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
