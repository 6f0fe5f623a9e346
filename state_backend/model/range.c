/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Range algebra. Adjacency is tested with start - 1, never end + 1: end
 * may be ULM_EOF (UINT64_MAX), where end + 1 wraps to 0. */
#include <errno.h>
#include "range.h"

void ulm_range_from_length(uint64_t offset, uint64_t length, uint64_t *start,
			   uint64_t *end)
{
	*start = offset;
	if (length == 0 || length - 1 > ULM_EOF - offset)
		*end = ULM_EOF;
	else
		*end = offset + (length - 1);
}

int range_validate(uint64_t start, uint64_t end)
{
	return start <= end ? 0 : -EINVAL;
}

bool range_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Overlapping or adjacent. */
bool range_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return (s2 == 0 || e1 >= s2 - 1) && (s1 == 0 || e2 >= s1 - 1);
}

bool range_conflict(const struct ulm_span *a, const struct ulm_span *b)
{
	return range_overlap(a->start, a->end, b->start, b->end) &&
	       (a->type == ULM_LOCK_WRITE || b->type == ULM_LOCK_WRITE);
}

void range_widen(uint64_t start, uint64_t end, uint64_t *wstart, uint64_t *wend)
{
	*wstart = start == 0 ? 0 : start - 1;
	*wend = end == ULM_EOF ? ULM_EOF : end + 1;
}

static void plan_add(struct range_plan *plan, uint64_t start, uint64_t end,
		     enum ulm_lock_type type, int source)
{
	struct range_piece *p = &plan->add[plan->n_add++];

	p->span.start = start;
	p->span.end = end;
	p->span.type = type;
	p->source = source;
}

/* Keep what held[i] has outside [start, end]. end + 1 is safe: it only
 * runs when held->end > end. */
static void plan_remnants(struct range_plan *plan, uint64_t start, uint64_t end,
			  const struct ulm_span *held, int i)
{
	if (held->start < start)
		plan_add(plan, held->start, start - 1, held->type, i);
	if (held->end > end)
		plan_add(plan, end + 1, held->end, held->type, i);
}

void range_plan_acquire(const struct ulm_span *req, const struct ulm_span *held,
			size_t n, bool *remove, struct range_plan *plan)
{
	struct ulm_span merged = *req;

	plan->n_add = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ulm_span *h = &held[i];

		remove[i] = false;
		if (h->type == req->type &&
		    range_touch(h->start, h->end, req->start, req->end)) {
			/* An owner's same-type locks never touch each other,
			 * so merging cannot reach a further lock. */
			remove[i] = true;
			if (h->start < merged.start)
				merged.start = h->start;
			if (h->end > merged.end)
				merged.end = h->end;
		} else if (range_overlap(h->start, h->end, req->start,
					 req->end)) {
			remove[i] = true;
			plan_remnants(plan, req->start, req->end, h, (int)i);
		}
	}
	plan_add(plan, merged.start, merged.end, merged.type, -1);
}

void range_plan_release(uint64_t start, uint64_t end,
			const struct ulm_span *held, size_t n, bool *remove,
			struct range_plan *plan)
{
	plan->n_add = 0;
	for (size_t i = 0; i < n; i++) {
		remove[i] =
			range_overlap(held[i].start, held[i].end, start, end);
		if (remove[i])
			plan_remnants(plan, start, end, &held[i], (int)i);
	}
}
