// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file bus.c
 * @brief ulmctl over DBus: calls org.ganesha.nfsd.lockmgr of the Ganesha
 * on the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else the standard socket)
 * and decodes its replies. Bus errors become messages that say what to
 * do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ulmctl.h"
#include "wire.h"

/* What to append to a call. */
typedef bool (*append_fn)(DBusMessageIter *it, const struct ulmctl_args *a);

static int bus_error(const struct ulmctl_args *a, const char *method,
		     const DBusError *error)
{
	if (dbus_error_has_name(error, DBUS_ERROR_SERVICE_UNKNOWN) ||
	    dbus_error_has_name(error, DBUS_ERROR_NAME_HAS_NO_OWNER))
		return ulmctl_fail("no Ganesha on the system bus (%s): is it "
				   "running? (--store reads the lock store "
				   "without it)",
				   ULMV_DBUS_SERVICE);
	if (dbus_error_has_name(error, DBUS_ERROR_UNKNOWN_OBJECT) ||
	    dbus_error_has_name(error, DBUS_ERROR_UNKNOWN_METHOD) ||
	    dbus_error_has_name(error, DBUS_ERROR_UNKNOWN_INTERFACE) ||
	    dbus_error_has_name(error, ULMV_DBUS_INTERFACE))
		return ulmctl_fail("this Ganesha has no %s.%s: it needs an "
				   "export with FSAL UNIFIED (of this "
				   "version)",
				   ULMV_DBUS_INTERFACE, method);
	if (dbus_error_has_name(error, DBUS_ERROR_ACCESS_DENIED))
		return ulmctl_fail("the bus refused the call: %s is for root "
				   "only",
				   ULMV_DBUS_INTERFACE);
	if (dbus_error_has_name(error, DBUS_ERROR_NO_REPLY) ||
	    dbus_error_has_name(error, DBUS_ERROR_TIMEOUT))
		return ulmctl_fail("Ganesha did not answer %s within %d s",
				   method, a->timeout_ms / 1000);
	return ulmctl_fail("%s", error->message);
}

/* Call @p method; its reply (unref it) or NULL, the error printed. */
static DBusMessage *call(const struct ulmctl_args *a, const char *method,
			 append_fn append)
{
	DBusMessage *msg, *reply = NULL;
	DBusConnection *conn;
	DBusMessageIter it;
	DBusError error;

	dbus_error_init(&error);
	conn = dbus_bus_get(DBUS_BUS_SYSTEM, &error);
	if (conn == NULL) {
		ulmctl_fail("cannot reach the system bus: %s (is dbus "
			    "running? --store reads the lock store without "
			    "Ganesha)",
			    error.message);
		dbus_error_free(&error);
		return NULL;
	}
	msg = dbus_message_new_method_call(ULMV_DBUS_SERVICE, ULMV_DBUS_PATH,
					   ULMV_DBUS_INTERFACE, method);
	dbus_message_iter_init_append(msg, &it);
	if (append == NULL || append(&it, a))
		reply = dbus_connection_send_with_reply_and_block(
			conn, msg, a->timeout_ms, &error);
	else
		ulmctl_fail("out of memory");
	if (reply == NULL && dbus_error_is_set(&error))
		bus_error(a, method, &error);
	dbus_error_free(&error);
	dbus_message_unref(msg);
	dbus_connection_unref(conn);
	return reply;
}

static bool append_filter(DBusMessageIter *it, const struct ulmctl_args *a)
{
	return ulmv_wire_put_filter(it, a->filter_names, a->filter_values,
				    a->n_filters);
}

static bool append_operand(DBusMessageIter *it, const struct ulmctl_args *a)
{
	return dbus_message_iter_append_basic(it, DBUS_TYPE_STRING,
					      &a->operand);
}

static int bad_reply(DBusMessage *reply, const char *method)
{
	ulmctl_fail("unexpected reply to %s (signature %s): is ulmctl of the "
		    "same version as the UNIFIED FSAL?",
		    method, dbus_message_get_signature(reply));
	dbus_message_unref(reply);
	return ULMCTL_EXIT_ERROR;
}

/* How to read the rest of a reply, after its time. */
typedef int (*decode_fn)(DBusMessageIter *it, void *out);

/* Call a Show* method: its reply is its time, then what @p decode reads
 * into @p out. */
static int show(const struct ulmctl_args *a, const char *method,
		append_fn append, decode_fn decode, void *out,
		struct timespec *time)
{
	DBusMessage *reply = call(a, method, append);
	DBusMessageIter it;

	if (reply == NULL)
		return ULMCTL_EXIT_ERROR;
	if (!dbus_message_iter_init(reply, &it) ||
	    ulmv_wire_get_time(&it, time) != 0 || decode(&it, out) != 0)
		return bad_reply(reply, method);
	dbus_message_unref(reply);
	return ULMCTL_EXIT_OK;
}

static const char *records_method(enum ulmctl_listing listing)
{
	switch (listing) {
	case ULMCTL_LOCKS:
		return "ShowLocks";
	case ULMCTL_SHARES:
		return "ShowShares";
	case ULMCTL_DELEGATIONS:
		return "ShowDelegations";
	case ULMCTL_WAITERS:
		return "ShowWaiters";
	default:
		return NULL;
	}
}

static int decode_records(DBusMessageIter *it, void *out)
{
	return ulmv_wire_get_records(it, out);
}

/* Every family: one call each, in the order of the families. */
static int all_records(const struct ulmctl_args *a, struct ulmv_records *out)
{
	static const enum ulmctl_listing families[] = {
		ULMCTL_LOCKS, ULMCTL_SHARES, ULMCTL_DELEGATIONS,
		ULMCTL_WAITERS};
	struct ulmctl_args one = *a;
	struct ulmctl_command command = *a->command;
	int rc = ULMCTL_EXIT_OK;

	one.command = &command;
	for (size_t i = 0; i < 4 && rc == ULMCTL_EXIT_OK; i++) {
		command.listing = families[i];
		rc = ulmctl_bus_records(&one, out);
	}
	return rc;
}

int ulmctl_bus_records(const struct ulmctl_args *a, struct ulmv_records *out)
{
	const char *method = records_method(a->command->listing);
	struct timespec time;

	if (method == NULL)
		return all_records(a, out);
	return show(a, method, append_filter, decode_records, out, &time);
}

static int decode_clients(DBusMessageIter *it, void *out)
{
	return ulmv_wire_get_clients(it, out);
}

int ulmctl_bus_clients(const struct ulmctl_args *a, struct ulmv_clients *out)
{
	struct timespec time;

	return show(a, "ShowClients", append_filter, decode_clients, out,
		    &time);
}

static int decode_nodes(DBusMessageIter *it, void *out)
{
	return ulmv_wire_get_nodes(it, out);
}

int ulmctl_bus_nodes(const struct ulmctl_args *a, struct ulmv_nodes *out)
{
	struct timespec time;

	return show(a, "ShowNodes", NULL, decode_nodes, out, &time);
}

static int decode_grace(DBusMessageIter *it, void *out)
{
	return ulmv_wire_get_grace(it, out);
}

int ulmctl_bus_grace(const struct ulmctl_args *a, struct ulmv_grace *out)
{
	struct timespec time;

	return show(a, "ShowGrace", NULL, decode_grace, out, &time);
}

/* The next basic value of @p type, or false. */
static bool get_basic(DBusMessageIter *it, int type, void *value)
{
	if (dbus_message_iter_get_arg_type(it) != type)
		return false;
	dbus_message_iter_get_basic(it, value);
	dbus_message_iter_next(it);
	return true;
}

static int decode_file(DBusMessageIter *it, void *out)
{
	struct ulmctl_file *file = out;
	const char *key, *path;
	dbus_uint16_t export_id;

	if (!get_basic(it, DBUS_TYPE_STRING, &key) ||
	    !get_basic(it, DBUS_TYPE_STRING, &path) ||
	    !get_basic(it, DBUS_TYPE_UINT16, &export_id))
		return -EPROTO;
	file->key = strdup(key);
	file->path = strdup(path);
	file->export_id = export_id;
	if (file->key == NULL || file->path == NULL)
		return -ENOMEM;
	return ulmv_wire_get_records(it, &file->records);
}

int ulmctl_bus_file(const struct ulmctl_args *a, struct ulmctl_file *out)
{
	struct timespec time;

	return show(a, "ShowFile", append_operand, decode_file, out, &time);
}

/* Grow an array by one zeroed element; NULL without memory. */
static void *append_one(void **v, size_t *n, size_t size)
{
	char *bigger = realloc(*v, (*n + 1) * size);

	if (bigger == NULL)
		return NULL;
	*v = bigger;
	memset(bigger + *n * size, 0, size);
	return bigger + (*n)++ * size;
}

static int add_counter(void *arg, const char *name, uint64_t value)
{
	struct ulmctl_stats *s = arg;
	char *copy = strdup(name);
	struct ulmctl_counter *c = copy ? append_one((void **)&s->counters,
						     &s->n_counters, sizeof(*c))
					: NULL;

	if (c == NULL) {
		free(copy);
		return -ENOMEM;
	}
	*c = (struct ulmctl_counter){copy, value};
	return 0;
}

static int add_bucket(void *arg, uint64_t below_us, uint64_t calls)
{
	struct ulmctl_stats *s = arg;
	struct ulmctl_bucket *b =
		append_one((void **)&s->buckets, &s->n_buckets, sizeof(*b));

	if (b)
		*b = (struct ulmctl_bucket){below_us, calls};
	return b ? 0 : -ENOMEM;
}

static int decode_stats(DBusMessageIter *it, void *out)
{
	struct ulmctl_stats *s = out;

	if (ulmv_wire_get_time(it, &s->since) != 0 ||
	    ulmv_wire_get_counters(it, add_counter, s) != 0)
		return -EPROTO;
	return ulmv_wire_get_buckets(it, add_bucket, s);
}

int ulmctl_bus_stats(const struct ulmctl_args *a, struct ulmctl_stats *out)
{
	return show(a, "ShowStats", NULL, decode_stats, out, &out->time);
}

int ulmctl_bus_metrics_text(const struct ulmctl_args *a, char **out)
{
	DBusMessage *reply = call(a, "ShowMetrics", NULL);
	const char *text;
	DBusMessageIter it;

	if (reply == NULL)
		return ULMCTL_EXIT_ERROR;
	if (!dbus_message_iter_init(reply, &it) ||
	    !get_basic(&it, DBUS_TYPE_STRING, &text))
		return bad_reply(reply, "ShowMetrics");
	*out = strdup(text);
	dbus_message_unref(reply);
	return *out ? ULMCTL_EXIT_OK : ulmctl_fail("no memory");
}

int ulmctl_bus_metrics(const struct ulmctl_args *a)
{
	char *text = NULL;
	int rc = ulmctl_bus_metrics_text(a, &text);

	if (rc == ULMCTL_EXIT_OK)
		fputs(text, stdout);
	free(text);
	return rc;
}

static const char *act_method(const struct ulmctl_args *a)
{
	if (a->command->listing == ULMCTL_RECALL)
		return "RecallDelegation";
	if (strcmp(a->break_kind, "lock") == 0)
		return "BreakLock";
	if (strcmp(a->break_kind, "share") == 0)
		return "RevokeShare";
	return "RevokeDelegation";
}

int ulmctl_bus_act(const struct ulmctl_args *a)
{
	const char *method = act_method(a);
	DBusMessage *reply = call(a, method, append_operand);
	dbus_bool_t ok;
	const char *message;
	DBusMessageIter it;

	if (reply == NULL)
		return ULMCTL_EXIT_ERROR;
	if (!dbus_message_iter_init(reply, &it) ||
	    !get_basic(&it, DBUS_TYPE_BOOLEAN, &ok) ||
	    !get_basic(&it, DBUS_TYPE_STRING, &message))
		return bad_reply(reply, method);
	if (ok)
		printf("%s %s: %s\n", method, a->operand, message);
	else
		ulmctl_fail("%s %s: %s", method, a->operand, message);
	dbus_message_unref(reply);
	return ok ? ULMCTL_EXIT_OK : ULMCTL_EXIT_ERROR;
}
