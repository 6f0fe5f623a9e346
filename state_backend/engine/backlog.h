/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Releases the store could not take (the node fenced, a write failed):
 * kept in memory and replayed, in order, before the node grants again
 * and as soon as it is live (backlog.c). */
#ifndef ULM_BACKLOG_H
#define ULM_BACKLOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "ulm.h"

struct kept_release;

struct release_backlog {
	pthread_mutex_t mutex;	/* the list, the counters, the thread */
	pthread_mutex_t replay; /* one replay at a time, oldest first */
	pthread_cond_t cond;
	struct kept_release *head, **tail;
	atomic_size_t pending;
	uint64_t kept, replayed, dropped;
	pthread_t thread;
	bool running, stop;
};

/** What one release covers of the owner's records: a range (shares and
 *  delegations: the whole file), and how (ULM_FLAG_EMPTY: a Windows lock
 *  of length 0). */
struct release_range {
	uint64_t start;
	uint64_t end;
	unsigned flags;
};

#define WHOLE_FILE ((struct release_range){0, ULM_EOF, 0})

/** One release of the store as the engine runs it: validated already;
 *  env_writable() and the table op. */
typedef int (*release_fn)(ulm_env *env, const struct ulm_key *file,
			  const struct ulm_owner *owner,
			  const struct release_range *range);

void backlog_init(struct release_backlog *b);
/** Stop the replay thread, replay once more if the node is live; what
 *  is left is lost with the process (the grace purge of its next start
 *  removes the records). */
void backlog_fini(ulm_env *env);

/** Release now, or keep the release if the store cannot take it now
 *  (ULM_EFENCED, -EIO): it is replayed before this node grants anything
 *  on the file again, and by a thread as soon as the node is live. @return 0
 * (done or kept), or @p fn's other errors */
int release_or_keep(ulm_env *env, release_fn fn, const struct ulm_key *file,
		    const struct ulm_owner *owner,
		    const struct release_range *range);

/** Before a grant on @p file: replay the file's kept releases.
 *  @return 0, or the error that stopped the replay (ULM_EFENCED, -EIO,
 *  -ENOMEM, -ENOLCK) */
int backlog_settle(ulm_env *env, const struct ulm_key *file);

/** The backlog's counters, for ulm_env_stats(). */
void backlog_stats(ulm_env *env, struct ulm_env_stats *st);

#endif /* ULM_BACKLOG_H */
