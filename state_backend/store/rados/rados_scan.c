/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Whole-pool walks: every file object's key (file_walk, for walks that
 * change files), and every file object's records read in batches
 * (rados_pool_scan(): file_scan for listings, recovery_scan for the
 * recovery count, node_purge_scan when no count planned the purge). The
 * token holders' states the scans judge files by are here too. A scan reads
 * objects as they are written: it neither watches nor joins a file, so it costs
 * one omap read per file, SCAN_IN_FLIGHT of them in flight, whatever this
 * node's watches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "rados_ops.h"

/* Enough to keep one OSD busy from one client; the memory is theirs. */
#define SCAN_IN_FLIGHT 32
/* A token holder's state is read again past this: a node seen dead may
 * renew its lease (a healed partition), and a file of its must then go
 * the lock calls' way (a handover), as soon as a lock call would see it. */
#define NODE_SEEN_MS 100

int rados_oid_key(const char *oid, struct ulm_key *key)
{
	size_t prefix = strlen(RADOS_FILE_PREFIX);
	size_t hex = strlen(oid) - prefix;
	uint8_t *bytes;

	if (strncmp(oid, RADOS_FILE_PREFIX, prefix) || hex == 0 || hex % 2 ||
	    hex / 2 > ULM_KEY_MAX)
		return ULM_ECORRUPT;
	bytes = malloc(hex / 2);
	if (!bytes)
		return -ENOMEM;
	for (size_t i = 0; i < hex / 2; i++) {
		unsigned int byte;

		if (sscanf(oid + prefix + 2 * i, "%2x", &byte) != 1) {
			free(bytes);
			return ULM_ECORRUPT;
		}
		bytes[i] = (uint8_t)byte;
	}
	key->data = bytes;
	key->len = hex / 2;
	return 0;
}

struct key_list {
	size_t n;
	size_t cap;
	struct ulm_key *keys;
};

static int key_list_add(struct key_list *l, const char *oid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct ulm_key *k = realloc(l->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		l->keys = k;
		l->cap = cap;
	}
	if (rados_oid_key(oid, &l->keys[l->n]) == 0)
		l->n++; /* else not a name we made: not ours to walk */
	return 0;
}

static int files_list(struct rados_store *s, struct key_list *l)
{
	rados_list_ctx_t ctx;
	const char *oid;
	int rc = rados_nobjects_list_open(s->io, &ctx);

	if (rc)
		return rados_errno(rc);
	while (!(rc = rados_nobjects_list_next(ctx, &oid, NULL, NULL)))
		if ((rc = key_list_add(l, oid)))
			break;
	rados_nobjects_list_close(ctx);
	return rc == -ENOENT ? 0 : rados_errno(rc);
}

/* Every file object, listed first: @fn reads and writes files itself. */
int rados_file_walk(struct ulm_store *store, store_file_fn fn, void *arg)
{
	struct key_list l = {0};
	int rc = files_list((struct rados_store *)store, &l);

	for (size_t i = 0; !rc && i < l.n; i++)
		rc = fn(&l.keys[i], arg);
	for (size_t i = 0; i < l.n; i++)
		free((void *)l.keys[i].data);
	free(l.keys);
	return rc;
}

/* One object's first page of omap, on its way. */
struct scan_read {
	struct ulm_key key;
	char oid[RADOS_OID_MAX];
	rados_completion_t done;
	rados_read_op_t op;
	rados_omap_iter_t iter;
	unsigned char more;
	int prval;
};

struct scan {
	struct rados_store *s;
	scan_take_fn take;
	void *arg;
	struct scan_read reads[SCAN_IN_FLIGHT];
	size_t head, n; /* the oldest read, how many are in flight */
	struct rados_raw raw;
	struct ulm_record *recs;
	size_t cap;
	struct node_view nodes;
};

static void read_free(struct scan_read *r)
{
	if (r->done) {
		rados_aio_wait_for_complete(r->done);
		rados_omap_get_end(r->iter);
		rados_aio_release(r->done);
	}
	if (r->op)
		rados_release_read_op(r->op);
	free((void *)r->key.data);
	memset(r, 0, sizeof(*r));
}

static int read_start(struct scan *sc, const char *oid)
{
	struct scan_read *r = &sc->reads[(sc->head + sc->n) % SCAN_IN_FLIGHT];
	int rc = rados_oid_key(oid, &r->key);

	if (rc == ULM_ECORRUPT)
		return 0; /* not a name we made */
	if (rc)
		return rc;
	snprintf(r->oid, sizeof(r->oid), "%s", oid);
	r->op = rados_create_read_op();
	rc = r->op ? rados_aio_create_completion2(NULL, NULL, &r->done)
		   : -ENOMEM;
	if (!rc) {
		rados_read_op_omap_get_vals2(r->op, "", "", RADOS_OMAP_PER_READ,
					     &r->iter, &r->more, &r->prval);
		rc = rados_aio_read_op_operate(r->op, sc->s->io, r->done, oid,
					       0);
	}
	if (rc) {
		if (r->done) /* never started: nothing to wait for */
			rados_aio_release(r->done);
		r->done = NULL;
		read_free(r);
		return rados_errno(rc);
	}
	sc->n++;
	return 0;
}

/* Is @p node live in the epoch a token of it names? Read at most every
 * NODE_SEEN_MS. */
static int node_seen(struct node_view *v, uint32_t node, struct scan_node **out)
{
	uint64_t now = clock_now_ns();
	struct scan_node *n = NULL;
	int rc;

	for (size_t i = 0; !n && i < v->n; i++)
		if (v->nodes[i].node == node)
			n = &v->nodes[i];
	if (!n) {
		n = realloc(v->nodes, (v->n + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		v->nodes = n;
		n = &n[v->n++];
		n->node = node;
		n->seen_ns = 0;
	}
	if (!n->seen_ns || now - n->seen_ns > NODE_SEEN_MS * NS_PER_MS) {
		rc = rados_node_state(v->s, node, &n->epoch, &n->live);
		if (rc) {
			n->seen_ns = 0;
			return rc;
		}
		n->seen_ns = now;
	}
	*out = n;
	return 0;
}

int rados_holder_of(struct node_view *v, const struct rados_token *t,
		    enum scan_holder *holder)
{
	struct scan_node *n;
	int rc;

	*holder = SCAN_HOLDER_NONE;
	if (!t->present)
		return 0;
	/* One of an earlier life of this node is a dead node's. */
	*holder = SCAN_HOLDER_MINE;
	if (t->node == v->s->node_id && t->epoch == v->s->epoch)
		return 0;
	rc = node_seen(v, t->node, &n);
	if (!rc)
		*holder = n->live && n->epoch == t->epoch ? SCAN_HOLDER_LIVE
							  : SCAN_HOLDER_DEAD;
	return rc;
}

void rados_node_view_fini(struct node_view *v)
{
	free(v->nodes);
	v->nodes = NULL;
	v->n = 0;
}

/* The records read, decoded (NULL: one does not decode, the engine's
 * read reports it). */
static int records_decode(struct scan *sc, struct scan_file *file)
{
	int rc = 0;

	if (sc->raw.n > sc->cap) {
		struct ulm_record *v =
			realloc(sc->recs, sc->raw.n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sc->recs = v;
		sc->cap = sc->raw.n;
	}
	for (size_t i = 0; !rc && i < sc->raw.n; i++)
		rc = rados_raw_decode(&sc->raw, i, &sc->recs[i]);
	file->whole = !rc;
	file->recs = sc->recs;
	file->n = rc ? 0 : sc->raw.n;
	return rc == ULM_ECORRUPT ? 0 : rc;
}

/* Wait for the oldest read and hand its file over. An object removed
 * since it was listed has nothing to show. */
static int read_finish(struct scan *sc)
{
	struct scan_read *r = &sc->reads[sc->head];
	char after[RADOS_ID_KEY_LEN + 1] = "";
	struct scan_file file = {&r->key, r->oid, 0,	false,
				 NULL,	  0,	  NULL, SCAN_HOLDER_NONE};
	int rc;

	rados_aio_wait_for_complete(r->done);
	rc = rados_aio_get_return_value(r->done);
	rc = rc < 0 ? rc : r->prval;
	file.version = rados_aio_get_version(r->done);
	rados_raw_clear(&sc->raw);
	if (!rc)
		rc = rados_raw_page(r->iter, &sc->raw, after);
	if (!rc)
		rc = rados_holder_of(&sc->nodes, &sc->raw.token, &file.holder);
	if (!rc && !r->more)
		rc = records_decode(sc, &file);
	file.token = &sc->raw.token;
	if (!rc || rc == ULM_ECORRUPT)
		rc = sc->take(&file, sc->arg);
	else if (rc == -ENOENT)
		rc = 0;
	else
		rc = rados_errno(rc);
	read_free(r);
	sc->head = (sc->head + 1) % SCAN_IN_FLIGHT;
	sc->n--;
	return rc;
}

static int scan_objects(struct scan *sc)
{
	rados_list_ctx_t ctx;
	const char *oid;
	int listed = 0, rc = rados_nobjects_list_open(sc->s->io, &ctx);

	if (rc)
		return rados_errno(rc);
	while (!rc &&
	       !(listed = rados_nobjects_list_next(ctx, &oid, NULL, NULL))) {
		if (strncmp(oid, RADOS_FILE_PREFIX, strlen(RADOS_FILE_PREFIX)))
			continue;
		if (sc->n == SCAN_IN_FLIGHT)
			rc = read_finish(sc);
		if (!rc)
			rc = read_start(sc, oid);
	}
	rados_nobjects_list_close(ctx);
	if (!rc && listed != -ENOENT)
		rc = rados_errno(listed);
	while (!rc && sc->n)
		rc = read_finish(sc);
	return rc;
}

int rados_pool_scan(struct rados_store *s, scan_take_fn take, void *arg)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	int rc;

	if (!sc)
		return -ENOMEM;
	sc->s = s;
	sc->take = take;
	sc->arg = arg;
	sc->nodes.s = s;
	rc = scan_objects(sc);
	for (; sc->n; sc->n--, sc->head = (sc->head + 1) % SCAN_IN_FLIGHT)
		read_free(&sc->reads[sc->head]);
	rados_raw_free(&sc->raw);
	free(sc->recs);
	rados_node_view_fini(&sc->nodes);
	free(sc);
	return rc;
}

/* The store alone cannot show the file: its records may be ahead in this
 * node's memory (our token), or more than one page, or one does not
 * decode. An empty file is shown only if frozen. */
int rados_scan_show(const struct scan_file *file, void *arg)
{
	const struct scan_listing *l = arg;
	static const struct ulm_record none[1];
	bool frozen = file->holder == SCAN_HOLDER_DEAD;

	if (!file->whole || file->holder == SCAN_HOLDER_MINE)
		return l->fn(file->key, NULL, 0, false, l->arg);
	if (!file->n && !frozen)
		return 0;
	return l->fn(file->key, file->n ? file->recs : none, file->n, frozen,
		     l->arg);
}

int rados_file_scan(struct ulm_store *store, store_scan_fn fn, void *arg)
{
	struct scan_listing l = {fn, arg};

	return rados_pool_scan((struct rados_store *)store, rados_scan_show,
			       &l);
}
