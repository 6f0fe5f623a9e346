/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-lock-load: take write locks on a libulm RADOS store for a while, one
 * op at a time, and print each lock as soon as it is granted:
 *
 *   GRANTED file=HEX start=N     the store said yes (a client saw a grant)
 *   FAILED rc=ERRNO              the store said no; nothing was granted
 *
 *   ulm-lock-load POOL NAMESPACE SECONDS [PER_SECOND]
 *
 * (the cluster from $CEPH_CONF; PER_SECOND paces the locks, so that a
 * node granting from memory does not flood the check with millions)
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

static const struct ulm_owner owner = {
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

int main(int argc, char **argv)
{
	struct ulm_env_config cfg = {.store = ULM_STORE_RADOS, .node_id = 1};
	double start, until, per_second;
	ulm_env *env;
	int rc;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: ulm-lock-load POOL NAMESPACE SECONDS "
				"[PER_SECOND]\n");
		return 2;
	}
	cfg.pool = argv[1];
	cfg.rados_namespace = argv[2];
	start = now_s();
	until = start + atof(argv[3]);
	per_second = argc == 5 ? atof(argv[4]) : 0;
	rc = ulm_env_open(&cfg, &env);
	if (rc) {
		fprintf(stderr, "ulm-lock-load: %s\n", ulm_strerror(rc));
		return 1;
	}
	for (unsigned long i = 0; now_s() < until; i++) {
		char name[16];
		struct ulm_key file = {name, 0};

		if (per_second > 0)
			pace(start + i / per_second);
		file.len =
			(size_t)snprintf(name, sizeof(name), "d%lu", i % FILES);
		rc = ulm_lock_acquire(env, &file, &owner, ULM_LOCK_WRITE, i, i,
				      NULL, NULL);
		if (rc) {
			printf("FAILED rc=%d\n", rc);
		} else {
			printf("GRANTED file=");
			for (size_t b = 0; b < file.len; b++)
				printf("%02x", (unsigned char)name[b]);
			printf(" start=%lu\n", i);
		}
		fflush(stdout);
	}
	ulm_env_close(env);
	return 0;
}
