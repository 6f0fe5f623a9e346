/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Node liveness. A node that opened the store for writing holds an
 * exclusive cls_lock "ulm.live" on its object "live.<node>" for a lease,
 * renewed by a thread every lease/3. The lease is what the other nodes
 * trust: once it lapsed at the OSD, a node is dead to them (its file
 * tokens freeze their files, recovery may purge its records). So this
 * node must stop changing the table before that can happen: it counts
 * the lease from the moment it *sent* its last successful renewal (the
 * OSD started the lease later), by CLOCK_MONOTONIC, minus a margin for
 * clock rates and scheduling, and is fenced from then until a renewal
 * succeeds again.
 *
 * The lease travels on a client of its own (live_cluster): this node's
 * own bursts (a tick's watch pings, write-behind) would queue ahead of a
 * renewal on the data client, and a late renewal fences the node. So a
 * node has two store clients; the data client's address is kept in
 * "io_addr" of the lease's object, for whoever fences the node.
 *
 * "ulm.nodes" lists every node that ever opened the store for writing
 * (one omap key per node, 8 hex digits), for ulm_node_list().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bytes.h"
#include "clock.h"
#include "rados_live.h"

#define LIVE_LOCK	 "ulm.live"
#define LEASE_END_KEY	 "lease_end"
#define IO_ADDR_KEY	 "io_addr"
#define NODES_OID	 "ulm.nodes"
#define LEASE_DEFAULT_MS 15000
#define NODE_KEY_LEN	 8
#define NODES_PER_READ	 1024
#define LOCKERS_BUF	 4096
#define RETRY_MIN_MS	 50

static void live_oid(char *oid, size_t cap, uint32_t node)
{
	snprintf(oid, cap, "live.%08x", node);
}

/* How long before the lease lapses at the OSD this node stops. */
static uint64_t margin_ms(const struct rados_store *s)
{
	return s->lease_ms / 5;
}

static uint64_t retry_ms(const struct rados_store *s)
{
	uint64_t ms = s->lease_ms / 10;

	return ms < RETRY_MIN_MS ? RETRY_MIN_MS : ms;
}

/* Take or renew the lock for one lease; 0 or librados's error. */
static int lease_lock(struct rados_store *s, uint8_t flags)
{
	struct timeval duration = {s->lease_ms / 1000,
				   (long)(s->lease_ms % 1000) * 1000};
	char desc[32];

	snprintf(desc, sizeof(desc), "ulm node %u", s->node_id);
	return rados_lock_exclusive(s->live_io, s->live_oid, LIVE_LOCK,
				    s->live_cookie, desc, &duration, flags);
}

/* Set omap @key of the lease's object, through the lease's client. */
static int live_value_put(struct rados_store *s, const char *key,
			  const void *val, size_t val_len)
{
	rados_write_op_t op = rados_create_write_op();
	const char *v = val;
	size_t key_len = strlen(key);
	int rc;

	if (!op)
		return -ENOMEM;
	rados_write_op_omap_set2(op, &key, &v, &key_len, &val_len, 1);
	rc = rados_write_op_operate(op, s->live_io, s->live_oid, NULL, 0);
	rados_release_write_op(op);
	return rados_errno(rc);
}

/* Record on the lease's object when the lease ends unless renewed
 * (CLOCK_REALTIME ms): once it lapsed, when the node died for the others
 * (ulm_node_info.lease_end_ms). Best effort: the lease holds without. */
static void lease_end_record(struct rados_store *s, uint64_t end_ms)
{
	uint8_t buf[8];

	put_be64(buf, end_ms);
	live_value_put(s, LEASE_END_KEY, buf, sizeof(buf));
}

/* Record the data client's address, which the lease's locker is not. */
static int io_addr_record(struct rados_store *s)
{
	char *addrs = NULL;
	int rc = rados_getaddrs(s->cluster, &addrs);

	if (rc)
		return rados_errno(rc);
	rc = live_value_put(s, IO_ADDR_KEY, addrs, strlen(addrs));
	rados_buffer_free(addrs);
	return rc;
}

/* A renewal sent at @sent (@sent_wall_ms by the wall clock) succeeded:
 * live until its lease, less margin. */
static void lease_kept(struct rados_store *s, uint64_t sent,
		       uint64_t sent_wall_ms)
{
	atomic_store(&s->live_until,
		     sent + (s->lease_ms - margin_ms(s)) * NS_PER_MS);
	lease_end_record(s, sent_wall_ms + s->lease_ms);
}

bool rados_live_ok(struct rados_store *s)
{
	return clock_now_ns() < atomic_load(&s->live_until);
}

bool rados_live(struct ulm_store *store)
{
	return rados_live_ok((struct rados_store *)store);
}

/* A process that died leaves its lease behind: wait one lease for it to
 * lapse; a live holder renews it and keeps it. */
static int lease_first_take(struct rados_store *s)
{
	uint64_t start = clock_now_ns();
	uint64_t give_up = start + (s->lease_ms + retry_ms(s)) * NS_PER_MS;
	int rc;

	for (;;) {
		uint64_t sent = clock_now_ns(), sent_wall_ms = clock_wall_ms();

		rc = lease_lock(s, 0);
		if (!rc)
			lease_kept(s, sent, sent_wall_ms);
		if (rc != -EBUSY || clock_now_ns() >= give_up)
			break;
		usleep(retry_ms(s) * 1000);
	}
	return rc == -EBUSY ? -EBUSY : rados_errno(rc);
}

/* Count a fence once, from the moment the lease ran out, and its end.
 * @pre live.mutex held */
static void fence_note(struct rados_store *s)
{
	uint64_t now = clock_now_ns(), until = atomic_load(&s->live_until);

	if (now >= until && !s->fence_open) {
		s->fences++;
		s->fence_start = until;
		s->fence_open = true;
	} else if (now < until && s->fence_open) {
		s->fenced_ns += now - s->fence_start;
		s->fence_open = false;
	}
}

bool rados_lapsed(struct ulm_store *store)
{
	struct rados_store *s = (struct rados_store *)store;

	return clock_now_ns() >=
	       atomic_load(&s->live_until) + margin_ms(s) * NS_PER_MS;
}

void rados_fence_stats(struct ulm_store *store, uint64_t *fences,
		       uint64_t *fenced_ms)
{
	struct rados_store *s = (struct rados_store *)store;
	uint64_t now = clock_now_ns(), until = atomic_load(&s->live_until);
	uint64_t ns;

	pthread_mutex_lock(&s->live.mutex);
	*fences = s->fences;
	ns = s->fenced_ns;
	if (s->fence_open)
		ns += now - s->fence_start;
	else if (now >= until) { /* not noted yet: a renewal is on its way */
		++*fences;
		ns += now - until;
	}
	pthread_mutex_unlock(&s->live.mutex);
	*fenced_ms = ns / NS_PER_MS;
}

static void *live_main(void *arg)
{
	struct rados_store *s = arg;

	pthread_mutex_lock(&s->live.mutex);
	while (!s->live.stop) {
		bool paused = s->live_paused;
		uint64_t sent = clock_now_ns(), sent_wall_ms = clock_wall_ms();
		uint64_t next;
		int rc = -EAGAIN;

		fence_note(s);
		pthread_mutex_unlock(&s->live.mutex);
		if (!paused)
			rc = lease_lock(s, LIBRADOS_LOCK_FLAG_RENEW);
		if (!rc)
			lease_kept(s, sent, sent_wall_ms);
		pthread_mutex_lock(&s->live.mutex);
		fence_note(s);
		next = sent + (rc ? retry_ms(s) : s->lease_ms / 3) * NS_PER_MS;
		while (!s->live.stop && rados_thread_wait(&s->live, next))
			;
	}
	pthread_mutex_unlock(&s->live.mutex);
	return NULL;
}

static int nodes_register(struct rados_store *s)
{
	rados_write_op_t op = rados_create_write_op();
	char key[NODE_KEY_LEN + 1];
	const char *keys[1] = {key}, *vals[1] = {""};
	size_t key_lens[1] = {NODE_KEY_LEN}, val_lens[1] = {0};
	int rc;

	if (!op)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%08x", s->node_id);
	rados_write_op_omap_set2(op, keys, vals, key_lens, val_lens, 1);
	rc = rados_write_run(s, op, NODES_OID, NULL);
	rados_release_write_op(op);
	return rados_errno(rc);
}

void rados_live_init(struct rados_store *s)
{
	rados_thread_init(&s->live);
}

int rados_live_start(struct rados_store *s, uint32_t lease_ms)
{
	int rc;

	s->lease_ms = lease_ms ? lease_ms : LEASE_DEFAULT_MS;
	live_oid(s->live_oid, sizeof(s->live_oid), s->node_id);
	snprintf(s->live_cookie, sizeof(s->live_cookie), "%d.%llx",
		 (int)getpid(), (unsigned long long)s->instance);
	rc = lease_first_take(s);
	if (!rc)
		rc = io_addr_record(s);
	if (!rc)
		rc = nodes_register(s);
	if (!rc)
		rc = rados_thread_start(&s->live, live_main, s);
	return rc;
}

/* Stop renewing and give the lease back: this node is dead to others. */
void rados_live_fini(struct rados_store *s)
{
	bool held = rados_live_ok(s);

	rados_thread_fini(&s->live);
	atomic_store(&s->live_until, 0);
	if (held)
		lease_end_record(s, clock_wall_ms());
	if (s->live_cookie[0])
		rados_unlock(s->live_io, s->live_oid, LIVE_LOCK,
			     s->live_cookie);
}

void rados_live_pause(struct ulm_store *store, bool paused)
{
	struct rados_store *s = (struct rados_store *)store;

	pthread_mutex_lock(&s->live.mutex);
	s->live_paused = paused;
	pthread_cond_broadcast(&s->live.cond);
	pthread_mutex_unlock(&s->live.mutex);
}

/* Does anyone hold @node's lease now? The OSD drops lapsed lockers
 * before it lists them. */
static int lease_held(struct rados_store *s, uint32_t node, bool *held)
{
	char oid[32], tag[64], clients[LOCKERS_BUF], cookies[LOCKERS_BUF],
		addrs[LOCKERS_BUF];
	size_t tag_len = sizeof(tag), clients_len = sizeof(clients),
	       cookies_len = sizeof(cookies), addrs_len = sizeof(addrs);
	int exclusive;
	ssize_t n;

	live_oid(oid, sizeof(oid), node);
	n = rados_list_lockers(s->io, oid, LIVE_LOCK, &exclusive, tag, &tag_len,
			       clients, &clients_len, cookies, &cookies_len,
			       addrs, &addrs_len);
	*held = n > 0;
	return n >= 0 || n == -ENOENT ? 0 : rados_errno((int)n);
}

int rados_node_state(struct rados_store *s, uint32_t node, uint32_t *epoch,
		     bool *live)
{
	char oid[32];
	uint64_t version;
	int rc;

	snprintf(oid, sizeof(oid), "node.%08x", node);
	rc = rados_u32_get(s, oid, "epoch", epoch, &version);
	if (!rc)
		rc = lease_held(s, node, live);
	return rc;
}

/* What lease_end_record() wrote last for @node; 0: nothing readable. */
static int lease_end_read(struct rados_store *s, uint32_t node,
			  uint64_t *end_ms)
{
	char oid[32];
	uint8_t buf[8];
	size_t len = sizeof(buf);
	uint64_t version;
	int rc;

	live_oid(oid, sizeof(oid), node);
	rc = rados_value_get(s, oid, LEASE_END_KEY, buf, &len, &version);
	*end_ms = !rc && len == sizeof(buf) ? get_be64(buf) : 0;
	return rc == ULM_ECORRUPT ? 0 : rc;
}

static int node_from_key(const char *key, size_t len, uint32_t *node)
{
	char buf[NODE_KEY_LEN + 1], *end;

	if (len != NODE_KEY_LEN)
		return ULM_ECORRUPT;
	memcpy(buf, key, len);
	buf[len] = '\0';
	*node = (uint32_t)strtoul(buf, &end, 16);
	return *end ? ULM_ECORRUPT : 0;
}

/* One page of registered node ids after @after; *more: another page. */
static int nodes_page(struct rados_store *s, char *after, uint32_t *nodes,
		      size_t *n, unsigned char *more)
{
	rados_read_op_t op = rados_create_read_op();
	rados_omap_iter_t iter;
	char *key, *val;
	size_t key_len, val_len;
	int prval = 0, rc;

	*n = 0;
	if (!op)
		return -ENOMEM;
	rados_read_op_omap_get_vals2(op, after, "", NODES_PER_READ, &iter, more,
				     &prval);
	rc = rados_read_run(s, op, NODES_OID, NULL);
	rados_release_read_op(op);
	rc = rc ? rc : prval;
	while (!rc &&
	       !rados_omap_get_next2(iter, &key, &val, &key_len, &val_len) &&
	       key) {
		rc = node_from_key(key, key_len, &nodes[*n]);
		if (!rc) {
			memcpy(after, key, key_len + 1);
			++*n;
		}
	}
	rados_omap_get_end(iter); /* exists whatever the op returned */
	if (rc == -ENOENT)
		return 0;
	return rc == ULM_ECORRUPT ? rc : rados_errno(rc);
}

int rados_node_list(struct ulm_store *store, store_node_fn fn, void *arg)
{
	struct rados_store *s = (struct rados_store *)store;
	uint32_t *nodes = malloc(NODES_PER_READ * sizeof(*nodes));
	char after[NODE_KEY_LEN + 1] = "";
	unsigned char more = 1;
	size_t n = 0;
	int rc = nodes ? 0 : -ENOMEM;

	while (!rc && more) {
		rc = nodes_page(s, after, nodes, &n, &more);
		for (size_t i = 0; !rc && i < n; i++) {
			struct ulm_node_info info = {nodes[i], 0, false, 0};

			rc = rados_node_state(s, nodes[i], &info.epoch,
					      &info.live);
			if (!rc)
				rc = lease_end_read(s, nodes[i],
						    &info.lease_end_ms);
			if (!rc)
				rc = fn(&info, arg);
		}
		more = more && n;
	}
	free(nodes);
	return rc;
}
