/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Treap by split and merge: both keep max_end exact on the way back up.
 * Expected depth is O(log n), so recursion is bounded in practice. */
#include <stdbool.h>
#include "bytes.h"
#include "itree.h"

static const struct itree_key *key_of(const struct itree *tree,
				      const struct itree_link *link)
{
	return (const struct itree_key *)((const char *)link -
					  tree->link_to_key);
}

static uint64_t priority(const struct itree *tree,
			 const struct itree_link *link)
{
	return mix64(key_of(tree, link)->id);
}

static bool key_less(const struct itree_key *a, const struct itree_key *b)
{
	return a->start < b->start || (a->start == b->start && a->id < b->id);
}

static void update(const struct itree *tree, struct itree_link *link)
{
	uint64_t max = key_of(tree, link)->end;

	if (link->left && link->left->max_end > max)
		max = link->left->max_end;
	if (link->right && link->right->max_end > max)
		max = link->right->max_end;
	link->max_end = max;
}

/* Split @t into the links ordered before @key and the rest. */
static void split(const struct itree *tree, struct itree_link *t,
		  const struct itree_key *key, struct itree_link **before,
		  struct itree_link **after)
{
	if (!t) {
		*before = NULL;
		*after = NULL;
	} else if (key_less(key_of(tree, t), key)) {
		split(tree, t->right, key, &t->right, after);
		*before = t;
		update(tree, t);
	} else {
		split(tree, t->left, key, before, &t->left);
		*after = t;
		update(tree, t);
	}
}

/* Join two treaps where every key of @a orders before every key of @b. */
static struct itree_link *merge(const struct itree *tree, struct itree_link *a,
				struct itree_link *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (priority(tree, a) > priority(tree, b)) {
		a->right = merge(tree, a->right, b);
		update(tree, a);
		return a;
	}
	b->left = merge(tree, a, b->left);
	update(tree, b);
	return b;
}

static struct itree_link *insert(const struct itree *tree, struct itree_link *t,
				 struct itree_link *link)
{
	if (!t || priority(tree, link) > priority(tree, t)) {
		split(tree, t, key_of(tree, link), &link->left, &link->right);
		update(tree, link);
		return link;
	}
	if (key_less(key_of(tree, link), key_of(tree, t)))
		t->left = insert(tree, t->left, link);
	else
		t->right = insert(tree, t->right, link);
	update(tree, t);
	return t;
}

static struct itree_link *remove_link(const struct itree *tree,
				      struct itree_link *t,
				      struct itree_link *link)
{
	if (!t)
		return NULL;
	if (t == link)
		return merge(tree, t->left, t->right);
	if (key_less(key_of(tree, link), key_of(tree, t)))
		t->left = remove_link(tree, t->left, link);
	else
		t->right = remove_link(tree, t->right, link);
	update(tree, t);
	return t;
}

void itree_init(struct itree *tree, size_t link_to_key)
{
	tree->root = NULL;
	tree->link_to_key = link_to_key;
}

void itree_insert(struct itree *tree, struct itree_link *link)
{
	link->left = NULL;
	link->right = NULL;
	tree->root = insert(tree, tree->root, link);
}

void itree_remove(struct itree *tree, struct itree_link *link)
{
	tree->root = remove_link(tree, tree->root, link);
}

static int overlapping(const struct itree *tree, struct itree_link *t,
		       uint64_t start, uint64_t end, itree_visit_fn visit,
		       void *arg)
{
	const struct itree_key *key;
	int rc;

	if (!t || t->max_end < start)
		return 0;
	rc = overlapping(tree, t->left, start, end, visit, arg);
	if (rc)
		return rc;
	key = key_of(tree, t);
	if (key->start > end)
		return 0; /* so does everything to the right */
	if (key->end >= start) {
		rc = visit(t, arg);
		if (rc)
			return rc;
	}
	return overlapping(tree, t->right, start, end, visit, arg);
}

int itree_overlapping(const struct itree *tree, uint64_t start, uint64_t end,
		      itree_visit_fn visit, void *arg)
{
	return overlapping(tree, tree->root, start, end, visit, arg);
}

int itree_walk(const struct itree *tree, itree_visit_fn visit, void *arg)
{
	return itree_overlapping(tree, 0, UINT64_MAX, visit, arg);
}
