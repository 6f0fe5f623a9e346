/* SPDX-License-Identifier: LGPL-3.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "env.h"
#include "rados_ops.h"
#include "tmpdir.h"
#include "ulm_test.h"

rados_ioctx_t test_rados_open(const struct fixture *f, rados_t *cluster)
{
	rados_ioctx_t io;

	assert_int_equal(rados_create(cluster, NULL), 0);
	assert_int_equal(rados_conf_read_file(*cluster, NULL), 0);
	assert_int_equal(rados_connect(*cluster), 0);
	assert_int_equal(rados_ioctx_create(*cluster, "ulm", &io), 0);
	rados_ioctx_set_namespace(io, f->ns);
	return io;
}

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

	while (f->n_nodes)
		ulm_env_close(f->nodes[--f->n_nodes]);
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
		.lease_ms = f->lease_ms,
		.tokens = f->tokens,
		.op_timeout_s = f->op_timeout_s,
		.token_idle_ms = f->token_idle_ms,
		.peer_wait_s =
			f->peer_wait_s ? f->peer_wait_s : FIXTURE_PEER_WAIT_S,
	};
	const char *tokens = getenv("ULM_TEST_TOKENS");

	if (!cfg.tokens && tokens && !strcmp(tokens, "off"))
		cfg.tokens = ULM_TOKENS_OFF;
	return ulm_env_open(&cfg, env);
}

ulm_env *fixture_add_node(struct fixture *f, uint32_t node)
{
	ulm_env *env;

	assert_true(f->n_nodes < FIXTURE_NODES);
	assert_int_equal(fixture_open(f, node, false, &env), 0);
	f->nodes[f->n_nodes++] = env;
	return env;
}

int run_on_both_stores(const char *suite, const struct CMUnitTest *tests,
		       size_t n)
{
	static const struct {
		const char *name;
		CMFixtureFunction setup;
	} stores[] = {{"memory", setup_memory}, {"lmdb", setup_lmdb}};
	struct CMUnitTest *run = calloc(n, sizeof(*run));
	char group[128];
	int failed = 0;

	assert_non_null(run);
	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < n; i++) {
			run[i] = tests[i];
			run[i].setup_func = stores[s].setup;
			run[i].teardown_func = teardown_env;
		}
		snprintf(group, sizeof(group), "%s/%s", suite, stores[s].name);
		failed += _cmocka_run_group_tests(group, run, n, NULL, NULL);
	}
	free(run);
	return failed;
}

int fixture_run_node(struct fixture *f, uint32_t node, node_fn fn, void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ulm_env *env;
		int rc = fixture_open(f, node, false, &env);

		if (rc) {
			fprintf(stderr, "node %u: open: %s\n", node,
				ulm_strerror(rc));
			_exit(1);
		}
		rc = fn(env, arg);
		ulm_env_close(env);
		_exit(rc ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

pid_t fixture_spawn_holder(struct fixture *f, uint32_t node, const char *file)
{
	char node_s[16], lease_s[16], ready;
	int fds[2];
	pid_t pid;

	snprintf(node_s, sizeof(node_s), "%u", node);
	snprintf(lease_s, sizeof(lease_s), "%u", f->lease_ms);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl("/proc/self/exe", "holder", "hold", f->ns, node_s,
		      lease_s, file, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ready, 1), 1);
	close(fds[0]);
	return pid;
}

void fixture_holder_main(int argc, char **argv)
{
	struct ulm_owner o = test_owner(ULM_PROTO_NFS4, "holder", "h");
	struct ulm_env_config cfg = {.store = ULM_STORE_RADOS, .pool = "ulm"};
	ulm_env *env;
	int rc;

	if (argc != 6 || strcmp(argv[1], "hold"))
		return;
	cfg.rados_namespace = argv[2];
	cfg.node_id = (uint32_t)atoi(argv[3]);
	cfg.lease_ms = (uint32_t)atoi(argv[4]);
	o.node = cfg.node_id;
	rc = ulm_env_open(&cfg, &env);
	if (!rc)
		rc = try_lock(env, argv[5], &o, ULM_LOCK_WRITE, 0, 9, NULL);
	if (rc) {
		fprintf(stderr, "holder: %s\n", ulm_strerror(rc));
		_exit(1);
	}
	if (write(STDOUT_FILENO, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

void test_sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

int64_t test_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct node_probe {
	uint32_t node;
	struct ulm_node_info seen;
};

static int find_node(const struct ulm_node_info *n, void *arg)
{
	struct node_probe *p = arg;

	if (n->node == p->node)
		p->seen = *n;
	return 0;
}

struct ulm_node_info test_node(ulm_env *env, uint32_t node)
{
	struct node_probe p = {node, {0, 0, false, 0}};

	assert_int_equal(ulm_node_list(env, find_node, &p), 0);
	return p.seen;
}

bool test_node_becomes(ulm_env *env, uint32_t node, bool live, int ms)
{
	for (int64_t end = test_now_ms() + ms; test_now_ms() < end;
	     test_sleep_ms(20))
		if (test_node(env, node).live == live)
			return true;
	return false;
}

void test_trim_often(ulm_env **envs, int n, unsigned int trim_ms,
		     unsigned int idle_ms)
{
	for (int i = 0; i < n; i++) {
		struct rados_store *s = (struct rados_store *)envs[i]->store;

		s->trim_every_ms = trim_ms;
		s->watch_idle_ms = idle_ms;
	}
}

void test_expect_tokens_taken(ulm_env **envs, int n, unsigned int min)
{
	unsigned int taken = 0;

	for (int i = 0; i < n; i++)
		taken += ((struct rados_store *)envs[i]->store)->tokens_taken;
	printf("tokens taken: %u\n", taken);
	if (((struct rados_store *)envs[0]->store)->tokens)
		assert_true(taken >= min);
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

struct ulm_owner test_open_owner(enum ulm_protocol protocol, const char *client,
				 const char *owner)
{
	struct ulm_owner o = test_owner(protocol, client, owner);

	o.kind = ULM_OWNER_OPEN;
	return o;
}

struct ulm_owner test_client(enum ulm_protocol protocol, const char *client)
{
	struct ulm_owner o = test_owner(protocol, client, "");

	o.kind = ULM_OWNER_CLIENT;
	return o;
}

int try_lock(ulm_env *env, const char *file, const struct ulm_owner *o,
	     enum ulm_lock_type type, uint64_t start, uint64_t end,
	     struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key(file);

	return ulm_lock_acquire(env, &k, o, type, start, end, conflict, NULL);
}

int try_wait(ulm_env *env, const char *file, const struct ulm_owner *o,
	     enum ulm_lock_type type, uint64_t start, uint64_t end,
	     uint64_t wait_expires, struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key(file);
	struct ulm_lock_req req = {type, start, end, ULM_FLAG_WAIT,
				   wait_expires};

	return ulm_lock_request(env, &k, o, &req, conflict, NULL);
}

int drop_lock(ulm_env *env, const char *file, const struct ulm_owner *o,
	      uint64_t start, uint64_t end)
{
	struct ulm_key k = test_key(file);

	return ulm_lock_release(env, &k, o, start, end);
}

int try_share(ulm_env *env, const char *file, const struct ulm_owner *o,
	      unsigned access, unsigned deny, struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key(file);

	return ulm_share_acquire(env, &k, o, access, deny, 0, conflict);
}

int try_deleg(ulm_env *env, const char *file, const struct ulm_owner *client,
	      enum ulm_deleg_type type, struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key(file);

	return ulm_deleg_acquire(env, &k, client, type, 0, conflict);
}

int try_access(ulm_env *env, const char *file, const struct ulm_owner *o,
	       unsigned access, struct ulm_lock_info *conflict)
{
	struct ulm_key k = test_key(file);

	return ulm_deleg_check(env, &k, o, access, conflict);
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

static void test_lock_fill(struct test_lock *t, const struct ulm_key *file,
			   const struct ulm_lock_info *l)
{
	t->type = l->type;
	t->start = l->start;
	t->end = l->end;
	t->protocol = l->protocol;
	t->kind = l->kind;
	t->node = l->node;
	t->epoch = l->epoch;
	t->flags = l->flags;
	t->access = l->access;
	t->deny = l->deny;
	t->expires = l->expires;
	copy_str(t->client, sizeof(t->client), l->client, l->client_len);
	copy_str(t->owner, sizeof(t->owner), l->owner, l->owner_len);
	copy_str(t->file, sizeof(t->file), file->data, file->len);
}

static int collect(const struct ulm_key *file, const struct ulm_lock_info *l,
		   void *arg)
{
	struct list_out *o = arg;

	if (o->n == o->max)
		return -ENOSPC;
	test_lock_fill(&o->out[o->n++], file, l);
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

struct event_out {
	struct test_event *out;
	int n;
	int max;
	bool overflow;
};

static void collect_event(const struct ulm_event *ev, void *arg)
{
	struct event_out *o = arg;

	if (o->n == o->max) {
		o->overflow = true;
		return;
	}
	o->out[o->n].kind = ev->kind;
	test_lock_fill(&o->out[o->n++].record, &ev->file, ev->record);
}

int test_events(ulm_env *env, int timeout_ms, struct test_event *out, int max)
{
	struct event_out o = {out, 0, max, false};
	int rc = ulm_event_wait(env, collect_event, &o, timeout_ms);

	if (rc)
		return rc;
	return o.overflow ? -ENOSPC : o.n;
}

void expect_one_event(ulm_env *env, enum ulm_event_kind kind, const char *file,
		      enum ulm_record_type type, const char *client,
		      struct test_event *out)
{
	struct test_event ev[4];

	assert_int_equal(test_events(env, 0, ev, 4), 1);
	assert_int_equal(ev[0].kind, kind);
	assert_string_equal(ev[0].record.file, file);
	assert_int_equal(ev[0].record.type, type);
	assert_string_equal(ev[0].record.client, client);
	if (out)
		*out = ev[0];
}

void expect_no_event(ulm_env *env)
{
	struct test_event ev[4];

	assert_int_equal(test_events(env, 0, ev, 4), 0);
}
