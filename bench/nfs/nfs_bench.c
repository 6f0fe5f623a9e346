/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-nfs-bench: K independent NFSv4.0 clients (one thread and one
 * connection each) open one file and repeat LOCK(write, whole file) +
 * LOCKU for N seconds; with --nlm, NLM v4 clients (a host name each)
 * repeat LOCK + UNLOCK instead.  Prints one machine-readable line:
 *   pairs=... seconds=... pairs_per_s=... median_us=... p99_us=...
 *   clients=... denied=...
 * A pair's latency runs from its first LOCK attempt to the LOCKU reply,
 * so with K > 1 it includes the retries after NFS4ERR_DENIED (counted in
 * "denied"; there are no blocking locks). With --per-client-files client
 * i locks PATH.i instead, so clients measure throughput, not contention.
 */
#include "bench_target.h"
#include "latency.h"
#include "nfs4_client.h"
#include "nlm_client.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <nfsc/libnfs-raw-nlm.h>

#define MAX_CLIENTS 256

struct bench_options {
	struct bench_target target;
	int clients;
	bool per_client_files;
	bool nlm;
};

struct bench_client {
	const struct bench_options *opts;
	pthread_barrier_t *start;
	int index;
	struct latency_log pairs; /* one sample per completed pair */
	uint64_t denied;
	uint64_t elapsed_us; /* of the pair loop */
	int status;	     /* first failure, NFS4_OK if none */
};

/* What a client locks through: an NFSv4 open, or NLM (no open). */
struct bench_conn {
	struct nfs4_session *session;
	struct nfs4_file *file;
	struct nlm_client *nlm;
	const char *path;
};

#define NLM_BENCH_SVID 1

/* One NLM LOCK+UNLOCK pair; 0 (NLM4_GRANTED) or the failing status. */
static int nlm_lock_pair(struct bench_client *client, struct bench_conn *conn)
{
	const struct nlm_range whole = {
		.offset = 0, .length = 0, .write = true};
	int status;

	while ((status = nlm_client_lock(conn->nlm, conn->path, NLM_BENCH_SVID,
					 &whole, false)) == NLM4_DENIED)
		client->denied++;
	if (status != NLM4_GRANTED)
		return status;
	return nlm_client_unlock(conn->nlm, conn->path, NLM_BENCH_SVID, &whole);
}

/* One LOCK+LOCKU pair, retrying the LOCK while another client holds it. */
static int lock_pair(struct bench_client *client, struct bench_conn *conn)
{
	const struct nfs4_range whole = {
		.offset = 0, .length = UINT64_MAX, .write = true};
	struct nfs4_range denied;
	int status;

	if (conn->nlm)
		return nlm_lock_pair(client, conn);
	while ((status = nfs4_file_lock(conn->session, conn->file, "bench",
					&whole, false, &denied)) ==
	       NFS4ERR_DENIED)
		client->denied++;
	if (status != NFS4_OK)
		return status;
	return nfs4_file_unlock(conn->session, conn->file, "bench", &whole);
}

static int run_pairs(struct bench_client *client, struct bench_conn *conn)
{
	uint64_t begin, end, start;
	int status;

	pthread_barrier_wait(client->start);
	begin = latency_now_us();
	end = begin + (uint64_t)(client->opts->target.seconds * 1e6);
	while ((start = latency_now_us()) < end) {
		status = lock_pair(client, conn);
		if (status != NFS4_OK)
			return status;
		if (latency_log_add(&client->pairs, latency_now_us() - start) <
		    0)
			return -ENOMEM;
	}
	client->elapsed_us = latency_now_us() - begin;
	return NFS4_OK;
}

/* Open the client's connection (and, for NFSv4, its file): status. */
static int conn_open(const struct bench_options *opts, const char *name,
		     struct bench_conn *conn)
{
	int status;

	if (opts->nlm) {
		conn->nlm = nlm_client_create(opts->target.server,
					      opts->target.export, name);
		return conn->nlm ? NLM4_GRANTED : -ENOMEM;
	}
	status = nfs4_session_create(opts->target.server, opts->target.export,
				     name, &conn->session);
	if (status == NFS4_OK)
		status = nfs4_file_open(conn->session, conn->path,
					OPEN4_SHARE_ACCESS_BOTH,
					OPEN4_SHARE_DENY_NONE, &conn->file);
	return status;
}

/* Close what conn_open() opened; @p status: the run's so far. */
static int conn_close(struct bench_conn *conn, int status)
{
	if (conn->file && status == NFS4_OK)
		status = nfs4_file_close(conn->session, conn->file);
	if (conn->session)
		nfs4_session_destroy(conn->session);
	if (conn->nlm)
		nlm_client_destroy(conn->nlm);
	return status;
}

static const char *status_name(const struct bench_options *opts, int status)
{
	return opts->nlm ? nlm_status_name(status) : nfs4_status_name(status);
}

static void *client_main(void *arg)
{
	struct bench_client *client = arg;
	const struct bench_options *opts = client->opts;
	struct bench_conn conn = {0};
	char name[64], path[4096];
	int status;

	snprintf(name, sizeof(name), "ulm-nfs-bench-%d-%d", (int)getpid(),
		 client->index);
	if (opts->per_client_files)
		snprintf(path, sizeof(path), "%s.%d", opts->target.file,
			 client->index);
	else
		snprintf(path, sizeof(path), "%s", opts->target.file);
	conn.path = path;
	status = conn_open(opts, name, &conn);
	if (status != NFS4_OK) {
		/* Still meet the others at the barrier, then give up. */
		pthread_barrier_wait(client->start);
	} else {
		status = run_pairs(client, &conn);
	}
	status = conn_close(&conn, status);
	if (status != NFS4_OK)
		fprintf(stderr, "client %d: %s\n", client->index,
			status_name(opts, status));
	client->status = status;
	return NULL;
}

/* Merge every client's latencies, sorted; NULL if out of memory. */
static uint64_t *merge_latencies(const struct bench_client *clients, int n,
				 size_t *total)
{
	uint64_t *all;
	size_t at = 0;
	int i;

	*total = 0;
	for (i = 0; i < n; i++)
		*total += clients[i].pairs.count;
	all = malloc((*total ? *total : 1) * sizeof(*all));
	if (!all)
		return NULL;
	for (i = 0; i < n; i++) {
		memcpy(all + at, clients[i].pairs.us,
		       clients[i].pairs.count * sizeof(*all));
		at += clients[i].pairs.count;
	}
	latency_sort(all, *total);
	return all;
}

static int report(const struct bench_client *clients,
		  const struct bench_options *opts)
{
	uint64_t denied = 0, elapsed_us = 0, *sorted;
	double elapsed;
	size_t pairs;
	int i;

	sorted = merge_latencies(clients, opts->clients, &pairs);
	if (!sorted) {
		fprintf(stderr, "ulm-nfs-bench: out of memory\n");
		return 1;
	}
	for (i = 0; i < opts->clients; i++) {
		denied += clients[i].denied;
		if (clients[i].elapsed_us > elapsed_us)
			elapsed_us = clients[i].elapsed_us;
	}
	elapsed = elapsed_us / 1e6;
	printf("pairs=%zu seconds=%.2f pairs_per_s=%.1f median_us=%llu "
	       "p99_us=%llu clients=%d denied=%llu\n",
	       pairs, elapsed, pairs / elapsed,
	       (unsigned long long)latency_percentile(sorted, pairs, 50),
	       (unsigned long long)latency_percentile(sorted, pairs, 99),
	       opts->clients, (unsigned long long)denied);
	free(sorted);
	return 0;
}

static int run(const struct bench_options *opts)
{
	struct bench_client *clients = calloc(opts->clients, sizeof(*clients));
	pthread_t threads[MAX_CLIENTS];
	pthread_barrier_t start;
	int i, rc = 0;

	if (!clients)
		return 1;
	pthread_barrier_init(&start, NULL, opts->clients);
	for (i = 0; i < opts->clients; i++) {
		clients[i] = (struct bench_client){
			.opts = opts, .start = &start, .index = i};
		if (pthread_create(&threads[i], NULL, client_main,
				   &clients[i])) {
			fprintf(stderr, "ulm-nfs-bench: cannot start thread\n");
			exit(1); /* the barrier could never be met */
		}
	}
	for (i = 0; i < opts->clients; i++) {
		pthread_join(threads[i], NULL);
		if (clients[i].status != 0)
			rc = 1;
	}
	if (rc == 0)
		rc = report(clients, opts);
	for (i = 0; i < opts->clients; i++)
		latency_log_free(&clients[i].pairs);
	free(clients);
	pthread_barrier_destroy(&start);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: ulm-nfs-bench --server ADDR --export /PSEUDO "
		     "--file PATH [--seconds N] [--clients K] "
		     "[--per-client-files] [--nlm]\n"
		     "K NFSv4.0 clients (--nlm: NLM v4 clients) repeat "
		     "LOCK(write, whole file)+LOCKU (UNLOCK) on PATH (or "
		     "PATH.i each) for N seconds (default 5, K default 1).\n");
}

static int parse_options(int argc, char **argv, struct bench_options *opts)
{
	static const struct option longopts[] = {
		BENCH_TARGET_OPTIONS,
		{"clients", required_argument, NULL, 'k'},
		{"per-client-files", no_argument, NULL, 'p'},
		{"nlm", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c, taken;

	opts->target.seconds = 5;
	opts->clients = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		taken = bench_target_option(c, &opts->target);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		switch (c) {
		case 'k':
			opts->clients = strtol(optarg, &end, 10);
			if (*end || opts->clients < 1 ||
			    opts->clients > MAX_CLIENTS) {
				fprintf(stderr, "--clients: 1..%d\n",
					MAX_CLIENTS);
				return -1;
			}
			break;
		case 'p':
			opts->per_client_files = true;
			break;
		case 'n':
			opts->nlm = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (!bench_target_complete(&opts->target) || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_options opts = {0};

	if (parse_options(argc, argv, &opts) < 0)
		return 2;
	return run(&opts);
}
