/* SPDX-License-Identifier: LGPL-3.0-or-later */
/** @file grow.h @brief Growing arrays of the admin model. */
#ifndef ULMV_GROW_H
#define ULMV_GROW_H

#include <stdbool.h>
#include <stdlib.h>

/** Make room for element @p n of @p size bytes in *v (capacity doubles). */
static inline bool ulmv_grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t want = *cap ? 2 * *cap : 16;
	void *bigger;

	if (n < *cap)
		return true;
	bigger = realloc(*v, want * size);
	if (!bigger)
		return false;
	*v = bigger;
	*cap = want;
	return true;
}

#endif /* ULMV_GROW_H */
