/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The OSD hangs mid-load (SIGSTOP) and comes back (SIGCONT), while threads
 * of two nodes keep taking and releasing locks. What a user relies on:
 *  - every call returns within a bound well under the hang (its call
 *    bound, an op timeout and a peer wait, and one op begun just before
 *    it: util/call_bound.h), with success or a clear error (a conflict,
 *    -ETIMEDOUT, -EIO, ULM_EFENCED, ULM_EBUSY): no crash, no call left
 *    hanging once the OSD answers;
 *  - no conflicting pair is ever granted (grant_board.c);
 *  - once the OSD is back, service comes back on every node, and the
 *    table holds exactly the locks whose grant a caller saw and did not
 *    release. Only bytes that a failed call touched are in doubt (a write
 *    that timed out may still be applied: docs/rados.md, "Errors") until
 *    a later call of the same owner settles them.
 * Runs on a cluster of its own (ctest: unit.rados.outage), whose OSD it
 * stops: $CEPH_CONF's directory holds the OSD's pid (scripts/lib/ceph.sh).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "env.h"
#include "rados_ops.h"
#include "grant_board.h"
#include "ulm_test.h"

#define NTHREADS 4
#define NFILES	 BOARD_FILES
#define SPACE	 BOARD_SPACE
/* Short RADOS timeouts keep the test short: an op gives up after
 * OP_TIMEOUT_S seconds; the OSD hangs for STOP_MS, within LEASE_MS less
 * its margin (24 s: the nodes stay live, their calls fail) and within half
 * the PG read lease of the fixture's cluster (40 s, renewed every 20 s: a
 * PG whose lease ran out while its one OSD hung stays "laggy" for good,
 * docs/rados.md; Ceph's default of 16 s lets a 12 s hang do that). */
#define OP_TIMEOUT_S 2
#define LEASE_MS     30000
#define WARM_MS	     1500
#define STOP_MS	     12000
/* After the resume, ops still waiting for a PG this long wait for good. */
#define UNLAG_AFTER_MS 3000
/* After the resume: every thread must be granted again within this. */
#define RECOVER_MS   30000
#define GRANTS_AFTER 5
/* How long a call waits for the other node (Rados_Peer_Wait), once for a
 * join and once for a handover. */
#define PEER_WAIT_S 2
/* The longest a call may take, well under the hang: its bound (an op
 * timeout and a peer wait), an op begun just before the bound passed,
 * and 3 s for a loaded machine. Without the call bound, calls waited a
 * watch, a join, a handover, a read and a write in a row (11 s measured
 * under load). A call that waited for the OSD as long as it hangs
 * (librados alone bounds no watch or notify) takes more than STOP_MS. */
#define CALL_BOUND_MS ((2 * OP_TIMEOUT_S + PEER_WAIT_S) * 1000 + 3000)
/* Files idle this long are unwatched (checked every TRIM_MS): used
 * again, watched anew (a watch and a join), also during the hang. */
#define TRIM_MS	 20
#define IDLE_MS	 50
#define LIST_MAX 4096
#define HISTORY	 64

static const char *const files[NFILES] = {"o0", "o1", "o2", "o3"};

/* What the caller was told about each byte. */
struct owner_view {
	char held[NFILES][SPACE];  /* 0, 'R', 'W': grants seen, not released */
	bool doubt[NFILES][SPACE]; /* a failed call touched it since */
};

struct board {
	struct grant_board held;
	atomic_bool stop;
	atomic_bool resumed;
	atomic_int unexpected; /* the first error that is not a clear one */
	atomic_llong max_call_ms;
	/* The longest call, told in the output: which, when, its answer. */
	pthread_mutex_t longest_mutex;
	char longest[128];
	atomic_llong stopped_at; /* ms; 0 before the OSD is stopped */
	atomic_int errors;
	atomic_int timeouts; /* of them, -ETIMEDOUT: the call's bound */
};

struct worker {
	ulm_env *env;
	struct board *board;
	struct owner_view view;
	unsigned int seed;
	int index;
	int granted;
	int granted_after; /* since the resume */
	/* Since the resume: calls answered, refused (-EAGAIN), failed, and
	 * the last answer (told when a thread is not granted again). */
	int calls_after;
	int refused_after;
	int failed_after;
	int last_rc;
	/* The last HISTORY calls, told for a file whose table mismatches. */
	struct call_log {
		int64_t at; /* ms from the stop */
		char op;    /* 'R', 'W' (acquire), 'U' (release) */
		int f, start, end, rc, ms;
	} log[HISTORY];
	unsigned int n_log;
};

/* A call's answer: its time is checked, a failure is one of the clear
 * ones, and what it did to the bytes is known (@held, or 0 for a
 * release) or in doubt. @return rc */
static void longest_note(struct worker *w, int64_t began, long long ms, int rc,
			 int f, char held)
{
	struct board *b = w->board;

	long long stopped = atomic_load(&b->stopped_at);

	pthread_mutex_lock(&b->longest_mutex);
	if (ms >= atomic_load(&b->max_call_ms))
		snprintf(b->longest, sizeof(b->longest),
			 "%lld ms, %s of %s by node %d, began %+lld ms from "
			 "the stop: %s",
			 ms, held ? "lock" : "unlock", files[f],
			 w->index % 2 + 1, stopped ? began - stopped : 0,
			 ulm_strerror(rc));
	pthread_mutex_unlock(&b->longest_mutex);
}

static int answer(struct worker *w, int64_t began, int rc, int f, int start,
		  int end, char held)
{
	struct board *b = w->board;
	long long ms = test_now_ms() - began,
		  max = atomic_load(&b->max_call_ms);
	int none = 0;

	if (ms > max)
		longest_note(w, began, ms, rc, f, held);
	w->log[w->n_log++ % HISTORY] =
		(struct call_log){began - atomic_load(&b->stopped_at),
				  held ? held : 'U',
				  f,
				  start,
				  end,
				  rc,
				  (int)ms};
	if (atomic_load(&b->resumed)) {
		w->calls_after++;
		w->refused_after += rc == -EAGAIN;
		w->failed_after += rc && rc != -EAGAIN;
		w->last_rc = rc;
	}
	while (ms > max &&
	       !atomic_compare_exchange_weak(&b->max_call_ms, &max, ms))
		;
	if (rc == -EAGAIN)
		return rc;
	if (rc && rc != -ETIMEDOUT && rc != -EIO && rc != ULM_EFENCED &&
	    rc != ULM_EBUSY)
		atomic_compare_exchange_strong(&b->unexpected, &none, rc);
	if (rc)
		atomic_fetch_add(&b->errors, 1);
	if (rc == -ETIMEDOUT)
		atomic_fetch_add(&b->timeouts, 1);
	for (int i = start; i <= end; i++) {
		w->view.doubt[f][i] = rc != 0;
		if (!rc)
			w->view.held[f][i] = held;
	}
	return rc;
}

static struct ulm_owner owner_of(const struct worker *w, char *name)
{
	struct ulm_owner o;

	sprintf(name, "o%d", w->index);
	o = test_owner(ULM_PROTO_NFS4, "host", name);
	o.node = (uint32_t)(w->index % 2) + 1;
	return o;
}

/* Threads of one node use files of their own (the other node's threads
 * share them): a call waiting behind another call of its node on the
 * same file (the engine's file lock) would spend its bound there. */
static int file_pick(struct worker *w)
{
	return rand_r(&w->seed) % (NFILES / 2) * 2 + w->index / 2 % 2;
}

/* Take a lock on a file this owner holds nothing of, and release it. A
 * failed release is the caller's too: it no longer counts on the lock. */
static void one_round(struct worker *w, const struct ulm_owner *o)
{
	int f = file_pick(w);
	int start = rand_r(&w->seed) % SPACE;
	int end = start + rand_r(&w->seed) % (SPACE - start);
	enum ulm_lock_type type =
		rand_r(&w->seed) % 3 ? ULM_LOCK_READ : ULM_LOCK_WRITE;
	struct ulm_key k = test_key(files[f]);
	int64_t began = test_now_ms();
	int rc = ulm_lock_acquire(w->env, &k, o, type, start, end, NULL, NULL);

	if (answer(w, began, rc, f, start, end,
		   type == ULM_LOCK_WRITE ? 'W' : 'R'))
		return;
	w->granted++;
	w->granted_after += atomic_load(&w->board->resumed);
	grant_board_mark(&w->board->held, f, type, start, end, 1);
	test_sleep_ms(1);
	grant_board_mark(&w->board->held, f, type, start, end, -1);
	began = test_now_ms();
	rc = ulm_lock_release(w->env, &k, o, start, end);
	answer(w, began, rc, f, start, end, 0);
}

static void *hammer(void *arg)
{
	struct worker *w = arg;
	char name[16];
	struct ulm_owner o = owner_of(w, name);

	while (!atomic_load(&w->board->stop))
		one_round(w, &o);
	return NULL;
}

static pid_t osd_pid(void)
{
	const char *conf = getenv("CEPH_CONF");
	char dir[256], path[300];
	FILE *fp;
	int pid = 0;

	assert_non_null(conf);
	snprintf(dir, sizeof(dir), "%s", conf);
	snprintf(path, sizeof(path), "%s/osd.pid", dirname(dir));
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%d", &pid), 1);
	fclose(fp);
	return pid;
}

/* A PG of the one-OSD pool may latch "laggy" when the OSD resumes (Ceph's
 * read lease ran out meanwhile, ceph/ceph pull 71663): every op on it
 * waits for good. The fixture's cluster has a read lease longer than
 * twice the stop (CEPH_READ_LEASE_RATIO), so this should never act; if it
 * does, `ceph-cluster.sh unlag` says so and re-peers the PG. */
static void ceph_unlag(void)
{
	const char *script = getenv("ULM_CEPH_CLUSTER");
	const char *conf = getenv("CEPH_CONF");
	char dir[256], cmd[700];

	assert_non_null(script);
	assert_non_null(conf);
	snprintf(dir, sizeof(dir), "%s", conf);
	snprintf(cmd, sizeof(cmd), "%s unlag %s", script, dirname(dir));
	fflush(stdout);
	if (system(cmd))
		printf("%s failed\n", cmd);
}

static bool all_granted_again(const struct worker *w)
{
	for (int i = 0; i < NTHREADS; i++)
		if (w[i].granted_after < GRANTS_AFTER)
			return false;
	return true;
}

/* Load, hang the OSD, resume, load until every thread was granted again.
 * Threads are joined before anything is asserted. */
static void run_outage(struct board *b, struct worker *w, ulm_env **envs)
{
	pid_t osd = osd_pid();
	int64_t resumed;
	pthread_t t[NTHREADS];
	int started = 0, stopped;

	for (; started < NTHREADS; started++) {
		w[started] = (struct worker){.env = envs[started % 2],
					     .board = b,
					     .seed = 77u + started,
					     .index = started};
		if (pthread_create(&t[started], NULL, hammer, &w[started]))
			break;
	}
	test_sleep_ms(WARM_MS);
	atomic_store(&b->stopped_at, test_now_ms());
	stopped = kill(osd, SIGSTOP);
	test_sleep_ms(STOP_MS);
	kill(osd, SIGCONT);
	atomic_store(&b->resumed, true);
	resumed = test_now_ms();
	test_sleep_ms(UNLAG_AFTER_MS);
	ceph_unlag();
	for (int64_t end = resumed + RECOVER_MS;
	     !all_granted_again(w) && test_now_ms() < end; test_sleep_ms(50))
		;
	printf("granted again after %lld ms\n",
	       (long long)(test_now_ms() - resumed));
	for (int i = 0; i < started; i++)
		printf("  thread %d (node %d): since the resume %d calls, %d "
		       "granted, %d refused, %d failed, last: %s\n",
		       i, i % 2 + 1, w[i].calls_after, w[i].granted_after,
		       w[i].refused_after, w[i].failed_after,
		       ulm_strerror(w[i].last_rc));
	atomic_store(&b->stop, true);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(started, NTHREADS);
	assert_int_equal(stopped, 0);
}

static int owner_index(const struct test_lock *l)
{
	return l->owner[0] == 'o' ? atoi(l->owner + 1) : -1;
}

static int file_index(const struct test_lock *l)
{
	for (int f = 0; f < NFILES; f++)
		if (!strcmp(l->file, files[f]))
			return f;
	return -1;
}

/* Every file's records, each file listed by itself: a listing of one file
 * is exact (it joins the file, as a lock call does), where a full listing
 * reads each object as last written, behind a token holder's write-behind
 * (docs/rados.md, "Listings"). @return how many, or the first error */
static int files_list(ulm_env *env, struct test_lock *l)
{
	int n = 0;

	for (int f = 0; f < NFILES; f++) {
		int rc = test_list(env, files[f], l + n, LIST_MAX - n);

		if (rc < 0)
			return rc;
		n += rc;
	}
	return n;
}

/* The table, byte by byte, as each owner holds it. @return 0, or the
 * error of the last try to list it */
static int table_read(ulm_env *env, char (*table)[NFILES][SPACE])
{
	struct test_lock *l = calloc(LIST_MAX, sizeof(*l));
	int n = -EIO;

	assert_non_null(l);
	/* Right after the resume a read may still time out. */
	for (int64_t end = test_now_ms() + RECOVER_MS;
	     n < 0 && test_now_ms() < end; test_sleep_ms(100))
		n = files_list(env, l);
	for (int i = 0; i < n; i++) {
		int o = owner_index(&l[i]), f = file_index(&l[i]);

		if (o < 0 || o >= NTHREADS || f < 0 || l[i].end >= SPACE)
			continue; /* counted as a mismatch by the caller */
		for (uint64_t b = l[i].start; b <= l[i].end; b++)
			table[o][f][b] =
				l[i].type == ULM_REC_LOCK_WRITE ? 'W' : 'R';
	}
	free(l);
	if (n < 0)
		printf("the table could not be listed for %d ms after the "
		       "resume: %s\n",
		       RECOVER_MS, ulm_strerror(n));
	return n < 0 ? n : 0;
}

/* The owner's last calls on file @f: what the table should follow. */
static void calls_print(const struct worker *w, int f)
{
	unsigned int first = w->n_log > HISTORY ? w->n_log - HISTORY : 0;

	for (unsigned int i = first; i < w->n_log; i++) {
		const struct call_log *c = &w->log[i % HISTORY];

		if (c->f == f)
			printf("  o%d at %+lld ms: %c %d-%d -> %s (%d ms)\n",
			       w->index, (long long)c->at, c->op, c->start,
			       c->end, ulm_strerror(c->rc), c->ms);
	}
}

/* Exactly the grants seen, but for bytes in doubt. @return mismatches
 * (@listed: 0, or why the table could not be read) */
static int table_check(ulm_env *env, const struct worker *w, int *in_doubt,
		       int *listed)
{
	char(*table)[NFILES][SPACE] = calloc(NTHREADS, sizeof(*table));
	int mismatches = 0;

	assert_non_null(table);
	*listed = table_read(env, table);
	*in_doubt = 0;
	for (int o = 0; o < NTHREADS; o++)
		for (int f = 0; f < NFILES; f++) {
			int here = 0;

			for (int b = 0; b < SPACE; b++) {
				if (w[o].view.doubt[f][b])
					++*in_doubt;
				else if (table[o][f][b] !=
					 w[o].view.held[f][b]) {
					printf("mismatch: owner o%d %s byte "
					       "%d: "
					       "table '%c', calls saw '%c'\n",
					       o, files[f], b,
					       table[o][f][b] ?: '-',
					       w[o].view.held[f][b] ?: '-');
					here++;
				}
			}
			if (here)
				calls_print(&w[o], f);
			mismatches += here;
		}
	free(table);
	return mismatches;
}

static unsigned int given_up(ulm_env **envs, enum rados_bounded_kind kind)
{
	unsigned int n = 0;

	for (int i = 0; i < 2; i++)
		n += ((struct rados_store *)envs[i]->store)->given_up[kind];
	return n;
}

/* Store calls of both envs cut at their bound (ulm_store_stats()). */
static uint64_t store_timeouts(ulm_env **envs)
{
	struct ulm_store_stats st;
	uint64_t n = 0;

	for (int i = 0; i < 2; i++) {
		ulm_store_stats(envs[i], &st);
		for (int k = 0; k < ULM_STORE_CALLS; k++) {
			assert_true(st.call[k].errors >= st.call[k].timeouts);
			n += st.call[k].timeouts;
		}
	}
	printf("store calls timed out: %" PRIu64 "\n", n);
	return n;
}

static void outage_under_load(struct fixture *f, enum ulm_tokens tokens)
{
	struct board b = {.held = GRANT_BOARD_INIT,
			  .longest_mutex = PTHREAD_MUTEX_INITIALIZER};
	struct worker w[NTHREADS];
	ulm_env *envs[2];
	int granted = 0, mismatches, in_doubt, listed;

	ulm_env_close(f->env);
	f->op_timeout_s = OP_TIMEOUT_S;
	f->peer_wait_s = PEER_WAIT_S;
	f->lease_ms = LEASE_MS;
	f->tokens = tokens;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	envs[0] = f->env;
	envs[1] = fixture_add_node(f, 2);
	test_trim_often(envs, 2, TRIM_MS, IDLE_MS);
	run_outage(&b, w, envs);
	for (int i = 0; i < NTHREADS; i++)
		granted += w[i].granted;
	mismatches = table_check(f->env, w, &in_doubt, &listed);
	printf("longest call: %s\n", b.longest);
	printf("granted %d, errors %d (timed out %d), violations %d, "
	       "unexpected %s, longest call %lld ms, bytes in doubt %d, "
	       "mismatches %d, given up: watches %u unwatches %u notifies "
	       "%u\n",
	       granted, b.errors, b.timeouts, b.held.violations,
	       ulm_strerror(b.unexpected), (long long)b.max_call_ms, in_doubt,
	       mismatches, given_up(envs, RADOS_BOUNDED_WATCH),
	       given_up(envs, RADOS_BOUNDED_UNWATCH),
	       given_up(envs, RADOS_BOUNDED_NOTIFY));
	assert_int_equal(b.held.violations, 0);
	assert_int_equal(b.unexpected, 0);
	assert_true(b.max_call_ms < CALL_BOUND_MS);
	/* Watches of files used anew were given up on during the hang: the
	 * bounded path ran. */
	assert_true(given_up(envs, RADOS_BOUNDED_WATCH) > 0);
	assert_true(all_granted_again(w));
	assert_int_equal(listed, 0);
	assert_int_equal(mismatches, 0);
	/* Written through, every call during the hang waits for the OSD:
	 * some must have timed out, or the test saw no outage; and the
	 * trimmer's unwatches of idle files were given up on. (With tokens,
	 * a file whose token is held is trimmed only once given back, which
	 * the hang prevents: its unwatch may never start.) */
	if (tokens == ULM_TOKENS_OFF) {
		/* Said as a timeout (NFS4ERR_DELAY for the client), not as
		 * a failed store (NFS4ERR_IO). */
		assert_true(b.timeouts > 0);
		assert_true(given_up(envs, RADOS_BOUNDED_UNWATCH) > 0);
		/* ... and the metrics saw store calls cut at the bound. */
		assert_true(store_timeouts(envs) > 0);
	}
}

static void test_outage_sync_writes(void **state)
{
	outage_under_load(*state, ULM_TOKENS_OFF);
}

static void test_outage_tokens(void **state)
{
	outage_under_load(*state, ULM_TOKENS_ON);
}

/* Has every thread of @pid stopped? kill() only asks: a thread busy on
 * another core goes on a moment. */
static bool all_stopped(pid_t pid)
{
	char path[300], state = 'T';
	DIR *tasks;
	struct dirent *t;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return false;
	while (state == 'T' && (t = readdir(tasks))) {
		FILE *fp;

		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 t->d_name);
		fp = fopen(path, "r");
		if (fp && fscanf(fp, "%*d (%*[^)]) %c", &state) != 1)
			state = '?';
		if (fp)
			fclose(fp);
	}
	closedir(tasks);
	return state == 'T';
}

static bool osd_stop(pid_t osd)
{
	if (kill(osd, SIGSTOP))
		return false;
	for (int64_t end = test_now_ms() + 2000; test_now_ms() < end;
	     test_sleep_ms(5))
		if (all_stopped(osd))
			return true;
	return false;
}

/* Wait until @env gives the token of @rf back, at most @ms. */
static bool token_given_back(struct rados_file *rf, int ms)
{
	for (int64_t end = test_now_ms() + ms; test_now_ms() < end;
	     test_sleep_ms(20))
		if (!rados_token_held(rf))
			return true;
	return false;
}

/* A token holder's two grants, then the OSD hangs: the write-behind
 * flush of them times out (and lands when the OSD resumes), and a third
 * grant waits in memory. */
struct late_flush {
	struct rados_file *rf;
	bool stopped;
	int flushed, later;
};

static void late_flush_begin(struct fixture *f, const char *name,
			     struct late_flush *lf)
{
	struct ulm_owner a = test_owner(ULM_PROTO_NFS4, "host", "a");
	struct ulm_key k = test_key(name);

	ulm_env_close(f->env);
	f->op_timeout_s = 1;
	f->tokens = ULM_TOKENS_ON;
	assert_int_equal(fixture_open(f, 1, false, &f->env), 0);
	for (uint64_t at = 0; at <= 10; at += 10)
		assert_int_equal(ulm_lock_acquire(f->env, &k, &a,
						  ULM_LOCK_WRITE, at, at, NULL,
						  NULL),
				 0);
	lf->rf = rados_file_get((struct rados_store *)f->env->store, &k);
	assert_non_null(lf->rf);
	assert_true(rados_token_held(lf->rf));
	lf->stopped = osd_stop(osd_pid());
	lf->flushed = rados_flush_now(lf->rf);
	lf->later = ulm_lock_acquire(f->env, &k, &a, ULM_LOCK_WRITE, 20, 20,
				     NULL, NULL);
}

/* The token went back with all three grants written, none lost for
 * another node to take. */
static void late_flush_check(struct fixture *f, const char *name,
			     struct late_flush *lf)
{
	struct test_lock l[8];

	assert_true(lf->stopped);
	assert_int_equal(lf->flushed, -ETIMEDOUT);
	assert_int_equal(lf->later, 0);
	assert_true(token_given_back(lf->rf, 15000));
	rados_file_put(lf->rf);
	assert_int_equal(test_list(fixture_add_node(f, 2), name, l, 8), 3);
	assert_true(l[0].start == 0 && l[1].start == 10 && l[2].start == 20);
}

/*
 * The holder is asked to give the token back while the flush hangs. The
 * flush sent again must be the same (it finds the object moved and, by
 * the token it set, that its first try landed), and the token goes back
 * only with the later change written: no grant is lost for another node
 * to take, none kept that was released.
 */
static void test_flush_landed_late_then_drop(void **state)
{
	struct fixture *f = *state;
	struct late_flush lf;

	late_flush_begin(f, "late", &lf);
	pthread_mutex_lock(&rados_file_bucket(lf.rf)->mutex);
	rados_token_drop_locked(lf.rf); /* as another node's request would */
	pthread_mutex_unlock(&rados_file_bucket(lf.rf)->mutex);
	kill(osd_pid(), SIGCONT);
	late_flush_check(f, "late", &lf);
}

static bool live_becomes(ulm_env *env, bool live, int ms)
{
	for (int64_t end = test_now_ms() + ms; test_now_ms() < end;
	     test_sleep_ms(20))
		if (ulm_env_live(env) == live)
			return true;
	return false;
}

/*
 * As above, but the node is not live when the OSD resumes (a paused
 * process resumes before its lease thread renews): the flush sent again
 * finds the object moved and its own token there, but cannot tell yet
 * whether another node wrote meanwhile. It must ask again once live, not
 * drop what it has not written: the later change (a grant, or a release
 * a client was told done) is written too.
 */
static void test_flush_landed_late_while_not_live(void **state)
{
	struct fixture *f = *state;
	struct late_flush lf;
	bool fenced;

	f->lease_ms = 3000;
	late_flush_begin(f, "late2", &lf);
	rados_live_pause(f->env->store, true);
	fenced = live_becomes(f->env, false, 5000);
	/* A renewal sent before the pause gives up first (op timeout 1 s),
	 * or it would land on the resume and make the node live. */
	test_sleep_ms(1500);
	kill(osd_pid(), SIGCONT);
	/* The flusher sends the flush again meanwhile, not live. */
	test_sleep_ms(2000);
	rados_live_pause(f->env->store, false);
	assert_true(fenced);
	assert_true(live_becomes(f->env, true, 5000));
	late_flush_check(f, "late2", &lf);
}

int main(void)
{
	const struct CMUnitTest rados[] = {
		cmocka_unit_test_setup_teardown(test_outage_sync_writes,
						setup_rados, teardown_env),
		cmocka_unit_test_setup_teardown(test_outage_tokens, setup_rados,
						teardown_env),
		cmocka_unit_test_setup_teardown(
			test_flush_landed_late_then_drop, setup_rados,
			teardown_env),
		cmocka_unit_test_setup_teardown(
			test_flush_landed_late_while_not_live, setup_rados,
			teardown_env),
	};

	return cmocka_run_group_tests_name("rados", rados, NULL, NULL);
}
