/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RADOS store's primitives (rados_io.c, rados_batch.c,
 * rados_bounded.c, rados_thread.c): run an op and wait, read one value,
 * encode record changes, watch/unwatch/notify with a deadline, service
 * threads. Every other part of the store builds on them.
 */
#ifndef ULM_RADOS_IO_H
#define ULM_RADOS_IO_H

#include "rados_store.h"

/** One omap value (at most *@p len bytes; *@p len: its length, 0 if
 *  there is no such key) and the version of its object (0: no object).
 *  @return 0, -ENOMEM, -EIO, ULM_ECORRUPT (longer than *@p len) */
int rados_value_get(struct rados_store *s, const char *oid, const char *key,
		    void *buf, size_t *len, uint64_t *version);
/** One big-endian u32 omap value, and the version of its object (0: no
 *  object; *value 0: no such key). */
int rados_u32_get(struct rados_store *s, const char *oid, const char *key,
		  uint32_t *value, uint64_t *version);

/** A record's omap key: its id in 16 hex digits. */
#define RADOS_ID_KEY_LEN 16
/** Write @p id's key into @p buf (RADOS_ID_KEY_LEN + 1). @return buf */
const char *rados_id_key(char *buf, uint64_t id);

bool rados_batch_empty(const struct rados_batch *b);
/** Drop the changes, keep the room. */
void rados_batch_clear(struct rados_batch *b);
void rados_batch_free(struct rados_batch *b);
/** Add @p op's changes: its puts, encoded, get ids (@p base << 16) +
 *  @p next + i; a delete of a record still in @p b cancels its put.
 *  @return 0, or -ENOMEM and @p b unchanged */
int rados_batch_add(struct rados_batch *b, struct ulm_store_op *op,
		    uint64_t base, uint32_t next);
struct batch_bufs;
/** Add @p b's omap steps to @p w. @return what the steps point into,
 *  to free with rados_batch_bufs_free() once @p w ran (NULL: no memory)*/
struct batch_bufs *rados_batch_write(const struct rados_batch *b,
				     rados_write_op_t w);
void rados_batch_bufs_free(struct batch_bufs *bb);

/** Map a librados result to libulm's errors: never a silent success. */
int rados_errno(int rc);

/** Run @p op on @p oid and wait. @return librados's raw result; on
 *  success *@p version (if not NULL) is the object's new version. */
int rados_write_run(struct rados_store *s, rados_write_op_t op, const char *oid,
		    uint64_t *version);
/** As rados_write_run for a read op; *@p version is the version read. */
int rados_read_run(struct rados_store *s, rados_read_op_t op, const char *oid,
		   uint64_t *version);

/* Watch, unwatch and notify with a deadline (rados_bounded.c): librados
 * bounds none of them by its op timeout. Deadlines are CLOCK_MONOTONIC
 * ns. A timed-out op returns -ETIMEDOUT and is left to finish alone. */
void rados_bounded_init(struct rados_store *s);
void rados_bounded_fini(struct rados_store *s);
/** The deadline of a watch or unwatch (0), or of a notify that waits
 *  @p wait_ms for acks. */
uint64_t rados_deadline(const struct rados_store *s, uint32_t wait_ms);
/** Hands @p arg back: the op, and any watch it left behind, no longer
 *  use it (but for callbacks that rados_watch_flush() waits for). */
typedef void (*rados_release_fn)(void *arg);
/** Watch @p oid with callbacks on @p arg; release(@p arg) (if not NULL)
 *  once the op is over: before returning if it ended by @p deadline
 *  (then a watch made, *@p cookie, is the caller's), else once a watch
 *  made late is taken down. @return 0, -ETIMEDOUT, or a librados error */
int rados_watch_bounded(struct rados_store *s, const char *oid,
			rados_watchcb2_t notified, rados_watcherrcb_t failed,
			uint32_t timeout_s, void *arg, rados_release_fn release,
			uint64_t deadline, uint64_t *cookie);
/** Remove watch @p cookie, waiting until @p deadline at most (0: not at
 *  all); release(@p arg) once it is gone (also when closing). */
void rados_unwatch_bounded(struct rados_store *s, uint64_t cookie,
			   rados_release_fn release, void *arg,
			   uint64_t deadline);
/** Notify @p oid's watchers, waiting for their acks @p timeout_ms (whole
 *  seconds) and for the answer until @p deadline. @return 0 or an error;
 *  *@p reply (free with rados_buffer_free()) may be set either way but
 *  for -ETIMEDOUT of the deadline */
int rados_notify_bounded(struct rados_store *s, const char *oid,
			 const void *msg, size_t len, uint32_t timeout_ms,
			 uint64_t deadline, char **reply, size_t *reply_len);
/** rados_notify_bounded() in two steps: start it (NULL: no memory, or
 *  refused), then wait for it (as rados_notify_bounded() does). */
struct bounded_op;
struct bounded_op *rados_notify_start(struct rados_store *s, const char *oid,
				      const void *msg, size_t len,
				      uint32_t timeout_ms);
int rados_notify_finish(struct bounded_op *op, uint64_t deadline, char **reply,
			size_t *reply_len);
/** Send @p msg to @p oid's watchers without waiting for their acks. */
void rados_notify_async(struct rados_store *s, const char *oid, const void *msg,
			size_t len, uint32_t timeout_ms);
/** Close: wait until @p deadline at most for the ops in flight, then
 *  start no more. @return true: none is left (no callback will come) */
bool rados_bounded_drain(struct rados_store *s, uint64_t deadline);

void rados_thread_init(struct rados_thread *t);
/** @return 0, -EAGAIN */
int rados_thread_start(struct rados_thread *t, void *(*fn)(void *), void *arg);
/** Wait on the condition until CLOCK_MONOTONIC @p deadline_ns. @pre mutex
 *  held. @return false: the deadline passed */
bool rados_thread_wait(struct rados_thread *t, uint64_t deadline_ns);
/** Stop it (if started: stop flag, broadcast, join) and free it. */
void rados_thread_fini(struct rados_thread *t);

#endif /* ULM_RADOS_IO_H */
