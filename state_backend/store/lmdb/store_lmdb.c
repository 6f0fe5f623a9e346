/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The LMDB store: one environment directory, four named databases.
 *
 *   meta     "format" -> u32 RECORD_FORMAT (an older one is upgraded);
 *            "clock" -> u64, the last version, id or event number handed
 *            out; "node" u32 id -> {u32 epoch, u32 pid, u64 pid start
 *            time} (pid 0: not open)
 *   files    file key -> u64 version, only while the file has records
 *   records  u16 key length, file key, u64 record id -> encoded record
 *   events   u32 node, u64 event number -> message (event.c), until the
 *            node takes it
 *
 * All integers big-endian. Versions and ids come from one clock, so no
 * version or id is ever reused: a cache can never mistake an old table
 * for a new one after a file emptied and was locked again.
 *
 * Commits do not fsync unless asked (cfg->sync): LMDB's copy-on-write
 * pages leave the map consistent after a crash of the process, which
 * loses nothing; only a crash of the OS may lose the last commits, and
 * those are locks whose holders a restarted server must see reclaimed
 * in grace anyway.
 */
#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bytes.h"
#include "store.h"

#define DEFAULT_MAP_SIZE (1ULL << 30)
#define NODE_KEY_LEN	 8 /* "node" + u32 */
#define NODE_VAL_LEN	 16
#define RECORD_KEY_MAX	 (2 + ULM_KEY_MAX + 8)

struct lmdb_store {
	struct ulm_store base;
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi files;
	MDB_dbi records;
	MDB_dbi events;
	uint32_t node_id;
	bool read_only;
};

static struct lmdb_store *to_lmdb(struct ulm_store *store)
{
	return (struct lmdb_store *)store;
}

/* LMDB returns positive errnos and its own negative codes. */
static int mdb_errno(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_MAP_FULL:
		return -ENOLCK;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return ULM_EFORMAT;
	}
	return rc > 0 ? -rc : -EIO;
}

static MDB_val val(const void *data, size_t len)
{
	return (MDB_val){.mv_size = len, .mv_data = (void *)data};
}

static size_t record_key(uint8_t *buf, const struct ulm_key *file, uint64_t id)
{
	put_be16(buf, file->len);
	memcpy(buf + 2, file->data, file->len);
	put_be64(buf + 2 + file->len, id);
	return 2 + file->len + 8;
}

static int get_u64(MDB_txn *txn, MDB_dbi dbi, MDB_val key, uint64_t *out)
{
	MDB_val v;
	int rc = mdb_get(txn, dbi, &key, &v);

	*out = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mdb_errno(rc);
	if (v.mv_size != 8)
		return ULM_ECORRUPT;
	*out = get_be64(v.mv_data);
	return 0;
}

static int put_u64(MDB_txn *txn, MDB_dbi dbi, MDB_val key, uint64_t value)
{
	uint8_t buf[8];
	MDB_val v;

	put_be64(buf, value);
	v = val(buf, sizeof(buf));
	return mdb_errno(mdb_put(txn, dbi, &key, &v, 0));
}

static int file_version_in(const struct lmdb_store *s, MDB_txn *txn,
			   const struct ulm_key *file, uint64_t *version)
{
	return get_u64(txn, s->files, val(file->data, file->len), version);
}

/* Start time of a process in clock ticks since boot, or 0 if gone. A
 * zombie is gone too: its parent may reap it seconds later. */
static uint64_t pid_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and ')': fields resume after the last ')'.
	 * starttime is field 22, the 20th after it. */
	p = strrchr(buf, ')');
	if (p && (p[1] == '\0' || p[2] == 'Z' || p[2] == 'X'))
		return 0;
	if (p && sscanf(p + 2,
			"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			"%*d %*d %*d %*d %*d %*d %llu",
			&start) != 1)
		start = 0;
	return start;
}

/* Is the process that registered a node still the one running? A reused
 * pid has another start time. */
static bool holder_alive(uint32_t pid, uint64_t start_time)
{
	if (pid == 0 || (kill((pid_t)pid, 0) && errno != EPERM))
		return false;
	return pid_start_time((pid_t)pid) == start_time;
}

static void node_key(uint8_t *key, uint32_t node)
{
	memcpy(key, "node", 4);
	put_be32(key + 4, node);
}

struct node_entry {
	uint32_t epoch;
	uint32_t pid; /* 0: not open */
	uint64_t pid_start;
};

static int node_decode(const MDB_val *v, struct node_entry *e)
{
	if (v->mv_size != NODE_VAL_LEN)
		return ULM_ECORRUPT;
	e->epoch = get_be32(v->mv_data);
	e->pid = get_be32((uint8_t *)v->mv_data + 4);
	e->pid_start = get_be64((uint8_t *)v->mv_data + 8);
	return 0;
}

static int node_read(struct lmdb_store *s, MDB_txn *txn, struct node_entry *e)
{
	uint8_t key[NODE_KEY_LEN];
	MDB_val k, v;
	int rc;

	node_key(key, s->node_id);
	k = val(key, sizeof(key));
	memset(e, 0, sizeof(*e));
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mdb_errno(rc);
	return node_decode(&v, e);
}

static int node_write(struct lmdb_store *s, MDB_txn *txn, uint32_t epoch,
		      uint32_t pid)
{
	uint8_t key[NODE_KEY_LEN], buf[NODE_VAL_LEN];
	MDB_val k, v;

	node_key(key, s->node_id);
	put_be32(buf, epoch);
	put_be32(buf + 4, pid);
	put_be64(buf + 8, pid ? pid_start_time(pid) : 0);
	k = val(key, sizeof(key));
	v = val(buf, sizeof(buf));
	return mdb_errno(mdb_put(txn, s->meta, &k, &v, 0));
}

/* A new store gets today's format; an older one (whose records this
 * version still reads) is marked as today's once opened for writing, so an
 * older libulm refuses it rather than misread today's records. */
static int format_check(struct lmdb_store *s, MDB_txn *txn)
{
	uint8_t buf[4];
	MDB_val k = val("format", 6), v;
	int rc = mdb_get(txn, s->meta, &k, &v);
	uint32_t format = 0;

	if (rc && rc != MDB_NOTFOUND)
		return mdb_errno(rc);
	if (!rc) {
		if (v.mv_size != 4)
			return ULM_EFORMAT;
		format = get_be32(v.mv_data);
		if (!record_format_known(format))
			return ULM_EFORMAT;
	}
	if (format == RECORD_FORMAT || s->read_only)
		return rc == MDB_NOTFOUND ? mdb_errno(rc) : 0;
	put_be32(buf, RECORD_FORMAT);
	v = val(buf, sizeof(buf));
	return mdb_errno(mdb_put(txn, s->meta, &k, &v, 0));
}

static int open_dbs(struct lmdb_store *s, MDB_txn *txn)
{
	unsigned int flags = s->read_only ? 0 : MDB_CREATE;
	int rc = mdb_dbi_open(txn, "meta", flags, &s->meta);

	if (!rc)
		rc = mdb_dbi_open(txn, "files", flags, &s->files);
	if (!rc)
		rc = mdb_dbi_open(txn, "records", flags, &s->records);
	/* A reader of a store written before events existed needs none. */
	if (!rc && mdb_dbi_open(txn, "events", flags, &s->events) &&
	    !s->read_only)
		rc = EIO;
	return mdb_errno(rc);
}

/* Open the databases, check the format and, unless read-only, take this
 * node's next epoch. */
static int lmdb_register(struct lmdb_store *s, uint32_t *epoch)
{
	struct node_entry node = {0};
	MDB_txn *txn;
	int rc = mdb_errno(mdb_txn_begin(s->env, NULL,
					 s->read_only ? MDB_RDONLY : 0, &txn));

	if (rc)
		return rc;
	rc = open_dbs(s, txn);
	if (!rc)
		rc = format_check(s, txn);
	if (!rc)
		rc = node_read(s, txn, &node);
	*epoch = node.epoch;
	if (!rc && !s->read_only && holder_alive(node.pid, node.pid_start))
		rc = -EBUSY;
	if (!rc && !s->read_only) {
		*epoch = node.epoch + 1;
		rc = node_write(s, txn, *epoch, (uint32_t)getpid());
	}
	if (!rc)
		return mdb_errno(mdb_txn_commit(txn));
	mdb_txn_abort(txn);
	return rc;
}

static int prepare_dir(const struct ulm_env_config *cfg)
{
	struct stat st;

	if (!cfg->path || !cfg->path[0])
		return -EINVAL;
	if (!cfg->read_only && mkdir(cfg->path, 0700) && errno != EEXIST)
		return -errno;
	if (stat(cfg->path, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(cfg->path,
		   cfg->read_only ? R_OK | X_OK : R_OK | W_OK | X_OK))
		return -errno;
	return 0;
}

static int lmdb_env_create(struct lmdb_store *s,
			   const struct ulm_env_config *cfg)
{
	unsigned int flags = MDB_NOTLS;
	int dead, rc;

	/*
	 * Without Sync a commit is a write into the shared map: 4-5x faster
	 * than LMDB's pwrite path. A process crash loses nothing (the page
	 * cache has it); an OS crash may undo the last commits, as it undoes
	 * every NFS client's locks anyway, and clients reclaim. LMDB's caveat
	 * for WRITEMAP: a wild pointer in this process could corrupt the map.
	 * With Sync, classic LMDB: every commit is on disk when it returns.
	 */
	if (cfg->read_only)
		flags |= MDB_RDONLY;
	else if (!cfg->sync)
		flags |= MDB_NOSYNC | MDB_NOMETASYNC | MDB_WRITEMAP |
			 MDB_MAPASYNC;
	rc = mdb_env_create(&s->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(s->env, 4);
	if (!rc)
		rc = mdb_env_set_mapsize(s->env, cfg->map_size
							 ? cfg->map_size
							 : DEFAULT_MAP_SIZE);
	if (!rc)
		rc = mdb_env_open(s->env, cfg->path, flags, 0600);
	/* Free reader slots that dead processes left behind. */
	if (!rc)
		rc = mdb_reader_check(s->env, &dead);
	return mdb_errno(rc);
}

static void lmdb_close(struct ulm_store *store);

static int lmdb_open(const struct ulm_env_config *cfg, struct ulm_store **store,
		     uint32_t *epoch)
{
	struct lmdb_store *s;
	int rc = prepare_dir(cfg);

	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &ulm_store_lmdb_ops;
	s->node_id = cfg->node_id;
	s->read_only = true; /* until registered: close must not unregister */
	rc = lmdb_env_create(s, cfg);
	if (!rc) {
		s->read_only = cfg->read_only;
		rc = lmdb_register(s, epoch);
	}
	if (rc) {
		s->read_only = true;
		lmdb_close(&s->base);
		return rc;
	}
	*store = &s->base;
	return 0;
}

/* Mark the node closed, keeping its epoch for the next open. */
static void lmdb_unregister(struct lmdb_store *s)
{
	struct node_entry node;
	MDB_txn *txn;

	if (mdb_txn_begin(s->env, NULL, 0, &txn))
		return;
	/* Only this process's own registration is ours to clear. */
	if (node_read(s, txn, &node) || node.pid != (uint32_t)getpid() ||
	    node_write(s, txn, node.epoch, 0) || mdb_txn_commit(txn))
		mdb_txn_abort(txn);
}

static void lmdb_close(struct ulm_store *store)
{
	struct lmdb_store *s = to_lmdb(store);

	if (s->env && !s->read_only)
		lmdb_unregister(s);
	if (s->env)
		mdb_env_close(s->env);
	free(s);
}

static int read_begin(struct lmdb_store *s, MDB_txn **txn)
{
	return mdb_errno(mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn));
}

static int lmdb_file_version(struct ulm_store *store,
			     const struct ulm_key *file, uint64_t *version)
{
	struct lmdb_store *s = to_lmdb(store);
	MDB_txn *txn;
	int rc = read_begin(s, &txn);

	if (rc)
		return rc;
	rc = file_version_in(s, txn, file, version);
	mdb_txn_abort(txn);
	return rc;
}

typedef int (*raw_record_fn)(uint64_t id, const MDB_val *value, void *arg);

/* Every record of @p file, encoded, in id order. */
static int records_each(struct lmdb_store *s, MDB_txn *txn,
			const struct ulm_key *file, raw_record_fn fn, void *arg)
{
	uint8_t buf[RECORD_KEY_MAX];
	size_t prefix = record_key(buf, file, 0) - 8;
	MDB_val k = val(buf, prefix + 8), v;
	MDB_cursor *cur;
	int rc = mdb_errno(mdb_cursor_open(txn, s->records, &cur));
	int op = MDB_SET_RANGE;

	while (!rc) {
		rc = mdb_cursor_get(cur, &k, &v, op);
		op = MDB_NEXT;
		if (rc == MDB_NOTFOUND ||
		    (!rc &&
		     (k.mv_size < prefix || memcmp(k.mv_data, buf, prefix)))) {
			rc = 0;
			break;
		}
		rc = mdb_errno(rc);
		if (!rc && k.mv_size != prefix + 8)
			rc = ULM_ECORRUPT;
		if (!rc)
			rc = fn(get_be64((uint8_t *)k.mv_data + prefix), &v,
				arg);
	}
	mdb_cursor_close(cur);
	return rc;
}

struct decoding {
	store_record_fn fn;
	void *arg;
};

static int decode_record(uint64_t id, const MDB_val *value, void *arg)
{
	struct decoding *d = arg;
	struct ulm_record rec;
	int rc = record_decode(value->mv_data, value->mv_size, &rec);

	rec.id = id;
	return rc ? rc : d->fn(&rec, d->arg);
}

static int load_records(struct lmdb_store *s, MDB_txn *txn,
			const struct ulm_key *file, store_record_fn fn,
			void *arg)
{
	struct decoding d = {fn, arg};

	return records_each(s, txn, file, decode_record, &d);
}

static int lmdb_file_load(struct ulm_store *store, const struct ulm_key *file,
			  store_record_fn fn, void *arg, uint64_t *version)
{
	struct lmdb_store *s = to_lmdb(store);
	MDB_txn *txn;
	int rc = read_begin(s, &txn);

	if (rc)
		return rc;
	rc = file_version_in(s, txn, file, version);
	if (!rc)
		rc = load_records(s, txn, file, fn, arg);
	mdb_txn_abort(txn);
	return rc;
}

struct key_array {
	size_t n;
	struct ulm_key *keys;
	uint8_t *bytes;
};

static int collect_files(struct lmdb_store *s, MDB_txn *txn,
			 struct key_array *a)
{
	MDB_stat st;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t used = 0;
	int rc = mdb_errno(mdb_stat(txn, s->files, &st));

	if (rc)
		return rc;
	a->keys = calloc(st.ms_entries ? st.ms_entries : 1, sizeof(*a->keys));
	a->bytes = malloc(st.ms_entries ? st.ms_entries * ULM_KEY_MAX : 1);
	if (!a->keys || !a->bytes)
		return -ENOMEM;
	rc = mdb_errno(mdb_cursor_open(txn, s->files, &cur));
	if (rc)
		return rc;
	while (!rc && a->n < st.ms_entries) {
		rc = mdb_errno(mdb_cursor_get(cur, &k, &v, MDB_NEXT));
		if (!rc && (k.mv_size < 1 || k.mv_size > ULM_KEY_MAX))
			rc = ULM_ECORRUPT;
		if (rc)
			break;
		memcpy(a->bytes + used, k.mv_data, k.mv_size);
		a->keys[a->n].data = a->bytes + used;
		a->keys[a->n++].len = k.mv_size;
		used += k.mv_size;
	}
	mdb_cursor_close(cur);
	return rc == -ENOENT ? 0 : rc;
}

/* Keys are copied out and the transaction ended before @fn runs: @fn
 * writes, and a read transaction held open would pin old pages. */
static int lmdb_file_walk(struct ulm_store *store, store_file_fn fn, void *arg)
{
	struct lmdb_store *s = to_lmdb(store);
	struct key_array a = {0};
	MDB_txn *txn;
	int rc = read_begin(s, &txn);

	if (rc)
		return rc;
	rc = collect_files(s, txn, &a);
	mdb_txn_abort(txn);
	for (size_t i = 0; !rc && i < a.n; i++)
		rc = fn(&a.keys[i], arg);
	free(a.keys);
	free(a.bytes);
	return rc;
}

/*
 * A scan copies a batch of files out of one short read transaction and
 * hands them over once it ended: a reader held open while the caller
 * prints (ulmctl into a paused pager) would keep old pages from reuse
 * and let a busy store's map fill. Each file is one version of it.
 */
#define SCAN_BATCH_FILES 256

/* A batch of files, encoded one after another: key length (size_t), key,
 * record count (size_t), then per record its id, length, bytes. */
struct scan_copy {
	uint8_t *bytes;
	size_t used;
	size_t cap;
	uint8_t last[ULM_KEY_MAX]; /* the batch's last file: the next after it
				    */
	size_t last_len;
};

static int copy_out(struct scan_copy *c, const void *p, size_t len)
{
	if (c->used + len > c->cap) {
		size_t cap = c->cap ? c->cap : 1 << 16;
		uint8_t *b;

		while (cap < c->used + len)
			cap *= 2;
		b = realloc(c->bytes, cap);
		if (!b)
			return -ENOMEM;
		c->bytes = b;
		c->cap = cap;
	}
	memcpy(c->bytes + c->used, p, len);
	c->used += len;
	return 0;
}

static int copy_record(uint64_t id, const MDB_val *value, void *arg)
{
	struct scan_copy *c = arg;
	int rc = copy_out(c, &id, sizeof(id));

	if (!rc)
		rc = copy_out(c, &value->mv_size, sizeof(value->mv_size));
	return rc ? rc : copy_out(c, value->mv_data, value->mv_size);
}

static int copy_file(struct lmdb_store *s, MDB_txn *txn, const MDB_val *k,
		     struct scan_copy *c)
{
	struct ulm_key file = {k->mv_data, k->mv_size};
	size_t count_at, records = 0, before;
	int rc;

	if (k->mv_size < 1 || k->mv_size > ULM_KEY_MAX)
		return ULM_ECORRUPT;
	rc = copy_out(c, &k->mv_size, sizeof(k->mv_size));
	if (!rc)
		rc = copy_out(c, k->mv_data, k->mv_size);
	count_at = c->used;
	if (!rc)
		rc = copy_out(c, &records, sizeof(records));
	before = c->used;
	if (!rc)
		rc = records_each(s, txn, &file, copy_record, c);
	if (rc == ULM_ECORRUPT) { /* no records: the engine's read says why */
		c->used = before;
		records = SIZE_MAX;
		rc = 0;
	}
	for (size_t at = before; !rc && records != SIZE_MAX && at < c->used;
	     records++) {
		size_t len;

		memcpy(&len, c->bytes + at + sizeof(uint64_t), sizeof(len));
		at += sizeof(uint64_t) + sizeof(len) + len;
	}
	if (!rc)
		memcpy(c->bytes + count_at, &records, sizeof(records));
	memcpy(c->last, k->mv_data, k->mv_size);
	c->last_len = k->mv_size;
	return rc;
}

/* The next batch of files after c->last (all from the first if none).
 * *more: a full batch, there may be files after it. */
static int copy_batch(struct lmdb_store *s, struct scan_copy *c, bool *more)
{
	MDB_val k = {c->last_len, c->last}, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	size_t files = 0;
	int op = c->last_len ? MDB_SET_RANGE : MDB_FIRST;
	int rc = read_begin(s, &txn);

	c->used = 0;
	if (rc)
		return rc;
	rc = mdb_errno(mdb_cursor_open(txn, s->files, &cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	while (!rc && files < SCAN_BATCH_FILES &&
	       !(rc = mdb_errno(mdb_cursor_get(cur, &k, &v, op)))) {
		op = MDB_NEXT;
		if (k.mv_size == c->last_len &&
		    !memcmp(k.mv_data, c->last, c->last_len))
			continue; /* the previous batch's last */
		rc = copy_file(s, txn, &k, c);
		files++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	*more = files == SCAN_BATCH_FILES;
	return rc == -ENOENT ? 0 : rc;
}

struct record_array {
	size_t n;
	size_t cap;
	struct ulm_record *v;
};

static int record_array_add(struct record_array *a,
			    const struct ulm_record *rec)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct ulm_record *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *rec;
	return 0;
}

/* One copied file to @p fn; *at moves past it. A record that fails to
 * decode sends the file to the engine's read, which reports it. */
static int hand_file(const struct scan_copy *c, size_t *at,
		     struct record_array *a, store_scan_fn fn, void *arg)
{
	const uint8_t *p = c->bytes + *at;
	struct ulm_key file;
	struct ulm_record rec;
	size_t records, len;
	int rc = 0;

	memcpy(&file.len, p, sizeof(file.len));
	file.data = p + sizeof(file.len);
	p += sizeof(file.len) + file.len;
	memcpy(&records, p, sizeof(records));
	p += sizeof(records);
	a->n = 0;
	for (size_t i = 0; !rc && records != SIZE_MAX && i < records; i++) {
		uint64_t id;

		memcpy(&id, p, sizeof(id));
		memcpy(&len, p + sizeof(id), sizeof(len));
		p += sizeof(id) + sizeof(len);
		rc = record_decode(p, len, &rec);
		rec.id = id;
		p += len;
		if (!rc)
			rc = record_array_add(a, &rec);
	}
	*at = (size_t)(p - c->bytes);
	if (rc == ULM_ECORRUPT || records == SIZE_MAX)
		return fn(&file, NULL, 0, false, arg);
	return rc ? rc : fn(&file, a->v, a->n, false, arg);
}

static int lmdb_file_scan(struct ulm_store *store, store_scan_fn fn, void *arg)
{
	struct lmdb_store *s = to_lmdb(store);
	struct scan_copy c = {0};
	struct record_array a = {0};
	bool more = true;
	int rc = 0;

	while (!rc && more) {
		rc = copy_batch(s, &c, &more);
		for (size_t at = 0; !rc && at < c.used;)
			rc = hand_file(&c, &at, &a, fn, arg);
	}
	free(c.bytes);
	free(a.v);
	return rc;
}

static int delete_records(struct lmdb_store *s, MDB_txn *txn,
			  const struct ulm_store_op *op)
{
	uint8_t buf[RECORD_KEY_MAX];
	MDB_val k;
	int rc = 0;

	for (size_t i = 0; !rc && i < op->n_del; i++) {
		k = val(buf, record_key(buf, op->file, op->del[i]));
		rc = mdb_del(txn, s->records, &k, NULL);
		/* The version matched, so the record must be there. */
		rc = rc == MDB_NOTFOUND ? ULM_ECORRUPT : mdb_errno(rc);
	}
	return rc;
}

static int put_records(struct lmdb_store *s, MDB_txn *txn,
		       struct ulm_store_op *op, uint64_t first_id)
{
	uint8_t buf[RECORD_KEY_MAX];
	MDB_val k, v;
	int rc = 0;

	for (size_t i = 0; !rc && i < op->n_put; i++) {
		op->put[i].id = first_id + i;
		k = val(buf, record_key(buf, op->file, op->put[i].id));
		v = val(NULL, record_encoded_len(&op->put[i]));
		rc = mdb_errno(mdb_put(txn, s->records, &k, &v,
				       MDB_NOOVERWRITE | MDB_RESERVE));
		if (!rc)
			record_encode(&op->put[i], v.mv_data);
	}
	return rc;
}

static int file_has_records(struct lmdb_store *s, MDB_txn *txn,
			    const struct ulm_key *file, bool *has)
{
	uint8_t buf[RECORD_KEY_MAX];
	size_t prefix = record_key(buf, file, 0) - 8;
	MDB_val k = val(buf, prefix + 8), v;
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn, s->records, &cur);

	if (rc)
		return mdb_errno(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	*has = !rc && k.mv_size >= prefix && !memcmp(k.mv_data, buf, prefix);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : mdb_errno(rc);
}

/* The write op in one transaction: assert, delete, put, bump. */
static int execute_in(struct lmdb_store *s, MDB_txn *txn,
		      struct ulm_store_op *op)
{
	MDB_val clock_key = val("clock", 5);
	MDB_val file_key = val(op->file->data, op->file->len);
	uint64_t version, clock;
	bool has;
	int rc = file_version_in(s, txn, op->file, &version);

	if (!rc && version != op->version)
		rc = -ECANCELED;
	if (!rc)
		rc = get_u64(txn, s->meta, clock_key, &clock);
	if (!rc)
		rc = delete_records(s, txn, op);
	if (!rc)
		rc = put_records(s, txn, op, clock + 2);
	if (!rc)
		rc = file_has_records(s, txn, op->file, &has);
	if (rc)
		return rc;
	op->new_version = has ? clock + 1 : 0;
	rc = put_u64(txn, s->meta, clock_key, clock + 1 + op->n_put);
	if (!rc && has)
		rc = put_u64(txn, s->files, file_key, op->new_version);
	if (!rc && !has && version)
		rc = mdb_errno(mdb_del(txn, s->files, &file_key, NULL));
	return rc;
}

static int lmdb_op_execute(struct ulm_store *store, struct ulm_store_op *op)
{
	struct lmdb_store *s = to_lmdb(store);
	MDB_txn *txn;
	int rc;

	if (s->read_only)
		return -EROFS;
	rc = mdb_errno(mdb_txn_begin(s->env, NULL, 0, &txn));
	if (rc)
		return rc;
	rc = execute_in(s, txn, op);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_errno(mdb_txn_commit(txn));
}

#define EVENT_KEY_LEN 12
#define EVENT_POLL_MS 10

static int event_post_in(struct lmdb_store *s, MDB_txn *txn, uint32_t node,
			 const void *msg, size_t len)
{
	MDB_val clock_key = val("clock", 5), k, v;
	uint8_t key[EVENT_KEY_LEN];
	uint64_t clock;
	int rc = get_u64(txn, s->meta, clock_key, &clock);

	if (!rc)
		rc = put_u64(txn, s->meta, clock_key, clock + 1);
	if (rc)
		return rc;
	put_be32(key, node);
	put_be64(key + 4, clock + 1);
	k = val(key, sizeof(key));
	v = val(msg, len);
	return mdb_errno(mdb_put(txn, s->events, &k, &v, 0));
}

static int lmdb_event_post(struct ulm_store *store, uint32_t node,
			   const void *msg, size_t len)
{
	struct lmdb_store *s = to_lmdb(store);
	MDB_txn *txn;
	int rc;

	if (s->read_only || len > STORE_EVENT_MAX)
		return -EINVAL;
	rc = mdb_errno(mdb_txn_begin(s->env, NULL, 0, &txn));
	if (rc)
		return rc;
	rc = event_post_in(s, txn, node, msg, len);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_errno(mdb_txn_commit(txn));
}

/* Hand this node's events to @fn, deleting each; @taken counts them. */
static int events_drain(struct lmdb_store *s, MDB_txn *txn, store_event_fn fn,
			void *arg, size_t *taken)
{
	uint8_t prefix[4];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_errno(mdb_cursor_open(txn, s->events, &cur));

	if (rc)
		return rc;
	put_be32(prefix, s->node_id);
	k = val(prefix, sizeof(prefix));
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size == EVENT_KEY_LEN &&
	       memcmp(k.mv_data, prefix, sizeof(prefix)) == 0) {
		rc = fn(v.mv_data, v.mv_size, arg);
		if (!rc)
			rc = mdb_cursor_del(cur, 0);
		if (!rc)
			(*taken)++;
		if (!rc)
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : mdb_errno(rc);
}

/* A read transaction costs no writer anything: look before locking. */
static int events_pending(struct lmdb_store *s, bool *pending)
{
	uint8_t prefix[4];
	MDB_cursor *cur = NULL;
	MDB_txn *txn;
	MDB_val k, v;
	int rc = read_begin(s, &txn);

	*pending = false;
	if (rc)
		return rc;
	put_be32(prefix, s->node_id);
	k = val(prefix, sizeof(prefix));
	rc = mdb_cursor_open(txn, s->events, &cur);
	if (!rc)
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (!rc)
		*pending = k.mv_size == EVENT_KEY_LEN &&
			   memcmp(k.mv_data, prefix, sizeof(prefix)) == 0;
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc == MDB_NOTFOUND ? 0 : mdb_errno(rc);
}

static int events_take_once(struct lmdb_store *s, store_event_fn fn, void *arg,
			    size_t *taken)
{
	MDB_txn *txn;
	bool pending;
	int rc = events_pending(s, &pending);

	if (rc || !pending)
		return rc;
	rc = mdb_errno(mdb_txn_begin(s->env, NULL, 0, &txn));
	if (rc)
		return rc;
	rc = events_drain(s, txn, fn, arg, taken);
	if (rc || *taken == 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_errno(mdb_txn_commit(txn));
}

/* Other processes post into the map: poll it, briefly. */
static int lmdb_event_take(struct ulm_store *store, store_event_fn fn,
			   void *arg, int timeout_ms)
{
	struct lmdb_store *s = to_lmdb(store);
	size_t taken = 0;
	int waited = 0, rc;

	if (s->read_only)
		return -EROFS;
	for (;;) {
		rc = events_take_once(s, fn, arg, &taken);
		if (rc || taken || waited >= timeout_ms)
			return rc;
		usleep(EVENT_POLL_MS * 1000);
		waited += EVENT_POLL_MS;
	}
}

struct node_array {
	size_t n;
	size_t cap;
	struct ulm_node_info *v;
};

static int node_array_add(struct node_array *a, struct ulm_node_info info)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		struct ulm_node_info *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = info;
	return 0;
}

/* The "node" keys sort together, by id (big-endian). */
static int nodes_collect(struct lmdb_store *s, MDB_txn *txn,
			 struct node_array *a)
{
	uint8_t first[NODE_KEY_LEN];
	MDB_val k, v;
	MDB_cursor *cur;
	MDB_cursor_op op = MDB_SET_RANGE;
	struct node_entry e;
	int rc = mdb_errno(mdb_cursor_open(txn, s->meta, &cur));

	if (rc)
		return rc;
	node_key(first, 0);
	k = val(first, sizeof(first));
	for (;;) {
		rc = mdb_errno(mdb_cursor_get(cur, &k, &v, op));
		op = MDB_NEXT;
		if (rc || k.mv_size != NODE_KEY_LEN ||
		    memcmp(k.mv_data, "node", 4))
			break;
		rc = node_decode(&v, &e);
		if (!rc)
			rc = node_array_add(
				a,
				(struct ulm_node_info){
					get_be32((uint8_t *)k.mv_data + 4),
					e.epoch,
					holder_alive(e.pid, e.pid_start), 0});
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	return rc == -ENOENT ? 0 : rc;
}

/* Collected first: the visitor may call libulm, which writes. */
static int lmdb_node_list(struct ulm_store *store, store_node_fn fn, void *arg)
{
	struct lmdb_store *s = to_lmdb(store);
	struct node_array a = {0};
	MDB_txn *txn;
	int rc = read_begin(s, &txn);

	if (!rc) {
		rc = nodes_collect(s, txn, &a);
		mdb_txn_abort(txn);
	}
	for (size_t i = 0; !rc && i < a.n; i++)
		rc = fn(&a.v[i], arg);
	free(a.v);
	return rc;
}

const struct ulm_store_ops ulm_store_lmdb_ops = {
	.name = "lmdb",
	.shared = true,
	.open = lmdb_open,
	.close = lmdb_close,
	.file_version = lmdb_file_version,
	.file_load = lmdb_file_load,
	.file_walk = lmdb_file_walk,
	.file_scan = lmdb_file_scan,
	.op_execute = lmdb_op_execute,
	.event_post = lmdb_event_post,
	.event_take = lmdb_event_take,
	.node_list = lmdb_node_list,
};
