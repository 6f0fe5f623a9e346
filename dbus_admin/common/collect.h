/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file collect.h
 * @brief Read the records of a lock table that meet a filter (file key,
 * client, protocol, node, families; path and export are Ganesha's to
 * resolve). Used inside Ganesha and by ulmctl on a store it opened.
 */
#ifndef ULMV_COLLECT_H
#define ULMV_COLLECT_H

#include "filter.h"
#include "record.h"

/**
 * @brief Append to @p set every record of @p env meeting @p f, in
 * ulm_lock_list()'s order (files, then ascending start).
 * @return 0, -ENOMEM, or ulm_lock_list()'s error (-EIO, ULM_ECORRUPT...)
 */
int ulmv_collect(ulm_env *env, const struct ulmv_filter *f,
		 struct ulmv_records *set);

/** @brief Takes the records collected so far (and empties @p set).
 *  @return 0 to go on, else the walk stops and returns it */
typedef int (*ulmv_chunk_fn)(struct ulmv_records *set, void *arg);

/**
 * @brief As ulmv_collect(), a chunk at a time: @p set is handed to
 * @p take each time it holds @p chunk records, and to @p end with the
 * rest once the walk is over, so that a listing of any size takes the
 * memory of one chunk.
 */
int ulmv_collect_chunks(ulm_env *env, const struct ulmv_filter *f,
			struct ulmv_records *set, size_t chunk,
			ulmv_chunk_fn take, ulmv_chunk_fn end, void *arg);

#endif /* ULMV_COLLECT_H */
