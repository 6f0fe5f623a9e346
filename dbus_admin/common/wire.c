// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file wire.c
 * @brief Records, clients, nodes, grace rows and filters in DBus messages of
 * the lockmgr interface. Readers check each array's signature once, then read
 * its structs field by field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "wire.h"

static bool put(DBusMessageIter *it, int type, const void *value)
{
	return dbus_message_iter_append_basic(it, type, value);
}

static bool put_str(DBusMessageIter *it, const char *s)
{
	return put(it, DBUS_TYPE_STRING, &s);
}

static bool put_u32(DBusMessageIter *it, uint32_t v)
{
	return put(it, DBUS_TYPE_UINT32, &v);
}

static bool put_u64(DBusMessageIter *it, uint64_t v)
{
	return put(it, DBUS_TYPE_UINT64, &v);
}

static bool put_bool(DBusMessageIter *it, bool b)
{
	dbus_bool_t v = b;

	return put(it, DBUS_TYPE_BOOLEAN, &v);
}

/* Read the next basic value; the caller checked the signature. */
static void get(DBusMessageIter *it, void *value)
{
	dbus_message_iter_get_basic(it, value);
	dbus_message_iter_next(it);
}

static char *get_str(DBusMessageIter *it)
{
	const char *s;

	get(it, &s);
	return strdup(s);
}

static uint32_t get_u32(DBusMessageIter *it)
{
	dbus_uint32_t v;

	get(it, &v);
	return v;
}

static uint64_t get_u64(DBusMessageIter *it)
{
	dbus_uint64_t v;

	get(it, &v);
	return v;
}

static bool get_bool(DBusMessageIter *it)
{
	dbus_bool_t v;

	get(it, &v);
	return v;
}

/* Does the value at @p it have signature @p sig? */
static bool has_signature(DBusMessageIter *it, const char *sig)
{
	char *actual = dbus_message_iter_get_signature(it);
	bool same = actual && strcmp(actual, sig) == 0;

	dbus_free(actual);
	return same;
}

int ulmv_wire_open_array(DBusMessageIter *it, const char *elem_sig,
			 DBusMessageIter *elems)
{
	char sig[64] = "a";

	strncat(sig, elem_sig, sizeof(sig) - 2);
	if (dbus_message_iter_get_arg_type(it) != DBUS_TYPE_ARRAY ||
	    !has_signature(it, sig))
		return -EPROTO;
	dbus_message_iter_recurse(it, elems);
	dbus_message_iter_next(it);
	return 0;
}

bool ulmv_wire_next_struct(DBusMessageIter *elems, DBusMessageIter *fields)
{
	if (dbus_message_iter_get_arg_type(elems) == DBUS_TYPE_INVALID)
		return false;
	dbus_message_iter_recurse(elems, fields);
	dbus_message_iter_next(elems);
	return true;
}

bool ulmv_wire_put_time(DBusMessageIter *it, const struct timespec *ts)
{
	DBusMessageIter st;

	return dbus_message_iter_open_container(it, DBUS_TYPE_STRUCT, NULL,
						&st) &&
	       put_u64(&st, ts->tv_sec) && put_u64(&st, ts->tv_nsec) &&
	       dbus_message_iter_close_container(it, &st);
}

int ulmv_wire_get_time(DBusMessageIter *it, struct timespec *ts)
{
	DBusMessageIter st;

	if (!has_signature(it, ULMV_TIME_SIG))
		return -EPROTO;
	dbus_message_iter_recurse(it, &st);
	dbus_message_iter_next(it);
	ts->tv_sec = (time_t)get_u64(&st);
	ts->tv_nsec = (long)get_u64(&st);
	return 0;
}

bool ulmv_wire_put_filter(DBusMessageIter *it, const char *const *names,
			  const char *const *values, size_t n)
{
	DBusMessageIter dict, entry;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{ss}",
						   &dict);

	for (size_t i = 0; ok && i < n; i++)
		ok = dbus_message_iter_open_container(
			     &dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		     put_str(&entry, names[i]) && put_str(&entry, values[i]) &&
		     dbus_message_iter_close_container(&dict, &entry);
	return ok && dbus_message_iter_close_container(it, &dict);
}

int ulmv_wire_get_filter(DBusMessageIter *it, struct ulmv_filter *f, char *why,
			 size_t why_len)
{
	DBusMessageIter dict, entry;
	const char *name, *value;
	int rc = ulmv_wire_open_array(it, "{ss}", &dict);

	while (rc == 0 && ulmv_wire_next_struct(&dict, &entry)) {
		get(&entry, &name);
		get(&entry, &value);
		rc = ulmv_filter_set(f, name, value, why, why_len);
	}
	return rc;
}

static bool put_record(DBusMessageIter *array, const struct ulmv_record *r)
{
	struct timespec expires = {r->expires_ms / 1000,
				   (r->expires_ms % 1000) * 1000000};
	dbus_uint16_t export_id = r->export_id;
	DBusMessageIter st;

	return dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, NULL,
						&st) &&
	       put_str(&st, r->id) && put_str(&st, r->file) &&
	       put_str(&st, r->path) &&
	       put(&st, DBUS_TYPE_UINT16, &export_id) &&
	       put_str(&st, ulmv_type_name(r->type)) &&
	       put_u64(&st, r->start) && put_u64(&st, r->end) &&
	       put_str(&st, ulmv_share_name(r->access)) &&
	       put_str(&st, ulmv_share_name(r->deny)) &&
	       ulmv_wire_put_time(&st, &expires) && put_bool(&st, r->reclaim) &&
	       put_str(&st, ulmv_protocol_name(r->protocol)) &&
	       put_str(&st, ulmv_kind_name(r->kind)) && put_u32(&st, r->node) &&
	       put_u32(&st, r->epoch) && put_str(&st, r->client) &&
	       put_str(&st, r->owner) &&
	       dbus_message_iter_close_container(array, &st);
}

bool ulmv_wire_put_records(DBusMessageIter *it, const struct ulmv_records *set)
{
	DBusMessageIter array;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_RECORD_SIG, &array);

	for (size_t i = 0; ok && i < set->n; i++)
		ok = put_record(&array, &set->v[i]);
	return ok && dbus_message_iter_close_container(it, &array);
}

/* A name the peer sent, as a value (0 when this side does not know it). */
static int get_name(DBusMessageIter *it, int (*parse)(const char *))
{
	const char *name;
	int v;

	get(it, &name);
	v = parse(name);
	return v < 0 ? 0 : v;
}

static int get_record(DBusMessageIter *st, struct ulmv_record *r)
{
	const char *id;
	dbus_uint16_t export_id;
	struct timespec expires;

	get(st, &id);
	strncpy(r->id, id, ULMV_ID_LEN);
	r->file = get_str(st);
	r->path = get_str(st);
	get(st, &export_id);
	r->export_id = export_id;
	r->type = get_name(st, ulmv_type_parse);
	r->start = get_u64(st);
	r->end = get_u64(st);
	r->access = get_name(st, ulmv_share_parse);
	r->deny = get_name(st, ulmv_share_parse);
	ulmv_wire_get_time(st, &expires);
	r->expires_ms = (uint64_t)expires.tv_sec * 1000 +
			(uint64_t)expires.tv_nsec / 1000000;
	r->reclaim = get_bool(st);
	r->protocol = get_name(st, ulmv_protocol_parse);
	r->kind = get_name(st, ulmv_kind_parse);
	r->node = get_u32(st);
	r->epoch = get_u32(st);
	r->client = get_str(st);
	r->owner = get_str(st);
	return r->file && r->path && r->client && r->owner ? 0 : -ENOMEM;
}

int ulmv_wire_get_records(DBusMessageIter *it, struct ulmv_records *set)
{
	DBusMessageIter array, st;
	struct ulmv_record *r;
	int rc = ulmv_wire_open_array(it, ULMV_RECORD_SIG, &array);

	while (rc == 0 && ulmv_wire_next_struct(&array, &st)) {
		r = ulmv_records_add(set);
		rc = r ? get_record(&st, r) : -ENOMEM;
	}
	return rc;
}

static bool put_counts(DBusMessageIter *st, const uint32_t *count)
{
	bool ok = true;

	for (int i = 0; ok && i < ULMV_FAMILIES; i++)
		ok = put_u32(st, count[i]);
	return ok;
}

static void get_counts(DBusMessageIter *st, uint32_t *count)
{
	for (int i = 0; i < ULMV_FAMILIES; i++)
		count[i] = get_u32(st);
}

bool ulmv_wire_put_clients(DBusMessageIter *it, const struct ulmv_clients *set)
{
	DBusMessageIter array, st;
	const struct ulmv_client *c;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_CLIENT_SIG, &array);

	for (size_t i = 0; ok && i < set->n; i++) {
		c = &set->v[i];
		ok = dbus_message_iter_open_container(&array, DBUS_TYPE_STRUCT,
						      NULL, &st) &&
		     put_str(&st, ulmv_protocol_name(c->protocol)) &&
		     put_str(&st, c->client) && put_u32(&st, c->node) &&
		     put_counts(&st, c->count) &&
		     dbus_message_iter_close_container(&array, &st);
	}
	return ok && dbus_message_iter_close_container(it, &array);
}

int ulmv_wire_get_clients(DBusMessageIter *it, struct ulmv_clients *set)
{
	DBusMessageIter array, st;
	struct ulmv_record r = {0};
	uint32_t count[ULMV_FAMILIES];
	int rc = ulmv_wire_open_array(it, ULMV_CLIENT_SIG, &array);

	while (rc == 0 && ulmv_wire_next_struct(&array, &st)) {
		r.protocol = get_name(&st, ulmv_protocol_parse);
		get(&st, &r.client);
		r.node = get_u32(&st);
		get_counts(&st, count);
		/* A client row is unique: adding it makes a new entry. */
		rc = ulmv_clients_add(set, &r);
		if (rc == 0)
			memcpy(set->v[set->n - 1].count, count, sizeof(count));
	}
	return rc;
}

bool ulmv_wire_put_nodes(DBusMessageIter *it, const struct ulmv_nodes *set)
{
	DBusMessageIter array, st;
	const struct ulmv_node *n;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_NODE_SIG, &array);

	for (size_t i = 0; ok && i < set->n; i++) {
		n = &set->v[i];
		ok = dbus_message_iter_open_container(&array, DBUS_TYPE_STRUCT,
						      NULL, &st) &&
		     put_u32(&st, n->node) && put_u32(&st, n->epoch) &&
		     put_bool(&st, n->local) && put_u32(&st, n->lease) &&
		     put_u64(&st, n->lease_end_ms) &&
		     put_counts(&st, n->count) &&
		     dbus_message_iter_close_container(&array, &st);
	}
	return ok && dbus_message_iter_close_container(it, &array);
}

int ulmv_wire_get_nodes(DBusMessageIter *it, struct ulmv_nodes *set)
{
	DBusMessageIter array, st;
	struct ulmv_node *n;
	int rc = ulmv_wire_open_array(it, ULMV_NODE_SIG, &array);

	while (rc == 0 && ulmv_wire_next_struct(&array, &st)) {
		n = ulmv_nodes_get(set, get_u32(&st));
		if (!n)
			return -ENOMEM;
		n->epoch = get_u32(&st);
		n->local = get_bool(&st);
		n->lease = get_u32(&st);
		n->lease_end_ms = get_u64(&st);
		get_counts(&st, n->count);
	}
	return rc;
}

static bool put_grace_row(DBusMessageIter *array,
			  const struct ulmv_grace_row *r)
{
	DBusMessageIter st;
	dbus_int32_t ganesha = r->ganesha;

	return dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, NULL,
						&st) &&
	       put_str(&st, r->kind) && put_str(&st, r->name) &&
	       put_u32(&st, r->node) && put_u32(&st, r->at) &&
	       put_str(&st, r->member) && put(&st, DBUS_TYPE_INT32, &ganesha) &&
	       put_bool(&st, r->grace) && put_u32(&st, r->by) &&
	       put_u64(&st, r->since_ms) && put_u64(&st, r->ends_ms) &&
	       put_u64(&st, r->reclaimed) && put_u64(&st, r->unreclaimed) &&
	       put_str(&st, r->clients ? r->clients : "") &&
	       dbus_message_iter_close_container(array, &st);
}

bool ulmv_wire_put_grace(DBusMessageIter *it, const struct ulmv_grace *g)
{
	DBusMessageIter array;
	bool ok = put_bool(it, g->have_db) && put_u64(it, g->cur) &&
		  put_u64(it, g->rec) &&
		  dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_GRACE_ROW_SIG, &array);

	for (size_t i = 0; ok && i < g->n; i++)
		ok = put_grace_row(&array, &g->v[i]);
	return ok && dbus_message_iter_close_container(it, &array);
}

/* The kinds a row may have, as static strings. */
static const char *grace_kind(const char *kind)
{
	static const char *const kinds[] = {"node", "address", "member"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return kinds[i];
	return NULL;
}

static int get_grace_row(DBusMessageIter *st, struct ulmv_grace *g)
{
	struct ulmv_grace_row *r;
	const char *kind;
	dbus_int32_t ganesha;

	get(st, &kind);
	if (grace_kind(kind) == NULL)
		return -EPROTO;
	if (!ulmv_grow((void **)&g->v, g->n, &g->cap, sizeof(*r)))
		return -ENOMEM;
	r = &g->v[g->n++];
	memset(r, 0, sizeof(*r));
	r->kind = grace_kind(kind);
	r->name = get_str(st);
	r->node = get_u32(st);
	r->at = get_u32(st);
	r->member = get_str(st);
	get(st, &ganesha);
	r->ganesha = ganesha;
	r->grace = get_bool(st);
	r->by = get_u32(st);
	r->since_ms = get_u64(st);
	r->ends_ms = get_u64(st);
	r->reclaimed = get_u64(st);
	r->unreclaimed = get_u64(st);
	r->clients = get_str(st);
	return r->name && r->member && r->clients ? 0 : -ENOMEM;
}

/* The grace database's part: b have_db, t cur, t rec. */
static int get_grace_db(DBusMessageIter *it, struct ulmv_grace *g)
{
	if (!has_signature(it, "b"))
		return -EPROTO;
	g->have_db = get_bool(it);
	if (!has_signature(it, "t"))
		return -EPROTO;
	g->cur = get_u64(it);
	if (!has_signature(it, "t"))
		return -EPROTO;
	g->rec = get_u64(it);
	return 0;
}

int ulmv_wire_get_grace(DBusMessageIter *it, struct ulmv_grace *g)
{
	DBusMessageIter array, st;
	int rc = get_grace_db(it, g);

	if (rc == 0)
		rc = ulmv_wire_open_array(it, ULMV_GRACE_ROW_SIG, &array);
	while (rc == 0 && ulmv_wire_next_struct(&array, &st))
		rc = get_grace_row(&st, g);
	return rc;
}

/* A (key, value) pair of a statistics array: key of DBus @p type. */
static bool put_stat(DBusMessageIter *array, int type, const void *key,
		     uint64_t value)
{
	DBusMessageIter st;

	return dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, NULL,
						&st) &&
	       put(&st, type, key) && put_u64(&st, value) &&
	       dbus_message_iter_close_container(array, &st);
}

bool ulmv_wire_put_counters(DBusMessageIter *it, const char *const *names,
			    const uint64_t *values, size_t n)
{
	DBusMessageIter array;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_COUNTER_SIG, &array);

	for (size_t i = 0; ok && i < n; i++)
		ok = put_stat(&array, DBUS_TYPE_STRING, &names[i], values[i]);
	return ok && dbus_message_iter_close_container(it, &array);
}

bool ulmv_wire_put_buckets(DBusMessageIter *it, const uint64_t *below_us,
			   const uint64_t *calls, size_t n)
{
	DBusMessageIter array;
	bool ok = dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY,
						   ULMV_BUCKET_SIG, &array);

	for (size_t i = 0; ok && i < n; i++) {
		dbus_uint64_t bound = below_us[i];

		ok = put_stat(&array, DBUS_TYPE_UINT64, &bound, calls[i]);
	}
	return ok && dbus_message_iter_close_container(it, &array);
}

int ulmv_wire_get_counters(DBusMessageIter *it,
			   int (*add)(void *arg, const char *name,
				      uint64_t value),
			   void *arg)
{
	DBusMessageIter array, st;
	int rc = ulmv_wire_open_array(it, ULMV_COUNTER_SIG, &array);

	while (rc == 0 && ulmv_wire_next_struct(&array, &st)) {
		const char *name;

		get(&st, &name);
		rc = add(arg, name, get_u64(&st));
	}
	return rc;
}

int ulmv_wire_get_buckets(DBusMessageIter *it,
			  int (*add)(void *arg, uint64_t below_us,
				     uint64_t calls),
			  void *arg)
{
	DBusMessageIter array, st;
	int rc = ulmv_wire_open_array(it, ULMV_BUCKET_SIG, &array);

	while (rc == 0 && ulmv_wire_next_struct(&array, &st)) {
		uint64_t below_us = get_u64(&st);

		rc = add(arg, below_us, get_u64(&st));
	}
	return rc;
}
