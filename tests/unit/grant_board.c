/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include "grant_board.h"

void grant_board_mark(struct grant_board *b, int f, enum ulm_lock_type type,
		      int start, int end, int delta)
{
	pthread_mutex_lock(&b->mutex);
	for (int i = start; i <= end; i++) {
		if (delta > 0 && (b->writers[f][i] ||
				  (type == ULM_LOCK_WRITE && b->readers[f][i])))
			b->violations++;
		if (type == ULM_LOCK_WRITE)
			b->writers[f][i] += delta;
		else
			b->readers[f][i] += delta;
	}
	b->granted += delta > 0;
	pthread_mutex_unlock(&b->mutex);
}
