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

/* One compound on one file by path: PUTROOTFH, LOOKUPs, then one op. */
struct file_compound {
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	char buf[PATH_MAX];
	int n;
};

/* Build @p c up to @p op, which it returns for its arguments (NULL for a
 * bad path). */
static nfs_argop4 *file_op(const struct nfs4_session *session, const char *path,
			   struct file_compound *c, int op)
{
	const char *name;

	memset(c->ops, 0, sizeof(c->ops));
	c->n = nfs4_path_ops(session, path, c->buf, sizeof(c->buf), c->ops,
			     &name);
	if (c->n < 0)
		return NULL;
	c->ops[c->n].argop = OP_LOOKUP;
	set_component(&c->ops[c->n++].nfs_argop4_u.oplookup.objname, name);
	c->ops[c->n].argop = op;
	return &c->ops[c->n++];
}

static int file_send(struct nfs4_session *session, struct file_compound *c)
{
	return nfs4_compound(session, c->ops, c->n, NULL, NULL, NULL);
}

int nfs4_truncate(struct nfs4_session *session, const char *path, uint64_t size)
{
	struct file_compound c;
	nfs_argop4 *op = file_op(session, path, &c, OP_SETATTR);
	uint32_t bitmap[1] = {1u << FATTR4_SIZE};
	uint64_t wire_size = htobe64(size); /* XDR */
	fattr4 *attrs;

	if (!op)
		return NFS4ERR_INVAL;
	/* The all-zero (anonymous) stateid: no open of ours. */
	attrs = &op->nfs_argop4_u.opsetattr.obj_attributes;
	attrs->attrmask.bitmap4_len = 1;
	attrs->attrmask.bitmap4_val = bitmap;
	attrs->attr_vals.attrlist4_len = sizeof(wire_size);
	attrs->attr_vals.attrlist4_val = (char *)&wire_size;
	return file_send(session, &c);
}

int nfs4_write_anonymous(struct nfs4_session *session, const char *path,
			 uint64_t offset, uint32_t length)
{
	struct file_compound c;
	nfs_argop4 *op = file_op(session, path, &c, OP_WRITE);
	char *data;
	int status;

	if (!op)
		return NFS4ERR_INVAL;
	data = calloc(1, length ? length : 1);
	if (!data)
		return -ENOMEM;
	op->nfs_argop4_u.opwrite.offset = offset;
	op->nfs_argop4_u.opwrite.stable = FILE_SYNC4;
	op->nfs_argop4_u.opwrite.data.data_len = length;
	op->nfs_argop4_u.opwrite.data.data_val = data;
	status = file_send(session, &c);
	free(data);
	return status;
}

/* READ with a special stateid: all zeros (anonymous) or all ones. */
static int read_special(struct nfs4_session *session, const char *path,
			uint64_t offset, uint32_t length, bool all_ones)
{
	struct file_compound c;
	nfs_argop4 *op = file_op(session, path, &c, OP_READ);

	if (!op)
		return NFS4ERR_INVAL;
	if (all_ones)
		memset(&op->nfs_argop4_u.opread.stateid, 0xff,
		       sizeof(op->nfs_argop4_u.opread.stateid));
	op->nfs_argop4_u.opread.offset = offset;
	op->nfs_argop4_u.opread.count = length;
	return file_send(session, &c);
}

int nfs4_read_anonymous(struct nfs4_session *session, const char *path,
			uint64_t offset, uint32_t length)
{
	return read_special(session, path, offset, length, false);
}

int nfs4_read_bypass(struct nfs4_session *session, const char *path,
		     uint64_t offset, uint32_t length)
{
	return read_special(session, path, offset, length, true);
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
