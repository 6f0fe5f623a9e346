/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file filter.h
 * @brief Which records a listing shows: named criteria, all of which a
 * record must meet. The same names are used by the lockmgr DBus interface
 * (a{ss} arguments) and by ulmctl's options.
 *
 *   file=HEX       the file key
 *   path=/PATH     the file's path on the server (needs Ganesha)
 *   export=ID      files within that export (needs Ganesha)
 *   client=TEXT    client identity containing TEXT
 *   protocol=NAME  nlm, nfs4, smb, local, 9p
 *   node=N         records made by that node
 */
#ifndef ULMV_FILTER_H
#define ULMV_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ulm.h"

struct ulmv_filter {
	unsigned types; /**< ULMV_* families to show; 0: every one */
	int protocol;	/**< enum ulm_protocol; 0: any */
	bool by_node;
	uint32_t node;
	char *client; /**< NULL: any */
	bool by_file;
	size_t file_len;
	uint8_t file[ULM_KEY_MAX];
	char *path; /**< NULL: any; resolved to a file key by Ganesha */
	bool by_export;
	uint16_t export_id;
};

/**
 * @brief Add the criterion NAME=VALUE to @p f (zero-initialised first).
 * @param[out] why on -EINVAL, what is wrong, for the user
 * @return 0, -EINVAL (unknown name or bad value), -ENOMEM
 */
int ulmv_filter_set(struct ulmv_filter *f, const char *name, const char *value,
		    char *why, size_t why_len);

/** @brief Does the record meet every criterion but path and export? */
bool ulmv_filter_match(const struct ulmv_filter *f, const struct ulm_key *file,
		       const struct ulm_lock_info *info);

/** @brief Free what ulmv_filter_set() allocated. */
void ulmv_filter_free(struct ulmv_filter *f);

#endif /* ULMV_FILTER_H */
