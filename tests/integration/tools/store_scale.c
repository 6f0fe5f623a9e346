/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-store-scale: a lock store of many files, through libulm (RADOS: the
 * cluster from $CEPH_CONF).
 *
 *   ulm-store-scale fill lmdb:DIR|rados:POOL/NS NODE FILES LOCKS [FIRST]
 *
 * fills it as node NODE: FILES files "f00000000".. (from file FIRST on,
 * default 0) of LOCKS write locks
 * each (bytes 0, 2, 4...; one owner "o<i>" per file, client
 * "fill-client"), 8 threads, then closes (the records stay, of NODE's
 * epoch then); one line says how many and how long; exit 1 with the
 * error if a lock was not granted.
 *
 *   ulm-store-scale list lmdb:DIR|rados:POOL/NS FILES LOCKS
 *
 * times what an operator's commands cost a live env (node 1) on such a
 * store, each against its target: the whole listing (ulmctl locks
 * through Ganesha), one file's listing (ulmctl locks --file) and the
 * lookup of a record by id (ulmctl break of another node's or an old
 * record: a listing up to it, here the last lock of the last file), and
 * of a record this env holds (its memory, then its file: ulmctl break of
 * a client's lock); bench/listing-bench.sh.
 *
 *   ulm-store-scale recover rados:POOL/NS|lmdb:DIR DEAD FILES LOCKS
 *
 * times a takeover's work on such a store filled by node DEAD, from node
 * DEAD + 1, each against its target: the recovery scan
 * (ulm_recovery_pending() of DEAD's records, all unreclaimed) and the
 * purge at grace end (ulm_node_purge()); RADOS: against one raw omap read
 * of a file object, and the OSD's rate of raw omap writes of LOCKS keys
 * removed each, ANCHOR_IN_FLIGHT in flight, on objects of their own (the
 * anchors, measured in the same run); bench/recovery-scale-bench.sh.
 */
#include <errno.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ulm.h"

#define FILL_THREADS	  8
#define OPERATOR_TARGET_S 2.0
#define RECOVERY_TARGET_S 10.0
#define ANCHOR_READS	  500
#define ANCHOR_WRITES	  2000
#define ANCHOR_IN_FLIGHT  32 /* as the purge's writes */

struct fill {
	ulm_env *env;
	uint32_t node;
	unsigned long files, locks, first; /* files: where to stop */
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
	key->len = (size_t)snprintf(name, 24, "f%08lu", i);
	key->data = name;
}

/* Locks on every other byte: one owner's adjacent locks would merge. */
static int fill_file(const struct fill *f, unsigned long i)
{
	struct ulm_owner owner = {.protocol = ULM_PROTO_NFS4,
				  .kind = ULM_OWNER_LOCK,
				  .node = f->node,
				  .client = "fill-client",
				  .client_len = 11};
	char name[24], own[24];
	struct ulm_key file;
	int rc = 0;

	file_name(i, name, &file);
	owner.owner_len = (size_t)snprintf(own, sizeof(own), "o%lu", i);
	owner.owner = own;
	for (unsigned long j = 0; !rc && j < f->locks; j++)
		rc = ulm_lock_acquire(f->env, &file, &owner, ULM_LOCK_WRITE,
				      2 * j, 2 * j, NULL, NULL);
	return rc;
}

static void *fill_thread(void *arg)
{
	struct fill *f = arg;

	for (unsigned long i = f->first; !f->rc && i < f->files;
	     i += FILL_THREADS)
		f->rc = fill_file(f, i);
	return NULL;
}

static int fill(const struct fill *base)
{
	struct fill f[FILL_THREADS];
	pthread_t tid[FILL_THREADS];
	int rc = 0;

	for (unsigned long t = 0; t < FILL_THREADS; t++) {
		f[t] = *base;
		f[t].first = base->first + t;
		if (pthread_create(&tid[t], NULL, fill_thread, &f[t]))
			f[t].rc = -EAGAIN;
	}
	for (unsigned long t = 0; t < FILL_THREADS; t++) {
		if (f[t].rc != -EAGAIN)
			pthread_join(tid[t], NULL);
		rc = rc ? rc : f[t].rc;
	}
	return rc;
}

static int open_env(const char *spec, uint32_t node, ulm_env **env)
{
	struct ulm_env_config cfg = {.node_id = node};
	char buf[512], *slash;

	snprintf(buf, sizeof(buf), "%s", spec);
	if (!strncmp(buf, "lmdb:", 5)) {
		cfg.store = ULM_STORE_LMDB;
		cfg.path = buf + 5;
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

static void report(const char *what, double t0, int rc, unsigned long records,
		   unsigned long expect)
{
	double s = now_s() - t0;

	if (rc < 0) {
		printf("%-28s failed: %s\n", what, ulm_strerror(rc));
		return;
	}
	printf("%-28s %9.3f s  %8lu records%s  target < %.0f s  %s\n", what, s,
	       records, expect && records != expect ? " (WRONG)" : "",
	       OPERATOR_TARGET_S, s < OPERATOR_TARGET_S ? "PASS" : "MISS");
}

static void timed_list(ulm_env *env, const char *what,
		       const struct ulm_key *file, struct walk *w,
		       unsigned long expect)
{
	double t0 = now_s();
	int rc = ulm_lock_list(env, file, count_visit, w);

	report(what, t0, rc, w->records, expect);
}

/* BreakLock's way to a record of this node (a lock just taken on file
 * @p i): the tables in memory, then a read of its file. */
static void timed_own_lookup(ulm_env *env, unsigned long i)
{
	struct fill f = {env, 1, i + 1, 1, i, 0};
	char name[24];
	struct ulm_key file;
	struct walk w = {0, &file, 0}, confirm = {0, &file, 0};
	double t0;
	int rc = fill_file(&f, i);

	file_name(i, name, &file);
	t0 = now_s();
	if (!rc)
		rc = ulm_lock_list_cached(env, count_visit, &w);
	if (rc == 1)
		rc = ulm_lock_list(env, &file, count_visit, &confirm);
	report("live lookup, own record", t0, rc == 1 ? 0 : -ENOENT,
	       w.records + confirm.records, 0);
}

static int fill_command(char **argv)
{
	struct fill f = {0};
	double t0 = now_s();
	int rc;

	f.node = (uint32_t)strtoul(argv[3], NULL, 10);
	f.files = strtoul(argv[4], NULL, 10);
	f.locks = strtoul(argv[5], NULL, 10);
	f.first = argv[6] ? strtoul(argv[6], NULL, 10) : 0;
	f.files += f.first; /* the end */
	rc = open_env(argv[2], f.node, &f.env);
	if (!rc) {
		rc = fill(&f);
		ulm_env_close(f.env);
	}
	if (rc) {
		fprintf(stderr, "ulm-store-scale: %s: %s\n", argv[2],
			ulm_strerror(rc));
		return 1;
	}
	printf("%s: %lu files x %lu locks of node %u in %.1f s\n", argv[2],
	       f.files - f.first, f.locks, f.node, now_s() - t0);
	return 0;
}

static int list_command(char **argv)
{
	unsigned long files = strtoul(argv[3], NULL, 10);
	unsigned long locks = strtoul(argv[4], NULL, 10);
	char name[24];
	struct ulm_key last;
	ulm_env *env;
	int rc = open_env(argv[2], 1, &env);

	if (rc) {
		fprintf(stderr, "ulm-store-scale: %s: %s\n", argv[2],
			ulm_strerror(rc));
		return 1;
	}
	file_name(files - 1, name, &last);
	timed_list(env, "live listing, every file", NULL, &(struct walk){0},
		   files * locks);
	timed_list(env, "live listing, one file", &last, &(struct walk){0},
		   locks);
	timed_list(env, "live lookup by id (break)", NULL,
		   &(struct walk){0, &last, 2 * (locks - 1)}, 0);
	timed_own_lookup(env, files);
	ulm_env_close(env);
	return 0;
}

struct store_spec {
	char pool[256];
	char ns[256];
};

/* The pool and namespace of "rados:POOL/NS"; false: not RADOS. */
static bool rados_spec(const char *spec, struct store_spec *out)
{
	const char *slash;

	if (strncmp(spec, "rados:", 6))
		return false;
	spec += 6;
	slash = strchr(spec, '/');
	snprintf(out->pool, sizeof(out->pool), "%.*s",
		 (int)(slash ? slash - spec : (long)strlen(spec)), spec);
	snprintf(out->ns, sizeof(out->ns), "%s", slash ? slash + 1 : "");
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of ANCHOR_READS raw omap reads of file 0's object, one at a
 * time, in seconds; 0: not measured. */
static double anchor_read_s(const struct store_spec *spec)
{
	static double lat[ANCHOR_READS];
	char oid[64] = "f.";
	char name[24];
	struct ulm_key key;
	rados_t cluster;
	rados_ioctx_t io;
	int n = 0;

	file_name(0, name, &key);
	for (size_t i = 0; i < key.len; i++)
		sprintf(oid + 2 + 2 * i, "%02x", (unsigned char)name[i]);
	if (rados_create(&cluster, NULL) ||
	    rados_conf_read_file(cluster, NULL) || rados_connect(cluster))
		return 0;
	if (!rados_ioctx_create(cluster, spec->pool, &io)) {
		rados_ioctx_set_namespace(io, spec->ns);
		for (; n < ANCHOR_READS; n++) {
			rados_read_op_t op = rados_create_read_op();
			rados_omap_iter_t iter;
			unsigned char more;
			int prval;
			double t0 = now_s();

			rados_read_op_omap_get_vals2(op, "", "", 1024, &iter,
						     &more, &prval);
			if (rados_read_op_operate(op, io, oid, 0))
				break;
			rados_omap_get_end(iter);
			rados_release_read_op(op);
			lat[n] = now_s() - t0;
		}
		rados_ioctx_destroy(io);
	}
	rados_shutdown(cluster);
	if (n < ANCHOR_READS)
		return 0;
	qsort(lat, ANCHOR_READS, sizeof(lat[0]), cmp_double);
	return lat[ANCHOR_READS / 2];
}

/* A raw write of @p keys omap keys set (or removed) on anchor object i. */
static int anchor_write_start(rados_ioctx_t io, int i, unsigned long keys,
			      bool set, rados_write_op_t *op,
			      rados_completion_t *done)
{
	char oid[32], names[64][17];
	const char *k[64], *v[64];
	size_t klen[64], vlen[64];
	static const char value[64] = "an encoded record of about this size";

	snprintf(oid, sizeof(oid), "anchor.%d", i);
	for (unsigned long j = 0; j < keys && j < 64; j++) {
		klen[j] = (size_t)snprintf(names[j], 17, "%016lx", j + 1);
		k[j] = names[j];
		v[j] = value;
		vlen[j] = sizeof(value);
	}
	*op = rados_create_write_op();
	if (set)
		rados_write_op_omap_set2(*op, k, v, klen, vlen, keys);
	else
		rados_write_op_omap_rm_keys2(*op, k, klen, keys);
	if (rados_aio_create_completion2(NULL, NULL, done))
		return -ENOMEM;
	return rados_aio_write_op_operate(*op, io, *done, oid, NULL, 0);
}

/* ANCHOR_WRITES raw writes, one per anchor object, ANCHOR_IN_FLIGHT at
 * once. */
static int anchor_writes(rados_ioctx_t io, unsigned long keys, bool set)
{
	rados_completion_t done[ANCHOR_IN_FLIGHT] = {0};
	rados_write_op_t op[ANCHOR_IN_FLIGHT] = {0};
	int rc = 0;

	for (int i = 0; i < ANCHOR_WRITES + ANCHOR_IN_FLIGHT; i++) {
		int slot = i % ANCHOR_IN_FLIGHT;

		if (done[slot]) {
			rados_aio_wait_for_complete(done[slot]);
			rc = rc ? rc : rados_aio_get_return_value(done[slot]);
			rados_aio_release(done[slot]);
			done[slot] = NULL;
		}
		if (op[slot])
			rados_release_write_op(op[slot]);
		op[slot] = NULL;
		if (i < ANCHOR_WRITES && !rc)
			rc = anchor_write_start(io, i, keys, set, &op[slot],
						&done[slot]);
	}
	return rc;
}

/* Seconds per raw omap write removing @p keys keys (a purge's write of a
 * file of that many records), ANCHOR_IN_FLIGHT in flight, over
 * ANCHOR_WRITES objects of a namespace of their own, filled first
 * (untimed): the OSD's rate for the purge's writes. 0: not measured. */
static double anchor_write_s(const struct store_spec *spec, unsigned long keys)
{
	char ns[sizeof(spec->ns) + 8];
	double s = 0, t0;
	rados_t cluster;
	rados_ioctx_t io;

	if (keys > 64 || rados_create(&cluster, NULL) ||
	    rados_conf_read_file(cluster, NULL) || rados_connect(cluster))
		return 0;
	snprintf(ns, sizeof(ns), "%s-anchor", spec->ns);
	if (!rados_ioctx_create(cluster, spec->pool, &io)) {
		rados_ioctx_set_namespace(io, ns);
		if (!anchor_writes(io, keys, true)) {
			t0 = now_s();
			if (!anchor_writes(io, keys, false))
				s = (now_s() - t0) / ANCHOR_WRITES;
		}
		rados_ioctx_destroy(io);
	}
	rados_shutdown(cluster);
	return s;
}

/* The write anchor again (after the purge), both printed. @return
 * their mean */
static double write_anchor_report(const struct store_spec *spec,
				  unsigned long keys, double before)
{
	double after = anchor_write_s(spec, keys);

	printf("%-28s %5.0f / %.0f us (before / after the purge; %d writes "
	       "of %lu keys removed, %d in flight)\n",
	       "anchor: raw omap write", before * 1e6, after * 1e6,
	       ANCHOR_WRITES, keys, ANCHOR_IN_FLIGHT);
	return after > 0 ? (before + after) / 2 : before;
}

/* What the run took, per file and in @p anchor units (0: none). */
static void report_recovery(const char *what, double s, int rc,
			    uint64_t records, uint64_t expect,
			    unsigned long files, double anchor,
			    const char *anchor_unit)
{
	if (rc < 0) {
		printf("%-28s failed: %s\n", what, ulm_strerror(rc));
		return;
	}
	printf("%-28s %9.3f s  %8llu records%s  %6.0f us/file", what, s,
	       (unsigned long long)records, records != expect ? " (WRONG)" : "",
	       s / files * 1e6);
	if (anchor > 0)
		printf(" = %5.2f %s", s / files / anchor, anchor_unit);
	printf("  target < %.0f s  %s\n", RECOVERY_TARGET_S,
	       s < RECOVERY_TARGET_S ? "PASS" : "MISS");
}

struct epoch_of {
	uint32_t node;
	uint32_t epoch;
};

static int epoch_visit(const struct ulm_node_info *node, void *arg)
{
	struct epoch_of *e = arg;

	if (node->node == e->node)
		e->epoch = node->epoch;
	return 0;
}

/* Node DEAD's records are recovered from node DEAD + 1, as a takeover
 * does: all of its epochs, counted, then purged. */
static int recover_command(char **argv)
{
	uint32_t dead = (uint32_t)strtoul(argv[3], NULL, 10);
	unsigned long files = strtoul(argv[4], NULL, 10);
	unsigned long locks = strtoul(argv[5], NULL, 10);
	uint64_t expect = (uint64_t)files * locks;
	struct epoch_of e = {dead, 0};
	struct store_spec spec;
	double anchor = 0, write_anchor = 0, t0, purge_s;
	uint64_t n = 0;
	ulm_env *env;
	int rc = open_env(argv[2], dead + 1, &env);

	if (!rc)
		rc = ulm_node_list(env, epoch_visit, &e);
	if (!rc)
		rc = ulm_recovery_begin(env, dead, e.epoch + 1);
	if (rc) {
		fprintf(stderr, "ulm-store-scale: %s: %s\n", argv[2],
			ulm_strerror(rc));
		return 1;
	}
	if (rados_spec(argv[2], &spec)) {
		anchor = anchor_read_s(&spec);
		printf("%-28s %9.0f us (median of %d)\n",
		       "anchor: raw omap read", anchor * 1e6, ANCHOR_READS);
		write_anchor = anchor_write_s(&spec, locks);
	}
	t0 = now_s();
	rc = ulm_recovery_pending(env, dead, &n);
	report_recovery("recovery scan (pending)", now_s() - t0, rc, n, expect,
			files, anchor, "raw reads");
	t0 = now_s();
	rc = ulm_node_purge(env, dead, e.epoch + 1, &n);
	purge_s = now_s() - t0;
	/* Writes on a loaded host: the anchor before and after, averaged. */
	if (write_anchor > 0)
		write_anchor = write_anchor_report(&spec, locks, write_anchor);
	report_recovery("purge", purge_s, rc, n, expect, files, write_anchor,
			"raw writes");
	rc = ulm_recovery_pending(env, dead, &n);
	printf("%-28s %s (%llu records left)\n", "after the purge",
	       !rc && !n ? "none left" : "WRONG", (unsigned long long)n);
	ulm_recovery_end(env, dead);
	ulm_env_close(env);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "fill"))
		return fill_command(argv);
	if (argc == 5 && !strcmp(argv[1], "list"))
		return list_command(argv);
	if (argc == 6 && !strcmp(argv[1], "recover"))
		return recover_command(argv);
	fprintf(stderr, "usage: ulm-store-scale fill lmdb:DIR|rados:POOL/NS "
			"NODE FILES LOCKS [FIRST]\n"
			"       ulm-store-scale list lmdb:DIR|rados:POOL/NS "
			"FILES LOCKS\n"
			"       ulm-store-scale recover lmdb:DIR|rados:POOL/NS "
			"DEAD FILES LOCKS\n");
	return 2;
}
