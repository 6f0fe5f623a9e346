/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-scale-curve: how grant latency and memory grow with the table, in
 * one process through libulm (issue 25; bench/scale-curve.sh runs it).
 *
 *   ulm-scale-curve memory|lmdb:DIR|rados:POOL/NS locks|files SIZE...
 *
 * Opens a fresh env as node 1 and measures the anchor: its RSS empty,
 * and the grant of a write lock on a fresh file of the empty store. Then
 * it grows the store size by size (ascending) and at each one measures
 * the grant of a new lock and the process's memory:
 *
 *   locks  one file holding SIZE write locks (one owner per 10 locks);
 *          the sample is a new lock on that file, by another owner
 *   files  SIZE files of 10 write locks each (one owner a file; 8
 *          threads fill them: RADOS is latency-bound); the sample is a
 *          lock on a file never used before
 *
 * Each sample's lock is released, untimed, before the next. One line a
 * row (the first one the anchor, size 0), columns in the header line:
 * latency p50/p99 and their ratios to the anchor's, VmRSS, VmHWM and
 * RssAnon from /proc/self/status, and glibc's view of the heap
 * (mallinfo2: bytes in use, bytes free but kept), and the files and
 * records this env has in memory (ulm_lock_list_cached), the fill's
 * time and the grants retried so far (the store did not answer in time:
 * -ETIMEDOUT, ULM_EBUSY; a sample's latency includes its retries). All
 * sizes in KiB, latencies in microseconds. Last, a comment line: memory
 * after malloc_trim(0).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ulm.h"

#define LOCKS_PER_FILE	10
#define LOCKS_PER_OWNER 10
#define FILL_THREADS	8
#define NAME_MAX_LEN	32
/* A grant on a fresh RADOS file is a few round trips: fewer samples. */
#define SAMPLES_LOCAL 2000
#define SAMPLES_RADOS 200
/* The listing bench's fill lost the default 15 s lease on this loaded
 * 2-core host: a bench measures the table, not the lease. */
#define RADOS_LEASE_MS 60000

enum curve { CURVE_LOCKS, CURVE_FILES };

struct bench {
	ulm_env *env;
	enum curve curve;
	size_t samples;
	double *ns;
	double anchor_p50, anchor_p99;
	unsigned long size; /* locks on the file, or files, so far */
};

struct memory {
	long rss_kb, hwm_kb, anon_kb;
	size_t heap_kb, kept_kb;
	unsigned long files, records;
};

static void die(const char *what, int rc)
{
	fprintf(stderr, "ulm-scale-curve: %s: %s\n", what, ulm_strerror(rc));
	exit(1);
}

static double clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct ulm_key name_key(char buf[NAME_MAX_LEN], const char *prefix,
			       unsigned long n)
{
	int len = snprintf(buf, NAME_MAX_LEN, "%s%08lu", prefix, n);

	return (struct ulm_key){buf, (size_t)len};
}

static struct ulm_owner lock_owner(char buf[NAME_MAX_LEN], const char *prefix,
				   unsigned long n)
{
	int len = snprintf(buf, NAME_MAX_LEN, "%s%lu", prefix, n);

	return (struct ulm_owner){.protocol = ULM_PROTO_NFS4,
				  .kind = ULM_OWNER_LOCK,
				  .node = 1,
				  .client = "curve-client",
				  .client_len = 12,
				  .owner = buf,
				  .owner_len = (size_t)len};
}

/* Calls the store could not answer in time, retried as a client told
 * NFS4ERR_DELAY would (the same owner's same range: harmless if it was
 * granted after all). */
static atomic_ulong retries;

static int acquire(ulm_env *env, const struct ulm_key *file,
		   const struct ulm_owner *owner, uint64_t byte)
{
	int rc;

	while ((rc = ulm_lock_acquire(env, file, owner, ULM_LOCK_WRITE, byte,
				      byte, NULL, NULL)) == -ETIMEDOUT ||
	       rc == ULM_EBUSY)
		atomic_fetch_add(&retries, 1);
	return rc;
}

/* Write locks on every other byte: one owner's adjacent ranges merge. */
static int hold(ulm_env *env, const struct ulm_key *file,
		const struct ulm_owner *owner, uint64_t n)
{
	return acquire(env, file, owner, 2 * n);
}

/* ----- filling ----- */

static void fill_locks(struct bench *b, unsigned long to)
{
	char name[NAME_MAX_LEN], own[NAME_MAX_LEN];
	struct ulm_key file = name_key(name, "hot", 0);

	for (; b->size < to; b->size++) {
		struct ulm_owner o =
			lock_owner(own, "o", b->size / LOCKS_PER_OWNER);
		int rc = hold(b->env, &file, &o, b->size);

		if (rc)
			die("fill the hot file", rc);
	}
}

struct file_filler {
	ulm_env *env;
	atomic_ulong next;
	unsigned long end;
	atomic_int rc;
};

static int fill_one_file(ulm_env *env, unsigned long i)
{
	char name[NAME_MAX_LEN], own[NAME_MAX_LEN];
	struct ulm_key file = name_key(name, "f", i);
	struct ulm_owner o = lock_owner(own, "o", i);
	int rc = 0;

	for (unsigned j = 0; !rc && j < LOCKS_PER_FILE; j++)
		rc = hold(env, &file, &o, j);
	return rc;
}

static void *file_filler_run(void *arg)
{
	struct file_filler *f = arg;
	unsigned long i;
	int rc;

	while (!atomic_load(&f->rc) &&
	       (i = atomic_fetch_add(&f->next, 1)) < f->end)
		if ((rc = fill_one_file(f->env, i)))
			atomic_store(&f->rc, rc);
	return NULL;
}

static void fill_files(struct bench *b, unsigned long to)
{
	struct file_filler f = {.env = b->env, .end = to};
	pthread_t tid[FILL_THREADS];
	unsigned started = 0;

	atomic_init(&f.next, b->size);
	atomic_init(&f.rc, 0);
	while (started < FILL_THREADS &&
	       !pthread_create(&tid[started], NULL, file_filler_run, &f))
		started++;
	file_filler_run(&f);
	while (started)
		pthread_join(tid[--started], NULL);
	if (atomic_load(&f.rc))
		die("fill the files", atomic_load(&f.rc));
	b->size = to;
}

/* ----- sampling ----- */

/* One grant: on the hot file (@p fresh false) between its locks, or on
 * a file never used, named by @p n; released after. */
static double time_grant(ulm_env *env, bool fresh, unsigned long size,
			 unsigned long n)
{
	char name[NAME_MAX_LEN], own[NAME_MAX_LEN];
	struct ulm_key file =
		fresh ? name_key(name, "fresh", n) : name_key(name, "hot", 0);
	struct ulm_owner probe = lock_owner(own, "probe", 0);
	uint64_t byte = fresh ? 0 : 2 * (n % size) + 1;
	double t0 = clock_ns(), ns;
	int rc = acquire(env, &file, &probe, byte);

	ns = clock_ns() - t0;
	if (rc)
		die("grant", rc);
	rc = ulm_lock_release(env, &file, &probe, byte, byte);
	if (rc)
		die("release", rc);
	return ns;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* p50 and p99 of @p b->samples grants, in microseconds. */
static void sample(struct bench *b, bool fresh, double *p50, double *p99)
{
	static unsigned long fresh_files;

	for (size_t i = 0; i < b->samples; i++)
		b->ns[i] = time_grant(b->env, fresh, b->size,
				      fresh ? fresh_files++ : i);
	qsort(b->ns, b->samples, sizeof(*b->ns), by_value);
	*p50 = b->ns[b->samples / 2] / 1e3;
	*p99 = b->ns[b->samples * 99 / 100] / 1e3;
}

/* ----- memory ----- */

static long status_kb(const char *status, const char *field)
{
	const char *at = strstr(status, field);

	return at ? strtol(at + strlen(field), NULL, 10) : -1;
}

static void read_status(struct memory *m)
{
	char buf[8192];
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	m->rss_kb = status_kb(buf, "VmRSS:");
	m->hwm_kb = status_kb(buf, "VmHWM:");
	m->anon_kb = status_kb(buf, "RssAnon:");
}

struct cached_count {
	unsigned long files, records;
	char last[ULM_KEY_MAX];
	size_t last_len;
};

/* Records come file by file: a new key starts a new file. */
static int count_cached(const struct ulm_key *file,
			const struct ulm_lock_info *lock, void *arg)
{
	struct cached_count *c = arg;

	(void)lock;
	c->records++;
	if (file->len != c->last_len ||
	    memcmp(file->data, c->last, file->len)) {
		c->files++;
		c->last_len = file->len;
		memcpy(c->last, file->data, file->len);
	}
	return 0;
}

static void measure_memory(ulm_env *env, struct memory *m)
{
	struct mallinfo2 mi = mallinfo2();
	struct cached_count c = {0};
	int rc;

	read_status(m);
	m->heap_kb = (mi.uordblks + mi.hblkhd) / 1024;
	m->kept_kb = mi.fordblks / 1024;
	rc = ulm_lock_list_cached(env, count_cached, &c);
	if (rc)
		die("list the cached tables", rc);
	m->files = c.files;
	m->records = c.records;
}

/* ----- rows ----- */

static void header(const char *store, const char *curve)
{
	printf("# %s, %s curve; latency in us, memory in KiB; x: ratio to the "
	       "anchor (size 0: empty store, grant on a fresh file)\n",
	       store, curve);
	printf("#%7s %10s %10s %7s %7s %9s %9s %9s %9s %9s %8s %9s %7s %7s\n",
	       "size", "p50_us", "p99_us", "x_p50", "x_p99", "rss_kb", "hwm_kb",
	       "anon_kb", "heap_kb", "kept_kb", "files", "records", "fill_s",
	       "retries");
}

static void row(const struct bench *b, double p50, double p99,
		const struct memory *m, double fill_s)
{
	printf("%8lu %10.2f %10.2f %7.3g %7.3g %9ld %9ld %9ld %9zu %9zu %8lu "
	       "%9lu %7.1f %7lu\n",
	       b->size, p50, p99, p50 / b->anchor_p50, p99 / b->anchor_p99,
	       m->rss_kb, m->hwm_kb, m->anon_kb, m->heap_kb, m->kept_kb,
	       m->files, m->records, fill_s, atomic_load(&retries));
	fflush(stdout);
}

static void run_anchor(struct bench *b)
{
	struct memory m;

	measure_memory(b->env, &m); /* the empty env, before any grant */
	sample(b, true, &b->anchor_p50, &b->anchor_p99);
	row(b, b->anchor_p50, b->anchor_p99, &m, 0);
}

static void run_size(struct bench *b, unsigned long size)
{
	double t0 = clock_ns(), fill_s, p50, p99;
	struct memory m;

	if (b->curve == CURVE_LOCKS)
		fill_locks(b, size);
	else
		fill_files(b, size);
	fill_s = (clock_ns() - t0) / 1e9;
	sample(b, b->curve == CURVE_FILES, &p50, &p99);
	measure_memory(b->env, &m);
	row(b, p50, p99, &m, fill_s);
}

/* What glibc gives back when asked (its arenas' free memory): whether
 * RSS above the heap in use is fragmentation that a trim would return. */
static void trimmed_row(ulm_env *env)
{
	struct memory m;

	malloc_trim(0);
	measure_memory(env, &m);
	printf("# after malloc_trim(0): rss_kb %ld anon_kb %ld heap_kb %zu "
	       "kept_kb %zu\n",
	       m.rss_kb, m.anon_kb, m.heap_kb, m.kept_kb);
}

/* ----- setup ----- */

static int open_env(const char *spec, ulm_env **env)
{
	struct ulm_env_config cfg = {.node_id = 1};
	char buf[512], *ns;

	snprintf(buf, sizeof(buf), "%s", spec);
	if (!strcmp(buf, "memory")) {
		cfg.store = ULM_STORE_MEMORY;
	} else if (!strncmp(buf, "lmdb:", 5)) {
		cfg.store = ULM_STORE_LMDB;
		cfg.path = buf + 5;
		cfg.map_size = 4ULL << 30;
	} else if (!strncmp(buf, "rados:", 6)) {
		cfg.store = ULM_STORE_RADOS;
		cfg.pool = buf + 6;
		cfg.lease_ms = RADOS_LEASE_MS;
		if ((ns = strchr(cfg.pool, '/')))
			*ns++ = '\0';
		cfg.rados_namespace = ns;
	} else {
		return -EINVAL;
	}
	return ulm_env_open(&cfg, env);
}

static int usage(void)
{
	fprintf(stderr, "usage: ulm-scale-curve memory|lmdb:DIR|rados:POOL/NS "
			"locks|files SIZE...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	int rc;

	if (argc < 4 || (strcmp(argv[2], "locks") && strcmp(argv[2], "files")))
		return usage();
	b.curve = strcmp(argv[2], "locks") ? CURVE_FILES : CURVE_LOCKS;
	b.samples =
		strncmp(argv[1], "rados:", 6) ? SAMPLES_LOCAL : SAMPLES_RADOS;
	b.ns = calloc(b.samples, sizeof(*b.ns));
	if (!b.ns)
		die("samples", -ENOMEM);
	rc = open_env(argv[1], &b.env);
	if (rc)
		die(argv[1], rc);
	header(argv[1], argv[2]);
	run_anchor(&b);
	for (int i = 3; i < argc; i++)
		run_size(&b, strtoul(argv[i], NULL, 10));
	trimmed_row(b.env);
	ulm_env_close(b.env);
	free(b.ns);
	return 0;
}
