// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file courtesy.c
 * @brief FSAL UNIFIED: a courteous server, as Linux knfsd is since 5.19.
 *
 * An NFSv4 client whose lease lapsed loses everything in Ganesha 4.3: the
 * reaper expires it (SAL/nfs4_clientid.c:870, nfs_client_id_expire), which
 * unlocks and closes each of its states through the FSAL. No FSAL call
 * can keep the client itself alive (the reaper, valid_lease() and the
 * expiry are not exported to modules), so its stateids are gone and it
 * must recover (NFS4ERR_EXPIRED). What UNIFIED keeps is the lock table:
 * the expired client's locks and share reservations are moved to its
 * courtesy owner (ulm_courtesy_owner()), which goes on
 * refusing nobody: a request of any protocol, on any node, that meets a
 * courtesy record drops it and is granted; the client's own recovery
 * (it re-opens and re-locks after NFS4ERR_EXPIRED) meets them too, so it
 * gets its locks back unless somebody took them meanwhile, and ulmctl
 * shows who is gone but not yet forgotten. Courtesy records go after
 * Courtesy_Max_Age seconds; a client keeps at most Courtesy_Max_Records.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hashtable.h"
#include "nfs_core.h"
#include "sal_data.h"
#include "stats.h"
#include "ulmfsal.h"

#define COURTESY_PREFIX_LEN (sizeof(ULM_COURTESY_PREFIX) - 1)
#define COURTESY_LOOK_S	    1
/* Conflicts dropped per request before it is answered as it stands. */
#define COURTESY_DROPS_MAX 16

/* One record kept for an expired client, to drop when it is too old. */
struct courtesy_record {
	struct courtesy_record *next;
	time_t since;
	enum ulm_record_type type;
	uint64_t start, end;
	size_t key_len, client_len, owner_len;
	enum ulm_owner_kind kind;
	uint8_t key[ULM_KEY_MAX];
	uint8_t client[ULM_ID_MAX];
	uint8_t owner[ULM_ID_MAX];
};

static struct {
	pthread_mutex_t mutex;
	struct courtesy_record *records;
	pthread_t thread;
	atomic_bool running;
} courtesy = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static bool courtesy_on(void)
{
	return ULMFSAL.config.courtesy_max_age_s > 0 && !admin_shutdown;
}

/**
 * @brief Is @p state_owner an NFSv4 owner whose client Ganesha is
 * expiring because its lease lapsed? Not a client that asked to go
 * (DESTROY_CLIENTID, a new verifier) while its lease ran.
 */
bool ulmfsal_courtesy_due(const void *state_owner)
{
	const state_owner_t *so = state_owner;
	const nfs_client_id_t *clientid;

	if (!courtesy_on() || (so->so_type != STATE_LOCK_OWNER_NFSV4 &&
			       so->so_type != STATE_OPEN_OWNER_NFSV4))
		return false;
	clientid = so->so_owner.so_nfs4_owner.so_clientrec;
	return clientid != NULL &&
	       clientid->cid_confirmed == EXPIRED_CLIENT_ID &&
	       clientid->cid_lease_reservations == 0 &&
	       clientid->cid_last_renew +
			       nfs_param.nfsv4_param.lease_lifetime <=
		       time(NULL);
}

/**
 * @brief Is a CLOSE without an NFSv4 request (Ganesha drops the open
 * state itself: SAL/nfs4_state.c:513 has cleared its owner by then) the
 * expiry of client @p clientid? The reaper expires a client whose lease
 * lapsed and takes it out of the confirmed clients first
 * (SAL/nfs4_clientid.c:930); a client that asked to go did so in a
 * request, and shutdown keeps everything anyway.
 */
bool ulmfsal_courtesy_close_due(uint64_t clientid)
{
	struct gsh_buffdesc key = {.addr = &clientid, .len = sizeof(clientid)},
			    val;
	struct hash_latch latch;
	hash_error_t rc;

	if (!courtesy_on() || clientid == 0 || ulmfsal_in_nfs4_request())
		return false;
	rc = hashtable_getlatch(ht_confirmed_client_id, &key, &val, false,
				&latch);
	/* Found or not, the partition stays locked until released. */
	if (rc == HASHTABLE_SUCCESS || rc == HASHTABLE_ERROR_NO_SUCH_KEY)
		hashtable_releaselatched(ht_confirmed_client_id, &latch);
	return rc == HASHTABLE_ERROR_NO_SUCH_KEY;
}

/* The owner a record names (borrowing the record's bytes). */
static struct ulm_owner record_owner(const struct courtesy_record *r)
{
	return (struct ulm_owner){.protocol = ULM_PROTO_NFS4,
				  .kind = r->kind,
				  .node = ULMFSAL.config.node_id,
				  .client = r->client,
				  .client_len = r->client_len,
				  .owner = r->owner,
				  .owner_len = r->owner_len};
}

static size_t client_count(const uint8_t *client, size_t len)
{
	size_t n = 0;

	for (struct courtesy_record *r = courtesy.records; r; r = r->next)
		n += r->client_len == len &&
		     memcmp(r->client, client, len) == 0;
	return n;
}

/* Remember a kept record for aging; false past the client's limit. */
static bool remember(const struct ulm_key *key, const struct ulm_owner *co,
		     enum ulm_record_type type, uint64_t start, uint64_t end)
{
	struct courtesy_record *r;
	bool room;

	PTHREAD_MUTEX_lock(&courtesy.mutex);
	room = client_count(co->client, co->client_len) <
	       ULMFSAL.config.courtesy_max_records;
	if (room) {
		r = gsh_calloc(1, sizeof(*r));
		r->since = time(NULL);
		r->type = type;
		r->start = start;
		r->end = end;
		r->kind = co->kind;
		r->key_len = key->len;
		memcpy(r->key, key->data, key->len);
		r->client_len = co->client_len;
		memcpy(r->client, co->client, co->client_len);
		r->owner_len = co->owner_len;
		memcpy(r->owner, co->owner, co->owner_len);
		r->next = courtesy.records;
		courtesy.records = r;
	}
	PTHREAD_MUTEX_unlock(&courtesy.mutex);
	return room;
}

/* The expiring client's own delegation on the file would refuse its
 * courtesy records (they are another client's): Ganesha returns it right
 * after the opens (SAL/nfs4_clientid.c:1055, :1078), so it goes first. */
static void drop_own_delegation(const struct ulm_key *key,
				const struct ulm_owner *owner)
{
	struct ulm_owner client = {.protocol = owner->protocol,
				   .kind = ULM_OWNER_CLIENT,
				   .node = owner->node,
				   .client = owner->client,
				   .client_len = owner->client_len};

	(void)ULMFSAL_STORE(ulm_deleg_release(ulmfsal_env(), key, &client));
}

/* A lock of the expiring owner, as the table holds it. */
struct held_lock {
	enum ulm_record_type type;
	uint64_t start, end;
};

struct held_locks {
	const struct ulm_owner *owner;
	uint64_t start, end;
	size_t count, cap;
	struct held_lock *locks;
};

static bool same_owner(const struct ulm_lock_info *rec,
		       const struct ulm_owner *o)
{
	return rec->protocol == o->protocol && rec->kind == o->kind &&
	       rec->client_len == o->client_len &&
	       rec->owner_len == o->owner_len &&
	       memcmp(rec->client, o->client, o->client_len) == 0 &&
	       memcmp(rec->owner, o->owner, o->owner_len) == 0;
}

static int collect_lock(const struct ulm_key *file,
			const struct ulm_lock_info *rec, void *arg)
{
	struct held_locks *h = arg;

	(void)file;

	if ((rec->type != ULM_REC_LOCK_READ &&
	     rec->type != ULM_REC_LOCK_WRITE) ||
	    !same_owner(rec, h->owner) || rec->end < h->start ||
	    rec->start > h->end)
		return 0;
	if (h->count == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->locks = gsh_realloc(h->locks, h->cap * sizeof(*h->locks));
	}
	h->locks[h->count++] = (struct held_lock){
		.type = rec->type,
		.start = MAX(rec->start, h->start),
		.end = MIN(rec->end, h->end),
	};
	return 0;
}

/* Keep one of the expiring owner's locks under @p co: false if the
 * client's limit is reached or the range was taken meanwhile. */
static bool keep_lock(const struct ulm_key *key, const struct ulm_owner *co,
		      const struct held_lock *l)
{
	struct ulm_lock_info *conflict;
	int rc;

	if (!remember(key, co, l->type, l->start, l->end))
		return false;
	conflict = gsh_malloc(sizeof(*conflict));
	rc = ULMFSAL_STORE(ulm_lock_acquire(ulmfsal_env(), key, co,
					    (enum ulm_lock_type)l->type,
					    l->start, l->end, conflict, NULL));
	gsh_free(conflict);
	if (rc != 0)
		LogDebug(COMPONENT_FSAL,
			 "UNIFIED: courtesy lock [%" PRIu64 ", %" PRIu64
			 "] not kept: %s",
			 l->start, l->end, ulm_strerror(rc));
	return rc == 0;
}

/**
 * @brief Release @p owner's locks in [@p start, @p end] (as the expiry
 * of its client asks) and keep them as courtesy locks.
 * @return the result of the release
 */
int ulmfsal_courtesy_release_locks(const struct ulm_key *key,
				   const struct ulm_owner *owner,
				   uint64_t start, uint64_t end)
{
	struct held_locks held = {.owner = owner, .start = start, .end = end};
	uint8_t *buf = gsh_malloc(ULM_ID_MAX);
	size_t kept = 0;
	struct ulm_owner co;
	int rc;

	if (ulm_courtesy_owner(owner, buf, &co) == 0)
		(void)ULMFSAL_STORE(
			ulm_lock_list(ulmfsal_env(), key, collect_lock, &held));
	rc = ULMFSAL_STORE(
		ulm_lock_release(ulmfsal_env(), key, owner, start, end));
	if (rc == 0 && held.count)
		drop_own_delegation(key, owner);
	for (size_t i = 0; rc == 0 && i < held.count; i++)
		kept += keep_lock(key, &co, &held.locks[i]);
	if (rc == 0 && held.count)
		LogInfo(COMPONENT_FSAL,
			"UNIFIED: client %.*s expired with its lease lapsed: "
			"%zu of its %zu locks on the file kept as courtesy "
			"locks",
			(int)owner->client_len, (const char *)owner->client,
			kept, held.count);
	gsh_free(held.locks);
	gsh_free(buf);
	return rc;
}

/**
 * @brief Release @p owner's share reservation (as the expiry of its
 * client asks) and keep it as a courtesy reservation.
 * @return the result of the release
 */
int ulmfsal_courtesy_release_share(const struct ulm_key *key,
				   const struct ulm_owner *owner)
{
	uint8_t *buf = gsh_malloc(ULM_ID_MAX);
	unsigned access = 0, deny = 0;
	struct ulm_owner co;
	bool keep = ulm_courtesy_owner(owner, buf, &co) == 0 &&
		    ULMFSAL_STORE(ulm_share_get(ulmfsal_env(), key, owner,
						&access, &deny)) == 0 &&
		    deny != 0;
	int rc = ULMFSAL_STORE(ulm_share_release(ulmfsal_env(), key, owner));

	/* Only a deny refuses anyone: an open that denies nothing is not
	 * worth keeping. */
	if (rc == 0 && keep && remember(key, &co, ULM_REC_SHARE, 0, 0)) {
		drop_own_delegation(key, owner);
		(void)ULMFSAL_STORE(ulm_share_acquire(ulmfsal_env(), key, &co,
						      access, deny, 0, NULL));
	}
	gsh_free(buf);
	return rc;
}

/**
 * @brief A request met @p holder: if that is a courtesy record (of any
 * node), drop it so the request can be asked again.
 * @param[in,out] drops how many this request dropped so far
 * @return true: dropped, ask again
 */
bool ulmfsal_courtesy_drop(const struct ulm_key *key,
			   const struct ulm_lock_info *holder, unsigned *drops)
{
	int rc;

	if (!ulm_is_courtesy(holder) || *drops >= COURTESY_DROPS_MAX)
		return false;
	(*drops)++;
	rc = ULMFSAL_STORE(ulm_courtesy_drop(ulmfsal_env(), key, holder));
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: dropped a courtesy %s of expired client %.*s "
		 "(node %" PRIu32 ") for a conflicting request%s%s",
		 holder->type == ULM_REC_SHARE ? "share reservation" : "lock",
		 (int)(holder->client_len - COURTESY_PREFIX_LEN),
		 (const char *)holder->client + COURTESY_PREFIX_LEN,
		 holder->node, rc ? ": " : "", rc ? ulm_strerror(rc) : "");
	return rc == 0;
}

/* Take out the records older than the age limit, unlocked, in @p old. */
static struct courtesy_record *take_old(time_t now)
{
	struct courtesy_record **p = &courtesy.records, *old = NULL, *r;

	PTHREAD_MUTEX_lock(&courtesy.mutex);
	while ((r = *p) != NULL) {
		if (r->since + (time_t)ULMFSAL.config.courtesy_max_age_s >
		    now) {
			p = &r->next;
			continue;
		}
		*p = r->next;
		r->next = old;
		old = r;
	}
	PTHREAD_MUTEX_unlock(&courtesy.mutex);
	return old;
}

/* Drop a record the list kept, as it was made. */
static int drop_kept(const struct courtesy_record *r)
{
	struct ulm_key key = {.data = r->key, .len = r->key_len};
	struct ulm_owner o = record_owner(r);

	return r->type == ULM_REC_SHARE
		       ? ulm_share_release(ulmfsal_env(), &key, &o)
		       : ulm_lock_release(ulmfsal_env(), &key, &o, r->start,
					  r->end);
}

static void drop_old(void)
{
	struct courtesy_record *r = take_old(time(NULL)), *next;
	size_t n = 0;

	for (; r != NULL; r = next) {
		next = r->next;
		if (!admin_shutdown && ULMFSAL_STORE(drop_kept(r)) == 0)
			n++;
		gsh_free(r);
	}
	if (n)
		LogInfo(COMPONENT_FSAL,
			"UNIFIED: %zu courtesy records reached "
			"Courtesy_Max_Age "
			"(%" PRIu32 " s) and went",
			n, ULMFSAL.config.courtesy_max_age_s);
}

static void *courtesy_loop(void *arg)
{
	(void)arg;
	SetNameFunction("ulm_courtesy");
	while (atomic_load(&courtesy.running)) {
		drop_old();
		sleep(COURTESY_LOOK_S);
	}
	return NULL;
}

void ulmfsal_courtesy_start(void)
{
	if (ULMFSAL.config.courtesy_max_age_s == 0)
		return;
	atomic_store(&courtesy.running, true);
	if (pthread_create(&courtesy.thread, NULL, courtesy_loop, NULL) != 0) {
		atomic_store(&courtesy.running, false);
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: cannot start the courtesy thread: courtesy "
			"records stay until a conflicting request drops them");
	}
}

/* At unload: forget the list; the records stay in the store, and the
 * next start purges them with this node's earlier epoch. */
void ulmfsal_courtesy_stop(void)
{
	struct courtesy_record *r, *next;

	if (atomic_exchange(&courtesy.running, false))
		pthread_join(courtesy.thread, NULL);
	PTHREAD_MUTEX_lock(&courtesy.mutex);
	for (r = courtesy.records; r != NULL; r = next) {
		next = r->next;
		gsh_free(r);
	}
	courtesy.records = NULL;
	PTHREAD_MUTEX_unlock(&courtesy.mutex);
}
