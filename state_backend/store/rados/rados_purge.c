/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A node's purge over the whole pool (ulm_node_purge() at the end of a
 * grace): a scan reads every file object (rados_pool_scan()); of each, the
 * engine picks the records to remove, and they go, with the purged node's
 * token of an earlier epoch, in one write guarded by the version read,
 * PURGE_IN_FLIGHT files at once. So a file costs a read and a write in
 * flight, not a watch, a join, a read, a write and a notify in turn. If
 * the node's last recovery count planned the purge (rados_purge_plan.c),
 * the reads are the count's: a file costs its write alone.
 *
 * Other nodes may have read a purged file (watched, its version known in
 * memory): they are told once, not file by file. Once every write
 * landed, each other live node's node object gets a 'P' notify, on which
 * it forgets what it knows of every file (the files under its own token
 * stay: nobody writes past it), and the purge returns once all acked
 * (or PURGED_TIMEOUT_MS passed: a node that did not ack has lost its
 * mailbox watch, and forgets every file on that error). A node not live
 * grants nothing; its watches lapse, and it forgets on their errors.
 *
 * A file the store cannot write alone goes back to the engine, which
 * purges it as a lock call does (watch, join, handover, read, guarded
 * write): another live node's token is on it (that node's memory is the
 * file's truth: a write past it would make its next flush fail, and drop
 * grants it made), or this node's; it has more records than one read; a
 * record does not decode; the object moved since it was read (a reclaim,
 * another node's grant): the guard refused the write, nothing was lost.
 * A purge cut off halfway leaves whole files done or not: the next one
 * finds what is left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rados_ops.h"

#define PURGE_IN_FLIGHT	  32
#define PURGED_TIMEOUT_MS 1000
/* Nodes told at once; more wait for the first ones' acks. */
#define PURGED_NODES 64

/* One file's write, on its way. */
struct purge_write {
	struct ulm_key key; /* owned */
	char oid[RADOS_OID_MAX];
	rados_write_op_t op;
	rados_completion_t done;
	size_t n_del;
};

struct purge {
	struct rados_store *s;
	struct purge_of who;
	struct purge_pick pick;
	uint64_t purged;
	struct purge_write writes[PURGE_IN_FLIGHT];
	size_t w_head, w_n;
	/* The other live nodes' purged notifies in flight. */
	struct bounded_op *told[PURGED_NODES];
	size_t n_told;
	bool wrote; /* a write was sent: tell the others */
};

static void write_free(struct purge_write *w)
{
	if (w->done) {
		rados_aio_wait_for_complete(w->done);
		rados_aio_release(w->done);
	}
	if (w->op)
		rados_release_write_op(w->op);
	free((void *)w->key.data);
	memset(w, 0, sizeof(*w));
}

/* The engine's way, for a file the store cannot purge alone. */
static int by_engine(struct purge *p, const struct ulm_key *key)
{
	return p->who.plan(key, NULL, 0, false, NULL, p->who.arg);
}

/* Wait for the oldest write: done; or refused by the guard (the object
 * moved), and the file purged by the engine. */
static int write_finish(struct purge *p)
{
	struct purge_write *w = &p->writes[p->w_head];
	int rc;

	rados_aio_wait_for_complete(w->done);
	rc = rados_aio_get_return_value(w->done);
	/* Even a write that failed may have landed (a timeout). */
	rados_file_written(p->s, &w->key);
	if (!rc) {
		p->purged += w->n_del;
	} else if (rc == -ERANGE || rc == -EOVERFLOW || rc == -ENOENT) {
		rc = by_engine(p, &w->key);
	} else {
		rc = rados_errno(rc);
	}
	write_free(w);
	p->w_head = (p->w_head + 1) % PURGE_IN_FLIGHT;
	p->w_n--;
	return rc;
}

static void token_remove(rados_write_op_t op)
{
	const char *key = RADOS_TOKEN_KEY;
	size_t len = strlen(RADOS_TOKEN_KEY);

	rados_write_op_omap_rm_keys2(op, &key, &len, 1);
}

/* The records' keys, copied by librados as the step is added. */
static int records_remove(rados_write_op_t op, const uint64_t *ids, size_t n)
{
	char(*keys)[RADOS_ID_KEY_LEN + 1];
	const char **ptrs;
	size_t *lens;
	int rc;

	if (!n)
		return 0; /* the token only */
	keys = malloc(n * sizeof(*keys));
	ptrs = malloc(n * sizeof(*ptrs));
	lens = malloc(n * sizeof(*lens));
	rc = keys && ptrs && lens ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		ptrs[i] = rados_id_key(keys[i], ids[i]);
		lens[i] = RADOS_ID_KEY_LEN;
	}
	if (!rc)
		rados_write_op_omap_rm_keys2(op, ptrs, lens, n);
	free(keys);
	free(ptrs);
	free(lens);
	return rc;
}

/* The file's write: @p n_del records of @p del, and the purged node's
 * token if @p token, if the object is still at @p version. */
static int write_start(struct purge *p, const struct ulm_key *key,
		       const char *oid, uint64_t version, const uint64_t *del,
		       size_t n_del, bool token)
{
	struct purge_write *w;
	int rc = 0;

	if (p->w_n == PURGE_IN_FLIGHT)
		rc = write_finish(p);
	if (rc)
		return rc;
	if (!rados_live_ok(p->s))
		return ULM_EFENCED;
	w = &p->writes[(p->w_head + p->w_n) % PURGE_IN_FLIGHT];
	w->key.data = malloc(key->len);
	w->op = rados_create_write_op();
	if (!w->key.data || !w->op ||
	    rados_aio_create_completion2(NULL, NULL, &w->done)) {
		w->done = NULL;
		write_free(w);
		return -ENOMEM;
	}
	memcpy((void *)w->key.data, key->data, key->len);
	w->key.len = key->len;
	snprintf(w->oid, sizeof(w->oid), "%s", oid);
	w->n_del = n_del;
	rados_write_op_assert_version(w->op, version);
	rc = records_remove(w->op, del, n_del);
	if (!rc && token)
		token_remove(w->op);
	if (!rc)
		rc = rados_errno(rados_aio_write_op_operate(
			w->op, p->s->io, w->done, w->oid, NULL, 0));
	if (rc) {
		rados_aio_release(w->done);
		w->done = NULL; /* never started: nothing to wait for */
		write_free(w);
		return rc;
	}
	p->w_n++;
	p->wrote = true;
	return 0;
}

/* Is the file's token the purged node's, of an epoch purged? */
static bool token_purged(const struct purge_of *who,
			 const struct scan_file *file)
{
	return file->holder == SCAN_HOLDER_DEAD &&
	       file->token->node == who->node &&
	       file->token->epoch < who->before_epoch;
}

int rados_purge_pick(const struct scan_file *file, const struct purge_of *who,
		     struct purge_pick *pick)
{
	int n;

	pick->token = token_purged(who, file);
	pick->n_del = 0;
	pick->engine = !file->whole || file->holder == SCAN_HOLDER_MINE ||
		       file->holder == SCAN_HOLDER_LIVE;
	if (pick->engine)
		return 0;
	if (file->n > pick->cap) {
		uint64_t *del = realloc(pick->del, file->n * sizeof(*del));

		if (!del)
			return -ENOMEM;
		pick->del = del;
		pick->cap = file->n;
	}
	n = who->plan(file->key, file->recs, file->n, pick->token, pick->del,
		      who->arg);
	pick->engine = n == -ECANCELED;
	if (n < 0 && !pick->engine)
		return n;
	pick->n_del = n > 0 ? (size_t)n : 0;
	return 0;
}

/* The file's write, or the engine's way for it. */
static int purge_send(struct purge *p, const struct ulm_key *key,
		      const char *oid, uint64_t version,
		      const struct purge_pick *pick)
{
	int rc = 0;

	if (pick->engine)
		return by_engine(p, key);
	if (!pick->n_del && !pick->token)
		return 0;
	if (p->s->purge_planned)
		rc = p->s->purge_planned(p->s, key);
	return rc ? rc
		  : write_start(p, key, oid, version, pick->del, pick->n_del,
				pick->token);
}

static int purge_take(const struct scan_file *file, void *arg)
{
	struct purge *p = arg;
	int rc = rados_purge_pick(file, &p->who, &p->pick);

	return rc ? rc
		  : purge_send(p, file->key, file->oid, file->version,
			       &p->pick);
}

/* A file as the count planned it. Its token's holder is judged again: a
 * node seen dead then may be live again (a healed partition), and its
 * file then goes the engine's way, as a scan would send it now. */
static int purge_planned(struct purge *p, struct node_view *nodes,
			 const struct planned_file *f)
{
	struct purge_pick pick = {.engine = f->engine,
				  .token = f->token_go,
				  .n_del = f->n_del,
				  .del = f->del};
	enum scan_holder holder;
	struct ulm_key key = {NULL, 0};
	int rc = rados_oid_key(f->oid, &key);

	if (!rc && !f->engine)
		rc = rados_holder_of(nodes, &f->token, &holder);
	if (!rc && !f->engine)
		pick.engine = holder == SCAN_HOLDER_MINE ||
			      holder == SCAN_HOLDER_LIVE;
	if (!rc)
		rc = purge_send(p, &key, f->oid, f->version, &pick);
	free((void *)key.data);
	return rc;
}

/* The plan is in the listing's order, placement group by placement
 * group, and an OSD applies one group's writes one after the other: the
 * writes in flight are taken PURGE_IN_FLIGHT strides apart, from all
 * over the listing, so that they land on every group at once. */
static int purge_memo(struct purge *p, const struct purge_memo *m)
{
	size_t stride = (m->n + PURGE_IN_FLIGHT - 1) / PURGE_IN_FLIGHT;
	struct node_view nodes = {.s = p->s};
	int rc = 0;

	for (size_t first = 0; !rc && first < stride; first++)
		for (size_t i = first; !rc && i < m->n; i += stride)
			rc = purge_planned(p, &nodes, &m->files[i]);
	rados_node_view_fini(&nodes);
	return rc;
}

static void told_finish(struct purge *p)
{
	uint64_t deadline = rados_deadline(p->s, PURGED_TIMEOUT_MS);

	for (size_t i = 0; i < p->n_told; i++) {
		char *reply = NULL;
		size_t len = 0;

		rados_notify_finish(p->told[i], deadline, &reply, &len);
		rados_buffer_free(reply);
	}
	p->n_told = 0;
}

static int tell_node(const struct ulm_node_info *node, void *arg)
{
	struct purge *p = arg;
	const char msg = RADOS_NOTIFY_PURGED;
	char oid[32];

	if (!node->live || node->node == p->s->node_id)
		return 0;
	if (p->n_told == PURGED_NODES)
		told_finish(p);
	snprintf(oid, sizeof(oid), "node.%08x", node->node);
	p->told[p->n_told] =
		rados_notify_start(p->s, oid, &msg, 1, PURGED_TIMEOUT_MS);
	p->n_told += p->told[p->n_told] != NULL;
	return 0;
}

/* Every write ended: the other live nodes forget what they knew. */
static int tell_nodes(struct purge *p)
{
	int rc = rados_node_list(&p->s->base, tell_node, p);

	told_finish(p);
	return rc;
}

int rados_node_purge_scan(struct ulm_store *store, uint32_t node,
			  uint32_t before_epoch, store_purge_fn plan, void *arg,
			  uint64_t *purged)
{
	struct rados_store *s = (struct rados_store *)store;
	struct purge *p = calloc(1, sizeof(*p));
	struct purge_memo *memo;
	int rc;

	*purged = 0;
	if (!p)
		return -ENOMEM;
	*p = (struct purge){.s = s, .who = {node, before_epoch, plan, arg}};
	memo = rados_purge_memo_take(s, node, before_epoch);
	rc = memo ? purge_memo(p, memo) : rados_pool_scan(s, purge_take, p);
	rados_purge_memo_free(memo);
	while (p->w_n) {
		int done = write_finish(p);

		rc = rc ? rc : done;
	}
	if (p->wrote) {
		int told = tell_nodes(p);

		rc = rc ? rc : told;
	}
	*purged = p->purged;
	free(p->pick.del);
	free(p);
	return rc;
}
