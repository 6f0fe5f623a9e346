/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-lock-load: take write locks on a libulm RADOS store for a while, one
 * op at a time, and print each lock as soon as it is granted:
 *
 *   GRANTED file=HEX start=N     the store said yes (a client saw a grant)
 *   FAILED rc=ERRNO NAME         the store said no; nothing was granted
 *
 *   ulm-lock-load POOL NAMESPACE SECONDS [PER_SECOND [NODE]]
 *   ulm-lock-load --try POOL NAMESPACE NODE FILE BYTE
 *
 * (the cluster from $CEPH_CONF; PER_SECOND paces the locks, so that a
 * node granting from memory does not flood the check with millions;
 * NODE is the node id, default 1). --try asks once, as another node would
 * (owner "try-owner"), and prints one such line.
 *
 * Lock i is byte i of file "d<i % 16>", so every grant is a record of its
 * own; durability tests compare this output with the store afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ulm.h"

#define FILES 16

static struct ulm_owner owner = {
	.protocol = ULM_PROTO_NFS4,
	.kind = ULM_OWNER_LOCK,
	.node = 1,
	.client = "load-client",
	.client_len = 11,
	.owner = "load-owner",
	.owner_len = 10,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until @when (now_s() time). */
static void pace(double when)
{
	double wait = when - now_s();
	struct timespec ts;

	if (wait <= 0)
		return;
	ts.tv_sec = (time_t)wait;
	ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static int open_store(const char *pool, const char *ns, uint32_t node,
		      ulm_env **env)
{
	struct ulm_env_config cfg = {.store = ULM_STORE_RADOS,
				     .node_id = node,
				     .pool = pool,
				     .rados_namespace = ns};
	int rc = ulm_env_open(&cfg, env);

	if (rc)
		fprintf(stderr, "ulm-lock-load: %s\n", ulm_strerror(rc));
	return rc;
}

/* One lock of byte @i of @name: its line on stdout. @return rc */
static int lock_byte(ulm_env *env, const char *name, unsigned long i)
{
	struct ulm_key file = {name, strlen(name)};
	int rc = ulm_lock_acquire(env, &file, &owner, ULM_LOCK_WRITE, i, i,
				  NULL, NULL);

	if (rc) {
		printf("FAILED rc=%d %s\n", rc, ulm_strerror(rc));
	} else {
		printf("GRANTED file=");
		for (size_t b = 0; b < file.len; b++)
			printf("%02x", (unsigned char)name[b]);
		printf(" start=%lu\n", i);
	}
	fflush(stdout);
	return rc;
}

static int try_once(char **argv)
{
	ulm_env *env;

	owner.node = (uint32_t)atoi(argv[2]);
	owner.owner = "try-owner";
	if (open_store(argv[0], argv[1], owner.node, &env))
		return 1;
	lock_byte(env, argv[3], strtoul(argv[4], NULL, 10));
	ulm_env_close(env);
	return 0;
}

int main(int argc, char **argv)
{
	double start, until, per_second;
	ulm_env *env;

	if (argc == 7 && !strcmp(argv[1], "--try"))
		return try_once(argv + 2);
	if (argc < 4 || argc > 6) {
		fprintf(stderr,
			"usage: ulm-lock-load POOL NAMESPACE SECONDS "
			"[PER_SECOND [NODE]]\n"
			"       ulm-lock-load --try POOL NAMESPACE NODE "
			"FILE BYTE\n");
		return 2;
	}
	start = now_s();
	until = start + atof(argv[3]);
	per_second = argc >= 5 ? atof(argv[4]) : 0;
	owner.node = argc == 6 ? (uint32_t)atoi(argv[5]) : 1;
	if (open_store(argv[1], argv[2], owner.node, &env))
		return 1;
	for (unsigned long i = 0; now_s() < until; i++) {
		char name[16];

		if (per_second > 0)
			pace(start + i / per_second);
		snprintf(name, sizeof(name), "d%lu", i % FILES);
		lock_byte(env, name, i);
	}
	ulm_env_close(env);
	return 0;
}
