/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file grace.h
 * @brief Who is in grace in the cluster, as rows: one per node of the
 * lock store, per service address, per grace database member no node
 * names. Built from ULM's recovery entries, the service addresses, the
 * records and Ganesha's grace database; by ulmctl (offline, --store) and
 * by the UNIFIED FSAL (ShowGrace), the same way.
 */
#ifndef ULMV_GRACE_H
#define ULMV_GRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "summary.h"
#include "ulmrec.h"

/** One row: a node of the lock store, a service address, or a grace
 *  database member that names no known node. */
struct ulmv_grace_row {
	const char *kind;   /**< "node", "address", "member" */
	char *name;	    /**< node id, address, member name */
	uint32_t node;	    /**< whose records (node), clients (address) */
	uint32_t at;	    /**< address: the node serving it; else 0 */
	char *member;	    /**< the node's grace database member; "" */
	int ganesha;	    /**< its flags there (ULMREC_GRACE_*); -1: none */
	bool grace;	    /**< ULM recovers its records, or Ganesha's NEED */
	uint32_t by;	    /**< ULM's recovery: the node ending it; 0: none */
	uint64_t since_ms;  /**< when it began (CLOCK_REALTIME ms) */
	uint64_t ends_ms;   /**< when it ends at the latest */
	uint64_t reclaimed; /**< reclaims adopted by @p by in its life */
	uint64_t unreclaimed; /**< records left to reclaim */
	char *clients;	      /**< clients holding those, comma-separated */
};

/** The cluster's grace, as rows. */
struct ulmv_grace {
	bool have_db; /**< Ganesha's grace database was read */
	uint64_t cur; /**< its current epoch */
	uint64_t rec; /**< its recovery epoch (0: no grace in force) */
	struct ulmv_grace_row *v;
	size_t n;
	size_t cap;
};

void ulmv_grace_free(struct ulmv_grace *grace);

/** What the rows are made of. */
struct ulmv_grace_source {
	struct ulmrec_entry *entries; /**< ULM's recoveries in progress */
	size_t n_entries;
	struct ulmrec_service *services;
	size_t n_services;
	/** Every record (needed only while @p n_entries; else empty). */
	struct ulmv_records records;
	/** The nodes of the records and every registered node. */
	struct ulmv_nodes nodes;
};

/** @brief Read the recovery entries and service addresses from RADOS
 *  into @p src. @return 0, -EIO, -ENOMEM, -EBADMSG */
int ulmv_grace_source_read(ulmrec *rec, struct ulmv_grace_source *src);
void ulmv_grace_source_free(struct ulmv_grace_source *src);

/** @brief The node and address rows of @p src, appended to @p out.
 *  @return 0 or -ENOMEM */
int ulmv_grace_rows(struct ulmv_grace_source *src, struct ulmv_grace *out);

/** @brief Ganesha's grace database (its epochs, every member's flags)
 *  onto @p out's rows. @return 0, -ENOENT (no database), -EIO, -EBADMSG,
 *  -ENOMEM */
int ulmv_grace_db(ulmrec *rec, struct ulmv_grace *out);

#endif /* ULMV_GRACE_H */
