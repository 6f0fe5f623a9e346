// SPDX-License-Identifier: LGPL-3.0-or-later
/**
 * @file record.c
 * @brief Records of the lock table as administrators see them: names,
 * text, hex and ids.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "record.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const type_names[] = {
	[ULM_REC_LOCK_READ] = "read",
	[ULM_REC_LOCK_WRITE] = "write",
	[ULM_REC_SHARE] = "share",
	[ULM_REC_DELEG_READ] = "deleg-read",
	[ULM_REC_DELEG_WRITE] = "deleg-write",
	[ULM_REC_WAIT_READ] = "wait-read",
	[ULM_REC_WAIT_WRITE] = "wait-write",
};

static const char *const protocol_names[] = {
	[ULM_PROTO_NLM] = "nlm", [ULM_PROTO_NFS4] = "nfs4",
	[ULM_PROTO_SMB] = "smb", [ULM_PROTO_LOCAL] = "local",
	[ULM_PROTO_9P] = "9p",
};

static const char *const kind_names[] = {
	[ULM_OWNER_LOCK] = "lock",
	[ULM_OWNER_OPEN] = "open",
	[ULM_OWNER_CLIENT] = "client",
};

static const char *const share_names[] = {"none", "r",	"w",  "rw",
					  "d",	  "rd", "wd", "rwd"};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

static int parse_name(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *ulmv_type_name(enum ulm_record_type type)
{
	return name_of(type_names, N_ELEMS(type_names), type);
}

int ulmv_type_parse(const char *name)
{
	return parse_name(type_names, N_ELEMS(type_names), name);
}

const char *ulmv_protocol_name(enum ulm_protocol protocol)
{
	return name_of(protocol_names, N_ELEMS(protocol_names), protocol);
}

int ulmv_protocol_parse(const char *name)
{
	return parse_name(protocol_names, N_ELEMS(protocol_names), name);
}

const char *ulmv_kind_name(enum ulm_owner_kind kind)
{
	return name_of(kind_names, N_ELEMS(kind_names), kind);
}

int ulmv_kind_parse(const char *name)
{
	return parse_name(kind_names, N_ELEMS(kind_names), name);
}

const char *ulmv_share_name(unsigned bits)
{
	return share_names[bits & ULM_SHARE_ALL];
}

int ulmv_share_parse(const char *name)
{
	return parse_name(share_names, N_ELEMS(share_names), name);
}

char *ulmv_hex(const void *bytes, size_t len)
{
	const uint8_t *b = bytes;
	char *hex = malloc(2 * len + 1);

	if (!hex)
		return NULL;
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", b[i]);
	hex[2 * len] = '\0';
	return hex;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ulmv_unhex(const char *hex, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > max)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

/* Escape every byte @p keep refuses as \xNN. */
static char *escape(const uint8_t *b, size_t len, bool (*keep)(uint8_t))
{
	char *text = malloc(4 * len + 1), *p = text;

	if (!text)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p += keep(b[i]) ? sprintf(p, "%c", b[i])
				: sprintf(p, "\\x%02x", b[i]);
	*p = '\0';
	return text;
}

static bool printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

static bool word_char(uint8_t c)
{
	return c != ' ' && c != '=';
}

char *ulmv_text(const void *bytes, size_t len)
{
	return escape(bytes, len, printable);
}

char *ulmv_word(const char *text)
{
	return escape((const uint8_t *)text, strlen(text), word_char);
}

/* FNV-1a, 64 bits: stable across builds and hosts, unlike a seeded hash. */
static uint64_t fnv(uint64_t h, const void *bytes, size_t len)
{
	const uint8_t *b = bytes;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
	return fnv(h, &v, sizeof(v));
}

void ulmv_record_id(const struct ulm_key *file,
		    const struct ulm_lock_info *info, char out[ULMV_ID_LEN + 1])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(fnv_u64(h, file->len), file->data, file->len);
	h = fnv_u64(h, info->type);
	h = fnv_u64(h, info->start);
	h = fnv_u64(h, info->end);
	h = fnv_u64(h, (uint64_t)info->protocol << 32 | info->kind);
	h = fnv_u64(h, (uint64_t)info->node << 32 | info->epoch);
	h = fnv(fnv_u64(h, info->client_len), info->client, info->client_len);
	h = fnv(fnv_u64(h, info->owner_len), info->owner, info->owner_len);
	snprintf(out, ULMV_ID_LEN + 1, "%012llx",
		 (unsigned long long)(h >> (64 - 4 * ULMV_ID_LEN)));
}

int ulmv_record_from_info(struct ulmv_record *r, const struct ulm_key *file,
			  const struct ulm_lock_info *info)
{
	memset(r, 0, sizeof(*r));
	ulmv_record_id(file, info, r->id);
	r->file = ulmv_hex(file->data, file->len);
	r->path = strdup("");
	r->client = ulmv_text(info->client, info->client_len);
	r->owner = ulmv_text(info->owner, info->owner_len);
	if (!r->file || !r->path || !r->client || !r->owner) {
		ulmv_record_clear(r);
		return -ENOMEM;
	}
	r->type = info->type;
	r->start = info->start;
	r->end = info->end;
	r->access = info->access;
	r->deny = info->deny;
	r->expires_ms = info->expires;
	r->reclaim = info->flags & ULM_FLAG_RECLAIM;
	r->protocol = info->protocol;
	r->kind = info->kind;
	r->node = info->node;
	r->epoch = info->epoch;
	return 0;
}

int ulmv_record_set_path(struct ulmv_record *r, const char *path,
			 uint16_t export_id)
{
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	free(r->path);
	r->path = copy;
	r->export_id = export_id;
	return 0;
}

void ulmv_record_clear(struct ulmv_record *r)
{
	free(r->file);
	free(r->path);
	free(r->client);
	free(r->owner);
	memset(r, 0, sizeof(*r));
}

struct ulmv_record *ulmv_records_add(struct ulmv_records *set)
{
	if (!ulmv_grow((void **)&set->v, set->n, &set->cap, sizeof(set->v[0])))
		return NULL;
	memset(&set->v[set->n], 0, sizeof(set->v[0]));
	return &set->v[set->n++];
}

void ulmv_records_empty(struct ulmv_records *set)
{
	for (size_t i = 0; i < set->n; i++)
		ulmv_record_clear(&set->v[i]);
	set->n = 0;
}

void ulmv_records_free(struct ulmv_records *set)
{
	ulmv_records_empty(set);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
