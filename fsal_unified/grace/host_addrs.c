// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file host_addrs.c
 * @brief FSAL UNIFIED: is an address one of this host's now?
 *
 * Asked on every NLM unlock in a cluster (nsm.c), so it answers from a
 * copy of the host's addresses instead of a netlink dump per call. The
 * copy is made again whenever the kernel announced an address change on
 * a netlink socket subscribed to them: the kernel queues that message
 * before `ip address del` returns, so an unlock that follows a move
 * (ulm-takeover --left runs after the address agent removed it) always
 * sees the change. Without the socket, or if its queue overflowed, every
 * call reads the addresses afresh, as before.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ulmfsal.h"

static struct {
	pthread_mutex_t mutex;
	int fd;			/* netlink, subscribed; -1: not opened yet */
	bool opened;		/* tried to open it */
	bool stale;		/* the copy may be out of date */
	struct in6_addr *addrs; /* IPv4 as v4-mapped */
	size_t count;
} host = {.mutex = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .stale = true};

/* @p sa as an IPv6 address (IPv4 mapped); false for other families. */
static bool addr_as_in6(const struct sockaddr *sa, struct in6_addr *out)
{
	if (sa->sa_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		return true;
	}
	if (sa->sa_family != AF_INET)
		return false;
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &((const struct sockaddr_in *)sa)->sin_addr,
	       4);
	return true;
}

static void subscribe(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = RTMGRP_IPV4_IFADDR |
					      RTMGRP_IPV6_IFADDR};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);

	host.opened = true;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		LogWarn(COMPONENT_FSAL,
			"UNIFIED: cannot follow this host's address changes "
			"(netlink: %s); each NLM unlock in the cluster reads "
			"them afresh",
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	host.fd = fd;
}

/* Take the announcements queued since the last call: any (or an overflow
 * of the queue, ENOBUFS) makes the copy stale. */
static void drain(void)
{
	char buf[8192];
	ssize_t n;

	if (host.fd < 0) {
		host.stale = true;
		return;
	}
	while ((n = recv(host.fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		if (n > 0 || errno == ENOBUFS)
			host.stale = true;
		else if (errno != EINTR)
			break; /* EAGAIN: nothing more */
	}
}

/* Read the addresses again; false (the copy stays stale) on failure. */
static bool refresh(void)
{
	struct ifaddrs *all, *ifa;
	struct in6_addr *addrs;
	size_t n = 0;

	if (getifaddrs(&all) != 0)
		return false;
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next)
		n++;
	addrs = calloc(n ? n : 1, sizeof(*addrs));
	if (addrs == NULL) {
		freeifaddrs(all);
		return false;
	}
	n = 0;
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next)
		if (ifa->ifa_addr != NULL &&
		    addr_as_in6(ifa->ifa_addr, &addrs[n]))
			n++;
	freeifaddrs(all);
	free(host.addrs);
	host.addrs = addrs;
	host.count = n;
	host.stale = false;
	return true;
}

/**
 * @brief Is @p sa one of this host's addresses now? An unanswerable
 * question (the addresses cannot be read) answers true: the caller then
 * goes on as if nothing moved.
 */
bool ulmfsal_host_has_address(const sockaddr_t *sa)
{
	struct in6_addr want;
	bool found = false;

	if (!addr_as_in6((const struct sockaddr *)sa, &want))
		return true;
	PTHREAD_MUTEX_lock(&host.mutex);
	if (!host.opened)
		subscribe();
	drain();
	if (host.stale && !refresh()) {
		PTHREAD_MUTEX_unlock(&host.mutex);
		return true;
	}
	for (size_t i = 0; i < host.count && !found; i++)
		found = memcmp(&host.addrs[i], &want, sizeof(want)) == 0;
	PTHREAD_MUTEX_unlock(&host.mutex);
	return found;
}

/** @brief Close the subscription and drop the copy (module unload). */
void ulmfsal_host_addrs_close(void)
{
	PTHREAD_MUTEX_lock(&host.mutex);
	if (host.fd >= 0)
		close(host.fd);
	host.fd = -1;
	host.opened = false;
	free(host.addrs);
	host.addrs = NULL;
	host.count = 0;
	host.stale = true;
	PTHREAD_MUTEX_unlock(&host.mutex);
}
