/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file summary.h
 * @brief Clients and nodes known to the lock table, counted from its
 * records: what each holds (locks, shares, delegations) and awaits.
 */
#ifndef ULMV_SUMMARY_H
#define ULMV_SUMMARY_H

#include "record.h"

enum ulmv_family {
	ULMV_FAMILY_LOCK,
	ULMV_FAMILY_SHARE,
	ULMV_FAMILY_DELEG,
	ULMV_FAMILY_WAIT,
	ULMV_FAMILIES
};

/** @brief The family of a record type, or -1 for an unknown type. */
int ulmv_family(enum ulm_record_type type);

/** One client, as seen through one node and protocol. */
struct ulmv_client {
	enum ulm_protocol protocol;
	uint32_t node;
	char *client; /**< text */
	uint32_t count[ULMV_FAMILIES];
};

struct ulmv_clients {
	struct ulmv_client *v;
	size_t n;
	size_t cap;
};

/** One node: the latest epoch its records carry, and what they are. */
struct ulmv_node {
	uint32_t node;
	uint32_t epoch;
	bool local; /**< the node the answering Ganesha runs as */
	uint32_t count[ULMV_FAMILIES];
};

struct ulmv_nodes {
	struct ulmv_node *v;
	size_t n;
	size_t cap;
};

/** @brief Count @p r for its client. @return 0, -ENOMEM */
int ulmv_clients_add(struct ulmv_clients *set, const struct ulmv_record *r);
/** @brief Count every record of @p records, then sort. @return 0, -ENOMEM */
int ulmv_clients_count(struct ulmv_clients *set,
		       const struct ulmv_records *records);
void ulmv_clients_free(struct ulmv_clients *set);

/** @brief The entry of @p node, added (zeroed) if missing, or NULL. */
struct ulmv_node *ulmv_nodes_get(struct ulmv_nodes *set, uint32_t node);
/** @brief Count @p r for its node. @return 0, -ENOMEM */
int ulmv_nodes_add(struct ulmv_nodes *set, const struct ulmv_record *r);
/** @brief Count every record of @p records, then sort. @return 0, -ENOMEM */
int ulmv_nodes_count(struct ulmv_nodes *set,
		     const struct ulmv_records *records);
void ulmv_nodes_free(struct ulmv_nodes *set);

#endif /* ULMV_SUMMARY_H */
