/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file dbus_admin.h
 * @brief FSAL UNIFIED: the org.ganesha.nfsd.lockmgr DBus interface,
 * private declarations shared by its files (dbus*.c).
 *
 * Methods run in Ganesha's DBus thread, outside any request: a method
 * that touches an export enters it (an op context and a reference) for
 * the call.
 */
#ifndef ULMFSAL_DBUS_ADMIN_H
#define ULMFSAL_DBUS_ADMIN_H

#include "ulmfsal.h" /* before gsh_dbus.h, which needs gsh_list.h */
#include "gsh_dbus.h"
#include "filter.h"
#include "grace.h"
#include "record.h"
#include "summary.h"
#include "wire.h"

/* dbus_show.c, dbus_break.c, dbus_stats.c, dbus_grace.c: the methods */
extern struct gsh_dbus_method ulmfsal_dbus_show_locks;
extern struct gsh_dbus_method ulmfsal_dbus_show_shares;
extern struct gsh_dbus_method ulmfsal_dbus_show_delegations;
extern struct gsh_dbus_method ulmfsal_dbus_show_waiters;
extern struct gsh_dbus_method ulmfsal_dbus_show_file;
extern struct gsh_dbus_method ulmfsal_dbus_show_clients;
extern struct gsh_dbus_method ulmfsal_dbus_show_nodes;
extern struct gsh_dbus_method ulmfsal_dbus_show_stats;
extern struct gsh_dbus_method ulmfsal_dbus_show_grace;
extern struct gsh_dbus_method ulmfsal_dbus_show_metrics;
extern struct gsh_dbus_method ulmfsal_dbus_break_lock;
extern struct gsh_dbus_method ulmfsal_dbus_revoke_share;
extern struct gsh_dbus_method ulmfsal_dbus_recall_delegation;
extern struct gsh_dbus_method ulmfsal_dbus_revoke_delegation;

/** Argument and reply descriptions of the methods (introspection). */
#define ULMFSAL_DBUS_ARG(n, t, d)                          \
	{                                                  \
		.name = (n), .type = (t), .direction = (d) \
	}
#define ULMFSAL_DBUS_TIME_REPLY ULMFSAL_DBUS_ARG("time", ULMV_TIME_SIG, "out")

/** @brief Fail a method with org.freedesktop.DBus.Error.InvalidArgs: bad
 *  arguments change nothing. @return false, for the method to return */
bool ulmfsal_dbus_invalid(DBusError *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** @brief Append the reply's first argument: the time it was made. */
void ulmfsal_dbus_append_now(DBusMessageIter *it);

/**
 * @brief The file key of an absolute path on the server, looked up in
 * the UNIFIED export containing it.
 * @param[out] key_len bytes of @p key (ULM_KEY_MAX of room)
 * @param[out] export_id that export
 * @return 0, -EINVAL (not a clean absolute path), -ENOENT (in no UNIFIED
 *         export, or no such file)
 */
int ulmfsal_admin_path_key(const char *path, uint8_t *key, size_t *key_len,
			   uint16_t *export_id);

/**
 * @brief Fill the path and export of the records in @p set that name a
 * file of a UNIFIED export (only @p export_id's if not 0), found by
 * walking the exports' trees (a bounded number of entries per call).
 * @return 0 or -ENOMEM
 */
int ulmfsal_admin_resolve_paths(struct ulmv_records *set, uint16_t export_id);

/**
 * @brief Every node with records, and this one (even without), with
 * their leases (ShowNodes).
 * @param[out] records NULL, or every record of the table (free them)
 * @return false, @p error set
 */
bool ulmfsal_dbus_nodes(struct ulmv_nodes *nodes, struct ulmv_records *records,
			DBusError *error);

#endif /* ULMFSAL_DBUS_ADMIN_H */
