/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's reads: a file's version and its records, for the
 * engine. A watched file answers from what this node knows (its own
 * writes, its token, notifies of others); otherwise the object is read,
 * its token with it. What is read is used only once no other live node's
 * token is on it (rados_handover.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "call_bound.h"
#include "clock.h"
#include "rados_ops.h"

/* A read-only env (an inspector) has no client to retry for it: it asks a
 * silent holder until its lease lapses (the file then freezes), up to
 * this, then fails with -EIO. */
#define READER_GIVEUP_MS 30000

/* The file's cache entry, in use until rados_file_put(), watched unless
 * read-only. *absent: it has no object (version 0, nothing to read). */
static int file_open(struct rados_store *s, const struct ulm_key *file,
		     struct rados_file **f, bool *absent)
{
	int rc = 0;

	*absent = false;
	*f = rados_file_get(s, file);
	if (!*f)
		return -ENOMEM;
	if (!s->read_only)
		rc = rados_file_watch(*f);
	if (rc == -ENOENT)
		*absent = true;
	else if (rc) {
		rados_file_put(*f);
		return rados_errno(rc);
	}
	return 0;
}

/* One look at a file: *version and *t, and whatever else @arg wants. */
typedef int (*look_fn)(struct rados_file *f, uint64_t *version,
		       struct rados_token *t, void *arg);

/* Look at the file until what was seen may be used: no other live node's
 * token on it (rados_token_settle()). A holder that does not hand it over
 * within peer_wait_s (paused, cut off, overloaded) is not waited for:
 * ULM_EBUSY, the caller's client retries; its files freeze once its lease
 * lapsed. */
static int file_look(struct rados_store *s, const struct ulm_key *file,
		     look_fn look, void *arg, uint64_t *version)
{
	uint64_t wait_ms = s->read_only ? READER_GIVEUP_MS : s->peer_wait_ms;
	uint64_t giveup = call_bound_clip(clock_now_ns() + wait_ms * NS_PER_MS);
	struct rados_file *f;
	bool absent;
	int rc = file_open(s, file, &f, &absent);

	*version = 0;
	if (rc)
		return rc;
	for (unsigned int attempt = 0; !absent; attempt++) {
		struct rados_token t;

		rc = look(f, version, &t, arg);
		if (!rc)
			rc = rados_token_settle(f, &t, *version, attempt);
		if (rc != 1)
			break;
		if (clock_now_ns() >= giveup) {
			rc = s->read_only ? -EIO : ULM_EBUSY;
			break;
		}
	}
	rados_file_put(f);
	return rc;
}

static int version_look(struct rados_file *f, uint64_t *version,
			struct rados_token *t, void *arg)
{
	(void)arg;
	return rados_file_state(f, version, t);
}

void rados_raw_clear(struct rados_raw *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].bytes);
	r->n = 0;
	memset(&r->token, 0, sizeof(r->token));
}

void rados_raw_free(struct rados_raw *r)
{
	rados_raw_clear(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

static int parse_id(const char *key, size_t len, uint64_t *id)
{
	char *end;

	if (len != RADOS_ID_KEY_LEN)
		return ULM_ECORRUPT;
	*id = strtoull(key, &end, 16);
	return end == key + RADOS_ID_KEY_LEN ? 0 : ULM_ECORRUPT;
}

static int raw_add(struct rados_raw *r, const char *key, size_t key_len,
		   const char *val, size_t val_len)
{
	struct rados_raw_record *e;

	if (key_len == strlen(RADOS_TOKEN_KEY) &&
	    !memcmp(key, RADOS_TOKEN_KEY, key_len))
		return rados_token_decode(val, val_len, &r->token);
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		e = realloc(r->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		r->v = e;
		r->cap = cap;
	}
	e = &r->v[r->n];
	if (parse_id(key, key_len, &e->id))
		return ULM_ECORRUPT;
	e->bytes = malloc(val_len ? val_len : 1);
	if (!e->bytes)
		return -ENOMEM;
	memcpy(e->bytes, val, val_len);
	e->len = val_len;
	r->n++;
	return 0;
}

int rados_raw_page(rados_omap_iter_t iter, struct rados_raw *r, char *after)
{
	char *k, *v;
	size_t kl, vl;
	int rc = 0;

	while (!rc && !rados_omap_get_next2(iter, &k, &v, &kl, &vl) && k) {
		rc = kl <= RADOS_ID_KEY_LEN ? raw_add(r, k, kl, v, vl)
					    : ULM_ECORRUPT;
		if (!rc) {
			memcpy(after, k, kl);
			after[kl] = '\0';
		}
	}
	return rc;
}

/* Every record of the object and its token, all of one version (1024 a
 * page; a page of another version means a writer got in: -ECANCELED). */
static int records_read(struct rados_store *s, const char *oid,
			struct rados_raw *r, uint64_t *version)
{
	char after[RADOS_ID_KEY_LEN + 1] = "";
	unsigned char more = 1;
	bool first = true;
	int rc = 0;

	*version = 0;
	while (more && !rc) {
		rados_read_op_t op = rados_create_read_op();
		rados_omap_iter_t iter;
		int prval = 0;

		if (!op)
			return -ENOMEM;
		if (!first)
			rados_read_op_assert_version(op, *version);
		rados_read_op_omap_get_vals2(op, after, "", RADOS_OMAP_PER_READ,
					     &iter, &more, &prval);
		rc = rados_read_run(s, op, oid, first ? version : NULL);
		rados_release_read_op(op);
		if (!rc && !prval)
			rc = rados_raw_page(iter, r, after);
		rados_omap_get_end(iter); /* exists whatever the op returned */
		if (rc == -ERANGE || rc == -EOVERFLOW)
			return -ECANCELED;
		if (rc == -ENOENT && first)
			return 0;
		rc = rc ? rc : prval;
		if (rc && rc != ULM_ECORRUPT)
			rc = rados_errno(rc);
		first = false;
	}
	return rc;
}

int rados_raw_decode(const struct rados_raw *r, size_t i,
		     struct ulm_record *rec)
{
	int rc = record_decode(r->v[i].bytes, r->v[i].len, rec);

	rec->id = r->v[i].id;
	return rc;
}

static int records_hand(const struct rados_raw *r, store_record_fn fn,
			void *arg)
{
	struct ulm_record rec;
	int rc = 0;

	for (size_t i = 0; i < r->n && !rc; i++) {
		rc = rados_raw_decode(r, i, &rec);
		if (!rc)
			rc = fn(&rec, arg);
	}
	return rc;
}

/* Read the object into @r, and learn what it holds. Under our token the
 * object is brought up to date first (the caller holds the engine's lock
 * on the file: nothing changes it meanwhile). */
static int object_read(struct rados_file *f, struct rados_raw *r,
		       uint64_t *version)
{
	uint64_t gen;
	int rc = 0;

	if (rados_token_held(f))
		rc = rados_flush_now(f);
	if (rc)
		return rc;
	do {
		rados_raw_clear(r);
		gen = rados_file_gen(f);
		rc = records_read(f->store, f->oid, r, version);
	} while (rc == -ECANCELED);
	if (rc)
		return rc;
	rados_file_learn(f, gen, *version, (int64_t)r->n, &r->token);
	rados_token_loaded(f, *version);
	return 0;
}

/* The records too (none to read in an emptied file: its version is
 * all). */
static int records_look(struct rados_file *f, uint64_t *version,
			struct rados_token *t, void *arg)
{
	struct rados_raw *r = arg;
	int64_t n_records;
	int rc = 0;

	rados_raw_clear(r);
	if (!rados_file_known(f, version, &n_records, t) || n_records) {
		rc = object_read(f, r, version);
		*t = r->token;
	}
	return rc;
}

static int records_load(struct rados_store *s, const struct ulm_key *file,
			store_record_fn fn, void *arg, uint64_t *version)
{
	struct rados_raw r = {0};
	int rc = file_look(s, file, records_look, &r, version);

	if (!rc)
		rc = records_hand(&r, fn, arg);
	rados_raw_free(&r);
	return rc;
}

/* A node that lost its lease cannot tell why a read fails (its client
 * blocklisted, a partition): what it cannot read, it must not grant on. */
static int fence_error(struct rados_store *s, int rc)
{
	if (rc < 0 && rc != ULM_ECORRUPT && !s->read_only && !rados_live_ok(s))
		return ULM_EFENCED;
	return rc;
}

int rados_file_version(struct ulm_store *store, const struct ulm_key *file,
		       uint64_t *version)
{
	struct rados_store *s = (struct rados_store *)store;

	return fence_error(s, file_look(s, file, version_look, NULL, version));
}

int rados_file_load(struct ulm_store *store, const struct ulm_key *file,
		    store_record_fn fn, void *arg, uint64_t *version)
{
	struct rados_store *s = (struct rados_store *)store;

	return fence_error(s, records_load(s, file, fn, arg, version));
}
