/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-rados-bench: libulm on the rados store against the physical floor,
 * one raw RADOS omap write, on the same cluster in the same run.
 *
 *  1. Latency: one lock op (acquire or release of a whole-file write lock
 *     on a file this node already uses: one guarded omap write) against
 *     one raw synchronous omap write (set or remove one key), in
 *     alternating rounds so that drift hits both alike. Targets: median
 *     <= 1.2x, p99 <= 2x.
 *  2. Throughput: N threads in flight (1, 8, 32), each on its own file,
 *     doing acquire+release, against N threads doing raw omap writes on
 *     their own objects.
 *
 * Runs against $CEPH_CONF, pool "ulm" (bench/rados-bench.sh starts a
 * cluster of its own and runs this inside its namespace).
 * ULM_BENCH_TOKENS=false: file tokens off (every lock op a guarded write);
 * on (the default), the node alone on its files changes them in memory
 * and writes behind.
 */
#include <errno.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ulm.h"

#define POOL	      "ulm"
#define ROUNDS	      4
#define OPS_PER_ROUND 500
#define MAX_THREADS   32
#define TARGET_MEDIAN 1.2
#define TARGET_P99    2.0

static const struct ulm_owner owner = {
	.protocol = ULM_PROTO_NFS4,
	.kind = ULM_OWNER_LOCK,
	.node = 1,
	.client = "bench-client",
	.client_len = 12,
	.owner = "bench-owner",
	.owner_len = 11,
};

static char bench_ns[64];
static double seconds_per_run = 3.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)(p * (n - 1))];
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "ulm-rados-bench: %s: %s\n", what, ulm_strerror(rc));
	exit(1);
}

static rados_ioctx_t raw_connect(rados_t *cluster)
{
	rados_ioctx_t io;

	if (rados_create(cluster, NULL) ||
	    rados_conf_read_file(*cluster, NULL) || rados_connect(*cluster) ||
	    rados_ioctx_create(*cluster, POOL, &io))
		die("cannot connect to the cluster ($CEPH_CONF)", -EIO);
	rados_ioctx_set_namespace(io, bench_ns);
	return io;
}

/* One raw op as a lock op would be: set a record's key, or remove it. */
static int raw_write(rados_ioctx_t io, const char *oid, bool set)
{
	static const char key[] = "0000000000000001";
	static const char val[48] = {1};
	const char *k = key, *v = val;
	size_t kl = 16, vl = sizeof(val);
	rados_write_op_t op = rados_create_write_op();
	int rc;

	if (set)
		rados_write_op_omap_set2(op, &k, &v, &kl, &vl, 1);
	else
		rados_write_op_omap_rm_keys2(op, &k, &kl, 1);
	rc = rados_write_op_operate(op, io, oid, NULL, 0);
	rados_release_write_op(op);
	return rc;
}

static int ulm_op(ulm_env *env, const struct ulm_key *file, bool lock)
{
	return lock ? ulm_lock_acquire(env, file, &owner, ULM_LOCK_WRITE, 0,
				       ULM_EOF, NULL, NULL)
		    : ulm_lock_release(env, file, &owner, 0, ULM_EOF);
}

static ulm_env *ulm_connect(void)
{
	const char *tokens = getenv("ULM_BENCH_TOKENS");
	struct ulm_env_config cfg = {
		.store = ULM_STORE_RADOS,
		.node_id = 1,
		.pool = POOL,
		.rados_namespace = bench_ns,
		.tokens = tokens && !strcmp(tokens, "false") ? ULM_TOKENS_OFF
							     : ULM_TOKENS_ON,
	};
	ulm_env *env;
	int rc = ulm_env_open(&cfg, &env);

	printf("file tokens: %s\n", cfg.tokens == ULM_TOKENS_ON
					    ? "on (write-behind)"
					    : "off (every op written)");
	if (rc)
		die("ulm_env_open", rc);
	return env;
}

static void latency(ulm_env *env, rados_ioctx_t io)
{
	static double raw[ROUNDS * OPS_PER_ROUND], lib[ROUNDS * OPS_PER_ROUND];
	const struct ulm_key file = {"latency", 7};
	size_t n = 0;
	double t, raw_med, raw_p99, lib_med, lib_p99;
	int rc;

	/* Warm up: the object exists and is watched, as for any file in use. */
	for (int i = 0; i < 20; i++) {
		rc = ulm_op(env, &file, i % 2 == 0);
		if (!rc)
			rc = raw_write(io, "raw-latency", i % 2 == 0);
		if (rc)
			die("warm-up", rc);
	}
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < OPS_PER_ROUND; i++) {
			t = now_s();
			if ((rc = raw_write(io, "raw-latency", i % 2 == 0)))
				die("raw omap write", rc);
			raw[n + i] = now_s() - t;
		}
		for (int i = 0; i < OPS_PER_ROUND; i++) {
			t = now_s();
			if ((rc = ulm_op(env, &file, i % 2 == 0)))
				die("lock op", rc);
			lib[n + i] = now_s() - t;
		}
		n += OPS_PER_ROUND;
	}
	raw_med = percentile(raw, n, 0.5) * 1e6;
	raw_p99 = percentile(raw, n, 0.99) * 1e6;
	lib_med = percentile(lib, n, 0.5) * 1e6;
	lib_p99 = percentile(lib, n, 0.99) * 1e6;
	printf("latency raw omap write: median %.0f us, p99 %.0f us (%zu "
	       "ops)\n",
	       raw_med, raw_p99, n);
	printf("latency libulm lock op: median %.0f us, p99 %.0f us (%zu "
	       "ops)\n",
	       lib_med, lib_p99, n);
	printf("RATIO lock op / raw omap write, median = %.2f target <= %.1f: "
	       "%s\n",
	       lib_med / raw_med, TARGET_MEDIAN,
	       lib_med / raw_med <= TARGET_MEDIAN ? "MET" : "MISSED");
	printf("RATIO lock op / raw omap write, p99 = %.2f target <= %.1f: "
	       "%s\n",
	       lib_p99 / raw_p99, TARGET_P99,
	       lib_p99 / raw_p99 <= TARGET_P99 ? "MET" : "MISSED");
}

/* Median latency of the I/O share check UNIFIED makes before each READ or
 * WRITE without an open, on @p file, which no share denies. */
static double io_check_median_us(ulm_env *env, const struct ulm_key *file)
{
	static double v[ROUNDS * OPS_PER_ROUND];
	size_t n = ROUNDS * OPS_PER_ROUND;
	double t;
	int rc;

	for (size_t i = 0; i < n; i++) {
		t = now_s();
		rc = ulm_share_io_check(env, file, NULL, ULM_SHARE_WRITE, 0,
					NULL);
		v[i] = now_s() - t;
		if (rc)
			die("I/O share check", rc);
	}
	return percentile(v, n, 0.5) * 1e6;
}

static void io_check_latency(ulm_env *env)
{
	const struct ulm_key used = {"latency", 7}, never = {"no-object", 9};

	printf("latency I/O share check, file with an object (watched): "
	       "median %.1f us\n",
	       io_check_median_us(env, &used));
	printf("latency I/O share check, file with no object: median %.1f "
	       "us\n",
	       io_check_median_us(env, &never));
}

struct worker {
	pthread_t thread;
	ulm_env *env; /* NULL: raw writes */
	rados_ioctx_t io;
	int index;
	double start;
	double until;
	long ops;
	int rc;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char name[32];
	struct ulm_key file = {name, 0};

	snprintf(name, sizeof(name), "%s-%d", w->env ? "file" : "raw",
		 w->index);
	file.len = strlen(name);
	/* First use of a file costs a watch: outside the timed loop. */
	for (int i = 0; i < 2 && !w->rc; i++)
		w->rc = w->env ? ulm_op(w->env, &file, i == 0)
			       : raw_write(w->io, name, i == 0);
	while (now_s() < w->start)
		usleep(1000);
	while (!w->rc && now_s() < w->until) {
		bool lock = w->ops % 2 == 0;

		w->rc = w->env ? ulm_op(w->env, &file, lock)
			       : raw_write(w->io, name, lock);
		w->ops++;
	}
	return NULL;
}

static double throughput(ulm_env *env, rados_ioctx_t io, int n)
{
	struct worker w[MAX_THREADS];
	double start, until;
	long ops = 0;

	/* The clock starts for all at once; warm-ups are done by then. */
	start = now_s() + 1.0;
	until = start + seconds_per_run;
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.env = env,
				       .io = io,
				       .index = i,
				       .start = start,
				       .until = until};
		if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			die("pthread_create", -EAGAIN);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].rc)
			die(env ? "lock op" : "raw omap write", w[i].rc);
		ops += w[i].ops;
	}
	return ops / (now_s() - start);
}

int main(int argc, char **argv)
{
	static const int in_flight[] = {1, 8, 32};
	rados_t cluster;
	rados_ioctx_t io;
	ulm_env *env;

	if (argc > 1)
		seconds_per_run = atof(argv[1]);
	snprintf(bench_ns, sizeof(bench_ns), "bench-%d", (int)getpid());
	io = raw_connect(&cluster);
	env = ulm_connect();
	latency(env, io);
	io_check_latency(env);
	for (size_t i = 0; i < sizeof(in_flight) / sizeof(*in_flight); i++) {
		double raw = throughput(NULL, io, in_flight[i]);
		double lib = throughput(env, io, in_flight[i]);

		printf("throughput in flight %2d: libulm %.0f ops/s, raw omap "
		       "write %.0f ops/s\n",
		       in_flight[i], lib, raw);
		printf("RATIO in_flight=%d libulm/raw ops/s = %.2f\n",
		       in_flight[i], lib / raw);
	}
	ulm_env_close(env);
	rados_ioctx_destroy(io);
	rados_shutdown(cluster);
	return 0;
}
