// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file format.c
 * @brief ulmctl: values as people read them (ends of ranges, time left,
 * latency buckets).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ulmctl.h"

char *ulmctl_text(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

char *ulmctl_format_end(uint64_t end)
{
	return end == ULM_EOF ? ulmctl_text("eof")
			      : ulmctl_text("%" PRIu64, end);
}

/* @s seconds: "12s", "3m20s", "2h5m". */
static char *duration_text(uint64_t s)
{
	if (s < 60)
		return ulmctl_text("%" PRIu64 "s", s);
	if (s < 3600)
		return ulmctl_text("%" PRIu64 "m%" PRIu64 "s", s / 60, s % 60);
	return ulmctl_text("%" PRIu64 "h%" PRIu64 "m", s / 3600, s / 60 % 60);
}

char *ulmctl_format_expires(uint64_t expires_ms, uint64_t now_ms)
{
	if (expires_ms == 0)
		return ulmctl_text("never");
	if (expires_ms <= now_ms)
		return ulmctl_text("lapsed");
	return duration_text((expires_ms - now_ms + 999) / 1000);
}

char *ulmctl_format_age(uint64_t since_ms, uint64_t now_ms)
{
	if (since_ms == 0)
		return ulmctl_text("?");
	return duration_text(since_ms < now_ms ? (now_ms - since_ms) / 1000
					       : 0);
}

/* The bytes of an identity's text: \xNN escapes decoded. */
static size_t unescape(const char *s, uint8_t *bytes, size_t max)
{
	size_t n = 0;
	unsigned byte;

	while (*s && n < max) {
		if (s[0] == '\\' && sscanf(s, "\\x%2x", &byte) == 1) {
			bytes[n++] = (uint8_t)byte;
			s += 4;
		} else {
			bytes[n++] = (uint8_t)*s++;
		}
	}
	return n;
}

char *ulmctl_format_identity(const char *identity, bool human)
{
	uint8_t bytes[ULM_ID_MAX];
	char *hex, *s;

	if (!human || strchr(identity, '\\') == NULL)
		return strdup(identity);
	hex = ulmv_hex(bytes, unescape(identity, bytes, sizeof(bytes)));
	s = hex ? ulmctl_text("0x%s", hex) : NULL;
	free(hex);
	return s;
}

char *ulmctl_format_svid(const char *identity)
{
	uint8_t b[ULM_ID_MAX];

	if (unescape(identity, b, sizeof(b)) != 4)
		return ulmctl_format_identity(identity, true);
	return ulmctl_text("svid %" PRIu32, (uint32_t)b[0] << 24 |
						    (uint32_t)b[1] << 16 |
						    (uint32_t)b[2] << 8 | b[3]);
}

char *ulmctl_format_bucket(uint64_t bound_us)
{
	if (bound_us == UINT64_MAX)
		return ulmctl_text("rest");
	if (bound_us < 1000)
		return ulmctl_text("<%" PRIu64 "us", bound_us);
	if (bound_us < 1000000)
		return ulmctl_text("<%.1fms", bound_us / 1000.0);
	return ulmctl_text("<%.1fs", bound_us / 1000000.0);
}
