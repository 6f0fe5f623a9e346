/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * File tokens, the holder's side. A node that is the only user of a file
 * (no other node watches its object) takes the file's token: an omap
 * entry "~token" = (node, epoch, seq), set by the same guarded write that
 * makes a synchronous change. While the token is there no other node
 * writes the object: every node reads the token with the object and asks
 * for the file back first (rados_handover.c). So the holder's table in
 * memory is the file's truth: changes are made there and written behind
 * by the flusher, every pending change of the object in one write op
 * (group commit) that asserts the object's version, as every write does,
 * and bumps seq. Asked, the holder writes what is pending and removes the
 * token in one op, and acks.
 *
 * Ids and versions. A record's id must be unique within its file forever
 * and grow with creation (queue order). Synchronous writes give the puts
 * of the op planned at version V ids (V << 16) + i + 1. Under a token,
 * ids are (B << 16) + k, k = 1..65535, where B is the version a completed
 * write of ours was planned at (the take, then each flush): no other op
 * was planned at B (ours moved the object from it) and a flush puts only
 * ids handed out before it, so these ids are free; they are larger than
 * every id before and smaller than every id after. Each flush starts a
 * segment; a full one is flushed at once. The engine's version of a
 * token file is virtual: bit 63 | (B << 16) | k, from the same counter,
 * never equal to an object's version nor to another virtual one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "call_bound.h"
#include "clock.h"
#include "rados_tokens.h"

#define VIRTUAL_BIT (1ULL << 63)
#define SEGMENT_MAX 0xffffu
/* Tries to remove a token while the object keeps moving. */
#define PURGE_TRIES 100

void rados_token_encode(const struct rados_token *t, uint8_t *buf)
{
	put_be32(buf, t->node);
	put_be32(buf + 4, t->epoch);
	put_be64(buf + 8, t->seq);
}

int rados_token_decode(const void *buf, size_t len, struct rados_token *t)
{
	const uint8_t *p = buf;

	if (len != RADOS_TOKEN_LEN)
		return ULM_ECORRUPT;
	t->present = true;
	t->node = get_be32(p);
	t->epoch = get_be32(p + 4);
	t->seq = get_be64(p + 8);
	return 0;
}

int rados_token_read(struct rados_store *s, const char *oid, uint64_t *version,
		     struct rados_token *token)
{
	uint8_t buf[RADOS_TOKEN_LEN];
	size_t len = sizeof(buf);
	int rc = rados_value_get(s, oid, RADOS_TOKEN_KEY, buf, &len, version);

	memset(token, 0, sizeof(*token));
	return rc || !len ? rc : rados_token_decode(buf, len, token);
}

static bool token_equal(const struct rados_token *a,
			const struct rados_token *b)
{
	return a->present == b->present &&
	       (!a->present || (a->node == b->node && a->epoch == b->epoch &&
				a->seq == b->seq));
}

static struct rados_token token_mine(const struct rados_store *s, uint64_t seq)
{
	return (struct rados_token){true, s->node_id, s->epoch, seq};
}

static void omap_set_token(rados_write_op_t w, uint8_t *buf)
{
	const char *key = RADOS_TOKEN_KEY, *val = (const char *)buf;
	size_t key_len = strlen(RADOS_TOKEN_KEY), val_len = RADOS_TOKEN_LEN;

	rados_write_op_omap_set2(w, &key, &val, &key_len, &val_len, 1);
}

bool rados_token_may_take(struct rados_file *f, const struct ulm_store_op *op)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	bool may;

	if (!f->store->tokens || op->n_put >= SEGMENT_MAX)
		return false;
	/* A new object: a concurrent creator loses the exclusive create. */
	if (!op->version)
		return true;
	pthread_mutex_lock(&b->mutex);
	may = f->watch && !f->broken && f->known && !f->others &&
	      !f->token.present && f->tstate == TOKEN_NONE &&
	      f->version == op->version;
	pthread_mutex_unlock(&b->mutex);
	return may;
}

void rados_token_add(struct rados_store *s, rados_write_op_t w, uint8_t *buf)
{
	struct rados_token t = token_mine(s, 1);

	rados_token_encode(&t, buf);
	omap_set_token(w, buf);
}

void rados_token_taken(struct rados_file *f, const struct ulm_store_op *op,
		       uint64_t version, int64_t n_records)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	f->token = token_mine(f->store, 1);
	f->tstate = TOKEN_HELD;
	f->store->tokens_taken++;
	f->known = true;
	f->frozen = false;
	f->version = version;
	f->view = version;
	f->n_records = n_records;
	f->base = op->version;
	f->counter = (uint32_t)op->n_put + 1;
	if (f->broken) /* it may have missed a request */
		rados_token_drop_locked(f);
	pthread_mutex_unlock(&b->mutex);
}

bool rados_token_held(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	bool held;

	pthread_mutex_lock(&b->mutex);
	held = f->tstate != TOKEN_NONE;
	pthread_mutex_unlock(&b->mutex);
	return held;
}

void rados_token_frozen_set(struct rados_file *f, bool frozen)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	f->frozen = frozen;
	pthread_mutex_unlock(&b->mutex);
}

bool rados_token_frozen(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	bool frozen;

	pthread_mutex_lock(&b->mutex);
	frozen = f->frozen && f->tstate == TOKEN_NONE;
	pthread_mutex_unlock(&b->mutex);
	return frozen;
}

void rados_token_loaded(struct rados_file *f, uint64_t version)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	if (f->tstate != TOKEN_NONE)
		f->view = version;
	pthread_mutex_unlock(&b->mutex);
}

void rados_token_drop(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	pthread_mutex_lock(&b->mutex);
	rados_token_drop_locked(f);
	pthread_mutex_unlock(&b->mutex);
}

/* The write-behind queue: the flusher (rados_flusher.c) takes it. */
void rados_token_queue(struct rados_file *f)
{
	struct rados_store *s = f->store;

	if (f->dirty)
		return;
	f->dirty = true;
	f->refs++; /* the flusher's: dropped once it is done with it */
	pthread_mutex_lock(&s->flusher.mutex);
	f->dirty_next = s->dirty;
	s->dirty = f;
	if (s->flusher_idle)
		pthread_cond_signal(&s->flusher.cond);
	pthread_mutex_unlock(&s->flusher.mutex);
}

void rados_token_drop_locked(struct rados_file *f)
{
	if (f->tstate != TOKEN_HELD)
		return;
	f->tstate = TOKEN_DROPPING;
	rados_token_queue(f);
}

/* Under the token: in memory, written behind. */
static int batch_apply(struct rados_file *f, struct ulm_store_op *op)
{
	int rc = rados_batch_add(&f->batch, op, f->base, f->counter);

	if (rc)
		return rc;
	f->counter += (uint32_t)op->n_put;
	f->view = VIRTUAL_BIT | (f->base << 16) | f->counter++;
	/* A count not known at the take stays so (-1: read it all), or a
	 * wrong 0 would later skip the read of a file that has records. */
	if (f->n_records >= 0)
		f->n_records += (int64_t)op->n_put - (int64_t)op->n_del;
	op->new_version = f->view;
	return 0;
}

/* Wait while the token is being given back; false: it took too long. An
 * op waits as long as a write would (the flusher's write, failing while
 * an OSD hangs or restarts, is sent again until it lands), within its
 * call's bound. */
static bool drop_wait(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	uint64_t deadline = call_bound_clip(
		clock_now_ns() + f->store->op_timeout_ms * NS_PER_MS);

	while (f->tstate == TOKEN_DROPPING)
		if (!clock_cond_wait_until(&b->cond, &b->mutex, deadline))
			return false;
	return true;
}

int rados_token_execute(struct rados_file *f, struct ulm_store_op *op)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	int rc;

	pthread_mutex_lock(&b->mutex);
	for (;;) {
		/* Planned on our table but given back since: plan again. */
		rc = op->version & VIRTUAL_BIT ? -ECANCELED : 1;
		if (f->tstate == TOKEN_NONE)
			break;
		if (f->tstate == TOKEN_DROPPING) {
			/* Planned on the table in memory: plan again on the
			 * object once it is written. */
			rc = drop_wait(f) ? -ECANCELED : -ETIMEDOUT;
			break;
		}
		if (op->version != f->view) {
			rc = -ECANCELED;
			break;
		}
		if (f->counter + op->n_put >= SEGMENT_MAX) {
			pthread_mutex_unlock(&b->mutex);
			rc = rados_flush_now(f);
			pthread_mutex_lock(&b->mutex);
			if (rc)
				break;
			continue;
		}
		rc = batch_apply(f, op);
		if (!rc)
			rados_token_queue(f);
		break;
	}
	pthread_mutex_unlock(&b->mutex);
	return rc;
}

bool rados_token_request(struct rados_file *f, uint64_t notify_id,
			 uint64_t cookie, bool drop)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	struct token_ack *ack = malloc(sizeof(*ack));
	bool later = false;

	pthread_mutex_lock(&b->mutex);
	rados_file_others_locked(f);
	/* Without memory the requester times out and asks again. */
	if (ack && f->tstate != TOKEN_NONE) {
		*ack = (struct token_ack){f->acks, notify_id, cookie};
		f->acks = ack;
		ack = NULL;
		later = true;
		if (drop)
			rados_token_drop_locked(f);
		rados_token_queue(f);
	}
	pthread_mutex_unlock(&b->mutex);
	free(ack);
	return later;
}

static void acks_send(struct rados_file *f, struct token_ack *acks)
{
	while (acks) {
		struct token_ack *next = acks->next;

		rados_notify_ack(f->store->io, f->oid, acks->notify_id,
				 acks->cookie, NULL, 0);
		free(acks);
		acks = next;
	}
}

static struct token_ack *acks_join(struct token_ack *a, struct token_ack *b)
{
	struct token_ack **end = &a;

	while (*end)
		end = &(*end)->next;
	*end = b;
	return a;
}

/* The write: what is pending, and the token's next seq or its removal. */
static rados_write_op_t flush_op_build(const struct rados_batch *b,
				       struct flush_job *job)
{
	rados_write_op_t w = rados_create_write_op();
	const char *token_key = RADOS_TOKEN_KEY;
	size_t token_key_len = strlen(RADOS_TOKEN_KEY);

	if (!w)
		return NULL;
	rados_write_op_assert_version(w, job->asserted);
	job->bufs = rados_batch_write(b, w);
	if (!job->bufs) {
		rados_release_write_op(w);
		return NULL;
	}
	if (job->sent.present) {
		rados_token_encode(&job->sent, job->token_buf);
		omap_set_token(w, job->token_buf);
	} else {
		rados_write_op_omap_rm_keys2(w, &token_key, &token_key_len, 1);
	}
	return w;
}

/* Wait for a flush of the file in flight; @pre bucket locked. */
static void flush_idle_wait(struct rados_file *f)
{
	struct rados_file_bucket *b = rados_file_bucket(f);

	while (f->flushing)
		pthread_cond_wait(&b->cond, &b->mutex);
}

/* Build the job from the file's pending state. @return 1 built, 0 nothing
 * to write (acks due in *done), -ENOMEM. @pre bucket locked, not
 * flushing */
static int flush_prepare(struct rados_file *f, bool force,
			 struct flush_job *job, struct token_ack **done)
{
	struct rados_store *s = f->store;
	bool drop;

	/* What a flush sends, and whether the token goes with it, is decided
	 * once and sent again as is until it lands: a retry that finds the
	 * object moved tells by its token whether its first try landed (a
	 * timeout the OSD applied later; flush_check()). Changes and a drop
	 * that come meanwhile wait for the next flush: the token goes back
	 * only with everything pending. */
	if (!f->resend) {
		if (rados_batch_empty(&f->sending)) {
			struct rados_batch t = f->sending;

			f->sending = f->batch;
			f->batch = t;
		}
		f->sending_drop = f->tstate == TOKEN_DROPPING &&
				  rados_batch_empty(&f->batch);
	}
	drop = f->sending_drop;
	f->acks_sent = acks_join(f->acks_sent, f->acks);
	f->acks = NULL;
	if (!drop && !force && !f->resend && rados_batch_empty(&f->sending)) {
		*done = f->acks_sent; /* everything is written already */
		f->acks_sent = NULL;
		return 0;
	}
	job->f = f;
	job->asserted = f->version;
	job->sent = drop ? (struct rados_token){0}
			 : token_mine(s, f->token.seq + 1);
	job->op = flush_op_build(&f->sending, job);
	if (!job->op)
		return -ENOMEM;
	f->flushing = true;
	return 1;
}

int rados_flush_begin(struct rados_file *f, bool force, struct flush_job *job)
{
	struct rados_file_bucket *b = rados_file_bucket(f);
	struct token_ack *done = NULL;
	int rc = 0;

	pthread_mutex_lock(&b->mutex);
	flush_idle_wait(f);
	if (f->tstate == TOKEN_NONE) {
		done = f->acks; /* a stale request: nothing of ours to write */
		f->acks = NULL;
	} else {
		rc = flush_prepare(f, force, job, &done);
	}
	pthread_mutex_unlock(&b->mutex);
	acks_send(f, done);
	if (rc != 1)
		return rc;
	/* Not sent: rados_flush_end() fails it, to be tried again later. */
	if (rados_aio_create_completion2(NULL, NULL, &job->done)) {
		job->done = NULL;
	} else if (rados_aio_write_op_operate(job->op, f->store->io, job->done,
					      f->oid, NULL, 0)) {
		rados_aio_release(job->done);
		job->done = NULL;
	}
	return rc;
}

/* A write that lost a race may have been applied before (a timeout, an
 * OSD that restarted): it was if the object shows the token it wrote, as
 * long as this node is live (so no other node wrote since, taking it for
 * dead). A node not live (yet: a paused process resumes before its lease
 * thread renews) cannot tell: it asks again later, and keeps what it has
 * not written, rather than take a client-visible release for lost.
 * @return 0 applied (*version: the object's), -ESTALE not, -EAGAIN not
 * known yet */
static int flush_check(struct flush_job *job, uint64_t *version)
{
	struct rados_store *s = job->f->store;
	struct rados_token t;
	int rc = rados_token_read(s, job->f->oid, version, &t);

	if (rc)
		return rc;
	if (!job->sent.present)
		return t.present ? -ESTALE : 0;
	if (!token_equal(&t, &job->sent))
		return -ESTALE; /* purged or taken over: the object is truth */
	return rados_live_ok(s) ? 0 : -EAGAIN;
}

static int flush_wait(struct flush_job *job, uint64_t *version)
{
	int rc = -EIO;

	if (job->done) {
		rados_aio_wait_for_complete(job->done);
		rc = rados_aio_get_return_value(job->done);
		*version = rados_aio_get_version(job->done);
		rados_aio_release(job->done);
	}
	rados_release_write_op(job->op);
	rados_batch_bufs_free(job->bufs);
	if (rc == -ERANGE || rc == -EOVERFLOW || rc == -ENOENT)
		rc = flush_check(job, version);
	return rc;
}

/* The object moved under our token: another node wrote it, taking this
 * one for dead. What is pending is stale; the object is the truth. */
static struct token_ack *token_lost_locked(struct rados_file *f)
{
	struct token_ack *acks = acks_join(f->acks_sent, f->acks);

	rados_batch_clear(&f->batch);
	rados_batch_clear(&f->sending);
	f->acks_sent = NULL;
	f->acks = NULL;
	f->tstate = TOKEN_NONE;
	f->token.present = false;
	f->known = false;
	f->gen++;
	return acks;
}

static struct token_ack *flush_done_locked(struct flush_job *job,
					   uint64_t version)
{
	struct rados_file *f = job->f;
	struct token_ack *acks = f->acks_sent;

	f->acks_sent = NULL;
	f->version = version;
	f->base = job->asserted;
	f->counter = 1;
	f->token = job->sent;
	rados_batch_clear(&f->sending);
	if (!job->sent.present) {
		f->tstate = TOKEN_NONE;
		f->view = version;
	}
	return acks;
}

int rados_flush_end(struct flush_job *job)
{
	struct rados_file *f = job->f;
	struct rados_file_bucket *b = rados_file_bucket(f);
	struct token_ack *acks = NULL;
	uint64_t version = 0;
	int rc = flush_wait(job, &version);

	pthread_mutex_lock(&b->mutex);
	f->flushing = false;
	f->resend = rc && rc != -ESTALE && rc != -ESHUTDOWN;
	if (!rc)
		acks = flush_done_locked(job, version);
	else if (rc == -ESTALE || rc == -ESHUTDOWN)
		acks = token_lost_locked(f);
	/* A drop asked for while this flush was decided keeps the token:
	 * the next flush gives it back. */
	if (!rc && f->tstate == TOKEN_DROPPING)
		rados_token_queue(f);
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->mutex);
	/* Others may cache the token: they read again rather than ask. */
	if (!rc && !job->sent.present)
		rados_file_changed(f);
	/* Our entry may still be in the object: others would keep asking.
	 * A blocklisted client (recovery fenced this node) writes nothing
	 * ever again: what it held is being recovered, no use retrying. */
	if (rc == -ESTALE)
		rc = rados_token_clear_own(f);
	acks_send(f, acks);
	return rc == -ESHUTDOWN ? 0 : rados_errno(rc);
}

int rados_flush_now(struct rados_file *f)
{
	struct flush_job job;
	int rc = call_bound_passed() ? -ETIMEDOUT
				     : rados_flush_begin(f, true, &job);

	return rc == 1 ? rados_flush_end(&job) : rc;
}

void rados_tokens_free(struct rados_file *f)
{
	struct token_ack *acks = acks_join(f->acks, f->acks_sent);

	rados_batch_free(&f->batch);
	rados_batch_free(&f->sending);
	while (acks) {
		struct token_ack *next = acks->next;

		free(acks);
		acks = next;
	}
	f->acks = NULL;
	f->acks_sent = NULL;
}

/* What the object says of the file, read only if not known. */
int rados_file_state(struct rados_file *f, uint64_t *version,
		     struct rados_token *t)
{
	uint64_t gen = rados_file_gen(f);
	int64_t n_records;
	int rc;

	if (rados_file_known(f, version, &n_records, t))
		return 0;
	rc = rados_token_read(f->store, f->oid, version, t);
	if (!rc)
		rados_file_learn(f, gen, *version, -1, t);
	return rc;
}

/* Remove the token the object holds at @version. @return 0, 1 (the
 * object moved: look again), or an error */
int rados_token_clear(struct rados_file *f, uint64_t version)
{
	struct rados_store *s = f->store;
	rados_write_op_t w = rados_create_write_op();
	const char *key = RADOS_TOKEN_KEY;
	size_t key_len = strlen(RADOS_TOKEN_KEY);
	struct rados_token none = {0};
	uint64_t gen = rados_file_gen(f);
	int rc;

	if (!w)
		return -ENOMEM;
	rados_write_op_assert_version(w, version);
	rados_write_op_omap_rm_keys2(w, &key, &key_len, 1);
	rc = rados_write_run(s, w, f->oid, &version);
	rados_release_write_op(w);
	if (rc == -ERANGE || rc == -EOVERFLOW || rc == -ENOENT) {
		rados_file_forget(f);
		return 1;
	}
	if (rc)
		return rados_errno(rc);
	rados_file_learn(f, gen, version, -1, &none);
	rados_file_changed(f);
	return 0;
}

/* Remove the file's token if it is of @node and an epoch in
 * [@min_epoch, @before_epoch) and this env does not hold it.
 * @return 1 removed, 0 no such token, or an error */
int rados_token_remove(struct rados_file *f, uint32_t node, uint32_t min_epoch,
		       uint32_t before_epoch)
{
	int rc = 1;

	for (int i = 0; rc == 1 && i < PURGE_TRIES; i++) {
		struct rados_token t;
		uint64_t version;

		rc = rados_file_state(f, &version, &t);
		if (rc)
			return rc;
		if (rados_token_held(f) || !t.present || t.node != node ||
		    t.epoch < min_epoch || t.epoch >= before_epoch)
			return 0;
		rc = rados_token_clear(f, version);
		if (!rc)
			return 1;
	}
	return rc == 1 ? -EIO : rc;
}

int rados_token_clear_own(struct rados_file *f)
{
	struct rados_store *s = f->store;
	int rc = rados_token_remove(f, s->node_id, s->epoch, s->epoch + 1);

	return rc < 0 ? rc : 0;
}

/* What the files below call up for: see struct rados_file_hooks. */
const struct rados_file_hooks rados_token_hooks = {
	.request = rados_token_request,
	.drop_locked = rados_token_drop_locked,
	.release = rados_tokens_free,
};
