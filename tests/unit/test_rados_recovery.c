/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* recovery_rados on a real cluster: recovery entries and their watch, the
 * NSM lists, fencing addresses, and Ganesha's grace database changed by
 * us and by ganesha-rados-grace alike. Runs inside the test cluster's
 * namespace (ctest: unit.rados.recovery); node 1's env is the fixture's. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ulm_test.h"
#include "ulmrec.h"

static ulmrec *open_rec(const struct fixture *f)
{
	struct ulmrec_config cfg = {
		.pool = "ulm",
		.rados_namespace = f->ns,
		.grace_pool = "ulm",
		.grace_namespace = f->ns,
		.grace_oid = "grace",
	};
	ulmrec *rec = NULL;

	assert_int_equal(ulmrec_open(&cfg, &rec), 0);
	return rec;
}

static struct ulmrec_entry entry(uint32_t node, uint32_t before)
{
	struct ulmrec_entry e = {.node = node,
				 .before_epoch = before,
				 .by = 2,
				 .started_ms = 1234,
				 .grace_secs = 90};

	snprintf(e.grace_nodeid, sizeof(e.grace_nodeid), "nfs%u", node);
	return e;
}

struct seen {
	pthread_mutex_t mutex;
	int changes;
	struct ulmrec_change last;
};

static void on_change(const struct ulmrec_change *change, void *arg)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->mutex);
	s->changes++;
	if (change)
		s->last = *change;
	pthread_mutex_unlock(&s->mutex);
}

static void test_recovery_entries_and_watch(void **state)
{
	struct fixture *f = *state;
	struct seen seen = {PTHREAD_MUTEX_INITIALIZER, 0, {0}};
	ulmrec *writer = open_rec(f), *watcher = open_rec(f);
	struct ulmrec_entry e = entry(1, 3), later = entry(1, 4), *list;
	size_t n;

	assert_int_equal(ulmrec_watch(watcher, on_change, &seen), 0);
	assert_int_equal(ulmrec_watch(watcher, on_change, &seen), -EINVAL);
	assert_int_equal(ulmrec_entry_put(writer, &e), 0);
	/* The put returns once the watcher acknowledged: it saw it. */
	pthread_mutex_lock(&seen.mutex);
	assert_int_equal(seen.changes, 1);
	assert_false(seen.last.removed);
	assert_int_equal(seen.last.entry.before_epoch, 3);
	assert_string_equal(seen.last.entry.grace_nodeid, "nfs1");
	pthread_mutex_unlock(&seen.mutex);

	assert_int_equal(ulmrec_entry_list(writer, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_true(list[0].node == 1 && list[0].by == 2 &&
		    list[0].started_ms == 1234 && list[0].grace_secs == 90);
	free(list);

	/* A newer recovery of the node replaced it: the old one's end is
	 * refused, the newer one's is done and seen. */
	assert_int_equal(ulmrec_entry_put(writer, &later), 0);
	assert_int_equal(ulmrec_entry_remove(writer, &e), -ECANCELED);
	assert_int_equal(ulmrec_entry_remove(writer, &later), 0);
	pthread_mutex_lock(&seen.mutex);
	assert_int_equal(seen.changes, 3);
	assert_true(seen.last.removed && seen.last.entry.before_epoch == 4);
	pthread_mutex_unlock(&seen.mutex);
	assert_int_equal(ulmrec_entry_list(writer, &list, &n), 0);
	assert_int_equal(n, 0);
	free(list);
	assert_int_equal(ulmrec_watch_renew(watcher), 0);
	ulmrec_close(watcher);
	ulmrec_close(writer);
}

struct client_seen {
	int n;
	char callers[4][32];
	char addrs[4][32];
};

static int nsm_visit(const char *caller, const char *addr, void *arg)
{
	struct client_seen *c = arg;

	snprintf(c->callers[c->n], sizeof(c->callers[0]), "%s", caller);
	snprintf(c->addrs[c->n++], sizeof(c->addrs[0]), "%s", addr);
	return 0;
}

static void test_recovery_nsm_lists(void **state)
{
	struct fixture *f = *state;
	ulmrec *rec = open_rec(f);
	struct client_seen c = {0};
	uint32_t s1, s2;

	assert_int_equal(ulmrec_nsm_add(rec, "10.0.0.1", "hostb", "10.9.0.2"),
			 0);
	assert_int_equal(ulmrec_nsm_add(rec, "10.0.0.1", "hosta", "10.9.0.1"),
			 0);
	/* Noted again: still one entry, its address updated. */
	assert_int_equal(ulmrec_nsm_add(rec, "10.0.0.1", "hosta", "10.9.0.3"),
			 0);
	assert_int_equal(ulmrec_nsm_add(rec, "10.0.0.2", "hostc", "10.9.0.4"),
			 0);
	assert_int_equal(ulmrec_nsm_add(rec, "", "x", "y"), -EINVAL);
	assert_int_equal(ulmrec_nsm_list(rec, "10.0.0.1", nsm_visit, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.callers[0], "hosta");
	assert_string_equal(c.addrs[0], "10.9.0.3");
	assert_string_equal(c.callers[1], "hostb");
	/* Odd and growing, per address. */
	assert_int_equal(ulmrec_nsm_next_state(rec, "10.0.0.1", &s1), 0);
	assert_int_equal(ulmrec_nsm_next_state(rec, "10.0.0.1", &s2), 0);
	assert_true(s1 % 2 == 1 && s2 % 2 == 1 && s2 > s1);
	ulmrec_close(rec);
}

/* How many times @c occurs in @s. */
static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Node 1 (the fixture's env, on a 1 s lease) recorded its four clients:
 * the store's lease and data clients, ours, and one more (as Ganesha's
 * rados_cluster client). Fencing blocklists them all: node 1 can renew
 * nothing, so it stops granting, and the other client's writes (a grace
 * database lift queued while the node was cut off) no longer land. */
static void test_recovery_fence_addresses(void **state)
{
	struct fixture *f = *state;
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "c1", "a");
	ulmrec *rec = open_rec(f);
	char fenced[ULMREC_NODE_ADDRS_MAX], *other_addr = NULL;
	rados_t other;
	rados_ioctx_t other_io = test_rados_open(f, &other);
	int64_t end;

	ulm_env_close(f->env);
	f->lease_ms = 1000;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	assert_int_equal(rados_getaddrs(other, &other_addr), 0);

	assert_int_equal(ulmrec_fence_node(rec, 1, 60, fenced, sizeof(fenced)),
			 -ENOENT);
	assert_int_equal(ulmrec_addr_record(rec, 7, NULL),
			 -ENOENT); /* no lease */
	assert_int_equal(ulmrec_addr_record(rec, 1, ""), -EINVAL);
	assert_int_equal(ulmrec_addr_record(rec, 1, "a b"), -EINVAL);
	assert_int_equal(ulmrec_addr_record(rec, 1, other_addr), 0);
	assert_int_equal(rados_write_full(other_io, "probe", "1", 1), 0);
	assert_int_equal(ulmrec_fence_node(rec, 1, 60, fenced, sizeof(fenced)),
			 0);
	assert_int_equal(count_char(fenced, ' '), 3);
	assert_non_null(strstr(fenced, other_addr));
	assert_int_equal(rados_write_full(other_io, "probe", "2", 1),
			 -ESHUTDOWN); /* Ceph's EBLOCKLISTED */
	for (end = test_now_ms() + 4000;
	     ulm_env_live(f->env) && test_now_ms() < end; test_sleep_ms(20))
		;
	assert_false(ulm_env_live(f->env));
	assert_int_equal(try_lock(f->env, "f", &a, ULM_LOCK_WRITE, 0, 9, NULL),
			 ULM_EFENCED);
	rados_buffer_free(other_addr);
	rados_ioctx_destroy(other_io);
	rados_shutdown(other);
	ulmrec_close(rec);
}

/* ganesha-rados-grace on the fixture's database; 0 if it succeeded. */
static int grace_tool(const struct fixture *f, const char *args, char *out,
		      size_t len)
{
	char cmd[512];
	FILE *p;
	size_t got;

	snprintf(cmd, sizeof(cmd),
		 "ganesha-rados-grace --pool ulm --ns %s %s 2>/dev/null", f->ns,
		 args);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = fread(out, 1, len - 1, p);
	out[got] = '\0';
	return pclose(p);
}

struct flags_seen {
	unsigned a, b;
};

static int grace_visit(const char *nodeid, unsigned flags, void *arg)
{
	struct flags_seen *s = arg;

	if (!strcmp(nodeid, "a"))
		s->a = flags;
	else if (!strcmp(nodeid, "b"))
		s->b = flags;
	return 0;
}

static void test_recovery_grace_database(void **state)
{
	struct fixture *f = *state;
	ulmrec *rec = open_rec(f);
	struct flags_seen s = {0, 0};
	uint64_t cur, r;
	char out[1024];

	assert_int_equal(ulmrec_grace_read(rec, &cur, &r, NULL, NULL), -ENOENT);
	assert_int_equal(grace_tool(f, "add a b", out, sizeof(out)), 0);
	assert_int_equal(ulmrec_grace_start(rec, "nobody"), -ENOKEY);
	/* Our start is Ganesha's: a new epoch, a needs grace, enforces. */
	assert_int_equal(ulmrec_grace_start(rec, "a"), 0);
	assert_int_equal(grace_tool(f, "dump", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "cur=2 rec=1"));
	assert_non_null(strstr(out, "a\tNE"));
	assert_int_equal(ulmrec_grace_read(rec, &cur, &r, grace_visit, &s), 0);
	assert_true(cur == 2 && r == 1);
	assert_int_equal(s.a, ULMREC_GRACE_NEED | ULMREC_GRACE_ENFORCING);
	assert_int_equal(s.b, ULMREC_GRACE_ENFORCING); /* as added */
	/* No lifting while b does not enforce (Ganesha's rule). */
	assert_int_equal(grace_tool(f, "noenforce b", out, sizeof(out)), 0);
	assert_int_equal(ulmrec_grace_lift(rec, "a"), -EAGAIN);
	assert_int_equal(grace_tool(f, "enforce b", out, sizeof(out)), 0);
	assert_int_equal(ulmrec_grace_lift(rec, "a"), 0);
	assert_int_equal(grace_tool(f, "dump", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "cur=2 rec=0"));
	assert_non_null(strstr(out, "a\t E"));
	/* And theirs is ours: the tool starts, we read and lift. */
	assert_int_equal(grace_tool(f, "start b", out, sizeof(out)), 0);
	assert_int_equal(ulmrec_grace_read(rec, &cur, &r, grace_visit, &s), 0);
	assert_true(cur == 3 && r == 2 && (s.b & ULMREC_GRACE_NEED));
	assert_int_equal(ulmrec_grace_lift(rec, "b"), 0);
	assert_int_equal(ulmrec_grace_lift(rec, "b"), 0); /* nothing to do */
	assert_int_equal(ulmrec_grace_read(rec, &cur, &r, NULL, NULL), 0);
	assert_true(cur == 3 && r == 0);
	ulmrec_close(rec);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_rados, teardown_env)
	const struct CMUnitTest tests[] = {
		T(test_recovery_entries_and_watch),
		T(test_recovery_nsm_lists),
		T(test_recovery_fence_addresses),
		T(test_recovery_grace_database),
	};
#undef T

	return cmocka_run_group_tests_name("rados/recovery", tests, NULL, NULL);
}
