/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file wire.h
 * @brief The lockmgr DBus interface on the wire: names, signatures, and
 * the records, clients, nodes and filters in DBus messages. Written by
 * the UNIFIED FSAL inside Ganesha, read by ulmctl (docs/dbus.md).
 */
#ifndef ULMV_WIRE_H
#define ULMV_WIRE_H

#include <dbus/dbus.h>
#include <time.h>

#include "filter.h"
#include "grace.h"
#include "record.h"
#include "summary.h"

#define ULMV_DBUS_SERVICE "org.ganesha.nfsd"
/** Ganesha prefixes registered names with /org/ganesha/nfsd/. */
#define ULMV_DBUS_OBJECT    "LockMgr"
#define ULMV_DBUS_PATH	    "/org/ganesha/nfsd/" ULMV_DBUS_OBJECT
#define ULMV_DBUS_INTERFACE "org.ganesha.nfsd.lockmgr"

/** A timestamp, as Ganesha sends them: seconds, nanoseconds. */
#define ULMV_TIME_SIG "(tt)"
/** Filters: NAME -> VALUE (filter.h). */
#define ULMV_FILTER_SIG "a{ss}"
/** id, file, path, export, type, start, end, access, deny, expires,
 *  reclaim, protocol, kind, node, epoch, client, owner */
#define ULMV_RECORD_SIG "(sssqsttss" ULMV_TIME_SIG "bssuuss)"
/** protocol, client, node, locks, shares, delegations, waiters */
#define ULMV_CLIENT_SIG "(ssuuuuu)"
/** node, epoch, local, lease, lease end (ms), locks, shares, delegations,
 *  waiters */
#define ULMV_NODE_SIG "(uubutuuuu)"
/** kind, name, node, at, member, ganesha flags (-1: none), grace, by,
 *  since (ms), ends (ms), reclaimed, unreclaimed, clients */
#define ULMV_GRACE_ROW_SIG "(ssuusibutttts)"
/** name, value */
#define ULMV_COUNTER_SIG "(st)"
/** upper bound in microseconds (UINT64_MAX: the rest), count */
#define ULMV_BUCKET_SIG "(tt)"

/**
 * @brief Enter the array of @p elem_sig elements at @p it (which moves
 * past it). @return 0 or -EPROTO (not such an array)
 */
int ulmv_wire_open_array(DBusMessageIter *it, const char *elem_sig,
			 DBusMessageIter *elems);
/** @brief Enter the next struct of an array (false at its end). */
bool ulmv_wire_next_struct(DBusMessageIter *elems, DBusMessageIter *fields);

bool ulmv_wire_put_time(DBusMessageIter *it, const struct timespec *ts);
/** @return 0 or -EPROTO (not a timestamp); advances @p it */
int ulmv_wire_get_time(DBusMessageIter *it, struct timespec *ts);

/** @brief Append a{ss} of @p n NAME=VALUE pairs. @return false: no memory */
bool ulmv_wire_put_filter(DBusMessageIter *it, const char *const *names,
			  const char *const *values, size_t n);
/**
 * @brief Read a{ss} into @p f (zero-initialised first); advances @p it.
 * @return 0, -EINVAL (@p why says which), -EPROTO (not a{ss}), -ENOMEM
 */
int ulmv_wire_get_filter(DBusMessageIter *it, struct ulmv_filter *f, char *why,
			 size_t why_len);

/** @brief Append an array of records. @return false: no memory */
bool ulmv_wire_put_records(DBusMessageIter *it, const struct ulmv_records *set);
/** @return 0, -EPROTO (not an array of records), -ENOMEM; advances @p it */
int ulmv_wire_get_records(DBusMessageIter *it, struct ulmv_records *set);

bool ulmv_wire_put_clients(DBusMessageIter *it, const struct ulmv_clients *set);
int ulmv_wire_get_clients(DBusMessageIter *it, struct ulmv_clients *set);

bool ulmv_wire_put_nodes(DBusMessageIter *it, const struct ulmv_nodes *set);
int ulmv_wire_get_nodes(DBusMessageIter *it, struct ulmv_nodes *set);

/** @brief ShowGrace's reply after its time: b have_db, t cur, t rec,
 *  a(ULMV_GRACE_ROW_SIG). @return false: no memory */
bool ulmv_wire_put_grace(DBusMessageIter *it, const struct ulmv_grace *g);
/** @return 0, -EPROTO (not that, or an unknown kind), -ENOMEM; advances
 *  @p it */
int ulmv_wire_get_grace(DBusMessageIter *it, struct ulmv_grace *g);

/**
 * @brief ShowStats's counters: an array of ULMV_COUNTER_SIG, the @p n
 * pairs @p names[i], @p values[i]. @return false: no memory
 */
bool ulmv_wire_put_counters(DBusMessageIter *it, const char *const *names,
			    const uint64_t *values, size_t n);
/**
 * @brief ShowStats's latency: an array of ULMV_BUCKET_SIG, the @p n
 * pairs @p below_us[i] (UINT64_MAX: the rest), @p calls[i].
 */
bool ulmv_wire_put_buckets(DBusMessageIter *it, const uint64_t *below_us,
			   const uint64_t *calls, size_t n);
/**
 * @brief Read those arrays, one add() per element (its non-zero result
 * stops the read and is returned). @return 0, -EPROTO, or add()'s
 */
int ulmv_wire_get_counters(DBusMessageIter *it,
			   int (*add)(void *arg, const char *name,
				      uint64_t value),
			   void *arg);
int ulmv_wire_get_buckets(DBusMessageIter *it,
			  int (*add)(void *arg, uint64_t below_us,
				     uint64_t calls),
			  void *arg);

#endif /* ULMV_WIRE_H */
