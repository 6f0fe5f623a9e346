/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-share-hold: a share reservation held in an LMDB store by a program
 * beside Ganesha on the same node (as an SMB server over libulm holds its
 * share modes), to show that Ganesha's I/O without an open meets it.
 *
 *   ulm-share-hold STORE_DIR NODE_ID KEY_HEX
 *
 * Then one command a line on stdin, one answer a line on stdout:
 *   share read|write|both none|read|write|both -> OK | DENIED | ERR message
 *   unshare                                    -> OK | ERR message
 * The owner is an SMB open of node NODE_ID. End of input closes the store
 * (the reservation stays in it unless unshared).
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

static void run(ulm_env *env, const struct ulm_key *key,
		const struct ulm_owner *owner)
{
	char line[256];

	while (fgets(line, sizeof(line), stdin)) {
		char *verb = strtok(line, " \n"), *a = strtok(NULL, " \n");
		int access = parse_mode(a),
		    deny = parse_mode(strtok(NULL, " \n"));

		if (verb && strcmp(verb, "share") == 0 && access > 0 &&
		    deny >= 0)
			answer(ulm_share_acquire(env, key, owner, access, deny,
						 0, NULL));
		else if (verb && strcmp(verb, "unshare") == 0)
			answer(ulm_share_release(env, key, owner));
		else {
			puts("ERR usage: share ACCESS DENY | unshare");
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned char key_bytes[ULM_KEY_MAX];
	struct ulm_env_config cfg = {.store = ULM_STORE_LMDB, .sync = true};
	struct ulm_key key = {key_bytes, 0};
	struct ulm_owner owner = {
		ULM_PROTO_SMB, ULM_OWNER_OPEN, 0, "smb-host", 8, "handle1", 7};
	ulm_env *env;
	int rc;

	if (argc != 4 || !(key.len = parse_key(argv[3], key_bytes))) {
		puts("ERR usage: ulm-share-hold STORE_DIR NODE_ID KEY_HEX");
		return 2;
	}
	cfg.path = argv[1];
	cfg.node_id = owner.node = strtoul(argv[2], NULL, 10);
	rc = ulm_env_open(&cfg, &env);
	if (rc) {
		printf("ERR %s\n", ulm_strerror(rc));
		return 1;
	}
	run(env, &key, &owner);
	ulm_env_close(env);
	return 0;
}
