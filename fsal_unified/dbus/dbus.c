// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus.c
 * @brief FSAL UNIFIED: registers the org.ganesha.nfsd.lockmgr interface
 * on /org/ganesha/nfsd/LockMgr in Ganesha's DBus service.
 *
 * Ganesha reads its exports, and so opens our lock store, before it
 * connects to the system bus; a thread waits for Ganesha's start-up to
 * finish, then registers. Without a system bus (or when it cannot be
 * reached) Ganesha serves as usual and the interface is not offered.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "nfs_init.h"
#include "dbus_admin.h"
#include "stats.h"

static struct gsh_dbus_method *lockmgr_methods[] = {
	&ulmfsal_dbus_show_locks,
	&ulmfsal_dbus_show_shares,
	&ulmfsal_dbus_show_delegations,
	&ulmfsal_dbus_show_waiters,
	&ulmfsal_dbus_show_file,
	&ulmfsal_dbus_show_clients,
	&ulmfsal_dbus_show_nodes,
	&ulmfsal_dbus_show_stats,
	&ulmfsal_dbus_show_metrics,
	&ulmfsal_dbus_show_grace,
	&ulmfsal_dbus_break_lock,
	&ulmfsal_dbus_revoke_share,
	&ulmfsal_dbus_recall_delegation,
	&ulmfsal_dbus_revoke_delegation,
	NULL,
};

static struct gsh_dbus_interface lockmgr_interface = {
	.name = ULMV_DBUS_INTERFACE,
	.methods = lockmgr_methods,
};

static struct gsh_dbus_interface *lockmgr_interfaces[] = {
	&lockmgr_interface,
	NULL,
};

static pthread_t register_thread;
static atomic_bool register_stopping;
static bool register_started;

/* A private connection, closed at once: dbus_bus_get() would leave a
 * shared one behind that exits the process if the bus goes away. */
static bool system_bus_reachable(void)
{
	DBusError error;
	DBusConnection *conn;

	dbus_error_init(&error);
	conn = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error);
	if (conn == NULL) {
		LogEvent(COMPONENT_FSAL,
			 "UNIFIED: no DBus system bus (%s): the %s interface "
			 "is not offered",
			 error.message, ULMV_DBUS_INTERFACE);
		dbus_error_free(&error);
		return false;
	}
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return true;
}

static void *register_main(void *arg)
{
	(void)arg;
	SetNameFunction("ulm_dbus");
	while (nfs_init_wait_timeout(1) != 0)
		if (atomic_load(&register_stopping))
			return NULL;
	if (!system_bus_reachable())
		return NULL;
	/* Ganesha 4.3 answers true (1) once registered, 0 without a bus. */
	if (gsh_dbus_register_path(ULMV_DBUS_OBJECT, lockmgr_interfaces) != 1) {
		LogCrit(COMPONENT_FSAL, "UNIFIED: cannot register %s on DBus",
			ULMV_DBUS_PATH);
		return NULL;
	}
	LogEvent(COMPONENT_FSAL, "UNIFIED: DBus interface %s on %s",
		 ULMV_DBUS_INTERFACE, ULMV_DBUS_PATH);
	return NULL;
}

/** @brief Offer the interface once Ganesha has started (once a process). */
void ulmfsal_dbus_start(void)
{
	int rc;

	ulmfsal_stats_start();
	rc = pthread_create(&register_thread, NULL, register_main, NULL);
	if (rc != 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the DBus registration thread: "
			"%s; the %s interface is not offered",
			strerror(rc), ULMV_DBUS_INTERFACE);
		return;
	}
	register_started = true;
}

/** @brief Stop waiting to register (module unload). */
void ulmfsal_dbus_stop(void)
{
	if (!register_started)
		return;
	atomic_store(&register_stopping, true);
	pthread_join(register_thread, NULL);
	register_started = false;
}
