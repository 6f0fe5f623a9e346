// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file collect.c
 * @brief The records of a lock table that meet a filter.
 */
#include <errno.h>

#include "collect.h"

struct collecting {
	const struct ulmv_filter *filter;
	struct ulmv_records *set;
	size_t chunk; /* 0: all at once */
	ulmv_chunk_fn take;
	void *arg;
};

/* Runs with the file's table locked: copies, never calls libulm. */
static int collect_visit(const struct ulm_key *file,
			 const struct ulm_lock_info *info, void *arg)
{
	struct collecting *c = arg;
	struct ulmv_record *r;

	if (!ulmv_filter_match(c->filter, file, info))
		return 0;
	r = ulmv_records_add(c->set);
	if (r == NULL)
		return -ENOMEM;
	if (ulmv_record_from_info(r, file, info) != 0) {
		c->set->n--;
		return -ENOMEM;
	}
	return c->chunk && c->set->n == c->chunk ? c->take(c->set, c->arg) : 0;
}

static int collect_walk(ulm_env *env, struct collecting *c)
{
	const struct ulmv_filter *f = c->filter;
	struct ulm_key key = {f->file, f->file_len};

	return ulm_lock_list(env, f->by_file ? &key : NULL, collect_visit, c);
}

int ulmv_collect(ulm_env *env, const struct ulmv_filter *f,
		 struct ulmv_records *set)
{
	struct collecting c = {f, set, 0, NULL, NULL};

	return collect_walk(env, &c);
}

int ulmv_collect_chunks(ulm_env *env, const struct ulmv_filter *f,
			struct ulmv_records *set, size_t chunk,
			ulmv_chunk_fn take, ulmv_chunk_fn end, void *arg)
{
	struct collecting c = {f, set, chunk, take, arg};
	int rc = collect_walk(env, &c);

	return rc ? rc : end(set, arg);
}
