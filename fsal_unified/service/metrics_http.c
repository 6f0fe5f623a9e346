// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file metrics_http.c
 * @brief FSAL UNIFIED: GET /metrics over HTTP (libmicrohttpd), on
 * Metrics_Address:Metrics_Port when Metrics_Port is set. Its own thread
 * answers, never a Ganesha worker; a scrape renders counters in memory.
 * A port that cannot be bound is logged and Ganesha serves on without it.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "ulmfsal.h"

/* A scraper or two, and a stuck one is dropped. */
#define METRICS_CONNECTIONS  16
#define METRICS_IDLE_TIMEOUT 10

static struct MHD_Daemon *daemon_http;

int ulmfsal_metrics_address(const char *address, uint16_t port,
			    struct sockaddr_storage *out, socklen_t *len)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *found;
	char service[8];
	int rc;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(address, service, &hints, &found);
	if (rc != 0)
		return rc;
	memcpy(out, found->ai_addr, found->ai_addrlen);
	*len = found->ai_addrlen;
	freeaddrinfo(found);
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (response == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status,
			      const char *why)
{
	return reply(conn, status, (char *)why, strlen(why),
		     MHD_RESPMEM_PERSISTENT, "text/plain");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **request)
{
	size_t len;
	char *text;

	(void)cls, (void)version, (void)upload, (void)upload_size;
	(void)request;
	if (strcmp(url, "/metrics") != 0)
		return refuse(conn, MHD_HTTP_NOT_FOUND,
			      "only /metrics is served here\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			      "GET /metrics\n");
	text = ulmfsal_metrics_render(&len);
	if (text == NULL)
		return refuse(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			      "no memory for the metrics\n");
	return reply(conn, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE,
		     ULMFSAL_METRICS_CONTENT_TYPE);
}

/* Our own socket, so a failed bind says why. @return fd or -errno */
static int listen_on(const struct sockaddr_storage *addr, socklen_t len)
{
	int one = 1;
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len) == 0 &&
	    listen(fd, METRICS_CONNECTIONS) == 0)
		return fd;
	err = errno;
	close(fd);
	return -err;
}

void ulmfsal_metrics_http_start(void)
{
	const struct ulmfsal_config *cfg = &ULMFSAL.config;
	struct sockaddr_storage addr;
	socklen_t len;
	int fd;

	if (cfg->metrics_port == 0 || daemon_http != NULL)
		return;
	/* init_config checked the address */
	if (ulmfsal_metrics_address(cfg->metrics_address, cfg->metrics_port,
				    &addr, &len) != 0)
		return;
	fd = listen_on(&addr, len);
	if (fd < 0) {
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: metrics not served on %s port %" PRIu16
			": %s",
			cfg->metrics_address, cfg->metrics_port, strerror(-fd));
		return;
	}
	daemon_http = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		answer, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, METRICS_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, METRICS_IDLE_TIMEOUT,
		MHD_OPTION_END);
	if (daemon_http == NULL) {
		close(fd);
		LogCrit(COMPONENT_FSAL,
			"UNIFIED: metrics not served: libmicrohttpd did not "
			"start");
		return;
	}
	LogEvent(COMPONENT_FSAL,
		 "UNIFIED: metrics on http://%s:%" PRIu16 "/metrics",
		 cfg->metrics_address, cfg->metrics_port);
}

void ulmfsal_metrics_http_stop(void)
{
	if (daemon_http == NULL)
		return;
	MHD_stop_daemon(daemon_http);
	daemon_http = NULL;
}
