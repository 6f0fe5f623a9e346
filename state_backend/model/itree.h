/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* An intrusive interval tree: a treap ordered by (start, id), each link
 * keeping the largest end below it, so overlap queries cost O(log n + k).
 * The treap's priority is a hash of the id, so nothing extra is stored. */
#ifndef ULM_ITREE_H
#define ULM_ITREE_H

#include <stddef.h>
#include <stdint.h>

/** What the tree orders by; the element holds it at a fixed offset. */
struct itree_key {
	uint64_t start;
	uint64_t end;
	uint64_t id; /**< unique within a tree */
};

struct itree_link {
	struct itree_link *left;
	struct itree_link *right;
	uint64_t max_end;
};

struct itree {
	struct itree_link *root;
	/** Bytes from an element's link back to its key. */
	size_t link_to_key;
};

/** @return non-zero to stop a walk; the walk then returns it. */
typedef int (*itree_visit_fn)(struct itree_link *link, void *arg);

void itree_init(struct itree *tree, size_t link_to_key);
void itree_insert(struct itree *tree, struct itree_link *link);
void itree_remove(struct itree *tree, struct itree_link *link);

/** Visit the links overlapping [start, end] in ascending (start, id). */
int itree_overlapping(const struct itree *tree, uint64_t start, uint64_t end,
		      itree_visit_fn visit, void *arg);

/** Visit every link in ascending (start, id). */
int itree_walk(const struct itree *tree, itree_visit_fn visit, void *arg);

#endif /* ULM_ITREE_H */
