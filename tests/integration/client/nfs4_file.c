/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.0 OPEN, OPEN_DOWNGRADE, LOCK, LOCKT, LOCKU, RELEASE_LOCKOWNER and
 * CLOSE with seqid bookkeeping. */
#include "nfs4_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CREATE_MODE 0644

/* Index of the seqid-bearing op in a PUTFH + op compound. */
#define OP_AFTER_PUTFH 1

static void set_putfh(nfs_argop4 *op, struct nfs4_file *file)
{
	op->argop = OP_PUTFH;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_len = file->fh_len;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_val = file->fh;
}

static void set_open_owner(struct nfs4_session *session,
			   struct nfs4_lock_owner *open_owner,
			   open_owner4 *owner)
{
	owner->clientid = session->clientid;
	owner->owner.owner_len = strlen(open_owner->name);
	owner->owner.owner_val = open_owner->name;
}

static void range_from_denied(const LOCK4denied *denied,
			      struct nfs4_range *range)
{
	range->offset = denied->offset;
	range->length = denied->length;
	range->write =
		denied->locktype == WRITE_LT || denied->locktype == WRITEW_LT;
}

void nfs4_file_free(struct nfs4_file *file)
{
	while (file->locks) {
		struct nfs4_lock_state *next = file->locks->next;

		free(file->locks);
		file->locks = next;
	}
	free(file->path);
	free(file);
}

/* ---- OPEN ---------------------------------------------------------- */

struct open_reply {
	unsigned int open_index;
	stateid4 stateid;
	uint32_t rflags;
	enum nfs4_deleg deleg;
	stateid4 deleg_stateid;
	char fh[NFS4_FHSIZE];
	unsigned int fh_len;
};

static void deleg_parse(const open_delegation4 *deleg, struct open_reply *reply)
{
	switch (deleg->delegation_type) {
	case OPEN_DELEGATE_READ:
		reply->deleg = NFS4_DELEG_READ;
		reply->deleg_stateid = deleg->open_delegation4_u.read.stateid;
		break;
	case OPEN_DELEGATE_WRITE:
		reply->deleg = NFS4_DELEG_WRITE;
		reply->deleg_stateid = deleg->open_delegation4_u.write.stateid;
		break;
	default:
		reply->deleg = NFS4_DELEG_NONE;
	}
}

static void open_parse(const COMPOUND4res *res, void *arg)
{
	struct open_reply *reply = arg;
	const OPEN4res *open;
	const GETFH4res *getfh;
	nfs_resop4 op;

	if (!nfs4_result(res, reply->open_index, &op))
		return;
	open = &op.nfs_resop4_u.opopen;
	if (open->status != NFS4_OK)
		return;
	reply->stateid = open->OPEN4res_u.resok4.stateid;
	reply->rflags = open->OPEN4res_u.resok4.rflags;
	deleg_parse(&open->OPEN4res_u.resok4.delegation, reply);
	if (!nfs4_result(res, reply->open_index + 1, &op))
		return;
	getfh = &op.nfs_resop4_u.opgetfh;
	if (getfh->status != NFS4_OK ||
	    getfh->GETFH4res_u.resok4.object.nfs_fh4_len > NFS4_FHSIZE)
		return;
	reply->fh_len = getfh->GETFH4res_u.resok4.object.nfs_fh4_len;
	memcpy(reply->fh, getfh->GETFH4res_u.resok4.object.nfs_fh4_val,
	       reply->fh_len);
}

static void open_confirm_parse(const COMPOUND4res *res, void *arg)
{
	const OPEN_CONFIRM4res *confirm;
	nfs_resop4 op;

	if (!nfs4_result(res, OP_AFTER_PUTFH, &op))
		return;
	confirm = &op.nfs_resop4_u.opopen_confirm;
	if (confirm->status == NFS4_OK)
		*(stateid4 *)arg =
			confirm->OPEN_CONFIRM4res_u.resok4.open_stateid;
}

/* A first OPEN by an open-owner must be confirmed (RFC 7530 16.18). */
static int open_confirm(struct nfs4_session *session, struct nfs4_file *file,
			stateid4 *stateid)
{
	nfs_argop4 ops[2];
	unsigned int nres = 0;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_OPEN_CONFIRM;
	ops[1].nfs_argop4_u.opopen_confirm.open_stateid = *stateid;
	ops[1].nfs_argop4_u.opopen_confirm.seqid = file->open_owner->seqid;
	status = nfs4_compound(session, ops, 2, open_confirm_parse, stateid,
			       &nres);
	if (nfs4_seqid_advanced(status, nres, OP_AFTER_PUTFH))
		file->open_owner->seqid++;
	return status;
}

/* Record a granted open; an open from an older epoch loses its locks. */
static int open_granted(struct nfs4_session *session, struct nfs4_file *file,
			struct open_reply *reply)
{
	int status = NFS4_OK;

	if (reply->fh_len) {
		memcpy(file->fh, reply->fh, reply->fh_len);
		file->fh_len = reply->fh_len;
	}
	if (reply->rflags & OPEN4_RESULT_CONFIRM)
		status = open_confirm(session, file, &reply->stateid);
	if (status != NFS4_OK)
		return status;
	file->open_stateid = reply->stateid;
	/* An open upgrade without a new delegation keeps the old one. */
	if (reply->deleg != NFS4_DELEG_NONE) {
		file->deleg = reply->deleg;
		file->deleg_stateid = reply->deleg_stateid;
	}
	if (file->epoch != session->epoch) {
		while (file->locks) {
			struct nfs4_lock_state *next = file->locks->next;

			free(file->locks);
			file->locks = next;
		}
		file->epoch = session->epoch;
	}
	return NFS4_OK;
}

static void set_open(struct nfs4_session *session, struct nfs4_file *file,
		     nfs_argop4 *op, uint32_t access, uint32_t deny)
{
	OPEN4args *open = &op->nfs_argop4_u.opopen;

	op->argop = OP_OPEN;
	open->seqid = file->open_owner->seqid;
	open->share_access = access;
	open->share_deny = deny;
	set_open_owner(session, file->open_owner, &open->owner);
}

/* LOOKUPs of every directory, then OPEN+GETFH of the last component;
 * returns the op count or -EINVAL (see nfs4_path_ops). */
static int build_open_ops(struct nfs4_session *session, const char *path,
			  char *buf, size_t buflen, nfs_argop4 *ops,
			  unsigned int *open_index)
{
	const char *name;
	int n = nfs4_path_ops(session, path, buf, buflen, ops, &name);

	if (n < 0)
		return n;
	*open_index = n;
	ops[n].nfs_argop4_u.opopen.claim.claim = CLAIM_NULL;
	ops[n].nfs_argop4_u.opopen.claim.open_claim4_u.file.utf8string_len =
		strlen(name);
	ops[n].nfs_argop4_u.opopen.claim.open_claim4_u.file.utf8string_val =
		(char *)name;
	ops[n + 1].argop = OP_GETFH;
	return n + 2;
}

/* OPEN4_CREATE, UNCHECKED4, with mode 0644 so other users can test too. */
static void set_create_mode(OPEN4args *open, uint32_t bitmap[2], uint32_t *mode)
{
	createhow4 *how = &open->openhow.openflag4_u.how;

	open->openhow.opentype = OPEN4_CREATE;
	how->mode = UNCHECKED4;
	bitmap[0] = 0;
	bitmap[1] = 1u << (FATTR4_MODE - 32);
	*mode = htonl(CREATE_MODE);
	how->createhow4_u.createattrs.attrmask.bitmap4_len = 2;
	how->createhow4_u.createattrs.attrmask.bitmap4_val = bitmap;
	how->createhow4_u.createattrs.attr_vals.attrlist4_len = sizeof(*mode);
	how->createhow4_u.createattrs.attr_vals.attrlist4_val = (char *)mode;
}

/* The session's open of @p path by the current open-owner. */
static struct nfs4_file *find_file(struct nfs4_session *session,
				   const char *path)
{
	struct nfs4_file *file;

	for (file = session->files; file; file = file->next)
		if (strcmp(file->path, path) == 0 &&
		    file->open_owner == session->open_owner)
			return file;
	return NULL;
}

struct nfs4_file *nfs4_file_get(struct nfs4_session *session, const char *path)
{
	return find_file(session, path);
}

int nfs4_open_owner_use(struct nfs4_session *session, const char *name)
{
	struct nfs4_lock_owner *owner =
		nfs4_owner_get(&session->open_owners, name);

	if (!owner)
		return -ENOMEM;
	session->open_owner = owner;
	return NFS4_OK;
}

static struct nfs4_file *add_file(struct nfs4_session *session,
				  const char *path)
{
	struct nfs4_file *file = calloc(1, sizeof(*file));

	if (!file)
		return NULL;
	file->path = strdup(path);
	if (!file->path) {
		free(file);
		return NULL;
	}
	file->open_owner = session->open_owner;
	file->epoch = session->epoch;
	file->next = session->files;
	session->files = file;
	return file;
}

static void remove_file(struct nfs4_session *session, struct nfs4_file *file)
{
	struct nfs4_file **link = &session->files;

	while (*link != file)
		link = &(*link)->next;
	*link = file->next;
	nfs4_file_free(file);
}

int nfs4_file_open(struct nfs4_session *session, const char *path,
		   uint32_t access, uint32_t deny, struct nfs4_file **out)
{
	nfs_argop4 ops[NFS4_PATH_MAX_COMPONENTS + 2];
	struct open_reply reply = {0};
	struct nfs4_file *file = find_file(session, path);
	bool added = false;
	char buf[PATH_MAX];
	uint32_t bitmap[2], mode;
	unsigned int nres = 0;
	int nops, status, attempt;

	memset(ops, 0, sizeof(ops));
	nops = build_open_ops(session, path, buf, sizeof(buf), ops,
			      &reply.open_index);
	if (nops < 0)
		return NFS4ERR_INVAL;
	if (!file) {
		file = add_file(session, path);
		if (!file)
			return -ENOMEM;
		added = true;
	}
	set_create_mode(&ops[reply.open_index].nfs_argop4_u.opopen, bitmap,
			&mode);
	/* A second try if the server forgot our clientid: the open-owner
	 * must then carry the new one. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt && (status = nfs4_session_recover(session)))
			break;
		set_open(session, file, &ops[reply.open_index], access, deny);
		status = nfs4_compound(session, ops, nops, open_parse, &reply,
				       &nres);
		if (nfs4_seqid_advanced(status, nres, reply.open_index))
			file->open_owner->seqid++;
		if (status != NFS4ERR_STALE_CLIENTID &&
		    status != NFS4ERR_EXPIRED)
			break;
	}
	if (status == NFS4_OK)
		status = open_granted(session, file, &reply);
	if (status != NFS4_OK) {
		if (added)
			remove_file(session, file);
		return status;
	}
	file->access = access;
	file->deny = deny;
	*out = file;
	return NFS4_OK;
}

/* Re-establish an open held before the server restarted (CLAIM_PREVIOUS). */
static int reclaim_open(struct nfs4_session *session, struct nfs4_file *file)
{
	nfs_argop4 ops[2];
	struct open_reply reply = {.open_index = OP_AFTER_PUTFH};
	unsigned int nres = 0;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	set_open(session, file, &ops[1], file->access, file->deny);
	ops[1].nfs_argop4_u.opopen.openhow.opentype = OPEN4_NOCREATE;
	ops[1].nfs_argop4_u.opopen.claim.claim = CLAIM_PREVIOUS;
	/* The delegation held before the restart is reclaimed with it. */
	ops[1].nfs_argop4_u.opopen.claim.open_claim4_u.delegate_type =
		file->deleg == NFS4_DELEG_WRITE	 ? OPEN_DELEGATE_WRITE
		: file->deleg == NFS4_DELEG_READ ? OPEN_DELEGATE_READ
						 : OPEN_DELEGATE_NONE;
	status = nfs4_compound(session, ops, 2, open_parse, &reply, &nres);
	if (nfs4_seqid_advanced(status, nres, OP_AFTER_PUTFH))
		file->open_owner->seqid++;
	if (status != NFS4_OK)
		return status;
	file->deleg = NFS4_DELEG_NONE; /* unless the reply grants it again */
	return open_granted(session, file, &reply);
}

/* ---- OPEN_DOWNGRADE ------------------------------------------------ */

static void downgrade_parse(const COMPOUND4res *res, void *arg)
{
	const OPEN_DOWNGRADE4res *downgrade;
	nfs_resop4 op;

	if (!nfs4_result(res, OP_AFTER_PUTFH, &op))
		return;
	downgrade = &op.nfs_resop4_u.opopen_downgrade;
	if (downgrade->status == NFS4_OK)
		*(stateid4 *)arg =
			downgrade->OPEN_DOWNGRADE4res_u.resok4.open_stateid;
}

int nfs4_file_downgrade(struct nfs4_session *session, struct nfs4_file *file,
			uint32_t access, uint32_t deny)
{
	nfs_argop4 ops[2];
	OPEN_DOWNGRADE4args *downgrade = &ops[1].nfs_argop4_u.opopen_downgrade;
	stateid4 stateid = file->open_stateid;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_OPEN_DOWNGRADE;
	downgrade->open_stateid = file->open_stateid;
	downgrade->seqid = file->open_owner->seqid;
	downgrade->share_access = access;
	downgrade->share_deny = deny;
	status =
		nfs4_compound(session, ops, 2, downgrade_parse, &stateid, NULL);
	/* Ganesha 4.3 consumes the seqid of a successful OPEN_DOWNGRADE only
	 * (RFC 7530 9.1.7 says of most errors too). */
	if (status == NFS4_OK) {
		file->open_owner->seqid++;
		file->open_stateid = stateid;
		file->access = access;
		file->deny = deny;
	}
	return status;
}

/* ---- CLOSE --------------------------------------------------------- */

int nfs4_file_close(struct nfs4_session *session, struct nfs4_file *file)
{
	nfs_argop4 ops[2];
	unsigned int nres = 0;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_CLOSE;
	ops[1].nfs_argop4_u.opclose.seqid = file->open_owner->seqid;
	ops[1].nfs_argop4_u.opclose.open_stateid = file->open_stateid;
	status = nfs4_compound(session, ops, 2, NULL, NULL, &nres);
	if (nfs4_seqid_advanced(status, nres, OP_AFTER_PUTFH))
		file->open_owner->seqid++;
	/* A delegation outlives the open: keep its handle for DELEGRETURN. */
	if (status == NFS4_OK && file->deleg == NFS4_DELEG_NONE)
		remove_file(session, file);
	return status;
}

/* ---- READ, WRITE under the open ------------------------------------ */

int nfs4_file_io(struct nfs4_session *session, struct nfs4_file *file,
		 bool write, uint64_t offset, uint32_t length)
{
	nfs_argop4 ops[2];
	char *data = NULL;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = write ? OP_WRITE : OP_READ;
	if (write) {
		data = calloc(1, length ? length : 1);
		if (!data)
			return -ENOMEM;
		ops[1].nfs_argop4_u.opwrite.stateid = file->open_stateid;
		ops[1].nfs_argop4_u.opwrite.offset = offset;
		ops[1].nfs_argop4_u.opwrite.stable = FILE_SYNC4;
		ops[1].nfs_argop4_u.opwrite.data.data_len = length;
		ops[1].nfs_argop4_u.opwrite.data.data_val = data;
	} else {
		ops[1].nfs_argop4_u.opread.stateid = file->open_stateid;
		ops[1].nfs_argop4_u.opread.offset = offset;
		ops[1].nfs_argop4_u.opread.count = length;
	}
	status = nfs4_compound(session, ops, 2, NULL, NULL, NULL);
	free(data);
	return status;
}

/* ---- LOCK, LOCKT, LOCKU -------------------------------------------- */

struct nfs4_lock_owner *nfs4_owner_get(struct nfs4_lock_owner **list,
				       const char *name)
{
	struct nfs4_lock_owner *owner;

	for (owner = *list; owner; owner = owner->next)
		if (strcmp(owner->name, name) == 0)
			return owner;
	owner = calloc(1, sizeof(*owner));
	if (!owner)
		return NULL;
	owner->name = strdup(name);
	if (!owner->name) {
		free(owner);
		return NULL;
	}
	owner->next = *list;
	*list = owner;
	return owner;
}

void nfs4_owners_free(struct nfs4_lock_owner **list)
{
	while (*list) {
		struct nfs4_lock_owner *next = (*list)->next;

		free((*list)->name);
		free(*list);
		*list = next;
	}
}

static struct nfs4_lock_state *find_lock_state(struct nfs4_file *file,
					       struct nfs4_lock_owner *owner)
{
	struct nfs4_lock_state *state;

	for (state = file->locks; state; state = state->next)
		if (state->owner == owner)
			return state;
	return NULL;
}

static void set_lock_owner(struct nfs4_session *session,
			   struct nfs4_lock_owner *owner, lock_owner4 *wire)
{
	wire->clientid = session->clientid;
	wire->owner.owner_len = strlen(owner->name);
	wire->owner.owner_val = owner->name;
}

static nfs_lock_type4 lock_type(const struct nfs4_range *range)
{
	if (range->wait)
		return range->write ? WRITEW_LT : READW_LT;
	return range->write ? WRITE_LT : READ_LT;
}

struct lock_reply {
	stateid4 stateid;
	struct nfs4_range *denied;
};

static void lock_parse(const COMPOUND4res *res, void *arg)
{
	struct lock_reply *reply = arg;
	const LOCK4res *lock;
	nfs_resop4 op;

	if (!nfs4_result(res, OP_AFTER_PUTFH, &op))
		return;
	lock = &op.nfs_resop4_u.oplock;
	if (lock->status == NFS4_OK)
		reply->stateid = lock->LOCK4res_u.resok4.lock_stateid;
	else if (lock->status == NFS4ERR_DENIED && reply->denied)
		range_from_denied(&lock->LOCK4res_u.denied, reply->denied);
}

static void set_locker(struct nfs4_session *session, struct nfs4_file *file,
		       struct nfs4_lock_owner *owner,
		       struct nfs4_lock_state *state, locker4 *locker)
{
	if (state) {
		locker->new_lock_owner = 0;
		locker->locker4_u.lock_owner.lock_stateid = state->stateid;
		locker->locker4_u.lock_owner.lock_seqid = owner->seqid;
		return;
	}
	locker->new_lock_owner = 1;
	locker->locker4_u.open_owner.open_seqid = file->open_owner->seqid;
	locker->locker4_u.open_owner.open_stateid = file->open_stateid;
	locker->locker4_u.open_owner.lock_seqid = owner->seqid;
	set_lock_owner(session, owner,
		       &locker->locker4_u.open_owner.lock_owner);
}

/* After a LOCK reply: open_to_lock_owner consumes the open-owner's seqid
 * (Ganesha then checks no lock seqid of an owner without locks, and keeps
 * the lock-owner at lock_seqid only when granted); exist_lock_owner
 * consumes the lock-owner's. */
static int lock_done(struct nfs4_file *file, struct nfs4_lock_owner *owner,
		     struct nfs4_lock_state *state, int status, bool advanced,
		     const stateid4 *stateid)
{
	if (state) {
		if (advanced)
			owner->seqid++;
		if (status == NFS4_OK)
			state->stateid = *stateid;
		return status;
	}
	if (advanced)
		file->open_owner->seqid++;
	if (status != NFS4_OK)
		return status;
	owner->seqid++;
	state = calloc(1, sizeof(*state));
	if (!state)
		return -ENOMEM;
	state->owner = owner;
	state->stateid = *stateid;
	state->next = file->locks;
	file->locks = state;
	return NFS4_OK;
}

static int send_lock(struct nfs4_session *session, struct nfs4_file *file,
		     struct nfs4_lock_owner *owner,
		     const struct nfs4_range *range, bool reclaim,
		     struct nfs4_range *denied)
{
	struct lock_reply reply = {.denied = denied};
	struct nfs4_lock_state *state = find_lock_state(file, owner);
	nfs_argop4 ops[2];
	LOCK4args *lock = &ops[1].nfs_argop4_u.oplock;
	unsigned int nres = 0;
	int status;

	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_LOCK;
	lock->locktype = lock_type(range);
	lock->reclaim = reclaim;
	lock->offset = range->offset;
	lock->length = range->length;
	set_locker(session, file, owner, state, &lock->locker);
	status = nfs4_compound(session, ops, 2, lock_parse, &reply, &nres);
	return lock_done(file, owner, state, status,
			 nfs4_seqid_advanced(status, nres, OP_AFTER_PUTFH),
			 &reply.stateid);
}

/*
 * Get the open back in the new epoch. A server that has no record of our
 * client (another node took its address over) answers NO_GRACE: then, as
 * Linux's "nograce" recovery does, open anew and lock without reclaim.
 */
static int recover_open(struct nfs4_session *session, struct nfs4_file *file,
			bool *reclaim)
{
	struct nfs4_file *same;
	int status = reclaim_open(session, file);

	if (status != NFS4ERR_NO_GRACE)
		return status;
	fprintf(stderr, "nfs4: %s: no grace here: opening anew\n", file->path);
	*reclaim = false;
	return nfs4_file_open(session, file->path, file->access, file->deny,
			      &same);
}

int nfs4_file_lock(struct nfs4_session *session, struct nfs4_file *file,
		   const char *owner_name, const struct nfs4_range *range,
		   bool reclaim, struct nfs4_range *denied)
{
	struct nfs4_lock_owner *owner =
		nfs4_owner_get(&session->owners, owner_name);
	int status = NFS4_OK;

	if (!owner)
		return -ENOMEM;
	if (reclaim && file->epoch != session->epoch)
		status = recover_open(session, file, &reclaim);
	if (status == NFS4_OK)
		status =
			send_lock(session, file, owner, range, reclaim, denied);
	/* The server restarted before we noticed: recover, then reclaim. */
	if (reclaim && nfs4_server_forgot_us(status)) {
		status = nfs4_session_recover(session);
		if (status == NFS4_OK)
			status = recover_open(session, file, &reclaim);
		if (status == NFS4_OK)
			status = send_lock(session, file, owner, range, reclaim,
					   denied);
	}
	return status;
}

static void lockt_parse(const COMPOUND4res *res, void *arg)
{
	const LOCKT4res *lockt;
	nfs_resop4 op;

	if (!nfs4_result(res, OP_AFTER_PUTFH, &op))
		return;
	lockt = &op.nfs_resop4_u.oplockt;
	if (lockt->status == NFS4ERR_DENIED)
		range_from_denied(&lockt->LOCKT4res_u.denied, arg);
}

int nfs4_file_lockt(struct nfs4_session *session, struct nfs4_file *file,
		    const char *owner_name, const struct nfs4_range *range,
		    struct nfs4_range *denied)
{
	struct nfs4_lock_owner *owner =
		nfs4_owner_get(&session->owners, owner_name);
	nfs_argop4 ops[2];
	LOCKT4args *lockt = &ops[1].nfs_argop4_u.oplockt;
	int status, attempt;

	if (!owner)
		return -ENOMEM;
	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_LOCKT;
	lockt->locktype = lock_type(range);
	lockt->offset = range->offset;
	lockt->length = range->length;
	/* As for OPEN: the owner names the clientid, so retry with a new one
	 * if the server forgot ours. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt && (status = nfs4_session_recover(session)))
			break;
		set_lock_owner(session, owner, &lockt->owner);
		status = nfs4_compound(session, ops, 2, lockt_parse, denied,
				       NULL);
		if (status != NFS4ERR_STALE_CLIENTID &&
		    status != NFS4ERR_EXPIRED)
			break;
	}
	return status;
}

static void locku_parse(const COMPOUND4res *res, void *arg)
{
	const LOCKU4res *locku;
	nfs_resop4 op;

	if (!nfs4_result(res, OP_AFTER_PUTFH, &op))
		return;
	locku = &op.nfs_resop4_u.oplocku;
	if (locku->status == NFS4_OK)
		*(stateid4 *)arg = locku->LOCKU4res_u.lock_stateid;
}

int nfs4_file_unlock(struct nfs4_session *session, struct nfs4_file *file,
		     const char *owner_name, const struct nfs4_range *range)
{
	struct nfs4_lock_owner *owner =
		nfs4_owner_get(&session->owners, owner_name);
	struct nfs4_lock_state *state;
	nfs_argop4 ops[2];
	LOCKU4args *locku = &ops[1].nfs_argop4_u.oplocku;
	stateid4 stateid = {0};
	unsigned int nres = 0;
	int status;

	if (!owner)
		return -ENOMEM;
	state = find_lock_state(file, owner);
	memset(ops, 0, sizeof(ops));
	set_putfh(&ops[0], file);
	ops[1].argop = OP_LOCKU;
	locku->locktype = lock_type(range);
	locku->seqid = owner->seqid;
	/* Without a lock stateid, send the anonymous one and report what
	 * the server answers. */
	if (state)
		locku->lock_stateid = state->stateid;
	locku->offset = range->offset;
	locku->length = range->length;
	status = nfs4_compound(session, ops, 2, locku_parse, &stateid, &nres);
	if (nfs4_seqid_advanced(status, nres, OP_AFTER_PUTFH))
		owner->seqid++;
	if (status == NFS4_OK && state)
		state->stateid = stateid;
	return status;
}

/* ---- RELEASE_LOCKOWNER --------------------------------------------- */

/* Forget @p owner's lock stateids on every file, then the owner. */
static void forget_owner(struct nfs4_session *session,
			 struct nfs4_lock_owner *owner)
{
	struct nfs4_lock_owner **link = &session->owners;
	struct nfs4_file *file;

	for (file = session->files; file; file = file->next) {
		struct nfs4_lock_state **state = &file->locks;

		while (*state) {
			struct nfs4_lock_state *dead = *state;

			if (dead->owner != owner) {
				state = &dead->next;
				continue;
			}
			*state = dead->next;
			free(dead);
		}
	}
	while (*link != owner)
		link = &(*link)->next;
	*link = owner->next;
	free(owner->name);
	free(owner);
}

int nfs4_release_lockowner(struct nfs4_session *session, const char *owner_name)
{
	struct nfs4_lock_owner *owner =
		nfs4_owner_get(&session->owners, owner_name);
	nfs_argop4 op = {.argop = OP_RELEASE_LOCKOWNER};
	int status;

	if (!owner)
		return -ENOMEM;
	set_lock_owner(session, owner,
		       &op.nfs_argop4_u.oprelease_lockowner.lock_owner);
	status = nfs4_compound(session, &op, 1, NULL, NULL, NULL);
	if (status == NFS4_OK)
		forget_owner(session, owner);
	return status;
}
