/* SPDX-License-Identifier: LGPL-3.0-or-later */
/**
 * @file metrics.h
 * @brief FSAL UNIFIED: the metrics in Prometheus' text exposition format
 * (metrics.c), served over HTTP (metrics_http.c) and DBus (ShowMetrics).
 */
#ifndef ULMFSAL_METRICS_H
#define ULMFSAL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/** The text format's content type, version 0.0.4. */
#define ULMFSAL_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/**
 * @brief Render every metric from counters in memory (no store call).
 * @param[out] len the text's length, if not NULL
 * @return a NUL-terminated text to free(), or NULL (no memory)
 */
char *ulmfsal_metrics_render(size_t *len);

/** @brief Metrics_Address (numeric IPv4 or IPv6) and @p port as a socket
 *  address. @return 0 or getaddrinfo()'s error */
int ulmfsal_metrics_address(const char *address, uint16_t port,
			    struct sockaddr_storage *out, socklen_t *len);

/** @brief Serve /metrics if Metrics_Port is set (once a process). */
void ulmfsal_metrics_http_start(void);
/** @brief Stop serving (module unload). */
void ulmfsal_metrics_http_stop(void);

#endif /* ULMFSAL_METRICS_H */
