/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Pure range algebra: overlap, conflict, and the plan of what one owner's
 * acquire or release changes. No allocation, no I/O. */
#ifndef ULM_RANGE_H
#define ULM_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ulm.h"

/** An inclusive range with a lock type. */
struct ulm_span {
	uint64_t start;
	uint64_t end;
	enum ulm_lock_type type;
};

/** A record a plan adds: a new lock, or the remnant of a held one. */
struct range_piece {
	struct ulm_span span;
	/** Index of the held lock it remains of; -1 for the new lock. */
	int source;
};

/* An acquire adds the new lock plus at most a left and a right remnant. */
#define RANGE_PLAN_MAX_ADD 3

struct range_plan {
	size_t n_add;
	struct range_piece add[RANGE_PLAN_MAX_ADD];
};

int range_validate(uint64_t start, uint64_t end);
bool range_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2);
bool range_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2);
bool range_conflict(const struct ulm_span *a, const struct ulm_span *b);

/* The range whose overlaps are the locks a change of [start, end] can
 * touch: one byte wider on each side, clamped. */
void range_widen(uint64_t start, uint64_t end, uint64_t *wstart,
		 uint64_t *wend);

/**
 * Plan one owner's acquire of @p req. @p held are that owner's locks that
 * touch or overlap @p req (non-overlapping, any order); @p remove[i] tells
 * whether held[i] goes.
 */
void range_plan_acquire(const struct ulm_span *req, const struct ulm_span *held,
			size_t n, bool *remove, struct range_plan *plan);

/** Plan one owner's release of [start, end]; as range_plan_acquire(). */
void range_plan_release(uint64_t start, uint64_t end,
			const struct ulm_span *held, size_t n, bool *remove,
			struct range_plan *plan);

#endif /* ULM_RANGE_H */
