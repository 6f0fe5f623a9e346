/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What threads hold, byte by byte, on a few small files: every granted lock
 * is checked in and out, and a grant that conflicts with one held counts
 * as a violation (a double grant). Shared by the multi-threaded tests.
 */
#ifndef GRANT_BOARD_H
#define GRANT_BOARD_H

#include <pthread.h>
#include "ulm.h"

#define BOARD_FILES 4
#define BOARD_SPACE 32

struct grant_board {
	pthread_mutex_t mutex;
	int readers[BOARD_FILES][BOARD_SPACE];
	int writers[BOARD_FILES][BOARD_SPACE];
	int violations;
	int granted;
};

#define GRANT_BOARD_INIT                           \
	{                                          \
		.mutex = PTHREAD_MUTEX_INITIALIZER \
	}

/** Check a granted lock of bytes [@start, @end] of file @f in (@delta +1)
 *  or out (-1). */
void grant_board_mark(struct grant_board *b, int f, enum ulm_lock_type type,
		      int start, int end, int delta);

#endif
