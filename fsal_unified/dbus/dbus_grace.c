// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus_grace.c
 * @brief FSAL UNIFIED: the lockmgr DBus method ShowGrace, for ulmctl
 * grace: who is in grace in the cluster, the rows ulmctl grace --store
 * reads offline (grace.h), from this Ganesha's view of RADOS: the
 * recovery entries and service addresses, the lock table, and Ganesha's
 * grace database when its RecoveryBackend is rados_cluster.
 *
 * It reads what a listing reads (the table once) plus the recovery
 * state's few objects, on the DBus thread: no worker waits on it.
 */
#include <errno.h>
#include <string.h>

#include "dbus_admin.h"

static bool recovery_failed(DBusError *error, const char *what, int rc)
{
	dbus_set_error(error, DBUS_ERROR_FAILED, "reading %s: %s", what,
		       strerror(-rc));
	return false;
}

/* Every row, or false (@p error set): never a part of them. */
static bool grace_rows(ulmrec *rec, struct ulmv_grace *g, DBusError *error)
{
	struct ulmv_grace_source src = {0};
	int rc = ulmv_grace_source_read(rec, &src);
	bool ok = rc == 0 ||
		  recovery_failed(error, "the recovery state in RADOS", rc);

	/* Records only matter while a node's are being recovered. */
	ok = ok &&
	     ulmfsal_dbus_nodes(&src.nodes, src.n_entries ? &src.records : NULL,
				error);
	if (ok && ulmv_grace_rows(&src, g) != 0)
		ok = recovery_failed(error, "the grace rows", -ENOMEM);
	ulmv_grace_source_free(&src);
	if (!ok)
		return false;
	/* -ENOENT: no rados_cluster grace database to read. */
	rc = ulmv_grace_db(rec, g);
	return rc == 0 || rc == -ENOENT ||
	       recovery_failed(error, "Ganesha's grace database", rc);
}

static bool show_grace(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	struct ulmv_grace g = {0};
	ulmrec *rec = ulmfsal_cluster();
	DBusMessageIter iter;
	bool ok;

	if (args != NULL)
		return ulmfsal_dbus_invalid(error, "ShowGrace takes no "
						   "arguments");
	if (rec == NULL) {
		dbus_set_error(error, DBUS_ERROR_FAILED,
			       "no cluster recovery state: the lock store is "
			       "not RADOS, or RADOS was unreachable when "
			       "Ganesha started (see its log)");
		return false;
	}
	ok = grace_rows(rec, &g, error);
	if (ok) {
		dbus_message_iter_init_append(reply, &iter);
		ulmfsal_dbus_append_now(&iter);
		ok = ulmv_wire_put_grace(&iter, &g);
	}
	ulmv_grace_free(&g);
	return ok;
}

struct gsh_dbus_method ulmfsal_dbus_show_grace = {
	.name = "ShowGrace",
	.method = show_grace,
	.args = {ULMFSAL_DBUS_TIME_REPLY,
		 ULMFSAL_DBUS_ARG("grace_db", "b", "out"),
		 ULMFSAL_DBUS_ARG("epoch", "t", "out"),
		 ULMFSAL_DBUS_ARG("recovery_epoch", "t", "out"),
		 ULMFSAL_DBUS_ARG("rows", "a" ULMV_GRACE_ROW_SIG, "out"),
		 END_ARG_LIST},
};
