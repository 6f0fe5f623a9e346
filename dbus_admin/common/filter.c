// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file filter.c
 * @brief Criteria of listings: parsed once from NAME=VALUE pairs, then
 * matched against each record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "record.h"

static bool parse_number(const char *value, uint64_t max, uint64_t *out)
{
	char *end;

	if (*value < '0' || *value > '9')
		return false;
	errno = 0;
	*out = strtoull(value, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

static int replace_string(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int bad_number(const char *name, const char *value, uint64_t min,
		      uint64_t max, char *why, size_t why_len)
{
	snprintf(why, why_len,
		 "%s must be a number from %llu to %llu, not '%s'", name,
		 (unsigned long long)min, (unsigned long long)max, value);
	return -EINVAL;
}

static int set_file(struct ulmv_filter *f, const char *value, char *why,
		    size_t why_len)
{
	if (ulmv_unhex(value, f->file, sizeof(f->file), &f->file_len) != 0) {
		snprintf(why, why_len,
			 "file must be a file key in hex (2 to %d digits), "
			 "not '%s'",
			 2 * ULM_KEY_MAX, value);
		return -EINVAL;
	}
	f->by_file = true;
	return 0;
}

static int set_path(struct ulmv_filter *f, const char *value, char *why,
		    size_t why_len)
{
	if (*value != '/') {
		snprintf(why, why_len, "path must be absolute, not '%s'",
			 value);
		return -EINVAL;
	}
	return replace_string(&f->path, value);
}

static int set_export(struct ulmv_filter *f, const char *value, char *why,
		      size_t why_len)
{
	uint64_t n;

	if (!parse_number(value, UINT16_MAX, &n) || n == 0)
		return bad_number("export", value, 1, UINT16_MAX, why, why_len);
	f->by_export = true;
	f->export_id = (uint16_t)n;
	return 0;
}

static int set_client(struct ulmv_filter *f, const char *value, char *why,
		      size_t why_len)
{
	if (*value == '\0') {
		snprintf(why, why_len, "client must not be empty");
		return -EINVAL;
	}
	return replace_string(&f->client, value);
}

static int set_protocol(struct ulmv_filter *f, const char *value, char *why,
			size_t why_len)
{
	f->protocol = ulmv_protocol_parse(value);
	if (f->protocol > 0)
		return 0;
	f->protocol = 0;
	snprintf(why, why_len,
		 "protocol must be nlm, nfs4, smb, local or 9p, not '%s'",
		 value);
	return -EINVAL;
}

static int set_node(struct ulmv_filter *f, const char *value, char *why,
		    size_t why_len)
{
	uint64_t n;

	if (!parse_number(value, UINT32_MAX, &n))
		return bad_number("node", value, 0, UINT32_MAX, why, why_len);
	f->by_node = true;
	f->node = (uint32_t)n;
	return 0;
}

static const struct criterion {
	const char *name;
	int (*set)(struct ulmv_filter *f, const char *value, char *why,
		   size_t why_len);
} criteria[] = {
	{"file", set_file},	    {"path", set_path},
	{"export", set_export},	    {"client", set_client},
	{"protocol", set_protocol}, {"node", set_node},
};

int ulmv_filter_set(struct ulmv_filter *f, const char *name, const char *value,
		    char *why, size_t why_len)
{
	for (size_t i = 0; i < sizeof(criteria) / sizeof(criteria[0]); i++)
		if (strcmp(name, criteria[i].name) == 0)
			return criteria[i].set(f, value, why, why_len);
	snprintf(why, why_len,
		 "unknown filter '%s' (file, path, export, client, protocol, "
		 "node)",
		 name);
	return -EINVAL;
}

bool ulmv_filter_match(const struct ulmv_filter *f, const struct ulm_key *file,
		       const struct ulm_lock_info *info)
{
	if (f->types && !(f->types & ULMV_TYPE_BIT(info->type)))
		return false;
	if (f->protocol && (int)info->protocol != f->protocol)
		return false;
	if (f->by_node && info->node != f->node)
		return false;
	if (f->by_file && (file->len != f->file_len ||
			   memcmp(file->data, f->file, f->file_len)))
		return false;
	return !f->client || memmem(info->client, info->client_len, f->client,
				    strlen(f->client)) != NULL;
}

void ulmv_filter_free(struct ulmv_filter *f)
{
	free(f->client);
	free(f->path);
	f->client = NULL;
	f->path = NULL;
}
