/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-listing-bench: fill a lock store through libulm with FILES files of
 * LOCKS byte-range locks each (node 1, one owner per file), then time what
 * an operator's commands cost on the live env, each against its target:
 *
 *   ulm-listing-bench lmdb:DIR|rados:POOL/NS FILES LOCKS
 *
 * the whole listing (ulmctl locks through Ganesha), one file's listing
 * (ulmctl locks --file) and the lookup of a record by id (ulmctl break:
 * a listing up to the record, here one of the last file filled). The
 * store is left filled, for the offline listing that
 * bench/listing-bench.sh times next (RADOS: from $CEPH_CONF).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ulm.h"

#define FILL_THREADS	  8
#define OPERATOR_TARGET_S 2.0

struct fill {
	ulm_env *env;
	unsigned long files, locks, first, step;
	int rc;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void file_name(unsigned long i, char name[24], struct ulm_key *key)
{
	snprintf(name, 24, "f%08lu", i);
	key->data = name;
	key->len = strlen(name);
}

/* Locks on every other byte: one owner's adjacent locks would merge. */
static int fill_file(ulm_env *env, unsigned long i, unsigned long locks)
{
	struct ulm_owner owner = {.protocol = ULM_PROTO_NFS4,
				  .kind = ULM_OWNER_LOCK,
				  .node = 1,
				  .client = "bench-client",
				  .client_len = 12};
	char name[24], own[24];
	struct ulm_key file;
	int rc = 0;

	file_name(i, name, &file);
	owner.owner_len = (size_t)snprintf(own, sizeof(own), "o%lu", i);
	owner.owner = own;
	for (unsigned long j = 0; !rc && j < locks; j++)
		rc = ulm_lock_acquire(env, &file, &owner, ULM_LOCK_WRITE, 2 * j,
				      2 * j, NULL, NULL);
	return rc;
}

static void *fill_thread(void *arg)
{
	struct fill *f = arg;

	for (unsigned long i = f->first; !f->rc && i < f->files; i += f->step)
		f->rc = fill_file(f->env, i, f->locks);
	return NULL;
}

static int fill(ulm_env *env, unsigned long files, unsigned long locks)
{
	struct fill f[FILL_THREADS];
	pthread_t tid[FILL_THREADS];
	int rc = 0;

	for (unsigned long t = 0; t < FILL_THREADS; t++) {
		f[t] = (struct fill){env, files, locks, t, FILL_THREADS, 0};
		pthread_create(&tid[t], NULL, fill_thread, &f[t]);
	}
	for (unsigned long t = 0; t < FILL_THREADS; t++) {
		pthread_join(tid[t], NULL);
		rc = rc ? rc : f[t].rc;
	}
	return rc;
}

struct walk {
	unsigned long records;
	const struct ulm_key *stop_file; /* NULL: the whole listing */
	uint64_t stop_start;
};

static int count_visit(const struct ulm_key *file,
		       const struct ulm_lock_info *lock, void *arg)
{
	struct walk *w = arg;

	w->records++;
	return w->stop_file && file->len == w->stop_file->len &&
	       !memcmp(file->data, w->stop_file->data, file->len) &&
	       lock->start == w->stop_start;
}

static void timed_list(ulm_env *env, const char *what,
		       const struct ulm_key *file, struct walk *w,
		       unsigned long expect)
{
	double t0 = now_s(), s;
	int rc = ulm_lock_list(env, file, count_visit, w);

	s = now_s() - t0;
	if (rc < 0) {
		printf("%-28s failed: %s\n", what, ulm_strerror(rc));
		return;
	}
	printf("%-28s %9.3f s  %8lu records%s  target < %.0f s  %s\n", what, s,
	       w->records, expect && w->records != expect ? " (WRONG)" : "",
	       OPERATOR_TARGET_S, s < OPERATOR_TARGET_S ? "PASS" : "MISS");
}

static int open_env(const char *spec, ulm_env **env, char *buf, size_t len)
{
	struct ulm_env_config cfg = {.node_id = 1};
	char *slash;

	snprintf(buf, len, "%s", spec);
	if (!strncmp(buf, "lmdb:", 5)) {
		cfg.store = ULM_STORE_LMDB;
		cfg.path = buf + 5;
		cfg.map_size = 4ULL << 30;
	} else if (!strncmp(buf, "rados:", 6)) {
		cfg.store = ULM_STORE_RADOS;
		cfg.pool = buf + 6;
		slash = strchr(buf, '/');
		if (slash)
			*slash++ = '\0';
		cfg.rados_namespace = slash;
	} else {
		return -EINVAL;
	}
	return ulm_env_open(&cfg, env);
}

int main(int argc, char **argv)
{
	unsigned long files, locks;
	char name[24], buf[512];
	struct ulm_key last;
	ulm_env *env;
	double t0;
	int rc;

	if (argc != 4) {
		fprintf(stderr,
			"usage: ulm-listing-bench lmdb:DIR|rados:POOL/NS "
			"FILES LOCKS\n");
		return 2;
	}
	files = strtoul(argv[2], NULL, 10);
	locks = strtoul(argv[3], NULL, 10);
	rc = open_env(argv[1], &env, buf, sizeof(buf));
	if (rc) {
		fprintf(stderr, "ulm-listing-bench: %s: %s\n", argv[1],
			ulm_strerror(rc));
		return 1;
	}
	t0 = now_s();
	rc = fill(env, files, locks);
	printf("%s: %lu files x %lu locks filled in %.1f s%s%s\n", argv[1],
	       files, locks, now_s() - t0, rc ? ": " : "",
	       rc ? ulm_strerror(rc) : "");
	if (!rc) {
		file_name(files - 1, name, &last);
		timed_list(env, "live listing, every file", NULL,
			   &(struct walk){0}, files * locks);
		timed_list(env, "live listing, one file", &last,
			   &(struct walk){0}, locks);
		timed_list(env, "live lookup by id (break)", NULL,
			   &(struct walk){0, &last, 2 * (locks - 1)}, 0);
	}
	ulm_env_close(env);
	return rc ? 1 : 0;
}
