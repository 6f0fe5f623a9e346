/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The flusher: one thread per store that writes behind what this node's
 * tokens hold. Changes gather for FLUSH_DELAY_MS, then every file with
 * pending changes gets one write op (group commit: all of the file's
 * changes since its last flush), files in parallel. It also gives tokens
 * back when asked (another node's request, a lost watch, the trimmer),
 * all of them when the node is fenced or the store closes, and trims the
 * watched files every second. A write that fails (an OSD restarting)
 * stays pending and is sent again.
 *
 * What a flush wrote is freed, and glibc keeps freed memory that lies
 * between allocations that stay (the cache's tables): at 1M locks, 550 MB
 * of RSS for 167 MB in use (docs/benchmarks.md, "How latency and memory
 * grow"). So once the writes behind drained, the flusher gives that
 * memory back (malloc_trim), at most every GIVE_BACK_EVERY_MS.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>
#include "clock.h"
#include "rados_ops.h"

#define FLUSH_DELAY_MS 2
#define RETRY_DELAY_MS 100
/* Closing gives up on writes failing this many rounds in a row: their
 * tokens stay, and other nodes see them dead once the lease lapses. */
#define CLOSE_ROUNDS	   3
#define GIVE_BACK_EVERY_MS 10000

/* The flusher thread's own state between passes. */
struct flusher_state {
	bool live;	    /* the lease held at the last pass */
	bool wrote;	    /* a flush since memory was last given back */
	uint64_t trim;	    /* next watch trim (ms) */
	uint64_t give_back; /* earliest next malloc_trim (ms) */
};

static uint64_t now_ms(void)
{
	return clock_now_ns() / NS_PER_MS;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void rados_flusher_init(struct rados_store *s)
{
	rados_thread_init(&s->flusher);
}

static struct rados_file *dirty_take(struct rados_store *s)
{
	struct rados_file *list;

	pthread_mutex_lock(&s->flusher.mutex);
	list = s->dirty;
	s->dirty = NULL;
	pthread_mutex_unlock(&s->flusher.mutex);
	return list;
}

/* Done with @f for this round; @again: still pending (a failed write). */
static void file_done(struct rados_file *f, bool again)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	if (again)
		rados_token_queue(f);
	f->refs--;
	pthread_mutex_unlock(&b->mutex);
}

/* Start the writes of @list, then wait for them all. @return failures */
static int flush_round(struct rados_file *list, struct flush_job *jobs)
{
	size_t n = 0;
	int failed = 0;

	for (struct rados_file *f = list, *next; f; f = next) {
		struct rados_file_bucket *b = rados_file_bucket(f);
		int rc;

		pthread_mutex_lock(&b->mutex);
		next = f->dirty_next;
		f->dirty = false;
		pthread_mutex_unlock(&b->mutex);
		rc = rados_flush_begin(f, false, &jobs[n]);
		if (rc == 1) {
			n++;
			continue;
		}
		failed += rc < 0;
		file_done(f, rc < 0);
	}
	for (size_t i = 0; i < n; i++) {
		int rc = rados_flush_end(&jobs[i]);

		failed += rc != 0;
		file_done(jobs[i].f, rc != 0);
	}
	return failed;
}

static size_t list_len(const struct rados_file *list)
{
	size_t n = 0;

	for (; list; list = list->dirty_next)
		n++;
	return n;
}

/* Flush what is pending now. @return failures (-1: no memory) */
static int flush_pending(struct rados_store *s)
{
	struct rados_file *list = dirty_take(s);
	struct flush_job *jobs;
	int failed;

	if (!list)
		return 0;
	jobs = malloc(list_len(list) * sizeof(*jobs));
	if (!jobs) {
		/* Put them back: the next round may have memory. */
		for (struct rados_file *f = list, *next; f; f = next) {
			next = f->dirty_next;
			pthread_mutex_lock(&rados_file_bucket(f)->mutex);
			f->dirty = false;
			pthread_mutex_unlock(&rados_file_bucket(f)->mutex);
			file_done(f, true);
		}
		return -1;
	}
	failed = flush_round(list, jobs);
	free(jobs);
	return failed;
}

/* Fenced or closing: every token goes back (written through). */
static void drop_all(struct rados_store *s)
{
	for (size_t i = 0; i < RADOS_FILE_BUCKETS; i++) {
		struct rados_file_bucket *b = &s->buckets[i];

		pthread_mutex_lock(&b->mutex);
		for (struct rados_file *f = b->files; f; f = f->next)
			rados_token_drop_locked(f);
		pthread_mutex_unlock(&b->mutex);
	}
}

/* Sleep until there is work or @deadline (ms); @pre flusher.mutex held. */
static void idle_until(struct rados_store *s, uint64_t deadline)
{
	s->flusher_idle = true;
	while (!s->dirty && !s->flusher.stop &&
	       rados_thread_wait(&s->flusher, deadline * 1000000))
		;
	s->flusher_idle = false;
}

/* Memory the flushes freed goes back once nothing is left to write. */
static void give_back_memory(struct rados_store *s, struct flusher_state *st)
{
	bool drained;

	if (!st->wrote || now_ms() < st->give_back)
		return;
	pthread_mutex_lock(&s->flusher.mutex);
	drained = s->dirty == NULL;
	pthread_mutex_unlock(&s->flusher.mutex);
	if (!drained)
		return;
	malloc_trim(0);
	st->wrote = false;
	st->give_back = now_ms() + GIVE_BACK_EVERY_MS;
}

/* One pass: flush, follow the fence, trim. */
static void flusher_pass(struct rados_store *s, struct flusher_state *st)
{
	if (flush_pending(s))
		sleep_ms(RETRY_DELAY_MS);
	if (st->live != rados_live_ok(s)) {
		st->live = !st->live;
		if (!st->live)
			drop_all(s);
	}
	if (now_ms() >= st->trim) {
		rados_files_trim(s);
		st->trim = now_ms() + s->trim_every_ms;
		give_back_memory(s, st);
	}
}

static void *flusher_main(void *arg)
{
	struct rados_store *s = arg;
	struct flusher_state st = {.live = true,
				   .trim = now_ms() + s->trim_every_ms};

	pthread_mutex_lock(&s->flusher.mutex);
	while (!s->flusher.stop) {
		bool gather = s->dirty != NULL;

		if (!gather)
			idle_until(s, st.trim);
		pthread_mutex_unlock(&s->flusher.mutex);
		if (gather)
			sleep_ms(FLUSH_DELAY_MS); /* let more changes join */
		st.wrote |= gather;
		flusher_pass(s, &st);
		pthread_mutex_lock(&s->flusher.mutex);
	}
	pthread_mutex_unlock(&s->flusher.mutex);
	drop_all(s);
	for (int failed = 0; failed < CLOSE_ROUNDS;) {
		int rc = flush_pending(s);
		bool more;

		pthread_mutex_lock(&s->flusher.mutex);
		more = s->dirty != NULL;
		pthread_mutex_unlock(&s->flusher.mutex);
		if (!more)
			break;
		failed += rc != 0;
	}
	return NULL;
}

int rados_flusher_start(struct rados_store *s)
{
	return rados_thread_start(&s->flusher, flusher_main, s);
}

void rados_flusher_fini(struct rados_store *s)
{
	rados_thread_fini(&s->flusher);
}
