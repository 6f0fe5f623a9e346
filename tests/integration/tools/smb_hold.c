/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-smb-hold: an SMB open's state held in an LMDB store by a program
 * beside Ganesha on the same node (as an SMB server over libulm holds its
 * share modes and byte-range locks), to show what Ganesha's I/O meets.
 *
 *   ulm-smb-hold STORE_DIR NODE_ID KEY_HEX
 *
 * Then one command a line on stdin, one answer a line on stdout:
 *   share read|write|both none|read|write|both -> OK | DENIED | ERR message
 *   unshare                                    -> OK | ERR message
 *   lock shared|exclusive OFFSET LENGTH        -> OK | DENIED | ERR message
 *   unlock OFFSET LENGTH                       -> OK | ERR message
 * The owner is an SMB open of node NODE_ID; its locks are Windows ones
 * (ulm_winlock_acquire). End of input closes the store (what is held
 * stays in it unless released).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ulm.h"

static const char *const modes[] = {"none", "read", "write", "both", NULL};

static int parse_mode(const char *word)
{
	for (int i = 0; word && modes[i]; i++)
		if (strcmp(word, modes[i]) == 0)
			return i;
	return -1;
}

/* @return the key's length, or 0 if @p hex is not one */
static size_t parse_key(const char *hex, unsigned char *key)
{
	size_t len = strlen(hex) / 2;

	if (strlen(hex) % 2 || len == 0 || len > ULM_KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &key[i]) != 1)
			return 0;
	return len;
}

static void answer(int rc)
{
	if (rc == 0)
		puts("OK");
	else if (rc == -EAGAIN)
		puts("DENIED");
	else
		printf("ERR %s\n", ulm_strerror(rc));
	fflush(stdout);
}

static bool parse_u64(const char *word, uint64_t *v)
{
	char *end;

	if (!word || !*word)
		return false;
	*v = strtoull(word, &end, 10);
	return *end == '\0';
}

/* lock shared|exclusive OFFSET LENGTH, unlock OFFSET LENGTH */
static bool run_lock(ulm_env *env, const struct ulm_key *key,
		     const struct ulm_owner *owner, const char *verb,
		     char **words)
{
	bool lock = strcmp(verb, "lock") == 0;
	const char *type = lock ? *words++ : NULL;
	uint64_t offset, length;

	if ((!lock && strcmp(verb, "unlock") != 0) ||
	    (lock && (!type || (strcmp(type, "shared") != 0 &&
				strcmp(type, "exclusive") != 0))) ||
	    !parse_u64(words[0], &offset) || !parse_u64(words[1], &length))
		return false;
	if (lock)
		answer(ulm_winlock_acquire(env, key, owner,
					   strcmp(type, "exclusive") == 0
						   ? ULM_LOCK_WRITE
						   : ULM_LOCK_READ,
					   offset, length, 0, NULL));
	else
		answer(ulm_winlock_release(env, key, owner, offset, length));
	return true;
}

static void run(ulm_env *env, const struct ulm_key *key,
		const struct ulm_owner *open, const struct ulm_owner *handle)
{
	char line[256];

	while (fgets(line, sizeof(line), stdin)) {
		char *words[5] = {NULL};
		int access, deny;

		words[0] = strtok(line, " \n");
		for (int i = 1; i < 5 && words[i - 1]; i++)
			words[i] = strtok(NULL, " \n");
		access = parse_mode(words[1]);
		deny = parse_mode(words[2]);
		if (!words[0])
			continue;
		if (strcmp(words[0], "share") == 0 && access > 0 && deny >= 0)
			answer(ulm_share_acquire(env, key, open, access, deny,
						 0, NULL));
		else if (strcmp(words[0], "unshare") == 0)
			answer(ulm_share_release(env, key, open));
		else if (!run_lock(env, key, handle, words[0], words + 1)) {
			puts("ERR usage: share ACCESS DENY | unshare | lock "
			     "shared|exclusive OFFSET LENGTH | unlock OFFSET "
			     "LENGTH");
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned char key_bytes[ULM_KEY_MAX];
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB, .sync = true};
	struct ulm_key key = {key_bytes, 0};
	/* One SMB open: its share mode, and its handle's locks. */
	struct ulm_owner open = {
		ULM_PROTO_SMB, ULM_OWNER_OPEN, 0, "smb-host", 8, "handle1", 7};
	struct ulm_owner handle = {
		ULM_PROTO_SMB, ULM_OWNER_LOCK, 0, "smb-host", 8, "handle1", 7};
	ulm_env *env;
	int rc;

	if (argc != 4 || !(key.len = parse_key(argv[3], key_bytes))) {
		puts("ERR usage: ulm-smb-hold STORE_DIR NODE_ID KEY_HEX");
		return 2;
	}
	cfg.path = argv[1];
	cfg.node_id = strtoul(argv[2], NULL, 10);
	open.node = handle.node = cfg.node_id;
	rc = ulm_env_open(&cfg, &env);
	if (rc) {
		printf("ERR %s\n", ulm_strerror(rc));
		return 1;
	}
	run(env, &key, &open, &handle);
	ulm_env_close(env);
	return 0;
}
