// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file nsm.c
 * @brief FSAL UNIFIED: which NLM clients hold locks through which service
 * address, kept in RADOS, so that the node that takes the address over
 * sends SM_NOTIFY to exactly those clients (ulm-takeover).
 *
 * Noted on an NLM client's first grant through an address (a small table
 * in memory remembers what was written). Entries are never removed here:
 * notifying a client that holds nothing any more only makes it reclaim
 * nothing.
 *
 * Also: has a client left with its address? Once a service address moved
 * to another node (a planned move: ulm-takeover --left), its NLM clients
 * reclaim their locks there, and the node they left forgets them; what it
 * releases of theirs then must not reach the store, where their records
 * are now the new node's (an owner has no node: the release would drop
 * them).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ulmfsal.h"
#include "gsh_rpc.h"
#include "client_mgr.h"
#include "sal_data.h"

#define NSM_NOTED_SLOTS 4096
#define NSM_CALLER_MAX	1024 /* NLM's LM_MAXSTRLEN */

static pthread_mutex_t nsm_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint64_t nsm_noted[NSM_NOTED_SLOTS]; /* hashes of written pairs */

/* The address as text; an IPv4 client mapped in IPv6 as plain IPv4. */
static bool addr_text(const sockaddr_t *sa, char *out, socklen_t len)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (sa->ss_family == AF_INET)
		return inet_ntop(AF_INET,
				 &((const struct sockaddr_in *)sa)->sin_addr,
				 out, len) != NULL;
	if (sa->ss_family != AF_INET6)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out,
				 len) != NULL;
	return inet_ntop(AF_INET6, &in6->sin6_addr, out, len) != NULL;
}

static uint64_t pair_hash(const char *server, const char *caller)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const char *p = server; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = caller; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	return h | 1; /* 0 marks a free slot */
}

/* Seen before? Else remember it, or forget it again (@p forget: it could
 * not be written). A collision only costs a rewrite. */
static bool noted(uint64_t h, bool forget)
{
	uint64_t *slot = &nsm_noted[h % NSM_NOTED_SLOTS];
	bool seen;

	PTHREAD_MUTEX_lock(&nsm_mutex);
	seen = *slot == h;
	*slot = forget ? 0 : h;
	PTHREAD_MUTEX_unlock(&nsm_mutex);
	return seen;
}

/**
 * @brief Did NLM owner @p state_owner leave with the service address it
 * used (the address is no longer on this host)? Its releases here are
 * then no business of the store's. Only in a cluster (Store = rados): a
 * single node has no address to move.
 */
bool ulmfsal_nsm_left(const void *state_owner)
{
	const state_owner_t *so = state_owner;
	const state_nlm_client_t *client = so->so_owner.so_nlm_owner.so_client;

	return ulmfsal_cluster() != NULL &&
	       so->so_type == STATE_LOCK_OWNER_NLM && client != NULL &&
	       !ulmfsal_host_has_address(&client->slc_server_addr);
}

/**
 * @brief Note that NLM owner @p state_owner was granted a lock: its client
 * is to be notified by whoever takes the service address over.
 */
void ulmfsal_nsm_note(const void *state_owner)
{
	const state_owner_t *so = state_owner;
	const state_nlm_client_t *client = so->so_owner.so_nlm_owner.so_client;
	char server[INET6_ADDRSTRLEN], caller[NSM_CALLER_MAX + 1];
	char client_addr[INET6_ADDRSTRLEN];
	ulmrec *cluster = ulmfsal_cluster();
	uint64_t h;
	int rc;

	if (cluster == NULL || client == NULL ||
	    client->slc_nsm_client == NULL ||
	    client->slc_nsm_client->ssc_client == NULL ||
	    client->slc_nlm_caller_name_len > NSM_CALLER_MAX ||
	    !addr_text(&client->slc_server_addr, server, sizeof(server)) ||
	    !addr_text(&client->slc_nsm_client->ssc_client->cl_addrbuf,
		       client_addr, sizeof(client_addr)))
		return;
	memcpy(caller, client->slc_nlm_caller_name,
	       client->slc_nlm_caller_name_len);
	caller[client->slc_nlm_caller_name_len] = '\0';
	h = pair_hash(server, caller);
	if (noted(h, false))
		return;
	rc = ulmrec_nsm_add(cluster, server, caller, client_addr);
	if (rc != 0) {
		LogMajor(COMPONENT_FSAL,
			 "UNIFIED: cannot record NLM client %s of %s for "
			 "notification after a takeover: %s",
			 caller, server, strerror(-rc));
		noted(h, true);
	}
}
