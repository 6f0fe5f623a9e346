/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Owners interned per file table: every lock of one owner on one file
 * points at one copy of the identity, counted by its locks. */
#ifndef ULM_OWNER_H
#define ULM_OWNER_H

#include <stdbool.h>
#include <stdint.h>
#include "itree.h"
#include "ulm.h"

struct ulm_towner {
	struct ulm_towner *next; /**< chain in the owner set */
	uint64_t hash;
	size_t nlocks;	    /**< locks held; the owner goes with the last */
	struct itree locks; /**< this owner's locks on this file */
	uint32_t node;
	uint8_t protocol;
	uint8_t kind;
	uint16_t client_len;
	uint16_t owner_len;
	uint8_t id[]; /**< client bytes, then owner bytes */
};

/** A hash set of interned owners. */
struct owner_set {
	struct ulm_towner **buckets;
	size_t nbuckets;
	size_t count;
};

int owner_validate(const struct ulm_owner *owner);
uint64_t owner_hash(const struct ulm_owner *owner);
bool owner_same(const struct ulm_owner *a, const struct ulm_owner *b);

/** @return a new interned copy with no locks, or NULL (no memory). */
struct ulm_towner *towner_create(const struct ulm_owner *owner,
				 size_t link_to_key);
/** View an interned owner as the public type (borrows its bytes). */
void towner_view(const struct ulm_towner *towner, struct ulm_owner *out);

int owner_set_init(struct owner_set *set);
void owner_set_fini(struct owner_set *set);
struct ulm_towner *owner_set_find(const struct owner_set *set,
				  const struct ulm_owner *owner);
void owner_set_insert(struct owner_set *set, struct ulm_towner *towner);
void owner_set_remove(struct owner_set *set, struct ulm_towner *towner);

#endif /* ULM_OWNER_H */
