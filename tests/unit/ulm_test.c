/* SPDX-License-Identifier: LGPL-3.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tmpdir.h"
#include "ulm_test.h"

static int setup(void **state, enum ulm_store_kind store)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ulm-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/env", f->dir);
	/* The directory's unique name makes the namespace unique too. */
	snprintf(f->ns, sizeof(f->ns), "%s", f->dir + strlen("/tmp/"));
	f->store = store;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	*state = f;
	return 0;
}

int setup_memory(void **state)
{
	return setup(state, ULM_STORE_MEMORY);
}

int setup_lmdb(void **state)
{
	return setup(state, ULM_STORE_LMDB);
}

int setup_rados(void **state)
{
	return setup(state, ULM_STORE_RADOS);
}

int teardown_env(void **state)
{
	struct fixture *f = *state;

	ulm_env_close(f->env);
	ulm_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

int fixture_open(struct fixture *f, uint32_t node, bool read_only,
		 ulm_env **env)
{
	struct ulm_env_config cfg = {
		.store = f->store,
		.path = f->path,
		.node_id = node,
		.read_only = read_only,
		.map_size = 64 << 20,
		.pool = "ulm",
		.rados_namespace = f->ns,
	};

	return ulm_env_open(&cfg, env);
}

struct ulm_key test_key(const char *name)
{
	return (struct ulm_key){name, strlen(name)};
}

struct ulm_owner test_owner(enum ulm_protocol protocol, const char *client,
			    const char *owner)
{
	return (struct ulm_owner){
		.protocol = protocol,
		.kind = ULM_OWNER_LOCK,
		.node = 1,
		.client = client,
		.client_len = strlen(client),
		.owner = owner,
		.owner_len = strlen(owner),
	};
}

struct list_out {
	struct test_lock *out;
	int n;
	int max;
};

static void copy_str(char *dst, size_t cap, const void *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int collect(const struct ulm_key *file, const struct ulm_lock_info *l,
		   void *arg)
{
	struct list_out *o = arg;
	struct test_lock *t;

	if (o->n == o->max)
		return -ENOSPC;
	t = &o->out[o->n++];
	t->type = l->type;
	t->start = l->start;
	t->end = l->end;
	t->protocol = l->protocol;
	t->kind = l->kind;
	t->node = l->node;
	t->epoch = l->epoch;
	copy_str(t->client, sizeof(t->client), l->client, l->client_len);
	copy_str(t->owner, sizeof(t->owner), l->owner, l->owner_len);
	copy_str(t->file, sizeof(t->file), file->data, file->len);
	return 0;
}

int test_list(ulm_env *env, const char *file, struct test_lock *out, int max)
{
	struct list_out o = {out, 0, max};
	struct ulm_key key;
	int rc;

	if (file)
		key = test_key(file);
	rc = ulm_lock_list(env, file ? &key : NULL, collect, &o);
	return rc ? rc : o.n;
}
