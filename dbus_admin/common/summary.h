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

/** A node's liveness lease in the store, as the asker sees it. */
enum ulmv_lease {
	ULMV_LEASE_UNKNOWN, /**< not registered in the store */
	ULMV_LEASE_LIVE,    /**< held: the node may grant */
	ULMV_LEASE_FENCED, /**< the asked node itself lost it: grants nothing */
	ULMV_LEASE_DEAD,   /**< lapsed: other nodes may take its records */
};

/** One node: the latest epoch its records carry, and what they are. */
struct ulmv_node {
	uint32_t node;
	uint32_t epoch;
	bool local;	/**< the node the answering Ganesha runs as */
	uint32_t lease; /**< enum ulmv_lease */
	/** when its lease ends unless renewed, as it last recorded it
	 *  (CLOCK_REALTIME ms; 0: unknown): for a node not live, when it
	 *  became so */
	uint64_t lease_end_ms;
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
/** @brief Add every node registered in @p env's store, with its lease
 *  (@p self: the node @p env runs as, fenced when it is not live; 0:
 *  none, a read-only env), then sort. @return 0, or libulm's error */
int ulmv_nodes_leases(struct ulmv_nodes *set, ulm_env *env, uint32_t self);
/** @brief "live", "fenced", "dead" or "unknown". */
const char *ulmv_lease_name(uint32_t lease);

#endif /* ULMV_SUMMARY_H */
