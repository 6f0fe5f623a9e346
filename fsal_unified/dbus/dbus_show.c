// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file dbus_show.c
 * @brief FSAL UNIFIED: the listing methods of org.ganesha.nfsd.lockmgr.
 *
 * Every listing reads the lock table itself (libulm), so it shows every
 * node's records, not only this Ganesha's; each reply starts with the
 * time it was taken, as Ganesha's own Show* methods do.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "collect.h"
#include "dbus_admin.h"

bool ulmfsal_dbus_invalid(DBusError *error, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	dbus_set_error(error, DBUS_ERROR_INVALID_ARGS, "%s", message);
	return false;
}

static bool store_failed(DBusError *error, int rc)
{
	dbus_set_error(error, DBUS_ERROR_FAILED, "reading the lock store: %s",
		       ulm_strerror(rc));
	return false;
}

void ulmfsal_dbus_append_now(DBusMessageIter *it)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	gsh_dbus_append_timestamp(it, &now);
}

/* A listing being made: what to show, what was found. */
struct listing {
	struct ulmv_filter filter;
	struct ulmv_records records;
	bool none;	      /* the criteria contradict each other */
	uint16_t path_export; /* the export path= was found in */
};

static void listing_free(struct listing *l)
{
	ulmv_filter_free(&l->filter);
	ulmv_records_free(&l->records);
}

/* path= names a file key; with a file= too, both must agree. */
static bool filter_path(struct listing *l, DBusError *error)
{
	uint8_t key[ULM_KEY_MAX];
	size_t len;
	int rc = ulmfsal_admin_path_key(l->filter.path, key, &len,
					&l->path_export);

	if (rc != 0)
		return ulmfsal_dbus_invalid(
			error, "path %s: %s", l->filter.path,
			rc == -EINVAL ? "not a clean absolute path"
				      : "no such file in a UNIFIED export");
	l->none = l->filter.by_file && (l->filter.file_len != len ||
					memcmp(l->filter.file, key, len) != 0);
	memcpy(l->filter.file, key, len);
	l->filter.file_len = len;
	l->filter.by_file = true;
	return true;
}

static bool filter_export(struct listing *l, DBusError *error)
{
	struct ulmfsal_admin_export ax;

	if (ulmfsal_admin_enter(l->filter.export_id, &ax) != 0)
		return ulmfsal_dbus_invalid(
			error, "export %" PRIu16 " is not a UNIFIED export",
			l->filter.export_id);
	ulmfsal_admin_leave(&ax);
	return true;
}

/* Records of another export than the one asked for go. */
static void keep_export(struct ulmv_records *set, uint16_t export_id)
{
	size_t kept = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].export_id == export_id)
			set->v[kept++] = set->v[i];
		else
			ulmv_record_clear(&set->v[i]);
	}
	set->n = kept;
}

/* Read the table into @p l (its filter is set), then name the files. */
static bool collect(struct listing *l, DBusError *error)
{
	int rc = 0;

	if (l->filter.path != NULL && !filter_path(l, error))
		return false;
	if (l->filter.by_export && !filter_export(l, error))
		return false;
	if (!l->none)
		rc = ulmv_collect(ulmfsal_env(), &l->filter, &l->records);
	if (rc == 0)
		rc = ulmfsal_admin_resolve_paths(&l->records,
						 l->filter.export_id);
	if (rc != 0)
		return store_failed(error, rc);
	if (l->filter.by_export)
		keep_export(&l->records, l->filter.export_id);
	return true;
}

/* The a{ss} filter argument, the only one. */
static bool read_filter(DBusMessageIter *args, struct listing *l,
			DBusError *error)
{
	char why[256] = "expected one argument of type a{ss} (filters)";
	int rc = args ? ulmv_wire_get_filter(args, &l->filter, why, sizeof(why))
		      : -EPROTO;

	if (rc == 0 &&
	    dbus_message_iter_get_arg_type(args) != DBUS_TYPE_INVALID)
		rc = -EPROTO;
	return rc == 0 || ulmfsal_dbus_invalid(error, "%s", why);
}

/* Show* of one family of records: (tt) time, a(records). */
static bool show_records(DBusMessageIter *args, DBusMessage *reply,
			 DBusError *error, unsigned types)
{
	struct listing l = {.filter.types = types};
	DBusMessageIter iter;
	bool ok = read_filter(args, &l, error) && collect(&l, error);

	if (ok) {
		dbus_message_iter_init_append(reply, &iter);
		ulmfsal_dbus_append_now(&iter);
		ok = ulmv_wire_put_records(&iter, &l.records);
	}
	listing_free(&l);
	return ok;
}

static bool show_locks(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	return show_records(args, reply, error, ULMV_LOCKS);
}

static bool show_shares(DBusMessageIter *args, DBusMessage *reply,
			DBusError *error)
{
	return show_records(args, reply, error, ULMV_SHARES);
}

static bool show_delegations(DBusMessageIter *args, DBusMessage *reply,
			     DBusError *error)
{
	return show_records(args, reply, error, ULMV_DELEGATIONS);
}

static bool show_waiters(DBusMessageIter *args, DBusMessage *reply,
			 DBusError *error)
{
	return show_records(args, reply, error, ULMV_WAITERS);
}

#define FILTER_ARG  ULMFSAL_DBUS_ARG("filter", ULMV_FILTER_SIG, "in")
#define RECORDS_OUT ULMFSAL_DBUS_ARG("records", "a" ULMV_RECORD_SIG, "out")

struct gsh_dbus_method ulmfsal_dbus_show_locks = {
	.name = "ShowLocks",
	.method = show_locks,
	.args = {FILTER_ARG, ULMFSAL_DBUS_TIME_REPLY, RECORDS_OUT,
		 END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_show_shares = {
	.name = "ShowShares",
	.method = show_shares,
	.args = {FILTER_ARG, ULMFSAL_DBUS_TIME_REPLY, RECORDS_OUT,
		 END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_show_delegations = {
	.name = "ShowDelegations",
	.method = show_delegations,
	.args = {FILTER_ARG, ULMFSAL_DBUS_TIME_REPLY, RECORDS_OUT,
		 END_ARG_LIST},
};

struct gsh_dbus_method ulmfsal_dbus_show_waiters = {
	.name = "ShowWaiters",
	.method = show_waiters,
	.args = {FILTER_ARG, ULMFSAL_DBUS_TIME_REPLY, RECORDS_OUT,
		 END_ARG_LIST},
};

/* ShowFile(s file): a path, or a file key in hex. */
static bool file_filter(DBusMessageIter *args, struct listing *l,
			DBusError *error)
{
	char why[256] = "";
	const char *file;

	if (args == NULL ||
	    dbus_message_iter_get_arg_type(args) != DBUS_TYPE_STRING)
		return ulmfsal_dbus_invalid(
			error, "expected one argument of type s (a path or a "
			       "file key in hex)");
	dbus_message_iter_get_basic(args, &file);
	if (dbus_message_iter_next(args))
		return ulmfsal_dbus_invalid(error,
					    "expected one argument only");
	if (ulmv_filter_set(&l->filter, *file == '/' ? "path" : "file", file,
			    why, sizeof(why)) != 0)
		return ulmfsal_dbus_invalid(error, "%s", why);
	return true;
}

/* The file's path: the one asked for, or the one the walk found. */
static const char *file_path(const struct listing *l, uint16_t *export_id)
{
	if (l->filter.path != NULL) {
		*export_id = l->path_export;
		return l->filter.path;
	}
	*export_id = l->records.n ? l->records.v[0].export_id : 0;
	return l->records.n ? l->records.v[0].path : "";
}

static bool show_file(DBusMessageIter *args, DBusMessage *reply,
		      DBusError *error)
{
	struct listing l = {.filter.types = ULMV_ALL};
	DBusMessageIter iter;
	dbus_uint16_t export_id;
	const char *path;
	char *hex = NULL;
	bool ok = file_filter(args, &l, error) && collect(&l, error);

	if (ok) {
		hex = ulmv_hex(l.filter.file, l.filter.file_len);
		path = file_path(&l, &export_id);
		dbus_message_iter_init_append(reply, &iter);
		ulmfsal_dbus_append_now(&iter);
		ok = hex != NULL &&
		     dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING,
						    &hex) &&
		     dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING,
						    &path) &&
		     dbus_message_iter_append_basic(&iter, DBUS_TYPE_UINT16,
						    &export_id) &&
		     ulmv_wire_put_records(&iter, &l.records);
	}
	free(hex);
	listing_free(&l);
	return ok;
}

struct gsh_dbus_method ulmfsal_dbus_show_file = {
	.name = "ShowFile",
	.method = show_file,
	.args = {ULMFSAL_DBUS_ARG("file", "s", "in"), ULMFSAL_DBUS_TIME_REPLY,
		 ULMFSAL_DBUS_ARG("key", "s", "out"),
		 ULMFSAL_DBUS_ARG("path", "s", "out"),
		 ULMFSAL_DBUS_ARG("export", "q", "out"), RECORDS_OUT,
		 END_ARG_LIST},
};

static bool show_clients(DBusMessageIter *args, DBusMessage *reply,
			 DBusError *error)
{
	struct listing l = {.filter.types = ULMV_ALL};
	struct ulmv_clients clients = {0};
	DBusMessageIter iter;
	bool ok = read_filter(args, &l, error) && collect(&l, error) &&
		  ulmv_clients_count(&clients, &l.records) == 0;

	if (ok) {
		dbus_message_iter_init_append(reply, &iter);
		ulmfsal_dbus_append_now(&iter);
		ok = ulmv_wire_put_clients(&iter, &clients);
	}
	ulmv_clients_free(&clients);
	listing_free(&l);
	return ok;
}

struct gsh_dbus_method ulmfsal_dbus_show_clients = {
	.name = "ShowClients",
	.method = show_clients,
	.args = {FILTER_ARG, ULMFSAL_DBUS_TIME_REPLY,
		 ULMFSAL_DBUS_ARG("clients", "a" ULMV_CLIENT_SIG, "out"),
		 END_ARG_LIST},
};

bool ulmfsal_dbus_nodes(struct ulmv_nodes *nodes, struct ulmv_records *records,
			DBusError *error)
{
	struct listing l = {.filter.types = ULMV_ALL};
	struct ulmv_node *self = ulmv_nodes_get(nodes, ULMFSAL.config.node_id);
	bool ok = self != NULL;

	if (ok) {
		self->local = true;
		self->epoch = ulm_env_epoch(ulmfsal_env());
	}
	ok = ok && collect(&l, error) &&
	     ulmv_nodes_count(nodes, &l.records) == 0 &&
	     ulmv_nodes_leases(nodes, ulmfsal_env(), ULMFSAL.config.node_id) ==
		     0;
	if (ok && records != NULL) {
		*records = l.records;
		memset(&l.records, 0, sizeof(l.records));
	}
	listing_free(&l);
	return ok;
}

static bool show_nodes(DBusMessageIter *args, DBusMessage *reply,
		       DBusError *error)
{
	struct ulmv_nodes nodes = {0};
	DBusMessageIter iter;
	bool ok;

	if (args != NULL)
		return ulmfsal_dbus_invalid(error, "ShowNodes takes no "
						   "arguments");
	ok = ulmfsal_dbus_nodes(&nodes, NULL, error);
	if (ok) {
		dbus_message_iter_init_append(reply, &iter);
		ulmfsal_dbus_append_now(&iter);
		ok = ulmv_wire_put_nodes(&iter, &nodes);
	}
	ulmv_nodes_free(&nodes);
	return ok;
}

struct gsh_dbus_method ulmfsal_dbus_show_nodes = {
	.name = "ShowNodes",
	.method = show_nodes,
	.args = {ULMFSAL_DBUS_TIME_REPLY,
		 ULMFSAL_DBUS_ARG("nodes", "a" ULMV_NODE_SIG, "out"),
		 END_ARG_LIST},
};
