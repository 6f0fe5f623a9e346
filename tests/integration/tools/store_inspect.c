/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-store-inspect: list the locks persisted in a libulm store (LMDB, or
 * RADOS given as rados:POOL/NAMESPACE, with the cluster from $CEPH_CONF),
 * without changing it (the store is opened read-only), one line per lock:
 *
 *   file=HEX type=read|write start=N end=N|eof proto=P kind=lock|open
 *   node=N epoch=N client=TEXT owner=TEXT
 *
 * TEXT prints printable bytes as they are and every other byte (and '\',
 * space, '=') as \xNN, so one lock is always one line of words.
 *
 *   ulm-store-inspect STORE_PATH | rados:POOL/NAMESPACE
 *
 * Exit status: 0 listed (possibly nothing), 1 the store could not be read.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ulm.h"

static const char *protocol_name(enum ulm_protocol protocol)
{
	switch (protocol) {
	case ULM_PROTO_NLM:
		return "nlm";
	case ULM_PROTO_NFS4:
		return "nfs4";
	case ULM_PROTO_SMB:
		return "smb";
	case ULM_PROTO_LOCAL:
		return "local";
	case ULM_PROTO_9P:
		return "9p";
	}
	return "unknown";
}

static void print_hex(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", bytes[i]);
}

static void print_text(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (isgraph(bytes[i]) && bytes[i] != '\\' && bytes[i] != '=')
			putchar(bytes[i]);
		else
			printf("\\x%02x", bytes[i]);
	}
}

static const char *type_name(enum ulm_record_type type)
{
	static const char *const names[] = {
		[ULM_REC_LOCK_READ] = "read",
		[ULM_REC_LOCK_WRITE] = "write",
		[ULM_REC_SHARE] = "share",
		[ULM_REC_DELEG_READ] = "deleg-read",
		[ULM_REC_DELEG_WRITE] = "deleg-write",
		[ULM_REC_WAIT_READ] = "wait-read",
		[ULM_REC_WAIT_WRITE] = "wait-write",
	};

	return (size_t)type < sizeof(names) / sizeof(names[0]) && names[type]
		       ? names[type]
		       : "unknown";
}

static const char *share_bits(unsigned bits)
{
	static const char *const names[] = {"none", "r", "w", "rw"};

	return names[bits & ULM_SHARE_BOTH];
}

static const char *kind_name(enum ulm_owner_kind kind)
{
	return kind == ULM_OWNER_OPEN	  ? "open"
	       : kind == ULM_OWNER_CLIENT ? "client"
					  : "lock";
}

static int print_lock(const struct ulm_key *file,
		      const struct ulm_lock_info *lock, void *arg)
{
	(void)arg;
	printf("file=");
	print_hex(file->data, file->len);
	printf(" type=%s start=%" PRIu64, type_name(lock->type), lock->start);
	if (lock->end == ULM_EOF)
		printf(" end=eof");
	else
		printf(" end=%" PRIu64, lock->end);
	if (lock->type == ULM_REC_SHARE)
		printf(" access=%s deny=%s", share_bits(lock->access),
		       share_bits(lock->deny));
	printf(" proto=%s kind=%s node=%" PRIu32 " epoch=%" PRIu32 "%s client=",
	       protocol_name(lock->protocol), kind_name(lock->kind), lock->node,
	       lock->epoch, lock->flags & ULM_FLAG_RECLAIM ? " reclaim" : "");
	print_text(lock->client, lock->client_len);
	printf(" owner=");
	print_text(lock->owner, lock->owner_len);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB,
				     .read_only = true};
	ulm_env *env;
	int rc;

	char *pool = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: ulm-store-inspect STORE_PATH | "
				"rados:POOL/NAMESPACE\n");
		return 1;
	}
	cfg.path = argv[1];
	if (!strncmp(argv[1], "rados:", 6)) {
		pool = strdup(argv[1] + 6);
		if (!pool)
			return 1;
		cfg.store = ULM_STORE_RADOS;
		cfg.pool = pool;
		cfg.rados_namespace = strchr(pool, '/');
		if (cfg.rados_namespace)
			*(char *)cfg.rados_namespace++ = '\0';
	}
	rc = ulm_env_open(&cfg, &env);
	free(pool);
	if (rc != 0) {
		fprintf(stderr, "ulm-store-inspect: cannot open %s: %s\n",
			argv[1], ulm_strerror(rc));
		return 1;
	}
	rc = ulm_lock_list(env, NULL, print_lock, NULL);
	ulm_env_close(env);
	if (rc != 0) {
		fprintf(stderr, "ulm-store-inspect: listing %s: %s\n", argv[1],
			ulm_strerror(rc));
		return 1;
	}
	return 0;
}
