/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-microbench: hold 100,000 locks on one file, then time single lock
 * ops against that table: acquire and release of a fresh range (no
 * conflict) and a test that conflicts. Memory per held lock is malloc's
 * in-use delta over the count. Then the same with the LMDB store.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tmpdir.h"
#include "ulm.h"

#define HELD	     100000
#define SAMPLES	     20000
#define LMDB_SAMPLES 2000
#define TARGET_OP_NS 5000.0
#define TARGET_BYTES 256.0

struct timing {
	double median_ns;
	double p99_ns;
};

static const struct ulm_owner holder = {
	.protocol = ULM_PROTO_NFS4,
	.kind = ULM_OWNER_LOCK,
	.node = 1,
	.client = "bench-client",
	.client_len = 12,
	.owner = "holder",
	.owner_len = 6,
};

static const struct ulm_owner prober = {
	.protocol = ULM_PROTO_NLM,
	.kind = ULM_OWNER_LOCK,
	.node = 1,
	.client = "bench-host",
	.client_len = 10,
	.owner = "prober",
	.owner_len = 6,
};

static const struct ulm_key file = {"bench-file", 10};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct timing summarize(double *ns, int n)
{
	qsort(ns, n, sizeof(*ns), cmp_double);
	return (struct timing){ns[n / 2], ns[n * 99 / 100]};
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "ulm-microbench: %s: %s\n", what, ulm_strerror(rc));
	exit(1);
}

/* Held locks sit on even 2-byte slots: [4i, 4i+1], never touching. */
static void hold_locks(ulm_env *env, int count)
{
	for (int i = 0; i < count; i++) {
		int rc = ulm_lock_acquire(env, &file, &holder, ULM_LOCK_WRITE,
					  4ULL * i, 4ULL * i + 1, NULL, NULL);

		if (rc)
			die("hold", rc);
	}
}

/* Acquire and release a range in a free gap, timing each op. */
static void time_free_ops(ulm_env *env, int held, int n, double *acq,
			  double *rel)
{
	for (int i = 0; i < n; i++) {
		uint64_t start = 4ULL * (i % held) + 2;
		double t0 = now_ns(), t1, t2;
		int rc = ulm_lock_acquire(env, &file, &prober, ULM_LOCK_WRITE,
					  start, start, NULL, NULL);

		t1 = now_ns();
		if (rc)
			die("acquire", rc);
		rc = ulm_lock_release(env, &file, &prober, start, start);
		t2 = now_ns();
		if (rc)
			die("release", rc);
		acq[i] = t1 - t0;
		rel[i] = t2 - t1;
	}
}

static void time_conflicts(ulm_env *env, int held, int n, double *out)
{
	struct ulm_lock_info info;

	for (int i = 0; i < n; i++) {
		uint64_t start = 4ULL * ((i * 7919) % held);
		double t0 = now_ns();
		int rc = ulm_lock_test(env, &file, &prober, ULM_LOCK_READ,
				       start, start + 1, &info);

		out[i] = now_ns() - t0;
		if (rc != -EAGAIN)
			die("conflicting test", rc);
	}
}

/* I/O with no open on @p key, which no share denies: the check UNIFIED
 * makes before each such READ, WRITE or truncate. */
static void time_io_checks(ulm_env *env, const struct ulm_key *key, int n,
			   double *out)
{
	for (int i = 0; i < n; i++) {
		double t0 = now_ns();
		int rc = ulm_share_io_check(env, key, NULL, ULM_SHARE_WRITE, 0,
					    NULL);

		out[i] = now_ns() - t0;
		if (rc)
			die("I/O share check", rc);
	}
}

static void row(const char *what, double value, const char *unit,
		const char *target, bool pass)
{
	printf("%-34s %12.1f %-4s %-34s %s\n", what, value, unit, target,
	       target[0] ? (pass ? "PASS" : "FAIL") : "");
}

static bool bench_memory(double *acq, double *rel, double *tst)
{
	struct ulm_env_config cfg = {.store = ULM_STORE_MEMORY, .node_id = 1};
	struct timing a, r, t;
	size_t before, after;
	double per_lock;
	ulm_env *env;
	int rc = ulm_env_open(&cfg, &env);

	if (rc)
		die("open memory store", rc);
	before = mallinfo2().uordblks;
	hold_locks(env, HELD);
	after = mallinfo2().uordblks;
	per_lock = (double)(after - before) / HELD;
	time_free_ops(env, HELD, SAMPLES, acq, rel);
	time_conflicts(env, HELD, SAMPLES, tst);
	a = summarize(acq, SAMPLES);
	r = summarize(rel, SAMPLES);
	t = summarize(tst, SAMPLES);
	printf("memory store, %d locks held on one file\n", HELD);
	row("acquire (free range), median", a.median_ns / 1e3, "us",
	    "lock op median < 5 us (memory)", a.median_ns < TARGET_OP_NS);
	row("acquire (free range), p99", a.p99_ns / 1e3, "us", "", true);
	row("release, median", r.median_ns / 1e3, "us",
	    "lock op median < 5 us (memory)", r.median_ns < TARGET_OP_NS);
	row("release, p99", r.p99_ns / 1e3, "us", "", true);
	row("test (conflict), median", t.median_ns / 1e3, "us",
	    "lock op median < 5 us (memory)", t.median_ns < TARGET_OP_NS);
	row("test (conflict), p99", t.p99_ns / 1e3, "us", "", true);
	row("memory per held lock", per_lock, "B", "bytes per held lock <= 256",
	    per_lock <= TARGET_BYTES);
	ulm_env_close(env);
	return a.median_ns < TARGET_OP_NS && r.median_ns < TARGET_OP_NS &&
	       t.median_ns < TARGET_OP_NS && per_lock <= TARGET_BYTES;
}

static void bench_lmdb(double *acq, double *rel, double *tst)
{
	char dir[] = "/tmp/ulm-microbench-XXXXXX", path[64];
	struct ulm_env_config cfg = {
		.store = ULM_STORE_LMDB, .path = path, .node_id = 1};
	static const struct ulm_key unlocked = {"no-record", 9};
	struct timing a, r, t, io_none, io_locks;
	double t0, fill_s;
	ulm_env *env;
	int rc;

	if (!mkdtemp(dir))
		die("mkdtemp", -errno);
	snprintf(path, sizeof(path), "%s/env", dir);
	rc = ulm_env_open(&cfg, &env);
	if (rc)
		die("open lmdb store", rc);
	t0 = now_ns();
	hold_locks(env, HELD);
	fill_s = (now_ns() - t0) / 1e9;
	time_free_ops(env, HELD, LMDB_SAMPLES, acq, rel);
	time_conflicts(env, HELD, LMDB_SAMPLES, tst);
	a = summarize(acq, LMDB_SAMPLES);
	r = summarize(rel, LMDB_SAMPLES);
	t = summarize(tst, LMDB_SAMPLES);
	time_io_checks(env, &unlocked, LMDB_SAMPLES, tst);
	io_none = summarize(tst, LMDB_SAMPLES);
	time_io_checks(env, &file, LMDB_SAMPLES, tst);
	io_locks = summarize(tst, LMDB_SAMPLES);
	printf("\nlmdb store (no fsync), %d locks held on one file\n", HELD);
	row("acquire while filling, ops/s", HELD / fill_s, "/s", "", true);
	row("acquire (free range), median", a.median_ns / 1e3, "us", "", true);
	row("acquire (free range), ops/s", 1e9 / a.median_ns, "/s", "", true);
	row("release, median", r.median_ns / 1e3, "us", "", true);
	row("test (conflict), median", t.median_ns / 1e3, "us", "", true);
	row("I/O share check, no record, med.", io_none.median_ns / 1e3, "us",
	    "", true);
	row("I/O share check, locks, no deny", io_locks.median_ns / 1e3, "us",
	    "", true);
	ulm_env_close(env);
	ulm_tmpdir_remove(dir);
}

int main(void)
{
	double *acq = malloc(SAMPLES * sizeof(double));
	double *rel = malloc(SAMPLES * sizeof(double));
	double *tst = malloc(SAMPLES * sizeof(double));
	bool pass;

	if (!acq || !rel || !tst)
		die("malloc", -ENOMEM);
	printf("%-34s %12s %-4s %-34s %s\n", "measure", "value", "", "target",
	       "");
	pass = bench_memory(acq, rel, tst);
	bench_lmdb(acq, rel, tst);
	free(acq);
	free(rel);
	free(tst);
	printf("\nmemory targets: %s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
